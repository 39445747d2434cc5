"""Mixed numeric/categorical tables that ship inside scikit-learn and statsmodels (no network needed).

``load_table(name)`` returns a :class:`Table`, a named tuple ``(frame, categorical, target, task)``:

==============  ======  ==========================================================  ==============
name            rows    columns                                                     target / task
==============  ======  ==========================================================  ==============
diabetes        442     10 baseline variables in original units, ``sex`` nominal    progression,
                                                                                    regression
wine            178     13 chemical measurements                                    ``cultivar``
                                                                                    (3 classes)
breast_cancer   569     the 10 "mean" cell-nucleus features                         ``diagnosis``
                                                                                    (2 classes)
fair            6,366   marriage rating, age, years married, children, religiosity,  ``affair``
                        education, occupations (4 nominal)                          (2 classes)
anes96          944     1996 US election survey; party id and education nominal     ``vote``
                                                                                    (2 classes)
==============  ======  ==========================================================  ==============

Nominal columns are coded as numbers (TabSynDex's official code needs that); the target is the
last column, as the official TabSynDex function assumes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd

Task = Literal["regression", "classification"]


class Table(NamedTuple):
    """A table, its nominal columns, the column to predict and the kind of prediction."""

    frame: pd.DataFrame
    categorical: tuple[str, ...]
    target: str
    task: Task


def _diabetes() -> Table:
    from sklearn.datasets import load_diabetes

    frame = load_diabetes(as_frame=True, scaled=False).frame.rename(columns={"target": "progression"})
    return Table(frame.astype(float), ("sex",), "progression", "regression")


def _wine() -> Table:
    from sklearn.datasets import load_wine

    frame = load_wine(as_frame=True).frame.rename(columns={"target": "cultivar"})
    return Table(frame.astype(float), ("cultivar",), "cultivar", "classification")


def _breast_cancer() -> Table:
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer(as_frame=True)
    frame = bunch.frame[[c for c in bunch.feature_names if c.startswith("mean ")]].copy()
    frame["diagnosis"] = bunch.target
    return Table(frame.astype(float), ("diagnosis",), "diagnosis", "classification")


def _fair() -> Table:
    from statsmodels.datasets import fair

    frame = fair.load_pandas().data
    frame["affair"] = (frame.pop("affairs") > 0).astype(float)
    return Table(frame.astype(float), ("rate_marriage", "religious", "occupation", "occupation_husb", "affair"),
                 "affair", "classification")


def _anes96() -> Table:
    from statsmodels.datasets import anes96

    frame = anes96.load_pandas().data.drop(columns=["logpopul"])
    frame = frame[[c for c in frame.columns if c != "vote"] + ["vote"]]
    return Table(frame.astype(float), ("PID", "educ", "vote"), "vote", "classification")


TABLES: dict[str, Callable[[], Table]] = {
    "diabetes": _diabetes, "wine": _wine, "breast_cancer": _breast_cancer, "fair": _fair, "anes96": _anes96,
}
TABLE_SOURCES = {
    "diabetes": "scikit-learn `load_diabetes(scaled=False)`",
    "wine": "scikit-learn `load_wine`",
    "breast_cancer": "scikit-learn `load_breast_cancer` (10 mean features)",
    "fair": "statsmodels `datasets.fair` (affairs > 0 as target)",
    "anes96": "statsmodels `datasets.anes96`",
}


def load_table(name: str, max_rows: int | None = None, seed: int = 0) -> Table:
    """The table called ``name`` (see :data:`TABLES`), at most ``max_rows`` rows (a seeded random subset)."""
    if name not in TABLES:
        raise ValueError(f"unknown table {name!r}; known tables: {list(TABLES)}")
    table = TABLES[name]()
    if max_rows is not None and len(table.frame) > max_rows:
        rows = np.sort(np.random.default_rng(seed).choice(len(table.frame), max_rows, replace=False))
        table = table._replace(frame=table.frame.iloc[rows].reset_index(drop=True))
    return table


def split_halves(frame: pd.DataFrame, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two disjoint random halves of ``frame``, as the official TabSynDex example builds its real-vs-real
    pair (``train_test_split(test_size=0.5, random_state=seed)``)."""
    from sklearn.model_selection import train_test_split

    first, second = train_test_split(frame, test_size=0.5, random_state=seed)
    return first.reset_index(drop=True), second.reset_index(drop=True)
