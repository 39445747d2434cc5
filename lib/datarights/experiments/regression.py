"""Experiments of the deep regression unlearning chapter (05).

One *domain* (vision, text, tabular, forecasting) is a dataset, a forget rule on its target, a
network and the settings of every method (:mod:`datarights.settings.regression`). Every
(domain, seed) is one cached JSON entry under ``results/regression-domain/`` (and the ablations and
the AIN-bug study their own), so an interrupted run resumes, a GPU run can be split into parts
(:func:`parts`, :func:`run_part`) and the chapter executes from the stored rows in seconds.

Methods measured alike: the original model, the retrained gold model (the original's recipe on D_r
with val-retain), fine-tuning on D_r, Gaussian fine-tuning, Blindspot, and per domain optional
variants (Blindspot with the 2-D fix).
"""

from __future__ import annotations

import copy
import platform
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from datarights import unlearning
from datarights.cache import Cache
from datarights.data import regression as rdata
from datarights.experiments.measure import MEASURE_WORK
from datarights.experiments.runs import Part
from datarights.metrics import regression as rmetrics
from datarights.models import build
from datarights.settings.regression import Domain, RegressionStudy, settings
from datarights.tables import summarise
from datarights.train import (
    fit_regressor,
    loss_function,
    resolve_device,
    seed_everything,
    to_device,
)

RESULT_VERSION = 2  # 2: relearning draws only from its own seed (dropout included); the gold model relearned once per request
METHODS = ("original", "retrained", "finetune", "gaussian_finetune", "blindspot")
UNLEARNED = ("finetune", "gaussian_finetune", "blindspot")
HISTOGRAM_EDGES = np.linspace(0.0, 2.0, 31)  # relative prediction difference, x-axis limited to [0, 2] as in the authors' figure
CURVE_BINS = 12
CURVE_POINTS_KEPT = 400


# ---------------------------------------------------------------------------------------------
# data and models

def load_request(domain: Domain, data_dir: str | Path | None = None) -> tuple[rdata.RegressionSplits, dict[str, Any]]:
    """The domain's data divided by its forget rule, and the options its network needs (e.g. the vocabulary size)."""
    dataset = rdata.load_regression(domain.dataset, data_dir, **domain.data)
    meta: dict[str, Any] = {**dataset.counts, "source": dataset.source}
    train, val, test = dataset.parts
    if domain.forget_series is not None:
        masks = [dataset.entities[p] == domain.forget_series for p in ("train", "val", "test")]
        splits = rdata.mask_request(domain.dataset, train, val, test, masks, rule=f"every window of series {domain.forget_series}",
                                    loss=domain.loss, meta=meta)
    else:
        forget = domain.forget
        if domain.forget_quantile is not None:
            level = float(torch.quantile(rdata.target_summary(train.y).float(), domain.forget_quantile))
            forget = rdata.ForgetRange(high=level) if domain.forget_quantile < 0.5 else rdata.ForgetRange(low=level)
        splits = rdata.range_request(domain.dataset, train, val, test, forget, loss=domain.loss, unit=domain.unit, meta=meta)
    return splits, dict(dataset.model_options)


# The data part of every cache key; "stsb-dir" names the real STS-B-DIR files (as in results computed before).
_SOURCE_KEYS = {"stsb": "stsb-dir"}


def data_source(domain: Domain) -> str:
    """The name of the domain's data in cache keys."""
    return _SOURCE_KEYS.get(domain.dataset, domain.dataset)


def input_shape(data: rdata.Data) -> tuple[int, ...]:
    return tuple(int(s) for s in data.x.shape[1:])


def outputs(data: rdata.Data) -> int:
    return 1 if data.y.ndim == 1 else int(data.y.shape[1])


def _model_config(domain: Domain, seed: int, role: str, source: str) -> dict[str, Any]:
    return {"reference": domain.reference_settings(role), "source": source, "seed": seed, "role": role, "version": RESULT_VERSION}


def reference_models(domain: Domain, splits: rdata.RegressionSplits, options: dict[str, Any], seed: int, device: torch.device,
                     cache: Cache, source: str) -> tuple[nn.Module, nn.Module, dict[str, float]]:
    """The original model (all of D, full val) and the gold model (D_r, val-retain), same recipe and initial weights
    (as in the authors' code)."""
    def make() -> nn.Module:
        return to_device(build(domain.model, outputs(splits.train), input_shape(splits.train), seed=seed, **domain.model_options, **options),
                         device)  # channels-last on a GPU, loaded or trained

    seconds: dict[str, float] = {}

    def trainer(role: str, data: rdata.Data, val: rdata.Data):
        def train(model: nn.Module) -> nn.Module:
            start = time.perf_counter()
            fit_regressor(model, data, domain.original, val=val, loss=domain.loss, seed=seed, device=device)
            seconds[role] = time.perf_counter() - start
            return model
        return train

    original = cache.model("regression-original", _model_config(domain, seed, "original", source), make, trainer("original", splits.train, splits.val))
    gold = cache.model("regression-retrained", _model_config(domain, seed, "retrained", source), make,
                       trainer("retrained", splits.retain_train, splits.retain_val))
    for role, kind in (("original", "regression-original"), ("retrained", "regression-retrained")):
        if role not in seconds:
            seconds[role] = cache.model_meta(kind, _model_config(domain, seed, role, source)).get("seconds") or float("nan")
    return original.eval(), gold.eval(), seconds


def unlearn(domain: Domain, original: nn.Module, splits: rdata.RegressionSplits, seed: int,
            blindspot_changes: dict[str, Any] | None = None) -> dict[str, unlearning.UnlearningResult]:
    """Fine-tune, Gaussian fine-tuning, Blindspot and the domain's Blindspot variants, each from the original."""
    s = splits
    results = {
        "finetune": unlearning.finetune(original, retain=s.retain_train, config=unlearning.FinetuneConfig(domain.finetune, seed=seed),
                                        loss_fn=loss_function(domain.loss)),
        "gaussian_finetune": unlearning.gaussian_finetune(original, forget=s.forget_train, retain=s.retain_train,
                                                          config=replace(domain.gaussian, seed=seed)),
    }
    forms = {"blindspot": blindspot_changes or {}, **({} if blindspot_changes else domain.variants)}
    for name, changes in forms.items():
        results[name] = unlearning.blindspot(original, forget=s.forget_train, retain=s.retain_train,
                                             config=replace(domain.blindspot, seed=seed, **changes), val=s.retain_val)
    return results


# ---------------------------------------------------------------------------------------------
# measurements

def _error_curve(model: nn.Module, data: rdata.Data, loss: str, edges: np.ndarray) -> list[float]:
    errors = rmetrics.per_sample_errors(model, data, loss).numpy()
    bins = np.clip(np.digitize(rdata.target_summary(data.y.cpu()).numpy(), edges[1:-1]), 0, len(edges) - 2)
    return [float(errors[bins == b].mean()) if np.any(bins == b) else float("nan") for b in range(len(edges) - 1)]


def measure(name: str, model: nn.Module, gold: nn.Module, s: rdata.RegressionSplits, domain: Domain, *, seed: int,
            original_error: float, seconds: float, gold_relearn: rmetrics.RegressionGoldRelearn) -> dict[str, Any]:
    """Every number of one model: errors per split (per sample and mean of batch means), W1 to gold on
    train-forget, the regression MIA and the AIN (with its relearning curves; ``gold_relearn``: the gold
    model's relearning, measured once for the request)."""
    loss = domain.loss
    row: dict[str, Any] = {"method": name, "seconds": seconds}
    for split in ("retain_train", "forget_train", "retain_test", "forget_test", "retain_val", "forget_val"):
        row[split] = rmetrics.regression_error(model, getattr(s, split), loss)
    for split in ("retain_test", "forget_test"):
        row[f"{split}_batch_means"] = rmetrics.regression_error(model, getattr(s, split), loss, per_batch=256)
    row["w1_to_gold"] = rmetrics.wasserstein_to(model, gold, s.forget_train)
    mia = rmetrics.regression_mia(model, train=s.train, test=s.test, targets=s.forget_train, samples=domain.mia_samples, seed=seed)
    row.update(mia=mia.score, mia_attack_accuracy=mia.attack_train_accuracy, mia_n=mia.n_members)
    ain = rmetrics.regression_ain(model, gold_relearn, original_error=original_error, relearn=s.train, evaluate_on=s.forget_val,
                                  config=replace(domain.relearn, seed=seed))
    row.update(ain=ain.index, relearn_steps=ain.steps_unlearned, gold_relearn_steps=ain.steps_gold, relearn_reached=ain.reached_unlearned,
               relearn_threshold=ain.threshold, relearn_curve=list(ain.curve_unlearned[:CURVE_POINTS_KEPT]),
               gold_relearn_curve=list(ain.curve_gold[:CURVE_POINTS_KEPT]))
    return row


def _require_gpu(requires_gpu: bool, device: torch.device, what: str) -> None:
    if requires_gpu and device.type != "cuda":
        raise RuntimeError(f"the full profile trains {what} at the papers' settings and needs a GPU; its committed results (results/) "
                           "are used when present, but these are missing for this configuration. Run them on a GPU "
                           "(`python -m datarights gpu`, see the running page) or use profile='quick'.")


def _domain_run(domain: Domain, seed: int, *, device: torch.device, data_dir, cache: Cache, requires_gpu: bool = False) -> Part:
    config = {"domain": domain.to_dict(), "source": data_source(domain), "seed": seed, "version": RESULT_VERSION}

    def compute() -> dict[str, Any]:
        _require_gpu(requires_gpu, device, f"the {domain.name} domain")
        seed_everything(seed)
        splits, options = load_request(domain, data_dir)
        splits = splits.to(device)
        original, gold, seconds = reference_models(domain, splits, options, seed, device, cache, config["source"])
        results = unlearn(domain, original, splits, seed)
        models = {"original": original, "retrained": gold, **{k: r.model for k, r in results.items()}}
        seconds.update({k: r.seconds for k, r in results.items()})
        original_error = rmetrics.regression_error(original, splits.forget_val, domain.loss)
        gold_relearn = rmetrics.RegressionGoldRelearn.measure(gold, original_error=original_error, relearn=splits.train,
                                                             evaluate_on=splits.forget_val, config=replace(domain.relearn, seed=seed))
        rows = [measure(name, model, gold, splits, domain, seed=seed, original_error=original_error, seconds=seconds[name],
                        gold_relearn=gold_relearn) for name, model in models.items()]
        for row in rows:
            extra = results.get(row["method"])
            if extra is not None and "proxy" in extra.extra:
                proxy = extra.extra["proxy"]
                row.update(proxy_seconds=extra.extra["proxy_seconds"], unlearn_seconds=extra.extra["unlearn_seconds"],
                           proxy_retain_test=rmetrics.regression_error(proxy, splits.retain_test, domain.loss),
                           proxy_forget_test=rmetrics.regression_error(proxy, splits.forget_test, domain.loss))
        targets = rdata.target_summary(splits.test.y.cpu()).numpy()
        edges = np.linspace(float(targets.min()), float(targets.max()), CURVE_BINS + 1)
        curves = {name: _error_curve(model, splits.test, domain.loss, edges) for name, model in models.items()}
        histograms = {name: np.histogram(np.clip(rmetrics.relative_difference(model, gold, splits.forget_train), 0, 2),
                                         bins=HISTOGRAM_EDGES)[0].tolist()
                      for name, model in models.items() if name != "retrained"}
        return {"domain": domain.name, "seed": seed, "rows": rows,
                "curve": {"edges": edges.tolist(), "errors": curves},
                "histogram": {"edges": HISTOGRAM_EDGES.tolist(), "counts": histograms},
                "gaussian_labels": results["gaussian_finetune"].extra["labels"].reshape(-1)[:500].tolist(),
                "meta": {**splits.describe(), "domain": domain.name, "model": domain.model, "seed": seed, "device": str(device),
                         "torch": torch.__version__, "python": platform.python_version(), "loss": domain.loss,
                         "target_name": domain.target_name, "source_key": config["source"],
                         "original_val_forget_error": original_error}}

    methods = 3 + len(domain.variants)
    # the original is shared with domains that differ only in what they forget: the planner counts it once
    shared = (("regression-original", _model_config(domain, seed, "original", config["source"]), float(domain.original.epochs)),)
    work = (domain.original.epochs + domain.finetune.epochs + domain.gaussian.epochs
            + methods * (domain.blindspot.proxy.epochs + domain.blindspot.epochs) + (2 + methods) * MEASURE_WORK
            + (3 + methods) * domain.relearn.max_epochs)  # every model relearns, and the gold model once more for the AIN
    return Part("05", f"regression {domain.name}, seed {seed}", "regression-domain", config, compute, (), work, shared=shared)


def _layer_sets(layers: list[str]) -> dict[str, list[str]]:
    half = max(1, len(layers) // 2)
    return {"all": layers, "early": layers[:half], "late": layers[half:]}


def _ablation(study: RegressionStudy, seed: int, *, device: torch.device, data_dir, cache: Cache) -> Part:
    domain = study.domain(study.ablation.domain)
    config = {"domain": domain.to_dict(), "source": data_source(domain), "ablation": study.ablation.to_dict(), "seed": seed,
              "version": RESULT_VERSION}

    def compute() -> dict[str, Any]:
        _require_gpu(study.requires_gpu, device, "the ablations")
        seed_everything(seed)
        splits, options = load_request(domain, data_dir)
        s = splits.to(device)
        original, gold, _ = reference_models(domain, s, options, seed, device, cache, config["source"])
        from datarights.models.regression import activation_layers

        sets = _layer_sets(activation_layers(original))
        grid = ([("beta", b, {"beta": b}) for b in study.ablation.betas]
                + [("proxy_epochs", e, {"proxy": replace(domain.blindspot.proxy, epochs=e)}) for e in study.ablation.proxy_epochs]
                + [("layers", name, {"layers": tuple(sets[name])}) for name in study.ablation.layer_sets])
        rows = []
        for parameter, value, changes in grid:
            result = unlearning.blindspot(original, forget=s.forget_train, retain=s.retain_train,
                                          config=replace(domain.blindspot, seed=seed, **changes), val=s.retain_val)
            rows.append({"parameter": parameter, "value": value, "seconds": result.seconds,
                         "retain_test": rmetrics.regression_error(result.model, s.retain_test, domain.loss),
                         "forget_test": rmetrics.regression_error(result.model, s.forget_test, domain.loss),
                         "w1_to_gold": rmetrics.wasserstein_to(result.model, gold, s.forget_train),
                         "mia": rmetrics.regression_mia(result.model, train=s.train, test=s.test, targets=s.forget_train,
                                                        samples=domain.mia_samples, seed=seed).score})
        reference = {name: {"retain_test": rmetrics.regression_error(m, s.retain_test, domain.loss),
                            "forget_test": rmetrics.regression_error(m, s.forget_test, domain.loss)}
                     for name, m in (("original", original), ("retrained", gold))}
        return {"rows": rows, "reference": reference, "layer_sets": {k: sets[k] for k in study.ablation.layer_sets}}

    runs = len(study.ablation.betas) + len(study.ablation.proxy_epochs) + len(study.ablation.layer_sets)
    work = 2 * domain.original.epochs + runs * (domain.blindspot.proxy.epochs + domain.blindspot.epochs + MEASURE_WORK)
    return Part("05", f"regression ablations ({domain.name}), seed {seed}", "regression-ablation", config, compute, (), work)


def _ain_bug(study: RegressionStudy, seed: int, *, device: torch.device, data_dir, cache: Cache) -> Part:
    """The authors' notebook calls ``ain`` for fine-tune, Gaussian and Blindspot in turn with one gold
    model that each call relearns in place (their ``metrics.py``, ``relearn_time()``); beside it the fixed metric on fresh
    copies."""
    domain = study.domain(study.ain_bug_domain)
    config = {"domain": domain.to_dict(), "source": data_source(domain), "seed": seed, "version": RESULT_VERSION}

    def compute() -> dict[str, Any]:
        _require_gpu(study.requires_gpu, device, "the AIN study")
        seed_everything(seed)
        splits, options = load_request(domain, data_dir)
        s = splits.to(device)
        original, gold, _ = reference_models(domain, s, options, seed, device, cache, config["source"])
        unlearned = {k: r.model for k, r in unlearn(domain, original, s, seed).items() if k in UNLEARNED}
        original_error = rmetrics.regression_error(original, s.forget_val, domain.loss)
        relearn_config = replace(domain.relearn, seed=seed)
        rows = []
        shared_gold = copy.deepcopy(gold)  # the notebook's gold model, relearned a little more by every call
        for name in UNLEARNED:
            for mode, inplace, reference in (("fixed", False, gold), ("authors", True, shared_gold)):
                model = copy.deepcopy(unlearned[name]) if inplace else unlearned[name]
                ain = rmetrics.regression_ain(model, reference, original_error=original_error, relearn=s.train, evaluate_on=s.forget_val,
                                              config=relearn_config, inplace=inplace)
                rows.append({"method": name, "mode": mode, "ain": ain.index, "steps_unlearned": ain.steps_unlearned,
                             "steps_gold": ain.steps_gold})
        return {"rows": rows}

    domain = study.domain(study.ain_bug_domain)
    work = 2 * domain.original.epochs + 6 * (domain.relearn.max_epochs + MEASURE_WORK)
    return Part("05", f"regression AIN bug study ({domain.name}), seed {seed}", "regression-ain-bug", config, compute, (), work)


# ---------------------------------------------------------------------------------------------
# results

@dataclass(frozen=True)
class RegressionResult:
    """The chapter's numbers: per domain and seed one row per method, plus curves, ablations and the AIN study."""

    raw: dict[str, Any]

    def table(self, domain: str) -> pd.DataFrame:
        """One row per (seed, method) of ``domain``."""
        return pd.DataFrame([{**row, "seed": run["seed"]} for run in self.raw["domains"][domain] for row in run["rows"]])

    def summary(self, domain: str, columns: list[str]) -> pd.DataFrame:
        """Mean and standard deviation over seeds, per method (in the chapter's method order)."""
        table = self.table(domain)
        return summarise(table, columns)

    def runs(self, domain: str) -> list[dict[str, Any]]:
        return self.raw["domains"][domain]

    @property
    def domains(self) -> list[str]:
        return list(self.raw["domains"])

    @property
    def ablation(self) -> pd.DataFrame:
        return pd.DataFrame(self.raw["ablation"]["rows"])

    @property
    def ain_bug(self) -> pd.DataFrame:
        return pd.DataFrame(self.raw["ain_bug"]["rows"])

    def meta(self, domain: str) -> dict[str, Any]:
        return self.raw["domains"][domain][0]["meta"]

    def against_reported(self, item: Any) -> float:
        """Our number for a reported item of ``reported.REGRESSION`` (mean over seeds; NaN where we have none):
        the AgeDB notebook's numbers against the vision domain, the STS-B notebook's against the text domain."""
        domain = "vision" if item.source.startswith("AgeDB") else "text"
        method, _, quantity = item.quantity.partition(" ")
        column = REPORTED_COLUMNS[quantity]
        if domain not in self.raw["domains"]:
            return float("nan")
        rows = self.table(domain)
        rows = rows[rows.method == method]
        return float(rows[column].mean()) if not rows.empty else float("nan")


# reported quantity → our column (errors as the notebooks print them: means of batch means)
REPORTED_COLUMNS = {"test-retain error": "retain_test_batch_means", "test-forget error": "forget_test_batch_means",
                    "W1 to gold": "w1_to_gold", "MIA": "mia", "AIN": "ain"}


def parts(profile: str, seed: int, *, device: str | torch.device | None = "auto", data_dir: str | Path | None = None,
          cache: Cache | None = None) -> dict[str, list[Part]]:
    """Every cached entry of the chapter, by experiment: one per (domain, seed), the ablations, the AIN-bug study;
    ``seed`` shifts every domain's seeds."""
    study = settings(profile)
    common = dict(device=resolve_device(device), data_dir=data_dir, cache=cache or Cache())
    return {"domains": [_domain_run(d, seed + s, requires_gpu=study.requires_gpu, **common) for d in study.domains for s in d.seeds],
            "ablation": [_ablation(study, seed, **common)], "ain_bug": [_ain_bug(study, seed, **common)]}


def run(profile: str, seed: int, *, device: str | torch.device | None = "auto", data_dir: str | Path | None = None,
        cache: Cache | None = None) -> RegressionResult:
    """Run (or read from the cache) every experiment of the chapter under ``profile``; ``seed`` shifts every domain's seeds."""
    cache = cache or Cache()
    groups = parts(profile, seed, device=device, data_dir=data_dir, cache=cache)
    domains: dict[str, list[dict[str, Any]]] = {}
    for part in groups["domains"]:
        entry = part.get(cache)
        domains.setdefault(entry["domain"], []).append(entry)
    return RegressionResult({"domains": domains, "ablation": groups["ablation"][0].get(cache), "ain_bug": groups["ain_bug"][0].get(cache)})
