"""Cached, configurable experiment runners that the chapters call.

Runners are imported on demand (``from datarights.experiments import unsir``), so a chapter
depends only on the runner it uses: a change to one chapter's runner leaves the others current.
"""

from __future__ import annotations

import importlib
from typing import Any

_RUNNERS = ("bad_teacher", "compare", "ecoval", "foundations", "measure", "regression", "setup", "tabsyndex", "unsir", "zero_shot")
_FROM_SETUP = ("Setup", "prepare")

__all__ = [*_FROM_SETUP, *_RUNNERS]


def __getattr__(name: str) -> Any:
    if name in _RUNNERS:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _FROM_SETUP:
        return getattr(importlib.import_module(f"{__name__}.setup"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
