"""Bad input at the first public boundary: each case raises ValueError or TypeError whose message
names the argument (and, where there is one, the accepted range) before any work starts, instead
of a deep traceback, a silent wrong result or a NaN.

``BAD_INPUTS`` is the table of the library's public entry points; ``VALIDATORS`` the reusable
checks of ``datarights.validation`` that the unlearning methods and the metrics call.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import torch

from datarights import data, models
from datarights.data import install

NAN = float("nan")


@pytest.fixture(scope="module")
def ctx():
    digits = data.load("digits")
    splits = data.class_forgetting(digits, [0])
    model = models.build("digits_cnn", 10, (1, 8, 8), seed=0)
    small = models.build("digits_cnn", 5, (1, 8, 8), seed=0)  # 5 outputs: labels 5..9 do not fit
    rgb = models.build("digits_cnn", 10, (3, 8, 8), seed=0)  # wants 3 channels, digits have 1
    probs = torch.softmax(torch.randn(4, 10, generator=torch.Generator().manual_seed(0)), dim=1)
    return {"digits": digits, "s": splits, "model": model, "small": small, "rgb": rgb, "p": probs}


def _mia(c, **kw):
    from datarights import metrics

    s = c["s"]
    args = dict(members=s.retain_train, nonmembers=s.test, targets=s.forget_train)
    model = kw.pop("model", c["model"])
    return metrics.membership_inference(model, **{**args, **kw})


def _relearn(c, **kw):
    from datarights.metrics.relearn import RelearnConfig, relearn_time

    config = kw.pop("config", RelearnConfig(seed=0))
    return relearn_time(c["model"], relearn=c["s"].forget_train, evaluate_on=c["s"].forget_test, config=config,
                        **{"target_accuracy": 0.5, **kw})


def _request(**kw):
    return data.ForgetRequest(**kw)


# (case id, call, exception type(s), text the message must contain)
BAD_INPUTS = [
    ("forget request classes as a string", lambda c: _request(classes="12"), TypeError, "classes must be an int or an iterable of ints"),
    ("forget request class as a float", lambda c: _request(classes=3.7), TypeError, "classes must be an int"),
    ("forget request class list holding a string", lambda c: _request(classes=(3, "4")), TypeError, "classes must be an int"),
    ("forget request class named twice", lambda c: _request(classes=(3, 3)), ValueError, "classes names a class twice"),
    ("forget request negative class", lambda c: _request(classes=(-1,)), ValueError, "classes must be non-negative"),
    ("forget request seed negative", lambda c: _request(classes=(1,), seed=-1), ValueError, "seed must be an integer in [0, 4294967295]"),
    ("forget request seed too large", lambda c: _request(classes=(1,), seed=2**32), ValueError, "seed must be an integer in [0, 4294967295]"),
    ("forget request seed a float", lambda c: _request(classes=(1,), seed=1.5), TypeError, "seed must be an integer"),
    ("random request fraction NaN", lambda c: _request(kind="random", fraction=NAN), ValueError, "fraction must be a finite number"),
    ("random request fraction 1", lambda c: _request(kind="random", fraction=1.0), ValueError, "fraction must be in (0, 1)"),
    ("class forgetting classes as a string", lambda c: data.class_forgetting(c["digits"], "12"), TypeError, "forget_classes must be an int"),
    ("class forgetting class 3.7", lambda c: data.class_forgetting(c["digits"], [3.7]), TypeError, "forget_classes must be an int"),
    ("random forgetting of every image", lambda c: data.random_forgetting(c["digits"], 0.9999), ValueError, "nothing would be retained"),
    ("random forgetting seed negative", lambda c: data.random_forgetting(c["digits"], 0.1, seed=-3), ValueError, "seed must be an integer"),
    ("MIA seed negative", lambda c: _mia(c, seed=-1), ValueError, "seed must be an integer in [0, 4294967295]"),
    ("MIA unknown feature", lambda c: _mia(c, feature="margin"), ValueError, "feature must be 'entropy' or 'loss'"),
    ("MIA cap of zero samples", lambda c: _mia(c, max_samples_per_side=0), ValueError, "max_samples_per_side must be an integer in [1"),
    ("MIA labels beyond the model's outputs", lambda c: _mia(c, model=c["small"], feature="loss"), ValueError, "labels must lie in [0, 4]"),
    ("MIA model of another input shape", lambda c: _mia(c, model=c["rgb"]), ValueError, "model does not fit members"),
    ("ZRF of NaN probabilities", lambda c: __import__("datarights").metrics.zrf_from_probs(c["p"] * NAN, c["p"]), ValueError, "p has 40 NaN or infinite"),
    ("ZRF of logits, not probabilities", lambda c: __import__("datarights").metrics.zrf_from_probs(c["p"] - 0.5, c["p"]), ValueError, "p must hold probabilities"),
    ("ZRF unknown variant", lambda c: __import__("datarights").metrics.zrf_from_probs(c["p"], c["p"], "book"), ValueError, "variant must be one of"),
    ("JS divergence, model of another input shape", lambda c: __import__("datarights").metrics.js_divergence(c["rgb"], c["model"], c["s"].forget_test), ValueError, "model_a does not fit data"),
    ("ZRF, random model of another input shape", lambda c: __import__("datarights").metrics.zrf(c["model"], c["rgb"], c["s"].forget_test), ValueError, "random_model does not fit data"),
    ("prediction distribution with a wrong num_classes", lambda c: __import__("datarights.metrics.inspection", fromlist=["x"]).prediction_distribution(c["model"], c["s"].test, 5), ValueError, "num_classes=5 does not match the model's 10 outputs"),
    ("relearn target accuracy 1.5", lambda c: _relearn(c, target_accuracy=1.5), ValueError, "target_accuracy must be in [0.0, 1.0]"),
    ("relearn learning rate NaN", lambda c: _relearn(c, config=__import__("datarights.metrics.relearn", fromlist=["x"]).RelearnConfig(lr=NAN, seed=0)), ValueError, "config.lr must be a finite number"),
    ("relearn batch size 0", lambda c: _relearn(c, config=__import__("datarights.metrics.relearn", fromlist=["x"]).RelearnConfig(batch_size=0, seed=0)), ValueError, "config.batch_size must be > 0"),
    ("relearn curve of 2.5 steps", lambda c: __import__("datarights.metrics.relearn", fromlist=["x"]).relearn_curve(c["model"], relearn=c["s"].forget_train, evaluate_on=c["s"].forget_test, steps=2.5), TypeError, "steps must be an integer"),
    ("inversion learning rate NaN", lambda c: __import__("datarights.metrics.inversion", fromlist=["x"]).InversionConfig(lr=NAN), ValueError, "lr must be a finite number"),
    ("inversion negative total-variation weight", lambda c: __import__("datarights.metrics.inversion", fromlist=["x"]).InversionConfig(tv_weight=-1.0), ValueError, "tv_weight must be ≥ 0"),
    ("judge rate of NaN inversions", lambda c: __import__("datarights.metrics.inversion", fromlist=["x"]).judge_rate(torch.full((2, 1, 1, 8, 8), NAN), c["model"], [0, 1]), ValueError, "inversions has 128 NaN"),
    ("unknown dataset", lambda c: data.load("cifar11"), ValueError, "unknown dataset name='cifar11'"),
    ("install an unknown dataset", lambda c: install.install("imagenet", "x"), ValueError, "unknown dataset 'imagenet'"),
    ("install from a missing copy", lambda c: install.install("mnist", "/nonexistent/mnist-idx.tar.gz", "/tmp"), ValueError, "--from /nonexistent/mnist-idx.tar.gz: no such file"),
    ("install all from a missing folder", lambda c: install.install_all("/nonexistent"), ValueError, "--from /nonexistent: not a folder"),
    ("unknown model", lambda c: models.build("resnet1000", 10, (3, 32, 32)), ValueError, "unknown model name='resnet1000'"),
    ("model with one class", lambda c: models.build("digits_cnn", 1, (1, 8, 8)), ValueError, "num_classes must be at least 2"),
]


@pytest.mark.parametrize(("call", "error", "message"), [case[1:] for case in BAD_INPUTS], ids=[case[0] for case in BAD_INPUTS])
def test_bad_input_gets_a_clear_error_naming_the_argument(ctx, call, error, message):
    with pytest.raises(error) as raised:
        call(ctx)
    assert message in str(raised.value), f"message {str(raised.value)!r} does not say {message!r}"
    assert "\n" not in str(raised.value).strip(), "one line"


def _validation():
    from datarights import validation

    return validation


VALIDATORS = [
    ("seed -1", lambda v: v.check_seed(-1), ValueError, "seed must be an integer in [0, 4294967295], got -1"),
    ("seed 2**32", lambda v: v.check_seed(2**32), ValueError, "seed must be an integer in [0, 4294967295]"),
    ("seed '12'", lambda v: v.check_seed("12"), TypeError, "seed must be an integer, got '12'"),
    ("seed True", lambda v: v.check_seed(True), TypeError, "seed must be an integer"),
    ("device 'gpu'", lambda v: v.check_device("gpu"), ValueError, "device='gpu' is not a device"),
    ("device 3", lambda v: v.check_device(3), TypeError, "device must be 'auto'"),
    ("learning rate NaN", lambda v: v.check_number(NAN, "lr", positive=True), ValueError, "lr must be a finite number"),
    ("learning rate inf", lambda v: v.check_number(math.inf, "lr", positive=True), ValueError, "lr must be a finite number"),
    ("learning rate 0", lambda v: v.check_number(0, "lr", positive=True), ValueError, "lr must be > 0, got 0.0"),
    ("weight decay -1", lambda v: v.check_number(-1, "weight_decay", nonnegative=True), ValueError, "weight_decay must be ≥ 0"),
    ("fraction 0", lambda v: v.check_fraction(0, "fraction"), ValueError, "fraction must be in (0, 1)"),
    ("tensor with NaN", lambda v: v.check_finite(torch.tensor([1.0, NAN]), "x"), ValueError, "x has 1 NaN or infinite value"),
    ("array with inf", lambda v: v.check_finite(np.array([1.0, np.inf]), "y"), ValueError, "y has 1 NaN or infinite value"),
    ("table with NaN", lambda v: v.check_finite(pd.DataFrame({"a": [1.0, NAN], "b": ["x", "y"]}), "real"), ValueError, "real has NaN or infinite values in column(s) ['a']"),
    ("label 12 of 10 classes", lambda v: v.check_labels(torch.tensor([0, 12]), 10), ValueError, "labels must lie in [0, 9]"),
    ("float labels", lambda v: v.check_labels(torch.tensor([0.5]), 10), TypeError, "labels must be integer class labels"),
    ("empty split", lambda v: v.check_nonempty([], "forget"), ValueError, "forget is empty"),
    ("config lr NaN", lambda v: v.check_config_numbers(__import__("datarights.metrics.relearn", fromlist=["x"]).RelearnConfig(lr=NAN)), ValueError, "config.lr must be a finite number"),
    ("config epochs 0", lambda v: v.check_config_numbers(__import__("datarights.metrics.relearn", fromlist=["x"]).RelearnConfig(max_epochs=0)), ValueError, "config.max_epochs must be > 0"),
]


@pytest.mark.parametrize(("call", "error", "message"), [case[1:] for case in VALIDATORS], ids=[case[0] for case in VALIDATORS])
def test_validators_name_the_argument_and_the_accepted_range(call, error, message):
    with pytest.raises(error) as raised:
        call(_validation())
    assert message in str(raised.value), str(raised.value)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cuda_device_without_cuda_is_refused_before_work():
    with pytest.raises(ValueError, match=r"device='cuda' but CUDA is not available on this machine: use 'cpu' or 'auto'"):
        _validation().check_device("cuda")
    with pytest.raises(ValueError, match="cuda:3"):
        _validation().check_device("cuda:3")


def test_good_values_pass_through_unchanged(ctx):
    v = _validation()
    assert v.check_seed(np.int64(7)) == 7 and v.check_number(1e-3, "lr", positive=True) == 1e-3
    assert str(v.check_device("cpu")) == "cpu" and v.check_device("auto").type in ("cpu", "cuda")
    split = ctx["s"].forget_test
    assert v.check_model_data(ctx["model"], split, "forget_test") is split
    assert v.check_model_data(ctx["model"], split, num_classes=10) is split
    assert data.ForgetRequest(classes=3).classes == (3,) and data.ForgetRequest(classes=np.array([1, 2])).classes == (1, 2)


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, True, "64"])
def test_batch_size_must_be_a_positive_integer(ctx, batch_size):
    from datarights.data import TensorData

    with pytest.raises(ValueError, match="batch_size must be an integer ≥ 1"):
        next(ctx["digits"].train.batches(batch_size))
    with pytest.raises(ValueError, match="batch_size must be an integer ≥ 1"):
        next(TensorData(torch.zeros(3, 2), torch.zeros(3, dtype=torch.long)).batches(batch_size))


def test_tensor_data_with_nan_is_refused():
    from datarights.data import TensorData

    with pytest.raises(ValueError, match="x has 1 NaN or infinite value"):
        TensorData(torch.tensor([[NAN, 0.0]]), torch.tensor([0]))
