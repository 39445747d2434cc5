import pytest

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


def _seeded_parts(calls: list[str] | None = None):
    """Four parts whose computes are closures (as the chapters' are), each drawing from its own seed."""
    import numpy as np

    from datarights.experiments.runs import Part

    def make(seed: int):
        def compute():
            if calls is not None:
                calls.append(f"part {seed}")
            return {"draw": float(np.random.default_rng(seed).normal())}
        return compute

    return [Part("00", f"part {s}", "test-part", {"seed": s}, make(s), work=float(s)) for s in range(4)]


def test_parts_computed_by_two_workers_store_what_one_process_stores(tmp_path):
    """compute_all's numbers do not depend on n_jobs: each part is computed on its own, from its own seed."""
    from datarights.experiments.runs import compute_all

    one, two = Cache(tmp_path / "one", tmp_path / "m1"), Cache(tmp_path / "two", tmp_path / "m2")
    compute_all(_seeded_parts(), one, n_jobs=1)
    compute_all(_seeded_parts(), two, n_jobs=2)
    assert [p.get(one) for p in _seeded_parts()] == [p.get(two) for p in _seeded_parts()]


def test_compute_all_runs_prerequisites_once_and_only_when_a_part_is_missing(tmp_path):
    """The shared models are trained before the parts, in the calling process, and not at all when every part is stored."""
    from datarights.experiments.runs import compute_all

    cache, calls = Cache(tmp_path / "r", tmp_path / "m"), []
    def prerequisites(missing):
        calls.append(f"prerequisites of {len(missing)}")

    compute_all(_seeded_parts(calls), cache, n_jobs=1, prerequisites=prerequisites)
    assert calls == ["prerequisites of 4", "part 3", "part 2", "part 1", "part 0"]  # longest (largest work) first
    compute_all(_seeded_parts(calls), cache, n_jobs=1, prerequisites=prerequisites)
    assert len(calls) == 5
    with pytest.raises(ValueError, match="n_jobs"):
        compute_all(_seeded_parts(), cache, n_jobs=0)


def test_every_part_of_the_plan_travels_to_a_worker_process():
    """compute_all and the GPU runner's --jobs hand parts to joblib, which pickles them with cloudpickle.
    (A zero-shot part once failed: cloudpickle took the attribute name `classes` beside the global `torch`
    for the module torch.classes, which cannot be pickled.)"""
    import cloudpickle

    from datarights.experiments.plan import plan

    parts = plan("smoke", device="cpu")
    assert {"zero-shot-method", "compare-row", "regression-domain"} <= {part.kind for part in parts}
    for part in parts:
        cloudpickle.dumps(part)


def test_a_baseline_is_trained_once_and_read_by_every_chapter_that_measures_it(tmp_path, digits_profile):
    """Chapters 01, 02, 03 and 06 measure the same fine-tuned, NegGrad and random-label models of a request:
    the second chapter reads the first one's model from the cache (same weights, stored training time)
    instead of training it again; another configuration or another request (same original) is another model."""
    from dataclasses import replace

    import torch

    from datarights.experiments import prepare
    from datarights.unlearning import baselines

    cache = Cache(results_dir=tmp_path / "results", models_dir=tmp_path / "models")
    setup = prepare(replace(digits_profile, train=replace(digits_profile.train, epochs=2)), seed=0, device="cpu", cache=cache)
    config = replace(setup.profile.finetune, seed=0)
    calls = []
    real = baselines.finetune

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    from datarights import unlearning
    original_method = unlearning.METHODS["finetune"]
    unlearning.METHODS["finetune"] = counting
    try:
        first = setup.baseline("finetune", config)
        again = setup.baseline("finetune", config)
        other = setup.baseline("finetune", replace(config, seed=1))
        other_request = prepare(setup.profile, seed=0, forget_classes=(1,), device="cpu", cache=cache)
        other_request.baseline("finetune", config)
    finally:
        unlearning.METHODS["finetune"] = original_method
    assert len(calls) == 3, "trained for the first chapter, the other seed and the other request; read for the second chapter"
    assert all(torch.equal(a, b) for a, b in zip(first.model.state_dict().values(), again.model.state_dict().values()))
    assert again.seconds == pytest.approx(first.seconds, rel=0.5) and again.seconds > 0
    assert not all(torch.equal(a, b) for a, b in zip(first.model.state_dict().values(), other.model.state_dict().values()))
    with pytest.raises(ValueError, match="not a baseline"):
        setup.baseline("ssd", config)
