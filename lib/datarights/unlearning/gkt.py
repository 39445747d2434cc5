"""Gated knowledge transfer (GKT): zero-shot class unlearning (Chundawat, Tarun, Mandal, Kankanhalli,
"Zero-Shot Machine Unlearning", IEEE TIFS 2023; spec ``unsir_badteacher_zeroshot.md`` 3.5 and 3.9).

No training image is seen. A generator G turns noise z ~ N(0, I) into pseudo-images; the frozen
original model is the teacher T and a *freshly initialised* network of the same architecture is
the student S. Each pseudo-batch x = G(z) passes a gate ("band-pass filter") that keeps only the
images on which the teacher gives the forget classes a total probability of at most a threshold,

    keep_i  ⇔  Σ_{c ∈ C_f} softmax(T(x_i))_c ≤ threshold        (0.01; spec 3.5 step 1),

so knowledge of the forget classes cannot flow to the student. Per pseudo-batch, one generator step
maximises the teacher–student disagreement on the kept images,

    L_G = −KL(softmax(T(x)/τ) ‖ softmax(S(x)/τ)),                                  (spec 3.5 step 2)

then ten student steps on the same z minimise

    L_S = KL(softmax(T(x)/τ) ‖ softmax(S(x)/τ)) + β Σ_l ‖A(a_l^S) − A(a_l^T)‖²      (spec 3.5 step 3)

with A the attention map of Zagoruyko and Komodakis (``datarights.models.activations``), taken with
forward hooks on the teacher's and student's blocks. The KL uses PyTorch's default ``"mean"``
reduction (÷ N·C), the scale the authors' β = 250 was tuned against (spec 4.2.3).

Two named variants:

- ``"faithful"``: what the authors' MNIST notebook runs. The student stays in eval mode (its
  BatchNorm layers keep their initial running statistics), the student's plateau scheduler steps
  on the *retain-test loss* and the generator's on a constant (so its learning rate halves every
  150 pseudo-batches until PyTorch's ``eps`` stops it). This reads real test data: a leak in a
  method called zero-shot, which the book flags. It therefore needs ``monitor=``.
- ``"strict"``: no real data anywhere. Student in train mode, constant learning rates, and the
  declared stopping rule "stop after ``pseudo_batches``". ``monitor=`` only records the trajectory.

The pseudo-batch is generated once after the generator step and its teacher outputs are reused for
the ten student steps: the authors regenerate it each call from the same z and an unchanged G in
train mode, which gives the same images, so this is their computation done once.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from datarights.data.tensors import Split
from datarights.models import reinitialize
from datarights.models.activations import attention_loss, capture, default_layers
from datarights.seeds import require_seed, sub_seed
from datarights.train import evaluate, evaluating, model_device
from datarights.unlearning.base import UnlearningResult, stopwatch

Variant = Literal["faithful", "strict"]
VARIANTS: dict[str, str] = {
    "faithful": "the authors' notebook: student in eval mode, schedulers on test loss / a constant (reads real test data)",
    "strict": "no real data: student in train mode, constant learning rates, stop after a fixed number of pseudo-batches",
}
KLReduction = Literal["mean", "batchmean"]
SAMPLES_KEPT = 16  # pseudo-images stored in the result for figures
STALL_FACTOR = 10  # give up after this many times max_empty consecutive empty batches, checkpoint resets included


@dataclass(frozen=True)
class GKTConfig:
    """GKT settings; the hyper-parameters default to the authors' MNIST notebook's (spec 3.5), the
    variant to ``strict``, the method as the paper describes it (no real data anywhere);
    ``variant="faithful"`` reproduces the notebook's quirks and needs ``monitor=`` data.

    ``threshold`` is the gate on the teacher's summed forget-class probability (None: no gate,
    an ablation). ``pseudo_batches`` of ``batch_size`` generated images, each used for
    ``generator_steps`` generator and ``student_steps`` student updates; ``eval_every`` is the
    interval of the trajectory (and of the faithful variant's scheduler steps). ``layers``: the
    modules whose attention maps are matched (None: ``default_layers``). ``max_empty``: after more
    consecutive fully gated-out batches the generator is reset to its last checkpoint (the notebook's rule).
    ``generator_width``: channels of the generator's first convolutions (the authors' 128; smaller for tests).
    """

    variant: Variant = "strict"
    pseudo_batches: int = 4000
    batch_size: int = 256
    z_dim: int = 128
    generator_width: int = 128
    generator_steps: int = 1
    student_steps: int = 10
    threshold: float | None = 0.01
    temperature: float = 1.0
    beta: float = 250.0
    generator_lr: float = 1e-3
    student_lr: float = 1e-3
    clip_norm: float = 5.0
    eval_every: int = 50
    layers: tuple[str, ...] | None = None
    kl_reduction: KLReduction = "mean"
    max_empty: int = 100
    seed: int | None = None

    def __post_init__(self) -> None:
        if self.variant not in VARIANTS:
            raise ValueError(f"variant must be one of {list(VARIANTS)}, got {self.variant!r}")
        if self.threshold is not None and not 0.0 < self.threshold < 1.0:
            raise ValueError(f"threshold must lie in (0, 1) (or be None for no gate), got {self.threshold}")
        for name in ("pseudo_batches", "batch_size", "z_dim", "generator_width", "eval_every", "max_empty"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        for name in ("generator_steps", "student_steps"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be non-negative, got {getattr(self, name)}")
        for name in ("temperature", "generator_lr", "student_lr", "clip_norm"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if self.beta < 0:
            raise ValueError(f"beta must be non-negative, got {self.beta}")
        if self.kl_reduction not in ("mean", "batchmean"):
            raise ValueError(f"kl_reduction must be 'mean' or 'batchmean', got {self.kl_reduction!r}")

    def to_dict(self) -> dict:
        return asdict(self)


class Generator(nn.Module):
    """The zero-shot knowledge-transfer generator of the authors' code (spec 3.5), any square image size.

    z → Linear → (128, s, s) → BN → ×2 → Conv3×3 → BN → LeakyReLU → ×2 → Conv3×3(→64) → BN →
    LeakyReLU → Conv(→channels) → BN. ``s`` is ⌈H/4⌉ and the last kernel is 3×3, except for
    1-channel 28-px images where, as in the authors' code, s = 8 and a 7×7 kernel crops 32 to 28.
    """

    def __init__(self, input_shape: tuple[int, int, int], z_dim: int = 128, width: int = 128):
        super().__init__()
        channels, height, width = input_shape
        if height != width:
            raise ValueError(f"input_shape must be square (channels, size, size), got {input_shape}")
        self.init_size = 8 if (channels, height) == (1, 28) else math.ceil(height / 4)
        kernel = 4 * self.init_size + 3 - height  # padding 1: output = 4s + 2 − k + 1 = H
        self.z_dim = z_dim
        self.width = width
        self.project = nn.Linear(z_dim, width * self.init_size ** 2)
        self.body = nn.Sequential(
            nn.BatchNorm2d(width),
            nn.Upsample(scale_factor=2),
            nn.Conv2d(width, width, 3, padding=1), nn.BatchNorm2d(width), nn.LeakyReLU(0.2, inplace=True),
            nn.Upsample(scale_factor=2),
            nn.Conv2d(width, width // 2, 3, padding=1), nn.BatchNorm2d(width // 2), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(width // 2, channels, kernel, padding=1), nn.BatchNorm2d(channels),
        )

    def forward(self, z: Tensor) -> Tensor:
        return self.body(self.project(z).view(-1, self.width, self.init_size, self.init_size))


def num_classes_of(model: nn.Module, input_shape: Sequence[int]) -> int:
    """The number of outputs of ``model`` on an input of ``input_shape``."""
    with evaluating(model), torch.no_grad():
        return int(model(torch.zeros(2, *input_shape, device=model_device(model))).shape[1])


def check_forget_classes(forget_classes: Iterable[int] | int | None, num_classes: int, forget: Split | None = None) -> tuple[int, ...]:
    """The sorted forget classes, or a ValueError naming ``forget_classes``."""
    if forget_classes is None:
        if forget is None:
            raise ValueError("forget_classes is missing: name the classes to forget")
        forget_classes = forget.y.unique().tolist()  # the labels only: no image is read
    classes = (forget_classes,) if isinstance(forget_classes, int) else tuple(int(c) for c in forget_classes)
    if not classes:
        raise ValueError("forget_classes is empty: name at least one class to forget")
    unknown = [c for c in classes if not 0 <= c < num_classes]
    if unknown:
        raise ValueError(f"forget_classes {unknown} unknown: the model has classes 0..{num_classes - 1}")
    if len(set(classes)) >= num_classes:
        raise ValueError("forget_classes names every class: nothing would be retained")
    return tuple(sorted(set(classes)))


def check_layers(model: nn.Module, layers: Sequence[str] | None) -> list[str]:
    """``layers`` (default: ``default_layers(model)``), each checked to exist in ``model``."""
    names = list(layers) if layers is not None else default_layers(model)
    modules = dict(model.named_modules())
    missing = [name for name in names if name not in modules or name == ""]
    if missing:
        raise ValueError(f"layers {missing} not found in {type(model).__name__}; some of its modules: {[n for n in modules if n][:12]}")
    return names


def gate(teacher_probs: Tensor, forget_classes: Sequence[int], threshold: float | None) -> Tensor:
    """Boolean mask of the samples whose summed forget-class probability is at most ``threshold`` (None: all)."""
    if threshold is None:
        return torch.ones(len(teacher_probs), dtype=torch.bool, device=teacher_probs.device)
    return teacher_probs[:, list(forget_classes)].sum(dim=1) <= threshold


def distillation_kl(student_logits: Tensor, teacher_logits: Tensor, temperature: float, reduction: KLReduction = "mean") -> Tensor:
    """KL(softmax(T/τ) ‖ softmax(S/τ)) with PyTorch's ``kl_div`` reduction (``"mean"``: ÷ N·C, the authors')."""
    pointwise = F.kl_div(F.log_softmax(student_logits / temperature, dim=1), F.softmax(teacher_logits / temperature, dim=1),
                         reduction="sum")
    # written out: PyTorch announces that "mean" will change to mean "batchmean"
    return pointwise / (student_logits.numel() if reduction == "mean" else len(student_logits))


def _plateau(optimizer: torch.optim.Optimizer) -> torch.optim.lr_scheduler.ReduceLROnPlateau:
    return torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=2)


def gkt(model: nn.Module, *, forget_classes: Iterable[int] | int | None = None, input_shape: Sequence[int] | None = None,
        config: GKTConfig = GKTConfig(), monitor: tuple[Split, Split] | None = None,
        forget: Split | None = None, retain: Split | None = None) -> UnlearningResult:
    """Forget ``forget_classes`` of ``model`` without any data, by gated knowledge transfer to a fresh student.

    ``input_shape`` (channels, height, width) sizes the generator; it may be omitted when ``monitor``
    is given. ``monitor = (forget_test, retain_test)``: real test data used *only* to record the
    Df/Dr trajectory every ``eval_every`` pseudo-batches, except in the faithful variant, whose
    scheduler reads it (the authors' leak). ``forget``/``retain`` exist for the common signature:
    only the labels of ``forget`` (when ``forget_classes`` is not given) and its image shape are read.

    ``result.extra``: ``trajectory`` (one dict per evaluation: pseudo-batch, gate pass rate, mean
    generator and student losses, and with ``monitor`` the Df/Dr accuracy and loss),
    ``samples`` (pseudo-images that passed the gate), ``rejected`` (images the gate removed),
    ``pass_rate`` over the run, ``empty_batches``, ``generator`` (the trained generator).
    """
    del retain  # zero-shot: never read
    if config.variant == "faithful" and monitor is None:
        raise ValueError("monitor is required by variant='faithful': the authors' scheduler steps on the retain-test loss; "
                         "use variant='strict' for a method that sees no data")
    if input_shape is None:
        known = monitor[0] if monitor is not None else forget  # only the shape is read, never an image
        if known is None:
            raise ValueError("input_shape is missing: pass (channels, height, width) of the model's images")
        input_shape = known.input_shape
    input_shape = tuple(int(v) for v in input_shape)
    if len(input_shape) != 3:
        raise ValueError(f"input_shape must be (channels, height, width), got {input_shape}")
    device = model_device(model)
    classes = check_forget_classes(forget_classes, num_classes_of(model, input_shape), forget)
    layers = check_layers(model, config.layers)

    with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []), stopwatch(device) as seconds:
        torch.manual_seed(require_seed(config))
        teacher = copy.deepcopy(model).eval().requires_grad_(False)
        student = reinitialize(copy.deepcopy(model), seed=sub_seed(require_seed(config), "student")).requires_grad_(True)
        student.train(config.variant == "strict")
        generator = Generator(input_shape, config.z_dim, config.generator_width).to(device).train()
        opt_g = torch.optim.Adam(generator.parameters(), lr=config.generator_lr)
        opt_s = torch.optim.Adam(student.parameters(), lr=config.student_lr)
        faithful = config.variant == "faithful"
        sched_g, sched_s = (_plateau(opt_g), _plateau(opt_s)) if faithful else (None, None)
        kl = lambda s, t: distillation_kl(s, t, config.temperature, config.kl_reduction)  # noqa: E731

        trajectory: list[dict] = []
        checkpoints: dict[int, dict] = {0: copy.deepcopy(generator.state_dict())}
        window = {"generator": [], "student": [], "kept": 0, "made": 0}
        totals = {"kept": 0, "made": 0}
        samples: list[Tensor] = []
        rejected: list[Tensor] = []
        done, empty, empty_total, stalled = 0, 0, 0, 0
        constant_metric = 1.0  # the notebook steps its generator scheduler on a stale constant

        def teacher_pass(x: Tensor) -> tuple[Tensor, dict[str, Tensor]]:
            with capture(teacher, layers) as acts, torch.no_grad():
                logits = teacher(x)
            return logits, dict(acts)

        while done < config.pseudo_batches:
            z = torch.randn(config.batch_size, config.z_dim, device=device)
            for _ in range(config.generator_steps):
                x = generator(z)
                with torch.no_grad():
                    keep = gate(teacher(x).softmax(1), classes, config.threshold)
                if not bool(keep.any()):
                    break
                loss_g = -kl(student(x[keep]), teacher(x[keep]))
                opt_g.zero_grad(set_to_none=True)
                loss_g.backward()
                nn.utils.clip_grad_norm_(generator.parameters(), config.clip_norm)
                opt_g.step()
                window["generator"].append(float(loss_g.detach()))
            with torch.no_grad():
                x = generator(z)
            t_logits, t_acts = teacher_pass(x)
            keep = gate(t_logits.softmax(1), classes, config.threshold)
            window["made"] += len(keep)
            window["kept"] += int(keep.sum())
            if len(samples) < SAMPLES_KEPT and bool(keep.any()):
                samples.append(x[keep][: SAMPLES_KEPT].cpu())
            if len(rejected) < SAMPLES_KEPT and not bool(keep.all()):
                rejected.append(x[~keep][: SAMPLES_KEPT].cpu())
            if not bool(keep.any()):
                empty += 1
                empty_total += 1
                stalled += 1
                if stalled > STALL_FACTOR * config.max_empty:  # the notebook would loop for ever here
                    raise RuntimeError(
                        f"the gate rejected every generated image for {stalled} batches in a row: the teacher gives the forget "
                        f"classes {list(classes)} more than threshold={config.threshold} on everything the generator makes "
                        "(an untrained teacher, or too low a threshold)")
                if empty > config.max_empty:  # the notebook's rescue: back to the last generator checkpoint
                    generator.load_state_dict(checkpoints[max(checkpoints)])
                    empty = 0
                continue
            empty = stalled = 0
            x_kept, t_kept = x[keep], t_logits[keep]
            t_acts = {name: a[keep] for name, a in t_acts.items()}
            for _ in range(config.student_steps):
                with capture(student, layers) as s_acts:
                    s_logits = student(x_kept)
                loss_s = kl(s_logits, t_kept)
                if config.beta > 0:
                    loss_s = loss_s + config.beta * attention_loss(dict(s_acts), t_acts)
                opt_s.zero_grad(set_to_none=True)
                loss_s.backward()
                nn.utils.clip_grad_norm_(student.parameters(), config.clip_norm)
                opt_s.step()
                window["student"].append(float(loss_s.detach()))
            done += 1
            if done % config.eval_every == 0 or done == config.pseudo_batches:
                point = {"pseudo_batch": done, "pass_rate": window["kept"] / max(window["made"], 1),
                         "generator_loss": _mean(window["generator"]), "student_loss": _mean(window["student"])}
                if monitor is not None:
                    with evaluating(student):
                        forget_eval, retain_eval = evaluate(student, monitor[0]), evaluate(student, monitor[1])
                    student.train(config.variant == "strict")
                    point.update(forget_accuracy=forget_eval["accuracy"], retain_accuracy=retain_eval["accuracy"],
                                 forget_loss=forget_eval["loss"], retain_loss=retain_eval["loss"])
                    if faithful:
                        sched_s.step(retain_eval["loss"])  # the leak: real test data steer the student's learning rate
                if faithful:
                    sched_g.step(constant_metric)
                point.update(generator_lr=opt_g.param_groups[0]["lr"], student_lr=opt_s.param_groups[0]["lr"])
                trajectory.append(point)
                checkpoints = {done: copy.deepcopy(generator.state_dict())}
                totals["kept"] += window["kept"]
                totals["made"] += window["made"]
                window = {"generator": [], "student": [], "kept": 0, "made": 0}
        student.eval()

    extra = {
        "forget_classes": classes, "variant": config.variant, "layers": layers, "trajectory": trajectory,
        "samples": torch.cat(samples)[:SAMPLES_KEPT] if samples else torch.empty(0, *input_shape),
        "rejected": torch.cat(rejected)[:SAMPLES_KEPT] if rejected else torch.empty(0, *input_shape),
        "pass_rate": totals["kept"] / max(totals["made"], 1), "empty_batches": empty_total,
        "generator": generator.eval(), "reads_real_data": faithful,
    }
    return UnlearningResult(f"gkt_{config.variant}", student, seconds(), extra)


def _mean(values: list[float]) -> float:
    return float(sum(values) / len(values)) if values else float("nan")
