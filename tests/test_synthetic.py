"""TabSynDex, the baseline generators, the comparison metrics and the tabular loaders.

The reference numbers are the official code's outputs on the 12-row test vector of the
specification (shared/papers/tabsyndex_ecoval.md, A.9b), run with scikit-learn 1.2.2.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sklearn
from datarights.data.tabular import DATA_TABLES, TABLES, load_table, split_halves, split_three, tabular_dir
from datarights.synthetic import (
    association_matrix,
    basic_statistics_score,
    correlation_ratio,
    log_correlation_score,
    pearson,
    support_coverage_score,
    tabsyndex,
    theils_u,
)
from datarights.synthetic.compare import table_evaluator_similarity, train_synthetic_test_real
from datarights.synthetic.generators import GENERATORS, NOISE_BASELINES, make_generator
from datarights.synthetic.privacy import closest_record_distances, dcr_scores, new_row_synthesis

OFFICIAL = {"score": 0.700620, "basic": 0.880073, "correlation": 0.248786, "ml_efficacy": 0.854874,
            "support": 0.679167, "pmse": 0.840197}
# Only the random forest of S_ml depends on the scikit-learn version: from the same random_state, later
# versions grow slightly different trees, which moves S_ml (and the score) by < 0.005 here. Under
# scikit-learn 1.2.2, the version of the official run, this implementation returns the official values to
# 1e-6 (measured by benchmarks/tabsyndex_pinned.py, results/tabsyndex/pinned-sklearn-1.2.2.json).
SKLEARN_OF_THE_OFFICIAL_RUN = sklearn.__version__.startswith("1.2.")


@pytest.fixture(scope="module")
def vector() -> tuple[pd.DataFrame, pd.DataFrame]:
    real = pd.DataFrame({
        "a": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
        "b": [2.0, 1.5, 3.5, 3.0, 5.5, 4.0, 6.5, 7.0, 8.5, 8.0, 10.5, 11.0],
        "c": [0, 1, 0, 1, 0, 1, 2, 0, 1, 2, 0, 1],
        "y": [3.1, 3.4, 6.6, 7.2, 10.4, 10.1, 13.9, 15.2, 17.6, 18.1, 21.4, 23.0]})
    fake = pd.DataFrame({
        "a": [1.5, 2.5, 2.0, 4.5, 6.0, 5.0, 7.5, 9.0, 8.0, 11.0, 12.0, 3.0],
        "b": [1.0, 2.0, 4.0, 3.0, 6.0, 4.5, 6.0, 8.0, 9.0, 7.5, 11.0, 2.5],
        "c": [0, 0, 1, 1, 0, 2, 2, 0, 1, 1, 0, 0],
        "y": [2.5, 4.4, 6.1, 7.9, 11.0, 9.8, 13.2, 16.5, 17.0, 18.9, 22.7, 5.0]})
    return real, fake


@pytest.fixture(scope="module")
def diabetes_halves():
    table = load_table("diabetes")
    real, holdout = split_halves(table.frame, seed=0)
    return table, real, holdout


# -- the official numbers ------------------------------------------------------------------------

def test_test_vector_matches_the_official_code(vector):
    """Basic, correlation, support and pMSE equal the official outputs to 1e-5; ML efficacy and the score
    do too under the official run's scikit-learn, and stay within 0.005 under later versions."""
    result = tabsyndex(*vector, categorical=["c"], target="y", task="regression")
    for name in ("basic", "correlation", "support", "pmse"):
        assert getattr(result, name) == pytest.approx(OFFICIAL[name], abs=1e-5), name
    tolerance = 1e-5 if SKLEARN_OF_THE_OFFICIAL_RUN else 5e-3
    assert result.ml_efficacy == pytest.approx(OFFICIAL["ml_efficacy"], abs=tolerance)
    assert result.score == pytest.approx(OFFICIAL["score"], abs=tolerance)
    assert result.score == pytest.approx(np.mean(list(result.components.values())))


def test_support_coverage_hand_check(vector):
    """The spec's hand check: column c covers 1.0 and column a 0.75 of the real support."""
    real, fake = vector
    assert support_coverage_score(real[["c"]], fake[["c"]], ["c"]) == pytest.approx(1.0)
    assert support_coverage_score(real[["a"]], fake[["a"]]) == pytest.approx(0.75)


def test_exact_copy_scores_the_official_ceiling(vector):
    """A copy gets 1 on four components and 1/1.2 on pMSE, so TabSynDex 0.966667, never 1."""
    real, _ = vector
    result = tabsyndex(real, real.copy(), categorical=["c"], target="y")
    assert result.score == pytest.approx(0.966667, abs=1e-6)
    assert result.pmse == pytest.approx(1 / 1.2)
    assert result.pmse_ratio == pytest.approx(0.0, abs=1e-9)
    for name in ("basic", "correlation", "ml_efficacy", "support"):
        assert getattr(result, name) == pytest.approx(1.0), name


def test_identical_tables_give_one_on_the_components_the_spec_says(diabetes_halves):
    """On a real table against itself each component except pMSE is exactly 1 (classification target too)."""
    table = load_table("wine")
    real = table.frame
    result = tabsyndex(real, real.copy(), categorical=table.categorical, target=table.target, task=table.task)
    assert result.components == pytest.approx({"basic": 1, "correlation": 1, "ml_efficacy": 1, "pmse": 1 / 1.2, "support": 1})
    assert basic_statistics_score(real, real) == 1.0
    assert log_correlation_score(real, real, table.categorical) == 1.0


def test_string_categories_and_column_order_give_the_same_answer(vector):
    """Categories written as text, and a fake table with its columns in another order, change nothing."""
    real, fake = vector
    base = tabsyndex(real, fake, categorical=["c"], target="y")
    names = {0: "low", 1: "mid", 2: "high"}
    relabelled = [t.assign(c=t["c"].map(names)) for t in (real, fake)]
    as_text = tabsyndex(relabelled[0], relabelled[1][["y", "c", "b", "a"]], categorical=["c"], target="y")
    # the text codes sort as high < low < mid, so only the arbitrary code values differ: support and ML agree
    assert as_text.support == pytest.approx(base.support)
    assert tabsyndex(real, fake[["y", "c", "b", "a"]], categorical=["c"], target="y") == base


def test_a_category_missing_from_the_fake_table_counts_as_not_covered(vector):
    """Where the official code raises a KeyError, the missing category contributes 0 to support coverage."""
    real, fake = vector
    fake = fake.assign(c=fake["c"].replace(2, 1))
    result = tabsyndex(real, fake, categorical=["c"], target="y")
    assert 0 < result.support < 1 and 0 <= result.ml_efficacy <= 1
    # real counts {0: 5, 1: 5, 2: 2}, fake {0: 6, 1: 6}: terms 1.2, 1.2 and 0
    assert support_coverage_score(real[["c"]], fake[["c"]], ["c"]) == pytest.approx(0.8)


# -- the quirks and their options -----------------------------------------------------------------

def test_constant_column_zeroes_the_official_correlation_but_not_the_robust_one(diabetes_halves):
    """An association of exactly 0 makes S_corr 0 in the official code; zero_association='robust' ignores it."""
    table, real, holdout = diabetes_halves
    r, f = real.assign(k=1.0), holdout.assign(k=1.0)
    assert log_correlation_score(r, f, table.categorical) == 0.0
    assert log_correlation_score(r, f, table.categorical, zero_association="robust") > 0.3


def test_official_target_encoding_predicts_the_largest_class_indicator():
    """With the official encoding a 3-class target becomes one indicator column; 'fixed' predicts the classes."""
    from datarights.synthetic.metric import _official_xy, fixed_xy, min_max_scale

    table = load_table("wine")
    real, fake = min_max_scale(*split_halves(table.frame))
    (_, y_official), _ = _official_xy(real, fake, table.categorical, table.target)
    (_, y_fixed), _ = fixed_xy(real, fake, table.categorical, table.target)
    assert y_official.name == "cultivar_1.0" and set(y_official.unique()) == {0.0, 1.0}
    assert sorted(y_fixed.unique()) == [0, 1, 2]


def test_pmse_collapses_as_tables_grow():
    """For a fixed distribution gap the pMSE ratio grows with N, so S_pMSE falls."""
    rng = np.random.default_rng(0)
    scores = []
    for n in (200, 800, 3200):
        real = pd.DataFrame(rng.normal(size=(n, 3)), columns=list("xyz"))
        fake = pd.DataFrame(rng.normal(0.15, 1, size=(n, 3)), columns=list("xyz"))
        scores.append(tabsyndex(real.assign(t=rng.normal(size=n)), fake.assign(t=rng.normal(size=n))).pmse)
    assert scores[0] > scores[1] > scores[2]


# -- the baselines: ordering and seeding -----------------------------------------------------------

@pytest.fixture(scope="module")
def baseline_scores(diabetes_halves):
    table, real, holdout = diabetes_halves
    out = {}
    for name in ("copy", "half", *NOISE_BASELINES):
        fake = make_generator(name, table.categorical, holdout=holdout).fit(real).sample(len(real), seed=0)
        out[name] = tabsyndex(real, fake, categorical=table.categorical, target=table.target)
    return out


def test_degradation_ordering_of_the_noise_baselines(baseline_scores):
    """copy > other real half > every noise baseline, and uniform noise (no marginals, no dependence) is last."""
    s = {name: r.score for name, r in baseline_scores.items()}
    assert s["copy"] > s["half"]
    assert all(s["half"] > s[noise] for noise in ("uniform", "independent"))
    assert s["uniform"] < s["independent"]
    assert baseline_scores["uniform"].support == 1.0, "uniform noise over the real ranges covers every bin"
    assert baseline_scores["independent"].correlation < baseline_scores["half"].correlation


@pytest.mark.parametrize("name", [g for g in GENERATORS if g not in ("ctgan", "tvae")])
def test_generators_are_seeded(name, diabetes_halves):
    """Same seed → same rows; another seed → other rows (except the copy); the real columns, in order."""
    table, real, holdout = diabetes_halves
    generator = make_generator(name, table.categorical, holdout=holdout).fit(real)
    a, b = generator.sample(50, seed=3), generator.sample(50, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == list(real.columns) and len(a) == 50
    assert not a.equals(generator.sample(50, seed=4))
    assert set(a["sex"]) <= set(real["sex"]), "categorical columns keep the real categories"


@pytest.mark.parametrize("name", ["ctgan", "tvae"])
def test_neural_generators_are_seeded(name):
    """CTGAN and TVAE: same training seed and sample seed → same rows."""
    table = load_table("diabetes", max_rows=60)
    samples = [make_generator(name, table.categorical, epochs=1, batch_size=20, seed=0).fit(table.frame).sample(30, seed=1)
               for _ in range(2)]
    pd.testing.assert_frame_equal(samples[0], samples[1])


def test_ctgan_monitoring_reports_every_few_epochs():
    """fit_monitored evaluates after every `every` epochs and after the last, with the losses of that epoch."""
    from datarights.synthetic.generators import CTGAN

    table = load_table("diabetes", max_rows=60)
    seen = []
    records = CTGAN(table.categorical, epochs=3, batch_size=20).fit_monitored(
        table.frame, every=2, evaluate=lambda epoch, fake: seen.append(len(fake)) or {"rows": len(fake)})
    assert [r["epoch"] for r in records] == [2, 3] and seen == [60, 60]
    assert {"generator_loss", "discriminator_loss", "rows"} <= set(records[0])


# -- bad input ------------------------------------------------------------------------------------

@pytest.mark.parametrize("change, message", [
    (lambda r, f: (r, f.drop(columns="b")), "same columns"),
    (lambda r, f: (r, f.assign(extra=1.0)), "same columns"),
    (lambda r, f: (r, f.assign(a=np.where(f.index == 3, np.nan, f["a"]))), r"fake has missing values .*\['a'\]"),
    (lambda r, f: (r.assign(y=np.where(r.index == 0, np.nan, r["y"])), f), r"real has missing values"),
    (lambda r, f: (r.assign(b="x"), f.assign(b="x")), r"column 'b' .* not numeric"),
], ids=["missing-column", "extra-column", "nan-fake", "nan-real", "text-column"])
def test_bad_tables_raise_clear_errors(vector, change, message):
    """Mismatched columns, NaN and text in a numeric column raise a ValueError that says what is wrong."""
    real, fake = change(*vector)
    with pytest.raises(ValueError, match=message):
        tabsyndex(real, fake, categorical=["c"], target="y")


@pytest.mark.parametrize("kwargs, message", [
    ({"categorical": ["c", "colour"]}, r"categorical names column\(s\) \['colour'\]"),
    ({"target": "z"}, r"target='z'"),
    ({"task": "clustering"}, r"task='clustering'"),
    ({"task": "classification", "target": "y"}, r"needs the target 'y' listed in categorical"),
    ({"ml_encoding": "onehot"}, r"ml_encoding='onehot'"),
], ids=["unknown-categorical", "unknown-target", "wrong-task", "class-target-not-categorical", "wrong-encoding"])
def test_bad_arguments_raise_errors_naming_the_argument(vector, kwargs, message):
    """Unknown categorical column, unknown target, wrong task or option: a ValueError naming the argument."""
    with pytest.raises(ValueError, match=message):
        tabsyndex(*vector, **{"categorical": ["c"], **kwargs})


def test_non_dataframe_input_is_a_type_error(vector):
    """A numpy array instead of a DataFrame is rejected up front."""
    real, fake = vector
    with pytest.raises(TypeError, match="fake must be a pandas DataFrame"):
        tabsyndex(real, fake.to_numpy())


# -- association measures and comparison metrics --------------------------------------------------

def test_association_measures_match_textbook_values():
    """Pearson equals numpy's; η is 1 when the category fixes the value and 0 when means agree; Theil's U is asymmetric."""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=100), rng.normal(size=100)
    assert pearson(x, y) == pytest.approx(np.corrcoef(x, y)[0, 1])
    assert correlation_ratio(np.array([0, 0, 1, 1]), np.array([1.0, 1.0, 5.0, 5.0])) == pytest.approx(1.0)
    assert correlation_ratio(np.array([0, 1, 0, 1]), np.array([1.0, 1.0, 5.0, 5.0])) == 0.0
    a, b = np.array([0, 0, 1, 1, 2, 2]), np.array([0, 0, 1, 1, 1, 1])
    assert theils_u(b, a) == pytest.approx(1.0) and theils_u(a, b) < 1.0
    frame = pd.DataFrame({"a": a, "b": b, "v": x[:6]})
    matrix = association_matrix(frame, ["a", "b"])
    assert matrix.loc["a", "b"] == pytest.approx(theils_u(b, a)) and np.allclose(np.diag(matrix), 1.0)


def test_table_evaluator_similarity_is_one_for_a_copy_and_lower_for_noise(diabetes_halves):
    """The Table Evaluator score: 1 for an exact copy, lower for uniform noise."""
    table, real, holdout = diabetes_halves
    kw = {"categorical": table.categorical, "target": table.target}
    noise = make_generator("uniform", table.categorical).fit(real).sample(len(real), seed=0)
    assert table_evaluator_similarity(real, real.copy(), **kw)["te_similarity"] == pytest.approx(1.0)
    assert table_evaluator_similarity(real, noise, **kw)["te_similarity"] < 0.9


# -- tables ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(TABLES))
def test_bundled_tables_are_complete_numeric_and_end_with_their_target(name):
    """Every table loads offline, has no NaN, is numeric, lists existing categorical columns, target last."""
    frame, categorical, target, task = load_table(name, max_rows=300)
    assert len(frame) <= 300 and not frame.isna().any().any()
    assert all(pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns)
    assert set(categorical) <= set(frame.columns) and frame.columns[-1] == target
    assert task in ("regression", "classification") and (task == "regression" or target in categorical)


# -- issue 22: the official pMSE's `target` column, the official notebook's tables, privacy, utility -----

def target_column_pair() -> tuple[pd.DataFrame, pd.DataFrame]:
    """A table with a data column named ``target`` that separates real from fake (fake target shifted by 5)."""
    i = np.arange(30)
    real = pd.DataFrame({"x1": (i * 7) % 11 + 0.5 * (i % 3), "x2": (i * 5) % 13 - 0.25 * (i % 4), "target": (i * 3) % 10 + 1.0})
    fake = pd.DataFrame({"x1": (i * 7 + 2) % 11 + 0.5 * (i % 2), "x2": (i * 5 + 1) % 13 - 0.25 * (i % 5),
                         "target": (i * 3) % 10 + 6.0})
    return real, fake


# The official function (vikram2000b/tabsyndex, scikit-learn 1.2.2, dython 0.6.6) on target_column_pair():
# {'score': 0.67386938, 'basic_score': 0.77013682, 'corr_score': 0.70647979, 'ml_score': 0.22434904,
#  'sup_score': 0.82098765, 'pmse_score': 0.84739359}. Its pMSE writes the real/fake indicator into
# data['target'], overwriting the data column, so only x1 and x2 enter the propensity model (k = 3).
OFFICIAL_TARGET_PMSE = 0.84739359
OFFICIAL_TARGET_SCORE = 0.67386938


def official_formula_pmse(real: pd.DataFrame, fake: pd.DataFrame) -> float:
    """S_pMSE written out from the official formula: min-max scale with the real ranges, drop the column
    named target, logistic regression (C = 1) on the stack, in-sample p, Snoke's null with k = columns + 1."""
    from sklearn.linear_model import LogisticRegression

    features = [c for c in real.columns if c != "target"]
    low, span = real[features].min(), real[features].max() - real[features].min()
    x = pd.concat([(real[features] - low) / span, (fake[features] - low) / span], ignore_index=True).to_numpy()
    y = np.r_[np.zeros(len(real)), np.ones(len(fake))]
    p = LogisticRegression(max_iter=5000, tol=1e-10).fit(x, y).predict_proba(x)[:, 1]
    n, c, k = len(p), len(fake) / len(p), len(features) + 1
    ratio = np.mean((p - c) ** 2) / ((k - 1) * (1 - c) ** 2 * c / n)
    return float(1.2 ** -abs(1 - ratio))


def test_official_mode_drops_a_column_named_target_from_the_pmse_like_the_official_code():
    """Official mode reproduces the overwritten `target` column (the official function's value, and the formula
    written out by hand); fixed mode keeps the column, and since it separates the tables its pMSE score falls."""
    real, fake = target_column_pair()
    official = tabsyndex(real, fake, target="target", mode="official")
    fixed = tabsyndex(real, fake, target="target", mode="fixed")
    assert official_formula_pmse(real, fake) == pytest.approx(OFFICIAL_TARGET_PMSE, abs=1e-6)
    assert official.pmse == pytest.approx(OFFICIAL_TARGET_PMSE, abs=1e-6)
    assert official.score == pytest.approx(OFFICIAL_TARGET_SCORE, abs=1e-6)
    assert fixed.pmse < 0.5 < official.pmse
    assert tabsyndex(real, fake, target="target", pmse_features="all").pmse == pytest.approx(fixed.pmse)


def test_the_official_notebook_wine_row_is_reproduced_within_the_stated_tolerance():
    """On the official notebook's wine-white table (50/50 split, random_state=0) the port gives the published
    row: four components to 1e-5, pMSE within 2e-4 (the official solver stopped short of the optimum)."""
    try:
        table = load_table("winequality-white")
    except FileNotFoundError:
        pytest.skip("winequality-white.csv is not in the data directory")
    first, second = split_halves(table.frame, seed=0)
    result = tabsyndex(first, second, categorical=["quality"], target="quality", task="classification")
    published = {"basic": 0.98773, "correlation": 0.82837, "ml_efficacy": 0.99898, "support": 0.92067, "pmse": 0.95501}
    for name in ("basic", "correlation", "ml_efficacy", "support"):
        assert getattr(result, name) == pytest.approx(published[name], abs=1e-5), name
    assert result.pmse == pytest.approx(published["pmse"], abs=2e-4)


def test_data_tables_load_from_the_data_dir_and_say_how_to_install_them_when_missing(tmp_path):
    """The official notebook's tables come from <data dir>/tabular; a missing file names the install command."""
    with pytest.raises(FileNotFoundError, match="datarights data tabular"):
        load_table("concrete", data_dir=tmp_path)
    folder = tmp_path / "tabular"
    folder.mkdir()
    pd.DataFrame({"cement": [540.0, 332.5, 198.6], "age": [28.0, 270.0, 365.0],
                  "concrete_compressive_strength": [79.99, 40.27, 44.3]}).to_csv(folder / "concrete.csv", index=False)
    table = load_table("concrete", data_dir=tmp_path)
    assert table.target == "concrete_compressive_strength" and table.task == "regression" and len(table.frame) == 3
    assert tabular_dir(tmp_path) == folder and set(DATA_TABLES) == {"winequality-white", "concrete"}


@pytest.mark.parametrize("kwargs, message", [
    ({"alpha": 0.0}, r"alpha=0.0 must be a positive number"),
    ({"alpha": -1.2}, r"alpha=-1.2"),
    ({"beta": 0}, r"beta=0"),
    ({"bins": 0}, r"bins=0"),
    ({"mode": "strict"}, r"mode='strict'"),
], ids=["alpha-zero", "alpha-negative", "beta-zero", "bins-zero", "wrong-mode"])
def test_non_positive_parameters_are_errors_naming_the_argument(vector, kwargs, message):
    """alpha ≤ 0 would make 1.2^(−|1−r|) meaningless (0 or complex); the error names the argument."""
    with pytest.raises(ValueError, match=message):
        tabsyndex(*vector, categorical=["c"], target="y", **kwargs)


def test_a_single_class_fake_table_is_a_clear_error_in_classification(vector):
    """The ML-efficacy classifiers cannot be fitted on one class; the error says which table and column."""
    real, fake = vector
    real, fake = real.assign(k=[0, 1] * 6), fake.assign(k=0)
    with pytest.raises(ValueError, match=r"fake holds a single class in the target 'k'"):
        tabsyndex(real, fake, categorical=["c", "k"], target="k", task="classification")


@pytest.mark.parametrize("where", ["real", "fake"])
def test_infinite_values_are_a_clear_error(vector, where):
    """An infinite value would turn the basic statistics and the scaling into NaN silently."""
    real, fake = vector
    tables = {"real": real, "fake": fake}
    tables[where] = tables[where].assign(b=np.where(tables[where].index == 2, np.inf, tables[where]["b"]))
    with pytest.raises(ValueError, match=rf"{where} has infinite values in column\(s\) \['b'\]"):
        tabsyndex(tables["real"], tables["fake"], categorical=["c"], target="y")


def test_privacy_flags_the_exact_copy_and_not_the_other_half(diabetes_halves):
    """A copy has distance 0 to its closest real record and no new rows; the other half sits as far from the
    real rows as itself (ratio 1) and is all new."""
    table, real, holdout = diabetes_halves
    copy = dcr_scores(real, real.copy(), holdout, table.categorical)
    assert copy["dcr"] == 0.0 and copy["dcr_ratio"] == 0.0 and copy["exact_copies"] == 1.0
    assert new_row_synthesis(real, real.copy(), table.categorical) == 0.0
    half = dcr_scores(real, holdout, holdout, table.categorical)
    assert half["dcr"] > 0 and half["dcr_ratio"] == pytest.approx(1.0) and half["exact_copies"] == 0.0
    assert new_row_synthesis(real, holdout, table.categorical) == pytest.approx(1.0)
    assert (closest_record_distances(real, real.iloc[:5], table.categorical) == 0).all()


def test_closest_record_distance_of_a_nominal_mismatch_is_one():
    """One-hot/√2 coding: rows differing only in a category are at distance 1, like a full-range numeric move."""
    real = pd.DataFrame({"v": [0.0, 1.0], "k": [0, 1]})
    fake = pd.DataFrame({"v": [0.0], "k": [2]})
    assert closest_record_distances(real, fake, ["k"])[0] == pytest.approx(1.0)


def test_train_on_synthetic_test_on_real_uses_a_held_out_test_set():
    """A copy teaches exactly what the real table does (ratio 1); uniform noise teaches less; the test rows
    are disjoint from the real and other-half rows."""
    table = load_table("diabetes")
    real, holdout, test = split_three(table.frame.assign(row=np.arange(len(table.frame))), 0.2, seed=0)
    assert set(real["row"]).isdisjoint(test["row"]) and set(holdout["row"]).isdisjoint(test["row"])
    assert abs(len(test) - 0.2 * len(table.frame)) < 1
    real, holdout, test = (t.drop(columns="row") for t in (real, holdout, test))
    kw = {"categorical": table.categorical, "target": table.target, "task": table.task}
    copy = train_synthetic_test_real(real, real.copy(), test, **kw)
    noise = train_synthetic_test_real(real, make_generator("uniform", table.categorical).fit(real).sample(len(real)), test, **kw)
    assert copy["tstr_ratio"] == pytest.approx(1.0) and noise["tstr"] < copy["tstr"]


def test_a_fake_table_without_the_largest_class_scores_instead_of_crashing():
    """Official encoding: the target of a 3-class column is the indicator of the largest class; a fake table
    without that class has a one-class indicator, where the official code raises a scikit-learn error. The
    port fits constant models there and scores the pair."""
    rng = np.random.default_rng(0)
    real = pd.DataFrame({"x": rng.normal(size=60), "k": np.repeat([0, 1, 2], 20)})
    fake = pd.DataFrame({"x": rng.normal(size=60), "k": np.repeat([0, 1], 30)})
    result = tabsyndex(real, fake, categorical=["k"], target="k", task="classification")
    assert 0.0 <= result.ml_efficacy <= 1.0 and 0.0 <= result.score <= 1.0
