"""The settings layer: one home per chapter, one lookup with one error message, no runner importing
another, profile names listed without torch, and chapter staleness that sees every module a chapter uses."""

from __future__ import annotations

import ast
import importlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from datarights import book, profiles

SETTINGS = ("unsir", "bad_teacher", "zero_shot", "compare", "regression", "tabsyndex", "ecoval")
RUNNERS = ("bad_teacher", "compare", "ecoval", "foundations", "regression", "tabsyndex", "unsir", "zero_shot")
LIBRARY = book.PACKAGE_DIR


@pytest.mark.parametrize("chapter", SETTINGS)
def test_every_chapter_reads_its_settings_through_the_one_lookup(chapter):
    module = importlib.import_module(f"datarights.settings.{chapter}")
    for name in profiles.PROFILE_NAMES:
        assert module.settings(name) is not None
    with pytest.raises(ValueError) as error:
        module.settings("huge")
    assert str(error.value) == "unknown profile='huge'; known profiles: ['smoke', 'quick', 'full', 'dry']"


def test_profile_get_accepts_a_name_or_a_profile_and_rejects_anything_else():
    quick = profiles.get("quick")
    assert profiles.get(quick) is quick
    for bad in ("Quick", 3, None):
        with pytest.raises(ValueError, match="unknown profile="):
            profiles.get(bad)


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("runner", RUNNERS)
def test_no_runner_imports_another_runner(runner):
    imported = _imported_modules(LIBRARY / "experiments" / f"{runner}.py")
    others = {f"datarights.experiments.{r}" for r in RUNNERS if r != runner}
    assert not imported & others, f"experiments/{runner}.py imports {sorted(imported & others)}: take settings from datarights.settings"


def test_listing_profiles_loads_no_deep_learning_stack():
    code = ("import sys, contextlib, io\nfrom datarights import cli\n"
            "with contextlib.redirect_stdout(io.StringIO()) as out: cli.main(['profiles'])\n"
            "assert 'quick' in out.getvalue()\nprint(sorted(m for m in ('torch', 'numpy', 'pandas') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_no_library_or_chapter_import_is_hidden_from_the_staleness_tracker():
    """Imports by string (importlib, __import__) are invisible to ``book.library_modules``; the only ones
    allowed are the packages' lazy attribute access (``from datarights import data``), which the tracker
    resolves by name."""
    sources = [*LIBRARY.rglob("*.py"), *(LIBRARY.parents[1] / "notebooks").glob("*.py")]
    hidden = []
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in ("import_module", "__import__") and path not in (LIBRARY / "__init__.py", LIBRARY / "experiments" / "__init__.py"):
                    hidden.append(f"{path.name}:{node.lineno}")
    assert not hidden, f"imports by string in {hidden}"


@pytest.mark.parametrize("chapter", book.chapters(), ids=lambda c: c.stem)
def test_editing_any_module_a_chapter_uses_makes_the_chapter_stale(chapter, tmp_path, monkeypatch):
    lib = tmp_path / "datarights"
    shutil.copytree(LIBRARY, lib, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(book, "PACKAGE_DIR", lib)
    used = book.library_modules(chapter.source)
    runners = {name.rpartition(".")[2] for name in used if name.startswith("datarights.experiments.")}
    for runner in runners & set(SETTINGS):
        assert f"datarights.settings.{runner}" in used, f"{chapter.stem} uses the {runner} runner but not its settings"
    before = book.fingerprint(chapter)
    for name, path in used.items():
        original = path.read_text()
        path.write_text(original + "\n# edited\n")
        assert book.fingerprint(chapter) != before, f"editing {name} leaves {chapter.stem} up to date"
        path.write_text(original)
    assert book.fingerprint(chapter) == before


def test_head_to_head_tracks_every_module_its_method_settings_load_at_run_time():
    """The staleness bug this layer fixes: chapter 06 reads GKT's settings from the zero-shot chapter."""
    code = ("import sys\nfrom datarights import profiles\nfrom datarights.settings import compare\n"
            "for m in compare.METHOD_ORDER: compare.method_config(m, profiles.get('smoke'), 0)\n"
            "print(' '.join(sorted(n for n in sys.modules if n.startswith('datarights.settings'))))")
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split())
    assert "datarights.settings.zero_shot" in loaded
    assert loaded <= set(book.library_modules(book.find_chapter("06").source))


def test_quick_runs_on_real_data_and_only_smoke_keeps_digits():
    """Issue 18: the published CPU profile uses the papers' kind of data in every chapter; 8×8 digits remain
    for the test suite only. Every experiment of the unlearning chapters' quick plan is checked."""
    from datarights.experiments.plan import plan
    from datarights.settings import common, regression, zero_shot

    assert common.PROFILES["quick"].dataset == "mnist"
    assert common.PROFILES["smoke"].dataset == "digits"
    assert {d.dataset for d in regression.settings("quick").domains} == {"utkface", "stsb", "diabetes", "ett"}
    assert [p.dataset for p in zero_shot.settings("quick").profiles] == ["mnist-14px"]
    quick_data = {profile.dataset for part in plan("quick", device="cpu") for profile, _, _ in part.references}
    assert quick_data and "digits" not in quick_data, quick_data
    smoke_data = {profile.dataset for part in plan("smoke", device="cpu") for profile, _, _ in part.references}
    assert smoke_data == {"digits"}, smoke_data


def test_a_subclass_request_runs_on_the_dataset_its_grouping_is_defined_on():
    from datarights.settings.common import PROFILES, profile_for

    quick = PROFILES["quick"]
    assert profile_for(quick, None) is quick
    twin = profile_for(quick, "cifar10-vehicles")
    assert (twin.dataset, twin.name, twin.model) == ("cifar10", "quick", quick.model)
    assert profile_for(PROFILES["full"], "cifar10-vehicles") is PROFILES["full"]
    assert profile_for(PROFILES["smoke"], "digits-parity") is PROFILES["smoke"]
    with pytest.raises(ValueError, match="superclasses='cifar10-vehicles'"):
        profile_for(PROFILES["smoke"], "cifar10-vehicles")


def test_a_method_the_profile_does_not_run_keeps_its_reason_as_the_row_status():
    """GKT is not run in the head-to-head chapter under quick: its rows say why, without training anything."""
    from datarights.experiments import compare
    from datarights.settings.compare import settings

    gkt = [p for p in compare.parts("quick", 0)["class"] if p.config["method"] == "gkt"]
    assert gkt and all(p.config["not_run"] == settings("quick").reason_not_run("gkt") for p in gkt)
    assert gkt[0].compute()["status"].startswith("not run under quick")
    others = [p for p in compare.parts("quick", 0)["class"] if p.config["method"] != "gkt"]
    assert all("not_run" not in p.config for p in others)


def test_the_full_gkt_budget_is_the_notebooks_last_checkpoint_before_the_forgotten_class_returns():
    """The stated stopping rule of the full profile's GKT runs is read off the authors' trajectory, not typed in."""
    from datarights.reported import GKT_NOTEBOOK_TRAJECTORY, last_checkpoint_before_forget_returns
    from datarights.settings.zero_shot import FULL_GKT_BUDGET, settings

    assert FULL_GKT_BUDGET == last_checkpoint_before_forget_returns() == 750
    assert GKT_NOTEBOOK_TRAJECTORY[750][0] == 0 < GKT_NOTEBOOK_TRAJECTORY[800][0]
    assert last_checkpoint_before_forget_returns({50: (0.0, 10.0), 100: (0.0, 50.0), 150: (2.0, 60.0), 200: (0.0, 70.0)}) == 100
    with pytest.raises(ValueError, match="never returns"):
        last_checkpoint_before_forget_returns({50: (0.0, 10.0)})
    with pytest.raises(ValueError, match="first logged"):
        last_checkpoint_before_forget_returns({50: (3.0, 10.0)})
    full = settings("full")
    assert full.gkt.pseudo_batches == full.ablation_pseudo_batches == FULL_GKT_BUDGET
    assert full.plateau_pseudo_batches == 4000, "one run at the authors' length checks the budget"


def test_the_profile_tables_of_the_readme_and_the_book_are_the_settings_own():
    """One source for what each profile runs (datarights.profiles.USES): the README's table and the book's
    (book/profiles.md, included by the install and running pages) are its printout, and the counts it
    names are the settings' counts."""
    from pathlib import Path

    from datarights.profiles import USES, profile_table
    from datarights.settings.common import DRY_WIDTH, PROFILES, ZERO_SHOT_QUICK
    from datarights.settings.regression import settings as regression_settings

    root = Path(__file__).resolve().parents[1]
    table = profile_table()
    assert (root / "book" / "profiles.md").read_text() == table, "run: python -m datarights profiles --markdown > book/profiles.md"
    readme = (root / "README.md").read_text()
    assert table in readme, "the README's profile table is the printout of `python -m datarights profiles --markdown`"
    for page in ("install.md", "running.md"):
        assert "```{include} profiles.md" in (root / "book" / page).read_text()
    assert f"MNIST, {PROFILES['quick'].train_per_class} training images per class" in USES["quick"].data
    assert ZERO_SHOT_QUICK.dataset == "mnist-14px" and "14×14 and standardised" in USES["quick"].data
    utkface = next(d for d in regression_settings("quick").domains if d.dataset == "utkface")
    assert f"UTKFace at {utkface.data['size']} px" in USES["quick"].data
    assert f"{PROFILES['dry'].train_per_class} training images per class" in USES["dry"].data and DRY_WIDTH == 1 / 8
