"""Zero-shot unlearning (GKT, EMMN), the named AIN protocol and model inversion (issue 7, spec 3)."""

from dataclasses import replace

import pytest
import torch
from torch import nn

from datarights import data, metrics, train, unlearning
from datarights.metrics.relearn import GoldRelearnTime, RelearnConfig, ain, protocol_data, relearn_curve
from datarights.models import DigitsCNN
from datarights.models.activations import attention_map
from datarights.unlearning.gkt import GKTConfig, Generator, gate, gkt

DIGITS_SHAPE = (1, 8, 8)


@pytest.fixture(scope="module")
def digits_request():
    """Digits with class 0 to forget and a small CNN trained on all of it (a few seconds on a CPU)."""
    dataset = data.load("digits")
    splits = data.class_forgetting(dataset, 0)
    torch.manual_seed(0)
    model = DigitsCNN(10, DIGITS_SHAPE, width=8)
    train.fit(model, dataset.train, train.TrainConfig(epochs=20, batch_size=64, optimizer="adam", lr=3e-3, weight_decay=0.0),
              seed=0, device="cpu")
    return splits, model.eval()


def _weights(model):
    return {k: v.clone() for k, v in model.state_dict().items()}


def test_gkt_strict_forgets_the_class_and_keeps_the_rest_without_any_data(digits_request):
    """GKT strict, given only the model: the forget class is gone (below 10 %) and the retain classes keep at
    least half of the teacher's accuracy; the teacher is unchanged.

    The retain bound is relative and loose on purpose: GKT's student on digits varies by about ±17 points
    across seeds and float results differ across CPUs (0.685 on one CI machine; 0.866–0.951 over seeds 0–3
    on another, teacher 0.98), so a single-seed threshold near the typical value fails by chance. Half the
    teacher's accuracy (≈ 0.49, over four times chance) sits ≥ 0.18 below every value measured, while a
    student that did not learn from the teacher (≈ 0.1) fails it. The forget bound holds with margin
    everywhere: the gate never lets the student see the class (0.0 on every seed measured).
    """
    splits, model = digits_request
    before = _weights(model)
    teacher_retain = metrics.accuracy(model, splits.retain_test)
    config = GKTConfig(seed=0, variant="strict", pseudo_batches=200, batch_size=128, student_lr=1e-2, beta=25.0, generator_width=32, eval_every=50)
    result = gkt(model, forget_classes=[0], input_shape=DIGITS_SHAPE, config=config)
    forget, retain = metrics.accuracy(result.model, splits.forget_test), metrics.accuracy(result.model, splits.retain_test)
    assert forget < 0.10, f"the forget class survived: {forget:.3f}"
    assert retain >= 0.5 * teacher_retain, f"retain accuracy {retain:.3f} < half the teacher's {teacher_retain:.3f}"
    assert retain - forget > 0.4, "the student tells the retain classes apart far better than the forgotten one"
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items()), "the model passed in is not modified"
    assert [p["pseudo_batch"] for p in result.extra["trajectory"]] == [50, 100, 150, 200]
    assert "forget_accuracy" not in result.extra["trajectory"][0], "no real data was given, so none is measured"
    assert result.extra["samples"].shape[1:] == DIGITS_SHAPE


def test_gkt_records_the_trajectory_every_eval_interval_when_monitor_data_is_given(digits_request):
    """With monitor data, both variants log Df/Dr accuracy every ``eval_every`` pseudo-batches; only faithful reads it."""
    splits, model = digits_request
    for variant in ("strict", "faithful"):
        config = GKTConfig(seed=0, variant=variant, pseudo_batches=4, batch_size=16, eval_every=2, generator_width=8)
        result = gkt(model, forget_classes=0, config=config, monitor=(splits.forget_test, splits.retain_test))
        trajectory = result.extra["trajectory"]
        assert [p["pseudo_batch"] for p in trajectory] == [2, 4]
        assert all(0.0 <= p["forget_accuracy"] <= 1.0 and 0.0 <= p["retain_accuracy"] <= 1.0 for p in trajectory)
        assert result.extra["reads_real_data"] == (variant == "faithful")
        assert result.model.training is False


def test_the_gate_removes_every_image_whose_forget_probability_exceeds_the_threshold():
    """Hand-made teacher outputs: the gate keeps exactly the rows with summed forget probability ≤ threshold."""
    probs = torch.tensor([[0.005, 0.995, 0.0], [0.02, 0.98, 0.0], [0.004, 0.004, 0.992], [0.5, 0.5, 0.0], [0.01, 0.0, 0.99]])
    assert gate(probs, [0], 0.01).tolist() == [True, False, True, False, True]
    assert gate(probs, [0, 1], 0.01).tolist() == [False, False, True, False, True], "several classes: their probabilities add up"
    assert gate(probs, [0], None).all()


def test_gkt_gate_on_a_hand_made_teacher_passes_only_low_forget_probability_images():
    """A teacher whose forget probability is a known function of the input: every kept pseudo-image satisfies the gate."""

    class Teacher(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(nn.Sequential(nn.Identity()))
            self.scale = nn.Parameter(torch.tensor(4.0))

        def forward(self, x):
            mean = self.features(x).flatten(1).mean(1)
            return torch.stack([self.scale * mean, torch.zeros_like(mean), -self.scale * mean], dim=1)

    teacher = Teacher()
    result = gkt(teacher, forget_classes=[0], input_shape=DIGITS_SHAPE, config=GKTConfig(
        seed=0,
        variant="strict", pseudo_batches=3, batch_size=64, generator_width=8, student_steps=1))
    kept, removed = result.extra["samples"], result.extra["rejected"]
    with torch.no_grad():
        assert (teacher(kept).softmax(1)[:, 0] <= 0.01).all()
        if len(removed):
            assert (teacher(removed).softmax(1)[:, 0] > 0.01).all()


def test_attention_map_matches_a_value_computed_by_hand():
    """Spec 3.5: A(a) = L2-normalised channel mean of a², flattened."""
    a = torch.tensor([[[[1.0, 2.0]], [[3.0, 0.0]]]])  # batch 1, 2 channels, 1×2
    by_hand = torch.tensor([(1 + 9) / 2, (4 + 0) / 2])
    assert torch.allclose(attention_map(a), (by_hand / by_hand.norm()).view(1, 2))


def test_generator_output_follows_the_model_input_shape():
    """1-channel 28 px (the authors' 7×7 crop), 3-channel 32 px and 8×8 digits."""
    for shape in ((1, 28, 28), (3, 32, 32), (1, 8, 8)):
        assert Generator(shape, width=8)(torch.randn(2, 128)).shape == (2, *shape)


def test_generator_is_as_wide_as_configured_whatever_the_image_size():
    """The width is the generator's channel count (the authors' 128), never the image's width in pixels:
    GKTConfig.generator_width must reach the network unchanged (it once was shadowed by the image width)."""
    for shape in ((1, 8, 8), (1, 14, 14), (1, 28, 28), (3, 32, 32)):
        for width in (16, 32, 128):
            generator = Generator(shape, width=width)
            convolutions = [m for m in generator.body if isinstance(m, torch.nn.Conv2d)]
            assert generator.project.out_features == width * generator.init_size ** 2
            assert [c.out_channels for c in convolutions] == [width, width // 2, shape[0]]


def test_zero_shot_methods_need_nothing_but_the_model(digits_request, monkeypatch):
    """No data loader is touched: any call to a Split's batches would fail this test."""
    _, model = digits_request

    def forbidden(*args, **kwargs):
        raise AssertionError("a zero-shot method read data")

    monkeypatch.setattr(data.Split, "batches", forbidden)
    gkt(model, forget_classes=[0], input_shape=DIGITS_SHAPE, config=GKTConfig(seed=0, variant="strict", pseudo_batches=2, batch_size=16,
                                                                               generator_width=8))
    unlearning.emmn(model, forget_classes=[0], input_shape=DIGITS_SHAPE,
                    config=unlearning.EMMNConfig(seed=0, noise_images=8, noise_steps=3, noise_copies=1))


def test_emmn_forgets_on_digits(digits_request):
    """EMMN (our reconstruction) drives the forget class far down while the retain classes keep most of their accuracy."""
    splits, model = digits_request
    before = _weights(model)
    fit32 = lambda lr: train.TrainConfig(epochs=1, batch_size=32, optimizer="adam", lr=lr, weight_decay=0.0, schedule="constant")  # noqa: E731
    config = unlearning.EMMNConfig(seed=0, noise_images=64, noise_copies=3, impair=fit32(0.005), repair=fit32(0.002))
    result = unlearning.emmn(model, forget_classes=[0], input_shape=DIGITS_SHAPE, config=config)
    assert metrics.accuracy(model, splits.forget_test) > 0.9
    assert metrics.accuracy(result.model, splits.forget_test) < 0.3
    assert metrics.accuracy(result.model, splits.retain_test) > 0.6
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert result.extra["reconstruction"] is True


@pytest.mark.parametrize("call, message", [
    (lambda m: gkt(m, forget_classes=[12], input_shape=DIGITS_SHAPE, config=GKTConfig(seed=0, variant="strict")), "forget_classes"),
    (lambda m: gkt(m, forget_classes=list(range(10)), input_shape=DIGITS_SHAPE, config=GKTConfig(seed=0, variant="strict")), "every class"),
    (lambda m: GKTConfig(seed=0, threshold=1.5), "threshold"),
    (lambda m: GKTConfig(seed=0, threshold=0.0), "threshold"),
    (lambda m: gkt(m, forget_classes=[0], input_shape=DIGITS_SHAPE, config=GKTConfig(seed=0, variant="strict", layers=("layer9",))), "layers"),
    (lambda m: gkt(m, forget_classes=[0], input_shape=DIGITS_SHAPE, config=GKTConfig(seed=0, variant="faithful")), "monitor"),
    (lambda m: gkt(m, forget_classes=[0], config=GKTConfig(seed=0, variant="strict")), "input_shape"),
    (lambda m: unlearning.emmn(m, forget_classes=[10], input_shape=DIGITS_SHAPE, config=unlearning.EMMNConfig(seed=0)), "forget_classes"),
])
def test_bad_input_raises_a_clear_error(digits_request, call, message):
    """Unknown or all classes, a threshold outside (0, 1), missing layers or data: ValueError naming the argument."""
    with pytest.raises(ValueError, match=message):
        call(digits_request[1])


def test_ain_of_a_model_against_an_identical_copy_is_one_and_leaves_both_unchanged(digits_request):
    """AIN ≈ 1 for a model compared with a copy of itself; relearning works on copies; the gold time is computed once."""
    splits, model = digits_request
    import copy

    twin = copy.deepcopy(model)
    weights, twin_weights = _weights(model), _weights(twin)
    original = metrics.accuracy(model, splits.forget_test)
    relearn, evaluate_on = protocol_data(splits, "forget_train", "forget_test")
    config = RelearnConfig(seed=0, batch_size=32)
    scrambled = unlearning.neggrad(model, forget=splits.forget_train, config=unlearning.NegGradConfig(
        train.TrainConfig(epochs=2, batch_size=16, optimizer="sgd", lr=0.05, weight_decay=0.0, schedule="constant"), seed=0)).model
    result = ain(scrambled, scrambled, original_accuracy=original, relearn=relearn, evaluate_on=evaluate_on, alpha=0.05, config=config)
    assert result.index == pytest.approx(1.0) and result.steps_gold >= 1
    assert all(torch.equal(weights[k], v) for k, v in model.state_dict().items())
    assert all(torch.equal(twin_weights[k], v) for k, v in twin.state_dict().items())
    gold = GoldRelearnTime(scrambled, relearn, evaluate_on)
    first = ain(scrambled, gold, original_accuracy=original, relearn=relearn, evaluate_on=evaluate_on, config=config)
    assert len(gold.store) == 1 and first.index == pytest.approx(1.0)
    ain(model, gold, original_accuracy=original, relearn=relearn, evaluate_on=evaluate_on, config=config)
    assert len(gold.store) == 1, "the gold relearn time is reused, not measured again"
    with pytest.raises(ValueError, match="alpha"):
        ain(model, gold, original_accuracy=original, relearn=relearn, evaluate_on=evaluate_on, alpha=1.5)
    with pytest.raises(ValueError, match="relearn_data"):
        protocol_data(splits, "everything")


def test_relearn_curve_starts_at_the_model_accuracy_and_has_one_point_per_step(digits_request):
    splits, model = digits_request
    curve = relearn_curve(model, relearn=splits.forget_train, evaluate_on=splits.forget_test, steps=3, config=RelearnConfig(seed=0, batch_size=32))
    assert len(curve) == 4 and curve[0] == pytest.approx(metrics.accuracy(model, splits.forget_test))


def test_inversion_returns_one_image_per_class_and_a_trained_model_recognises_its_own(digits_request):
    """One inversion per class (and restart); the inverted model's own classes are recovered by itself."""
    _, model = digits_request
    images = metrics.invert(model, DIGITS_SHAPE, config=metrics.InversionConfig(seed=0, steps=150, restarts=2))
    assert images.shape == (10, 2, *DIGITS_SHAPE)
    assert metrics.judge_rate(images, model, range(10)) > 0.9
    few = metrics.invert(model, DIGITS_SHAPE, classes=[3], config=metrics.InversionConfig(seed=0, steps=5, restarts=1))
    assert few.shape == (1, 1, *DIGITS_SHAPE)
    with pytest.raises(ValueError, match="classes"):
        metrics.invert(model, DIGITS_SHAPE, classes=[11])


def test_full_profile_uses_the_authors_gkt_settings_and_unknown_profiles_are_rejected():
    """Spec 3.5: pseudo-batches of 256, gate 0.01, β 250, Adam 1e-3, τ 1, trajectory every 50; MNIST first. The
    stated budget (750) replaces the authors' 4,000, which one run past the budget keeps."""
    from datarights.experiments import zero_shot

    full = zero_shot.settings("full")
    assert full.gkt == replace(GKTConfig(), variant="strict", pseudo_batches=750)
    assert (full.gkt.pseudo_batches, full.gkt.batch_size, full.gkt.threshold, full.gkt.beta) == (750, 256, 0.01, 250.0)
    assert full.plateau_pseudo_batches == GKTConfig().pseudo_batches == 4000
    assert full.profiles[0].dataset == "mnist" and full.profiles[0].model == "allcnn" and full.profiles[0].train.epochs == 25
    with pytest.raises(ValueError, match="profile"):
        zero_shot.settings("huge")


def test_gkt_stops_with_a_clear_error_when_the_gate_rejects_everything():
    """A teacher that always gives the forget class 50 %: the authors' loop would never end; ours raises."""

    class Certain(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(nn.Sequential(nn.Conv2d(1, 2, 1)))

        def forward(self, x):
            return torch.zeros(len(x), 2) + 0 * self.features(x).mean()

    with pytest.raises(RuntimeError, match="gate rejected every generated image"):
        gkt(Certain(), forget_classes=[0], input_shape=DIGITS_SHAPE,
            config=GKTConfig(seed=0, variant="strict", pseudo_batches=1, batch_size=4, generator_width=8, max_empty=1))


def test_distillation_gradient_stays_finite_where_teacher_probabilities_underflow():
    """A teacher that is certain on generated images (probabilities below float32's range) once turned the
    generator to NaN after one step; the KL takes the teacher as log-probabilities so its gradient is finite."""
    from datarights.unlearning.gkt import distillation_kl

    teacher = torch.tensor([[400.0, 0.0, -300.0], [0.0, 500.0, 0.0]], requires_grad=True)
    student = torch.zeros(2, 3, requires_grad=True)
    loss = -distillation_kl(student, teacher, 1.0, "mean")
    loss.backward()
    assert torch.isfinite(teacher.grad).all() and torch.isfinite(student.grad).all()
    assert torch.isfinite(loss)


def test_plateau_rule_tells_a_flat_trajectory_from_a_rising_one():
    """Issue 18: GKT's budget is judged past the plateau only when running longer does not raise retain accuracy
    by more than the tolerance or the points' spread."""
    import pandas as pd

    from datarights.experiments.zero_shot import Plateau

    steps = list(range(20, 420, 20))
    flat = pd.DataFrame({"pseudo_batch": steps, "retain_accuracy": [0.70 + 0.05 * (-1) ** i for i in range(len(steps))]})
    rising = pd.DataFrame({"pseudo_batch": steps, "retain_accuracy": [min(0.99, 0.3 + 0.002 * s) for s in steps]})
    assert Plateau.from_trajectory(flat, 100).past
    assert "past the plateau" in Plateau.from_trajectory(flat, 100).verdict()
    late = Plateau.from_trajectory(rising, 100)
    assert not late.past and "still learning" in late.verdict()
    # a climb that ends before the last fifth of the budget does not count against it
    climb_then_flat = pd.DataFrame({"pseudo_batch": steps, "retain_accuracy": [min(0.95, 0.3 + 0.004 * s) for s in steps]})
    assert Plateau.from_trajectory(climb_then_flat, 200).past and not Plateau.from_trajectory(climb_then_flat, 140).past
    with pytest.raises(ValueError, match=r"\(320, 400\] and after budget=400"):
        Plateau.from_trajectory(flat, 400)
