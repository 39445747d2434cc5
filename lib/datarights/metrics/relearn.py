"""Relearn time and the Anamnesis Index (AIN), zero-shot unlearning paper (zero-shot `metrics.py`).

r_t(M) counts optimiser steps of fine-tuning M (Adam, lr 1e-3, batch 256, at most 10 epochs)
until its accuracy on the forget classes is back to within α = 5% (relative) of the original
model's, checked after every step. AIN = r_t(M_u) / r_t(M_g) with M_g the retrained model:
AIN ≈ 1 forgets like retraining, AIN ≪ 1 means the information is still there and comes back
fast, AIN ≫ 1 means the model was pushed further than retraining would.

The authors' code relearns on the global training set and measures on the whole test set
(two bugs of the zero-shot `metrics.py`); here the relearning data and the evaluation data are arguments
(the book uses forget-train to relearn and forget-test to measure, the book's choice).
Both models are copied first: relearning never touches the models passed in.

The protocol choices are named: ``relearn_data`` (``"forget_train"``, the default, or
``"full_train"``, what the authors' code actually relearns on), ``evaluate_on`` (``"forget_test"``
or ``"test"``, the authors' code), α (``RelearnConfig.alpha``, relative), Adam at 1e-3, batch 256,
counting optimiser steps. ``relearn_curve`` records the forget accuracy after every step, and
``GoldRelearnTime`` computes the retrained model's relearn time once and reuses it.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import torch
import torch.nn.functional as F
from torch import nn

from datarights.seeds import require_seed
from datarights.data.tensors import Split, concat
from datarights.train import accuracy, accuracy_on_device, data_generator, model_device, relearn_loop
from datarights.validation import check_config_numbers, check_int, check_model_data, check_number


RELEARN_CHECK_EVERY = 16  # on a GPU, read the per-step accuracies every 16 steps (same counts, 16× fewer host–device waits)


@dataclass(frozen=True)
class RelearnConfig:
    """Relearning protocol of the authors' ``relearn_time`` (zero-shot `metrics.py`)."""

    lr: float = 1e-3
    batch_size: int = 256
    max_epochs: int = 10
    alpha: float = 0.05
    seed: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class AINResult:
    index: float
    steps_unlearned: int
    steps_gold: int
    target_accuracy: float
    reached_unlearned: bool
    reached_gold: bool

    def to_dict(self) -> dict:
        return asdict(self)


def relearn_time(model: nn.Module, *, relearn: Split, evaluate_on: Split, target_accuracy: float,
                 config: RelearnConfig = RelearnConfig()) -> tuple[int, bool]:
    """Steps of fine-tuning a copy of ``model`` on ``relearn`` until accuracy on ``evaluate_on`` ≥ target.

    Returns (steps, reached); if the target is never reached within ``max_epochs``, the
    total number of steps taken and False (the authors' convention).
    """
    check_number(target_accuracy, "target_accuracy", low=0.0, high=1.0)
    steps, reached, _ = _relearn(model, relearn=relearn, evaluate_on=evaluate_on, target_accuracy=target_accuracy, config=config)
    return steps, reached


def relearn_curve(model: nn.Module, *, relearn: Split, evaluate_on: Split, steps: int,
                  config: RelearnConfig = RelearnConfig()) -> list[float]:
    """Accuracy on ``evaluate_on`` before relearning and after each of ``steps`` optimiser steps
    (same protocol as :func:`relearn_time`, on a copy of ``model``); ``steps + 1`` values."""
    check_int(steps, "steps", minimum=1)
    return _relearn(model, relearn=relearn, evaluate_on=evaluate_on, target_accuracy=None, config=config, max_steps=steps)[2]


def _relearn(model: nn.Module, *, relearn: Split, evaluate_on: Split, target_accuracy: float | None,
             config: RelearnConfig, max_steps: int | None = None) -> tuple[int, bool, list[float]]:
    if len(relearn) == 0 or len(evaluate_on) == 0:
        raise ValueError("relearn and evaluate_on must both hold samples")
    check_config_numbers(config, "config")
    check_number(config.alpha, "config.alpha", low=0.0, high=0.999999)
    check_model_data(model, relearn, "relearn")
    check_model_data(model, evaluate_on, "evaluate_on")
    student = copy.deepcopy(model)
    device = model_device(student)
    generator = data_generator(require_seed(config), device)
    before = [accuracy(student, evaluate_on)] if target_accuracy is None else []
    steps, reached, after = relearn_loop(
        student, lambda: relearn.batches(config.batch_size, shuffle=True, generator=generator, device=device), F.cross_entropy,
        lambda m: accuracy_on_device(m, evaluate_on), lr=config.lr, epochs=config.max_epochs if max_steps is None else 10**9,
        stop=None if target_accuracy is None else (lambda measured: measured >= target_accuracy), max_steps=max_steps,
        check_every=RELEARN_CHECK_EVERY if device.type == "cuda" else 1)  # the student is a copy: extra steps are never read
    return steps, reached, before + after if target_accuracy is None else []


def anamnesis_index(unlearned: nn.Module, gold: nn.Module, *, original_accuracy: float, relearn: Split,
                    evaluate_on: Split, config: RelearnConfig = RelearnConfig(),
                    gold_time: tuple[int, bool] | None = None) -> AINResult:
    """AIN = r_t(unlearned) / r_t(gold), target accuracy (1 − α) × the original model's forget accuracy.

    ``gold_time = (steps, reached)`` reuses a relearn time of ``gold`` measured before (see :class:`GoldRelearnTime`).
    """
    check_number(original_accuracy, "original_accuracy")
    if not 0.0 < original_accuracy <= 1.0:
        raise ValueError(f"original_accuracy must be a fraction in (0, 1], got {original_accuracy}")
    target = (1.0 - config.alpha) * original_accuracy
    steps_u, reached_u = relearn_time(unlearned, relearn=relearn, evaluate_on=evaluate_on, target_accuracy=target, config=config)
    if gold_time is None:
        steps_g, reached_g = relearn_time(gold, relearn=relearn, evaluate_on=evaluate_on, target_accuracy=target, config=config)
    else:
        steps_g, reached_g = gold_time
    return AINResult(steps_u / steps_g, steps_u, steps_g, target, reached_u, reached_g)


RelearnData = Literal["forget_train", "full_train"]
EvaluateOn = Literal["forget_test", "test"]
RELEARN_DATA: dict[str, str] = {
    "forget_train": "the training images of the forgotten classes (the book's default)",
    "full_train": "the whole training set, all classes (what the authors' code does through a global variable)",
}
EVALUATE_ON: dict[str, str] = {
    "forget_test": "test images of the forgotten classes (the book's default)",
    "test": "the whole test set (what the authors' code measures)",
}


def protocol_data(splits: Any, relearn_data: RelearnData = "forget_train", evaluate_on: EvaluateOn = "forget_test") -> tuple[Split, Split]:
    """The (relearn, evaluate_on) splits of a named AIN protocol (zero-shot `metrics.py`), from ``UnlearningSplits``."""
    if relearn_data not in RELEARN_DATA:
        raise ValueError(f"relearn_data must be one of {list(RELEARN_DATA)}, got {relearn_data!r}")
    if evaluate_on not in EVALUATE_ON:
        raise ValueError(f"evaluate_on must be one of {list(EVALUATE_ON)}, got {evaluate_on!r}")
    relearn = splits.forget_train if relearn_data == "forget_train" else concat(splits.retain_train, splits.forget_train, name="full_train")
    return relearn, getattr(splits, evaluate_on)


@dataclass
class GoldRelearnTime:
    """The retrained model's relearn time r_t(M_g), computed once per (target, protocol) and reused.

    ``store`` (optional) is a dict-like cache shared across calls, e.g. a JSON entry of a runner;
    ``key`` identifies the gold model (its configuration), so a different model never reuses a time.
    """

    gold: nn.Module
    relearn: Split
    evaluate_on: Split
    key: str = "gold"
    store: dict[str, tuple[int, bool]] = field(default_factory=dict)

    def __call__(self, target_accuracy: float, config: RelearnConfig = RelearnConfig()) -> tuple[int, bool]:
        entry = f"{self.key}|{target_accuracy:.6f}|{sorted(config.to_dict().items())}"
        if entry not in self.store:
            self.store[entry] = relearn_time(self.gold, relearn=self.relearn, evaluate_on=self.evaluate_on,
                                             target_accuracy=target_accuracy, config=config)
        steps, reached = self.store[entry]
        return int(steps), bool(reached)


def ain(unlearned: nn.Module, gold: nn.Module | GoldRelearnTime, *, original_accuracy: float, relearn: Split, evaluate_on: Split,
        alpha: float = 0.05, config: RelearnConfig = RelearnConfig()) -> AINResult:
    """The Anamnesis Index with α given by name; ``gold`` may be a :class:`GoldRelearnTime` to reuse r_t(M_g)."""
    check_number(alpha, "alpha")
    if not 0.0 <= alpha < 1.0:
        raise ValueError(f"alpha must lie in [0, 1), got {alpha}")
    config = RelearnConfig(**{**config.to_dict(), "alpha": alpha})
    if isinstance(gold, GoldRelearnTime):
        gold_time = gold((1.0 - alpha) * original_accuracy, config)
        return anamnesis_index(unlearned, gold.gold, original_accuracy=original_accuracy, relearn=relearn, evaluate_on=evaluate_on,
                               config=config, gold_time=gold_time)
    return anamnesis_index(unlearned, gold, original_accuracy=original_accuracy, relearn=relearn, evaluate_on=evaluate_on, config=config)
