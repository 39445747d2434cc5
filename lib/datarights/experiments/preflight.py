"""Checks the GPU runner makes on its machine before the plan, in seconds, with a fallback for each.

The speed paths of the library run only on CUDA: batch order and augmentation drawn on the device
(``train.data_generator``) and bf16 autocast in training, GKT, the noise optimisations, SSD and the
regressors (``train.autocast``). A CPU test suite cannot execute them, and the GPU machine is lent for
minutes, so before its plan the runner executes each path once on toy inputs. A path that fails is
switched off for the rest of the run (``DATARIGHTS_DEVICE_DRAWS=0``: draws on the CPU generator, one
host-device wait per batch; ``DATARIGHTS_AUTOCAST=0``: float32 everywhere): slower, and still the
plan's numbers. What was checked, and what was switched off, goes into the archive's plan log.

The recurrent check measures what autocast does to the LSTM and GRU regressors: under bf16 cuDNN
runs them in bf16 with float32 accumulation. bf16 has float32's exponent range, so gradients do not
underflow the way fp16's do and no ``GradScaler`` is needed; the check records the loss and gradient
differences against float32 and whether every gradient is finite.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F

DRAWS_FLAG = "DATARIGHTS_DEVICE_DRAWS"
AUTOCAST_FLAG = "DATARIGHTS_AUTOCAST"


def _split(device: torch.device, n: int = 64, size: int = 16):
    from datarights.data.tensors import Split

    generator = torch.Generator().manual_seed(0)
    x = torch.randint(0, 256, (n, 3, size, size), dtype=torch.uint8, generator=generator)
    return Split(x, torch.arange(n) % 4, (0.5, 0.5, 0.5), (0.25, 0.25, 0.25), name="preflight").to(device)


def _small_model(device: torch.device) -> torch.nn.Module:
    from datarights import models
    from datarights.train import to_device

    return to_device(models.build("small_cnn", 4, (3, 16, 16), seed=0, width=8), device)


def check_training(device: torch.device) -> None:
    """Two epochs of ``fit`` with crop-and-flip (the batch order and the augmentation are drawn where training runs)."""
    from datarights.train import TrainConfig, fit

    fit(_small_model(device), _split(device), TrainConfig(epochs=2, batch_size=16, augment="crop_flip"), seed=0, device=device, progress=False)


def check_unlearning_paths(device: torch.device) -> None:
    """GKT, UNSIR's noise, SSD and the relearn loop, a few steps each."""
    from datarights.metrics.relearn import RelearnConfig, relearn_time
    from datarights.unlearning import GKTConfig, SSDConfig, error_maximizing_noise, gkt, ssd

    model, data = _small_model(device), _split(device)
    gkt(model, forget_classes=0, input_shape=(3, 16, 16),
        config=GKTConfig(pseudo_batches=2, batch_size=16, z_dim=8, generator_width=8, student_steps=2, eval_every=1, threshold=None, seed=0))
    error_maximizing_noise(model, 0, (4, 3, 16, 16), steps=2)
    forget, retain = data.subset(data.y == 0), data.subset(data.y != 0)
    ssd(model, forget=forget, retain=retain, config=SSDConfig(seed=0))
    relearn_time(model, relearn=forget, evaluate_on=forget, target_accuracy=1.0, config=RelearnConfig(max_epochs=2, batch_size=8, seed=0))


def recurrent_autocast(device: torch.device) -> dict[str, Any]:
    """Loss and gradients of the LSTM pair regressor and the GRU forecaster under ``train.autocast`` against float32."""
    from datarights import models
    from datarights.train import autocast

    generator = torch.Generator().manual_seed(0)
    cases = {
        "lstm_pair_regressor": (models.build("lstm_pair_regressor", 1, (2, 30), seed=0, vocab_size=500, embedding_dim=32, dropout=0.0),
                                torch.randint(1, 500, (64, 2, 30), generator=generator)),
        "gru_forecaster": (models.build("gru_forecaster", 24, (168, 7), seed=0), torch.randn(64, 168, 7, generator=generator)),
    }
    out: dict[str, Any] = {}
    for name, (model, x) in cases.items():
        model, x = model.to(device), x.to(device)
        y = torch.randn(64, *model(x[:1]).shape[1:], generator=generator).to(device)
        results = []
        for mixed in (False, True):
            model.zero_grad(set_to_none=True)
            with autocast(device) if mixed else torch.autocast(device.type, enabled=False):
                prediction = model(x)
            loss = F.mse_loss(prediction.float(), y)
            loss.backward()
            grads = torch.cat([p.grad.flatten() for p in model.parameters() if p.grad is not None])
            results.append((str(prediction.dtype), float(loss.detach()), grads.clone()))
        (_, loss32, grads32), (dtype, loss_mixed, grads_mixed) = results
        out[name] = {"output_dtype": dtype, "loss_float32": loss32, "loss_autocast": loss_mixed,
                     "loss_relative_difference": abs(loss_mixed - loss32) / max(abs(loss32), 1e-12),
                     "gradient_relative_difference": float((grads_mixed - grads32).norm() / grads32.norm().clamp_min(1e-12)),
                     "gradients_finite": bool(torch.isfinite(grads_mixed).all())}
    return out


def _attempt(check: Callable[[torch.device], Any], device: torch.device) -> tuple[bool, Any]:
    try:
        return True, check(device)
    except Exception as error:  # a failing path is switched off, not fatal: the plan still runs
        return False, f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=3)}"


FALLBACKS: tuple[tuple[str, ...], ...] = ((), (DRAWS_FLAG,), (AUTOCAST_FLAG,), (DRAWS_FLAG, AUTOCAST_FLAG))


def _checks(device: torch.device) -> None:
    check_training(device)
    check_unlearning_paths(device)


def preflight(device: torch.device) -> dict[str, Any]:
    """Run the checks on ``device``; on a GPU, if they fail, switch off the fewest speed paths that make
    them pass (draws on the device first, then autocast), through the environment so that worker processes
    inherit it. Returns the paths switched off, each failure met, and the recurrent networks' autocast numbers."""
    report: dict[str, Any] = {"device": str(device), "switched_off": [], "failures": []}
    chosen = {flag: os.environ.get(flag, "1") for flag in (DRAWS_FLAG, AUTOCAST_FLAG)}  # what the user set stays the default
    for flags in FALLBACKS if device.type == "cuda" else ((),):
        for flag, value in chosen.items():
            os.environ[flag] = "0" if flag in flags else value
        ok, detail = _attempt(_checks, device)
        if ok:
            report["switched_off"] = list(flags)
            break
        report["failures"].append({"switched_off": list(flags), "error": detail})
    else:
        report["switched_off"] = list(FALLBACKS[-1]) if device.type == "cuda" else []
    ok, detail = _attempt(recurrent_autocast, device)
    report["recurrent_autocast"] = detail if ok else {"error": detail}
    return report
