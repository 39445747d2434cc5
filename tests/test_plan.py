"""The GPU runner's plan: every part of the unlearning chapters once, in priority order, estimated from a
FLOP count; run against a deadline with an archive rewritten after every part; and the whole full-profile
plan executed at toy scale (the ``dry`` profile) on the real datasets, so a lease's code paths are checked
on a CPU before any GPU is lent."""

from __future__ import annotations

import json
import os
import tarfile
from pathlib import Path

import pytest

from datarights.cache import Cache
from datarights.experiments import plan as gpu_plan
from datarights.experiments.runs import Part

from datarights.data import install

NEEDED = ("cifar10", "mnist", "utkface", "stsb-dir", "ett")
INSTALLED = install.status()
HAS_DATA = all(INSTALLED[name] == "installed" for name in NEEDED)


@pytest.fixture()
def cache(tmp_path):
    return Cache(tmp_path / "results", tmp_path / "models")


def _archive(path: Path) -> dict[str, bytes]:
    with tarfile.open(path) as archive:
        return {m.name: archive.extractfile(m).read() for m in archive.getmembers() if m.isfile()}


def test_the_full_plan_lists_every_chapter_once_in_priority_order(cache):
    parts = gpu_plan.plan("full", cache=cache)
    assert {p.chapter for p in parts} == {"01", "02", "03", "04", "05", "06"}
    keys = [(p.kind, str(cache.result_path(p.kind, p.config))) for p in parts]
    assert len(keys) == len(set(keys)), "a part shared by two chapters is planned once"
    ranks = [gpu_plan.priority(p) for p in parts]
    assert ranks == sorted(ranks)
    first = parts[0]
    assert ranks[0] == 0 and first.config["seed"] == 0 and first.config["profile"]["dataset"] == "cifar10"
    core = [p for p in parts if gpu_plan.priority(p) == 0]
    assert {p.chapter for p in core} == {"01", "02", "03", "06"}, "the first lease holds the core of every CIFAR chapter"
    assert {r[2].classes for p in core for r in p.references} == {(0,)}, "one request, the same class everywhere"
    gkt = [p for p in parts if p.kind == "zero-shot-method" and p.config["method"] == "gkt_strict"
           and p.config["profile"]["name"] == "full-zero-shot-mnist" and p.config["seed"] == 0 and len(p.config["classes"]) == 1]
    assert gpu_plan.priority(gkt[0]) == 1, "GKT on MNIST at the stated budget belongs to the first lease"
    assert gkt[0].config["settings"]["pseudo_batches"] == 750, "the full profile's stated GKT budget"
    runs = [(p, next(p.config[k] for k in ("gkt", "settings", "config") if k in p.config)["pseudo_batches"]) for p in parts
            if p.kind == "zero-shot-ablation" or str(p.config.get("method", "")).startswith("gkt")]
    authors_length = [p for p, length in runs if length == 4000]
    assert len(authors_length) == 1, "exactly one GKT run at the authors' 4,000 pseudo-batches"
    assert gpu_plan.priority(authors_length[0]) == 1, "and it belongs to the first lease, beside the notebook's trajectory"
    assert authors_length[0].config["profile"]["name"] == "full-zero-shot-mnist" and authors_length[0].config["seed"] == 0
    assert len(runs) > 10 and {length for _, length in runs} == {750, 4000}, "every other GKT run (chapters 04 and 06) stops at the stated budget"


def test_estimates_rest_on_a_flop_count():
    resnet = gpu_plan.Unit("resnet18", 10, (3, 32, 32), 50_000)
    flops = gpu_plan.train_flops_per_sample(resnet)
    assert 2.5e9 < flops < 4.5e9, "ResNet-18 at 32 px: 0.56 G multiply-adds (1.1 GFLOP) forward, three times that to train"
    allcnn = gpu_plan.Unit("allcnn", 10, (1, 28, 28), 60_000)
    assert gpu_plan.train_flops_per_sample(allcnn) < flops


def test_more_work_or_a_slower_machine_means_a_longer_estimate(cache):
    part = next(p for p in gpu_plan.plan("full", cache=cache) if p.kind == "unsir-request")
    fast, slow = gpu_plan.estimate(part, 4e13, set()), gpu_plan.estimate(part, 1e13, set())
    assert slow == pytest.approx(4 * fast)
    trained = {path for _, path in gpu_plan.reference_keys(part)}
    assert gpu_plan.estimate(part, 4e13, trained) < fast, "reference models already trained are not counted again"


def test_no_optimiser_step_is_planned_faster_than_the_launch_floor(cache):
    """The recurrent regressors count almost no FLOPs (cuDNN's RNN is invisible to the counter): their
    parts are planned at the per-step floor, never at zero seconds."""
    text = next(p for p in gpu_plan.plan("full", cache=cache) if p.kind == "regression-domain" and p.config["domain"]["name"] == "text")
    work = text.work + sum(shared for _, shared in gpu_plan.shared_models(text))
    steps = work * -(-gpu_plan.unit(text).samples // gpu_plan.PLANNING_BATCH)
    planned = gpu_plan.estimate(text, 1e15, set())
    assert planned == pytest.approx(steps * gpu_plan.STEP_FLOOR_SECONDS) and planned > 10


def _toy_parts(cache: Cache, fail_second: bool = False) -> list[Part]:
    def ok(n: int):
        return lambda: {"value": n}

    def broken():
        raise RuntimeError("simulated failure")

    config = {"profile": {"name": "toy", "dataset": "digits"}, "seed": 0}
    return [Part("01", "first", "toy", {**config, "n": 1}, ok(1), (), 0.0),
            Part("01", "second", "toy", {**config, "n": 2}, broken if fail_second else ok(2), (), 0.0),
            Part("01", "third", "toy", {**config, "n": 3}, ok(3), (), 0.0)]


def test_a_failing_part_is_logged_and_the_others_still_come_back(cache, tmp_path, monkeypatch):
    monkeypatch.setattr(gpu_plan, "plan", lambda *a, **k: _toy_parts(cache, fail_second=True))
    monkeypatch.setattr(gpu_plan, "unit", lambda part: gpu_plan.Unit("resnet18", 10, (3, 32, 32), 1))
    report = gpu_plan.run_plan("full", deadline=600, out=tmp_path / "out", cache=cache, flop_rate=1e12)
    assert [s.status for s in report.steps] == ["computed", "failed", "computed"]
    files = _archive(tmp_path / "out" / "results.tgz")
    assert sum(name.startswith("results/toy/") for name in files) == 2
    log = json.loads(files["plan-log.json"])
    assert "simulated failure" in log["steps"][1]["error"]


def test_stored_parts_are_skipped_and_an_archive_always_comes_back(cache, tmp_path, monkeypatch):
    monkeypatch.setattr(gpu_plan, "plan", lambda *a, **k: _toy_parts(cache))
    monkeypatch.setattr(gpu_plan, "unit", lambda part: gpu_plan.Unit("resnet18", 10, (3, 32, 32), 1))
    gpu_plan.run_plan("full", deadline=600, out=tmp_path / "first", cache=cache, flop_rate=1e12)
    again = gpu_plan.run_plan("full", deadline=600, out=tmp_path / "second", cache=cache, flop_rate=1e12)
    assert {s.status for s in again.steps} == {"stored"}
    assert list(_archive(tmp_path / "second" / "results.tgz")) == ["plan-log.json"]


def test_a_part_that_does_not_fit_the_deadline_is_not_started(cache, tmp_path, monkeypatch):
    parts = _toy_parts(cache)
    heavy = Part("01", "heavy", "toy", {"profile": {"name": "toy"}, "seed": 0, "n": 9}, lambda: {"value": 9}, (), 1e6)
    monkeypatch.setattr(gpu_plan, "plan", lambda *a, **k: [heavy, *parts])
    monkeypatch.setattr(gpu_plan, "unit", lambda part: gpu_plan.Unit("resnet18", 10, (3, 32, 32), 1000))
    report = gpu_plan.run_plan("full", deadline=60, out=tmp_path / "out", cache=cache, flop_rate=1e12)
    assert report.steps[0].status.startswith("skipped") and not heavy.done(cache)
    assert [s.status for s in report.steps[1:]] == ["computed"] * 3, "cheaper parts after it still run"


def test_bad_arguments_are_refused_before_any_work(tmp_path):
    with pytest.raises(ValueError, match="deadline"):
        gpu_plan.run_plan("full", deadline=0, out=tmp_path)
    with pytest.raises(ValueError, match="n_jobs"):
        gpu_plan.run_plan("full", deadline=10, out=tmp_path, n_jobs=0)
    with pytest.raises(ValueError, match="unknown profile"):
        gpu_plan.plan("fulll")


@pytest.mark.slow
@pytest.mark.skipif(not HAS_DATA, reason="CIFAR-10, MNIST, UTKFace, STS-B-DIR or ETT is not installed in the data directory: "
                    "run `python -m datarights data all --from DIR`")
def test_the_whole_full_profile_plan_runs_at_toy_scale_on_the_real_data(cache, tmp_path):
    report = gpu_plan.run_plan("dry", deadline=3600, out=tmp_path / "out", cache=cache, device="cpu", flop_rate=1e10)
    failed = [(s.label, s.error) for s in report.steps if s.status == "failed"]
    assert not failed, failed
    assert {s.chapter for s in report.steps if s.status == "computed"} == {"01", "02", "03", "04", "05", "06"}
    files = _archive(tmp_path / "out" / "results.tgz")
    assert sum(name.startswith("results/") for name in files) == sum(s.status == "computed" for s in report.steps)
    again = gpu_plan.run_plan("dry", deadline=3600, out=tmp_path / "again", cache=cache, device="cpu", flop_rate=1e10)
    assert {s.status for s in again.steps} == {"stored"}, "a second lease resumes: nothing is computed twice"


def test_the_preflight_runs_every_speed_path_on_this_machine():
    """On the CPU every checked path (training with augmentation, GKT, UNSIR noise, SSD, relearning) runs and
    nothing is switched off; the recurrent networks' autocast comparison is recorded."""
    import torch

    from datarights.experiments.preflight import preflight

    report = preflight(torch.device("cpu"))
    assert report["failures"] == [] and report["switched_off"] == []
    for network in ("lstm_pair_regressor", "gru_forecaster"):
        assert report["recurrent_autocast"][network]["gradients_finite"]


def test_a_failing_speed_path_is_switched_off_and_the_plan_goes_on(monkeypatch):
    """Where a check fails only with autocast on, the preflight switches off autocast alone (draws stay on the
    device) and says so; where nothing helps, both are off and every failure is logged."""
    import torch

    from datarights.experiments import preflight as pf

    monkeypatch.delenv(pf.DRAWS_FLAG, raising=False)
    monkeypatch.delenv(pf.AUTOCAST_FLAG, raising=False)
    monkeypatch.setattr(pf, "recurrent_autocast", lambda device: {})

    def needs_float32(device):
        if os.environ.get(pf.AUTOCAST_FLAG) != "0":
            raise RuntimeError("bf16 kernel missing")

    monkeypatch.setattr(pf, "_checks", needs_float32)
    report = pf.preflight(torch.device("cuda"))
    assert report["switched_off"] == [pf.AUTOCAST_FLAG]
    assert os.environ[pf.AUTOCAST_FLAG] == "0" and os.environ[pf.DRAWS_FLAG] == "1"
    assert len(report["failures"]) == 2 and "bf16 kernel missing" in report["failures"][0]["error"]

    monkeypatch.delenv(pf.AUTOCAST_FLAG)
    monkeypatch.setattr(pf, "_checks", lambda device: 1 / 0)
    report = pf.preflight(torch.device("cuda"))
    assert sorted(report["switched_off"]) == sorted([pf.DRAWS_FLAG, pf.AUTOCAST_FLAG]) and len(report["failures"]) == 4


def test_a_baseline_shared_by_four_chapters_is_planned_once(cache):
    """Chapters 01, 02, 03 and 06 read the same fine-tuned model of class 0: the planner counts its training in
    the first part that needs it and not in the others."""
    parts = gpu_plan.plan("full", cache=cache)
    foundations = next(p for p in parts if p.kind == "foundations" and p.config["seed"] == 0)
    row = next(p for p in parts if p.kind == "compare-row" and p.config["method"] == "finetune" and p.config["seed"] == 0
               and p.config["request"]["classes"] == (0,))
    shared = {path for path, _ in gpu_plan.shared_models(row)}
    assert shared and shared <= gpu_plan.trains(foundations)
    alone, after = gpu_plan.estimate(row, 1e13, set()), gpu_plan.estimate(row, 1e13, gpu_plan.trains(foundations))
    assert after < alone / 2, "the fine-tuning is counted once, in chapter 01's part"


def test_the_lease_preparation_fills_checks_and_empties_the_carried_folder(tmp_path):
    """scripts/gpu-prepare.sh, in a clone: packs the datasets into .device/, leaves out the ones named, removes
    what an earlier trial unpacked there, and refuses a carry over the lease's 64 MiB."""
    import subprocess

    root = Path(__file__).resolve().parents[1]
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(root), str(clone)], check=True)
    data = tmp_path / "offline"
    for name in ("cifar10-jpeg", "mnist-idx", "utkface-64"):
        (data / f"{name}.tar.gz").parent.mkdir(parents=True, exist_ok=True)
        (data / f"{name}.tar.gz").write_bytes(b"x" * 1000)
    for folder in ("stsb-dir", "ett"):
        (data / folder).mkdir()
        (data / folder / "part.csv").write_text("a,b\n1,2\n")

    def prepare(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["bash", "scripts/gpu-prepare.sh", str(data), *args], cwd=clone, capture_output=True, text=True)

    done = prepare()
    assert done.returncode == 0 and "limit 64 MiB" in done.stdout
    carried = clone / ".device"
    assert sorted(p.name for p in carried.iterdir()) == ["cifar10-jpeg.tar.gz", "mnist-idx.tar.gz", "text-series.tar.gz", "utkface-64.tar.gz"]
    (carried / "ett").mkdir()  # what a local trial of gpu-lease.sh unpacks
    done = prepare("utkface")
    assert done.returncode == 0 and "left out: utkface-64" in done.stdout
    assert sorted(p.name for p in carried.iterdir()) == ["cifar10-jpeg.tar.gz", "mnist-idx.tar.gz", "text-series.tar.gz"]
    with open(data / "utkface-64.tar.gz", "wb") as big:  # sparse: 65 MiB apparent, no disk
        big.truncate(65 * 1024 * 1024)
    done = prepare()
    assert done.returncode != 0 and "too large for one lease" in done.stderr
