"""Selective Synaptic Dampening (Foster et al., AAAI 2024), the head-to-head chapter's later method."""

import pytest
import torch

from datarights import metrics, unlearning
from datarights.data import Split
from datarights.unlearning.ssd import SSDConfig, dampen, importance


def _tiny_split(x: torch.Tensor, y: torch.Tensor) -> Split:
    return Split(x, y, (0.5,), (0.25,), "tiny", ("a", "b"))


def test_dampening_touches_only_parameters_that_matter_far_more_to_the_forget_set():
    model = torch.nn.Linear(3, 1)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[1.0, 2.0, 3.0]]))
        model.bias.fill_(4.0)
    forget = {"weight": torch.tensor([[10.0, 1.0, 5.0]]), "bias": torch.tensor([0.0])}
    overall = {"weight": torch.tensor([[0.5, 1.0, 1.0]]), "bias": torch.tensor([1.0])}
    selected = dampen(model, forget, overall, selection=10.0, dampening=1.0)
    # only weight[0] has 10 > 10 × 0.5: it is scaled by 1 × 0.5 / 10; weight[2] (5 ≤ 10) and the bias stay
    assert torch.allclose(model.weight, torch.tensor([[0.05, 2.0, 3.0]]))
    assert model.bias.item() == 4.0 and selected == {"weight": 1, "bias": 0}


def test_importance_is_the_mean_squared_batch_gradient():
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 2))
    x = torch.randint(0, 256, (6, 1, 2, 2), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    data = _tiny_split(x, torch.tensor([0, 1, 0, 1, 1, 0]))
    by_hand = torch.zeros_like(model[1].weight)
    for xb, yb in data.batches(3):
        model.zero_grad()
        torch.nn.functional.cross_entropy(model(xb), yb).backward()
        by_hand += model[1].weight.grad.pow(2) / 2
    assert torch.allclose(importance(model, data, batch_size=3)["1.weight"], by_hand)


def test_ssd_forgets_a_digit_class_and_leaves_the_model_passed_in_unchanged(quick_setup):
    s, model = quick_setup.splits, quick_setup.original
    before = {k: v.clone() for k, v in model.state_dict().items()}
    result = unlearning.ssd(model, forget=s.forget_train, retain=s.retain_train, config=SSDConfig(seed=0, batch_size=64))
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    after = metrics.split_accuracies(result.model, s)
    assert after["forget_test"] < metrics.accuracy(model, s.forget_test)
    assert 0 < result.extra["fraction_selected"] < 0.5, "SSD dampens a minority of the parameters"


def test_ssd_rejects_bad_settings():
    with pytest.raises(ValueError, match="selection"):
        SSDConfig(seed=0, selection=0)
    with pytest.raises(ValueError, match="batch_size"):
        SSDConfig(seed=0, batch_size=0)
