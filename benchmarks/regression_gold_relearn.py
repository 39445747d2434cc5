"""What relearning the gold model once per request saves in chapter 05's AIN (issue 17, speed).

For one domain of a profile (default: quick, the forecasting domain ETT, seed 0), side by side in one
run: the AIN of every model of the domain's run (original, retrained and each unlearned model) with the
gold model relearned inside every call (as before), and with its relearning measured once
(``RegressionGoldRelearn``) and passed to every call. Checks that both give the same AIN, then prints
the seconds of each and their ratio as one JSON line.

Run: ``.venv/bin/python benchmarks/regression_gold_relearn.py [--profile quick] [--domain forecasting] [--seed 0]``
(reference models come from the model cache, or are trained first).
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace

import torch

from datarights.cache import Cache
from datarights.experiments import regression as rexp
from datarights.metrics import regression as rmetrics
from datarights.settings.regression import settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="quick")
    parser.add_argument("--domain", default="forecasting", help="a domain name of the profile's regression study")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    domains = {d.name: d for d in settings(args.profile).domains}
    if args.domain not in domains:
        parser.error(f"--domain must be one of {sorted(domains)}")
    domain, device = domains[args.domain], torch.device("cpu")
    splits, options = rexp.load_request(domain, None)
    original, gold, _ = rexp.reference_models(domain, splits, options, args.seed, device, Cache(), rexp.data_source(domain))
    models = {"original": original, "retrained": gold,
              **{name: result.model for name, result in rexp.unlearn(domain, original, splits, args.seed).items()}}
    config = replace(domain.relearn, seed=args.seed)
    error = rmetrics.regression_error(original, splits.forget_val, domain.loss)
    common = dict(original_error=error, relearn=splits.train, evaluate_on=splits.forget_val, config=config)

    start = time.perf_counter()
    each = {name: rmetrics.regression_ain(model, gold, **common) for name, model in models.items()}
    seconds_each = time.perf_counter() - start
    start = time.perf_counter()
    once = rmetrics.RegressionGoldRelearn.measure(gold, **common)
    reused = {name: rmetrics.regression_ain(model, once, **common) for name, model in models.items()}
    seconds_once = time.perf_counter() - start
    if reused != each:
        raise SystemExit("the AIN differs between the two ways: " + json.dumps({k: (each[k].index, reused[k].index) for k in each}))
    print(json.dumps({"profile": args.profile, "domain": domain.name, "dataset": domain.dataset, "seed": args.seed,
                      "models": len(models), "threads": torch.get_num_threads(), "gold_relearned_per_model_s": round(seconds_each, 2),
                      "gold_relearned_once_s": round(seconds_once, 2), "ratio": round(seconds_once / seconds_each, 3)}))


if __name__ == "__main__":
    main()
