"""Bad teaching: unlearning by distillation from a competent and an incompetent teacher
(Chundawat, Tarun, Mandal, Kankanhalli, "Can Bad Teaching Induce Forgetting?", AAAI 2023; bad-teaching `unlearn.py`).

The student starts as a copy of the original model M_o. For every sample x of the forget set
(l_u = 1) and of a random subset of the retain set (l_u = 0), the target distribution is

    t(x) = l_u · softmax(T_d(x)/τ) + (1 − l_u) · softmax(T_s(x)/τ),                      (bad-teaching `unlearn.py`)

with T_s = M_o the frozen *competent* teacher and T_d a frozen, randomly initialised network of
the same architecture, the *incompetent* teacher that knows nothing. The student minimises
KL(t ‖ softmax(S(x)/τ)): it keeps imitating M_o on retain data and learns to answer like a
know-nothing network on forget data. Labels are never used.

The authors' code uses PyTorch's default ``kl_div`` reduction ``"mean"`` (the summed KL divided by
batch × classes); the textbook ``"batchmean"`` divides by the batch only, so its gradients are C
times larger. Both are offered (``kl_reduction``); the default is the authors'.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from datarights.data.tensors import Split, concat
from datarights.models import reinitialize
from datarights.seeds import require_seed, sub_seed
from datarights.train import autocast, evaluating, model_device, to_device
from datarights.unlearning.base import (
    UnlearningResult,
    check_inputs,
    require_nonempty,
    stopwatch,
    working_copy,
)

KLReduction = Literal["mean", "batchmean"]
Incompetent = Literal["random", "uniform"]


@dataclass(frozen=True)
class BadTeacherConfig:
    """Settings of the authors' notebook (bad-teaching `unlearn.py`): a random 30% of D_r, 1 epoch of Adam at 1e-4,
    batch 256, temperature 1, ``kl_div`` reduction ``"mean"``, student in train mode.

    ``incompetent="uniform"`` replaces the random network by the uniform distribution (an ablation);
    the random network is seeded with ``sub_seed(seed, "incompetent")``, which ZRF must reuse.
    """

    retain_fraction: float = 0.3
    epochs: int = 1
    lr: float = 1e-4
    batch_size: int = 256
    temperature: float = 1.0
    kl_reduction: KLReduction = "mean"
    incompetent: Incompetent = "random"
    student_mode: Literal["train", "eval"] = "train"
    seed: int | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.retain_fraction <= 1.0:
            raise ValueError(f"retain_fraction must be in [0, 1], got {self.retain_fraction}")
        if self.temperature <= 0:
            raise ValueError(f"temperature must be positive, got {self.temperature}")
        if self.kl_reduction not in ("mean", "batchmean"):
            raise ValueError(f"kl_reduction must be 'mean' (authors' code) or 'batchmean', got {self.kl_reduction!r}")
        if self.incompetent not in ("random", "uniform"):
            raise ValueError(f"incompetent must be 'random' or 'uniform', got {self.incompetent!r}")
        if self.student_mode not in ("train", "eval"):
            raise ValueError(f"student_mode must be 'train' or 'eval', got {self.student_mode!r}")
        if self.epochs < 1 or self.batch_size < 1 or self.lr <= 0:
            raise ValueError(f"epochs and batch_size must be at least 1 and lr positive, got {self.epochs}, "
                             f"{self.batch_size}, {self.lr}")

    def to_dict(self) -> dict:
        return asdict(self)


def distillation_targets(competent: Tensor, incompetent: Tensor, is_forget: Tensor) -> Tensor:
    """Per sample, the incompetent teacher's distribution for forget samples, the competent one's otherwise."""
    return torch.where(is_forget.view(-1, 1).bool(), incompetent, competent)


def distillation_loss(log_student: Tensor, target: Tensor, reduction: KLReduction = "mean") -> Tensor:
    """KL(target ‖ student) summed over the batch, divided by batch × classes (``"mean"``, the authors'
    ``F.kl_div`` default) or by the batch (``"batchmean"``). Written out because PyTorch announces
    that its ``"mean"`` will change meaning."""
    total = F.kl_div(log_student, target, reduction="sum")
    return total / (target.numel() if reduction == "mean" else target.shape[0])


def incompetent_teacher(model: nn.Module, seed: int) -> nn.Module:
    """A frozen, freshly initialised network of ``model``'s architecture (the "know-nothing" teacher T_d)."""
    teacher = reinitialize(working_copy(model), seed=seed).eval()
    for p in teacher.parameters():
        p.requires_grad_(False)
    return teacher


def _random_subset(split: Split, fraction: float, generator: torch.Generator) -> Split:
    keep = torch.randperm(len(split), generator=generator)[: int(round(fraction * len(split)))]
    return split.subset(keep.sort().values, "retain_subset")


def bad_teacher(model: nn.Module, *, forget: Split, retain: Split,
                config: BadTeacherConfig = BadTeacherConfig()) -> UnlearningResult:
    """Bad teaching (Chundawat et al., "Can Bad Teaching Induce Forgetting?", AAAI 2023): distil a copy of
    ``model`` from itself on a retain subset and from an incompetent (random) teacher on ``forget``
    (chapter 03, equations ``bt-target`` and ``bt-loss``).

    Parameters
    ----------
    model : nn.Module
        The original classifier, the competent teacher (not modified).
    forget : Split
        The forget set D_f.
    retain : Split
        The retain set D_r, of which ``config.retain_fraction`` is drawn.
    config : BadTeacherConfig
        Distillation settings, the incompetent teacher and the run's ``seed`` (required); the random
        teacher is seeded with ``sub_seed(seed, "incompetent")``.

    Returns
    -------
    UnlearningResult
        The student and its wall time; ``extra["incompetent"]`` is the random teacher (None for the
        uniform ablation), against which ZRF should be measured, ``extra["n_retain_used"]`` the size
        of the retain subset.
    """
    check_inputs(model, config, forget=forget, retain=retain)
    require_nonempty(forget, "forget")
    if config.retain_fraction > 0:
        require_nonempty(retain, "retain")
    device = model_device(model)
    generator = torch.Generator().manual_seed(require_seed(config))
    with stopwatch(device) as seconds:
        subset = _random_subset(retain, config.retain_fraction, generator)
        tagged = concat(forget.relabel(torch.ones_like(forget.y), "forget"),
                        subset.relabel(torch.zeros_like(subset.y), "retain"), name="bad_teacher")
        competent = model
        bad = incompetent_teacher(model, sub_seed(require_seed(config), "incompetent")) if config.incompetent == "random" else None
        student = to_device(working_copy(model), device)
        optimizer = torch.optim.Adam(student.parameters(), lr=config.lr)
        tau = config.temperature
        student.train(config.student_mode == "train")
        for _ in range(config.epochs):
            for xb, is_forget in tagged.batches(config.batch_size, shuffle=True, generator=generator, device=device):
                with torch.no_grad(), evaluating(competent), autocast(device):
                    p_competent = F.softmax(competent(xb).float() / tau, dim=1)
                    p_incompetent = (F.softmax(bad(xb).float() / tau, dim=1) if bad is not None
                                     else torch.full_like(p_competent, 1.0 / p_competent.shape[1]))
                target = distillation_targets(p_competent, p_incompetent, is_forget)
                with autocast(device):
                    log_student = F.log_softmax(student(xb).float() / tau, dim=1)
                loss = distillation_loss(log_student, target, config.kl_reduction)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
    return UnlearningResult("bad_teacher", student.eval(), seconds(),
                            {"incompetent": bad, "n_retain_used": len(subset), "n_forget": len(forget)})
