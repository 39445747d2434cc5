"""How the book prints numbers: one ``mean ± std`` formatter and one summary table for every chapter.

Rules (the same on every page):

- a spread is shown only where there is one: a single run, or runs that agree exactly, show the
  value alone, never "± 0.0";
- no negative zero ("-0.0000" prints as "0.0000"); a missing value prints as an en dash;
- a cell never wraps inside a value: "91.2 ± 1.3" is joined by narrow no-break spaces
  (``compact=True`` drops them: "91.2±1.3");
- cells are numbers or words, never a Python repr (``cell`` refuses objects it has no rule for);
- a table fits the text column: at most ``MAX_COLUMNS`` columns besides the row labels, a wider
  one is split by topic (``split_columns``), and the meaning of "±" is said once under the table
  (``spread_legend``), not in every cell;
- a column's scale and digits are declared once in a ``Column``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from numbers import Integral, Real

import pandas as pd

#: The most columns (besides the row labels) a table shows in the text column.
MAX_COLUMNS = 7
#: Joins mean and spread so that a cell never wraps inside a value (U+202F, narrow no-break space).
PLUS_MINUS = "\u202f±\u202f"


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


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def number(value: float, digits: int = 2) -> str:
    """``value`` with ``digits`` decimals; NaN (or None, pd.NA) as an en dash; never ``-0.00``."""
    if _missing(value):
        return "–"
    text = f"{float(value):.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def mean_std(mean: float, std: float | None = None, *, digits: int = 2, scale: float = 1.0,
             count: int | None = None, compact: bool = False) -> str:
    """``"mean ± std"`` scaled by ``scale``, joined by narrow no-break spaces (none with ``compact``).

    The mean alone where there is no spread: ``std`` missing, NaN or exactly zero, or ``count`` < 2.
    """
    shown = number(None if _missing(mean) else scale * float(mean), digits)
    if _missing(std) or float(std) == 0 or (count is not None and count < 2) or shown == "–":
        return shown
    return f"{shown}{'±' if compact else PLUS_MINUS}{number(scale * abs(float(std)), digits)}"


def spread_legend(counts: Iterable[int] | int, *, what: str = "runs") -> str:
    """The sentence under a table that says once what "±" means, e.g. "mean ± standard deviation
    over 3 runs; a value alone comes from one run"."""
    counts = sorted({int(c) for c in ([counts] if isinstance(counts, Integral) else counts)})
    several = [c for c in counts if c > 1]
    if not several:
        return f"Each value comes from a single {what.rstrip('s')}; there is no spread to show." if counts else ""
    over = f"{several[0]}" if len(several) == 1 else f"{several[0]} to {several[-1]}"
    single = f"; a value alone comes from a single {what.rstrip('s')}" if 1 in counts else ""
    return f"Mean ± standard deviation over {over} {what}{single}."


_REPR = re.compile(r"^[A-Za-z_<][A-Za-z0-9_.<>]*\(.*\)$|^<.* object at 0x[0-9a-f]+>$", re.S)


def cell(value: object, digits: int = 2) -> str:
    """One table cell as text: numbers with ``digits`` decimals (no negative zero), integers as they
    are, booleans as yes/no, missing values as an en dash, text as it is. Anything else (a result
    object, a list) is refused: show its fields, not its repr."""
    if _missing(value):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Integral):
        return str(int(value))
    if isinstance(value, Real):
        return number(float(value), digits)
    if isinstance(value, str):
        if _REPR.match(value.strip()):
            raise TypeError(f"a table cell holds a repr, {value[:60]!r}: show the object's fields instead")
        return value
    raise TypeError(f"no display rule for a {type(value).__name__} in a table cell: show its fields instead")


def format_table(table: pd.DataFrame, digits: int | Mapping[str, int] = 2) -> pd.DataFrame:
    """Every cell of ``table`` through ``cell`` (``digits`` per column when a mapping), the index as text."""
    shown = pd.DataFrame(index=[cell(i) if not isinstance(i, str) else i for i in table.index])
    for column in table.columns:
        places = digits.get(column, 2) if isinstance(digits, Mapping) else digits
        shown[column] = [cell(v, places) for v in table[column]]
    shown.index.name = table.index.name
    return shown


def split_columns(table: pd.DataFrame, topics: Mapping[str, Iterable[str]] | None = None, *,
                  max_columns: int = MAX_COLUMNS) -> dict[str, pd.DataFrame]:
    """A wide table as several narrow ones with the same rows: one per topic (``topics`` maps a title to
    its columns, in order), each cut into parts of at most ``max_columns``; without ``topics``, the
    columns in order. Columns no topic names form a last part, "other"."""
    if max_columns < 1:
        raise ValueError(f"max_columns must be at least 1, got {max_columns}")
    columns = list(table.columns)
    groups: dict[str, list] = {}
    if topics:
        named = set()
        for title, members in topics.items():
            members = [c for c in members if c in columns]
            named.update(members)
            if members:
                groups[title] = members
        rest = [c for c in columns if c not in named]
        if rest:
            groups["other"] = rest
    else:
        groups["table"] = columns
    parts: dict[str, pd.DataFrame] = {}
    for title, members in groups.items():
        chunks = [members[i:i + max_columns] for i in range(0, len(members), max_columns)]
        for n, chunk in enumerate(chunks, start=1):
            parts[title if len(chunks) == 1 else f"{title} ({n}/{len(chunks)})"] = table[chunk]
    return parts


def show_split(table: pd.DataFrame, topics: Mapping[str, Iterable] | None = None, *, index: bool = True,
               style: Callable[[pd.DataFrame], object] | None = None, legend: str = "") -> None:
    """Display ``table`` as narrow tables (``split_columns`` by ``topics``), each under a short bold title,
    and ``legend`` (e.g. ``spread_legend``) once under the last; a table that fits is shown whole, untitled.

    The row labels count as a column when shown (``index``), so every rendered table has at most
    ``MAX_COLUMNS`` columns. ``style`` turns a part into what is displayed (e.g. a ``Styler``). Returns None, so
    that a chapter's cell can end with the call.
    """
    from IPython.display import Markdown, display

    width = MAX_COLUMNS - 1 if index else MAX_COLUMNS
    parts = {"": table} if table.shape[1] <= width else split_columns(table, topics, max_columns=width)
    for title, part in parts.items():
        if title:
            display(Markdown(f"**{title}**"))
        display(style(part) if style else part)
    if legend:
        display(Markdown(legend))


def check_width(table: pd.DataFrame, max_columns: int = MAX_COLUMNS) -> pd.DataFrame:
    """``table`` itself when it fits the column; a ValueError naming ``split_columns`` when not."""
    if table.shape[1] > max_columns:
        raise ValueError(f"a table of {table.shape[1]} columns does not fit the text column (at most {max_columns}): "
                         "split it by topic with datarights.tables.split_columns")
    return table


def html_column_counts(html: str) -> list[int]:
    """The number of columns of each ``<table>`` in rendered HTML, the row labels included (the widest row)."""
    counts = []
    for table in re.findall(r"<table.*?</table>", html, flags=re.S | re.I):
        rows = re.findall(r"<tr.*?</tr>", table, flags=re.S | re.I)
        widths = [sum(int(span or 1) for span in re.findall(r"<t[hd](?:[^>]*?colspan=\"?(\d+)\"?)?[^>]*>", row, flags=re.I))
                  for row in rows]
        counts.append(max(widths, default=0))
    return counts


def summarise(table: pd.DataFrame, columns: list[str], *, by: str = "method", order: list[str] | None = None) -> pd.DataFrame:
    """Mean, standard deviation (ddof 1) and count of ``columns`` per ``by`` group, in ``order`` when given
    (groups absent from ``table`` are left out)."""
    summary = table.groupby(by, sort=False)[columns].agg(["mean", "std", "count"])
    if order is not None:
        summary = summary.reindex([key for key in order if key in summary.index])
    return summary


def summary_table(summary: pd.DataFrame, columns: Mapping[str, Column], *,
                  label: Callable[[str], str] = str, compact: bool = False) -> pd.DataFrame:
    """The shown table of a ``summarise`` result: one ``mean ± std`` cell per quantity, rows labelled by ``label``.

    A row summarising one run (count 1), or runs that agree exactly, shows its value without a spread;
    ``compact`` writes "0.91±0.02". Say what "±" means once under the table (``spread_legend``).
    """
    shown = pd.DataFrame(index=[label(key) for key in summary.index])
    for name, column in columns.items():
        if name not in summary.columns.get_level_values(0):
            continue
        stats = summary[name]
        spreads = stats["std"].where(stats["count"] > 1) if "count" in stats else stats["std"]
        shown[column.header] = [mean_std(m, s, digits=column.digits, scale=column.scale, compact=compact)
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


#: How a wide table of the book's quantities is split for ``show_split``: headers of ``METRICS`` by topic.
TOPICS: dict[str, list[str]] = {
    "accuracies": [METRICS[n].header for n in ("retain_test", "forget_test", "retain_train", "forget_train", "forget",
                                               "test", "sibling_test")],
    "attacks and ZRF": [METRICS[n].header for n in ("mia_logistic", "mia_svc", "zrf_code", "zrf_paper")],
    "distances, relearning and time": [METRICS[n].header for n in ("js_to_retrained", "activation_distance", "relearn_steps",
                                                                   "ain", "gap", "time_ratio", "seconds")],
}
