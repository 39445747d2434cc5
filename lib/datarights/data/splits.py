"""Forget / retain splits: which training images a deletion request names.

Notation of the papers: D = D_r ∪ D_f. ``forget_train`` (D_f) and ``retain_train``
(D_r) partition the training set; ``forget_test`` and ``retain_test`` are the test
images of the same classes, on which all three authors' repositories report
"Df acc" and "Dr acc" in their notebooks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

import numpy as np
import torch

from datarights.data.registry import ImageDataset
from datarights.data.superclasses import get_superclasses
from datarights.data.tensors import Split
from datarights.validation import check_fraction, check_seed


def class_ids(value: object, name: str) -> tuple[int, ...]:
    """An int, or an iterable of ints, as a tuple; a string ("12"), a float (3.7) or a bool is an error."""
    import numbers

    def one(item: object) -> int:
        if isinstance(item, bool) or not isinstance(item, numbers.Integral):
            raise TypeError(f"{name} must be an int or an iterable of ints, got {item!r} ({type(item).__name__}) "
                            f"in {value!r}")
        return int(item)

    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be an int or an iterable of ints, got the string {value!r}")
    if isinstance(value, numbers.Number) or isinstance(value, bool):
        return (one(value),)
    if isinstance(value, torch.Tensor | np.ndarray):
        value = value.tolist()
        if not isinstance(value, list):
            return (one(value),)
    try:
        items = tuple(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{name} must be an int or an iterable of ints, got {value!r} ({type(value).__name__})") from None
    classes = tuple(one(item) for item in items)
    if len(set(classes)) != len(classes):
        raise ValueError(f"{name} names a class twice: {list(classes)}")
    return classes


@dataclass(frozen=True)
class UnlearningSplits:
    """Train/test data divided by a deletion request.

    ``kind`` is ``"class"`` (every image of ``forget_classes``), ``"subclass"`` (every image
    of the fine classes ``forget_subclasses`` while labels are superclasses; ``forget_classes``
    are then the superclasses they belong to, the model outputs concerned) or ``"random"``
    (a seeded random subset of the training set). For random forgetting there is
    no forget *test* set: ``forget_test`` and ``retain_test`` are both the full test set.
    """

    dataset: str
    kind: str
    train: Split
    test: Split
    forget_train: Split
    retain_train: Split
    forget_test: Split
    retain_test: Split
    forget_classes: tuple[int, ...]
    num_classes: int
    forget_subclasses: tuple[int, ...] = ()
    superclasses: str | None = None

    def describe(self) -> str:
        what = {"class": f"classes {list(self.forget_classes)}",
                "subclass": f"sub-classes {list(self.forget_subclasses)} of superclasses {list(self.forget_classes)} ({self.superclasses})",
                }.get(self.kind, f"a random {len(self.forget_train)} images")
        return (
            f"{self.dataset}: forget {what}; |D_f|={len(self.forget_train)}, |D_r|={len(self.retain_train)}, "
            f"forget-test {len(self.forget_test)}, retain-test {len(self.retain_test)}"
        )


def class_forgetting(dataset: ImageDataset, forget_classes: int | Iterable[int]) -> UnlearningSplits:
    """Forget every training image of one or several classes."""
    classes = class_ids(forget_classes, "forget_classes")
    if not classes:
        raise ValueError("forget_classes is empty: name at least one class to forget")
    bad = [c for c in classes if not 0 <= c < dataset.num_classes]
    if bad:
        raise ValueError(f"forget_classes {bad} out of range: {dataset.name} has classes 0..{dataset.num_classes - 1}")
    if len(set(classes)) == dataset.num_classes:
        raise ValueError("forget_classes names every class: nothing would be retained")
    parts = {}
    for split in (dataset.train, dataset.test):
        mask = torch.isin(split.y, torch.tensor(classes, device=split.y.device))
        if not bool(mask.any()):
            raise ValueError(f"the {split.name} split has no image of forget_classes {list(classes)}: the forget set would be empty")
        parts[f"forget_{split.name}"] = split.subset(mask, f"forget_{split.name}")
        parts[f"retain_{split.name}"] = split.subset(~mask, f"retain_{split.name}")
    return UnlearningSplits(dataset.name, "class", dataset.train, dataset.test, forget_classes=tuple(sorted(classes)),
                            num_classes=dataset.num_classes, **parts)


def random_forgetting(dataset: ImageDataset, fraction: float, seed: int = 0) -> UnlearningSplits:
    """Forget a seeded random ``fraction`` of the training images (at least one)."""
    fraction = check_fraction(fraction, "fraction")
    seed = check_seed(seed)
    n = len(dataset.train)
    n_forget = max(1, int(round(fraction * n)))
    if n_forget >= n:
        raise ValueError(f"fraction={fraction} of the {n} training images forgets all of them: "
                         f"nothing would be retained; use a fraction below {(n - 0.5) / n:.4f}")
    order = np.random.default_rng(seed).permutation(n)
    mask = torch.zeros(n, dtype=torch.bool)
    mask[torch.from_numpy(order[:n_forget])] = True
    return UnlearningSplits(
        dataset.name, "random", dataset.train, dataset.test,
        forget_train=dataset.train.subset(mask, "forget_train"),
        retain_train=dataset.train.subset(~mask, "retain_train"),
        forget_test=dataset.test, retain_test=dataset.test,
        forget_classes=(), num_classes=dataset.num_classes,
    )


def subclass_forgetting(dataset: ImageDataset, superclasses: str, forget_subclasses: int | Iterable[int]) -> UnlearningSplits:
    """Forget every image of some fine classes while the model predicts superclasses (the bad-teaching notebook's protocol).

    Labels of every split become the superclasses of ``superclasses`` (a name in
    ``data.superclasses.SUPERCLASSES``); D_f holds the images of ``forget_subclasses`` (fine class
    ids of ``dataset``), D_r all others, including the other members of the same superclasses.
    """
    grouping = get_superclasses(superclasses)
    if grouping.dataset != dataset.name:
        raise ValueError(f"superclasses {superclasses!r} group {grouping.dataset}, but the dataset is {dataset.name}")
    fine = class_ids(forget_subclasses, "forget_subclasses")
    if not fine:
        raise ValueError("forget_subclasses is empty: name at least one fine class to forget")
    bad = [c for c in fine if not 0 <= c < grouping.num_fine]
    if bad:
        raise ValueError(f"forget_subclasses {bad} out of range: {dataset.name} has fine classes 0..{grouping.num_fine - 1}")
    coarse = sorted({grouping.coarse_of[c] for c in fine})
    whole = [c for c in coarse if set(grouping.members(c)) <= set(fine)]
    if whole:
        raise ValueError(f"forget_subclasses {list(fine)} cover all of superclass {whole}: that is class forgetting, "
                         "not sub-class forgetting; use class_forgetting on the superclass labels")
    lookup = torch.from_numpy(grouping.lookup())
    parts = {}
    relabelled = {}
    for split in (dataset.train, dataset.test):
        mask = torch.isin(split.y, torch.tensor(fine, device=split.y.device))
        if not bool(mask.any()):
            raise ValueError(f"the {split.name} split has no image of forget_subclasses {list(fine)}: the forget set would be empty")
        coarse_split = replace(split.relabel(lookup.to(split.y.device)[split.y]), classes=grouping.names)
        relabelled[split.name] = coarse_split
        parts[f"forget_{split.name}"] = coarse_split.subset(mask, f"forget_{split.name}")
        parts[f"retain_{split.name}"] = coarse_split.subset(~mask, f"retain_{split.name}")
    return UnlearningSplits(dataset.name, "subclass", relabelled["train"], relabelled["test"], forget_classes=tuple(coarse),
                            num_classes=len(grouping.names), forget_subclasses=tuple(sorted(fine)), superclasses=superclasses,
                            **parts)


RequestKind = Literal["class", "subclass", "random"]


@dataclass(frozen=True)
class ForgetRequest:
    """What a user asks to forget, independent of the dataset's size: the three scenarios of the
    bad-teaching paper (as its abstract and third-party summaries name them) and the head-to-head chapter.

    - ``ForgetRequest("class", classes=(3,))``: every image of class 3;
    - ``ForgetRequest("subclass", classes=(69,), superclasses="cifar100-20")``: every image of fine
      class 69 (rocket) while the model predicts superclasses;
    - ``ForgetRequest("random", fraction=0.1)``: a random 10% of the training set (``seed`` picks it).
    """

    kind: RequestKind = "class"
    classes: tuple[int, ...] = ()
    superclasses: str | None = None
    fraction: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        if self.kind not in ("class", "subclass", "random"):
            raise ValueError(f"kind must be 'class', 'subclass' or 'random', got {self.kind!r}")
        object.__setattr__(self, "classes", class_ids(self.classes, "classes"))
        if any(c < 0 for c in self.classes):
            raise ValueError(f"classes must be non-negative class ids, got {list(self.classes)}")
        object.__setattr__(self, "seed", check_seed(self.seed))
        if self.kind in ("class", "subclass") and not self.classes:
            raise ValueError(f"a {self.kind} request needs classes=(...) to forget")
        if self.kind == "subclass" and self.superclasses is None:
            raise ValueError("a subclass request needs superclasses= (a name in data.superclasses.SUPERCLASSES)")
        if self.kind == "random":
            try:
                object.__setattr__(self, "fraction", check_fraction(self.fraction, "fraction"))
            except (TypeError, ValueError) as err:
                raise ValueError(f"a random request needs {err}") from None

    def split(self, dataset: ImageDataset) -> UnlearningSplits:
        """The forget/retain splits of ``dataset`` under this request."""
        if self.kind == "class":
            return class_forgetting(dataset, self.classes)
        if self.kind == "subclass":
            return subclass_forgetting(dataset, self.superclasses, self.classes)
        return random_forgetting(dataset, self.fraction, self.seed)

    @property
    def labels(self) -> str | None:
        """What the models are trained to predict: the superclass grouping, or None for the dataset's classes."""
        return self.superclasses if self.kind == "subclass" else None

    def label(self) -> str:
        """A short human-readable name, e.g. ``class 3``, ``sub-class 69 (cifar100-20)``, ``random 10%``."""
        if self.kind == "random":
            return f"random {self.fraction:.0%}"
        classes = ",".join(map(str, self.classes))
        return f"class {classes}" if self.kind == "class" else f"sub-class {classes} ({self.superclasses})"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
