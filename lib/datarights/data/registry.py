"""Dataset registry: one name, one loader, tensors out.

``load("digits")`` needs nothing (scikit-learn ships the data). Every other dataset is read
from a data directory: the ``data_dir`` argument, else the ``DATARIGHTS_DATA`` environment
variable, else ``~/.cache/datarights/data``. ``python -m datarights data NAME --from COPY``
(or ``data all --from FOLDER``) installs an offline copy there, ``--download`` lets
torchvision fetch the datasets it has a downloader for; a loader that finds nothing says
which command to run.

``load("cifar10")`` reads either the ImageFolder copy ``cifar10-jpeg/{train,test}/<class>/*.jpg``
(installed automatically from ``cifar10-jpeg.tar.gz`` if only the archive is there) or
torchvision's ``cifar-10-batches-py``. A folder with fewer images than CIFAR-10 has (a
truncated extraction) is an error, never a smaller dataset. The decoded images are kept
beside the folder as ``*.uint8.pt``, written atomically with the image count and a checksum
of the folder listing they came from, and rebuilt when the folder changed or the file is
unreadable.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

from datarights.data.tensors import Split

DATA_ENV = "DATARIGHTS_DATA"
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
# CIFAR-10 channel statistics used by all three authors' repositories (e.g. the UNSIR notebook's ``Normalize``).
CIFAR10_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR10_STD = (0.2023, 0.1994, 0.2010)
# Images per class in each split of the complete copies; a folder that has fewer is incomplete.
EXPECTED_COUNTS: dict[str, dict[str, int]] = {"cifar10": {"train": 5000, "test": 1000}}
DECODED_FORMAT = 2


@dataclass(frozen=True)
class ImageDataset:
    """A named dataset with its train and test splits and class names."""

    name: str
    train: Split
    test: Split

    @property
    def classes(self) -> tuple[str, ...]:
        return self.train.classes

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return self.train.input_shape

    def to(self, device: torch.device | str) -> ImageDataset:
        return replace(self, train=self.train.to(device), test=self.test.to(device))

    def per_class_subset(self, train_per_class: int | None, test_per_class: int | None, seed: int = 0) -> ImageDataset:
        """Keep at most the given number of images per class in each split (seeded)."""
        return replace(
            self,
            train=_per_class(self.train, train_per_class, seed),
            test=_per_class(self.test, test_per_class, seed + 1),
        )


def _per_class(split: Split, per_class: int | None, seed: int) -> Split:
    if per_class is None:
        return split
    if per_class < 1:
        raise ValueError(f"per_class must be at least 1, got {per_class}")
    rng = np.random.default_rng(seed)
    labels = split.y.cpu().numpy()
    keep = [rng.permutation(np.flatnonzero(labels == c))[:per_class] for c in np.unique(labels)]
    return split.subset(torch.from_numpy(np.sort(np.concatenate(keep))))


def default_data_dir() -> Path:
    """Where datasets live: ``$DATARIGHTS_DATA`` or ``~/.cache/datarights/data``."""
    return Path(os.environ.get(DATA_ENV) or Path.home() / ".cache" / "datarights" / "data").expanduser()


def load_digits(data_dir: str | Path | None = None, *, download: bool = False) -> ImageDataset:
    """scikit-learn's 8×8 handwritten digits (1,797 images, 10 classes), 70/30 stratified split.

    Pixel values 0–16 are stored as uint8 0–255 (×255/16, rounded; all 17 levels stay distinct).
    The split is fixed (``random_state=0``) so it is the same dataset for every seed.
    """
    from sklearn.datasets import load_digits as sk_digits
    from sklearn.model_selection import train_test_split

    bunch = sk_digits()
    images = np.round(bunch.images * (255.0 / 16.0)).astype(np.uint8)[:, None]
    labels = bunch.target.astype(np.int64)
    x_tr, x_te, y_tr, y_te = train_test_split(images, labels, test_size=0.3, stratify=labels, random_state=0)
    pixels = x_tr.astype(np.float64) / 255.0
    mean, std = (float(pixels.mean()),), (float(pixels.std()),)
    classes = tuple(str(d) for d in range(10))
    return ImageDataset(
        "digits",
        Split(torch.from_numpy(x_tr), torch.from_numpy(y_tr), mean, std, "train", classes),
        Split(torch.from_numpy(x_te), torch.from_numpy(y_te), mean, std, "test", classes),
    )


def _root(data_dir: str | Path | None) -> Path:
    return Path(data_dir).expanduser() if data_dir is not None else default_data_dir()


def _missing(name: str, root: Path) -> FileNotFoundError:
    from datarights.data.install import missing_message

    return FileNotFoundError(missing_message(name, root))


def _image_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in {".jpg", ".jpeg", ".png"})


def cifar10_folder_problem(folder: Path) -> str | None:
    """Why ``folder`` (``cifar10-jpeg/``) is not a complete CIFAR-10 copy, or None."""
    expected = EXPECTED_COUNTS["cifar10"]
    for part, per_class in expected.items():
        for name in CIFAR10_CLASSES:
            sub = folder / part / name
            if not sub.is_dir():
                return f"{part}/{name}/ is missing"
            found = len(_image_files(sub))
            if found != per_class:
                return f"{part}/{name}/ holds {found:,} images, expected {per_class:,} (a truncated or partial extraction?)"
    return None


def load_cifar10(data_dir: str | Path | None = None, *, download: bool = False) -> ImageDataset:
    """CIFAR-10 (50,000 train, 10,000 test, 32×32 RGB) as uint8 tensors.

    Looks in ``data_dir`` for the ImageFolder JPEG copy (``cifar10-jpeg/``, or its
    ``.tar.gz``, installed with the same checks as ``python -m datarights data cifar10``), then
    for torchvision's pickled batches; ``download=True`` lets torchvision fetch the latter.
    JPEG images decode slightly lossy, so accuracies run a little below the pickled version.
    """
    root = _root(data_dir)
    folder = root / "cifar10-jpeg"
    archive = root / "cifar10-jpeg.tar.gz"
    if not folder.is_dir() and archive.is_file():
        from datarights.data.install import install

        install("cifar10", archive, root)
    if folder.is_dir():
        problem = cifar10_folder_problem(folder)
        if problem is not None:
            raise ValueError(f"{folder} is not a complete CIFAR-10 copy: {problem}. Reinstall it with "
                             "`python -m datarights data cifar10 --from PATH/cifar10-jpeg.tar.gz --force`.")
        train, test = (_read_image_folder(folder / part, part) for part in ("train", "test"))
    elif (root / "cifar-10-batches-py").is_dir() or download:
        train, test = (_read_torchvision_cifar(root, part, download) for part in ("train", "test"))
    else:
        raise _missing("cifar10", root)
    return ImageDataset("cifar10", train, test)


def _decode(path: Path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=np.uint8)


def _listing_checksum(files: list[Path], base: Path) -> str:
    """SHA-256 of the files' relative names, sizes and modification times: changes when the source does."""
    digest = hashlib.sha256()
    for path in files:
        stat = path.stat()
        digest.update(f"{path.relative_to(base).as_posix()}\t{stat.st_size}\t{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _read_decoded(path: Path, count: int, source: str) -> dict | None:
    """The stored tensors if ``path`` holds ``count`` images decoded from ``source``; None (with a warning) otherwise."""
    if not path.is_file():
        return None
    try:
        stored = torch.load(path, weights_only=True)
        ok = (isinstance(stored, dict) and stored.get("format") == DECODED_FORMAT and stored.get("source") == source
              and stored.get("count") == count and len(stored["x"]) == count and len(stored["y"]) == count)
    except Exception as err:  # a truncated or foreign file: torch raises several types
        warnings.warn(f"{path} cannot be read ({type(err).__name__}); decoding the images again", RuntimeWarning, stacklevel=3)
        return None
    if not ok:
        warnings.warn(f"{path} was decoded from another version of its folder; decoding again", RuntimeWarning, stacklevel=3)
        return None
    return stored


def _write_decoded(path: Path, payload: dict) -> None:
    from datarights.cache import _atomic_write

    try:
        _atomic_write(path, lambda tmp: torch.save(payload, tmp))
    except OSError:
        pass  # a read-only data directory only costs decoding again next time


def _read_image_folder(folder: Path, part: str) -> Split:
    """Decode an ImageFolder split once (threads), then keep the uint8 tensor beside it for next time."""
    decoded = folder.parent / f"{folder.parent.name}-{part}.uint8.pt"
    missing = [c for c in CIFAR10_CLASSES if not (folder / c).is_dir()]
    if missing:
        raise FileNotFoundError(f"{folder} lacks the class folders {missing}; expected {list(CIFAR10_CLASSES)}")
    files, labels = [], []
    for label, name in enumerate(CIFAR10_CLASSES):
        found = _image_files(folder / name)
        files.extend(found)
        labels.extend([label] * len(found))
    source = _listing_checksum(files, folder.parent)
    stored = _read_decoded(decoded, len(files), source)
    if stored is not None:
        return Split(stored["x"], stored["y"], CIFAR10_MEAN, CIFAR10_STD, part, CIFAR10_CLASSES)
    with ThreadPoolExecutor(max_workers=min(16, os.cpu_count() or 1)) as pool:
        images = list(pool.map(_decode, files))
    x = torch.from_numpy(np.stack(images).transpose(0, 3, 1, 2).copy())
    if x.shape[1:] != (3, 32, 32):
        raise ValueError(f"{folder}: expected 32×32 RGB images, got {tuple(x.shape[1:])}")
    y = torch.tensor(labels, dtype=torch.int64)
    _write_decoded(decoded, {"format": DECODED_FORMAT, "x": x, "y": y, "count": len(files), "source": source})
    return Split(x, y, CIFAR10_MEAN, CIFAR10_STD, part, CIFAR10_CLASSES)


def _read_torchvision_cifar(root: Path, part: str, download: bool) -> Split:
    from torchvision.datasets import CIFAR10

    ds = CIFAR10(str(root), train=part == "train", download=download)
    x = torch.from_numpy(np.ascontiguousarray(ds.data.transpose(0, 3, 1, 2)))
    return Split(x, torch.tensor(ds.targets, dtype=torch.int64), CIFAR10_MEAN, CIFAR10_STD, part, CIFAR10_CLASSES)


def cifar100_problem(folder: Path) -> str | None:
    """Why ``folder`` (``cifar-100-python/``) is not the published CIFAR-100, or None.

    The files are Python pickles, and unpickling runs code: their md5 is compared with the
    published values (torchvision's own list) before any of them is opened.
    """
    from torchvision.datasets import CIFAR100
    from torchvision.datasets.utils import check_integrity

    for name, md5 in [*CIFAR100.train_list, *CIFAR100.test_list, (CIFAR100.meta["filename"], CIFAR100.meta["md5"])]:
        path = folder / name
        if not path.is_file():
            return f"{name} is missing"
        if not check_integrity(str(path), md5):
            return (f"{name} does not have the published md5 {md5}: it is incomplete or altered, and as a pickle it "
                    "could run code when opened, so it is not read")
    return None


def load_cifar100(data_dir: str | Path | None = None, *, download: bool = False) -> ImageDataset:
    """CIFAR-100 (50,000 train, 10,000 test, 32×32 RGB) with its 100 *fine* labels.

    Reads torchvision's ``cifar-100-python/`` folder under ``data_dir`` (``download=True`` lets
    torchvision fetch and verify it). The files also carry each image's superclass; they are checked
    against the standard mapping (``superclasses.CIFAR100_COARSE_OF_FINE``), so the grouping
    ``"cifar100-20"`` gives exactly the dataset's coarse labels. Normalised with the CIFAR-10
    statistics, as the bad-teaching repository's ``dataset.py`` does.
    """
    import pickle

    from datarights.data.superclasses import CIFAR100_COARSE_OF_FINE, CIFAR100_FINE

    root = _root(data_dir)
    folder = root / "cifar-100-python"
    archive = root / "cifar-100-python.tar.gz"
    if not folder.is_dir() and archive.is_file():
        from datarights.data.install import install

        install("cifar100", archive, root)
    if not folder.is_dir() and download:
        from torchvision.datasets import CIFAR100

        CIFAR100(str(root), train=True, download=True)  # torchvision checks the archive's md5
    if not folder.is_dir():
        raise _missing("cifar100", root)
    problem = cifar100_problem(folder)
    if problem is not None:
        raise ValueError(f"{folder} is not the published CIFAR-100: {problem}. Reinstall it with "
                         "`python -m datarights data cifar100 --download --force` (or --from PATH/cifar-100-python.tar.gz).")
    lookup = np.asarray(CIFAR100_COARSE_OF_FINE)
    parts = {}
    for part in ("train", "test"):
        with open(folder / part, "rb") as f:
            entry = pickle.load(f, encoding="latin1")
        fine = np.asarray(entry["fine_labels"], dtype=np.int64)
        coarse = np.asarray(entry["coarse_labels"], dtype=np.int64)
        if not np.array_equal(lookup[fine], coarse):
            bad = int(np.flatnonzero(lookup[fine] != coarse)[0])
            raise ValueError(f"{folder / part}: image {bad} has fine label {fine[bad]} and coarse label {coarse[bad]}, "
                             f"but the standard CIFAR-100 mapping puts fine class {fine[bad]} in superclass {lookup[fine[bad]]}")
        x = torch.from_numpy(np.ascontiguousarray(np.asarray(entry["data"], dtype=np.uint8).reshape(-1, 3, 32, 32)))
        parts[part] = Split(x, torch.from_numpy(fine), CIFAR10_MEAN, CIFAR10_STD, part, CIFAR100_FINE)
    return ImageDataset("cifar100", parts["train"], parts["test"])


MNIST_CLASSES = tuple(str(d) for d in range(10))


def load_mnist(data_dir: str | Path | None = None, *, download: bool = False) -> ImageDataset:
    """MNIST (60,000 train, 10,000 test, 28×28 grey) through torchvision's ``MNIST`` class.

    Reads torchvision's raw layout ``<data_dir>/MNIST/raw/`` (unpacked automatically from
    ``mnist-idx.tar.gz`` if only that archive is there); ``download=True`` lets torchvision fetch it.
    Not normalised (mean 0, std 1 in [0, 1] units), as the zero-shot authors' ``datasets.py``, ``mnist()``.
    """
    from torchvision.datasets import MNIST

    from datarights.data.install import install, mnist_problem

    root = _root(data_dir)
    archive = root / "mnist-idx.tar.gz"
    if not (root / "MNIST" / "raw").is_dir() and archive.is_file():
        install("mnist", archive, root)
    if not (root / "MNIST" / "raw").is_dir() and not download:
        raise _missing("mnist", root)
    if (root / "MNIST" / "raw").is_dir():
        problem = mnist_problem(root / "MNIST")
        if problem is not None:
            raise ValueError(f"{root / 'MNIST'} is not a complete MNIST copy: {problem}. Reinstall it with "
                             "`python -m datarights data mnist --from PATH/mnist-idx.tar.gz --force` (or --download --force).")
    splits = []
    for part, count in (("train", 60000), ("test", 10000)):
        ds = MNIST(str(root), train=part == "train", download=download)
        if len(ds.data) != count:
            raise ValueError(f"MNIST {part} split under {root} has {len(ds.data):,} images, expected {count:,}")
        x = ds.data.to(torch.uint8)[:, None].contiguous()
        splits.append(Split(x, ds.targets.to(torch.int64), (0.0,), (1.0,), part, MNIST_CLASSES))
    return ImageDataset("mnist", *splits)


# MNIST's pixel mean and standard deviation over its 60,000 training images (torchvision's usual constants).
MNIST_MEAN, MNIST_STD = (0.1307,), (0.3081,)


def load_mnist_14px(data_dir: str | Path | None = None, *, download: bool = False) -> ImageDataset:
    """MNIST at 14×14 pixels (each 2×2 block averaged), standardised with MNIST's pixel mean and std.

    The zero-shot chapter's quick data. Standardised because GKT's generator ends in BatchNorm, so
    its images have zero mean and unit variance per pixel: real images on that scale let the student
    learn from the teacher several times faster than on [0, 1] images (trials recorded beside
    ``datarights.settings.common.ZERO_SHOT_QUICK``); 14 px because a pseudo-batch costs about 4× less than at 28.
    Same files as :func:`load_mnist`.
    """
    mnist = load_mnist(data_dir, download=download)

    def shrink(split: Split) -> Split:
        x = torch.nn.functional.interpolate(split.x.float(), size=(14, 14), mode="area").round().clamp(0, 255).to(torch.uint8)
        return Split(x, split.y, MNIST_MEAN, MNIST_STD, split.name, split.classes)

    return ImageDataset("mnist-14px", shrink(mnist.train), shrink(mnist.test))


LOADERS: dict[str, Callable[..., ImageDataset]] = {
    "digits": load_digits,
    "cifar10": load_cifar10,
    "mnist": load_mnist,
    "mnist-14px": load_mnist_14px,
    "cifar100": load_cifar100,
}


def load(name: str, data_dir: str | Path | None = None, *, download: bool = False) -> ImageDataset:
    """Load a registered dataset by name (see ``LOADERS`` for the names)."""
    try:
        loader = LOADERS[name]
    except KeyError:
        raise ValueError(f"unknown dataset name={name!r}; known datasets: {sorted(LOADERS)}") from None
    return loader(data_dir, download=download)
