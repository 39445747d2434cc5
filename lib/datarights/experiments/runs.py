"""What the chapters' runners share: one cached JSON entry per experiment (a ``Part``), timed and
stamped with the versions of the packages its numbers depend on."""

from __future__ import annotations

import contextlib
import os
import platform
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import pandas as pd

from datarights.cache import Cache
from datarights.train import resolve_device, shared_logits


@dataclass(frozen=True)
class Part:
    """One cached entry of a chapter's experiments, computed on its own.

    ``kind`` and ``config`` name the entry in the cache, ``compute`` makes it. For the GPU runner's
    planner, ``references`` lists the (profile, seed, forget request) whose original and retrained
    models ``compute`` trains first unless they are cached, and ``work`` estimates the rest of its
    cost in training epochs of that profile's training set. ``label`` names the part in progress
    messages and plans. ``role`` says what a part is for where the planner needs to know it (``"gkt-plateau"``:
    the one GKT run past the budget, at the authors' length); it is not part of the cache key. ``shared``
    lists the models it trains unless cached that other parts read too (model kind, cache key, work in
    epochs, not counted in ``work``), so that the planner counts each once.
    """

    chapter: str
    label: str
    kind: str
    config: Mapping[str, Any]
    compute: Callable[[], Any]
    references: tuple[tuple[Any, int, Any], ...] = ()
    work: float = 1.0
    role: str = ""
    shared: tuple[tuple[str, Mapping[str, Any], float], ...] = ()

    def get(self, cache: Cache) -> Any:
        """The stored entry, or the computed one (then stored). Every metric of a model computed here reads
        one inference pass per split (``train.shared_logits``)."""
        with shared_logits():
            return cache.result(self.kind, self.config, self.compute)

    def done(self, cache: Cache) -> bool:
        """Whether the entry is already stored (a corrupt one is found and recomputed by ``get``)."""
        return cache.result_path(self.kind, self.config).is_file()


def cpu_jobs(device: Any = "auto") -> int:
    """Worker processes for parts computed on a CPU: one per core this process may use; 1 on a GPU
    (one device, and each part already keeps it busy)."""
    if resolve_device(device).type == "cuda":
        return 1
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def compute_all(parts: Sequence[Part], cache: Cache, *, n_jobs: int = 1,
                prerequisites: Callable[[list[Part]], Any] | None = None) -> None:
    """Compute and store every part of ``parts`` that ``cache`` lacks, ``n_jobs`` at a time in worker processes.

    The numbers do not depend on ``n_jobs``: each part is computed on its own, from its own seeds, with
    the thread count its ``compute`` sets. Parts start longest first (by ``work``), so the last to finish
    is a short one. ``prerequisites(missing)`` runs first, in this process, when anything is missing: it
    trains what several parts read (their reference models), so that no two workers train the same model.
    """
    if n_jobs < 1:
        raise ValueError(f"n_jobs={n_jobs!r} must be at least 1")
    missing = sorted((part for part in parts if not part.done(cache)), key=lambda part: -part.work)
    if not missing:
        return
    if prerequisites is not None:
        prerequisites(missing)
    if n_jobs == 1 or len(missing) == 1:
        for part in missing:
            part.get(cache)
        return
    from joblib import Parallel, delayed

    Parallel(n_jobs=min(n_jobs, len(missing)))(delayed(part.get)(cache) for part in missing)


def package_versions(packages: Iterable[str]) -> dict[str, str]:
    """Python's version and each package's ("not installed" where missing)."""
    out = {"python": platform.python_version()}
    for package in packages:
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = "not installed"
    return out


def run_experiments(kind: str, compute: Mapping[str, Callable[[], dict[str, Any]]], config: Callable[[str], dict[str, Any]],
                    *, cache: Cache, packages: Iterable[str],
                    context: Callable[[], contextlib.AbstractContextManager] = contextlib.nullcontext) -> dict[str, Any]:
    """Each experiment's result, computed (inside ``context``) or read from ``cache`` under ``config(name)``.

    A computed entry records its wall time (``seconds``) and ``versions``; the returned dict also
    holds ``versions`` (those of the first experiment) and ``seconds`` per experiment.
    """
    packages = tuple(packages)
    raw: dict[str, Any] = {}
    for name, make in compute.items():
        def timed(make: Callable[[], dict[str, Any]] = make) -> dict[str, Any]:
            start = time.perf_counter()
            with context():
                value = make()
            return {**value, "seconds": time.perf_counter() - start, "versions": package_versions(packages)}

        raw[name] = cache.result(kind, config(name), timed)
    names = list(compute)
    raw["versions"] = raw[names[0]]["versions"] if names else package_versions(packages)
    raw["seconds"] = {name: raw[name].get("seconds") for name in names}
    return raw


@dataclass(frozen=True)
class ExperimentTables:
    """A chapter's numbers: one JSON-able dict per experiment, tables read out as DataFrames."""

    raw: dict[str, Any]

    def frame(self, experiment: str, key: str = "records") -> pd.DataFrame:
        return pd.DataFrame(self.raw[experiment][key])

    @property
    def meta(self) -> dict[str, Any]:
        return self.raw["meta"]
