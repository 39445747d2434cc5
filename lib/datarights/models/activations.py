"""Intermediate activations and the attention-transfer map, shared by GKT and Blindspot.

Zero-shot unlearning (gated knowledge transfer, the zero-shot repository's ``unlearn.py``) and
deep regression unlearning (Blindspot, the regression repository's ``unlearn.py``) both compare two
networks through the attention maps of Zagoruyko and Komodakis (ICLR 2017, eq. 2 with p = 2):

    A(a)_i = v_i / max(||v_i||_2, 1e-12),   v_i = flatten(mean over dim 1 of a_i²)

The activations are taken with forward hooks, so no model's ``forward`` has to return them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn

TwoD = Literal["authors", "fixed"]
TWO_D_MODES: tuple[str, ...] = ("authors", "fixed")


def default_layers(model: nn.Module) -> list[str]:
    """The layers whose activations the papers compare: every block of ``features`` (AllCNN's eight
    Conv–BN–ReLU blocks, the digits CNN's blocks) or the four stages of a ResNet."""
    features = getattr(model, "features", None)
    if isinstance(features, nn.Sequential):
        names = [f"features.{name}" for name, block in features.named_children() if isinstance(block, nn.Sequential)]
        if names:
            return names
    stages = [name for name in ("layer1", "layer2", "layer3", "layer4") if isinstance(getattr(model, name, None), nn.Module)]
    if stages:
        return stages
    raise ValueError(f"no default activation layers for {type(model).__name__}; pass layers= with names from model.named_modules()")


def _module(model: nn.Module, name: str) -> nn.Module:
    modules = dict(model.named_modules())
    if name not in modules or name == "":
        known = [n for n in modules if n][:20]
        raise ValueError(f"layers: model {type(model).__name__} has no module {name!r}; some of its modules: {known}")
    return modules[name]


@contextmanager
def capture(model: nn.Module, layers: Sequence[str]) -> Iterator[dict[str, Tensor]]:
    """Record the outputs of the named modules on every forward pass inside the block.

    The dict is filled (and overwritten) by each forward; for modules that return a tuple, such as
    ``nn.LSTM``, the first element (the output sequence) is kept. Gradients flow through the
    recorded tensors, so they can enter a loss.
    """
    if isinstance(layers, str) or len(layers) == 0:
        raise ValueError(f"layers must be a non-empty sequence of module names, got {layers!r}")
    recorded: dict[str, Tensor] = {}
    handles = []

    def hook_for(name: str):
        def hook(_module: nn.Module, _inputs: tuple, output) -> None:
            recorded[name] = output[0] if isinstance(output, tuple) else output
        return hook

    try:
        for name in layers:
            handles.append(_module(model, name).register_forward_hook(hook_for(name)))
        yield recorded
    finally:
        for handle in handles:
            handle.remove()


def attention_map(activation: Tensor, *, two_d: TwoD = "authors") -> Tensor:
    """Attention map per sample, shape (batch, positions): squared activation averaged over dim 1
    (channels of a conv map, time of an LSTM output), flattened, L2-normalised.

    For a 2-D activation (batch, features) the authors' code averages to one number per sample,
    whose normalised value is always 1, so the term vanishes (the regression repository's ``unlearn.py``);
    ``two_d="fixed"`` uses the normalised squared feature vector instead.
    """
    if two_d not in TWO_D_MODES:
        raise ValueError(f"two_d must be one of {TWO_D_MODES}, got {two_d!r}")
    if activation.ndim < 2:
        raise ValueError(f"activation must have a batch and at least one more dimension, got shape {tuple(activation.shape)}")
    squared = activation.float().pow(2)
    if activation.ndim == 2 and two_d == "fixed":
        pooled = squared
    else:
        pooled = squared.mean(dim=1).reshape(activation.shape[0], -1)
    return F.normalize(pooled, p=2, dim=1, eps=1e-12)


def attention_difference(student: Tensor, teacher: Tensor, *, two_d: TwoD = "authors") -> Tensor:
    """Mean over samples and map entries of (A(student) − A(teacher))²: the attention-transfer loss of one layer."""
    if student.shape[0] != teacher.shape[0]:
        raise ValueError(f"student and teacher activations have different batch sizes: {student.shape[0]} vs {teacher.shape[0]}")
    return (attention_map(student, two_d=two_d) - attention_map(teacher, two_d=two_d)).pow(2).mean()


def attention_loss(student: dict[str, Tensor], teacher: dict[str, Tensor], *, two_d: TwoD = "authors") -> Tensor:
    """Sum over layers of :func:`attention_difference`, each layer weighted equally (as in both repositories)."""
    missing = sorted(set(student) ^ set(teacher))
    if missing:
        raise ValueError(f"student and teacher activations cover different layers: {missing}")
    if not student:
        raise ValueError("no activations were recorded: did the forward pass run inside capture()?")
    return torch.stack([attention_difference(student[name], teacher[name], two_d=two_d) for name in student]).sum()
