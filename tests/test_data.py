import pickle
import tarfile
from pathlib import Path

import numpy as np
import pytest
import torch

from datarights import data
from datarights.data import install, registry


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


@pytest.mark.parametrize("name", ["cifar10", "mnist", "cifar100"])
def test_missing_dataset_names_the_data_command(tmp_path, name):
    with pytest.raises(FileNotFoundError, match="DATARIGHTS_DATA") as err:
        data.load(name, tmp_path)
    assert f"python -m datarights data {name} --from" in str(err.value) and "data all --from" in str(err.value)
    assert "../shared" not in str(err.value), "messages never name a developer-only path"


@pytest.fixture
def small_cifar(monkeypatch):
    """A complete CIFAR-10 copy is 5,000/1,000 images per class; the fakes below have 2 per class."""
    monkeypatch.setitem(registry.EXPECTED_COUNTS, "cifar10", {"train": 2, "test": 2})


def _write_fake_cifar_folder(root, per_class=2, seed=0):
    from PIL import Image

    rng = np.random.default_rng(seed)
    for part in ("train", "test"):
        for name in data.CIFAR10_CLASSES:
            folder = root / "cifar10-jpeg" / part / name
            folder.mkdir(parents=True, exist_ok=True)
            for i in range(per_class):
                Image.fromarray(rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)).save(folder / f"{i:04d}.png")


def _archive(folder: Path, into: Path) -> Path:
    into.mkdir(parents=True, exist_ok=True)
    path = into / "cifar10-jpeg.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        tar.add(folder / "cifar10-jpeg", arcname="cifar10-jpeg")
    return path


def test_cifar10_image_folder_and_its_archive_load_in_label_order(tmp_path, small_cifar):
    _write_fake_cifar_folder(tmp_path)
    ds = data.load("cifar10", tmp_path)
    assert ds.input_shape == (3, 32, 32) and len(ds.train) == 20 and len(ds.test) == 20
    assert ds.train.y.tolist() == [c for c in range(10) for _ in range(2)]
    archive_dir = tmp_path / "archived"
    archive_dir.mkdir()
    with tarfile.open(archive_dir / "cifar10-jpeg.tar.gz", "w:gz") as tar:
        tar.add(tmp_path / "cifar10-jpeg", arcname="cifar10-jpeg",
                filter=lambda member: None if member.name.endswith(".pt") else member)  # the images only
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


def test_truncated_archive_is_reported_leaves_nothing_and_a_complete_one_is_used_afterwards(tmp_path, small_cifar):
    _write_fake_cifar_folder(tmp_path / "src")
    complete = _archive(tmp_path / "src", tmp_path / "copies")
    truncated = tmp_path / "cut" / "cifar10-jpeg.tar.gz"
    truncated.parent.mkdir()
    truncated.write_bytes(complete.read_bytes()[: complete.stat().st_size * 2 // 3])
    target = tmp_path / "data"
    with pytest.raises(install.DataInstallError, match="truncated|incomplete"):
        install.install("cifar10", truncated, target)
    assert not (target / "cifar10-jpeg").exists() and not list(target.glob(".installing-*")), "nothing half-written"
    # the loader, finding the truncated archive in the data directory, refuses it too
    (target / "cifar10-jpeg.tar.gz").write_bytes(truncated.read_bytes())
    with pytest.raises(install.DataInstallError):
        data.load("cifar10", target)
    assert not (target / "cifar10-jpeg").exists()
    (target / "cifar10-jpeg.tar.gz").write_bytes(complete.read_bytes())
    ds = data.load("cifar10", target)
    assert len(ds.train) == 20 and len(ds.test) == 20


def test_an_incomplete_folder_is_an_error_not_a_smaller_dataset(tmp_path, small_cifar):
    _write_fake_cifar_folder(tmp_path)
    data.load("cifar10", tmp_path)  # decoded and stored
    next((tmp_path / "cifar10-jpeg" / "train" / "cat").iterdir()).unlink()
    with pytest.raises(ValueError, match=r"train/cat/ holds 1 images, expected 2.*--force"):
        data.load("cifar10", tmp_path)
    with pytest.raises(install.DataInstallError, match="incomplete.*--force"):
        install.install("cifar10", _make_archive(tmp_path), tmp_path)
    install.install("cifar10", _make_archive(tmp_path), tmp_path, force=True)
    assert len(data.load("cifar10", tmp_path).train) == 20


def _make_archive(tmp_path):
    source = tmp_path / "another-source"
    _write_fake_cifar_folder(source, seed=1)
    return _archive(source, tmp_path / "another-archive")


def test_decoded_file_carries_count_and_source_checksum_and_is_rebuilt_when_either_is_wrong(tmp_path, small_cifar):
    _write_fake_cifar_folder(tmp_path)
    first = data.load("cifar10", tmp_path)
    decoded = tmp_path / "cifar10-jpeg" / "cifar10-jpeg-train.uint8.pt"
    stored = torch.load(decoded, weights_only=True)
    assert stored["count"] == 20 and len(stored["source"]) == 64
    # a corrupt file (cut short) is decoded again, with a warning, not a crash
    decoded.write_bytes(decoded.read_bytes()[:100])
    with pytest.warns(RuntimeWarning, match="cannot be read"):
        assert torch.equal(data.load("cifar10", tmp_path).train.x, first.train.x)
    # a file decoded from another version of the folder (the old 48,243-image case) is not used
    torch.save({"x": first.train.x[:5], "y": first.train.y[:5]}, decoded)
    with pytest.warns(RuntimeWarning, match="another version"):
        assert len(data.load("cifar10", tmp_path).train) == 20
    # the source changed (an image replaced): the decoded tensor follows
    from PIL import Image

    image = tmp_path / "cifar10-jpeg" / "train" / "airplane" / "0000.png"
    Image.fromarray(np.zeros((32, 32, 3), dtype=np.uint8)).save(image)
    with pytest.warns(RuntimeWarning, match="another version"):
        again = data.load("cifar10", tmp_path)
    assert int(again.train.x[0].sum()) == 0
    assert not list(tmp_path.rglob("*.tmp")), "written atomically, no temporary file left"


class _Exploit:
    def __reduce__(self):
        import pathlib

        return (pathlib.Path.touch, (pathlib.Path(_EXPLOIT_MARK),))


_EXPLOIT_MARK = ""


def test_cifar100_pickles_are_checked_against_the_published_md5_before_unpickling(tmp_path, monkeypatch):
    global _EXPLOIT_MARK
    _EXPLOIT_MARK = str(tmp_path / "pwned")
    folder = tmp_path / "cifar-100-python"
    folder.mkdir()
    for name in ("train", "test", "meta"):
        (folder / name).write_bytes(pickle.dumps(_Exploit()))
    with pytest.raises(ValueError, match="md5.*pickle.*could run code"):
        data.load("cifar100", tmp_path)
    assert not (tmp_path / "pwned").exists(), "the altered pickle was never opened"


def _fake_copies(root: Path) -> Path:
    """A folder of offline copies shaped like the real ones, small enough for a test."""
    copies = root / "copies"
    _write_fake_cifar_folder(root / "src")
    _archive(root / "src", copies)
    (copies / "ett").mkdir()
    for name, rows in install.ETT_ROWS.items():
        (copies / "ett" / name).write_text("date,HUFL\n" + "2016-07-01 00:00:00,1.0\n" * rows)
    (copies / "stsb-dir").mkdir()
    for name, rows in install.STSB_ROWS.items():
        (copies / "stsb-dir" / name).write_text("index\tscore\n" + "0\t1.0\n" * rows)
    for sub in (copies / "ett", copies / "stsb-dir"):
        for path in [*sub.iterdir(), sub]:
            path.chmod(0o555 if path.is_dir() else 0o444)  # ../shared is read-only
    return copies


def test_install_all_installs_every_copy_found_and_says_which_are_missing(tmp_path, small_cifar):
    copies = _fake_copies(tmp_path)
    target = tmp_path / "data"
    outcome = install.install_all(copies, target)
    assert outcome["cifar10"] == outcome["ett"] == outcome["stsb-dir"] == "installed"
    assert outcome["mnist"].startswith("not in") and outcome["utkface"].startswith("not in")
    assert install.status(target)["ett"] == "installed" and len(data.load("cifar10", target).train) == 20
    assert install.install_all(copies, target)["ett"] == "already installed"
    assert install.install_all(copies, target, force=True)["ett"] == "installed", "copies of read-only files stay replaceable"
    (target / "ett" / "ETTh2.csv").write_text("date,HUFL\n")
    assert "incomplete" in install.install_all(copies, target)["ett"]
    with pytest.raises(install.DataInstallError, match="--from .*not a folder"):
        install.install_all(tmp_path / "nowhere", target)


def _strings_in_code(path: Path) -> list[str]:
    """The string literals of a module that are not docstrings (messages, paths)."""
    import ast

    tree = ast.parse(path.read_text())
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


def test_nothing_in_the_library_looks_for_the_shared_folder():
    """Datasets come from the data directory or a path the user gives: no code or message of the
    library names the project's ../shared folder (a developer-only path)."""
    package = Path(data.__file__).resolve().parents[1]
    offenders = {p.relative_to(package).as_posix() for p in package.rglob("*.py")
                 if any("../shared" in text or "shared/data" in text for text in _strings_in_code(p))}
    assert not offenders, f"modules that name ../shared: {sorted(offenders)}"


def test_the_command_lines_dataset_names_are_the_installers():
    """The CLI lists dataset names from a torch-free catalogue; it must name exactly what can be installed."""
    from datarights.catalog import OFFLINE_NAMES
    from datarights.data import install

    assert OFFLINE_NAMES == install.NAMES
