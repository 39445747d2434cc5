"""Settings of the head-to-head chapter (06): its requests and seeds, and each method's settings,
taken from the chapter that studies the method."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from datarights.data import ForgetRequest
from datarights.profiles import select
from datarights.settings import bad_teacher as bad_teacher_settings
from datarights.settings import unsir as unsir_settings
from datarights.settings import zero_shot as zero_shot_settings
from datarights.settings.common import MIA_ATTACKS, Profile
from datarights.unlearning import SSDConfig

SCENARIOS = ("class", "subclass", "random")
METHOD_ORDER = ("retrain", "finetune", "neggrad", "random_labels", "unsir", "unsir_code", "bad_teacher", "gkt", "emmn", "ssd")
ZERO_SHOT = ("gkt", "emmn")


@dataclass(frozen=True)
class PopulationStudy:
    """The forgetting-quality study of the head-to-head chapter: K retrained and K unlearned models per method.

    Every method unlearns the *same* original model (the request's, at the chapter's seed) K times with
    the seeds ``seed, seed + 1, ...``; the k-th retrained model is the retrained model of seed ``seed + k``
    (shared with the main comparison at those seeds). The per-example attacks see each model's
    logit-scaled confidence on ``examples`` forget examples (a seeded subset; all when fewer).

    Attributes
    ----------
    k : int
        Models per population (≥ 6: the leave-one-model-out spread keeps ≥ 5, and the forgetting
        score needs ≥ 3 per population).
    scenarios : tuple of str
        The head-to-head scenarios whose first request is studied.
    examples : int
        Forget examples scored per request.
    null_repeats : int
        Draws of the estimator's null level (two populations of one distribution fitted to the
        retrained outputs).
    """

    k: int
    scenarios: tuple[str, ...]
    examples: int = 200
    null_repeats: int = 20

    def __post_init__(self) -> None:
        if isinstance(self.k, bool) or not isinstance(self.k, int) or self.k < 6:
            raise ValueError(f"PopulationStudy.k={self.k!r} must be an integer ≥ 6")
        unknown = [s for s in self.scenarios if s not in SCENARIOS]
        if unknown or not self.scenarios:
            raise ValueError(f"PopulationStudy.scenarios={self.scenarios!r} must name some of {list(SCENARIOS)}")
        for name in ("examples", "null_repeats"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"PopulationStudy.{name}={value!r} must be a positive integer")


@dataclass(frozen=True)
class CompareStudy:
    """The requests and seeds of the head-to-head chapter under a profile (``seeds`` are offsets from the chapter's seed).

    ``not_run``: (method, reason) pairs of methods this profile cannot afford; their rows are kept with the reason.
    ``population``: the forgetting-quality study (K models per method), or None where the profile runs none.
    """

    classes: tuple[int, ...]
    subclasses: tuple[tuple[str, int], ...]
    random_fraction: float
    seeds: tuple[int, ...]
    mia_attacks: tuple[str, ...] = MIA_ATTACKS
    not_run: tuple[tuple[str, str], ...] = ()
    population: PopulationStudy | None = None

    def reason_not_run(self, method: str) -> str | None:
        """Why ``method`` is not run under this profile (its rows carry the reason as their status), or None."""
        return dict(self.not_run).get(method)

    def requests(self, scenario: str) -> list[ForgetRequest]:
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario={scenario!r}; known scenarios: {list(SCENARIOS)}")
        if scenario == "class":
            return [ForgetRequest("class", classes=(c,)) for c in self.classes]
        if scenario == "subclass":
            return [ForgetRequest("subclass", classes=(fine,), superclasses=grouping) for grouping, fine in self.subclasses]
        return [ForgetRequest("random", fraction=self.random_fraction)]

    def to_dict(self) -> dict:
        return asdict(self)


STUDIES: dict[str, CompareStudy] = {
    "smoke": CompareStudy(classes=(0,), subclasses=(("digits-parity", 8),), random_fraction=0.1, seeds=(0,), mia_attacks=("logistic",),
                          population=PopulationStudy(k=6, scenarios=("random",), examples=40, null_repeats=3)),
    # One request per scenario under two seeds: each (request, seed) costs about a CPU minute of retraining and
    # measuring nine models, and the three classes, two sub-classes and three seeds of the full profile took 36
    # minutes, against the chapter's 10-minute budget.
    "quick": CompareStudy(classes=(0,), subclasses=(("cifar10-vehicles", 1),), random_fraction=0.1, seeds=(0, 1),
                          not_run=(("gkt", "not run under quick: on 28×28 MNIST (standardised), GKT's student reached 61 % retain "
                                           "accuracy after 120 pseudo-batches (2 CPU minutes; trials in settings.common); the "
                                           "zero-shot chapter runs it on 14×14 MNIST"),),
                          # Six models per population on the random request only (where a per-example test
                          # matters: a whole class is told apart by any attacker): four retrainings beyond the two
                          # the comparison trains and 30 unlearning runs, about 3 CPU minutes.
                          population=PopulationStudy(k=6, scenarios=("random",))),
    "full": CompareStudy(classes=(0, 3, 8), subclasses=(("cifar10-vehicles", 1), ("cifar10-vehicles", 8)), random_fraction=0.1,
                         seeds=(0, 1, 2), mia_attacks=("logistic",),
                         population=PopulationStudy(k=16, scenarios=("class", "random"), examples=500)),
}

STUDIES["dry"] = replace(STUDIES["full"], classes=(0,), subclasses=(("cifar10-vehicles", 1),), seeds=(0,),
                         population=PopulationStudy(k=6, scenarios=("class", "random"), examples=20, null_repeats=2))


def settings(profile: str) -> CompareStudy:
    """The head-to-head chapter's requests and seeds under ``profile`` (``smoke``, ``quick`` or ``full``)."""
    return select(STUDIES, profile)


def method_config(method: str, profile: Profile, seed: int) -> Any:
    """The settings a method uses under ``profile``: those of the chapter that studies it."""
    if method in ("finetune", "neggrad", "random_labels"):
        config = getattr(profile, method)
    elif method == "unsir":
        config = unsir_settings.settings(profile.name).config
    elif method == "unsir_code":
        config = replace(unsir_settings.settings(profile.name).config, variant="code")
    elif method == "bad_teacher":
        config = bad_teacher_settings.settings(profile.name).config
    elif method in ZERO_SHOT:
        config = zero_shot_settings.method_config(method, profile.name)
    elif method == "ssd":
        config = SSDConfig(batch_size=profile.train.batch_size)
    elif method == "retrain":
        return None
    else:
        raise ValueError(f"unknown method={method!r}; known methods: {list(METHOD_ORDER)}")
    return replace(config, seed=seed)
