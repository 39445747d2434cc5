"""Figures of the TabSynDex chapter, in the book's style (call ``datarights.plots.use_book_style()`` first)."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from datarights.plots import COLUMN_WIDTH
from datarights.synthetic.generators import GENERATOR_LABELS
from datarights.synthetic.metric import COMPONENT_LABELS

METRIC_LABELS = {
    **COMPONENT_LABELS,
    "sdm_quality": "SDMetrics quality", "sdm_shapes": "SDMetrics shapes", "sdm_trends": "SDMetrics pair trends",
    "sdm_detection": "SDMetrics detection", "te_similarity": "Table Evaluator",
}
GENERATOR_COLORS = {
    "half": "#1b9e77", "copy": "#4c4c4c", "uniform": "#e7298a", "independent": "#d95f02", "gaussian": "#7570b3",
    "copula": "#66a61e", "ctgan": "#e6ab02", "tvae": "#a6761d",
}


def metric_label(name: str) -> str:
    return METRIC_LABELS.get(name, name)


def generator_label(name: str) -> str:
    return GENERATOR_LABELS.get(name, name)


def mean_std_heatmap(mean: pd.DataFrame, std: pd.DataFrame | None = None, *, title: str = "", ax: plt.Axes | None = None,
                     vmin: float = 0.0, vmax: float = 1.0, cbar_label: str = "score", annotate: bool = True,
                     cmap: str = "viridis") -> plt.Axes:
    """A heat map of ``mean`` annotated "mean ± std" (just the mean where ``std`` is None or NaN).

    ``annotate=False`` draws colours only (for matrices too large to label legibly at page width).
    """
    import seaborn as sns

    ax = ax or plt.subplots(figsize=(min(COLUMN_WIDTH, 1.1 * mean.shape[1] + 2), 0.42 * mean.shape[0] + 1.2))[1]
    text: pd.DataFrame | bool = False
    if annotate:
        text = mean.map(lambda v: f"{v:.2f}")
        if std is not None:
            text = text + std.reindex_like(mean).map(lambda s: "" if pd.isna(s) else f"\n±{s:.2f}")
    sns.heatmap(mean.astype(float), annot=text, fmt="", cmap=cmap, vmin=vmin, vmax=vmax, ax=ax,
                cbar_kws={"label": cbar_label}, annot_kws={"fontsize": 8}, square=not annotate)
    ax.set_title(title)
    ax.set_xlabel("")
    ax.set_ylabel("")
    return ax


def legend_outside(ax: plt.Axes, **kwargs) -> None:
    """The axes' legend to the right of the plot, off the curves."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, fontsize=8, frameon=False, **kwargs)


def metric_lines(frame: pd.DataFrame, x: str, metrics: Sequence[str], *, ax: plt.Axes | None = None, title: str = "",
                 xlabel: str = "", ylabel: str = "score", style: str = "-o") -> plt.Axes:
    """One line per metric: the mean over the other columns of ``frame`` at each ``x``, with a ±1 std band."""
    ax = ax or plt.subplots(figsize=(5, 3.4))[1]
    grouped = frame.groupby(x)[list(metrics)]
    mean, std = grouped.mean(), grouped.std()
    for metric in metrics:
        line, = ax.plot(mean.index, mean[metric], style, ms=3, lw=1.4, label=metric_label(metric))
        if std[metric].notna().any():
            ax.fill_between(mean.index, mean[metric] - std[metric], mean[metric] + std[metric], color=line.get_color(),
                            alpha=0.15, lw=0)
    ax.set_xlabel(xlabel or x)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    return ax


def generator_scatter(frame: pd.DataFrame, x: str, y: str, *, ax: plt.Axes | None = None) -> plt.Axes:
    """One point per (table, seed, generator) pair: metric ``x`` against metric ``y``, coloured by generator."""
    ax = ax or plt.subplots(figsize=(4, 3.4))[1]
    for generator, rows in frame.groupby("generator"):
        ax.scatter(rows[x], rows[y], s=14, color=GENERATOR_COLORS.get(generator, "#999999"), label=generator_label(generator))
    ax.set_xlabel(metric_label(x))
    ax.set_ylabel(metric_label(y))
    return ax


def signed_log_curve(ax: plt.Axes) -> plt.Axes:
    """The signed log sln(x) = sign(x) ln|x| on [−1, 1] that TabSynDex applies to associations."""
    x = np.linspace(-1, 1, 401)
    x = x[np.abs(x) > 0.02]
    ax.plot(x[x < 0], -np.log(-x[x < 0]), color="#7570b3")
    ax.plot(x[x > 0], np.log(x[x > 0]), color="#7570b3")
    ax.axhline(0, color="#999999", lw=0.8)
    ax.set_xlabel("association $A_{ij}$")
    ax.set_ylabel(r"$\operatorname{sln}(A_{ij})$")
    ax.set_title("signed log")
    return ax
