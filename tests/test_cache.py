import json

import pytest
import torch

from datarights import models
from datarights.cache import Cache


@pytest.fixture
def cache(tmp_path):
    return Cache(tmp_path / "results", tmp_path / "models")


def test_result_is_computed_once_and_then_read_back(cache):
    calls = []
    compute = lambda: calls.append(1) or {"acc": [0.5, 0.25]}  # noqa: E731
    assert cache.result("table", {"seed": 0}, compute) == {"acc": [0.5, 0.25]}
    assert cache.result("table", {"seed": 0}, compute) == {"acc": [0.5, 0.25]}
    assert len(calls) == 1
    cache.result("table", {"seed": 1}, compute)
    assert len(calls) == 2, "another configuration is another entry"


def test_tampered_result_is_rejected_and_recomputed(cache):
    cache.result("table", {"seed": 0}, lambda: {"acc": 0.5})
    path = cache.result_path("table", {"seed": 0})
    entry = json.loads(path.read_text())
    entry["value"]["acc"] = 0.99
    path.write_text(json.dumps(entry))
    with pytest.warns(RuntimeWarning, match="checksum"):
        assert cache.result("table", {"seed": 0}, lambda: {"acc": 0.5}) == {"acc": 0.5}


def test_corrupt_result_file_is_recomputed(cache):
    cache.result("table", {"seed": 0}, lambda: 1)
    cache.result_path("table", {"seed": 0}).write_text("{not json")
    with pytest.warns(RuntimeWarning, match="cannot be read"):
        assert cache.result("table", {"seed": 0}, lambda: 2) == 2


def _make():
    return models.build("digits_cnn", 10, (1, 8, 8), seed=0)


def _perturb(model):
    with torch.no_grad():
        for p in model.parameters():
            p.add_(1.0)
    return model


def test_model_is_trained_once_and_loaded_with_its_weights(cache):
    calls = []
    first = cache.model("original", {"seed": 0}, _make, lambda m: calls.append(1) or _perturb(m))
    second = cache.model("original", {"seed": 0}, _make, lambda m: calls.append(1) or _perturb(m))
    assert len(calls) == 1
    assert all(torch.equal(p, q) for p, q in zip(first.state_dict().values(), second.state_dict().values()))
    assert cache.model_meta("original", {"seed": 0})["seconds"] >= 0


def test_tampered_model_file_is_rejected_and_retrained(cache):
    cache.model("original", {"seed": 0}, _make, _perturb)
    path = cache.model_path("original", {"seed": 0})
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    calls = []
    with pytest.warns(RuntimeWarning, match="checksum"):
        cache.model("original", {"seed": 0}, _make, lambda m: calls.append(1) or _perturb(m))
    assert calls == [1]


def test_model_stored_under_another_configuration_is_not_used(cache):
    cache.model("original", {"seed": 0}, _make, _perturb)
    meta_path = cache.model_path("original", {"seed": 0}).with_suffix(".json")
    meta = json.loads(meta_path.read_text())
    meta["config"] = {"seed": 99}
    meta_path.write_text(json.dumps(meta))
    with pytest.warns(RuntimeWarning, match="configuration differs"):
        model = cache.model("original", {"seed": 0}, _make, lambda m: m)
    assert all(torch.equal(p, q) for p, q in zip(model.parameters(), _make().parameters()))


def _rewrite_with_checksum(cache, kind, config, payload: bytes):
    """Replace a stored model file and update its checksum: damage the checksum cannot catch."""
    from datarights.cache import _sha256

    path = cache.model_path(kind, config)
    path.write_bytes(payload)
    meta_path = path.with_suffix(".json")
    meta = json.loads(meta_path.read_text())
    meta["sha256"] = _sha256(path)
    meta_path.write_text(json.dumps(meta))


def test_partially_loadable_checkpoint_gives_the_same_weights_as_a_clean_recompute(cache):
    """A state dict missing some tensors used to leave the ones it had in the model that was then trained."""
    cache.model("original", {"seed": 0}, _make, _perturb)
    path = cache.model_path("original", {"seed": 0})
    state = torch.load(path, weights_only=True)
    partial = {k: v + 100.0 if v.is_floating_point() else v for k, v in state.items() if not k.startswith("classifier")}
    import io

    buffer = io.BytesIO()
    torch.save(partial, buffer)
    _rewrite_with_checksum(cache, "original", {"seed": 0}, buffer.getvalue())
    with pytest.warns(RuntimeWarning, match="cannot be loaded"):
        recomputed = cache.model("original", {"seed": 0}, _make, _perturb)
    clean = _perturb(_make())
    assert all(torch.equal(p, q) for p, q in zip(recomputed.state_dict().values(), clean.state_dict().values()))


def test_unpicklable_model_file_is_corrupt_not_a_crash(cache):
    cache.model("original", {"seed": 0}, _make, _perturb)
    _rewrite_with_checksum(cache, "original", {"seed": 0}, b"\x80\x04garbage that is not a pickle")
    calls = []
    with pytest.warns(RuntimeWarning, match="cannot be loaded"):
        cache.model("original", {"seed": 0}, _make, lambda m: calls.append(1) or _perturb(m))
    assert calls == [1]


@pytest.mark.parametrize("content", ["[1, 2, 3]", '"a string"', "42", '{"no": "value"}'])
def test_result_json_of_the_wrong_shape_is_corrupt(cache, content):
    cache.result("table", {"seed": 0}, lambda: 1)
    cache.result_path("table", {"seed": 0}).write_text(content)
    with pytest.warns(RuntimeWarning, match="cannot be read"):
        assert cache.result("table", {"seed": 0}, lambda: 2) == 2


def test_orphaned_temporary_files_are_removed(tmp_path):
    import os
    import time

    from datarights import cache as cache_module

    folder = tmp_path / "results" / "table"
    folder.mkdir(parents=True)
    old, fresh = folder / ".abc.json.x1.tmp", folder / ".abc.json.x2.tmp"
    old.write_text("{")
    fresh.write_text("{")
    hours_ago = time.time() - 2 * cache_module.ORPHAN_SECONDS
    os.utime(old, (hours_ago, hours_ago))
    Cache(tmp_path / "results", tmp_path / "models").result("table", {"seed": 0}, lambda: 1)
    assert not old.exists(), "left by a killed writer: removed"
    assert fresh.exists(), "may belong to a writer still running: kept"


def test_docstring_does_not_promise_tamper_detection():
    from datarights import cache as cache_module

    doc = cache_module.__doc__
    assert "tampered" not in doc and "not deliberate tampering" in doc
