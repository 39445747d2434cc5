"""Model inversion: what a model still "imagines" for each class (zero-shot unlearning paper).

The paper evaluates its zero-shot methods against a model-inversion attack, whose procedure is not
published. This is the standard attack of that kind: for every class c, gradient
ascent on an input x to maximise the class score, with a smoothness prior,

    x_c = argmax_x  s_c(M(x)) − λ_tv · TV(x) − λ_2 · ‖x‖²,                 TV(x) = mean |∇_h x| + mean |∇_w x|,

batched over classes (one optimisation for all of them). ``s_c`` is the logit (``score="logit"``) or
the log-probability (``"log_softmax"``, which also pushes the other classes down).

Besides the pictures, one number: the **judge rate**, the fraction of inversions for the forgotten
class(es) that a judge model assigns to that class. The judge is a model that never learned from the
attacked model: the retrained model (which never saw the class, so it can only recognise real-looking
features of it by chance) or, better, a model trained on real data including the class. A high rate
means the attacked model still holds an image of the class that an independent observer recognises.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Literal

import torch
from torch import Tensor, nn

from datarights.seeds import require_seed
from datarights.train import evaluating, model_device
from datarights.validation import check_finite, check_int, check_number

Score = Literal["logit", "log_softmax"]


@dataclass(frozen=True)
class InversionConfig:
    """Gradient-ascent inversion settings (our choices; the paper's are not published)."""

    steps: int = 200
    lr: float = 0.05
    tv_weight: float = 0.1
    l2_weight: float = 0.01
    restarts: int = 4
    score: Score = "log_softmax"
    seed: int | None = None

    def __post_init__(self) -> None:
        for name in ("steps", "restarts"):
            check_int(getattr(self, name), name, minimum=1)
        check_number(self.lr, "lr", positive=True)
        check_number(self.tv_weight, "tv_weight", nonnegative=True)
        check_number(self.l2_weight, "l2_weight", nonnegative=True)
        if self.score not in ("logit", "log_softmax"):
            raise ValueError(f"score must be 'logit' or 'log_softmax', got {self.score!r}")

    def to_dict(self) -> dict:
        return asdict(self)


def total_variation(x: Tensor) -> Tensor:
    """Anisotropic total variation per image (mean absolute difference of neighbours), shape (N,)."""
    dh = (x[:, :, 1:, :] - x[:, :, :-1, :]).abs().flatten(1).mean(1)
    dw = (x[:, :, :, 1:] - x[:, :, :, :-1]).abs().flatten(1).mean(1)
    return dh + dw


def invert(model: nn.Module, input_shape: Sequence[int], classes: Sequence[int] | None = None,
           config: InversionConfig = InversionConfig()) -> Tensor:
    """Inverted inputs, shape (len(classes), restarts, C, H, W), in the model's normalised input space.

    All classes and restarts are optimised together as one batch; the model is in eval mode and is
    not changed (only the inputs receive gradients).
    """
    input_shape = tuple(int(v) for v in input_shape)
    if len(input_shape) != 3:
        raise ValueError(f"input_shape must be (channels, height, width), got {input_shape}")
    device = model_device(model)
    with evaluating(model), torch.no_grad():
        num_classes = int(model(torch.zeros(1, *input_shape, device=device)).shape[1])
    classes = list(range(num_classes)) if classes is None else [int(c) for c in classes]
    unknown = [c for c in classes if not 0 <= c < num_classes]
    if unknown or not classes:
        raise ValueError(f"classes must be a non-empty list within 0..{num_classes - 1}, got {classes}")
    generator = torch.Generator().manual_seed(require_seed(config))
    n = len(classes) * config.restarts
    x = (0.1 * torch.randn(n, *input_shape, generator=generator)).to(device).requires_grad_(True)
    target = torch.tensor(classes, device=device).repeat_interleave(config.restarts)
    optimizer = torch.optim.Adam([x], lr=config.lr)
    grads_before = [p.requires_grad for p in model.parameters()]
    with evaluating(model):
        model.requires_grad_(False)
        try:
            for _ in range(config.steps):
                out = model(x)
                scores = out.log_softmax(1) if config.score == "log_softmax" else out
                objective = scores.gather(1, target[:, None]).squeeze(1)
                loss = (-objective + config.tv_weight * total_variation(x) + config.l2_weight * x.pow(2).flatten(1).mean(1)).sum()
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
        finally:
            for p, flag in zip(model.parameters(), grads_before):
                p.requires_grad_(flag)
    return x.detach().view(len(classes), config.restarts, *input_shape)


@torch.no_grad()
def judge_rate(inversions: Tensor, judge: nn.Module, classes: Sequence[int]) -> float:
    """Fraction of ``inversions`` (classes × restarts × C × H × W) that ``judge`` assigns to their own class."""
    classes = [int(c) for c in classes]
    if inversions.ndim != 5 or inversions.shape[0] != len(classes):
        raise ValueError(f"inversions must be (len(classes), restarts, C, H, W), got {tuple(inversions.shape)} for classes {classes}")
    check_finite(inversions, "inversions")
    device = model_device(judge)
    flat = inversions.flatten(0, 1).to(device)
    with evaluating(judge):
        predicted = judge(flat).argmax(1).view(len(classes), -1).cpu()
    return float((predicted == torch.tensor(classes)[:, None]).float().mean())
