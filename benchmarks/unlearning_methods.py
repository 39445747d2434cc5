"""Wall time of every unlearning method and of retraining, side by side in one run.

For one class request of the chosen profile (the original model trained once, outside the
timing), each method runs ``--repeats`` times through the common signature with the settings
the head-to-head chapter uses, alternating methods within each repeat so that a change of load
on the machine hits all of them alike; retraining from scratch on D_r is timed the same way.
Prints the median seconds, the spread and the ratio to retraining as a Markdown table. Run::

    .venv/bin/python benchmarks/unlearning_methods.py [--profile quick] [--repeats 3] [--forget-class 0]

On the GPU machine use ``--profile full`` (ResNet-18 on CIFAR-10; retraining dominates).
The measured table of the last run is kept below.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import torch

from datarights.experiments import compare as head_to_head
from datarights.experiments import prepare
from datarights.profiles import get
from datarights.unlearning import RetrainConfig, retrain


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="quick")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--forget-class", type=int, default=0)
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()

    profile = get(args.profile)
    setup = prepare(profile, 0, forget_classes=(args.forget_class,), device=args.device)
    methods = [m for m in head_to_head.applicable("class") if m != "retrain"]
    seconds: dict[str, list[float]] = {m: [] for m in ["retrain", *methods]}
    s = setup.splits
    for repeat in range(args.repeats):
        for method in ["retrain", *methods]:
            if method == "retrain":
                fresh = setup.fresh_model(seed=repeat)
                result = retrain(fresh, forget=s.forget_train, retain=s.retain_train,
                                 config=RetrainConfig(train=profile.train, seed=repeat))
            else:
                result = head_to_head.run_method(method, setup, head_to_head.method_config(method, profile, repeat))
            seconds[method].append(result.seconds)
    gold = statistics.median(seconds["retrain"])
    threads = torch.get_num_threads()
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores, {threads} torch threads, device {setup.device}; "
          f"profile {profile.name} ({profile.description}); forget class {args.forget_class}; {args.repeats} repeats.\n")
    print("| method | median seconds | min – max | time / retraining |")
    print("|---|---|---|---|")
    for method, values in seconds.items():
        median = statistics.median(values)
        print(f"| {method} | {median:.2f} | {min(values):.2f} – {max(values):.2f} | {median / gold:.3f} |")


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"\nwall time of the benchmark: {time.perf_counter() - start:.0f} s")
