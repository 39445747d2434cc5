"""The names of the datasets the library installs from offline copies.

Kept apart from :mod:`datarights.data` (which loads torch) so that the command line can list its
choices without the deep-learning stack; ``tests/test_data.py`` keeps it equal to ``data.install.NAMES``.
"""

OFFLINE_NAMES = ("cifar10", "mnist", "cifar100", "utkface", "stsb-dir", "ett", "tabular")
