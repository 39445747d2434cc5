"""The measurements every unlearning experiment takes of a model, written once."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from torch import nn

from datarights.data import ForgetRequest, Split, UnlearningSplits
from datarights.experiments.setup import BASELINES, Setup, baseline_config, baseline_settings
from datarights.metrics import (
    MIAResult,
    accuracy,
    membership_inference,
    relearn_time,
    split_accuracies,
)
from datarights.settings.common import MIA_ATTACKS, Profile
from datarights.train import TrainConfig


def mia_results(model: nn.Module, setup: Setup, attacks: tuple[str, ...] = MIA_ATTACKS) -> dict[str, MIAResult]:
    """The membership attacks of the book (balanced logistic regression and the authors' SVC)
    on ``model``: retain-train images are members, test images non-members, forget-train the targets."""
    s, cap = setup.splits, setup.profile.svc_max_samples
    return {attack: membership_inference(model, members=s.retain_train, nonmembers=s.test, targets=s.forget_train,
                                         attack=attack, seed=setup.seed, max_samples_per_side=cap if attack == "svc" else None)
            for attack in attacks}


def relearn_target(setup: Setup) -> float:
    """Forget-test accuracy that counts as relearned: (1 − α) × the original model's
    (the zero-shot repository's ``metrics.py``, ``relearn_time()``; the chapter's equation (zs-ain))."""
    return (1 - setup.profile.relearn.alpha) * accuracy(setup.original, setup.splits.forget_test)


def core_row(model: nn.Module, setup: Setup, target_accuracy: float,
             attacks: tuple[str, ...] = MIA_ATTACKS) -> tuple[dict[str, Any], dict[str, MIAResult]]:
    """Split accuracies, the MIA scores and the relearn time of ``model`` on ``setup``'s request,
    with the MIA results (which carry their definitions)."""
    s = setup.splits
    row: dict[str, Any] = split_accuracies(model, s)
    mia = mia_results(model, setup, attacks)
    row.update({f"mia_{attack}": result.score for attack, result in mia.items()})
    steps, reached = relearn_time(model, relearn=s.forget_train, evaluate_on=s.forget_test, target_accuracy=target_accuracy,
                                  config=replace(setup.profile.relearn, seed=setup.seed))
    row.update({"relearn_steps": steps, "relearn_reached": reached})
    return row, mia


def forget_evaluation(splits: UnlearningSplits) -> Split:
    """Where forgetting is judged: the forget classes' test images, or the forgotten images themselves
    for a random request (which has no forget test set)."""
    return splits.forget_train if splits.kind == "random" else splits.forget_test


# -- cost estimates for the GPU runner's planner, in training epochs over the profile's training set --

MEASURE_WORK = 2.0  # measuring one model: accuracies and MIA (~3 inference passes) plus the relearn protocol


def forget_share(request: ForgetRequest, num_classes: int = 10) -> float:
    """The rough share of the training set a request forgets (planning only)."""
    if request.kind == "random":
        return request.fraction
    if request.kind == "subclass":
        return 0.02 * len(request.classes)
    return len(request.classes) / num_classes


def shared_baselines(profile: Profile, seed: int, request: ForgetRequest, num_classes: int = 10,
                     methods: tuple[str, ...] = BASELINES) -> tuple[tuple[str, dict[str, Any], float], ...]:
    """The baselines a part trains unless another part has (``Setup.baseline``), as the planner counts them:
    (model kind, cache key, work in training epochs) each."""
    share = forget_share(request, num_classes)
    shares = {"finetune": 1 - share, "neggrad": share, "random_labels": 1.0}
    return tuple(("baseline", baseline_config(profile, seed, request, m, baseline_settings(profile, m, seed)),
                  training_work(getattr(profile, m).train, shares[m])) for m in methods)


def training_work(train: TrainConfig, share: float) -> float:
    """Epochs of ``train`` over ``share`` of the training set, in epochs over all of it."""
    return train.epochs * share
