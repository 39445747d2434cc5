"""The GPU runner's plan of the full profile, estimated by priority level at an assumed FLOP rate.

The same estimate ``python -m datarights gpu`` makes before it starts a part (``plan.summary``): each
part's work in training epochs times a FLOP count per training sample (PyTorch's ``FlopCounterMode``),
at least 2 ms per optimiser step, reference models counted once, results already in ``results/``
counted as done. Until a lease has measured the machine's rate (its probe is in the archive's plan
log), the rate is an assumption, stated in the table. Writes ``book/plan_estimate.md``.

Run: ``.venv/bin/python benchmarks/plan_estimate.py [--tflops 100]``.
"""

from __future__ import annotations

import argparse
import datetime
from pathlib import Path

from datarights.experiments import plan as gpu_plan
from datarights.unlearning import GKTConfig

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "book" / "plan_estimate.md"
LEASE = {1: (0, 1, 2)}  # the first lease must deliver these levels; the second, the rest that fits
NETWORKS = {"ResNet-18 (CIFAR stem), one 32-px image": gpu_plan.Unit("resnet18", 10, (3, 32, 32), 1),
            "AllCNN, one MNIST digit": gpu_plan.Unit("allcnn", 10, (1, 28, 28), 1)}


def gkt_pseudo_batches(part) -> int | None:
    """Pseudo-batches of a part's GKT run (chapter 04's methods and ablations, chapter 06's rows), None without GKT."""
    config = part.config
    settings = config.get("gkt") or (config.get("settings") or config.get("config") if "gkt" in str(config.get("method", "")) else None)
    return settings["pseudo_batches"] if settings else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tflops", type=float, default=100.0, help="assumed achieved training throughput, TFLOP/s")
    args = parser.parse_args()
    levels = gpu_plan.summary("full", args.tflops * 1e12)
    first = sum(level.seconds for level in levels if level.priority in LEASE[1])
    total = sum(level.seconds for level in levels)
    rows = "\n".join(f"| {level.priority} | {level.what} | {level.parts} | {level.seconds / 60:.1f} min |" for level in levels)
    runs = [n for n in map(gkt_pseudo_batches, gpu_plan.plan("full")) if n is not None]
    authors = GKTConfig().pseudo_batches
    flops = "; ".join(f"{name}: {gpu_plan.train_flops_per_sample(u) / 1e9:.2f} GFLOP" for name, u in NETWORKS.items())
    TABLE.write_text(
        f"| priority | what | parts | estimate at {args.tflops:g} TFLOP/s |\n|---|---|---|---|\n{rows}\n\n"
        f"Levels 0–2, the first lease: {first / 60:.1f} min; the whole plan: {total / 3600:.1f} h. "
        f"GKT: {len(runs)} runs, {sum(runs):,} pseudo-batches in all ({len(runs) * authors:,} at the authors' {authors:,} each). "
        f"Training FLOPs per sample (forward and backward): {flops}. "
        f"Written by `benchmarks/plan_estimate.py --tflops {args.tflops:g}` on {datetime.date.today():%Y-%m-%d}; "
        "a lease replaces the assumed rate with its probe's.\n")
    print(TABLE.read_text())


if __name__ == "__main__":
    main()
