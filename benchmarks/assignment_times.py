"""How long each chapter's assignment takes a student on this machine's CPU.

Generates every chapter's assignment under the ``quick`` profile: the teacher version is executed
as a student's sheet runs in a checkout of the book, from its stored results with an empty model
cache (every model the sheet needs is trained during the run) and writes the table that the book's teaching page
includes: ``book/teaching_times.md``. Run: ``.venv/bin/python benchmarks/assignment_times.py``.
"""

from __future__ import annotations

import datetime
import os
import platform
import tempfile
from pathlib import Path

from datarights import assignments, book


def main() -> None:
    rows = []
    for chapter in book.chapters():
        if not assignments.annotate(book.read_source(chapter)):
            continue
        with tempfile.TemporaryDirectory() as out:
            made = assignments.generate(chapter.stem, out, profile="quick")
        rows.append(f"| {chapter.stem} | {len(made.exercises)} | {made.seconds:.0f} s |")
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPU cores, no GPU"
    text = "\n".join([
        "| chapter | exercises | teacher version, quick profile, stored results, empty model cache |",
        "|---|---|---|",
        *rows,
        "",
        f"Measured by `benchmarks/assignment_times.py` on {datetime.date.today().isoformat()} ({machine}).",
        "",
    ])
    target = book.root() / "book" / "teaching_times.md"
    target.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
