"""The networks of the papers, built by name: ``build(name, num_classes, input_shape)``.

- ``resnet18``: ResNet-18 for 32×32 inputs (3×3 stride-1 stem, no max-pool), the
  CIFAR variant used by most unlearning benchmarks (torchvision's ResNet-18 with the stem swapped).
- ``resnet18_imagenet_stem``: torchvision's ResNet-18 as is, the UNSIR notebook's model.
- ``allcnn``: All-CNN as in the bad-teaching and zero-shot repositories (``model.py``, ``models.py``):
  eight Conv–BN–ReLU blocks, global average pool, linear head.
- ``small_cnn``: a LeNet-sized CNN for 28×28 and 32×32 images (the quick profile's model on MNIST
  and on the CIFAR-10 subset of the sub-class requests).
- ``digits_cnn``: a small CNN for scikit-learn's 8×8 digits (the smoke profile's model).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

InputShape = tuple[int, int, int]


def scaled_resnet18(num_classes: int, in_channels: int = 3, *, width: float = 1.0, cifar_stem: bool = True) -> nn.Module:
    """torchvision's ResNet-18 with every layer's channels multiplied by ``width`` (64·width … 512·width),
    module names unchanged. ``width=1`` is torchvision's network itself; smaller widths serve the ``dry``
    profile, which runs the full profile's code paths on a CPU. ``cifar_stem`` swaps the 7×7 stride-2 stem
    and max-pool for a 3×3 stride-1 stem (the CIFAR variant)."""
    from torchvision.models.resnet import BasicBlock, ResNet

    if not 0 < width <= 1:
        raise ValueError(f"width={width!r} must lie in (0, 1]")

    def scaled(planes: int) -> int:
        return max(4, int(round(planes * width)))

    class _ScaledResNet(ResNet):
        def _make_layer(self, block, planes, blocks, stride=1, dilate=False):  # noqa: ANN001, ANN202
            if planes == 64:  # layer1 starts from the (scaled) stem
                self.inplanes = scaled(64)
            return super()._make_layer(block, scaled(planes), blocks, stride, dilate)

    model = _ScaledResNet(BasicBlock, [2, 2, 2, 2], num_classes=num_classes) if width != 1 else None
    if model is None:
        from torchvision.models import resnet18 as tv_resnet18

        model = tv_resnet18(num_classes=num_classes)
    stem = scaled(64)
    if cifar_stem:
        model.conv1 = nn.Conv2d(in_channels, stem, kernel_size=3, stride=1, padding=1, bias=False)
        model.maxpool = nn.Identity()
    elif in_channels != 3 or width != 1:
        model.conv1 = nn.Conv2d(in_channels, stem, kernel_size=7, stride=2, padding=3, bias=False)
    if width != 1:
        model.bn1 = nn.BatchNorm2d(stem)
        model.fc = nn.Linear(scaled(512), num_classes)
    return model


def resnet18(num_classes: int, input_shape: InputShape = (3, 32, 32), *, width: float = 1.0) -> nn.Module:
    """ResNet-18 for 32×32 inputs: torchvision's, with a 3×3 stride-1 stem and no max-pool."""
    return scaled_resnet18(num_classes, input_shape[0], width=width, cifar_stem=True)


def resnet18_imagenet_stem(num_classes: int, input_shape: InputShape = (3, 32, 32), *, width: float = 1.0) -> nn.Module:
    """torchvision's ResNet-18 unchanged (7×7 stride-2 stem and max-pool), as the UNSIR notebook trains it on 32-px CIFAR."""
    return scaled_resnet18(num_classes, input_shape[0], width=width, cifar_stem=False)


def _conv_block(c_in: int, c_out: int, kernel: int = 3, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=kernel // 2, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


class AllCNN(nn.Module):
    """All-CNN (Springenberg et al. 2015) as coded by the authors (the bad-teaching repository's ``model.py``), any input size."""

    def __init__(self, num_classes: int, input_shape: InputShape = (3, 32, 32), width: float = 1.0, dropout: bool = False):
        super().__init__()
        a, b = int(96 * width), int(192 * width)
        blocks = [
            _conv_block(input_shape[0], a), _conv_block(a, a), _conv_block(a, b, stride=2),
            _conv_block(b, b), _conv_block(b, b), _conv_block(b, b, stride=2),
            _conv_block(b, b), _conv_block(b, b, kernel=1),
        ]
        if dropout:
            blocks.insert(3, nn.Dropout(0.5))
            blocks.insert(7, nn.Dropout(0.5))
        self.features = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(b, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.pool(self.features(x)), 1))


class _PooledCNN(nn.Module):
    """Conv–BN–ReLU ``features``, global average pool, linear head: the shape of the book's small CNNs."""

    def __init__(self, features: nn.Sequential, channels: int, num_classes: int):
        super().__init__()
        self.features = features
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.pool(self.features(x)), 1))


class DigitsCNN(_PooledCNN):
    """Three conv blocks and a linear head: ~100k parameters, trains on 8×8 digits in seconds on a CPU."""

    def __init__(self, num_classes: int, input_shape: InputShape = (1, 8, 8), width: int = 32):
        features = nn.Sequential(
            _conv_block(input_shape[0], width),
            _conv_block(width, 2 * width),
            nn.MaxPool2d(2),
            _conv_block(2 * width, 4 * width),
        )
        super().__init__(features, 4 * width, num_classes)


class SmallCNN(_PooledCNN):
    """Three Conv–BN–ReLU blocks with a 2×2 max-pool after each of the first two, a linear head.

    ~24k parameters at ``width=16``; a forward pass on a 28×28 image costs about as much as the
    digits CNN's on an 8×8 one (~2 MFLOP), so MNIST trains in CPU seconds per thousand images.
    """

    def __init__(self, num_classes: int, input_shape: InputShape = (1, 28, 28), width: int = 16):
        features = nn.Sequential(
            _conv_block(input_shape[0], width),
            nn.MaxPool2d(2),
            _conv_block(width, 2 * width),
            nn.MaxPool2d(2),
            _conv_block(2 * width, 4 * width),
        )
        super().__init__(features, 4 * width, num_classes)


BUILDERS: dict[str, Callable[..., nn.Module]] = {
    "resnet18": resnet18,
    "resnet18_imagenet_stem": resnet18_imagenet_stem,
    "allcnn": AllCNN,
    "digits_cnn": DigitsCNN,
    "small_cnn": SmallCNN,
}

# Regression networks (one output per target value, any input shape): see datarights.models.regression.
from datarights.models.regression import REGRESSION_BUILDERS  # noqa: E402

BUILDERS.update(REGRESSION_BUILDERS)


def build(name: str, num_classes: int, input_shape: InputShape, *, seed: int | None = None, **options) -> nn.Module:
    """A freshly initialised network; ``seed`` makes the initialisation reproducible.

    For the regression networks (``REGRESSION_BUILDERS``) ``num_classes`` is the number of outputs
    (1, or a forecast horizon) and ``input_shape`` may be any shape (tokens, time × features, features);
    ``options`` go to the builder (e.g. ``vocab_size`` of the sentence-pair LSTM).
    """
    if name not in BUILDERS:
        raise ValueError(f"unknown model name={name!r}; known models: {sorted(BUILDERS)}")
    regression = name in REGRESSION_BUILDERS
    if num_classes < (1 if regression else 2):
        raise ValueError(f"num_classes must be at least {1 if regression else 2}, got {num_classes}")
    if len(input_shape) != 3 and not regression:
        raise ValueError(f"input_shape must be (channels, height, width), got {input_shape}")
    if seed is None:
        return BUILDERS[name](num_classes, tuple(input_shape), **options)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return BUILDERS[name](num_classes, tuple(input_shape), **options)


def reinitialize(model: nn.Module, seed: int | None = None) -> nn.Module:
    """Reset every parameter of ``model`` in place to a fresh initialisation (same architecture)."""
    with torch.random.fork_rng(devices=[]):
        if seed is not None:
            torch.manual_seed(seed)
        for module in model.modules():
            if hasattr(module, "reset_parameters"):
                module.reset_parameters()
            if isinstance(module, nn.modules.batchnorm._BatchNorm):
                module.reset_running_stats()
    return model


def check_compatible(model: nn.Module, input_shape: InputShape, num_classes: int) -> None:
    """Raise a clear error if ``model`` cannot take images of ``input_shape`` or has the wrong output size."""
    from datarights.validation import output_shape

    shape = output_shape(model, input_shape)
    if shape != (num_classes,):
        raise ValueError(f"model outputs shape {shape}, but the data has {num_classes} classes")
