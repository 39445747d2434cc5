"""Unlearning methods, all with one signature:

    result = datarights.unlearning.<method>(model, forget=..., retain=..., config=...)
    result.model, result.seconds, result.extra
"""

from datarights.unlearning.bad_teacher import BadTeacherConfig, bad_teacher, distillation_targets
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


METHODS = {"retrain": retrain, "finetune": finetune, "neggrad": neggrad, "random_labels": random_labels, "unsir": unsir, "bad_teacher": bad_teacher}
CONFIGS = {"retrain": RetrainConfig, "finetune": FinetuneConfig, "neggrad": NegGradConfig, "random_labels": RandomLabelsConfig,
           "unsir": UNSIRConfig, "bad_teacher": BadTeacherConfig}

__all__ = [
    "BadTeacherConfig", "CONFIGS", "METHODS", "FinetuneConfig", "NegGradConfig", "RandomLabelsConfig", "RetrainConfig", "UNSIRConfig",
    "UnlearningResult", "bad_teacher", "distillation_targets", "error_maximizing_noise", "finetune", "neggrad", "random_labels", "retrain", "unsir",
]

# Selective Synaptic Dampening (Foster et al., AAAI 2024): not one of the six papers; the head-to-head chapter's perspective.
from datarights.unlearning.ssd import SSDConfig, ssd  # noqa: E402

METHODS.update({"ssd": ssd})
CONFIGS.update({"ssd": SSDConfig})
__all__ += ["SSDConfig", "ssd"]
