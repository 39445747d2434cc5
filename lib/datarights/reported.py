"""Numbers reported by the papers' authors and by peers, in one place, each with its source.

None of the papers' own result tables could be read (``../shared/papers/README.md``): what is
here comes from the authors' committed notebook outputs ([NB]) or from clearly named
third-party sources ([SEC]). Chapters set their own numbers beside these and discuss every
difference. Accuracies are percentages, as reported.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reported:
    """One reported number and where it comes from."""

    quantity: str
    value: float
    setting: str
    source: str
    tag: str  # "NB": authors' notebook output; "SEC": secondary source
    spread: float | None = None  # the reported ± (a standard deviation), where there is one


_BT_NB = "bad-teaching notebook (vikram2000b/bad-teaching-unlearning)"
_ROCKET = ("CIFAR-Super20 (CIFAR-100 under its 20 superclasses), ImageNet-pretrained ResNet-18 at 224 px, 5 epochs; "
           "forget sub-class rocket")
_ROCKET_AMNESIAC_DF = Reported("random-labels accuracy on forget set", 2.0, _ROCKET + "; 3 epochs Adam 1e-4", _BT_NB, "NB")
_ROCKET_ZRF_ORIGINAL = Reported("ZRF (code) of the original model", 0.8767, _ROCKET, _BT_NB, "NB")
_ROCKET_ZRF_RETRAINED = Reported("ZRF (code) of the retrained model", 0.9299, _ROCKET, _BT_NB, "NB")
_LORDVARUN = "independent re-implementation (Lordvarun23/Unlearning-Research-Paper-Implementations, README)"
_TORCHUNLEARN = "torchunlearn README (Harry24k/machine-unlearning-pytorch), 3 seeds"

BAD_TEACHER: tuple[Reported, ...] = (
    Reported("original Dr accuracy", 85.78, _ROCKET, _BT_NB, "NB"),
    Reported("original Df accuracy", 82.0, _ROCKET, _BT_NB, "NB"),
    _ROCKET_ZRF_ORIGINAL,
    Reported("retrained Dr accuracy", 85.77, _ROCKET, _BT_NB, "NB"),
    Reported("retrained Df accuracy", 3.0, _ROCKET, _BT_NB, "NB"),
    _ROCKET_ZRF_RETRAINED,
    Reported("bad teacher Dr accuracy", 84.57, _ROCKET + "; 1 epoch Adam 1e-4, 30% of D_r", _BT_NB, "NB"),
    Reported("bad teacher Df accuracy", 3.0, _ROCKET + "; 1 epoch Adam 1e-4, 30% of D_r", _BT_NB, "NB"),
    Reported("ZRF (code) of the bad teacher", 0.9941, _ROCKET + "; 1 epoch Adam 1e-4, 30% of D_r", _BT_NB, "NB"),
    Reported("JS (code form) between bad teacher and retrained", 0.0486, _ROCKET, _BT_NB, "NB"),
    Reported("random-labels accuracy on retain set", 84.92, _ROCKET + "; 3 epochs Adam 1e-4", _BT_NB, "NB"),
    _ROCKET_AMNESIAC_DF,
    Reported("bad teacher Dr accuracy", 81.7, "CIFAR-20 rocket, ResNet-18", _LORDVARUN, "SEC"),
    Reported("bad teacher Df accuracy", 3.2, "CIFAR-20 rocket, ResNet-18", _LORDVARUN, "SEC"),
    Reported("bad teacher seconds", 40.0, "CIFAR-20 rocket, ResNet-18, GPU not stated", _LORDVARUN, "SEC"),
    Reported("bad teacher forget-set accuracy (random 10%)", 99.74, "CIFAR-10 ResNet-18, random 10% of the training set",
             _TORCHUNLEARN, "SEC"),
    Reported("bad teacher test accuracy (random 10%)", 93.11, "CIFAR-10 ResNet-18, random 10% of the training set",
             _TORCHUNLEARN, "SEC"),
    Reported("fine-tune forget-set accuracy (random 10%)", 99.84, "CIFAR-10 ResNet-18, random 10% of the training set",
             _TORCHUNLEARN, "SEC"),
)

FOUNDATIONS: tuple[Reported, ...] = (
    Reported("original test accuracy", 77.17, "CIFAR-10, torchvision ResNet-18 from scratch, no augmentation, 40 epochs Adam",
             "UNSIR notebook (vikram2000b/Fast-Machine-Unlearning)", "NB"),
    Reported("original test accuracy", 94.89, "CIFAR-10, ResNet-18, standard recipe",
             "Kodge et al., TMLR 2024, Table 1, as quoted in a third-party note", "SEC"),
    Reported("retrained accuracy on retain classes", 94.81, "CIFAR-10 ResNet-18, one class forgotten, mean of 10 classes",
             "Kodge et al., TMLR 2024, Table 1 (third-party quote)", "SEC"),
    Reported("retrained accuracy on forget class", 0.0, "CIFAR-10 ResNet-18, one class forgotten, mean of 10 classes",
             "Kodge et al., TMLR 2024, Table 1 (third-party quote)", "SEC"),
    Reported("fine-tune accuracy on forget class", 95.17, "CIFAR-10 ResNet-18, one class, 5 epochs SGD lr 0.01",
             "torchunlearn README (Harry24k/machine-unlearning-pytorch)", "SEC"),
    _ROCKET_AMNESIAC_DF,
    _ROCKET_ZRF_ORIGINAL,
    _ROCKET_ZRF_RETRAINED,
)

_UNSIR_NB = "UNSIR notebook (vikram2000b/Fast-Machine-Unlearning)"
_UNSIR_NB_SETTING = "CIFAR-10, torchvision ResNet-18 from scratch, no augmentation; forget airplane + bird"
_KODGE = "Kodge et al., TMLR 2024, Table 1, as quoted in a third-party note"
_KODGE_SETTING = "CIFAR-10, ResNet-18, one class at a time, mean ± std over the 10 classes"

UNSIR: tuple[Reported, ...] = (
    Reported("original test accuracy", 77.17, _UNSIR_NB_SETTING, _UNSIR_NB, "NB"),
    Reported("Df accuracy after impair", 0.63, _UNSIR_NB_SETTING, _UNSIR_NB, "NB"),
    Reported("Dr accuracy after impair", 68.18, _UNSIR_NB_SETTING, _UNSIR_NB, "NB"),
    Reported("Df accuracy after repair", 0.00, _UNSIR_NB_SETTING, _UNSIR_NB, "NB"),
    Reported("Dr accuracy after repair", 70.95, _UNSIR_NB_SETTING, _UNSIR_NB, "NB"),
    Reported("noise seconds (both classes)", 2.13, _UNSIR_NB_SETTING + ", the authors' GPU", _UNSIR_NB, "NB"),
    Reported("impair seconds", 1.05, _UNSIR_NB_SETTING + ", the authors' GPU", _UNSIR_NB, "NB"),
    Reported("repair seconds", 0.96, _UNSIR_NB_SETTING + ", the authors' GPU", _UNSIR_NB, "NB"),
    Reported("UNSIR Dr accuracy", 92.20, _KODGE_SETTING, _KODGE, "SEC", spread=0.72),
    Reported("UNSIR Df accuracy", 10.89, _KODGE_SETTING, _KODGE, "SEC", spread=8.79),
    Reported("retrained Dr accuracy", 94.81, _KODGE_SETTING, _KODGE, "SEC"),
    Reported("retrained Df accuracy", 0.0, _KODGE_SETTING, _KODGE, "SEC"),
    Reported("UNSIR Df accuracy (bad-teaching repo's UNSIR)", 17.43,
             "CIFAR-Super20, ImageNet-pretrained ResNet-18 at 224 px, forget superclass 0, impair/repair Adam 1e-4",
             "bad-teaching notebook (vikram2000b/bad-teaching-unlearning)", "NB"),
    Reported("UNSIR Dr accuracy (bad-teaching repo's UNSIR)", 84.62,
             "CIFAR-Super20, ImageNet-pretrained ResNet-18 at 224 px, forget superclass 0, impair/repair Adam 1e-4",
             "bad-teaching notebook (vikram2000b/bad-teaching-unlearning)", "NB"),
)
