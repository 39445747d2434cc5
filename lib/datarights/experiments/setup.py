"""What every unlearning experiment starts from: data, splits, original and retrained models.

``prepare(profile, seed)`` loads the profile's dataset onto the device, divides it by the
forget request, and trains (or loads from the cache) the original model on D and the
retrained gold model on D_r, so that every chapter works from the same trained models.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import torch
from torch import nn

from datarights import data as datasets
from datarights import models
from datarights.cache import Cache
from datarights.profiles import get
from datarights.settings.common import Profile
from datarights.train import fit, resolve_device, seed_everything, to_device
from datarights.unlearning import METHODS, RetrainConfig, UnlearningResult, retrain

BASELINES = ("finetune", "neggrad", "random_labels")


@dataclass
class Setup:
    """The data and the two reference models of one (profile, seed, forget request)."""

    profile: Profile
    seed: int
    device: torch.device
    splits: datasets.UnlearningSplits
    original: nn.Module
    retrained: nn.Module | None
    seconds: dict[str, float]
    cache: Cache
    request: datasets.ForgetRequest | None = None

    def fresh_model(self, seed: int) -> nn.Module:
        """A randomly initialised network of the profile's architecture (e.g. ZRF's incompetent teacher)."""
        shape = self.splits.train.input_shape
        return to_device(models.build(self.profile.model, self.splits.num_classes, shape, seed=seed, **self.profile.model_options), self.device)

    def baseline(self, method: str, config: Any | None = None) -> UnlearningResult:
        """Baseline ``method`` (fine-tune, NegGrad, random labels) run from the original on this request with
        ``config`` (default: the profile's, at this seed): trained once and cached like the reference models, so
        chapters 01, 02, 03 and 06, which all measure the same baselines, share one model each. Its ``extra``
        is empty; ``seconds`` is the training time, stored with the model when it was read from the cache."""
        if method not in BASELINES:
            raise ValueError(f"method={method!r} is not a baseline; baselines: {list(BASELINES)}")
        config = baseline_settings(self.profile, method, self.seed) if config is None else config
        s, request = self.splits, self.request or datasets.ForgetRequest("class", classes=tuple(s.forget_classes))
        key = baseline_config(self.profile, self.seed, request, method, config)
        seconds: dict[str, float] = {}

        def train(_: nn.Module) -> nn.Module:
            result = METHODS[method](self.original, forget=s.forget_train, retain=s.retain_train, config=config)
            seconds[method] = result.seconds
            return result.model

        model = self.cache.model("baseline", key, lambda: self.fresh_model(self.seed), train)
        if method not in seconds:
            seconds[method] = self.cache.model_meta("baseline", key).get("seconds", float("nan"))
        return UnlearningResult(method, model, seconds[method], {})

    def describe(self) -> dict[str, Any]:
        s = self.splits
        return {
            "profile": self.profile.name, "seed": self.seed, "device": str(self.device), "dataset": s.dataset,
            "model": self.profile.model, "forget_classes": list(s.forget_classes), "request_kind": s.kind,
            "forget_subclasses": list(s.forget_subclasses), "superclasses": s.superclasses, "class_names": list(s.train.classes),
            "n_train": len(s.train), "n_test": len(s.test), "n_forget_train": len(s.forget_train),
            "n_retain_train": len(s.retain_train), "n_forget_test": len(s.forget_test), "n_retain_test": len(s.retain_test),
            "torch": torch.__version__,
        }


def load_splits(profile: Profile, request: datasets.ForgetRequest, data_dir: str | Path | None,
                device: torch.device) -> datasets.UnlearningSplits:
    dataset = datasets.load(profile.dataset, data_dir)
    dataset = dataset.per_class_subset(profile.train_per_class, profile.test_per_class).to(device)
    return request.split(dataset)


def baseline_settings(profile: Profile, method: str, seed: int) -> Any:
    """The settings of baseline ``method`` under ``profile`` (the profile's own), at ``seed``."""
    return replace(getattr(profile, method), seed=seed)


def baseline_config(profile: Profile, seed: int, request: datasets.ForgetRequest, method: str, config: Any) -> dict[str, Any]:
    """The cache key of a baseline's model (see ``Setup.baseline``)."""
    # the original's key leaves out the request (it is trained on all of D); the baseline depends on it
    return {"original": model_config(profile, seed, request, "original"), "request": request.to_dict(), "method": method,
            "config": config.to_dict()}


def model_config(profile: Profile, seed: int, request: datasets.ForgetRequest, role: str) -> dict[str, Any]:
    """The cache key of a reference model: everything that determines its weights.

    Class requests keep the keys they always had, so models cached before other request kinds
    existed stay valid.
    """
    config = {"dataset": profile.dataset, "model": profile.model, "train": profile.train.to_dict(), "seed": seed,
              "train_per_class": profile.train_per_class, "test_per_class": profile.test_per_class}
    if profile.model_options:
        config["model_options"] = dict(profile.model_options)
    if request.labels is not None:
        config["labels"] = request.labels
    if role == "retrained":
        if request.kind == "class":
            config["forget_classes"] = list(request.classes)
        else:
            config["request"] = request.to_dict()
    return config


def prepare(profile: str | Profile, seed: int, *, forget_classes: tuple[int, ...] | None = None,
            request: datasets.ForgetRequest | None = None, device: str | torch.device | None = "auto",
            data_dir: str | Path | None = None, cache: Cache | None = None, with_retrained: bool = True) -> Setup:
    """Data, splits, original and retrained models for ``profile`` and ``seed`` (trained once, then cached).

    The forget request is ``request`` (class, sub-class or random), else the classes
    ``forget_classes``, else the profile's default class. ``with_retrained=False`` trains only the
    original (``Setup.retrained`` is then None), for a model that is only needed as a judge.
    """
    if request is not None and forget_classes is not None:
        raise ValueError("pass either forget_classes or request, not both")
    profile = get(profile)
    device = resolve_device(device)
    if profile.requires_gpu and device.type != "cuda":
        raise RuntimeError(
            f"the {profile.name!r} profile trains {profile.model} on {profile.dataset} and needs a GPU; its committed results "
            "(results/) are used when present, but these are missing for this configuration. Run on a GPU "
            "(see README, 'Full profile on a GPU') or use profile='quick'."
        )
    cache = cache or Cache()
    if request is None:
        classes = tuple(forget_classes) if forget_classes is not None else (profile.forget_class,)
        request = datasets.ForgetRequest("class", classes=classes)
    seed_everything(seed)
    splits = load_splits(profile, request, data_dir, device)
    shape, k = splits.train.input_shape, splits.num_classes

    def make() -> nn.Module:
        return to_device(models.build(profile.model, k, shape, seed=seed, **profile.model_options), device)  # channels-last on a GPU, loaded or trained

    seconds: dict[str, float] = {}

    def train_original(model: nn.Module) -> nn.Module:
        start = time.perf_counter()
        fit(model, splits.train, profile.train, seed=seed, device=device, desc="original")
        seconds["original"] = time.perf_counter() - start
        return model

    original = cache.model("original", model_config(profile, seed, request, "original"), make, train_original)
    retrained = None
    if with_retrained:
        retrained, seconds["retrained"] = retrained_model(profile, seed, request, splits, device, cache)
    if "original" not in seconds:  # read from the cache: the seconds stored with it
        seconds["original"] = cache.model_meta("original", model_config(profile, seed, request, "original")).get("seconds", float("nan"))
    return Setup(profile, seed, device, splits, original, retrained, seconds, cache, request)


def retrained_model(profile: Profile, seed: int, request: datasets.ForgetRequest, splits: datasets.UnlearningSplits,
                    device: torch.device, cache: Cache) -> tuple[nn.Module, float]:
    """The model retrained on ``splits``' D_r from a fresh initialisation seeded with ``seed`` (trained once, then
    cached), and its training seconds (those stored with it when it was read from the cache).

    ``prepare`` takes its gold model from here; so does a population of retrained models, whose k-th
    member is the retrained model of seed ``seed + k`` and is therefore shared with ``prepare`` at that seed.
    """
    seconds: dict[str, float] = {}

    def make() -> nn.Module:
        return to_device(models.build(profile.model, splits.num_classes, splits.train.input_shape, seed=seed,
                                      **profile.model_options), device)

    def train(model: nn.Module) -> nn.Module:
        result = retrain(model, forget=splits.forget_train, retain=splits.retain_train,
                         config=RetrainConfig(train=profile.train, seed=seed))
        seconds["retrained"] = result.seconds
        return result.model

    config = model_config(profile, seed, request, "retrained")
    model = cache.model("retrained", config, make, train)
    if "retrained" not in seconds:
        seconds["retrained"] = cache.model_meta("retrained", config).get("seconds", float("nan"))
    return model, seconds["retrained"]
