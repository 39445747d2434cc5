"""Sub-class forgetting (bad-teaching spec 2.3): CIFAR-100 with fine and coarse labels, the book's
superclass groupings, the split that forgets a fine class while labels are superclasses, and the
forget requests every unlearning chapter shares."""

import pickle

import numpy as np
import pytest
import torch

from datarights import data
from datarights.data.superclasses import CIFAR100_COARSE_OF_FINE, CIFAR100_FINE, SUPERCLASSES


def _write_cifar100(root, fine_by_part, coarse_of=CIFAR100_COARSE_OF_FINE):
    """A tiny folder in torchvision's CIFAR-100 format (pickled dicts of flat uint8 rows)."""
    folder = root / "cifar-100-python"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for part, fine in fine_by_part.items():
        entry = {"data": rng.integers(0, 256, (len(fine), 3072), dtype=np.uint8), "fine_labels": list(fine),
                 "coarse_labels": [coarse_of[f] for f in fine], "filenames": [f"{i}.png" for i in range(len(fine))]}
        with open(folder / part, "wb") as f:
            pickle.dump(entry, f)
    with open(folder / "meta", "wb") as f:
        pickle.dump({"fine_label_names": list(CIFAR100_FINE)}, f)
    return folder


def test_cifar100_standard_mapping_puts_rocket_and_its_siblings_in_vehicles_2():
    grouping = SUPERCLASSES["cifar100-20"]
    assert [CIFAR100_FINE[f] for f in grouping.members(19)] == ["lawn_mower", "rocket", "streetcar", "tank", "tractor"]
    assert all(len(grouping.members(c)) == 5 for c in range(20))
    assert grouping.names[CIFAR100_COARSE_OF_FINE[CIFAR100_FINE.index("baby")]] == "people"


@pytest.fixture()
def trusted_test_files(monkeypatch):
    """A test's tiny CIFAR-100 files cannot have the published md5: let the loader read them."""
    from datarights.data import registry

    monkeypatch.setattr(registry, "cifar100_problem", lambda folder: None)


def test_cifar100_files_without_the_published_md5_are_not_unpickled(tmp_path):
    _write_cifar100(tmp_path, {"train": [69], "test": [69]})
    with pytest.raises(ValueError, match="published md5"):
        data.load("cifar100", tmp_path)


def test_cifar100_loader_returns_fine_labels_whose_coarse_labels_follow_the_standard_mapping(tmp_path, trusted_test_files):
    _write_cifar100(tmp_path, {"train": [69, 41, 2, 69, 0], "test": [69, 85]})
    ds = data.load("cifar100", tmp_path)
    assert ds.num_classes == 100 and ds.classes[69] == "rocket"
    assert ds.train.y.tolist() == [69, 41, 2, 69, 0] and ds.train.x.shape == (5, 3, 32, 32) and ds.train.x.dtype == torch.uint8
    coarse = SUPERCLASSES["cifar100-20"].lookup()[ds.train.y.numpy()]
    assert coarse.tolist() == [19, 19, 14, 19, 4]


def test_cifar100_file_with_a_nonstandard_coarse_label_is_refused(tmp_path, trusted_test_files):
    wrong = list(CIFAR100_COARSE_OF_FINE)
    wrong[69] = 18
    _write_cifar100(tmp_path, {"train": [69], "test": [69]}, coarse_of=wrong)
    with pytest.raises(ValueError, match="standard CIFAR-100 mapping puts fine class 69 in superclass 19"):
        data.load("cifar100", tmp_path)


def test_missing_cifar100_says_how_to_get_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="cifar-100-python.*data cifar100"):
        data.load("cifar100", tmp_path)


def test_subclass_forgetting_relabels_to_superclasses_and_forgets_one_fine_class(digits):
    splits = data.subclass_forgetting(digits, "digits-parity", 8)
    assert splits.kind == "subclass" and splits.num_classes == 2 and splits.train.classes == ("even", "odd")
    assert splits.forget_classes == (0,) and splits.forget_subclasses == (8,)
    assert len(splits.forget_train) == int((digits.train.y == 8).sum())
    assert set(splits.forget_train.y.tolist()) == {0} and set(splits.retain_train.y.tolist()) == {0, 1}
    even_kept = torch.isin(digits.train.y, torch.tensor([0, 2, 4, 6])).sum()
    assert int((splits.retain_train.y == 0).sum()) == int(even_kept), "the other even digits stay in D_r"
    assert len(splits.forget_train) + len(splits.retain_train) == len(digits.train)


@pytest.mark.parametrize(("request_args", "message"), [
    (dict(kind="subclass", classes=(8,)), "needs superclasses="),
    (dict(kind="class"), "needs classes="),
    (dict(kind="random", fraction=1.0), "fraction must be in \\(0, 1\\)"),
    (dict(kind="forget-all", classes=(1,)), "kind must be"),
])
def test_bad_forget_requests_name_the_argument(request_args, message):
    with pytest.raises(ValueError, match=message):
        data.ForgetRequest(**request_args)


@pytest.mark.parametrize(("args", "message"), [
    (("digits-parity", (0, 2, 4, 6, 8)), "cover all of superclass"),
    (("digits-parity", (12,)), "out of range"),
    (("cifar10-vehicles", (1,)), "group cifar10, but the dataset is digits"),
    (("planets", (1,)), "unknown superclasses='planets'"),
])
def test_bad_subclass_requests_raise_clear_errors(digits, args, message):
    with pytest.raises(ValueError, match=message):
        data.subclass_forgetting(digits, *args)


def test_requests_split_datasets_into_the_three_scenarios(digits):
    assert data.ForgetRequest("class", classes=(3,)).split(digits).forget_classes == (3,)
    sub = data.ForgetRequest("subclass", classes=(8,), superclasses="digits-parity")
    assert sub.split(digits).forget_subclasses == (8,) and sub.labels == "digits-parity"
    rand = data.ForgetRequest("random", fraction=0.1, seed=1).split(digits)
    assert len(rand.forget_train) == round(0.1 * len(digits.train)) and rand.kind == "random"
    assert sub.label() == "sub-class 8 (digits-parity)"
