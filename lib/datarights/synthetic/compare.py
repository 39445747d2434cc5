"""The metrics TabSynDex is compared with: SDMetrics' QualityReport and LogisticDetection, and the
Table Evaluator similarity score.

SDMetrics (the SDV project's metric library, imported only when used) scores *Column Shapes*
(Kolmogorov–Smirnov / total-variation complements per column) and *Column Pair Trends*
(correlation and contingency similarity per pair), averaged into a quality score in [0, 1];
``LogisticDetection`` is 1 minus how well a cross-validated logistic regression tells real rows
from fake ones (1 = indistinguishable).

The Table Evaluator similarity score (Brenninkmeijer, 2019; ``table-evaluator`` 1.4.2) is
*re-implemented* here from that version's code (tag 1.4.2), not called from the package:
the mean of four correlation-style agreements, so it is scale-blind and can be negative.

:func:`train_synthetic_test_real` is the usual utility measure that TabSynDex's in-sample ML
component stands in for: models trained on the fake table, scored on a *held-out* real test set,
beside the same models trained on the real table.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection

import numpy as np
import pandas as pd
from scipy import stats

from datarights.synthetic.associations import association_matrix, pearson, theils_u
from datarights.synthetic.metric import fixed_xy, min_max_scale, ml_models, model_score, prepare


def sdmetrics_metadata(columns: Collection[str], categorical: Collection[str]) -> dict:
    """SDMetrics' single-table metadata: every column numerical except the categorical ones."""
    return {"columns": {c: {"sdtype": "categorical" if c in categorical else "numerical"} for c in columns}}


def sdmetrics_scores(real: pd.DataFrame, fake: pd.DataFrame, categorical: Collection[str] = ()) -> dict[str, float]:
    """SDMetrics' QualityReport (overall, column shapes, column pair trends) and LogisticDetection."""
    from sdmetrics.reports.single_table import QualityReport
    from sdmetrics.single_table import LogisticDetection

    metadata = sdmetrics_metadata(real.columns, categorical)
    fake = fake[list(real.columns)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = QualityReport()
        report.generate(real, fake, metadata, verbose=False)
        properties = report.get_properties().set_index("Property")["Score"]
        detection = LogisticDetection.compute(real, fake, metadata)
    return {"sdm_quality": float(report.get_score()), "sdm_shapes": float(properties["Column Shapes"]),
            "sdm_trends": float(properties["Column Pair Trends"]), "sdm_detection": float(detection)}


# -- Table Evaluator similarity ---------------------------------------------------------------

def te_basic_statistics(real: pd.DataFrame, fake: pd.DataFrame, categorical: Collection[str]) -> float:
    """Spearman ρ between the (mean, median, std, variance) vectors of the numeric columns of both tables."""
    numeric = [c for c in real.columns if c not in categorical]
    describe = lambda t: np.concatenate([t[numeric].mean(), t[numeric].median(), t[numeric].std(), t[numeric].var()])
    return float(stats.spearmanr(describe(real), describe(fake)).statistic)


def te_correlation(real: pd.DataFrame, fake: pd.DataFrame, categorical: Collection[str]) -> float:
    """Pearson r between the off-diagonal entries of the two association matrices."""
    a, b = (association_matrix(t, categorical).to_numpy(float) for t in (real, fake))
    off = ~np.eye(len(a), dtype=bool)
    return pearson(a[off], b[off])


def _quantiles(values: pd.Series, n: int) -> np.ndarray:
    ordered = np.sort(values.to_numpy())
    return ordered[np.linspace(0, len(ordered) - 1, n).round().astype(int)]


def te_mirror_columns(real: pd.DataFrame, fake: pd.DataFrame, categorical: Collection[str]) -> float:
    """Mean over columns of the association between the sorted real and the sorted fake column
    (Pearson for numeric, Theil's U for nominal); the longer table is read at evenly spaced ranks."""
    n = min(len(real), len(fake))
    values = []
    for col in real.columns:
        r, f = _quantiles(real[col], n), _quantiles(fake[col], n)
        values.append(theils_u(r, f) if col in categorical else pearson(r, f))
    return float(np.nanmean(values))


def te_ml(real: pd.DataFrame, fake: pd.DataFrame, categorical: Collection[str], target: str, task: str,
          seed: int = 0) -> float:
    """Models trained on 80 % of each table, scored on both held-out 20 %: 1 − MAPE of the F1 scores
    (classification) or Pearson r of the RMSEs (regression). Same four models as TabSynDex."""
    from sklearn.model_selection import train_test_split

    real_scaled, fake_scaled = min_max_scale(real, fake)
    (xr, yr), (xf, yf) = fixed_xy(real_scaled, fake_scaled, categorical, target)
    xr_tr, xr_te, yr_tr, yr_te = train_test_split(xr, yr, test_size=0.2, random_state=seed)
    xf_tr, xf_te, yf_tr, yf_te = train_test_split(xf, yf, test_size=0.2, random_state=seed)
    scores = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for x, y in ((xr_tr, yr_tr), (xf_tr, yf_tr)):
            models = [m.fit(x, y) for m in ml_models(task)]
            scores.append([model_score(task, m, xt, yt) for m in models for xt, yt in ((xr_te, yr_te), (xf_te, yf_te))])
    on_real, on_fake = np.asarray(scores[0]), np.asarray(scores[1])
    if task == "classification":
        return float(1 - np.mean(np.abs(on_real - on_fake) / np.maximum(np.abs(on_real), 1e-12)))
    return pearson(on_real, on_fake)


# -- train on synthetic, test on real -------------------------------------------------------------

def utility_models(task: str) -> dict[str, object]:
    """The two models of train-on-synthetic/test-on-real: a random forest and a linear model."""
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
    from sklearn.linear_model import LogisticRegression, Ridge

    if task == "classification":
        return {"forest": RandomForestClassifier(n_estimators=50, random_state=0),
                "linear": LogisticRegression(max_iter=2000)}
    return {"forest": RandomForestRegressor(n_estimators=50, random_state=0), "linear": Ridge(alpha=1.0)}


def train_synthetic_test_real(real: pd.DataFrame, fake: pd.DataFrame, test: pd.DataFrame, *,
                              categorical: Collection[str] = (), target: str | None = None,
                              task: str = "regression") -> dict[str, float]:
    """Train on the fake table and on the real one, score both on the held-out real ``test`` table.

    Features are min-max scaled with the real ranges, nominal features one-hot coded over all three
    tables. Score: accuracy (classification) or R² (regression), averaged over
    :func:`utility_models`. Returns ``tstr`` (trained on fake), ``trtr`` (trained on real) and
    ``tstr_ratio`` = tstr / trtr: about 1 when the fake table teaches what the real one does.
    A fake table whose target holds a single class scores the share of that class in ``test``.
    """
    from sklearn.metrics import accuracy_score, r2_score

    _, test, *_ = prepare(real, test, categorical, target, task)  # same checks for the test table (numeric tables)
    real, fake, categorical, target, task = prepare(real, fake, categorical, target, task)
    low, span = real.min(), (real.max() - real.min()).replace(0, 1.0)
    features = [c for c in real.columns if c != target]
    nominal = [c for c in features if c in categorical]
    tables = {"real": real, "fake": fake, "test": test}
    x_all = pd.concat([((t[features] - low[features]) / span[features]).assign(**{c: t[c].astype(str) for c in nominal})
                       for t in tables.values()], keys=list(tables))
    x_all = pd.get_dummies(x_all, columns=nominal, dtype=float)
    score = accuracy_score if task == "classification" else r2_score
    out = {}
    for name in ("real", "fake"):
        y = tables[name][target]
        values = []
        for model in utility_models(task).values():
            if task == "classification" and y.nunique() < 2:
                values.append(float(np.mean(test[target] == y.iloc[0])))
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(x_all.loc[name], y)
            values.append(float(score(test[target], model.predict(x_all.loc["test"]))))
        out["trtr" if name == "real" else "tstr"] = float(np.mean(values))
    out["tstr_ratio"] = out["tstr"] / out["trtr"] if out["trtr"] > 0 else float("nan")
    return out


def table_evaluator_similarity(real: pd.DataFrame, fake: pd.DataFrame, *, categorical: Collection[str] = (),
                               target: str | None = None, task: str = "regression", seed: int = 0) -> dict[str, float]:
    """The Table Evaluator "similarity score": the mean of its four parts (returned too, prefixed ``te_``).

    Scale-blind and unbounded below: three of the four parts are correlation coefficients in [−1, 1].
    """
    real, fake, categorical, target, task = prepare(real, fake, categorical, target, task)
    parts = {
        "te_basic": te_basic_statistics(real, fake, categorical),
        "te_correlation": te_correlation(real, fake, categorical),
        "te_mirror": te_mirror_columns(real, fake, categorical),
        "te_ml": te_ml(real, fake, categorical, target, task, seed),
    }
    return {"te_similarity": float(np.nanmean(list(parts.values()))), **parts}
