"""Experiments of the UNSIR chapter (``vikram2000b/Fast-Machine-Unlearning``; issue "Chapter: UNSIR").

Every forget request (one class, several classes, the notebook's airplane + bird) runs the
original and retrained models, the three foundation baselines and UNSIR in three forms (the
paper's, the authors' code, impair without noise), each measured alike. Single-class requests
get every measurement (accuracies, both membership attacks, relearn time); the multi-class and
notebook requests, which the chapter reads for accuracies and times only, get the accuracies,
which keeps the chapter within its CPU budget. The sensitivity sweeps vary one UNSIR setting at a
time, and the quirk factorial applies every combination of the notebook's three departures. Each
request, sweep and factorial is cached as its own JSON entry, so an interrupted run resumes where
it stopped and the chapter executes from the stored rows.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass, replace
from pathlib import Path
from itertools import combinations
from typing import Any, Literal

import numpy as np
import pandas as pd
import torch

from datarights import unlearning
from datarights.cache import Cache
from datarights.data import ForgetRequest
from datarights.experiments.measure import MEASURE_WORK, core_row, relearn_target, shared_baselines
from datarights.experiments.runs import Part
from datarights.experiments.setup import BASELINES, Setup, prepare
from datarights.metrics import (
    layer_distances,
    prediction_distribution,
    split_accuracies,
)
from datarights.profiles import get
from datarights.settings.common import Profile
from datarights.settings.unsir import UNSIRStudy, settings
from datarights.tables import summarise
from datarights.unlearning import UNSIRConfig
from datarights.unlearning.unsir import QUIRKS

RESULT_VERSION = 2
UNSIR_FORMS: dict[str, dict[str, Any]] = {
    "unsir": {},
    "unsir_code": {"variant": "code"},
    "unsir_no_noise": {"use_noise": False},
}
METHODS = ("original", "retrained", *BASELINES, *UNSIR_FORMS)
NOISE_IMAGES_KEPT = 6  # noise images per class stored for the figure
SENSITIVITY_FORMS = ("unsir", "unsir_no_noise")
Measures = Literal["all", "accuracies"]


@dataclass(frozen=True)
class UNSIRResult:
    """The chapter's numbers; every table is long-form (one row per request × method or setting)."""

    raw: dict[str, Any]

    def _rows(self, part: str) -> pd.DataFrame:
        return pd.DataFrame([{**row, "request": request["label"], "group": request["group"]}
                             for request in self.raw[part] for row in request["rows"]])

    @property
    def single(self) -> pd.DataFrame:
        """One row per (forgotten class, method)."""
        return self._rows("single")

    @property
    def multi(self) -> pd.DataFrame:
        """One row per (multi-class request, method)."""
        return self._rows("multi")

    @property
    def notebook(self) -> pd.DataFrame:
        """The notebook's request (airplane + bird) on this profile's models, and on the notebook's recipe when run."""
        return self._rows("notebook")

    @property
    def sensitivity(self) -> pd.DataFrame:
        return pd.DataFrame([row for sweep in self.raw["sensitivity"] for row in sweep["rows"]])

    @property
    def quirks(self) -> pd.DataFrame:
        """The quirk factorial: one row per (class, combination of quirks), with a boolean column per quirk."""
        table = pd.DataFrame([row for factorial in self.raw["quirks"] for row in factorial["rows"]])
        for quirk in QUIRKS:
            table[quirk] = table["quirks"].map(lambda combo, q=quirk: q in combo)
        table["quirks"] = table["quirks"].map(lambda combo: " + ".join(q.replace("_", " ") for q in combo) or "none (the paper's form)")
        return table

    def noise(self) -> dict[int, np.ndarray]:
        """A few learned noise images per class (single-class requests), in the normalised input space."""
        return {int(r["label"]): np.asarray(r["noise"][r["label"]]) for r in self.raw["single"]}

    def noise_loss(self) -> dict[int, list[float]]:
        """The noise objective after each step, per class (single-class requests)."""
        return {int(r["label"]): r["noise_loss"][r["label"]] for r in self.raw["single"]}

    def summary(self, table: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
        """Mean, standard deviation and count over the requests of ``table``, per method."""
        return summarise(table, columns)

    def against_reported(self, quantity: str, form: str) -> float:
        """Our number for a reported ``quantity`` (a quantity of ``reported.UNSIR``), with UNSIR in ``form``
        (``"unsir"`` or ``"unsir_code"``): the notebook's request for the notebook's numbers (on the
        notebook's recipe when it ran), the mean over single-class requests for the others; NaN where
        this run has no such number."""
        if quantity not in REPORTED_COLUMNS:
            raise ValueError(f"unknown quantity={quantity!r}; known: {sorted(REPORTED_COLUMNS)}")
        part, method, column, scale = REPORTED_COLUMNS[quantity]
        if part == "notebook":
            table = self.notebook
            table = table[table.group == table.group.iloc[-1]]
        else:
            table = self.single
        rows = table[table.method == (form if method == "form" else method)]
        if column not in rows or rows.empty:
            return float("nan")
        return scale * float(rows[column].mean())

    @property
    def meta(self) -> dict[str, Any]:
        return self.raw["meta"]


# reported quantity → (part of the result, method or "form", column, scale): see UNSIRResult.against_reported
REPORTED_COLUMNS: dict[str, tuple[str, str, str, float]] = {
    "original test accuracy": ("notebook", "original", "test", 100.0),
    "Df accuracy after impair": ("notebook", "form", "impaired_forget_test", 100.0),
    "Dr accuracy after impair": ("notebook", "form", "impaired_retain_test", 100.0),
    "Df accuracy after repair": ("notebook", "form", "forget_test", 100.0),
    "Dr accuracy after repair": ("notebook", "form", "retain_test", 100.0),
    "noise seconds (both classes)": ("notebook", "form", "seconds_noise", 1.0),
    "impair seconds": ("notebook", "form", "seconds_impair", 1.0),
    "repair seconds": ("notebook", "form", "seconds_repair", 1.0),
    "UNSIR Dr accuracy": ("single", "form", "retain_test", 100.0),
    "UNSIR Df accuracy": ("single", "form", "forget_test", 100.0),
    "retrained Dr accuracy": ("single", "retrained", "retain_test", 100.0),
    "retrained Df accuracy": ("single", "retrained", "forget_test", 100.0),
    "UNSIR Df accuracy (bad-teaching repo's UNSIR)": ("single", "form", "forget_test", 100.0),
    "UNSIR Dr accuracy (bad-teaching repo's UNSIR)": ("single", "form", "retain_test", 100.0),
}


def _unsir_config(study: UNSIRStudy, seed: int, **changes: Any) -> UNSIRConfig:
    return replace(study.config, seed=seed, **changes)


def _unlearn(setup: Setup, study: UNSIRStudy) -> dict[str, unlearning.UnlearningResult]:
    s = setup.splits
    results = {}
    for name in BASELINES:
        results[name] = setup.baseline(name)
    for name, changes in UNSIR_FORMS.items():
        results[name] = unlearning.unsir(setup.original, retain=s.retain_train, forget_classes=s.forget_classes,
                                         config=_unsir_config(study, setup.seed, **changes))
    return results


def _model_row(name: str, model: torch.nn.Module, setup: Setup, target: float, seconds: float,
               attacks: tuple[str, ...], measure: Measures) -> dict[str, Any]:
    s = setup.splits
    row = core_row(model, setup, target, attacks)[0] if measure == "all" else split_accuracies(model, s)
    return {
        "method": name, **row, "seconds": seconds,
        "forget_predictions": prediction_distribution(model, s.forget_test, s.num_classes).tolist(),
        "layer_distance": list(layer_distances(model, setup.original).items()),  # a list: JSON keys would be sorted
    }


def _request(profile: Profile, study: UNSIRStudy, seed: int, classes: tuple[int, ...], group: str, *, device, data_dir,
             cache: Cache, measure: Measures = "all") -> Part:
    """One forget request; ``measure="accuracies"`` skips the membership attacks and the relearn time."""
    config = {"profile": profile.to_dict(), "unsir": study.config.to_dict(), "seed": seed, "classes": list(classes),
              "mia_attacks": list(study.mia_attacks), "version": RESULT_VERSION}
    if measure != "all":
        config["measure"] = measure

    def compute() -> dict[str, Any]:
        setup = prepare(profile, seed, forget_classes=classes, device=device, data_dir=data_dir, cache=cache)
        target = relearn_target(setup) if measure == "all" else float("nan")
        results = _unlearn(setup, study)
        attacks = study.mia_attacks
        rows = [_model_row(name, getattr(setup, name), setup, target, setup.seconds[name], attacks, measure)
                for name in ("original", "retrained")]
        for name, result in results.items():
            row = _model_row(name, result.model, setup, target, result.seconds, attacks, measure)
            if "impaired" in result.extra:
                impaired = split_accuracies(result.extra["impaired"], setup.splits)
                row.update({f"impaired_{k}": v for k, v in impaired.items()})
                row.update({f"seconds_{k}": v for k, v in result.extra["step_seconds"].items()})
                row.update(n_impair=result.extra["n_impair"], n_noise_in_impair=result.extra["n_noise_in_impair"],
                           n_retain_subset=result.extra["n_retain_subset"])
            rows.append(row)
        if measure == "all":
            gold_steps = rows[1]["relearn_steps"]
            for row in rows:
                row["ain"] = row["relearn_steps"] / gold_steps
        paper = results["unsir"].extra
        return {
            "label": ",".join(map(str, classes)), "group": group, "classes": list(classes), "rows": rows,
            "noise": {str(c): np.round(n[:NOISE_IMAGES_KEPT].numpy(), 3).tolist() for c, n in paper["noise"].items()},
            "noise_loss": {str(c): losses for c, losses in paper["noise_loss"].items()},
            "meta": {**setup.describe(), "class_names": list(setup.splits.train.classes), "python": platform.python_version()},
        }

    request = ForgetRequest("class", classes=tuple(classes))
    work = len(METHODS) * (MEASURE_WORK if measure == "all" else 0.3)
    return Part("02", f"UNSIR request {group} {','.join(map(str, classes))} ({profile.name}, seed {seed})", "unsir-request", config,
                compute, ((profile, seed, request),), work, shared=shared_baselines(profile, seed, request))


def _sweeps(study: UNSIRStudy) -> list[tuple[str, float, dict[str, Any]]]:
    impair = study.config.impair
    return (
        [("impair_lr", impair.lr * f, {"impair": replace(impair, lr=impair.lr * f)}) for f in study.impair_lr_factors]
        + [("retain_per_class", k, {"retain_per_class": k}) for k in study.retain_per_class]
        + [("noise_penalty", lam, {"noise_penalty": lam}) for lam in study.noise_penalties]
    )


def _sensitivity(profile: Profile, study: UNSIRStudy, seed: int, forget_class: int, *, device, data_dir,
                 cache: Cache) -> Part:
    config = {"profile": profile.to_dict(), "study": study.to_dict(), "seed": seed, "class": forget_class,
              "version": RESULT_VERSION}

    def compute() -> dict[str, Any]:
        setup = prepare(profile, seed, forget_classes=(forget_class,), device=device, data_dir=data_dir, cache=cache)
        s, rows = setup.splits, []
        for parameter, value, changes in _sweeps(study):
            for form in SENSITIVITY_FORMS:
                if parameter == "noise_penalty" and form == "unsir_no_noise":
                    continue  # λ only acts on the noise
                result = unlearning.unsir(setup.original, retain=s.retain_train, forget_classes=s.forget_classes,
                                          config=_unsir_config(study, seed, **UNSIR_FORMS[form], **changes))
                after, impaired = split_accuracies(result.model, s), split_accuracies(result.extra["impaired"], s)
                rows.append({"parameter": parameter, "value": value, "method": form, "class": forget_class,
                             "retain_test": after["retain_test"], "forget_test": after["forget_test"],
                             "impaired_retain_test": impaired["retain_test"], "impaired_forget_test": impaired["forget_test"],
                             "seconds": result.seconds})
        return {"class": forget_class, "rows": rows}

    runs = len(_sweeps(study)) * len(SENSITIVITY_FORMS)
    return Part("02", f"UNSIR sensitivity, class {forget_class} ({profile.name}, seed {seed})", "unsir-sensitivity", config, compute,
                ((profile, seed, ForgetRequest("class", classes=(forget_class,))),), runs * 0.5)


def quirk_combinations() -> list[tuple[str, ...]]:
    """Every subset of the notebook's quirks (``unsir.QUIRKS``), from none (the paper's form) to all three."""
    return [combo for k in range(len(QUIRKS) + 1) for combo in combinations(QUIRKS, k)]


def _quirks(profile: Profile, study: UNSIRStudy, seed: int, forget_class: int, *, device, data_dir, cache: Cache) -> Part:
    config = {"profile": profile.to_dict(), "unsir": study.config.to_dict(), "seed": seed, "class": forget_class,
              "quirks": [list(c) for c in quirk_combinations()], "version": RESULT_VERSION}

    def compute() -> dict[str, Any]:
        setup = prepare(profile, seed, forget_classes=(forget_class,), device=device, data_dir=data_dir, cache=cache)
        s, rows = setup.splits, []
        for combo in quirk_combinations():
            result = unlearning.unsir(setup.original, retain=s.retain_train, forget_classes=s.forget_classes,
                                      config=_unsir_config(study, seed, quirks=combo))
            after = split_accuracies(result.model, s)
            rows.append({"class": forget_class, "quirks": list(combo), "forget_test": after["forget_test"],
                         "retain_test": after["retain_test"], "seconds": result.seconds})
        return {"class": forget_class, "rows": rows}

    return Part("02", f"UNSIR quirk factorial, class {forget_class} ({profile.name}, seed {seed})", "unsir-quirks", config, compute,
                ((profile, seed, ForgetRequest("class", classes=(forget_class,))),), len(quirk_combinations()) * 0.5)


def parts(profile: str | Profile, seed: int, *, device: str | torch.device | None = "auto", data_dir: str | Path | None = None,
          cache: Cache | None = None) -> dict[str, list[Part]]:
    """Every cached entry of the chapter for ``profile`` and ``seed``, by experiment, in the chapter's order."""
    profile = get(profile)
    chosen = settings(profile.name)
    common = dict(device=device, data_dir=data_dir, cache=cache or Cache())
    accuracies: dict[str, Any] = {**common, "measure": "accuracies"}
    notebook = [_request(profile, chosen, seed, chosen.notebook_pair, profile.name, **accuracies)]
    if chosen.notebook_profile is not None:
        recipe = chosen.notebook_profile
        notebook.append(_request(recipe, chosen, seed, chosen.notebook_pair, recipe.name, **accuracies))
    return {
        "single": [_request(profile, chosen, seed, (c,), "single", **common) for c in chosen.classes],
        "multi": [_request(profile, chosen, seed, tuple(cs), f"{len(cs)} classes", **accuracies) for cs in chosen.multi_class],
        "notebook": notebook,
        "sensitivity": [_sensitivity(profile, chosen, seed, c, **common) for c in chosen.sensitivity_classes],
        "quirks": [_quirks(profile, chosen, seed, c, **common) for c in chosen.sensitivity_classes],
    }


def run(profile: str | Profile, seed: int, *, device: str | torch.device | None = "auto",
        data_dir: str | Path | None = None, cache: Cache | None = None) -> UNSIRResult:
    """Run (or load from the cache) every experiment of the UNSIR chapter for ``profile`` and ``seed``."""
    cache = cache or Cache()
    computed = {name: [part.get(cache) for part in group]
                for name, group in parts(profile, seed, device=device, data_dir=data_dir, cache=cache).items()}
    config = settings(get(profile).name).config
    meta = {**computed["single"][0]["meta"], "forget_classes": list(settings(get(profile).name).classes), "unsir": config.to_dict()}
    return UNSIRResult({**computed, "meta": meta})
