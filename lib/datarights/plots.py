"""The book's figure style and the plots chapters share.

One place for the look of every figure: the size of the text column and the smallest font, method
names and one colour per method for the whole book (colour-blind safe), split names, the
retrained-reference convention (a dashed line or hatched bar wherever a retrained model exists),
and helpers for legends below the data, labels that do not overlap, heat-map numbers that fit
their cells, and linear axes for shares.
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
# One colour per method for the whole book, from Paul Tol's colour-blind-safe schemes (muted, light,
# vibrant) with black for the original model. tests/test_plots.py checks that the methods shown
# together (the head-to-head chapter's eleven, and each chapter's set) stay apart in CIELAB under
# normal vision and under simulated deuteranopia, protanopia and tritanopia (Machado et al. 2009).
METHOD_COLORS = {
    "original": "#000000",           # black
    "retrained": "#117733",          # green (the reference: also hatched or dashed)
    "retrain": "#117733",
    "finetune": "#88CCEE",           # cyan
    "neggrad": "#CC6677",            # rose
    "random_labels": "#DDCC77",      # sand
    "unsir": "#332288",              # indigo
    "unsir_code": "#6699CC",         # mid blue: UNSIR's sibling
    "unsir_no_noise": "#EE99AA",     # light pink
    "bad_teacher": "#44AA99",        # teal
    "gkt": "#AA4499",                # purple
    "gkt_strict": "#AA4499",
    "gkt_faithful": "#D9A3D0",       # light purple: GKT's sibling
    "emmn": "#882255",               # wine
    "gaussian_finetune": "#BBCC33",  # pear
    "blindspot": "#999933",          # olive
    "blindspot_fixed": "#0077BB",    # blue
    "ssd": "#EE7733",                # orange
}
#: Colours for series that are not methods (splits, curves), in order: Tol's muted scheme.
CYCLE = ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499")
SPLIT_LABELS = {
    "retain_train": "$D_r$\n(train)",
    "forget_train": "$D_f$\n(train)",
    "retain_test": "retain classes\n(test)",
    "forget_test": "forget classes\n(test)",
    "test": "all\n(test)",
}
REFERENCE = "retrained"


# The figure style, sized for the book's text column (sphinx-book-theme: about 780 px on a laptop).
# A figure at most COLUMN_WIDTH inches wide, drawn at FIGURE_DPI, is shown at its own size, so a
# font of N pt in matplotlib is N pt on the page; wider figures are scaled down by the browser and
# their text with them. MIN_FONT is the smallest text the book draws.
COLUMN_WIDTH = 7.0
COLUMN_PIXELS = 780
FIGURE_DPI = 110
MIN_FONT = 8.0


def use_book_style() -> None:
    """Apply the book's matplotlib style (call once per chapter, in the hidden setup cell)."""
    import seaborn as sns
    from cycler import cycler

    sns.set_theme(context="notebook", style="whitegrid")
    plt.rcParams.update({
        "figure.dpi": FIGURE_DPI, "savefig.dpi": 150, "figure.figsize": (COLUMN_WIDTH, 3.2),
        "font.size": 9, "axes.titlesize": 10, "axes.titleweight": "bold", "axes.labelsize": 9,
        "xtick.labelsize": MIN_FONT, "ytick.labelsize": MIN_FONT, "legend.fontsize": MIN_FONT,
        "legend.title_fontsize": MIN_FONT, "figure.titlesize": 10, "figure.titleweight": "bold",
        "legend.frameon": False, "axes.prop_cycle": cycler(color=list(CYCLE)),
    })


def figure(ncols: int = 1, nrows: int = 1, *, height: float | None = None, **kwargs: Any):
    """``plt.subplots`` at the column's width: ``height`` inches per row (default 2.8, 3.2 for one row)."""
    height = height if height is not None else (3.2 if nrows == 1 else 2.8)
    kwargs.setdefault("squeeze", True)
    return plt.subplots(nrows, ncols, figsize=(COLUMN_WIDTH, height * nrows), **kwargs)


def fit_to_column(fig: plt.Figure) -> plt.Figure:
    """Shrink a figure drawn wider than the column to the column's width (its fonts keep their size)."""
    width, height = fig.get_size_inches()
    if width > COLUMN_WIDTH:
        fig.set_size_inches(COLUMN_WIDTH, height * COLUMN_WIDTH / width)
    return fig


def rendered_scale(fig: plt.Figure) -> float:
    """How much the browser shrinks ``fig`` to fit the column (1 when it fits)."""
    return min(1.0, COLUMN_PIXELS / (fig.get_size_inches()[0] * fig.dpi))


def small_text(fig: plt.Figure, minimum: float = MIN_FONT) -> list[str]:
    """The visible texts of ``fig`` smaller than ``minimum`` pt as shown in the column (empty when all are legible)."""
    scale = rendered_scale(fig)
    found = []
    for text in fig.findobj(lambda a: isinstance(a, plt.Text)):
        if text.get_visible() and text.get_text().strip() and text.get_fontsize() * scale < minimum - 1e-6:
            found.append(f"{text.get_text()!r} at {text.get_fontsize() * scale:.1f} pt")
    return found


def legend_below(target: plt.Axes | plt.Figure, *, ncol: int | None = None, handles: list | None = None,
                 labels: list[str] | None = None, **kwargs: Any):
    """A legend under the axes (or figure), in as many columns as fit, off the data."""
    ax = target if isinstance(target, plt.Axes) else None
    if handles is None:
        source = ax if ax is not None else target.axes[0]
        handles, labels = source.get_legend_handles_labels()
    ncol = ncol or max(1, min(len(handles), 4))
    kwargs = {"loc": "upper center", "ncol": ncol, "fontsize": MIN_FONT, "frameon": False, **kwargs}
    if ax is not None:
        return ax.legend(handles, labels, bbox_to_anchor=(0.5, -0.18), **kwargs)
    return target.legend(handles, labels, bbox_to_anchor=(0.5, 0.0), **kwargs)


def share_axis(ax: plt.Axes, axis: str = "y", *, top: float = 100.0) -> plt.Axes:
    """A linear 0–100 % axis for shares (never a log axis: equal shares must look equal)."""
    from matplotlib.ticker import PercentFormatter

    if axis == "y":
        ax.set_yscale("linear")
        ax.set_ylim(0, top)
        ax.yaxis.set_major_formatter(PercentFormatter(100))
    else:
        ax.set_xscale("linear")
        ax.set_xlim(0, top)
        ax.xaxis.set_major_formatter(PercentFormatter(100))
    return ax


def share_bars(parts: pd.DataFrame, *, ax: plt.Axes | None = None, title: str = "", colors: Sequence[str] | None = None,
               annotate: bool = True) -> plt.Axes:
    """Horizontal 100 % bars on a linear axis: one bar per row of ``parts``, one segment per column
    (e.g. the steps of a method's wall time); a segment's width is its share, labelled when it fits."""
    ax = ax or figure(height=0.5 + 0.45 * len(parts))[1]
    shares = 100 * parts.div(parts.sum(axis=1), axis=0)
    left = np.zeros(len(shares))
    colors = list(colors or CYCLE)
    for i, column in enumerate(shares.columns):
        widths = shares[column].to_numpy(dtype=float)
        bars = ax.barh([str(r) for r in shares.index], widths, left=left, color=colors[i % len(colors)],
                       label=str(column), edgecolor="white")
        if annotate:
            ax.bar_label(bars, labels=[f"{w:.0f} %" if w >= 8 else "" for w in widths], label_type="center",
                         fontsize=MIN_FONT, color="white" if i % len(colors) in (0, 3, 7, 8) else "black")
        left += widths
    share_axis(ax, "x")
    ax.invert_yaxis()
    ax.set_title(title)
    legend_below(ax, ncol=min(len(shares.columns), 4))
    return ax


def annotation_size(ax: plt.Axes, ncols: int, nrows: int, text: str = "100") -> float | None:
    """The font size (≥ MIN_FONT) at which ``text`` fits a cell of an ``nrows`` × ``ncols`` heat map
    drawn in ``ax``, or None when even MIN_FONT does not fit (then leave the numbers out)."""
    fig = ax.figure
    box = ax.get_position()
    width_pt = box.width * fig.get_size_inches()[0] * 72 / max(ncols, 1) * rendered_scale(fig)
    height_pt = box.height * fig.get_size_inches()[1] * 72 / max(nrows, 1) * rendered_scale(fig)
    for size in (9.0, 8.5, MIN_FONT):
        if 0.62 * size * len(text) <= 0.9 * width_pt and size * 1.2 <= height_pt:
            return size / rendered_scale(fig)
    return None


def label_points(ax: plt.Axes, xs: Sequence[float], ys: Sequence[float], texts: Sequence[str], *,
                 fontsize: float = MIN_FONT, colors: Sequence[str] | None = None) -> list:
    """Label scatter points without overlap: each label takes the first of eight positions around its
    point whose box overlaps no label placed before, no other point and stays inside the axes; when
    none is free, the least crowded one, joined to its point by a thin line. Returns the texts."""
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    points = ax.transData.transform(np.column_stack([xs, ys]))
    offsets = [(6, 4), (6, -10), (-6, 4), (-6, -10), (0, 9), (0, -15), (16, -3), (-16, -3)]
    placed, boxes = [], []
    for i, (x, y, text) in enumerate(zip(xs, ys, texts)):
        color = colors[i] if colors else "black"
        scored = []
        for dx, dy in offsets:
            ha = "left" if dx > 0 else "right" if dx < 0 else "center"
            probe = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", fontsize=fontsize, ha=ha)
            box = probe.get_window_extent(renderer).expanded(1.04, 1.1)
            probe.remove()
            clashes = sum(box.overlaps(b) for b in boxes)
            clashes += sum(box.contains(px, py) for j, (px, py) in enumerate(points) if j != i)
            outside = not (frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1))
            scored.append((clashes + 0.5 * outside, (dx, dy), ha, box))
            if scored[-1][0] == 0:
                break
        score, offset, ha, box = min(scored, key=lambda item: item[0])
        arrow = {"arrowstyle": "-", "lw": 0.5, "color": "#777777"} if score >= 1 else None
        placed.append(ax.annotate(text, (x, y), xytext=offset, textcoords="offset points", fontsize=fontsize, ha=ha,
                                  color=color, arrowprops=arrow))
        boxes.append(box)
    return placed


def log_axis(ax: plt.Axes, axis: str = "x") -> plt.Axes:
    """A log axis with labels at powers of ten (1, 10, 100 ...) and unlabelled minor ticks where the axis spans
    more than a decade (no clutter); a narrower axis labels some minor ticks, so that it is never left bare."""
    from matplotlib.ticker import LogFormatterSciNotation, LogLocator

    target = ax.xaxis if axis == "x" else ax.yaxis
    (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
    target.set_major_locator(LogLocator(base=10, numticks=8))
    target.set_minor_locator(LogLocator(base=10, subs=np.arange(2, 10) * 0.1, numticks=12))
    target.set_minor_formatter(LogFormatterSciNotation(labelOnlyBase=False, minor_thresholds=(1, 0.4)))
    return ax


def label(method: str) -> str:
    return METHOD_LABELS.get(method, method)


def color(method: str) -> str:
    return METHOD_COLORS.get(method, "#999999")


def accuracy_bars(table: pd.DataFrame, splits: Sequence[str] = ("retain_test", "forget_test"), *, title: str = "",
                  ax: plt.Axes | None = None, errors: pd.DataFrame | None = None) -> plt.Axes:
    """Grouped bars: accuracy (%) per split (groups) and model (bars); the retrained model hatched.

    ``errors``, shaped like ``table``, draws ± whiskers (e.g. the standard deviation over requests).
    """
    ax = ax or plt.subplots(figsize=(COLUMN_WIDTH, 3.4))[1]
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
    ax.legend(ncol=min(len(models), 4), loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize=MIN_FONT)
    return ax


def metric_bars(table: pd.DataFrame, column: str, *, ylabel: str, title: str = "", ax: plt.Axes | None = None,
                reference: str | None = REFERENCE, fmt: str = "{:.2f}") -> plt.Axes:
    """One bar per model for ``column``, a dashed line at the retrained model's value."""
    ax = ax or plt.subplots(figsize=(4.5, 3.2))[1]
    models = list(table.index)
    values = table[column].to_numpy(dtype=float)
    bars = ax.bar([label(m) for m in models], values, color=[color(m) for m in models], edgecolor="white")
    ax.bar_label(bars, labels=[fmt.format(v) for v in values], fontsize=MIN_FONT, padding=2)
    ax.set_ylim(min(0.0, np.nanmin(values) * 1.2), max(np.nanmax(values), 1e-9) * 1.25)
    if reference is not None and reference in table.index:
        ax.axhline(table.loc[reference, column], color=color(reference), ls="--", lw=1.2, label=f"{label(reference)} value")
        ax.legend(fontsize=MIN_FONT, loc="upper left")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    plt.setp(ax.get_xticklabels(), rotation=30, ha="right", fontsize=MIN_FONT)
    return ax


def score_bars(values: pd.Series, errors: pd.Series | None = None, *, ylabel: str, ax: plt.Axes | None = None,
               reference: tuple[float, float] | float | None = None, reference_label: str = "", title: str = "",
               fmt: str = "{:.2f}") -> plt.Axes:
    """One bar per method (index of ``values``) with ± ``errors`` whiskers, and a reference level: a dashed
    line, with a shaded band of ± its spread when ``reference`` is a (level, spread) pair."""
    ax = ax or figure(height=3.0)[1]
    methods = list(values.index)
    heights = values.to_numpy(dtype=float)
    spread = None if errors is None else np.nan_to_num(errors.reindex(methods).to_numpy(dtype=float))
    bars = ax.bar([label(m) for m in methods], heights, yerr=spread, capsize=2, error_kw={"lw": 0.8},
                  color=[color(m) for m in methods], edgecolor="white")
    ax.bar_label(bars, labels=[fmt.format(v) for v in heights], fontsize=MIN_FONT, padding=2)
    if reference is not None:
        level, band = reference if isinstance(reference, tuple) else (reference, None)
        ax.axhline(level, color="black", ls="--", lw=1.0, label=reference_label or None)
        if band is not None and np.isfinite(band):
            ax.axhspan(level - band, level + band, color="black", alpha=0.08, lw=0)
        if reference_label:
            ax.legend(fontsize=MIN_FONT, loc="upper right")
    top = np.nanmax(np.concatenate([heights + (spread if spread is not None else 0), [level if reference is not None else 0]]))
    ax.set_ylim(0, max(top, 1e-9) * 1.25)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    plt.setp(ax.get_xticklabels(), rotation=30, ha="right", fontsize=MIN_FONT)
    return ax


def output_distributions(populations: dict[str, np.ndarray], *, ax: plt.Axes | None = None, title: str = "",
                         xlabel: str = "logit-scaled confidence of the true label") -> plt.Axes:
    """The outputs of several populations of models on one example: a row of points per population (one
    per model) over a fitted Gaussian curve, so that the reader sees how far apart the two samples lie."""
    ax = ax or figure(height=2.6)[1]
    values = np.concatenate([np.asarray(v, dtype=float) for v in populations.values()])
    lo, hi = values.min(), values.max()
    pad = 0.15 * (hi - lo) + 0.5
    grid = np.linspace(lo - pad, hi + pad, 400)
    for row, (name, outputs) in enumerate(populations.items()):
        outputs = np.asarray(outputs, dtype=float)
        mu, sd = outputs.mean(), max(outputs.std(ddof=1) if outputs.size > 1 else 0.0, 1e-3 * (hi - lo + 1.0))
        ax.plot(grid, np.exp(-0.5 * ((grid - mu) / sd) ** 2), color=color(name), lw=1.5,  # the Gaussian, peak scaled to 1
                label=f"{label(name)} (K = {outputs.size})")
        ax.scatter(outputs, np.full(outputs.size, -0.08 * (row + 1)), color=color(name), s=22, zorder=3)
    ax.set_yticks([])
    ax.set_ylabel("fitted density (scaled)")
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    legend_below(ax, ncol=len(populations))
    return ax


def entropy_histograms(histograms: dict[str, Any], models: Sequence[str], *, title: str = "") -> plt.Figure:
    """For each model: softmax-entropy distributions of members (D_r train), non-members (test) and D_f train."""
    edges = np.asarray(histograms["edges"])
    centers, widths = 0.5 * (edges[1:] + edges[:-1]), np.diff(edges)
    fig, axes = plt.subplots(1, len(models), figsize=(min(2.6 * len(models), COLUMN_WIDTH), 2.8), sharex=True, sharey=True,
                             squeeze=False)
    styles = {"members": ("#377eb8", "$D_r$ train (members)"), "nonmembers": ("#999999", "test (non-members)"),
              "forget": ("#e41a1c", "$D_f$ train (to judge)")}
    for ax, model in zip(axes[0], models):
        for part, (c, name) in styles.items():
            counts = np.asarray(histograms[model][part], dtype=float)
            density = counts / max(counts.sum(), 1) / widths
            ax.step(centers, density, where="mid", color=c, label=name, lw=1.4)
        ax.set_title(label(model), fontsize=9)
        ax.set_xlabel("entropy (nats)")
        ax.set_yscale("symlog", linthresh=1.0)
    axes[0][0].set_ylabel("density")
    handles, names = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncol=3, bbox_to_anchor=(0.5, -0.08), fontsize=MIN_FONT)
    fig.suptitle(title, fontweight="bold", fontsize=10)
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
    ax.legend(fontsize=MIN_FONT)
    return ax


def per_class_heatmap(per_class: pd.DataFrame, *, title: str = "", ax: plt.Axes | None = None) -> plt.Axes:
    """Test accuracy (%) of each model (rows) on each class (columns)."""
    import seaborn as sns

    ax = ax or plt.subplots(figsize=(COLUMN_WIDTH, 0.8 + 0.32 * len(per_class)))[1]
    data = 100 * per_class.rename(index=label)
    size = annotation_size(ax, data.shape[1], data.shape[0])
    sns.heatmap(data, annot=size is not None, fmt=".0f", cmap="viridis", vmin=0, vmax=100,
                cbar_kws={"label": "accuracy (%)"}, ax=ax, annot_kws={"fontsize": size or MIN_FONT})
    ax.set_xlabel("class")
    ax.set_ylabel("")
    ax.set_title(title)
    return ax


def mean_std_bars(summary: pd.DataFrame, splits: Sequence[str] = ("retain_test", "forget_test"), *, title: str = "",
                  ax: plt.Axes | None = None) -> plt.Axes:
    """``accuracy_bars`` for a ``(column, "mean"|"std")`` summary over several requests, with ±1 std whiskers."""
    return accuracy_bars(summary.xs("mean", axis=1, level=1), splits, title=title, ax=ax,
                         errors=summary.xs("std", axis=1, level=1))


MAX_GRID_HEIGHT = 4.5


def image_grid(images: dict[Any, np.ndarray], *, row_labels: Sequence[str], title: str = "", per_row: int = 6,
               max_height: float = MAX_GRID_HEIGHT) -> plt.Figure:
    """Rows of images (N×C×H×W arrays in any range), each image scaled to its own min–max for display.

    The grid fits the column: at most ``COLUMN_WIDTH`` wide (1.2 in kept for the row labels) and
    ``max_height`` inches tall (about 500 px on the page); the images shrink to fit, square.
    """
    rows = list(images)
    side = min(1.1, (COLUMN_WIDTH - 1.2) / per_row, (max_height - 0.4) / max(len(rows), 1))
    fig, axes = plt.subplots(len(rows), per_row, figsize=(side * per_row + 1.2, side * len(rows) + 0.4 + 0.25 * bool(title)),
                             squeeze=False)
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
        axes[r][0].set_ylabel(row_labels[r], rotation=0, ha="right", va="center", fontsize=MIN_FONT)
    fig.suptitle(title, fontweight="bold", fontsize=10)
    fig.tight_layout()
    return fig


def share_heatmap(shares: pd.DataFrame, *, title: str = "", ax: plt.Axes | None = None, xlabel: str = "predicted class",
                  ylabel: str = "forgotten class") -> plt.Axes:
    """Row-wise shares (%) as an annotated heat map, e.g. where the images of each forgotten class go."""
    import seaborn as sns

    ax = ax or plt.subplots(figsize=(4.2, 3.6))[1]
    size = annotation_size(ax, shares.shape[1], shares.shape[0])
    sns.heatmap(100 * shares, annot=size is not None, fmt=".0f", cmap="rocket_r", vmin=0, vmax=100, cbar=size is None,
                ax=ax, annot_kws={"fontsize": size or MIN_FONT})
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
        ax.legend(fontsize=MIN_FONT)
    return ax
