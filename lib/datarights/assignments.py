"""Course assignments: hand a chapter out as a graded exercise sheet, and grade it against the key.

The exercise convention (every chapter follows it, see ``book/teaching.md``):

1. the statement is an ``exercise`` directive with a ``:label:`` in a Markdown cell;
2. the solution is one or more code cells tagged ``solution``; the lines a student must
   write sit between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (nbgrader's markers), and
   the book wraps them in ``solution-start`` / ``solution-end`` so they show behind a toggle;
3. the check is one or more code cells tagged ``check``: assertions that pass with the solution.
   A check cell also tagged ``hidden`` is kept in the teacher's key and left out of the student
   notebook.

``generate`` writes the student notebook (solutions stubbed, visible checks kept, outputs cleared,
MyST rewritten as plain Markdown, a profile preset), the executed teacher notebook (the *key*) and
a README. ``grade`` builds, from the key, the notebook to run: every cell of the key, with the
key's solution cells replaced by the student's; the student's own check cells, extra cells and
edits outside solution cells are ignored. It runs that notebook in a fresh temporary folder with a
scrubbed environment and time limits, and gives each exercise of the key its points when its
solution and check cells ran without error.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import io
import json
import math
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from datarights import book

SOLUTION_TAG, CHECK_TAG, HIDDEN_TAG = "solution", "check", "hidden"
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


def student_version(nb, profile: str, glued: dict[str, Any] | None = None):
    """Solutions stubbed, solution toggles and hidden checks removed, visible checks kept, outputs
    cleared, ``profile`` preset, Markdown rewritten for plain Jupyter (``glued``: the values a run
    of the chapter glued, shown in place of their ``{glue}`` roles)."""
    from datarights.notebook import plain_markdown

    student = copy.deepcopy(nb)
    student.cells = [c for c in student.cells if _role(c) != "solution-marker"
                     and not (_role(c) == CHECK_TAG and HIDDEN_TAG in c.metadata.get("tags", []))]
    for cell in student.cells:
        if cell.cell_type == "markdown":
            cell.source, attachments = plain_markdown(cell.source, glued or {})
            if attachments:
                cell["attachments"] = attachments
            continue
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


def _check_seconds(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number of seconds, got {value!r} (there is no 'unlimited')")
    return float(value)


@contextlib.contextmanager
def _empty_model_cache():
    """Point the library's model cache at an empty folder, so a timing includes every model the sheet trains.

    The stored results stay where they are: a student works in a checkout of the book, whose
    ``results/`` hold every experiment the chapter reads, exactly as the book's pages were made."""
    keys = ("DATARIGHTS_CACHE",)
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
             force: bool = False, seed: int = 0, progress: Callable[[str], None] | None = None) -> Assignment:
    """Write the student notebook, the executed teacher notebook (the key) and a README for ``chapter`` into ``out``.

    Everything is written into a temporary folder first; only when the teacher version executed
    do the three files replace those of the same names in ``out`` (other files there are kept).
    ``out`` must be empty or absent unless ``force``.
    """
    import nbformat

    from datarights.notebook import glued_values
    from datarights.validation import check_seed

    check_seed(seed)
    target = book.find_chapter(chapter)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise ValueError(f"--out {out} exists and is not empty; pass --force to replace the assignment files in it")
    nb = book.read_source(target)
    exercises = annotate(nb)
    if not exercises:
        raise ValueError(f"chapter {target.stem} has no exercises to hand out")
    if nbgrader:
        add_nbgrader_metadata(nb, exercises)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        teacher = staging / f"{target.stem}-teacher.ipynb"
        if progress:
            progress(f"{target.stem}: executing the teacher version under profile {profile!r} from the stored results, "
                     "with an empty model cache")
        start = time.perf_counter()
        with _empty_model_cache():
            book.execute(target, profile=profile, seed=seed, device="cpu", output=teacher, notebook=nb)
        seconds = time.perf_counter() - start
        glued = glued_values(nbformat.read(teacher, as_version=4))
        student = staging / f"{target.stem}-student.ipynb"
        nbformat.write(student_version(nb, profile, glued), student)
        readme = staging / "README.md"
        readme.write_text(_readme(target, exercises, profile, seconds, student.name, teacher.name, nbgrader))
        out.mkdir(parents=True, exist_ok=True)
        for made in (teacher, student, readme):
            os.replace(made, out / made.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Assignment(target.stem, out / student.name, out / teacher.name, out / readme.name, exercises, seconds)


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
- `{teacher}`: the key, with solutions, executed (every check passed). Keep it from the students.

## Exercises

{listing}

## Time

The teacher version executed in {seconds:.0f} s under the `{profile}` profile on this machine's CPU
({os.cpu_count()} cores), from the book's stored results (`results/` of the checkout) with an empty model
cache (every model the sheet needs trained during the run): what a student pays in a checkout of the book.

## Grading

Students open `{student}` in Jupyter (with the `datarights` package installed), replace the stubs and
run every cell. Only the code in the cells marked as solutions is graded: the grader runs the key
with the student's solution cells in place of its own, and the key's checks. Grade without nbgrader:

    python -m datarights grade submission.ipynb --key {teacher}
    python -m datarights grade submissions/ --key {teacher} --csv grades.csv   # a folder of submissions

Each exercise gets its points when its solution and the key's check cells ran without error, zero
with the reason otherwise. The grader runs each submission in a fresh temporary folder with a
scrubbed environment and time limits; it is not a sandbox: run untrusted submissions in a container
(see the book's teaching page).
{nbgrader_note}"""


# -- grading -------------------------------------------------------------------------------------

DEFAULT_CELL_TIMEOUT = 600.0
DEFAULT_TOTAL_TIMEOUT = 1800.0
_PROBE_SECONDS = 15


@dataclass
class ExerciseGrade:
    label: str
    title: str
    points: int
    max_points: int
    message: str


@dataclass
class GradeReport:
    """The grades of one submission. ``failed`` says why grading itself failed (not the student's score)."""

    submission: Path
    grades: list[ExerciseGrade] = field(default_factory=list)
    failed: str | None = None
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(g.points for g in self.grades)

    @property
    def max_total(self) -> int:
        return sum(g.max_points for g in self.grades)

    def render(self) -> str:
        width = max([len(g.title) for g in self.grades] + [8])
        rows = [f"{g.title:<{width}}  {g.points}/{g.max_points}  {g.message}" for g in self.grades]
        lines = [f"grades for {self.submission}", *rows, f"{'total':<{width}}  {self.total}/{self.max_total}"]
        lines += [f"note: {n}" for n in self.notes]
        if self.failed:
            lines.append(f"GRADING FAILED: {self.failed}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"submission": str(self.submission), "total": self.total, "max_total": self.max_total,
                "failed": self.failed, "notes": self.notes, "seconds": round(self.seconds, 1),
                "exercises": [asdict(g) for g in self.grades]}


def reports_csv(reports: Iterable[GradeReport]) -> str:
    """One row per submission: points and reason per exercise, total, and whether grading failed."""
    reports = list(reports)
    labels = list(dict.fromkeys(g.label for r in reports for g in r.grades))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["submission", *[f"{label} points" for label in labels], "total", "max_total", "grading_failed",
                     *[f"{label} reason" for label in labels]])
    for r in reports:
        by_label = {g.label: g for g in r.grades}
        writer.writerow([str(r.submission), *[by_label[label].points if label in by_label else "" for label in labels],
                         r.total, r.max_total, r.failed or "",
                         *[by_label[label].message if label in by_label else "" for label in labels]])
    return buffer.getvalue()


def find_key(key: str | Path) -> Path:
    """The teacher notebook: ``key`` itself, or the single ``*-teacher.ipynb`` in the assignment folder ``key``."""
    path = Path(key).expanduser()
    if path.is_dir():
        found = sorted(path.glob("*-teacher.ipynb"))
        if len(found) != 1:
            raise ValueError(f"--key {path}: expected one *-teacher.ipynb in the assignment folder, found "
                             f"{[p.name for p in found] or 'none'}")
        return found[0]
    if not path.is_file():
        raise ValueError(f"--key {path} does not exist (give the teacher notebook or the assignment folder)")
    return path


def _read_notebook(path: Path, what: str):
    import nbformat

    try:
        return nbformat.read(path, as_version=4)
    except Exception as err:  # nbformat raises several unrelated types for "not a notebook"
        raise ValueError(f"{what} {path} is not a Jupyter notebook ({type(err).__name__}: {err})") from None


def _solutions_of(submission) -> dict[str, list[str]]:
    """The student's solution cells by exercise label (from the cells' metadata; else by the statements)."""
    found: dict[str, list[str]] = {}
    for cell in submission.cells:
        meta = cell.get("metadata", {}).get(METADATA_KEY, {})
        if cell.get("cell_type") == "code" and isinstance(meta, dict) and meta.get("role") == SOLUTION_TAG:
            found.setdefault(str(meta.get("exercise")), []).append(cell.source)
    if found:
        return found
    try:
        annotate(submission)
    except ValueError:
        return {}
    for cell in submission.cells:
        if _role(cell) == SOLUTION_TAG:
            found.setdefault(cell.metadata[METADATA_KEY]["exercise"], []).append(cell.source)
    return found


def _graded_notebook(key, submission) -> tuple[Any, dict[str, str]]:
    """The key with its solution cells replaced by the student's; exercises the submission lacks are listed."""
    nb = copy.deepcopy(key)
    answers = _solutions_of(submission)
    missing: dict[str, str] = {}
    used: dict[str, int] = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs, cell.execution_count = [], None
        if _role(cell) != SOLUTION_TAG:
            continue
        label = cell.metadata[METADATA_KEY]["exercise"]
        index = used[label] = used.get(label, -1) + 1
        given = answers.get(label, [])
        if index < len(given):
            cell.source = given[index]
        else:
            cell.source = "raise NotImplementedError('solution cell missing from the submission')"
            missing[label] = ("missing: the submission has no solution cell for this exercise" if not given else
                              f"missing: the submission has {len(given)} of the {index + 1}+ solution cells")
    return nb, missing


def scrubbed_environment(work: Path, cache: Path) -> dict[str, str]:
    """The submission's environment: no ``DATARIGHTS_*`` paths of the teacher's (the data directory
    excepted: the chapters read their datasets from it), caches and temporary files in ``work``/``cache``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATARIGHTS_")}
    if os.environ.get("DATARIGHTS_DATA"):
        env["DATARIGHTS_DATA"] = os.environ["DATARIGHTS_DATA"]
    env.update(DATARIGHTS_RESULTS=str(cache / "results"), DATARIGHTS_CACHE=str(cache / "models"),
               TMPDIR=str(work / "tmp"), PYDEVD_DISABLE_FILE_VALIDATION="1")
    (work / "tmp").mkdir(exist_ok=True)
    return env


class _Kernel:
    """One kernel for a graded notebook: started in ``work`` with ``env``, restarted after a death or a hang."""

    def __init__(self, nb, work: Path, env: dict[str, str]):
        from nbclient import NotebookClient

        self.client = NotebookClient(nb, timeout=int(DEFAULT_CELL_TIMEOUT), kernel_name="python3", allow_errors=True,
                                     interrupt_on_timeout=False, resources={"metadata": {"path": str(work)}},
                                     extra_arguments=["--IPKernelApp.log_level=ERROR"])
        self.work, self.env = work, env

    def start(self) -> None:
        self.client.km = self.client.create_kernel_manager()
        self.client.start_new_kernel(env=self.env, cwd=str(self.work))
        self.client.start_new_kernel_client()

    def _call(self, method, *args, **kwargs):
        """Call a kernel-manager method that may be a coroutine (nbclient's managers are asynchronous)."""
        from nbclient.util import ensure_async, run_sync

        async def call():
            return await ensure_async(method(*args, **kwargs))

        return run_sync(call)()

    def stop(self) -> None:
        client = self.client
        with contextlib.suppress(Exception):
            if client.kc is not None:
                client.kc.stop_channels()
        with contextlib.suppress(Exception):
            if client.km is not None and client.km.has_kernel:
                self._call(client.km.shutdown_kernel, now=True)
        client.km = client.kc = None

    def run(self, cell, index: int, seconds: float) -> str | None:
        """Execute one cell; None, or "timeout" / "dead" when the cell did not finish."""
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        self.client.timeout = max(1, int(math.ceil(seconds)))
        try:
            self.client.execute_cell(cell, index)
        except CellTimeoutError:
            return "timeout"
        except DeadKernelError:
            return "dead"
        return None

    def recover(self) -> bool:
        """After a timeout: interrupt, and check the kernel answers again. False if it had to be restarted."""
        import nbformat

        with contextlib.suppress(Exception):
            self._call(self.client.km.interrupt_kernel)
        probe = nbformat.v4.new_code_cell("pass")
        if self.run(probe, -1, _PROBE_SECONDS) is None:
            return True
        self.stop()
        self.start()
        return False


def grade(submission: str | Path, *, key: str | Path | None = None, timeout: float = DEFAULT_CELL_TIMEOUT,
          total_timeout: float = DEFAULT_TOTAL_TIMEOUT, cache: str | Path | None = None,
          progress: Callable[[str], None] | None = None) -> GradeReport:
    """Grade ``submission`` against the teacher's ``key`` (a ``*-teacher.ipynb`` or the assignment folder).

    The exercise list and the check cells come from the key; the submission contributes only its
    solution cells. The notebook runs in a fresh temporary folder, with the environment of
    ``scrubbed_environment``, at most ``timeout`` seconds per cell and ``total_timeout`` in all.
    A timeout, a dead kernel or an error is reported for the exercise it hit (the kernel is
    restarted and the key's ordinary cells replayed when needed), and the other exercises are
    still graded. ``cache``: a folder for the library's caches shared between submissions
    (default: a fresh one per call). Grading itself failing (the key's own cells fail before any
    student code ran) is ``report.failed``.
    """
    if key is None:
        raise ValueError("--key is required: the teacher notebook (*-teacher.ipynb) or the assignment folder. "
                         "Points come from the key's checks, never from the submission's own")
    timeout = _check_seconds("--timeout (seconds per cell)", timeout)
    total_timeout = _check_seconds("--total-timeout (seconds per submission)", total_timeout)
    path = Path(submission)
    if not path.is_file():
        raise ValueError(f"submission {path} does not exist")
    key_path = find_key(key)
    key_nb = _read_notebook(key_path, "--key")
    student = _read_notebook(path, "submission")
    exercises = annotate(key_nb)
    if not exercises:
        raise ValueError(f"--key {key_path} has no exercises: is it a teacher notebook written by `datarights assignment`?")
    if not [c for c in key_nb.cells if _role(c) == CHECK_TAG]:
        raise ValueError(f"--key {key_path} has no check cells to grade with")
    if not any(c.get("cell_type") == "code" for c in student.cells):
        raise ValueError(f"submission {path} has no code cells: is it a notebook written by `datarights assignment`?")
    nb, missing = _graded_notebook(key_nb, student)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    report = GradeReport(path)
    start = time.monotonic()
    with contextlib.ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="datarights-grade-")))
        cache_dir = Path(cache) if cache is not None else work / "cache"
        kernel = _Kernel(nb, work / "submission", scrubbed_environment(work, cache_dir))
        kernel.work.mkdir()
        try:
            kernel.start()
        except Exception as err:  # no kernel: grading cannot happen at all
            report.failed = f"the kernel did not start ({type(err).__name__}: {err})"
            return _finish(report, exercises, {}, missing, start)
        stack.callback(kernel.stop)
        outcome = _run_cells(nb, kernel, timeout, start + total_timeout, missing, report, progress)
    return _finish(report, exercises, outcome, missing, start)


def _run_cells(nb, kernel: _Kernel, timeout: float, deadline: float, missing: dict[str, str], report: GradeReport,
               progress: Callable[[str], None] | None) -> dict[str, str]:
    """Execute the graded notebook cell by cell; return a failure message per exercise that did not pass."""
    outcome: dict[str, str] = {}
    replay: list[int] = []  # the key's ordinary cells run so far, replayed after a restart
    student_started = False
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        role = _role(cell)
        label = cell.metadata.get(METADATA_KEY, {}).get("exercise") if role in (SOLUTION_TAG, CHECK_TAG) else None
        if label is not None and (label in outcome or label in missing):
            continue  # this exercise already failed (or has no answer): its remaining cells cannot earn points
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return _out_of_time(nb, index, outcome, missing, report)
        if role == SOLUTION_TAG and progress:
            progress(f"  {label}")
        student_started = student_started or role == SOLUTION_TAG
        limit = min(timeout, remaining)
        stopped = kernel.run(cell, index, limit)
        if stopped is not None:
            what = (f"timed out: the cell ran past {limit:.0f} s" if stopped == "timeout"
                    else "the kernel died (crash, os._exit or out of memory)")
            restarted = True
            if stopped == "timeout":
                restarted = not kernel.recover()
            else:
                kernel.stop()
                kernel.start()
            if label is not None:
                outcome[label] = f"failed: {what}"
            else:
                report.notes.append(f"cell {index} of the key: {what}")
                if not student_started:
                    report.failed = f"cell {index} of the key, before any student code: {what}"
                    return outcome
            if restarted and not _replay(nb, kernel, replay, deadline, report):
                return _out_of_time(nb, index + 1, outcome, missing, report)
            continue
        error = next((o for o in cell.get("outputs", []) if o.get("output_type") == "error"), None)
        if error is None:
            if label is None:
                replay.append(index)
            continue
        name, value = error.get("ename", "Error"), str(error.get("evalue", "")).strip()
        if label is not None:
            outcome[label] = ("not attempted: the stub still raises NotImplementedError"
                              if name == "NotImplementedError"
                              else f"failed: {name}{': ' + value if value else ''}")
        else:
            report.notes.append(f"cell {index} of the key raised {name}: {value}")
            if not student_started:
                report.failed = f"cell {index} of the key raised {name} before any student code ran: {value}"
                return outcome
            replay.append(index)
    return outcome


def _replay(nb, kernel: _Kernel, replay: list[int], deadline: float, report: GradeReport) -> bool:
    """Run the key's ordinary cells again in a restarted kernel (exercises do not depend on each other)."""
    for index in replay:
        cell = copy.deepcopy(nb.cells[index])
        remaining = deadline - time.monotonic()
        if remaining <= 0 or kernel.run(cell, index, remaining) is not None:
            report.notes.append("the restarted kernel could not replay the key's set-up cells in time")
            return False
    return True


def _out_of_time(nb, index: int, outcome: dict[str, str], missing: dict[str, str], report: GradeReport) -> dict[str, str]:
    for cell in nb.cells[index:]:
        label = cell.metadata.get(METADATA_KEY, {}).get("exercise")
        if label is not None and _role(cell) in (SOLUTION_TAG, CHECK_TAG) and label not in missing:
            outcome.setdefault(label, "not graded: the submission's overall time limit was reached")
    report.notes.append("overall time limit reached")
    return outcome


def _finish(report: GradeReport, exercises: list[Exercise], outcome: dict[str, str], missing: dict[str, str],
            start: float) -> GradeReport:
    for e in exercises:
        if report.failed and e.label not in outcome and e.label not in missing:
            message = "not graded: grading failed"
        else:
            message = missing.get(e.label) or outcome.get(e.label) or "passed"
        points = e.points if message == "passed" else 0
        report.grades.append(ExerciseGrade(e.label, e.title, points, e.points, message))
    report.seconds = time.monotonic() - start
    return report


def submissions_in(target: str | Path) -> list[Path]:
    """``target`` if it is a notebook, else every ``*.ipynb`` in the folder (teacher notebooks left out)."""
    path = Path(target)
    if path.is_dir():
        found = sorted(p for p in path.glob("*.ipynb") if not p.name.endswith("-teacher.ipynb"))
        if not found:
            raise ValueError(f"submission folder {path} holds no .ipynb files")
        return found
    return [path]


def write_report(reports: list[GradeReport], *, csv_path: str | Path | None = None,
                 json_path: str | Path | None = None) -> None:
    """Write the reports as CSV and/or JSON (atomically)."""
    from datarights.cache import _atomic_write

    if csv_path is not None:
        text = reports_csv(reports)
        _atomic_write(Path(csv_path), lambda tmp: tmp.write_text(text))
    if json_path is not None:
        text = json.dumps([r.to_dict() for r in reports], indent=1) + "\n"
        _atomic_write(Path(json_path), lambda tmp: tmp.write_text(text))
