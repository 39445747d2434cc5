"""TabSynDex: one bounded score for how well a synthetic table imitates a real one.

Chundawat, Tarun, Mandal, Lahoti and Narang, *TabSynDex: A Universal Metric for Robust
Evaluation of Synthetic Tabular Data*, IEEE Transactions on Artificial Intelligence, 2022
(arXiv:2207.05295; bibtex key ``chundawat2022tabsyndex``). The score is the plain mean of five
components, each in [0, 1]:

=============  ==============================================================  ==============
component      what it compares                                                data it sees
=============  ==============================================================  ==============
basic          per-column mean, median and standard deviation                  raw tables
correlation    the pairwise association matrices, on a signed-log scale        raw tables
ml_efficacy    scores of 4 models trained on real vs trained on fake           min-max scaled
pmse           how well a logistic regression tells real rows from fake ones   min-max scaled
support        how much of each real column's histogram the fake one covers    raw tables
=============  ==============================================================  ==============

``mode="official"`` (the default) follows the authors' code (``vikram2000b/tabsyndex``), quirks
included: under scikit-learn 1.2.2, the version of the official run, it returns the official
function's outputs to 1e-10 on the official notebook's wine table (measured; with later
scikit-learn versions the random forest of the ML component and the end point of the pMSE
solver move the last digits, see :func:`propensities`). ``mode="fixed"`` corrects the quirks
(see :func:`tabsyndex`); each quirk also has its own keyword. Unlike the official code, bad input
gives a ``ValueError`` that names the argument, never a ``KeyError`` from deep inside.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

import numpy as np
import pandas as pd

from datarights.synthetic.associations import association_matrix

Task = Literal["regression", "classification"]
Mode = Literal["official", "fixed"]
MLEncoding = Literal["official", "fixed"]
ZeroAssociation = Literal["official", "robust"]
PMSEFeatures = Literal["official", "all"]
OFFICIAL_INDICATOR = "target"  # the official pMSE writes its real/fake indicator into a column of this name
TASKS: dict[str, Task] = {"regression": "regression", "regr": "regression",
                          "classification": "classification", "class": "classification"}
COMPONENTS = ("basic", "correlation", "ml_efficacy", "pmse", "support")
COMPONENT_LABELS = {"basic": "basic statistics", "correlation": "log-correlation", "ml_efficacy": "ML efficacy",
                    "pmse": "pMSE", "support": "support coverage", "score": "TabSynDex"}
EPSILON = 1e-6


@dataclass(frozen=True)
class TabSynDexResult:
    """The TabSynDex score, its five components and the pMSE ratio behind the pMSE component."""

    score: float
    basic: float
    correlation: float
    ml_efficacy: float
    pmse: float
    support: float
    pmse_ratio: float

    @property
    def components(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in COMPONENTS}

    def __float__(self) -> float:
        return self.score

    def to_dict(self) -> dict[str, float]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TabSynDexResult:
        return cls(**{f.name: float(values[f.name]) for f in fields(cls)})


# -- the shared relative error ---------------------------------------------------------------

def relative_error(real: Any, fake: Any) -> np.ndarray:
    r"""The relative error of every TabSynDex component, clipped to [0, 1].

    .. math:: e(a, b) = \min\!\Big(1, \frac{|a - b|}{|a + 10^{-6}|}\Big)

    As in the official code the :math:`10^{-6}` is added to :math:`a` *inside* the absolute value,
    and a real value near 0 makes the error saturate at 1 whatever the fake value.
    """
    a, b = np.asarray(real, float), np.asarray(fake, float)
    return np.clip(np.abs(a - b) / np.abs(a + EPSILON), 0.0, 1.0)


def _one_minus(mean_error: float) -> float:
    """``1 − error`` as the official code writes it: anything that is not ``≤ 1`` (NaN) gives 0."""
    return float(1.0 - mean_error) if mean_error <= 1.0 else 0.0


# -- component 1: basic statistics ---------------------------------------------------------

def basic_statistics_score(real: pd.DataFrame, fake: pd.DataFrame) -> float:
    r"""S_basic: agreement of each column's mean, median and standard deviation (TabSynDex, component 1).

    .. math:: S_\text{basic} = 1 - \frac{1}{3n}\sum_{j=1}^{n}\big[e(\mu^R_j, \mu^F_j)
              + e(\tilde x^R_j, \tilde x^F_j) + e(\sigma^R_j, \sigma^F_j)\big]

    over the :math:`n` columns of the *raw* tables (categorical codes included), with the
    population standard deviation (ddof = 0) and :math:`e` the clipped relative error
    :func:`relative_error` (Chundawat et al., 2022). Scale-dependent by design: a column whose
    real mean is near 0 gets error 1 for almost any fake.
    """
    r, f = real.to_numpy(float), fake.to_numpy(float)
    errors = [relative_error(stat(r, axis=0), stat(f, axis=0)) for stat in (np.mean, np.median, np.std)]
    return _one_minus(float(np.mean(errors)))


# -- component 2: log-transformed correlation --------------------------------------------

def signed_log(values: np.ndarray) -> np.ndarray:
    r"""The signed log :math:`\operatorname{sln}(x) = \operatorname{sign}(x)\ln|x|`, NaN at 0 (0·(−∞))."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sign(values) * np.log(np.abs(values))


def log_correlation_score(real: pd.DataFrame, fake: pd.DataFrame, categorical: Collection[str] = (), *,
                          zero_association: ZeroAssociation = "official") -> float:
    r"""S_corr: agreement of the association matrices on a signed-log scale (TabSynDex, component 2).

    .. math:: S_\text{corr} = 1 - \frac{1}{n^2 - n}\sum_{i,j} e\big(\operatorname{sln} A^R_{ij},
              \operatorname{sln} A^F_{ij}\big)

    with :math:`A` the association matrix of the raw table (Pearson's r between numeric columns,
    the correlation ratio between a nominal and a numeric one, Theil's U between two nominal ones;
    see :mod:`datarights.synthetic.associations`) and :math:`\operatorname{sln}` the signed log
    (Chundawat et al., 2022). The log stops tiny real correlations from dominating, but note the
    sign flip: r = 0.5 maps to −0.69.

    ``zero_association="official"``: an association of exactly 0 (a constant column) gives
    sln = NaN, and the whole component becomes 0, as in the official code. ``"robust"``: such an
    entry has error 0 when both tables have a 0 there, and 1 otherwise.
    """
    a_real, a_fake = (association_matrix(t, categorical).to_numpy(float) for t in (real, fake))
    l_real, l_fake = signed_log(a_real), signed_log(a_fake)
    with np.errstate(invalid="ignore"):
        errors = relative_error(l_real, l_fake)
    if zero_association == "robust":
        zero_r, zero_f = a_real == 0, a_fake == 0
        errors = np.where(zero_r | zero_f, np.where(zero_r & zero_f, 0.0, 1.0), errors)
    elif zero_association != "official":
        raise ValueError(f"zero_association={zero_association!r}: expected 'official' or 'robust'")
    n = len(real.columns)
    if n < 2:
        raise ValueError("the tables need at least 2 columns to compare their associations")
    return _one_minus(float(np.sum(errors)) / (n * n - n))


# -- component 3: ML efficacy -----------------------------------------------------------------

def dython_encoding(table: pd.DataFrame, categorical: Collection[str]) -> pd.DataFrame:
    """dython 0.6.6 ``numerical_encoding``, as the official code applies it to each table separately.

    A nominal column with one distinct value becomes 0, one with two values its
    ``pd.factorize`` codes (in order of first appearance, so two tables may code the same
    category differently), one with more values its one-hot dummies ``<col>_<value>``, in place.
    """
    parts = []
    for col in table.columns:
        values = table[col]
        distinct = values.nunique()
        if col not in categorical:
            parts.append(values)
        elif distinct == 1:
            parts.append(pd.Series(0, index=table.index, name=col))
        elif distinct == 2:
            parts.append(pd.Series(pd.factorize(values)[0], index=table.index, name=col))
        else:
            parts.append(pd.get_dummies(values, prefix=col, dtype=float))
    return pd.concat(parts, axis=1)


def _official_xy(real: pd.DataFrame, fake: pd.DataFrame, categorical: Collection[str], target: str):
    """Official encoding: target moved last, dython encoding per table, y = the last encoded column.

    The fake table is aligned to the real one's encoded columns (a category that one table lacks
    becomes a column of zeros), where the official code stops with a scikit-learn error.
    """
    order = [c for c in real.columns if c != target] + [target]
    enc_real = dython_encoding(real[order], categorical)
    enc_fake = dython_encoding(fake[order], categorical).reindex(columns=enc_real.columns, fill_value=0.0)
    label = enc_real.columns[-1]
    return (enc_real.drop(columns=label), enc_real[label]), (enc_fake.drop(columns=label), enc_fake[label])


def fixed_xy(real: pd.DataFrame, fake: pd.DataFrame, categorical: Collection[str], target: str):
    """Fixed encoding: the named target is predicted (a nominal one as class codes shared by both tables),
    nominal features one-hot over both tables' categories."""
    features = [c for c in real.columns if c != target]
    nominal = [c for c in features if c in categorical]
    both = pd.concat([real[features], fake[features]], keys=["real", "fake"])
    encoded = pd.get_dummies(both, columns=nominal, dtype=float)
    y = pd.concat([real[target], fake[target]], keys=["real", "fake"])
    if target in categorical:
        y = pd.Series(np.unique(y.to_numpy(), return_inverse=True)[1], index=y.index)
    return ((encoded.loc["real"], y.loc["real"]), (encoded.loc["fake"], y.loc["fake"]))


def ml_models(task: Task) -> list:
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
    from sklearn.linear_model import ElasticNet, Lasso, LogisticRegression, Ridge
    from sklearn.neural_network import MLPClassifier
    from sklearn.tree import DecisionTreeClassifier

    if task == "regression":
        return [RandomForestRegressor(n_estimators=20, max_depth=5, random_state=42),
                Lasso(random_state=42, max_iter=5000), Ridge(alpha=1.0, random_state=42),
                ElasticNet(max_iter=5000, random_state=42)]
    return [LogisticRegression(max_iter=5000, random_state=42), RandomForestClassifier(n_estimators=10, random_state=42),
            DecisionTreeClassifier(random_state=42),
            MLPClassifier([50, 50], solver="adam", activation="relu", learning_rate="adaptive", random_state=42)]


def model_score(task: Task, model, x: pd.DataFrame, y: pd.Series) -> float:
    from sklearn.metrics import f1_score, mean_squared_error

    prediction = model.predict(x)
    if task == "regression":
        return float(np.sqrt(mean_squared_error(y, prediction)))
    return float(f1_score(y, prediction, average="micro"))


def _fit(model: Any, x: pd.DataFrame, y: pd.Series, task: Task) -> Any:
    """``model`` fitted on (x, y); a constant model when a classification target holds a single class.

    With the official encoding the "target" of a many-class nominal column is the indicator of the
    real table's largest class, which a fake table (or a small real one) may lack altogether; the
    official code then stops with a scikit-learn error. The port predicts that single class instead.
    """
    if task == "classification" and pd.Series(y).nunique() < 2:
        from sklearn.dummy import DummyClassifier

        return DummyClassifier(strategy="most_frequent").fit(x, y)
    return model.fit(x, y)


def ml_score_pairs(real_scaled: pd.DataFrame, fake_scaled: pd.DataFrame, categorical: Collection[str], target: str,
                   task: Task, *, ml_encoding: MLEncoding = "official") -> tuple[list[float], list[float]]:
    """The 8 scores of the real-trained models and the 8 of the fake-trained ones (4 models × evaluated on real, on fake)."""
    if ml_encoding not in ("official", "fixed"):
        raise ValueError(f"ml_encoding={ml_encoding!r}: expected 'official' or 'fixed'")
    split = _official_xy if ml_encoding == "official" else fixed_xy
    (x_real, y_real), (x_fake, y_fake) = split(real_scaled, fake_scaled, categorical, target)
    models_real = ml_models(task)
    models_fake = copy.deepcopy(models_real)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the MLP's ConvergenceWarning at 200 iterations, as in the official run
        models_real = [_fit(model, x_real, y_real, task) for model in models_real]
        models_fake = [_fit(model, x_fake, y_fake, task) for model in models_fake]
    tables = [(x_real, y_real), (x_fake, y_fake)]
    return ([model_score(task, m, x, y) for x, y in tables for m in models_real],
            [model_score(task, m, x, y) for x, y in tables for m in models_fake])


def ml_efficacy_score(real_scaled: pd.DataFrame, fake_scaled: pd.DataFrame, categorical: Collection[str], target: str,
                      task: Task, *, ml_encoding: MLEncoding = "official") -> float:
    r"""S_ml: do models trained on the fake table score like models trained on the real one? (TabSynDex, component 3).

    Four models :math:`m_1..m_4` are fit on the whole real table (:math:`m^R_k`) and on the whole
    fake table (:math:`m^F_k`), without a train/test split, and each is scored on both tables
    (RMSE for regression: random forest, Lasso, Ridge, ElasticNet; micro-F1 for classification:
    logistic regression, random forest, decision tree, MLP), giving 8 pairs:

    .. math:: S_\text{ml} = 1 - \frac18 \sum_{k=1}^{4}\sum_{T\in\{R,F\}} e\big(s_T(m^R_k), s_T(m^F_k)\big)

    (Chundawat et al., 2022; the paper's text describes 4 errors, the code averages these 8).
    The tables are min-max scaled with the real table's ranges.

    ``ml_encoding="official"``: the official dython encoding, and the target is the *last encoded
    column*: a nominal target with more than two classes becomes the one-hot indicator of its
    largest class. ``"fixed"``: the named target column is predicted as it is.
    """
    score_r, score_f = ml_score_pairs(real_scaled, fake_scaled, categorical, target, task, ml_encoding=ml_encoding)
    return _one_minus(float(np.mean(relative_error(score_r, score_f))))


# -- component 4: propensity mean squared error -------------------------------------------

@dataclass(frozen=True)
class PropensityMSE:
    """pMSE of a logistic real-vs-fake classifier, its null expectation and their ratio."""

    pmse: float
    null: float
    ratio: float


def pmse_features(columns: Sequence[str], features: PMSEFeatures = "official") -> list[str]:
    """The columns the pMSE's logistic regression sees.

    ``"official"``: every column except one named ``target``. The official code stacks the tables
    and writes its real/fake indicator with ``data['target'] = ...``, which *overwrites* a data
    column of that name (every scikit-learn ``as_frame`` table has one), so that column drops out
    of the propensity model and out of the column count k. ``"all"``: every column (the fix).
    """
    if features == "all":
        return list(columns)
    if features != "official":
        raise ValueError(f"pmse_features={features!r}: expected 'official' or 'all'")
    return [c for c in columns if c != OFFICIAL_INDICATOR]


def propensities(real_scaled: pd.DataFrame, fake_scaled: pd.DataFrame) -> np.ndarray:
    """In-sample P(fake | row) of a logistic regression fit on the stacked tables (real rows first).

    Solved to the optimum (``tol=1e-10``). The official run did not reach it: scikit-learn 1.2's
    lbfgs stopped on SciPy's default relative-decrease test (on the official wine table after 28
    iterations, objective 3390.84974 against the optimum 3390.84968), which the published pMSE
    component reflects (0.955012 there, 0.954886 at the optimum). scikit-learn ≥ 1.5 scales the
    objective by 1/N, so its default ``tol=1e-4`` stops even earlier (10 iterations, 3390.86831);
    no setting of a current version reproduces the 1.2 end point, so the port takes the
    version-independent optimum. On small tables the two agree to about 1e-5.
    """
    from sklearn.linear_model import LogisticRegression

    x = pd.concat([real_scaled, fake_scaled], ignore_index=True)
    y = np.r_[np.zeros(len(real_scaled)), np.ones(len(fake_scaled))]
    model = LogisticRegression(max_iter=5000, tol=1e-10, random_state=42).fit(x, y)
    return model.predict_proba(x)[:, 1]


def propensity_mse(real_scaled: pd.DataFrame, fake_scaled: pd.DataFrame, features: PMSEFeatures = "all") -> PropensityMSE:
    r"""The propensity mean squared error of Snoke et al. (2018), as the TabSynDex code computes it.

    A logistic regression (main effects, C = 1) learns to tell real rows (0) from fake rows (1);
    with :math:`p_i` its in-sample probability that row :math:`i` is fake, :math:`N` the number of
    rows and :math:`c = N_F / N`,

    .. math:: \text{pMSE} = \frac1N \sum_{i=1}^{N} (p_i - c)^2, \qquad
              \mathbb E[\text{pMSE}_0] = \frac{(k-1)(1-c)^2 c}{N},

    with :math:`k` the number of columns plus an intercept: the expected pMSE of a fake table
    drawn from the real distribution. ``features`` picks the columns (see :func:`pmse_features`;
    :func:`tabsyndex` passes ``"official"`` in official mode).
    """
    columns = pmse_features(list(real_scaled.columns), features)
    if not columns:
        raise ValueError("the pMSE needs at least one column besides one named 'target'")
    real_scaled, fake_scaled = real_scaled[columns], fake_scaled[columns]
    p = propensities(real_scaled, fake_scaled)
    n, c, k = len(p), len(fake_scaled) / len(p), real_scaled.shape[1] + 1
    pmse = float(np.mean((p - c) ** 2))
    null = (k - 1) * (1 - c) ** 2 * c / n
    return PropensityMSE(pmse=pmse, null=null, ratio=pmse / null)


def pmse_score(ratio: float, alpha: float = 1.2) -> float:
    r"""S_pMSE: the pMSE ratio mapped to (0, 1] (TabSynDex, component 4).

    .. math:: S_\text{pMSE} = \alpha^{-\left|1 - \text{pMSE}/\mathbb E[\text{pMSE}_0]\right|}, \qquad \alpha = 1.2

    1 when the classifier separates the tables exactly as well as chance predicts (Chundawat et
    al., 2022). Two consequences of the official form: an exact copy has pMSE = 0, ratio 0 and
    score :math:`1/\alpha = 0.833`; and since the null shrinks like :math:`1/N` while a fixed
    distribution gap keeps pMSE constant, the score collapses on large tables.
    """
    _check_positive("alpha", alpha)
    return float(alpha ** (-abs(1.0 - ratio)))


# -- component 5: support coverage ----------------------------------------------------------

def _coverage(real_counts: np.ndarray, fake_counts: np.ndarray, scale: float, beta: float) -> float:
    present = real_counts > 0
    terms = np.minimum(scale * fake_counts[present] / real_counts[present], beta)
    return float(min(terms.mean(), 1.0))


def column_coverage(real: pd.Series, fake: pd.Series, *, nominal: bool, scale: float, bins: int = 20,
                    beta: float = 2.0) -> float:
    """Support coverage of one column (see :func:`support_coverage_score`)."""
    if nominal:
        categories = real.value_counts()
        fake_counts = fake.value_counts().reindex(categories.index, fill_value=0)
        return _coverage(categories.to_numpy(float), fake_counts.to_numpy(float), scale, beta)
    codes_real, edges = pd.cut(real, bins=bins, labels=False, retbins=True)
    codes_fake = pd.cut(fake, bins=edges, labels=False).dropna().astype(int)
    return _coverage(np.bincount(codes_real, minlength=bins).astype(float),
                     np.bincount(codes_fake, minlength=bins).astype(float), scale, beta)


def support_coverage_score(real: pd.DataFrame, fake: pd.DataFrame, categorical: Collection[str] = (), *,
                           bins: int = 20, beta: float = 2.0) -> float:
    r"""S_sup: how much of each real column's support the fake column covers (TabSynDex, component 5).

    For a column, the "cells" are the categories of a nominal column, or 20 equal-width bins over
    the real range of a numeric one; with :math:`r_i`, :math:`f_i` the real and fake counts in
    cell :math:`i` and :math:`s = N_R/N_F`,

    .. math:: S_\text{sup} = \frac1n\sum_{j=1}^{n} \min\!\Big(1, \frac{1}{|C_j|}\sum_{i\in C_j}
              \min\big(\beta, s\,f_i / r_i\big)\Big), \qquad \beta = 2,

    over the cells :math:`C_j` that hold at least one real value, on the raw tables (Chundawat et
    al., 2022). Fake values outside the real range are ignored; a category missing from the fake
    table counts 0 (the official code raises a KeyError). It rewards coverage, not shape: uniform
    noise over the real ranges scores 1.
    """
    scale = len(real) / len(fake)
    values = [column_coverage(real[c], fake[c], nominal=c in categorical, scale=scale, bins=bins, beta=beta)
              for c in real.columns]
    return float(np.mean(values))


# -- validation ------------------------------------------------------------------------------

def _check_positive(name: str, value: Any) -> None:
    if not isinstance(value, (int, float, np.integer, np.floating)) or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name}={value!r} must be a positive number")


def _check_frame(name: str, table: Any) -> None:
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, not {type(table).__name__}")
    if len(table) < 2:
        raise ValueError(f"{name} has {len(table)} row(s); TabSynDex needs at least 2")
    if table.columns.duplicated().any():
        raise ValueError(f"{name} has duplicated column names: {sorted(set(table.columns[table.columns.duplicated()]))}")


def _check_columns(real: pd.DataFrame, fake: pd.DataFrame) -> pd.DataFrame:
    """The fake table with the real table's column order; a ValueError if the column sets differ."""
    missing = [c for c in real.columns if c not in fake.columns]
    extra = [c for c in fake.columns if c not in real.columns]
    if missing or extra:
        raise ValueError(f"real and fake must have the same columns: fake lacks {missing}, fake has extra {extra}")
    return fake[list(real.columns)]


def _check_missing(name: str, table: pd.DataFrame) -> None:
    bad = [c for c in table.columns if table[c].isna().any()]
    if bad:
        raise ValueError(f"{name} has missing values (NaN) in column(s) {bad}; TabSynDex needs complete tables, "
                         "so drop or impute those rows first")


def _encode_nominal(real: pd.Series, fake: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Non-numeric categories → integer codes shared by both tables (sorted by their text)."""
    if pd.api.types.is_numeric_dtype(real) and pd.api.types.is_numeric_dtype(fake):
        return real.astype(float), fake.astype(float)
    categories = sorted(set(real.astype(str)) | set(fake.astype(str)))
    code = {value: float(i) for i, value in enumerate(categories)}
    return real.astype(str).map(code), fake.astype(str).map(code)


def _as_numbers(real: pd.DataFrame, fake: pd.DataFrame, categorical: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    real, fake = real.copy(), fake.copy()
    for col in real.columns:
        if col in categorical:
            real[col], fake[col] = _encode_nominal(real[col], fake[col])
            continue
        for name, table in (("real", real), ("fake", fake)):
            if not (pd.api.types.is_numeric_dtype(table[col]) or pd.api.types.is_bool_dtype(table[col])):
                raise ValueError(f"column {col!r} of {name} is not numeric ({table[col].dtype}); "
                                 "list it in categorical= or convert it to numbers")
        real[col], fake[col] = real[col].astype(float), fake[col].astype(float)
    for name, table in (("real", real), ("fake", fake)):
        infinite = [c for c in table.columns if not np.isfinite(table[c].to_numpy()).all()]
        if infinite:
            raise ValueError(f"{name} has infinite values in column(s) {infinite}")
    return real, fake


def prepare(real: pd.DataFrame, fake: pd.DataFrame, categorical: Collection[str] = (), target: str | None = None,
            task: str = "regression") -> tuple[pd.DataFrame, pd.DataFrame, list[str], str, Task]:
    """Validate the inputs of :func:`tabsyndex`; return numeric tables in the same column order and the checked arguments."""
    _check_frame("real", real)
    _check_frame("fake", fake)
    fake = _check_columns(real, fake)
    if isinstance(categorical, str):
        raise TypeError(f"categorical must be a list of column names, not the string {categorical!r}")
    categorical = list(categorical)
    unknown = [c for c in categorical if c not in real.columns]
    if unknown:
        raise ValueError(f"categorical names column(s) {unknown} that are not in the tables; columns: {list(real.columns)}")
    target = real.columns[-1] if target is None else target
    if target not in real.columns:
        raise ValueError(f"target={target!r} is not a column of the tables; columns: {list(real.columns)}")
    if task not in TASKS:
        raise ValueError(f"task={task!r}: expected 'regression' or 'classification'")
    task = TASKS[task]
    if task == "classification" and target not in categorical:
        raise ValueError(f"task='classification' needs the target {target!r} listed in categorical")
    _check_missing("real", real)
    _check_missing("fake", fake)
    if task == "classification":
        for name, t in (("real", real), ("fake", fake)):
            if t[target].nunique() < 2:
                raise ValueError(f"{name} holds a single class in the target {target!r} ({t[target].iloc[0]!r}); "
                                 "the ML-efficacy classifiers need at least two classes in each table")
    real, fake = _as_numbers(real, fake, categorical)
    return real, fake, categorical, target, task


def min_max_scale(real: pd.DataFrame, fake: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both tables scaled with the real table's column ranges, by scikit-learn's ``MinMaxScaler`` as in the
    official code (its exact arithmetic matters for the tree models' tie-breaking); fake may leave [0, 1]."""
    from sklearn.preprocessing import MinMaxScaler

    scaler = MinMaxScaler().fit(real.to_numpy())
    return tuple(pd.DataFrame(scaler.transform(t.to_numpy()), columns=real.columns, index=t.index) for t in (real, fake))


# -- the score ---------------------------------------------------------------------------------

def resolve_mode(mode: Mode, ml_encoding: MLEncoding | None, zero_association: ZeroAssociation | None,
                 pmse: PMSEFeatures | None) -> tuple[MLEncoding, ZeroAssociation, PMSEFeatures]:
    """The three quirk switches that ``mode`` implies, each overridable on its own."""
    if mode not in ("official", "fixed"):
        raise ValueError(f"mode={mode!r}: expected 'official' or 'fixed'")
    official = mode == "official"
    return (ml_encoding or ("official" if official else "fixed"),
            zero_association or ("official" if official else "robust"),
            pmse or ("official" if official else "all"))


def tabsyndex(real: pd.DataFrame, fake: pd.DataFrame, *, categorical: Collection[str] = (), target: str | None = None,
              task: str = "regression", mode: Mode = "official", ml_encoding: MLEncoding | None = None,
              zero_association: ZeroAssociation | None = None, pmse_features: PMSEFeatures | None = None,
              alpha: float = 1.2, beta: float = 2.0, bins: int = 20) -> TabSynDexResult:
    r"""TabSynDex of ``fake`` against ``real``: the mean of five components in [0, 1] (Chundawat et al., 2022).

    .. math:: \text{TabSynDex} = \tfrac15\big(S_\text{basic} + S_\text{corr} + S_\text{ml}
              + S_\text{pMSE} + S_\text{sup}\big)

    Parameters
    ----------
    real, fake
        Tables with the same columns (the fake one is reordered if only the order differs); row
        counts may differ. No missing values. Non-categorical columns must be numeric.
    categorical
        Names of the nominal columns. Their values may be numbers or strings (strings are coded
        0, 1, … in sorted order for both tables).
    target
        The column the ML-efficacy models predict; default: the last column, as in the official code.
    task
        ``"regression"`` (RMSE) or ``"classification"`` (micro-F1; the target must be categorical).
        The official names ``"regr"`` and ``"class"`` are accepted.
    mode
        ``"official"`` (default) reproduces the official code's three quirks; ``"fixed"`` corrects
        them: the named target is predicted (not the last one-hot column), a zero association
        agrees with a zero, and a column named ``target`` stays in the pMSE model.
    ml_encoding, zero_association, pmse_features
        Override one quirk of ``mode``; see :func:`ml_efficacy_score`, :func:`log_correlation_score`
        and :func:`pmse_features`.
    alpha, beta, bins
        The pMSE base (1.2), the per-cell support cap (2) and the number of histogram bins (20);
        each must be positive.

    >>> result = tabsyndex(real, real.copy(), categorical=["c"])      # doctest: +SKIP
    >>> round(result.score, 6), round(result.pmse, 6)                 # doctest: +SKIP
    (0.966667, 0.833333)
    """
    for name, value in (("alpha", alpha), ("beta", beta), ("bins", bins)):
        _check_positive(name, value)
    ml_encoding, zero_association, pmse_columns = resolve_mode(mode, ml_encoding, zero_association, pmse_features)
    real, fake, categorical, target, task = prepare(real, fake, categorical, target, task)
    real_scaled, fake_scaled = min_max_scale(real, fake)
    propensity = propensity_mse(real_scaled, fake_scaled, pmse_columns)
    parts = {
        "basic": basic_statistics_score(real, fake),
        "correlation": log_correlation_score(real, fake, categorical, zero_association=zero_association),
        "ml_efficacy": ml_efficacy_score(real_scaled, fake_scaled, categorical, target, task, ml_encoding=ml_encoding),
        "pmse": pmse_score(propensity.ratio, alpha),
        "support": support_coverage_score(real, fake, categorical, bins=bins, beta=beta),
    }
    return TabSynDexResult(score=float(np.mean(list(parts.values()))), pmse_ratio=propensity.ratio, **parts)
