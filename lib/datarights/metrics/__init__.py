"""Metrics of unlearning: accuracy per split, membership inference, ZRF, JS divergence,
activation distance and the Anamnesis Index. Every one is batched."""

from __future__ import annotations

from datarights.data.splits import UnlearningSplits
from datarights.metrics.divergence import ZRF_VARIANTS, activation_distance, js_divergence, js_rows, zrf, zrf_from_probs
from datarights.metrics.inspection import layer_distances, prediction_distribution
from datarights.metrics.mia import MIAResult, attack_features, entropy, membership_inference
from datarights.metrics.relearn import AINResult, RelearnConfig, anamnesis_index, relearn_time
from datarights.train import accuracy, evaluate, per_class_accuracy

SPLITS = ("retain_train", "forget_train", "retain_test", "forget_test")


def split_accuracies(model, splits: UnlearningSplits, *, per_batch: int | None = None) -> dict[str, float]:
    """Accuracy on D_r and D_f (train images) and on their test counterparts, plus the whole test set."""
    out = {name: accuracy(model, getattr(splits, name), per_batch=per_batch) for name in SPLITS}
    out["test"] = accuracy(model, splits.test, per_batch=per_batch)
    return out


__all__ = [
    "AINResult", "MIAResult", "RelearnConfig", "SPLITS", "ZRF_VARIANTS", "accuracy", "activation_distance",
    "anamnesis_index", "attack_features", "entropy", "evaluate", "js_divergence", "js_rows", "layer_distances",
    "membership_inference", "per_class_accuracy", "prediction_distribution", "relearn_time", "split_accuracies", "zrf", "zrf_from_probs",
]
