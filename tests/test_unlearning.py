from dataclasses import replace

import pytest
import torch

from datarights import metrics, unlearning


@pytest.fixture(scope="module")
def runs(quick_setup, digits_profile):
    s, P = quick_setup.splits, digits_profile
    out = {}
    for name in ("finetune", "neggrad", "random_labels"):
        out[name] = unlearning.METHODS[name](quick_setup.original, forget=s.forget_train, retain=s.retain_train,
                                             config=replace(getattr(P, name), seed=0))
    return out


def test_original_knows_the_forget_class_and_retrain_does_not(quick_setup):
    s = quick_setup.splits
    assert metrics.accuracy(quick_setup.original, s.forget_test) > 0.95
    assert metrics.accuracy(quick_setup.retrained, s.forget_test) < 0.05
    assert metrics.accuracy(quick_setup.retrained, s.retain_test) > 0.95


def test_retrain_method_matches_the_gold_standard_behaviour(quick_setup, digits_profile):
    s = quick_setup.splits
    result = unlearning.retrain(quick_setup.original, retain=s.retain_train,
                                config=unlearning.RetrainConfig(train=digits_profile.train, seed=1))
    assert result.method == "retrain" and result.seconds > 0
    assert metrics.accuracy(result.model, s.forget_test) < 0.05
    assert metrics.accuracy(result.model, s.retain_test) > 0.95


def test_finetune_keeps_retain_accuracy_and_barely_forgets(quick_setup, runs):
    acc = metrics.split_accuracies(runs["finetune"].model, quick_setup.splits)
    assert acc["retain_test"] > 0.95 and acc["forget_test"] > 0.8


def test_random_labels_forget_the_class_and_keep_the_rest(quick_setup, runs):
    acc = metrics.split_accuracies(runs["random_labels"].model, quick_setup.splits)
    assert acc["forget_test"] < 0.2 and acc["retain_test"] > 0.95


def test_neggrad_forgets_at_a_cost_to_the_retain_classes(quick_setup, runs):
    acc = metrics.split_accuracies(runs["neggrad"].model, quick_setup.splits)
    original = metrics.split_accuracies(quick_setup.original, quick_setup.splits)
    assert acc["forget_test"] < 0.2
    assert acc["retain_test"] < original["retain_test"]


def test_methods_never_modify_the_model_passed_in(quick_setup, runs, digits_profile):
    s = quick_setup.splits
    before = {k: v.clone() for k, v in quick_setup.original.state_dict().items()}
    unlearning.neggrad(quick_setup.original, forget=s.forget_train, retain=s.retain_train, config=replace(digits_profile.neggrad, seed=0))
    after = quick_setup.original.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert all(r.model is not quick_setup.original and r.seconds > 0 for r in runs.values())


def test_empty_forget_or_retain_set_is_a_clear_error(quick_setup, digits_profile):
    s = quick_setup.splits
    empty = s.forget_train.subset(torch.zeros(len(s.forget_train), dtype=torch.bool))
    with pytest.raises(ValueError, match="forget is empty"):
        unlearning.neggrad(quick_setup.original, forget=empty, retain=s.retain_train, config=replace(digits_profile.neggrad, seed=0))
    with pytest.raises(ValueError, match="retain is empty"):
        unlearning.finetune(quick_setup.original, forget=s.forget_train, retain=empty, config=replace(digits_profile.finetune, seed=0))


def test_random_wrong_labels_never_keep_the_true_label():
    y = torch.randint(0, 10, (1000,))
    wrong = unlearning.baselines.random_wrong_labels(y, 10, torch.Generator().manual_seed(0))
    assert not bool((wrong == y).any()) and int(wrong.min()) >= 0 and int(wrong.max()) <= 9
