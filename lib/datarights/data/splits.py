"""Forget / retain splits: which training images a deletion request names.

Notation of the papers: D = D_r ∪ D_f. ``forget_train`` (D_f) and ``retain_train``
(D_r) partition the training set; ``forget_test`` and ``retain_test`` are the test
images of the same classes, on which all three authors' repositories report
"Df acc" and "Dr acc" (spec, notation paragraph).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import torch

from datarights.data.registry import ImageDataset
from datarights.data.tensors import Split


@dataclass(frozen=True)
class UnlearningSplits:
    """Train/test data divided by a deletion request.

    ``kind`` is ``"class"`` (every image of ``forget_classes``) or ``"random"``
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

    def describe(self) -> str:
        what = f"classes {list(self.forget_classes)}" if self.kind == "class" else f"a random {len(self.forget_train)} images"
        return (
            f"{self.dataset}: forget {what}; |D_f|={len(self.forget_train)}, |D_r|={len(self.retain_train)}, "
            f"forget-test {len(self.forget_test)}, retain-test {len(self.retain_test)}"
        )


def class_forgetting(dataset: ImageDataset, forget_classes: int | Iterable[int]) -> UnlearningSplits:
    """Forget every training image of one or several classes."""
    classes = (forget_classes,) if isinstance(forget_classes, int) else tuple(int(c) for c in forget_classes)
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
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"fraction must be in (0, 1), got {fraction}")
    n = len(dataset.train)
    n_forget = max(1, int(round(fraction * n)))
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
