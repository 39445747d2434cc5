"""Output-space comparisons of two models: ZRF, Jensen–Shannon divergence, activation distance.

**ZRF** (Zero Retrain Forgetting, bad-teaching paper): how much the unlearned model's
outputs on forget samples look like those of a *randomly initialised* network T_d,

    ZRF = 1 − (1/n_f) Σ_i JS(M_u(x_i), T_d(x_i)),   JS(p, q) = ½ KL(p‖m) + ½ KL(q‖m),  m = (p + q)/2.   (paper)

The authors' code (bad-teaching ``metrics.py::UnLearningScore``) computes something else:
``0.5·kl_div(log p, m) + 0.5·kl_div(log q, m)`` with PyTorch's default ``reduction="mean"``.
``kl_div(input, target)`` is KL(target‖exp(input)), so the code evaluates

    ZRF_code = 1 − 1/(N·C) Σ_i [½ KL(m_i‖p_i) + ½ KL(m_i‖q_i)],                              (code)

the *reversed* divergence averaged over N·C elements instead of N samples. Values cluster near 1
(0.877 original, 0.930 retrained, 0.994 bad teacher in the authors' notebook). Both variants are
here under their names; ``variant="code"`` is what reproduces the authors' numbers.
The right value to aim for is the retrained model's, not 0 or 1.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import Tensor, nn

from datarights.data.tensors import Split
from datarights.train import predict_proba
from datarights.validation import check_finite, check_model_data


def _check_probabilities(p: Tensor, name: str) -> None:
    check_finite(p, name)
    if bool((p < 0).any()) or not torch.allclose(p.double().sum(dim=1), torch.ones(len(p), dtype=torch.float64), atol=1e-4):
        raise ValueError(f"{name} must hold probabilities: rows of non-negative values summing to 1 (softmax outputs)")


def _check_models(data: Split, **models: nn.Module) -> None:
    for name, model in models.items():
        check_model_data(model, data, "data", model_name=name)

ZRFVariant = Literal["code", "paper"]
ZRF_VARIANTS: dict[str, str] = {
    "code": "authors' code: 1 − mean over N·C of ½KL(m‖p) + ½KL(m‖q)",
    "paper": "paper: 1 − mean over samples of JS(p, q) in nats (≥ 1 − ln 2)",
}


def _kl_rows(p: Tensor, q: Tensor) -> Tensor:
    """KL(p‖q) of each row, with 0·log 0 = 0."""
    return (torch.special.xlogy(p, p) - torch.special.xlogy(p, q)).sum(dim=1)


def js_rows(p: Tensor, q: Tensor) -> Tensor:
    """Jensen–Shannon divergence (nats) between matching rows of two probability matrices."""
    m = 0.5 * (p + q)
    return 0.5 * _kl_rows(p, m) + 0.5 * _kl_rows(q, m)


def zrf_from_probs(p: Tensor, q: Tensor, variant: ZRFVariant = "code") -> float:
    """ZRF of outputs ``p`` (unlearned model) against ``q`` (random network), both N×C probabilities."""
    if p.shape != q.shape or p.ndim != 2:
        raise ValueError(f"p and q must be N×C matrices of the same shape, got {tuple(p.shape)} and {tuple(q.shape)}")
    if len(p) == 0:
        raise ValueError("ZRF needs at least one sample")
    if variant not in ZRF_VARIANTS:
        raise ValueError(f"variant must be one of {sorted(ZRF_VARIANTS)}, got {variant!r}")
    _check_probabilities(p, "p")
    _check_probabilities(q, "q")
    p, q = p.double(), q.double()
    if variant == "paper":
        return float(1.0 - js_rows(p, q).mean())
    if variant == "code":
        m = 0.5 * (p + q)
        # The coded formula takes log p and log q; a probability that underflowed to 0 in float32 would make
        # it −∞. It is taken as float32's smallest normal number instead (it was at most that before
        # underflowing), so one overconfident sample lowers ZRF by a bounded amount.
        floor = torch.finfo(torch.float32).tiny
        reversed_kl = lambda r: (torch.special.xlogy(m, m) - m * torch.log(r.clamp_min(floor))).mean()  # noqa: E731  kl_div(log r, m), "mean"
        return float(1.0 - (0.5 * reversed_kl(p) + 0.5 * reversed_kl(q)))
    raise ValueError(f"variant must be one of {sorted(ZRF_VARIANTS)}, got {variant!r}")


def zrf(model: nn.Module, random_model: nn.Module, data: Split, variant: ZRFVariant = "code") -> float:
    """ZRF of ``model`` against ``random_model`` on ``data`` (the authors use the forget *test* images)."""
    if variant not in ZRF_VARIANTS:
        raise ValueError(f"variant must be one of {sorted(ZRF_VARIANTS)}, got {variant!r}")
    _check_models(data, model=model, random_model=random_model)
    return zrf_from_probs(predict_proba(model, data), predict_proba(random_model, data), variant)


def js_divergence(model_a: nn.Module, model_b: nn.Module, data: Split) -> float:
    """Mean per-sample Jensen–Shannon divergence (nats) between two models' outputs on ``data``."""
    _check_models(data, model_a=model_a, model_b=model_b)
    return float(js_rows(predict_proba(model_a, data).double(), predict_proba(model_b, data).double()).mean())


def activation_distance(model_a: nn.Module, model_b: nn.Module, data: Split) -> float:
    """Mean L2 distance between two models' softmax outputs (bad-teaching ``metrics.py::actv_dist``)."""
    _check_models(data, model_a=model_a, model_b=model_b)
    return float((predict_proba(model_a, data) - predict_proba(model_b, data)).norm(dim=1).mean())
