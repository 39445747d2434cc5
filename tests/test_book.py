"""The pipeline: chapters are found, staleness follows the source and the library, every chapter
executes under the smoke profile, and the book builds with warnings as errors."""

import shutil

import nbformat
import pytest

from datarights import book

CHAPTERS = book.chapters()


def test_chapters_are_found_by_number_stem_and_path():
    assert [c.stem for c in CHAPTERS][:1] == ["01_foundations"]
    first = CHAPTERS[0]
    assert book.find_chapter("01") == book.find_chapter("1") == book.find_chapter("01_foundations") == first
    assert book.find_chapter(str(first.source)) == first
    assert first.output.name == "01_foundations.ipynb" and first.output.parent.name == "chapters"
    with pytest.raises(ValueError, match="unknown chapter '99'"):
        book.find_chapter("99")


def test_library_modules_are_followed_transitively():
    used = book.library_modules(book.find_chapter("01").source)
    assert {"datarights", "datarights.experiments.foundations", "datarights.metrics.mia", "datarights.train",
            "datarights.data.tensors"} <= set(used)
    assert "datarights.book" not in used and "datarights.cli" not in used


def test_fingerprint_changes_with_a_used_module_and_not_with_an_unused_one(tmp_path, monkeypatch):
    lib = tmp_path / "datarights"
    shutil.copytree(book.PACKAGE_DIR, lib, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(book, "PACKAGE_DIR", lib)
    chapter = book.find_chapter("01")
    before = book.fingerprint(chapter)
    (lib / "cli.py").write_text((lib / "cli.py").read_text() + "\n# unused by chapters\n")
    assert book.fingerprint(chapter) == before
    (lib / "metrics" / "relearn.py").write_text((lib / "metrics" / "relearn.py").read_text() + "\n# changed\n")
    assert book.fingerprint(chapter) != before


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.stem)
def test_committed_executed_notebook_is_current(chapter):
    assert book.staleness(chapter) is None, (
        f"{chapter.stem}: the executed notebook is stale ({book.staleness(chapter)}); run `make book` and commit it")


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.stem)
def test_chapter_executes_under_the_smoke_profile(chapter, tmp_path):
    out = book.execute(chapter, profile="smoke", seed=0, device="cpu", output=tmp_path / f"{chapter.stem}.ipynb", timeout=600)
    nb = nbformat.read(out, as_version=4)
    assert nb.metadata["datarights"]["profile"] == "smoke"
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and all("remove-cell" in c.metadata["tags"] for c in injected)
    assert not any("papermill" in c.metadata for c in nb.cells), "per-cell timing noise is stripped"
    images = [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) >= 3, "every chapter shows figures"


@pytest.mark.slow
def test_book_builds_with_warnings_as_errors(tmp_path):
    index = book.build(output=tmp_path)
    assert index.is_file()
    page = (tmp_path / "_build" / "html" / "book" / "chapters" / "01_foundations.html").read_text()
    assert "How these numbers were produced" in page and "Profile" in page
