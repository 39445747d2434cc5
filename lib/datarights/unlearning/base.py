"""The one signature every unlearning method follows (DESIGN.md).

    result = method(model, forget=..., retain=..., config=...)
    result.model, result.seconds, result.extra

Methods work on a deep copy: the model passed in is never modified.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from datarights.data.tensors import Split


@dataclass
class UnlearningResult:
    """What an unlearning method returns: the new model, its wall time, and method-specific extras."""

    method: str
    model: nn.Module
    seconds: float
    extra: dict[str, Any] = field(default_factory=dict)


def working_copy(model: nn.Module) -> nn.Module:
    """A deep copy to modify, on the same device as ``model``."""
    return copy.deepcopy(model)


@contextmanager
def stopwatch(device: torch.device | None = None) -> Iterator[Callable[[], float]]:
    """Time a block; CUDA work is synchronised so the time is real, not the launch time."""
    def sync() -> None:
        if device is not None and device.type == "cuda":
            torch.cuda.synchronize(device)

    sync()
    start = time.perf_counter()
    elapsed: list[float] = []
    yield lambda: elapsed[0] if elapsed else time.perf_counter() - start
    sync()
    elapsed.append(time.perf_counter() - start)


def require_nonempty(split: Split | None, argument: str) -> Split:
    if split is None or len(split) == 0:
        raise ValueError(f"{argument} is empty: this method needs at least one {argument} sample")
    return split


def check_inputs(model: nn.Module, config: object, *, forget: Split | None = None, retain: Split | None = None,
                 images: bool = True) -> None:
    """What every method checks before any work: finite and positive settings, a seed, and (for image
    classifiers) a model that takes the splits' images and knows their labels. Errors name the argument."""
    from datarights.seeds import require_seed
    from datarights.validation import check_config_numbers, check_model_data

    check_config_numbers(config, "config", nonnegative=("generator_steps", "student_steps"))
    require_seed(config)
    if images:
        for name, split in (("forget", forget), ("retain", retain)):
            if split is not None and len(split):
                check_model_data(model, split, name)
