"""How the book prints numbers and tables: spreads only where there is one, no negative zero, no reprs,
tables narrow enough for the text column."""

import glob
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from datarights import tables
from datarights.tables import (MAX_COLUMNS, PLUS_MINUS, cell, check_width, format_table, html_column_counts, mean_std,
                               number, spread_legend, split_columns, summarise, summary_table)

ROOT = Path(__file__).resolve().parents[1]


def test_no_negative_zero_and_missing_values_as_a_dash():
    assert number(-0.00001, 4) == "0.0000"
    assert number(-0.0) == "0.00"
    assert number(-0.5, 1) == "-0.5"
    assert number(float("nan")) == number(None) == number(pd.NA) == "–"
    assert number(np.float32(0.25), 2) == "0.25"


def test_a_spread_only_where_there_is_one():
    assert mean_std(0.5, 0.01) == f"0.50{PLUS_MINUS}0.01"
    assert mean_std(0.5, 0.01, compact=True) == "0.50±0.01"
    assert mean_std(0.5) == mean_std(0.5, float("nan")) == mean_std(0.5, 0.0) == "0.50"
    assert mean_std(0.5, 0.01, count=1) == "0.50"
    assert mean_std(-0.00001, 0.02, digits=2) == f"0.00{PLUS_MINUS}0.02"
    assert mean_std(0.912, -0.013, scale=100, digits=1) == f"91.2{PLUS_MINUS}1.3"


def test_summary_table_shows_single_runs_without_a_spread():
    runs = pd.DataFrame({"method": ["a", "a", "a", "b"], "forget_test": [0.1, 0.2, 0.3, 0.4]})
    shown = summary_table(summarise(runs, ["forget_test"]), tables.metric_columns(["forget_test"]))
    assert list(shown["Df test acc (%)"]) == [f"20.0{PLUS_MINUS}10.0", "40.0"]
    assert "-0" not in shown.to_string() and "± 0.0" not in shown.to_string()
    assert spread_legend(summarise(runs, ["forget_test"])["forget_test"]["count"]) == (
        "Mean ± standard deviation over 3 runs; a value alone comes from a single run.")
    assert spread_legend([1], what="requests") == "Each value comes from a single request; there is no spread to show."


def test_cells_refuse_reprs():
    @dataclass
    class TabSynDexResult:
        score: float

    with pytest.raises(TypeError, match="show its fields"):
        cell(TabSynDexResult(0.5))
    with pytest.raises(TypeError, match="repr"):
        cell(repr(TabSynDexResult(0.5)))
    assert cell(True) == "yes" and cell(3) == "3" and cell(-0.0001, 3) == "0.000" and cell("UNSIR (code)") == "UNSIR (code)"
    shown = format_table(pd.DataFrame({"x": [1.23456, -0.0], "n": [1, 2]}, index=["a", "b"]), {"x": 3})
    assert shown.to_dict("list") == {"x": ["1.235", "0.000"], "n": ["1", "2"]}


def test_wide_tables_are_split_by_topic_into_narrow_ones():
    wide = pd.DataFrame(np.zeros((2, 11)), columns=[f"c{i}" for i in range(11)], index=["a", "b"])
    with pytest.raises(ValueError, match="split_columns"):
        check_width(wide)
    parts = split_columns(wide, {"forgetting": ["c0", "c1", "c2"], "utility": ["c3", "c4"], "cost": ["c9"]})
    assert list(parts) == ["forgetting", "utility", "cost", "other"]
    assert list(parts["other"].columns) == ["c5", "c6", "c7", "c8", "c10"]
    assert all(part.shape[1] <= MAX_COLUMNS and list(part.index) == ["a", "b"] for part in parts.values())
    plain = split_columns(wide, max_columns=4)
    assert [p.shape[1] for p in plain.values()] == [4, 4, 3] and list(plain)[0] == "table (1/3)"
    assert check_width(parts["forgetting"]) is parts["forgetting"]


def test_rendered_column_count():
    html = pd.DataFrame(np.zeros((2, 3)), index=["a", "b"]).to_html()
    assert html_column_counts(html) == [4]
    assert html_column_counts(html + split_columns(pd.DataFrame(np.zeros((1, 9))))["table (1/2)"].to_html()) == [4, 8]


def _chapter_tables():
    import nbformat

    for path in sorted(glob.glob(str(ROOT / "book" / "chapters" / "*.ipynb"))):
        for output in (o for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code" for o in c.get("outputs", [])):
            html = output.get("data", {}).get("text/html", "")
            for count in html_column_counts(html if isinstance(html, str) else "".join(html)):
                yield Path(path).stem, count


def test_every_rendered_table_fits_the_text_column():
    wide = sorted({(chapter, count) for chapter, count in _chapter_tables() if count > MAX_COLUMNS + 1})
    assert not wide, f"tables wider than {MAX_COLUMNS} columns plus row labels: {wide}"


def test_show_split_displays_each_part_under_a_title_counting_the_row_labels(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    wide = pd.DataFrame(np.zeros((2, 9)), columns=[f"c{i}" for i in range(9)], index=["a", "b"])
    tables.show_split(wide, {"accuracies": ["c0", "c1"], "attacks": ["c2", "c3", "c4"]},
                               style=lambda part: part.style.format(precision=1), legend="Mean ± sd over 3 runs.")
    frames = [s.data for s in shown if hasattr(s, "data") and isinstance(s.data, pd.DataFrame)]
    assert [list(f.columns) for f in frames] == [["c0", "c1"], ["c2", "c3", "c4"], ["c5", "c6", "c7", "c8"]]
    texts = [s.data for s in shown if isinstance(getattr(s, "data", None), str)]
    assert texts == ["**accuracies**", "**attacks**", "**other**", "Mean ± sd over 3 runs."]
    assert all(max(html_column_counts(f.to_html())) <= MAX_COLUMNS for f in frames)
    shown.clear()
    assert tables.show_split(wide.iloc[:, :6]) is None and len(shown) == 1   # fits with its row labels: shown whole
    shown.clear()
    tables.show_split(wide.iloc[:, :7], index=False)
    assert len(shown) == 1
    assert [f.shape[1] for f in split_columns(wide, max_columns=MAX_COLUMNS - 1).values()] == [6, 3]
