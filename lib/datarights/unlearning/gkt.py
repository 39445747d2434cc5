"""Gated knowledge transfer (GKT): zero-shot class unlearning (Chundawat, Tarun, Mandal, Kankanhalli,
"Zero-Shot Machine Unlearning", IEEE TIFS 2023; as the authors' MNIST notebook and `unlearn.py` code it).

No training image is seen. A generator G turns noise z ~ N(0, I) into pseudo-images; the frozen
original model is the teacher T and a *freshly initialised* network of the same architecture is
the student S. Each pseudo-batch x = G(z) passes a gate ("band-pass filter") that keeps only the
images on which the teacher gives the forget classes a total probability of at most a threshold,

    keep_i  ⇔  Σ_{c ∈ C_f} softmax(T(x_i))_c ≤ threshold        (0.01; the zero-shot authors' MNIST notebook and `unlearn.py` step 1),

so knowledge of the forget classes cannot flow to the student. Per pseudo-batch, one generator step
maximises the teacher–student disagreement on the kept images,

    L_G = −KL(softmax(T(x)/τ) ‖ softmax(S(x)/τ)),                                  (the zero-shot authors' MNIST notebook and `unlearn.py` step 2)

then ten student steps on the same z minimise

    L_S = KL(softmax(T(x)/τ) ‖ softmax(S(x)/τ)) + β Σ_l ‖A(a_l^S) − A(a_l^T)‖²      (the zero-shot authors' MNIST notebook and `unlearn.py` step 3)

with A the attention map of Zagoruyko and Komodakis (``datarights.models.activations``), taken with
forward hooks on the teacher's and student's blocks. The KL uses PyTorch's default ``"mean"``
reduction (÷ N·C), the scale the authors' β = 250 was tuned against (the authors' default KL reduction).

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
from datarights.train import autocast, evaluate, evaluating, model_device
from datarights.unlearning.base import UnlearningResult, check_inputs, stopwatch

Variant = Literal["faithful", "strict"]
VARIANTS: dict[str, str] = {
    "faithful": "the authors' notebook: student in eval mode, schedulers on test loss / a constant (reads real test data)",
    "strict": "no real data: student in train mode, constant learning rates, stop after a fixed number of pseudo-batches",
}
KLReduction = Literal["mean", "batchmean"]
SAMPLES_KEPT = 16  # pseudo-images stored in the result for figures
STALL_FACTOR = 10  # give up after this many times max_empty consecutive empty batches, checkpoint resets included
STALE_METRIC = 1.0  # the notebook steps its generator scheduler on a stale constant


@dataclass(frozen=True)
class GKTConfig:
    """GKT settings; the hyper-parameters default to the authors' MNIST notebook's (the zero-shot authors' MNIST notebook and `unlearn.py`), the
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
    """The zero-shot knowledge-transfer generator of the authors' code (the zero-shot authors' MNIST notebook and `unlearn.py`), any square image size.

    z → Linear → (128, s, s) → BN → ×2 → Conv3×3 → BN → LeakyReLU → ×2 → Conv3×3(→64) → BN →
    LeakyReLU → Conv(→channels) → BN. ``s`` is ⌈H/4⌉ and the last kernel is 3×3, except for
    1-channel 28-px images where, as in the authors' code, s = 8 and a 7×7 kernel crops 32 to 28.
    """

    def __init__(self, input_shape: tuple[int, int, int], z_dim: int = 128, width: int = 128):
        super().__init__()
        channels, height, image_width = input_shape
        if height != image_width:
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
    # The teacher enters as log-probabilities: on generated images its probabilities underflow to 0, where
    # the gradient of p·log p through softmax is 0·∞ = NaN and one generator step turns the generator to NaN.
    pointwise = F.kl_div(F.log_softmax(student_logits / temperature, dim=1), F.log_softmax(teacher_logits / temperature, dim=1),
                         reduction="sum", log_target=True)
    # written out: PyTorch announces that "mean" will change to mean "batchmean"
    return pointwise / (student_logits.numel() if reduction == "mean" else len(student_logits))


def _plateau(optimizer: torch.optim.Optimizer) -> torch.optim.lr_scheduler.ReduceLROnPlateau:
    return torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=2)


def gkt(model: nn.Module, *, forget_classes: Iterable[int] | int | None = None, input_shape: Sequence[int] | None = None,
        config: GKTConfig = GKTConfig(), monitor: tuple[Split, Split] | None = None,
        forget: Split | None = None, retain: Split | None = None) -> UnlearningResult:
    """Gated knowledge transfer (Chundawat et al., "Zero-Shot Machine Unlearning", IEEE TIFS 2023): forget
    ``forget_classes`` without any data, by distilling ``model`` into a fresh student on generated images
    that the gate admits (chapter 04, equations ``zs-gate``, ``zs-generator`` and ``zs-student``).

    Parameters
    ----------
    model : nn.Module
        The original classifier, the teacher (not modified).
    forget_classes : int or iterable of int, optional
        The classes to forget.
    input_shape : sequence of int, optional
        (channels, height, width); sizes the generator. May be omitted when ``monitor`` is given.
    config : GKTConfig
        Generator, gate and student settings, the variant (``"strict"``: no data anywhere;
        ``"faithful"``: the authors' notebook) and the run's ``seed`` (required).
    monitor : (Split, Split), optional
        ``(forget_test, retain_test)``: real test data used *only* to record the Df/Dr trajectory every
        ``eval_every`` pseudo-batches, except in the faithful variant, whose scheduler reads it (the
        authors' leak).
    forget, retain : Split, optional
        Exist for the common signature: only the labels of ``forget`` (when ``forget_classes`` is not
        given) and its image shape are read.

    Returns
    -------
    UnlearningResult
        The student and its wall time; ``extra`` holds ``trajectory`` (one dict per evaluation: pseudo-batch,
        gate pass rate, mean generator and student losses, and with ``monitor`` the Df/Dr accuracy and
        loss), ``samples`` (pseudo-images that passed the gate), ``rejected`` (images the gate removed),
        ``pass_rate`` over the run, ``empty_batches`` and ``generator`` (the trained generator).
    """
    check_inputs(model, config, images=False)
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
        run = _Run(config, classes, layers, teacher, student, generator, monitor)
        done = 0
        while done < config.pseudo_batches:
            z = torch.randn(config.batch_size, config.z_dim, device=device)
            _generator_steps(run, z)
            with torch.no_grad(), autocast(device):
                x = generator(z)
                with capture(teacher, layers) as acts:
                    t_logits = teacher(x).float()
            kept = run.admit(x, t_logits)
            if len(kept) == 0:
                run.on_empty_batch()
                continue
            _student_steps(run, x.index_select(0, kept), t_logits.index_select(0, kept),
                           {name: a.index_select(0, kept) for name, a in dict(acts).items()})
            done += 1
            if done % config.eval_every == 0 or done == config.pseudo_batches:
                run.record(done)
        student.eval()

    extra = {
        "forget_classes": classes, "variant": config.variant, "layers": layers, "trajectory": run.trajectory,
        "samples": torch.cat(run.samples)[:SAMPLES_KEPT] if run.samples else torch.empty(0, *input_shape),
        "rejected": torch.cat(run.rejected)[:SAMPLES_KEPT] if run.rejected else torch.empty(0, *input_shape),
        "pass_rate": run.kept / max(run.made, 1), "empty_batches": run.empty_total,
        "generator": generator.eval(), "reads_real_data": run.faithful,
    }
    return UnlearningResult(f"gkt_{config.variant}", student, seconds(), extra)


class _Run:
    """The state of one GKT run: networks, optimisers, the gate's bookkeeping and the trajectory.

    Counts and losses accumulate in a *window* between two trajectory points (every
    ``eval_every`` pseudo-batches), then move to the run's totals. Losses stay on the device until a
    trajectory point reads them, and the gate's decision is read once per batch (the positions it admits),
    so the GPU never waits for the host inside the ten student steps.
    """

    def __init__(self, config: GKTConfig, classes: tuple[int, ...], layers: list[str], teacher: nn.Module, student: nn.Module,
                 generator: Generator, monitor: tuple[Split, Split] | None):
        self.config, self.classes, self.layers, self.monitor = config, classes, layers, monitor
        self.teacher, self.student, self.generator = teacher, student, generator
        self.opt_g = torch.optim.Adam(generator.parameters(), lr=config.generator_lr)
        self.opt_s = torch.optim.Adam(student.parameters(), lr=config.student_lr)
        self.faithful = config.variant == "faithful"
        self.sched_g, self.sched_s = (_plateau(self.opt_g), _plateau(self.opt_s)) if self.faithful else (None, None)
        self.trajectory: list[dict] = []
        self.checkpoint = copy.deepcopy(generator.state_dict())
        self.samples: list[Tensor] = []
        self.rejected: list[Tensor] = []
        self.kept = self.made = 0
        self.empty = self.empty_total = self.stalled = 0
        self._new_window()

    def _new_window(self) -> None:
        self.generator_losses: list[Tensor] = []
        self.student_losses: list[Tensor] = []
        self.window_kept = self.window_made = 0

    def kl(self, student_logits: Tensor, teacher_logits: Tensor) -> Tensor:
        return distillation_kl(student_logits, teacher_logits, self.config.temperature, self.config.kl_reduction)

    def admit(self, x: Tensor, teacher_logits: Tensor) -> Tensor:
        """The positions the gate admits in a generated batch, counted, with a few admitted and rejected
        images kept for figures."""
        keep = gate(teacher_logits.softmax(1), self.classes, self.config.threshold)
        kept = keep.nonzero().squeeze(1)
        self.window_made += len(keep)
        self.window_kept += len(kept)
        if len(self.samples) < SAMPLES_KEPT and len(kept) > 0:
            self.samples.append(x.index_select(0, kept)[: SAMPLES_KEPT].float().cpu())
        if len(self.rejected) < SAMPLES_KEPT and len(kept) < len(keep):
            self.rejected.append(x[~keep][: SAMPLES_KEPT].float().cpu())
        if len(kept) > 0:
            self.empty = self.stalled = 0
        return kept

    def on_empty_batch(self) -> None:
        """The notebook's rescue after ``max_empty`` fully rejected batches (back to the last generator
        checkpoint), and an error where the notebook would loop for ever."""
        self.empty += 1
        self.empty_total += 1
        self.stalled += 1
        if self.stalled > STALL_FACTOR * self.config.max_empty:
            raise RuntimeError(
                f"the gate rejected every generated image for {self.stalled} batches in a row: the teacher gives the forget "
                f"classes {list(self.classes)} more than threshold={self.config.threshold} on everything the generator makes "
                "(an untrained teacher, or too low a threshold)")
        if self.empty > self.config.max_empty:
            self.generator.load_state_dict(self.checkpoint)
            self.empty = 0

    def record(self, done: int) -> None:
        """One trajectory point after ``done`` pseudo-batches; the faithful variant's schedulers step here."""
        point = {"pseudo_batch": done, "pass_rate": self.window_kept / max(self.window_made, 1),
                 "generator_loss": _mean(_read(self.generator_losses)), "student_loss": _mean(_read(self.student_losses))}
        if self.monitor is not None:
            with evaluating(self.student):
                forget_eval, retain_eval = evaluate(self.student, self.monitor[0]), evaluate(self.student, self.monitor[1])
            self.student.train(self.config.variant == "strict")
            point.update(forget_accuracy=forget_eval["accuracy"], retain_accuracy=retain_eval["accuracy"],
                         forget_loss=forget_eval["loss"], retain_loss=retain_eval["loss"])
            if self.faithful:
                self.sched_s.step(retain_eval["loss"])  # the leak: real test data steer the student's learning rate
        if self.faithful:
            self.sched_g.step(STALE_METRIC)
        point.update(generator_lr=self.opt_g.param_groups[0]["lr"], student_lr=self.opt_s.param_groups[0]["lr"])
        self.trajectory.append(point)
        self.checkpoint = copy.deepcopy(self.generator.state_dict())
        self.kept += self.window_kept
        self.made += self.window_made
        self._new_window()


def _generator_steps(run: _Run, z: Tensor) -> None:
    """Train the generator to make images on which student and teacher disagree (maximise their KL),
    on the images the gate admits; stop early when it admits none."""
    device = z.device
    for _ in range(run.config.generator_steps):
        with autocast(device):
            x = run.generator(z)
            with torch.no_grad():
                keep = gate(run.teacher(x).float().softmax(1), run.classes, run.config.threshold)
            kept = keep.nonzero().squeeze(1)
            if len(kept) == 0:
                return
            admitted = x.index_select(0, kept)
            loss = -run.kl(run.student(admitted).float(), run.teacher(admitted).float())
        run.opt_g.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(run.generator.parameters(), run.config.clip_norm)
        run.opt_g.step()
        run.generator_losses.append(loss.detach())


def _student_steps(run: _Run, x: Tensor, teacher_logits: Tensor, teacher_acts: dict[str, Tensor]) -> None:
    """Distil the teacher into the student on the admitted images: KL plus β × the attention-map loss."""
    device = x.device
    for _ in range(run.config.student_steps):
        with autocast(device):
            with capture(run.student, run.layers) as student_acts:
                student_logits = run.student(x).float()
            loss = run.kl(student_logits, teacher_logits)
            if run.config.beta > 0:
                loss = loss + run.config.beta * attention_loss(dict(student_acts), teacher_acts)
        run.opt_s.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(run.student.parameters(), run.config.clip_norm)
        run.opt_s.step()
        run.student_losses.append(loss.detach())


def _read(losses: list[Tensor]) -> list[float]:
    """Losses kept on the device, read at once."""
    return torch.stack(losses).tolist() if losses else []


def _mean(values: list[float]) -> float:
    return float(sum(values) / len(values)) if values else float("nan")
