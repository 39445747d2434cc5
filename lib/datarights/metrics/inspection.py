"""Looking inside an unlearned model: where its forget-class predictions go, and which layers moved.

Both analyses are the UNSIR paper's (as a third-party summary of the paper lists them): the *prediction distribution* of the unlearned
model on forget-class images (a systematic preference for one retain class leaks information
about the forgotten class), and the *layer-wise weight distance* to the original model, the
quantity the authors' unused ``distance()`` helper was meant to compute (the UNSIR authors' notebook):
√(Σ‖θ − θ₀‖²) per layer, and normalised by √(Σ‖θ₀‖²).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from datarights.data.tensors import Split
from datarights.train import predict_logits
from datarights.validation import check_int, check_model_data, output_size


def prediction_distribution(model: nn.Module, data: Split, num_classes: int) -> np.ndarray:
    """Fraction of ``data`` that ``model`` assigns to each of ``num_classes`` classes (sums to 1)."""
    if len(data) == 0:
        raise ValueError(f"cannot take a prediction distribution over the empty split {data.name!r}")
    check_int(num_classes, "num_classes", minimum=1)
    outputs = output_size(model, tuple(data.x.shape[1:]))
    if outputs != num_classes:
        raise ValueError(f"num_classes={num_classes} does not match the model's {outputs} outputs")
    check_model_data(model, data, "data", num_classes=num_classes)
    predicted = predict_logits(model, data).argmax(1).numpy()
    return np.bincount(predicted, minlength=num_classes) / len(predicted)


def layer_distances(model: nn.Module, reference: nn.Module, *, relative: bool = True) -> dict[str, float]:
    """L2 distance between the weights of each layer of ``model`` and ``reference`` (same architecture).

    One entry per weight tensor of a convolution or linear layer (biases and normalisation
    parameters are left out), in the order of ``named_parameters``; ``relative=True`` divides by
    the reference layer's norm.
    """
    reference_params = dict(reference.named_parameters())
    distances: dict[str, float] = {}
    for name, param in model.named_parameters():
        if param.ndim < 2:
            continue
        if name not in reference_params or reference_params[name].shape != param.shape:
            raise ValueError(f"model and reference differ at parameter {name!r}: they must share one architecture")
        base = reference_params[name].detach().float()
        gap = torch.linalg.vector_norm(param.detach().float() - base.to(param.device))
        distances[name] = float(gap / torch.linalg.vector_norm(base) if relative else gap)
    return distances
