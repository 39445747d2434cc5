"""Whether a model trained twice with the same seed comes out the same on this CPU, and what breaks it.

Trains chapter 05's vision original (UTKFace, the quick profile's AllCNN regressor) for a few
epochs, three times in one process: twice with PyTorch's default number of threads and once with a
single thread, each from the same seed, and reports the largest weight difference and the
forget-set error of each. Same seed and thread count give identical weights; a different thread
count changes the order of floating-point reductions in the convolutions, and training amplifies
that rounding into different models. So stored results only reproduce bit for bit on a machine
with the same thread count (and library build); the chapters' spreads over seeds, not the last
digit, are what carries over.

Run: ``.venv/bin/python benchmarks/determinism.py [--epochs 3]`` (needs UTKFace in the data directory).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import torch

from datarights.experiments.regression import input_shape, load_request, outputs
from datarights.metrics.regression import regression_error
from datarights.models import build
from datarights.settings.regression import settings
from datarights.train import fit_regressor, seed_everything


def train_once(domain, splits, options, seed: int, threads: int) -> tuple[torch.nn.Module, float, float]:
    torch.set_num_threads(threads)
    seed_everything(seed)
    model = build(domain.model, outputs(splits.train), input_shape(splits.train), seed=seed, **domain.model_options, **options)
    start = time.perf_counter()
    fit_regressor(model, splits.train, domain.original, val=splits.val, loss=domain.loss, seed=seed, device=torch.device("cpu"))
    return model, time.perf_counter() - start, regression_error(model, splits.forget_test, domain.loss)


def largest_difference(a: torch.nn.Module, b: torch.nn.Module) -> float:
    return max(float((p - q).abs().max()) for p, q in zip(a.state_dict().values(), b.state_dict().values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3, help="training epochs of each run (the quick profile trains 25)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    domain = next(d for d in settings("quick").domains if d.name == "vision")
    domain = replace(domain, original=replace(domain.original, epochs=args.epochs))
    splits, options = load_request(domain, None)
    default = torch.get_num_threads()
    runs = {f"{default} threads, run 1": train_once(domain, splits, options, args.seed, default),
            f"{default} threads, run 2": train_once(domain, splits, options, args.seed, default),
            "1 thread": train_once(domain, splits, options, args.seed, 1)}
    reference = next(iter(runs.values()))[0]
    print(f"UTKFace vision original, {args.epochs} epochs, seed {args.seed}, torch {torch.__version__}")
    print("| run | seconds | forget-test error | largest weight difference to run 1 |\n|---|---|---|---|")
    for name, (model, seconds, error) in runs.items():
        print(f"| {name} | {seconds:.1f} | {error:.4f} | {largest_difference(model, reference):.3g} |")


if __name__ == "__main__":
    main()
