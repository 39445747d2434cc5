"""The book's reference style and buttons: author-year citations with a/b suffixes, every cited key
in references.bib, every entry linked (DOI, arXiv or URL), no button that leads nowhere."""

import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
BIBFILES = [ROOT / f for f in CONFIG["bibtex_bibfiles"]]
PLACEHOLDER = "https://github.com/datarights-book/datarights"


@pytest.fixture(scope="module")
def bib():
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    try:
        import datarights_bib
    finally:
        sys.path.pop(0)
    return datarights_bib


def cited_keys() -> dict[str, set[str]]:
    """Key → files citing it, from every {cite...}`...` role in the chapter sources and book pages."""
    found: dict[str, set[str]] = {}
    for path in [*sorted((ROOT / "notebooks").glob("*.py")), *sorted((ROOT / "book").glob("*.md"))]:
        for group in re.findall(r"\{cite(?::[a-z]+)?\}`([^`]+)`", path.read_text()):
            for key in group.split(","):
                found.setdefault(key.strip(), set()).add(path.name)
    return found


def test_the_book_cites_author_year_through_the_suffixing_style():
    config = CONFIG["sphinx"]["config"]
    assert config["bibtex_reference_style"] == "datarights_author_year"
    assert config["bibtex_default_style"] == "datarights"
    assert CONFIG["sphinx"]["local_extensions"] == {"datarights_bib": "book/_ext"}


def test_every_cited_key_is_in_the_bibliography(bib):
    entries = bib.read(BIBFILES)
    cited = cited_keys()
    assert cited, "no {cite} role found: has the citation syntax changed?"
    missing = {key: sorted(files) for key, files in cited.items() if key not in entries}
    assert not missing, f"cited but not in references.bib: {missing}"


def test_every_entry_links_to_the_work(bib):
    unlinked = [key for key, entry in bib.read(BIBFILES).items()
                if not ({"doi", "url", "eprint"} & {f.lower() for f in entry.fields})]
    assert not unlinked, f"entries without a DOI, arXiv eprint or URL: {unlinked}"


def test_labels_are_unique_and_same_author_year_works_get_letters(bib):
    labels = bib.labels(BIBFILES)
    repeated = sorted({label for label in labels.values() if list(labels.values()).count(label) > 1})
    assert not repeated, f"two works share a label: {repeated}"
    assert labels["tarun2023regression"] == "Tarun et al., 2023a"
    assert labels["tarun2023unsir"] == "Tarun et al., 2023b"
    assert labels["chundawat2023badteacher"] == "Chundawat et al., 2023a"
    assert labels["chundawat2023zeroshot"] == "Chundawat et al., 2023b"
    assert labels["ghorbani2019datashapley"] == "Ghorbani and Zou, 2019"
    assert labels["krizhevsky2009cifar"] == "Krizhevsky, 2009"


def test_in_text_citations_carry_the_suffix(bib):
    """Parenthetical and textual citations use the suffixed year, in round brackets, "; " between works."""
    entries = bib.read(BIBFILES)
    bib.SUFFIXES.clear()
    bib.SUFFIXES.update(bib.suffixes(entries))
    style = bib.ReferenceStyle()
    for role in ("p", "ps", "t", "ts"):
        assert "year_with_suffix" in repr(style.inner(role)), role
    assert (style.bracket_parenthetical.left, style.bracket_parenthetical.right) == ("(", ")")
    assert style.bracket_parenthetical.sep == "; "
    assert str(bib.year_with_suffix.format_data({"entry": entries["tarun2023unsir"]})) == "2023b"
    assert str(bib.year_with_suffix.format_data({"entry": entries["kwon2022beta"]})) == "2022"


def test_no_button_points_at_a_placeholder_repository():
    url = CONFIG["repository"]["url"]
    assert sum(url in text for text in (p.read_text() for p in [ROOT / "_config.yml"])) == 1
    if url != PLACEHOLDER:
        return  # a real address: buttons may be on
    html, launch = CONFIG["html"], CONFIG.get("launch_buttons", {})
    assert not html.get("use_repository_button") and not html.get("use_issues_button")
    assert not html.get("use_edit_page_button")
    assert not any(launch.get(k) for k in ("binderhub_url", "colab_url", "jupyterhub_url", "thebe"))


def test_the_repository_address_is_said_in_one_place():
    """The placeholder address appears in _config.yml only, not in pages, README or packaging."""
    url = CONFIG["repository"]["url"]
    elsewhere = [str(p.relative_to(ROOT)) for p in [ROOT / "README.md", ROOT / "pyproject.toml", *ROOT.glob("book/*.md")]
                 if url in p.read_text()]
    assert not elsewhere, f"the repository address is repeated in {elsewhere}"


def test_every_chapter_installs_the_library_from_the_configured_repository_when_it_is_missing():
    """Colab and Binder open a chapter without the library: its first code cell installs it, from the
    repository address of _config.yml (the notebooks cannot read the config there, so the test keeps them equal)."""
    import jupytext

    url = CONFIG["repository"]["url"]
    for path in sorted((ROOT / "notebooks").glob("0*.py")):
        cells = [c for c in jupytext.read(path).cells if c.cell_type == "code"]
        first = cells[0]
        assert 'find_spec("datarights") is None' in first.source, f"{path.name}: the first code cell does not install the library"
        assert f"datarights @ git+{url}" in first.source, f"{path.name}: the install cell does not name {url}"
        assert "remove-cell" in first.metadata.get("tags", []), f"{path.name}: the install cell shows on the page"
        assert "parameters" in cells[1].metadata.get("tags", []), f"{path.name}: the parameters cell must follow it"
