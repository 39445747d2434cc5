"""Unlearning methods, all with one signature:

    result = datarights.unlearning.<method>(model, forget=..., retain=..., config=...)
    result.model, result.seconds, result.extra

Zero-shot methods (``gkt``, ``emmn``) read no data: they take ``forget_classes=`` instead.
``ssd`` (Selective Synaptic Dampening, Foster et al., AAAI 2024) is not one of the six papers;
the head-to-head chapter uses it for perspective.
"""

from datarights.unlearning.bad_teacher import (
    BadTeacherConfig,
    bad_teacher,
    distillation_targets,
)
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
from datarights.unlearning.blindspot import BlindspotConfig, blindspot, blindspot_model
from datarights.unlearning.emmn import EMMNConfig, emmn, error_minimizing_noise
from datarights.unlearning.gaussian import (
    GaussianConfig,
    gaussian_finetune,
    gaussian_labels,
)
from datarights.unlearning.gkt import GKTConfig, gkt
from datarights.unlearning.ssd import SSDConfig, ssd
from datarights.unlearning.unsir import UNSIRConfig, error_maximizing_noise, unsir

METHODS = {
    "retrain": retrain, "finetune": finetune, "neggrad": neggrad, "random_labels": random_labels, "unsir": unsir,
    "bad_teacher": bad_teacher, "gkt": gkt, "emmn": emmn, "blindspot": blindspot, "gaussian_finetune": gaussian_finetune,
    "ssd": ssd,
}
CONFIGS = {
    "retrain": RetrainConfig, "finetune": FinetuneConfig, "neggrad": NegGradConfig, "random_labels": RandomLabelsConfig,
    "unsir": UNSIRConfig, "bad_teacher": BadTeacherConfig, "gkt": GKTConfig, "emmn": EMMNConfig, "blindspot": BlindspotConfig,
    "gaussian_finetune": GaussianConfig, "ssd": SSDConfig,
}

__all__ = [
    "BadTeacherConfig", "BlindspotConfig", "CONFIGS", "EMMNConfig", "FinetuneConfig", "GKTConfig", "GaussianConfig", "METHODS",
    "NegGradConfig", "RandomLabelsConfig", "RetrainConfig", "SSDConfig", "UNSIRConfig", "UnlearningResult", "bad_teacher",
    "blindspot", "blindspot_model", "distillation_targets", "emmn", "error_maximizing_noise", "error_minimizing_noise", "finetune",
    "gaussian_finetune", "gaussian_labels", "gkt", "neggrad", "random_labels", "retrain", "ssd", "unsir",
]
