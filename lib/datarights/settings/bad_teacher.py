"""Settings of the bad-teaching chapter (03): the bad teacher's settings, the requests and the ablation grids."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from datarights.data import ForgetRequest
from datarights.profiles import select
from datarights.settings.common import MIA_ATTACKS, shrink
from datarights.unlearning import BadTeacherConfig


@dataclass(frozen=True)
class BadTeacherStudy:
    """What the bad-teaching chapter runs under a profile.

    ``config``: the bad teacher's settings (the authors' notebook on CIFAR; on the laptop-scale data a
    smaller batch so that one epoch takes about the authors' 60–70 optimiser steps).
    ``classes``: full-class requests (each in turn); ``subclasses``: (grouping, fine class) requests
    (on the profile's dataset, or on its sub-class twin, ``settings.common.SUBCLASS_PROFILES``); ``cifar100_subclasses``: fine classes of CIFAR-100 forgotten under its
    20 superclasses when CIFAR-100 is present (the paper's five: rocket, mushroom, baby, lamp, sea);
    ``random_fraction``: the random-subset request. The ablation grids vary one setting each on
    ``ablation_class``.
    """

    config: BadTeacherConfig
    classes: tuple[int, ...]
    subclasses: tuple[tuple[str, int], ...]
    random_fraction: float = 0.1
    cifar100_subclasses: tuple[int, ...] = ()
    ablation_class: int = 0
    retain_fractions: tuple[float, ...] = (0.0, 0.1, 0.3, 1.0)
    temperatures: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0)
    incompetents: tuple[str, ...] = ("random", "uniform")
    kl_reductions: tuple[str, ...] = ("mean", "batchmean")
    student_modes: tuple[str, ...] = ("train", "eval")
    mia_attacks: tuple[str, ...] = MIA_ATTACKS

    def to_dict(self) -> dict:
        return asdict(self)

    def requests(self) -> list[ForgetRequest]:
        """The requests on the profile's own dataset, in the chapter's order."""
        return ([ForgetRequest("class", classes=(c,)) for c in self.classes]
                + [ForgetRequest("subclass", classes=(fine,), superclasses=grouping) for grouping, fine in self.subclasses]
                + [ForgetRequest("random", fraction=self.random_fraction)])


# Quick: |D_f| = 500 plus 30 % of D_r (1,350) at batch 32 is 58 steps per epoch (the authors' CIFAR
# setting: 72). Smoke keeps batch 16 on its 30 images per class.
_SMALL_CONFIG = BadTeacherConfig(batch_size=32, lr=1e-3)
DIGITS_CONFIG = BadTeacherConfig(batch_size=16, lr=1e-3)
STUDIES: dict[str, BadTeacherStudy] = {
    "smoke": BadTeacherStudy(DIGITS_CONFIG, classes=(0,), subclasses=(("digits-parity", 8),), retain_fractions=(0.0, 0.3),
                             temperatures=(1.0, 4.0), kl_reductions=("mean",), student_modes=("train",), mia_attacks=("logistic",)),
    "quick": BadTeacherStudy(_SMALL_CONFIG, classes=(0, 3, 8), subclasses=(("cifar10-vehicles", 1), ("cifar10-vehicles", 8))),
    "full": BadTeacherStudy(BadTeacherConfig(), classes=(0, 3, 8), subclasses=(("cifar10-vehicles", 1), ("cifar10-vehicles", 8)),
                            cifar100_subclasses=(69, 51, 2, 40, 71), mia_attacks=("logistic",)),
}

STUDIES["dry"] = replace(STUDIES["full"], config=shrink(STUDIES["full"].config), classes=(0,), subclasses=(("cifar10-vehicles", 1),),
                         cifar100_subclasses=(), retain_fractions=(0.3,), temperatures=(1.0,), incompetents=("random",),
                         kl_reductions=("mean",), student_modes=("train",))


def settings(profile: str) -> BadTeacherStudy:
    """The bad-teaching chapter's settings under ``profile`` (``smoke``, ``quick`` or ``full``)."""
    return select(STUDIES, profile)
