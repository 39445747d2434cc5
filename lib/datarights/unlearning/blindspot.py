"""Blindspot unlearning (Tarun et al., ICML 2023; the authors' `unlearn.py`).

1. The blindspot model f_b: a freshly initialised copy of the architecture trained for a few
   epochs on D_r only (Adam 0.01; 2 epochs for AgeDB, 10 with best-validation reload for STS-B),
   then frozen in eval mode (the authors' `unlearn.py`).
2. The unlearned model f_u starts from the original and is trained on D_f ∪ D_r (Adam 1e-3) with
   the batch-fraction weighted loss of the authors' `unlearn.py`, with m_i = 1 on forget samples:

       L = (n_f/n) · [ d(f_u(x_F), f_b(x_F)) + β Σ_l ATdiff_l(F) ] + (n_r/n) · d(f_u(x_R), y_R)

   where d is L1 or MSE and ATdiff_l the mean squared gap of the attention maps of layer l
   (``datarights.models.activations``, Zagoruyko–Komodakis), β = 50. f_u runs in train mode on the
   whole mixed batch (BatchNorm sees mixed statistics, the authors' `unlearn.py`); f_b runs in eval mode without gradients.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
from torch import Tensor, nn

from datarights.data.regression import Data, batch_at, join
from datarights.models import reinitialize
from datarights.models.activations import TWO_D_MODES, TwoD, attention_loss, capture
from datarights.models.regression import activation_layers
from datarights.seeds import require_seed, sub_seed
from datarights.train import (
    Loss,
    RegressorTraining,
    autocast,
    fit_regressor,
    loss_function,
    model_device,
)
from datarights.unlearning.base import (
    UnlearningResult,
    check_inputs,
    require_nonempty,
    stopwatch,
    working_copy,
)


@dataclass(frozen=True)
class BlindspotConfig:
    """Blindspot's settings; the defaults are the authors' AgeDB notebook.

    ``proxy``: training of the blindspot model on D_r (2 epochs of Adam 0.01, last epoch kept; the
    STS-B notebook uses 10 epochs and reloads the best-validation epoch, ``select_best=True`` with
    ``val`` passed). ``epochs``/``lr``/``batch_size``: the unlearning pass (1 epoch of Adam 1e-3,
    batch 256; 5 epochs for STS-B). ``beta``: weight of the attention term (50). ``loss``: d, L1 for
    ages, MSE for scores. ``two_d``: the 2-D activation quirk (``"authors"``: those layers add 0,
    the authors' `unlearn.py`; ``"fixed"``: the normalised squared feature vector). ``layers``: the modules whose
    activations enter the attention term (None: every layer the model names). ``reshuffle``: a new
    order every epoch (AgeDB) or one fixed seeded order (STS-B).
    """

    proxy: RegressorTraining = field(default_factory=lambda: RegressorTraining(epochs=2, select_best=False))
    epochs: int = 1
    lr: float = 1e-3
    batch_size: int = 256
    beta: float = 50.0
    loss: Loss = "l1"
    two_d: TwoD = "authors"
    layers: tuple[str, ...] | None = None
    reshuffle: bool = True
    augment: str | None = None
    seed: int | None = None

    def __post_init__(self) -> None:
        if self.epochs < 0 or self.lr <= 0 or self.batch_size < 1:
            raise ValueError(f"epochs must be ≥ 0, lr positive and batch_size ≥ 1, got {self}")
        if self.beta < 0:
            raise ValueError(f"beta must be non-negative, got {self.beta}")
        if self.two_d not in TWO_D_MODES:
            raise ValueError(f"two_d must be one of {TWO_D_MODES}, got {self.two_d!r}")
        if self.layers is not None and len(self.layers) == 0:
            raise ValueError("layers must name at least one module, or be None for every layer the model names")

    def to_dict(self) -> dict:
        return asdict(self)


def blindspot_model(model: nn.Module, retain: Data, config: BlindspotConfig = BlindspotConfig(), *, val: Data | None = None) -> nn.Module:
    """f_b: ``model``'s architecture freshly initialised, partially trained on ``retain``, frozen in eval mode (the authors' `unlearn.py`)."""
    proxy = reinitialize(working_copy(model), seed=sub_seed(require_seed(config), "proxy"))
    fit_regressor(proxy, retain, config.proxy, val=val, loss=config.loss, seed=require_seed(config), device=model_device(model))
    proxy.eval()
    for p in proxy.parameters():
        p.requires_grad_(False)
    return proxy


def blindspot_loss(student_out: Tensor, proxy_out: Tensor, y: Tensor, forget_mask: Tensor, student_acts: dict[str, Tensor],
                   proxy_acts: dict[str, Tensor], *, loss: Loss = "l1", beta: float = 50.0, two_d: TwoD = "authors") -> Tensor:
    """The batch loss of the authors' `unlearn.py` (equation ``regression-blindspot-loss`` of the regression chapter): forget samples pulled to f_b's outputs and attention maps, retain samples to their labels,
    weighted by their shares of the batch."""
    d = loss_function(loss)
    n = len(forget_mask)
    n_f = int(forget_mask.sum())
    total = student_out.new_zeros(())
    if n_f:
        forget_loss = d(student_out[forget_mask], proxy_out[forget_mask].reshape(student_out[forget_mask].shape))
        if beta:
            forget_loss = forget_loss + beta * attention_loss({k: v[forget_mask] for k, v in student_acts.items()},
                                                              {k: v[forget_mask] for k, v in proxy_acts.items()}, two_d=two_d)
        total = total + (n_f / n) * forget_loss
    if n_f < n:
        retain = ~forget_mask
        total = total + ((n - n_f) / n) * d(student_out[retain], y[retain])
    return total


def blindspot(model: nn.Module, *, forget: Data, retain: Data, config: BlindspotConfig = BlindspotConfig(),
              val: Data | None = None) -> UnlearningResult:
    """Blindspot unlearning (Tarun et al., "Deep Regression Unlearning", ICML 2023): a blindspot model
    trained on D_r alone guides a copy of ``model`` on the forget set, through the outputs and the
    attention maps of its layers (chapter 05, equations ``regression-blindspot-loss`` and
    ``regression-attention``).

    Parameters
    ----------
    model : nn.Module
        The original regressor (not modified).
    forget : Split or RegressionData
        The forget set D_f.
    retain : Split or RegressionData
        The retain set D_r.
    config : BlindspotConfig
        The blindspot model's training, the unlearning pass, β, the layers and the run's ``seed``
        (required); the blindspot model is initialised with ``sub_seed(seed, "proxy")``.
    val : Split or RegressionData, optional
        Only used to pick the blindspot model's best epoch when ``config.proxy.select_best``.

    Returns
    -------
    UnlearningResult
        The unlearned model and its wall time; ``extra`` holds the blindspot model (``proxy``), the
        seconds of its training and of the unlearning pass, and the loss after each unlearning step.
    """
    check_inputs(model, config, images=False)
    require_nonempty(forget, "forget")
    require_nonempty(retain, "retain")
    device = model_device(model)
    layers = list(config.layers) if config.layers is not None else activation_layers(model)
    data = join(forget, retain, name="forget_and_retain")
    is_forget = torch.cat([torch.ones(len(forget), dtype=torch.bool), torch.zeros(len(retain), dtype=torch.bool)])
    generator = torch.Generator().manual_seed(require_seed(config))
    with stopwatch(device) as total_seconds:
        with stopwatch(device) as proxy_seconds:
            proxy = blindspot_model(model, retain, config, val=val)
        student = working_copy(model)
        optimizer = torch.optim.Adam(student.parameters(), lr=config.lr)
        fixed_order = torch.randperm(len(data), generator=generator)
        losses: list[Tensor] = []  # read once at the end: no host-device wait per step
        for _ in range(config.epochs):
            order = torch.randperm(len(data), generator=generator) if config.reshuffle else fixed_order
            for start in range(0, len(data), config.batch_size):
                idx = order[start:start + config.batch_size]
                xb, yb = batch_at(data, idx, device=device, augment=config.augment, generator=generator)
                mask = is_forget[idx].to(device)
                student.train()
                with capture(student, layers) as student_acts, autocast(device):
                    student_out = student(xb)
                with torch.no_grad(), capture(proxy, layers) as proxy_acts, autocast(device):
                    proxy_out = proxy(xb)
                loss = blindspot_loss(student_out.float(), proxy_out.float(), yb, mask, dict(student_acts), dict(proxy_acts),
                                      loss=config.loss, beta=config.beta, two_d=config.two_d)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                losses.append(loss.detach())
        student.eval()
        losses = torch.stack(losses).tolist() if losses else []
    return UnlearningResult("blindspot", student, total_seconds(), {
        "proxy": proxy, "proxy_seconds": proxy_seconds(), "unlearn_seconds": total_seconds() - proxy_seconds(),
        "losses": losses, "layers": layers, "epochs": config.epochs, "proxy_epochs": config.proxy.epochs})
