"""Every setting of every chapter, one module per chapter (the single home of what a profile runs).

- :mod:`~datarights.settings.common`: the data, model, training recipe and baselines that every
  unlearning chapter shares under a profile (``Profile``), and the named variants of the full
  profile (the authors' own recipes);
- :mod:`~datarights.settings.seeds`: the one convention that derives sub-seeds from a run's seed;
- one module per chapter (``unsir``, ``bad_teacher``, ``zero_shot``, ``regression``, ``compare``,
  ``tabsyndex``, ``ecoval``), each with a ``STUDIES`` table keyed by profile and a
  ``settings(profile)`` function that reads it through :func:`datarights.profiles.select`.

Settings modules may compose each other (the head-to-head chapter runs every method with the
settings of the chapter that studies it); experiment runners import settings, never each other.
This package's ``__init__`` imports nothing, so a chapter's staleness follows only the settings
modules it uses.
"""
