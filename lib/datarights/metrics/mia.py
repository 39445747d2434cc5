"""Membership inference attack as coded by the authors of bad teaching and zero-shot unlearning.

The bad-teaching repository's ``metrics.py``, ``get_membership_attack_prob()``: one scalar
feature per image, the Shannon entropy H(p) = −Σ_c p_c ln p_c of the model's softmax output.
An attacker is fit on the retain *train* set (label 1, "member") against the test set
(label 0, "non-member"), then asked about the forget *train* set.
The score is the fraction of forget images it calls "member": lower means less membership
signal; the target is the retrained model's value, not 0.

Attack models: the authors' repositories fit ``SVC(C=3, gamma="auto", kernel="rbf")``
(``attack="svc"``); the SSD codebase, which copied their metric, uses balanced logistic
regression (``attack="logistic"``), the default here because it is faster and insensitive
to the members/non-members imbalance (49,500 vs 10,000 on CIFAR-10).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from datarights.data.tensors import Split
from datarights.train import predict_logits
from datarights.validation import check_int, check_model_data, check_seed

Attack = Literal["logistic", "svc"]
Feature = Literal["entropy", "loss"]
ATTACK_DESCRIPTIONS = {
    "logistic": "LogisticRegression(class_weight='balanced')",
    "svc": "SVC(C=3, gamma='auto', kernel='rbf')",
}
ORIENTATION = "fraction of the forget set judged 'member' (lower = less membership signal; the target is the retrained model's value)"


@dataclass(frozen=True)
class MIAResult:
    """An attack's verdict on the forget set, with the definition it was computed under."""

    score: float
    feature: str
    attack: str
    orientation: str
    n_members: int
    n_nonmembers: int
    n_targets: int
    attack_train_accuracy: float

    def __float__(self) -> float:
        return self.score

    def to_dict(self) -> dict:
        return asdict(self)


def entropy(probs: Tensor) -> Tensor:
    """Shannon entropy (nats) of each row of a probability matrix."""
    return -torch.special.xlogy(probs, probs).sum(dim=1)


def attack_features(model: nn.Module, data: Split, feature: Feature = "entropy") -> np.ndarray:
    """The attacker's one feature per image: softmax entropy, or per-sample cross-entropy loss."""
    logits = predict_logits(model, data)
    if feature == "entropy":
        values = entropy(logits.softmax(dim=1))
    elif feature == "loss":
        values = F.cross_entropy(logits, data.y.cpu(), reduction="none")
    else:
        raise ValueError(f"feature must be 'entropy' or 'loss', got {feature!r}")
    return values.numpy().astype(np.float64)


def _cap(values: np.ndarray, limit: int | None, rng: np.random.Generator) -> np.ndarray:
    if limit is None or len(values) <= limit:
        return values
    return values[rng.choice(len(values), size=limit, replace=False)]


def _attacker(attack: Attack, seed: int):
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import SVC

    if attack == "logistic":
        return LogisticRegression(class_weight="balanced", random_state=seed)
    if attack == "svc":
        return SVC(C=3, gamma="auto", kernel="rbf", random_state=seed)
    raise ValueError(f"attack must be one of {sorted(ATTACK_DESCRIPTIONS)}, got {attack!r}")


def membership_inference(
    model: nn.Module,
    *,
    members: Split,
    nonmembers: Split,
    targets: Split,
    attack: Attack = "logistic",
    feature: Feature = "entropy",
    seed: int = 0,
    max_samples_per_side: int | None = None,
) -> MIAResult:
    """Fit the attack on ``members`` (retain-train) vs ``nonmembers`` (test) and score ``targets`` (forget-train).

    ``max_samples_per_side`` caps members and non-members at a seeded random subset each
    (an RBF SVC on all 59,500 CIFAR-10 images costs minutes); None uses every sample.
    """
    for argument, split in (("members", members), ("nonmembers", nonmembers), ("targets", targets)):
        if len(split) == 0:
            raise ValueError(f"{argument} is empty: the membership attack needs samples in every set")
    check_seed(seed)
    if feature not in ("entropy", "loss"):
        raise ValueError(f"feature must be 'entropy' or 'loss', got {feature!r}")
    if max_samples_per_side is not None:
        check_int(max_samples_per_side, "max_samples_per_side", minimum=1)
    for argument, split in (("members", members), ("nonmembers", nonmembers), ("targets", targets)):
        check_model_data(model, split, argument)
    attacker = _attacker(attack, seed)
    rng = np.random.default_rng(seed)
    x_in, x_out = (_cap(attack_features(model, split, feature), max_samples_per_side, rng) for split in (members, nonmembers))
    x = np.concatenate([x_in, x_out])[:, None]
    y = np.concatenate([np.ones(len(x_in)), np.zeros(len(x_out))])
    attacker.fit(x, y)
    verdict = attacker.predict(attack_features(model, targets, feature)[:, None])
    return MIAResult(
        score=float(verdict.mean()),
        feature=feature,
        attack=ATTACK_DESCRIPTIONS[attack],
        orientation=ORIENTATION,
        n_members=len(x_in),
        n_nonmembers=len(x_out),
        n_targets=len(targets),
        attack_train_accuracy=float(attacker.score(x, y)),
    )
