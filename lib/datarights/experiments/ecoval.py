"""Experiments of the EcoVal chapter, cached as JSON under ``results/ecoval/``.

``run(profile, seed)`` runs (or loads) seven experiments and returns an :class:`EcoValRun`:

1. ``curves``: point removal (highest and lowest value first) and addition curves, retraining after
   each step, for EcoVal (reconstruction) and the baselines on every table and seed;
2. ``noise``: noisy-label detection (F1 of 1-D 2-means, discovery curves) at each flip rate, with
   removal and addition curves on the noisy data and the ablation of EcoVal's two parts (intrinsic
   alone, production-function term alone) beside a training-free kNN label-agreement baseline;
3. ``cost``: model fits and seconds against the number of points (``make_classification``);
4. ``oos``: out-of-sample valuation of a pool of new points (a fifth of them label-flipped), drawn from
   rows that are in none of the training, validation and test sets;
5. ``sensitivity``: number of clusters, per-class clustering and the production-function form;
6. ``agreement``: rank correlation with (budget-limited) TMC Data Shapley, Beta Shapley, Banzhaf
   and Shapley over EcoVal's clusters on a small set;
7. ``budget``: quality against the number of model fits, every method at equal fits: rank
   correlation with a Data Shapley reference (two independent long TMC runs averaged, their fits
   and their mutual agreement recorded) and the removal-curve area.

Sampling baselines in experiments 1, 2 and 6 stop at a time budget (``*_seconds``); their records
give the fits they made and say when the budget, not convergence, stopped them. Experiment 7
stops them at a number of fits instead. Sizes live in :mod:`datarights.settings.ecoval`.
"""

from __future__ import annotations

import contextlib
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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
from datarights.settings.ecoval import ALL_METHODS, EcoValStudy, settings  # noqa: F401  (ALL_METHODS re-exported)
from datarights.valuation import (
    BudgetConfig,
    DistributionalConfig,
    EcoValConfig,
    Utility,
    addition_curve,
    curve_area,
    detection_f1,
    discovery_curve,
    distributional_shapley,
    ecoval,
    flip_labels,
    knn_agreement,
    pydvl_values,
    removal_curve,
)

RESULT_VERSION = 2
KIND = "ecoval"
EXPERIMENTS = ("curves", "noise", "cost", "oos", "sensitivity", "agreement", "budget")
REMOVE = tuple(float(f) for f in np.round(np.arange(0.0, 0.51, 0.05), 2))
ADD = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0)
DISCOVER = tuple(float(f) for f in np.round(np.linspace(0, 1, 21), 2))
LABELS = {"ecoval": "EcoVal (reconstruction)", "ecoval_intrinsic": "EcoVal: intrinsic part alone",
          "ecoval_extrinsic": "EcoVal: production-function part alone", "knn_agreement": "kNN label agreement (no fit)",
          "tmc_shapley": "Data Shapley (TMC)", "dist_shapley": "Distributional Shapley",
          "loo": "Leave-one-out", "knn_shapley": "KNN-Shapley", "data_oob": "Data-OOB", "banzhaf": "Data Banzhaf (MSR)",
          "beta_shapley": "Beta Shapley", "group_shapley": "Shapley over clusters", "random": "Random"}


# -- data --------------------------------------------------------------------------------------

LOADERS = {"breast_cancer": skdata.load_breast_cancer, "wine": skdata.load_wine, "digits": skdata.load_digits}


def learner() -> LogisticRegression:
    """The learner of every utility in the chapter."""
    return LogisticRegression(max_iter=500)


@dataclass
class Split:
    """Four disjoint parts of one table: the points valued, the validation set that scores every fit of a
    valuation, the test set that scores the curves, and the pool of new points valued out of sample."""

    train: tuple[np.ndarray, np.ndarray]
    valid: tuple[np.ndarray, np.ndarray]
    test: tuple[np.ndarray, np.ndarray]
    pool: tuple[np.ndarray, np.ndarray]
    indices: dict[str, np.ndarray]  # row numbers of each part in the table


def load_split(table: str, n_train: int, n_valid: int, seed: int, n_pool: int = 0) -> Split:
    """Standardised table split at random into train (≤ 45 %), validation (≤ 20 %), out-of-sample pool
    (≤ 20 %) and test (the rest, at most 400 rows): four disjoint sets of rows, so new points valued out of
    sample never come from the test set that judges them."""
    if table.startswith("synthetic"):
        n = int(table.split("-")[1])
        x, y = skdata.make_classification(n_samples=n + 2 * n_valid + n_pool + 400, n_features=20, n_informative=8,
                                          n_classes=2, random_state=seed)
    else:
        x, y = LOADERS[table](return_X_y=True)
        n = min(n_train, int(0.45 * len(y)))
        n_valid = min(n_valid, int(0.20 * len(y)))
        n_pool = min(n_pool, int(0.20 * len(y)))
    order = np.random.default_rng(seed).permutation(len(y))
    n_test = min(400, len(y) - n - n_valid - n_pool)
    if n_test < 1:
        raise ValueError(f"table {table!r} has {len(y)} rows, too few for {n} training, {n_valid} validation and "
                         f"{n_pool} pool points and a test set")
    parts = dict(zip(("train", "valid", "pool", "test"), np.split(order, np.cumsum([n, n_valid, n_pool]))))
    parts["test"] = parts["test"][:n_test]
    scaler = StandardScaler().fit(x[parts["train"]])
    x = scaler.transform(x)
    return Split(**{name: (x[parts[name]], y[parts[name]]) for name in ("train", "valid", "test", "pool")}, indices=parts)


def table_rows(table: str) -> int:
    return len(LOADERS[table](return_X_y=True)[1])


# -- valuing with one method --------------------------------------------------------------------

def value(method: str, train: tuple, valid: tuple, profile: EcoValStudy, seed: int, groups: np.ndarray | None = None,
          seconds: float | None = None) -> dict[str, Any]:
    """Values, fits, seconds and budget flag of ``method`` on ``train``."""
    start = time.perf_counter()
    if method.startswith("ecoval"):
        r = ecoval(train, valid, learner=learner(), config=EcoValConfig(n_clusters=profile.n_clusters, seed=seed))
        part = {"ecoval": r.values, "ecoval_intrinsic": r.intrinsic, "ecoval_extrinsic": r.extrinsic}[method]
        return {"values": part.tolist(), "n_fits": r.n_fits, "seconds": r.seconds, "stopped": False,
                "clusters": r.clusters.tolist(), "returns_to_scale": float(r.elasticities.sum()), "fit_r2": r.fit_r2}
    if method == "knn_agreement":
        v = knn_agreement(train, EcoValConfig().n_neighbors)
        return {"values": v.values.tolist(), "n_fits": 0, "seconds": v.seconds, "stopped": False}
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

def _curves(profile: EcoValStudy, seed: int) -> dict[str, Any]:
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

def _noise(profile: EcoValStudy, seed: int) -> dict[str, Any]:
    records = []
    for rate in profile.noise_rates:
        for s in profile.seed_list(seed):
            split = load_split(profile.noise_table, profile.n_train, profile.n_valid, s)
            y_noisy, flipped = flip_labels(split.train[1], rate, seed=s)
            train = (split.train[0], y_noisy)
            test_utility = Utility(learner(), train, split.test)
            for method in profile.noise_methods:
                out = value(method, train, split.valid, profile, s)
                values = np.asarray(out["values"])
                low = removal_curve(values, test_utility, REMOVE, highest_first=False)
                add = addition_curve(values, test_utility, ADD, highest_first=True)
                records.append({"rate": rate, "seed": s, "method": method, "f1": detection_f1(values, flipped),
                                "discovery": discovery_curve(values, flipped, DISCOVER).tolist(),
                                "remove_low": low.tolist(), "add_high": add.tolist(),
                                "auc_remove_low": curve_area(REMOVE, low), "auc_add_high": curve_area(ADD, add),
                                "returns_to_scale": out.get("returns_to_scale"), "fit_r2": out.get("fit_r2"),
                                "n_fits": out["n_fits"], "seconds": out["seconds"], "stopped": out["stopped"]})
    return {"records": records, "fractions": list(DISCOVER), "table": profile.noise_table, "remove": list(REMOVE),
            "add": list(ADD)}


# -- experiment 3: cost ----------------------------------------------------------------------------

def _cost(profile: EcoValStudy, seed: int) -> dict[str, Any]:
    records = []
    for n in profile.cost_sizes:
        split = load_split(f"synthetic-{n}", n, 200, seed)
        for method in ("ecoval", "tmc_shapley"):
            out = value(method, split.train, split.valid, profile, seed, seconds=profile.cost_tmc_seconds)
            records.append({"n": n, "method": method, "n_fits": out["n_fits"], "seconds": out["seconds"],
                            "stopped": out["stopped"]})
    return {"records": records}


# -- experiment 4: out of sample -------------------------------------------------------------------

def _oos(profile: EcoValStudy, seed: int) -> dict[str, Any]:
    records = []
    for table in profile.tables:
        for s in profile.seed_list(seed):
            split = load_split(table, profile.n_train, profile.n_valid, s, n_pool=profile.n_pool)
            pool_x, pool_y = split.pool
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
                                "n_pool": len(noisy_y), "n_fits": fits, "seconds": seconds, "base": base, "stopped": bool(dist.stopped_at_budget and method == "dist_shapley"),
                                "add_accuracy": accuracy.tolist(), "fractions": list(fractions)})
    return {"records": records, "pool": profile.n_pool}


# -- experiment 5: sensitivity ---------------------------------------------------------------------

def _sensitivity(profile: EcoValStudy, seed: int) -> dict[str, Any]:
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

def _agreement(profile: EcoValStudy, seed: int) -> dict[str, Any]:
    split = load_split(profile.noise_table, profile.budget_n, profile.n_valid, seed)
    eco = ecoval(split.train, split.valid, learner=learner(), config=EcoValConfig(n_clusters=min(profile.n_clusters, 6), seed=seed))
    out: dict[str, Any] = {"ecoval": {"values": eco.values.tolist(), "n_fits": eco.n_fits, "seconds": eco.seconds, "stopped": False}}
    for method in ("tmc_shapley", "beta_shapley", "banzhaf", "group_shapley", "loo", "knn_shapley"):
        seconds = 3 * profile.tmc_seconds if method == "tmc_shapley" else profile.other_seconds
        out[method] = value(method, split.train, split.valid, profile, seed, groups=eco.clusters, seconds=seconds)
    reference = np.asarray(out["tmc_shapley"]["values"])
    rows = [{"method": m, "spearman": float(spearmanr(np.asarray(r["values"]), reference).statistic), "n_fits": r["n_fits"],
             "seconds": r["seconds"], "stopped": r["stopped"]} for m, r in out.items() if m != "tmc_shapley"]
    return {"rows": rows, "n": len(split.train[1]), "tmc": {k: v for k, v in out["tmc_shapley"].items() if k != "values"}}


# -- experiment 7: quality against model fits, every method at equal fits ------------------------------

def _budget(profile: EcoValStudy, seed: int) -> dict[str, Any]:
    """Rank agreement with a Data Shapley reference and removal-curve area against the number of model fits.

    The reference averages two independent TMC runs of ``reference_fits`` fits each (seeds ``seed + 100``
    and ``seed + 101``); their mutual Spearman correlation says how converged it is. The sampling methods
    are stopped at each of ``budget_fits`` fits; EcoVal's fits are 1 + 3p for each p of ``budget_clusters``;
    LOO costs n + 1, KNN-Shapley and the kNN label agreement none.
    """
    split = load_split(profile.noise_table, profile.budget_n, profile.n_valid, seed)
    test_utility = Utility(learner(), split.train, split.test)
    runs = []
    for k in (100, 101):
        budget = BudgetConfig(max_updates=10**9, max_seconds=10**9, max_fits=profile.reference_fits, seed=seed + k)
        runs.append(pydvl_values("tmc_shapley", split.train, split.valid, learner=learner(), budget=budget))
    reference = (runs[0].values + runs[1].values) / 2
    reference_info = {"n_fits": int(sum(r.n_fits for r in runs)), "seconds": float(sum(r.seconds for r in runs)),
                      "split_half_spearman": float(spearmanr(runs[0].values, runs[1].values).statistic)}

    def record(method: str, values: np.ndarray, n_fits: int, seconds: float, budget: int | None) -> dict[str, Any]:
        high = removal_curve(values, test_utility, REMOVE, highest_first=True)
        rho = spearmanr(values, reference).statistic if np.ptp(values) > 0 else np.nan
        return {"method": method, "budget": budget, "n_fits": int(n_fits), "seconds": float(seconds),
                "spearman": float(rho), "auc_remove_high": curve_area(REMOVE, high)}

    rows = []
    for p in profile.budget_clusters:
        r = ecoval(split.train, split.valid, learner=learner(), config=EcoValConfig(n_clusters=p, seed=seed))
        rows.append({**record("ecoval", r.values, r.n_fits, r.seconds, None), "p": p})
    for method in ("tmc_shapley", "beta_shapley", "banzhaf"):
        for fits in profile.budget_fits:
            budget = BudgetConfig(max_updates=10**9, max_seconds=10**9, max_fits=fits, seed=seed)
            v = pydvl_values(method, split.train, split.valid, learner=learner(), budget=budget)
            rows.append(record(method, v.values, v.n_fits, v.seconds, fits))
    for method in ("loo", "knn_shapley"):
        v = pydvl_values(method, split.train, split.valid, learner=learner())
        rows.append(record(method, v.values, v.n_fits, v.seconds, None))
    v = knn_agreement(split.train, EcoValConfig().n_neighbors)
    rows.append(record("knn_agreement", v.values, 0, v.seconds, None))
    rows.append(record("random", np.random.default_rng(seed).normal(size=len(split.train[1])), 0, 0.0, None))
    return {"rows": rows, "reference": reference_info, "n": len(split.train[1]), "table": profile.noise_table}


COMPUTE: dict[str, Callable[[EcoValStudy, int], dict[str, Any]]] = {
    "curves": _curves, "noise": _noise, "cost": _cost, "oos": _oos, "sensitivity": _sensitivity, "agreement": _agreement,
    "budget": _budget,
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

    @property
    def budget(self) -> pd.DataFrame:
        return self.frame("budget", "rows")

    def describe(self, chapter: str = "08") -> str:
        """A Markdown admonition saying which profile, tables, seeds, budgets and versions produced the page."""
        meta, v = self.meta, self.meta["versions"]
        tables = ", ".join(f"{t} ({rows} rows)" for t, rows in meta["table_rows"].items())
        return (
            ":::{admonition} How these numbers were produced\n:class: note\n"
            f"Profile **{meta['profile']}** ({meta['description']}), seeds **{', '.join(map(str, meta['seeds']))}**. "
            f"Tables: {tables}, standardised, split into four disjoint parts: {meta['n_train']} training points at most "
            f"(45 % of a table), a validation set that scores every fit, a pool of new points for out-of-sample valuation "
            f"and a test set that scores the curves. Learner: logistic regression. "
            f"Time budgets: TMC Data Shapley {meta['tmc_seconds']} s, Distributional Shapley {meta['dist_seconds']} s, "
            f"Banzhaf / Beta / group Shapley {meta['other_seconds']} s per run; methods stopped by a budget are marked. "
            f"EcoVal is **our reconstruction** (the paper's equations are not public). "
            f"scikit-learn {v['scikit-learn']}, pyDVL {v['pydvl']}, numpy {v['numpy']}, Python {v['python']}. "
            f"Re-run with another profile: `python -m datarights run {chapter} --profile quick|full --seed N`.\n:::"
        )


def result_config(profile: EcoValStudy, seed: int, experiment: str) -> dict[str, Any]:
    return {"experiment": experiment, "profile": profile.to_dict(), "seed": seed, "version": RESULT_VERSION}


@contextlib.contextmanager
def _quiet_single_thread() -> Iterator[None]:
    """One BLAS thread per fit (fits run in parallel through joblib) and no library warnings in the page."""
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def run(profile: str | EcoValStudy = "quick", seed: int = 0, *, cache: Cache | None = None,
        experiments: tuple[str, ...] = EXPERIMENTS) -> EcoValRun:
    """Run (or load from the cache) the chapter's experiments for ``profile`` and ``seed``."""
    profile = profile if isinstance(profile, EcoValStudy) else settings(profile)
    cache = cache or Cache()
    raw = run_experiments(KIND, {name: (lambda name=name: COMPUTE[name](profile, seed)) for name in experiments},
                          lambda name: result_config(profile, seed, name), cache=cache, packages=PACKAGES,
                          context=_quiet_single_thread)
    raw["meta"] = {"profile": profile.name, "description": profile.description, "seeds": profile.seed_list(seed),
                   "n_train": profile.n_train, "tmc_seconds": profile.tmc_seconds, "dist_seconds": profile.dist_seconds,
                   "other_seconds": profile.other_seconds, "versions": raw["versions"],
                   "table_rows": {t: table_rows(t) for t in profile.tables}, "seconds": raw["seconds"]}
    return EcoValRun(raw)
