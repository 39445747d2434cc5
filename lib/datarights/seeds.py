"""One convention for seeds: a run has one seed; everything random inside it derives from it here.

A run's ``seed`` is given by whoever starts it (the chapter's ``seed`` parameter, a test, a user);
method configs carry no default seed (``seed=None``) and a method refuses to run without one
(:func:`require_seed`), so a forgotten ``replace(config, seed=...)`` is an error, not a silent seed 0.
What a method or an experiment draws besides its main stream (the repair pass, the student network,
the incompetent teacher, a judge model, the k-th repetition) takes :func:`sub_seed` of the run's
seed: the seed plus a fixed offset per purpose. The offsets are the ones the chapters have always
used, so every committed number keeps its seed.
"""

from __future__ import annotations

from datarights.validation import SEED_LIMIT, check_seed

# Purpose → offset added to the run's seed. Offsets of purposes that can meet in one run differ.
SUB_SEED_OFFSETS: dict[str, int] = {
    "repair": 1,        # UNSIR and EMMN: the repair pass after impair
    "student": 1,       # GKT: the student network's initialisation
    "proxy": 1,         # Blindspot: the blindspot (proxy) model's initialisation
    "judge": 1_000,     # zero-shot chapter: the independent judge trained on all of D
    "incompetent": 10_000,  # ZRF's and the bad teacher's randomly initialised network
}


def require_seed(config: object) -> int:
    """The seed of a method ``config``; a clear error when the caller did not set one."""
    seed = getattr(config, "seed", None)
    if seed is None:
        name = type(config).__name__
        raise ValueError(f"{name}.seed is not set: pass {name}(..., seed=...) or dataclasses.replace(config, seed=...); "
                         "a run's seed is never defaulted")
    return check_seed(seed, f"{type(config).__name__}.seed")


def sub_seed(seed: int, purpose: str) -> int:
    """The seed of ``purpose`` (a key of ``SUB_SEED_OFFSETS``) inside a run seeded with ``seed``."""
    try:
        offset = SUB_SEED_OFFSETS[purpose]
    except KeyError:
        raise ValueError(f"unknown purpose={purpose!r}; known purposes: {sorted(SUB_SEED_OFFSETS)}") from None
    return (check_seed(seed) + offset) % SEED_LIMIT


def seed_list(seed: int, count: int) -> tuple[int, ...]:
    """The seeds of ``count`` repetitions of a run seeded with ``seed``: ``seed, seed + 1, ...``."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"count={count!r} must be a positive integer")
    return tuple((check_seed(seed) + k) % SEED_LIMIT for k in range(count))
