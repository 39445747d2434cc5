"""Generators of synthetic tables behind one interface: ``fit(real) -> self``, ``sample(n, seed) -> DataFrame``.

Reference points, noise baselines, a Gaussian copula and the neural generators CTGAN and TVAE
(Xu et al., 2019; the ``ctgan`` package, imported only when used):

============  ===========================================================================
name          what ``sample`` returns
============  ===========================================================================
half          rows of a held-out half of the real table (the real-vs-real reference)
copy          the real rows themselves (the memorising extreme)
uniform       each column uniform over its real range (categories uniform over those seen)
independent   each column resampled independently from its real values (marginals kept)
gaussian      a multivariate normal with the real means and covariances
copula        a Gaussian copula with the real (empirical) marginals
ctgan, tvae   the conditional GAN and the tabular VAE of Xu et al. (2019)
============  ===========================================================================

Every ``sample`` is a function of its ``seed`` (and, for the neural generators, of the ``seed``
given at construction, which seeds training). Categorical columns keep the values seen in the
real table.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats


class TableGenerator:
    """Base class: remembers the real table's columns and which of them are categorical."""

    name = "generator"

    def __init__(self, categorical: Collection[str] = ()):
        self.categorical = tuple(categorical)

    def fit(self, real: pd.DataFrame) -> TableGenerator:
        """Learn what ``sample`` needs from ``real``; returns ``self``."""
        self.columns_ = list(real.columns)
        self.real_ = real.reset_index(drop=True)
        self._fit(self.real_)
        return self

    def _fit(self, real: pd.DataFrame) -> None:
        """Subclasses learn their parameters here."""

    def sample(self, n: int, seed: int = 0) -> pd.DataFrame:
        """``n`` synthetic rows; the same ``seed`` gives the same rows."""
        if not hasattr(self, "columns_"):
            raise RuntimeError(f"{type(self).__name__}.sample called before fit")
        if n < 1:
            raise ValueError(f"n={n}: ask for at least one row")
        return self._sample(n, np.random.default_rng(seed))[self.columns_].reset_index(drop=True)

    def _sample(self, n: int, rng: np.random.Generator) -> pd.DataFrame:
        raise NotImplementedError

    def _numeric(self) -> list[str]:
        return [c for c in self.columns_ if c not in self.categorical]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(categorical={list(self.categorical)})"


def _rows(table: pd.DataFrame, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """All rows of ``table`` (shuffled) when ``n`` equals its length, else ``n`` rows drawn with replacement."""
    index = rng.permutation(len(table)) if n == len(table) else rng.integers(0, len(table), n)
    return table.iloc[index]


class OtherHalf(TableGenerator):
    """The real-vs-real reference: rows of another sample of the same table, never seen by ``fit``."""

    name = "half"

    def __init__(self, holdout: pd.DataFrame, categorical: Collection[str] = ()):
        super().__init__(categorical)
        self.holdout = holdout.reset_index(drop=True)

    def _sample(self, n, rng):
        return _rows(self.holdout, n, rng)


class ExactCopy(TableGenerator):
    """Returns the real rows: perfect on every statistic and no privacy at all."""

    name = "copy"

    def _sample(self, n, rng):
        return self.real_ if n == len(self.real_) else _rows(self.real_, n, rng)


class UniformNoise(TableGenerator):
    """Each numeric column uniform between its real minimum and maximum; categories uniform over those seen."""

    name = "uniform"

    def _sample(self, n, rng):
        out = {}
        for col in self.columns_:
            values = self.real_[col]
            if col in self.categorical:
                out[col] = rng.choice(np.sort(values.unique()), n)
            else:
                out[col] = rng.uniform(values.min(), values.max(), n)
        return pd.DataFrame(out)


class IndependentColumns(TableGenerator):
    """Each column bootstrapped on its own: every marginal right, every dependence between columns gone."""

    name = "independent"

    def _sample(self, n, rng):
        return pd.DataFrame({c: rng.choice(self.real_[c].to_numpy(), n) for c in self.columns_})


def _snap(values: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Each value replaced by the nearest allowed one (categories coded as numbers)."""
    allowed = np.sort(allowed)
    position = np.clip(np.searchsorted(allowed, values), 1, len(allowed) - 1)
    left, right = allowed[position - 1], allowed[position]
    return np.where(np.abs(values - left) <= np.abs(right - values), left, right)


class GaussianNoise(TableGenerator):
    """A multivariate normal with the real means and covariance; categorical codes snapped to the nearest seen value."""

    name = "gaussian"

    def _fit(self, real):
        values = real.to_numpy(float)
        self.mean_, self.cov_ = values.mean(axis=0), np.cov(values, rowvar=False)

    def _sample(self, n, rng):
        out = pd.DataFrame(rng.multivariate_normal(self.mean_, self.cov_, n, method="eigh"), columns=self.columns_)
        for col in self.categorical:
            out[col] = _snap(out[col].to_numpy(), self.real_[col].unique())
        return out


class GaussianCopula(TableGenerator):
    r"""Gaussian copula with empirical marginals.

    Each column is mapped to normal scores :math:`z = \Phi^{-1}(\operatorname{rank}/(n+1))` (mid-ranks for
    ties), their correlation matrix :math:`\Sigma` is estimated, and sampling draws
    :math:`z \sim \mathcal N(0, \Sigma)` and maps :math:`u = \Phi(z)` back through each column's empirical
    quantile function (interpolated for numeric columns, the category whose cumulative frequency first
    reaches :math:`u` for categorical ones).
    """

    name = "copula"

    def _fit(self, real):
        scores = stats.norm.ppf(real.rank(method="average").to_numpy() / (len(real) + 1))
        self.corr_ = np.atleast_2d(np.corrcoef(scores, rowvar=False))

    def _inverse(self, col: str, u: np.ndarray) -> np.ndarray:
        values = self.real_[col]
        if col not in self.categorical:
            return np.quantile(values.to_numpy(float), u)
        frequencies = values.value_counts(normalize=True).sort_index()
        index = np.searchsorted(frequencies.cumsum().to_numpy(), u)
        return frequencies.index.to_numpy()[np.minimum(index, len(frequencies) - 1)]

    def _sample(self, n, rng):
        z = rng.multivariate_normal(np.zeros(len(self.columns_)), self.corr_, n, method="eigh")
        u = stats.norm.cdf(z)
        return pd.DataFrame({c: self._inverse(c, u[:, j]) for j, c in enumerate(self.columns_)})


@dataclass
class NeuralConfig:
    """Training settings of CTGAN / TVAE (the ``ctgan`` package's defaults are 300 epochs, batch 500).

    ``threads``: torch CPU threads while training and sampling (1 by default: these networks are
    small, and on a busy 2-core machine two threads made an epoch 20 times slower than one).
    """

    epochs: int = 300
    batch_size: int = 500
    seed: int = 0
    threads: int | None = 1
    options: dict[str, Any] = field(default_factory=dict)


@contextmanager
def torch_threads(n: int | None) -> Iterator[None]:
    """Run the block with ``n`` torch CPU threads (None: leave the setting alone), then restore it."""
    import torch

    before = torch.get_num_threads()
    if n is not None:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class _NeuralGenerator(TableGenerator):
    """Wraps a ``ctgan`` synthesizer: seeded training, seeded sampling, losses per epoch."""

    def __init__(self, categorical: Collection[str] = (), *, epochs: int = 300, batch_size: int = 500, seed: int = 0,
                 threads: int | None = 1, **options: Any):
        super().__init__(categorical)
        self.config = NeuralConfig(epochs=epochs, batch_size=batch_size, seed=seed, threads=threads, options=options)

    def _make(self):
        raise NotImplementedError

    def _fit(self, real):
        import torch

        self.model_ = self._make()
        self.model_.set_random_state(self.config.seed)
        torch.manual_seed(self.config.seed)
        with torch_threads(self.config.threads):
            self.model_.fit(real, discrete_columns=list(self.categorical))

    def _sample(self, n, rng):
        import torch

        self.model_.set_random_state(int(rng.integers(2**31 - 1)))
        with torch.no_grad(), torch_threads(self.config.threads):
            out = self.model_.sample(n)
        return pd.DataFrame(out, columns=self.columns_)

    @property
    def losses(self) -> pd.DataFrame:
        """The training losses the ``ctgan`` synthesizer recorded."""
        return self.model_.loss_values

    def __repr__(self) -> str:
        c = self.config
        return f"{type(self).__name__}(epochs={c.epochs}, batch_size={c.batch_size}, seed={c.seed})"


def _pac(batch_size: int, pac: int = 10) -> int:
    """CTGAN needs a batch size divisible by its ``pac`` (10)."""
    return max(pac, batch_size - batch_size % pac)


class CTGAN(_NeuralGenerator):
    """The conditional tabular GAN of Xu et al. (2019), from the ``ctgan`` package."""

    name = "ctgan"

    def _make(self):
        from ctgan import CTGAN as Synthesizer

        c = self.config
        return Synthesizer(epochs=c.epochs, batch_size=_pac(c.batch_size), enable_gpu=False, **c.options)

    def fit_monitored(self, real: pd.DataFrame, every: int,
                      evaluate: Callable[[int, pd.DataFrame], dict[str, float]]) -> list[dict[str, float]]:
        """Train like ``fit``, and after every ``every``-th epoch call ``evaluate(epoch, sample)`` on a
        fresh sample of ``len(real)`` rows (seeded by the epoch, without disturbing training's random state).

        Returns one record per evaluation: the epoch, the generator and discriminator losses of that
        epoch, and whatever ``evaluate`` returned. ``ctgan`` has no callback, so the epoch loop's
        progress iterator is wrapped for the duration of the call.
        """
        from unittest import mock

        import ctgan.synthesizers.ctgan as module

        records: list[dict[str, float]] = []

        def after_epoch(epoch: int) -> None:
            if (epoch + 1) % every and epoch + 1 != self.config.epochs:
                return
            losses = self.model_.loss_values.iloc[-1]
            row = {"epoch": epoch + 1, "generator_loss": float(losses["Generator Loss"]),
                   "discriminator_loss": float(losses["Discriminator Loss"])}
            row.update(evaluate(epoch + 1, self._side_sample(len(real), seed=epoch + 1)))
            records.append(row)

        def epochs(iterable, **_: Any):
            for epoch in iterable:
                yield epoch
                after_epoch(epoch)

        with mock.patch.object(module, "tqdm", epochs):
            self.fit(real)
        return records

    def _side_sample(self, n: int, seed: int) -> pd.DataFrame:
        """A sample taken mid-training with its own seed; the global random states are restored afterwards."""
        import torch

        np_state, torch_state, saved = np.random.get_state(), torch.get_rng_state(), self.model_.random_states
        try:
            self.model_.random_states = None
            np.random.seed(seed)
            torch.manual_seed(seed)
            with torch.no_grad():
                return pd.DataFrame(self.model_.sample(n), columns=self.columns_)
        finally:
            self.model_.random_states = saved
            np.random.set_state(np_state)
            torch.set_rng_state(torch_state)


class TVAE(_NeuralGenerator):
    """The tabular variational auto-encoder of Xu et al. (2019), from the ``ctgan`` package."""

    name = "tvae"

    def _make(self):
        from ctgan import TVAE as Synthesizer

        c = self.config
        return Synthesizer(epochs=c.epochs, batch_size=c.batch_size, enable_gpu=False, **c.options)


GENERATORS: dict[str, type[TableGenerator]] = {
    cls.name: cls for cls in (OtherHalf, ExactCopy, UniformNoise, IndependentColumns, GaussianNoise, GaussianCopula, CTGAN, TVAE)
}
NOISE_BASELINES = ("uniform", "independent", "gaussian")
NEURAL = ("ctgan", "tvae")
GENERATOR_LABELS = {"half": "other half (real)", "copy": "exact copy", "uniform": "uniform noise",
                    "independent": "independent columns", "gaussian": "Gaussian", "copula": "Gaussian copula",
                    "ctgan": "CTGAN", "tvae": "TVAE"}


def make_generator(name: str, categorical: Collection[str] = (), *, holdout: pd.DataFrame | None = None,
                   **options: Any) -> TableGenerator:
    """A generator by name (see :data:`GENERATORS`); ``holdout`` is the other half for ``"half"``, ``options``
    go to the neural generators (``epochs``, ``batch_size``, ``seed``)."""
    if name not in GENERATORS:
        raise ValueError(f"unknown generator {name!r}; known: {list(GENERATORS)}")
    if name == "half":
        if holdout is None:
            raise ValueError("the 'half' generator needs holdout=, the other half of the real table")
        return OtherHalf(holdout, categorical)
    return GENERATORS[name](categorical, **options)
