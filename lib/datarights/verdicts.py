"""Qualitative statements computed from results, each by an explicit rule.

A chapter's prose must stay true whatever profile produced its numbers, so every sentence of the
kind "A forgets more than B", "the attacker sees a leak" or "method X wins" is produced here from
the numbers and glued into the page (``glue(name, verdict)`` then ``{glue:md}`name```). Each
function returns a :class:`Verdict`: a short plain-English sentence, a machine-readable ``kind``
and the rule that produced it.

The one rule behind every comparison
------------------------------------
Two values are *distinguishable* when their means differ by more than the **margin**: the sum
of their standard deviations over seeds (sample standard deviation, ``ddof=1``), and never less
than the stated ``tolerance``. With a single seed there is no spread, so the tolerance alone is
the margin; with one seed and no tolerance nothing is claimed (kind ``"unresolved"``). Values
within the margin are reported as "indistinguishable here", never as a winner, and rankings
report ties as ties.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

Values = float | int | Sequence[float] | np.ndarray

KINDS = ("lower", "higher", "tie", "unresolved", "best", "agree", "disagree", "single", "uninformative", "informative",
         "consistent", "above", "below")


@dataclass(frozen=True)
class Verdict:
    """A computed qualitative statement.

    Attributes
    ----------
    text : str
        One or two short plain-English sentences (Markdown), ready for ``glue:md``.
    kind : str
        What was found, one of :data:`KINDS` (e.g. ``"lower"``, ``"tie"``, ``"uninformative"``).
    rule : str
        The rule that produced it, in words (for a footnote or a reader's check).
    winners : tuple of str
        The names the verdict singles out (the lower of two, the best of a ranking; several on a tie).
    informative : bool
        ``False`` where the metric cannot discriminate in this setting; such a metric is not ranked.
    """

    text: str
    kind: str
    rule: str = ""
    winners: tuple[str, ...] = ()
    informative: bool = True
    details: Mapping[str, float] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.text

    def _repr_markdown_(self) -> str:
        return self.text

    def _repr_pretty_(self, p, cycle) -> None:  # the text/plain of a glued verdict is its sentence
        p.text(self.text)


@dataclass(frozen=True)
class Estimate:
    """The mean, sample standard deviation (NaN with one value) and count of per-seed values."""

    mean: float
    std: float
    n: int

    def show(self, digits: int = 2, scale: float = 1.0, unit: str = "") -> str:
        """``"mean ± std"`` (the mean alone for a single value), scaled, with ``unit`` appended."""
        text = _number(scale * self.mean, digits)
        if self.n > 1 and not math.isnan(self.std):
            text += f" ± {_number(scale * self.std, digits)}"
        return text + unit


def _number(value: float, digits: int) -> str:
    if value is None or math.isnan(value):
        return "–"
    text = f"{value:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def estimate(values: Values | Estimate) -> Estimate:
    """An :class:`Estimate` of ``values`` (one number or one per seed; NaNs are dropped).

    Examples
    --------
    >>> estimate([1.0, 3.0]).mean, estimate([1.0, 3.0]).n
    (2.0, 2)
    """
    if isinstance(values, Estimate):
        return values
    arr = np.atleast_1d(np.asarray(values, dtype=float)).ravel()
    arr = arr[~np.isnan(arr)]
    if arr.size == 0:
        return Estimate(float("nan"), float("nan"), 0)
    std = float(np.std(arr, ddof=1)) if arr.size > 1 else float("nan")
    return Estimate(float(np.mean(arr)), std, int(arr.size))


def margin(a: Estimate, b: Estimate, tolerance: float | None = None) -> float | None:
    """The margin two estimates must differ by to be told apart (module rule); ``None`` when unknown.

    The sum of the two standard deviations over seeds, at least ``tolerance``; with single values,
    ``tolerance`` alone (``None`` when none is stated).
    """
    spreads = [e.std for e in (a, b) if e.n > 1 and not math.isnan(e.std)]
    if len(spreads) < 2:
        return tolerance
    return max(sum(spreads), tolerance or 0.0)


def _rule(tolerance: float | None) -> str:
    tol = f", at least {tolerance:g}" if tolerance is not None else ""
    return f"distinguishable when the means differ by more than the sum of their standard deviations over seeds{tol}"


def compare(a: str, a_values: Values, b: str, b_values: Values, *, quantity: str, tolerance: float | None = None,
            digits: int = 2, scale: float = 1.0, unit: str = "", lower: str = "lower", higher: str = "higher") -> Verdict:
    """Compare two methods' values of one quantity.

    Parameters
    ----------
    a, b : str
        The two names, as the page calls them.
    a_values, b_values : float or sequence of float
        One value, or one per seed.
    quantity : str
        What is compared, e.g. ``"forget-class accuracy"``.
    tolerance : float, optional
        The smallest difference that counts (in the values' units, before ``scale``); the only
        margin with a single seed.
    digits, scale, unit : display of the numbers (``scale=100, unit=" %"`` for a fraction).
    lower, higher : str
        The words for the two directions (e.g. ``"forgets more"``).

    Returns
    -------
    Verdict
        kind ``"lower"`` or ``"higher"`` (``a`` relative to ``b``; ``winners`` holds the lower),
        ``"tie"`` within the margin, ``"unresolved"`` with one seed and no tolerance.

    Examples
    --------
    >>> compare("A", [0.1, 0.11], "B", [0.5, 0.52], quantity="error").kind
    'lower'
    """
    quantity = quantity[:1].upper() + quantity[1:]
    ea, eb = estimate(a_values), estimate(b_values)
    missing = [name for name, e in ((a, ea), (b, eb)) if not math.isfinite(e.mean)]
    if missing:  # a method not run (or failed) under this profile: nothing to compare
        return Verdict(f"{quantity}: no value for {' and '.join(missing)} on this profile, so no comparison is made.",
                       "unresolved", _rule(tolerance), (), False, {"a": ea.mean, "b": eb.mean})
    m = margin(ea, eb, tolerance)
    shown = f"{a} {ea.show(digits, scale, unit)}, {b} {eb.show(digits, scale, unit)}"
    details = {"a": ea.mean, "b": eb.mean, "margin": float("nan") if m is None else m}
    if m is None:
        return Verdict(f"{quantity}: {shown}; one seed and no stated tolerance, so no order is claimed.", "unresolved",
                       _rule(tolerance), (), True, details)
    diff = ea.mean - eb.mean
    if abs(diff) <= m:
        return Verdict(f"{quantity}: {a} and {b} are indistinguishable here ({shown}).", "tie", _rule(tolerance),
                       (a, b), True, details)
    word, kind, win = (lower, "lower", a) if diff < 0 else (higher, "higher", b)
    return Verdict(f"{quantity}: {a} is {word} than {b} ({shown}).", kind, _rule(tolerance), (win,), True, details)


def rank(values: Mapping[str, Values], *, quantity: str, lower_is_better: bool = True, tolerance: float | None = None,
         digits: int = 2, scale: float = 1.0, unit: str = "", best_word: str | None = None,
         informative: Mapping[str, bool] | None = None) -> Verdict:
    """The best of several methods on one quantity, with ties reported as ties.

    Every method whose value cannot be told apart from the best mean (module rule against the
    best) shares first place; no winner is named from equal or overlapping values.

    Parameters
    ----------
    values : mapping of name to float or sequence of float
        One value or one per seed for each method.
    quantity : str
        What is ranked.
    lower_is_better : bool
        Direction of "best".
    tolerance : float, optional
        As in :func:`compare`.
    informative : mapping of name to bool, optional
        Methods marked ``False`` are left out (a degenerate value for them).

    Returns
    -------
    Verdict
        kind ``"best"`` with one winner, ``"tie"`` with several, ``"uninformative"`` when every
        value is the same (see :func:`degenerate`), ``"unresolved"`` with one seed and no tolerance.
    """
    quantity = quantity[:1].upper() + quantity[1:]
    skip = {k for k, ok in (informative or {}).items() if not ok}
    est = {k: estimate(v) for k, v in values.items() if k not in skip}
    est = {k: e for k, e in est.items() if e.n > 0}
    if not est:
        return Verdict(f"{quantity}: no informative values to rank.", "uninformative", "", (), False)
    flat = degenerate(values={k: v for k, v in values.items() if k not in skip}, quantity=quantity,
                      tolerance=tolerance or 0.0, digits=digits, scale=scale, unit=unit)
    if not flat.informative and len(est) > 1:
        return flat
    sign = 1.0 if lower_is_better else -1.0
    best = min(est, key=lambda k: sign * est[k].mean)
    ms = {k: margin(est[best], e, tolerance) for k, e in est.items() if k != best}
    if any(m is None for m in ms.values()):
        return Verdict(f"{quantity}: one seed and no stated tolerance, so no ranking is claimed.", "unresolved",
                       _rule(tolerance), (), True)
    tied = [best] + [k for k, m in ms.items() if abs(est[k].mean - est[best].mean) <= m]
    direction = best_word or ("lowest" if lower_is_better else "highest")
    shown = ", ".join(f"{k} {est[k].show(digits, scale, unit)}" for k in tied)
    if len(tied) == 1:
        return Verdict(f"{quantity}: {best} is {direction} ({shown}); every other candidate is further away than the margin.",
                       "best", _rule(tolerance), (best,), True)
    return Verdict(f"{quantity}: {_join(tied)} tie for {direction} ({shown}); no single winner here.", "tie",
                   _rule(tolerance), tuple(tied), True)


def degenerate(values: Mapping[str, Values], *, quantity: str, tolerance: float = 0.0, digits: int = 3,
               scale: float = 1.0, unit: str = "") -> Verdict:
    """Whether a metric takes the same value for every method (it cannot discriminate here).

    Rule: uninformative when the largest and smallest mean differ by at most ``tolerance`` and no
    method varies over seeds by more than ``tolerance`` (e.g. AIN = 1.000 ± 0 for all methods).

    Returns
    -------
    Verdict
        kind ``"uninformative"`` (``informative=False``) or ``"informative"``.
    """
    est = {k: estimate(v) for k, v in values.items()}
    means = [e.mean for e in est.values() if e.n > 0]
    rule = f"uninformative when every method's mean lies within {tolerance:g} of the others and none varies more over seeds"
    if not means:
        return Verdict(f"{quantity}: no values.", "uninformative", rule, (), False)
    stds = [e.std for e in est.values() if e.n > 1 and not math.isnan(e.std)]
    if max(means) - min(means) <= tolerance and all(s <= tolerance for s in stds) and len(means) > 1:
        value = Estimate(float(np.mean(means)), max(stds) if stds else float("nan"), 2 if stds else 1)
        return Verdict(f"{quantity} is {value.show(digits, scale, unit)} for every method: it cannot tell them apart "
                       "in this setting, so it is not used to rank them.", "uninformative", rule, (), False)
    return Verdict(f"{quantity} varies between methods.", "informative", rule, (), True)


def mia_check(original: Values, retrained: Values, *, attacker: str = "", tolerance: float = 0.02,
              saturation: float = 0.02, digits: int = 2, scale: float = 1.0, unit: str = "") -> Verdict:
    """Whether a membership-inference score can say anything in this setting.

    An MIA score is informative only when the attacker separates the original model (which saw
    the forget data) from the retrained one (which did not). Rules, in order: **saturated** when
    both values lie within ``saturation`` of 0 or of 1 (the attack says the same of both);
    **inverted** when the original scores at or below the retrained model plus the margin (module
    rule with ``tolerance``): the attack sees no membership signal, so a method's value says
    nothing about forgetting.

    Returns
    -------
    Verdict
        kind ``"uninformative"`` or ``"informative"``.
    """
    eo, er = estimate(original), estimate(retrained)
    name = f"the {attacker} attacker" if attacker else "the attacker"
    shown = f"original {eo.show(digits, scale, unit)}, retrained {er.show(digits, scale, unit)}"
    rule = ("saturated when original and retrained lie within the saturation bound of 0 or 1; inverted when the original "
            "does not exceed the retrained by more than the margin; " + _rule(tolerance))
    details = {"original": eo.mean, "retrained": er.mean}
    for edge in (0.0, 1.0):
        if abs(eo.mean - edge) <= saturation and abs(er.mean - edge) <= saturation:
            return Verdict(f"MIA ({name}) is saturated at {edge:g} ({shown}): uninformative here, not used to rank methods.",
                           "uninformative", rule, (), False, details)
    m = margin(eo, er, tolerance) or 0.0
    if eo.mean - er.mean <= m:
        return Verdict(f"MIA ({name}) does not separate the original from the retrained model ({shown}): "
                       "uninformative here, not used to rank methods.", "uninformative", rule, (), False, details)
    return Verdict(f"MIA ({name}) separates the original from the retrained model ({shown}).", "informative", rule, (),
                   True, details)


def attackers(method: str, scores: Mapping[str, Values], retrained: Mapping[str, Values], *,
              original: Mapping[str, Values] | None = None, tolerance: float = 0.02, digits: int = 2,
              scale: float = 1.0, unit: str = "") -> Verdict:
    """What each attacker says of ``method`` against the retrained model, and whether they agree.

    For every attacker (e.g. ``"SVC"``, ``"logistic"``) the method's score is compared with the
    retrained model's by :func:`compare`: "close to retrained" (a tie), "above" (more membership
    signal left) or "below". Where ``original`` is given, an attacker whose :func:`mia_check` is
    uninformative says nothing. The verdict is ``"agree"`` when every informative attacker gives
    the same answer, ``"disagree"`` otherwise, ``"single"`` when only one attacker is informative (no agreement
    to check), ``"uninformative"`` when none is.
    """
    answers: dict[str, str] = {}
    parts = []
    for name, values in scores.items():
        e, r = estimate(values), estimate(retrained[name])
        if original is not None and not mia_check(original[name], retrained[name], attacker=name, tolerance=tolerance,
                                                  scale=scale).informative:
            parts.append(f"{name} {e.show(digits, scale, unit)} (uninformative here)")
            continue
        c = compare(method, e, "retrained", r, quantity="", tolerance=tolerance)
        answers[name] = {"tie": "close to retrained", "lower": "below retrained", "higher": "above retrained",
                         "unresolved": "unresolved"}[c.kind]
        parts.append(f"{name} {e.show(digits, scale, unit)} vs retrained {r.show(digits, scale, unit)}")
    shown = "; ".join(parts)
    rule = "each attacker compares the method with the retrained model; " + _rule(tolerance)
    if not answers:
        return Verdict(f"MIA on {method}: no attacker is informative here ({shown}).", "uninformative", rule, (), False)
    distinct = set(answers.values())
    if len(answers) == 1:
        (name, said), = answers.items()
        return Verdict(f"MIA on {method}: only the {name} attacker speaks here, {said} ({shown}); with one attacker no "
                       "agreement can be checked.", "single", rule, (), True)
    if len(distinct) == 1:
        return Verdict(f"MIA on {method}: the attackers agree, {distinct.pop()} ({shown}).", "agree", rule, (), True)
    said = ", ".join(f"{k} says {v}" for k, v in answers.items())
    return Verdict(f"MIA on {method}: the attackers disagree ({said}; {shown}), so the MIA supports no conclusion here.",
                   "disagree", rule, (), True)


def against_reported(ours: Values, reported: float, *, quantity: str, reported_spread: float | None = None,
                     source: str = "the reported value", same_setting: bool = False, tolerance: float = 0.0,
                     digits: int = 2, scale: float = 1.0, unit: str = "") -> Verdict:
    """Our value beside a reported one (e.g. a :class:`datarights.reported.Reported`'s ``value``).

    Rule: consistent when the difference is at most our spread plus the reported spread, at least
    ``tolerance``. When ``same_setting`` is false the sentence says that the comparison neither
    confirms nor refutes the reported number (the settings differ).
    """
    e = estimate(ours)
    spread = (0.0 if e.n < 2 or math.isnan(e.std) else e.std) + (reported_spread or 0.0)
    m = max(spread, tolerance)
    rep = _number(scale * reported, digits) + (f" ± {_number(scale * reported_spread, digits)}" if reported_spread else "")
    shown = f"ours {e.show(digits, scale, unit)}, {source} {rep}{unit}"
    diff = e.mean - reported
    kind = "consistent" if abs(diff) <= m else ("above" if diff > 0 else "below")
    word = {"consistent": "matches", "above": "is above", "below": "is below"}[kind]
    text = f"{quantity}: ours {word} {source} ({shown})."
    if not same_setting:
        text += " The settings differ, so this neither confirms nor refutes the reported number."
    return Verdict(text, kind, "consistent when the difference is within the summed spreads", (), True,
                   {"ours": e.mean, "reported": reported})


def reach(values: Mapping[str, Values], level: Values, *, quantity: str, level_name: str,
          tolerance: float | None = None, digits: int = 2, scale: float = 1.0, unit: str = "") -> Verdict:
    """Which methods reach a reference level and which do not (e.g. the score of perfect unlearning).

    Each method is compared with ``level`` by :func:`compare` (module rule): within the margin it
    reaches the level; otherwise it lies below or above it.

    Returns
    -------
    Verdict
        ``winners`` holds the methods that reach the level; kind ``"consistent"`` when all do,
        ``"below"`` / ``"above"`` when none does and all lie on that side, ``"informative"`` for a
        mix, ``"unresolved"`` when no comparison can be made (one value each and no tolerance).
    """
    lv = estimate(level)
    sides: dict[str, list[str]] = {"tie": [], "lower": [], "higher": [], "unresolved": []}
    for name, v in values.items():
        sides[compare(name, v, level_name, lv, quantity=quantity, tolerance=tolerance).kind].append(name)
    rule = f"each method against {level_name}; " + _rule(tolerance)
    shown = ", ".join(f"{k} {estimate(v).show(digits, scale, unit)}" for k, v in values.items())
    head = f"{quantity[:1].upper() + quantity[1:]}: {level_name} {lv.show(digits, scale, unit)}; {shown}."
    if sides["unresolved"] and not (sides["tie"] or sides["lower"] or sides["higher"]):
        return Verdict(f"{head} One value each and no stated tolerance, so nothing is claimed.", "unresolved", rule, (), True)
    said = []
    if sides["tie"]:
        said.append(f"{_join(sides['tie'])} {'is' if len(sides['tie']) == 1 else 'are'} indistinguishable from {level_name} here")
    if sides["lower"]:
        said.append(f"{_join(sides['lower'])} {'lies' if len(sides['lower']) == 1 else 'lie'} below it")
    if sides["higher"]:
        said.append(f"{_join(sides['higher'])} {'lies' if len(sides['higher']) == 1 else 'lie'} above it")
    text = f"{head} " + "; ".join(said)[:1].upper() + "; ".join(said)[1:] + "."
    if len(sides["tie"]) == len(values):
        kind = "consistent"
    elif not sides["tie"] and not sides["higher"]:
        kind = "below"
    elif not sides["tie"] and not sides["lower"]:
        kind = "above"
    else:
        kind = "informative"
    return Verdict(text, kind, rule, tuple(sides["tie"]), True, {"level": lv.mean})


def returns_to_scale(r: float, *, tolerance: float = 0.1) -> Verdict:
    """What a fitted production function's returns to scale r = Σ_j α_j say (EcoVal, chapter 08, equation
    ``cobb-douglas``): *constant* within ``tolerance`` of 1, *none* within ``tolerance`` of 0 (accuracy hardly
    responds to the amount of data), otherwise decreasing (0 < r < 1), increasing (r > 1) or negative."""
    rule = f"constant when |r − 1| ≤ {tolerance:g}; none when |r| ≤ {tolerance:g}; otherwise by the side of 0 and 1 r lies on"
    head = f"The fitted returns to scale are r = Σⱼ αⱼ = {r:.2f}"  # plain text: a glued sentence is not typeset
    if abs(r - 1) <= tolerance:
        return Verdict(f"{head}, within {tolerance:g} of constant returns (r = 1): accuracy responds about in proportion "
                       "to the amount of data.", "consistent", rule, details={"r": r})
    if abs(r) <= tolerance:
        return Verdict(f"{head}, within {tolerance:g} of zero, far from constant returns (r = 1): scaling every cluster "
                       "up or down hardly changes accuracy.", "below", rule, details={"r": r})
    if 0 < r < 1:
        return Verdict(f"{head}, below constant returns (r = 1): accuracy responds less than proportionally to the "
                       "amount of data.", "below", rule, details={"r": r})
    if r > 1:
        return Verdict(f"{head}, above constant returns (r = 1): accuracy responds more than proportionally to the "
                       "amount of data.", "above", rule, details={"r": r})
    return Verdict(f"{head}, negative: the fit says accuracy falls as every cluster grows.", "below", rule, details={"r": r})


def same_winner(a_name: str, a: Verdict, b_name: str, b: Verdict) -> Verdict:
    """Whether two rankings (verdicts of :func:`rank`) name the same best method.

    They **agree** when their sets of winners (ties included) share a method, **disagree** when
    both name winners and share none; ``"unresolved"`` when either names none.
    """
    rule = "agree when the two sets of best methods (ties included) share a method"
    if not a.winners or not b.winners:
        missing = a_name if not a.winners else b_name
        return Verdict(f"{missing[:1].upper() + missing[1:]} names no best method here, so the two rankings cannot be compared.",
                       "unresolved", rule, (), False)
    shared = [w for w in a.winners if w in b.winners]
    if shared:
        return Verdict(f"{a_name[:1].upper() + a_name[1:]} and {b_name} agree on the best: {_join(shared)}.", "agree", rule,
                       tuple(shared), True)
    return Verdict(f"{a_name[:1].upper() + a_name[1:]} and {b_name} disagree: the first ranks {_join(a.winners)} best, "
                   f"the second {_join(b.winners)}.", "disagree", rule, (), True)


def from_frame(table, column: str, *, by: str = "method") -> dict[str, np.ndarray]:
    """Per-seed values of ``column`` grouped by ``by`` (a long results table, one row per method and seed)."""
    return {str(k): g[column].to_numpy(dtype=float) for k, g in table.groupby(by, sort=False)}


def proportion_interval(successes: int, trials: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval (95 % by default) of a proportion ``successes / trials``."""
    if trials <= 0:
        return (0.0, 1.0)
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def proportion(successes: int, trials: int, *, what: str, z: float = 1.96) -> Verdict:
    """A count out of a few trials with its 95 % Wilson interval, e.g. inversions recognised out of 12."""
    lo, hi = proportion_interval(successes, trials, z)
    text = f"{what}: {successes} of {trials} (95 % interval {lo:.0%} to {hi:.0%})."
    if trials < 30:
        text += " Too few trials for a firm conclusion."
    return Verdict(text, "informative", "Wilson score interval", (), True, {"low": lo, "high": hi})


def _join(names: Iterable[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


__all__ = ["Estimate", "KINDS", "Verdict", "against_reported", "attackers", "compare", "degenerate", "estimate",
           "from_frame", "margin", "mia_check", "proportion", "proportion_interval", "rank", "reach", "same_winner"]
