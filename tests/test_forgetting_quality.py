"""The competition's forgetting quality and U-LiRA on synthetic outputs whose answer is known.

Populations of K "models" are rows of Gaussian draws, one column per forget example. Tolerances
come from the sampling spread measured at these sizes (K = 64, n = 100; three seeds each): the
same-distribution forgetting score is 0.17–0.20 (se ≈ 0.02), its mean ε 1.5–1.6, the U-LiRA AUC
0.48–0.50 (sd ≈ 0.01).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from datarights.data.tensors import Split
from datarights.metrics import (
    ForgettingQuality,
    LiRAResult,
    forgetting_quality,
    logit_confidence,
    model_outputs,
    null_level,
    per_example_epsilons,
    retrain_reference,
    u_lira,
    u_lira_cv,
)
from datarights.metrics.forgetting import (
    EPSILON_CAP,
    _epsilon_table,
    epsilon_bins,
    lira_scores,
    score_epsilons,
)
from datarights.models import build
from datarights.train import accuracy, predict_logits

K, N = 64, 100
SEEDS = (0, 1, 2)


def populations(seed: int, shift: float = 0.0, k: int = K, n: int = N) -> tuple[np.ndarray, np.ndarray]:
    """(unlearned, retrained): the unlearned population is the retrained one's distribution moved by ``shift`` σ."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(k, n)) + shift, rng.normal(size=(k, n))


# --- forgetting quality: known answers -------------------------------------------------------------


def test_identical_outputs_give_zero_epsilon_and_full_score():
    u, _ = populations(0)
    fq = forgetting_quality(u, u.copy())
    assert isinstance(fq, ForgettingQuality)
    np.testing.assert_array_equal(fq.epsilons, 0.0)
    assert fq.score == 1.0 and fq.final == 1.0 and fq.utility == 1.0
    assert fq.n_bins == epsilon_bins(K) == 2 * math.ceil(math.log(K - 1))


@pytest.mark.parametrize("seed", SEEDS)
def test_same_distribution_sits_at_the_estimators_null_level(seed):
    """Two samples of one distribution: ε is small but not 0 (the max over thresholds of a K-sample bound)."""
    fq = forgetting_quality(*populations(seed))
    assert fq.mean_epsilon < 2.0
    assert 0.10 < fq.score < 0.30
    separated = forgetting_quality(*populations(seed, shift=2.0))
    assert separated.score < fq.score / 4


@pytest.mark.parametrize("seed", SEEDS)
def test_well_separated_populations_reach_the_cap_and_score_zero(seed):
    fq = forgetting_quality(*populations(seed, shift=20.0))
    np.testing.assert_array_equal(fq.epsilons, EPSILON_CAP)
    assert fq.score == 0.0 and fq.final == 0.0


@pytest.mark.parametrize("seed", SEEDS)
def test_more_separation_gives_larger_epsilon_and_lower_score(seed):
    shifts = (0.0, 1.0, 2.0, 4.0)
    results = [forgetting_quality(*populations(seed, shift)) for shift in shifts]
    eps = [r.mean_epsilon for r in results]
    scores = [r.score for r in results]
    assert all(b > a + 0.4 for a, b in itertools.pairwise(eps)), eps
    assert all(b < a for a, b in itertools.pairwise(scores)), scores


def test_separation_in_either_direction_counts():
    up = forgetting_quality(*populations(0, shift=3.0))
    down = forgetting_quality(*populations(0, shift=-3.0))
    assert up.score < 0.05 and down.score < 0.05


def test_a_peaky_unlearned_distribution_gets_the_cap():
    """All unlearned models agree to the digit while retrained ones vary: the competition's special case."""
    _, r = populations(0, n=5)
    u = np.full_like(r, 0.3) + 1e-6 * np.arange(K)[:, None]
    np.testing.assert_array_equal(per_example_epsilons(u, r), EPSILON_CAP)


def test_retrain_reference_matches_the_same_distribution_level():
    _, r = populations(3, k=2 * K)
    ref = retrain_reference(r)
    same = forgetting_quality(*populations(4))
    assert abs(ref.score - same.score) < 0.08
    assert ref.k_unlearned == ref.k_retrained == K


def test_epsilon_bound_for_known_rates():
    table = _epsilon_table(4, 4, 1e-5)
    # TPR 3/4 (FNR 1/4), FPR 1/4: both branches give log((0.75 - δ) / 0.25) ≈ log 3
    assert table[3, 1] == pytest.approx(math.log((0.75 - 1e-5) / 0.25))
    assert table[4, 0] == math.inf  # FPR = FNR = 0: perfect separation
    assert math.isnan(table[2, 0]) and math.isnan(table[4, 2])  # one rate 0: discarded
    assert table[2, 2] == 0.0  # a coin flip: the bound is negative, clipped at 0


def test_binning_follows_the_competition():
    assert epsilon_bins(512) == 14  # the competition's 512 models: bins up to ε = 7
    eps = np.array([0.0, 0.49, 0.5, 0.99, 1.0, math.inf])
    assert score_epsilons(eps, 512) == pytest.approx(np.mean([1, 1, 0.5, 0.5, 0.25, 0]))
    # K = 3: ceil(log 2) = 1, two bins; ε ≥ 1 earns nothing
    assert score_epsilons(np.array([0.2, 0.7, 1.0]), 3) == pytest.approx(0.5)
    # H = 2/n Σ 2^-bin with bins numbered from 1 (the brief's form) is the same number
    bins = np.floor(eps[:5] / 0.5) + 1
    assert score_epsilons(eps[:5], 512) == pytest.approx(2 / 5 * np.sum(2.0 ** -bins))


def test_utility_scaling_multiplies_the_accuracy_ratios():
    u, r = populations(0, shift=0.5, n=20)
    plain = forgetting_quality(u, r)
    scaled = forgetting_quality(u, r, retain_accuracy=(np.full(K, 0.9), np.full(K, 1.0)),
                                test_accuracy=(torch.full((K,), 0.6), [0.8] * K))
    assert scaled.score == plain.score
    assert scaled.retain_ratio == pytest.approx(0.9) and scaled.test_ratio == pytest.approx(0.75)
    assert scaled.utility == pytest.approx(0.675)
    assert scaled.final == pytest.approx(plain.score * 0.675)
    assert float(scaled) == scaled.final
    # means over the models, uncapped: a better-than-retrained test accuracy raises the score
    better = forgetting_quality(u, r, test_accuracy=((0.9, 0.7), (0.8,)))
    assert better.utility == pytest.approx(1.0) and better.retain_ratio is None
    assert forgetting_quality(u, r, test_accuracy=(0.9, 0.6)).final == pytest.approx(plain.score * 1.5)


def test_torch_and_numpy_inputs_agree():
    u, r = populations(1, shift=1.0, n=20)
    a = forgetting_quality(u, r)
    b = forgetting_quality(torch.from_numpy(u).float(), torch.from_numpy(r).float())
    assert a.score == b.score
    np.testing.assert_allclose(a.epsilons, b.epsilons, atol=1e-4)
    assert set(a.to_dict()) >= {"epsilons", "score", "utility", "final", "definition"}


# --- U-LiRA ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_ulira_on_same_distribution_is_a_coin_flip(seed):
    result = u_lira_cv(*populations(seed))
    assert isinstance(result, LiRAResult)
    assert abs(result.auc - 0.5) < 0.04
    assert abs(result.accuracy - 0.5) < 0.04
    assert result.scores.shape == (2 * K, N) and result.per_example_accuracy.shape == (N,)
    rng = np.random.default_rng(seed + 10)
    shadow_u, shadow_r, target_u, target_r = (rng.normal(size=(16, N)) for _ in range(4))
    held_out = u_lira(shadow_u, shadow_r, target_u, target_r)
    assert abs(held_out.auc - 0.5) < 0.04
    assert held_out.n_positive == held_out.n_negative == 16 * N


@pytest.mark.parametrize("seed", SEEDS)
def test_ulira_separates_well_separated_populations(seed):
    result = u_lira_cv(*populations(seed, shift=6.0))
    assert result.auc > 0.999
    assert result.accuracy > 0.99
    assert result.tpr_at_fpr[0.01] > 0.95
    assert result.per_example_accuracy.min() > 0.9


@pytest.mark.parametrize("seed", SEEDS)
def test_ulira_auc_grows_with_separation(seed):
    aucs = [u_lira_cv(*populations(seed, shift), folds=8).auc for shift in (0.0, 0.5, 1.0, 2.0)]
    assert all(b > a + 0.05 for a, b in itertools.pairwise(aucs)), aucs


def test_lira_scores_are_the_gaussian_log_likelihood_ratio():
    shadow_u = np.array([[1.0], [2.0], [3.0]])
    shadow_r = np.array([[-1.0], [0.0], [1.0]])
    score = lira_scores(shadow_u, shadow_r, np.array([[0.5]]))[0, 0]
    sd = np.std([1.0, 2.0, 3.0])  # LiRA's fit: median and population std (equal here)
    expected = (-0.5 * ((0.5 - 2.0) / sd) ** 2) - (-0.5 * ((0.5 - 0.0) / sd) ** 2)
    assert score == pytest.approx(expected)


# --- logit-scaled confidence and the model helper --------------------------------------------------


def test_logit_confidence_is_log_odds_of_the_true_label_and_stable():
    logits = torch.tensor([[2.0, 0.0, -1.0], [0.0, 0.0, 0.0]])
    p = logits.softmax(1)[torch.arange(2), torch.tensor([0, 2])].double()
    np.testing.assert_allclose(logit_confidence(logits, [0, 2]), torch.log(p / (1 - p)).numpy(), rtol=1e-6)
    extreme = logit_confidence(np.array([[1000.0, 0.0], [0.0, 1000.0]]), np.array([0, 0]))
    np.testing.assert_allclose(extreme, [1000.0, -1000.0])
    stacked = logit_confidence(torch.stack([logits, logits]), torch.tensor([0, 2]))
    assert stacked.shape == (2, 2)


def test_model_outputs_one_row_per_model():
    gen = torch.Generator().manual_seed(0)
    split = Split(x=torch.randint(0, 256, (30, 1, 8, 8), dtype=torch.uint8, generator=gen),
                  y=torch.randint(0, 10, (30,), generator=gen), mean=(0.5,), std=(0.25,), name="forget")
    models = [build("digits_cnn", 10, (1, 8, 8), seed=s) for s in (0, 1, 2)]
    conf = model_outputs(models, split)
    assert conf.shape == (3, 30) and conf.dtype == np.float64
    np.testing.assert_allclose(conf[1], logit_confidence(predict_logits(models[1], split), split.y), rtol=1e-5)
    correct = model_outputs(models, split, output="correct")
    assert correct.mean(axis=1)[2] == pytest.approx(accuracy(models[2], split))
    assert model_outputs(models[:1], split, output="logits").shape == (1, 30, 10)
    loss = model_outputs(models[:2], split, output="loss")
    assert loss.shape == (2, 30) and np.all(loss > 0)


# --- bad inputs --------------------------------------------------------------------------------------


def test_bad_inputs_are_refused_with_the_arguments_name():
    u, r = populations(0, n=10)
    with pytest.raises(ValueError, match="unlearned must have 2 dimension"):
        forgetting_quality(u[0], r)
    with pytest.raises(ValueError, match="retrained must hold the outputs of at least 3 models"):
        forgetting_quality(u, r[:2])
    with pytest.raises(ValueError, match="retrained must hold the outputs of at least 2 models"):
        per_example_epsilons(u, r[:1])
    bad = u.copy()
    bad[3, 4] = np.nan
    with pytest.raises(ValueError, match="unlearned contains 1 non-finite"):
        forgetting_quality(bad, r)
    with pytest.raises(ValueError, match="same examples"):
        forgetting_quality(u, r[:, :5])
    with pytest.raises(ValueError, match="retain_accuracy\\[unlearned\\]"):
        forgetting_quality(u, r, retain_accuracy=(np.full(K, 1.5), np.ones(K)))
    with pytest.raises(ValueError, match="test_accuracy must be a pair"):
        forgetting_quality(u, r, test_accuracy=0.9)
    with pytest.raises(ValueError, match="delta"):
        per_example_epsilons(u, r, delta=1.5)
    with pytest.raises(ValueError, match="k=2"):
        score_epsilons(np.zeros(3), 2)
    with pytest.raises(ValueError, match="target_retrained must have 2 dimension"):
        u_lira(u, r, u, r[0])
    with pytest.raises(ValueError, match="shadow_unlearned must hold the outputs of at least 2 models"):
        u_lira(u[:1], r, u, r)
    with pytest.raises(ValueError, match="folds"):
        u_lira_cv(u, r, folds=1)
    with pytest.raises(ValueError, match="fprs"):
        u_lira_cv(u, r, fprs=(0.0,))
    with pytest.raises(ValueError, match="labels must lie in"):
        logit_confidence(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match="models is empty"):
        model_outputs([], Split(x=torch.zeros(1, 1, 8, 8, dtype=torch.uint8), y=torch.zeros(1, dtype=torch.long),
                                mean=(0.5,), std=(0.25,)))


# --- additions: the official code's numbers, probabilities, pooled variance, determinism ------------


def test_epsilons_match_the_official_competition_code_on_a_fixed_input():
    """Regression against google-deepmind/unlearning_evaluation metric.py (commit ffae0ff), run on CPU
    (``.cuda()`` removed, its ``assert thr_eps`` on an array made ``len(thr_eps)``) on this very input:
    ε = 1.945899, 1.098586, 1.386274, 1.791746, 1.386274, 1.609422 (float32) and forget score 0.1875."""
    rng = np.random.default_rng(7)
    u, r = rng.normal(size=(8, 6)) + 0.7, rng.normal(size=(8, 6))
    official = np.array([1.945899, 1.098586, 1.386274, 1.791746, 1.386274, 1.609422])
    np.testing.assert_allclose(per_example_epsilons(u, r), official, atol=2e-6)
    assert forgetting_quality(u, r).score == pytest.approx(0.1875)


def test_logit_scaled_confidence_from_probabilities():
    """log(p_y / Σ_{c≠y} p_c) equals the exact logit version on softmax rows, keeps leading (model)
    dimensions, and stays finite at p_y ∈ {0, 1} (1e-45 inside each log, as the competition)."""
    from datarights.metrics import logit_scaled_confidence

    logits = torch.tensor([[2.0, 0.0, -1.0], [0.0, 0.0, 0.0], [-3.0, 4.0, 1.0]], dtype=torch.float64)
    labels = np.array([0, 2, 0])
    probs = logits.softmax(1).numpy()
    np.testing.assert_allclose(logit_scaled_confidence(probs, labels), logit_confidence(logits, labels), rtol=1e-10)
    assert logit_scaled_confidence(np.stack([probs, probs]), labels).shape == (2, 3)
    certain = logit_scaled_confidence(np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([0, 0]))
    np.testing.assert_allclose(certain, [-math.log(1e-45), math.log(1e-45)])
    with pytest.raises(ValueError, match="probabilities must lie in"):
        logit_scaled_confidence(np.array([[1.5, -0.5]]), np.array([0]))
    with pytest.raises(ValueError, match="labels must be 1-D integers"):
        logit_scaled_confidence(probs, labels[:2])
    with pytest.raises(ValueError, match="probabilities contains 1 non-finite"):
        logit_scaled_confidence(np.array([[np.nan, 0.5]]), np.array([0]))


def test_global_variance_pools_sigma_over_examples():
    """LiRA's fix_variance: one σ per population over all examples and models; the location stays per example."""
    shadow_u = np.array([[1.0, 10.0], [2.0, 10.0], [3.0, 10.0]])
    shadow_r = np.array([[-1.0, 0.0], [0.0, 0.0], [1.0, 0.0]])
    score = lira_scores(shadow_u, shadow_r, np.array([[0.5, 5.0]]), global_variance=True)
    sd_u, sd_r = np.std(shadow_u), np.std(shadow_r)
    expected = [(-0.5 * ((x - mu_u) / sd_u) ** 2 - math.log(sd_u)) - (-0.5 * ((x - mu_r) / sd_r) ** 2 - math.log(sd_r))
                for x, mu_u, mu_r in ((0.5, 2.0, 0.0), (5.0, 10.0, 0.0))]
    np.testing.assert_allclose(score[0], expected)
    # per example, the second column's zero spread would make the score explode; pooled it stays finite
    assert np.all(np.isfinite(score))
    same = u_lira_cv(*populations(0, k=16, n=50), folds=4, global_variance=True)
    apart = u_lira_cv(*populations(0, shift=6.0, k=16, n=50), folds=4, global_variance=True)
    assert abs(same.auc - 0.5) < 0.06 and apart.auc > 0.999


def test_evaluations_are_deterministic():
    """Same outputs (and seed) give bit-identical results; only u_lira_cv's fold assignment uses the seed."""
    u, r = populations(5, shift=0.5, k=16, n=20)
    a, b = forgetting_quality(u, r), forgetting_quality(u.copy(), r.copy())
    np.testing.assert_array_equal(a.epsilons, b.epsilons)
    assert a.score == b.score
    c, d = u_lira_cv(u, r, folds=4, seed=3), u_lira_cv(u, r, folds=4, seed=3)
    np.testing.assert_array_equal(c.scores, d.scores)
    assert c.auc == d.auc and c.accuracy == d.accuracy
    # leave-one-out: every fit is the same whatever the seed (it only orders the rows of ``scores``)
    loo, loo_other_seed = u_lira_cv(u, r), u_lira_cv(u, r, seed=9)
    assert loo.auc == loo_other_seed.auc and loo.accuracy == loo_other_seed.accuracy
    np.testing.assert_array_equal(loo.per_example_accuracy, loo_other_seed.per_example_accuracy)


def test_null_level_sits_where_two_samples_of_one_distribution_score_and_checks_its_arguments():
    rng = np.random.default_rng(3)
    retrained = rng.normal(loc=rng.normal(size=60), scale=1.0, size=(8, 60))
    mean, std = null_level(retrained, repeats=5, seed=1)
    direct = np.mean([forgetting_quality(rng.normal(size=(8, 60)), rng.normal(size=(8, 60))).score for _ in range(5)])
    assert 0.05 < mean < 0.5 and std > 0
    assert abs(mean - direct) < 0.12  # the level does not depend on where each example's outputs lie
    assert null_level(retrained, repeats=5, seed=1) == (mean, std)  # seeded
    with pytest.raises(ValueError, match="k="):
        null_level(retrained, k=2)
    with pytest.raises(ValueError, match="repeats="):
        null_level(retrained, repeats=0)
