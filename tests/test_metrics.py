import math

import pytest
import torch
import torch.nn.functional as F

from datarights import metrics, models


def _probs(n=40, c=10, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.softmax(2 * torch.randn(n, c, generator=g), dim=1)


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")
def test_zrf_code_variant_is_exactly_the_authors_kl_div_expression():
    p, q = _probs(seed=0), _probs(seed=1)
    m = (p + q) / 2
    authors = 1 - (0.5 * F.kl_div(torch.log(p), m) + 0.5 * F.kl_div(torch.log(q), m))  # their JSDiv, default reduction
    assert metrics.zrf_from_probs(p, q, "code") == pytest.approx(float(authors), abs=1e-6)


def test_code_zrf_stays_finite_when_a_probability_underflowed_to_zero():
    """A float32 softmax of an overconfident model gives exact zeros; log 0 would make the coded ZRF −∞
    (and a figure's axis limits NaN). Such a zero counts as float32's smallest normal number."""
    confident = torch.softmax(torch.tensor([[200.0, 0.0, 0.0], [0.0, 1.0, 2.0]]), dim=1)
    assert (confident == 0).any()
    uniform = torch.full((2, 3), 1 / 3)
    value = metrics.zrf_from_probs(confident, uniform, "code")
    floored = confident.double().clamp_min(torch.finfo(torch.float32).tiny)
    m = (confident.double() + uniform.double()) / 2
    expected = 1 - (0.5 * F.kl_div(floored.log(), m) + 0.5 * F.kl_div(uniform.double().log(), m))
    assert math.isfinite(value) and value == pytest.approx(float(expected), rel=1e-12)


def test_zrf_paper_variant_follows_the_formula_on_hand_made_tensors():
    uniform = torch.full((3, 4), 0.25)
    assert metrics.zrf_from_probs(uniform, uniform, "paper") == pytest.approx(1.0)
    one_hot = torch.eye(4)[:3]
    assert metrics.zrf_from_probs(one_hot, one_hot.roll(1, dims=1), "paper") == pytest.approx(1 - math.log(2))
    # p = (1, 0), q = (1/2, 1/2): JS = 1/2·KL(p‖m) + 1/2·KL(q‖m), m = (3/4, 1/4)
    p, q = torch.tensor([[1.0, 0.0]]), torch.tensor([[0.5, 0.5]])
    js = 0.5 * math.log(4 / 3) + 0.5 * (0.5 * math.log(0.5 / 0.75) + 0.5 * math.log(0.5 / 0.25))
    assert metrics.zrf_from_probs(p, q, "paper") == pytest.approx(1 - js)


def test_code_zrf_is_compressed_towards_one_compared_with_the_paper_form():
    p, q = _probs(seed=0), _probs(seed=1)
    assert metrics.zrf_from_probs(p, q, "paper") < metrics.zrf_from_probs(p, q, "code") < 1


def test_zrf_of_a_model_against_itself_is_one_and_bad_variant_is_rejected(digits):
    net = models.build("digits_cnn", 10, digits.input_shape, seed=0)
    assert metrics.zrf(net, net, digits.test, "paper") == pytest.approx(1.0)
    assert metrics.zrf(net, net, digits.test, "code") == pytest.approx(1.0)
    with pytest.raises(ValueError, match="variant"):
        metrics.zrf_from_probs(_probs(), _probs(), "textbook")


def test_distances_between_a_model_and_itself_are_zero_and_symmetric(digits):
    a, b = (models.build("digits_cnn", 10, digits.input_shape, seed=s) for s in (0, 1))
    assert metrics.js_divergence(a, a, digits.test) == pytest.approx(0.0, abs=1e-9)
    assert metrics.activation_distance(a, a, digits.test) == pytest.approx(0.0, abs=1e-9)
    assert metrics.js_divergence(a, b, digits.test) == pytest.approx(metrics.js_divergence(b, a, digits.test))
    assert 0 < metrics.js_divergence(a, b, digits.test) <= math.log(2)


def test_entropy_of_uniform_and_one_hot():
    assert metrics.entropy(torch.full((1, 10), 0.1)).item() == pytest.approx(math.log(10))
    assert metrics.entropy(torch.eye(3)).tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("attack", ["logistic", "svc"])
def test_mia_flags_the_original_model_more_than_the_retrained_one(quick_setup, attack):
    s = quick_setup.splits
    kw = dict(members=s.retain_train, nonmembers=s.test, targets=s.forget_train, attack=attack)
    original = metrics.membership_inference(quick_setup.original, **kw)
    gold = metrics.membership_inference(quick_setup.retrained, **kw)
    assert original.score > gold.score + 0.5
    assert original.feature == "entropy" and "member" in original.orientation
    assert original.attack.startswith("LogisticRegression" if attack == "logistic" else "SVC(C=3")
    assert (original.n_members, original.n_nonmembers, original.n_targets) == (len(s.retain_train), len(s.test), len(s.forget_train))


def test_mia_sample_cap_and_bad_arguments(quick_setup):
    s = quick_setup.splits
    capped = metrics.membership_inference(quick_setup.original, members=s.retain_train, nonmembers=s.test,
                                          targets=s.forget_train, max_samples_per_side=100)
    assert capped.n_members == capped.n_nonmembers == 100
    with pytest.raises(ValueError, match="attack must be one of"):
        metrics.membership_inference(quick_setup.original, members=s.retain_train, nonmembers=s.test,
                                     targets=s.forget_train, attack="forest")
    empty = s.test.subset(torch.zeros(len(s.test), dtype=torch.bool))
    with pytest.raises(ValueError, match="nonmembers is empty"):
        metrics.membership_inference(quick_setup.original, members=s.retain_train, nonmembers=empty, targets=s.forget_train)


def test_the_retrained_model_needs_longer_to_relearn_than_the_original(quick_setup):
    s = quick_setup.splits
    before = {k: v.clone() for k, v in quick_setup.retrained.state_dict().items()}
    config = metrics.RelearnConfig(seed=0, batch_size=32)
    original_acc = metrics.accuracy(quick_setup.original, s.forget_test)
    ain = metrics.anamnesis_index(quick_setup.original, quick_setup.retrained, original_accuracy=original_acc,
                                  relearn=s.forget_train, evaluate_on=s.forget_test, config=config)
    assert ain.steps_gold > ain.steps_unlearned >= 1 and ain.reached_gold
    assert ain.index == pytest.approx(ain.steps_unlearned / ain.steps_gold) and ain.index < 0.5
    assert ain.target_accuracy == pytest.approx(0.95 * original_acc)
    assert all(torch.equal(before[k], v) for k, v in quick_setup.retrained.state_dict().items()), "relearning works on a copy"
    with pytest.raises(ValueError, match="original_accuracy"):
        metrics.anamnesis_index(quick_setup.original, quick_setup.retrained, original_accuracy=95.0,
                                relearn=s.forget_train, evaluate_on=s.forget_test)


def test_split_accuracies_report_every_split(quick_setup):
    acc = metrics.split_accuracies(quick_setup.original, quick_setup.splits)
    assert set(acc) == {"retain_train", "forget_train", "retain_test", "forget_test", "test"}
    assert all(0 <= v <= 1 for v in acc.values())
