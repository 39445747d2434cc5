"""Image data held as tensors, batched without per-image Python work.

Images are decoded once into ``uint8`` tensors of shape (N, C, H, W). A batch is
converted to float, scaled to [0, 1] and normalised on the device it lives on,
so a whole dataset can sit on the GPU and an epoch is a loop over index slices.
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

import torch
from torch import Tensor

Augment = str | None
AUGMENTATIONS = (None, "crop_flip")


@dataclass(frozen=True)
class Split:
    """A labelled set of images: ``x`` (uint8, N×C×H×W) and ``y`` (int64, N).

    ``mean`` and ``std`` are the per-channel normalisation constants in [0, 1]
    units; they travel with the data so every consumer normalises alike.
    ``name`` says which part of a dataset this is (``"forget_train"`` ...).
    """

    x: Tensor
    y: Tensor
    mean: tuple[float, ...]
    std: tuple[float, ...]
    name: str = "data"
    classes: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if self.x.dtype != torch.uint8 or self.x.ndim != 4:
            raise ValueError(f"Split {self.name!r}: x must be a uint8 tensor N×C×H×W, got {self.x.dtype} {tuple(self.x.shape)}")
        if self.y.ndim != 1 or len(self.y) != len(self.x):
            raise ValueError(f"Split {self.name!r}: y must be 1-D with one label per image ({len(self.x)}), got {tuple(self.y.shape)}")
        if len(self.mean) != self.x.shape[1] or len(self.std) != self.x.shape[1]:
            raise ValueError(f"Split {self.name!r}: mean/std need one value per channel ({self.x.shape[1]})")

    def __len__(self) -> int:
        return len(self.y)

    @property
    def device(self) -> torch.device:
        return self.x.device

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """(channels, height, width) of one image."""
        c, h, w = self.x.shape[1:]
        return int(c), int(h), int(w)

    def subset(self, index: Tensor | Sequence[int], name: str | None = None) -> Split:
        """The images at ``index`` (a boolean mask or integer positions)."""
        index = torch.as_tensor(index, device=self.y.device)
        return replace(self, x=self.x[index.to(self.x.device)], y=self.y[index], name=name or self.name)

    def relabel(self, y: Tensor, name: str | None = None) -> Split:
        """The same images with other labels (e.g. random labels for amnesiac unlearning)."""
        return replace(self, y=y.to(self.y.device), name=name or self.name)

    def to(self, device: torch.device | str) -> Split:
        return replace(self, x=self.x.to(device), y=self.y.to(device))

    def normalize(self, x: Tensor) -> Tensor:
        """uint8 images → normalised float32 on the same device."""
        mean, std = _normalisation(self.mean, self.std, x.device)
        return (x.float().div_(255.0) - mean) / std

    def batches(
        self,
        batch_size: int,
        *,
        shuffle: bool = False,
        generator: torch.Generator | None = None,
        augment: Augment = None,
        device: torch.device | str | None = None,
    ) -> Iterator[tuple[Tensor, Tensor]]:
        """Yield normalised (x, y) batches, optionally shuffled and augmented.

        ``augment="crop_flip"``: random 4-pixel-padded crop and horizontal flip,
        the usual CIFAR augmentation, applied to the whole batch at once.
        """
        _check_batch_size(batch_size)
        if augment not in AUGMENTATIONS:
            raise ValueError(f"augment must be one of {AUGMENTATIONS}, got {augment!r}")
        device = torch.device(device) if device is not None else self.device
        n = len(self)
        order = epoch_order(n, shuffle, generator, self.x.device)
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            xb = self.x[idx].to(device, non_blocking=True)
            yb = self.y[idx.to(self.y.device)].to(device, non_blocking=True)
            if augment == "crop_flip":
                xb = crop_flip(xb, generator=generator)
            yield self.normalize(xb), yb


@functools.lru_cache(maxsize=64)
def _normalisation(mean: tuple[float, ...], std: tuple[float, ...], device: torch.device) -> tuple[Tensor, Tensor]:
    """Per-channel constants as tensors on ``device``, made once (not copied to the device every batch)."""
    return (torch.tensor(mean, device=device).view(1, -1, 1, 1), torch.tensor(std, device=device).view(1, -1, 1, 1))


def draw_device(generator: torch.Generator | None, default: torch.device | str = "cpu") -> torch.device:
    """Where random numbers are drawn: on the generator's device (a CUDA generator draws on the GPU, so the host
    never waits for it), else on ``default``."""
    return generator.device if generator is not None else torch.device(default)


def epoch_order(n: int, shuffle: bool, generator: torch.Generator | None, device: torch.device | str) -> Tensor:
    """An epoch's sample order (a permutation drawn from ``generator``, or 0..n−1), moved to ``device`` once
    per epoch rather than once per batch."""
    if shuffle:
        order = torch.randperm(n, generator=generator, device=draw_device(generator))
    else:
        order = torch.arange(n)
    return order.to(device)


def _check_batch_size(batch_size: int) -> None:
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ValueError(f"batch_size must be an integer ≥ 1, got {batch_size!r}")


def crop_flip(x: Tensor, *, padding: int = 4, generator: torch.Generator | None = None) -> Tensor:
    """Random padded crop and horizontal flip of a uint8 batch, vectorised."""
    n, _, h, w = x.shape
    draw = dict(generator=generator, device=draw_device(generator, "cpu"))
    padded = torch.nn.functional.pad(x, (padding,) * 4)
    dy = torch.randint(0, 2 * padding + 1, (n,), **draw).to(x.device)
    dx = torch.randint(0, 2 * padding + 1, (n,), **draw).to(x.device)
    rows = (dy.view(n, 1) + torch.arange(h, device=x.device)).view(n, 1, h, 1)
    cols = (dx.view(n, 1) + torch.arange(w, device=x.device)).view(n, 1, 1, w)
    flip = (torch.rand(n, **draw) < 0.5).to(x.device).view(n, 1, 1, 1)
    cols = torch.where(flip, cols.flip(-1), cols)
    batch = torch.arange(n, device=x.device).view(n, 1, 1, 1)
    channels = torch.arange(x.shape[1], device=x.device).view(1, -1, 1, 1)
    return padded[batch, channels, rows, cols]


@dataclass(frozen=True)
class TensorData:
    """Already-normalised float inputs with labels, batched like a ``Split``.

    For training data that are not images on disk, such as UNSIR's learned noise mixed with
    normalised retain images; ``fit`` accepts it wherever it accepts a ``Split``.
    """

    x: Tensor
    y: Tensor
    name: str = "data"

    def __post_init__(self) -> None:
        if not self.x.is_floating_point() or self.y.ndim != 1 or len(self.y) != len(self.x):
            raise ValueError(f"TensorData {self.name!r}: x must be float with one label in y per row, "
                             f"got {self.x.dtype} {tuple(self.x.shape)} and y {tuple(self.y.shape)}")
        if not bool(torch.isfinite(self.x).all()):
            raise ValueError(f"TensorData {self.name!r}: x has {int((~torch.isfinite(self.x)).sum())} NaN or infinite "
                             "value(s); training on them would give NaN losses")

    def __len__(self) -> int:
        return len(self.y)

    def batches(self, batch_size: int, *, shuffle: bool = False, generator: torch.Generator | None = None,
                augment: Augment = None, device: torch.device | str | None = None) -> Iterator[tuple[Tensor, Tensor]]:
        """Yield (x, y) batches, optionally shuffled; ``augment`` must be None (the inputs are not images)."""
        if augment is not None:
            raise ValueError(f"TensorData {self.name!r} cannot be augmented (augment={augment!r}); use augment=None")
        _check_batch_size(batch_size)
        device = torch.device(device) if device is not None else self.x.device
        order = epoch_order(len(self), shuffle, generator, self.x.device)
        for start in range(0, len(self), batch_size):
            idx = order[start : start + batch_size]
            yield self.x[idx].to(device, non_blocking=True), self.y[idx.to(self.y.device)].to(device, non_blocking=True)

    @classmethod
    def from_split(cls, split: Split) -> TensorData:
        """The normalised images of ``split``."""
        return cls(split.normalize(split.x), split.y, split.name)


def concat(*splits: Split, name: str = "data") -> Split:
    """Concatenate splits that share normalisation (e.g. forget ∪ retain)."""
    if not splits:
        raise ValueError("concat needs at least one split")
    first = splits[0]
    for s in splits[1:]:
        if s.mean != first.mean or s.std != first.std or s.input_shape != first.input_shape:
            raise ValueError(f"cannot concatenate {first.name!r} and {s.name!r}: different image shape or normalisation")
    return replace(first, x=torch.cat([s.x for s in splits]), y=torch.cat([s.y for s in splits]), name=name)
