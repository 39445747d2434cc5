"""Command line: ``python -m datarights <command>`` (or ``datarights <command>``).

    run CHAPTER [--profile P] [--seed N] [--device D]   execute one chapter into book/chapters/
    book [--profile P] [--force] [--only CH ...] [--no-build]
                                          execute stale chapters, then build the HTML book
    status [--profile P]                   which chapters are stale, and why
    data NAME [--from COPY] [--download] [--force]
                                          install a dataset where the library finds it
    data all --from FOLDER                 install every offline copy in FOLDER
    data list                              which datasets are installed
    profiles                               the profiles and what they run
    assignment CHAPTER --out DIR [--nbgrader] [--force]
                                          a chapter as a graded exercise sheet (student, key, README)
    grade SUBMISSION... --key KEY [--csv F] [--json F]
                                          grade submissions against the key, points per exercise

One function per subcommand (``_run``, ``_book`` ...), registered in ``parser()``; each checks its
arguments before any work starts. Errors are one line on stderr (exit status 2 for bad input,
1 when the work itself failed); ``DATARIGHTS_DEBUG=1`` shows the full traceback instead.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from datarights.profiles import PROFILE_NAMES


class UsageError(ValueError):
    """Bad command-line input, reported in one line with exit status 2."""


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def _working(what: str) -> Iterator[None]:
    """A status line on stderr while long work runs: the elapsed time, ticking on a terminal, and the total."""
    start = time.perf_counter()
    stop = threading.Event()
    tty = sys.stderr.isatty()
    _progress(f"{what} …")

    def tick() -> None:
        while not stop.wait(1.0):
            print(f"\r  {what}: {time.perf_counter() - start:.0f} s", end="", file=sys.stderr, flush=True)

    ticker = threading.Thread(target=tick, daemon=True) if tty else None
    if ticker:
        ticker.start()
    try:
        yield
    finally:
        stop.set()
        if ticker:
            ticker.join()
            print("\r", end="", file=sys.stderr)
        _progress(f"{what}: {time.perf_counter() - start:.0f} s")


def _device(value: str) -> str:
    """--device, checked before a kernel starts."""
    from datarights.validation import check_device

    try:
        check_device(value, "--device")
    except (TypeError, ValueError) as err:
        raise UsageError(str(err)) from None
    return value


def _run(args: argparse.Namespace) -> int:
    from datarights import book
    from datarights.profiles import default_profile

    chapter = book.find_chapter(args.chapter)
    _device(args.device)
    book.use_project()
    profile = args.profile or default_profile()
    with _working(f"{chapter.stem}: executing under profile {profile!r}, seed {args.seed}"):
        out = book.execute(chapter, profile=profile, seed=args.seed, device=args.device, data_dir=args.data_dir,
                           output=Path(args.output) if args.output else None, log_output=args.verbose)
    print(f"{chapter.stem}: executed under profile {profile!r}, seed {args.seed} → {out}")
    return 0


def _book(args: argparse.Namespace) -> int:
    from datarights import book
    from datarights.profiles import default_profile

    _device(args.device)
    for name in args.only or []:
        book.find_chapter(name)
    book.use_project()
    todo = book.stale(profile=args.profile, force=args.force, only=args.only, include_current=True)
    waiting = [chapter for chapter, reason in todo if reason]
    profile = args.profile or default_profile()
    for chapter, reason in todo:
        if reason is None:
            print(f"{chapter.stem}: up to date")
            continue
        step = f"[{waiting.index(chapter) + 1}/{len(waiting)}] {chapter.stem}: executing under profile {profile!r} ({reason})"
        with _working(step):
            book.execute(chapter, profile=profile, seed=args.seed, device=args.device, data_dir=args.data_dir)
        print(f"{chapter.stem}: executed under profile {profile!r}, seed {args.seed}")
    if not args.no_build:
        with _working("building the book"):
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
    from datarights.data import install
    from datarights.data.registry import LOADERS, default_data_dir

    target = Path(args.data_dir).expanduser() if args.data_dir else default_data_dir()
    if args.name == "list":
        for name, state in install.status(target).items():
            print(f"{name:10s} {state}")
        print(f"(data directory: {target})")
        return 0
    if args.name == "all":
        if not args.archive:
            raise UsageError("`data all` needs --from FOLDER, the folder that holds the offline copies")
        if args.download:
            raise UsageError("`data all` installs offline copies only; download datasets one by one with `data NAME --download`")
        outcome = install.install_all(args.archive, target, force=args.force, log=print)
        failed = [name for name, state in outcome.items() if state.startswith("error")]
        print(f"data directory: {target}; {sum(s.endswith('installed') for s in outcome.values())} installed, "
              f"{len(failed)} failed")
        return 1 if failed else 0
    if args.name == "digits":
        print("digits ships with scikit-learn: nothing to install")
        return 0
    copy = install.copy_for(args.name)
    if args.archive and args.download:
        raise UsageError("give either --from COPY or --download, not both")
    if args.archive:
        with _working(f"{args.name}: installing {args.archive}"):
            path = install.install(args.name, args.archive, target, force=args.force, log=print)
        print(f"{args.name}: ready in {path}")
        return 0
    if args.download:
        if not copy.downloader or args.name not in LOADERS:
            raise UsageError(f"{args.name} has no downloader: get {copy.source} ({copy.origin}) and run "
                             f"`data {args.name} --from PATH/{copy.source}`")
        target.mkdir(parents=True, exist_ok=True)
        with _working(f"{args.name}: downloading with torchvision into {target}"):
            dataset = LOADERS[args.name](target, download=True)
        print(f"{dataset.name}: {len(dataset.train)} train / {len(dataset.test)} test images in {target}")
        return 0
    state = install.status(target)[args.name]
    print(f"{args.name}: {state} in {target}")
    if state != "installed":
        hint = " or --download" if copy.downloader else ""
        print(f"  install it with `data {args.name} --from PATH/{copy.source}`{hint}", file=sys.stderr)
        return 1
    return 0


def _profiles(args: argparse.Namespace) -> int:
    from datarights.profiles import DESCRIPTIONS, profile_table

    if args.markdown:
        print(profile_table(), end="")
        return 0
    for name in PROFILE_NAMES:
        print(f"{name}: {DESCRIPTIONS[name]}")
    return 0


def _assignment(args: argparse.Namespace) -> int:
    from datarights import assignments

    with _working(f"assignment {args.chapter}: executing the teacher version (the student's time: stored results, empty model cache)"):
        made = assignments.generate(args.chapter, args.out, profile=args.profile, nbgrader=args.nbgrader, force=args.force,
                                    seed=args.seed)
    print(f"{made.chapter}: {len(made.exercises)} exercises; teacher version executed in {made.seconds:.0f} s")
    for path in (made.student, made.teacher, made.readme):
        print(f"  {path}")
    return 0


def _grade(args: argparse.Namespace) -> int:
    from datarights import assignments

    assignments.find_key(args.key)
    assignments._check_seconds("--timeout", args.timeout)
    assignments._check_seconds("--total-timeout", args.total_timeout)
    submissions = [p for target in args.submission for p in assignments.submissions_in(target)]
    reports = []
    for path in submissions:
        with _working(f"grading {path}"):
            try:
                report = assignments.grade(path, key=args.key, timeout=args.timeout, total_timeout=args.total_timeout,
                                           cache=args.cache)
            except ValueError as err:  # this submission cannot be graded (not a notebook ...): say so, go on
                report = assignments.GradeReport(path, failed=str(err))
        reports.append(report)
        print(report.render())
    assignments.write_report(reports, csv_path=args.csv, json_path=args.json)
    for kind, path in (("CSV", args.csv), ("JSON", args.json)):
        if path:
            print(f"{kind} report: {path}")
    failed = [r for r in reports if r.failed]
    if failed:
        print(f"error: grading failed for {len(failed)} of {len(reports)} submission(s): "
              + "; ".join(f"{r.submission}: {r.failed}" for r in failed), file=sys.stderr)
        return 1
    return 0


def _gpu(args: argparse.Namespace) -> int:
    from datarights import book
    from datarights.experiments import plan

    _device(args.device)
    if book.current_project() is not None:
        book.use_project()
    if args.list:
        from datarights.cache import Cache

        cache = Cache()
        for part in plan.plan(args.profile, args.seed, data_dir=args.data_dir):
            state = "stored" if part.done(cache) else "to do"
            print(f"{plan.priority(part)}  [{part.chapter}] {state:7s} {part.label}")
        return 0
    report = plan.run_plan(args.profile, deadline=args.deadline, out=args.out, seed=args.seed, device=args.device,
                           data_dir=args.data_dir, n_jobs=args.jobs, progress=_progress)
    counts = report.counts()
    print(f"{args.profile}: {', '.join(f'{n} {k}' for k, n in counts.items())}; archive {report.archive}")
    return 1 if counts.get("failed") else 0


def _seed(text: str) -> int:
    from datarights.validation import SEED_LIMIT

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer in [0, {SEED_LIMIT - 1}], got {text!r}") from None
    if not 0 <= value < SEED_LIMIT:
        raise argparse.ArgumentTypeError(f"must be an integer in [0, {SEED_LIMIT - 1}], got {value}")
    return value


def _seconds(text: str) -> float:
    import math

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds (there is no 'unlimited'), got {text!r}")
    return value


def _prog() -> str:
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    return "python -m datarights" if name in ("", "__main__.py", "-c", "-m") else name


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("datarights")
    except PackageNotFoundError:
        return "unknown (not installed)"


def parser() -> argparse.ArgumentParser:
    prog = _prog()
    formatter = argparse.RawDescriptionHelpFormatter
    p = argparse.ArgumentParser(
        prog=prog, formatter_class=formatter,
        description="The datarights companion: execute chapters, build the book, install data, hand out and grade assignments.",
        epilog=f"examples:\n  {prog} run 01 --profile quick\n  {prog} data all --from FOLDER\n  {prog} <command> --help")
    p.add_argument("--version", action="version", version=f"datarights {_version()}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, summary: str, description: str, examples: list[str]) -> argparse.ArgumentParser:
        text = "\n".join(f"  {prog} {e}" for e in examples)
        return sub.add_parser(name, help=summary, description=description, formatter_class=formatter,
                              epilog=f"examples:\n{text}")

    def execution_options(q: argparse.ArgumentParser) -> None:
        q.add_argument("--profile", choices=PROFILE_NAMES, help="smoke, quick or full (default: full with CUDA, else quick)")
        q.add_argument("--seed", type=_seed, default=0, help="seed of every random choice, an integer in [0, 2**32) (default 0)")
        q.add_argument("--device", default="auto", help="auto (CUDA if available), cpu, cuda or cuda:N (default auto)")
        q.add_argument("--data-dir", help="where datasets live (default: $DATARIGHTS_DATA, else ~/.cache/datarights/data)")

    q = command("run", "execute one chapter",
                "Execute one chapter's notebook (notebooks/NN_slug.py) with papermill and write the executed notebook "
                "to book/chapters/, where the book picks it up.", ["run 01", "run 04 --profile smoke --seed 1"])
    q.add_argument("chapter", help="path, stem (01_foundations) or number (01)")
    execution_options(q)
    q.add_argument("--output", help="where to write the executed notebook (default: book/chapters/NN_slug.ipynb)")
    q.add_argument("--verbose", action="store_true", help="stream the notebook's output")
    q.set_defaults(func=_run)

    q = command("book", "execute stale chapters and build the HTML book",
                "Execute every chapter whose source or library code changed since it was executed, then build "
                "_build/html/index.html with Jupyter Book (execution off).", ["book", "book --only 01 02 --no-build"])
    execution_options(q)
    q.add_argument("--force", action="store_true", help="re-execute every chapter, stale or not")
    q.add_argument("--only", nargs="+", metavar="CHAPTER", help="only these chapters (numbers or stems)")
    q.add_argument("--no-build", action="store_true", help="execute only, do not build the HTML")
    q.set_defaults(func=_book)

    q = command("status", "which chapters are stale",
                "List every chapter with whether its executed notebook is up to date, and why not.",
                ["status", "status --profile full | head -3"])
    q.add_argument("--profile", choices=PROFILE_NAMES, help="also call stale a chapter executed under another profile")
    q.set_defaults(func=_status)

    from datarights.catalog import OFFLINE_NAMES as NAMES

    q = command("data", "install datasets into the data directory",
                "Install a dataset where every loader finds it: the data directory ($DATARIGHTS_DATA, else "
                "~/.cache/datarights/data, or --data-dir). --from installs an offline copy (checked, extracted into "
                "a temporary folder, then renamed into place); --download lets torchvision fetch it (network). "
                f"Datasets: {', '.join(NAMES)}; `all` installs every offline copy found in a folder, `list` says what "
                "is installed.",
                ["data all --from FOLDER", "data mnist --from FOLDER/mnist-idx.tar.gz", "data cifar100 --download",
                 "data list"])
    q.add_argument("name", choices=["all", "list", "digits", *NAMES], metavar="NAME",
                   help=f"all, list or a dataset: {', '.join(NAMES)}")
    q.add_argument("--from", dest="archive", metavar="COPY",
                   help="the offline copy (archive or folder), or for `all` the folder holding the copies")
    q.add_argument("--download", action="store_true", help="let torchvision download it (cifar10, cifar100, mnist)")
    q.add_argument("--force", action="store_true", help="replace an installed copy (even one that passes its checks)")
    q.add_argument("--data-dir", help="target directory (default: $DATARIGHTS_DATA, else ~/.cache/datarights/data)")
    q.set_defaults(func=_data)

    q = command("assignment", "hand a chapter out as a graded exercise sheet",
                "Write the student notebook (solutions stubbed, outputs cleared, plain Markdown), the executed "
                "teacher notebook (the key for `grade`) and a README with the exercises and the measured time.",
                ["assignment 01 --out assignment-01", "assignment 03 --out a03 --nbgrader --force"])
    q.add_argument("chapter", help="path, stem (01_foundations) or number (01)")
    q.add_argument("--out", required=True, help="folder for the student and teacher notebooks and the README")
    q.add_argument("--profile", choices=PROFILE_NAMES, default="quick", help="profile preset in the notebooks (default quick)")
    q.add_argument("--seed", type=_seed, default=0, help="seed of the teacher run, an integer in [0, 2**32) (default 0)")
    q.add_argument("--nbgrader", action="store_true", help="add nbgrader cell metadata")
    q.add_argument("--force", action="store_true",
                   help="replace the assignment files in a folder that is not empty (other files are kept)")
    q.set_defaults(func=_assignment)

    q = command("grade", "grade submissions against the key, points per exercise",
                "Run each submission's solution cells inside the key (the teacher notebook): the exercises and the "
                "check cells come from the key, the submission's own checks are ignored. Each submission runs in a "
                "fresh temporary folder with a scrubbed environment and time limits (not a sandbox: run untrusted "
                "code in a container). Exit status 1 when grading itself failed, not when a student scored 0.",
                ["grade alice.ipynb --key assignment-01", "grade submissions/ --key assignment-01 --csv grades.csv"])
    q.add_argument("submission", nargs="+", help="the students' .ipynb files, or folders of them")
    q.add_argument("--key", required=True,
                   help="the teacher notebook (*-teacher.ipynb) or the assignment folder that holds it")
    q.add_argument("--timeout", type=_seconds, default=600, help="seconds allowed per cell (default 600)")
    q.add_argument("--total-timeout", type=_seconds, default=1800, help="seconds allowed per submission (default 1800)")
    q.add_argument("--csv", help="write one row per submission to this CSV file")
    q.add_argument("--json", help="write the full reports to this JSON file")
    q.add_argument("--cache", help="a folder for the library's caches, shared by the submissions "
                                   "(default: a fresh one per submission)")
    q.set_defaults(func=_grade)

    q = command("gpu", "compute the full profile's results within a deadline (the GPU runner)",
                "Plan every cached result of the unlearning chapters under the profile, compute those not stored yet in "
                "priority order, starting a part only if its estimate (a FLOP count and a throughput probe) fits the "
                "deadline, and rewrite OUT/results.tgz after every part. Run the same command lease after lease; the "
                "chapters then execute from the stored results on any CPU (`make book PROFILE=full`).",
                ["gpu --deadline 520 --out $OUT", "gpu --profile dry --deadline 600 --out /tmp/dry --device cpu",
                 "gpu --list"])
    q.add_argument("--deadline", type=_seconds, default=520, help="seconds this run may take, probe included (default 520)")
    q.add_argument("--out", default="gpu-out", help="folder for results.tgz (default gpu-out)")
    q.add_argument("--profile", choices=("full", "dry"), default="full",
                   help="full (the papers' settings) or dry (the same plan at toy scale, to check it on a CPU)")
    q.add_argument("--seed", type=_seed, default=0, help="seed of the plan, an integer in [0, 2**32) (default 0)")
    q.add_argument("--device", default="auto", help="auto (CUDA if available), cpu, cuda or cuda:N (default auto)")
    q.add_argument("--data-dir", help="where datasets live (default: $DATARIGHTS_DATA, else ~/.cache/datarights/data)")
    q.add_argument("--jobs", type=int, default=1, help="parts computed at once through joblib (default 1)")
    q.add_argument("--list", action="store_true", help="print the plan (priority, chapter, stored or not) and stop")
    q.set_defaults(func=_gpu)

    q = command("profiles", "list the profiles", "The execution profiles and what each runs.", ["profiles", "profiles --markdown"])
    q.add_argument("--markdown", action="store_true", help="print them as the Markdown table of the README and the book")
    q.set_defaults(func=_profiles)
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
    except SystemExit as done:  # --help, --version, or a usage error argparse already reported in one line
        return done.code if isinstance(done.code, int) else 2
    try:
        status = args.func(args)
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        # the reader went away (`status | head`): stop quietly, as a Unix tool killed by SIGPIPE would
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 141
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (UsageError, ValueError, TypeError, FileNotFoundError) as err:
        if os.environ.get("DATARIGHTS_DEBUG"):
            raise
        print(f"error: {_one_line(err)}", file=sys.stderr)
        return 2
    except Exception as err:  # the work failed (a chapter's cell, a build): one line, the details where they were written
        if os.environ.get("DATARIGHTS_DEBUG"):
            raise
        if hasattr(err, "ename") and hasattr(err, "cell_index"):  # papermill: a chapter's cell raised
            what = f"cell {err.cell_index} raised {err.ename}: {_one_line(err.evalue)}"
        else:
            what = f"{type(err).__name__}: {_one_line(err)}"
        print(f"error: {what} (DATARIGHTS_DEBUG=1 shows the traceback)", file=sys.stderr)
        return 1


def _one_line(err: object) -> str:
    text = " ".join(str(err).split())
    return text if len(text) <= 600 else text[:600] + " …"
