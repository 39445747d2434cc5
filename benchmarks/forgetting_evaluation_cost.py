"""Cost of the per-example forgetting evaluation against the cost of training one small model.

The competition's forgetting quality and U-LiRA need K unlearned and K retrained models; once
their outputs exist, the metrics are array computations. This script measures, side by side in one
run on the quick profile's digits setting (digits CNN, Adam 3e-3, 30 epochs one-cycle, batch 64;
forget set: a seeded random 10 % of the training images):

- training one model on D_r (the unit: one retrained reference), K times (median and spread);
- one stand-in unlearning run (fine-tuning the original on D_r for one epoch, SGD 0.02);
- the forward passes: each model on D_f (the statistic) and on D_r and the test set (utility);
- the metrics given the (K, n) arrays: ``forgetting_quality``, ``u_lira_cv``, ``retrain_reference``,
  and ``forgetting_quality`` on a synthetic (512, n) pair (the competition's K);

and prints each as seconds and as a fraction of one training. Run::

    .venv/bin/python benchmarks/forgetting_evaluation_cost.py [--k 6] [--seed 0] [--threads 2]

Measured 2026-12-01 on the 2-core machine shared with three other engineers' jobs (load average
about 10), ``--k 6 --threads 1`` (133 s wall; with 2 torch threads under that load a training ran
3–8× slower, so 1 thread; on an idle machine use the default)::

    Machine: x86_64, 2 CPU cores, 1 torch threads, device cpu, load average 10.3; digits, K = 6 per population, forget set 125 random training images.

    | step | seconds | spread | / one training |
    |---|---|---|---|
    | train one model on D_r (unit) | 15.807 | 13.33–18.48 | 1.000 |
    | unlearn one model (fine-tune 1 epoch) | 0.626 |  | 0.040 |
    | forward passes, 12 models on D_f (n=125) | 0.262 |  | 0.017 |
    | forward passes, 12 models on D_r + test (utility) | 2.669 |  | 0.169 |
    | forgetting_quality on (6, 125) arrays | 1.219 |  | 0.077 |
    | u_lira_cv on (6, 125) arrays | 0.018 |  | 0.001 |
    | retrain_reference on (6, 125) | 1.132 |  | 0.072 |
    | forgetting_quality on (512, 125) synthetic arrays | 1.424 |  | 0.090 |
    | whole evaluation given the 12 models | 5.301 | | 0.335 |
    | protocol incl. training K references and K unlearnings | 103.9 | | 6.6 |

    Results (stand-in method): forgetting score 0.114, final 0.115 (utility 1.005); retraining against itself 0.364 (at K/2 = 3 per population, so fewer bins); U-LiRA AUC 0.869, accuracy 0.773.

Given the models, the whole evaluation costs about a third of one training, most of it the
utility forward passes on D_r and the test set; each metric costs under a tenth of a training,
and the competition's K = 512 barely more (the threshold grids, not K, set the cost). The
protocol is dominated by training the K retrained references (and, for a real method, its K
unlearning runs): 6.6 trainings at K = 6, about K trainings in general.
"""

from __future__ import annotations

import argparse
import copy
import os
import platform
import statistics
import sys
import time

import numpy as np
import torch

from datarights import data
from datarights.metrics.forgetting import (
    forgetting_quality,
    model_outputs,
    retrain_reference,
    u_lira_cv,
)
from datarights.models import build
from datarights.train import TrainConfig, fit

TRAIN = TrainConfig(epochs=30, batch_size=64, optimizer="adam", lr=3e-3, weight_decay=0.0, schedule="onecycle")
UNLEARN = TrainConfig(epochs=1, batch_size=32, optimizer="sgd", lr=0.02, schedule="constant")


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=6, help="models per population (≥ 6)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2, help="torch threads (1 on a machine shared with other jobs)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    ds = data.load("digits")
    rng = np.random.default_rng(args.seed)
    is_forget = np.zeros(len(ds.train), dtype=bool)
    is_forget[rng.choice(len(ds.train), size=len(ds.train) // 10, replace=False)] = True
    forget = ds.train.subset(torch.from_numpy(is_forget), "forget_train")
    retain = ds.train.subset(torch.from_numpy(~is_forget), "retain_train")
    shape, classes = ds.input_shape, ds.num_classes

    def train(split, seed):
        return fit(build("digits_cnn", classes, shape, seed=seed), split, TRAIN, seed=seed, device="cpu", progress=False)

    original = train(ds.train, 1000 + args.seed)
    retrained, train_seconds = [], []
    for i in range(args.k):
        model, seconds = timed(train, retain, args.seed * 100 + i)
        retrained.append(model)
        train_seconds.append(seconds)
        print(f"trained {i + 1}/{args.k} in {seconds:.1f} s", file=sys.stderr, flush=True)
    unlearned, unlearn_seconds = [], []
    for i in range(args.k):
        model, seconds = timed(fit, copy.deepcopy(original), retain, UNLEARN, seed=i, device="cpu", progress=False)
        unlearned.append(model)
        unlearn_seconds.append(seconds)
    unit = statistics.median(train_seconds)

    rows = [("train one model on D_r (unit)", unit, f"{min(train_seconds):.2f}–{max(train_seconds):.2f}"),
            ("unlearn one model (fine-tune 1 epoch)", statistics.median(unlearn_seconds), "")]
    models = unlearned + retrained
    conf, t_forget = timed(model_outputs, models, forget)
    correct_r, t_retain = timed(model_outputs, models, retain, output="correct")
    correct_t, t_test = timed(model_outputs, models, ds.test, output="correct")
    rows += [(f"forward passes, {2 * args.k} models on D_f (n={len(forget)})", t_forget, ""),
             (f"forward passes, {2 * args.k} models on D_r + test (utility)", t_retain + t_test, "")]
    u, r = conf[: args.k], conf[args.k:]
    ra, ta = correct_r.mean(1), correct_t.mean(1)
    fq, t_fq = timed(forgetting_quality, u, r, retain_accuracy=(ra[: args.k], ra[args.k:]),
                     test_accuracy=(ta[: args.k], ta[args.k:]))
    lira, t_lira = timed(u_lira_cv, u, r)
    ref, t_ref = timed(retrain_reference, r)
    big = np.random.default_rng(1)
    _, t_big = timed(forgetting_quality, big.normal(size=(512, len(forget))), big.normal(size=(512, len(forget))))
    rows += [(f"forgetting_quality on ({args.k}, {len(forget)}) arrays", t_fq, ""),
             (f"u_lira_cv on ({args.k}, {len(forget)}) arrays", t_lira, ""),
             (f"retrain_reference on ({args.k}, {len(forget)})", t_ref, ""),
             (f"forgetting_quality on (512, {len(forget)}) synthetic arrays", t_big, "")]
    evaluation = t_forget + t_retain + t_test + t_fq + t_lira + t_ref

    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores, {torch.get_num_threads()} torch threads, device cpu, "
          f"load average {os.getloadavg()[0]:.1f}; "
          f"digits, K = {args.k} per population, forget set {len(forget)} random training images.\n")
    print("| step | seconds | spread | / one training |")
    print("|---|---|---|---|")
    for name, seconds, spread in rows:
        print(f"| {name} | {seconds:.3f} | {spread} | {seconds / unit:.3f} |")
    print(f"| whole evaluation given the {2 * args.k} models | {evaluation:.3f} | | {evaluation / unit:.3f} |")
    protocol = args.k * unit + args.k * statistics.median(unlearn_seconds) + evaluation
    print(f"| protocol incl. training K references and K unlearnings | {protocol:.1f} | | {protocol / unit:.1f} |")
    print(f"\nResults (stand-in method): forgetting score {fq.score:.3f}, final {fq.final:.3f} (utility {fq.utility:.3f}); "
          f"retraining against itself {ref.score:.3f} (at K/2 = {args.k // 2} per population, so fewer bins); U-LiRA AUC {lira.auc:.3f}, accuracy {lira.accuracy:.3f}.")


if __name__ == "__main__":
    main()
