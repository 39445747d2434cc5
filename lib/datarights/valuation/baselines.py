"""The Shapley family and friends, side by side with EcoVal, under one result type.

pyDVL 0.10 {pydvl} computes leave-one-out, TMC Data Shapley {Ghorbani & Zou 2019}, Beta Shapley
{Kwon & Zou 2022}, Data Banzhaf with the MSR estimator {Wang & Jia 2023}, KNN-Shapley {Jia et al.
2019}, Data-OOB {Kwon & Zou 2023} and Shapley over groups (clusters). Every model fit they make
is counted through :class:`~datarights.valuation.utility.CountingLearner` (sequential runs, so the
count is exact). Sampling methods stop at a budget (``max_updates`` samples or ``max_seconds``),
and ``Valuation.stopped_at_budget`` says when the time budget, not convergence, ended them.

Distributional Data Shapley {Ghorbani, Kim & Zou 2020} has no maintained implementation;
:func:`distributional_shapley` is a small one (their Algorithm 1, uniform size sampling).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.ensemble import BaggingClassifier
from sklearn.neighbors import KNeighborsClassifier

from datarights.valuation.utility import Arrays, CountingLearner, FitCounter, Utility, as_arrays, check_learner

METHODS = ("loo", "tmc_shapley", "beta_shapley", "banzhaf", "knn_shapley", "data_oob", "group_shapley")
SAMPLING = ("tmc_shapley", "beta_shapley", "banzhaf", "group_shapley")


@dataclass
class Valuation:
    """Values of one method: ``values`` per training point, exact ``n_fits``, wall ``seconds``."""

    method: str
    values: np.ndarray
    n_fits: int
    seconds: float
    stopped_at_budget: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "values": [float(v) for v in self.values], "n_fits": int(self.n_fits),
                "seconds": float(self.seconds), "stopped_at_budget": bool(self.stopped_at_budget), "extra": self.extra}


@dataclass(frozen=True)
class BudgetConfig:
    """Stopping budget of the sampling baselines: at most ``max_updates`` samples, ``max_seconds`` seconds
    or (when set) ``max_fits`` model fits, whichever comes first. pyDVL checks the budget after each
    batch of samples, so a run may overshoot ``max_fits`` by one batch; the fits made are always reported."""

    max_updates: int = 200
    max_seconds: float = 20.0
    max_fits: int | None = None
    beta: tuple[float, float] = (16.0, 1.0)  # Beta Shapley's (alpha, beta), Kwon & Zou's recommended Beta(16, 1)
    knn_neighbors: int = 5
    oob_models: int = 100
    seed: int = 0


def _pydvl_setup(train: Any, valid: Any, learner: Any) -> tuple[Any, Any, Any, FitCounter, Arrays]:
    from pydvl.valuation import Dataset, ModelUtility, SupervisedScorer

    x, y = as_arrays(train, "train")
    xv, yv = as_arrays(valid, "valid")
    check_learner(learner)
    counter = FitCounter()
    valid_data = Dataset(xv, yv)
    scorer = SupervisedScorer("accuracy", valid_data, default=float(np.mean(yv == _mode(yv))), range=(0.0, 1.0))
    utility = ModelUtility(CountingLearner(learner, counter), scorer, show_warnings=False)
    return Dataset(x, y), valid_data, utility, counter, (x, y)


def _mode(y: np.ndarray) -> Any:
    values, counts = np.unique(y, return_counts=True)
    return values[np.argmax(counts)]


def _stopping(budget: BudgetConfig, counter: FitCounter) -> Any:
    from pydvl.valuation import MaxTime, MaxUpdates

    stop = MaxUpdates(budget.max_updates) | MaxTime(budget.max_seconds)
    return stop | MaxFits(counter, budget.max_fits) if budget.max_fits is not None else stop


def MaxFits(counter: FitCounter, n_fits: int) -> Any:
    """A pyDVL stopping criterion: converged once ``counter`` has seen ``n_fits`` model fits."""
    from pydvl.valuation.stopping import Status, StoppingCriterion

    class _MaxFits(StoppingCriterion):
        def _check(self, result: Any) -> Any:
            return Status.Converged if counter.count >= n_fits else Status.Pending

        def completion(self) -> float:
            return min(1.0, counter.count / n_fits)

        def __str__(self) -> str:
            return f"MaxFits({n_fits})"

    if n_fits < 1:
        raise ValueError(f"max_fits={n_fits} must be at least 1")
    return _MaxFits()


def pydvl_values(method: str, train: Any, valid: Any, *, learner: Any, budget: BudgetConfig = BudgetConfig(),
                 groups: np.ndarray | None = None) -> Valuation:
    """Values of ``method`` (one of :data:`METHODS`) computed by pyDVL, with fits counted and time measured."""
    from pydvl.valuation import (
        BetaShapleyValuation,
        DataOOBValuation,
        GroupedDataset,
        KNNShapleyValuation,
        LOOValuation,
        MSRBanzhafValuation,
        PermutationSampler,
        TMCShapleyValuation,
    )

    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    data, valid_data, utility, counter, (x, y) = _pydvl_setup(train, valid, learner)
    start = time.perf_counter()
    extra: dict[str, Any] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "loo":
            result = LOOValuation(utility).fit(data).result
        elif method == "tmc_shapley":
            result = TMCShapleyValuation(utility, is_done=_stopping(budget, counter), seed=budget.seed).fit(data).result
        elif method == "beta_shapley":
            a, b = budget.beta
            result = BetaShapleyValuation(utility, sampler=PermutationSampler(seed=budget.seed), is_done=_stopping(budget, counter),
                                          alpha=a, beta=b).fit(data).result
        elif method == "banzhaf":
            result = MSRBanzhafValuation(utility, is_done=_stopping(budget, counter), seed=budget.seed).fit(data).result
        elif method == "knn_shapley":
            knn = KNeighborsClassifier(n_neighbors=budget.knn_neighbors)
            result = KNNShapleyValuation(knn, valid_data, progress=False).fit(data).result
        elif method == "data_oob":
            bag = BaggingClassifier(CountingLearner(learner, counter), n_estimators=budget.oob_models,
                                    random_state=budget.seed).fit(x, y)
            result = DataOOBValuation(bag).fit(data).result
        else:  # group_shapley
            if groups is None:
                raise ValueError("groups (a cluster per training point) is required for group_shapley")
            grouped = GroupedDataset(x, y, data_groups=np.asarray(groups))
            result = TMCShapleyValuation(utility, is_done=_stopping(budget, counter), seed=budget.seed).fit(grouped).result
            per_group = dict(zip(result.indices, result.values))
            sizes = np.bincount(np.asarray(groups))
            values = np.array([per_group[g] / sizes[g] for g in groups])
    seconds = time.perf_counter() - start
    if method != "group_shapley":
        order = np.argsort(result.indices)
        values = np.asarray(result.values, dtype=float)[order]
    stopped = method in SAMPLING and seconds >= budget.max_seconds
    if method in SAMPLING:
        extra["min_updates"] = int(np.min(result.counts))
    return Valuation(method, np.nan_to_num(values), counter.count, seconds, stopped, extra)


# -- a training-free baseline ----------------------------------------------------------------------------

def knn_agreement(train: Any, n_neighbors: int = 10) -> Valuation:
    """The share of each point's ``n_neighbors`` nearest training points (itself included, standardised
    features) that carry its label: no model fit. EcoVal (reconstruction)'s intrinsic part is this score,
    centred and scaled, so the two rank points identically."""
    from datarights.valuation.ecoval import _standardiser, intrinsic_scores

    x, y = as_arrays(train, "train")
    start = time.perf_counter()
    values = intrinsic_scores(_standardiser(x, None)(x), y, n_neighbors)
    return Valuation("knn_agreement", values, 0, time.perf_counter() - start)


# -- Distributional Data Shapley ------------------------------------------------------------------

@dataclass(frozen=True)
class DistributionalConfig:
    """Estimator settings of Distributional Data Shapley (Ghorbani, Kim & Zou 2020, Algorithm 1).

    ``m``: the size of the random datasets (the paper's m); ``n_samples``: Monte-Carlo draws of
    (k, S) shared by all points; ``max_seconds``: time budget (stops early, flagged).
    """

    m: int = 100
    n_samples: int = 30
    max_seconds: float = 60.0
    seed: int = 0


def distributional_shapley(points: Any, pool: Any, utility: Utility | Callable[[np.ndarray, np.ndarray], float], *,
                           config: DistributionalConfig = DistributionalConfig()) -> Valuation:
    """Distributional Shapley value of each point in ``points`` with respect to the distribution behind ``pool``.

    Definition (Ghorbani, Kim & Zou 2020, eq. 3): ``nu(z) = E_{k ~ U{1..m}} E_{S ~ D^{k-1}} [U(S + z) - U(S)]``,
    the expected marginal contribution of z to a random dataset of random size below m. The
    estimator draws ``n_samples`` pairs (k, S) from ``pool`` (without replacement) and averages the
    marginal contributions; the same draws serve every point (common random numbers), so one
    draw costs ``1 + len(points)`` utility evaluations. Points outside the pool (new data) are valued
    the same way, which is what makes the method an out-of-sample baseline.

    ``utility`` is a :class:`Utility` (fits counted) or any function ``U(X, y) -> float``.
    """
    xp, yp = as_arrays(points, "points")
    xs, ys = as_arrays(pool, "pool")
    m = min(config.m, len(xs) + 1)
    rng = np.random.default_rng(config.seed)
    counted = isinstance(utility, Utility)
    fits_before = utility.n_fits if counted else 0
    evaluate = utility.many_arrays if counted else (lambda sets: np.array([utility(a, b) for a, b in sets]))
    start = time.perf_counter()
    totals, draws, stopped = np.zeros(len(xp)), 0, False
    for _ in range(config.n_samples):
        if draws and time.perf_counter() - start > config.max_seconds:
            stopped = True
            break
        k = int(rng.integers(1, m + 1))
        s = rng.choice(len(xs), k - 1, replace=False)
        sets = [(xs[s], ys[s])] + [(np.vstack([xs[s], xp[i:i + 1]]), np.append(ys[s], yp[i])) for i in range(len(xp))]
        u = evaluate(sets)
        totals += u[1:] - u[0]
        draws += 1
    n_fits = utility.n_fits - fits_before if counted else 0
    return Valuation("distributional_shapley", totals / max(draws, 1), n_fits, time.perf_counter() - start, stopped,
                     {"draws": draws, "m": m})
