"""Regression data for deep regression unlearning (the authors' ``datasets.py`` and notebooks; the book's offline stand-ins).

The forget set of a regression request is a *range of the target* (ages up to 30, similarity
scores below 2), not a class. ``RegressionSplits`` holds train/val/test and their forget and retain
parts; ``range_request`` (or ``mask_request`` for other rules) divides the three splits.

Images stay ``Split`` objects (uint8, normalised per batch, float targets); everything else
(token ids, windows of a series, table rows) is a ``RegressionData``. Both batch alike.

Loaders:

- ``rotated_digits``: scikit-learn's digits rotated by θ ~ U(0°, 180°), θ the target (a stand-in for AgeDB);
- ``diabetes``: scikit-learn's diabetes table (a tabular check of the algorithm);
- ``read_stsb`` / ``stsb``: the STS-B-DIR TSV files of ``YyzHarry/imbalanced-regression``, ``synthetic_pairs`` the stand-in;
- ``ett`` / ``elnino``: forecasting windows (TFT-style, as in the authors' electricity pipeline);
- ``utkface``: UTKFace face ages, deduplicated (the AgeDB stand-in); ``agedb_dir``: AgeDB-DIR from
  its ``agedb.csv`` and a user's images.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
import tarfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from datarights.data.registry import DECODED_FORMAT, _listing_checksum, _write_decoded, default_data_dir
from datarights.data.tensors import AUGMENTATIONS, Split, concat, crop_flip, epoch_order

# ---------------------------------------------------------------------------------------------
# containers


@dataclass(frozen=True)
class RegressionData:
    """Inputs of any dtype (token ids, windows, features) with float targets (N,) or (N, horizon)."""

    x: Tensor
    y: Tensor
    name: str = "data"

    def __post_init__(self) -> None:
        if len(self.x) != len(self.y) or self.y.ndim not in (1, 2) or not self.y.is_floating_point():
            raise ValueError(f"RegressionData {self.name!r}: y must be float, shaped (N,) or (N, horizon) with N = {len(self.x)}, "
                             f"got {self.y.dtype} {tuple(self.y.shape)}")
        _check_finite(self.y, self.name)

    def __len__(self) -> int:
        return len(self.y)

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(int(s) for s in self.x.shape[1:])

    @property
    def device(self) -> torch.device:
        return self.x.device

    def subset(self, index: Tensor | Sequence[int], name: str | None = None) -> RegressionData:
        index = torch.as_tensor(index, device=self.y.device)
        return replace(self, x=self.x[index.to(self.x.device)], y=self.y[index], name=name or self.name)

    def relabel(self, y: Tensor, name: str | None = None) -> RegressionData:
        return replace(self, y=y.to(self.y.device, self.y.dtype), name=name or self.name)

    def to(self, device: torch.device | str) -> RegressionData:
        return replace(self, x=self.x.to(device), y=self.y.to(device))

    def batches(self, batch_size: int, *, shuffle: bool = False, generator: torch.Generator | None = None,
                augment: str | None = None, device: torch.device | str | None = None) -> Iterator[tuple[Tensor, Tensor]]:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        if augment is not None:
            raise ValueError(f"RegressionData {self.name!r} cannot be augmented (augment={augment!r}); use augment=None")
        order = epoch_order(len(self), shuffle, generator, self.x.device)
        for start in range(0, len(self), batch_size):
            yield batch_at(self, order[start:start + batch_size], device=device)


Data = Split | RegressionData


def _check_finite(y: Tensor, name: str) -> None:
    if y.is_floating_point() and not bool(torch.isfinite(y).all()):
        raise ValueError(f"targets of {name!r} contain NaN or infinite values; drop or impute them first")


def batch_at(data: Data, index: Tensor, *, device: torch.device | str | None = None, augment: str | None = None,
             generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
    """The (inputs, targets) at ``index`` of a ``Split`` (normalised, optionally augmented) or a ``RegressionData``."""
    device = torch.device(device) if device is not None else data.device
    index = torch.as_tensor(index)
    xb = data.x[index.to(data.x.device)].to(device, non_blocking=True)
    yb = data.y[index.to(data.y.device)].to(device, non_blocking=True)
    if isinstance(data, Split):
        if augment not in AUGMENTATIONS:
            raise ValueError(f"augment must be one of {AUGMENTATIONS}, got {augment!r}")
        if augment == "crop_flip":
            xb = crop_flip(xb, generator=generator)
        return data.normalize(xb), yb
    if augment is not None:
        raise ValueError(f"{data.name!r} holds no images and cannot be augmented (augment={augment!r})")
    return xb, yb


def join(first: Data, second: Data, name: str = "data") -> Data:
    """``first`` followed by ``second`` (same kind of data), e.g. D_f ∪ D_r."""
    if isinstance(first, Split) and isinstance(second, Split):
        return concat(first, second, name=name)
    if isinstance(first, RegressionData) and isinstance(second, RegressionData):
        return RegressionData(torch.cat([first.x, second.x]), torch.cat([first.y, second.y]), name)
    raise ValueError(f"cannot join {type(first).__name__} {first.name!r} with {type(second).__name__} {second.name!r}")


def target_summary(y: Tensor) -> Tensor:
    """One number per sample: the target, or the mean of a forecast window's targets."""
    return y if y.ndim == 1 else y.float().mean(dim=1)


@dataclass(frozen=True)
class ForgetRange:
    """Forget every sample whose target (window mean for forecasts) lies in [low, high]
    (``closed=True``) or (low, high) (``closed=False``): ages ≤ 30 is ``ForgetRange(high=30)``,
    scores < 2 is ``ForgetRange(high=2, closed=False)``."""

    low: float = -math.inf
    high: float = math.inf
    closed: bool = True

    def __post_init__(self) -> None:
        if not self.low < self.high:
            raise ValueError(f"forget range: low ({self.low}) must be below high ({self.high})")

    def __call__(self, y: Tensor) -> Tensor:
        t = target_summary(y)
        if self.closed:
            return (t >= self.low) & (t <= self.high)
        return (t > self.low) & (t < self.high)

    def describe(self, unit: str = "") -> str:
        lo, hi = ("≥", "≤") if self.closed else (">", "<")
        parts = ([f"{lo} {self.low:g}{unit}"] if math.isfinite(self.low) else []) + ([f"{hi} {self.high:g}{unit}"] if math.isfinite(self.high) else [])
        return "target " + " and ".join(parts)


@dataclass(frozen=True)
class RegressionSplits:
    """Train/val/test of a regression dataset divided by a forget rule (a target range, as in the authors' notebooks).

    ``loss`` is the task's error ("l1" for ages, "mse" for similarity scores); every training,
    unlearning and evaluation step of the dataset uses it (as in the authors' code).
    """

    dataset: str
    rule: str
    loss: str
    train: Data
    val: Data
    test: Data
    forget_train: Data
    retain_train: Data
    forget_val: Data
    retain_val: Data
    forget_test: Data
    retain_test: Data
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    def describe(self) -> dict[str, Any]:
        return {"dataset": self.dataset, "rule": self.rule, "loss": self.loss, "n_train": len(self.train),
                "n_forget_train": len(self.forget_train), "n_retain_train": len(self.retain_train),
                "n_forget_val": len(self.forget_val), "n_retain_val": len(self.retain_val),
                "n_forget_test": len(self.forget_test), "n_retain_test": len(self.retain_test), **self.meta}

    def to(self, device: torch.device | str) -> RegressionSplits:
        parts = {name: getattr(self, name).to(device) for name in SPLIT_NAMES}
        return replace(self, **parts)


SPLIT_NAMES = ("train", "val", "test", "forget_train", "retain_train", "forget_val", "retain_val", "forget_test", "retain_test")
LOSSES = ("l1", "mse")


def mask_request(dataset: str, train: Data, val: Data, test: Data, masks: Sequence[Tensor], *, rule: str, loss: str,
                 meta: dict[str, Any] | None = None) -> RegressionSplits:
    """Divide train/val/test by boolean ``masks`` (True = forget), one per split."""
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
    parts: dict[str, Data] = {}
    for split, mask, part in zip((train, val, test), masks, ("train", "val", "test")):
        _check_finite(split.y, f"{dataset} {part}")
        mask = torch.as_tensor(mask, dtype=torch.bool, device=split.y.device)
        if len(mask) != len(split):
            raise ValueError(f"masks: the {part} mask has {len(mask)} entries for {len(split)} samples")
        if part == "train" and not bool(mask.any()):
            raise ValueError(f"forget rule {rule!r} selects no training sample of {dataset}: nothing to forget")
        if part == "train" and bool(mask.all()):
            raise ValueError(f"forget rule {rule!r} selects every training sample of {dataset}: nothing would be retained")
        parts[f"forget_{part}"] = split.subset(mask, f"forget_{part}")
        parts[f"retain_{part}"] = split.subset(~mask, f"retain_{part}")
    return RegressionSplits(dataset, rule, loss, train, val, test, meta=dict(meta or {}), **parts)


def range_request(dataset: str, train: Data, val: Data, test: Data, forget: ForgetRange, *, loss: str, unit: str = "",
                  meta: dict[str, Any] | None = None) -> RegressionSplits:
    """Forget the training samples whose target lies in ``forget``; val and test are divided alike."""
    if not isinstance(forget, ForgetRange):
        raise ValueError(f"forget must be a ForgetRange, got {type(forget).__name__}")
    return mask_request(dataset, train, val, test, [forget(s.y) for s in (train, val, test)], rule=forget.describe(unit),
                        loss=loss, meta=meta)


def _three_way(n: int, fractions: tuple[float, float], seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    n_val, n_test = int(round(fractions[0] * n)), int(round(fractions[1] * n))
    return np.sort(order[n_val + n_test:]), np.sort(order[:n_val]), np.sort(order[n_val:n_val + n_test])


# ---------------------------------------------------------------------------------------------
# vision: rotated digits (quick), UTKFace (full), AgeDB-DIR (a user's copy)

def rotated_digits(*, size: int = 16, copies: int = 1, seed: int = 0, max_angle: float = 180.0,
                   fractions: tuple[float, float] = (0.2, 0.2)) -> tuple[Split, Split, Split]:
    """scikit-learn's digits, each copy rotated by θ ~ U(0, ``max_angle``) degrees, θ the target.

    Images are upsampled from 8×8 to ``size`` (bilinear) before rotating; the draw of angles and
    the train/val/test split are fixed by ``seed``, so the dataset is the same for every run seed.
    """
    from scipy import ndimage
    from sklearn.datasets import load_digits

    if size < 8 or copies < 1:
        raise ValueError(f"size must be ≥ 8 and copies ≥ 1, got size={size}, copies={copies}")
    images = load_digits().images / 16.0
    rng = np.random.default_rng(seed)
    upsampled = np.stack([ndimage.zoom(im, size / 8, order=1) for im in images])
    angles = rng.uniform(0.0, max_angle, size=(copies, len(images)))
    rotated = np.stack([ndimage.rotate(upsampled[i], angles[c, i], reshape=False, order=1, mode="constant")
                        for c in range(copies) for i in range(len(images))])
    x = torch.from_numpy(np.clip(np.round(rotated * 255), 0, 255).astype(np.uint8))[:, None]
    y = torch.from_numpy(angles.reshape(-1).astype(np.float32))
    train, val, test = _three_way(len(y), fractions, seed)
    pixels = x[torch.from_numpy(train)].float() / 255
    mean, std = (float(pixels.mean()),), (float(pixels.std()),)
    return tuple(Split(x[torch.from_numpy(i)], y[torch.from_numpy(i)], mean, std, part)  # type: ignore[return-value]
                 for i, part in zip((train, val, test), ("train", "val", "test")))


# AgeDB's preprocessing in the authors' code (``img_size=32``): 32 px, Normalize(0.5, 0.5) per channel.
FACE_MEAN, FACE_STD = (0.5, 0.5, 0.5), (0.5, 0.5, 0.5)
_UTK_NAME = re.compile(r"^(\d+)_")


def _resize(data: bytes, size: int) -> np.ndarray:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGB").resize((size, size), Image.BILINEAR), dtype=np.uint8)


def utkface_records(archive: str | Path) -> tuple[list[bytes], np.ndarray, dict[str, int]]:
    """Image bytes and ages of ``utkface-64.tar.gz``, deduplicated by content.

    Byte-identical files are one image: a group whose copies carry the same age keeps one copy, a
    group with conflicting ages is dropped (the data README lists 345 groups, 190 conflicting).
    Names without a leading ``<age>_`` are skipped. Returns the images, ages and counts of what was removed.
    """
    groups: dict[str, tuple[bytes, set[int]]] = {}
    skipped = 0
    with tarfile.open(archive) as tar:
        for member in tar:
            if not member.isfile() or not member.name.lower().endswith((".jpg", ".jpeg", ".png")):
                continue
            match = _UTK_NAME.match(Path(member.name).name)
            if match is None:
                skipped += 1
                continue
            payload = tar.extractfile(member).read()
            digest = hashlib.sha1(payload).hexdigest()
            data, ages = groups.setdefault(digest, (payload, set()))
            ages.add(int(match.group(1)))
    kept = [(data, next(iter(ages))) for data, ages in groups.values() if len(ages) == 1]
    conflicting = sum(len(ages) > 1 for _, ages in groups.values())
    return [d for d, _ in kept], np.array([a for _, a in kept], dtype=np.float32), {
        "unique_images": len(kept), "conflicting_groups_dropped": conflicting, "unparsable_names": skipped}


def utkface(data_dir: str | Path | None = None, *, size: int = 32, seed: int = 0, fractions: tuple[float, float] = (0.15, 0.15),
            limit: int | None = None) -> tuple[tuple[Split, Split, Split], dict[str, int]]:
    """UTKFace faces at ``size`` px (the authors' AgeDB code uses 32) with ages as targets, split once by ``seed``.

    Reads ``utkface-64.tar.gz`` from ``data_dir`` (else ``$DATARIGHTS_DATA``); the decoded tensor is
    kept beside it for next time. ``limit`` keeps a seeded subset (tests, quick trials).
    """
    root = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
    archive = root / "utkface-64.tar.gz"
    if not archive.is_file():
        raise FileNotFoundError(f"UTKFace not found: expected {archive}. Install it with `python -m datarights data utkface --from "
                                "PATH/utkface-64.tar.gz` (the archive of github naheri/gender_detection), or set DATARIGHTS_DATA "
                                "to the folder that holds it.")
    decoded = root / f"utkface-{size}.uint8.pt"
    source = _listing_checksum([archive], root)
    stored = _read_utkface_decoded(decoded, source)
    if stored is not None:
        x, y, counts = stored["x"], stored["y"], dict(stored["counts"])
    else:
        images, ages, counts = utkface_records(archive)
        x = torch.from_numpy(np.stack([_resize(d, size) for d in images]).transpose(0, 3, 1, 2).copy())
        y = torch.from_numpy(ages)
        _write_decoded(decoded, {"format": DECODED_FORMAT, "source": source, "count": len(y), "x": x, "y": y, "counts": counts})
    if limit is not None and limit < len(y):
        keep = torch.from_numpy(np.sort(np.random.default_rng(seed).permutation(len(y))[:limit]))
        x, y = x[keep], y[keep]
    parts = _three_way(len(y), fractions, seed)
    return tuple(Split(x[torch.from_numpy(i)], y[torch.from_numpy(i)], FACE_MEAN, FACE_STD, part)  # type: ignore[return-value]
                 for i, part in zip(parts, ("train", "val", "test"))), counts


def _read_utkface_decoded(path: Path, source: str) -> dict | None:
    """The decoded faces stored at ``path`` if they were decoded from this very archive (same name, size and
    time) and hold as many images as they say; None otherwise (a truncated or stale file is decoded again)."""
    if not path.is_file():
        return None
    try:
        stored = torch.load(path, weights_only=True)
        count = stored.get("count") if isinstance(stored, dict) else None
        ok = (count is not None and stored.get("format") == DECODED_FORMAT and stored.get("source") == source
              and len(stored["x"]) == count and len(stored["y"]) == count)
    except Exception:  # a truncated or foreign file: torch raises several types
        return None
    return stored if ok else None


def agedb_dir(folder: str | Path, *, size: int = 32) -> tuple[Split, Split, Split]:
    """AgeDB-DIR (as the authors' ``datasets.py`` reads it): ``agedb.csv`` (columns age, path, split) beside the images it names.

    The csv is the one of ``YyzHarry/imbalanced-regression`` (``agedb-dir/data/agedb.csv``); the
    images come from the AgeDB release, which needs its authors' permission.
    """
    import pandas as pd

    folder = Path(folder).expanduser()
    meta_file = folder / "agedb.csv"
    if not meta_file.is_file():
        raise FileNotFoundError(f"{meta_file} not found: AgeDB-DIR needs agedb.csv (from github YyzHarry/imbalanced-regression, "
                                "agedb-dir/data/agedb.csv) in the folder that holds the AgeDB images")
    meta = pd.read_csv(meta_file)
    missing_columns = {"age", "path", "split"} - set(meta.columns)
    if missing_columns:
        raise ValueError(f"{meta_file} lacks the columns {sorted(missing_columns)}")
    out = []
    for part in ("train", "val", "test"):
        rows = meta[meta.split == part]
        absent = [p for p in rows.path if not (folder / p).is_file()]
        if absent:
            raise FileNotFoundError(f"{len(absent)} {part} images named in agedb.csv are missing, e.g. {folder / absent[0]}")
        images = np.stack([_resize((folder / p).read_bytes(), size) for p in rows.path]) if len(rows) else np.zeros((0, size, size, 3), np.uint8)
        out.append(Split(torch.from_numpy(images.transpose(0, 3, 1, 2).copy()), torch.tensor(rows.age.to_numpy(), dtype=torch.float32),
                         FACE_MEAN, FACE_STD, part))
    return tuple(out)  # type: ignore[return-value]


# ---------------------------------------------------------------------------------------------
# tabular: diabetes

def diabetes(*, seed: int = 0, fractions: tuple[float, float] = (0.2, 0.2)) -> tuple[RegressionData, RegressionData, RegressionData]:
    """scikit-learn's diabetes (442 × 10): features and target z-scored with the training part's statistics."""
    from sklearn.datasets import load_diabetes

    bunch = load_diabetes()
    train, val, test = _three_way(len(bunch.target), fractions, seed)
    x, y = bunch.data.astype(np.float32), bunch.target.astype(np.float32)
    mu, sd = x[train].mean(0), x[train].std(0)
    y_mu, y_sd = y[train].mean(), y[train].std()
    return tuple(RegressionData(torch.from_numpy((x[i] - mu) / sd), torch.from_numpy((y[i] - y_mu) / y_sd), part)  # type: ignore[return-value]
                 for i, part in zip((train, val, test), ("train", "val", "test")))


# ---------------------------------------------------------------------------------------------
# text: STS-B-DIR and a synthetic stand-in

STSB_FILES = {"train": "train_new.tsv", "val": "dev_new.tsv", "test": "test_new.tsv"}
TOKENS_PER_SENTENCE = 10  # the authors' pad()
PAD, UNKNOWN = 0, 1
# NLTK's English stopword list (nltk_data corpora/stopwords/english, 179 words; the authors' ``utils.py`` imports it),
# vendored because the nltk wheel ships no corpora and the book runs offline.
STOPWORDS = frozenset("""
i me my myself we our ours ourselves you you're you've you'll you'd your yours yourself yourselves he him his himself
she she's her hers herself it it's its itself they them their theirs themselves what which who whom this that that'll
these those am is are was were be been being have has had having do does did doing a an the and but if or because as
until while of at by for with about against between into through during before after above below to from up down in
out on off over under again further then once here there when where why how all any both each few more most other some
such no nor not only own same so than too very s t can will just don don't should should've now d ll m o re ve y ain
aren aren't couldn couldn't didn didn't doesn doesn't hadn hadn't hasn hasn't haven haven't isn isn't ma mightn mightn't
mustn mustn't needn needn't shan shan't shouldn shouldn't wasn wasn't weren weren't won won't wouldn wouldn't
""".split())
_URL = re.compile(r"https?://\S+|www\.\S+")
_NOT_LETTERS = re.compile(r"[^a-z' ]+")


def stsb_folder(data_dir: str | Path | None = None) -> Path | None:
    """The folder holding the three STS-B-DIR TSV files: ``data_dir`` itself, or its ``stsb-dir/``; None if absent."""
    root = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
    for folder in (root, root / "stsb-dir"):
        if all((folder / name).is_file() for name in STSB_FILES.values()):
            return folder
    return None


STSB_MISSING = ("STS-B-DIR files not found. Install them with `python -m datarights data stsb-dir --from DIR` (DIR holding "
                "train_new.tsv, dev_new.tsv and test_new.tsv of github YyzHarry/imbalanced-regression, sts-b-dir/glue_data/STS-B/), "
                "or put them in a folder `stsb-dir` under $DATARIGHTS_DATA, or pass data_dir=that folder.")


def read_stsb_file(path: str | Path, *, quoting: str = "none"):
    """One STS-B-DIR TSV as a DataFrame (sentence1, sentence2, score).

    ``quoting="none"`` reads every line as it is (``csv.QUOTE_NONE``: 5,249 / 1,000 / 1,000 rows);
    ``quoting="authors"`` is the notebook's default quoting with bad lines skipped, which merges or
    drops rows whose sentences contain quote characters (5,107 / 999 / 954, as the authors' STS-B notebook reads them).
    Rows without a score are dropped in both modes.
    """
    import pandas as pd

    if quoting == "none":
        frame = pd.read_csv(path, sep="\t", quoting=csv.QUOTE_NONE, keep_default_na=False, dtype=str)
    elif quoting == "authors":
        frame = pd.read_csv(path, sep="\t", on_bad_lines="skip", keep_default_na=False, dtype=str)
    else:
        raise ValueError(f"quoting must be 'none' or 'authors', got {quoting!r}")
    frame["score"] = pd.to_numeric(frame["score"], errors="coerce")
    return frame.dropna(subset=["score"])[["sentence1", "sentence2", "score"]].reset_index(drop=True)


def read_stsb(data_dir: str | Path | None = None, *, quoting: str = "none") -> dict[str, Any]:
    """The three STS-B-DIR splits as DataFrames, keyed train/val/test; FileNotFoundError with directions if absent."""
    folder = stsb_folder(data_dir)
    if folder is None:
        raise FileNotFoundError(STSB_MISSING)
    return {part: read_stsb_file(folder / name, quoting=quoting) for part, name in STSB_FILES.items()}


def clean_tokens(sentence: str) -> list[str]:
    """The authors' cleaning (their ``utils.py``): lower-case, strip URLs, keep letters, spaces and in-word
    apostrophes, split on whitespace, drop English stopwords."""
    text = _NOT_LETTERS.sub(" ", _URL.sub(" ", str(sentence).lower()))
    words = [w.strip("'") for w in text.split()]
    return [w for w in words if w and w not in STOPWORDS]


@dataclass(frozen=True)
class Vocabulary:
    """Token → id over the training sentences; 0 pads, 1 stands for a word not seen in training."""

    words: tuple[str, ...]

    @classmethod
    def build(cls, sentences: Sequence[Sequence[str]], min_count: int = 1) -> Vocabulary:
        counts = Counter(w for s in sentences for w in s)
        return cls(tuple(sorted(w for w, c in counts.items() if c >= min_count)))

    def __len__(self) -> int:
        return len(self.words) + 2

    def encode(self, tokens: Sequence[str], length: int = TOKENS_PER_SENTENCE) -> list[int]:
        """The first ``length`` tokens as ids, left-padded with 0 (the authors' ``pad``)."""
        index = self._index
        ids = [index.get(w, UNKNOWN) for w in tokens[:length]]
        return [PAD] * (length - len(ids)) + ids

    @property
    def _index(self) -> dict[str, int]:
        return {w: i + 2 for i, w in enumerate(self.words)}


def encode_pairs(frame, vocabulary: Vocabulary, name: str) -> RegressionData:
    """Sentence pairs → token ids of shape (N, 2, 10), scores as float targets."""
    index = vocabulary._index

    def ids(sentence: str) -> list[int]:
        tokens = [index.get(w, UNKNOWN) for w in clean_tokens(sentence)[:TOKENS_PER_SENTENCE]]
        return [PAD] * (TOKENS_PER_SENTENCE - len(tokens)) + tokens

    x = torch.tensor([[ids(a), ids(b)] for a, b in zip(frame.sentence1, frame.sentence2)], dtype=torch.long).reshape(-1, 2, TOKENS_PER_SENTENCE)
    return RegressionData(x, torch.tensor(frame.score.to_numpy(), dtype=torch.float32), name)


def load_vectors(path: str | Path, vocabulary: Vocabulary, dim: int = 300) -> Tensor:
    """Pre-trained word vectors (GloVe's text format: a word then ``dim`` numbers per line) for ``vocabulary``.

    The authors use GloVe 840B 300-d (2 GB); words without a vector keep a small random one, padding is zero.
    """
    index = vocabulary._index
    vectors = torch.randn(len(vocabulary), dim, generator=torch.Generator().manual_seed(0)) * 0.1
    vectors[PAD] = 0.0
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip().split(" ")
            if len(parts) == dim + 1 and parts[0] in index:
                vectors[index[parts[0]]] = torch.tensor([float(v) for v in parts[1:]])
    return vectors


def stsb(data_dir: str | Path | None = None, *, quoting: str = "none", train_limit: int | None = None,
         seed: int = 0) -> tuple[tuple[RegressionData, RegressionData, RegressionData], Vocabulary]:
    """STS-B-DIR encoded for the LSTM pair model; ``train_limit`` keeps a seeded subset of training pairs."""
    frames = read_stsb(data_dir, quoting=quoting)
    train = frames["train"].sample(frac=1.0, random_state=0).reset_index(drop=True)  # the STS-B notebook's one fixed shuffle
    if train_limit is not None and train_limit < len(train):
        train = train.sample(n=train_limit, random_state=seed).reset_index(drop=True)
    vocabulary = Vocabulary.build([clean_tokens(s) for s in (*train.sentence1, *train.sentence2)])
    return (encode_pairs(train, vocabulary, "train"), encode_pairs(frames["val"], vocabulary, "val"),
            encode_pairs(frames["test"], vocabulary, "test")), vocabulary


def synthetic_pairs(n: int = 3000, *, vocabulary_size: int = 200, seed: int = 0, noise: float = 0.25,
                    fractions: tuple[float, float] = (0.15, 0.15)) -> tuple[tuple[RegressionData, RegressionData, RegressionData], int]:
    """Sentence pairs over a small vocabulary, score = 5 × Jaccard overlap of their words + noise, in [0, 5]
    (a stand-in for STS-B)."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n, 2, TOKENS_PER_SENTENCE), dtype=np.int64)
    y = np.zeros(n, dtype=np.float32)
    for i in range(n):
        length = rng.integers(4, TOKENS_PER_SENTENCE + 1)
        first = rng.choice(vocabulary_size, size=length, replace=False) + 2
        shared = rng.integers(0, length + 1)
        second = np.concatenate([rng.permutation(first)[:shared],
                                 rng.choice(np.setdiff1d(np.arange(vocabulary_size) + 2, first), size=length - shared, replace=False)])
        rng.shuffle(second)
        jaccard = len(set(first) & set(second)) / len(set(first) | set(second))
        y[i] = np.clip(5 * jaccard + rng.normal(0, noise), 0, 5)
        x[i, 0, TOKENS_PER_SENTENCE - length:], x[i, 1, TOKENS_PER_SENTENCE - length:] = first, second
    parts = _three_way(n, fractions, seed)
    return tuple(RegressionData(torch.from_numpy(x[i]), torch.from_numpy(y[i]), part)  # type: ignore[return-value]
                 for i, part in zip(parts, ("train", "val", "test"))), vocabulary_size + 2


# ---------------------------------------------------------------------------------------------
# forecasting: windows of hourly (ETT) or monthly (El Niño) series

@dataclass(frozen=True)
class WindowSpec:
    """TFT-style windows (the authors' electricity pipeline, from Google's TFT code): ``encoder`` steps in,
    ``horizon`` steps out, every ``stride`` steps."""

    encoder: int = 168
    horizon: int = 24
    stride: int = 1

    def __post_init__(self) -> None:
        if min(self.encoder, self.horizon, self.stride) < 1:
            raise ValueError(f"encoder, horizon and stride must be ≥ 1, got {self}")


def windows(values: np.ndarray, features: np.ndarray, spec: WindowSpec, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
    """Windows whose forecast steps lie in [start, stop): inputs (value and known features over the
    encoder steps) and the next ``horizon`` values. The encoder may reach back before ``start``
    (the look-back overlap of the TFT split in the authors' ``data_formatters``)."""
    inputs, targets = [], []
    first = max(start, spec.encoder)
    for t in range(first, stop - spec.horizon + 1, spec.stride):
        inputs.append(np.column_stack([values[t - spec.encoder:t], features[t - spec.encoder:t]]))
        targets.append(values[t:t + spec.horizon])
    width = 1 + features.shape[1]
    return (np.asarray(inputs, dtype=np.float32).reshape(-1, spec.encoder, width),
            np.asarray(targets, dtype=np.float32).reshape(-1, spec.horizon))


def _series_parts(values: np.ndarray, features: np.ndarray, spec: WindowSpec, fractions: tuple[float, float],
                  entity: int) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per-series z-score with the training part's statistics, then train/val/test windows by time."""
    n = len(values)
    cut_train, cut_val = int(n * (1 - fractions[0] - fractions[1])), int(n * (1 - fractions[1]))
    mu, sd = values[:cut_train].mean(), values[:cut_train].std()
    scaled = (values - mu) / sd
    out = []
    for start, stop in ((0, cut_train), (cut_train, cut_val), (cut_val, n)):
        x, y = windows(scaled, features, spec, start, stop)
        out.append((x, y, np.full(len(y), entity)))
    return out


def _calendar(hours: np.ndarray, index) -> np.ndarray:
    """Known inputs of the TFT electricity formatter: hour, day of week, time from start (each scaled)."""
    return np.column_stack([index.hour / 23.0, index.dayofweek / 6.0, hours / max(hours[-1], 1)]).astype(np.float32)


def ett(data_dir: str | Path | None = None, *, series: Sequence[str] = ("ETTh1", "ETTh2"), target: str = "HUFL",
        spec: WindowSpec = WindowSpec(), fractions: tuple[float, float] = (0.2, 0.2)
        ) -> tuple[tuple[RegressionData, RegressionData, RegressionData], dict[str, Tensor]]:
    """ETT hourly series as forecasting windows; also returns, per split, which series each window comes from.

    ``target`` is a load column (``HUFL``, high useful load, by default: the paper forecasts power
    usage); a user gets the CSVs from github zhouhaoyi/ETDataset.
    """
    import pandas as pd

    root = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
    folder = root if (root / f"{series[0]}.csv").is_file() else root / "ett"
    parts: list[list[tuple]] = [[], [], []]
    for entity, name in enumerate(series):
        path = folder / f"{name}.csv"
        if not path.is_file():
            raise FileNotFoundError(f"{path} not found: install ETTh1.csv/ETTh2.csv (github zhouhaoyi/ETDataset) with "
                                    "`python -m datarights data ett --from FOLDER`, or copy them into a folder `ett` under $DATARIGHTS_DATA")
        frame = pd.read_csv(path, parse_dates=["date"])
        if target not in frame.columns:
            raise ValueError(f"target={target!r} is not a column of {path.name}: {list(frame.columns)}")
        hours = np.arange(len(frame), dtype=np.float64)
        features = _calendar(hours, pd.DatetimeIndex(frame.date))
        for i, part in enumerate(_series_parts(frame[target].to_numpy(np.float64), features, spec, fractions, entity)):
            parts[i].append(part)
    return _stack_windows(parts)


def _stack_windows(parts: list[list[tuple]]) -> tuple[tuple[RegressionData, RegressionData, RegressionData], dict[str, Tensor]]:
    data, entities = [], {}
    for pieces, name in zip(parts, ("train", "val", "test")):
        x = np.concatenate([p[0] for p in pieces])
        y = np.concatenate([p[1] for p in pieces])
        data.append(RegressionData(torch.from_numpy(x), torch.from_numpy(y), name))
        entities[name] = torch.from_numpy(np.concatenate([p[2] for p in pieces]))
    return tuple(data), entities  # type: ignore[return-value]


def elnino(*, spec: WindowSpec = WindowSpec(encoder=24, horizon=6), fractions: tuple[float, float] = (0.15, 0.15)
           ) -> tuple[tuple[RegressionData, RegressionData, RegressionData], dict[str, Tensor]]:
    """statsmodels' El Niño sea-surface temperatures (61 years × 12 months) as one monthly series,
    windowed like ETT with month-of-year and time-from-start as known inputs (the quick stand-in)."""
    from statsmodels.datasets import elnino as sm_elnino

    frame = sm_elnino.load_pandas().data
    values = frame.drop(columns="YEAR").to_numpy(np.float64).reshape(-1)
    months = np.tile(np.arange(12), len(frame))
    steps = np.arange(len(values), dtype=np.float64)
    features = np.column_stack([np.sin(2 * np.pi * months / 12), np.cos(2 * np.pi * months / 12), steps / steps[-1]]).astype(np.float32)
    return _stack_windows([[p] for p in _series_parts(values, features, spec, fractions, 0)])



# -- one entry point per dataset name ---------------------------------------------------------

REGRESSION_DATASETS: dict[str, str] = {
    "digits-rotation": "scikit-learn digits, rotated by θ ~ U(0°, 180°)",
    "utkface": "UTKFace (64-px copy), deduplicated by content",
    "stsb": "STS-B-DIR, read with quoting disabled",
    "stsb-synthetic": "synthetic sentence pairs, score = 5 × Jaccard overlap + noise",
    "diabetes": "scikit-learn diabetes (z-scored)",
    "elnino": "statsmodels El Niño monthly sea temperatures, windows",
    "ett": "ETTh1 + ETTh2 hourly loads, TFT-style windows",
}


@dataclass(frozen=True)
class RegressionDataset:
    """A regression dataset as the regression chapter uses it: train/val/test parts, what the network
    needs to know about the inputs (``model_options``, e.g. the vocabulary size), the series each window
    comes from (``entities``, forecasting only) and a description of the source."""

    parts: tuple[Data, Data, Data]
    source: str
    model_options: dict[str, Any] = field(default_factory=dict)
    entities: dict[str, Tensor] | None = None
    counts: dict[str, int] = field(default_factory=dict)


def load_regression(name: str, data_dir: str | Path | None = None, **options: Any) -> RegressionDataset:
    """The regression dataset ``name`` (a key of ``REGRESSION_DATASETS``) with its loader's ``options``.

    Files are read from ``data_dir``, else ``$DATARIGHTS_DATA``; a missing dataset is an error that
    says how to install it, never a silent stand-in.
    """
    if name not in REGRESSION_DATASETS:
        raise ValueError(f"unknown dataset={name!r}; known regression datasets: {sorted(REGRESSION_DATASETS)}")
    source = REGRESSION_DATASETS[name]
    if name == "digits-rotation":
        return RegressionDataset(rotated_digits(**options), source)
    if name == "utkface":
        parts, counts = utkface(data_dir, **options)
        return RegressionDataset(parts, source, counts=counts)
    if name == "stsb":
        parts, vocabulary = stsb(data_dir, **options)
        return RegressionDataset(parts, source, {"vocab_size": len(vocabulary)})
    if name == "stsb-synthetic":
        parts, vocab_size = synthetic_pairs(**options)
        return RegressionDataset(parts, source, {"vocab_size": vocab_size})
    if name == "diabetes":
        return RegressionDataset(diabetes(**options), source)
    if name == "elnino":
        parts, entities = elnino(spec=WindowSpec(**options))
        return RegressionDataset(parts, source, entities=entities)
    parts, entities = ett(data_dir, spec=WindowSpec(**options))
    return RegressionDataset(parts, source, entities=entities)
