"""Course assignments: hand a chapter out as a graded exercise sheet.

The exercise convention (every chapter follows it, see ``book/teaching.md``):

1. the statement is an ``exercise`` directive with a ``:label:`` in a Markdown cell;
2. the solution is one or more code cells tagged ``solution``; the lines a student must
   write sit between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (nbgrader's markers), and
   the book wraps them in ``solution-start`` / ``solution-end`` so they show behind a toggle;
3. the check is one or more code cells tagged ``check``: assertions that pass with the solution.

``generate`` writes the student notebook (solutions stubbed, checks kept, outputs cleared, a
profile preset), the executed teacher notebook and a README; ``grade`` executes a submission
and gives each exercise its points when its solution and check cells run without error.
"""

from __future__ import annotations

import contextlib
import copy
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datarights import book

SOLUTION_TAG, CHECK_TAG = "solution", "check"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
METADATA_KEY = "datarights"
_EXERCISE = re.compile(r"```\{exercise\}[ \t]*(?P<title>[^\n]*)\n(?P<body>.*?)```", re.S)
_LABEL = re.compile(r"^:label:\s*(\S+)\s*$", re.M)
_MARKER = re.compile(r"^\s*```\{solution-(start|end)\}")


@dataclass(frozen=True)
class Exercise:
    label: str
    title: str
    statement: str
    points: int = 1


def annotate(nb) -> list[Exercise]:
    """Find the exercises of a chapter notebook and tag each solution/check cell with its exercise (in place)."""
    exercises: list[Exercise] = []
    current: str | None = None
    for cell in nb.cells:
        meta = cell.metadata.setdefault(METADATA_KEY, {})
        if cell.cell_type == "markdown":
            if _MARKER.match(cell.source):
                meta["role"] = "solution-marker"
            for match in _EXERCISE.finditer(cell.source):
                label = _LABEL.search(match["body"])
                if label is None:
                    raise ValueError(f"exercise {match['title']!r} has no :label:, so it cannot be graded")
                current = label.group(1)
                statement = _LABEL.sub("", match["body"]).strip()
                exercises.append(Exercise(current, match["title"].strip(), statement))
                meta.update(role="statement", exercise=current)
            continue
        tags = set(cell.metadata.get("tags", []))
        role = SOLUTION_TAG if SOLUTION_TAG in tags else CHECK_TAG if CHECK_TAG in tags else None
        if role is None:
            continue
        if current is None:
            raise ValueError(f"a cell tagged {role!r} comes before any exercise directive")
        meta.update(role=role, exercise=current)
    for cell in nb.cells:
        if not cell.metadata.get(METADATA_KEY):
            cell.metadata.pop(METADATA_KEY, None)
    return exercises


def stub(source: str) -> str:
    """Replace each ``### BEGIN SOLUTION`` … ``### END SOLUTION`` block by a stub at the same indentation."""
    lines, out, inside = source.splitlines(), [], False
    if not any(line.strip() == BEGIN for line in lines):
        return "\n".join(STUB)
    for line in lines:
        if line.strip() == BEGIN:
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + s for s in STUB)
        elif line.strip() == END:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


def _role(cell) -> str | None:
    return cell.metadata.get(METADATA_KEY, {}).get("role")


def student_version(nb, profile: str):
    """Solutions stubbed, solution toggles removed, checks kept, outputs cleared, ``profile`` preset."""
    student = copy.deepcopy(nb)
    student.cells = [c for c in student.cells if _role(c) != "solution-marker"]
    for cell in student.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs, cell.execution_count = [], None
        if _role(cell) == SOLUTION_TAG:
            cell.source = stub(cell.source)
        if "parameters" in cell.metadata.get("tags", []):
            cell.source = re.sub(r'^profile\s*=\s*"[^"]*"', f'profile = "{profile}"', cell.source, flags=re.M)
    return student


def add_nbgrader_metadata(nb, exercises: list[Exercise]) -> None:
    """nbgrader's cell metadata: solution cells editable, checks graded and locked, statements locked."""
    points = {e.label: e for e in exercises}
    counters: dict[str, int] = {}
    for index, cell in enumerate(nb.cells):
        role = _role(cell)
        exercise = cell.metadata.get(METADATA_KEY, {}).get("exercise", "")
        counters[f"{exercise}{role}"] = counters.get(f"{exercise}{role}", 0) + 1
        grade_id = f"{exercise}-{role}-{counters[f'{exercise}{role}']}" if exercise else f"cell-{index}"
        base = {"schema_version": 3, "grade_id": grade_id, "task": False}
        if role == SOLUTION_TAG:
            cell.metadata["nbgrader"] = {**base, "solution": True, "grade": False, "locked": False}
        elif role == CHECK_TAG:
            cell.metadata["nbgrader"] = {**base, "solution": False, "grade": True, "locked": True,
                                         "points": points[exercise].points}
        elif role == "statement":
            cell.metadata["nbgrader"] = {**base, "solution": False, "grade": False, "locked": True}


@contextlib.contextmanager
def _cold_cache():
    """Point the library's caches at an empty folder, so a timing includes all training."""
    keys = ("DATARIGHTS_RESULTS", "DATARIGHTS_CACHE")
    saved = {k: os.environ.get(k) for k in keys}
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.update({k: os.path.join(tmp, k.lower()) for k in keys})
        try:
            yield
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


@dataclass
class Assignment:
    chapter: str
    student: Path
    teacher: Path
    readme: Path
    exercises: list[Exercise]
    seconds: float


def generate(chapter: str | Path, out: str | Path, *, profile: str = "quick", nbgrader: bool = False,
             force: bool = False, seed: int = 0) -> Assignment:
    """Write the student notebook, the executed teacher notebook and a README for ``chapter`` into ``out``."""
    import nbformat

    target = book.find_chapter(chapter)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise ValueError(f"--out {out} exists and is not empty; pass --force to overwrite its files")
    out.mkdir(parents=True, exist_ok=True)
    nb = book.read_source(target)
    exercises = annotate(nb)
    if not exercises:
        raise ValueError(f"chapter {target.stem} has no exercises to hand out")
    if nbgrader:
        add_nbgrader_metadata(nb, exercises)
    student = out / f"{target.stem}-student.ipynb"
    nbformat.write(student_version(nb, profile), student)
    teacher = out / f"{target.stem}-teacher.ipynb"
    start = time.perf_counter()
    with _cold_cache():
        book.execute(target, profile=profile, seed=seed, device="cpu", output=teacher, notebook=nb)
    seconds = time.perf_counter() - start
    readme = out / "README.md"
    readme.write_text(_readme(target, exercises, profile, seconds, student.name, teacher.name, nbgrader))
    return Assignment(target.stem, student, teacher, readme, exercises, seconds)


def _readme(chapter: book.Chapter, exercises: list[Exercise], profile: str, seconds: float, student: str,
            teacher: str, nbgrader: bool) -> str:
    listing = "\n".join(f"{i}. **{e.title}** ({e.points} point{'s' * (e.points != 1)}): {' '.join(e.statement.split())}"
                        for i, e in enumerate(exercises, 1))
    nbgrader_note = ("The notebooks carry nbgrader metadata (solution, graded and locked cells with ids and points): "
                     "put the teacher version in your course's `source/` folder and run `nbgrader generate_assignment` "
                     "and `nbgrader autograde` as usual.\n" if nbgrader else "")
    return f"""# Assignment: {chapter.stem}

Files:
- `{student}`: for the students. Solutions are replaced by `# YOUR CODE HERE` / `raise NotImplementedError()`,
  check cells are kept, outputs cleared, profile preset to `{profile}`.
- `{teacher}`: the reference, with solutions, executed (every check passed).

## Exercises

{listing}

## Time

The teacher version executed in {seconds:.0f} s under the `{profile}` profile on this machine's CPU
({os.cpu_count()} cores), starting from an empty cache (all models trained during the run).

## Grading

Students open `{student}` in Jupyter (with the `datarights` package installed), replace the stubs and
run every cell. Grade a submission without nbgrader:

    python -m datarights grade submission.ipynb

It executes the notebook, then prints the points of each exercise: full points when the exercise's
solution and check cells ran without error, zero with the reason otherwise.
{nbgrader_note}"""


@dataclass
class ExerciseGrade:
    label: str
    title: str
    points: int
    max_points: int
    message: str


@dataclass
class GradeReport:
    submission: Path
    grades: list[ExerciseGrade] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(g.points for g in self.grades)

    @property
    def max_total(self) -> int:
        return sum(g.max_points for g in self.grades)

    def render(self) -> str:
        width = max([len(g.title) for g in self.grades] + [8])
        rows = [f"{g.title:<{width}}  {g.points}/{g.max_points}  {g.message}" for g in self.grades]
        return "\n".join([f"grades for {self.submission}", *rows, f"{'total':<{width}}  {self.total}/{self.max_total}"])


def _first_error(cells) -> dict[str, Any] | None:
    for cell in cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return output
    return None


def grade(submission: str | Path, *, timeout: int = 900) -> GradeReport:
    """Execute ``submission`` and give each exercise its points if its solution and check cells run cleanly."""
    import nbformat
    from nbclient import NotebookClient

    path = Path(submission)
    if not path.is_file():
        raise ValueError(f"submission {path} does not exist")
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as err:  # nbformat raises several unrelated types for "not a notebook"
        raise ValueError(f"submission {path} is not a Jupyter notebook ({type(err).__name__}: {err})") from None
    exercises = annotate(nb)
    if not exercises:
        raise ValueError(f"submission {path} has no exercises: is it a notebook written by `datarights assignment`?")
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent.resolve())}}).execute()
    report = GradeReport(path)
    for exercise in exercises:
        cells = [c for c in nb.cells if c.metadata.get(METADATA_KEY, {}).get("exercise") == exercise.label
                 and _role(c) in (SOLUTION_TAG, CHECK_TAG)]
        error = _first_error(cells)
        if not any(_role(c) == CHECK_TAG for c in cells):
            report.grades.append(ExerciseGrade(exercise.label, exercise.title, 0, exercise.points, "no check cell found"))
        elif error is None:
            report.grades.append(ExerciseGrade(exercise.label, exercise.title, exercise.points, exercise.points, "passed"))
        else:
            name, value = error.get("ename", "Error"), str(error.get("evalue", "")).strip()
            message = ("not attempted: the stub still raises NotImplementedError" if name == "NotImplementedError"
                       else f"failed: {name}{': ' + value if value else ''}")
            report.grades.append(ExerciseGrade(exercise.label, exercise.title, 0, exercise.points, message))
    return report
