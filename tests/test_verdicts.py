"""Computed verdicts: a clear win, a tie within spread and a degenerate metric for each rule; the scope
banner; and a scan of the chapter sources for numbers written into prose instead of glued."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from datarights import scope, verdicts as v

ROOT = Path(__file__).resolve().parents[1]


# -- compare ---------------------------------------------------------------------------------------

def test_compare_clear_win():
    out = v.compare("A", [0.10, 0.12, 0.11], "B", [0.50, 0.52, 0.51], quantity="forget accuracy")
    assert out.kind == "lower" and out.winners == ("A",)
    assert "A is lower than B" in out.text
    assert v.compare("B", [0.5, 0.52], "A", [0.1, 0.12], quantity="q").kind == "higher"


def test_compare_tie_within_spread():
    out = v.compare("A", [0.10, 0.30], "B", [0.15, 0.35], quantity="forget accuracy")
    assert out.kind == "tie" and "indistinguishable here" in out.text


def test_compare_single_seed_needs_a_tolerance():
    assert v.compare("A", 0.1, "B", 0.2, quantity="q").kind == "unresolved"
    assert v.compare("A", 0.1, "B", 0.2, quantity="q", tolerance=0.2).kind == "tie"
    assert v.compare("A", 0.1, "B", 0.2, quantity="q", tolerance=0.05).kind == "lower"


def test_compare_tolerance_is_a_floor_on_the_spread():
    # spreads are tiny, but the stated tolerance still makes a 0.01 gap a tie
    assert v.compare("A", [0.100, 0.101], "B", [0.110, 0.111], quantity="q", tolerance=0.02).kind == "tie"


# -- rank ------------------------------------------------------------------------------------------

def test_rank_clear_best():
    out = v.rank({"a": [0.0, 0.01], "b": [0.3, 0.31], "c": [0.5, 0.52]}, quantity="Df")
    assert out.kind == "best" and out.winners == ("a",)


def test_rank_reports_equal_values_as_a_tie_not_a_winner():
    out = v.rank({"a": [0.2, 0.2], "b": [0.2, 0.2], "c": [0.9, 0.91]}, quantity="Df")
    assert out.kind == "tie" and set(out.winners) == {"a", "b"}
    assert "tie" in out.text


def test_rank_tie_within_spread_and_direction():
    out = v.rank({"a": [0.80, 0.90], "b": [0.82, 0.92], "c": [0.1, 0.11]}, quantity="Dr", lower_is_better=False)
    assert out.kind == "tie" and set(out.winners) == {"a", "b"}


def test_rank_degenerate_metric_is_not_ranked():
    out = v.rank({"a": [1.0, 1.0], "b": [1.0, 1.0], "c": [1.0, 1.0]}, quantity="AIN")
    assert out.kind == "uninformative" and not out.informative and out.winners == ()


def test_rank_leaves_out_uninformative_methods():
    out = v.rank({"a": [0.0, 0.0], "b": [0.3, 0.3]}, quantity="MIA", informative={"a": False})
    assert out.winners == ("b",)


# -- degenerate ------------------------------------------------------------------------------------

def test_degenerate_flags_a_constant_metric():
    out = v.degenerate({"x": [1.0, 1.0, 1.0], "y": [1.0, 1.0, 1.0]}, quantity="AIN", tolerance=1e-3)
    assert out.kind == "uninformative" and "cannot tell them apart" in out.text


def test_degenerate_passes_a_discriminating_metric():
    assert v.degenerate({"x": [1.0, 1.1], "y": [2.0, 2.1]}, quantity="AIN", tolerance=1e-3).informative


def test_degenerate_constant_means_but_large_spread_is_informative():
    assert v.degenerate({"x": [0.5, 1.5], "y": [0.5, 1.5]}, quantity="q", tolerance=0.01).informative


# -- MIA -------------------------------------------------------------------------------------------

def test_mia_check_clear_signal():
    assert v.mia_check([0.8, 0.82], [0.3, 0.31], attacker="SVC").kind == "informative"


def test_mia_check_inverted_is_uninformative():
    out = v.mia_check([0.2, 0.21], [0.4, 0.41], attacker="SVC")
    assert out.kind == "uninformative" and "does not separate" in out.text


def test_mia_check_within_spread_is_uninformative():
    assert not v.mia_check([0.40, 0.50], [0.38, 0.48]).informative


def test_mia_check_saturated():
    out = v.mia_check([1.0, 1.0], [0.99, 1.0], attacker="logistic")
    assert not out.informative and "saturated" in out.text


def test_attackers_agree():
    out = v.attackers("M", {"SVC": [0.30, 0.31], "logistic": [0.40, 0.41]},
                      {"SVC": [0.30, 0.31], "logistic": [0.40, 0.40]})
    assert out.kind == "agree" and "close to retrained" in out.text


def test_attackers_disagree():
    out = v.attackers("M", {"SVC": [0.30, 0.31], "logistic": [0.70, 0.71]},
                      {"SVC": [0.30, 0.31], "logistic": [0.40, 0.40]})
    assert out.kind == "disagree" and "supports no conclusion" in out.text


def test_attackers_ignore_a_degenerate_attacker():
    out = v.attackers("M", {"SVC": [0.30], "logistic": [0.7]}, {"SVC": [0.30], "logistic": [0.4]},
                      original={"SVC": [0.2], "logistic": [0.9]})
    assert out.kind == "single" and "uninformative here" in out.text and "only the logistic attacker" in out.text
    none = v.attackers("M", {"SVC": [0.3]}, {"SVC": [0.3]}, original={"SVC": [0.2]})
    assert none.kind == "uninformative" and not none.informative


# -- reported numbers and small counts -------------------------------------------------------------

def test_against_reported():
    clear = v.against_reported([80.0, 81.0], 90.0, quantity="Dr accuracy", source="the notebook")
    assert clear.kind == "below" and "neither confirms nor refutes" in clear.text
    close = v.against_reported([89.0, 91.0], 90.0, quantity="Dr accuracy", reported_spread=0.5, same_setting=True)
    assert close.kind == "consistent" and "neither" not in close.text
    assert v.against_reported([95.0], 90.0, quantity="q", tolerance=1.0).kind == "above"


def test_proportion_interval_is_wide_for_few_trials():
    lo, hi = v.proportion_interval(6, 12)
    assert lo < 0.3 and hi > 0.7
    assert "Too few" in v.proportion(6, 12, what="recognised").text
    assert v.proportion_interval(0, 0) == (0.0, 1.0)


def test_verdict_renders_as_markdown():
    out = v.compare("A", [0.1, 0.11], "B", [0.5, 0.51], quantity="q")
    assert out._repr_markdown_() == out.text == str(out)


def test_from_frame_groups_per_seed_values():
    pd = pytest.importorskip("pandas")
    table = pd.DataFrame({"method": ["a", "a", "b"], "x": [1.0, 2.0, 3.0]})
    assert {k: list(vals) for k, vals in v.from_frame(table, "x").items()} == {"a": [1.0, 2.0], "b": [3.0]}


# -- scope banner ----------------------------------------------------------------------------------

@pytest.mark.parametrize("profile", ["smoke", "quick", "full"])
def test_banner_takes_its_facts_from_the_settings(profile):
    from datarights import profiles

    P = profiles.get(profile)
    text = scope.banner(profile, paper="unsir", facts=scope.unlearning_facts(profile), seeds=[0, 1])
    assert text.startswith(":::{admonition}") and text.rstrip().endswith(":::")
    assert P.dataset in text and P.model in text and f"profile **{profile}**" in text
    assert ("neither confirm nor refute" in text) == (profile != "full")


def test_banner_uses_result_meta_for_the_scale():
    text = scope.unlearning_facts("full", {"dataset": "mnist", "model": "cnn", "n_train": 3000,
                                            "class_names": [str(i) for i in range(10)]})
    assert "mnist" in text and "300 training images per class" in text


def test_every_chapter_has_a_paper_setting():
    assert set(scope.PAPERS) >= {"unsir", "bad_teacher", "zero_shot", "regression", "compare", "tabsyndex", "ecoval"}


# -- no unglued numbers in chapter prose -------------------------------------------------------------

NOTEBOOKS = sorted((ROOT / "notebooks").glob("0*.py"))
_ROLE = re.compile(r"\{[a-z:]+\}`[^`]*`")           # {glue:text}`x`, {eq}`label`, {cite:t}`key` ...
_MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.S)  # numbers inside formulas are the formulas'
_CODE = re.compile(r"`[^`\n]*`")                    # code names and literals
_LINK = re.compile(r"\]\([^)]*\)|https?://\S+")
_NUMBER = re.compile(r"(?<![\w.\-–])\d+(?:[.,]\d+)*(?:\s?%)?(?![\w])")  # not inside names (ResNet-18) or ranges

# Numbers that may be written into prose: years, small counts that are part of the method's
# definition, and the hyper-parameters quoted from the papers' code. Anything else is a result and
# must be glued. Extend with care: each entry is a number that does not depend on a run.
ALLOWED = {str(n) for n in range(0, 11)} | {
    "1.4", "20", "20%", "32", "40", "100", "256", "0.1", "0.02", "0.01", "0.002", "1e-4", "1,000", "8,000", "120",
    "224", "1.0", "0.5", "30", "30%", "50", "64", "12", "16", "24", "168", "1e-3", "2.0", "19", "101", "568", "16,488",
}


def markdown_cells(path: Path) -> list[str]:
    cells, current = [], None
    for line in path.read_text().splitlines():
        if line.startswith("# %%"):
            if current is not None:
                cells.append("\n".join(current))
            current = [] if "[markdown]" in line else None
            continue
        if current is not None:
            current.append(line[2:] if line.startswith("# ") else line.lstrip("#"))
    if current is not None:
        cells.append("\n".join(current))
    return cells


def unglued_numbers(text: str) -> list[str]:
    for pattern in (_ROLE, _MATH, _CODE, _LINK):
        text = pattern.sub(" ", text)
    text = re.sub(r"^\s*#+ .*$", " ", text, flags=re.M)         # headings (section numbers)
    text = re.sub(r"^:[\w-]+:.*$", " ", text, flags=re.M)       # directive options
    found = []
    for match in _NUMBER.finditer(text):
        token = match.group(0).replace(" ", "")
        if token in ALLOWED or re.fullmatch(r"(19|20)\d\d", token):
            continue
        found.append(token)
    return found


# Numbers present in the chapter sources when the scan was introduced: each is a fixed quantity of
# the method or the papers' code (a hyper-parameter, a count quoted from the specification), or a
# reported value. The scan fails on any number *not* listed here, so a new unglued result is caught.
KNOWN = ROOT / "tests" / "data" / "prose_numbers.txt"


def _known() -> dict[str, set[str]]:
    table: dict[str, set[str]] = {}
    if KNOWN.exists():
        for line in KNOWN.read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                name, _, numbers = line.partition(":")
                table[name.strip()] = set(numbers.split())
    return table


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_no_new_unglued_numbers_in_chapter_prose(path):
    known = _known().get(path.stem, set())
    new = sorted({n for cell in markdown_cells(path) for n in unglued_numbers(cell)} - known)
    assert not new, (f"{path.name}: numbers written into prose instead of glued: {new}. Glue results "
                     f"(datarights.notebook.glue and {{glue:text}}); a fixed hyper-parameter or a reported value "
                     f"belongs in tests/data/prose_numbers.txt with its reason.")


def test_the_scan_finds_numbers_outside_roles_and_math():
    text = "UNSIR reaches 93.2 % in {glue:text}`x:.1f` s with $\\lambda = 0.1$ and `lr=0.02`, in 2023."
    assert unglued_numbers(text) == ["93.2%"]


# -- the UNSIR quirks one at a time ------------------------------------------------------------------

def test_unsir_quirks_split_the_code_variant():
    from datarights.unlearning.unsir import QUIRKS, UNSIRConfig

    assert all(UNSIRConfig(variant="code").has(q) for q in QUIRKS)
    only = UNSIRConfig(quirks=("label_zero",))
    assert only.has("label_zero") and not only.has("three_images") and not only.has("batchnorm")
    assert "quirks" not in UNSIRConfig().to_dict() and UNSIRConfig(quirks=("batchnorm",)).to_dict()["quirks"] == ("batchnorm",)
    with pytest.raises(ValueError, match="unknown"):
        UNSIRConfig(quirks=("typo",))


def test_compare_claims_nothing_when_a_method_has_no_value():
    """A method not run under a profile (all NaN) once read as 'higher than retraining'; now no order is claimed."""
    verdict = v.compare("GKT", [float("nan")] * 3, "retraining", [0.97, 0.972, 0.975], quantity="retain accuracy", tolerance=0.01)
    assert verdict.kind == "unresolved" and not verdict.informative
    assert "no value for GKT" in verdict.text and "higher" not in verdict.text


# -- reach and same_winner ---------------------------------------------------------------------------

def test_reach_separates_methods_at_the_level_from_those_below_it():
    level = v.Estimate(0.20, 0.02, 20)
    out = v.reach({"A": v.Estimate(0.19, 0.01, 6), "B": v.Estimate(0.02, 0.01, 6)}, level, quantity="score",
                  level_name="one distribution")
    assert out.kind == "informative" and out.winners == ("A",)
    assert "A is indistinguishable from one distribution here" in out.text and "B lies below it" in out.text


def test_reach_all_or_none():
    level = v.Estimate(0.20, 0.02, 20)
    assert v.reach({"A": v.Estimate(0.21, 0.01, 6)}, level, quantity="q", level_name="L").kind == "consistent"
    assert v.reach({"A": v.Estimate(0.01, 0.01, 6), "B": [0.0, 0.02]}, level, quantity="q", level_name="L").kind == "below"


def test_same_winner_agrees_on_a_shared_winner_even_within_a_tie():
    a = v.rank({"A": [0.1, 0.11], "B": [0.1, 0.12], "C": [0.9, 0.91]}, quantity="q")
    b = v.rank({"A": [0.5, 0.51], "B": [0.1, 0.11], "C": [0.9, 0.91]}, quantity="q")
    assert a.kind == "tie" and b.winners == ("B",)
    assert v.same_winner("first", a, "second", b).kind == "agree"


def test_same_winner_disagrees_on_disjoint_winners_and_refuses_without_any():
    a = v.rank({"A": [0.1, 0.11], "B": [0.9, 0.91]}, quantity="q")
    b = v.rank({"A": [0.9, 0.91], "B": [0.1, 0.11]}, quantity="q")
    out = v.same_winner("first", a, "second", b)
    assert out.kind == "disagree" and "First and second disagree" in out.text
    none = v.rank({"A": 0.1, "B": 0.2}, quantity="q")  # one value each, no tolerance: no winner
    assert v.same_winner("first", none, "second", b).kind == "unresolved"


def test_returns_to_scale_are_named_by_their_stated_rule():
    """Chapter 08's sentence on the production function follows r: constant within the tolerance of 1,
    none near 0, and decreasing, increasing or negative otherwise."""
    from datarights import verdicts

    assert verdicts.returns_to_scale(1.05).kind == "consistent" and "constant returns" in verdicts.returns_to_scale(1.05).text
    assert "hardly changes accuracy" in verdicts.returns_to_scale(-0.01).text
    assert "less than proportionally" in verdicts.returns_to_scale(0.5).text
    assert verdicts.returns_to_scale(1.6).kind == "above" and "more than proportionally" in verdicts.returns_to_scale(1.6).text
    assert "negative" in verdicts.returns_to_scale(-0.5).text
    assert verdicts.returns_to_scale(0.85, tolerance=0.2).kind == "consistent"
