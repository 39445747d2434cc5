from datarights.cache import Cache
from datarights.experiments import foundations


def test_same_seed_gives_identical_metrics(tmp_path):
    tables = [foundations.run("smoke", 0, device="cpu", cache=Cache(tmp_path / f"r{i}", tmp_path / f"m{i}", enabled=False)).table
              for i in range(2)]
    assert tables[0].drop(columns="seconds").equals(tables[1].drop(columns="seconds"))


def test_foundations_result_is_cached_and_complete(tmp_path):
    cache = Cache(tmp_path / "results", tmp_path / "models")
    first = foundations.run("smoke", 1, device="cpu", cache=cache)
    assert cache.result_path("foundations", foundations.result_config(foundations.get("smoke"), 1)).exists()
    second = foundations.run("smoke", 1, device="cpu", cache=cache)
    assert first.raw == second.raw
    table = first.table
    assert list(table.index) == list(foundations.MODELS)
    assert table.loc["retrained", "forget_test"] == 0.0 and table.loc["retrained", "ain"] == 1.0
    assert first.meta["profile"] == "smoke" and first.meta["seed"] == 1
    hist = first.histograms["original"]
    assert sum(hist["forget"]) == first.meta["n_forget_train"]


def test_full_profile_on_a_cpu_without_stored_results_says_what_to_do(tmp_path):
    import pytest
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(RuntimeError, match="needs a GPU"):
        foundations.run("full", 0, device="cpu", cache=Cache(tmp_path / "r", tmp_path / "m"))
