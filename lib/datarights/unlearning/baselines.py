"""The baselines every unlearning paper compares with.

- ``retrain``: train a fresh network on D_r only, the gold standard of exact unlearning.
- ``finetune``: continue training the original on D_r, hoping D_f is forgotten catastrophically.
- ``neggrad``: gradient ascent on the loss of D_f (Golatkar et al. 2020's "NegGrad").
- ``random_labels``: fine-tune on D_f with random wrong labels together with D_r
  (the amnesiac variant of Graves et al. 2021, as in the bad-teaching repository, the bad-teaching notebook).

Defaults are the papers' (or their repositories') settings for CIFAR; profiles shrink them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from datarights.data.tensors import Split, concat
from datarights.models import reinitialize
from datarights.seeds import require_seed
from datarights.train import LossFn, TrainConfig, fit, model_device, predict_logits
from datarights.unlearning.base import (
    UnlearningResult,
    check_inputs,
    require_nonempty,
    stopwatch,
    working_copy,
)


@dataclass(frozen=True)
class RetrainConfig:
    """Retraining from scratch on D_r: the original model's own recipe (``train``)."""

    train: TrainConfig = field(default_factory=TrainConfig)
    seed: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class FinetuneConfig:
    """Fine-tuning on D_r: 5 epochs at learning rate 0.02, the SSD codebase's ``finetune``
    (its ``src/forget_full_class_strategies.py``)."""

    train: TrainConfig = field(default_factory=lambda: TrainConfig(epochs=5, batch_size=256, optimizer="sgd", lr=0.02,
                                                                   schedule="constant", augment=None))
    seed: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class NegGradConfig:
    """Gradient ascent on D_f. No paper of the six fixes its settings; this book's choice:
    one epoch of SGD at 0.01 with momentum, which the Foundations chapter shows to forget
    and to damage D_r at the same time (the known weakness of NegGrad)."""

    train: TrainConfig = field(default_factory=lambda: TrainConfig(epochs=1, batch_size=256, optimizer="sgd", lr=0.01,
                                                                   weight_decay=0.0, schedule="constant"))
    seed: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class RandomLabelsConfig:
    """Amnesiac unlearning as in the bad-teaching repository (the bad-teaching notebook): D_f relabelled at random
    among the *other* classes, mixed with all of D_r, 3 epochs of Adam at 1e-4, batch 256."""

    train: TrainConfig = field(default_factory=lambda: TrainConfig(epochs=3, batch_size=256, optimizer="adam", lr=1e-4,
                                                                   weight_decay=0.0, schedule="constant"))
    seed: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def retrain(model: nn.Module, *, forget: Split | None = None, retain: Split, config: RetrainConfig = RetrainConfig(),
            loss_fn: LossFn | None = None) -> UnlearningResult:
    """Exact unlearning: a freshly initialised copy of ``model``'s architecture trained on ``retain`` only.

    The gold standard every other method is judged against (chapter 01, equation ``models``).

    Parameters
    ----------
    model : nn.Module
        The original model; only its architecture is used, it is never modified.
    forget : Split, optional
        Not read (exists for the common signature).
    retain : Split
        The retain set D_r to train on.
    config : RetrainConfig
        The training recipe and the run's ``seed`` (required).
    loss_fn : callable, optional
        Replaces cross-entropy (e.g. ``train.loss_function("l1")`` for a regressor).

    Returns
    -------
    UnlearningResult
        The retrained model, its wall time, and ``extra["epochs"]``.
    """
    check_inputs(model, config, retain=retain, images=loss_fn is None)
    require_nonempty(retain, "retain")
    device = model_device(model)
    with stopwatch(device) as seconds:
        fresh = reinitialize(working_copy(model), seed=require_seed(config))
        fit(fresh, retain, config.train, seed=require_seed(config), device=device, desc="retrain", loss_fn=loss_fn)
    return UnlearningResult("retrain", fresh, seconds(), {"epochs": config.train.epochs})


def finetune(model: nn.Module, *, forget: Split | None = None, retain: Split, config: FinetuneConfig = FinetuneConfig(),
             loss_fn: LossFn | None = None) -> UnlearningResult:
    """Fine-tuning: continue training a copy of ``model`` on ``retain`` only (the forget set is never seen).

    A baseline of every paper in the book (chapter 01).

    Parameters
    ----------
    model : nn.Module
        The original model (not modified).
    forget : Split, optional
        Not read (exists for the common signature).
    retain : Split
        The retain set D_r.
    config : FinetuneConfig
        The training recipe and the run's ``seed`` (required).
    loss_fn : callable, optional
        Replaces cross-entropy (e.g. ``train.loss_function("l1")`` for a regressor).

    Returns
    -------
    UnlearningResult
        The fine-tuned model, its wall time, and ``extra["epochs"]``.
    """
    check_inputs(model, config, retain=retain, images=loss_fn is None)
    require_nonempty(retain, "retain")
    device = model_device(model)
    with stopwatch(device) as seconds:
        tuned = fit(working_copy(model), retain, config.train, seed=require_seed(config), device=device, desc="finetune", loss_fn=loss_fn)
    return UnlearningResult("finetune", tuned, seconds(), {"epochs": config.train.epochs})


def _negative_cross_entropy(logits: Tensor, y: Tensor) -> Tensor:
    return -F.cross_entropy(logits, y)


def neggrad(model: nn.Module, *, forget: Split, retain: Split | None = None, config: NegGradConfig = NegGradConfig()) -> UnlearningResult:
    """NegGrad: gradient *ascent* on the cross-entropy of ``forget`` (chapter 01, equation ``neggrad``).

    Parameters
    ----------
    model : nn.Module
        The original model (not modified).
    forget : Split
        The forget set D_f.
    retain : Split, optional
        Not read (exists for the common signature).
    config : NegGradConfig
        The training recipe and the run's ``seed`` (required).

    Returns
    -------
    UnlearningResult
        The model after ascent, its wall time, and ``extra["epochs"]``.
    """
    check_inputs(model, config, forget=forget)
    require_nonempty(forget, "forget")
    device = model_device(model)
    with stopwatch(device) as seconds:
        ascended = fit(working_copy(model), forget, config.train, seed=require_seed(config), device=device,
                       loss_fn=_negative_cross_entropy, desc="neggrad")
    return UnlearningResult("neggrad", ascended, seconds(), {"epochs": config.train.epochs})


def random_wrong_labels(y: Tensor, num_classes: int, generator: torch.Generator) -> Tensor:
    """For each label, a uniformly random *different* class."""
    shift = torch.randint(1, num_classes, y.shape, generator=generator)
    return (y.cpu() + shift) % num_classes


def random_labels(model: nn.Module, *, forget: Split, retain: Split, config: RandomLabelsConfig = RandomLabelsConfig()) -> UnlearningResult:
    """Random labels (amnesiac unlearning): fine-tune on ``forget`` relabelled with random wrong classes,
    mixed with all of ``retain`` (chapter 01).

    Parameters
    ----------
    model : nn.Module
        The original model (not modified).
    forget : Split
        The forget set D_f, relabelled once with a uniformly random *other* class.
    retain : Split
        The retain set D_r.
    config : RandomLabelsConfig
        The training recipe and the run's ``seed`` (required).

    Returns
    -------
    UnlearningResult
        The fine-tuned model, its wall time, and ``extra["epochs"]``.
    """
    check_inputs(model, config, forget=forget, retain=retain)
    require_nonempty(forget, "forget")
    require_nonempty(retain, "retain")
    device = model_device(model)
    num_classes = predict_logits(model, forget.subset(torch.arange(1))).shape[1]
    generator = torch.Generator().manual_seed(require_seed(config))
    with stopwatch(device) as seconds:
        relabelled = forget.relabel(random_wrong_labels(forget.y, num_classes, generator), "forget_random_labels")
        mixed = concat(relabelled, retain, name="random_labels_mix")
        tuned = fit(working_copy(model), mixed, config.train, seed=require_seed(config), device=device, desc="random labels")
    return UnlearningResult("random_labels", tuned, seconds(), {"epochs": config.train.epochs})
