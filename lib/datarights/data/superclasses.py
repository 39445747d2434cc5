"""Superclasses: fine classes grouped into the coarse labels a model is trained to predict.

The bad-teaching paper's main benchmark is *CIFAR-Super20*: CIFAR-100 images labelled with their
20 superclasses, from which one fine class (rocket, inside "vehicles 2") is forgotten while the
model goes on predicting superclasses (the bad-teaching repository's ``CIFARSuper20_Rocket_Unlearn.ipynb``). Where
CIFAR-100 is not at hand the book runs the same protocol on two documented groupings of its own, each declared here once:

- ``cifar100-20``: CIFAR-100's official 20 superclasses (the mapping shipped with the dataset);
- ``cifar10-vehicles``: CIFAR-10 as vehicles {airplane, automobile, ship, truck} vs animals;
- ``digits-parity``: scikit-learn's digits as even vs odd (the quick profile's stand-in).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CIFAR100_FINE = (
    "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle", "bottle", "bowl", "boy",
    "bridge", "bus", "butterfly", "camel", "can", "castle", "caterpillar", "cattle", "chair", "chimpanzee", "clock",
    "cloud", "cockroach", "couch", "crab", "crocodile", "cup", "dinosaur", "dolphin", "elephant", "flatfish", "forest",
    "fox", "girl", "hamster", "house", "kangaroo", "keyboard", "lamp", "lawn_mower", "leopard", "lion", "lizard",
    "lobster", "man", "maple_tree", "motorcycle", "mountain", "mouse", "mushroom", "oak_tree", "orange", "orchid",
    "otter", "palm_tree", "pear", "pickup_truck", "pine_tree", "plain", "plate", "poppy", "porcupine", "possum",
    "rabbit", "raccoon", "ray", "road", "rocket", "rose", "sea", "seal", "shark", "shrew", "skunk", "skyscraper",
    "snail", "snake", "spider", "squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank", "telephone",
    "television", "tiger", "tractor", "train", "trout", "tulip", "turtle", "wardrobe", "whale", "willow_tree", "wolf",
    "woman", "worm",
)
CIFAR100_COARSE_NAMES = (
    "aquatic_mammals", "fish", "flowers", "food_containers", "fruit_and_vegetables", "household_electrical_devices",
    "household_furniture", "insects", "large_carnivores", "large_man-made_outdoor_things",
    "large_natural_outdoor_scenes", "large_omnivores_and_herbivores", "medium_mammals", "non-insect_invertebrates",
    "people", "reptiles", "small_mammals", "trees", "vehicles_1", "vehicles_2",
)
# The superclass of each fine class, as in CIFAR-100's own files (and the bad-teaching repository's ``dataset.py``).
CIFAR100_COARSE_OF_FINE = (
    4, 1, 14, 8, 0, 6, 7, 7, 18, 3, 3, 14, 9, 18, 7, 11, 3, 9, 7, 11, 6, 11, 5, 10, 7, 6, 13, 15, 3, 15, 0, 11, 1, 10,
    12, 14, 16, 9, 11, 5, 5, 19, 8, 8, 15, 13, 14, 17, 18, 10, 16, 4, 17, 4, 2, 0, 17, 4, 18, 17, 10, 3, 2, 12, 12, 16,
    12, 1, 9, 19, 2, 10, 0, 1, 16, 12, 9, 13, 15, 13, 16, 19, 2, 4, 6, 19, 5, 5, 8, 19, 18, 1, 2, 15, 6, 0, 17, 8, 14, 13,
)


@dataclass(frozen=True)
class Superclasses:
    """A grouping of a dataset's fine classes: ``coarse_of[f]`` is the superclass of fine class ``f``."""

    name: str
    dataset: str
    names: tuple[str, ...]
    coarse_of: tuple[int, ...]

    def __post_init__(self) -> None:
        used = set(self.coarse_of)
        if used != set(range(len(self.names))):
            raise ValueError(f"superclasses {self.name!r}: coarse_of must use every superclass 0..{len(self.names) - 1}, got {sorted(used)}")

    @property
    def num_fine(self) -> int:
        return len(self.coarse_of)

    def lookup(self) -> np.ndarray:
        """Fine → coarse as an index array (``lookup()[y]`` relabels a whole label tensor)."""
        return np.asarray(self.coarse_of, dtype=np.int64)

    def members(self, coarse: int) -> tuple[int, ...]:
        """The fine classes of superclass ``coarse``."""
        return tuple(f for f, c in enumerate(self.coarse_of) if c == coarse)


def _grouping(name: str, dataset: str, groups: dict[str, tuple[int, ...]], num_fine: int) -> Superclasses:
    coarse_of = [-1] * num_fine
    for index, members in enumerate(groups.values()):
        for fine in members:
            coarse_of[fine] = index
    return Superclasses(name, dataset, tuple(groups), tuple(coarse_of))


SUPERCLASSES: dict[str, Superclasses] = {
    "cifar100-20": Superclasses("cifar100-20", "cifar100", CIFAR100_COARSE_NAMES, CIFAR100_COARSE_OF_FINE),
    "cifar10-vehicles": _grouping("cifar10-vehicles", "cifar10", {"vehicles": (0, 1, 8, 9), "animals": (2, 3, 4, 5, 6, 7)}, 10),
    "digits-parity": _grouping("digits-parity", "digits", {"even": (0, 2, 4, 6, 8), "odd": (1, 3, 5, 7, 9)}, 10),
}


def get_superclasses(name: str) -> Superclasses:
    """The grouping called ``name`` (see ``SUPERCLASSES``)."""
    try:
        return SUPERCLASSES[name]
    except KeyError:
        raise ValueError(f"unknown superclasses={name!r}; known groupings: {sorted(SUPERCLASSES)}") from None
