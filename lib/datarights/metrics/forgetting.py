"""Forgetting measured against many retrained models: the NeurIPS 2023 competition score and U-LiRA.

Both metrics take the outputs of *populations* of models on the forget examples, arrays of
shape (K models, n examples), so they do not care how the models were made.
``model_outputs`` turns a list of models and a ``Split`` into such an array (one forward pass
per model).

**Forgetting quality** (Triantafillou et al. 2024, arXiv:2406.09073, the evaluation of the
NeurIPS 2023 machine unlearning competition). We follow the code that scored the competition,
``google-deepmind/unlearning_evaluation`` (``metric.py`` and ``main.py``, commit ffae0ff; its
README: "the code used to score submissions during the NeurIPS 2023 Machine Unlearning
competition"). For each forget example, the logit-scaled confidences under K unlearned and K
retrained models are two samples of one-dimensional distributions. The positive class is the one
with the larger median. Two families of threshold attacks are swept: one threshold (predict
positive when the output is ≥ t; t on a grid of 100 per unit between the smallest and largest
output) and two thresholds (predict the peakier distribution, the one with the smaller range,
when l ≤ output ≤ r; r on a grid of 100 per unit from min + width − 2 to max + 2 of that
distribution, l within r − width ± 2, 400 values; width = its range). Each attack's
false-positive and false-negative rates (fractions of the K models) give the
hypothesis-testing bound of (ε, δ)-unlearning

    ε = max( log(1 − δ − FPR) − log FNR,  log(1 − δ − FNR) − log FPR ),   clipped below at 0,

with δ = 1e-5. An attack with FPR = FNR = 0 gives ε = ∞; one with exactly one of them 0 is
discarded (too few samples to tell); the example's ε is the maximum over the surviving attacks,
clipped to [0, 50]. An example whose two ranges differ by a factor > 100 (one distribution
almost a point) gets ε = 50 directly. Per-example ε fall into bins of width 0.5 that halve the
points: ε ∈ [0, 0.5) scores 1, [0.5, 1) scores 1/2, [1, 1.5) scores 1/4, ..., up to
ceil(log(K − 1)) (the largest ε that K samples can show); beyond the last bin 0. The forgetting
score is the mean, F = (1/n) Σ_i 2^(−b_i) (= (2/n) Σ 2^(−bin) with bins numbered from 1), and the
final score multiplies it by the utility ratios of the mean accuracies over the K models:
F · (RA_unlearned / RA_retrained) · (TA_unlearned / TA_retrained), retain and test accuracy,
uncapped, as in ``main.py``. The estimator is biased upwards: two populations drawn from one
distribution give ε ≈ 1–1.6 and F ≈ 0.2 (not 0 and 1) for K from 8 to 512, so a method is judged
against what retraining scores against itself (``retrain_reference``); outputs that coincide
exactly give ε = 0 and F = 1.

**U-LiRA** (Hayes, Shumailov, Triantafillou, Khalifa, Papernot, "Inexact unlearning needs more
careful evaluations to avoid a false sense of privacy", arXiv:2403.01218, SaTML 2025): a
per-example likelihood-ratio attack. For each example, Gaussians are fitted to the logit-scaled
confidence φ = log(p/(1 − p)) under shadow models where it was unlearned and where it was never
seen (retrained); a target model's φ is scored by log N(φ; μ_U, σ_U) − log N(φ; μ_R, σ_R)
(positive: "this model unlearned the example", i.e. its trace remains). The fit follows the LiRA
reference code (Carlini et al. 2022, tensorflow/privacy ``research/mi_lira_2021/plot.py``,
``generate_ours``): median for the location, population standard deviation + 1e-30, per example
or, with ``global_variance=True`` (that code's ``fix_variance``, the option LiRA offers for few
shadow models), one standard deviation per population pooled over all examples. The attack is
judged on held-out target models (``u_lira``) or by cross-fitting over the given models
(``u_lira_cv``, leave-one-out by default: a target never enters its own fit): AUC and TPR at low FPR
pooled over (target model, example) pairs as in LiRA, the balanced accuracy of the likelihood
ratio test at LR = 1 (50 % = indistinguishable from retraining), and the same per example.

Where we chose: the logit-scaled confidence is computed exactly as z_y − logsumexp_{c≠y} z_c
(the competition adds 1e-45 inside its logs, which differs only when a probability underflows
float64); ``logit_scaled_confidence`` computes it from probabilities exactly as the competition
does, 1e-45 inside each log; with unequal K the bins use the smaller population (the
competition's code takes the unlearned K; it always had 512 of each); two point-mass populations
give ε = 0 if they coincide and the cap otherwise (the competition's code divides 0 by 0 there); an example on
which every attack is discarded gets ε = 0 (the competition asserts); the forgetting score needs
K ≥ 3 (with K = 2, ceil(log 1) = 0 leaves no bin and every method would score 0). For U-LiRA
only the paper's abstract could be read here: the Gaussian fit follows the LiRA code, while the
balanced accuracy at LR = 1, the cross-fitting of ``u_lira_cv`` and the use of one fixed forget
set for every shadow model (as in the competition, rather than a forget set drawn per shadow
model) are ours.

Checked against the competition's ``metric.py`` run on CPU (``.cuda()`` removed; its
``assert thr_eps`` on a NumPy array raises for more than one surviving threshold and was read as
``len(thr_eps)``): per-example ε agree to 5e-7 (its rates are float32) and the forget score
exactly, for K ∈ {8, 32, 128}, shifts 0–5 σ and unequal spreads; one case is a regression test.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from datarights.data.tensors import Split
from datarights.train import predict_logits

ArrayLike = np.ndarray | Tensor | Sequence[float]
Output = Literal["logit_confidence", "loss", "correct", "logits"]

COMPETITION_DELTA = 1e-5
PROBABILITY_FLOOR = 1e-45
EPSILON_CAP = 50.0
THRESHOLDS_PER_UNIT = 100
BIN_WIDTH = 0.5
_BUFFER = 2.0
_PEAKY_RATIO = 0.01
DEFAULT_FPRS = (0.001, 0.01)
FQ_DEFINITION = ("NeurIPS 2023 unlearning competition (Triantafillou et al. 2024; google-deepmind/unlearning_evaluation): "
                 "per-example ε from single- and double-threshold attacks on logit-scaled confidences, δ = 1e-5, "
                 "bins of 0.5 halving the points, × retain and test accuracy ratios to retrained")
LIRA_DEFINITION = ("U-LiRA (Hayes et al. 2024): per-example Gaussians (median, std) of logit-scaled confidence under "
                   "unlearned and retrained shadow models; score = log N(φ; unlearned) − log N(φ; retrained)")


# ---------------------------------------------------------------------------------------------
# inputs


def _array(values: ArrayLike, name: str, *, ndim: int | None = None) -> np.ndarray:
    if isinstance(values, Tensor):
        values = values.detach().cpu().double().numpy()
    try:
        out = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be a numpy array or a torch tensor of numbers, got {type(values).__name__}") from error
    if ndim is not None and out.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {out.shape}")
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{name} contains {int(np.sum(~np.isfinite(out)))} non-finite value(s) (NaN or ±inf)")
    return out


def _population(values: ArrayLike, name: str, *, min_models: int = 2) -> np.ndarray:
    out = _array(values, name, ndim=2)
    if out.shape[0] < min_models:
        raise ValueError(f"{name} must hold the outputs of at least {min_models} models (rows), got {out.shape[0]} "
                         f"(shape (K models, n examples))")
    if out.shape[1] < 1:
        raise ValueError(f"{name} has no example (column); shape (K models, n examples) expected, got {out.shape}")
    return out


def _same_examples(**arrays: np.ndarray) -> int:
    widths = {name: a.shape[1] for name, a in arrays.items()}
    if len(set(widths.values())) != 1:
        raise ValueError(f"every output array must cover the same examples (columns), got {widths}")
    return next(iter(widths.values()))


def logit_confidence(logits: ArrayLike, labels: ArrayLike) -> np.ndarray:
    """Logit-scaled confidence of the true label, φ = log p_y − log(1 − p_y) = z_y − logsumexp_{c≠y} z_c.

    Parameters
    ----------
    logits : array or tensor, shape (..., n, C)
        Raw network outputs; leading dimensions (e.g. K models) are kept.
    labels : array or tensor of int, shape (n,)
        The true class of each example.

    Returns
    -------
    numpy.ndarray, shape (..., n)
        φ in float64; exact for any logits (no clipping of probabilities).
    """
    z = torch.as_tensor(_array(logits, "logits"))
    y = torch.as_tensor(np.asarray(labels.detach().cpu() if isinstance(labels, Tensor) else labels), dtype=torch.long)
    if z.ndim < 2 or z.shape[-1] < 2:
        raise ValueError(f"logits must have shape (..., n, C) with C ≥ 2 classes, got {tuple(z.shape)}")
    if y.ndim != 1 or len(y) != z.shape[-2]:
        raise ValueError(f"labels must be 1-D with one label per example ({z.shape[-2]}), got shape {tuple(y.shape)}")
    if len(y) and (int(y.min()) < 0 or int(y.max()) >= z.shape[-1]):
        raise ValueError(f"labels must lie in [0, {z.shape[-1] - 1}], got [{int(y.min())}, {int(y.max())}]")
    index = y.view(*([1] * (z.ndim - 2)), -1, 1).expand(*z.shape[:-1], 1)
    true = z.gather(-1, index).squeeze(-1)
    others = z.scatter(-1, index, float("-inf")).logsumexp(-1)
    return (true - others).numpy()


def logit_scaled_confidence(probabilities: ArrayLike, labels: ArrayLike, *, floor: float = PROBABILITY_FLOOR) -> np.ndarray:
    """Logit-scaled confidence of the true label from class probabilities, φ = log(p_y / (1 − p_y)).

    The statistic of LiRA (Carlini et al. 2022) and of the NeurIPS 2023 competition, computed as
    the competition's ``metric.compute_logit_scaled_confidence`` does
    (google-deepmind/unlearning_evaluation, commit ffae0ff, itself adapted from LiRA's
    ``research/mi_lira_2021/score.py``): 1 − p_y is the sum of the other classes' probabilities
    (no cancellation when p_y ≈ 1), and ``floor`` is added inside each log, which bounds φ to
    about ±log(1/floor) (±103.6 for the competition's 1e-45) when a probability is 0.
    From logits, ``logit_confidence`` is exact instead.

    Parameters
    ----------
    probabilities : array or tensor, shape (..., n, C)
        Class probabilities (rows in [0, 1]; softmax outputs); leading dimensions (e.g. K models)
        are kept.
    labels : array or tensor of int, shape (n,)
        The true class of each example.
    floor : float
        Added inside each log; 1e-45 as in the competition's code.

    Returns
    -------
    numpy.ndarray, shape (..., n)
        φ in float64.

    Examples
    --------
    >>> logit_scaled_confidence(np.array([[0.8, 0.2], [0.5, 0.5]]), np.array([0, 1])).round(4)
    array([1.3863, 0.    ])
    """
    p = _array(probabilities, "probabilities")
    y = np.asarray(labels.detach().cpu() if isinstance(labels, Tensor) else labels)
    if p.ndim < 2 or p.shape[-1] < 2:
        raise ValueError(f"probabilities must have shape (..., n, C) with C ≥ 2 classes, got {p.shape}")
    if np.any(p < 0) or np.any(p > 1):
        raise ValueError(f"probabilities must lie in [0, 1], got values in [{p.min()}, {p.max()}]")
    if y.ndim != 1 or len(y) != p.shape[-2] or (len(y) and not np.issubdtype(y.dtype, np.integer)):
        raise ValueError(f"labels must be 1-D integers with one label per example ({p.shape[-2]}), got shape {y.shape}, "
                         f"dtype {y.dtype}")
    if len(y) and (int(y.min()) < 0 or int(y.max()) >= p.shape[-1]):
        raise ValueError(f"labels must lie in [0, {p.shape[-1] - 1}], got [{int(y.min())}, {int(y.max())}]")
    if not 0 < floor < 1e-6:
        raise ValueError(f"floor must lie in (0, 1e-6), got {floor}")
    is_true = np.arange(p.shape[-1]) == y[:, None]  # (n, C), broadcast over leading dimensions
    true = np.where(is_true, p, 0.0).sum(axis=-1)
    wrong = np.where(is_true, 0.0, p).sum(axis=-1)  # Σ_{c≠y} p_c, as the competition: no 1 − p_y cancellation
    return np.log(true + floor) - np.log(wrong + floor)


@torch.no_grad()
def model_outputs(models: Sequence[nn.Module], data: Split, *, output: Output = "logit_confidence",
                  batch_size: int | None = None) -> np.ndarray:
    """Outputs of each model on every example of ``data``: one forward pass per model.

    Parameters
    ----------
    models : sequence of torch.nn.Module
        K models (unlearned, retrained, shadow or target); each stays on its own device.
    data : Split
        The examples (typically the forget set), with labels.
    output : {"logit_confidence", "loss", "correct", "logits"}
        Logit-scaled confidence of the true label (the competition's and U-LiRA's statistic),
        per-example cross-entropy, 0/1 correctness (its row means are accuracies), or raw logits.
    batch_size : int, optional
        Inference batch; ``None`` picks the library's default for the device.

    Returns
    -------
    numpy.ndarray
        Shape (K, n), or (K, n, C) for ``output="logits"``; float64.
    """
    if output not in ("logit_confidence", "loss", "correct", "logits"):
        raise ValueError(f"output must be 'logit_confidence', 'loss', 'correct' or 'logits', got {output!r}")
    if len(models) == 0:
        raise ValueError("models is empty: model_outputs needs at least one model")
    if len(data) == 0:
        raise ValueError(f"data {data.name!r} is empty")
    y = data.y.cpu()
    rows = []
    for model in models:
        logits = predict_logits(model, data, batch_size).double()
        if output == "logit_confidence":
            rows.append(torch.as_tensor(logit_confidence(logits, y)))
        elif output == "loss":
            rows.append(F.cross_entropy(logits, y, reduction="none"))
        elif output == "correct":
            rows.append((logits.argmax(1) == y).double())
        else:
            rows.append(logits)
    return torch.stack(rows).numpy()


# ---------------------------------------------------------------------------------------------
# forgetting quality (NeurIPS 2023 competition)


def _epsilon_table(k_pos: int, k_neg: int, delta: float) -> np.ndarray:
    """ε of every (true positives, false positives) count pair; NaN marks a discarded attack."""
    tpr = np.arange(k_pos + 1)[:, None] / k_pos
    fpr = np.arange(k_neg + 1)[None, :] / k_neg
    fnr = 1.0 - tpr
    with np.errstate(divide="ignore", invalid="ignore"):
        e1 = np.log(1.0 - delta - fpr) - np.log(fnr)
        e2 = np.log(1.0 - delta - fnr) - np.log(fpr)
        eps = np.fmax(e1, e2)  # NaN only where both are NaN
    eps = np.clip(eps, 0.0, None)
    both_zero = (fpr == 0) & (fnr == 0)
    one_zero = ((fpr == 0) | (fnr == 0)) & ~both_zero
    eps = np.where(both_zero, np.inf, eps)
    return np.where(one_zero, np.nan, eps)


def _counts_between(sorted_values: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    inside = np.searchsorted(sorted_values, right, side="right") - np.searchsorted(sorted_values, left, side="left")
    return np.maximum(inside, 0)


def _example_epsilon(pos: np.ndarray, neg: np.ndarray, delta: float, tables: dict) -> float:
    """ε of one example; ``pos`` is the population with the larger median."""
    pos_range, neg_range = np.ptp(pos), np.ptp(neg)
    largest, smallest = max(pos_range, neg_range), min(pos_range, neg_range)
    if largest == 0:  # two point masses
        return 0.0 if pos[0] == neg[0] else EPSILON_CAP
    if smallest / largest < _PEAKY_RATIO:
        return EPSILON_CAP
    best = np.nan

    def attack(k_pos_hits: np.ndarray, k_neg_hits: np.ndarray, n_pos: int, n_neg: int) -> None:
        nonlocal best
        key = (n_pos, n_neg)
        if key not in tables:
            tables[key] = _epsilon_table(n_pos, n_neg, delta)
        seen = np.zeros((n_pos + 1) * (n_neg + 1), dtype=bool)
        seen[k_pos_hits * (n_neg + 1) + k_neg_hits] = True
        values = tables[key].ravel()[seen]
        if np.any(~np.isnan(values)):
            best = np.fmax(best, np.nanmax(values))

    # one threshold: predict positive when the output is >= t
    sp, sn = np.sort(pos), np.sort(neg)
    lo, hi = min(sp[0], sn[0]), max(sp[-1], sn[-1])
    t = np.linspace(lo, hi, math.ceil((hi - lo) * THRESHOLDS_PER_UNIT))
    attack(len(sp) - np.searchsorted(sp, t, side="left"), len(sn) - np.searchsorted(sn, t, side="left"), len(sp), len(sn))

    # two thresholds: predict the peakier distribution inside [l, r]
    peaky, other = (sn, sp) if pos_range >= neg_range else (sp, sn)
    width = smallest
    r_lo, r_hi = peaky[0] + width - _BUFFER, peaky[-1] + _BUFFER
    right = np.linspace(r_lo, r_hi, math.ceil((r_hi - r_lo) * THRESHOLDS_PER_UNIT))
    offsets = np.linspace(-width - _BUFFER, -width + _BUFFER, math.ceil(2 * _BUFFER * THRESHOLDS_PER_UNIT))
    left = (right[:, None] + offsets[None, :]).ravel()
    right = np.repeat(right, len(offsets))
    attack(_counts_between(peaky, left, right), _counts_between(other, left, right), len(peaky), len(other))
    return 0.0 if np.isnan(best) else float(best)


def per_example_epsilons(unlearned: ArrayLike, retrained: ArrayLike, *, delta: float = COMPETITION_DELTA) -> np.ndarray:
    """The competition's ε of each forget example, from the outputs of two populations of models.

    Parameters
    ----------
    unlearned, retrained : array or tensor, shape (K, n)
        One scalar output per model and example (the competition uses the logit-scaled
        confidence, see ``logit_confidence``); K ≥ 2 models each, the same n examples.
    delta : float
        The δ of the (ε, δ) bound; the competition's 1e-5 by default.

    Returns
    -------
    numpy.ndarray, shape (n,)
        ε in [0, 50] (50 = the cap, also for perfect separation).
    """
    u = _population(unlearned, "unlearned")
    r = _population(retrained, "retrained")
    _same_examples(unlearned=u, retrained=r)
    if not 0 <= delta < 1:
        raise ValueError(f"delta must lie in [0, 1), got {delta}")
    retrain_is_positive = np.median(r, axis=0) > np.median(u, axis=0)
    tables: dict = {}
    eps = np.empty(u.shape[1])
    for i in range(u.shape[1]):
        pos, neg = (r[:, i], u[:, i]) if retrain_is_positive[i] else (u[:, i], r[:, i])
        eps[i] = _example_epsilon(pos, neg, delta, tables)
    return np.clip(eps, 0.0, EPSILON_CAP)


def epsilon_bins(k: int) -> int:
    """Number of scoring bins for K models per population: ceil(log(K − 1)) / 0.5 (the competition's)."""
    if k < 2:
        raise ValueError(f"k must be at least 2, got {k}")
    return int(math.ceil(math.log(k - 1)) / BIN_WIDTH)


def score_epsilons(epsilons: ArrayLike, k: int) -> float:
    """Forgetting score F = (1/n) Σ 2^(−b_i), b_i = floor(ε_i / 0.5), 0 points beyond the last bin.

    Parameters
    ----------
    epsilons : array, shape (n,)
        Per-example ε (``per_example_epsilons``); ∞ is allowed and scores 0.
    k : int
        Models per population; sets the number of bins (``epsilon_bins``), K ≥ 3.
    """
    eps = np.asarray(epsilons.detach().cpu() if isinstance(epsilons, Tensor) else epsilons, dtype=np.float64)
    if eps.ndim != 1 or len(eps) == 0 or np.any(np.isnan(eps)) or np.any(eps < 0):
        raise ValueError(f"epsilons must be a non-empty 1-D array of values ≥ 0, got shape {eps.shape}")
    n_bins = epsilon_bins(k)
    if n_bins == 0:
        raise ValueError(f"k={k} models per population leave no scoring bin (ceil(log(k − 1)) = 0); use k ≥ 3")
    with np.errstate(invalid="ignore"):
        bins = np.floor(eps / BIN_WIDTH)
    points = np.where(bins < n_bins, np.exp2(-np.minimum(bins, n_bins)), 0.0)
    return float(points.mean())


@dataclass(frozen=True, eq=False)
class ForgettingQuality:
    """The competition's forgetting quality of one method on one forget set.

    Attributes
    ----------
    epsilons : numpy.ndarray, shape (n,)
        Per-example ε (lower is better; 0 = indistinguishable from retraining).
    score : float
        F = (1/n) Σ 2^(−bin), in [0, 1] (1 = every example in the first bin), before utility.
    utility : float
        (RA_U / RA_R) · (TA_U / TA_R); 1.0 when no accuracies were given.
    final : float
        score × utility, the competition's ranking number.
    """

    epsilons: np.ndarray = field(repr=False)
    score: float
    utility: float
    final: float
    retain_ratio: float | None
    test_ratio: float | None
    k_unlearned: int
    k_retrained: int
    n_bins: int
    delta: float
    definition: str = FQ_DEFINITION

    def __float__(self) -> float:
        return self.final

    @property
    def mean_epsilon(self) -> float:
        """Mean per-example ε with the cap kept (∞ is clipped to 50)."""
        return float(np.mean(self.epsilons))

    def to_dict(self) -> dict:
        out = asdict(self)
        out["epsilons"] = self.epsilons.tolist()
        return out


def _accuracy_pair(pair, name: str) -> tuple[float, float] | None:
    if pair is None:
        return None
    if not isinstance(pair, tuple | list) or len(pair) != 2:
        raise ValueError(f"{name} must be a pair (unlearned accuracies, retrained accuracies), got {type(pair).__name__}")
    means = []
    for side, values in zip(("unlearned", "retrained"), pair):
        acc = _array(values, f"{name}[{side}]").ravel()
        if acc.size == 0 or np.any(acc < 0) or np.any(acc > 1):
            raise ValueError(f"{name}[{side}] must hold accuracies in [0, 1] (one per model), got {acc}")
        means.append(float(acc.mean()))
    if means[1] == 0:
        raise ValueError(f"{name}: the retrained models' mean accuracy is 0; the utility ratio is undefined")
    return means[0], means[1]


def forgetting_quality(unlearned: ArrayLike, retrained: ArrayLike, *,
                       retain_accuracy: tuple[ArrayLike, ArrayLike] | None = None,
                       test_accuracy: tuple[ArrayLike, ArrayLike] | None = None,
                       delta: float = COMPETITION_DELTA) -> ForgettingQuality:
    """The NeurIPS 2023 unlearning competition's score from outputs of K unlearned and K retrained models.

    Parameters
    ----------
    unlearned, retrained : array or tensor, shape (K, n)
        Logit-scaled confidences (``model_outputs``) of each model on each forget example; K ≥ 3.
    retain_accuracy, test_accuracy : pair of arrays, optional
        (accuracies of the unlearned models, accuracies of the retrained models) on D_r and on the
        test set, one per model (or one mean each). The final score is multiplied by the ratio of
        the means, uncapped, as the competition did; omit both to get the forgetting score alone.
    delta : float
        δ of the bound, 1e-5 in the competition.

    Returns
    -------
    ForgettingQuality
        Per-example ε, the forgetting score, the utility factor and the final score.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> retrained = rng.normal(size=(64, 20))
    >>> forgetting_quality(retrained.copy(), retrained).score  # the very same outputs
    1.0
    >>> forgetting_quality(retrained + 20, retrained).score  # separated: every ε at the cap
    0.0
    >>> 0.1 < forgetting_quality(rng.normal(size=(64, 20)), retrained).score < 0.35  # same distribution
    True
    """
    u = _population(unlearned, "unlearned", min_models=3)
    r = _population(retrained, "retrained", min_models=3)
    eps = per_example_epsilons(u, r, delta=delta)
    k = min(u.shape[0], r.shape[0])
    score = score_epsilons(eps, k)
    ra, ta = _accuracy_pair(retain_accuracy, "retain_accuracy"), _accuracy_pair(test_accuracy, "test_accuracy")
    retain_ratio = None if ra is None else ra[0] / ra[1]
    test_ratio = None if ta is None else ta[0] / ta[1]
    utility = (retain_ratio or 1.0) * (test_ratio or 1.0)
    return ForgettingQuality(epsilons=eps, score=score, utility=utility, final=score * utility,
                             retain_ratio=retain_ratio, test_ratio=test_ratio, k_unlearned=u.shape[0],
                             k_retrained=r.shape[0], n_bins=epsilon_bins(k), delta=delta)


def retrain_reference(retrained: ArrayLike, *, delta: float = COMPETITION_DELTA, seed: int = 0) -> ForgettingQuality:
    """The forgetting quality retraining earns against itself: one random half of the models vs the other.

    The competition's ε is a maximum over many thresholds of a bound computed from K samples, so
    it is biased upwards: two populations drawn from one distribution give ε ≈ 1–1.6 (score ≈ 0.2)
    at any K from 8 to 512 (tail counts such as 3 against 1 give log 3), not 0. This is the level a
    method that unlearns perfectly reaches with K/2 models per population. The number of bins
    depends on the models per population, so compare it with a method scored at the same number:
    train 2K retrained models, or score the method on K/2 of them.

    Parameters
    ----------
    retrained : array or tensor, shape (K, n)
        Outputs of K ≥ 6 retrained models.
    delta : float
        δ of the bound.
    seed : int
        Seed of the random halving.
    """
    r = _population(retrained, "retrained", min_models=6)
    order = np.random.default_rng(seed).permutation(len(r))
    half = len(r) // 2
    return forgetting_quality(r[order[:half]], r[order[half:2 * half]], delta=delta)


def null_level(retrained: ArrayLike, *, k: int | None = None, repeats: int = 20, seed: int = 0,
               delta: float = COMPETITION_DELTA) -> tuple[float, float]:
    """The forgetting score two populations of *one* distribution get at K models each: mean and std.

    The estimator is biased upwards (see ``retrain_reference``), so a method that unlearns perfectly
    does not score 1. This is the level it would score: per example, a Gaussian is fitted to the
    retrained models' outputs (mean and sample std, as spread out as they are), two populations of
    ``k`` models are drawn from it and scored against each other, ``repeats`` times. Unlike
    ``retrain_reference`` it needs no second set of retrained models and scores at the same K as the
    methods; it assumes the outputs are Gaussian per example (the assumption U-LiRA makes too).

    Parameters
    ----------
    retrained : array or tensor, shape (K, n)
        Outputs of K ≥ 3 retrained models.
    k : int, optional
        Models per drawn population (default K).
    repeats : int
        Draws averaged.
    seed : int
        Seed of the draws.

    Returns
    -------
    (float, float)
        Mean and sample standard deviation of the forgetting score over the draws.
    """
    r = _population(retrained, "retrained", min_models=3)
    k = len(r) if k is None else k
    if isinstance(k, bool) or not isinstance(k, int) or k < 3:
        raise ValueError(f"k={k!r} must be an integer ≥ 3")
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats={repeats!r} must be a positive integer")
    rng = np.random.default_rng(seed)
    mu, sd = r.mean(axis=0), r.std(axis=0, ddof=1)
    scores = [forgetting_quality(rng.normal(mu, sd, size=(k, r.shape[1])), rng.normal(mu, sd, size=(k, r.shape[1])),
                                 delta=delta).score for _ in range(repeats)]
    return float(np.mean(scores)), float(np.std(scores, ddof=1)) if repeats > 1 else float("nan")


# ---------------------------------------------------------------------------------------------
# U-LiRA


@dataclass(frozen=True, eq=False)
class LiRAResult:
    """A per-example likelihood-ratio attack's success at telling unlearned from retrained models.

    Attributes
    ----------
    auc : float
        Area under the ROC curve over all (target model, example) pairs; 0.5 = no signal.
    tpr_at_fpr : dict
        TPR at each requested FPR (the largest ROC point with FPR ≤ the value, as LiRA reports).
    accuracy : float
        Balanced accuracy of the test LR > 1 (unlearned vs retrained), not tuned on the targets.
    per_example_accuracy : numpy.ndarray, shape (n,)
        The same balanced accuracy per forget example (the U-LiRA view: 0.5 = safe).
    scores : numpy.ndarray, shape (T_unlearned + T_retrained, n)
        log-likelihood ratios, unlearned targets first.
    """

    auc: float
    tpr_at_fpr: dict
    accuracy: float
    per_example_accuracy: np.ndarray = field(repr=False)
    scores: np.ndarray = field(repr=False)
    n_positive: int
    n_negative: int
    definition: str = LIRA_DEFINITION

    def to_dict(self) -> dict:
        out = asdict(self)
        out["per_example_accuracy"] = self.per_example_accuracy.tolist()
        out["scores"] = self.scores.tolist()
        out["tpr_at_fpr"] = {str(k): v for k, v in self.tpr_at_fpr.items()}
        return out


def _gaussian(values: np.ndarray, global_variance: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """LiRA's fit: median location; population std per example, or pooled over all (``fix_variance``)."""
    sd = np.std(values) if global_variance else np.std(values, axis=0)
    return np.median(values, axis=0), sd + 1e-30


def _log_normal_pdf(x: np.ndarray, mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    return -0.5 * ((x - mu) / sigma) ** 2 - np.log(sigma) - 0.5 * math.log(2 * math.pi)


def lira_scores(shadow_unlearned: ArrayLike, shadow_retrained: ArrayLike, targets: ArrayLike, *,
                global_variance: bool = False) -> np.ndarray:
    """Per-example log-likelihood ratios log N(φ; μ_U, σ_U) − log N(φ; μ_R, σ_R) of target outputs.

    Parameters
    ----------
    shadow_unlearned, shadow_retrained : array or tensor, shape (K, n)
        Logit-scaled confidences of shadow models (K ≥ 2 each) that unlearned / never saw each example.
    targets : array or tensor, shape (T, n)
        The same statistic under the models attacked.
    global_variance : bool
        One σ per population pooled over all examples and models instead of one per example:
        the ``fix_variance`` option of the LiRA code (tensorflow/privacy
        ``research/mi_lira_2021/plot.py``, ``generate_ours``), meant for few shadow models.
        That code's online variant reuses the "in" σ for both populations; each population keeps
        its own σ here, as in its offline variant.
    """
    su = _population(shadow_unlearned, "shadow_unlearned")
    sr = _population(shadow_retrained, "shadow_retrained")
    tg = _population(targets, "targets", min_models=1)
    _same_examples(shadow_unlearned=su, shadow_retrained=sr, targets=tg)
    (mu_u, sd_u), (mu_r, sd_r) = _gaussian(su, global_variance), _gaussian(sr, global_variance)
    return _log_normal_pdf(tg, mu_u, sd_u) - _log_normal_pdf(tg, mu_r, sd_r)


def _lira_result(pos_scores: np.ndarray, neg_scores: np.ndarray, fprs: Sequence[float]) -> LiRAResult:
    from sklearn.metrics import roc_auc_score, roc_curve

    for value in fprs:
        if not 0 < value < 1:
            raise ValueError(f"fprs must lie in (0, 1), got {value}")
    y = np.concatenate([np.ones(pos_scores.size), np.zeros(neg_scores.size)])
    s = np.concatenate([pos_scores.ravel(), neg_scores.ravel()])
    fpr, tpr, _ = roc_curve(y, s)
    tpr_at = {float(v): float(tpr[np.flatnonzero(fpr <= v)[-1]]) for v in fprs}
    tp = (pos_scores > 0).mean(axis=0)
    tn = (neg_scores <= 0).mean(axis=0)
    per_example = 0.5 * (tp + tn)
    return LiRAResult(auc=float(roc_auc_score(y, s)), tpr_at_fpr=tpr_at,
                      accuracy=float(0.5 * ((pos_scores > 0).mean() + (neg_scores <= 0).mean())),
                      per_example_accuracy=per_example, scores=np.concatenate([pos_scores, neg_scores]),
                      n_positive=int(pos_scores.size), n_negative=int(neg_scores.size))


def u_lira(shadow_unlearned: ArrayLike, shadow_retrained: ArrayLike, target_unlearned: ArrayLike,
           target_retrained: ArrayLike, *, fprs: Sequence[float] = DEFAULT_FPRS,
           global_variance: bool = False) -> LiRAResult:
    """U-LiRA with separate shadow and target models.

    Parameters
    ----------
    shadow_unlearned, shadow_retrained : array or tensor, shape (K, n)
        Logit-scaled confidences of the shadow models (K ≥ 2 each) used to fit the Gaussians.
    target_unlearned, target_retrained : array or tensor, shape (T, n)
        The same under held-out target models (T ≥ 1 each): the attack must call the first
        "unlearned" and the second "retrained".
    fprs : sequence of float
        False-positive rates at which to report the TPR.
    global_variance : bool
        Pool σ over all examples (see ``lira_scores``).

    Returns
    -------
    LiRAResult
        AUC, TPR at each FPR, the balanced accuracy at LR = 1 overall and per example, the scores.
    """
    pos = lira_scores(shadow_unlearned, shadow_retrained, _population(target_unlearned, "target_unlearned", min_models=1),
                      global_variance=global_variance)
    neg = lira_scores(shadow_unlearned, shadow_retrained, _population(target_retrained, "target_retrained", min_models=1),
                      global_variance=global_variance)
    return _lira_result(pos, neg, fprs)


def u_lira_cv(unlearned: ArrayLike, retrained: ArrayLike, *, folds: int | None = None,
              fprs: Sequence[float] = DEFAULT_FPRS, seed: int = 0, global_variance: bool = False) -> LiRAResult:
    """U-LiRA by cross-fitting: each model is a target once, attacked with Gaussians fitted on the others.

    A target's own population is fitted without it (without its fold); the other population,
    which it is not part of, is fitted on all its models. So a target never enters its own fit,
    and with ``folds=None`` (leave-one-out) the result does not depend on ``seed``.

    Parameters
    ----------
    unlearned, retrained : array or tensor, shape (K, n)
        Logit-scaled confidences of K unlearned and K' retrained models on the forget examples
        (K, K' ≥ 3).
    folds : int, optional
        Number of folds (models are split at random within each population); ``None`` is
        leave-one-out. Each fold must leave at least 2 shadow models of its population.
    fprs : sequence of float
        False-positive rates at which to report the TPR.
    seed : int
        Seed of the fold assignment (unused by leave-one-out).
    global_variance : bool
        Pool σ over all examples (see ``lira_scores``).

    Returns
    -------
    LiRAResult
        As ``u_lira``; with leave-one-out the rows of ``scores`` are the unlearned models in
        order, then the retrained models in order.
    """
    u = _population(unlearned, "unlearned", min_models=3)
    r = _population(retrained, "retrained", min_models=3)
    _same_examples(unlearned=u, retrained=r)
    if folds is None:
        fold_u, fold_r = np.arange(len(u)), np.arange(len(r))
    else:
        k = min(len(u), len(r))
        if not 2 <= folds <= k or k - math.ceil(k / folds) < 2:
            raise ValueError(f"folds must be in [2, {k}] and leave ≥ 2 shadow models per population, got {folds}")
        rng = np.random.default_rng(seed)
        fold_u, fold_r = rng.permutation(len(u)) % folds, rng.permutation(len(r)) % folds
    pos = [lira_scores(u[fold_u != f], r, u[fold_u == f], global_variance=global_variance) for f in np.unique(fold_u)]
    neg = [lira_scores(u, r[fold_r != f], r[fold_r == f], global_variance=global_variance) for f in np.unique(fold_r)]
    return _lira_result(np.concatenate(pos), np.concatenate(neg), fprs)


__all__ = [
    "BIN_WIDTH", "COMPETITION_DELTA", "EPSILON_CAP", "PROBABILITY_FLOOR", "ForgettingQuality", "LiRAResult",
    "epsilon_bins", "forgetting_quality", "lira_scores", "logit_confidence", "logit_scaled_confidence", "model_outputs",
    "null_level",
    "per_example_epsilons", "retrain_reference", "score_epsilons", "u_lira", "u_lira_cv",
]
