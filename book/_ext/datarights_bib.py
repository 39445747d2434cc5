"""Author-year citations with a/b suffixes, in the text and in the reference list.

sphinxcontrib-bibtex's ``author_year`` style prints the year field as it is, so two papers by
the same authors in the same year both read "Tarun et al., 2023". This extension computes one
label per entry, "Tarun et al., 2023a", the way biblatex's ``extradate`` does: entries whose
author part and year coincide get letters in the order of their titles. It registers

- ``datarights_author_year``, a referencing style (``bibtex_reference_style``): the author-year
  citations with the suffixed year, and
- ``datarights``, a pybtex formatting style (``bibtex_default_style``): the ``unsrt`` entries,
  sorted by author, year and title, labelled with the same author-year text (no alpha keys).

The labels come from the bib files named in ``bibtex_bibfiles``; ``labels()`` is also what the
test of the reference style calls.
"""

from __future__ import annotations

import string
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pybtex.plugin
from pybtex.database import Entry, parse_file
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting.author_year_title import SortingStyle

from sphinxcontrib.bibtex.plugin import register_plugin
from sphinxcontrib.bibtex.style.referencing import BracketStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle
from sphinxcontrib.bibtex.style.referencing.basic_author_year import (
    BasicAuthorYearParentheticalReferenceStyle,
    BasicAuthorYearTextualReferenceStyle,
)
from sphinxcontrib.bibtex.style.template import join, join2, node, post_text, pre_text, reference

#: entry key → letter ("a", "b", ...) for entries that share author part and year; filled by ``setup``.
SUFFIXES: dict[str, str] = {}


def _last(person) -> str:
    """A person's last name as plain text (braces and accent commands off)."""
    from pybtex.richtext import Text

    return str(Text.from_latex(" ".join(person.prelast_names + person.last_names)))


def author_part(entry: Entry) -> str:
    """The author part of an author-year citation: "Last", "Last and Last" or "Last et al."."""
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    if not people:
        return entry.fields.get("title", entry.key)
    if len(people) == 1:
        return _last(people[0])
    if len(people) == 2:
        return f"{_last(people[0])} and {_last(people[1])}"
    return f"{_last(people[0])} et al."


def suffixes(entries: Mapping[str, Entry]) -> dict[str, str]:
    """Letters for entries whose author part and year coincide, in the order of their titles."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for key, entry in entries.items():
        groups[(author_part(entry), entry.fields.get("year", "n.d."))].append(key)
    found = {}
    for keys in groups.values():
        if len(keys) > 1:
            ordered = sorted(keys, key=lambda k: entries[k].fields.get("title", k).lower())
            found.update({key: string.ascii_lowercase[i] for i, key in enumerate(ordered)})
    return found


def read(bibfiles: Iterable[Path]) -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    for path in bibfiles:
        entries.update(parse_file(str(path), bib_format="bibtex").entries)
    return entries


def labels(bibfiles: Iterable[Path]) -> dict[str, str]:
    """Entry key → "Author et al., 2023a", the label shown in citations and in the reference list."""
    entries = read(bibfiles)
    extra = suffixes(entries)
    return {key: f"{author_part(e)}, {e.fields.get('year', 'n.d.')}{extra.get(key, '')}" for key, e in entries.items()}


@node
def year_with_suffix(children, data):
    """The entry's year and its a/b suffix (``SUFFIXES``)."""
    assert not children
    from pybtex.richtext import Text

    entry = data["entry"]
    return Text(entry.fields.get("year", "n.d.") + SUFFIXES.get(entry.key, ""))


class _Parenthetical(BasicAuthorYearParentheticalReferenceStyle):
    def inner(self, role_name):
        return join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
            pre_text,
            reference[join(sep=self.author_year_sep)[
                self.person.author_or_editor_or_title(full="s" in role_name), year_with_suffix]],
            post_text,
        ]


class _Textual(BasicAuthorYearTextualReferenceStyle):
    def inner(self, role_name):
        return join(sep=self.text_reference_sep)[
            self.person.author_or_editor_or_title(full="s" in role_name),
            join[self.bracket.left,
                 join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[pre_text, reference[year_with_suffix], post_text],
                 self.bracket.right],
        ]


def _round() -> BracketStyle:
    return BracketStyle(left="(", right=")", sep="; ")


@dataclass
class ReferenceStyle(AuthorYearReferenceStyle):
    """``author_year`` with round brackets and the a/b-suffixed year: "(Tarun et al., 2023b)",
    "Tarun et al. (2023b)"."""

    bracket_textual: BracketStyle = field(default_factory=_round)
    bracket_parenthetical: BracketStyle = field(default_factory=_round)
    bracket_author: BracketStyle = field(default_factory=_round)
    bracket_label: BracketStyle = field(default_factory=_round)
    bracket_year: BracketStyle = field(default_factory=_round)

    def __post_init__(self):
        super().__post_init__()
        replaced = []
        for style in self.styles:
            if type(style) is BasicAuthorYearParentheticalReferenceStyle:
                style = _Parenthetical(bracket=self.bracket_parenthetical, person=self.person,
                                       author_year_sep=self.author_year_sep, pre_text_sep=self.pre_text_sep,
                                       post_text_sep=self.post_text_sep)
            elif type(style) is BasicAuthorYearTextualReferenceStyle:
                style = _Textual(bracket=self.bracket_textual, person=self.person,
                                 text_reference_sep=self.text_reference_sep, pre_text_sep=self.pre_text_sep,
                                 post_text_sep=self.post_text_sep)
            replaced.append(style)
        self.styles[:] = replaced
        self.role_style.clear()
        self.role_style.update((name, style) for style in self.styles for name in style.role_names())


class LabelStyle(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        entries = list(sorted_entries)
        extra = suffixes({e.key: e for e in entries})
        for entry in entries:
            yield f"{author_part(entry)}, {entry.fields.get('year', 'n.d.')}{extra.get(entry.key, '')}"


class BibliographyStyle(UnsrtStyle):
    """pybtex's ``unsrt`` entries (with DOI and arXiv links), sorted by author-year-title, author-year labels."""

    default_label_style = LabelStyle
    default_sorting_style = SortingStyle


pybtex.plugin.register_plugin("pybtex.style.labels", "datarights", LabelStyle)
pybtex.plugin.register_plugin("pybtex.style.formatting", "datarights", BibliographyStyle)
register_plugin("sphinxcontrib.bibtex.style.referencing", "datarights_author_year", ReferenceStyle)


def _load(app) -> None:
    files = [Path(app.confdir) / f for f in (app.config.bibtex_bibfiles or [])]
    SUFFIXES.clear()
    SUFFIXES.update(suffixes(read(files)))


def setup(app):
    app.connect("builder-inited", _load, priority=400)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
