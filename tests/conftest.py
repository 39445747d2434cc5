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
def quick_setup():
    """Original and retrained models of the digits setting that the quick profile used before it moved to MNIST
    (``DIGITS_QUICK``, still the zero-shot chapter's), forget class 0, trained once per session: no data download."""
    from datarights.experiments import prepare
    from datarights.settings.common import DIGITS_QUICK

    return prepare(DIGITS_QUICK, seed=0, device="cpu")
