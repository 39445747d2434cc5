from dataclasses import replace

import pytest
import torch

from datarights import models, train
from datarights.profiles import get
from datarights.settings.common import PROFILES


def test_smoke_recipe_run_longer_learns_all_of_digits(digits):
    """The smoke profile's recipe is sound: on all 1,257 training digits, 30 epochs reach 95 % test accuracy."""
    model = models.build("digits_cnn", 10, digits.input_shape, seed=0)
    train.fit(model, digits.train, replace(PROFILES["smoke"].train, epochs=30), seed=0, device="cpu")
    assert train.accuracy(model, digits.test) > 0.95


def test_same_seed_gives_identical_weights(digits):
    small = digits.per_class_subset(20, 5)
    config = train.TrainConfig(epochs=2, batch_size=32, optimizer="adam", lr=1e-3)
    a, b = (train.fit(models.build("digits_cnn", 10, small.input_shape, seed=1), small.train, config, seed=5, device="cpu")
            for _ in range(2))
    assert all(torch.equal(p, q) for p, q in zip(a.state_dict().values(), b.state_dict().values()))


def test_per_batch_accuracy_is_the_mean_of_batch_means(digits):
    model = models.build("digits_cnn", 10, digits.input_shape, seed=0)
    pred = train.predict_logits(model, digits.test).argmax(1)
    correct = (pred == digits.test.y).float()
    expected = torch.stack([c.mean() for c in correct.split(256)]).mean()
    assert train.accuracy(model, digits.test, per_batch=256) == pytest.approx(float(expected))
    assert train.accuracy(model, digits.test) == pytest.approx(float(correct.mean()))


def test_evaluation_restores_training_mode(digits):
    model = models.build("digits_cnn", 10, digits.input_shape).train()
    train.predict_logits(model, digits.test)
    assert model.training


@pytest.mark.parametrize(("kwargs", "message"), [({"epochs": -1}, "epochs"), ({"batch_size": 0}, "batch_size"),
                                                 ({"lr": 0}, "lr"), ({"optimizer": "lion"}, "optimizer"),
                                                 ({"schedule": "step"}, "schedule")])
def test_bad_train_config_names_the_argument(kwargs, message):
    with pytest.raises(ValueError, match=message):
        train.TrainConfig(**kwargs)


def test_cuda_request_without_cuda_is_a_clear_error():
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(ValueError, match="CUDA is not available"):
        train.resolve_device("cuda")


def test_cifar_recipe_runs_end_to_end_on_a_tiny_batch():
    from datarights.data import Split

    g = torch.Generator().manual_seed(0)
    split = Split(torch.randint(0, 256, (16, 3, 32, 32), dtype=torch.uint8, generator=g), torch.arange(16) % 10,
                  (0.5, 0.5, 0.5), (0.25, 0.25, 0.25))
    config = get("full").train.__class__(**{**get("full").train.to_dict(), "epochs": 1, "batch_size": 8})
    model = train.fit(models.build("resnet18", 10, (3, 32, 32), seed=0), split, config, device="cpu")
    assert train.predict_logits(model, split).shape == (16, 10)


def test_one_cycle_schedule_survives_a_run_of_a_few_steps(digits):
    """PyTorch's OneCycleLR divides by zero when the warm-up is under one step; fit falls back to cosine."""
    from datarights import models
    from datarights.train import TrainConfig, fit

    tiny = digits.train.subset(torch.arange(40))
    model = models.build("digits_cnn", 10, tiny.input_shape, seed=0)
    fit(model, tiny, TrainConfig(epochs=1, batch_size=10, optimizer="adam", lr=1e-3, schedule="onecycle"), device="cpu")
