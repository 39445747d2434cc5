"""The head-to-head runner: every method on the same models, requests, seeds and metric code."""

import math

import numpy as np

import pytest

from datarights import unlearning
from datarights.cache import Cache
from datarights.experiments import compare as head_to_head

METRICS = ["retain_test", "forget_test", "forget", "test", "mia_logistic", "zrf_code", "zrf_paper", "js_to_retrained",
           "activation_distance", "relearn_steps", "ain", "seconds", "time_ratio", "gap"]


@pytest.fixture(scope="module")
def smoke_table(tmp_path_factory):
    cache = Cache(tmp_path_factory.mktemp("results"), tmp_path_factory.mktemp("models"))
    return head_to_head.compare(["finetune", "bad_teacher"], "class", seeds=(0,), profile="smoke", device="cpu", cache=cache)


def test_two_methods_one_seed_give_every_metric_without_missing_values(smoke_table):
    assert list(smoke_table.method) == ["retrain", "finetune", "bad_teacher"]
    assert (smoke_table.status == "ok").all()
    assert not smoke_table[METRICS].isna().any().any()


def test_retrain_has_no_gap_to_itself(smoke_table):
    gold = smoke_table[smoke_table.method == "retrain"].iloc[0]
    assert gold.gap == 0.0 and gold.ain == 1.0 and gold.time_ratio == 1.0
    assert smoke_table[smoke_table.method != "retrain"].gap.gt(0).all()


def test_the_same_seed_gives_the_same_table(tmp_path):
    runs = [head_to_head.compare(["neggrad"], "class", seeds=(0,), profile="smoke", device="cpu",
                                 cache=Cache(tmp_path / f"r{i}", tmp_path / f"m{i}")) for i in range(2)]
    columns = [c for c in METRICS if c not in ("seconds", "time_ratio")]
    assert runs[0][columns].equals(runs[1][columns])


def test_a_failing_method_is_reported_and_the_others_complete(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("out of memory (simulated)")

    monkeypatch.setitem(unlearning.METHODS, "neggrad", broken)
    table = head_to_head.compare(["neggrad", "finetune"], "class", seeds=(0,), profile="smoke", device="cpu",
                                 cache=Cache(tmp_path / "r", tmp_path / "m"))
    failed = table.set_index("method").loc["neggrad"]
    assert failed.status == "failed: RuntimeError: out of memory (simulated)" and math.isnan(failed.gap)
    assert table.set_index("method").loc["finetune", "status"] == "ok"


@pytest.mark.parametrize(("args", "message"), [
    (dict(methods=["sisa"]), "unknown methods \\['sisa'\\]"),
    (dict(methods=["gkt"], scenario="random"), "cannot serve the 'random' scenario: gkt: a zero-shot method sees no data"),
    (dict(methods=["emmn"], scenario="subclass"), "cannot serve the 'subclass' scenario"),
    (dict(methods=["finetune"], seeds=()), "seeds is empty"),
    (dict(methods=["finetune"], scenario="everything"), "unknown scenario='everything'"),
])
def test_bad_requests_get_clear_errors(args, message):
    with pytest.raises(ValueError, match=message):
        head_to_head.compare(**{"profile": "smoke", "device": "cpu", "seeds": (0,), "scenario": "class", **args})


def test_applicable_leaves_zero_shot_methods_out_of_random_requests():
    assert "gkt" not in head_to_head.applicable("random") and "bad_teacher" in head_to_head.applicable("random")
    assert "gkt" in head_to_head.applicable("class")


def test_gap_is_the_mean_absolute_difference_plus_the_distances():
    gold = {m: 0.5 for m in head_to_head.GAP_METRICS}
    row = {**gold, "retain_test": 0.7, "mia_logistic": 0.2, "mia_svc": None, "js_to_retrained": 0.1, "activation_distance": 0.3}
    # six metrics present (mia_svc missing): gaps 0.2 and 0.3, the rest 0; plus JS 0.1 and AD 0.3, over 8 terms
    assert head_to_head.gap_to(row, gold) == pytest.approx((0.2 + 0.3 + 0.1 + 0.3) / 8)


# -- the population study (forgetting quality and U-LiRA over K models per method) ------------------

@pytest.fixture(scope="module")
def smoke_populations(tmp_path_factory):
    cache = Cache(tmp_path_factory.mktemp("pop-results"), tmp_path_factory.mktemp("pop-models"))
    return head_to_head.populations("smoke", 0, device="cpu", cache=cache), cache


def test_population_study_scores_every_method_on_k_models_of_one_original(smoke_populations):
    pops, cache = smoke_populations
    study = head_to_head.settings("smoke").population
    assert pops.scenarios == list(study.scenarios)
    scenario = pops.scenarios[0]
    k, n = study.k, len(pops.raw[scenario]["examples"])
    assert pops.k(scenario) == k and pops.outputs(scenario, "retrained").shape == (k, n)
    assert pops.outputs(scenario, "original").shape == (1, n)
    table = pops.table(scenario)
    assert list(table.index) == head_to_head.population_methods(scenario, head_to_head.settings("smoke"))
    assert (table.status == "ok").all()
    for method in table.index:
        assert pops.outputs(scenario, method).shape == (k, n)
    assert table.final_score.between(0, 2).all() and table.lira_accuracy.between(0, 1).all()
    assert table.forgetting_score_se.notna().all() and table.lira_auc_se.notna().all()
    method, example = pops.most_distinguishable(scenario)
    varying = table.drop(index=pops.identical_runs(scenario))
    assert table.loc[method, "forgetting_score"] == varying.forgetting_score.min()
    assert "ssd" in pops.identical_runs(scenario)  # SSD draws nothing at random: its K runs coincide
    assert pops.epsilon(scenario, method, example) == max(pops.raw[scenario]["methods"][method]["epsilons"])
    summary = pops.summary(scenario)
    assert summary[("final_score", "std")].equals(table.final_score_se.astype(float))


def test_population_members_are_the_retrained_models_of_the_following_seeds(smoke_populations):
    """The k-th retrained model is the one prepare() trains at seed + k: the comparison's seeds reuse it."""
    from datarights.experiments.setup import model_config
    from datarights.profiles import get

    pops, cache = smoke_populations
    scenario = pops.scenarios[0]
    request = head_to_head.settings("smoke").requests(scenario)[0]
    for member in pops.raw[scenario]["members"]:
        config = model_config(get("smoke"), member, request, "retrained")
        assert cache.model_path("retrained", config).is_file()
    assert pops.raw[scenario]["members"] == list(range(head_to_head.settings("smoke").population.k))


def test_the_same_outputs_score_the_same_and_identical_populations_score_perfectly():
    rng = np.random.default_rng(0)
    outputs = rng.normal(size=(6, 30))
    observed = {"outputs": outputs, "retain": [0.9] * 6, "test": [0.8] * 6}
    same = head_to_head.score_population(observed, observed)
    assert same["forgetting_score"] == 1.0 and same["final_score"] == 1.0 and same["forgetting_score_se"] == 0.0
    apart = head_to_head.score_population({**observed, "outputs": outputs + 30}, observed)
    assert apart["forgetting_score"] == 0.0 and apart["lira_accuracy"] == 1.0


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"k": 5, "scenarios": ("random",)}, "k=5"),
    ({"k": 6, "scenarios": ("everything",)}, "scenarios="),
    ({"k": 6, "scenarios": ("random",), "examples": 0}, "examples=0"),
])
def test_population_study_refuses_bad_settings(kwargs, message):
    from datarights.settings.compare import PopulationStudy

    with pytest.raises(ValueError, match=message):
        PopulationStudy(**kwargs)
