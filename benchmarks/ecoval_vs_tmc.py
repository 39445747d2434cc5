"""EcoVal (reconstruction) against pyDVL's TMC Data Shapley at equal numbers of model fits, in one run.

For each table: EcoVal's fits (1 + 3p), then TMC Data Shapley stopped at each fit budget (pyDVL
checks the budget after each batch, so it may overshoot slightly; the fits made are printed), and
a random order. Quality is the area under the "highest value removed first" curve on a held-out
test set (lower is better). Fits are hardware-independent; seconds are indicative only. Run::

    .venv/bin/python benchmarks/ecoval_vs_tmc.py [--fits 50 500 5000] [--tables breast_cancer wine digits] [--n 200]

An earlier version of this script compared TMC stopped at 2, 10 and 30 seconds, which favours the
cheap method on a slow machine; chapter 08's experiment 6 compares every method at equal fits
against a Data Shapley reference, which is the measurement to quote.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings

import numpy as np
from datarights.experiments.ecoval import REMOVE, learner, load_split
from datarights.valuation import BudgetConfig, EcoValConfig, Utility, curve_area, ecoval, pydvl_values, removal_curve
from threadpoolctl import threadpool_limits


def area(values: np.ndarray, test: Utility) -> float:
    return curve_area(REMOVE, removal_curve(values, test, REMOVE, highest_first=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", nargs="+", default=["breast_cancer", "wine", "digits"])
    parser.add_argument("--fits", nargs="+", type=int, default=[50, 500, 5000], help="TMC fit budgets")
    parser.add_argument("--n", type=int, default=200, help="training points per table (at most 45 %% of it)")
    parser.add_argument("--clusters", type=int, default=16)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rows = []
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for table in args.tables:
            split = load_split(table, args.n, 150, args.seed)
            test = Utility(learner(), split.train, split.test)
            eco = ecoval(split.train, split.valid, learner=learner(), config=EcoValConfig(n_clusters=args.clusters, seed=args.seed))
            eco_area = area(eco.values, test)
            rand_area = area(np.random.default_rng(args.seed).normal(size=len(split.train[1])), test)
            rows.append((table, len(split.train[1]), "EcoVal (reconstruction)", "-", eco.n_fits, eco.seconds, eco_area, "-"))
            for budget in args.fits:
                start = time.perf_counter()
                tmc = pydvl_values("tmc_shapley", split.train, split.valid, learner=learner(),
                                   budget=BudgetConfig(max_updates=10**9, max_seconds=10**9, max_fits=budget, seed=args.seed))
                tmc_area = area(tmc.values, test)
                rows.append((table, len(split.train[1]), "TMC Data Shapley (pyDVL)", f"{budget:,} fits", tmc.n_fits,
                             time.perf_counter() - start, tmc_area, f"{eco.n_fits / max(tmc.n_fits, 1):.3f}"))
            rows.append((table, len(split.train[1]), "random order", "-", 0, 0.0, rand_area, "-"))
    print(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPU cores, one BLAS thread; "
          f"learner: logistic regression; seed {args.seed}.\n")
    print("| table | n | method | TMC fit budget | fits made | seconds | AUC remove-high (lower is better) | EcoVal fits / TMC fits |")
    print("|---|---|---|---|---|---|---|---|")
    for table, n, method, budget, fits, seconds, auc, ratio in rows:
        print(f"| {table} | {n} | {method} | {budget} | {fits} | {seconds:.2f} | {auc:.3f} | {ratio} |")


if __name__ == "__main__":
    main()
