"""The full profile as a plan of cached parts, run in priority order against a deadline.

The GPU machine is lent rarely and briefly (minutes, one command at a time, a few small files back),
so the full profile is not run chapter by chapter. :func:`plan` lists every cached entry the
chapters read (each runner's ``parts``), in priority order; :func:`run_plan` computes them one after
the other, starting a part only if its estimated time fits what is left of the deadline, skips the
parts already stored in the tree it was given, and after **every** part rewrites one small archive of
the result JSON written since it started. The same command, lease after lease, finishes the plan;
the notebooks then execute from the stored results on any CPU.

Estimates rest on a FLOP count: each part states its work in training epochs over its data
(``Part.work``, plus the reference models it trains first), a forward-and-backward pass is counted
with PyTorch's ``FlopCounterMode`` for the model and image size, and a short probe at the start
measures the FLOP rate this machine achieves on that model.

The parts are independent once their reference models exist, so :func:`run_plan` can also hand them
to joblib (``n_jobs``), which lets a user with a cluster run the same plan on a Dask or Ray backend.
"""

from __future__ import annotations

import json
import os
import tarfile
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from datarights.cache import Cache
from datarights.experiments.preflight import preflight
from datarights.experiments.runs import Part
from datarights.profiles import check
from datarights.train import resolve_device

# Dataset → (image shape, classes, training images), for the FLOP count of a part (no data is read to plan).
DATASETS: dict[str, tuple[tuple[int, int, int], int, int]] = {
    "cifar10": ((3, 32, 32), 10, 50_000), "cifar100": ((3, 32, 32), 20, 50_000), "mnist": ((1, 28, 28), 10, 60_000),
    "digits": ((1, 8, 8), 10, 1_257),
}
# Regression domains: dataset → (model input shape, outputs, training samples) at the full profile's settings.
REGRESSION_DATASETS: dict[str, tuple[tuple[int, ...], int, int]] = {
    "utkface": ((3, 32, 32), 1, 16_000), "stsb": ((2, 30), 1, 5_249), "diabetes": ((10,), 1, 265), "ett": ((168, 7), 24, 20_000),
}
NOMINAL_FLOPS = 1e8  # per training sample, for a network the FLOP counter cannot trace
SAFETY = 1.3  # estimates are multiplied by this before they are compared with the time left
# A small network's optimiser step on a GPU is bound by kernel launches, not FLOPs (the recurrent regressors
# count almost none: PyTorch's FLOP counter does not see inside cuDNN's RNN): no step is planned below 2 ms
# (a ResNet-18 step launches some 300 kernels), at a nominal batch of 256.
STEP_FLOOR_SECONDS = 2e-3
PLANNING_BATCH = 256
CHAPTER_ORDER = ("01", "06", "02", "03", "04", "05")


@dataclass(frozen=True)
class Unit:
    """What one training epoch of a part costs: a network, its input, and how many training samples an epoch holds."""

    model: str
    outputs: int
    input_shape: tuple[int, ...]
    samples: int
    options: tuple[tuple[str, Any], ...] = ()


@dataclass
class Step:
    """One planned part and what became of it (the plan's log, written into the archive)."""

    label: str
    chapter: str
    priority: int
    estimate: float
    status: str = "planned"
    seconds: float | None = None
    error: str | None = None


@dataclass
class Report:
    """What a run of the plan did: every step, and the files it wrote into the archive."""

    profile: str
    deadline: float
    flop_rate: float
    steps: list[Step] = field(default_factory=list)
    archive: str | None = None
    preflight: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "steps": [asdict(s) for s in self.steps]}

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for step in self.steps:
            key = step.status.split(":")[0]
            out[key] = out.get(key, 0) + 1
        return out


# -- the plan ------------------------------------------------------------------------------------

def runners() -> dict[str, Callable[..., dict[str, list[Part]]]]:
    """Each unlearning chapter's ``parts`` function: every cached entry the chapter reads (chapters 07–08 run on
    CPUs only). The foundations chapter also reads the head-to-head chapter's population study, for its figure."""
    from datarights.experiments import bad_teacher, compare, foundations, regression, unsir, zero_shot

    def foundations_parts(profile, seed, **options) -> dict[str, list[Part]]:
        return {**foundations.parts(profile, seed, **options), "population": compare.population_parts(profile, seed, **options)}

    return {"01": foundations_parts, "02": unsir.parts, "03": bad_teacher.parts, "04": zero_shot.parts, "05": regression.parts,
            "06": compare.parts}


PRIORITIES: dict[int, str] = {
    0: "CIFAR-10 ResNet-18: original, retrained reference, baselines, UNSIR (paper and code), bad teacher, SSD on the "
       "profile's forget class (0) in chapters 01, 02, 03, 06 (seed 0)",
    1: "MNIST AllCNN (25 epochs, the authors' recipe): GKT at the stated budget and its one run at the authors' "
       "4,000 pseudo-batches",
    2: "chapter 05: UTKFace, STS-B-DIR, diabetes and ETT, seed 0",
    3: "the other class requests (2, 3, 8), sub-class, random and multi-class requests, CIFAR-100 when present",
    4: "more seeds, CIFAR AllCNN, the zero-shot methods on the ResNet-18",
    5: "sensitivity sweeps, ablations and the forgetting-quality populations",
}


def priority(part: Part) -> int:
    """Lower runs first; what each level holds is ``PRIORITIES``."""
    config = part.config
    profile = config.get("profile", {})
    name = profile.get("name", "") if isinstance(profile, dict) else ""
    seed = config.get("seed", 0)
    first_seed = seed == 0
    if part.role == "gkt-plateau" and first_seed and name.endswith("zero-shot-mnist"):
        return 1
    if part.kind in ("compare-population", "unsir-sensitivity", "unsir-quirks", "bad-teacher-ablation", "zero-shot-ablation", "regression-ablation", "regression-ain-bug"):
        return 5
    if part.kind == "regression-domain":
        return 2 if first_seed else 4
    if part.kind == "compare-row" and config["method"] in ("gkt", "emmn"):
        return 4  # zero-shot methods on the ResNet-18: GKT there is the plan's largest single cost
    if part.kind == "zero-shot-method":
        main = name.endswith("zero-shot-mnist")
        if main and first_seed and config["method"] in ("original", "retrained", "gkt_strict") and len(config["classes"]) == 1:
            return 1
        return 4
    request = config.get("request") or {"kind": "class", "classes": config.get("classes", [0])}
    single_class = request.get("kind") == "class" and len(request.get("classes", [])) == 1
    forget_class = [profile.get("forget_class", 0) if isinstance(profile, dict) else 0]
    if name in ("full", "dry") and first_seed and list(request.get("classes", [])) == forget_class and single_class \
            and profile.get("dataset") in ("cifar10", None):
        return 0  # the core of every chapter first: one request, the same class everywhere
    return 3 if first_seed else 4


def plan(profile: str = "full", seed: int = 0, *, cache: Cache | None = None, device: str = "auto",
         data_dir: str | Path | None = None, chapters: Iterable[str] = CHAPTER_ORDER) -> list[Part]:
    """Every part of the unlearning chapters under ``profile``, in priority order (then chapter order), each once."""
    check(profile)
    cache = cache or Cache()
    found: dict[tuple[str, str], tuple[int, int, Part]] = {}
    for index, chapter in enumerate(chapters):
        for group in runners()[chapter](profile, seed, device=device, data_dir=data_dir, cache=cache).values():
            for part in group:
                key = (part.kind, str(cache.result_path(part.kind, part.config)))
                found.setdefault(key, (priority(part), index, part))
    return [part for _, _, part in sorted(found.values(), key=lambda item: (item[0], item[1]))]


# -- estimates -----------------------------------------------------------------------------------

def unit(part: Part) -> Unit:
    """The network and data that set a part's cost per training epoch."""
    if part.references:
        profile = part.references[0][0]
        shape, classes, samples = DATASETS[profile.dataset]
        if profile.train_per_class is not None:
            samples = min(samples, profile.train_per_class * classes)
        return Unit(profile.model, classes, shape, samples, tuple(sorted(profile.model_options.items())))
    domain = part.config["domain"]
    shape, outputs, samples = REGRESSION_DATASETS.get(domain["dataset"], ((3, 32, 32), 1, 1_000))
    options = dict(domain.get("model_options") or {})
    if domain["dataset"] == "stsb":
        options.setdefault("vocab_size", 20_000)
        limit = (domain.get("data") or {}).get("train_limit")
        samples = min(samples, limit) if limit else samples
    if domain["dataset"] == "utkface":
        limit = (domain.get("data") or {}).get("limit")
        samples = min(samples, limit) if limit else samples
    if domain["dataset"] == "ett":
        stride = (domain.get("data") or {}).get("stride", 1)
        samples = samples // max(1, stride)
    return Unit(domain["model"], outputs, shape, samples, tuple(sorted(options.items())))


_FLOPS: dict[Unit, float] = {}


def train_flops_per_sample(u: Unit) -> float:
    """Forward plus backward FLOPs of one training sample through ``u``'s network (counted once per unit)."""
    if u not in _FLOPS:
        import torch
        from torch.utils.flop_counter import FlopCounterMode

        from datarights import models

        try:
            model = models.build(u.model, u.outputs, u.input_shape, seed=0, **dict(u.options))
            x = (torch.randint(0, 100, (2, *u.input_shape)) if u.model == "lstm_pair_regressor" else torch.randn(2, *u.input_shape))
            counter = FlopCounterMode(display=False)
            with counter:
                model(x).float().sum().backward()
            _FLOPS[u] = max(counter.get_total_flops() / 2, 1.0)
        except Exception:  # a network the counter cannot trace: a nominal cost, so that planning never fails
            _FLOPS[u] = NOMINAL_FLOPS
    return _FLOPS[u]


def probe(device: str = "auto", seconds: float = 5.0) -> float:
    """The FLOP rate this machine achieves training a ResNet-18 on CIFAR-sized batches (FLOP/s), measured
    for about ``seconds`` with the training loop's own settings (bf16 autocast and channels-last on CUDA)."""
    import torch

    from datarights import models
    from datarights.train import autocast, resolve_device, to_device

    dev = resolve_device(device)
    on_gpu = dev.type == "cuda"
    batch = 256 if on_gpu else 16
    model = to_device(models.build("resnet18", 10, (3, 32, 32), seed=0), dev)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.randn(batch, 3, 32, 32, device=dev)
    y = torch.randint(0, 10, (batch,), device=dev)
    if on_gpu:
        x = x.to(memory_format=torch.channels_last)

    def step() -> None:
        with autocast(dev):
            loss = torch.nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    step()  # warm-up (cuDNN autotuning, allocation)
    if on_gpu:
        torch.cuda.synchronize(dev)
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds or steps < 2:
        step()
        steps += 1
        if on_gpu and steps % 10 == 0:
            torch.cuda.synchronize(dev)
    if on_gpu:
        torch.cuda.synchronize(dev)
    elapsed = time.perf_counter() - start
    return steps * batch * train_flops_per_sample(Unit("resnet18", 10, (3, 32, 32), 1)) / elapsed


def reference_keys(part: Part) -> list[tuple[str, str]]:
    """The cache paths of the reference models ``part`` trains first (original and retrained of each request)."""
    from datarights.experiments.setup import model_config

    cache = Cache()
    return [(role, str(cache.model_path(role, model_config(profile, seed, request, role))))
            for profile, seed, request in part.references for role in ("original", "retrained")]


def shared_models(part: Part) -> list[tuple[str, float]]:
    """The cache paths of the models ``part`` trains unless cached that other parts read too, with their work."""
    cache = Cache()
    return [(str(cache.model_path(kind, key)), work) for kind, key, work in part.shared]


def trains(part: Part) -> set[str]:
    """Every model ``part`` trains unless it is cached: its reference models and the models it shares."""
    return {path for _, path in reference_keys(part)} | {path for path, _ in shared_models(part)}


def estimate(part: Part, flop_rate: float, trained: set[str]) -> float:
    """Seconds ``part`` should take on a machine achieving ``flop_rate``, given the reference models already ``trained``:
    its FLOPs at that rate, and at least ``STEP_FLOOR_SECONDS`` per optimiser step."""
    u = unit(part)
    epoch = u.samples * train_flops_per_sample(u) / flop_rate
    work = part.work
    for role, path in reference_keys(part):
        if path not in trained and not Path(path).is_file():
            profile = part.references[0][0]
            work += profile.train.epochs * (1.0 if role == "original" else 0.9)
    for path, shared_work in shared_models(part):
        if path not in trained and not Path(path).is_file():
            work += shared_work
    steps = work * -(-u.samples // PLANNING_BATCH)
    return max(work * epoch, steps * STEP_FLOOR_SECONDS)


@dataclass(frozen=True)
class Level:
    """The planned work of one priority level: how many parts, and their estimated seconds at a FLOP rate."""

    priority: int
    what: str
    parts: int
    seconds: float


def summary(profile: str = "full", flop_rate: float = 1e14, *, cache: Cache | None = None) -> list[Level]:
    """The plan of ``profile`` by priority, each level's parts estimated at ``flop_rate`` as :func:`run_plan` would
    (reference models counted once, by the first part that trains them; stored parts count nothing)."""
    cache = cache or Cache()
    trained: set[str] = set()
    levels: dict[int, list[float]] = {}
    for part in plan(profile, cache=cache):
        seconds = 0.0 if part.done(cache) else estimate(part, flop_rate, trained)
        trained.update(trains(part))
        levels.setdefault(priority(part), []).append(seconds)
    return [Level(level, PRIORITIES[level], len(times), sum(times)) for level, times in sorted(levels.items())]


# -- running it ----------------------------------------------------------------------------------

def _result_files(cache: Cache) -> dict[str, float]:
    root = cache.results_dir
    return {str(p.relative_to(root)): p.stat().st_mtime for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")}


def write_archive(out: Path, cache: Cache, before: dict[str, float], report: Report) -> Path:
    """Rewrite ``out/results.tgz``: every result file new or changed since ``before``, and the plan's log
    (``plan-log.json``), written to a temporary file and renamed, so a killed run leaves the last good archive."""
    out.mkdir(parents=True, exist_ok=True)
    now = _result_files(cache)
    changed = sorted(name for name, mtime in now.items() if before.get(name) != mtime)
    target = out / "results.tgz"
    report.archive = str(target)
    fd, tmp = tempfile.mkstemp(dir=out, prefix=".results.", suffix=".tgz")
    os.close(fd)
    try:
        with tarfile.open(tmp, "w:gz") as archive:
            for name in changed:
                archive.add(cache.results_dir / name, arcname=f"results/{name}")
            log = Path(tmp).with_suffix(".json")
            log.write_text(json.dumps(report.to_dict(), indent=1))
            archive.add(log, arcname="plan-log.json")
            log.unlink()
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def run_plan(profile: str = "full", *, deadline: float, out: str | Path, seed: int = 0, device: str = "auto",
             data_dir: str | Path | None = None, cache: Cache | None = None, n_jobs: int = 1,
             progress: Callable[[str], None] | None = None, flop_rate: float | None = None) -> Report:
    """Compute the plan's parts that are not stored yet, in priority order, within ``deadline`` seconds.

    A part starts only if its estimate (times ``SAFETY``) fits the time left; one that does not fit is
    skipped and a cheaper one after it may still run. A part that fails is logged with its error and
    the plan goes on. After every part, ``out/results.tgz`` is rewritten. ``n_jobs > 1`` hands the
    parts that fit to joblib instead (the deadline then decides which start, not when they end).
    """
    if deadline <= 0:
        raise ValueError(f"deadline={deadline!r} must be a positive number of seconds")
    if n_jobs < 1:
        raise ValueError(f"n_jobs={n_jobs!r} must be at least 1")
    start = time.perf_counter()
    say = progress or (lambda message: None)
    cache = cache or Cache()
    out = Path(out)
    before = _result_files(cache)
    parts = plan(profile, seed, cache=cache, device=device, data_dir=data_dir)
    checked = preflight(resolve_device(device))
    if checked["switched_off"] or checked["failures"]:
        say(f"preflight: switched off {checked['switched_off']} after {len(checked['failures'])} failure(s); see plan-log.json")
    rate = flop_rate if flop_rate is not None else probe(device, seconds=min(5.0, deadline / 20))
    report = Report(profile, deadline, rate, preflight=checked)
    say(f"plan: {len(parts)} parts; this machine trains at {rate / 1e12:.2f} TFLOP/s (probe)")
    write_archive(out, cache, before, report)  # a run killed during its first part still returns its plan
    trained: set[str] = set()
    chosen: list[tuple[Part, Step]] = []
    committed = 0.0
    for part in parts:
        step = Step(part.label, part.chapter, priority(part), estimate(part, rate, trained))
        report.steps.append(step)
        if part.done(cache):
            step.status = "stored"
            continue
        left = deadline - (time.perf_counter() - start) - committed
        if step.estimate * SAFETY > left:
            step.status = "skipped: does not fit the time left"
            continue
        if n_jobs > 1:
            committed += step.estimate * SAFETY / n_jobs
            chosen.append((part, step))
            trained.update(trains(part))
            continue
        _run_one(part, step, cache, say)
        trained.update(trains(part))
        write_archive(out, cache, before, report)
    if chosen:
        _run_parallel(chosen, cache, n_jobs, say)
    write_archive(out, cache, before, report)
    say(f"plan: {report.counts()} in {time.perf_counter() - start:.0f} s; archive {report.archive}")
    return report


def _run_one(part: Part, step: Step, cache: Cache, say: Callable[[str], None]) -> None:
    say(f"[{step.chapter}] {part.label} (estimate {step.estimate:.0f} s)")
    began = time.perf_counter()
    try:
        part.get(cache)
        step.status = "computed"
    except Exception as error:  # one failing part must not cost the others their lease
        step.status = "failed"
        step.error = f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=4)}"
        say(f"  failed: {type(error).__name__}: {error}")
    step.seconds = time.perf_counter() - began


def _run_parallel(chosen: list[tuple[Part, Step]], cache: Cache, n_jobs: int, say: Callable[[str], None]) -> None:
    """The chosen parts through joblib: first one part per distinct reference request (which trains the
    shared models), then the rest, so that no two processes train the same model."""
    from joblib import Parallel, delayed

    def compute(part: Part) -> tuple[str, float, str | None]:
        began = time.perf_counter()
        try:
            part.get(cache)
            return "computed", time.perf_counter() - began, None
        except Exception as error:
            return "failed", time.perf_counter() - began, f"{type(error).__name__}: {error}"

    seen: set[str] = set()
    first, rest = [], []
    for part, step in chosen:
        keys = trains(part)
        (first if keys - seen else rest).append((part, step))
        seen |= keys
    for wave in (first, rest):
        if not wave:
            continue
        say(f"joblib: {len(wave)} parts on {n_jobs} workers")
        for (part, step), (status, seconds, error) in zip(wave, Parallel(n_jobs=n_jobs)(delayed(compute)(p) for p, _ in wave)):
            step.status, step.seconds, step.error = status, seconds, error
