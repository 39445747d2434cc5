"""The figure style: one colour per method that stays distinct (also for colour-blind readers), figures
sized for the text column with no text below 8 pt as shown, labels that do not overlap, linear shares."""

import itertools
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from datarights import plots  # noqa: E402

# Machado, Oliveira and Fernandes (2009), severity 1, on linear RGB.
CVD = {
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
}
# Methods drawn in one figure: the head-to-head chapter's eleven, and the other chapters' sets.
TOGETHER = {
    "head to head": ["original", "retrain", "finetune", "neggrad", "random_labels", "unsir", "unsir_code", "bad_teacher",
                     "gkt", "emmn", "ssd"],
    "UNSIR": ["original", "retrained", "finetune", "neggrad", "random_labels", "unsir", "unsir_code", "unsir_no_noise"],
    "zero-shot": ["original", "retrained", "finetune", "neggrad", "random_labels", "gkt", "gkt_faithful", "emmn"],
    "regression": ["original", "retrained", "finetune", "gaussian_finetune", "blindspot", "blindspot_fixed"],
}


def _lab(hex_color, matrix=None):
    rgb = np.array([int(hex_color[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    if matrix is not None:
        linear = np.clip(np.asarray(matrix) @ linear, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear
    xyz = xyz / [0.95047, 1.0, 1.08883]
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _closest(methods, matrix=None):
    return min((float(np.linalg.norm(_lab(plots.color(a), matrix) - _lab(plots.color(b), matrix))), a, b)
               for a, b in itertools.combinations(methods, 2))


def test_every_method_has_its_own_colour():
    assert set(plots.METHOD_LABELS) <= set(plots.METHOD_COLORS)
    distinct = {plots.label(m): plots.color(m) for m in plots.METHOD_COLORS}
    assert len(set(distinct.values())) == len(distinct), "two methods share a colour"
    assert len(distinct) >= 11
    distance, a, b = _closest(list({plots.label(m): m for m in plots.METHOD_COLORS}.values()))
    assert distance >= 15, f"{a} and {b} look alike ({distance:.1f} ΔE)"


@pytest.mark.parametrize("vision", [None, *CVD])
@pytest.mark.parametrize("group", list(TOGETHER))
def test_methods_shown_together_stay_apart_for_colour_blind_readers(group, vision):
    distance, a, b = _closest(TOGETHER[group], CVD.get(vision))
    assert distance >= 9, f"{group}, {vision or 'normal vision'}: {a} and {b} look alike ({distance:.1f} ΔE)"


@pytest.fixture
def styled():
    plots.use_book_style()
    yield
    plt.close("all")


def _figures():
    table = pd.DataFrame({"retain_test": [0.9, 0.88, 0.5], "forget_test": [0.9, 0.0, 0.1], "gap": [0.1, 0.0, -0.0]},
                         index=["original", "retrained", "unsir"])
    summary = pd.concat({c: pd.DataFrame({"mean": table[c], "std": 0.01}) for c in ("retain_test", "forget_test")}, axis=1)
    edges = np.linspace(0, 2.3, 11)
    hist = {"edges": edges, **{m: {p: np.arange(10) for p in ("members", "nonmembers", "forget")} for m in table.index}}
    per_class = pd.DataFrame(np.random.default_rng(0).random((3, 10)), index=table.index)
    shares = pd.DataFrame(np.full((10, 10), 0.1))
    long = pd.DataFrame({"method": ["unsir"] * 3 + ["neggrad"] * 3, "x": [1, 2, 3] * 2, "y": np.arange(6.0)})
    yield "accuracy_bars", plots.accuracy_bars(table).figure
    yield "metric_bars", plots.metric_bars(table, "gap", ylabel="gap").figure
    yield "entropy_histograms", plots.entropy_histograms(hist, list(table.index))
    yield "per_class_heatmap", plots.per_class_heatmap(per_class).figure
    yield "mean_std_bars", plots.mean_std_bars(summary).figure
    yield "share_heatmap", plots.share_heatmap(shares).figure
    yield "method_lines", plots.method_lines(long, x="x", y="y", ax=plots.figure()[1]).figure
    noise = {c: np.random.default_rng(c).random((6, 3, 8, 8)) for c in range(10)}
    yield "image_grid", plots.image_grid(noise, row_labels=[f"class {c}" for c in range(10)], title="noise")
    yield "share_bars", plots.share_bars(pd.DataFrame({"noise": [58, 10], "impair": [30, 60], "repair": [12, 30]},
                                                      index=["UNSIR", "NegGrad"])).figure


def test_figures_fit_the_column_with_legible_text(styled):
    for name, fig in _figures():
        fig.canvas.draw()
        assert fig.get_size_inches()[0] <= plots.COLUMN_WIDTH + 1e-9, name
        assert plots.small_text(fig) == [], f"{name}: text below {plots.MIN_FONT} pt: {plots.small_text(fig)}"


def test_fit_to_column_shrinks_a_wide_figure_and_small_text_sees_the_shrinking(styled):
    fig, ax = plt.subplots(figsize=(14, 3))
    ax.set_title("wide", fontsize=9)
    assert plots.small_text(fig)  # 9 pt drawn 14 in wide shows at about 4.5 pt
    plots.fit_to_column(fig)
    assert fig.get_size_inches()[0] == pytest.approx(plots.COLUMN_WIDTH)
    assert plots.small_text(fig) == []


def test_heat_map_numbers_are_left_out_when_they_cannot_fit(styled):
    fig, ax = plt.subplots(figsize=(2.5, 2.5))
    plots.share_heatmap(pd.DataFrame(np.full((20, 20), 0.05)), ax=ax)
    assert not [t for t in ax.texts if t.get_text()]
    fig, ax = plt.subplots(figsize=(6, 4))
    plots.share_heatmap(pd.DataFrame(np.full((4, 4), 0.25)), ax=ax)
    assert all(t.get_fontsize() >= plots.MIN_FONT for t in ax.texts) and len(ax.texts) == 16


def test_point_labels_do_not_overlap(styled):
    fig, ax = plots.figure()
    xs, ys = [1.0, 1.02, 1.04, 2.0, 2.01], [1.0, 1.01, 0.99, 2.0, 2.0]
    ax.scatter(xs, ys)
    ax.set_xlim(0, 3)
    ax.set_ylim(0, 3)
    texts = plots.label_points(ax, xs, ys, ["UNSIR", "NegGrad", "Fine-tune", "Bad teacher", "SSD"])
    fig.canvas.draw()
    boxes = [t.get_window_extent() for t in texts]
    assert not any(a.overlaps(b) for a, b in itertools.combinations(boxes, 2))


def test_shares_use_a_linear_axis(styled):
    ax = plots.share_bars(pd.DataFrame({"a": [58.0], "b": [42.0]}, index=["UNSIR"]))
    assert ax.get_xscale() == "linear" and ax.get_xlim() == (0, 100)
    widths = [p.get_width() for p in ax.patches]
    assert widths == pytest.approx([58.0, 42.0])


def test_image_grids_stay_within_a_screen(styled):
    fig = plots.image_grid({c: np.zeros((6, 1, 8, 8)) for c in range(10)}, row_labels=[str(c) for c in range(10)])
    assert fig.get_size_inches()[1] <= plots.MAX_GRID_HEIGHT + 0.3


def test_log_axis_labels_powers_of_ten_only(styled):
    fig, ax = plots.figure()
    ax.plot([1, 10, 100, 1000], [1, 2, 3, 4])
    plots.log_axis(ax)
    fig.canvas.draw()
    assert ax.get_xscale() == "log"
    assert not [t for t in ax.get_xticklabels(minor=True) if t.get_text()]


def test_log_axis_over_less_than_a_decade_still_labels_ticks(styled):
    """An axis from 2 to 6 holds no power of ten: some minor ticks must carry labels, or the axis is bare."""
    fig, ax = plots.figure()
    ax.plot([2, 3, 6], [1, 2, 3])
    plots.log_axis(ax)
    fig.canvas.draw()
    shown = [t.get_text() for t in ax.get_xticklabels(minor=True) + ax.get_xticklabels() if t.get_text()]
    assert shown, "a log axis spanning less than a decade shows no tick label"


def _figure_widths():
    import base64
    import struct

    import nbformat

    for path in sorted((Path(__file__).resolve().parents[1] / "book" / "chapters").glob("0*.ipynb")):
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            for output in cell.get("outputs", []):
                png = output.get("data", {}).get("image/png")
                if png:
                    header = base64.b64decode(png[:64])
                    yield f"{path.stem} cell {index}", struct.unpack(">I", header[16:20])[0]


def test_every_figure_of_the_executed_chapters_fits_the_text_column():
    """A figure drawn wider than the column is shrunk by the browser, and its text with it (below 8 pt):
    every figure of the book is drawn at the column's width (``plots.figure``), give or take the tight box."""
    wide = [(where, width) for where, width in _figure_widths() if width > plots.COLUMN_PIXELS + 40]
    assert not wide, f"figures wider than the column ({plots.COLUMN_PIXELS} px): {wide}"
