import tarfile

import numpy as np
import pytest
import torch

from datarights import data


def test_digits_are_uint8_images_with_a_fixed_stratified_split(digits):
    assert digits.train.x.dtype == torch.uint8 and digits.input_shape == (1, 8, 8)
    assert (len(digits.train), len(digits.test)) == (1257, 540)
    counts = torch.bincount(digits.test.y, minlength=10)
    assert counts.min() >= 50 and counts.max() <= 56, "stratified: every class ~10% of the test set"
    again = data.load("digits")
    assert torch.equal(again.train.x, digits.train.x) and torch.equal(again.test.y, digits.test.y)


def test_class_forgetting_partitions_train_and_test(digits):
    s = data.class_forgetting(digits, [3, 7])
    assert set(s.forget_train.y.tolist()) == {3, 7} and not ({3, 7} & set(s.retain_train.y.tolist()))
    assert len(s.forget_train) + len(s.retain_train) == len(digits.train)
    assert len(s.forget_test) + len(s.retain_test) == len(digits.test)
    assert s.forget_classes == (3, 7) and s.kind == "class"


def test_random_forgetting_is_deterministic_by_seed(digits):
    a, b, c = (data.random_forgetting(digits, 0.1, seed=s) for s in (0, 0, 1))
    assert torch.equal(a.forget_train.x, b.forget_train.x)
    assert not torch.equal(a.forget_train.y, c.forget_train.y)
    assert len(a.forget_train) == round(0.1 * len(digits.train))
    assert len(a.forget_train) + len(a.retain_train) == len(digits.train)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda d: data.class_forgetting(d, [10]), "out of range"),
        (lambda d: data.class_forgetting(d, []), "is empty"),
        (lambda d: data.class_forgetting(d, range(10)), "nothing would be retained"),
        (lambda d: data.random_forgetting(d, 1.5), "fraction"),
        (lambda d: data.class_forgetting(data.ImageDataset("no-fours", d.train.subset(d.train.y != 4), d.test), [4]),
         "forget set would be empty"),
    ],
)
def test_bad_forget_requests_raise_clear_errors(digits, call, message):
    with pytest.raises(ValueError, match=message):
        call(digits)


def test_unknown_dataset_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown dataset name='cifar11'.*cifar10.*digits"):
        data.load("cifar11")


def test_missing_cifar_says_how_to_get_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="DATARIGHTS_DATA") as err:
        data.load("cifar10", tmp_path)
    assert "cifar10-jpeg.tar.gz" in str(err.value)


def _write_fake_cifar_folder(root, per_class=2):
    from PIL import Image

    rng = np.random.default_rng(0)
    for part in ("train", "test"):
        for name in data.CIFAR10_CLASSES:
            folder = root / "cifar10-jpeg" / part / name
            folder.mkdir(parents=True)
            for i in range(per_class):
                Image.fromarray(rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)).save(folder / f"{i:04d}.png")


def test_cifar10_image_folder_and_its_archive_load_in_label_order(tmp_path):
    _write_fake_cifar_folder(tmp_path)
    ds = data.load("cifar10", tmp_path)
    assert ds.input_shape == (3, 32, 32) and len(ds.train) == 20 and len(ds.test) == 20
    assert ds.train.y.tolist() == [c for c in range(10) for _ in range(2)]
    archive_dir = tmp_path / "archived"
    archive_dir.mkdir()
    with tarfile.open(archive_dir / "cifar10-jpeg.tar.gz", "w:gz") as tar:
        tar.add(tmp_path / "cifar10-jpeg", arcname="cifar10-jpeg")
    unpacked = data.load("cifar10", archive_dir)
    assert torch.equal(unpacked.train.x, ds.train.x)


def test_batches_normalise_and_cover_every_image_once(digits):
    xs, ys = zip(*digits.train.batches(100, shuffle=True, generator=torch.Generator().manual_seed(0)))
    assert sum(len(y) for y in ys) == len(digits.train)
    assert sorted(torch.cat(ys).tolist()) == sorted(digits.train.y.tolist())
    x = torch.cat(xs)
    assert abs(float(x.mean())) < 0.05 and abs(float(x.std()) - 1) < 0.05


def test_crop_flip_moves_pixels_but_keeps_shape_and_values():
    x = torch.arange(2 * 3 * 32 * 32, dtype=torch.int64).remainder(251).to(torch.uint8).view(2, 3, 32, 32)
    out = data.crop_flip(x, generator=torch.Generator().manual_seed(0))
    assert out.shape == x.shape and out.dtype == torch.uint8
    assert set(out.unique().tolist()) <= set(x.unique().tolist()) | {0}
    unpadded = data.crop_flip(x, padding=0, generator=torch.Generator().manual_seed(1))
    for original, moved in zip(x, unpadded):
        assert torch.equal(moved, original) or torch.equal(moved, original.flip(-1))
