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


def _counting_forwards(model: torch.nn.Module) -> list[int]:
    calls = [0]
    model.register_forward_hook(lambda *_: calls.__setitem__(0, calls[0] + 1))
    return calls


def test_shared_logits_run_one_inference_pass_per_model_and_split(digits):
    """Inside shared_logits the metrics of one model read one pass per split; outside, each call runs its own."""
    model = models.build("digits_cnn", 10, digits.input_shape, seed=0)
    passes = _counting_forwards(model)
    batches = -(-len(digits.test) // train.eval_batch_size(torch.device("cpu")))
    alone = train.predict_logits(model, digits.test)
    train.accuracy(model, digits.test)
    assert passes[0] == 2 * batches
    with train.shared_logits():
        shared = [train.predict_logits(model, digits.test), train.predict_proba(model, digits.test).log()]
        train.accuracy(model, digits.test)
        with train.shared_logits():  # a nested block uses the outer store
            train.accuracy(model, digits.test)
        train.accuracy(model, digits.train)
    assert passes[0] == 2 * batches + batches + -(-len(digits.train) // train.eval_batch_size(torch.device("cpu")))
    assert torch.equal(shared[0], alone), "the same numbers as a pass of its own"


def test_shared_logits_measure_a_model_afresh_once_it_has_changed(digits):
    """A training step, a loaded state or a BatchNorm statistic updated in place invalidates the stored pass."""
    model = models.build("digits_cnn", 10, digits.input_shape, seed=0)
    config = train.TrainConfig(epochs=1, batch_size=64, optimizer="adam", lr=1e-2)
    with train.shared_logits():
        before = train.predict_logits(model, digits.test)
        train.fit(model, digits.train, config, seed=0, device="cpu")
        trained = train.predict_logits(model, digits.test)
        assert not torch.equal(before, trained)
        fresh = models.build("digits_cnn", 10, digits.input_shape, seed=0)
        model.load_state_dict(fresh.state_dict())
        assert torch.equal(train.predict_logits(model, digits.test), before)
    assert torch.equal(train.predict_logits(model, digits.test), before)


def test_the_relearn_loop_counts_the_same_steps_whenever_it_reads_the_device(digits):
    """Reading the per-step accuracies every k steps (no host-device wait per step on a GPU) gives the
    step count and values of reading after every step."""
    small = digits.per_class_subset(30, 10)
    original = models.build("digits_cnn", 10, small.input_shape, seed=0)

    def relearn(check_every: int, stop_at: float | None, max_steps: int | None = None):
        student = models.build("digits_cnn", 10, small.input_shape, seed=0)
        student.load_state_dict(original.state_dict())
        generator = torch.Generator().manual_seed(0)
        return train.relearn_loop(student, lambda: small.train.batches(32, shuffle=True, generator=generator), torch.nn.functional.cross_entropy,
                                  lambda m: train.accuracy_on_device(m, small.test), lr=1e-3, epochs=3,
                                  stop=None if stop_at is None else (lambda acc: acc >= stop_at), max_steps=max_steps, check_every=check_every)

    every_step = relearn(1, 0.5)
    assert every_step[1] and 1 < every_step[0] < 30, "the target is reached after a few steps"
    for k in (4, 7, 100):
        assert relearn(k, 0.5) == every_step
    assert relearn(1, None) == relearn(5, None), "never reached: every step, all epochs"
    assert relearn(3, None, max_steps=5) == relearn(1, None, max_steps=5)
    assert relearn(3, None, max_steps=5)[0] == 5
    with pytest.raises(ValueError, match="check_every"):
        relearn(0, 0.5)
    assert train.accuracy_on_device(original, small.test).item() == train.accuracy(original, small.test)


def test_cpu_batches_keep_the_draws_every_stored_result_was_computed_with(digits, monkeypatch):
    """On the CPU the batch order is torch.randperm from the CPU generator seeded with the run's seed, and
    crop/flip draws follow it from the same generator, as before the device draws existed; the GPU runner's
    fallback flag also keeps a CUDA run on that generator."""
    from datarights.data.tensors import crop_flip

    generator = train.data_generator(7, torch.device("cpu"))
    assert generator.device.type == "cpu"
    order = torch.randperm(len(digits.train), generator=torch.Generator().manual_seed(7))
    first_x, first_y = next(digits.train.batches(16, shuffle=True, generator=generator))
    assert torch.equal(first_y, digits.train.y[order[:16]])
    assert torch.equal(first_x, digits.train.normalize(digits.train.x[order[:16]]))

    reference = torch.Generator().manual_seed(3)
    shuffled = torch.randperm(len(digits.train), generator=reference)
    expected = digits.train.normalize(crop_flip(digits.train.x[shuffled[:8]], generator=reference))
    batch, _ = next(digits.train.batches(8, shuffle=True, generator=train.data_generator(3, torch.device("cpu")), augment="crop_flip"))
    assert torch.equal(batch, expected)

    monkeypatch.setenv("DATARIGHTS_DEVICE_DRAWS", "0")
    assert train.data_generator(7, torch.device("cuda")).device.type == "cpu"
