"""On-disk cache of trained models and results, keyed by their full configuration.

Two stores:

- **results** (small JSON: metric tables, histograms, trajectories) under
  ``results/`` at the repository root, committed so that the book can show full-
  profile numbers produced on a GPU, and so a chapter re-executes in seconds;
- **models** (PyTorch state dicts) under ``.cache/models`` (git-ignored).

``DATARIGHTS_RESULTS`` and ``DATARIGHTS_CACHE`` override the two locations (outside a
checkout both default to ``~/.cache/datarights``). Every entry is written atomically
(temporary file, then rename) next to a metadata file holding its configuration and
the SHA-256 of its payload; temporary files orphaned by a killed process are removed
once they are an hour old. On read the configuration and checksum are compared; an
entry that is truncated, unreadable, of the wrong shape, or stored for another
configuration is reported with a warning, deleted and recomputed (into a freshly built
model, so nothing of a half-loaded file survives). The checksum detects accidental damage,
not deliberate tampering: anyone who can write the cache can also rewrite the checksum
beside it. Models load with ``torch.load(weights_only=True)``, which refuses pickled code.

Bump ``CACHE_VERSION`` when a change of code changes what a configuration produces.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn

CACHE_VERSION = 1
RESULTS_ENV = "DATARIGHTS_RESULTS"
MODELS_ENV = "DATARIGHTS_CACHE"


def repository_root() -> Path | None:
    """The checkout this library lives in (editable install), or None when installed elsewhere."""
    root = Path(__file__).resolve().parents[2]
    return root if (root / "pyproject.toml").is_file() and (root / "notebooks").is_dir() else None


def _default(kind: str) -> Path:
    root = repository_root()
    if root is not None:
        return root / ("results" if kind == "results" else ".cache/models")
    return Path.home() / ".cache" / "datarights" / kind


def canonical(config: Mapping[str, Any]) -> str:
    """Deterministic JSON text of a configuration (sorted keys, no whitespace)."""
    return json.dumps(config, sort_keys=True, separators=(",", ":"), default=_jsonable)


def _jsonable(value: Any) -> Any:
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"configuration value {value!r} of type {type(value).__name__} is not JSON-serialisable")


def config_key(kind: str, config: Mapping[str, Any]) -> str:
    """Short hash that names a cache entry: kind, cache version and configuration."""
    text = f"{kind}|{CACHE_VERSION}|{canonical(config)}"
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


ORPHAN_SECONDS = 3600
_swept: set[Path] = set()


def _sweep(folder: Path) -> None:
    """Remove temporary files that a killed writer left in ``folder`` (once per folder and process)."""
    if folder in _swept or not folder.is_dir():
        return
    _swept.add(folder)
    cutoff = time.time() - ORPHAN_SECONDS
    for tmp in folder.glob(".*.tmp"):
        try:
            if tmp.stat().st_mtime < cutoff:
                tmp.unlink()
        except OSError:
            pass


def _atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    _sweep(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Cache:
    """Get-or-compute store for models and JSON results.

    >>> cache = Cache(results_dir=tmp, models_dir=tmp)            # doctest: +SKIP
    >>> table = cache.result("table", {"seed": 0}, lambda: {"acc": 0.9})  # doctest: +SKIP
    """

    def __init__(self, results_dir: str | Path | None = None, models_dir: str | Path | None = None, *, enabled: bool = True):
        self.results_dir = Path(results_dir or os.environ.get(RESULTS_ENV) or _default("results"))
        self.models_dir = Path(models_dir or os.environ.get(MODELS_ENV) or _default("models"))
        self.enabled = enabled

    # -- JSON results ---------------------------------------------------------
    def result_path(self, kind: str, config: Mapping[str, Any]) -> Path:
        return self.results_dir / kind / f"{config_key(kind, config)}.json"

    def result(self, kind: str, config: Mapping[str, Any], compute: Callable[[], Any]) -> Any:
        """The stored result for (kind, config), or ``compute()`` stored and returned."""
        path = self.result_path(kind, config)
        _sweep(path.parent)
        if self.enabled and path.exists():
            value = self._read_result(path, kind, config)
            if value is not None:
                return value[0]
        value = compute()
        if self.enabled:
            self.store_result(kind, config, value)
        return value

    def store_result(self, kind: str, config: Mapping[str, Any], value: Any) -> Path:
        path = self.result_path(kind, config)
        payload = canonical({"value": value})
        entry = {"kind": kind, "cache_version": CACHE_VERSION, "config": json.loads(canonical(config)),
                 "sha256": hashlib.sha256(payload.encode()).hexdigest(), "value": value}
        _atomic_write(path, lambda tmp: tmp.write_text(json.dumps(entry, indent=1, sort_keys=True, default=_jsonable) + "\n"))
        return path

    def _read_result(self, path: Path, kind: str, config: Mapping[str, Any]) -> tuple[Any] | None:
        try:
            entry = json.loads(path.read_text())
            if not isinstance(entry, dict) or "value" not in entry:
                raise ValueError(f"expected an object with a value, found {type(entry).__name__}")
            problem = self._mismatch(entry, kind, config)
            if problem is None and hashlib.sha256(canonical({"value": entry["value"]}).encode()).hexdigest() != entry["sha256"]:
                problem = "its checksum does not match its content"
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
            problem = f"it cannot be read ({err})"
        if problem is None:
            return (entry["value"],)
        self._discard(path, problem)
        return None

    # -- models ---------------------------------------------------------------
    def model_path(self, kind: str, config: Mapping[str, Any]) -> Path:
        return self.models_dir / kind / f"{config_key(kind, config)}.pt"

    def model(self, kind: str, config: Mapping[str, Any], make: Callable[[], nn.Module],
              train: Callable[[nn.Module], nn.Module | None]) -> nn.Module:
        """A trained model for (kind, config): loaded into ``make()`` if stored, else ``train(make())`` and stored."""
        path = self.model_path(kind, config)
        _sweep(path.parent)
        model = make()
        if self.enabled and path.exists():
            if self._load_model(path, kind, config, model):
                return model
            model = make()  # a failed load may have copied some tensors: recompute from a fresh model
        start = time.perf_counter()
        trained = train(model)
        model = trained if trained is not None else model
        if self.enabled:
            self.store_model(kind, config, model, seconds=time.perf_counter() - start)
        return model

    def model_meta(self, kind: str, config: Mapping[str, Any]) -> dict[str, Any]:
        """Metadata stored beside a cached model (configuration, checksum, training seconds); {} if absent."""
        try:
            return json.loads(self.model_path(kind, config).with_suffix(".json").read_text())
        except (OSError, ValueError):
            return {}

    def store_model(self, kind: str, config: Mapping[str, Any], model: nn.Module, *, seconds: float | None = None) -> Path:
        path = self.model_path(kind, config)
        state = {k: v.detach().to("cpu").contiguous() for k, v in model.state_dict().items()}
        _atomic_write(path, lambda tmp: torch.save(state, tmp))
        meta = {"kind": kind, "cache_version": CACHE_VERSION, "config": json.loads(canonical(config)), "sha256": _sha256(path),
                "seconds": seconds}
        _atomic_write(path.with_suffix(".json"), lambda tmp: tmp.write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n"))
        return path

    def _load_model(self, path: Path, kind: str, config: Mapping[str, Any], model: nn.Module) -> bool:
        meta_path = path.with_suffix(".json")
        try:
            meta = json.loads(meta_path.read_text())
            if not isinstance(meta, dict):
                raise ValueError(f"its metadata is a {type(meta).__name__}, not an object")
            problem = self._mismatch(meta, kind, config)
            if problem is None and _sha256(path) != meta["sha256"]:
                problem = "its checksum does not match its content"
            if problem is None:
                state = torch.load(path, map_location="cpu", weights_only=True)
                if not isinstance(state, dict):
                    raise ValueError(f"it holds a {type(state).__name__}, not a state dict")
                device = next(model.parameters()).device
                model.load_state_dict({k: v.to(device) for k, v in state.items()})
                return True
        except Exception as err:  # torch.load raises many types for a damaged file (UnpicklingError, EOFError, ...)
            problem = f"it cannot be loaded ({type(err).__name__}: {' '.join(str(err).split())[:200]})"
        self._discard(path, problem)
        meta_path.unlink(missing_ok=True)
        return False

    # -- shared ---------------------------------------------------------------
    @staticmethod
    def _mismatch(entry: Mapping[str, Any], kind: str, config: Mapping[str, Any]) -> str | None:
        if entry.get("kind") != kind or entry.get("cache_version") != CACHE_VERSION:
            return "it was written for another kind or cache version"
        if canonical(entry.get("config", {})) != canonical(config):
            return "its stored configuration differs from the one asked for"
        return None

    @staticmethod
    def _discard(path: Path, problem: str) -> None:
        warnings.warn(f"cache entry {path} ignored and recomputed: {problem}", RuntimeWarning, stacklevel=3)
        path.unlink(missing_ok=True)
