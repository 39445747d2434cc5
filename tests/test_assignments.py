"""Handing a chapter out: the student sheet holds no solution, the teacher's executes, the grader
gives zero for stubs with a readable reason and exactly the points of a filled-in exercise."""

import importlib.util

import nbformat
import pytest

from datarights import assignments, book

CHAPTERS_WITH_EXERCISES = [c for c in book.chapters() if assignments.annotate(book.read_source(c))]


@pytest.fixture(scope="module", params=CHAPTERS_WITH_EXERCISES, ids=lambda c: c.stem)
def handed_out(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(request.param.stem)
    return assignments.generate(request.param.stem, out, profile="smoke", nbgrader=True)


def _solution_lines(nb):
    lines = []
    for cell in nb.cells:
        if cell.metadata.get("datarights", {}).get("role") == "solution":
            inside = False
            for line in cell.source.splitlines():
                if line.strip() in (assignments.BEGIN, assignments.END):
                    inside = line.strip() == assignments.BEGIN
                elif inside and len(line.strip()) > 3:
                    lines.append(line.strip())
    return lines


def test_stub_keeps_the_code_around_the_solution_block():
    source = "def f(x):\n    y = 1\n    ### BEGIN SOLUTION\n    return x + y\n    ### END SOLUTION\n"
    assert assignments.stub(source) == "def f(x):\n    y = 1\n    # YOUR CODE HERE\n    raise NotImplementedError()"
    assert assignments.stub("x = 42") == "# YOUR CODE HERE\nraise NotImplementedError()"


@pytest.mark.slow
def test_student_sheet_contains_no_solution_line_and_keeps_the_checks(handed_out):
    student = nbformat.read(handed_out.student, as_version=4)
    teacher = nbformat.read(handed_out.teacher, as_version=4)
    solution = _solution_lines(teacher)
    assert solution, "the teacher version holds the solutions"
    student_text = "\n".join(c.source for c in student.cells)
    assert not [line for line in solution if line in student_text]
    checks = [c for c in student.cells if "check" in c.metadata.get("tags", [])]
    assert len(checks) == len(handed_out.exercises) and all(not c.outputs for c in student.cells if c.cell_type == "code")
    assert 'profile = "smoke"' in next(c.source for c in student.cells if "parameters" in c.metadata.get("tags", []))
    assert not any("solution-start" in c.source for c in student.cells)


@pytest.mark.slow
def test_teacher_version_executed_with_every_check_passing(handed_out):
    teacher = nbformat.read(handed_out.teacher, as_version=4)
    assert not [o for c in teacher.cells for o in c.get("outputs", []) if o.output_type == "error"]
    checks = [c for c in teacher.cells if "check" in c.metadata.get("tags", [])]
    assert all("passed" in "".join(o.get("text", "") for o in c.outputs) for c in checks)
    assert "Exercises" in handed_out.readme.read_text() and "python -m datarights grade" in handed_out.readme.read_text()


@pytest.mark.slow
def test_stubs_score_zero_with_a_readable_reason(handed_out):
    report = assignments.grade(handed_out.student)
    assert report.total == 0 and report.max_total == len(handed_out.exercises)
    assert all(g.message.startswith("not attempted") for g in report.grades)
    assert "Traceback" not in report.render()


@pytest.mark.slow
def test_one_filled_in_solution_earns_exactly_its_points(handed_out, tmp_path):
    teacher = nbformat.read(handed_out.teacher, as_version=4)
    student = nbformat.read(handed_out.student, as_version=4)
    first = handed_out.exercises[0].label
    answers = [c.source for c in teacher.cells
               if c.metadata.get("datarights", {}) == {"role": "solution", "exercise": first}]
    cells = [c for c in student.cells if c.metadata.get("datarights", {}) == {"role": "solution", "exercise": first}]
    for cell, answer in zip(cells, answers):
        cell.source = answer
    submission = tmp_path / "submission.ipynb"
    nbformat.write(student, submission)
    report = assignments.grade(submission)
    earned = {g.label: g.points for g in report.grades}
    assert earned[first] == handed_out.exercises[0].points
    assert sum(earned.values()) == handed_out.exercises[0].points


@pytest.mark.slow
def test_nbgrader_metadata_marks_solution_grade_and_locked_cells(handed_out):
    teacher = nbformat.read(handed_out.teacher, as_version=4)
    meta = [c.metadata["nbgrader"] for c in teacher.cells if "nbgrader" in c.metadata]
    assert len({m["grade_id"] for m in meta}) == len(meta), "grade ids are unique"
    assert any(m["solution"] and not m["locked"] for m in meta)
    assert all(m["locked"] and m["points"] >= 1 for m in meta if m["grade"])
    if importlib.util.find_spec("nbgrader") is None:
        pytest.skip("nbgrader not installed (optional extra `pip install -e .[nbgrader]`)")
    from nbgrader.validator import Validator

    assert not Validator().validate(str(handed_out.teacher)).get("failed")


def test_bad_input_gets_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="unknown chapter"):
        assignments.generate("99", tmp_path / "a")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x.txt").write_text("keep me")
    with pytest.raises(ValueError, match="not empty; pass --force"):
        assignments.generate("01", tmp_path / "full")
    not_a_notebook = tmp_path / "essay.ipynb"
    not_a_notebook.write_text("my answers are in the email")
    with pytest.raises(ValueError, match="is not a Jupyter notebook"):
        assignments.grade(not_a_notebook)
    no_exercises = tmp_path / "empty.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), no_exercises)
    with pytest.raises(ValueError, match="has no exercises"):
        assignments.grade(no_exercises)
    with pytest.raises(ValueError, match="does not exist"):
        assignments.grade(tmp_path / "missing.ipynb")
