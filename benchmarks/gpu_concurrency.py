"""Whether several trainings at once pay on one GPU, and in which form (issue 17, speed).

Side by side in one run, for each k in ``--ways``: k independent trainings of the same network (the
runner's throughput probe: ResNet-18 at 32 px, batch 256, SGD, bf16 autocast and channels-last on
CUDA) for ``--seconds`` each, run (a) in one process one after the other, (b) in k processes at once
(what ``python -m datarights gpu --jobs k`` does through joblib), (c) in one process on k CUDA streams,
one step of each in turn. Prints the images per second of each form and its ratio to (a) as one JSON
line; a ratio above 1 is what running trainings together gains.

Run on the GPU machine: ``python benchmarks/gpu_concurrency.py [--ways 1 2 4] [--seconds 10]``;
on a CPU it runs as a check of itself (``--device cpu --seconds 1 --batch 8``), streams skipped.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import time

import torch


def _make(device: torch.device, batch: int, width: float):
    from datarights import models
    from datarights.train import to_device

    model = to_device(models.build("resnet18", 10, (3, 32, 32), seed=0, width=width), device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(batch, 3, 32, 32, device=device)
    if device.type == "cuda":
        x = x.to(memory_format=torch.channels_last)
    y = torch.randint(0, 10, (batch,), device=device)
    return model, optimizer, x, y


def _step(model, optimizer, x, y, device: torch.device) -> None:
    from datarights.train import autocast

    with autocast(device):
        loss = torch.nn.functional.cross_entropy(model(x), y)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def train_for(device_name: str, seconds: float, batch: int, width: float) -> int:
    """Images one training pushes through in ``seconds`` (after one warm-up step)."""
    device = torch.device(device_name)
    if device.type == "cpu":
        torch.set_num_threads(1)
    model, optimizer, x, y = _make(device, batch, width)
    _step(model, optimizer, x, y, device)
    _sync(device)
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        _step(model, optimizer, x, y, device)
        steps += 1
        if steps % 10 == 0:
            _sync(device)
    _sync(device)
    return steps * batch


def on_streams(device: torch.device, ways: int, seconds: float, batch: int, width: float) -> int:
    """Images ``ways`` trainings push through in ``seconds`` in one process, each on its own CUDA stream."""
    runs = [_make(device, batch, width) for _ in range(ways)]
    streams = [torch.cuda.Stream(device) for _ in range(ways)]
    for run, stream in zip(runs, streams):
        with torch.cuda.stream(stream):
            _step(*run, device)
    _sync(device)
    rounds, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for run, stream in zip(runs, streams):
            with torch.cuda.stream(stream):
                _step(*run, device)
        rounds += 1
        if rounds % 10 == 0:
            _sync(device)
    _sync(device)
    return rounds * ways * batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ways", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--width", type=float, default=1.0, help="ResNet-18 channel multiplier (1: the full profile's)")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = parser.parse_args()
    device = torch.device(args.device)
    alone = train_for(args.device, args.seconds, args.batch, args.width) / args.seconds
    out: dict = {"device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu", "batch": args.batch,
                 "seconds": args.seconds, "one_training_images_per_s": round(alone), "ways": {}}
    context = mp.get_context("spawn")
    for ways in args.ways:
        row: dict = {}
        with context.Pool(ways) as pool:
            images = pool.starmap(train_for, [(args.device, args.seconds, args.batch, args.width)] * ways)
        row["processes_images_per_s"] = round(sum(images) / args.seconds)
        row["processes_ratio"] = round(sum(images) / args.seconds / alone, 3)
        if device.type == "cuda":
            streamed = on_streams(device, ways, args.seconds, args.batch, args.width) / args.seconds
            row["streams_images_per_s"], row["streams_ratio"] = round(streamed), round(streamed / alone, 3)
        out["ways"][ways] = row
    print(json.dumps(out))


if __name__ == "__main__":
    main()
