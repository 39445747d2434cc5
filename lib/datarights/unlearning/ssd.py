"""Selective Synaptic Dampening (Foster, Schoepf and Brintrup, "Fast Machine Unlearning Without
Retraining Through Selective Synaptic Dampening", AAAI 2024). Not one of the six papers: the book
uses it in the head-to-head chapter as a later method for perspective, published as an
improvement on bad teaching.

SSD needs no training. It estimates how important each parameter is to the forget set and to
the whole training set with the diagonal of the Fisher information (the mean squared gradient of
the loss, eq. 2 of the paper),

    I_D[i] = E_{B ⊂ D} (∂ℓ(B)/∂θ_i)²,     I_f[i] = E_{B ⊂ D_f} (∂ℓ(B)/∂θ_i)²,

selects the parameters far more important to the forget set than to all data,
I_f[i] > α · I_D[i], and dampens only those in proportion (eq. 3–4):

    θ_i ← β_i θ_i,    β_i = min(λ · I_D[i] / I_f[i], 1).

Every other parameter is left exactly as it was. The defaults α = 10, λ = 1 are the paper's for
ResNet-18 on CIFAR.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from datarights.data.tensors import Split, concat
from datarights.train import autocast, evaluating, model_device, to_device
from datarights.unlearning.base import (
    UnlearningResult,
    check_inputs,
    require_nonempty,
    stopwatch,
    working_copy,
)


@dataclass(frozen=True)
class SSDConfig:
    """α (``selection``, the paper's "selection weighting") and λ (``dampening``, its "dampening
    constant"); importances from mini-batch gradients of size ``batch_size`` with the model in
    eval mode, over D_f and over D = D_f ∪ D_r."""

    selection: float = 10.0
    dampening: float = 1.0
    batch_size: int = 256
    seed: int | None = None

    def __post_init__(self) -> None:
        if self.selection <= 0 or self.dampening <= 0:
            raise ValueError(f"selection (α) and dampening (λ) must be positive, got {self.selection} and {self.dampening}")
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {self.batch_size}")

    def to_dict(self) -> dict:
        return asdict(self)


def importance(model: nn.Module, data: Split, batch_size: int = 256) -> dict[str, Tensor]:
    """Diagonal Fisher information per parameter: the mean over mini-batches of the squared gradient
    of the cross-entropy (the SSD paper's eq. 2, as its code estimates it)."""
    require_nonempty(data, "data")
    device = model_device(model)
    params = {name: p for name, p in model.named_parameters() if p.requires_grad}
    total = {name: torch.zeros_like(p) for name, p in params.items()}
    batches = 0
    with evaluating(model):
        for xb, yb in data.batches(batch_size, device=device):
            model.zero_grad(set_to_none=True)
            with autocast(device):
                logits = model(xb).float()
            F.cross_entropy(logits, yb).backward()
            for name, p in params.items():
                if p.grad is not None:
                    total[name] += p.grad.detach().pow(2)
            batches += 1
    model.zero_grad(set_to_none=True)
    return {name: value / batches for name, value in total.items()}


def dampen(model: nn.Module, forget_importance: dict[str, Tensor], data_importance: dict[str, Tensor],
           selection: float, dampening: float) -> dict[str, int]:
    """Scale, in place, the parameters whose forget importance exceeds ``selection`` × their data
    importance by min(``dampening`` × data / forget importance, 1). Returns how many were selected per tensor."""
    selected: dict[str, int] = {}
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name not in forget_importance:
                continue
            forget, overall = forget_importance[name], data_importance[name]
            chosen = forget > selection * overall
            factor = (dampening * overall / forget.clamp_min(torch.finfo(forget.dtype).tiny)).clamp(max=1.0)
            p[chosen] = p[chosen] * factor[chosen].to(p.dtype)
            selected[name] = int(chosen.sum())
    return selected


def ssd(model: nn.Module, *, forget: Split, retain: Split, config: SSDConfig = SSDConfig()) -> UnlearningResult:
    """Selective Synaptic Dampening (Foster, Schoepf, Brintrup, AAAI 2024): dampen the parameters that matter
    far more to ``forget`` than to all training data (chapter 06; not a method of the book's papers).

    Parameters
    ----------
    model : nn.Module
        The original model (not modified).
    forget : Split
        The forget set D_f.
    retain : Split
        The retain set D_r; importances on all data use D_f ∪ D_r.
    config : SSDConfig
        Selection threshold α, dampening λ and batch size.

    Returns
    -------
    UnlearningResult
        The dampened model, its wall time, ``extra["selected"]`` (dampened parameters per tensor) and
        ``extra["fraction_selected"]`` (their share of all parameters).
    """
    check_inputs(model, config, forget=forget, retain=retain)
    require_nonempty(forget, "forget")
    require_nonempty(retain, "retain")
    device = model_device(model)
    with stopwatch(device) as seconds:
        unlearned = to_device(working_copy(model), device)
        forget_importance = importance(unlearned, forget, config.batch_size)
        data_importance = importance(unlearned, concat(forget, retain, name="train"), config.batch_size)
        selected = dampen(unlearned, forget_importance, data_importance, config.selection, config.dampening)
    n_params = sum(p.numel() for p in unlearned.parameters())
    return UnlearningResult("ssd", unlearned.eval(), seconds(),
                            {"selected": selected, "fraction_selected": sum(selected.values()) / n_params})
