"""The book's figure style and the plots chapters share.

One place for the look of every figure: method names and colours, split names, the
retrained-reference convention (a dashed line or hatched bar wherever a retrained model exists).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

METHOD_LABELS = {
    "original": "Original",
    "retrained": "Retrained (gold)",
    "retrain": "Retrained (gold)",
    "finetune": "Fine-tune",
    "neggrad": "NegGrad",
    "random_labels": "Random labels",
    "unsir": "UNSIR",
    "unsir_code": "UNSIR (authors' code)",
    "unsir_no_noise": "Impair without noise",
    "bad_teacher": "Bad teacher",
    "gkt": "GKT (strict)",
    "gkt_strict": "GKT (strict)",
    "gkt_faithful": "GKT (authors' notebook)",
    "emmn": "EMMN (reconstruction)",
    "gaussian_finetune": "Gaussian fine-tune",
    "blindspot": "Blindspot",
    "blindspot_fixed": "Blindspot (2-D fix)",
    "ssd": "SSD (Foster et al. 2024)",
}
METHOD_COLORS = {
    "original": "#4c4c4c",
    "retrained": "#1b9e77",
    "retrain": "#1b9e77",
    "finetune": "#7570b3",
    "neggrad": "#d95f02",
    "random_labels": "#e7298a",
    "unsir": "#e6ab02",
    "unsir_code": "#a6761d",
    "unsir_no_noise": "#66a61e",
    "bad_teacher": "#1f78b4",
    "gkt": "#6a3d9a",
    "gkt_strict": "#6a3d9a",
    "gkt_faithful": "#cab2d6",
    "emmn": "#b15928",
    "gaussian_finetune": "#fb9a99",
    "blindspot": "#e31a1c",
    "blindspot_fixed": "#fdbf6f",
    "ssd": "#999999",
}
SPLIT_LABELS = {
    "retain_train": "$D_r$\n(train)",
    "forget_train": "$D_f$\n(train)",
    "retain_test": "retain classes\n(test)",
    "forget_test": "forget classes\n(test)",
    "test": "all\n(test)",
}
REFERENCE = "retrained"


def use_book_style() -> None:
    """Apply the book's matplotlib style (call once per chapter, in the hidden setup cell)."""
    import seaborn as sns

    sns.set_theme(context="notebook", style="whitegrid", font_scale=0.95)
    plt.rcParams.update({"figure.dpi": 110, "savefig.dpi": 150, "figure.figsize": (7.5, 3.6),
                         "axes.titleweight": "bold", "axes.titlesize": 11, "legend.frameon": False})


def label(method: str) -> str:
    return METHOD_LABELS.get(method, method)


def color(method: str) -> str:
    return METHOD_COLORS.get(method, "#999999")


def accuracy_bars(table: pd.DataFrame, splits: Sequence[str] = ("retain_test", "forget_test"), *, title: str = "",
                  ax: plt.Axes | None = None, errors: pd.DataFrame | None = None) -> plt.Axes:
    """Grouped bars: accuracy (%) per split (groups) and model (bars); the retrained model hatched.

    ``errors``, shaped like ``table``, draws ± whiskers (e.g. the standard deviation over requests).
    """
    ax = ax or plt.subplots(figsize=(7.5, 3.4))[1]
    models = list(table.index)
    width = 0.8 / len(models)
    x = np.arange(len(splits))
    for i, model in enumerate(models):
        values = 100 * table.loc[model, list(splits)].to_numpy(dtype=float)
        spread = None if errors is None else 100 * np.nan_to_num(errors.loc[model, list(splits)].to_numpy(dtype=float))
        ax.bar(x + (i - (len(models) - 1) / 2) * width, values, width, yerr=spread, capsize=2, error_kw={"lw": 0.8},
               label=label(model), color=color(model), hatch="//" if model == REFERENCE else None, edgecolor="white")
    ax.set_xticks(x, [SPLIT_LABELS.get(s, s) for s in splits])
    ax.set_ylabel("accuracy (%)")
    ax.set_ylim(0, 110 if errors is not None else 105)
    ax.set_title(title)
    ax.legend(ncol=min(len(models), 4), loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize=8)
    return ax


def metric_bars(table: pd.DataFrame, column: str, *, ylabel: str, title: str = "", ax: plt.Axes | None = None,
                reference: str | None = REFERENCE, fmt: str = "{:.2f}") -> plt.Axes:
    """One bar per model for ``column``, a dashed line at the retrained model's value."""
    ax = ax or plt.subplots(figsize=(4.5, 3.2))[1]
    models = list(table.index)
    values = table[column].to_numpy(dtype=float)
    bars = ax.bar([label(m) for m in models], values, color=[color(m) for m in models], edgecolor="white")
    ax.bar_label(bars, labels=[fmt.format(v) for v in values], fontsize=8, padding=2)
    ax.set_ylim(min(0.0, np.nanmin(values) * 1.2), max(np.nanmax(values), 1e-9) * 1.25)
    if reference is not None and reference in table.index:
        ax.axhline(table.loc[reference, column], color=color(reference), ls="--", lw=1.2, label=f"{label(reference)} value")
        ax.legend(fontsize=7, loc="upper left")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    plt.setp(ax.get_xticklabels(), rotation=30, ha="right", fontsize=8)
    return ax


def entropy_histograms(histograms: dict[str, Any], models: Sequence[str], *, title: str = "") -> plt.Figure:
    """For each model: softmax-entropy distributions of members (D_r train), non-members (test) and D_f train."""
    edges = np.asarray(histograms["edges"])
    centers, widths = 0.5 * (edges[1:] + edges[:-1]), np.diff(edges)
    fig, axes = plt.subplots(1, len(models), figsize=(2.6 * len(models), 2.8), sharex=True, sharey=True, squeeze=False)
    styles = {"members": ("#377eb8", "$D_r$ train (members)"), "nonmembers": ("#999999", "test (non-members)"),
              "forget": ("#e41a1c", "$D_f$ train (to judge)")}
    for ax, model in zip(axes[0], models):
        for part, (c, name) in styles.items():
            counts = np.asarray(histograms[model][part], dtype=float)
            density = counts / max(counts.sum(), 1) / widths
            ax.step(centers, density, where="mid", color=c, label=name, lw=1.4)
        ax.set_title(label(model), fontsize=10)
        ax.set_xlabel("entropy of softmax (nats)")
        ax.set_yscale("symlog", linthresh=1.0)
    axes[0][0].set_ylabel("density")
    handles, names = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncol=3, bbox_to_anchor=(0.5, -0.08), fontsize=8)
    fig.suptitle(title, fontweight="bold", fontsize=11)
    fig.tight_layout()
    return fig


def entropy_overlay(histograms: dict[str, Any], models: Sequence[str], *, title: str = "", ax: plt.Axes | None = None,
                    xlabel: str = "entropy of softmax on forget data (nats)") -> plt.Axes:
    """Several models' entropy distributions on one set, overlaid (``histograms``: ``edges`` and counts per model)."""
    ax = ax or plt.subplots(figsize=(5.5, 3.2))[1]
    edges = np.asarray(histograms["edges"])
    centers, widths = 0.5 * (edges[1:] + edges[:-1]), np.diff(edges)
    for model in models:
        counts = np.asarray(histograms[model], dtype=float)
        ax.step(centers, counts / max(counts.sum(), 1) / widths, where="mid", color=color(model), label=label(model),
                lw=1.6, ls="--" if model == REFERENCE else "-")
    ax.axvline(edges[-1], color="#999999", lw=0.8, ls=":")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("density")
    ax.set_title(title)
    ax.legend(fontsize=7)
    return ax


def per_class_heatmap(per_class: pd.DataFrame, *, title: str = "", ax: plt.Axes | None = None) -> plt.Axes:
    """Test accuracy (%) of each model (rows) on each class (columns)."""
    import seaborn as sns

    ax = ax or plt.subplots(figsize=(7.5, 2.8))[1]
    data = 100 * per_class.rename(index=label)
    sns.heatmap(data, annot=True, fmt=".0f", cmap="viridis", vmin=0, vmax=100, cbar_kws={"label": "accuracy (%)"},
                ax=ax, annot_kws={"fontsize": 7})
    ax.set_xlabel("class")
    ax.set_ylabel("")
    ax.set_title(title)
    return ax


def mean_std_bars(summary: pd.DataFrame, splits: Sequence[str] = ("retain_test", "forget_test"), *, title: str = "",
                  ax: plt.Axes | None = None) -> plt.Axes:
    """``accuracy_bars`` for a ``(column, "mean"|"std")`` summary over several requests, with ±1 std whiskers."""
    return accuracy_bars(summary.xs("mean", axis=1, level=1), splits, title=title, ax=ax,
                         errors=summary.xs("std", axis=1, level=1))


def image_grid(images: dict[Any, np.ndarray], *, row_labels: Sequence[str], title: str = "", per_row: int = 6) -> plt.Figure:
    """Rows of images (N×C×H×W arrays in any range), each image scaled to its own min–max for display."""
    rows = list(images)
    fig, axes = plt.subplots(len(rows), per_row, figsize=(1.1 * per_row, 1.15 * len(rows)), squeeze=False)
    for r, key in enumerate(rows):
        for c in range(per_row):
            ax = axes[r][c]
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            if c >= len(images[key]):
                ax.axis("off")
                continue
            img = np.asarray(images[key][c], dtype=float)
            img = (img - img.min()) / max(img.max() - img.min(), 1e-12)
            ax.imshow(img[0] if img.shape[0] == 1 else img.transpose(1, 2, 0), cmap="gray" if img.shape[0] == 1 else None)
        axes[r][0].set_ylabel(row_labels[r], rotation=0, ha="right", va="center", fontsize=8)
    fig.suptitle(title, fontweight="bold", fontsize=11)
    fig.tight_layout()
    return fig


def share_heatmap(shares: pd.DataFrame, *, title: str = "", ax: plt.Axes | None = None, xlabel: str = "predicted class",
                  ylabel: str = "forgotten class") -> plt.Axes:
    """Row-wise shares (%) as an annotated heat map, e.g. where the images of each forgotten class go."""
    import seaborn as sns

    ax = ax or plt.subplots(figsize=(4.2, 3.6))[1]
    sns.heatmap(100 * shares, annot=True, fmt=".0f", cmap="rocket_r", vmin=0, vmax=100, cbar=False, ax=ax,
                annot_kws={"fontsize": 6.5})
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    return ax


def method_lines(table: pd.DataFrame, *, x: str, y: str, ax: plt.Axes, ylabel: str = "", xlabel: str = "",
                 style: str = "-", logx: bool = False, marker: str = "o", legend: bool = True) -> plt.Axes:
    """One line per method of a long table (columns ``method``, ``x``, ``y``), coloured by method."""
    for method, part in table.groupby("method", sort=False):
        part = part.sort_values(x)
        ax.plot(part[x], part[y], style, marker=marker, ms=4, color=color(method), label=label(method))
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel or x)
    ax.set_ylabel(ylabel or y)
    if legend:
        ax.legend(fontsize=7)
    return ax
