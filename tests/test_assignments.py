"""Handing a chapter out: the student sheet holds no solution and no raw MyST, the teacher's executes,
the grader (against the teacher's key) gives zero for stubs with a readable reason and exactly the
points of a filled-in exercise; a failed generation never leaves a half-overwritten folder."""

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
    markdown = "\n".join(c.source for c in student.cells if c.cell_type == "markdown")
    assert not [m for m in ("{glue", "{eq}", "{cite", "```{exercise}", "```{admonition}") if m in markdown], \
        "plain Jupyter shows raw MyST: glued values become numbers, directives plain Markdown"


@pytest.mark.slow
def test_teacher_version_executed_with_every_check_passing(handed_out):
    teacher = nbformat.read(handed_out.teacher, as_version=4)
    assert not [o for c in teacher.cells for o in c.get("outputs", []) if o.output_type == "error"]
    checks = [c for c in teacher.cells if "check" in c.metadata.get("tags", [])]
    assert all("passed" in "".join(o.get("text", "") for o in c.outputs) for c in checks)
    assert "Exercises" in handed_out.readme.read_text() and "python -m datarights grade" in handed_out.readme.read_text()


@pytest.mark.slow
def test_stubs_score_zero_with_a_readable_reason(handed_out):
    report = assignments.grade(handed_out.student, key=handed_out.teacher)
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
    report = assignments.grade(submission, key=handed_out.teacher)
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
        pytest.skip("nbgrader not installed (optional extra `pip install -e .[nbgrader]`, part of the dev extra)")
    if handed_out.chapter != CHAPTERS_WITH_EXERCISES[0].stem:
        return  # nbgrader's validate executes the notebook again: one real chapter is enough
    from nbgrader.validator import Validator

    result = Validator().validate(str(handed_out.teacher))
    assert not result.get("failed") and not result.get("changed"), result


def test_bad_input_gets_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="unknown chapter"):
        assignments.generate("99", tmp_path / "a")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x.txt").write_text("keep me")
    with pytest.raises(ValueError, match="not empty; pass --force"):
        assignments.generate("01", tmp_path / "full")
    for seed in (-1, 2**32, 1.5):
        with pytest.raises((ValueError, TypeError), match="seed"):
            assignments.generate("01", tmp_path / "b", seed=seed)
    with pytest.raises(ValueError, match="--key is required"):
        assignments.grade(tmp_path / "full" / "x.txt")


def test_force_replaces_only_the_assignment_files_and_only_after_success(tmp_path, monkeypatch):
    out = tmp_path / "assignment-01"
    out.mkdir()
    stem = book.find_chapter("01").stem
    old = {name: f"old {name}" for name in (f"{stem}-student.ipynb", f"{stem}-teacher.ipynb", "README.md")}
    for name, text in old.items():
        (out / name).write_text(text)
    (out / "submissions").mkdir()
    (out / "submissions" / "alice.ipynb").write_text("a student's work")

    def half_then_fail(chapter, *, output, **kwargs):
        output.write_text("half-written")
        raise RuntimeError("a cell failed")

    monkeypatch.setattr(book, "execute", half_then_fail)
    with pytest.raises(RuntimeError, match="a cell failed"):
        assignments.generate("01", out, profile="smoke", force=True)
    assert {p.name: p.read_text() for p in out.iterdir() if p.is_file()} == old, "nothing overwritten by a failed run"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".assignment-01")], "no staging folder left"

    def quick_execute(chapter, *, output, notebook, **kwargs):
        import nbformat

        nbformat.write(notebook, output)

    monkeypatch.setattr(book, "execute", quick_execute)
    made = assignments.generate("01", out, profile="smoke", force=True)
    assert made.student.read_text() != old[made.student.name] and made.readme.read_text().startswith("# Assignment")
    assert (out / "submissions" / "alice.ipynb").read_text() == "a student's work", "other files are kept"
