"""Every unlearning method of the book on the same models, requests, seeds and metric code
(issue "Chapter: all unlearning methods head to head").

``compare(methods, scenario, seeds, profile)`` trains (or loads) the original and retrained models
once per request and seed, runs each method through the common signature with the settings its
own chapter uses under the profile, measures every model with the same code, and returns a tidy
table: one row per method × request × seed. Each row is cached as its own JSON entry, so a long
run can be split into parts (one scenario, one seed) and resumed, and the chapter executes from
the stored rows. A method that raises is reported as failed, with its error, and the other rows
still complete.

``population_parts`` adds the per-example view (chapter section "Which method really forgets"):
K retrained models and K unlearnings of one original per method, scored by the NeurIPS 2023
competition's forgetting quality and by U-LiRA (``datarights.metrics.forgetting``); ``Populations``
reads the stored outputs and scores.
"""

from __future__ import annotations

import math
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from datarights import unlearning
from datarights.cache import Cache
from datarights.data import ForgetRequest
from datarights.experiments.measure import MEASURE_WORK, core_row, forget_evaluation, forget_share, relearn_target, shared_baselines, training_work
from datarights.experiments.runs import Part
from datarights.experiments.setup import BASELINES, Setup, prepare, retrained_model
from datarights.metrics import accuracy, activation_distance, forgetting_quality, js_divergence, model_outputs, null_level, u_lira_cv, zrf
from datarights.profiles import get
from datarights.seeds import seed_list, sub_seed
from datarights.settings.common import MIA_ATTACKS, Profile, profile_for
from datarights.settings.compare import (
    METHOD_ORDER,
    SCENARIOS,
    ZERO_SHOT,
    CompareStudy,
    PopulationStudy,
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
    groups = {scenario: scenario_parts(applicable(scenario), scenario, seeds=seeds, profile=profile, device=device,
                                       data_dir=data_dir, cache=cache)
              for scenario in SCENARIOS}
    groups["population"] = population_parts(profile, seed, device=device, data_dir=data_dir, cache=cache)
    return groups


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
                    result = setup.baseline(method, config) if method in BASELINES else run_method(method, setup, config)
                except Exception as err:  # a failing method is a result to report (and keep), not a reason to lose the others
                    return {"status": f"failed: {type(err).__name__}: {err}", "traceback": traceback.format_exc(limit=3)}
                model, seconds = result.model, result.seconds
            return {**measure(model, setup, study.mia_attacks, teacher), "seconds": seconds, "status": "ok"}

        train = getattr(config, "train", None)
        if method in BASELINES:
            work, shared = MEASURE_WORK, shared_baselines(profile, seed, request, methods=(method,))
        else:
            work, shared = MEASURE_WORK + (training_work(train, 1 - share) if train is not None else 1.0), ()
        out.append(Part("06", f"{request.label()} seed {seed}: {method} ({profile.name})", "compare-row", key, compute,
                        ((profile, seed, request),), work, shared=shared))
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


# -- forgetting quality over populations of models ---------------------------------------------------------------

POPULATION_VERSION = 1


def population_methods(scenario: str, study: CompareStudy) -> list[str]:
    """The methods whose unlearnings the population study scores in ``scenario``: those that can serve it and run under the profile."""
    return [m for m in applicable(scenario) if m != "retrain" and study.reason_not_run(m) is None]


def population_parts(profile: str | Profile, seed: int, *, device: str | torch.device | None = "auto",
                     data_dir: str | Path | None = None, cache: Cache | None = None) -> list[Part]:
    """One cached entry per scenario of the profile's ``PopulationStudy`` (none when the profile has no study)."""
    profile = get(profile)
    study = settings(profile.name)
    if study.population is None:
        return []
    cache = cache or Cache()
    return [_population_part(profile, study, study.requests(scenario)[0], seed, population_methods(scenario, study),
                             device=device, data_dir=data_dir, cache=cache)
            for scenario in study.population.scenarios]


def _jackknife(values: Sequence[float]) -> float:
    """The jackknife standard error from leave-one-out estimates (NaN with fewer than two)."""
    v = np.asarray(values, dtype=float)
    if v.size < 2:
        return math.nan
    return float(math.sqrt((v.size - 1) / v.size * np.sum((v - v.mean()) ** 2)))


def score_population(unlearned: dict[str, Any], retrained: dict[str, Any]) -> dict[str, float]:
    """The forgetting quality and U-LiRA of one method's K unlearnings against K retrainings, each with its
    jackknife standard error over the K model pairs (member k of both populations left out in turn).

    U-LiRA is cross-fitted leave-one-out with one pooled σ per population (LiRA's ``fix_variance``, for few
    shadow models)."""
    u, r = np.asarray(unlearned["outputs"]), np.asarray(retrained["outputs"])
    accuracies = {"retain_accuracy": (unlearned["retain"], retrained["retain"]), "test_accuracy": (unlearned["test"], retrained["test"])}

    def both(keep: np.ndarray) -> tuple[Any, Any]:
        pick = {name: (np.asarray(a)[keep], np.asarray(b)[keep]) for name, (a, b) in accuracies.items()}
        return forgetting_quality(u[keep], r[keep], **pick), u_lira_cv(u[keep], r[keep], global_variance=True)

    k = min(len(u), len(r))
    u, r = u[:k], r[:k]
    fq, lira = both(np.arange(k))
    left_out = [both(np.delete(np.arange(k), i)) for i in range(k)]
    return {
        "forgetting_score": fq.score, "forgetting_score_se": _jackknife([q.score for q, _ in left_out]),
        "final_score": fq.final, "final_score_se": _jackknife([q.final for q, _ in left_out]),
        "utility": fq.utility, "mean_epsilon": fq.mean_epsilon, "n_bins": fq.n_bins,
        "epsilons": fq.epsilons.tolist(),
        "lira_auc": lira.auc, "lira_auc_se": _jackknife([lr.auc for _, lr in left_out]),
        "lira_accuracy": lira.accuracy, "lira_accuracy_se": _jackknife([lr.accuracy for _, lr in left_out]),
        "lira_tpr_at_1pct": lira.tpr_at_fpr[0.01],
    }


def _population_part(profile: Profile, study: CompareStudy, request: ForgetRequest, seed: int, methods: list[str], *,
                     device, data_dir, cache: Cache) -> Part:
    population: PopulationStudy = study.population
    profile = profile_for(profile, request.superclasses)
    members = seed_list(seed, population.k)
    configs = {m: method_config(m, profile, seed) for m in methods}
    key = {"profile": profile.to_dict(), "request": request.to_dict(), "seed": seed, "population": asdict(population),
           "methods": {m: c.to_dict() for m, c in configs.items()}, "version": POPULATION_VERSION}

    def compute() -> dict[str, Any]:
        setup = prepare(profile, seed, request=request, device=device, data_dir=data_dir, cache=cache)
        s = setup.splits
        n = len(s.forget_train)
        chosen = np.sort(np.random.default_rng(seed).choice(n, size=min(n, population.examples), replace=False))
        examples = s.forget_train.subset(chosen.tolist(), name="forget_train")

        def observe(models: list[torch.nn.Module], seconds: list[float]) -> dict[str, Any]:
            return {"outputs": np.round(model_outputs(models, examples), 6).tolist(),
                    "retain": [accuracy(m, s.retain_train) for m in models], "test": [accuracy(m, s.test) for m in models],
                    "seconds": seconds}

        retrained, seconds = [], []
        for member in members:
            model, took = ((setup.retrained, setup.seconds["retrained"]) if member == seed
                           else retrained_model(profile, member, request, s, setup.device, cache))
            retrained.append(model)
            seconds.append(took)
        out: dict[str, Any] = {"examples": chosen.tolist(), "members": list(members),
                               "original": observe([setup.original], [setup.seconds["original"]]),
                               "retrained": observe(retrained, seconds), "methods": {}}
        del retrained
        null_mean, null_std = null_level(out["retrained"]["outputs"], repeats=population.null_repeats, seed=seed)
        out["null"] = {"forgetting_score": null_mean, "forgetting_score_std": null_std, "repeats": population.null_repeats}
        for method in methods:
            try:
                results = [run_method(method, setup, replace(configs[method], seed=member)) for member in members]
            except Exception as err:  # reported with its error, as a failed row of the comparison is
                out["methods"][method] = {"status": f"failed: {type(err).__name__}: {err}"}
                continue
            observed = observe([r.model for r in results], [r.seconds for r in results])
            out["methods"][method] = {"status": "ok", **observed, **score_population(observed, out["retrained"])}
        return out

    share = forget_share(request)
    train = profile.train
    work = (population.k - 1) * training_work(train, 1 - share) + population.k * sum(
        training_work(getattr(c, "train", None), 1 - share) if getattr(c, "train", None) is not None else 1.0
        for c in configs.values())
    return Part("06", f"{request.label()} seed {seed}: {population.k} models per method ({profile.name})", "compare-population",
                key, compute, ((profile, seed, request),), work)


@dataclass(frozen=True)
class Populations:
    """The stored population studies of a profile, one per scenario (``compare.populations`` reads them).

    ``raw`` maps each scenario to its entry: the forget examples scored, the outputs, retain and test
    accuracies and seconds of the original, the K retrained models and each method's K unlearnings, each
    method's scores (with jackknife standard errors) and the estimator's null level.
    """

    raw: dict[str, dict[str, Any]]

    @property
    def scenarios(self) -> list[str]:
        return list(self.raw)

    def k(self, scenario: str) -> int:
        return len(self.raw[scenario]["members"])

    def outputs(self, scenario: str, who: str) -> np.ndarray:
        """Logit-scaled confidences, shape (models, examples), of ``who``: "original", "retrained" or a method."""
        entry = self.raw[scenario]
        source = entry[who] if who in ("original", "retrained") else entry["methods"][who]
        return np.asarray(source["outputs"])

    def table(self, scenario: str) -> pd.DataFrame:
        """One row per method: forgetting score (before and after the utility factor), U-LiRA's AUC and
        balanced accuracy, each with its jackknife standard error over the K models, and mean seconds."""
        rows = []
        for method, entry in self.raw[scenario]["methods"].items():
            row: dict[str, Any] = {"method": method, "status": entry["status"]}
            if entry["status"] == "ok":
                row.update({key: entry[key] for key in ("forgetting_score", "forgetting_score_se", "final_score", "final_score_se",
                                                         "utility", "mean_epsilon", "lira_auc", "lira_auc_se", "lira_accuracy",
                                                         "lira_accuracy_se", "lira_tpr_at_1pct")},
                           seconds=float(np.mean(entry["seconds"])))
            rows.append(row)
        return pd.DataFrame(rows).set_index("method")

    def summary(self, scenario: str) -> pd.DataFrame:
        """``table(scenario)`` shaped as ``tables.summarise`` returns it (mean, std, count per quantity), with
        the jackknife standard error as the spread, for ``tables.summary_table``; failed methods left out."""
        table = self.table(scenario)
        table = table[table.status == "ok"]
        k = self.k(scenario)
        columns = {}
        for name in ("final_score", "forgetting_score", "utility", "mean_epsilon", "lira_auc", "lira_accuracy", "seconds"):
            se = table.get(f"{name}_se")
            columns[(name, "mean")] = table[name].astype(float)
            columns[(name, "std")] = se.astype(float) if se is not None else pd.Series(np.nan, index=table.index)
            columns[(name, "count")] = pd.Series(k, index=table.index)
        return pd.DataFrame(columns)

    def epsilon(self, scenario: str, method: str, example: int) -> float:
        """The competition's ε of ``method`` on the ``example``-th scored forget example."""
        return float(self.raw[scenario]["methods"][method]["epsilons"][example])

    def identical_runs(self, scenario: str) -> list[str]:
        """The methods whose K runs gave the same outputs on every scored example (a method that draws nothing at
        random): each of their examples is a point mass, which the competition's rule scores at the cap."""
        return [m for m, entry in self.raw[scenario]["methods"].items()
                if entry["status"] == "ok" and np.ptp(np.asarray(entry["outputs"]), axis=0).max() == 0]

    def most_distinguishable(self, scenario: str) -> tuple[str, int]:
        """Among the methods whose runs vary (see ``identical_runs``), the one with the lowest forgetting score
        (before utility), and the example where its ε is largest (the first such): the clearest case of a trace,
        for a figure."""
        table = self.table(scenario)
        table = table[table.status == "ok"]
        varying = table.drop(index=self.identical_runs(scenario))
        table = varying if len(varying) else table
        method = str(table.forgetting_score.astype(float).idxmin())
        return method, int(np.argmax(self.raw[scenario]["methods"][method]["epsilons"]))

    def null(self, scenario: str) -> dict[str, float]:
        """The forgetting score two populations of one distribution (fitted to the retrained outputs) get at this K."""
        return dict(self.raw[scenario]["null"])


def populations(profile: str | Profile, seed: int, *, device: str | torch.device | None = "auto",
                data_dir: str | Path | None = None, cache: Cache | None = None) -> Populations:
    """Run (or read) the profile's population study (see ``PopulationStudy``) for the chapter's ``seed``."""
    cache = cache or Cache()
    parts_ = population_parts(profile, seed, device=device, data_dir=data_dir, cache=cache)
    return Populations({part.config["request"]["kind"]: part.get(cache) for part in parts_})
