"""The three profiles every chapter runs under, defined in this one place.

| profile | where | data | budget |
|---|---|---|---|
| ``smoke`` | the test suite | tiny per-class slices of bundled data | under a minute per chapter on 2 CPU cores |
| ``quick`` | a laptop, the default without a GPU | bundled data (scikit-learn's digits) | minutes for the whole book on 2 CPU cores |
| ``full`` | a GPU, the default with one | the papers' datasets (CIFAR-10) at the papers' settings | well under an hour for the book |

Chapters read sizes and settings from here (``get(profile).…``) and never hard-code them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

import torch

from datarights.metrics.relearn import RelearnConfig
from datarights.train import TrainConfig
from datarights.unlearning import FinetuneConfig, NegGradConfig, RandomLabelsConfig, UNSIRConfig

PROFILE_NAMES = ("smoke", "quick", "full")


@dataclass(frozen=True)
class Profile:
    """Everything that changes between a smoke test, a laptop run and a GPU run."""

    name: str
    description: str
    dataset: str
    model: str
    train: TrainConfig
    forget_class: int
    finetune: FinetuneConfig
    neggrad: NegGradConfig
    random_labels: RandomLabelsConfig
    relearn: RelearnConfig = field(default_factory=RelearnConfig)
    train_per_class: int | None = None
    test_per_class: int | None = None
    svc_max_samples: int | None = None
    requires_gpu: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


# Quick/smoke: 8×8 digits have ~125 training images per class, so the CIFAR recipes' few hundred
# optimiser steps become a few dozen; the batch sizes below keep the *number of steps* of each
# baseline comparable to the papers' settings instead of copying their batch size.
_DIGITS_TRAIN = TrainConfig(epochs=30, batch_size=64, optimizer="adam", lr=3e-3, weight_decay=0.0, schedule="onecycle")
_DIGITS_BASELINES = dict(
    finetune=FinetuneConfig(TrainConfig(epochs=5, batch_size=32, optimizer="sgd", lr=0.02, schedule="constant")),
    neggrad=NegGradConfig(TrainConfig(epochs=1, batch_size=16, optimizer="sgd", lr=0.002, weight_decay=0.0, schedule="constant")),
    random_labels=RandomLabelsConfig(TrainConfig(epochs=3, batch_size=32, optimizer="adam", lr=1e-4, weight_decay=0.0, schedule="constant")),
)

PROFILES: dict[str, Profile] = {
    "quick": Profile(
        name="quick",
        description="scikit-learn digits (8×8, 1,257 train / 540 test), small CNN, CPU minutes",
        dataset="digits",
        model="digits_cnn",
        train=_DIGITS_TRAIN,
        forget_class=0,
        relearn=RelearnConfig(batch_size=32),
        **_DIGITS_BASELINES,
    ),
    "full": Profile(
        name="full",
        description="CIFAR-10 (50,000 train / 10,000 test), ResNet-18 (CIFAR stem), one GPU",
        dataset="cifar10",
        model="resnet18",
        # Not the authors' recipe (torchvision ResNet-18, no augmentation, 40 epochs of Adam: 77%, spec 1.3):
        # the standard CIFAR recipe that reaches ~93% in a few GPU minutes, as the peer benchmarks use.
        train=TrainConfig(epochs=30, batch_size=512, optimizer="sgd", lr=0.2, momentum=0.9, weight_decay=5e-4,
                          schedule="onecycle", label_smoothing=0.0, augment="crop_flip"),
        forget_class=0,
        finetune=FinetuneConfig(),
        neggrad=NegGradConfig(),
        random_labels=RandomLabelsConfig(),
        svc_max_samples=20_000,
        requires_gpu=True,
    ),
}
PROFILES["smoke"] = replace(
    PROFILES["quick"],
    name="smoke",
    description="tiny slice of scikit-learn digits (30 train / 10 test images per class), for the test suite",
    train=replace(_DIGITS_TRAIN, epochs=8),
    train_per_class=30,
    test_per_class=10,
)


def get(name: str) -> Profile:
    """The profile called ``name`` (``smoke``, ``quick`` or ``full``)."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown profile={name!r}; known profiles: {list(PROFILE_NAMES)}") from None


def default_profile() -> str:
    """``full`` where CUDA is available, ``quick`` elsewhere."""
    return "full" if torch.cuda.is_available() else "quick"


@dataclass(frozen=True)
class UNSIRStudy:
    """What the UNSIR chapter runs under a profile: the method's settings and the experiment grid.

    ``classes``: the single-class requests (each forgotten in turn, mean ± std over them);
    ``multi_class``: the multi-class requests (2, 4 and 7 classes, the third-party reading of the
    paper's sets, spec 1.1); ``notebook_pair``: the authors' notebook request (airplane, bird);
    the sensitivity grids multiply the impair learning rate, set the retain subset size and λ,
    each on ``sensitivity_classes``. ``notebook_recipe``: also train the notebook's model
    (torchvision ResNet-18, ImageNet stem, 40 epochs of Adam, no augmentation) for the comparison.
    """

    config: UNSIRConfig
    classes: tuple[int, ...]
    multi_class: tuple[tuple[int, ...], ...] = ((1, 2), (3, 4, 5, 6), (3, 4, 5, 6, 7, 8, 9))
    notebook_pair: tuple[int, ...] = (0, 2)
    sensitivity_classes: tuple[int, ...] = (0, 3, 8)
    impair_lr_factors: tuple[float, ...] = (0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
    retain_per_class: tuple[int, ...] = (10, 25, 50, 100)
    noise_penalties: tuple[float, ...] = (0.0, 0.01, 0.1, 1.0, 10.0)
    notebook_recipe: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


def _adam_epoch(lr: float, batch_size: int) -> TrainConfig:
    return TrainConfig(epochs=1, batch_size=batch_size, optimizer="adam", lr=lr, weight_decay=0.0, schedule="constant")


# Digits: ~125 training images per class, so the paper's 1,000 per class becomes 50 (40%) and the
# 256 noise images per class become 64 in 3 copies (~30% of the impair set, the paper's ~36%).
# Batch 32 gives about the paper's number of impair steps. Adam at 0.02 (the paper's CIFAR rate)
# wipes this small CNN out in a few steps; the rates below are the largest at which impairing
# *without* noise does not forget on its own, so the noise's contribution can be seen (the chapter's
# sensitivity experiment shows the whole range, including the paper's).
_DIGITS_UNSIR = UNSIRConfig(noise_images=64, noise_copies=3, retain_per_class=50,
                            impair=_adam_epoch(0.002, 32), repair=_adam_epoch(0.001, 32))

UNSIR_STUDIES: dict[str, UNSIRStudy] = {
    "quick": UNSIRStudy(_DIGITS_UNSIR, classes=tuple(range(10))),
    "smoke": UNSIRStudy(replace(_DIGITS_UNSIR, noise_images=16, noise_steps=10, retain_per_class=20), classes=(0, 1),
                        multi_class=((1, 2),), sensitivity_classes=(0,), impair_lr_factors=(1.0, 10.0),
                        retain_per_class=(10, 20), noise_penalties=(0.1, 10.0)),
    # The paper's settings (spec 1.4): 256 noise images per class in 20 copies, 1,000 retain images per class.
    "full": UNSIRStudy(UNSIRConfig(), classes=tuple(range(10)), retain_per_class=(100, 250, 500, 1000, 2500),
                       impair_lr_factors=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5), notebook_recipe=True),
}

# The UNSIR notebook's own model and recipe (spec 1.3), for the comparison with its printed numbers:
# torchvision ResNet-18 with the ImageNet stem, no augmentation, 40 epochs of Adam (0.01, weight
# decay 1e-4, gradient values clipped at 0.1). The notebook halves the rate on plateaus of the
# *test* loss; a cosine schedule stands in for it so that no test data steer training.
UNSIR_NOTEBOOK_PROFILE = replace(
    PROFILES["full"], name="full-unsir-notebook",
    description="CIFAR-10, torchvision ResNet-18 (ImageNet stem), the UNSIR notebook's recipe",
    model="resnet18_imagenet_stem",
    train=TrainConfig(epochs=40, batch_size=256, optimizer="adam", lr=0.01, weight_decay=1e-4, schedule="cosine",
                      grad_clip_value=0.1, augment=None),
)


def unsir_study(name: str) -> UNSIRStudy:
    """The UNSIR chapter's settings under profile ``name``."""
    get(name)
    return UNSIR_STUDIES[name]
