"""Metrics of unlearning: accuracy per split, membership inference, ZRF, JS divergence,
activation distance, the Anamnesis Index, model inversion, and the regression versions of the
metrics (deep regression unlearning chapter). Every one is batched."""

from __future__ import annotations

from datarights.data.splits import UnlearningSplits
from datarights.metrics.divergence import ZRF_VARIANTS, activation_distance, js_divergence, js_rows, zrf, zrf_from_probs
from datarights.metrics.forgetting import (
    ForgettingQuality,
    LiRAResult,
    forgetting_quality,
    logit_confidence,
    logit_scaled_confidence,
    model_outputs,
    null_level,
    per_example_epsilons,
    retrain_reference,
    u_lira,
    u_lira_cv,
)
from datarights.metrics.inspection import layer_distances, prediction_distribution
from datarights.metrics.inversion import InversionConfig, invert, judge_rate, total_variation
from datarights.metrics.mia import MIAResult, attack_features, entropy, membership_inference
from datarights.metrics.regression import (
    RegressionAINResult,
    RegressionGoldRelearn,
    RegressionRelearnConfig,
    per_sample_errors,
    regression_ain,
    regression_error,
    regression_mia,
    relative_difference,
    relearn_steps,
    wasserstein_to,
)
from datarights.metrics.relearn import (
    AINResult,
    GoldRelearnTime,
    RelearnConfig,
    ain,
    anamnesis_index,
    protocol_data,
    relearn_curve,
    relearn_time,
)
from datarights.train import accuracy, evaluate, per_class_accuracy

SPLITS = ("retain_train", "forget_train", "retain_test", "forget_test")


def split_accuracies(model, splits: UnlearningSplits, *, per_batch: int | None = None) -> dict[str, float]:
    """Accuracy on D_r and D_f (train images) and on their test counterparts, plus the whole test set."""
    out = {name: accuracy(model, getattr(splits, name), per_batch=per_batch) for name in SPLITS}
    out["test"] = accuracy(model, splits.test, per_batch=per_batch)
    return out


__all__ = [
    "AINResult", "ForgettingQuality", "GoldRelearnTime", "LiRAResult", "InversionConfig", "MIAResult", "RegressionAINResult", "RegressionGoldRelearn", "RegressionRelearnConfig", "RelearnConfig",
    "SPLITS", "ZRF_VARIANTS", "accuracy", "activation_distance", "ain", "anamnesis_index", "attack_features", "entropy", "evaluate",
    "forgetting_quality", "invert", "js_divergence", "js_rows", "judge_rate", "layer_distances", "logit_confidence",
    "logit_scaled_confidence", "membership_inference", "model_outputs", "null_level", "per_example_epsilons",
    "per_class_accuracy", "per_sample_errors", "prediction_distribution", "protocol_data", "regression_ain",
    "regression_error", "regression_mia", "relative_difference", "relearn_curve", "relearn_steps", "relearn_time", "retrain_reference",
    "split_accuracies", "total_variation", "u_lira", "u_lira_cv", "wasserstein_to", "zrf", "zrf_from_probs",
]
