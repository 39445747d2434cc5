"""Bad teaching (spec 2.6): it forgets on digits while keeping the rest, each sample gets the right
teacher, the coded loss is the authors' reduction, inputs are untouched, bad arguments are named."""

import pytest
import torch
import torch.nn.functional as F

from datarights import metrics, unlearning
from datarights.unlearning import BadTeacherConfig
from datarights.unlearning.bad_teacher import distillation_loss

# Digits have ~125 images per class: batch 16 and Adam 1e-3 give about the authors' number of steps (60).
DIGITS = BadTeacherConfig(seed=0, batch_size=16, lr=1e-3)


def test_bad_teacher_forgets_like_retraining_and_keeps_the_rest_on_digits(quick_setup):
    s = quick_setup.splits
    result = unlearning.bad_teacher(quick_setup.original, forget=s.forget_train, retain=s.retain_train, config=DIGITS)
    before = metrics.split_accuracies(quick_setup.original, s)
    after = metrics.split_accuracies(result.model, s)
    gold = metrics.split_accuracies(quick_setup.retrained, s)
    assert after["forget_test"] < gold["forget_test"] + 0.10, "forget-class accuracy near the retrained model's"
    assert after["retain_test"] > before["retain_test"] - 0.05, "retain accuracy within 5 points of the original"
    assert result.extra["n_retain_used"] == round(0.3 * len(s.retain_train))
    assert result.extra["incompetent"] is not None and not result.extra["incompetent"].training


def test_each_sample_is_taught_by_its_own_teacher():
    competent = torch.tensor([[0.9, 0.1], [0.8, 0.2], [0.7, 0.3]])
    incompetent = torch.tensor([[0.5, 0.5], [0.4, 0.6], [0.3, 0.7]])
    targets = unlearning.distillation_targets(competent, incompetent, torch.tensor([0, 1, 0]))
    assert torch.equal(targets, torch.tensor([[0.9, 0.1], [0.4, 0.6], [0.7, 0.3]]))


def test_coded_reduction_divides_by_batch_times_classes():
    log_student = torch.log_softmax(torch.randn(4, 5, generator=torch.Generator().manual_seed(0)), dim=1)
    target = torch.softmax(torch.randn(4, 5, generator=torch.Generator().manual_seed(1)), dim=1)
    by_hand = (target * (target.log() - log_student)).sum()
    assert torch.isclose(distillation_loss(log_student, target, "mean"), by_hand / 20)
    assert torch.isclose(distillation_loss(log_student, target, "batchmean"), by_hand / 4)
    assert torch.isclose(distillation_loss(log_student, target, "batchmean"), F.kl_div(log_student, target, reduction="batchmean"))


def test_inputs_are_not_modified_and_seeds_repeat(quick_setup):
    s, model = quick_setup.splits, quick_setup.original
    weights = {k: v.clone() for k, v in model.state_dict().items()}
    a = unlearning.bad_teacher(model, forget=s.forget_train, retain=s.retain_train, config=DIGITS)
    b = unlearning.bad_teacher(model, forget=s.forget_train, retain=s.retain_train, config=DIGITS)
    assert all(torch.equal(weights[k], v) for k, v in model.state_dict().items())
    assert all(torch.equal(x, y) for x, y in zip(a.model.state_dict().values(), b.model.state_dict().values()))


def test_uniform_incompetent_teacher_ablation_runs(quick_setup):
    s = quick_setup.splits
    config = BadTeacherConfig(seed=0, batch_size=16, lr=1e-3, incompetent="uniform", retain_fraction=0.0)
    result = unlearning.bad_teacher(quick_setup.original, forget=s.forget_train, retain=s.retain_train, config=config)
    assert result.extra["incompetent"] is None and result.extra["n_retain_used"] == 0


def test_bad_arguments_are_named(quick_setup):
    s, model = quick_setup.splits, quick_setup.original
    empty = s.forget_train.subset(torch.zeros(len(s.forget_train), dtype=torch.bool))
    with pytest.raises(ValueError, match="forget is empty"):
        unlearning.bad_teacher(model, forget=empty, retain=s.retain_train, config=DIGITS)
    for bad in (dict(retain_fraction=1.5), dict(temperature=0), dict(kl_reduction="sum"), dict(incompetent="zero")):
        with pytest.raises(ValueError, match=next(iter(bad))):
            BadTeacherConfig(seed=0, **bad)


def test_subclass_setup_predicts_superclasses_and_its_retrained_model_never_saw_the_subclass():
    from datarights.data import ForgetRequest
    from datarights.experiments import prepare

    request = ForgetRequest("subclass", classes=(8,), superclasses="digits-parity")
    setup = prepare("smoke", seed=0, request=request, device="cpu")
    s = setup.splits
    assert setup.original(s.test.normalize(s.test.x[:2].float())).shape == (2, 2), "the models predict the 2 superclasses"
    assert len(s.forget_train) == 30 and s.forget_subclasses == (8,)
    assert setup.describe()["request_kind"] == "subclass"
    with pytest.raises(ValueError, match="either forget_classes or request"):
        prepare("smoke", seed=0, forget_classes=(1,), request=request, device="cpu")


def test_unsir_accepts_retained_members_of_the_forget_superclass_only_when_asked(quick_setup):
    s = quick_setup.splits
    with pytest.raises(ValueError, match="retain holds images of forget_classes"):
        unlearning.unsir(quick_setup.original, retain=s.train, forget_classes=[0], config=unlearning.UNSIRConfig(seed=0))
    config = unlearning.UNSIRConfig(seed=0, noise_images=4, noise_steps=2, noise_copies=1, retain_per_class=5)
    result = unlearning.unsir(quick_setup.original, retain=s.train, forget_classes=[0], config=config, subclass=True)
    assert result.extra["forget_classes"] == (0,)
