"""Dataset registry: one name, one loader, tensors out.

``load("digits")`` needs nothing (scikit-learn ships the data). ``load("cifar10")``
reads CIFAR-10 from a data directory (the ``data_dir`` argument, else the
``DATARIGHTS_DATA`` environment variable, else ``~/.cache/datarights/data``) in
either of two layouts: the ImageFolder copy ``cifar10-jpeg/{train,test}/<class>/*.jpg``
(unpacked automatically from ``cifar10-jpeg.tar.gz`` if only the archive is there)
or torchvision's ``cifar-10-batches-py`` (``download=True`` fetches it).
"""

from __future__ import annotations

import os
import tarfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

from datarights.data.tensors import Split

DATA_ENV = "DATARIGHTS_DATA"
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
# CIFAR-10 channel statistics used by all three authors' repositories (spec 1.3).
CIFAR10_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR10_STD = (0.2023, 0.1994, 0.2010)


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


def load_cifar10(data_dir: str | Path | None = None, *, download: bool = False) -> ImageDataset:
    """CIFAR-10 (50,000 train, 10,000 test, 32×32 RGB) as uint8 tensors.

    Looks in ``data_dir`` for the ImageFolder JPEG copy (``cifar10-jpeg/``, or its
    ``.tar.gz``), then for torchvision's pickled batches; ``download=True`` lets
    torchvision fetch the latter. JPEG images decode slightly lossy, so accuracies
    run a little below the pickled version (see the data README).
    """
    root = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
    folder = root / "cifar10-jpeg"
    archive = root / "cifar10-jpeg.tar.gz"
    if not folder.is_dir() and archive.is_file():
        with tarfile.open(archive) as tar:
            tar.extractall(root, filter="data")
    if folder.is_dir():
        train, test = (_read_image_folder(folder / part, part) for part in ("train", "test"))
    elif (root / "cifar-10-batches-py").is_dir() or download:
        train, test = (_read_torchvision_cifar(root, part, download) for part in ("train", "test"))
    else:
        raise FileNotFoundError(
            f"CIFAR-10 not found under data_dir={str(root)!r}. Either unpack the offline copy there "
            f"(`tar -xzf ../shared/data/cifar10-jpeg.tar.gz -C {root}`, or run "
            f"`python -m datarights data cifar10 --from PATH/cifar10-jpeg.tar.gz`), point {DATA_ENV} at a folder "
            "that holds `cifar10-jpeg/` or `cifar-10-batches-py/`, or pass download=True to let torchvision fetch it."
        )
    return ImageDataset("cifar10", train, test)


def _decode(path: Path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=np.uint8)


def _read_image_folder(folder: Path, part: str) -> Split:
    """Decode an ImageFolder split once (threads), then keep the uint8 tensor beside it for next time."""
    decoded = folder.parent / f"{folder.parent.name}-{part}.uint8.pt"
    if decoded.is_file():
        stored = torch.load(decoded, weights_only=True)
        return Split(stored["x"], stored["y"], CIFAR10_MEAN, CIFAR10_STD, part, CIFAR10_CLASSES)
    missing = [c for c in CIFAR10_CLASSES if not (folder / c).is_dir()]
    if missing:
        raise FileNotFoundError(f"{folder} lacks the class folders {missing}; expected {list(CIFAR10_CLASSES)}")
    files, labels = [], []
    for label, name in enumerate(CIFAR10_CLASSES):
        found = sorted(p for p in (folder / name).iterdir() if p.suffix.lower() in {".jpg", ".jpeg", ".png"})
        files.extend(found)
        labels.extend([label] * len(found))
    with ThreadPoolExecutor(max_workers=min(16, os.cpu_count() or 1)) as pool:
        images = list(pool.map(_decode, files))
    x = torch.from_numpy(np.stack(images).transpose(0, 3, 1, 2).copy())
    if x.shape[1:] != (3, 32, 32):
        raise ValueError(f"{folder}: expected 32×32 RGB images, got {tuple(x.shape[1:])}")
    y = torch.tensor(labels, dtype=torch.int64)
    try:
        torch.save({"x": x, "y": y}, decoded)
    except OSError:
        pass  # a read-only data directory only costs decoding again next time
    return Split(x, y, CIFAR10_MEAN, CIFAR10_STD, part, CIFAR10_CLASSES)


def _read_torchvision_cifar(root: Path, part: str, download: bool) -> Split:
    from torchvision.datasets import CIFAR10

    ds = CIFAR10(str(root), train=part == "train", download=download)
    x = torch.from_numpy(np.ascontiguousarray(ds.data.transpose(0, 3, 1, 2)))
    return Split(x, torch.tensor(ds.targets, dtype=torch.int64), CIFAR10_MEAN, CIFAR10_STD, part, CIFAR10_CLASSES)


def load_cifar100(data_dir: str | Path | None = None, *, download: bool = False) -> ImageDataset:
    """CIFAR-100 (50,000 train, 10,000 test, 32×32 RGB) with its 100 *fine* labels.

    Reads torchvision's ``cifar-100-python/`` folder under ``data_dir`` (``download=True`` lets
    torchvision fetch and verify it). The files also carry each image's superclass; they are checked
    against the standard mapping (``superclasses.CIFAR100_COARSE_OF_FINE``), so the grouping
    ``"cifar100-20"`` gives exactly the dataset's coarse labels. Normalised with the CIFAR-10
    statistics, as the bad-teaching repository does (spec 2.3).
    """
    import pickle

    from datarights.data.superclasses import CIFAR100_COARSE_OF_FINE, CIFAR100_FINE

    root = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
    folder = root / "cifar-100-python"
    if not folder.is_dir() and download:
        from torchvision.datasets import CIFAR100

        CIFAR100(str(root), train=True, download=True)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"CIFAR-100 not found under data_dir={str(root)!r}: expected torchvision's `cifar-100-python/` folder there. "
            f"Pass download=True (network needed), or point {DATA_ENV} at a folder that holds it."
        )
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
    Not normalised (mean 0, std 1 in [0, 1] units), as the zero-shot authors' ``mnist()`` (spec 3.3).
    """
    from torchvision.datasets import MNIST

    root = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
    archive = root / "mnist-idx.tar.gz"
    if not (root / "MNIST" / "raw").is_dir() and archive.is_file():
        with tarfile.open(archive) as tar:
            tar.extractall(root, filter="data")
    if not (root / "MNIST" / "raw").is_dir() and not download:
        raise FileNotFoundError(
            f"MNIST not found under data_dir={str(root)!r}: unpack the offline copy there "
            f"(`tar -xzf ../shared/data/mnist-idx.tar.gz -C {root}`), point {DATA_ENV} at a folder holding `MNIST/raw/`, "
            "or pass download=True to let torchvision fetch it."
        )
    splits = []
    for part in ("train", "test"):
        ds = MNIST(str(root), train=part == "train", download=download)
        x = ds.data.to(torch.uint8)[:, None].contiguous()
        splits.append(Split(x, ds.targets.to(torch.int64), (0.0,), (1.0,), part, MNIST_CLASSES))
    return ImageDataset("mnist", *splits)


LOADERS: dict[str, Callable[..., ImageDataset]] = {
    "digits": load_digits,
    "cifar10": load_cifar10,
    "mnist": load_mnist,
    "cifar100": load_cifar100,
}


def load(name: str, data_dir: str | Path | None = None, *, download: bool = False) -> ImageDataset:
    """Load a registered dataset by name (see ``LOADERS`` for the names)."""
    try:
        loader = LOADERS[name]
    except KeyError:
        raise ValueError(f"unknown dataset name={name!r}; known datasets: {sorted(LOADERS)}") from None
    return loader(data_dir, download=download)
