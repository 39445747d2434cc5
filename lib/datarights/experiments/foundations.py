"""Experiment of the Foundations chapter: the original model, the retrained gold model and the
three classic baselines, measured with every metric of the library on one forget request.

``run(profile, seed)`` returns a ``FoundationsResult``; the whole result is cached as JSON
under its configuration, so the chapter re-executes in seconds and the full-profile numbers
produced on a GPU can be committed and shown on any machine.
"""

from __future__ import annotations

import math
import platform
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from datarights.cache import Cache
from datarights.data import ForgetRequest
from datarights.experiments.measure import MEASURE_WORK, core_row, relearn_target, shared_baselines
from datarights.experiments.runs import Part
from datarights.experiments.setup import BASELINES, prepare
from datarights.metrics import (
    activation_distance,
    attack_features,
    js_divergence,
    per_class_accuracy,
    protocol_data,
    relearn_time,
    zrf,
)
from datarights.profiles import get
from datarights.seeds import sub_seed
from datarights.settings.common import Profile

MODELS = ("original", "retrained", *BASELINES)
RESULT_VERSION = 2  # 2: AIN also under the authors' relearning data (the whole training set)
HISTOGRAM_BINS = 30


@dataclass(frozen=True)
class FoundationsResult:
    """The chapter's numbers: one row per model in ``table``, plus per-class accuracies and MIA histograms."""

    raw: dict[str, Any]

    @property
    def table(self) -> pd.DataFrame:
        return pd.DataFrame(self.raw["rows"]).set_index("model")

    @property
    def per_class(self) -> pd.DataFrame:
        return pd.DataFrame(self.raw["per_class"], index=self.raw["classes"]).T

    @property
    def histograms(self) -> dict[str, Any]:
        return self.raw["histograms"]

    @property
    def meta(self) -> dict[str, Any]:
        return self.raw["meta"]


def result_config(profile: Profile, seed: int) -> dict[str, Any]:
    return {"profile": profile.to_dict(), "seed": seed, "version": RESULT_VERSION}


def parts(profile: str | Profile, seed: int, *, device: str | torch.device | None = "auto",
          data_dir: str | Path | None = None, cache: Cache | None = None) -> dict[str, list[Part]]:
    """The chapter's one cached entry: every model of the profile's default class request, measured."""
    profile = get(profile)
    cache = cache or Cache()
    request = ForgetRequest("class", classes=(profile.forget_class,))
    part = Part("01", f"foundations ({profile.name}, seed {seed})", "foundations", result_config(profile, seed),
                lambda: _compute(profile, seed, device=device, data_dir=data_dir, cache=cache), ((profile, seed, request),),
                len(MODELS) * MEASURE_WORK, shared=shared_baselines(profile, seed, request))
    return {"foundations": [part]}


def run(profile: str | Profile, seed: int, *, device: str | torch.device | None = "auto",
        data_dir: str | Path | None = None, cache: Cache | None = None) -> FoundationsResult:
    """Run (or load from the cache) the Foundations experiment for ``profile`` and ``seed``."""
    cache = cache or Cache()
    return FoundationsResult(parts(profile, seed, device=device, data_dir=data_dir, cache=cache)["foundations"][0].get(cache))


def _histogram(values: np.ndarray, edges: np.ndarray) -> list[int]:
    return np.histogram(np.clip(values, edges[0], edges[-1]), bins=edges)[0].tolist()


def _compute(profile: Profile, seed: int, *, device, data_dir, cache: Cache) -> dict[str, Any]:
    setup = prepare(profile, seed, device=device, data_dir=data_dir, cache=cache)
    s = setup.splits
    trained = {"original": setup.original, "retrained": setup.retrained}
    seconds = dict(setup.seconds)
    for name in BASELINES:
        result = setup.baseline(name)
        trained[name], seconds[name] = result.model, result.seconds

    incompetent = setup.fresh_model(seed=sub_seed(seed, "incompetent"))
    target = relearn_target(setup)
    relearn_cfg = replace(profile.relearn, seed=seed)

    edges = np.linspace(0.0, math.log(s.num_classes), HISTOGRAM_BINS + 1)
    rows, per_class, histograms = [], {}, {"edges": edges.tolist()}
    gold_steps = None
    # The authors' relearning data: the whole training set (zero-shot `metrics.py`), beside the book's forget set.
    full_train, _ = protocol_data(s, "full_train", "forget_test")
    gold_full = None
    for name, model in trained.items():
        measured, mia = core_row(model, setup, target)
        row = {"model": name, **measured}
        steps, reached = relearn_time(model, relearn=full_train, evaluate_on=s.forget_test, target_accuracy=target, config=relearn_cfg)
        row.update(relearn_steps_full_train=steps, relearn_reached_full_train=reached)
        gold_steps = row["relearn_steps"] if name == "retrained" else gold_steps
        gold_full = steps if name == "retrained" else gold_full
        row.update({
            "zrf_code": zrf(model, incompetent, s.forget_test, "code"),
            "zrf_paper": zrf(model, incompetent, s.forget_test, "paper"),
            "js_to_retrained": js_divergence(model, setup.retrained, s.forget_test),
            "activation_distance": activation_distance(model, setup.retrained, s.forget_test),
            "seconds": seconds[name],
        })
        rows.append(row)
        per_class[name] = per_class_accuracy(model, s.test, s.num_classes).tolist()
        histograms[name] = {part: _histogram(attack_features(model, split), edges)
                            for part, split in (("members", s.retain_train), ("nonmembers", s.test), ("forget", s.forget_train))}
    for row in rows:
        row["ain"] = row["relearn_steps"] / gold_steps
        row["ain_full_train"] = row["relearn_steps_full_train"] / gold_full if gold_full else math.nan
    return {
        "rows": rows,
        "per_class": per_class,
        "classes": list(s.train.classes),
        "histograms": histograms,
        "mia_definition": {attack: {k: v for k, v in mia[attack].to_dict().items() if k != "score"} for attack in mia},
        "relearn": {**relearn_cfg.to_dict(), "target_accuracy": target, "relearn_on": "forget_train", "evaluate_on": "forget_test"},
        "meta": {**setup.describe(), "python": platform.python_version()},
    }
