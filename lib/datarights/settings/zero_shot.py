"""Settings of the zero-shot chapter (04): GKT, EMMN, the data-using methods it is compared with, the grids."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

from datarights.metrics.inversion import InversionConfig
from datarights.profiles import select
from datarights.reported import last_checkpoint_before_forget_returns
from datarights.settings import bad_teacher as bad_teacher_settings
from datarights.settings import unsir as unsir_settings
from datarights.settings.common import PROFILES, ZERO_SHOT_QUICK, Profile, adam, dry, shrink, variant
from datarights.unlearning import BadTeacherConfig, EMMNConfig, GKTConfig, UNSIRConfig


@dataclass(frozen=True)
class ZeroShotStudy:
    """What the zero-shot chapter runs under a profile.

    ``profiles``: the data/model settings; the first is the main one (experiments 1 and 3–5), the
    others add rows to the comparison (experiment 2, seed ``seeds[0]`` only). ``gkt``: the GKT
    settings of the comparison (its ``variant`` is set per method). ``ablation_pseudo_batches``:
    length of each ablation run. ``alphas``: the α of AIN examined; ``relearn_data``: the relearning
    data examined at the default α. ``curve_steps``: optimiser steps of the relearn curves.
    ``plateau_pseudo_batches``: length of one longer GKT run (first seed, strict) whose trajectory
    shows whether the budget ``gkt.pseudo_batches`` is past the plateau of the student's retain accuracy.
    """

    gkt: GKTConfig
    emmn: EMMNConfig
    unsir: UNSIRConfig
    bad_teacher: BadTeacherConfig
    profiles: tuple[Profile, ...]
    seeds: tuple[int, ...] = (0, 1, 2)
    forget_class: int = 0
    two_classes: tuple[int, ...] = (0, 1)
    thresholds: tuple[float | None, ...] = (0.001, 0.01, 0.1, None)
    betas: tuple[float, ...] = (0.0, 25.0, 250.0)
    ablation_pseudo_batches: int = 1000
    plateau_pseudo_batches: int | None = None
    alphas: tuple[float, ...] = (0.01, 0.05, 0.1, 0.2)
    relearn_data: tuple[str, ...] = ("forget_train", "full_train")
    curve_steps: int = 40
    inversion: InversionConfig = field(default_factory=InversionConfig)

    def to_dict(self) -> dict:
        return asdict(self)


# Quick: MNIST at 14×14, standardised (``ZERO_SHOT_QUICK``: why, and what GKT reached on other forms of
# MNIST, in settings.common). GKT runs 300 pseudo-batches of 128 instead of 4,000 of 256; with 13× fewer
# student updates the student's Adam rate is raised from 1e-3 to 1e-2, and the generator is 32 channels
# wide instead of 128 (its convolutions cost 16× less). 300, because a 400-pseudo-batch run of 200 (seed 0,
# 2026-12-02) was still rising at 200 (mean retain accuracy 82 % over 100–200, 95 % over 200–400) and level
# from about 260; its forget class came back after about 340 (18 % at 340, 60 % at 360; the authors' notebook
# shows the same after about 800). Whether 300 is past the plateau is checked on a 450-pseudo-batch run
# (``plateau_pseudo_batches``, rule: experiments.zero_shot.Plateau) and said on the page.
# EMMN, UNSIR and the bad teacher use the quick profile's MNIST rates and sizes, EMMN's noise replacing
# UNSIR's retain sample. Smoke keeps scikit-learn's 8×8 digits.
# Full: the last logged checkpoint of the authors' notebook before its forgotten class starts to return (750: Df 0 %
# and Dr 94.8 % there, Df 6 % at 800, 53 % at 850; shown in chapter 04), one of the fixed rules the papers' record
# suggests a reproduction state. 750 instead of 4,000 cuts the full profile's GKT work by 81 %.
FULL_GKT_BUDGET = last_checkpoint_before_forget_returns()
_SMALL_GKT = GKTConfig(variant="strict", pseudo_batches=300, batch_size=128, student_lr=1e-2, eval_every=20, generator_width=32)
_SMALL_UNSIR = unsir_settings.settings("quick").config
_SMALL_EMMN = EMMNConfig(noise_images=_SMALL_UNSIR.noise_images, noise_copies=_SMALL_UNSIR.noise_copies,
                         impair=_SMALL_UNSIR.impair, repair=_SMALL_UNSIR.repair)
_DIGITS_GKT = replace(_SMALL_GKT, pseudo_batches=6, batch_size=32, eval_every=3)
_DIGITS_EMMN = EMMNConfig(noise_images=8, noise_copies=3, noise_steps=5, impair=adam(1, 32, 0.002), repair=adam(1, 32, 0.001))

STUDIES: dict[str, ZeroShotStudy] = {
    "quick": ZeroShotStudy(_SMALL_GKT, _SMALL_EMMN, _SMALL_UNSIR, bad_teacher_settings.settings("quick").config, profiles=(ZERO_SHOT_QUICK,),
                           ablation_pseudo_batches=100, plateau_pseudo_batches=450, curve_steps=40, inversion=InversionConfig(steps=150)),
    "smoke": ZeroShotStudy(_DIGITS_GKT, _DIGITS_EMMN, replace(unsir_settings.DIGITS_UNSIR, noise_images=8, noise_steps=5),
                           bad_teacher_settings.DIGITS_CONFIG, profiles=(PROFILES["smoke"],), seeds=(0, 1), thresholds=(0.01, None), betas=(0.0, 250.0),
                           ablation_pseudo_batches=3, plateau_pseudo_batches=12, alphas=(0.05, 0.2), curve_steps=5, inversion=InversionConfig(steps=10, restarts=2)),
    # The authors' settings (their MNIST notebook): pseudo-batches of 256, Adam 1e-3, β 250, gate 0.01, trajectory every 50.
    # Stopping rule, stated before any full run: every GKT run stops at FULL_GKT_BUDGET pseudo-batches, except one run
    # (strict, first seed, MNIST) at the authors' 4,000, whose trajectory is set beside their notebook's and checks
    # the budget against the Plateau rule on the page.
    "full": ZeroShotStudy(GKTConfig(variant="strict", pseudo_batches=FULL_GKT_BUDGET), EMMNConfig(), unsir_settings.settings("full").config,
                          bad_teacher_settings.settings("full").config,
                          profiles=(variant("zero-shot-mnist"), variant("zero-shot-cifar10-allcnn"), PROFILES["full"]),
                          ablation_pseudo_batches=FULL_GKT_BUDGET, plateau_pseudo_batches=GKTConfig().pseudo_batches,
                          curve_steps=100, inversion=InversionConfig(steps=300)),
}

_FULL = STUDIES["full"]
STUDIES["dry"] = replace(_FULL, gkt=shrink(_FULL.gkt), emmn=shrink(_FULL.emmn), unsir=shrink(_FULL.unsir), bad_teacher=shrink(_FULL.bad_teacher),
                         profiles=(dry(variant("zero-shot-mnist")), dry(variant("zero-shot-cifar10-allcnn")), PROFILES["dry"]),
                         seeds=(0,), thresholds=(0.01,), betas=(250.0,), ablation_pseudo_batches=2, plateau_pseudo_batches=3, alphas=(0.05,),
                         curve_steps=2,
                         inversion=shrink(_FULL.inversion))


def settings(profile: str) -> ZeroShotStudy:
    """The zero-shot chapter's settings under ``profile`` (``smoke``, ``quick`` or ``full``)."""
    return select(STUDIES, profile)


def method_config(method: str, profile: str) -> GKTConfig | EMMNConfig:
    """The settings another chapter (the head-to-head comparison) uses for a zero-shot method under
    ``profile``: this chapter's, with GKT in its strict variant (no real data anywhere)."""
    study = settings(profile)
    if method == "gkt":
        return replace(study.gkt, variant="strict")
    if method == "emmn":
        return study.emmn
    raise ValueError(f"unknown zero-shot method={method!r}; known: ['gkt', 'emmn']")
