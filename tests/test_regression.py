"""Deep regression unlearning: Blindspot, Gaussian fine-tuning, the regression metrics and data loaders
(spec regression_unlearning.md; issue 8)."""

from __future__ import annotations

import copy
import io
import math
import tarfile

import numpy as np
import pytest
import torch

from datarights import models, unlearning
from datarights.data import regression as rdata
from datarights.experiments import regression as rexp
from datarights.metrics import regression as rmetrics
from datarights.models.activations import attention_loss, capture
from datarights.models.regression import activation_layers
from datarights.train import RegressorTraining, TrainConfig, fit_regressor, loss_function
from datarights.unlearning import BlindspotConfig, GaussianConfig
from datarights.unlearning.blindspot import blindspot_loss

STSB = rdata.stsb_folder("/work/shared/data") or rexp.stsb_location(None)


def _same_weights(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    return all(torch.equal(p, q) for p, q in zip(a.state_dict().values(), b.state_dict().values()))


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Tiny models: one thread is as fast and does not spin against other jobs on a shared machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def rotation(one_thread):
    """Rotated 8×8 digits (forget θ ≤ 40°) with an original model on D and a gold model on D_r (same recipe)."""
    torch.manual_seed(0)
    splits = rdata.range_request("digits-rotation", *rdata.rotated_digits(size=8), rdata.ForgetRange(high=40.0), loss="l1")
    recipe = RegressorTraining(epochs=15, batch_size=64, lr=3e-3, plateau_patience=5)

    def trained(data, val):
        model = models.build("allcnn_regressor", 1, (1, 8, 8), seed=0, width=1 / 6)
        return fit_regressor(model, data, recipe, val=val, loss="l1", seed=0)

    return splits, trained(splits.train, splits.val), trained(splits.retain_train, splits.retain_val)


def test_blindspot_raises_forget_error_toward_gold_and_keeps_retain_error_within_20_percent(rotation):
    s, original, gold = rotation
    before = copy.deepcopy(original.state_dict())
    config = BlindspotConfig(seed=0, proxy=RegressorTraining(epochs=5, batch_size=64, lr=0.01, select_best=False), epochs=3, batch_size=64)
    result = unlearning.blindspot(original, forget=s.forget_train, retain=s.retain_train, config=config)
    err = {name: {part: rmetrics.regression_error(m, getattr(s, part)) for part in ("retain_test", "forget_test")}
           for name, m in (("original", original), ("gold", gold), ("blindspot", result.model))}
    assert err["gold"]["forget_test"] > err["original"]["forget_test"] * 2, "the stand-in must make forgetting visible"
    assert err["blindspot"]["forget_test"] > err["original"]["forget_test"] * 1.3
    assert err["blindspot"]["retain_test"] <= 1.2 * err["original"]["retain_test"]
    assert all(torch.equal(before[k], v) for k, v in original.state_dict().items()), "Blindspot works on a copy"
    assert result.extra["proxy_seconds"] > 0 and len(result.extra["losses"]) == 3 * math.ceil(len(s.train) / 64)


def test_gaussian_labels_are_drawn_once_from_the_training_target_distribution_and_reproducibly(rotation):
    s, original, _ = rotation
    targets = torch.cat([s.forget_train.y, s.retain_train.y])
    drawn = unlearning.gaussian_labels(s.forget_train.y, targets, seed=3)
    assert torch.equal(drawn, unlearning.gaussian_labels(s.forget_train.y, targets, seed=3))
    assert not torch.equal(drawn, unlearning.gaussian_labels(s.forget_train.y, targets, seed=4))
    big = unlearning.gaussian_labels(torch.zeros(200_000), targets, seed=0)
    assert float(big.mean()) == pytest.approx(float(targets.mean()), abs=0.5)
    assert float(big.std()) == pytest.approx(float(targets.std()), rel=0.01)
    runs = [unlearning.gaussian_finetune(original, forget=s.forget_train, retain=s.retain_train,
                                         config=GaussianConfig(epochs=1, batch_size=64, seed=3)) for _ in range(2)]
    assert torch.equal(runs[0].extra["labels"], drawn) and torch.equal(runs[1].extra["labels"], drawn)
    assert _same_weights(runs[0].model, runs[1].model), "one draw, one seeded shuffle: the same model twice"


def test_blindspot_loss_matches_a_hand_computation_and_2d_layers_vanish_in_the_authors_mode():
    # Two samples, the first to forget. Conv activation of the forget sample: student map [1, 0], proxy map [0, 1].
    student_out, proxy_out = torch.tensor([[3.0], [5.0]]), torch.tensor([[1.0], [0.0]])
    y = torch.tensor([0.0, 4.0])
    mask = torch.tensor([True, False])
    conv_s = torch.tensor([[[[1.0, 0.0]]], [[[7.0, 7.0]]]])
    conv_b = torch.tensor([[[[0.0, 2.0]]], [[[1.0, 1.0]]]])
    flat_s, flat_b = torch.tensor([[1.0, 0.0], [2.0, 2.0]]), torch.tensor([[0.0, 3.0], [1.0, 1.0]])
    loss = blindspot_loss(
        student_out, proxy_out, y, mask, {"c": conv_s, "f": flat_s}, {"c": conv_b, "f": flat_b}, loss="l1", beta=10.0)
    # forget: |3 − 1| + 10 · (AT conv = ((1−0)² + (0−1)²)/2 = 1, AT 2-D = 0) = 12; retain: |5 − 4| = 1; halves each.
    assert float(loss) == pytest.approx(0.5 * 12 + 0.5 * 1)
    fixed = blindspot_loss(
        student_out, proxy_out, y, mask, {"c": conv_s, "f": flat_s}, {"c": conv_b, "f": flat_b}, loss="l1", beta=10.0, two_d="fixed")
    assert float(fixed) == pytest.approx(0.5 * (2 + 10 * (1 + 1)) + 0.5 * 1)


def test_lstm_pair_model_hidden_layers_add_nothing_to_the_attention_term_in_the_authors_mode():
    model = models.build("lstm_pair_regressor", 1, (2, 10), seed=0, vocab_size=30, embedding_dim=8)
    other = models.build("lstm_pair_regressor", 1, (2, 10), seed=1, vocab_size=30, embedding_dim=8)
    tokens = torch.randint(0, 30, (4, 2, 10))
    dense = ["linear1", "linear2"]
    with capture(model, dense) as a, capture(other, dense) as b:
        model(tokens), other(tokens)
    assert float(attention_loss(a, b, two_d="authors").detach()) == 0.0
    assert float(attention_loss(a, b, two_d="fixed").detach()) > 0.0
    assert activation_layers(model) == ["drop1", "drop2", "linear1", "linear2"]


def test_w1_of_a_model_with_itself_is_zero_and_positive_against_another(rotation):
    s, original, gold = rotation
    assert rmetrics.wasserstein_to(original, original, s.forget_train) == 0.0
    assert rmetrics.wasserstein_to(original, gold, s.forget_train) > 1.0


def test_mean_of_batch_means_differs_from_the_per_sample_mean_only_through_a_ragged_last_batch():
    data = rdata.RegressionData(torch.arange(5, dtype=torch.float32)[:, None], torch.zeros(5))
    identity = torch.nn.Linear(1, 1)
    with torch.no_grad():
        identity.weight.fill_(1.0), identity.bias.zero_()
    assert rmetrics.regression_error(identity, data) == pytest.approx(2.0)
    assert rmetrics.regression_error(identity, data, per_batch=4) == pytest.approx((1.5 + 4.0) / 2)
    assert rmetrics.regression_error(identity, data, "mse") == pytest.approx((0 + 1 + 4 + 9 + 16) / 5)


def test_regression_mia_ranks_an_overfit_model_above_one_that_never_saw_the_forget_data():
    train, val, test = rdata.diabetes()
    s = rdata.range_request("diabetes", train, val, test, rdata.ForgetRange(high=float(torch.quantile(train.y, 0.25))), loss="mse")
    recipe = RegressorTraining(epochs=150, batch_size=64, lr=3e-3, select_best=False)
    overfit = fit_regressor(models.build("mlp_regressor", 1, (10,), seed=0, hidden=(128, 128)), s.train, recipe, loss="mse")
    gold = fit_regressor(models.build("mlp_regressor", 1, (10,), seed=0, hidden=(128, 128)), s.retain_train, recipe, loss="mse")
    scores = {name: rmetrics.regression_mia(m, train=s.train, test=s.test, targets=s.forget_train, seed=0).score
              for name, m in (("overfit", overfit), ("gold", gold))}
    assert scores["overfit"] > scores["gold"] + 0.2
    again = rmetrics.regression_mia(overfit, train=s.train, test=s.test, targets=s.forget_train, seed=0)
    assert again.score == scores["overfit"] and again.n_members == again.n_nonmembers == len(s.test)


def test_regression_ain_leaves_its_inputs_unchanged_unless_the_authors_bug_is_asked_for(rotation):
    s, original, gold = rotation
    copies = [copy.deepcopy(m) for m in (original, gold)]
    config = rmetrics.RegressionRelearnConfig(seed=0, batch_size=64, max_epochs=1)
    target = rmetrics.regression_error(original, s.forget_val)
    result = rmetrics.regression_ain(copies[0], copies[1], original_error=target, relearn=s.train, evaluate_on=s.forget_val, config=config)
    assert _same_weights(copies[0], original) and _same_weights(copies[1], gold)
    assert result.steps_gold >= 1 and result.index == pytest.approx(result.steps_unlearned / result.steps_gold)
    rmetrics.regression_ain(copies[0], copies[1], original_error=target, relearn=s.train, evaluate_on=s.forget_val, config=config,
                            inplace=True)
    assert not _same_weights(copies[1], gold), "inplace=True reproduces the authors' mutation of the gold model"


def test_the_gold_relearning_measured_once_gives_every_model_the_ain_the_gold_model_gives(rotation):
    """Chapter 05 relearns the gold model once per request (RegressionGoldRelearn) instead of once per unlearned model:
    the AIN must be the same as with the gold model passed in, and a gold run of another threshold is refused."""
    s, original, gold = rotation
    config = rmetrics.RegressionRelearnConfig(seed=0, batch_size=64, max_epochs=1)
    target = rmetrics.regression_error(original, s.forget_val)
    once = rmetrics.RegressionGoldRelearn.measure(gold, original_error=target, relearn=s.train, evaluate_on=s.forget_val, config=config)
    for model in (original, gold):
        direct = rmetrics.regression_ain(model, gold, original_error=target, relearn=s.train, evaluate_on=s.forget_val, config=config)
        reused = rmetrics.regression_ain(model, once, original_error=target, relearn=s.train, evaluate_on=s.forget_val, config=config)
        assert reused == direct
    with pytest.raises(ValueError, match="threshold"):
        rmetrics.regression_ain(original, once, original_error=2 * target, relearn=s.train, evaluate_on=s.forget_val, config=config)
    with pytest.raises(ValueError, match="inplace"):
        rmetrics.regression_ain(original, once, original_error=target, relearn=s.train, evaluate_on=s.forget_val, config=config,
                                inplace=True)


def test_relearning_a_model_with_dropout_does_not_depend_on_the_global_random_state(rotation):
    """With the gold model relearned once, the relearning of each model must not depend on what ran before it:
    dropout draws from the config's seed, and the global random state is left as it was."""
    s, _, _ = rotation
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Dropout(0.5), torch.nn.Linear(32, 1))
    config = rmetrics.RegressionRelearnConfig(seed=0, batch_size=64, max_epochs=1)
    runs = []
    for global_seed in (1, 2):
        torch.manual_seed(global_seed)
        runs.append(rmetrics.relearn_steps(model, relearn=s.train, evaluate_on=s.forget_val, threshold=0.0, config=config))
        after = torch.rand(1)
        torch.manual_seed(global_seed)
        assert torch.equal(after, torch.rand(1)), "the global random state is restored"
    assert runs[0] == runs[1]


@pytest.mark.skipif(STSB is None, reason="STS-B-DIR files not available")
def test_stsb_reader_returns_the_dir_split_sizes_on_the_real_files():
    frames = rdata.read_stsb(STSB)
    assert {k: len(v) for k, v in frames.items()} == {"train": 5249, "val": 1000, "test": 1000}
    assert {k: int((v.score < 2).sum()) for k, v in frames.items()} == {"train": 1571, "val": 400, "test": 400}
    assert sum(len(v) for v in rdata.read_stsb(STSB, quoting="authors").values()) < 7249, "the authors' reading loses rows"


def test_stsb_reader_keeps_quote_characters_inside_sentences(tmp_path):
    header = "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n"
    rows = ['0\tnews\tf\t2012\t1\tnone\tnone\t"Quoted start of a sentence\tA plain one.\t1.5\n',
            '1\tnews\tf\t2012\t2\tnone\tnone\tHe said "yes" twice.\tShe said "no".\t4.0\n',
            '2\tnews\tf\t2012\t3\tnone\tnone\tNo score here.\tNone.\t\n']
    path = tmp_path / "tiny.tsv"
    path.write_text(header + "".join(rows))
    frame = rdata.read_stsb_file(path)
    assert list(frame.score) == [1.5, 4.0]
    assert frame.sentence1[0] == '"Quoted start of a sentence' and frame.sentence2[1] == 'She said "no".'
    assert rdata.clean_tokens('He said "yes" twice, see http://x.org!') == ["said", "yes", "twice", "see"]


def test_bad_requests_raise_errors_naming_the_problem():
    train, val, test = rdata.diabetes()
    with pytest.raises(ValueError, match="selects no training sample"):
        rdata.range_request("diabetes", train, val, test, rdata.ForgetRange(high=-100.0), loss="mse")
    with pytest.raises(ValueError, match="selects every training sample"):
        rdata.range_request("diabetes", train, val, test, rdata.ForgetRange(high=100.0), loss="mse")
    with pytest.raises(ValueError, match="NaN"):
        rdata.RegressionData(torch.zeros(2, 3), torch.tensor([1.0, float("nan")]))
    with pytest.raises(ValueError, match="loss must be one of"):
        rdata.range_request("diabetes", train, val, test, rdata.ForgetRange(high=0.0), loss="huber")
    classifier = models.build("digits_cnn", 10, (1, 8, 8), seed=0)
    digits = rdata.rotated_digits(size=8)[2]
    with pytest.raises(ValueError, match="classification model"):
        rmetrics.regression_error(classifier, digits)
    with pytest.raises(ValueError, match="low"):
        rdata.ForgetRange(low=3.0, high=1.0)


def test_utkface_duplicates_are_merged_and_conflicting_ones_dropped(tmp_path):
    def jpeg(value: int) -> bytes:
        from PIL import Image

        buffer = io.BytesIO()
        Image.fromarray(np.full((64, 64, 3), value, np.uint8)).save(buffer, format="JPEG")
        return buffer.getvalue()

    files = {"25_0_0_a.jpg.chip.jpg": jpeg(10), "25_1_0_b.jpg.chip.jpg": jpeg(10),  # same image, same age: kept once
             "30_0_0_c.jpg.chip.jpg": jpeg(50), "31_0_0_d.jpg.chip.jpg": jpeg(50),  # same image, two ages: dropped
             "7_0_0_e.jpg.chip.jpg": jpeg(90), "bad name.jpg": jpeg(120)}
    archive = tmp_path / "utkface-64.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, payload in files.items():
            info = tarfile.TarInfo(f"utkface-64/{name}")
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    images, ages, counts = rdata.utkface_records(archive)
    assert sorted(ages.tolist()) == [7.0, 25.0]
    assert counts == {"unique_images": 2, "conflicting_groups_dropped": 1, "unparsable_names": 1}


def test_agedb_dir_loader_reads_the_meta_file_and_the_images_it_names(tmp_path):
    from PIL import Image

    (tmp_path / "AgeDB").mkdir()
    lines = ["age,path,split"]
    for i, (age, split) in enumerate([(25, "train"), (61, "train"), (30, "val"), (44, "test")]):
        Image.fromarray(np.full((40, 50, 3), 20 * i, np.uint8)).save(tmp_path / "AgeDB" / f"{i}.jpg")
        lines.append(f"{age},AgeDB/{i}.jpg,{split}")
    (tmp_path / "agedb.csv").write_text("\n".join(lines) + "\n")
    train, val, test = rdata.agedb_dir(tmp_path)
    assert train.x.shape == (2, 3, 32, 32) and train.y.tolist() == [25.0, 61.0] and len(val) == len(test) == 1
    (tmp_path / "AgeDB" / "3.jpg").unlink()
    with pytest.raises(FileNotFoundError, match="missing"):
        rdata.agedb_dir(tmp_path)


def test_forecast_windows_are_scaled_per_series_and_shaped_encoder_by_horizon():
    values = np.arange(100, dtype=np.float64)
    features = np.zeros((100, 2), dtype=np.float32)
    x, y = rdata.windows(values, features, rdata.WindowSpec(encoder=10, horizon=3, stride=5), 20, 60)
    assert x.shape == (8, 10, 3) and y.shape == (8, 3)
    assert np.array_equal(x[0, :, 0], np.arange(10, 20)) and np.array_equal(y[0], [20, 21, 22])
    (train, _, _), entities = rdata.elnino()
    assert abs(float(train.y[:, 0].mean())) < 0.3 and train.x.shape[1:] == (24, 4) and set(entities["train"].tolist()) == {0}


def test_regression_builders_give_one_output_and_keep_the_classification_checks():
    assert models.build("mlp_regressor", 1, (10,), seed=0)(torch.zeros(3, 10)).shape == (3, 1)
    assert models.build("gru_forecaster", 24, (168, 4), seed=0)(torch.zeros(2, 168, 4)).shape == (2, 24)
    assert models.build("resnet18_regressor", 1, (3, 32, 32), seed=0)(torch.zeros(2, 3, 32, 32)).shape == (2, 1)
    with pytest.raises(ValueError, match="num_classes must be at least 1"):
        models.build("mlp_regressor", 0, (10,))


def test_foundation_finetune_accepts_a_regression_loss():
    train, val, _ = rdata.diabetes()
    model = models.build("mlp_regressor", 1, (10,), seed=0)
    before = rmetrics.regression_error(model, val, "mse")
    tuned = unlearning.finetune(model, retain=train, config=unlearning.FinetuneConfig(
        TrainConfig(epochs=20, batch_size=32, optimizer="adam", lr=3e-3, weight_decay=0.0, schedule="constant"), seed=0),
        loss_fn=loss_function("mse")).model
    assert rmetrics.regression_error(tuned, val, "mse") < 0.8 * before


def test_a_truncated_decoded_utkface_file_is_decoded_again(tmp_path):
    """The decoded faces are written atomically with their count and the archive they came from; a file
    cut short (a killed run, a full disk) is not trusted but rebuilt."""
    from PIL import Image

    archive = tmp_path / "utkface-64.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for i, age in enumerate([3, 17, 25, 40, 61, 80, 9, 33]):
            buffer = io.BytesIO()
            Image.new("RGB", (64, 64), (i * 30, 100, 200 - i * 20)).save(buffer, format="JPEG")
            info = tarfile.TarInfo(f"utkface-64/{age}_0_0_2017011{i}.jpg.chip.jpg")
            info.size = len(buffer.getvalue())
            tar.addfile(info, io.BytesIO(buffer.getvalue()))
    first, _ = rdata.utkface(tmp_path, size=8)
    decoded = tmp_path / "utkface-8.uint8.pt"
    assert decoded.is_file()
    decoded.write_bytes(decoded.read_bytes()[:100])
    again, _ = rdata.utkface(tmp_path, size=8)
    assert all(torch.equal(a.x, b.x) and torch.equal(a.y, b.y) for a, b in zip(first, again))
    assert len(torch.load(decoded, weights_only=True)["y"]) == 8, "the truncated file was replaced by a whole one"


def test_domains_that_differ_only_in_what_they_forget_share_one_original():
    """The original is trained on all of D: the full profile's two UTKFace forget ranges (and ETT's two forget
    rules) train it once; their gold models, trained on different retain sets, stay apart, and so does a
    different network."""
    from dataclasses import replace

    from datarights.cache import canonical
    from datarights.experiments import plan as gpu_plan
    from datarights.experiments.plan import plan
    from datarights.settings.regression import settings

    full = {d.name: d for d in settings("full").domains}

    def key(name: str, role: str) -> str:
        return canonical(rexp._model_config(full[name], 0, role, rexp.data_source(full[name])))

    assert key("vision", "original") == key("vision-age30", "original")
    assert key("vision", "retrained") != key("vision-age30", "retrained")
    assert key("forecasting", "original") == key("forecasting-series", "original")
    assert key("vision", "original") != key("vision-resnet18", "original")
    changed_recipe = replace(full["vision"], original=replace(full["vision"].original, epochs=5))
    assert canonical(rexp._model_config(changed_recipe, 0, "original", "utkface")) != key("vision", "original")
    unlearning_changed = replace(full["vision"], finetune=replace(full["vision"].finetune, epochs=1))
    assert canonical(rexp._model_config(unlearning_changed, 0, "original", "utkface")) == key("vision", "original")
    with pytest.raises(ValueError, match="role"):
        full["vision"].reference_settings("proxy")
    domains = {p.config["domain"]["name"]: p for p in plan("full") if p.kind == "regression-domain" and p.config["seed"] == 0}
    original_epochs = full["vision"].original.epochs
    shared = gpu_plan.shared_models(domains["vision-age30"])
    assert [work for _, work in shared] == [original_epochs] and {path for path, _ in shared} <= gpu_plan.trains(domains["vision"])
    alone = gpu_plan.estimate(domains["vision-age30"], 1e12, set())
    after = gpu_plan.estimate(domains["vision-age30"], 1e12, gpu_plan.trains(domains["vision"]))
    assert alone - after == pytest.approx(original_epochs * gpu_plan.unit(domains["vision"]).samples
                                          * gpu_plan.train_flops_per_sample(gpu_plan.unit(domains["vision"])) / 1e12), \
        "the planner counts the shared original once"
