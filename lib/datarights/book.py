"""The book pipeline: chapter sources → executed notebooks → HTML.

``notebooks/NN_slug.py`` (jupytext percent scripts) are the only chapter sources. Executing a
chapter converts it with jupytext, runs it with papermill under a profile and seed, hides
papermill's injected-parameters cell, strips per-cell timing noise and writes
``book/chapters/NN_slug.ipynb`` with a fingerprint of what produced it. A chapter is *stale*
when its source, or any library module it imports (followed transitively), has changed since,
or when a profile is asked for explicitly and it was executed under another one. The book is
then built by Jupyter Book with execution off, so building never trains a model.
"""

from __future__ import annotations

import ast
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datarights.cache import repository_root

PACKAGE_DIR = Path(__file__).resolve().parent
METADATA_KEY = "datarights"


def _is_project(folder: Path) -> bool:
    """A checkout of the book: ``notebooks/`` beside a ``pyproject.toml`` of the datarights package."""
    project = folder / "pyproject.toml"
    if not (project.is_file() and (folder / "notebooks").is_dir()):
        return False
    try:
        return any(line.replace(" ", "") == 'name="datarights"' for line in project.read_text().splitlines())
    except OSError:
        return False


def current_project(start: Path | None = None) -> Path | None:
    """The checkout that holds the working directory (or ``start``), searching upwards, or None."""
    here = Path(start or Path.cwd()).resolve()
    return next((folder for folder in (here, *here.parents) if _is_project(folder)), None)


def root() -> Path:
    """The project the book commands work on: the checkout holding the working directory, else the
    checkout the library is installed from. Executed chapters, the built HTML and (see
    ``use_project``) cached models and results go there, never into another checkout."""
    found = current_project() or repository_root()
    if found is None:
        raise RuntimeError("the book commands need a checkout of the datarights repository: run them inside one")
    return found


def use_project(project: Path | None = None) -> Path:
    """Point the caches at ``project`` (default ``root()``) when the library is installed from another
    checkout: ``DATARIGHTS_RESULTS`` and ``DATARIGHTS_CACHE`` are set for this process and the kernels it
    starts, unless they are set already. Returns the project."""
    from datarights.cache import MODELS_ENV, RESULTS_ENV

    project = Path(project or root()).resolve()
    installed = repository_root()
    if installed is None or installed.resolve() != project:
        os.environ.setdefault(RESULTS_ENV, str(project / "results"))
        os.environ.setdefault(MODELS_ENV, str(project / ".cache" / "models"))
    return project


@dataclass(frozen=True)
class Chapter:
    """One chapter: its source script and the executed notebook the book renders."""

    source: Path

    @property
    def stem(self) -> str:
        return self.source.stem

    @property
    def number(self) -> str:
        return self.stem.split("_", 1)[0]

    @property
    def output(self) -> Path:
        return self.source.parents[1] / "book" / "chapters" / f"{self.stem}.ipynb"


def chapters(base: Path | None = None) -> list[Chapter]:
    """Every chapter source under ``notebooks/``, in book order."""
    base = base or root()
    return [Chapter(p) for p in sorted((base / "notebooks").glob("[0-9][0-9]_*.py"))]


def find_chapter(name: str | Path, base: Path | None = None) -> Chapter:
    """A chapter by path, stem (``01_foundations``) or number (``01`` or ``1``)."""
    path = Path(name)
    if path.suffix == ".py" and path.is_file():
        return Chapter(path.resolve())
    known = chapters(base)
    key = str(name)
    for chapter in known:
        if key in (chapter.stem, chapter.number) or (key.isdigit() and int(key) == int(chapter.number)):
            return chapter
    raise ValueError(f"unknown chapter {key!r}; known chapters: {[c.stem for c in known]}")


# -- staleness -----------------------------------------------------------------

def _module_file(module: str) -> Path | None:
    parts = module.split(".")
    if parts[0] != "datarights":
        return None
    base = PACKAGE_DIR.joinpath(*parts[1:])
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    return None


def _imports(path: Path, module: str) -> set[str]:
    """Names of the modules ``path`` imports (absolute, relative and ``from pkg import submodule``)."""
    names: set[str] = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names.add(target)
            names.update(f"{target}.{alias.name}" for alias in node.names)
    return names


def library_modules(source: Path) -> dict[str, Path]:
    """The library modules a chapter uses, followed through the library's own imports."""
    found: dict[str, Path] = {}
    queue = sorted(_imports(source, "__chapter__"))
    if any(name == "datarights" or name.startswith("datarights.") for name in queue):
        queue.append("datarights")
    while queue:
        name = queue.pop()
        path = _module_file(name)
        if path is None or name in found:
            continue
        found[name] = path
        parent = name.rpartition(".")[0]
        if parent:
            queue.append(parent)
        queue.extend(_imports(path, name))
    return found


def fingerprint(chapter: Chapter) -> str:
    """SHA-256 over the chapter source and every library module it uses."""
    digest = hashlib.sha256(chapter.source.read_bytes())
    for name, path in sorted(library_modules(chapter.source).items()):
        digest.update(name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def recorded(chapter: Chapter) -> dict[str, Any] | None:
    """What the executed notebook says produced it, or None if there is none."""
    import nbformat

    if not chapter.output.is_file():
        return None
    try:
        return dict(nbformat.read(chapter.output, as_version=4).metadata.get(METADATA_KEY, {})) or None
    except (OSError, ValueError):
        return None


def staleness(chapter: Chapter, profile: str | None = None) -> str | None:
    """Why ``chapter`` must be re-executed, or None if its executed notebook is current."""
    record = recorded(chapter)
    if record is None:
        return "never executed"
    if record.get("fingerprint") != fingerprint(chapter):
        return "source or library changed"
    if profile is not None and record.get("profile") != profile:
        return f"executed under profile {record.get('profile')!r}, {profile!r} asked for"
    return None


# -- execution -----------------------------------------------------------------

def _clean(nb) -> None:
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            cell.metadata["tags"] = [*tags, "remove-cell"]
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    nb.metadata.get("papermill", {}).pop("start_time", None)
    nb.metadata.pop("papermill", None)


@contextmanager
def _kernel_environment():
    """The environment a chapter's kernel starts with: tqdm's bars off (``TQDM_DISABLE``), so no
    progress bar of a library lands in the rendered page. The caller's environment is restored."""
    saved = os.environ.get("TQDM_DISABLE")
    os.environ["TQDM_DISABLE"] = "1"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("TQDM_DISABLE", None)
        else:
            os.environ["TQDM_DISABLE"] = saved


def read_source(chapter: Chapter):
    """The chapter source as a notebook, with the ``python3`` kernel papermill needs."""
    import jupytext

    nb = jupytext.read(chapter.source)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def execute(chapter: Chapter, *, profile: str, seed: int = 0, device: str = "auto", data_dir: str | None = None,
            output: Path | None = None, timeout: int | None = None, log_output: bool = False,
            notebook=None) -> Path:
    """Execute ``chapter`` under ``profile`` and ``seed``; write the executed notebook to ``output``.

    ``notebook`` replaces the chapter source (e.g. the annotated teacher version of an assignment).
    """
    import nbformat
    import papermill

    from datarights.profiles import get

    get(profile)  # fails early on an unknown profile
    output = Path(output) if output is not None else chapter.output
    nb = notebook if notebook is not None else read_source(chapter)
    parameters = {"profile": profile, "seed": seed, "device": device, "data_dir": data_dir}
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        source_nb, executed_nb = Path(tmp) / "in.ipynb", Path(tmp) / "out.ipynb"
        nbformat.write(nb, source_nb)
        try:
            with _kernel_environment():
                papermill.execute_notebook(str(source_nb), str(executed_nb), parameters=parameters, kernel_name="python3",
                                           cwd=str(chapter.source.parents[1]), progress_bar=False, log_output=log_output,
                                           execution_timeout=timeout, extra_arguments=["--IPKernelApp.log_level=ERROR"])
        except papermill.PapermillExecutionError:
            failed = chapter.source.parents[1] / "_build" / "failed" / f"{chapter.stem}.ipynb"
            failed.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(executed_nb, failed)
            print(f"chapter {chapter.stem} failed; the partly executed notebook is {failed}", file=sys.stderr)
            raise
        done = nbformat.read(executed_nb, as_version=4)
    _clean(done)
    done.metadata[METADATA_KEY] = {"fingerprint": fingerprint(chapter), "profile": profile, "seed": seed,
                                   "seconds": round(time.perf_counter() - start, 1)}
    output.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(done, output)
    return output


def stale(*, profile: str | None = None, force: bool = False, only: list[str] | None = None,
          include_current: bool = False) -> list[tuple[Chapter, str | None]]:
    """The chapters to execute and why (``"forced"``, ``"never executed"`` ...), in book order; with
    ``include_current`` also those that are up to date, with reason None."""
    selected = [find_chapter(name) for name in only] if only else chapters()
    found = [(chapter, "forced" if force else staleness(chapter, profile)) for chapter in selected]
    return found if include_current else [(chapter, reason) for chapter, reason in found if reason]


def execute_stale(*, profile: str | None = None, force: bool = False, only: list[str] | None = None,
                  seed: int = 0, device: str = "auto", data_dir: str | None = None) -> list[Chapter]:
    """Execute every chapter that is stale (or all of them with ``force``); return those executed."""
    from datarights.profiles import default_profile

    executed = []
    for chapter, reason in stale(profile=profile, force=force, only=only, include_current=True):
        if reason is None:
            print(f"{chapter.stem}: up to date")
            continue
        chosen = profile or default_profile()
        print(f"{chapter.stem}: executing under profile {chosen!r} ({reason})", flush=True)
        start = time.perf_counter()
        execute(chapter, profile=chosen, seed=seed, device=device, data_dir=data_dir)
        print(f"{chapter.stem}: done in {time.perf_counter() - start:.0f} s", flush=True)
        executed.append(chapter)
    return executed


def build(base: Path | None = None, *, output: Path | None = None, strict: bool = True) -> Path:
    """Build the HTML book with Jupyter Book (execution off); return the path of ``index.html``."""
    base = base or root()
    jb = Path(sys.executable).with_name("jupyter-book")
    command = [str(jb) if jb.exists() else "jupyter-book", "build", str(base), "--builder", "html"]
    if output is not None:
        command += ["--path-output", str(output)]
    if strict:
        command += ["-W", "-n", "--keep-going"]
    env = {**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    subprocess.run(command, check=True, env=env)
    return Path(output or base) / "_build" / "html" / "index.html"
