"""How long each chapter's experiments take under a profile from an empty cache, on this machine.

Each chapter runs in its own process with empty result and model caches (temporary folders), so
no chapter profits from another's trained models: the time is what a reader pays who executes
that chapter alone on a fresh checkout. The results are then copied into the repository's
``results/`` (existing entries are kept), so the notebooks execute from them in seconds.
Notebook execution itself (plots, tables, the inline demos) comes on top; the running page
gives both. Writes ``book/chapter_times.md``.

Run: ``.venv/bin/python benchmarks/chapter_times.py [--profile quick] [CHAPTER ...]``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "book" / "chapter_times.md"
CHAPTERS = ("01", "02", "03", "04", "05", "06", "07", "08")

# One child process per chapter: compute every cached entry the chapter reads.
CHILD = """
import sys
from datarights.cache import Cache
from datarights.experiments import plan
chapter, profile = sys.argv[1], sys.argv[2]
if chapter == "04":  # its runner computes the parts on every CPU core, as the chapter does
    from datarights.experiments import zero_shot
    zero_shot.run(profile, 0)
elif chapter == "07":
    from datarights.experiments import tabsyndex
    tabsyndex.run(profile, 0)
elif chapter == "08":
    from datarights.experiments import ecoval
    ecoval.run(profile, 0)
else:
    cache = Cache()
    for group in plan.runners()[chapter](profile, 0, cache=cache).values():
        for part in group:
            try:
                part.get(cache)
            except FileNotFoundError as err:  # an optional dataset (CIFAR-100) that is not installed
                print(f"skipped {part.label}: {err}", file=sys.stderr)
"""


def run_chapter(chapter: str, profile: str) -> tuple[float, int]:
    """Seconds to compute ``chapter``'s results from empty caches, and the number of result entries made."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATARIGHTS_RESULTS": f"{tmp}/results", "DATARIGHTS_CACHE": f"{tmp}/models"}
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", CHILD, chapter, profile], env=env, check=True)
        seconds = time.perf_counter() - start
        made = 0
        for path in Path(tmp, "results").rglob("*"):
            if path.is_file():
                target = ROOT / "results" / path.relative_to(Path(tmp, "results"))
                made += 1
                if not target.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, target)
    return seconds, made


EMPTY_CACHE = "alone, empty caches"


def render(measured: dict, profile: str) -> str:
    """The table of ``book/chapter_times.md`` from the stored measurements (each with its conditions)."""
    machine = f"{platform.machine()}, {os.cpu_count()} CPU cores, no GPU"
    # dates with non-breaking hyphens (U+2011): a narrow column must not break 2026-12-02 over two lines
    rows = [f"| {c} | {m['seconds'] / 60:.1f} min | {m.get('conditions', EMPTY_CACHE)} | {m['load']} | {m['date'].replace('-', chr(0x2011))} |"
            for c, m in sorted(measured.items())]
    alone = [m["seconds"] for m in measured.values() if m.get("conditions", EMPTY_CACHE) == EMPTY_CACHE]
    if len(alone) == len(measured) == len(CHAPTERS):
        rows.append(f"| all | {sum(alone) / 60:.1f} min | sum of the above | | |")
    return "\n".join([
        f"| chapter | its experiments, {profile} profile | conditions | load average | measured |",
        "|---|---|---|---|---|",
        *rows,
        "",
        f"Measured by `benchmarks/chapter_times.py` ({machine}). \"{EMPTY_CACHE}\": the chapter in a fresh process "
        "with empty result and model caches, the budget's definition; one run of the whole book shares models between "
        "chapters and takes less than their sum. Other rows were measured while computing the "
        "book's results and are stated as such (shared caches, so models another chapter trained were reused; two "
        "chapters computed at once, one thread each); the load average is the machine's at the end of the run.",
        "",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", default=list(CHAPTERS), help="chapter numbers (default: all)")
    parser.add_argument("--profile", default="quick", help="profile to time (default: quick)")
    parser.add_argument("--render-only", action="store_true", help="rewrite the table from the stored measurements")
    args = parser.parse_args()
    store = TABLE.with_suffix(".json")
    measured = json.loads(store.read_text()) if store.is_file() else {}
    for chapter in ([] if args.render_only else args.chapters):
        seconds, made = run_chapter(chapter, args.profile)
        measured[chapter] = {"seconds": round(seconds, 1), "entries": made, "profile": args.profile, "conditions": EMPTY_CACHE,
                             "date": datetime.date.today().isoformat(), "load": round(os.getloadavg()[0], 1)}
        print(f"chapter {chapter}: {seconds:.0f} s, {made} files", flush=True)
        store.write_text(json.dumps(measured, indent=1, sort_keys=True) + "\n")
    TABLE.write_text(render(measured, args.profile))
    print(TABLE.read_text())


if __name__ == "__main__":
    main()
