"""Checks for the first public boundary: bad input fails at once, with an error that names the
argument and the accepted range, instead of deep in a kernel or as a silent NaN.

Every function raises ``ValueError`` (``TypeError`` for a value of the wrong kind) whose message
starts with the argument's name, and returns the checked value (normalised where that helps:
``check_device`` returns a ``torch.device``), so a call reads ``seed = check_seed(seed)``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

SEED_LIMIT = 2**32


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_int(value: Any, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """An integer in [minimum, maximum] (a float such as 3.0, a string "3" or a bool is refused)."""
    if not _is_int(value):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    value = int(value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        low = "-inf" if minimum is None else minimum
        high = "inf" if maximum is None else maximum
        raise ValueError(f"{name} must be an integer in [{low}, {high}], got {value}")
    return value


def check_seed(seed: Any, name: str = "seed") -> int:
    """A seed NumPy and torch both accept: an integer in [0, 2**32)."""
    return check_int(seed, name, minimum=0, maximum=SEED_LIMIT - 1)


def check_number(value: Any, name: str, *, positive: bool = False, nonnegative: bool = False,
                 low: float | None = None, high: float | None = None) -> float:
    """A finite real number (not NaN or ±inf), optionally > 0, ≥ 0 or within [low, high]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    if positive and value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    if nonnegative and value < 0:
        raise ValueError(f"{name} must be ≥ 0, got {value}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{name} must be in [{low if low is not None else '-inf'}, {high if high is not None else 'inf'}], got {value}")
    return value


def check_fraction(value: Any, name: str) -> float:
    """A number strictly between 0 and 1."""
    value = check_number(value, name)
    if not 0.0 < value < 1.0:
        raise ValueError(f"{name} must be in (0, 1), got {value}")
    return value


def check_config_numbers(config: Any, name: str = "config", *, nonnegative: Iterable[str] = ()) -> Any:
    """Every number field of a (possibly nested) dataclass config is finite; learning rates, epochs,
    steps, batch sizes and other sizes are > 0; fields named in ``nonnegative`` (and weight decay,
    momentum, dropout) may be 0. Returns ``config``.
    """
    import dataclasses

    may_be_zero = {"weight_decay", "momentum", "dropout", "warmup", "noise", "label_smoothing", *nonnegative}
    must_be_positive = ("lr", "learning_rate", "epochs", "steps", "batch_size", "iterations", "temperature")
    if not dataclasses.is_dataclass(config):
        return config
    for f in dataclasses.fields(config):
        value = getattr(config, f.name)
        label = f"{name}.{f.name}"
        if dataclasses.is_dataclass(value):
            check_config_numbers(value, label, nonnegative=nonnegative)
        elif isinstance(value, numbers.Real) and not isinstance(value, bool):
            if not math.isfinite(float(value)):
                raise ValueError(f"{label} must be a finite number, got {value}")
            if any(f.name == p or f.name.endswith("_" + p) for p in must_be_positive) and f.name not in may_be_zero and value <= 0:
                raise ValueError(f"{label} must be > 0, got {value}")
    return config


def check_device(device: Any, name: str = "device"):
    """A device this machine has, as a ``torch.device``: ``"auto"`` (CUDA if available, else CPU),
    ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"mps"``. Checked before any work starts."""
    import torch

    if isinstance(device, torch.device):
        text = str(device)
    elif isinstance(device, str):
        text = device.strip().lower()
    else:
        raise TypeError(f"{name} must be 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps', got {device!r}")
    if text == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        parsed = torch.device(text)
    except RuntimeError:
        raise ValueError(f"{name}={device!r} is not a device: use 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'") from None
    if parsed.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(f"{name}={device!r} but CUDA is not available on this machine: use 'cpu' or 'auto'")
        if parsed.index is not None and parsed.index >= torch.cuda.device_count():
            raise ValueError(f"{name}={device!r} but this machine has {torch.cuda.device_count()} CUDA device(s): "
                             f"use cuda:0..cuda:{torch.cuda.device_count() - 1}")
    elif parsed.type == "mps":
        if not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
            raise ValueError(f"{name}={device!r} but MPS is not available on this machine: use 'cpu' or 'auto'")
    elif parsed.type != "cpu":
        raise ValueError(f"{name}={device!r} is not supported: use 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'")
    return parsed


def check_finite(values: Any, name: str) -> Any:
    """No NaN or ±inf in a tensor, array or pandas table (its numeric columns). Returns ``values``."""
    import numpy as np

    if hasattr(values, "select_dtypes"):  # pandas DataFrame
        numeric = values.select_dtypes(include="number")
        bad = [str(c) for c in numeric.columns if not np.isfinite(numeric[c].to_numpy(dtype=float)).all()]
        if bad:
            raise ValueError(f"{name} has NaN or infinite values in column(s) {bad}: drop or impute them first")
        return values
    if hasattr(values, "is_floating_point"):  # torch tensor
        import torch

        if (values.is_floating_point() or values.is_complex()) and not bool(torch.isfinite(values).all()):
            count = int((~torch.isfinite(values)).sum())
            raise ValueError(f"{name} has {count} NaN or infinite value(s): drop or impute them first")
        return values
    array = np.asarray(values)
    if array.dtype.kind in "fc" and not np.isfinite(array).all():
        raise ValueError(f"{name} has {int((~np.isfinite(array)).sum())} NaN or infinite value(s): drop or impute them first")
    return values


def check_labels(labels: Any, num_classes: int, name: str = "labels") -> Any:
    """Integer class labels, all in [0, num_classes)."""
    import torch

    y = labels if isinstance(labels, torch.Tensor) else torch.as_tensor(labels)
    if y.is_floating_point() or y.dtype == torch.bool:
        raise TypeError(f"{name} must be integer class labels, got dtype {y.dtype}")
    if y.numel():
        low, high = int(y.min()), int(y.max())
        if low < 0 or high >= num_classes:
            raise ValueError(f"{name} must lie in [0, {num_classes - 1}] (the model has {num_classes} classes), "
                             f"got labels from {low} to {high}")
    return labels


def check_nonempty(data: Any, name: str) -> Any:
    """A split, table or array with at least one row."""
    if data is None or len(data) == 0:
        raise ValueError(f"{name} is empty: it needs at least one sample")
    return data


def output_shape(model: Any, input_shape: tuple[int, ...]) -> tuple[int, ...]:
    """The shape of ``model``'s output for one input of ``input_shape`` (a forward pass on two zero inputs in
    eval mode, the model's mode restored); a clear error when the model does not take such inputs."""
    import torch

    param = next(model.parameters())
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            out = model(torch.zeros(2, *input_shape, device=param.device, dtype=param.dtype))
    except RuntimeError as err:
        raise ValueError(f"model does not accept inputs of shape {tuple(input_shape)}: {str(err).splitlines()[0]}") from None
    finally:
        model.train(was_training)
    return tuple(int(d) for d in out.shape[1:])


def output_size(model: Any, input_shape: tuple[int, ...]) -> int:
    """The number of outputs of ``model`` for one input of ``input_shape`` (see ``output_shape``)."""
    return output_shape(model, input_shape)[-1]


def check_model_data(model: Any, data: Any, name: str = "data", *, model_name: str = "model",
                     num_classes: int | None = None) -> Any:
    """``model`` takes the images of ``data`` (a ``Split``) and every label of ``data`` is one of its outputs.

    Uses ``models.check_compatible`` when ``num_classes`` is given; otherwise the model's own output
    size bounds the labels. Returns ``data``.
    """
    check_nonempty(data, name)
    shape = tuple(int(s) for s in data.x.shape[1:])
    if num_classes is not None:
        from datarights.models import check_compatible

        try:
            check_compatible(model, shape, num_classes)
        except ValueError as err:
            raise ValueError(f"{model_name} does not fit {name}: {err}") from None
        outputs = num_classes
    else:
        try:
            outputs = output_size(model, shape)
        except ValueError as err:
            raise ValueError(f"{model_name} does not fit {name}: {err}") from None
    if data.x.is_floating_point():
        check_finite(data.x, f"{name}.x")
    if not data.y.is_floating_point():
        check_labels(data.y, outputs, f"{name} labels")
    return data


__all__ = ["SEED_LIMIT", "check_config_numbers", "check_device", "check_finite", "check_fraction", "check_int",
           "check_labels", "check_model_data", "check_nonempty", "check_number", "check_seed", "output_size"]
