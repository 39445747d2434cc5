"""Settings of the TabSynDex chapter (07): tables, seeds, generator training and experiment sizes per profile.

The metric's own defaults (α = 1.2, β = 2, 20 bins, the official code's quirks) are keyword
defaults of :func:`datarights.synthetic.tabsyndex`; what changes between profiles is here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from datarights.profiles import select

ALL_GENERATORS = ("half", "copy", "uniform", "independent", "gaussian", "copula", "ctgan", "tvae")
OFFICIAL_TABLES = ("winequality-white", "concrete")


@dataclass(frozen=True)
class TabSynDexStudy:
    """What the TabSynDex chapter runs under a profile.

    Parameters
    ----------
    name, description
        The profile's name and a sentence for the page's provenance note.
    tables
        Tables of the generator grid (experiment 1); names of :data:`datarights.data.tabular.TABLES`.
    max_rows
        Rows kept per grid table (a seeded random subset; None: all) before the three-way split.
    seeds
        Number of seeds: ``seed``, ``seed + 1``, ...
    epochs, batch_size
        CTGAN / TVAE training in the grid (the ``ctgan`` package's defaults are 300 and 500).
    test_fraction
        Share of each grid table held out as the real *test* set of train-on-synthetic/test-on-real;
        the rest is halved into the real table (generators are fitted on it) and the other half.
    generators
        Generators and baselines of the grid.
    official_tables
        Tables of the official example notebook reproduced real-vs-real (need ``DATARIGHTS_DATA``).
    sanity_tables, sanity_max_rows
        Bundled tables split in halves like the official notebook.
    mix_tables, mix_noises, mix_fractions
        The degradation experiment: real rows replaced by noise rows in these proportions.
    size_table, sizes
        The pMSE-against-size experiment.
    monitor_table, monitor_epochs, monitor_every, monitor_batch_size
        TabSynDex every few epochs while CTGAN trains.
    null_repeats
        Simulated same-distribution pairs per size for the pMSE null check.
    novelty_sample
        Fake rows checked by SDMetrics' NewRowSynthesis (it compares row by row).
    """

    name: str
    description: str
    tables: tuple[str, ...]
    max_rows: int | None
    seeds: int
    epochs: int
    batch_size: int
    test_fraction: float = 0.2
    generators: tuple[str, ...] = ALL_GENERATORS
    official_tables: tuple[str, ...] = OFFICIAL_TABLES
    sanity_tables: tuple[str, ...] = ("wine", "diabetes", "breast_cancer", "fair", "anes96")
    sanity_max_rows: int | None = None
    mix_tables: tuple[str, ...] = ("diabetes", "wine")
    mix_noises: tuple[str, ...] = ("uniform", "independent")
    mix_fractions: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    size_table: str = "fair"
    sizes: tuple[int, ...] = (100, 300, 1000, 3000)
    monitor_table: str = "diabetes"
    monitor_epochs: int = 60
    monitor_every: int = 5
    monitor_batch_size: int = 20  # small batches: more optimiser steps per epoch on a small table
    null_repeats: int = 10
    novelty_sample: int = 200

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def seed_list(self, seed: int) -> list[int]:
        return list(range(seed, seed + self.seeds))


STUDIES: dict[str, TabSynDexStudy] = {
    # Bundled tables only: the test suite runs this profile without a data directory.
    "smoke": TabSynDexStudy(
        name="smoke", description="two small bundled tables, one seed, 2 training epochs: a test of the pipeline, not of the metric",
        tables=("diabetes", "wine"), max_rows=120, seeds=1, epochs=2, batch_size=50, official_tables=(),
        sanity_tables=("wine", "diabetes"), sanity_max_rows=120, mix_tables=("diabetes",), mix_noises=("uniform",),
        mix_fractions=(0.0, 0.5, 1.0), sizes=(60, 150), monitor_epochs=2, monitor_every=1, null_repeats=2,
        novelty_sample=30),
    "quick": TabSynDexStudy(
        name="quick", description="three bundled tables and the official notebook's wine-white and concrete tables "
                                  "(600 rows each in the grid), three seeds, CTGAN/TVAE trained 300 epochs in batches of 50 on CPU",
        tables=("diabetes", "wine", "breast_cancer", "winequality-white", "concrete"), max_rows=600, seeds=3, epochs=300,
        batch_size=50, monitor_epochs=600, monitor_every=30),
    "full": TabSynDexStudy(
        name="full", description="seven tables, five seeds, CTGAN/TVAE trained 300 epochs (the ctgan default) in batches of 100",
        tables=("diabetes", "wine", "breast_cancer", "anes96", "fair", "winequality-white", "concrete"), max_rows=3000,
        seeds=5, epochs=300, batch_size=100, mix_tables=("diabetes", "wine", "anes96"),
        mix_noises=("uniform", "independent", "gaussian"), mix_fractions=(0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0),
        sizes=(100, 200, 500, 1000, 2000, 3183), monitor_epochs=1500, monitor_every=50, null_repeats=50, novelty_sample=500),
}

# The chapter runs on CPUs only and is not part of the GPU runner's plan, so its toy-scale twin of the full
# profile is the smoke study under the name "dry" (bundled data, seconds).
STUDIES["dry"] = replace(STUDIES["smoke"], name="dry", description="toy-scale twin of the full profile: " + STUDIES["smoke"].description)


def settings(profile: str) -> TabSynDexStudy:
    """The TabSynDex chapter's settings under ``profile`` (``smoke``, ``quick``, ``full`` or ``dry``)."""
    return select(STUDIES, profile)
