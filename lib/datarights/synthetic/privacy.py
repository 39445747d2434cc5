"""Privacy of a synthetic table: how close its rows come to real ones.

TabSynDex rewards an exact copy of the real table (it scores 0.9667, above any honest sample),
so it needs a privacy measure beside it. Two standard ones:

* **distance to closest record** (DCR): for each fake row, the distance to the nearest *real*
  row, after min-max scaling every numeric column by the real range and one-hot coding nominal
  columns scaled by 1/√2 (so that a different category costs distance 1, like a numeric column
  moved across its whole range). The reference is the DCR of *another real sample* (the held-out
  half) to the same real table: a generator whose rows sit closer to the real rows than new real
  rows do is copying. :func:`dcr_scores` reports the median DCR of the fake rows, the same for
  the reference, their ratio (about 1 for a fresh sample, 0 for a copy) and the share of fake
  rows that duplicate a real row exactly;
* SDMetrics' **NewRowSynthesis**: the share of fake rows that match no real row (numeric values
  within 1 % of the column's range count as matching), 0 for a copy.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection

import numpy as np
import pandas as pd


def _encode(real: pd.DataFrame, others: list[pd.DataFrame], categorical: Collection[str]) -> list[np.ndarray]:
    """Real-range min-max scaling of numeric columns, one-hot/√2 of nominal ones, for real and ``others``."""
    numeric = [c for c in real.columns if c not in categorical]
    nominal = [c for c in real.columns if c in categorical]
    low, span = real[numeric].min(), (real[numeric].max() - real[numeric].min()).replace(0, 1.0)
    tables = [real, *others]
    stacked = pd.concat([t[nominal].astype(str) for t in tables], keys=range(len(tables))) if nominal else None
    dummies = pd.get_dummies(stacked, columns=nominal, dtype=float) / np.sqrt(2.0) if nominal else None
    out = []
    for i, t in enumerate(tables):
        parts = [((t[numeric] - low) / span).to_numpy(float)]
        if dummies is not None:
            parts.append(dummies.loc[i].to_numpy(float))
        out.append(np.hstack(parts))
    return out


def closest_record_distances(real: pd.DataFrame, fake: pd.DataFrame, categorical: Collection[str] = ()) -> np.ndarray:
    """The distance of every row of ``fake`` to its nearest row of ``real`` (see the module docstring)."""
    from sklearn.neighbors import NearestNeighbors

    fake = fake[list(real.columns)]
    for name, t in (("real", real), ("fake", fake)):
        values = t.select_dtypes("number").to_numpy(float)
        if t.isna().any().any() or not np.isfinite(values).all():
            raise ValueError(f"{name} has missing or infinite values; distances to closest records would be NaN")
    encoded_real, encoded_fake = _encode(real, [fake], categorical)
    distances, _ = NearestNeighbors(n_neighbors=1).fit(encoded_real).kneighbors(encoded_fake)
    distances = distances[:, 0]
    distances[distances < 1e-9] = 0.0  # a duplicated row: rounding in the distance computation, not a distance
    return distances


def new_row_synthesis(real: pd.DataFrame, fake: pd.DataFrame, categorical: Collection[str] = (), *,
                      sample: int | None = None, seed: int = 0) -> float:
    """SDMetrics' NewRowSynthesis: the share of (at most ``sample``) fake rows that match no real row."""
    from sdmetrics.single_table import NewRowSynthesis

    from datarights.synthetic.compare import sdmetrics_metadata

    fake = fake[list(real.columns)]
    if sample is not None and len(fake) > sample:
        fake = fake.sample(sample, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(NewRowSynthesis.compute(real, fake, sdmetrics_metadata(real.columns, categorical),
                                             numerical_match_tolerance=0.01))


def dcr_scores(real: pd.DataFrame, fake: pd.DataFrame, reference: pd.DataFrame, categorical: Collection[str] = ()) -> dict[str, float]:
    """Median DCR of ``fake`` and of the real ``reference`` sample to ``real``, their ratio and the exact-copy share.

    ``dcr_ratio`` below 1 means the fake rows sit closer to the real rows than fresh real rows do.
    """
    fake_d = closest_record_distances(real, fake, categorical)
    ref_d = closest_record_distances(real, reference, categorical)
    reference_median = float(np.median(ref_d))
    return {"dcr": float(np.median(fake_d)), "dcr_reference": reference_median,
            "dcr_ratio": float(np.median(fake_d) / reference_median) if reference_median > 0 else float("nan"),
            "exact_copies": float(np.mean(fake_d == 0.0))}


def privacy_scores(real: pd.DataFrame, fake: pd.DataFrame, reference: pd.DataFrame, categorical: Collection[str] = (), *,
                   novelty_sample: int | None = 200, seed: int = 0) -> dict[str, float]:
    """:func:`dcr_scores` and :func:`new_row_synthesis` of one (real, fake) pair with its real reference."""
    return {**dcr_scores(real, fake, reference, categorical),
            "new_rows": new_row_synthesis(real, fake, categorical, sample=novelty_sample, seed=seed)}
