"""Command line: ``python -m datarights <command>``.

    run CHAPTER [--profile P] [--seed N]   execute one chapter into book/chapters/
    book [--profile P] [--force] [--only CH ...] [--no-build]
                                          execute stale chapters, then build the HTML book
    status [--profile P]                   which chapters are stale, and why
    data cifar10 [--from ARCHIVE] [--download]
                                          put a dataset where the library finds it
    profiles                               the profiles and what they run
    assignment CHAPTER --out DIR [--nbgrader] [--force]
                                          a chapter as a graded exercise sheet (student, teacher, README)
    grade SUBMISSION.ipynb                 run a student's notebook and print points per exercise
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tarfile
from pathlib import Path

from datarights.profiles import PROFILE_NAMES


def _run(args: argparse.Namespace) -> int:
    from datarights import book
    from datarights.profiles import default_profile

    chapter = book.find_chapter(args.chapter)
    profile = args.profile or default_profile()
    out = book.execute(chapter, profile=profile, seed=args.seed, device=args.device, data_dir=args.data_dir,
                       output=Path(args.output) if args.output else None, log_output=args.verbose)
    print(f"{chapter.stem}: executed under profile {profile!r}, seed {args.seed} → {out}")
    return 0


def _book(args: argparse.Namespace) -> int:
    from datarights import book

    book.execute_stale(profile=args.profile, force=args.force, only=args.only, seed=args.seed, device=args.device,
                       data_dir=args.data_dir)
    if not args.no_build:
        index = book.build()
        print(f"book built: {index}")
    return 0


def _status(args: argparse.Namespace) -> int:
    from datarights import book

    for chapter in book.chapters():
        record = book.recorded(chapter) or {}
        reason = book.staleness(chapter, args.profile)
        state = f"stale ({reason})" if reason else "up to date"
        print(f"{chapter.stem:28s} {state:45s} profile={record.get('profile')} seed={record.get('seed')}")
    return 0


def _data(args: argparse.Namespace) -> int:
    from datarights.data import default_data_dir, load

    target = Path(args.data_dir).expanduser() if args.data_dir else default_data_dir()
    target.mkdir(parents=True, exist_ok=True)
    if args.archive:
        archive = Path(args.archive).expanduser()
        if not archive.is_file():
            print(f"error: --from {archive}: no such file", file=sys.stderr)
            return 2
        if archive.name.endswith((".tar.gz", ".tgz")):
            with tarfile.open(archive) as tar:
                tar.extractall(target, filter="data")
        else:
            shutil.copy(archive, target)
    dataset = load(args.name, target, download=args.download)
    print(f"{dataset.name}: {len(dataset.train)} train / {len(dataset.test)} test images in {target}")
    return 0


def _profiles(args: argparse.Namespace) -> int:
    from datarights.profiles import PROFILES, default_profile

    for name in PROFILE_NAMES:
        mark = " (default here)" if name == default_profile() else ""
        print(f"{name}{mark}: {PROFILES[name].description}")
    return 0


def _assignment(args: argparse.Namespace) -> int:
    from datarights import assignments

    made = assignments.generate(args.chapter, args.out, profile=args.profile, nbgrader=args.nbgrader, force=args.force)
    print(f"{made.chapter}: {len(made.exercises)} exercises; teacher version executed in {made.seconds:.0f} s")
    for path in (made.student, made.teacher, made.readme):
        print(f"  {path}")
    return 0


def _grade(args: argparse.Namespace) -> int:
    from datarights import assignments

    print(assignments.grade(args.submission, timeout=args.timeout).render())
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m datarights", description="The datarights companion: chapters, book, data.")
    sub = p.add_subparsers(dest="command", required=True)

    def execution_options(q: argparse.ArgumentParser) -> None:
        q.add_argument("--profile", choices=PROFILE_NAMES, help="smoke, quick or full (default: full with CUDA, else quick)")
        q.add_argument("--seed", type=int, default=0)
        q.add_argument("--device", default="auto", help="auto, cpu or cuda")
        q.add_argument("--data-dir", help="where datasets live (default: $DATARIGHTS_DATA)")

    q = sub.add_parser("run", help="execute one chapter")
    q.add_argument("chapter", help="path, stem (01_foundations) or number (01)")
    execution_options(q)
    q.add_argument("--output", help="where to write the executed notebook (default: book/chapters/)")
    q.add_argument("--verbose", action="store_true", help="stream the notebook's output")
    q.set_defaults(func=_run)

    q = sub.add_parser("book", help="execute stale chapters and build the HTML book")
    execution_options(q)
    q.add_argument("--force", action="store_true", help="re-execute every chapter")
    q.add_argument("--only", nargs="+", help="only these chapters")
    q.add_argument("--no-build", action="store_true", help="execute only, do not build")
    q.set_defaults(func=_book)

    q = sub.add_parser("status", help="which chapters are stale")
    q.add_argument("--profile", choices=PROFILE_NAMES)
    q.set_defaults(func=_status)

    q = sub.add_parser("data", help="install a dataset into the data directory")
    q.add_argument("name", help="dataset name, e.g. cifar10")
    q.add_argument("--from", dest="archive", help="a local archive to unpack (e.g. ../shared/data/cifar10-jpeg.tar.gz)")
    q.add_argument("--download", action="store_true", help="let torchvision download it")
    q.add_argument("--data-dir", help="target directory (default: $DATARIGHTS_DATA)")
    q.set_defaults(func=_data)

    q = sub.add_parser("assignment", help="hand a chapter out as a graded exercise sheet")
    q.add_argument("chapter", help="path, stem (01_foundations) or number (01)")
    q.add_argument("--out", required=True, help="folder for the student and teacher notebooks and the README")
    q.add_argument("--profile", choices=PROFILE_NAMES, default="quick", help="profile preset in the notebooks (default quick)")
    q.add_argument("--nbgrader", action="store_true", help="add nbgrader cell metadata")
    q.add_argument("--force", action="store_true", help="write into a folder that is not empty")
    q.set_defaults(func=_assignment)

    q = sub.add_parser("grade", help="run a submission's checks and print points per exercise")
    q.add_argument("submission", help="the student's .ipynb")
    q.add_argument("--timeout", type=int, default=900, help="seconds allowed per cell")
    q.set_defaults(func=_grade)

    q = sub.add_parser("profiles", help="list the profiles")
    q.set_defaults(func=_profiles)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
