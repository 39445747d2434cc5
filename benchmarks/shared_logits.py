"""What one inference pass per model and split saves when a model is measured (issue 17, speed).

Side by side in one run, on one request of a profile (default: quick, MNIST, class 0, seed 0): every
metric of the head-to-head table (``experiments.compare.measure``: split accuracies, both membership
attacks, the relearn time, ZRF, JS divergence, activation distance) of the original and the retrained
model, first with each metric running its own inference passes (as before), then inside
``train.shared_logits()`` (as every cached part now runs). Checks that both give the same row, counts
the images each model's forward passes saw outside relearning, and prints seconds, images and ratios as
one JSON line.

Run: ``.venv/bin/python benchmarks/shared_logits.py [--profile quick] [--seed 0] [--threads 1]``
(reference models come from the model cache, or are trained first).
"""

from __future__ import annotations

import argparse
import json
import time

import torch

from datarights.experiments import compare
from datarights.experiments.setup import prepare
from datarights.train import shared_logits


def _count_images(models: dict[str, torch.nn.Module]) -> tuple[dict[str, int], list]:
    seen = {name: 0 for name in models}
    handles = []
    for name, model in models.items():
        def hook(module, inputs, _output, name=name):
            if module is models[name]:  # the relearn protocol's students are deep copies, hook included: not counted
                seen[name] += len(inputs[0])
        handles.append(model.register_forward_hook(hook))
    return seen, handles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="quick")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    setup = prepare(args.profile, args.seed, device="cpu")
    models = {"original": setup.original, "retrained": setup.retrained}
    results, seconds, images = {}, {}, {}
    for way in ("each metric its own pass", "one pass per split"):
        seen, handles = _count_images(models)
        start = time.perf_counter()
        if way == "one pass per split":
            with shared_logits():
                results[way] = {name: compare.measure(model, setup) for name, model in models.items()}
        else:
            results[way] = {name: compare.measure(model, setup) for name, model in models.items()}
        seconds[way] = time.perf_counter() - start
        images[way] = dict(seen)
        for handle in handles:
            handle.remove()
    before, after = results.values()
    if before != after:
        raise SystemExit("the rows differ between the two ways: " + json.dumps({"before": before, "after": after}, default=str))
    train_size = len(setup.splits.retain_train) + len(setup.splits.forget_train)
    ways = list(results)
    print(json.dumps({
        "profile": args.profile, "seed": args.seed, "dataset": setup.profile.dataset, "training_images": train_size,
        "threads": torch.get_num_threads(),
        "seconds": {way: round(s, 2) for way, s in seconds.items()},
        "images_through_each_model": images,
        "passes_over_the_training_set": {way: {name: round(n / train_size, 2) for name, n in images[way].items()} for way in ways},
        "ratio_seconds": round(seconds[ways[1]] / seconds[ways[0]], 3),
    }))


if __name__ == "__main__":
    main()
