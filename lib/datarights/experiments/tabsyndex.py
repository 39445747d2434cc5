"""Experiments of the TabSynDex chapter, cached as JSON under ``results/tabsyndex/``.

``run(profile, seed)`` runs (or loads) six experiments and returns a :class:`TabSynDexRun`:

1. ``grid``: every generator and baseline on every table and seed, scored by TabSynDex, its five
   components, SDMetrics' QualityReport and LogisticDetection, the Table Evaluator similarity,
   train-on-synthetic/test-on-real on a held-out real test set, and the privacy measures (distance
   to closest record against the real-vs-real reference, SDMetrics' NewRowSynthesis);
   experiment 3 of the chapter, the comparison of metrics, reads the same records;
2. ``sanity``: real-vs-real halves split as in the official example notebook, on its own wine-white
   and concrete tables (official and fixed mode) and on the bundled tables;
4. ``degradation``: real rows mixed with noise in growing proportion;
5. ``quirks``: pMSE against table size, the target encoding, and a constant column;
6. ``monitor``: TabSynDex every few epochs while CTGAN trains.

The sizes live in :mod:`datarights.settings.tabsyndex` (``smoke``, ``quick``, ``full``). Each experiment is
cached under its own configuration, so changing one experiment's settings recomputes only that one.
``PINNED_RESULT`` holds the port's outputs measured under the official run's scikit-learn 1.2.2
(written by ``benchmarks/tabsyndex_pinned.py``).
"""

from __future__ import annotations

import json
import os
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from datarights.cache import Cache
from datarights.data.tabular import Table, load_table, split_halves, split_three
from datarights.experiments.runs import ExperimentTables, run_experiments
from datarights.settings.tabsyndex import ALL_GENERATORS, TabSynDexStudy, settings  # noqa: F401  (ALL_GENERATORS re-exported)
from datarights.synthetic import tabsyndex
from datarights.synthetic.compare import sdmetrics_scores, table_evaluator_similarity, train_synthetic_test_real
from datarights.synthetic.generators import CTGAN, NEURAL, make_generator
from datarights.synthetic.metric import min_max_scale, pmse_score, propensity_mse
from datarights.synthetic.privacy import privacy_scores

RESULT_VERSION = 2
KIND = "tabsyndex"
EXPERIMENTS = ("grid", "sanity", "degradation", "quirks", "monitor")
PINNED_RESULT = Path(__file__).resolve().parents[3] / "results" / "tabsyndex" / "pinned-sklearn-1.2.2.json"
# The official example notebook's outputs (``example.ipynb`` in ``vikram2000b/tabsyndex``): real-vs-real halves,
# train_test_split(test_size=0.5, random_state=0).
OFFICIAL_NOTEBOOK = {
    "winequality-white": {"score": 0.93815, "basic": 0.98773, "correlation": 0.82837, "ml_efficacy": 0.99898,
                          "pmse": 0.95501, "support": 0.92067},
    "news": {"score": 0.89758, "basic": 0.96619, "correlation": 0.79150, "ml_efficacy": 0.91450, "pmse": 0.87954,
             "support": 0.93618},
    "concrete": {"score": 0.89370, "basic": 0.96067, "correlation": 0.78844, "ml_efficacy": 0.93831, "pmse": 0.78111,
                 "support": 1.00000},
}


# -- scoring one pair -------------------------------------------------------------------------------

def score_pair(real: pd.DataFrame, fake: pd.DataFrame, table: Table, *, seed: int = 0) -> dict[str, float]:
    """Every similarity metric of the chapter on one (real, fake) pair: TabSynDex and its components,
    SDMetrics, Table Evaluator."""
    kw = {"categorical": table.categorical, "target": table.target, "task": table.task}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scores = tabsyndex(real, fake, **kw).to_dict()
        scores.update(table_evaluator_similarity(real, fake, seed=seed, **kw))
        scores.update(sdmetrics_scores(real, fake, table.categorical))
    return scores


def utility_and_privacy(real: pd.DataFrame, fake: pd.DataFrame, holdout: pd.DataFrame, test: pd.DataFrame, table: Table, *,
                        novelty_sample: int, seed: int = 0) -> dict[str, float]:
    """Train-on-synthetic/test-on-real on the held-out ``test`` rows, and the privacy measures with the
    other real half as the DCR reference."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = train_synthetic_test_real(real, fake, test, categorical=table.categorical, target=table.target, task=table.task)
        out.update(privacy_scores(real, fake, holdout, table.categorical, novelty_sample=novelty_sample, seed=seed))
    return out


def _halves(profile: TabSynDexStudy, name: str, seed: int, max_rows: int | None,
            data_dir: str | None = None) -> tuple[Table, pd.DataFrame, pd.DataFrame]:
    table = load_table(name, max_rows=max_rows, seed=seed, data_dir=data_dir)
    real, holdout = split_halves(table.frame, seed=seed)
    return table, real, holdout


def _generator(profile: TabSynDexStudy, name: str, table: Table, holdout: pd.DataFrame, seed: int):
    options = {"epochs": profile.epochs, "batch_size": profile.batch_size, "seed": seed} if name in NEURAL else {}
    return make_generator(name, table.categorical, holdout=holdout, **options)


# -- experiment 1 (and 3): every generator on every table ---------------------------------------

def _grid_cell(profile: TabSynDexStudy, name: str, s: int, data_dir: str | None) -> list[dict[str, Any]]:
    """Every generator on one table and seed (one job of the grid)."""
    table = load_table(name, max_rows=profile.max_rows, seed=s, data_dir=data_dir)
    real, holdout, test = split_three(table.frame, profile.test_fraction, seed=s)
    records = []
    for generator in profile.generators:
        start = time.perf_counter()
        fitted = _generator(profile, generator, table, holdout, s).fit(real)
        fit_seconds = time.perf_counter() - start
        fake = fitted.sample(len(real), seed=s)
        records.append({"table": name, "generator": generator, "seed": s, "n_real": len(real), "n_test": len(test),
                        "fit_seconds": fit_seconds, **score_pair(real, fake, table, seed=s),
                        **utility_and_privacy(real, fake, holdout, test, table, novelty_sample=profile.novelty_sample, seed=s)})
    return records


def jobs() -> int:
    """Parallel jobs of the grid: ``$DATARIGHTS_JOBS``, else 2 (capped at the CPU count). Every job is seeded on its
    own, so the records do not depend on the number of jobs."""
    return max(1, min(int(os.environ.get("DATARIGHTS_JOBS", "2")), os.cpu_count() or 1))


def _grid(profile: TabSynDexStudy, seed: int, data_dir: str | None = None) -> dict[str, Any]:
    from joblib import Parallel, delayed

    cells = [(name, s) for name in profile.tables for s in profile.seed_list(seed)]
    for name, _ in cells[:: profile.seeds]:  # a missing data file stops here, before any job starts
        load_table(name, max_rows=2, data_dir=data_dir)
    out = Parallel(n_jobs=jobs())(delayed(_grid_cell)(profile, name, s, data_dir) for name, s in cells)
    return {"records": [r for cell in out for r in cell]}


# -- experiment 2: real-vs-real halves as in the official notebook -------------------------------

def _sanity(profile: TabSynDexStudy, seed: int, data_dir: str | None = None) -> dict[str, Any]:
    """Real-vs-real halves (``random_state=0`` as in the official notebook): its own tables in official and
    fixed mode, whole, and the bundled tables in official mode."""
    rows = []
    for name in (*profile.official_tables, *profile.sanity_tables):
        official_table = name in profile.official_tables
        table = load_table(name, max_rows=None if official_table else profile.sanity_max_rows, data_dir=data_dir)
        first, second = split_halves(table.frame, seed=0)  # the official notebook's random_state=0
        for mode in (("official", "fixed") if official_table else ("official",)):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = tabsyndex(first, second, categorical=table.categorical, target=table.target, task=table.task,
                                   mode=mode)
            rows.append({"table": name, "official_notebook_table": official_table, "mode": mode,
                         "rows": len(table.frame), "columns": table.frame.shape[1], **result.to_dict()})
    return {"rows": rows}


# -- experiment 4: degradation curves -----------------------------------------------------------------

def mix(real_rows: pd.DataFrame, noise_rows: pd.DataFrame, fraction: float, n: int, seed: int) -> pd.DataFrame:
    """``n`` rows: a ``fraction`` of them from ``noise_rows``, the rest from ``real_rows`` (both drawn without replacement)."""
    rng = np.random.default_rng(seed)
    k = int(round(fraction * n))
    take = lambda t, m: t.iloc[rng.choice(len(t), m, replace=m > len(t))]
    return pd.concat([take(real_rows, n - k), take(noise_rows, k)], ignore_index=True)


def _degradation(profile: TabSynDexStudy, seed: int, data_dir: str | None = None) -> dict[str, Any]:
    records = []
    for name in profile.mix_tables:
        for s in profile.seed_list(seed):
            table, real, holdout = _halves(profile, name, s, profile.max_rows, data_dir)
            for noise in profile.mix_noises:
                noise_rows = make_generator(noise, table.categorical).fit(real).sample(len(real), seed=s)
                for fraction in profile.mix_fractions:
                    fake = mix(holdout, noise_rows, fraction, len(real), seed=s)
                    records.append({"table": name, "noise": noise, "fraction": fraction, "seed": s,
                                    **score_pair(real, fake, table, seed=s)})
    return {"records": records}


# -- experiment 5: quirks ------------------------------------------------------------------------------

def _pmse_size(profile: TabSynDexStudy, seed: int) -> list[dict[str, Any]]:
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


def _target_encoding(profile: TabSynDexStudy, seed: int, data_dir: str | None = None) -> list[dict[str, Any]]:
    """S_ml with the official encoding against the fixed one, on the classification tables."""
    records = []
    for name in profile.tables:
        table, real, holdout = _halves(profile, name, seed, profile.max_rows, data_dir)
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


def _constant_column(profile: TabSynDexStudy, seed: int) -> list[dict[str, Any]]:
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


def _pmse_null(profile: TabSynDexStudy, seed: int, columns: int = 9) -> list[dict[str, Any]]:
    """The pMSE ratio of two samples of one standard normal distribution: what the null expectation predicts as 1."""
    rng = np.random.default_rng(seed)
    records = []
    for n in profile.sizes:
        for repeat in range(profile.null_repeats):
            real, fake = (pd.DataFrame(rng.normal(size=(n, columns))) for _ in range(2))
            records.append({"n": n, "repeat": repeat, "ratio": propensity_mse(*min_max_scale(real, fake)).ratio})
    return records


def _quirks(profile: TabSynDexStudy, seed: int, data_dir: str | None = None) -> dict[str, Any]:
    return {"pmse_size": _pmse_size(profile, seed), "pmse_null": _pmse_null(profile, seed),
            "target_encoding": _target_encoding(profile, seed, data_dir), "constant_column": _constant_column(profile, seed)}


# -- experiment 6: monitoring CTGAN's training -----------------------------------------------------

def _monitor(profile: TabSynDexStudy, seed: int, data_dir: str | None = None) -> dict[str, Any]:
    table, real, _ = _halves(profile, profile.monitor_table, seed, profile.max_rows, data_dir)
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


COMPUTE: dict[str, Callable[[TabSynDexStudy, int, str | None], dict[str, Any]]] = {
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

    def describe(self, chapter: str = "07") -> str:
        """A Markdown admonition saying which profile, tables, seeds and package versions produced the page."""
        meta, v = self.meta, self.meta["versions"]
        tables = ", ".join(f"{name} ({rows} rows)" for name, rows in meta["table_rows"].items())
        return (
            ":::{admonition} How these numbers were produced\n:class: note\n"
            f"Profile **{meta['profile']}** ({meta['description']}), seeds **{', '.join(map(str, meta['seeds']))}**. "
            f"Tables in the generator grid: {tables}; per seed each is split into a held-out real test set "
            f"({meta['test_fraction']:.0%}, used only by train-on-synthetic/test-on-real) and two random halves of the rest: "
            f"the first is the real table the generators are fitted on, the second the real-vs-real reference. "
            f"CTGAN and TVAE trained {meta['epochs']} epochs (batch {meta['batch_size']}) on CPU. "
            f"scikit-learn {v['scikit-learn']}, pandas {v['pandas']}, ctgan {v['ctgan']}, sdmetrics {v['sdmetrics']}, "
            f"torch {v['torch']}, Python {v['python']}. "
            f"Re-run with another profile: `python -m datarights run {chapter} --profile quick|full --seed N`.\n:::"
        )


def result_config(profile: TabSynDexStudy, seed: int, experiment: str) -> dict[str, Any]:
    return {"experiment": experiment, "profile": profile.to_dict(), "seed": seed, "version": RESULT_VERSION}


def pinned_result() -> dict[str, Any] | None:
    """The port's outputs under scikit-learn 1.2.2 (``benchmarks/tabsyndex_pinned.py``), or None if not measured."""
    return json.loads(PINNED_RESULT.read_text()) if PINNED_RESULT.is_file() else None


def run(profile: str | TabSynDexStudy = "quick", seed: int = 0, *, cache: Cache | None = None,
        experiments: tuple[str, ...] = EXPERIMENTS, data_dir: str | None = None) -> TabSynDexRun:
    """Run (or load from the cache) the chapter's experiments for ``profile`` and ``seed``.

    ``data_dir``: where the official notebook's tables are (else ``$DATARIGHTS_DATA``); results do not depend on it.
    """
    profile = profile if isinstance(profile, TabSynDexStudy) else settings(profile)
    cache = cache or Cache()
    raw = run_experiments(KIND, {name: (lambda name=name: COMPUTE[name](profile, seed, data_dir)) for name in experiments},
                          lambda name: result_config(profile, seed, name), cache=cache, packages=PACKAGES)
    grid = pd.DataFrame(raw["grid"]["records"]) if "grid" in raw else pd.DataFrame()
    rows = grid.groupby("table")["n_real"].first() * 2 + grid.groupby("table")["n_test"].first() if len(grid) else {}
    raw["meta"] = {"profile": profile.name, "description": profile.description, "seeds": profile.seed_list(seed),
                   "epochs": profile.epochs, "batch_size": profile.batch_size, "test_fraction": profile.test_fraction,
                   "versions": raw["versions"], "table_rows": {t: int(rows[t]) for t in profile.tables if t in rows},
                   "seconds": raw["seconds"]}
    return TabSynDexRun(raw)
