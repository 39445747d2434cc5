"""Settings of the EcoVal chapter (08): tables, sizes, seeds and every baseline's budget per profile.

EcoVal's own defaults (our reconstruction's choices) are the fields of
:class:`datarights.valuation.EcoValConfig`; what changes between profiles is here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from datarights.profiles import select

ALL_METHODS = ("ecoval", "tmc_shapley", "dist_shapley", "loo", "knn_shapley", "data_oob", "banzhaf", "random")
NOISE_METHODS = ("ecoval", "ecoval_intrinsic", "ecoval_extrinsic", "knn_agreement", "tmc_shapley", "beta_shapley",
                 "banzhaf", "dist_shapley", "loo", "knn_shapley", "data_oob", "random")


@dataclass(frozen=True)
class EcoValStudy:
    """What the EcoVal chapter runs under a profile.

    Parameters
    ----------
    name, description
        The profile's name and a sentence for the page's provenance note.
    tables
        scikit-learn tables of experiments 1 and 4.
    n_train, n_valid, n_pool
        Training points valued, validation points that score every fit, and new points of the
        out-of-sample pool; each capped at a share of the table (45 %, 20 %, 20 %), and a test set
        disjoint from all three scores the curves.
    seeds
        Number of seeds: ``seed``, ``seed + 1``, ...
    methods
        Methods of experiment 1.
    n_clusters
        EcoVal's p.
    tmc_seconds, dist_seconds, other_seconds
        Time budgets of the sampling baselines in experiments 1 and 2 (their fits are recorded).
    dist_m, dist_samples
        Distributional Shapley's dataset size m and Monte-Carlo draws.
    oob_models
        Data-OOB's bagged models.
    noise_table, noise_rates, noise_methods
        Noisy-label detection (experiment 2), with the ablation of EcoVal's two parts.
    cost_sizes, cost_tmc_seconds
        Cost against n (experiment 3).
    sens_clusters
        Cluster counts of the sensitivity study.
    budget_n
        Training points of the equal-budget study (experiment 6).
    budget_fits
        Fit budgets at which the sampling methods are stopped there.
    budget_clusters
        EcoVal's p values there (its fits are 1 + 3p).
    reference_fits
        Fits of each of the two independent TMC runs averaged into the Data Shapley reference.
    """

    name: str
    description: str
    tables: tuple[str, ...]
    n_train: int
    n_valid: int
    seeds: int
    methods: tuple[str, ...]
    n_pool: int = 100
    n_clusters: int = 10
    tmc_seconds: float = 5.0
    dist_seconds: float = 5.0
    other_seconds: float = 3.0
    dist_m: int = 100
    dist_samples: int = 40
    oob_models: int = 50
    noise_table: str = "breast_cancer"
    noise_rates: tuple[float, ...] = (0.1, 0.2)
    noise_methods: tuple[str, ...] = NOISE_METHODS
    cost_sizes: tuple[int, ...] = (200, 500, 1000, 2000, 5000)
    cost_tmc_seconds: float = 2.0
    sens_clusters: tuple[int, ...] = (4, 8, 16, 32)
    budget_n: int = 60
    budget_fits: tuple[int, ...] = (30, 100, 300, 1000, 3000)
    budget_clusters: tuple[int, ...] = (4, 8, 16)
    reference_fits: int = 6000

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def seed_list(self, seed: int) -> list[int]:
        return list(range(seed, seed + self.seeds))


STUDIES: dict[str, EcoValStudy] = {
    "smoke": EcoValStudy(
        name="smoke", description="one table, 40 training points, one seed, budgets under a second: a test of the pipeline",
        tables=("breast_cancer",), n_train=40, n_valid=40, n_pool=20, seeds=1,
        methods=("ecoval", "tmc_shapley", "dist_shapley", "knn_shapley", "random"), n_clusters=4, tmc_seconds=0.5,
        dist_seconds=0.5, other_seconds=0.3, dist_m=20, dist_samples=3, oob_models=5, noise_rates=(0.2,),
        noise_methods=("ecoval", "ecoval_intrinsic", "ecoval_extrinsic", "knn_agreement", "knn_shapley", "random"),
        cost_sizes=(100, 200), cost_tmc_seconds=0.3, sens_clusters=(2, 4), budget_n=20, budget_fits=(20, 60),
        budget_clusters=(2, 4), reference_fits=300),
    "quick": EcoValStudy(
        name="quick", description="three tables bundled with scikit-learn, 200 training points each, three seeds, "
                                  "logistic regression, sampling baselines stopped at a few seconds",
        tables=("breast_cancer", "wine", "digits"), n_train=200, n_valid=150, seeds=3, methods=ALL_METHODS, n_clusters=16),
    "full": EcoValStudy(
        name="full", description="three tables, 500 training points each, five seeds, longer budgets",
        tables=("breast_cancer", "wine", "digits"), n_train=500, n_valid=300, n_pool=300, seeds=5, methods=ALL_METHODS,
        n_clusters=20, tmc_seconds=60.0, dist_seconds=60.0, other_seconds=30.0, dist_samples=200, oob_models=200,
        cost_sizes=(200, 500, 1000, 2000, 5000, 20000), cost_tmc_seconds=30.0, budget_n=100,
        budget_fits=(100, 500, 2000, 10000, 40000), budget_clusters=(4, 8, 16, 32), reference_fits=200000),
}

# The chapter runs on CPUs only and is not part of the GPU runner's plan, so its toy-scale twin of the full
# profile is the smoke study under the name "dry" (bundled data, seconds).
STUDIES["dry"] = replace(STUDIES["smoke"], name="dry", description="toy-scale twin of the full profile: " + STUDIES["smoke"].description)


def settings(profile: str) -> EcoValStudy:
    """The EcoVal chapter's settings under ``profile`` (``smoke``, ``quick``, ``full`` or ``dry``)."""
    return select(STUDIES, profile)
