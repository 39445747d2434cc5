"""One seed per run: configs carry none by default, a method refuses to run without one, sub-seeds
follow one convention, and the seed a chapter is given changes what it shows."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch

from datarights import unlearning
from datarights.seeds import SUB_SEED_OFFSETS, check_seed, require_seed, seed_list, sub_seed
from datarights.settings import unsir as unsir_settings


def test_sub_seeds_add_one_fixed_offset_per_purpose():
    assert sub_seed(5, "repair") == 6 and sub_seed(5, "incompetent") == 10_005 and sub_seed(0, "judge") == 1_000
    # repair/student/proxy belong to different methods and share 1; purposes that meet in one run differ
    assert len({SUB_SEED_OFFSETS[p] for p in ("repair", "judge", "incompetent")}) == 3
    assert seed_list(3, 3) == (3, 4, 5)
    with pytest.raises(ValueError, match="purpose='repiar'"):
        sub_seed(0, "repiar")


@pytest.mark.parametrize("bad", [-1, 2**32, 1.5, "3", True, None])
def test_a_seed_outside_unsigned_32_bits_is_an_error_naming_the_argument(bad):
    with pytest.raises((TypeError, ValueError), match="seed"):
        check_seed(bad)


def test_a_method_config_without_a_seed_is_an_error_not_seed_0():
    config = unsir_settings.settings("smoke").config
    assert config.seed is None
    with pytest.raises(ValueError, match=r"UNSIRConfig\.seed is not set"):
        require_seed(config)
    with pytest.raises(ValueError, match=r"FinetuneConfig\.seed is not set"):
        unlearning.finetune(torch.nn.Linear(2, 2), retain=None, config=unlearning.FinetuneConfig())


@pytest.fixture(scope="module")
def smoke_setup():
    from datarights.experiments import prepare

    return prepare("smoke", 0, forget_classes=(0,), device="cpu")


def _demo(setup, seed: int):
    """The UNSIR demo of chapter 02 under the smoke profile, run with ``seed``."""
    s = setup.splits
    config = replace(unsir_settings.settings("smoke").config, seed=seed)
    return unlearning.unsir(setup.original, retain=s.retain_train, forget_classes=[0], config=config)


def test_two_seeds_give_two_demo_results_and_one_seed_gives_one(smoke_setup):
    first, again, other = _demo(smoke_setup, 0), _demo(smoke_setup, 0), _demo(smoke_setup, 1)
    assert torch.equal(first.extra["noise"][0], again.extra["noise"][0])
    assert not torch.equal(first.extra["noise"][0], other.extra["noise"][0])
    weights = lambda result: torch.cat([p.detach().flatten() for p in result.model.parameters()])  # noqa: E731
    assert torch.equal(weights(first), weights(again)) and not torch.equal(weights(first), weights(other))
