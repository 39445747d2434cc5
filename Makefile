# Two commands set everything up on a fresh machine:
#   make book   install into .venv, execute stale chapters, build _build/html/index.html
#   make test   install into .venv if needed, run the whole test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PROFILE ?=
SEED ?= 0
PROFILE_ARG := $(if $(PROFILE),--profile $(PROFILE),)

.PHONY: install book execute test test-fast status assignment clean
CHAPTER ?= 01
OUT ?= assignment-$(CHAPTER)

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --progress-bar off --upgrade pip
	$(PY) -m pip install --quiet --progress-bar off -e ".[dev]"
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3" >/dev/null
	touch $@

book: install
	$(PY) -m datarights book $(PROFILE_ARG) --seed $(SEED)

execute: install
	$(PY) -m datarights book $(PROFILE_ARG) --seed $(SEED) --no-build

test: install
	$(PY) -m pytest

test-fast: install
	$(PY) -m pytest -m "not slow"

status: install
	$(PY) -m datarights status

assignment: install
	$(PY) -m datarights assignment $(CHAPTER) --out $(OUT) $(if $(NBGRADER),--nbgrader,)

clean:
	rm -rf _build .pytest_cache
