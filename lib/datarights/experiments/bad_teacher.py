"""Experiments of the bad-teaching chapter (the authors' repository; issue "Chapter: Can Bad Teaching Induce Forgetting?").

Three kinds of forget request, each against the original and retrained models, the foundation
baselines and UNSIR, measured alike (accuracies, MIA, ZRF in both forms, JS divergence and
activation distance to the retrained model, relearn time, wall time):

1. full classes, one at a time;
2. a sub-class: one fine class while the model predicts superclasses (the paper's rocket protocol,
   on CIFAR-100 when it is present, else on the book's documented groupings);
3. a random 10% of the training set.

The ablations vary one bad-teacher setting at a time on one class request. Each request and the
ablation sweep are cached as their own JSON entries, so a run resumes where it stopped.
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

from datarights import unlearning
from datarights.cache import Cache
from datarights.data import ForgetRequest
from datarights.experiments.measure import MEASURE_WORK, core_row, forget_evaluation, forget_share, relearn_target, shared_baselines
from datarights.experiments.runs import Part
from datarights.experiments.setup import BASELINES, Setup, prepare
from datarights.metrics import (
    accuracy,
    activation_distance,
    attack_features,
    js_divergence,
    zrf,
)
from datarights.profiles import get
from datarights.seeds import sub_seed
from datarights.settings import unsir as unsir_settings
from datarights.settings.bad_teacher import BadTeacherStudy, settings
from datarights.settings.common import Profile, profile_for
from datarights.tables import summarise
from datarights.unlearning.bad_teacher import incompetent_teacher

RESULT_VERSION = 1
METHODS = ("original", "retrained", *BASELINES, "unsir", "bad_teacher")
CLASS_LEVEL = {"unsir": "UNSIR learns noise for named classes; a random subset names none"}
HISTOGRAM_BINS = 30


@dataclass(frozen=True)
class BadTeacherResult:
    """The chapter's numbers, read from the cached JSON entries."""

    raw: dict[str, Any]

    def table(self, kind: str | None = None) -> pd.DataFrame:
        """One row per (request, method); ``kind`` keeps one scenario (class, subclass, random)."""
        rows = [{"request": r["label"], "kind": r["kind"], **row} for r in self.raw["requests"] for row in r["rows"]]
        frame = pd.DataFrame(rows)
        return frame[frame["kind"] == kind].reset_index(drop=True) if kind else frame

    def summary(self, kind: str, columns: list[str]) -> pd.DataFrame:
        """Mean, standard deviation and count over the requests of one scenario, per method, in method order."""
        return summarise(self.table(kind), columns, order=list(METHODS))

    @property
    def ablation(self) -> pd.DataFrame:
        return pd.DataFrame(self.raw["ablation"]["rows"])

    def histograms(self, label: str) -> dict[str, Any]:
        return next(r["histograms"] for r in self.raw["requests"] if r["label"] == label)

    def request(self, label: str) -> dict[str, Any]:
        return next(r for r in self.raw["requests"] if r["label"] == label)

    @property
    def cifar100(self) -> str | None:
        """Why the CIFAR-100 requests did not run, or None when they did (or were not asked for)."""
        return self.raw["cifar100_missing"]

    @property
    def meta(self) -> dict[str, Any]:
        return self.raw["meta"]


def _histogram(values: np.ndarray, edges: np.ndarray) -> list[int]:
    return np.histogram(np.clip(values, edges[0], edges[-1]), bins=edges)[0].tolist()


def _unlearn(setup: Setup, study: BadTeacherStudy) -> dict[str, unlearning.UnlearningResult | str]:
    """Each method's result on the setup's request, or the reason it does not apply."""
    s, profile, seed = setup.splits, setup.profile, setup.seed
    results: dict[str, unlearning.UnlearningResult | str] = {}
    for name in BASELINES:
        results[name] = setup.baseline(name)
    if s.kind == "random":
        results["unsir"] = CLASS_LEVEL["unsir"]
    else:
        results["unsir"] = unlearning.unsir(setup.original, retain=s.retain_train, forget_classes=s.forget_classes,
                                            config=replace(unsir_settings.settings(profile.name).config, seed=seed),
                                            subclass=s.kind == "subclass")
    results["bad_teacher"] = unlearning.bad_teacher(setup.original, forget=s.forget_train, retain=s.retain_train,
                                                    config=replace(study.config, seed=seed))
    return results


def _row(name: str, model: torch.nn.Module, setup: Setup, teacher: torch.nn.Module, target: float, seconds: float,
         attacks: tuple[str, ...]) -> dict[str, Any]:
    s = setup.splits
    judged = forget_evaluation(s)
    measured, _ = core_row(model, setup, target, attacks)
    row = {"method": name, **measured, "seconds": seconds,
           "zrf_code": zrf(model, teacher, judged, "code"), "zrf_paper": zrf(model, teacher, judged, "paper"),
           "js_to_retrained": js_divergence(model, setup.retrained, judged),
           # the notebook's "JS Div" is 1 − ZRF_code(retrained, model) (the bad-teaching ``metrics.py``, ``UnLearningScore``)
           "js_code_to_retrained": 1 - zrf(setup.retrained, model, judged, "code"),
           "activation_distance": activation_distance(model, setup.retrained, judged)}
    if s.kind == "subclass":
        siblings = s.retain_test.subset(torch.isin(s.retain_test.y, torch.tensor(s.forget_classes, device=s.retain_test.y.device)))
        row["sibling_test"] = accuracy(model, siblings)
    return row


def _request(profile: Profile, study: BadTeacherStudy, seed: int, request: ForgetRequest, *, device, data_dir,
             cache: Cache) -> Part:
    profile = profile_for(profile, request.superclasses)
    config = {"profile": profile.to_dict(), "bad_teacher": study.config.to_dict(), "unsir": unsir_settings.settings(profile.name).config.to_dict(),
              "seed": seed, "request": request.to_dict(), "mia_attacks": list(study.mia_attacks), "version": RESULT_VERSION}

    def compute() -> dict[str, Any]:
        setup = prepare(profile, seed, request=request, device=device, data_dir=data_dir, cache=cache)
        s = setup.splits
        # ZRF is measured against the very network the bad teacher distils from, as in the bad-teaching notebook.
        teacher = incompetent_teacher(setup.original, sub_seed(seed, "incompetent"))
        target = relearn_target(setup)
        trained: dict[str, tuple[torch.nn.Module, float]] = {
            "original": (setup.original, setup.seconds["original"]), "retrained": (setup.retrained, setup.seconds["retrained"])}
        skipped = {}
        for name, result in _unlearn(setup, study).items():
            if isinstance(result, str):
                skipped[name] = result
            else:
                trained[name] = (result.model, result.seconds)
        rows = [_row(name, model, setup, teacher, target, seconds, study.mia_attacks) for name, (model, seconds) in trained.items()]
        gold_steps = rows[1]["relearn_steps"]
        for row in rows:
            row["ain"] = row["relearn_steps"] / gold_steps
        edges = np.linspace(0.0, math.log(s.num_classes), HISTOGRAM_BINS + 1)
        judged = forget_evaluation(s)
        histograms = {"edges": edges.tolist(), **{name: _histogram(attack_features(model, judged), edges)
                                                  for name, (model, _) in trained.items()}}
        return {"label": request.label(), "kind": request.kind, "request": request.to_dict(), "rows": rows, "skipped": skipped,
                "histograms": histograms, "meta": {**setup.describe(), "python": platform.python_version()}}

    classes = 20 if profile.dataset == "cifar100" else 10
    share = forget_share(request, classes)
    work = len(METHODS) * MEASURE_WORK + study.config.epochs * (share + study.config.retain_fraction)
    return Part("03", f"bad teacher, {request.label()} ({profile.name}/{profile.dataset}, seed {seed})", "bad-teacher-request", config,
                compute, ((profile, seed, request),), work, shared=shared_baselines(profile, seed, request, classes))


def _ablation_grid(study: BadTeacherStudy) -> list[tuple[str, Any, dict[str, Any]]]:
    return ([("retain_fraction", f, {"retain_fraction": f}) for f in study.retain_fractions]
            + [("temperature", t, {"temperature": t}) for t in study.temperatures]
            + [("incompetent", i, {"incompetent": i}) for i in study.incompetents]
            + [("kl_reduction", r, {"kl_reduction": r}) for r in study.kl_reductions]
            + [("student_mode", m, {"student_mode": m}) for m in study.student_modes])


def _ablation(profile: Profile, study: BadTeacherStudy, seed: int, *, device, data_dir, cache: Cache) -> Part:
    config = {"profile": profile.to_dict(), "study": study.to_dict(), "seed": seed, "version": RESULT_VERSION}

    def compute() -> dict[str, Any]:
        setup = prepare(profile, seed, forget_classes=(study.ablation_class,), device=device, data_dir=data_dir, cache=cache)
        s = setup.splits
        teacher = incompetent_teacher(setup.original, sub_seed(seed, "incompetent"))
        reference = {"retrained": setup.retrained, "original": setup.original}
        rows = [{"parameter": "reference", "value": name, **_ablation_metrics(model, setup, teacher), "seconds": setup.seconds[name]}
                for name, model in reference.items()]
        for parameter, value, changes in _ablation_grid(study):
            result = unlearning.bad_teacher(setup.original, forget=s.forget_train, retain=s.retain_train,
                                            config=replace(study.config, seed=seed, **changes))
            rows.append({"parameter": parameter, "value": value, **_ablation_metrics(result.model, setup, teacher),
                         "seconds": result.seconds})
        return {"class": study.ablation_class, "rows": rows}

    request = ForgetRequest("class", classes=(study.ablation_class,))
    work = len(_ablation_grid(study)) * (study.config.epochs * (0.1 + study.config.retain_fraction) + 0.3)
    return Part("03", f"bad teacher ablations ({profile.name}, seed {seed})", "bad-teacher-ablation", config, compute,
                ((profile, seed, request),), work)


def _ablation_metrics(model: torch.nn.Module, setup: Setup, teacher: torch.nn.Module) -> dict[str, float]:
    s = setup.splits
    return {"retain_test": accuracy(model, s.retain_test), "forget_test": accuracy(model, s.forget_test),
            "zrf_code": zrf(model, teacher, s.forget_test, "code"), "zrf_paper": zrf(model, teacher, s.forget_test, "paper"),
            "js_to_retrained": js_divergence(model, setup.retrained, s.forget_test)}


def parts(profile: str | Profile, seed: int, *, device: str | torch.device | None = "auto", data_dir: str | Path | None = None,
          cache: Cache | None = None) -> dict[str, list[Part]]:
    """Every cached entry of the chapter, by experiment: the requests on the profile's dataset, the
    CIFAR-100 sub-class requests (which need CIFAR-100 in the data directory) and the ablation."""
    profile = get(profile)
    study = settings(profile.name)
    common = dict(device=device, data_dir=data_dir, cache=cache or Cache())
    cifar100 = replace(profile, dataset="cifar100")
    return {
        "requests": [_request(profile, study, seed, request, **common) for request in study.requests()],
        "cifar100": [_request(cifar100, study, seed, ForgetRequest("subclass", classes=(fine,), superclasses="cifar100-20"), **common)
                     for fine in study.cifar100_subclasses],
        "ablation": [_ablation(profile, study, seed, **common)],
    }


def run(profile: str | Profile, seed: int, *, device: str | torch.device | None = "auto",
        data_dir: str | Path | None = None, cache: Cache | None = None) -> BadTeacherResult:
    """Run (or load from the cache) every experiment of the bad-teaching chapter for ``profile`` and ``seed``."""
    cache = cache or Cache()
    groups = parts(profile, seed, device=device, data_dir=data_dir, cache=cache)
    requests = [part.get(cache) for part in groups["requests"]]
    missing = None
    try:
        requests += [part.get(cache) for part in groups["cifar100"]]
    except FileNotFoundError as err:
        missing = str(err)
    ablation = groups["ablation"][0].get(cache)
    study = settings(get(profile).name)
    meta = {**requests[0]["meta"], "bad_teacher": study.config.to_dict(), "classes": list(study.classes)}
    return BadTeacherResult({"requests": requests, "ablation": ablation, "cifar100_missing": missing, "meta": meta})
