"""How the book prints numbers: one ``mean ± std`` formatter and one summary table for every chapter.

Rules (the same on every page): a spread is shown only where there is one (a single run shows its
value alone), no negative zero, a column's scale and digits are declared once in a ``Column``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Column:
    """How one measured quantity is shown: its header, a scale (100 for a share shown in %), its digits."""

    header: str
    scale: float = 1.0
    digits: int = 2

    @classmethod
    def percent(cls, header: str, digits: int = 1) -> Column:
        """A share in [0, 1] shown in percent."""
        return cls(f"{header} (%)" if "%" not in header else header, 100.0, digits)


def number(value: float, digits: int = 2) -> str:
    """``value`` with ``digits`` decimals; NaN as an en dash; never ``-0.00``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def mean_std(mean: float, std: float | None = None, *, digits: int = 2, scale: float = 1.0) -> str:
    """``"mean ± std"`` scaled by ``scale``; the mean alone where ``std`` is missing or NaN (a single run)."""
    shown = number(scale * mean, digits)
    if std is None or (isinstance(std, float) and math.isnan(std)):
        return shown
    return f"{shown} ± {number(scale * abs(std), digits)}"


def summarise(table: pd.DataFrame, columns: list[str], *, by: str = "method", order: list[str] | None = None) -> pd.DataFrame:
    """Mean, standard deviation (ddof 1) and count of ``columns`` per ``by`` group, in ``order`` when given
    (groups absent from ``table`` are left out)."""
    summary = table.groupby(by, sort=False)[columns].agg(["mean", "std", "count"])
    if order is not None:
        summary = summary.reindex([key for key in order if key in summary.index])
    return summary


def summary_table(summary: pd.DataFrame, columns: Mapping[str, Column], *,
                  label: Callable[[str], str] = str) -> pd.DataFrame:
    """The shown table of a ``summarise`` result: one ``mean ± std`` cell per quantity, rows labelled by ``label``.

    A row summarising one run (count 1) shows its value without a spread.
    """
    shown = pd.DataFrame(index=[label(key) for key in summary.index])
    for name, column in columns.items():
        if name not in summary.columns.get_level_values(0):
            continue
        stats = summary[name]
        spreads = stats["std"].where(stats["count"] > 1) if "count" in stats else stats["std"]
        shown[column.header] = [mean_std(m, s, digits=column.digits, scale=column.scale)
                                for m, s in zip(stats["mean"], spreads)]
    return shown


# How the unlearning chapters show each measured quantity, said once for the whole book.
METRICS: dict[str, Column] = {
    "retain_test": Column.percent("Dr test acc"), "forget_test": Column.percent("Df test acc"),
    "retain_train": Column.percent("Dr train acc"), "forget_train": Column.percent("Df train acc"),
    "forget": Column.percent("Df acc"), "test": Column.percent("test acc"), "sibling_test": Column.percent("sibling acc"),
    "mia_logistic": Column.percent("MIA logistic"), "mia_svc": Column.percent("MIA SVC"),
    "zrf_code": Column("ZRF code", digits=3), "zrf_paper": Column("ZRF paper", digits=3),
    "js_to_retrained": Column("JS to retrained", digits=3), "activation_distance": Column("act. distance", digits=3),
    "relearn_steps": Column("relearn steps", digits=1), "ain": Column("AIN", digits=2), "gap": Column("gap", digits=3),
    "time_ratio": Column("time / retrain", digits=3),
    "seconds": Column("seconds", digits=2),
}


def metric_columns(names: list[str] | tuple[str, ...]) -> dict[str, Column]:
    """The book's ``Column`` of each measured quantity in ``names``, in that order."""
    unknown = [n for n in names if n not in METRICS]
    if unknown:
        raise ValueError(f"no display rule for {unknown}; known quantities: {sorted(METRICS)}")
    return {n: METRICS[n] for n in names}
