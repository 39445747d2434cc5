"""Speed of gated knowledge transfer (GKT): pseudo-batches and student steps per second.

On a CPU: the zero-shot chapter's quick setting (MNIST at 14×14, the small CNN, batch 128, generator
width 32) and, for scale, the authors' generator (width 128) at batch 256 on the same model. On a GPU:
a full 4,000-pseudo-batch run with the authors' MNIST settings (AllCNN trained 25 epochs as in their
notebook, batch 256, generator width 128, β 250), its wall time and rate.

Every pseudo-batch is one generator step and ten student steps on up to 256 generated images, all
in batched tensor operations (no per-image Python).

Run:
    .venv/bin/python benchmarks/gkt_speed.py --pseudo-batches 20 [--threads 1]          # CPU
    DATARIGHTS_DATA=... python3 benchmarks/gkt_speed.py --gpu                             # GPU, 4,000 pseudo-batches
Prints one JSON line per setting (and writes them to --out if given).

Measured on the project's idle 2-core CPU session machine, torch 2.x, one thread
(``--pseudo-batches 20 --threads 1``), 2026-12-02:

    quick setting (MNIST 14×14, small CNN, generator width 32, batch 128):   5.78 pseudo-batches/s, 57.8 student steps/s
    authors' generator (width 128) at batch 256 on the same model:            1.10 pseudo-batches/s, 11.0 student steps/s

Numbers published here before 2026-12-02 were measured with a generator whose width was, by a bug, the
image's width in pixels (8 on digits) whatever the setting said; they are withdrawn. The GPU line
(4,000 pseudo-batches, the authors' MNIST settings) has not been measured: no session has had a GPU.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace

import torch


def _rate(model, input_shape, config, device) -> dict:
    from datarights.unlearning.gkt import gkt

    start = time.perf_counter()
    result = gkt(model, forget_classes=[0], input_shape=input_shape, config=config)
    if device.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    return {"pseudo_batches": config.pseudo_batches, "batch_size": config.batch_size, "generator_width": config.generator_width,
            "seconds": round(seconds, 2), "pseudo_batches_per_s": round(config.pseudo_batches / seconds, 3),
            "student_steps_per_s": round(config.pseudo_batches * config.student_steps / seconds, 2),
            "gate_pass_rate": round(result.extra["pass_rate"], 3), "device": str(device), "threads": torch.get_num_threads()}


def main() -> None:
    from datarights import experiments
    from datarights.experiments import zero_shot

    parser = argparse.ArgumentParser()
    parser.add_argument("--pseudo-batches", type=int, default=20)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--gpu", action="store_true", help="the authors' full MNIST run (4,000 pseudo-batches) on CUDA")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    lines = []
    if args.gpu:
        device = torch.device("cuda")
        study = zero_shot.settings("full")
        setup = experiments.prepare(study.profiles[0], 0, device=device)  # MNIST, AllCNN, the authors' recipe
        lines.append({"setting": "full: MNIST AllCNN, authors' GKT",
                      **_rate(setup.original, setup.splits.train.input_shape, replace(study.gkt, seed=0), device)})
    else:
        device = torch.device("cpu")
        study = zero_shot.settings("quick")
        setup = experiments.prepare(study.profiles[0], 0, device=device)  # MNIST at 14×14, the small CNN
        quick = replace(study.gkt, pseudo_batches=args.pseudo_batches, seed=0)
        shape = setup.splits.train.input_shape
        lines.append({"setting": f"quick: {study.profiles[0].dataset}, small CNN, generator width {quick.generator_width}, "
                                 f"batch {quick.batch_size}", **_rate(setup.original, shape, quick, device)})
        authors = replace(quick, batch_size=256, generator_width=128, student_lr=1e-3)
        lines.append({"setting": f"{study.profiles[0].dataset}, small CNN, authors' generator (width 128), batch 256",
                      **_rate(setup.original, shape, authors, device)})
    for line in lines:
        print(json.dumps(line))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(lines, f, indent=1)


if __name__ == "__main__":
    main()
