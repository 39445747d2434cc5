"""UNSIR (spec section 1): it forgets on digits, its noise does what the objective says, the
authors'-code variant really reproduces their bugs, inputs are untouched, bad arguments are named."""

from dataclasses import replace

import pytest
import torch
import torch.nn.functional as F

from datarights import metrics, unlearning
from datarights.experiments import unsir as unsir_experiments
from datarights.data import TensorData
from datarights.train import model_device
from datarights.settings.unsir import DIGITS_UNSIR
from datarights.unlearning.unsir import CODE_IMAGES_PER_COPY, impair_set

QUICK = replace(DIGITS_UNSIR, seed=0)  # the digits sizes (the conftest setup is on digits)


@pytest.fixture(scope="module")
def unlearned(quick_setup):
    s = quick_setup.splits
    return unlearning.unsir(quick_setup.original, retain=s.retain_train, forget_classes=s.forget_classes, config=QUICK)


def test_unsir_forgets_the_class_and_keeps_the_rest_on_digits(quick_setup, unlearned):
    s = quick_setup.splits
    before = metrics.split_accuracies(quick_setup.original, s)
    after = metrics.split_accuracies(unlearned.model, s)
    assert before["forget_test"] > 0.9
    assert after["forget_test"] < 0.10, "forget-class test accuracy falls below 10%"
    assert after["retain_test"] > before["retain_test"] - 0.10, "retain accuracy stays within 10 points of the original"


def test_result_carries_noise_per_class_the_impaired_model_and_step_times(unlearned):
    extra = unlearned.extra
    assert set(extra["noise"]) == {0} and extra["noise"][0].shape == (QUICK.noise_images, 1, 8, 8)
    assert len(extra["noise_loss"][0]) == QUICK.noise_steps
    assert set(extra["step_seconds"]) == {"noise", "impair", "repair"}
    assert extra["n_noise_in_impair"] == QUICK.noise_images * QUICK.noise_copies
    assert extra["impaired"] is not unlearned.model


def test_noise_raises_the_original_models_loss_on_its_class(quick_setup):
    model, c = quick_setup.original, 3
    shape = (64, 1, 8, 8)
    noise, losses = unlearning.error_maximizing_noise(model, c, shape, generator=torch.Generator().manual_seed(0))
    start = torch.randn(shape, generator=torch.Generator().manual_seed(0))
    labels = torch.full((64,), c)
    model.eval()
    with torch.no_grad():
        learned_loss = F.cross_entropy(model(noise), labels)
        start_loss = F.cross_entropy(model(start), labels)
    assert learned_loss > start_loss + 1.0, "optimised noise is far more 'not class c' than its N(0,1) start"
    assert losses[-1] < losses[0], "the objective −CE + λ‖N‖² decreases"


def test_code_variant_uses_three_images_per_copy_all_labelled_zero():
    noises = {3: torch.randn(10, 3, 4, 4), 7: torch.randn(10, 3, 4, 4)}
    retain = TensorData(torch.randn(5, 3, 4, 4), torch.tensor([1, 2, 4, 5, 6]))
    code = impair_set(noises, retain, replace(QUICK, variant="code", noise_copies=4))
    noise_part = code.x[: len(code) - 5]
    assert len(noise_part) == 2 * 4 * CODE_IMAGES_PER_COPY == 24
    assert (code.y[:24] == 0).all()
    assert len(torch.unique(noise_part.flatten(1), dim=0)) == 2 * CODE_IMAGES_PER_COPY
    paper = impair_set(noises, retain, replace(QUICK, noise_copies=4))
    assert len(paper) - 5 == 2 * 4 * 10
    assert paper.y[:40].eq(3).all() and paper.y[40:80].eq(7).all(), "the paper labels each class's noise with its class"


def test_only_the_code_variant_lets_the_noise_move_batchnorm_statistics(quick_setup):
    import copy

    def running_means(model):
        return [m.running_mean.clone() for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]

    for update, should_move in ((False, False), (True, True)):
        model = copy.deepcopy(quick_setup.original)
        before = running_means(model)
        unlearning.error_maximizing_noise(model, 0, (16, 1, 8, 8), steps=3, update_batchnorm=update)
        moved = any(not torch.equal(a, b) for a, b in zip(before, running_means(model)))
        assert moved == should_move


def test_inputs_are_not_modified(quick_setup):
    s, model = quick_setup.splits, quick_setup.original
    weights = {k: v.clone() for k, v in model.state_dict().items()}
    x, y = s.retain_train.x.clone(), s.retain_train.y.clone()
    unlearning.unsir(model, retain=s.retain_train, forget_classes=[0], config=replace(QUICK, noise_steps=2))
    assert all(torch.equal(weights[k], v) for k, v in model.state_dict().items())
    assert torch.equal(x, s.retain_train.x) and torch.equal(y, s.retain_train.y)


def test_forget_classes_can_be_read_from_the_forget_labels(quick_setup):
    s = quick_setup.splits
    result = unlearning.unsir(quick_setup.original, forget=s.forget_train, retain=s.retain_train,
                              config=replace(QUICK, noise_steps=2))
    assert result.extra["forget_classes"] == (0,)


def test_bad_arguments_are_named(quick_setup):
    s, model = quick_setup.splits, quick_setup.original
    with pytest.raises(ValueError, match="forget_classes .*12.* unknown"):
        unlearning.unsir(model, retain=s.retain_train, forget_classes=12, config=QUICK)
    with pytest.raises(ValueError, match="retain is empty"):
        unlearning.unsir(model, retain=s.retain_train.subset(torch.zeros(len(s.retain_train), dtype=torch.bool)),
                         forget_classes=0, config=QUICK)
    with pytest.raises(ValueError, match="noise_penalty"):
        unlearning.UNSIRConfig(seed=0, noise_penalty=-0.1)
    with pytest.raises(ValueError, match="retain holds images of forget_classes"):
        unlearning.unsir(model, retain=s.train, forget_classes=0, config=QUICK)
    with pytest.raises(ValueError, match="forget_classes is missing"):
        unlearning.unsir(model, retain=s.retain_train, config=QUICK)
    with pytest.raises(ValueError, match="variant"):
        unlearning.UNSIRConfig(seed=0, variant="bugged")


def test_multi_class_request_learns_one_noise_per_class(digits):
    from datarights.experiments import prepare

    setup = prepare("smoke", 0, forget_classes=(1, 2), device="cpu")
    s = setup.splits
    result = unlearning.unsir(setup.original, retain=s.retain_train, forget_classes=[2, 1],
                              config=replace(unsir_experiments.settings("smoke").config, seed=0))
    assert set(result.extra["noise"]) == {1, 2} and result.extra["forget_classes"] == (1, 2)
    assert model_device(result.model).type == "cpu"


def test_prediction_distribution_and_layer_distances(quick_setup, unlearned):
    s = quick_setup.splits
    shares = metrics.prediction_distribution(unlearned.model, s.forget_test, s.num_classes)
    assert shares.shape == (10,) and abs(shares.sum() - 1) < 1e-9 and shares[0] < 0.1
    assert all(d == 0 for d in metrics.layer_distances(quick_setup.original, quick_setup.original).values())
    moved = metrics.layer_distances(unlearned.model, quick_setup.original)
    assert moved and all(d > 0 for d in moved.values()) and all("bias" not in name for name in moved)
    with pytest.raises(ValueError, match="share one architecture"):
        metrics.layer_distances(unlearned.model, torch.nn.Linear(2, 2))


def test_full_profile_on_a_cpu_without_stored_results_says_it_needs_a_gpu(tmp_path):
    from datarights.cache import Cache

    with pytest.raises(RuntimeError, match="needs a GPU"):
        unsir_experiments.run("full", 0, device="cpu", cache=Cache(tmp_path / "results", tmp_path / "models"))
    with pytest.raises(ValueError, match="unknown profile"):
        unsir_experiments.settings("huge")


@pytest.mark.slow
def test_runner_also_trains_the_notebook_recipe_when_asked(tmp_path, monkeypatch):
    """The full profile's extra request (the authors' torchvision ResNet-18 recipe) runs through the same code;
    here on smoke-sized digits, since the real one needs CIFAR-10 and a GPU."""
    from datarights import profiles
    from datarights.cache import Cache

    smoke = profiles.get("smoke")
    tiny_notebook = replace(smoke, name="smoke-notebook", model="resnet18_imagenet_stem", train=replace(smoke.train, epochs=2))
    from datarights.settings import unsir as unsir_settings

    grid = replace(unsir_settings.STUDIES["smoke"], classes=(0,), multi_class=(), sensitivity_classes=(), notebook_profile=tiny_notebook,
                   mia_attacks=("logistic",))
    monkeypatch.setitem(unsir_settings.STUDIES, "smoke", grid)
    result = unsir_experiments.run("smoke", 0, device="cpu", cache=Cache(tmp_path / "results", tmp_path / "models"))
    notebook = result.notebook
    assert list(notebook.group.unique()) == ["smoke", "smoke-notebook"]
    assert set(notebook.method) == set(unsir_experiments.METHODS) and "mia_svc" not in notebook
    assert result.meta["model"] == "digits_cnn"


@pytest.mark.slow
def test_runner_measures_single_requests_fully_the_others_for_accuracies_and_runs_the_quirk_factorial(tmp_path, monkeypatch):
    """The chapter's budget split: single-class requests carry the attacks and the relearn time (and AIN against
    the retrained model), multi-class and notebook requests only accuracies and times; the quirk factorial holds
    every combination of the three quirks, once per sensitivity class, with one indicator column per quirk."""
    from datarights.cache import Cache
    from datarights.settings import unsir as unsir_settings
    from datarights.unlearning.unsir import QUIRKS

    grid = replace(unsir_settings.STUDIES["smoke"], classes=(0,), multi_class=((1, 2),), sensitivity_classes=(3,),
                   impair_lr_factors=(1.0,), retain_per_class=(10,), noise_penalties=(0.1,), mia_attacks=("logistic",))
    monkeypatch.setitem(unsir_settings.STUDIES, "smoke", grid)
    result = unsir_experiments.run("smoke", 0, device="cpu", cache=Cache(tmp_path / "results", tmp_path / "models"))
    single = result.single
    assert {"mia_logistic", "relearn_steps", "ain"} <= set(single) and single.set_index("method").loc["retrained", "ain"] == 1.0
    for table in (result.multi, result.notebook):
        assert not {"mia_logistic", "relearn_steps", "ain"} & set(table)
        assert {"forget_test", "retain_test", "impaired_forget_test", "seconds"} <= set(table)
    quirks = result.quirks
    assert len(quirks) == 2 ** len(QUIRKS) and set(quirks["class"]) == {3}
    assert quirks[list(QUIRKS)].sum().tolist() == [2 ** (len(QUIRKS) - 1)] * len(QUIRKS)
    assert "none (the paper's form)" in set(quirks.quirks)
