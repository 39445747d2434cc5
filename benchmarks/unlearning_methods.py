"""Wall time of every unlearning method and of retraining, side by side in one run.

For one class request of the chosen profile (the original model trained once, outside the
timing), each method runs ``--repeats`` times through the common signature with the settings
the head-to-head chapter uses, alternating methods within each repeat so that a change of load
on the machine hits all of them alike; retraining from scratch on D_r is timed the same way.
Prints the median seconds, the spread and the ratio to retraining as a Markdown table. Run::

    .venv/bin/python benchmarks/unlearning_methods.py [--profile quick] [--repeats 3] [--forget-class 0]

On the GPU machine use ``--profile full`` (ResNet-18 on CIFAR-10; retraining dominates); not
measured yet, no session so far had the GPU machine.

Measured 2026-11-24 on an idle machine, ``--profile quick --repeats 3`` (47 s wall)::

    Machine: x86_64, 2 CPU cores, 2 torch threads, device cpu; profile quick (digits, small CNN); forget class 0.

    | method | median seconds | min – max | time / retraining |
    |---|---|---|---|
    | retrain | 2.38 | 2.11 – 3.19 | 1.000 |
    | finetune | 0.42 | 0.40 – 0.49 | 0.176 |
    | neggrad | 0.02 | 0.02 – 0.02 | 0.008 |
    | random_labels | 0.31 | 0.29 – 0.34 | 0.128 |
    | unsir | 0.23 | 0.22 – 0.25 | 0.097 |
    | unsir_code | 0.24 | 0.23 – 0.27 | 0.100 |
    | bad_teacher | 0.09 | 0.09 – 0.10 | 0.039 |
    | gkt | 9.61 | 7.94 – 9.87 | 4.041 |
    | emmn | 1.74 | 1.54 – 1.75 | 0.730 |
    | ssd | 0.08 | 0.08 – 0.09 | 0.036 |

On digits retraining the small CNN takes about two seconds, so GKT's 100 pseudo-batches
(4,000 in the paper) cost four retrainings, and the other methods 1–18 % of one.
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
