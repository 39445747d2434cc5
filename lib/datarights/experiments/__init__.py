"""Cached, configurable experiment runners that the chapters call."""

from datarights.experiments import foundations
from datarights.experiments.setup import Setup, prepare

__all__ = ["Setup", "foundations", "prepare"]
