"""Metrics of regression unlearning (the authors' `metrics.py`), usable by any chapter.

- ``regression_error``: mean absolute or squared error on a split, per sample (default) or as the
  authors' mean of per-batch means (``per_batch=256``, the authors' `metrics.py`);
- ``wasserstein_to``: the 1-D earth-mover distance W1 between two models' predictions on a split
  (the train-forget set in the paper; the authors' `metrics.py`), ``relative_difference`` for its companion figure;
- ``regression_mia``: the membership attack on the per-sample absolute error, SVC(C=3, RBF) fit on
  2,000 train vs 2,000 test samples, scored on 2,000 train-forget samples (the authors' `metrics.py`);
- ``regression_ain``: the Anamnesis Index with a loss threshold (the authors' `metrics.py`), on copies of the models
  unless ``inplace=True`` reproduces the authors' mutation bug (in the authors' `metrics.py`); the gold model's
  relearning can be measured once (``RegressionGoldRelearn``) for all the unlearned models of a request.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from datarights.data.regression import Data, batch_at
from datarights.data.tensors import epoch_order
from datarights.metrics.mia import ATTACK_DESCRIPTIONS, MIAResult
from datarights.seeds import require_seed
from datarights.validation import check_config_numbers, check_int, check_number, check_seed
from datarights.train import Loss, check_loss, data_generator, loss_function, model_device, per_sample_errors, predict_regression, relearn_loop
MIA_ORIENTATION = ("fraction of the train-forget samples judged 'member' from their absolute error "
                   "(lower = less membership signal; the target is the retrained model's value)")


def regression_error(model: nn.Module, data: Data, loss: Loss = "l1", *, per_batch: int | None = None) -> float:
    """Mean error on ``data``: over samples, or over batches of ``per_batch`` (the authors' ``evaluate``
    with batch 256 averages batch means, which weighs a ragged last batch more, the authors' `metrics.py`)."""
    errors = per_sample_errors(model, data, loss)
    if per_batch is None:
        return float(errors.mean())
    if per_batch < 1:
        raise ValueError(f"per_batch must be a positive batch size, got {per_batch}")
    return float(torch.stack([chunk.mean() for chunk in errors.split(per_batch)]).mean())


def wasserstein_to(model: nn.Module, reference: nn.Module, data: Data) -> float:
    """W1 = ∫|F_u(t) − F_g(t)| dt between the predictions of ``model`` and ``reference`` on ``data`` (the authors' `metrics.py`)."""
    from scipy.stats import wasserstein_distance

    a, b = (predict_regression(m, data).reshape(-1).numpy() for m in (model, reference))
    return float(wasserstein_distance(a, b))


def relative_difference(model: nn.Module, reference: nn.Module, data: Data) -> np.ndarray:
    """|f_u(x) − f_g(x)| / |y| per sample (samples with y = 0 are left out), the histogram the authors draw from it."""
    y = data.y.cpu().float()
    gap = (predict_regression(model, data) - predict_regression(reference, data)).abs()
    if gap.ndim > 1:
        gap, y = gap.flatten(1).mean(1), y.flatten(1).abs().mean(1)
    keep = y.abs() > 0
    return (gap[keep] / y[keep].abs()).numpy()


def _sample(n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    return rng.choice(n, size=min(k, n), replace=False)


def regression_mia(model: nn.Module, *, train: Data, test: Data, targets: Data, samples: int = 2000, seed: int = 0,
                   augment: str | None = None) -> MIAResult:
    """The authors' regression membership attack (the authors' `metrics.py`).

    Feature: the absolute error of each sample. Members: ``samples`` random training samples (all
    of D, forget included, as in the code); non-members: as many random test samples (fewer on both
    sides when a split is smaller, so the attacker always sees balanced classes). The score
    is the fraction of ``samples`` random ``targets`` (train-forget) that an SVC(C=3, gamma='auto',
    RBF) calls "member". Draws are seeded; ``augment="crop_flip"`` predicts train and target images
    on augmented views, as the authors' code does (in the authors' `metrics.py`).
    """
    from sklearn.svm import SVC

    for argument, split in (("train", train), ("test", test), ("targets", targets)):
        if len(split) == 0:
            raise ValueError(f"{argument} is empty: the membership attack needs samples in every set")
    check_seed(seed)
    check_int(samples, "samples", minimum=1)
    rng = np.random.default_rng(seed)
    generator = torch.Generator().manual_seed(seed)
    per_side = min(samples, len(train), len(test))  # balanced classes, as the authors' 2,000 vs 2,000
    members = _sample(len(train), per_side, rng)
    nonmembers = _sample(len(test), per_side, rng)
    chosen = _sample(len(targets), samples, rng)
    feature = {
        "members": per_sample_errors(model, train.subset(torch.from_numpy(members)), "l1", augment=augment, generator=generator),
        "nonmembers": per_sample_errors(model, test.subset(torch.from_numpy(nonmembers)), "l1"),
        "targets": per_sample_errors(model, targets.subset(torch.from_numpy(chosen)), "l1", augment=augment, generator=generator),
    }
    x = np.concatenate([feature["members"].numpy(), feature["nonmembers"].numpy()])[:, None].astype(np.float64)
    y = np.concatenate([np.ones(len(members)), np.zeros(len(nonmembers))])
    order = rng.permutation(len(y))  # the authors shuffle the rows before fitting
    attacker = SVC(C=3, gamma="auto", kernel="rbf", random_state=seed).fit(x[order], y[order])
    verdict = attacker.predict(feature["targets"].numpy()[:, None].astype(np.float64))
    return MIAResult(score=float(verdict.mean()), feature="absolute error", attack=ATTACK_DESCRIPTIONS["svc"],
                     orientation=MIA_ORIENTATION, n_members=len(members), n_nonmembers=len(nonmembers), n_targets=len(chosen),
                     attack_train_accuracy=float(attacker.score(x, y)))


@dataclass(frozen=True)
class RegressionRelearnConfig:
    """Relearning protocol of the authors' regression ``relearn_time`` (the authors' `metrics.py`): Adam at 0.01 (the
    notebook's call), batch 256, the loss checked on val-forget after every step, at most 10 epochs."""

    lr: float = 0.01
    batch_size: int = 256
    max_epochs: int = 10
    alpha: float = 0.05
    loss: Loss = "l1"
    augment: str | None = None
    seed: int | None = None

    def __post_init__(self) -> None:
        check_loss(self.loss)
        if self.lr <= 0 or self.batch_size < 1 or self.max_epochs < 1 or self.alpha < 0:
            raise ValueError(f"lr, batch_size, max_epochs must be positive and alpha non-negative, got {self}")

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class RegressionAINResult:
    """AIN = steps_unlearned / steps_gold, with the threshold (1 + α)·E_o and the loss curves behind it."""

    index: float
    steps_unlearned: int
    steps_gold: int
    threshold: float
    reached_unlearned: bool
    reached_gold: bool
    curve_unlearned: tuple[float, ...] = ()
    curve_gold: tuple[float, ...] = ()

    def to_dict(self) -> dict:
        return asdict(self)


def relearn_steps(model: nn.Module, *, relearn: Data, evaluate_on: Data, threshold: float,
                  config: RegressionRelearnConfig = RegressionRelearnConfig(), inplace: bool = False
                  ) -> tuple[int, bool, list[float]]:
    """Adam steps on ``relearn`` until the loss on ``evaluate_on`` is ≤ ``threshold``.

    Returns (steps, reached, loss after each step). Works on a copy of ``model`` unless
    ``inplace=True`` (the authors' code, which leaves the model relearned, in the authors' `metrics.py`).
    Every random draw (batch order, augmentation, dropout) comes from ``config.seed``, never from the
    global random state, so a model's relearning does not depend on what ran before it.
    """
    if len(relearn) == 0 or len(evaluate_on) == 0:
        raise ValueError("relearn and evaluate_on must both hold samples")
    check_number(threshold, "threshold", nonnegative=True)
    check_config_numbers(config, "config")
    student = model if inplace else copy.deepcopy(model)
    device = model_device(student)
    seed = require_seed(config)
    generator = data_generator(seed, device)

    def epoch_batches():
        order = epoch_order(len(relearn), True, generator, relearn.x.device)
        for start in range(0, len(relearn), config.batch_size):
            yield batch_at(relearn, order[start:start + config.batch_size], device=device, augment=config.augment, generator=generator)

    with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
        torch.manual_seed(seed)  # dropout draws from the global state: fixed here, restored on exit
        steps, reached, curve = relearn_loop(student, epoch_batches, loss_function(config.loss),
                                             lambda m: regression_error(m, evaluate_on, config.loss), lr=config.lr,
                                             epochs=config.max_epochs, stop=lambda error: error <= threshold)
    student.eval()
    return steps, reached, curve


def ain_threshold(original_error: float, config: RegressionRelearnConfig) -> float:
    """The loss that counts as relearned: (1 + α) × the original model's error on the val-forget set."""
    if not np.isfinite(original_error) or original_error < 0:
        raise ValueError(f"original_error must be a finite non-negative loss, got {original_error}")
    return (1.0 + config.alpha) * original_error


@dataclass(frozen=True)
class RegressionGoldRelearn:
    """The gold (retrained) model's relearning at one threshold: measured once per domain and seed and
    passed to :func:`regression_ain` for every unlearned model, instead of relearning the gold model each time."""

    steps: int
    reached: bool
    curve: tuple[float, ...]
    threshold: float

    @classmethod
    def measure(cls, gold: nn.Module, *, original_error: float, relearn: Data, evaluate_on: Data,
                config: RegressionRelearnConfig = RegressionRelearnConfig()) -> RegressionGoldRelearn:
        threshold = ain_threshold(original_error, config)
        steps, reached, curve = relearn_steps(gold, relearn=relearn, evaluate_on=evaluate_on, threshold=threshold, config=config)
        return cls(steps, reached, tuple(curve), threshold)


def regression_ain(unlearned: nn.Module, gold: nn.Module | RegressionGoldRelearn, *, original_error: float, relearn: Data, evaluate_on: Data,
                   config: RegressionRelearnConfig = RegressionRelearnConfig(), inplace: bool = False) -> RegressionAINResult:
    """Regression Anamnesis Index (the authors' `metrics.py`): relearning steps of ``unlearned`` over those of ``gold``,
    until the val-forget loss is within (1 + α) of the original model's ``original_error``.

    ``gold`` is the retrained model, or its :class:`RegressionGoldRelearn` measured once (same data, threshold and
    config) for all the unlearned models of a request. ``relearn`` is the whole training set in the authors'
    code. ``inplace=True`` reproduces their bug: both models passed in are changed, so a second call with
    the same gold model starts from an already relearned one (the chapter shows the effect).
    """
    threshold = ain_threshold(original_error, config)
    steps_u, reached_u, curve_u = relearn_steps(unlearned, relearn=relearn, evaluate_on=evaluate_on, threshold=threshold,
                                                config=config, inplace=inplace)
    if isinstance(gold, RegressionGoldRelearn):
        if inplace:
            raise ValueError("gold must be the gold model itself with inplace=True (the authors' bug relearns it in place)")
        if not np.isclose(gold.threshold, threshold, rtol=1e-12, atol=0.0):
            raise ValueError(f"gold was measured at threshold {gold.threshold:g}, but this AIN's is {threshold:g}: "
                             "measure it with the same original_error and config")
        steps_g, reached_g, curve_g = gold.steps, gold.reached, gold.curve
    else:
        steps_g, reached_g, curve_g = relearn_steps(gold, relearn=relearn, evaluate_on=evaluate_on, threshold=threshold,
                                                    config=config, inplace=inplace)
    return RegressionAINResult(steps_u / steps_g, steps_u, steps_g, threshold, reached_u, reached_g, tuple(curve_u), tuple(curve_g))
