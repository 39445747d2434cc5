"""Gaussian fine-tuning, "Gaussian-Amnesiac" in the authors' code (the authors' `unlearn.py`).

The regression counterpart of random-label (amnesiac) unlearning: every forget target is replaced,
once, by a draw from N(μ, σ²), μ and σ the mean and sample standard deviation (ddof 1) of *all*
training targets, forget samples included; the draws are not clipped. The original model is then
fine-tuned on the whole training set (retain samples keep their labels): Adam 1e-3, batch 256,
1 epoch for AgeDB, 5 for STS-B.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import Tensor, nn

from datarights.data.regression import Data, join
from datarights.metrics.regression import Loss
from datarights.seeds import require_seed
from datarights.train import RegressorTraining, fit_regressor, model_device
from datarights.unlearning.base import (
    UnlearningResult,
    check_inputs,
    require_nonempty,
    stopwatch,
    working_copy,
)


@dataclass(frozen=True)
class GaussianConfig:
    """Settings of Gaussian fine-tuning (the authors' `unlearn.py`): 1 epoch of Adam 1e-3 at batch 256 (AgeDB); L1 or MSE."""

    epochs: int = 1
    lr: float = 1e-3
    batch_size: int = 256
    loss: Loss = "l1"
    augment: str | None = None
    seed: int | None = None

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.lr <= 0 or self.batch_size < 1:
            raise ValueError(f"epochs and batch_size must be ≥ 1 and lr positive, got {self}")

    def to_dict(self) -> dict:
        return asdict(self)


def gaussian_labels(forget_targets: Tensor, all_targets: Tensor, seed: int = 0) -> Tensor:
    """One seeded draw from N(mean, std²) of ``all_targets`` (std with ddof 1) per forget target."""
    if all_targets.numel() < 2:
        raise ValueError("all_targets must hold at least two values to estimate a standard deviation")
    values = all_targets.double().cpu()
    mean, std = float(values.mean()), float(values.std(unbiased=True))
    generator = torch.Generator().manual_seed(seed)
    return (mean + std * torch.randn(forget_targets.shape, generator=generator, dtype=torch.float64)).to(forget_targets.dtype)


def gaussian_finetune(model: nn.Module, *, forget: Data, retain: Data, config: GaussianConfig = GaussianConfig()) -> UnlearningResult:
    """Gaussian fine-tuning (Tarun et al., "Deep Regression Unlearning", ICML 2023): fine-tune a copy of
    ``model`` on D_r ∪ D_f with the forget targets replaced by one draw each from a Gaussian fitted to
    all targets (chapter 05, equation ``regression-gaussian``).

    Parameters
    ----------
    model : nn.Module
        The original regressor (not modified).
    forget : Split or RegressionData
        The forget set D_f; its targets are replaced.
    retain : Split or RegressionData
        The retain set D_r.
    config : GaussianConfig
        Epochs, batch size, rate, loss and the run's ``seed`` (required).

    Returns
    -------
    UnlearningResult
        The fine-tuned model, its wall time, ``extra["labels"]`` (the drawn targets) and ``extra["epochs"]``.
    """
    check_inputs(model, config, images=False)
    require_nonempty(forget, "forget")
    require_nonempty(retain, "retain")
    device = model_device(model)
    with stopwatch(device) as seconds:
        drawn = gaussian_labels(forget.y, torch.cat([forget.y.cpu(), retain.y.cpu()]), require_seed(config))
        mixed = join(forget.relabel(drawn, "forget_gaussian_labels"), retain, name="gaussian_mix")
        training = RegressorTraining(epochs=config.epochs, batch_size=config.batch_size, lr=config.lr, augment=config.augment)
        tuned = fit_regressor(working_copy(model), mixed, training, loss=config.loss, seed=require_seed(config), device=device)
    return UnlearningResult("gaussian_finetune", tuned, seconds(), {"labels": drawn, "epochs": config.epochs})


__all__ = ["GaussianConfig", "gaussian_finetune", "gaussian_labels"]
