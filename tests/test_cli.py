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
    assert "known datasets" in capsys.readouterr().err
