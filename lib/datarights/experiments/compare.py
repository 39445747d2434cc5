"""Every unlearning method of the book on the same models, requests, seeds and metric code
(issue "Chapter: all unlearning methods head to head").

``compare(methods, scenario, seeds, profile)`` trains (or loads) the original and retrained models
once per request and seed, runs each method through the common signature with the settings its
own chapter uses under the profile, measures every model with the same code, and returns a tidy
table: one row per method × request × seed. Each row is cached as its own JSON entry, so a long
run can be split into parts (one scenario, one seed) and resumed, and the chapter executes from
the stored rows. A method that raises is reported as failed, with its error, and the other rows
still complete.
"""

from __future__ import annotations

import math
import traceback
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from datarights import unlearning
from datarights.cache import Cache
from datarights.data import ForgetRequest
from datarights.experiments.measure import MEASURE_WORK, core_row, forget_evaluation, forget_share, relearn_target, training_work
from datarights.experiments.runs import Part
from datarights.experiments.setup import Setup, prepare
from datarights.metrics import accuracy, activation_distance, js_divergence, zrf
from datarights.profiles import get
from datarights.seeds import sub_seed
from datarights.settings.common import MIA_ATTACKS, Profile, profile_for
from datarights.settings.compare import (
    METHOD_ORDER,
    SCENARIOS,
    ZERO_SHOT,
    CompareStudy,
    method_config,
    settings,
)
from datarights.tables import summarise
from datarights.unlearning.bad_teacher import incompetent_teacher

RESULT_VERSION = 1
NOT_FROM_THE_PAPERS = ("ssd",)
# Why a method cannot serve a scenario; compare() refuses such a request with this reason.
CANNOT_SERVE: dict[tuple[str, str], str] = {
    **{(m, "random"): "it learns noise or a generator for named output classes, and a random subset names none"
       for m in ("unsir", "unsir_code")},
    **{(m, s): ("a zero-shot method sees no data: it can only name output classes, and a "
                + ("random subset is not one" if s == "random" else "sub-class is not one (its superclass must be kept)"))
       for m in ZERO_SHOT for s in ("random", "subclass")},
}
GAP_METRICS = ("retain_test", "forget", "test", "mia_logistic", "mia_svc", "zrf_code", "zrf_paper")
DISTANCE_METRICS = ("js_to_retrained", "activation_distance")


def run_method(method: str, setup: Setup, config: Any) -> unlearning.UnlearningResult:
    """``method`` on ``setup``'s request through the common signature, given only what it may see."""
    s = setup.splits
    function = unlearning.METHODS["unsir" if method == "unsir_code" else method]
    if method in ZERO_SHOT:
        return function(setup.original, forget_classes=s.forget_classes, input_shape=s.train.input_shape, config=config)
    if method in ("unsir", "unsir_code"):
        return function(setup.original, retain=s.retain_train, forget_classes=s.forget_classes, config=config,
                        subclass=s.kind == "subclass")
    return function(setup.original, forget=s.forget_train, retain=s.retain_train, config=config)


def measure(model: torch.nn.Module, setup: Setup, attacks: tuple[str, ...] = MIA_ATTACKS,
            teacher: torch.nn.Module | None = None) -> dict[str, Any]:
    """Every metric of the head-to-head table for ``model`` on ``setup``'s request (the same code for
    every method). ZRF is taken against the bad teacher's incompetent network unless ``teacher`` is given."""
    s = setup.splits
    teacher = teacher if teacher is not None else incompetent_teacher(setup.original, sub_seed(setup.seed, "incompetent"))
    judged = forget_evaluation(s)
    row, _ = core_row(model, setup, relearn_target(setup), attacks)
    row.update({
        "test": accuracy(model, s.test),
        "forget": accuracy(model, judged),
        "zrf_code": zrf(model, teacher, judged, "code"), "zrf_paper": zrf(model, teacher, judged, "paper"),
        "js_to_retrained": js_divergence(model, setup.retrained, judged),
        "activation_distance": activation_distance(model, setup.retrained, judged),
    })
    return row


def _check(methods: Sequence[str], scenario: str, seeds: Sequence[int]) -> None:
    unknown = [m for m in methods if m not in METHOD_ORDER]
    if unknown:
        raise ValueError(f"unknown methods {unknown}; known methods: {list(METHOD_ORDER)}")
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario={scenario!r}; known scenarios: {list(SCENARIOS)}")
    refused = {m: CANNOT_SERVE[(m, scenario)] for m in methods if (m, scenario) in CANNOT_SERVE}
    if refused:
        raise ValueError(f"methods {sorted(refused)} cannot serve the {scenario!r} scenario: "
                         + "; ".join(f"{m}: {why}" for m, why in refused.items()))
    if len(seeds) == 0:
        raise ValueError("seeds is empty: give at least one seed")
    if not methods:
        raise ValueError("methods is empty: name at least one method")


def applicable(scenario: str, methods: Iterable[str] = METHOD_ORDER) -> list[str]:
    """The methods that can serve ``scenario``, in the book's order."""
    return [m for m in methods if (m, scenario) not in CANNOT_SERVE]


def compare(methods: Sequence[str], scenario: str, *, seeds: Sequence[int], profile: str | Profile,
            device: str | torch.device | None = "auto", data_dir: str | Path | None = None, cache: Cache | None = None,
            progress: Callable[[str], None] | None = None) -> pd.DataFrame:
    """One row per method × request × seed of ``scenario`` (the profile's requests, see ``STUDIES``).

    The retrained model is always measured (method ``retrain``) since every gap is taken to it.
    Columns: request, seed, method, status ("ok" or "failed: ..."), the accuracies, MIA scores,
    ZRF in both forms, JS divergence and activation distance to the retrained model, relearn steps,
    AIN, seconds and the time ratio to retraining, and ``gap``, the summary score (see ``gap_score``).
    """
    methods = list(methods)
    _check(methods, scenario, seeds)
    profile = get(profile)
    study = settings(profile.name)
    cache = cache or Cache()
    ordered = ["retrain"] + [m for m in METHOD_ORDER if m in methods and m != "retrain"]
    rows = []
    for seed in seeds:
        for request in study.requests(scenario):
            for part in _request_parts(profile, study, request, seed, ordered, device=device, data_dir=data_dir, cache=cache):
                if progress is not None:
                    progress(part.label)
                rows.append({"scenario": request.kind, "request": request.label(), "seed": seed, "method": part.config["method"],
                             **part.get(cache)})
    return gap_score(_add_relative(pd.DataFrame(rows)))


def scenario_parts(methods: Sequence[str], scenario: str, *, seeds: Sequence[int], profile: str | Profile,
                   device: str | torch.device | None = "auto", data_dir: str | Path | None = None,
                   cache: Cache | None = None) -> list[Part]:
    """One cached row per seed × request × method of ``scenario`` (the retrained model's row first in each request)."""
    profile = get(profile)
    study = settings(profile.name)
    cache = cache or Cache()
    ordered = ["retrain"] + [m for m in METHOD_ORDER if m in methods and m != "retrain"]
    return [part for seed in seeds for request in study.requests(scenario)
            for part in _request_parts(profile, study, request, seed, ordered, device=device, data_dir=data_dir, cache=cache)]


def parts(profile: str | Profile, seed: int, *, device: str | torch.device | None = "auto", data_dir: str | Path | None = None,
          cache: Cache | None = None) -> dict[str, list[Part]]:
    """Every cached row of the chapter, by scenario (``seed`` offsets the study's seeds, as the chapter does)."""
    study = settings(get(profile).name)
    seeds = tuple(seed + offset for offset in study.seeds)
    return {scenario: scenario_parts(applicable(scenario), scenario, seeds=seeds, profile=profile, device=device, data_dir=data_dir,
                                     cache=cache)
            for scenario in SCENARIOS}


def _request_parts(profile: Profile, study: CompareStudy, request: ForgetRequest, seed: int, methods: list[str], *, device,
                   data_dir, cache: Cache) -> list[Part]:
    profile = profile_for(profile, request.superclasses)
    prepared: dict[str, Any] = {}  # the models of the request, shared by its rows when they are computed in one process

    def context() -> tuple[Setup, torch.nn.Module]:
        if not prepared:
            setup = prepare(profile, seed, request=request, device=device, data_dir=data_dir, cache=cache)
            prepared["setup"] = setup
            prepared["teacher"] = incompetent_teacher(setup.original, sub_seed(setup.seed, "incompetent"))
        return prepared["setup"], prepared["teacher"]

    share = forget_share(request)
    out = []
    for method in methods:
        config = method_config(method, profile, seed)
        key = {"profile": profile.to_dict(), "request": request.to_dict(), "seed": seed, "method": method,
               "config": config.to_dict() if config is not None else None, "mia_attacks": list(study.mia_attacks),
               "version": RESULT_VERSION}
        if study.reason_not_run(method) is not None:
            key["not_run"] = study.reason_not_run(method)

        def compute(method: str = method, config: Any = config) -> dict[str, Any]:
            not_run = study.reason_not_run(method)
            if not_run is not None:
                return {"status": not_run}
            setup, teacher = context()
            if method == "retrain":
                model, seconds = setup.retrained, setup.seconds["retrained"]
            else:
                try:
                    result = run_method(method, setup, config)
                except Exception as err:  # a failing method is a result to report (and keep), not a reason to lose the others
                    return {"status": f"failed: {type(err).__name__}: {err}", "traceback": traceback.format_exc(limit=3)}
                model, seconds = result.model, result.seconds
            return {**measure(model, setup, study.mia_attacks, teacher), "seconds": seconds, "status": "ok"}

        train = getattr(config, "train", None)
        work = MEASURE_WORK + (training_work(train, 1 - share) if train is not None else 1.0)
        out.append(Part("06", f"{request.label()} seed {seed}: {method} ({profile.name})", "compare-row", key, compute,
                        ((profile, seed, request),), work))
    return out


def _add_relative(table: pd.DataFrame) -> pd.DataFrame:
    """AIN (relearn steps relative to the retrained model's) and the time ratio to retraining, per request and seed."""
    gold = table[table.method == "retrain"].set_index(["request", "seed"])
    keys = list(zip(table.request, table.seed))
    gold_steps = np.array([gold.loc[k, "relearn_steps"] for k in keys], dtype=float)
    gold_seconds = np.array([gold.loc[k, "seconds"] for k in keys], dtype=float)
    return table.assign(ain=table["relearn_steps"].astype(float) / gold_steps,
                        time_ratio=table["seconds"].astype(float) / gold_seconds)


def gap_to(row: Any, gold: Any) -> float:
    """The summary score of one model's metrics (``row``) against the retrained model's (``gold``):

        gap = mean( |m − m_retrained| for m in retain, forget and test accuracy, both MIA scores and
                    both ZRF forms;  JS divergence and activation distance to the retrained model )

    Metrics missing from ``row`` (e.g. an MIA attack not run) are left out. The accuracy and MIA terms
    lie in [0, 1] and JS in nats is at most ln 2, but the activation distance (an L2 distance between two
    probability vectors) can reach √2, so the terms are not all on one 0–1 scale. AIN and time are not
    included: they are ratios without an upper bound and are reported beside the gap.
    """
    value = (lambda r, m: r.get(m) if isinstance(r, dict) else getattr(r, m, None))  # noqa: E731
    terms = [abs(value(row, m) - value(gold, m)) for m in GAP_METRICS
             if value(row, m) is not None and not pd.isna(value(row, m)) and value(gold, m) is not None]
    terms += [value(row, m) for m in DISTANCE_METRICS]
    return float(np.mean(terms))


def gap_score(table: pd.DataFrame) -> pd.DataFrame:
    """Add ``gap`` (see ``gap_to``) to every successful row, against the retrained model of the same request and seed."""
    gold = table[table.method == "retrain"].set_index(["request", "seed"])
    gaps = [gap_to(row._asdict(), gold.loc[(row.request, row.seed)].to_dict()) if str(row.status) == "ok" else math.nan
            for row in table.itertuples(index=False)]
    return table.assign(gap=gaps)


def summary(table: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Mean, standard deviation and count over requests and seeds, per method, in the book's order."""
    return summarise(table[table.status == "ok"], list(columns), order=list(METHOD_ORDER))
