"""Evaluation protocols of the data valuation literature (after OpenDataVal's definitions in its code).

- point removal / addition in value order, retraining after each step (:func:`removal_curve`, :func:`addition_curve`);
- noisy-label detection: labels flipped to another class (:func:`flip_labels`), F1 of the low-value group
  found by exact 1-D 2-means (:func:`detection_f1`), and the discovery curve (:func:`discovery_curve`);
- areas under the curves (:func:`curve_area`).

Every retraining goes through :class:`~datarights.valuation.utility.Utility`, so its fits are counted too.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from datarights.valuation.utility import Utility

FRACTIONS = tuple(np.round(np.arange(0.0, 0.51, 0.05), 2))


def value_order(values: np.ndarray, highest_first: bool = True) -> np.ndarray:
    """Indices sorted by value (stable, so ties keep index order)."""
    values = np.asarray(values, dtype=float)
    return np.argsort(-values if highest_first else values, kind="stable")


def points_to_remove(values: np.ndarray, fraction: float, highest_first: bool = True) -> np.ndarray:
    """The ``round(fraction · n)`` points removed first: the highest-valued (or lowest-valued) ones."""
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction must lie in [0, 1], got {fraction}")
    return value_order(values, highest_first)[: int(round(fraction * len(values)))]


def removal_curve(values: np.ndarray, utility: Utility, fractions: Sequence[float] = FRACTIONS,
                  highest_first: bool = True) -> np.ndarray:
    """Score after removing each fraction of points in value order and retraining (one fit per fraction)."""
    n = len(utility.train[1])
    if len(values) != n:
        raise ValueError(f"values has {len(values)} entries but the utility's training set has {n} points")
    subsets = [np.setdiff1d(np.arange(n), points_to_remove(values, f, highest_first)) for f in fractions]
    return utility.many(subsets)


def addition_curve(values: np.ndarray, utility: Utility, fractions: Sequence[float] = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0),
                   highest_first: bool = True) -> np.ndarray:
    """Score when training only on the first fraction of points in value order (one fit per fraction)."""
    n = len(utility.train[1])
    order = value_order(values, highest_first)
    return utility.many([order[: max(1, int(round(f * n)))] for f in fractions])


def curve_area(fractions: Sequence[float], scores: Sequence[float]) -> float:
    """Mean score over the curve (trapezoidal area divided by the fraction range)."""
    f, s = np.asarray(fractions, float), np.asarray(scores, float)
    return float(np.sum((s[1:] + s[:-1]) / 2 * np.diff(f)) / (f[-1] - f[0]))


def flip_labels(y: np.ndarray, rate: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Flip a ``rate`` fraction of labels, each to a uniformly chosen *different* class; (new y, flipped indices)."""
    y = np.asarray(y)
    classes = np.unique(y)
    if len(classes) < 2:
        raise ValueError("y holds a single class; labels cannot be flipped")
    rng = np.random.default_rng(seed)
    flipped = np.sort(rng.choice(len(y), int(round(rate * len(y))), replace=False))
    noisy = y.copy()
    for i in flipped:
        noisy[i] = rng.choice(classes[classes != y[i]])
    return noisy, flipped


def two_means_split(values: np.ndarray) -> float:
    """Threshold of the exact 1-D 2-means clustering (minimum within-group sum of squares)."""
    v = np.sort(np.asarray(values, dtype=float))
    n = len(v)
    csum, csq = np.cumsum(v), np.cumsum(v ** 2)
    best, cut = np.inf, 1
    for i in range(1, n):
        left = csq[i - 1] - csum[i - 1] ** 2 / i
        right = (csq[-1] - csq[i - 1]) - (csum[-1] - csum[i - 1]) ** 2 / (n - i)
        if left + right < best:
            best, cut = left + right, i
    return float((v[cut - 1] + v[cut]) / 2) if n > 1 else float(v[0])


def detection_f1(values: np.ndarray, flipped: np.ndarray) -> float:
    """F1 of "the low-value 2-means group is the noisy points" against the truly flipped indices."""
    values = np.asarray(values, dtype=float)
    predicted = values < two_means_split(values)
    truth = np.zeros(len(values), bool)
    truth[np.asarray(flipped, dtype=int)] = True
    tp = np.sum(predicted & truth)
    if tp == 0:
        return 0.0
    precision, recall = tp / predicted.sum(), tp / truth.sum()
    return float(2 * precision * recall / (precision + recall))


def discovery_curve(values: np.ndarray, flipped: np.ndarray, fractions: Sequence[float] = tuple(np.linspace(0, 1, 21))) -> np.ndarray:
    """Share of flipped points found when inspecting the lowest-valued fraction of points."""
    order = value_order(values, highest_first=False)
    flipped_set = np.zeros(len(values), bool)
    flipped_set[np.asarray(flipped, dtype=int)] = True
    found = np.concatenate([[0], np.cumsum(flipped_set[order])])
    return np.array([found[int(round(f * len(values)))] / max(1, flipped_set.sum()) for f in fractions])


def random_f1(rate: float) -> float:
    """Expected F1 of flagging a random ``rate`` share of points (precision = recall = rate)."""
    return float(rate)


__all__ = ["FRACTIONS", "addition_curve", "curve_area", "detection_f1", "discovery_curve", "flip_labels",
           "points_to_remove", "random_f1", "removal_curve", "two_means_split", "value_order"]

