"""Side-by-side speed of the two things DESIGN.md forbids and what the library does instead.

1. Batches for an epoch: a torch DataLoader over PIL images with per-image torchvision
   transforms (crop, flip, ToTensor, Normalize), the authors' style, against
   ``Split.batches(..., augment="crop_flip")`` on uint8 tensors.
2. Softmax outputs for the membership attack: the authors' ``collect_prob`` loop with batch
   size 1, against ``predict_proba`` (batch 64 on a CPU, 1024 on a GPU).

Run: ``.venv/bin/python benchmarks/data_pipeline.py [--n 10000]``. Prints seconds and ratios
measured in the same process on the same data.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch


def _time(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    from PIL import Image
    from torchvision import transforms

    from datarights import models
    from datarights.data import Split
    from datarights.train import predict_proba

    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    args = parser.parse_args()
    torch.set_num_threads(2)
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (args.n, 32, 32, 3), dtype=np.uint8)
    labels = rng.integers(0, 10, args.n)
    mean, std = (0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010)

    pil = [Image.fromarray(a) for a in images]
    tf = transforms.Compose([transforms.RandomCrop(32, padding=4), transforms.RandomHorizontalFlip(),
                             transforms.ToTensor(), transforms.Normalize(mean, std)])

    class PILDataset(torch.utils.data.Dataset):
        def __len__(self):
            return len(pil)

        def __getitem__(self, i):
            return tf(pil[i]), int(labels[i])

    loader = torch.utils.data.DataLoader(PILDataset(), batch_size=512, shuffle=True, num_workers=0)
    split = Split(torch.from_numpy(images.transpose(0, 3, 1, 2).copy()), torch.from_numpy(labels), mean, std)

    def per_image():
        for _ in loader:
            pass

    def batched():
        for _ in split.batches(512, shuffle=True, augment="crop_flip", generator=torch.Generator().manual_seed(0)):
            pass

    t_loader, t_split = _time(per_image, 1), _time(batched)
    print(f"epoch of {args.n} augmented 32x32 images: DataLoader+PIL transforms {t_loader:.2f} s, "
          f"Split.batches {t_split:.3f} s, ratio {t_loader / t_split:.0f}x")

    model = models.build("digits_cnn", 10, (3, 32, 32), seed=0).eval()
    sub = split.subset(torch.arange(min(args.n, 2000)))

    @torch.no_grad()
    def batch_size_one():
        return [torch.softmax(model(x), 1) for x, _ in sub.batches(1)]

    t_one, t_batched = _time(batch_size_one, 1), _time(lambda: predict_proba(model, sub))
    print(f"softmax outputs of {len(sub)} images (small CNN, CPU): batch size 1 {t_one:.2f} s, "
          f"batched {t_batched:.3f} s, ratio {t_one / t_batched:.0f}x")


if __name__ == "__main__":
    main()
