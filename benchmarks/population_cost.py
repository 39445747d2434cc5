"""What chapter 06's forgetting-quality study costs, split into the models it needs and the evaluation.

Reads the stored population entry of a profile (``compare.populations``; computed first if missing),
and reports side by side, on this machine: the seconds of the K retrainings and of each method's K
unlearning runs (as measured when they were made), and the seconds of the evaluation given those
models: the forward passes (re-run here on freshly loaded retrained models) and the scoring of each
method (forgetting quality and U-LiRA with their jackknife, ``compare.score_population``), timed now.

Run: ``.venv/bin/python benchmarks/population_cost.py [--profile quick] [--seed 0]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
import torch

from datarights.cache import Cache
from datarights.experiments import compare
from datarights.experiments.setup import prepare, retrained_model
from datarights.metrics import accuracy, model_outputs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="quick")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    cache = Cache()
    pops = compare.populations(args.profile, args.seed, cache=cache)
    study = compare.settings(args.profile)
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores, {torch.get_num_threads()} torch threads, "
          f"load average {os.getloadavg()[0]:.1f}; profile {args.profile}, seed {args.seed}")
    for scenario in pops.scenarios:
        entry = pops.raw[scenario]
        k, n = pops.k(scenario), len(entry["examples"])
        request = study.requests(scenario)[0]
        setup = prepare(args.profile, args.seed, request=request, cache=cache)
        s = setup.splits
        examples = s.forget_train.subset(entry["examples"])
        models = [retrained_model(setup.profile, m, request, s, setup.device, cache)[0] for m in entry["members"]]
        start = time.perf_counter()
        model_outputs(models, examples)
        outputs_seconds = time.perf_counter() - start
        start = time.perf_counter()
        for model in models:
            accuracy(model, s.retain_train), accuracy(model, s.test)
        utility_seconds = time.perf_counter() - start
        retrain = float(np.sum(entry["retrained"]["seconds"]))
        print(f"\n{scenario} request, K = {k}, {n} forget examples scored\n")
        print("| step | seconds | / one retraining |\n|---|---|---|")
        unit = retrain / k
        print(f"| {k} retrainings (as stored) | {retrain:.1f} | {k:.2f} |")
        scoring_total = 0.0
        for method, data in entry["methods"].items():
            if data["status"] != "ok":
                continue
            start = time.perf_counter()
            compare.score_population(data, entry["retrained"])
            scoring = time.perf_counter() - start
            scoring_total += scoring
            print(f"| {method}: {k} unlearnings (as stored) | {np.sum(data['seconds']):.1f} | {np.sum(data['seconds']) / unit:.2f} |")
            print(f"| {method}: scoring (FQ + U-LiRA, with jackknife) | {scoring:.1f} | {scoring / unit:.2f} |")
        print(f"| forward passes of {k} models on the scored examples | {outputs_seconds:.2f} | {outputs_seconds / unit:.3f} |")
        print(f"| retain and test accuracy of {k} models (utility) | {utility_seconds:.2f} | {utility_seconds / unit:.3f} |")
        print(f"| all scoring | {scoring_total:.1f} | {scoring_total / unit:.2f} |")


if __name__ == "__main__":
    main()
