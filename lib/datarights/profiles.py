"""The profiles every chapter runs under, what each is for, and the one lookup of a setting by profile.

``USES`` says who runs each profile, on which data, at what cost: the one source of the profile
tables of the README and the book (``profile_table``; ``python -m datarights profiles --markdown``).

This module is deliberately light (no torch, no numpy): the CLI lists profiles without loading the
deep-learning stack. Every setting lives in :mod:`datarights.settings`, one module per chapter plus
:mod:`datarights.settings.common` for what the unlearning chapters share, and is looked up by
profile name through :func:`select`, so there is one lookup and one error message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from datarights.settings.common import Profile

PROFILE_NAMES = ("smoke", "quick", "full", "dry")


@dataclass(frozen=True)
class ProfileUse:
    """Who runs a profile (``where``), on which data, at what cost (``budget``). The counts in ``data`` are the
    settings' own (``tests/test_settings.py`` checks them against ``datarights.settings``)."""

    where: str
    data: str
    budget: str


USES: dict[str, ProfileUse] = {
    "smoke": ProfileUse("the test suite", "tiny per-class slices of scikit-learn's digits (bundled, no download)",
                        "under a minute per chapter on 2 CPU cores"),
    "quick": ProfileUse(
        "a laptop or a course; the default without a GPU",
        "real data at laptop scale from the data directory: MNIST, 500 training images per class (chapters 01–03, 06), "
        "at 14×14 and standardised in the zero-shot chapter (04), where GKT's student learns within CPU minutes; CIFAR-10 "
        "as vehicles vs animals for the sub-class requests (03, 06); UTKFace at 16 px, STS-B-DIR, diabetes and ETTh1/ETTh2 "
        "(05); the TabSynDex tables (07, 08)",
        "minutes per chapter on 2 CPU cores, as measured in `book/chapter_times.md` and `book/teaching_times.md`"),
    "full": ProfileUse("a GPU; the default with CUDA",
                       "the papers' datasets (CIFAR-10, MNIST, UTKFace, STS-B-DIR, ETT) at their settings",
                       "GPU hours, as planned in `book/plan_estimate.md`; results only where a GPU run has produced them"),
    "dry": ProfileUse("the test suite's check of the GPU runner",
                      "the full profile's plan on 10 training images per class of the same datasets, networks at 1/8 width",
                      "minutes on 2 CPU cores"),
}
DESCRIPTIONS: dict[str, str] = {name: f"{use.where}: {use.data}; {use.budget}" for name, use in USES.items()}


def profile_table() -> str:
    """The profiles as a Markdown table (the README's and the book's)."""
    rows = "\n".join(f"| `{name}` | {use.where} | {use.data} | {use.budget} |" for name, use in USES.items())
    return f"| profile | for | data | budget |\n|---|---|---|---|\n{rows}\n"
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
