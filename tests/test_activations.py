"""The attention-transfer map shared by GKT and Blindspot (Zagoruyko & Komodakis; both specs)."""

import math

import pytest
import torch

from datarights import models
from datarights.models import activations


def test_attention_map_of_a_conv_activation_matches_a_hand_computation():
    # One sample, two channels, a 1×2 map: channel-mean of squares is [(1+9)/2, (4+16)/2] = [5, 10].
    a = torch.tensor([[[[1.0, 2.0]], [[3.0, 4.0]]]])
    expected = torch.tensor([[5.0, 10.0]]) / math.sqrt(125.0)
    assert torch.allclose(activations.attention_map(a), expected)


def test_attention_difference_is_mean_squared_gap_of_the_maps():
    a = torch.tensor([[[[1.0, 0.0]]]])   # map [1, 0]
    b = torch.tensor([[[[0.0, 2.0]]]])   # map [0, 1]
    assert activations.attention_difference(a, b).item() == pytest.approx((1 + 1) / 2)


def test_two_d_activations_vanish_in_the_authors_mode_and_count_when_fixed():
    a, b = torch.tensor([[1.0, 0.0]]), torch.tensor([[0.0, 3.0]])
    assert activations.attention_difference(a, b, two_d="authors").item() == 0.0
    assert activations.attention_difference(a, b, two_d="fixed").item() == pytest.approx(1.0)


def test_capture_records_named_layers_with_gradients_and_removes_its_hooks():
    model = models.build("allcnn", 10, (1, 28, 28), seed=0)
    layers = activations.default_layers(model)
    assert layers == [f"features.{i}" for i in range(8)]
    with activations.capture(model, layers) as recorded:
        model(torch.randn(2, 1, 28, 28)).sum()
    assert set(recorded) == set(layers) and recorded["features.0"].requires_grad
    model(torch.randn(2, 1, 28, 28))
    assert all(not module._forward_hooks for module in model.modules())


def test_capture_keeps_the_output_sequence_of_an_lstm():
    lstm = torch.nn.Sequential()
    lstm.add_module("rnn", torch.nn.LSTM(4, 6, batch_first=True))
    with activations.capture(lstm, ["rnn"]) as recorded:
        lstm(torch.randn(3, 5, 4))
    assert recorded["rnn"].shape == (3, 5, 6)


def test_bad_layer_requests_raise_clear_errors():
    model = models.build("digits_cnn", 10, (1, 8, 8), seed=0)
    with pytest.raises(ValueError, match="layers: model DigitsCNN has no module 'layer9'"):
        with activations.capture(model, ["layer9"]):
            pass
    with pytest.raises(ValueError, match="non-empty"):
        with activations.capture(model, []):
            pass
    with pytest.raises(ValueError, match="two_d must be one of"):
        activations.attention_map(torch.ones(2, 3), two_d="other")
    with pytest.raises(ValueError, match="pass layers="):
        activations.default_layers(torch.nn.Linear(2, 2))
