"""Experiments of the zero-shot unlearning chapter (``ayu987/zero-shot-unlearning``; issue 7).

Every (profile, seed, forget request, method) is one cached JSON entry ("zero-shot-method"): the
method is run from the profile's original model, and the model it returns is measured at once
(split accuracies, MIA, ZRF, relearn times for several α and relearning data, relearn curve, model
inversion judged by two models), because the model itself is not stored. AIN is the entry's relearn
time divided by the retrained entry's, so the gold model's relearn time is measured once per request.
The GKT ablations ("zero-shot-ablation") vary one GKT setting each. A full-profile run is therefore
split into parts that each finish in one GPU command and resume from the entries already written.
"""

from __future__ import annotations

import contextlib
import platform
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from datarights import unlearning
from datarights.cache import Cache
from datarights.data import ForgetRequest
from datarights.experiments.measure import MEASURE_WORK, mia_results
from datarights.experiments.runs import Part, compute_all, cpu_jobs
from datarights.experiments.setup import Setup, prepare
from datarights.metrics import accuracy, split_accuracies, zrf
from datarights.metrics.inversion import invert, judge_rate
from datarights.metrics.relearn import protocol_data, relearn_curve, relearn_time
from datarights.profiles import get
from datarights.seeds import sub_seed
from datarights.settings.common import Profile
from datarights.settings.zero_shot import ZeroShotStudy, settings

RESULT_VERSION = 2  # 2: GKT's generator as wide as configured (it was as wide as the image in pixels)
ZERO_SHOT = ("gkt_strict", "gkt_faithful", "emmn")
DATA_USING = ("finetune", "neggrad", "unsir", "bad_teacher")
REFERENCES = ("original", "retrained")
METHODS = (*REFERENCES, *DATA_USING, *ZERO_SHOT)
DATA_NEEDED = {
    "original": "all of D (trained on it)",
    "retrained": "all of D_r (trained from scratch)",
    "finetune": "all of D_r",
    "neggrad": "all of D_f",
    "unsir": "a subset of D_r",
    "bad_teacher": "D_f and 30% of D_r",
    "gkt_strict": "none",
    "gkt_faithful": "none to train; real test data steer its learning rate",
    "emmn": "none",
}
JUDGES = ("retrained", "independent")  # the independent judge: a model trained on all of D with another seed


@contextlib.contextmanager
def cpu_threads(device: torch.device | str | None, threads: int = 1) -> Iterator[None]:
    """One intra-op thread on a CPU: these small networks ran 4× faster so on the shared 2-core machine (measured)."""
    on_gpu = str(device).startswith("cuda") or (device in (None, "auto") and torch.cuda.is_available())
    if on_gpu:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def unlearn(method: str, setup: Setup, study: ZeroShotStudy, **gkt_changes: Any) -> unlearning.UnlearningResult:
    """Run ``method`` from ``setup.original`` with the study's settings; zero-shot methods get no data."""
    s, seed, profile = setup.splits, setup.seed, setup.profile
    shape = s.train.input_shape
    if method.startswith("gkt_"):
        config = replace(study.gkt, variant=method.removeprefix("gkt_"), seed=seed, **gkt_changes)
        # monitor: real test data, for the trajectory only (and the faithful variant's scheduler, the authors' leak)
        return unlearning.gkt(setup.original, forget_classes=s.forget_classes, input_shape=shape, config=config,
                              monitor=(s.forget_test, s.retain_test))
    if method == "emmn":
        return unlearning.emmn(setup.original, forget_classes=s.forget_classes, input_shape=shape, config=replace(study.emmn, seed=seed))
    if method == "unsir":
        return unlearning.unsir(setup.original, retain=s.retain_train, forget_classes=s.forget_classes,
                                config=replace(study.unsir, seed=seed))
    if method == "bad_teacher":
        return unlearning.bad_teacher(setup.original, forget=s.forget_train, retain=s.retain_train,
                                      config=replace(study.bad_teacher, seed=seed))
    if method in ("finetune", "neggrad"):
        return unlearning.METHODS[method](setup.original, forget=s.forget_train, retain=s.retain_train,
                                          config=replace(getattr(profile, method), seed=seed))
    raise ValueError(f"unknown method={method!r}; known: {list(METHODS)}")


def _rounded(x: torch.Tensor, digits: int = 2) -> list:
    return np.round(x.float().cpu().numpy(), digits).tolist()


def measure(model: torch.nn.Module, setup: Setup, study: ZeroShotStudy, judges: dict[str, torch.nn.Module], *,
            detail: bool) -> dict[str, Any]:
    """Everything the chapter reports about one model of one request."""
    s, profile = setup.splits, setup.profile
    relearn_config = replace(profile.relearn, seed=setup.seed)
    original_forget = accuracy(setup.original, s.forget_test)
    row: dict[str, Any] = split_accuracies(model, s)
    mia = mia_results(model, setup, attacks=("logistic",) if profile.svc_max_samples else ("logistic", "svc"))
    row.update({f"mia_{attack}": result.score for attack, result in mia.items()})
    incompetent = setup.fresh_model(seed=sub_seed(setup.seed, "incompetent"))
    row["zrf_code"] = zrf(model, incompetent, s.forget_test, "code")
    relearn_runs = {}
    for alpha in study.alphas if detail else (relearn_config.alpha,):
        for data in study.relearn_data if (detail and alpha == relearn_config.alpha) else ("forget_train",):
            relearn, evaluate_on = protocol_data(s, data, "forget_test")
            steps, reached = relearn_time(model, relearn=relearn, evaluate_on=evaluate_on, target_accuracy=(1 - alpha) * original_forget,
                                          config=replace(relearn_config, alpha=alpha))
            relearn_runs[f"{data}|{alpha:g}"] = {"steps": steps, "reached": reached}
    row["relearn"] = relearn_runs
    default = relearn_runs[f"forget_train|{relearn_config.alpha:g}"]
    row.update(relearn_steps=default["steps"], relearn_reached=default["reached"])
    row["relearn_curve"] = relearn_curve(model, relearn=s.forget_train, evaluate_on=s.forget_test, steps=study.curve_steps,
                                         config=relearn_config)
    images = invert(model, s.train.input_shape, config=replace(study.inversion, seed=setup.seed))
    for name, judge in judges.items():
        row[f"judge_{name}"] = judge_rate(images[list(s.forget_classes)], judge, s.forget_classes)
        retained = [c for c in range(s.num_classes) if c not in s.forget_classes]
        row[f"judge_{name}_retain"] = judge_rate(images[retained], judge, retained)
    if detail:
        row["inversions"] = _rounded(images[:, 0])
    return row


def _method_entry(profile: Profile, study: ZeroShotStudy, seed: int, classes: tuple[int, ...], method: str, *, detail: bool,
                  device, data_dir, cache: Cache) -> Part:
    config = {"profile": profile.to_dict(), "seed": seed, "classes": list(classes), "method": method, "detail": detail,
              "settings": _method_settings(study, method), "measure": {"alphas": list(study.alphas), "relearn_data": list(study.relearn_data),
                                                                       "curve_steps": study.curve_steps, "inversion": study.inversion.to_dict()},
              "version": RESULT_VERSION}

    def compute() -> dict[str, Any]:
        with cpu_threads(device):
            setup = prepare(profile, seed, forget_classes=classes, device=device, data_dir=data_dir, cache=cache)
            judge = prepare(profile, sub_seed(seed, "judge"), forget_classes=classes, device=device, data_dir=data_dir, cache=cache,
                            with_retrained=False).original
            judges = {"retrained": setup.retrained, "independent": judge}
            meta = {**setup.describe(), "python": platform.python_version(),
                    "threads": torch.get_num_threads()}
            if method in REFERENCES:
                model, seconds, extra = getattr(setup, method), setup.seconds[method], {}
            else:
                try:
                    result = unlearn(method, setup, study)
                except RuntimeError as error:  # e.g. GKT's gate rejecting everything: a finding, stored as such
                    return {"method": method, "seed": seed, "classes": list(classes), "status": f"failed: {error}", "meta": meta}
                model, seconds, extra = result.model, result.seconds, result.extra
            row = {"method": method, "seed": seed, "classes": list(classes), "seconds": seconds, "status": "ok",
                   **measure(model, setup, study, judges, detail=detail)}
            if "trajectory" in extra:
                row.update(trajectory=extra["trajectory"], pass_rate=extra["pass_rate"], empty_batches=extra["empty_batches"])
                if detail:
                    row.update(passed=_rounded(extra["samples"][:8]), rejected=_rounded(extra["rejected"][:8]))
            if "step_seconds" in extra:
                row["step_seconds"] = extra["step_seconds"]
            row["meta"] = meta
            return row

    return Part("04", f"zero-shot {method}, classes {list(classes)} ({profile.name}, seed {seed})", "zero-shot-method", config, compute,
                ((profile, seed, ForgetRequest("class", classes=tuple(classes))),), _method_work(profile, study, method, detail))


def _method_work(profile: Profile, study: ZeroShotStudy, method: str, detail: bool) -> float:
    """Planning estimate, in training epochs of the profile's training set: the judge model, the method, the measurements."""
    n_train = 50_000 if profile.dataset in ("cifar10", "mnist") and profile.train_per_class is None else 1_000
    generated = {"gkt_strict": study.gkt, "gkt_faithful": study.gkt}
    method_epochs = 0.0
    if method in generated:  # pseudo-batches × (generator + student steps) × batch, as images through the network
        gkt = generated[method]
        method_epochs = gkt.pseudo_batches * (gkt.generator_steps * 2 + gkt.student_steps) * gkt.batch_size / n_train
    elif method in ("unsir", "emmn", "bad_teacher", "finetune", "neggrad"):
        method_epochs = 1.0
    return profile.train.epochs + method_epochs + MEASURE_WORK * (3 if detail else 1)


def _method_settings(study: ZeroShotStudy, method: str) -> dict[str, Any]:
    if method.startswith("gkt_"):
        return replace(study.gkt, variant=method.removeprefix("gkt_")).to_dict()
    configs = {"emmn": study.emmn, "unsir": study.unsir, "bad_teacher": study.bad_teacher}
    return configs[method].to_dict() if method in configs else {}


def _ablation_entry(profile: Profile, study: ZeroShotStudy, seed: int, classes: tuple[int, ...], parameter: str, value: Any, *,
                    device, data_dir, cache: Cache, role: str = "") -> Part:
    changes = {"pseudo_batches": study.ablation_pseudo_batches, parameter: value}
    config = {"profile": profile.to_dict(), "seed": seed, "classes": list(classes),
              "gkt": replace(study.gkt, variant="strict", **changes).to_dict(), "version": RESULT_VERSION}

    def compute() -> dict[str, Any]:
        with cpu_threads(device):
            setup = prepare(profile, seed, forget_classes=classes, device=device, data_dir=data_dir, cache=cache)
            try:
                result = unlearn("gkt_strict", setup, study, **changes)
            except RuntimeError as error:  # the gate rejecting everything at this setting: a finding, stored as such
                return {"parameter": parameter, "value": "none" if value is None else value, "status": f"failed: {error}",
                        "trajectory": [], "pass_rate": 0.0}
            final = split_accuracies(result.model, setup.splits)
            return {"parameter": parameter, "value": "none" if value is None else value, "trajectory": result.extra["trajectory"],
                    "pass_rate": result.extra["pass_rate"], "retain_test": final["retain_test"], "forget_test": final["forget_test"],
                    "gkt_seconds": result.seconds, "status": "ok"}

    gkt = replace(study.gkt, **changes)
    work = gkt.pseudo_batches * (gkt.generator_steps * 2 + gkt.student_steps) * gkt.batch_size / 50_000
    return Part("04", f"zero-shot GKT ablation {parameter}={value} ({profile.name}, seed {seed})", "zero-shot-ablation", config, compute,
                ((profile, seed, ForgetRequest("class", classes=tuple(classes))),), work, role)


@dataclass(frozen=True)
class Plateau:
    """The stopping rule of GKT's budget, checked on a run that goes on past it.

    Rule: the budget (``budget`` pseudo-batches) is *past the plateau* when the student's mean retain
    accuracy over the trajectory points after the budget exceeds its mean over the points in the last
    fifth of the budget (``WINDOW``) by no more than the larger of ``tolerance`` and the standard
    deviation of the points in the two windows. Otherwise the student was *still learning* at the
    budget. The window is the budget's end, where the student stands when it stops: a window reaching
    further back would mix in the climb before the plateau.
    """

    WINDOW = 0.2

    budget: int
    length: int
    before: float
    after: float
    spread: float
    tolerance: float
    trajectory: pd.DataFrame

    @classmethod
    def from_trajectory(cls, trajectory: pd.DataFrame, budget: int, tolerance: float = 0.02) -> Plateau:
        steps, accuracy = trajectory.pseudo_batch, trajectory.retain_accuracy
        start = budget * (1 - cls.WINDOW)
        before = accuracy[(steps > start) & (steps <= budget)]
        after = accuracy[steps > budget]
        if before.empty or after.empty:
            raise ValueError(f"the trajectory must have points in ({start:g}, {budget}] and after budget={budget}")
        spread = float(np.std(np.concatenate([before, after])))
        return cls(budget, int(steps.max()), float(before.mean()), float(after.mean()), spread, tolerance, trajectory)

    @property
    def past(self) -> bool:
        return self.after - self.before <= max(self.tolerance, self.spread)

    def verdict(self) -> str:
        """One sentence for the page."""
        numbers = (f"mean retain accuracy {100 * self.before:.0f} % over pseudo-batches {self.budget * (1 - self.WINDOW):.0f}–{self.budget}, "
                   f"{100 * self.after:.0f} % over {self.budget}–{self.length} (spread {100 * self.spread:.0f} points)")
        if self.past:
            return f"the budget of {self.budget} pseudo-batches is past the plateau: {numbers}"
        return f"the student was still learning at the budget of {self.budget} pseudo-batches: {numbers}"


@dataclass(frozen=True)
class ZeroShotResult:
    """The chapter's numbers, long-form: one row per (profile, seed, request, method)."""

    raw: dict[str, Any]

    @property
    def rows(self) -> pd.DataFrame:
        """Every measured model, with AIN against the retrained model of the same request."""
        table = pd.DataFrame([{k: v for k, v in row.items() if k != "meta"} for row in self.raw["rows"]])
        table["request"] = table.classes.map(lambda cs: ",".join(map(str, cs)))
        gold = table[table.method == "retrained"].set_index(["profile", "seed", "request"])
        keys = list(zip(table.profile, table.seed, table.request))
        table["ain"] = [row.relearn_steps / gold.loc[key, "relearn_steps"] for key, (_, row) in zip(keys, table.iterrows())]
        return table

    def main(self) -> pd.DataFrame:
        """The main profile's single-class request, every seed."""
        t = self.rows
        return t[(t.profile == self.raw["main_profile"]) & (t.request == str(self.raw["forget_class"]))]

    def trajectory(self, method: str, seed: int | None = None) -> pd.DataFrame:
        t = self.main()
        row = t[(t.method == method) & (t.seed == (self.raw["seeds"][0] if seed is None else seed))].iloc[0]
        return pd.DataFrame(row.trajectory)

    def ain_table(self) -> pd.DataFrame:
        """AIN per method (first seed) for every α and relearning data measured."""
        t = self.main()
        t = t[t.seed == self.raw["seeds"][0]].set_index("method")
        out = []
        for method, row in t.iterrows():
            for key, run in row.relearn.items():
                data, alpha = key.split("|")
                gold = t.loc["retrained", "relearn"][key]["steps"]
                out.append({"method": method, "relearn_data": data, "alpha": float(alpha), "steps": run["steps"],
                            "reached": run["reached"], "gold_steps": gold, "ain": run["steps"] / gold})
        return pd.DataFrame(out)

    @property
    def ablations(self) -> pd.DataFrame:
        return pd.DataFrame(self.raw["ablations"])

    def longer_run(self) -> pd.DataFrame | None:
        """The trajectory of strict GKT run past the budget (first seed, ``plateau_pseudo_batches``); None where
        the profile has no such run or it failed."""
        run = self.raw.get("plateau")
        if not run or run.get("status") != "ok":
            return None
        return pd.DataFrame(run["trajectory"])

    def plateau(self, tolerance: float = 0.02) -> Plateau | None:
        """Whether the GKT budget is past the plateau of the student's retain accuracy (see :class:`Plateau`),
        from the longer run of the first seed; None where the profile has no such run (or it failed)."""
        longer = self.longer_run()
        return None if longer is None else Plateau.from_trajectory(longer, self.raw["budget"], tolerance)

    @property
    def meta(self) -> dict[str, Any]:
        return self.raw["meta"]


def parts(profile: str | Profile, seed: int, *, device: str | torch.device | None = "auto", data_dir: str | Path | None = None,
          cache: Cache | None = None) -> dict[str, list[Part]]:
    """Every cached entry of the chapter, by experiment: each (data/model setting, seed, method) of the
    single-class request, the two-class request, and the GKT ablations. ``seed`` offsets the study's seeds."""
    study = settings(get(profile).name)
    common = dict(device=device, data_dir=data_dir, cache=cache or Cache())
    seeds = tuple(seed + s for s in study.seeds)
    main_profile = study.profiles[0]
    single = (study.forget_class,)
    methods = [_method_entry(prof, study, s, single, method, detail=p_index == 0 and s == seeds[0], **common)
               for p_index, prof in enumerate(study.profiles) for s in (seeds if p_index == 0 else seeds[:1]) for method in METHODS]
    two = [_method_entry(main_profile, study, seeds[0], study.two_classes, method, detail=False, **common)
           for method in ("original", "retrained", "gkt_strict", "gkt_faithful", "emmn")]
    sweeps = [("threshold", t) for t in study.thresholds] + [("beta", b) for b in study.betas]
    ablations = [_ablation_entry(main_profile, study, seeds[0], single, parameter, value, **common) for parameter, value in sweeps]
    plateau = ([_ablation_entry(main_profile, study, seeds[0], single, "pseudo_batches", study.plateau_pseudo_batches,
                                role="gkt-plateau", **common)]
               if study.plateau_pseudo_batches else [])
    return {"methods": methods, "two_classes": two, "ablations": ablations, "plateau": plateau}


def _references(parts: list[Part], *, device, data_dir, cache: Cache) -> None:
    """Train (or find) every model that ``parts`` share: each request's original and retrained model and its judge."""
    requests = {(profile.name, seed, request.classes): (profile, seed, request.classes)
                for part in parts for profile, seed, request in part.references}
    with cpu_threads(device):
        for profile, seed, classes in requests.values():
            prepare(profile, seed, forget_classes=classes, device=device, data_dir=data_dir, cache=cache)
            prepare(profile, sub_seed(seed, "judge"), forget_classes=classes, device=device, data_dir=data_dir, cache=cache,
                    with_retrained=False)


def run(profile: str | Profile, seed: int, *, device: str | torch.device | None = "auto",
        data_dir: str | Path | None = None, cache: Cache | None = None, n_jobs: int | None = None) -> ZeroShotResult:
    """Run (or load from the cache) the zero-shot chapter's experiments for ``profile``; ``seed`` offsets the study's seeds.

    Missing entries are computed ``n_jobs`` at a time (default: one per CPU core; 1 on a GPU); the numbers do not depend on it.
    """
    name = get(profile).name
    study = settings(name)
    cache = cache or Cache()
    groups = parts(profile, seed, device=device, data_dir=data_dir, cache=cache)
    compute_all([part for group in groups.values() for part in group], cache, n_jobs=cpu_jobs(device) if n_jobs is None else n_jobs,
                prerequisites=partial(_references, device=device, data_dir=data_dir, cache=cache))
    rows = [{**part.get(cache), "profile": part.config["profile"]["name"]} for part in groups["methods"] + groups["two_classes"]]
    # the default setting appears in several sweeps under one configuration: label each row by the sweep asked for
    ablations = [{**part.get(cache), "parameter": parameter, "value": "none" if value is None else value}
                 for part, (parameter, value) in zip(groups["ablations"],
                                                     [("threshold", t) for t in study.thresholds] + [("beta", b) for b in study.betas])]
    seeds = tuple(seed + s for s in study.seeds)
    main_profile = study.profiles[0]
    meta = next((r["meta"] for r in rows if r["profile"] == main_profile.name), {})
    meta = {**meta, "study": name, "gkt": study.gkt.to_dict(), "emmn": study.emmn.to_dict(), "seeds": list(seeds)}
    plateau = [part.get(cache) for part in groups["plateau"]]
    return ZeroShotResult({"rows": rows, "ablations": ablations, "meta": meta, "main_profile": main_profile.name,
                           "forget_class": study.forget_class, "seeds": list(seeds), "budget": study.gkt.pseudo_batches,
                           "plateau": plateau[0] if plateau else None})
