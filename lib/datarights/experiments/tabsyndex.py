"""Experiments of the TabSynDex chapter, cached as JSON under ``results/tabsyndex/``.

``run(profile, seed)`` runs (or loads) six experiments and returns a :class:`TabSynDexRun`:

1. ``grid``: every generator and baseline on every table and seed, scored by TabSynDex, its five
   components, SDMetrics' QualityReport and LogisticDetection, and the Table Evaluator similarity
   (experiment 3 of the chapter, the comparison of metrics, reads the same records);
2. ``sanity``: real-vs-real halves split as in the official example notebook;
4. ``degradation``: real rows mixed with noise in growing proportion;
5. ``quirks``: pMSE against table size, the target encoding, and a constant column;
6. ``monitor``: TabSynDex every few epochs while CTGAN trains.

The sizes live in :class:`TabSynDexProfile` (``smoke``, ``quick``, ``full``). Each experiment is cached
under its own configuration, so changing one experiment's settings recomputes only that one.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from datarights.cache import Cache
from datarights.experiments.runs import ExperimentTables, run_experiments
from datarights.data.tabular import Table, load_table, split_halves
from datarights.synthetic import tabsyndex
from datarights.synthetic.compare import sdmetrics_scores, table_evaluator_similarity
from datarights.synthetic.generators import CTGAN, NEURAL, make_generator
from datarights.synthetic.metric import min_max_scale, pmse_score, propensity_mse

RESULT_VERSION = 1
KIND = "tabsyndex"
ALL_GENERATORS = ("half", "copy", "uniform", "independent", "gaussian", "copula", "ctgan", "tvae")
EXPERIMENTS = ("grid", "sanity", "degradation", "quirks", "monitor")


@dataclass(frozen=True)
class TabSynDexProfile:
    """Everything that changes between the smoke, quick and full runs of the TabSynDex chapter."""

    name: str
    description: str
    tables: tuple[str, ...]
    max_rows: int | None  # rows kept per table before halving (None: all)
    seeds: int  # seeds seed, seed + 1, …
    epochs: int  # CTGAN / TVAE training epochs in the grid
    batch_size: int
    generators: tuple[str, ...] = ALL_GENERATORS
    sanity_tables: tuple[str, ...] = ("wine", "diabetes", "breast_cancer", "fair", "anes96")
    sanity_max_rows: int | None = None
    mix_tables: tuple[str, ...] = ("diabetes", "wine")
    mix_noises: tuple[str, ...] = ("uniform", "independent")
    mix_fractions: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    size_table: str = "fair"
    sizes: tuple[int, ...] = (100, 300, 1000, 3000)
    monitor_table: str = "diabetes"
    monitor_epochs: int = 60
    monitor_every: int = 5
    monitor_batch_size: int = 20  # small batches: more optimiser steps per epoch on a small table
    null_repeats: int = 10  # simulated same-distribution pairs per size for the pMSE null check

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def seed_list(self, seed: int) -> list[int]:
        return list(range(seed, seed + self.seeds))


PROFILES: dict[str, TabSynDexProfile] = {
    "smoke": TabSynDexProfile(
        name="smoke", description="two small tables, one seed, 2 training epochs: a test of the pipeline, not of the metric",
        tables=("diabetes", "wine"), max_rows=120, seeds=1, epochs=2, batch_size=50,
        sanity_tables=("wine", "diabetes"), sanity_max_rows=120, mix_tables=("diabetes",), mix_noises=("uniform",),
        mix_fractions=(0.0, 0.5, 1.0), sizes=(60, 150), monitor_epochs=2, monitor_every=1, null_repeats=2),
    "quick": TabSynDexProfile(
        name="quick", description="four bundled tables, two seeds, CTGAN/TVAE trained 150 epochs on CPU",
        tables=("diabetes", "wine", "breast_cancer", "anes96"), max_rows=None, seeds=2, epochs=150, batch_size=100,
        monitor_epochs=600, monitor_every=30),
    "full": TabSynDexProfile(
        name="full", description="five bundled tables, five seeds, CTGAN/TVAE trained 300 epochs (the ctgan defaults)",
        tables=("diabetes", "wine", "breast_cancer", "anes96", "fair"), max_rows=3000, seeds=5, epochs=300,
        batch_size=100, mix_tables=("diabetes", "wine", "anes96"), mix_noises=("uniform", "independent", "gaussian"),
        mix_fractions=(0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0), sizes=(100, 200, 500, 1000, 2000, 3183),
        monitor_epochs=1500, monitor_every=50, null_repeats=50),
}


def get_profile(name: str | TabSynDexProfile) -> TabSynDexProfile:
    """The TabSynDex profile called ``name`` (``smoke``, ``quick`` or ``full``)."""
    if isinstance(name, TabSynDexProfile):
        return name
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown profile={name!r}; known profiles: {list(PROFILES)}") from None


# -- scoring one pair -------------------------------------------------------------------------------

def score_pair(real: pd.DataFrame, fake: pd.DataFrame, table: Table, *, seed: int = 0) -> dict[str, float]:
    """Every metric of the chapter on one (real, fake) pair: TabSynDex and its components, SDMetrics, Table Evaluator."""
    kw = {"categorical": table.categorical, "target": table.target, "task": table.task}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scores = tabsyndex(real, fake, **kw).to_dict()
        scores.update(table_evaluator_similarity(real, fake, seed=seed, **kw))
        scores.update(sdmetrics_scores(real, fake, table.categorical))
    return scores


def _halves(profile: TabSynDexProfile, name: str, seed: int, max_rows: int | None) -> tuple[Table, pd.DataFrame, pd.DataFrame]:
    table = load_table(name, max_rows=max_rows, seed=seed)
    real, holdout = split_halves(table.frame, seed=seed)
    return table, real, holdout


def _generator(profile: TabSynDexProfile, name: str, table: Table, holdout: pd.DataFrame, seed: int):
    options = {"epochs": profile.epochs, "batch_size": profile.batch_size, "seed": seed} if name in NEURAL else {}
    return make_generator(name, table.categorical, holdout=holdout, **options)


# -- experiment 1 (and 3): every generator on every table ---------------------------------------

def _grid(profile: TabSynDexProfile, seed: int) -> dict[str, Any]:
    records = []
    for name in profile.tables:
        for s in profile.seed_list(seed):
            table, real, holdout = _halves(profile, name, s, profile.max_rows)
            for generator in profile.generators:
                start = time.perf_counter()
                fitted = _generator(profile, generator, table, holdout, s).fit(real)
                fit_seconds = time.perf_counter() - start
                fake = fitted.sample(len(real), seed=s)
                records.append({"table": name, "generator": generator, "seed": s, "n_real": len(real),
                                "fit_seconds": fit_seconds, **score_pair(real, fake, table, seed=s)})
    return {"records": records}


# -- experiment 2: real-vs-real halves as in the official notebook -------------------------------

def _sanity(profile: TabSynDexProfile, seed: int) -> dict[str, Any]:
    rows = []
    for name in profile.sanity_tables:
        table = load_table(name, max_rows=profile.sanity_max_rows)
        first, second = split_halves(table.frame, seed=0)  # the official notebook's random_state=0
        result = tabsyndex(first, second, categorical=table.categorical, target=table.target, task=table.task)
        rows.append({"table": name, "rows": len(table.frame), "columns": table.frame.shape[1], **result.to_dict()})
    return {"rows": rows}


# -- experiment 4: degradation curves -----------------------------------------------------------------

def mix(real_rows: pd.DataFrame, noise_rows: pd.DataFrame, fraction: float, n: int, seed: int) -> pd.DataFrame:
    """``n`` rows: a ``fraction`` of them from ``noise_rows``, the rest from ``real_rows`` (both drawn without replacement)."""
    rng = np.random.default_rng(seed)
    k = int(round(fraction * n))
    take = lambda t, m: t.iloc[rng.choice(len(t), m, replace=m > len(t))]  # noqa: E731
    return pd.concat([take(real_rows, n - k), take(noise_rows, k)], ignore_index=True)


def _degradation(profile: TabSynDexProfile, seed: int) -> dict[str, Any]:
    records = []
    for name in profile.mix_tables:
        for s in profile.seed_list(seed):
            table, real, holdout = _halves(profile, name, s, profile.max_rows)
            for noise in profile.mix_noises:
                noise_rows = make_generator(noise, table.categorical).fit(real).sample(len(real), seed=s)
                for fraction in profile.mix_fractions:
                    fake = mix(holdout, noise_rows, fraction, len(real), seed=s)
                    records.append({"table": name, "noise": noise, "fraction": fraction, "seed": s,
                                    **score_pair(real, fake, table, seed=s)})
    return {"records": records}


# -- experiment 5: quirks ------------------------------------------------------------------------------

def _pmse_size(profile: TabSynDexProfile, seed: int) -> list[dict[str, Any]]:
    """pMSE ratio and S_pMSE against rows per side: another real sample, a Gaussian copula and a Gaussian."""
    table = load_table(profile.size_table)
    records = []
    for s in profile.seed_list(seed):
        real_pool, other_pool = split_halves(table.frame, seed=s)
        fitted = {g: make_generator(g, table.categorical).fit(real_pool) for g in ("copula", "gaussian")}
        rng = np.random.default_rng(s)
        for n in profile.sizes:
            n = min(n, len(real_pool), len(other_pool))
            real = real_pool.iloc[rng.choice(len(real_pool), n, replace=False)]
            fakes = {"half": other_pool.iloc[rng.choice(len(other_pool), n, replace=False)],
                     **{g: generator.sample(n, seed=s) for g, generator in fitted.items()}}
            for generator, fake in fakes.items():
                propensity = propensity_mse(*min_max_scale(real, fake))
                records.append({"n": n, "generator": generator, "seed": s, "ratio": propensity.ratio,
                                "pmse": propensity.pmse, "null": propensity.null, "pmse_score": pmse_score(propensity.ratio)})
    return records


def _target_encoding(profile: TabSynDexProfile, seed: int) -> list[dict[str, Any]]:
    """S_ml with the official encoding against the fixed one, on the classification tables."""
    records = []
    for name in profile.tables:
        table, real, holdout = _halves(profile, name, seed, profile.max_rows)
        if table.task != "classification":
            continue
        for generator in ("half", "copy", "copula", "gaussian", "uniform"):
            fake = _generator(profile, generator, table, holdout, seed).fit(real).sample(len(real), seed=seed)
            kw = {"categorical": table.categorical, "target": table.target, "task": table.task}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                official, fixed = (tabsyndex(real, fake, ml_encoding=e, **kw) for e in ("official", "fixed"))
            records.append({"table": name, "generator": generator, "classes": int(table.frame[table.target].nunique()),
                            "ml_official": official.ml_efficacy, "ml_fixed": fixed.ml_efficacy,
                            "score_official": official.score, "score_fixed": fixed.score})
    return records


def _constant_column(profile: TabSynDexProfile, seed: int) -> list[dict[str, Any]]:
    """S_corr of real-vs-real halves with and without one added constant column."""
    table, real, holdout = _halves(profile, profile.monitor_table, seed, profile.max_rows)
    records = []
    for added in (False, True):
        r, f = (t.assign(constant=1.0) if added else t for t in (real, holdout))
        for mode in ("official", "robust"):
            result = tabsyndex(r, f, categorical=table.categorical, target=table.target, task=table.task,
                               zero_association=mode)
            records.append({"constant_column": added, "zero_association": mode, "correlation": result.correlation,
                            "score": result.score})
    return records


def _pmse_null(profile: TabSynDexProfile, seed: int, columns: int = 9) -> list[dict[str, Any]]:
    """The pMSE ratio of two samples of one standard normal distribution: what the null expectation predicts as 1."""
    rng = np.random.default_rng(seed)
    records = []
    for n in profile.sizes:
        for repeat in range(profile.null_repeats):
            real, fake = (pd.DataFrame(rng.normal(size=(n, columns))) for _ in range(2))
            records.append({"n": n, "repeat": repeat, "ratio": propensity_mse(*min_max_scale(real, fake)).ratio})
    return records


def _quirks(profile: TabSynDexProfile, seed: int) -> dict[str, Any]:
    return {"pmse_size": _pmse_size(profile, seed), "pmse_null": _pmse_null(profile, seed),
            "target_encoding": _target_encoding(profile, seed), "constant_column": _constant_column(profile, seed)}


# -- experiment 6: monitoring CTGAN's training -----------------------------------------------------

def _monitor(profile: TabSynDexProfile, seed: int) -> dict[str, Any]:
    table, real, _ = _halves(profile, profile.monitor_table, seed, profile.max_rows)
    kw = {"categorical": table.categorical, "target": table.target, "task": table.task}

    def evaluate(epoch: int, fake: pd.DataFrame) -> dict[str, float]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scores = tabsyndex(real, fake, **kw).to_dict()
            scores["sdm_quality"] = sdmetrics_scores(real, fake, table.categorical)["sdm_quality"]
        return scores

    generator = CTGAN(table.categorical, epochs=profile.monitor_epochs, batch_size=profile.monitor_batch_size, seed=seed)
    records = generator.fit_monitored(real, every=profile.monitor_every, evaluate=evaluate)
    return {"records": records, "table": profile.monitor_table, "n_real": len(real)}


COMPUTE: dict[str, Callable[[TabSynDexProfile, int], dict[str, Any]]] = {
    "grid": _grid, "sanity": _sanity, "degradation": _degradation, "quirks": _quirks, "monitor": _monitor,
}


# -- the chapter's result -------------------------------------------------------------------------------

PACKAGES = ("numpy", "pandas", "scikit-learn", "scipy", "torch", "ctgan", "sdmetrics", "statsmodels")


@dataclass(frozen=True)
class TabSynDexRun(ExperimentTables):
    """The chapter's numbers: one JSON-able dict per experiment, with tables as DataFrames."""

    @property
    def grid(self) -> pd.DataFrame:
        return self.frame("grid")

    @property
    def sanity(self) -> pd.DataFrame:
        return self.frame("sanity", "rows")

    @property
    def degradation(self) -> pd.DataFrame:
        return self.frame("degradation")

    @property
    def pmse_size(self) -> pd.DataFrame:
        return pd.DataFrame(self.raw["quirks"]["pmse_size"])

    @property
    def pmse_null(self) -> pd.DataFrame:
        return pd.DataFrame(self.raw["quirks"]["pmse_null"])

    @property
    def target_encoding(self) -> pd.DataFrame:
        return pd.DataFrame(self.raw["quirks"]["target_encoding"])

    @property
    def constant_column(self) -> pd.DataFrame:
        return pd.DataFrame(self.raw["quirks"]["constant_column"])

    @property
    def monitor(self) -> pd.DataFrame:
        return self.frame("monitor")

    def describe(self, chapter: str = "06") -> str:
        """A Markdown admonition saying which profile, tables, seeds and package versions produced the page."""
        meta, v = self.meta, self.meta["versions"]
        tables = ", ".join(f"{name} ({rows} rows)" for name, rows in meta["table_rows"].items())
        return (
            ":::{admonition} How these numbers were produced\n:class: note\n"
            f"Profile **{meta['profile']}** ({meta['description']}), seeds **{', '.join(map(str, meta['seeds']))}**. "
            f"Tables: {tables}; each is split into two random halves per seed, the first is the real table. "
            f"CTGAN and TVAE trained {meta['epochs']} epochs (batch {meta['batch_size']}) on CPU. "
            f"scikit-learn {v['scikit-learn']}, pandas {v['pandas']}, ctgan {v['ctgan']}, sdmetrics {v['sdmetrics']}, "
            f"torch {v['torch']}, Python {v['python']}. "
            f"Re-run with another profile: `python -m datarights run {chapter} --profile quick|full --seed N`.\n:::"
        )


def result_config(profile: TabSynDexProfile, seed: int, experiment: str) -> dict[str, Any]:
    return {"experiment": experiment, "profile": profile.to_dict(), "seed": seed, "version": RESULT_VERSION}


def run(profile: str | TabSynDexProfile = "quick", seed: int = 0, *, cache: Cache | None = None,
        experiments: tuple[str, ...] = EXPERIMENTS) -> TabSynDexRun:
    """Run (or load from the cache) the chapter's experiments for ``profile`` and ``seed``."""
    profile = get_profile(profile)
    cache = cache or Cache()
    raw = run_experiments(KIND, {name: (lambda name=name: COMPUTE[name](profile, seed)) for name in experiments},
                          lambda name: result_config(profile, seed, name), cache=cache, packages=PACKAGES)
    raw["meta"] = {"profile": profile.name, "description": profile.description, "seeds": profile.seed_list(seed),
                   "epochs": profile.epochs, "batch_size": profile.batch_size, "versions": raw["versions"],
                   "table_rows": {t: len(load_table(t, max_rows=profile.max_rows).frame) for t in profile.tables},
                   "seconds": raw["seconds"]}
    return TabSynDexRun(raw)
