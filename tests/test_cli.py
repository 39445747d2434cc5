from datarights.cli import main


def test_profiles_lists_every_profile(capsys):
    assert main(["profiles"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in ("smoke:", "quick", "full:"))


def test_status_reports_each_chapter(capsys):
    assert main(["status"]) == 0
    assert "01_foundations" in capsys.readouterr().out


def test_unknown_chapter_is_an_error_that_lists_the_chapters(capsys):
    assert main(["run", "99", "--profile", "smoke"]) == 2
    assert "known chapters" in capsys.readouterr().err


def test_data_command_with_missing_archive_names_the_argument(tmp_path, capsys):
    assert main(["data", "cifar10", "--from", str(tmp_path / "nope.tar.gz"), "--data-dir", str(tmp_path)]) == 2
    assert "--from" in capsys.readouterr().err


def test_data_command_unknown_dataset(tmp_path, capsys):
    assert main(["data", "imagenet", "--data-dir", str(tmp_path)]) == 2
    assert "invalid choice: 'imagenet' (choose from 'all', 'list'" in capsys.readouterr().err


import os
import subprocess
import sys

import pytest

from datarights.cli import parser


def _python_m(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "datarights", *args], capture_output=True, text=True, timeout=120, **kwargs)


def test_status_piped_into_a_closed_reader_prints_no_traceback():
    """`status | head -1`: the reader goes away; the CLI must stop quietly, not print a BrokenPipe traceback."""
    run = subprocess.run(f"{sys.executable} -m datarights status | head -1", shell=True, capture_output=True, text=True,
                         timeout=120)
    assert run.stdout.count("\n") == 1
    assert "Traceback" not in run.stderr and "BrokenPipe" not in run.stderr, run.stderr


def test_version_and_program_name():
    run = _python_m("--version")
    assert run.returncode == 0 and run.stdout.startswith("datarights ")
    assert "usage: python -m datarights" in _python_m("--help").stdout


def test_every_subcommand_has_a_description_an_example_and_help_for_each_option():
    import argparse

    sub = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    for name, command in sub.choices.items():
        assert command.description, f"{name} has no description"
        assert "examples:" in (command.epilog or ""), f"{name} has no example"
        for action in command._actions:
            if action.dest != "help":
                assert action.help, f"{name} {action.option_strings or action.dest} has no help text"


@pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="this machine has CUDA")
@pytest.mark.parametrize("command", [["run", "01"], ["book", "--no-build", "--only", "01"]])
def test_device_cuda_without_cuda_fails_in_one_line_before_any_kernel_starts(command, capsys, monkeypatch):
    from datarights import book

    monkeypatch.setattr(book, "execute", lambda *a, **k: pytest.fail("a kernel was started"))
    monkeypatch.setattr(book, "execute_stale", lambda *a, **k: pytest.fail("a kernel was started"))
    assert main([*command, "--device", "cuda"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--device='cuda'" in err and "CUDA is not available" in err


@pytest.mark.parametrize(("args", "message"), [
    (["run", "01", "--seed", "-1"], "--seed: must be an integer in [0, 4294967295]"),
    (["run", "01", "--seed", "2.5"], "--seed: must be an integer"),
    (["run", "01", "--seed", str(2**32)], "--seed: must be an integer in [0, 4294967295]"),
    (["run", "01", "--device", "gpu"], "--device='gpu' is not a device"),
    (["data", "imagenet"], "invalid choice: 'imagenet'"),
    (["data", "all"], "`data all` needs --from FOLDER"),
    (["data", "utkface", "--download"], "utkface has no downloader"),
    (["data", "mnist", "--from", "x.tar.gz", "--download"], "either --from COPY or --download"),
    (["grade", "x.ipynb"], "the following arguments are required: --key"),
    (["grade", "x.ipynb", "--key", "k", "--timeout", "-1"], "--timeout: must be a positive number of seconds"),
    (["assignment", "01", "--out", "x", "--seed", "-3"], "--seed: must be an integer"),
])
def test_bad_command_lines_get_one_line_errors_that_name_the_flag(args, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_data_all_installs_into_the_data_directory(tmp_path, capsys, monkeypatch):
    from datarights.data import install

    copies = tmp_path / "copies"
    (copies / "ett").mkdir(parents=True)
    for name, rows in install.ETT_ROWS.items():
        (copies / "ett" / name).write_text("date,HUFL\n" + "2016-07-01 00:00:00,1.0\n" * rows)
    monkeypatch.setenv("DATARIGHTS_DATA", str(tmp_path / "data"))
    assert main(["data", "all", "--from", str(copies)]) == 0
    out = capsys.readouterr().out
    assert "ett: installed" in out and "mnist: not in" in out
    assert (tmp_path / "data" / "ett" / "ETTh1.csv").is_file()
    assert main(["data", "list"]) == 0 and "ett        installed" in capsys.readouterr().out
    assert main(["data", "all", "--from", str(tmp_path / "nowhere")]) == 2
    assert "--from" in capsys.readouterr().err


def test_the_cli_offers_exactly_the_installable_datasets():
    """The CLI names the datasets without importing torch (datarights.catalog); the installer defines them."""
    from datarights.catalog import OFFLINE_NAMES
    from datarights.data.install import NAMES

    assert tuple(OFFLINE_NAMES) == tuple(NAMES)


def _fake_project(folder):
    """A checkout of the book elsewhere: pyproject.toml of the datarights package and one chapter source."""
    (folder / "notebooks").mkdir(parents=True)
    (folder / "pyproject.toml").write_text('[project]\nname = "datarights"\n')
    (folder / "notebooks" / "01_tiny.py").write_text("# %%\nx = 1\n")
    return folder


def test_outputs_go_to_the_project_of_the_working_directory(tmp_path, monkeypatch, capsys):
    """Run from another checkout: the executed chapter and the caches go there, not into the installed one."""
    from datarights import book
    from datarights.cache import MODELS_ENV, RESULTS_ENV

    project = _fake_project(tmp_path / "elsewhere")
    for name in (RESULTS_ENV, MODELS_ENV):
        monkeypatch.setenv(name, "x")
        monkeypatch.delenv(name)
    monkeypatch.chdir(project / "notebooks")
    seen = {}

    def execute(chapter, **kwargs):
        seen.update(output=chapter.output, results=os.environ.get(RESULTS_ENV), models=os.environ.get(MODELS_ENV))
        return chapter.output

    monkeypatch.setattr(book, "execute", execute)
    assert book.root() == project.resolve()
    assert main(["run", "01", "--profile", "smoke", "--device", "cpu"]) == 0
    assert seen["output"] == project.resolve() / "book" / "chapters" / "01_tiny.ipynb"
    assert seen["results"] == str(project.resolve() / "results")
    assert seen["models"] == str(project.resolve() / ".cache" / "models")


def test_book_shows_a_status_line_per_chapter_on_stderr(tmp_path, monkeypatch, capsys):
    from datarights import book

    project = _fake_project(tmp_path / "p")
    (project / "notebooks" / "02_other.py").write_text("# %%\ny = 2\n")
    monkeypatch.chdir(project)
    monkeypatch.setenv("DATARIGHTS_RESULTS", str(tmp_path / "r"))
    monkeypatch.setenv("DATARIGHTS_CACHE", str(tmp_path / "m"))
    monkeypatch.setattr(book, "execute", lambda chapter, **kwargs: chapter.output)
    assert main(["book", "--no-build", "--profile", "smoke", "--device", "cpu"]) == 0
    captured = capsys.readouterr()
    assert "[1/2] 01_tiny: executing under profile 'smoke' (never executed)" in captured.err
    assert "[2/2] 02_other" in captured.err
    assert "02_other: executed under profile 'smoke'" in captured.out
    assert any(line.startswith("[2/2] 02_other") and line.endswith(" s") for line in captured.err.splitlines())


def test_kernels_started_by_the_cli_are_told_to_keep_their_tcp_warning_to_themselves(tmp_path, monkeypatch):
    """ipykernel logs 'Kernel is running over TCP without encryption' at WARNING: the kernel runs at ERROR."""
    import shutil

    import papermill

    from datarights import book

    seen = {}

    def execute_notebook(source, output, **kwargs):
        seen.update(kwargs, tqdm=os.environ.get("TQDM_DISABLE"))
        shutil.copy(source, output)

    monkeypatch.setattr(papermill, "execute_notebook", execute_notebook)
    book.execute(book.find_chapter("01"), profile="smoke", output=tmp_path / "out.ipynb")
    assert "--IPKernelApp.log_level=ERROR" in seen["extra_arguments"]
    assert seen["progress_bar"] is False
    assert seen["tqdm"] == "1", "library progress bars would land in the rendered page"
