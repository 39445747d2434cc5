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

Two more tables are the ones the official TabSynDex example notebook used; they are not bundled
with any package and are read from a data directory (the ``data_dir`` argument, else
``$DATARIGHTS_DATA``, else ``~/.cache/datarights/data``), in ``<data dir>/tabular/``:

==================  ======  ==================================================  ====================
name                rows    file and columns                                    target / task
==================  ======  ==================================================  ====================
winequality-white   4,898   ``winequality-white.csv`` (UCI, ``;``-separated),   ``quality`` (3–9),
                            11 physico-chemical measurements                    classification
concrete            1,030   ``concrete.csv`` (UCI's sheet in UCI row order),    compressive strength,
                            8 mix components and age                            regression
==================  ======  ==================================================  ====================

As in the official notebook, ``quality`` is the only nominal column of wine-white and concrete
has none. ``python -m datarights data tabular --from FOLDER`` installs them into the data directory.

Nominal columns are coded as numbers (TabSynDex's official code needs that); the target is the
last column, as the official TabSynDex function assumes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
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


DATA_ENV = "DATARIGHTS_DATA"


def tabular_dir(data_dir: str | Path | None = None) -> Path:
    """``<data dir>/tabular``: ``data_dir``, else ``$DATARIGHTS_DATA``, else ``~/.cache/datarights/data``."""
    root = data_dir if data_dir is not None else os.environ.get(DATA_ENV) or Path.home() / ".cache" / "datarights" / "data"
    return Path(root).expanduser() / "tabular"


def _csv(file: str, data_dir: str | Path | None, **read: object) -> pd.DataFrame:
    path = tabular_dir(data_dir) / file
    if not path.is_file():
        raise FileNotFoundError(
            f"{file} not found at {path}. The table is not bundled with any package: install the offline copy with "
            f"`python -m datarights data tabular --from FOLDER` (or copy {file} into {path.parent}), "
            f"point {DATA_ENV} at a folder that holds tabular/{file}, or pass data_dir=.")
    return pd.read_csv(path, **read)


def _winequality_white(data_dir: str | Path | None = None) -> Table:
    frame = _csv("winequality-white.csv", data_dir, sep=";")
    return Table(frame.astype(float), ("quality",), "quality", "classification")


def _concrete(data_dir: str | Path | None = None) -> Table:
    frame = _csv("concrete.csv", data_dir)
    return Table(frame.astype(float), (), str(frame.columns[-1]), "regression")


DATA_TABLES: dict[str, Callable[[str | Path | None], Table]] = {
    "winequality-white": _winequality_white, "concrete": _concrete,
}

TABLES: dict[str, Callable[[], Table]] = {
    "diabetes": _diabetes, "wine": _wine, "breast_cancer": _breast_cancer, "fair": _fair, "anes96": _anes96,
}
TABLE_SOURCES = {
    "diabetes": "scikit-learn `load_diabetes(scaled=False)`",
    "wine": "scikit-learn `load_wine`",
    "breast_cancer": "scikit-learn `load_breast_cancer` (10 mean features)",
    "fair": "statsmodels `datasets.fair` (affairs > 0 as target)",
    "anes96": "statsmodels `datasets.anes96`",
    "winequality-white": "UCI Wine Quality, white (the official notebook's file), from the data directory",
    "concrete": "UCI Concrete Compressive Strength in UCI row order, from the data directory",
}


def load_table(name: str, max_rows: int | None = None, seed: int = 0, data_dir: str | Path | None = None) -> Table:
    """The table called ``name`` (see :data:`TABLES` and :data:`DATA_TABLES`), at most ``max_rows`` rows
    (a seeded random subset). ``data_dir`` is where :data:`DATA_TABLES` are looked for."""
    if name in DATA_TABLES:
        table = DATA_TABLES[name](data_dir)
    elif name in TABLES:
        table = TABLES[name]()
    else:
        raise ValueError(f"unknown table {name!r}; known tables: {[*TABLES, *DATA_TABLES]}")
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


def split_three(frame: pd.DataFrame, test_fraction: float, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(real, other half, test): a held-out ``test_fraction`` of the rows, the rest halved at random.

    The test rows are seen by no generator and by no metric except train-on-synthetic/test-on-real.
    """
    from sklearn.model_selection import train_test_split

    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction={test_fraction!r} must lie strictly between 0 and 1")
    rest, test = train_test_split(frame, test_size=test_fraction, random_state=seed)
    first, second = split_halves(rest, seed=seed)
    return first, second, test.reset_index(drop=True)
