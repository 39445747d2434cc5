"""Association between columns of a mixed table: Pearson's r, the correlation ratio and Theil's U.

These are the three measures of dython 0.6.6's ``compute_associations(..., theil_u=True)``, the
function the official TabSynDex code calls (Chundawat et al., 2022). dython 0.7 removed it, so
the book computes them here with numpy only:

* numeric–numeric: Pearson's correlation coefficient, in [−1, 1];
* nominal–numeric: the correlation ratio η, in [0, 1], symmetric;
* nominal–nominal: Theil's uncertainty coefficient U, in [0, 1], asymmetric.

``association_matrix`` follows dython's conventions: 1 on the diagonal, a column with a single
distinct value gets 0 in its whole row and column (diagonal included), and a NaN or infinite
association becomes 0.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    r"""Pearson's correlation coefficient.

    .. math:: r = \frac{\sum_i (x_i-\bar x)(y_i-\bar y)}{\sqrt{\sum_i (x_i-\bar x)^2 \sum_i (y_i-\bar y)^2}}
    """
    dx, dy = np.asarray(x, float) - np.mean(x), np.asarray(y, float) - np.mean(y)
    denominator = np.sqrt(np.dot(dx, dx) * np.dot(dy, dy))
    return float(np.dot(dx, dy) / denominator) if denominator > 0 else float("nan")


def correlation_ratio(categories: np.ndarray, values: np.ndarray) -> float:
    r"""Correlation ratio η of a numeric column given a nominal one.

    .. math:: \eta = \sqrt{\frac{\sum_c n_c (\bar y_c - \bar y)^2}{\sum_i (y_i - \bar y)^2}}

    where :math:`\bar y_c` is the mean of the values in category :math:`c` and :math:`n_c` its size.
    0 when the category means are all equal (dython's convention), 1 when the category fixes the value.
    """
    _, codes = np.unique(np.asarray(categories), return_inverse=True)
    values = np.asarray(values, float)
    counts = np.bincount(codes)
    means = np.bincount(codes, weights=values) / counts
    grand = values.mean()
    numerator = float(np.sum(counts * (means - grand) ** 2))
    if numerator == 0:
        return 0.0
    return float(np.sqrt(numerator / np.sum((values - grand) ** 2)))


def _entropy(counts: np.ndarray) -> float:
    p = counts[counts > 0] / counts.sum()
    return float(-np.sum(p * np.log(p)))


def theils_u(x: np.ndarray, y: np.ndarray) -> float:
    r"""Theil's uncertainty coefficient U(x | y): the fraction of the entropy of x that y explains.

    .. math:: U(x \mid y) = \frac{H(x) - H(x \mid y)}{H(x)}, \qquad
              H(x \mid y) = -\sum_{x,y} p(x,y) \ln \frac{p(x,y)}{p(y)}

    1 when :math:`H(x) = 0` (dython's convention). Asymmetric: :math:`U(x\mid y) \ne U(y\mid x)`.
    """
    _, xc = np.unique(np.asarray(x), return_inverse=True)
    _, yc = np.unique(np.asarray(y), return_inverse=True)
    joint = np.zeros((xc.max() + 1, yc.max() + 1))
    np.add.at(joint, (xc, yc), 1.0)
    h_x = _entropy(joint.sum(axis=1))
    if h_x == 0:
        return 1.0
    h_xy = _entropy(joint.ravel()) - _entropy(joint.sum(axis=0))  # H(x|y) = H(x, y) − H(y)
    return (h_x - h_xy) / h_x


def association(table: pd.DataFrame, row: str, col: str, categorical: Collection[str]) -> float:
    """The association stored at (row, col) of dython's matrix; for two nominal columns U(col | row)."""
    a, b = table[row].to_numpy(), table[col].to_numpy()
    nominal_a, nominal_b = row in categorical, col in categorical
    if nominal_a and nominal_b:
        return theils_u(b, a)
    if nominal_a:
        return correlation_ratio(a, b)
    if nominal_b:
        return correlation_ratio(b, a)
    return pearson(a, b)


def association_matrix(table: pd.DataFrame, categorical: Collection[str] = ()) -> pd.DataFrame:
    """All pairwise associations of ``table``'s columns, as dython 0.6.6 ``compute_associations`` returns them."""
    columns = list(table.columns)
    categorical = set(categorical)
    single = {c for c in columns if table[c].nunique() <= 1}
    out = pd.DataFrame(np.eye(len(columns)), index=columns, columns=columns)
    for i, row in enumerate(columns):
        for col in columns[i + 1:]:
            if row in single or col in single:
                continue
            forward = association(table, row, col, categorical)
            both_nominal = row in categorical and col in categorical
            backward = association(table, col, row, categorical) if both_nominal else forward
            out.loc[row, col] = forward if np.isfinite(forward) else 0.0
            out.loc[col, row] = backward if np.isfinite(backward) else 0.0
    out.loc[list(single), :] = 0.0
    out.loc[:, list(single)] = 0.0
    return out
