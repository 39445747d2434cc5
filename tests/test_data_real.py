"""The loaders on the real datasets, when the data directory has them.

CI installs the offline copies first (``.ci/run``: ``python -m datarights data all --from
../shared/data`` into ``$DATARIGHTS_DATA``); elsewhere ``python -m datarights data ...`` does.
A dataset that is not installed is skipped, with the reason and the command that installs it.
"""

from __future__ import annotations

import pytest
import torch

from datarights import data
from datarights.data import install


@pytest.fixture(scope="module")
def data_dir():
    return data.default_data_dir()


def _needs(name: str, data_dir) -> None:
    state = install.status(data_dir, (name,))[name]
    if state != "installed":
        copy = install.OFFLINE[name]
        pytest.skip(f"{name} is {state} in the data directory {data_dir}: install it with "
                    f"`python -m datarights data {name} --from PATH/{copy.source}` (no network and no copy here)")


def test_mnist_has_the_official_sizes_and_all_ten_digits(data_dir):
    _needs("mnist", data_dir)
    ds = data.load("mnist", data_dir)
    assert (len(ds.train), len(ds.test)) == (60000, 10000) and ds.input_shape == (1, 28, 28)
    assert torch.bincount(ds.train.y, minlength=10).min() > 5000
    assert ds.train.x.dtype == torch.uint8 and int(ds.train.x.max()) == 255


def test_mnist_14px_averages_each_2x2_block_and_standardises_with_mnists_own_statistics(data_dir):
    """The zero-shot chapter's quick data: the same images and labels, each pixel the mean of a 2×2 block
    (to the nearest grey level), and mean/std constants that are MNIST's training-set pixel statistics."""
    _needs("mnist", data_dir)
    full, small = data.load("mnist", data_dir), data.load("mnist-14px", data_dir)
    assert small.input_shape == (1, 14, 14) and torch.equal(small.train.y, full.train.y) and torch.equal(small.test.y, full.test.y)
    blocks = full.test.x[:100].float().reshape(100, 1, 14, 2, 14, 2).mean(dim=(3, 5))
    assert (small.test.x[:100].float() - blocks).abs().max() <= 0.5
    pixels = full.train.x.float() / 255
    assert small.train.mean[0] == pytest.approx(pixels.mean().item(), abs=1e-3)
    assert small.train.std[0] == pytest.approx(pixels.std().item(), abs=1e-3)


@pytest.mark.slow
def test_cifar10_has_5000_and_1000_images_per_class(data_dir):
    _needs("cifar10", data_dir)
    ds = data.load("cifar10", data_dir)
    assert ds.input_shape == (3, 32, 32)
    assert torch.bincount(ds.train.y).tolist() == [5000] * 10 and torch.bincount(ds.test.y).tolist() == [1000] * 10
    again = data.load("cifar10", data_dir)  # from the decoded tensors this time
    assert torch.equal(again.test.x, ds.test.x)


def test_stsb_dir_reads_the_authors_split(data_dir):
    _needs("stsb-dir", data_dir)
    from datarights.data.regression import load_regression

    ds = load_regression("stsb", data_dir)
    assert [len(p) for p in ds.parts] == [5249, 1000, 1000]
    scores = torch.cat([p.y for p in ds.parts])
    assert float(scores.min()) >= 0.0 and float(scores.max()) <= 5.0


def test_ett_series_load_as_forecasting_windows(data_dir):
    _needs("ett", data_dir)
    from datarights.data.regression import load_regression

    ds = load_regression("ett", data_dir)
    assert all(len(p) > 1000 for p in ds.parts)
    assert all(bool(torch.isfinite(p.y).all()) for p in ds.parts)


def test_utkface_archive_is_complete(data_dir):
    _needs("utkface", data_dir)  # the check reads the whole archive: 23,708 faces
    assert install.status(data_dir, ("utkface",))["utkface"] == "installed"


@pytest.mark.parametrize(("name", "rows"), [("winequality-white", 4898), ("concrete", 1030)])
def test_tabsyndex_tables_load_whole(data_dir, name, rows):
    _needs("tabular", data_dir)
    from datarights.data import tabular

    if not (tabular.tabular_dir(data_dir) / f"{name}.csv").is_file():
        pytest.skip(f"{name}.csv is not in {tabular.tabular_dir(data_dir)}")
    table = tabular.load_table(name, data_dir=data_dir)
    assert len(table.frame) == rows and not table.frame.isna().any().any()
