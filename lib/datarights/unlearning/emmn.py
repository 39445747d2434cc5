"""Error minimising-maximising noise (EMMN): zero-shot class unlearning with learned noise only
(Chundawat, Tarun, Mandal, Kankanhalli, "Zero-Shot Machine Unlearning", IEEE TIFS 2023).

**This is a reconstruction, not the authors' algorithm**: EMMN's code was never published and
the paper's details could not be read (no official code exists). What is built
here follows a third-party summary of the paper:

- for each forget class f, error-*maximising* noise as in UNSIR (the UNSIR authors' notebook),
  N_f = argmin_N −CE(M(N), f) + λ · mean_i ‖N_i‖², λ = 0.1;
- for each retain class r, error-*minimising* noise, a stand-in for the retain data that a
  zero-shot method may not see, N_r = argmin_N CE(M(N), r) (no norm penalty);
- *impair*: one epoch on {(N_f, f)} ∪ {(N_r, r)} at a high learning rate (Adam 0.02, UNSIR's);
- *repair*: one epoch on {(N_r, r)} alone (Adam 0.01).

Both noises start from N(0, 1) in the normalised input space and are learned with Adam at 0.1
against the frozen original model in eval mode. No training image is read.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

import torch
from torch import Tensor, nn

from datarights.data.tensors import Split, TensorData
from datarights.seeds import require_seed, sub_seed
from datarights.train import TrainConfig, fit, model_device
from datarights.unlearning.base import (
    UnlearningResult,
    check_inputs,
    stopwatch,
    working_copy,
)
from datarights.unlearning.gkt import check_forget_classes, num_classes_of
from datarights.unlearning.unsir import error_maximizing_noise, optimize_noise


def _adam(lr: float) -> TrainConfig:
    return TrainConfig(epochs=1, batch_size=256, optimizer="adam", lr=lr, weight_decay=0.0, schedule="constant")


@dataclass(frozen=True)
class EMMNConfig:
    """EMMN settings (our reconstruction, no official code exists); noise settings are UNSIR's (the UNSIR authors' notebook).

    ``noise_images`` per class (forget and retain alike), learned for ``noise_steps`` Adam steps at
    ``noise_lr``; ``noise_penalty`` (λ) weighs the forget noise's energy, ``retain_noise_penalty``
    the retain noise's. ``noise_copies`` copies of each class's noise enter the training sets.
    """

    noise_images: int = 256
    noise_steps: int = 40
    noise_lr: float = 0.1
    noise_penalty: float = 0.1
    retain_noise_penalty: float = 0.0
    noise_copies: int = 20
    impair: TrainConfig = field(default_factory=lambda: _adam(0.02))
    repair: TrainConfig | None = field(default_factory=lambda: _adam(0.01))
    seed: int | None = None

    def __post_init__(self) -> None:
        for name in ("noise_images", "noise_steps", "noise_copies"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.noise_lr <= 0:
            raise ValueError(f"noise_lr must be positive, got {self.noise_lr}")
        if self.noise_penalty < 0 or self.retain_noise_penalty < 0:
            raise ValueError("noise_penalty and retain_noise_penalty must be non-negative")

    def to_dict(self) -> dict:
        return asdict(self)


def error_minimizing_noise(model: nn.Module, target: int, shape: tuple[int, ...], *, steps: int = 40, lr: float = 0.1,
                           penalty: float = 0.0, generator: torch.Generator | None = None) -> tuple[Tensor, list[float]]:
    """Inputs that ``model`` (in eval mode) classifies as ``target`` as confidently as possible.

    Minimises CE(M(N), target) + penalty · mean_i ‖N_i‖² with Adam from N(0, 1): the mirror image
    of UNSIR's error-maximising noise. Returns the noise and the objective after each step.
    """
    return optimize_noise(model, target, shape, direction=1.0, steps=steps, lr=lr, penalty=penalty, generator=generator)


def _noise_set(noises: dict[int, Tensor], copies: int, name: str) -> TensorData:
    x = torch.cat([n.repeat(copies, 1, 1, 1) for n in noises.values()])
    y = torch.cat([torch.full((len(n) * copies,), c, dtype=torch.long, device=n.device) for c, n in noises.items()])
    return TensorData(x, y, name)


def emmn(model: nn.Module, *, forget_classes: Iterable[int] | int | None = None, input_shape: Sequence[int] | None = None,
         config: EMMNConfig = EMMNConfig(), forget: Split | None = None, retain: Split | None = None) -> UnlearningResult:
    """EMMN, error minimisation-maximisation noise (Chundawat et al., "Zero-Shot Machine Unlearning",
    IEEE TIFS 2023), as this book reconstructs it (chapter 04): forget ``forget_classes`` with noise
    learned from ``model`` alone, error-maximising for the forget classes and error-minimising for
    the others, in UNSIR's impair-repair scheme.

    Parameters
    ----------
    model : nn.Module
        The original classifier (not modified).
    forget_classes : int or iterable of int, optional
        The classes to forget.
    input_shape : sequence of int, optional
        (channels, height, width) of the model's images; sizes the noise.
    config : EMMNConfig
        Noise, impair and repair settings and the run's ``seed`` (required).
    forget, retain : Split, optional
        Exist for the common signature: only the labels and image shape of ``forget`` are read, when
        not given otherwise; ``retain`` is never read.

    Returns
    -------
    UnlearningResult
        The repaired model and its wall time; ``extra`` holds the noise per class (a few images each,
        on the CPU), the noise objectives, the impaired model and the wall time of each step.
    """
    check_inputs(model, config, images=False)
    del retain  # zero-shot: never read
    if input_shape is None:
        if forget is None:
            raise ValueError("input_shape is missing: pass (channels, height, width) of the model's images")
        input_shape = forget.input_shape  # the shape only, never an image
    input_shape = tuple(int(v) for v in input_shape)
    device = model_device(model)
    num_classes = num_classes_of(model, input_shape)
    classes = check_forget_classes(forget_classes, num_classes, forget)
    generator = torch.Generator().manual_seed(require_seed(config))
    shape = (config.noise_images, *input_shape)
    with stopwatch(device) as total:
        unlearned = working_copy(model)
        with stopwatch(device) as noise_time:
            maximising, minimising, losses = {}, {}, {}
            for c in range(num_classes):
                if c in classes:
                    maximising[c], losses[c] = error_maximizing_noise(unlearned, c, shape, steps=config.noise_steps, lr=config.noise_lr,
                                                                      penalty=config.noise_penalty, generator=generator)
                else:
                    minimising[c], losses[c] = error_minimizing_noise(unlearned, c, shape, steps=config.noise_steps, lr=config.noise_lr,
                                                                      penalty=config.retain_noise_penalty, generator=generator)
        retain_proxy = _noise_set(minimising, config.noise_copies, "retain_noise")
        forget_noise = _noise_set(maximising, config.noise_copies, "forget_noise")
        impair_data = TensorData(torch.cat([forget_noise.x, retain_proxy.x]), torch.cat([forget_noise.y, retain_proxy.y]), "impair")
        with stopwatch(device) as impair_time:
            fit(unlearned, impair_data, config.impair, seed=require_seed(config), device=device, desc="impair")
        impaired = copy.deepcopy(unlearned)
        with stopwatch(device) as repair_time:
            if config.repair is not None:
                fit(unlearned, retain_proxy, config.repair, seed=sub_seed(require_seed(config), "repair"), device=device, desc="repair")
    extra = {
        "forget_classes": classes, "reconstruction": True,
        "noise": {c: n[:8].cpu() for c, n in {**maximising, **minimising}.items()},
        "noise_loss": losses, "impaired": impaired, "n_impair": len(impair_data), "n_repair": len(retain_proxy),
        "step_seconds": {"noise": noise_time(), "impair": impair_time(), "repair": repair_time()},
    }
    return UnlearningResult("emmn", unlearned, total(), extra)
