"""The one place where the learner is fitted: a counted, parallel utility ``U(S)``.

Every valuation method in this package (EcoVal, Distributional Shapley, the evaluation
protocols) evaluates subsets through :class:`Utility`, so ``Utility.n_fits`` is the exact number
of model trainings. ``U(S)`` is the score (accuracy by default) on the validation set of a fresh
clone of the learner trained on ``S``. A subset with fewer than two classes cannot train a
classifier; it predicts its only class (or the validation set's majority class when empty)
and costs no fit.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.metrics import get_scorer

Arrays = tuple[np.ndarray, np.ndarray]


# -- input checks -----------------------------------------------------------------------------------

def as_arrays(data: Any, name: str) -> Arrays:
    """``(X, y)`` from a tuple of arrays or a pyDVL ``Dataset``, checked: same length, no NaN, 2-D X."""
    if hasattr(data, "data") and callable(data.data):  # pyDVL Dataset
        raw = data.data()
        x, y = raw.x, raw.y
    else:
        try:
            x, y = data
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a pair (X, y) or a pyDVL Dataset, got {type(data).__name__}") from None
    x, y = np.asarray(x, dtype=float), np.asarray(y)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2:
        raise ValueError(f"{name}: X must be 2-D (points × features), got shape {x.shape}")
    if len(x) != len(y):
        raise ValueError(f"{name}: X has {len(x)} rows but y has {len(y)} labels (length mismatch)")
    if len(x) == 0:
        raise ValueError(f"{name} is empty")
    if not np.isfinite(x).all():
        raise ValueError(f"{name}: X contains NaN or infinite values")
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        raise ValueError(f"{name}: y contains NaN or infinite values")
    return x, y


def check_learner(learner: Any) -> None:
    """A learner must be a scikit-learn estimator: ``fit``, ``predict`` and ``get_params`` (so it can be cloned)."""
    if isinstance(learner, type):
        raise ValueError(f"learner must be an estimator instance, not the class {learner.__name__}; write {learner.__name__}()")
    missing = [m for m in ("fit", "predict", "get_params") if not callable(getattr(learner, m, None))]
    if missing:
        raise ValueError(f"learner must be a scikit-learn estimator; {type(learner).__name__} lacks {', '.join(missing)}")


def check_classes(y: np.ndarray, name: str) -> None:
    if len(np.unique(y)) < 2:
        raise ValueError(f"{name} holds a single class ({np.unique(y)[0]!r}); valuation needs at least two")


# -- counting ------------------------------------------------------------------------------------

class FitCounter:
    """A counter that survives ``sklearn.base.clone`` (deep copies return the same object)."""

    def __init__(self) -> None:
        self.count = 0

    def __deepcopy__(self, memo: dict) -> FitCounter:
        return self

    def __repr__(self) -> str:
        return f"FitCounter({self.count})"


class CountingLearner(ClassifierMixin, BaseEstimator):
    """Wraps a classifier and counts calls of ``fit`` in ``counter`` (shared by all clones, same process only)."""

    def __init__(self, estimator: Any = None, counter: FitCounter | None = None):
        self.estimator = estimator
        self.counter = counter

    def fit(self, x: np.ndarray, y: np.ndarray, **kwargs: Any) -> CountingLearner:
        if self.counter is not None:
            self.counter.count += 1
        self.estimator_ = clone(self.estimator).fit(x, y, **kwargs)
        self.classes_ = self.estimator_.classes_
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.estimator_.predict(x)

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        return self.estimator_.predict_proba(x)


# -- the utility ----------------------------------------------------------------------------------

def _fit_and_score(learner: Any, x: np.ndarray, y: np.ndarray, x_valid: np.ndarray, y_valid: np.ndarray,
                   scoring: str) -> tuple[float, bool]:
    """Score on the validation set of ``learner`` trained on (x, y); (score, whether a fit happened)."""
    classes = np.unique(y)
    if len(classes) < 2:
        label = classes[0] if len(classes) else _majority(y_valid)
        return float(np.mean(y_valid == label)) if scoring == "accuracy" else 0.0, False
    model = clone(learner).fit(x, y)
    if scoring == "accuracy":
        return float(np.mean(model.predict(x_valid) == y_valid)), True
    return float(get_scorer(scoring)(model, x_valid, y_valid)), True


def _majority(y: np.ndarray) -> Any:
    values, counts = np.unique(y, return_counts=True)
    return values[np.argmax(counts)]


@dataclass
class Utility:
    """``U(S)``: validation score of ``learner`` trained on the subset ``S`` of ``train`` (counted fits).

    Args:
        learner: an unfitted scikit-learn estimator; cloned for every fit.
        train: the pool ``(X, y)`` that subsets index into.
        valid: the validation set ``(X, y)`` that scores the trained models.
        scoring: ``"accuracy"`` or any scikit-learn scorer name.
        n_jobs: independent fits run in parallel through joblib (``-1``: all cores). A joblib
            backend context (Dask, Ray) hands them to a cluster.
    """

    learner: Any
    train: Arrays
    valid: Arrays
    scoring: str = "accuracy"
    n_jobs: int | None = 1
    n_fits: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        check_learner(self.learner)

    def __call__(self, subset: Sequence[int] | np.ndarray) -> float:
        """``U(S)`` for one subset of training indices (one fit at most)."""
        return float(self.many([subset])[0])

    def many(self, subsets: Sequence[Sequence[int] | np.ndarray]) -> np.ndarray:
        """``U(S)`` for each subset; independent fits run in parallel; every fit is counted."""
        return self.many_arrays([(self.train[0][np.asarray(s, dtype=int)], self.train[1][np.asarray(s, dtype=int)])
                                 for s in subsets])

    def many_arrays(self, sets: Sequence[Arrays]) -> np.ndarray:
        """``U`` for explicit training sets ``(X, y)`` (used to value points outside ``train``)."""
        x_valid, y_valid = self.valid
        jobs = (delayed(_fit_and_score)(self.learner, x, y, x_valid, y_valid, self.scoring) for x, y in sets)
        if self.n_jobs in (None, 1) or len(sets) < 2:
            out = [_fit_and_score(self.learner, x, y, x_valid, y_valid, self.scoring) for x, y in sets]
        else:
            out = Parallel(n_jobs=self.n_jobs)(jobs)
        self.n_fits += sum(fitted for _, fitted in out)
        return np.array([score for score, _ in out], dtype=float)

    def fresh(self) -> Utility:
        """The same utility with its fit count at zero."""
        twin = copy.copy(self)
        twin.n_fits = 0
        return twin
