"""The head-to-head runner: every method on the same models, requests, seeds and metric code."""

import math

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
