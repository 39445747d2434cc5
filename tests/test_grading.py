"""Grading a teacher can trust, on a small key (no chapter executed): points come from the key's
checks only, submissions run isolated and within time limits, and the report names every exercise."""

from __future__ import annotations

import csv
import io
import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from datarights import assignments
from datarights.cli import main

EXERCISES = {
    "ex-add": ("Add", "def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION",
               ["assert add(2, 3) == 5\nprint('add check passed')", ("hidden", "assert add(-1, 1) == 0")]),
    "ex-square": ("Square", "def square(x):\n    ### BEGIN SOLUTION\n    return x * x\n    ### END SOLUTION",
                  ["assert square(3) == 9"]),
    "ex-base": ("Twice the base", "### BEGIN SOLUTION\nanswer = base * 2\n### END SOLUTION", ["assert answer == 20"]),
    "ex-secret": ("A secret", "### BEGIN SOLUTION\nsecret = 42\n### END SOLUTION", ["assert secret == 42"]),
}


def _key() -> nbformat.NotebookNode:
    cells = [new_markdown_cell("# A small assignment\n\nThe value is {glue:text}`value:.2f` and see {eq}`sum`."),
             new_code_cell('profile = "smoke"', metadata={"tags": ["parameters"]}),
             new_code_cell("base = 10")]
    for label, (title, solution, checks) in EXERCISES.items():
        cells.append(new_markdown_cell(f"```{{exercise}} {title}\n:label: {label}\nDo {title.lower()}.\n```"))
        cells.append(new_code_cell(solution, metadata={"tags": ["solution"]}))
        for check in checks:
            tags = ["check", *([check[0]] if isinstance(check, tuple) else [])]
            cells.append(new_code_cell(check[1] if isinstance(check, tuple) else check, metadata={"tags": tags}))
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


@pytest.fixture
def assignment(tmp_path):
    """An assignment folder: the key (teacher notebook) and the student notebook made from it."""
    key = _key()
    assignments.annotate(key)
    folder = tmp_path / "assignment"
    folder.mkdir()
    nbformat.write(key, folder / "small-teacher.ipynb")
    nbformat.write(assignments.student_version(key, "smoke", {"value": {"text/plain": "3.14159"}}), folder / "small-student.ipynb")
    return folder


def _submission(folder, tmp_path, answers: dict[str, str], *, name="submission.ipynb", edit=None):
    """The student notebook with ``answers`` (by exercise label) in its solution cells; ``edit`` may change more."""
    nb = nbformat.read(folder / "small-student.ipynb", as_version=4)
    for cell in nb.cells:
        label = cell.metadata.get("datarights", {}).get("exercise")
        if cell.metadata.get("datarights", {}).get("role") == "solution" and label in answers:
            cell.source = answers[label]
    if edit is not None:
        edit(nb)
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


def _points(report):
    return {g.label: (g.points, g.message) for g in report.grades}


CORRECT = {label: solution for label, (_, solution, _) in EXERCISES.items()}


def test_student_version_hides_hidden_checks_and_shows_no_raw_myst(assignment):
    student = nbformat.read(assignment / "small-student.ipynb", as_version=4)
    text = "\n".join(c.source for c in student.cells)
    assert "add(-1, 1)" not in text, "the hidden check stays in the key"
    assert "add(2, 3)" in text, "visible checks are kept"
    assert "{glue" not in text and "{eq}" not in text and "```{exercise}" not in text
    assert "3.14" in text and "**Exercise: Add**" in text and "(sum)" in text


def test_a_correct_submission_earns_every_point_and_a_stub_none(assignment, tmp_path):
    report = assignments.grade(_submission(assignment, tmp_path, CORRECT), key=assignment, timeout=30)
    assert report.total == report.max_total == 4 and report.failed is None, report.render()
    stub = assignments.grade(assignment / "small-student.ipynb", key=assignment, timeout=30)
    assert stub.total == 0 and all(g.message.startswith("not attempted") for g in stub.grades), stub.render()


def test_tampered_submission_scores_what_the_key_says(assignment, tmp_path, monkeypatch):
    """Checks edited to pass, a hidden case failed, an exercise deleted, the teacher's files looked for."""
    monkeypatch.setenv("DATARIGHTS_TEACHER_KEY", str(assignment / "small-teacher.ipynb"))

    def tamper(nb):
        for cell in nb.cells:
            if "check" in cell.metadata.get("tags", []):
                cell.source = "pass"  # the student's checks are ignored anyway
        nb.cells = [c for c in nb.cells if c.metadata.get("datarights", {}).get("exercise") != "ex-square"]
        nb.cells.append(new_code_cell("print('extra cell: ignored')"))

    peek = ("import glob, os\n"
            "### BEGIN SOLUTION\n"
            "found = [k for k in os.environ if k.startswith('DATARIGHTS_TEACHER')] + glob.glob('*teacher*')"
            " + glob.glob('../*teacher*') + glob.glob('*.ipynb')\n"
            "secret = 42 if found else 0\n"
            "### END SOLUTION")
    answers = {**CORRECT, "ex-add": "def add(a, b):\n    return a + b if a > 0 else 5", "ex-secret": peek}
    report = assignments.grade(_submission(assignment, tmp_path, answers, edit=tamper), key=assignment, timeout=30)
    points = _points(report)
    assert points["ex-add"][0] == 0 and "AssertionError" in points["ex-add"][1], "the key's hidden check applies"
    assert points["ex-square"] == (0, "missing: the submission has no solution cell for this exercise")
    assert points["ex-base"][0] == 1
    assert points["ex-secret"][0] == 0, "no teacher file or DATARIGHTS_* variable is visible to the submission"
    assert [g.label for g in report.grades] == list(EXERCISES), "every exercise of the key is reported"


def test_a_loop_a_dead_kernel_and_a_syntax_error_are_reported_per_exercise(assignment, tmp_path):
    answers = {"ex-add": "while True:\n    pass", "ex-square": "import os\nos._exit(1)",
               "ex-base": "answer = base * 2", "ex-secret": "secret = = 42"}
    report = assignments.grade(_submission(assignment, tmp_path, answers), key=assignment, timeout=4, total_timeout=120)
    points = _points(report)
    assert points["ex-add"] == (0, "failed: timed out: the cell ran past 4 s")
    assert points["ex-square"][0] == 0 and "kernel died" in points["ex-square"][1]
    assert points["ex-base"] == (1, "passed"), "after a restart the key's set-up cells were replayed"
    assert points["ex-secret"][0] == 0 and "SyntaxError" in points["ex-secret"][1]
    assert report.failed is None and report.seconds < 60


def test_the_overall_time_limit_ends_grading_and_reports_the_rest(assignment, tmp_path):
    answers = {**CORRECT, "ex-add": "import time\ntime.sleep(60)"}
    report = assignments.grade(_submission(assignment, tmp_path, answers), key=assignment, timeout=30, total_timeout=3)
    points = _points(report)
    assert points["ex-add"][0] == 0 and "timed out" in points["ex-add"][1]
    assert all(points[label] == (0, "not graded: the submission's overall time limit was reached")
               for label in ("ex-square", "ex-base", "ex-secret"))
    assert report.seconds < 30


@pytest.mark.parametrize("value", [0, -5, float("nan"), float("inf"), "10"])
def test_time_limits_must_be_positive_numbers(assignment, value):
    with pytest.raises(ValueError, match="--timeout .*positive number of seconds"):
        assignments.grade(assignment / "small-student.ipynb", key=assignment, timeout=value)
    with pytest.raises(ValueError, match="--total-timeout .*positive number of seconds"):
        assignments.grade(assignment / "small-student.ipynb", key=assignment, total_timeout=value)


def test_grading_without_a_key_or_with_a_bad_key_is_refused(assignment, tmp_path):
    with pytest.raises(ValueError, match="--key is required"):
        assignments.grade(assignment / "small-student.ipynb")
    with pytest.raises(ValueError, match="--key .* does not exist"):
        assignments.grade(assignment / "small-student.ipynb", key=tmp_path / "nope.ipynb")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="expected one \\*-teacher.ipynb"):
        assignments.grade(assignment / "small-student.ipynb", key=empty)


def test_a_key_that_fails_before_student_code_is_a_grading_failure(assignment, tmp_path):
    key = nbformat.read(assignment / "small-teacher.ipynb", as_version=4)
    key.cells[2].source = "import a_module_that_does_not_exist"
    broken = tmp_path / "broken-teacher.ipynb"
    nbformat.write(key, broken)
    report = assignments.grade(_submission(assignment, tmp_path, CORRECT), key=broken, timeout=30)
    assert report.failed and "ModuleNotFoundError" in report.failed
    assert report.total == 0 and all(g.message == "not graded: grading failed" for g in report.grades)


def test_batch_grading_writes_one_csv_row_per_submission_and_exits_by_grading_outcome(assignment, tmp_path, capsys):
    batch = tmp_path / "submissions"
    batch.mkdir()
    _submission(assignment, batch, CORRECT, name="alice.ipynb")
    _submission(assignment, batch, {}, name="bob.ipynb")
    out_csv, out_json = tmp_path / "grades.csv", tmp_path / "grades.json"
    assert main(["grade", str(batch), "--key", str(assignment), "--timeout", "30", "--csv", str(out_csv),
                 "--json", str(out_json)]) == 0, "a student scoring 0 is not a failure of grading"
    rows = list(csv.DictReader(io.StringIO(out_csv.read_text())))
    assert [(r["submission"].rsplit("/", 1)[-1], r["total"]) for r in rows] == [("alice.ipynb", "4"), ("bob.ipynb", "0")]
    assert rows[1]["ex-add reason"].startswith("not attempted")
    assert json.loads(out_json.read_text())[0]["exercises"][0]["label"] == "ex-add"
    (batch / "carol.ipynb").write_text("my answers are in the email")
    assert main(["grade", str(batch / "carol.ipynb"), "--key", str(assignment)]) == 1
    assert "not a Jupyter notebook" in capsys.readouterr().err
    assert main(["grade", str(batch / "bob.ipynb"), "--key", str(assignment), "--timeout", "0"]) == 2


def test_nbgrader_validates_a_generated_teacher_notebook(tmp_path):
    """The claim that the teacher version is nbgrader-compatible, tested (nbgrader is in the test extras)."""
    pytest.importorskip("nbgrader", reason="nbgrader not installed: `pip install -e .[dev]` brings it")
    from nbgrader.validator import Validator

    key = _key()
    exercises = assignments.annotate(key)
    assignments.add_nbgrader_metadata(key, exercises)
    path = tmp_path / "small-teacher.ipynb"
    nbformat.write(key, path)
    result = Validator().validate(str(path))
    assert not result.get("failed") and not result.get("changed"), result
