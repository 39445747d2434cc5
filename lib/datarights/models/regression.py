"""Regression networks of deep regression unlearning (the authors' ``models.py``).

Every model returns a tensor of shape (batch, outputs); its ``activation_layers`` attribute names
the modules whose outputs Blindspot's attention loss compares (the authors' ``unlearn.py``), read through the forward
hooks of :mod:`datarights.models.activations` (the model's ``forward`` never returns them).

- ``allcnn_regressor``: the authors' AllCNN with one output (L = 8 activations: c1 … c8).
- ``resnet18_regressor``: torchvision's ResNet-18 from random init with one output (L = 9: the stem,
  then each of the eight BasicBlocks).
- ``lstm_pair_regressor``: the STS-B LSTMnetwork: one shared LSTM (hidden 64) over both sentences,
  dropout 0.3 on each output sequence, the last steps concatenated, then 128→64→32→16→1 (L = 4:
  the two sequences and the two pre-ReLU hidden layers, whose 2-D maps vanish in the authors' mode,
  see :mod:`datarights.models.activations`). A trainable embedding replaces GloVe; pre-trained vectors can be passed in.
- ``gru_forecaster``: a small GRU encoder with a linear head to a whole horizon (L = 2).
- ``mlp_regressor``: an MLP for tabular data (L = number of hidden layers, all 2-D).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn


def allcnn_regressor(num_outputs: int = 1, input_shape: tuple[int, int, int] = (3, 32, 32), *, width: float = 1.0) -> nn.Module:
    """AllCNN (the authors' ``models.py``) with ``num_outputs`` regression outputs; ``width`` scales its 96/192 channels."""
    from datarights.models import AllCNN

    model = AllCNN(num_outputs, tuple(input_shape), width=width)
    model.activation_layers = tuple(f"features.{i}" for i in range(8))
    return model


def resnet18_regressor(num_outputs: int = 1, input_shape: tuple[int, int, int] = (3, 32, 32), *, width: float = 1.0) -> nn.Module:
    """torchvision ResNet-18, random init, ``num_outputs`` outputs: the authors' ``ResNet18``; ``width`` < 1
    scales its channels (the dry profile)."""
    from datarights.models import scaled_resnet18

    model = scaled_resnet18(num_outputs, input_shape[0], width=width, cifar_stem=False)
    model.activation_layers = ("relu", *(f"layer{s}.{b}" for s in range(1, 5) for b in range(2)))
    return model


class LSTMPairRegressor(nn.Module):
    """The authors' STS-B ``LSTMnetwork`` (their ``models.py``) over token ids of shape (batch, 2, tokens)."""

    def __init__(self, num_outputs: int = 1, input_shape: tuple[int, int] = (2, 10), *, vocab_size: int,
                 embedding_dim: int = 300, hidden: int = 64, dropout: float = 0.3, vectors: Tensor | None = None,
                 freeze_vectors: bool = False):
        super().__init__()
        if vocab_size < 2:
            raise ValueError(f"vocab_size must be at least 2 (padding and one word), got {vocab_size}")
        if tuple(input_shape)[:1] != (2,):
            raise ValueError(f"input_shape must be (2, tokens) for a sentence pair, got {input_shape}")
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        if vectors is not None:
            if tuple(vectors.shape) != (vocab_size, embedding_dim):
                raise ValueError(f"vectors must have shape ({vocab_size}, {embedding_dim}), got {tuple(vectors.shape)}")
            self.embedding.weight.data.copy_(vectors)
            self.embedding.weight.requires_grad_(not freeze_vectors)
        self.lstm = nn.LSTM(embedding_dim, hidden, batch_first=True)
        self.drop1, self.drop2 = nn.Dropout(dropout), nn.Dropout(dropout)
        self.linear1, self.linear2 = nn.Linear(2 * hidden, 64), nn.Linear(64, 32)
        self.linear3, self.out = nn.Linear(32, 16), nn.Linear(16, num_outputs)
        self.activation_layers = ("drop1", "drop2", "linear1", "linear2")

    def forward(self, tokens: Tensor) -> Tensor:
        first = self.drop1(self.lstm(self.embedding(tokens[:, 0]))[0])
        second = self.drop2(self.lstm(self.embedding(tokens[:, 1]))[0])
        h = torch.cat([first[:, -1], second[:, -1]], dim=1)
        h = torch.relu(self.linear2(torch.relu(self.linear1(h))))
        return self.out(torch.relu(self.linear3(h)))


def lstm_pair_regressor(num_outputs: int = 1, input_shape: tuple[int, int] = (2, 10), **options) -> nn.Module:
    return LSTMPairRegressor(num_outputs, tuple(input_shape), **options)


class GRUForecaster(nn.Module):
    """Encoder GRU over (batch, time, features), a linear head from its last state to the horizon."""

    def __init__(self, num_outputs: int, input_shape: tuple[int, int], *, hidden: int = 64, layers: int = 1):
        super().__init__()
        self.gru = nn.GRU(input_shape[1], hidden, num_layers=layers, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, num_outputs))
        self.activation_layers = ("gru", "head.0")

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.gru(x)[0][:, -1])


def gru_forecaster(num_outputs: int = 24, input_shape: tuple[int, int] = (168, 4), **options) -> nn.Module:
    return GRUForecaster(num_outputs, tuple(input_shape), **options)


class MLPRegressor(nn.Module):
    """Fully connected ReLU network for tabular regression."""

    def __init__(self, num_outputs: int, input_shape: tuple[int], *, hidden: Sequence[int] = (64, 64)):
        super().__init__()
        sizes = [int(input_shape[0]), *hidden]
        self.hidden = nn.Sequential(*(nn.Sequential(nn.Linear(a, b), nn.ReLU()) for a, b in zip(sizes[:-1], sizes[1:])))
        self.out = nn.Linear(sizes[-1], num_outputs)
        self.activation_layers = tuple(f"hidden.{i}" for i in range(len(hidden)))

    def forward(self, x: Tensor) -> Tensor:
        return self.out(self.hidden(x))


def mlp_regressor(num_outputs: int = 1, input_shape: tuple[int] = (10,), **options) -> nn.Module:
    return MLPRegressor(num_outputs, tuple(input_shape), **options)


REGRESSION_BUILDERS = {
    "allcnn_regressor": allcnn_regressor,
    "resnet18_regressor": resnet18_regressor,
    "lstm_pair_regressor": lstm_pair_regressor,
    "gru_forecaster": gru_forecaster,
    "mlp_regressor": mlp_regressor,
}


def activation_layers(model: nn.Module) -> list[str]:
    """The modules whose outputs enter Blindspot's attention loss: the model's own list, else the shared default."""
    from datarights.models.activations import default_layers

    named = getattr(model, "activation_layers", None)
    return list(named) if named else default_layers(model)
