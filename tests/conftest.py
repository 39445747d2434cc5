"""Shared fixtures. Every test writes its cache into a temporary directory, never into results/."""

from __future__ import annotations

import os
import tempfile

import pytest
import torch

_CACHE_ROOT = tempfile.mkdtemp(prefix="datarights-tests-")
os.environ["DATARIGHTS_RESULTS"] = os.path.join(_CACHE_ROOT, "results")
os.environ["DATARIGHTS_CACHE"] = os.path.join(_CACHE_ROOT, "models")
torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))


@pytest.fixture(scope="session")
def digits():
    from datarights import data

    return data.load("digits")


@pytest.fixture(scope="session")
def digits_profile():
    """The smoke profile on all of scikit-learn's digits (1,257 training images), trained 30 epochs: a
    setting where every method's behaviour is clear-cut, with no data download."""
    from dataclasses import replace

    from datarights.settings.common import PROFILES

    smoke = PROFILES["smoke"]
    return replace(smoke, name="digits-all", description="all of scikit-learn's digits, the smoke profile's model, 30 epochs",
                   train=replace(smoke.train, epochs=30), train_per_class=None, test_per_class=None)


@pytest.fixture(scope="session")
def quick_setup(digits_profile):
    """Original and retrained models of ``digits_profile``, forget class 0, trained once per session."""
    from datarights.experiments import prepare

    return prepare(digits_profile, seed=0, device="cpu")
