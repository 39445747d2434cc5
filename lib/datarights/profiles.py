"""The three profiles every chapter runs under, and the one lookup of a setting by profile.

| profile | where | data | budget |
|---|---|---|---|
| ``smoke`` | the test suite | tiny per-class slices of bundled data | under a minute per chapter on 2 CPU cores |
| ``quick`` | a laptop, the default without a GPU | laptop-scale data | minutes per chapter on 2 CPU cores |
| ``full`` | a GPU, the default with one | the papers' datasets at the papers' settings | GPU leases (see the running page) |
| ``dry`` | CI's check of the GPU runner | the full profile's plan on tiny slices of the same data | minutes on 2 CPU cores |

This module is deliberately light (no torch, no numpy): the CLI lists profiles without loading the
deep-learning stack. Every setting lives in :mod:`datarights.settings`, one module per chapter plus
:mod:`datarights.settings.common` for what the unlearning chapters share, and is looked up by
profile name through :func:`select`, so there is one lookup and one error message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from datarights.settings.common import Profile

PROFILE_NAMES = ("smoke", "quick", "full", "dry")
DESCRIPTIONS: dict[str, str] = {
    "smoke": "the test suite: tiny slices of bundled data, under a minute per chapter on 2 CPU cores",
    "quick": "a laptop or a course (the default without a GPU): laptop-scale data, minutes per chapter on 2 CPU cores",
    "full": "the GPU machine (the default with CUDA): the papers' datasets at full size and networks (results only where a GPU run has produced them)",
    "dry": "the full profile's plan at toy scale (tiny slices of the same datasets, one epoch), to check the GPU runner on a CPU",
}
T = TypeVar("T")


def check(name: object) -> str:
    """``name`` if it is a profile name, else a ``ValueError`` naming the argument and the known names."""
    if not isinstance(name, str) or name not in PROFILE_NAMES:
        raise ValueError(f"unknown profile={name!r}; known profiles: {list(PROFILE_NAMES)}")
    return name


def select(table: Mapping[str, T], profile: object) -> T:
    """The entry of a per-profile settings ``table`` for ``profile`` (every settings module's one lookup)."""
    return table[check(profile)]


def get(name: str | Profile) -> Profile:
    """The shared data/model/training settings of the profile called ``name``."""
    from datarights.settings.common import PROFILES, Profile

    if isinstance(name, Profile):
        return name
    return select(PROFILES, name)


def default_profile() -> str:
    """``full`` where CUDA is available, ``quick`` elsewhere."""
    import torch

    return "full" if torch.cuda.is_available() else "quick"
