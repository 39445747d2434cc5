"""Unlearning methods, all with one signature:

    result = datarights.unlearning.<method>(model, forget=..., retain=..., config=...)
    result.model, result.seconds, result.extra
"""

from datarights.unlearning.base import UnlearningResult
from datarights.unlearning.baselines import (
    FinetuneConfig,
    NegGradConfig,
    RandomLabelsConfig,
    RetrainConfig,
    finetune,
    neggrad,
    random_labels,
    retrain,
)
from datarights.unlearning.unsir import UNSIRConfig, error_maximizing_noise, unsir


METHODS = {"retrain": retrain, "finetune": finetune, "neggrad": neggrad, "random_labels": random_labels, "unsir": unsir}
CONFIGS = {"retrain": RetrainConfig, "finetune": FinetuneConfig, "neggrad": NegGradConfig, "random_labels": RandomLabelsConfig,
           "unsir": UNSIRConfig}

__all__ = [
    "CONFIGS", "METHODS", "FinetuneConfig", "NegGradConfig", "RandomLabelsConfig", "RetrainConfig", "UNSIRConfig",
    "UnlearningResult", "error_maximizing_noise", "finetune", "neggrad", "random_labels", "retrain", "unsir",
]
