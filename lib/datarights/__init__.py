"""datarights: the library behind the datarights companion book.

Machine unlearning (UNSIR, bad teaching, zero-shot unlearning, deep regression
unlearning), synthetic tabular data evaluation (TabSynDex) and data valuation
(EcoVal), each implemented once, small and documented, and used by the book's
chapters.

Submodules are imported on demand so that ``import datarights`` stays cheap::

    from datarights import data, models, train, unlearning, metrics, synthetic
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_SUBMODULES = (
    "book",
    "cache",
    "cli",
    "data",
    "experiments",
    "metrics",
    "models",
    "plots",
    "profiles",
    "synthetic",
    "train",
    "unlearning",
    "valuation",
)

__all__ = ["__version__", *_SUBMODULES]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
