"""Experiments of the EcoVal chapter, cached as JSON under ``results/ecoval/``.

``run(profile, seed)`` runs (or loads) six experiments and returns an :class:`EcoValRun`:

1. ``curves``: point removal (highest and lowest value first) and addition curves, retraining after
   each step, for EcoVal (reconstruction) and the baselines on every table and seed;
2. ``noise``: noisy-label detection (F1 of 1-D 2-means, discovery curves) at each flip rate;
3. ``cost``: model fits and seconds against the number of points (``make_classification``);
4. ``oos``: out-of-sample valuation of a fresh pool of clean and label-flipped points;
5. ``sensitivity``: number of clusters, per-class clustering and the production-function form;
6. ``agreement``: rank correlation with (budget-limited) TMC Data Shapley, Beta Shapley, Banzhaf
   and Shapley over EcoVal's clusters on a small set.

Sampling baselines stop at a time budget (``*_seconds`` below); their records say when the budget,
not convergence, stopped them. Sizes live in :class:`EcoValProfile` (``smoke``, ``quick``, ``full``).
"""

from __future__ import annotations

import contextlib
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn import datasets as skdata
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from datarights.cache import Cache
from datarights.experiments.runs import ExperimentTables, run_experiments
from datarights.valuation import (BudgetConfig, DistributionalConfig, EcoValConfig, Utility, addition_curve,
                                  curve_area, detection_f1, discovery_curve, distributional_shapley, ecoval,
                                  flip_labels, pydvl_values, removal_curve)

RESULT_VERSION = 1
KIND = "ecoval"
EXPERIMENTS = ("curves", "noise", "cost", "oos", "sensitivity", "agreement")
REMOVE = tuple(float(f) for f in np.round(np.arange(0.0, 0.51, 0.05), 2))
ADD = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0)
DISCOVER = tuple(float(f) for f in np.round(np.linspace(0, 1, 21), 2))
LABELS = {"ecoval": "EcoVal (reconstruction)", "tmc_shapley": "Data Shapley (TMC)", "dist_shapley": "Distributional Shapley",
          "loo": "Leave-one-out", "knn_shapley": "KNN-Shapley", "data_oob": "Data-OOB", "banzhaf": "Data Banzhaf (MSR)",
          "beta_shapley": "Beta Shapley", "group_shapley": "Shapley over clusters", "random": "Random"}


@dataclass(frozen=True)
class EcoValProfile:
    """Everything that changes between the smoke, quick and full runs of the EcoVal chapter."""

    name: str
    description: str
    tables: tuple[str, ...]
    n_train: int  # training points per table (at most 45% of the table)
    n_valid: int  # validation points that score EcoVal's and the baselines' fits
    seeds: int
    methods: tuple[str, ...]
    n_clusters: int = 10
    tmc_seconds: float = 5.0
    dist_seconds: float = 5.0
    other_seconds: float = 3.0  # Banzhaf, Beta Shapley, group Shapley
    dist_m: int = 100
    dist_samples: int = 40
    oob_models: int = 50
    noise_table: str = "breast_cancer"
    noise_rates: tuple[float, ...] = (0.1, 0.2)
    noise_methods: tuple[str, ...] = ("ecoval", "tmc_shapley", "dist_shapley", "loo", "knn_shapley", "data_oob")
    cost_sizes: tuple[int, ...] = (200, 500, 1000, 2000, 5000)
    cost_tmc_seconds: float = 2.0
    oos_pool: int = 100
    sens_clusters: tuple[int, ...] = (4, 8, 16, 32)
    agree_n: int = 60
    agree_seconds: float = 15.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def seed_list(self, seed: int) -> list[int]:
        return list(range(seed, seed + self.seeds))


ALL_METHODS = ("ecoval", "tmc_shapley", "dist_shapley", "loo", "knn_shapley", "data_oob", "banzhaf", "random")

PROFILES: dict[str, EcoValProfile] = {
    "smoke": EcoValProfile(
        name="smoke", description="one table, 40 training points, one seed, budgets under a second: a test of the pipeline",
        tables=("breast_cancer",), n_train=40, n_valid=40, seeds=1, methods=("ecoval", "tmc_shapley", "dist_shapley", "knn_shapley", "random"),
        n_clusters=4, tmc_seconds=0.5, dist_seconds=0.5, other_seconds=0.3, dist_m=20, dist_samples=3, oob_models=5,
        noise_rates=(0.2,), noise_methods=("ecoval", "knn_shapley"), cost_sizes=(100, 200), cost_tmc_seconds=0.3,
        oos_pool=20, sens_clusters=(2, 4), agree_n=20, agree_seconds=0.5),
    "quick": EcoValProfile(
        name="quick", description="three tables bundled with scikit-learn, 200 training points each, two seeds, "
                                   "logistic regression, sampling baselines stopped at a few seconds",
        tables=("breast_cancer", "wine", "digits"), n_train=200, n_valid=150, seeds=2, methods=ALL_METHODS, n_clusters=16),
    "full": EcoValProfile(
        name="full", description="three tables, 500 training points each, five seeds, longer budgets",
        tables=("breast_cancer", "wine", "digits"), n_train=500, n_valid=300, seeds=5, methods=ALL_METHODS,
        n_clusters=20, tmc_seconds=60.0, dist_seconds=60.0, other_seconds=30.0, dist_samples=200, oob_models=200,
        cost_sizes=(200, 500, 1000, 2000, 5000, 20000), cost_tmc_seconds=30.0, oos_pool=300, agree_n=100,
        agree_seconds=300.0),
}


def get_profile(name: str | EcoValProfile) -> EcoValProfile:
    """The EcoVal profile called ``name`` (``smoke``, ``quick`` or ``full``)."""
    if isinstance(name, EcoValProfile):
        return name
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown profile={name!r}; known profiles: {list(PROFILES)}") from None


# -- data --------------------------------------------------------------------------------------

LOADERS = {"breast_cancer": skdata.load_breast_cancer, "wine": skdata.load_wine, "digits": skdata.load_digits}


def learner() -> LogisticRegression:
    """The learner of every utility in the chapter."""
    return LogisticRegression(max_iter=500)


@dataclass
class Split:
    train: tuple[np.ndarray, np.ndarray]
    valid: tuple[np.ndarray, np.ndarray]
    test: tuple[np.ndarray, np.ndarray]
    rest: tuple[np.ndarray, np.ndarray]  # unused points (the out-of-sample pool comes from here)


def load_split(table: str, n_train: int, n_valid: int, seed: int) -> Split:
    """Standardised table split at random into train, validation, test (a quarter of the table at least) and the rest."""
    if table.startswith("synthetic"):
        n = int(table.split("-")[1])
        x, y = skdata.make_classification(n_samples=n + 2 * n_valid + 400, n_features=20, n_informative=8,
                                          n_classes=2, random_state=seed)
    else:
        x, y = LOADERS[table](return_X_y=True)
        n = min(n_train, int(0.45 * len(y)))
        n_valid = min(n_valid, int(0.25 * len(y)))
    order = np.random.default_rng(seed).permutation(len(y))
    n_test = max(int(0.25 * len(y)), min(400, len(y) - n - n_valid))
    parts = np.split(order, np.cumsum([n, n_valid, n_test]))
    scaler = StandardScaler().fit(x[parts[0]])
    x = scaler.transform(x)
    return Split(*((x[p], y[p]) for p in parts))


def table_rows(table: str) -> int:
    return len(LOADERS[table](return_X_y=True)[1])


# -- valuing with one method --------------------------------------------------------------------

def value(method: str, train: tuple, valid: tuple, profile: EcoValProfile, seed: int, groups: np.ndarray | None = None,
          seconds: float | None = None) -> dict[str, Any]:
    """Values, fits, seconds and budget flag of ``method`` on ``train``."""
    start = time.perf_counter()
    if method == "ecoval":
        r = ecoval(train, valid, learner=learner(), config=EcoValConfig(n_clusters=profile.n_clusters, seed=seed))
        return {"values": r.values.tolist(), "n_fits": r.n_fits, "seconds": r.seconds, "stopped": False,
                "clusters": r.clusters.tolist()}
    if method == "random":
        return {"values": np.random.default_rng(seed).normal(size=len(train[1])).tolist(), "n_fits": 0,
                "seconds": time.perf_counter() - start, "stopped": False}
    if method == "dist_shapley":
        config = DistributionalConfig(m=profile.dist_m, n_samples=profile.dist_samples,
                                      max_seconds=seconds or profile.dist_seconds, seed=seed)
        v = distributional_shapley(train, train, Utility(learner(), train, valid), config=config)
    else:
        limit = seconds or (profile.tmc_seconds if method == "tmc_shapley" else profile.other_seconds)
        budget = BudgetConfig(max_updates=10_000, max_seconds=limit, oob_models=profile.oob_models, seed=seed)
        v = pydvl_values(method, train, valid, learner=learner(), budget=budget, groups=groups)
    return {"values": v.values.tolist(), "n_fits": v.n_fits, "seconds": v.seconds, "stopped": v.stopped_at_budget}


# -- experiment 1: removal and addition curves ------------------------------------------------

def _curves(profile: EcoValProfile, seed: int) -> dict[str, Any]:
    records = []
    for table in profile.tables:
        for s in profile.seed_list(seed):
            split = load_split(table, profile.n_train, profile.n_valid, s)
            test_utility = Utility(learner(), split.train, split.test)
            for method in profile.methods:
                out = value(method, split.train, split.valid, profile, s)
                values = np.asarray(out["values"])
                high = removal_curve(values, test_utility, REMOVE, highest_first=True)
                low = removal_curve(values, test_utility, REMOVE, highest_first=False)
                add = addition_curve(values, test_utility, ADD, highest_first=True)
                records.append({"table": table, "seed": s, "method": method, "n_train": len(split.train[1]),
                                "n_fits": out["n_fits"], "seconds": out["seconds"], "stopped": out["stopped"],
                                "remove_high": high.tolist(), "remove_low": low.tolist(), "add_high": add.tolist(),
                                "auc_remove_high": curve_area(REMOVE, high), "auc_remove_low": curve_area(REMOVE, low),
                                "auc_add_high": curve_area(ADD, add)})
    return {"records": records, "remove": list(REMOVE), "add": list(ADD)}


# -- experiment 2: noisy labels -------------------------------------------------------------------

def _noise(profile: EcoValProfile, seed: int) -> dict[str, Any]:
    records = []
    for rate in profile.noise_rates:
        for s in profile.seed_list(seed):
            split = load_split(profile.noise_table, profile.n_train, profile.n_valid, s)
            y_noisy, flipped = flip_labels(split.train[1], rate, seed=s)
            train = (split.train[0], y_noisy)
            for method in profile.noise_methods:
                out = value(method, train, split.valid, profile, s)
                values = np.asarray(out["values"])
                records.append({"rate": rate, "seed": s, "method": method, "f1": detection_f1(values, flipped),
                                "discovery": discovery_curve(values, flipped, DISCOVER).tolist(),
                                "n_fits": out["n_fits"], "seconds": out["seconds"], "stopped": out["stopped"]})
    return {"records": records, "fractions": list(DISCOVER), "table": profile.noise_table}


# -- experiment 3: cost ----------------------------------------------------------------------------

def _cost(profile: EcoValProfile, seed: int) -> dict[str, Any]:
    records = []
    for n in profile.cost_sizes:
        split = load_split(f"synthetic-{n}", n, 200, seed)
        for method in ("ecoval", "tmc_shapley"):
            out = value(method, split.train, split.valid, profile, seed, seconds=profile.cost_tmc_seconds)
            records.append({"n": n, "method": method, "n_fits": out["n_fits"], "seconds": out["seconds"],
                            "stopped": out["stopped"]})
    return {"records": records}


# -- experiment 4: out of sample -------------------------------------------------------------------

def _oos(profile: EcoValProfile, seed: int) -> dict[str, Any]:
    records = []
    for table in profile.tables:
        for s in profile.seed_list(seed):
            split = load_split(table, profile.n_train, profile.n_valid, s)
            pool_x, pool_y = split.rest if len(split.rest[1]) >= profile.oos_pool else split.test
            pool_x, pool_y = pool_x[: profile.oos_pool], pool_y[: profile.oos_pool]
            noisy_y, flipped = flip_labels(pool_y, 0.2, seed=s)
            pool = (pool_x, noisy_y)
            start = time.perf_counter()
            fitted = ecoval(split.train, split.valid, learner=learner(), config=EcoValConfig(n_clusters=profile.n_clusters, seed=s))
            eco = fitted.value_of(*pool)
            eco_seconds = time.perf_counter() - start - fitted.seconds
            config = DistributionalConfig(m=profile.dist_m, n_samples=profile.dist_samples, max_seconds=profile.dist_seconds, seed=s)
            utility = Utility(learner(), split.train, split.valid)
            dist = distributional_shapley(pool, split.train, utility, config=config)
            test = Utility(learner(), split.train, split.test)
            base = test(np.arange(len(split.train[1])))
            for method, values, fits, seconds in (("ecoval", eco, 0, eco_seconds), ("dist_shapley", dist.values, dist.n_fits, dist.seconds),
                                                  ("random", np.random.default_rng(s).normal(size=len(noisy_y)), 0, 0.0)):
                order = np.argsort(-values, kind="stable")
                fractions = (0.0, 0.25, 0.5, 0.75, 1.0)
                sets = [(np.vstack([split.train[0], pool_x[order[: int(f * len(order))]]]),
                         np.concatenate([split.train[1], noisy_y[order[: int(f * len(order))]]])) for f in fractions]
                accuracy = test.many_arrays(sets)
                records.append({"table": table, "seed": s, "method": method, "f1": detection_f1(values, flipped),
                                "n_fits": fits, "seconds": seconds, "base": base, "stopped": bool(dist.stopped_at_budget and method == "dist_shapley"),
                                "add_accuracy": accuracy.tolist(), "fractions": list(fractions)})
    return {"records": records, "pool": profile.oos_pool}


# -- experiment 5: sensitivity ---------------------------------------------------------------------

def _sensitivity(profile: EcoValProfile, seed: int) -> dict[str, Any]:
    records = []
    for s in profile.seed_list(seed):
        split = load_split(profile.noise_table, profile.n_train, profile.n_valid, s)
        y_noisy, flipped = flip_labels(split.train[1], 0.2, seed=s)
        train = (split.train[0], y_noisy)
        test_utility = Utility(learner(), train, split.test)
        for k in profile.sens_clusters:
            for per_class in (True, False):
                for form in ("cobb_douglas", "linear"):
                    config = EcoValConfig(n_clusters=k, per_class=per_class, form=form, seed=s)
                    r = ecoval(train, split.valid, learner=learner(), config=config)
                    high = removal_curve(r.values, test_utility, REMOVE, highest_first=True)
                    records.append({"seed": s, "n_clusters": k, "per_class": per_class, "form": form,
                                    "f1": detection_f1(r.values, flipped), "auc_remove_high": curve_area(REMOVE, high),
                                    "n_fits": r.n_fits, "fit_r2": r.fit_r2, "clusters_used": int(r.clusters.max() + 1)})
    return {"records": records}


# -- experiment 6: agreement with Shapley-type values ------------------------------------------------

def _agreement(profile: EcoValProfile, seed: int) -> dict[str, Any]:
    split = load_split(profile.noise_table, profile.agree_n, profile.n_valid, seed)
    eco = ecoval(split.train, split.valid, learner=learner(), config=EcoValConfig(n_clusters=min(profile.n_clusters, 6), seed=seed))
    out: dict[str, Any] = {"ecoval": {"values": eco.values.tolist(), "n_fits": eco.n_fits, "seconds": eco.seconds, "stopped": False}}
    for method in ("tmc_shapley", "beta_shapley", "banzhaf", "group_shapley", "loo", "knn_shapley"):
        seconds = profile.agree_seconds if method == "tmc_shapley" else profile.other_seconds
        out[method] = value(method, split.train, split.valid, profile, seed, groups=eco.clusters, seconds=seconds)
    reference = np.asarray(out["tmc_shapley"]["values"])
    rows = [{"method": m, "spearman": float(spearmanr(np.asarray(r["values"]), reference).statistic), "n_fits": r["n_fits"],
             "seconds": r["seconds"], "stopped": r["stopped"]} for m, r in out.items() if m != "tmc_shapley"]
    return {"rows": rows, "n": len(split.train[1]), "tmc": {k: v for k, v in out["tmc_shapley"].items() if k != "values"}}


COMPUTE: dict[str, Callable[[EcoValProfile, int], dict[str, Any]]] = {
    "curves": _curves, "noise": _noise, "cost": _cost, "oos": _oos, "sensitivity": _sensitivity, "agreement": _agreement,
}


# -- the chapter's result -------------------------------------------------------------------------------

PACKAGES = ("numpy", "scikit-learn", "scipy", "pandas", "pydvl", "joblib")


@dataclass(frozen=True)
class EcoValRun(ExperimentTables):
    """The chapter's numbers: one JSON-able dict per experiment, with tables as DataFrames."""

    @property
    def curves(self) -> pd.DataFrame:
        return self.frame("curves")

    @property
    def noise(self) -> pd.DataFrame:
        return self.frame("noise")

    @property
    def cost(self) -> pd.DataFrame:
        return self.frame("cost")

    @property
    def oos(self) -> pd.DataFrame:
        return self.frame("oos")

    @property
    def sensitivity(self) -> pd.DataFrame:
        return self.frame("sensitivity")

    @property
    def agreement(self) -> pd.DataFrame:
        return self.frame("agreement", "rows")

    def describe(self, chapter: str = "07") -> str:
        """A Markdown admonition saying which profile, tables, seeds, budgets and versions produced the page."""
        meta, v = self.meta, self.meta["versions"]
        tables = ", ".join(f"{t} ({rows} rows)" for t, rows in meta["table_rows"].items())
        return (
            ":::{admonition} How these numbers were produced\n:class: note\n"
            f"Profile **{meta['profile']}** ({meta['description']}), seeds **{', '.join(map(str, meta['seeds']))}**. "
            f"Tables: {tables}, standardised, {meta['n_train']} training points at most (45 % of a table), "
            f"a validation set that scores every fit, and a separate test set for the curves. Learner: logistic regression. "
            f"Time budgets: TMC Data Shapley {meta['tmc_seconds']} s, Distributional Shapley {meta['dist_seconds']} s, "
            f"Banzhaf / Beta / group Shapley {meta['other_seconds']} s per run; methods stopped by a budget are marked. "
            f"EcoVal is **our reconstruction** (the paper's equations are not public). "
            f"scikit-learn {v['scikit-learn']}, pyDVL {v['pydvl']}, numpy {v['numpy']}, Python {v['python']}. "
            f"Re-run with another profile: `python -m datarights run {chapter} --profile quick|full --seed N`.\n:::"
        )


def result_config(profile: EcoValProfile, seed: int, experiment: str) -> dict[str, Any]:
    return {"experiment": experiment, "profile": profile.to_dict(), "seed": seed, "version": RESULT_VERSION}


@contextlib.contextmanager
def _quiet_single_thread() -> Iterator[None]:
    """One BLAS thread per fit (fits run in parallel through joblib) and no library warnings in the page."""
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def run(profile: str | EcoValProfile = "quick", seed: int = 0, *, cache: Cache | None = None,
        experiments: tuple[str, ...] = EXPERIMENTS) -> EcoValRun:
    """Run (or load from the cache) the chapter's experiments for ``profile`` and ``seed``."""
    profile = get_profile(profile)
    cache = cache or Cache()
    raw = run_experiments(KIND, {name: (lambda name=name: COMPUTE[name](profile, seed)) for name in experiments},
                          lambda name: result_config(profile, seed, name), cache=cache, packages=PACKAGES,
                          context=_quiet_single_thread)
    raw["meta"] = {"profile": profile.name, "description": profile.description, "seeds": profile.seed_list(seed),
                   "n_train": profile.n_train, "tmc_seconds": profile.tmc_seconds, "dist_seconds": profile.dist_seconds,
                   "other_seconds": profile.other_seconds, "versions": raw["versions"],
                   "table_rows": {t: table_rows(t) for t in profile.tables}, "seconds": raw["seconds"]}
    return EcoValRun(raw)
