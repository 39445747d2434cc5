"""Training and evaluation loops shared by every method and chapter.

Full speed on a GPU without special code paths: data stays on the device as
uint8 tensors (``Split``), batches are sliced by index, the forward pass runs under
bf16 autocast with channels-last memory on CUDA, evaluation is batched. On a CPU the
same loops run in float32.
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
import os
import random
import sys
import weakref
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn
from tqdm import tqdm

from datarights.data.regression import LOSSES, Data, batch_at
from datarights.data.tensors import Split, TensorData

LossFn = Callable[[Tensor, Tensor], Tensor]
Loss = Literal["l1", "mse"]


@dataclass(frozen=True)
class TrainConfig:
    """How to train a network: optimiser, schedule, length, augmentation.

    The defaults are a standard fast CIFAR recipe (SGD with Nesterov momentum, one-cycle
    learning rate, crop-and-flip augmentation); each profile sets its own.
    """

    epochs: int = 30
    batch_size: int = 512
    optimizer: Literal["sgd", "adam"] = "sgd"
    lr: float = 0.1
    momentum: float = 0.9
    weight_decay: float = 5e-4
    schedule: Literal["onecycle", "cosine", "constant"] = "onecycle"
    label_smoothing: float = 0.0
    augment: str | None = None
    grad_clip_value: float | None = None

    def __post_init__(self) -> None:
        if self.epochs < 0:
            raise ValueError(f"epochs must be non-negative, got {self.epochs}")
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {self.batch_size}")
        if self.lr <= 0:
            raise ValueError(f"lr must be positive, got {self.lr}")
        if self.optimizer not in ("sgd", "adam"):
            raise ValueError(f"optimizer must be 'sgd' or 'adam', got {self.optimizer!r}")
        if self.schedule not in ("onecycle", "cosine", "constant"):
            raise ValueError(f"schedule must be 'onecycle', 'cosine' or 'constant', got {self.schedule!r}")

    def to_dict(self) -> dict:
        return asdict(self)


def resolve_device(device: str | torch.device | None = "auto") -> torch.device:
    """``"auto"`` (or None) picks CUDA when available, else the CPU."""
    if device is None or device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("device='cuda' requested but CUDA is not available on this machine; use device='cpu' or 'auto'")
    return device


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, NumPy and PyTorch; return a CPU generator for data shuffling."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def data_generator(seed: int, device: torch.device) -> torch.Generator:
    """The generator of a training loop's batch order and augmentation: on the GPU when training there, so
    no random draw makes the host wait for the device; on the CPU otherwise (the numbers every stored CPU
    result was computed with)."""
    on_device = device.type == "cuda" and os.environ.get("DATARIGHTS_DEVICE_DRAWS", "1") != "0"  # 0: the GPU runner's fallback
    return torch.Generator(device=device if on_device else "cpu").manual_seed(seed)


def to_device(model: nn.Module, device: torch.device) -> nn.Module:
    """Move a model to ``device`` (channels-last memory on CUDA)."""
    model = model.to(device)
    if device.type == "cuda":
        model = model.to(memory_format=torch.channels_last)
    return model


def autocast(device: torch.device) -> contextlib.AbstractContextManager:
    """bf16 autocast on CUDA (unless ``DATARIGHTS_AUTOCAST=0``, the GPU runner's fallback), nothing elsewhere.

    bf16 rather than fp16: it keeps float32's exponent range, so small gradients (the recurrent regressors',
    the noise optimisations') do not underflow and no ``GradScaler`` is needed."""
    if device.type == "cuda" and os.environ.get("DATARIGHTS_AUTOCAST", "1") != "0":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


@contextlib.contextmanager
def evaluating(model: nn.Module) -> Iterator[nn.Module]:
    """Put ``model`` in eval mode for the block and restore its previous mode."""
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)


def model_device(model: nn.Module) -> torch.device:
    return next(model.parameters()).device


def make_optimizer(params, config: TrainConfig) -> torch.optim.Optimizer:
    if config.optimizer == "sgd":
        return torch.optim.SGD(params, lr=config.lr, momentum=config.momentum, nesterov=config.momentum > 0,
                               weight_decay=config.weight_decay)
    return torch.optim.Adam(params, lr=config.lr, weight_decay=config.weight_decay)


ONE_CYCLE_WARMUP = 0.25


def _scheduler(optimizer: torch.optim.Optimizer, config: TrainConfig, steps: int):
    if config.schedule == "onecycle" and steps * ONE_CYCLE_WARMUP > 1:  # PyTorch's one-cycle needs a warm-up of > 1 step
        return torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=config.lr, total_steps=steps, pct_start=ONE_CYCLE_WARMUP)
    if config.schedule in ("cosine", "onecycle") and steps > 0:  # too short a run for one-cycle: cosine decay
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
    return None


def _show_progress(progress: bool | None) -> bool:
    return sys.stderr.isatty() if progress is None else progress


def fit(
    model: nn.Module,
    data: Split | TensorData,
    config: TrainConfig,
    *,
    seed: int = 0,
    device: str | torch.device | None = "auto",
    loss_fn: LossFn | None = None,
    progress: bool | None = None,
    desc: str = "train",
) -> nn.Module:
    """Train ``model`` in place on ``data`` with ``config`` and return it.

    ``loss_fn(logits, labels)`` replaces cross-entropy (NegGrad passes its negative).
    ``progress=None`` shows a progress bar only in a terminal.
    """
    if len(data) == 0:
        raise ValueError(f"cannot train on the empty split {data.name!r}")
    device = resolve_device(device)
    model = to_device(model, device)
    if loss_fn is None:
        def loss_fn(logits: Tensor, y: Tensor) -> Tensor:
            return F.cross_entropy(logits, y, label_smoothing=config.label_smoothing)
    generator = data_generator(seed, device)
    optimizer = make_optimizer(model.parameters(), config)
    steps_per_epoch = -(-len(data) // config.batch_size)
    scheduler = _scheduler(optimizer, config, config.epochs * steps_per_epoch)
    model.train()
    bar = tqdm(range(config.epochs), desc=desc, disable=not _show_progress(progress), leave=False)
    for _ in bar:
        for xb, yb in data.batches(config.batch_size, shuffle=True, generator=generator, augment=config.augment, device=device):
            with autocast(device):
                loss = loss_fn(model(xb), yb)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if config.grad_clip_value is not None:
                nn.utils.clip_grad_value_(model.parameters(), config.grad_clip_value)
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
        if not bar.disable:
            bar.set_postfix(loss=float(loss.detach()))
    return model


def eval_batch_size(device: torch.device) -> int:
    """Inference batch: large on a GPU; on a CPU, small enough that activations stay in cache (64 measured fastest)."""
    return 1024 if device.type == "cuda" else 64


_SHARED_LOGITS: contextvars.ContextVar[weakref.WeakKeyDictionary | None] = contextvars.ContextVar("shared_logits", default=None)


@contextlib.contextmanager
def shared_logits() -> Iterator[None]:
    """Within the block, :func:`predict_logits` computes a model's logits on a split once and hands the
    same tensor to every later call, so the accuracies, the membership attacks, ZRF and the divergences
    of one model cost one inference pass per split instead of one per metric.

    A stored pass is reused only while the model's weights and buffers are the very tensors it was
    computed from, unchanged in place (PyTorch's version counters), so a model trained inside the block
    is measured afresh. Entries die with their model. Blocks nest; the outermost one owns the store.
    Writing to ``parameter.data`` bypasses the version counters: never do it to a model measured inside.
    """
    if _SHARED_LOGITS.get() is not None:
        yield
        return
    token = _SHARED_LOGITS.set(weakref.WeakKeyDictionary())
    try:
        yield
    finally:
        _SHARED_LOGITS.reset(token)


def _state_stamp(model: nn.Module) -> tuple:
    tensors = [*model.parameters(), *model.buffers()]
    return tuple((id(t), t._version) for t in tensors)


@torch.no_grad()
def predict_logits(model: nn.Module, data: Split, batch_size: int | None = None) -> Tensor:
    """Logits of ``model`` on every image of ``data`` (float32, on the CPU), in eval mode
    (computed once per model and split inside a :func:`shared_logits` block)."""
    store = _SHARED_LOGITS.get()
    if store is None:
        return _predict_logits(model, data, batch_size)
    key, stamp = (id(data.x), id(data.y), batch_size), _state_stamp(model)
    passes = store.setdefault(model, {})
    held = passes.get(key)
    if held is not None and held[0] is data.x and held[1] is data.y and held[2] == stamp:
        return held[3]
    logits = _predict_logits(model, data, batch_size)
    passes[key] = (data.x, data.y, stamp, logits)
    return logits


def _predict_logits(model: nn.Module, data: Split, batch_size: int | None) -> Tensor:
    return _logits_on_device(model, data, batch_size).cpu()


def _logits_on_device(model: nn.Module, data: Split, batch_size: int | None) -> Tensor:
    device = model_device(model)
    batch_size = batch_size or eval_batch_size(device)
    outputs = []
    with evaluating(model):
        for xb, _ in data.batches(batch_size, device=device):
            with autocast(device):
                outputs.append(model(xb).float())
    if not outputs:
        return torch.empty(0, device=device)
    return torch.cat(outputs)


@torch.no_grad()
def accuracy_on_device(model: nn.Module, data: Split) -> Tensor:
    """:func:`accuracy` as a 0-d float32 tensor on the model's device, read by nobody yet: the host does
    not wait for the GPU (the relearn loop measures after every step and reads the values every k steps)."""
    if len(data) == 0:
        raise ValueError(f"cannot measure accuracy on the empty split {data.name!r}")
    logits = _logits_on_device(model, data, None)
    return (logits.argmax(1) == data.y.to(logits.device)).float().mean()


def predict_proba(model: nn.Module, data: Split, batch_size: int | None = None) -> Tensor:
    """Softmax outputs of ``model`` on ``data`` (N × classes, on the CPU)."""
    return predict_logits(model, data, batch_size).softmax(dim=1)


def accuracy(model: nn.Module, data: Split, *, batch_size: int | None = None, per_batch: int | None = None) -> float:
    """Fraction of ``data`` classified correctly.

    ``per_batch=256`` reproduces the authors' repositories, which average per-batch
    accuracies (batch 256) instead of pooling samples; the two differ only through a
    ragged last batch.
    """
    if len(data) == 0:
        raise ValueError(f"cannot measure accuracy on the empty split {data.name!r}")
    correct = (predict_logits(model, data, batch_size).argmax(1) == data.y.cpu()).float()
    if per_batch is None:
        return float(correct.mean())
    return float(torch.stack([chunk.mean() for chunk in correct.split(per_batch)]).mean())


def evaluate(model: nn.Module, data: Split, *, batch_size: int | None = None) -> dict[str, float]:
    """Accuracy and mean cross-entropy loss of ``model`` on ``data``."""
    logits = predict_logits(model, data, batch_size)
    y = data.y.cpu()
    return {"accuracy": float((logits.argmax(1) == y).float().mean()), "loss": float(F.cross_entropy(logits, y))}


def per_class_accuracy(model: nn.Module, data: Split, num_classes: int, *, batch_size: int | None = None) -> np.ndarray:
    """Accuracy on each class of ``data`` (NaN for a class with no image)."""
    pred = predict_logits(model, data, batch_size).argmax(1).numpy()
    y = data.y.cpu().numpy()
    totals = np.bincount(y, minlength=num_classes).astype(float)
    hits = np.bincount(y[pred == y], minlength=num_classes).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, hits / np.maximum(totals, 1), np.nan)


# -- regression: losses, predictions and the authors' training loop ---------------------------

def check_loss(loss: str) -> None:
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")


def _as_target_shape(prediction: Tensor, y: Tensor) -> Tensor:
    if prediction.shape == y.shape:
        return prediction
    if prediction.numel() == y.numel():
        return prediction.reshape(y.shape)
    raise ValueError(f"model: outputs of shape {tuple(prediction.shape[1:])} per sample cannot be compared with targets of shape "
                     f"{tuple(y.shape[1:])}; a classification model (one output per class) is not a regression model")


def loss_function(loss: Loss = "l1"):
    """The batch loss ``d(prediction, target)``: mean absolute (``"l1"``) or squared (``"mse"``) error,
    whatever the model's output shape (B, 1) or (B,)."""
    check_loss(loss)
    reduce = F.l1_loss if loss == "l1" else F.mse_loss

    def d(prediction: Tensor, target: Tensor) -> Tensor:
        return reduce(_as_target_shape(prediction.float(), target), target.float())

    return d


@torch.no_grad()
def predict_regression(model: nn.Module, data: Data, *, batch_size: int | None = None, augment: str | None = None,
            generator: torch.Generator | None = None) -> Tensor:
    """Predictions of ``model`` (eval mode) on every sample of ``data``, shaped like its targets, on the CPU.

    ``augment="crop_flip"`` predicts on augmented views, as the authors' regression `metrics.py` does on train splits.
    """
    if len(data) == 0:
        raise ValueError(f"data: the split {data.name!r} is empty")
    device = model_device(model)
    batch_size = batch_size or eval_batch_size(device)
    outputs = []
    with evaluating(model):
        for start in range(0, len(data), batch_size):
            xb, yb = batch_at(data, torch.arange(start, min(start + batch_size, len(data))), device=device, augment=augment,
                              generator=generator)
            with autocast(device):
                outputs.append(_as_target_shape(model(xb).float(), yb).cpu())
    return torch.cat(outputs)


def per_sample_errors(model: nn.Module, data: Data, loss: Loss = "l1", **predict_options) -> Tensor:
    """|f(x) − y| (``"l1"``) or (f(x) − y)² (``"mse"``) of each sample, averaged over a forecast's horizon."""
    check_loss(loss)
    gap = predict_regression(model, data, **predict_options) - data.y.cpu().float()
    error = gap.abs() if loss == "l1" else gap.pow(2)
    return error if error.ndim == 1 else error.flatten(1).mean(1)


@dataclass(frozen=True)
class RegressorTraining:
    """How the regression authors train the original, gold and blindspot models: Adam at 0.01, batch 256,
    ``ReduceLROnPlateau(factor 0.1, patience 10)`` stepped on the validation loss once per epoch, and the
    best-validation checkpoint kept. ``select_best=False`` keeps the last epoch instead."""

    epochs: int = 100
    batch_size: int = 256
    lr: float = 0.01
    weight_decay: float = 0.0
    plateau_factor: float = 0.1
    plateau_patience: int = 10
    select_best: bool = True
    augment: str | None = None

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 1 or self.lr <= 0:
            raise ValueError(f"epochs and batch_size must be ≥ 1 and lr positive, got {self}")

    def to_dict(self) -> dict:
        return asdict(self)


def fit_regressor(model: nn.Module, train: Data, config: RegressorTraining = RegressorTraining(), *, val: Data | None = None,
                  loss: Loss = "l1", seed: int = 0, device: str | torch.device | None = None) -> nn.Module:
    """Train ``model`` in place on ``train`` (a ``Split`` or ``RegressionData``) with ``loss`` and return it,
    as the regression authors train (see ``RegressorTraining``).

    After each epoch the mean error on ``val`` steps the plateau scheduler and, with
    ``config.select_best``, the best-validation weights are kept. Without ``val`` the scheduler has
    nothing to watch and the last epoch is kept.
    """
    if len(train) == 0:
        raise ValueError(f"train: cannot train on the empty split {train.name!r}")
    device = resolve_device(device) if device is not None else model_device(model)
    model = to_device(model, device)
    d = loss_function(loss)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=config.plateau_factor,
                                                           patience=config.plateau_patience)
    generator = data_generator(seed, device)
    best, best_state = float("inf"), None
    for _ in range(config.epochs):
        model.train()
        for xb, yb in train.batches(config.batch_size, shuffle=True, generator=generator, augment=config.augment, device=device):
            with autocast(device):
                batch_loss = d(model(xb), yb)
            optimizer.zero_grad(set_to_none=True)
            batch_loss.backward()
            optimizer.step()
        if val is not None and len(val):
            error = float(per_sample_errors(model, val, loss).mean())
            scheduler.step(error)
            if config.select_best and error < best:
                best, best_state = error, copy.deepcopy(model.state_dict())
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return model


# -- relearning: the loop behind the Anamnesis Index, for classifiers and regressors alike ----------

def relearn_loop(student: nn.Module, epoch_batches: Callable[[], Iterator[tuple[Tensor, Tensor]]], loss_fn: LossFn,
                 measure: Callable[[nn.Module], float | Tensor], *, lr: float, epochs: int, stop: Callable[[float], bool] | None = None,
                 max_steps: int | None = None, check_every: int = 1) -> tuple[int, bool, list[float]]:
    """Adam steps (rate ``lr``, no weight decay) on ``student`` in place, over the batches of
    ``epoch_batches()`` (called once per epoch), measuring the student after every step.

    Stops as soon as ``stop(measured)`` holds or after ``max_steps`` steps, else after ``epochs``.
    Returns (steps taken, whether ``stop`` fired, the measured value after each step).

    ``measure`` may return a tensor on the device; its values are then read (one host–device wait)
    every ``check_every`` steps and ``stop`` is applied to each in order, so the step count and values
    are the same for any ``check_every``; only ``student`` may have taken up to ``check_every − 1``
    steps more than the count (pass 1 where the relearned model itself is used afterwards).
    """
    check_every = int(check_every)
    if check_every < 1:
        raise ValueError(f"check_every must be at least 1, got {check_every}")
    device = model_device(student)
    optimizer = torch.optim.Adam(student.parameters(), lr=lr, weight_decay=0.0)
    steps, values, pending = 0, [], []

    def settle() -> int | None:
        """Read the pending measurements; the step at which ``stop`` first fired, if it did."""
        read = [float(v) for v in (torch.stack(pending).tolist() if isinstance(pending[0], Tensor) else pending)]
        pending.clear()
        for value in read:
            values.append(value)
            if stop is not None and stop(value):
                return len(values)
        return None

    for _ in range(epochs):
        for xb, yb in epoch_batches():
            student.train()
            with autocast(device):
                loss = loss_fn(student(xb), yb)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            steps += 1
            pending.append(measure(student))
            last = max_steps is not None and steps >= max_steps
            if len(pending) >= check_every or last:
                fired = settle()
                if fired is not None:
                    return fired, True, values[:fired]
            if last:
                return steps, False, values
    if pending:
        fired = settle()
        if fired is not None:
            return fired, True, values[:fired]
    return steps, False, values
