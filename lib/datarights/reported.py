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
    Reported("bad teacher Dr accuracy (re-implementation)", 81.7, "CIFAR-20 rocket, ResNet-18", _LORDVARUN, "SEC"),
    Reported("bad teacher Df accuracy (re-implementation)", 3.2, "CIFAR-20 rocket, ResNet-18", _LORDVARUN, "SEC"),
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

# Deep regression unlearning (spec regression_unlearning.md 8.1, 8.2): the saved outputs of the authors'
# two notebooks (single unseeded runs), not the paper's tables, which could not be read.
_AGEDB_NB = "AgeDB_AllCNN_0to30_forgetting.ipynb (ayu987/deep-regression-unlearning)"
_AGEDB_SETTING = "AgeDB-DIR, AllCNN at 32 px, forget ages ≤ 30; test MAE in years (mean of batch means)"
_STSB_NB = "STSB_LSTM_Unlearn_0_to_2.ipynb (ayu987/deep-regression-unlearning)"
_STSB_SETTING = "STS-B-DIR, LSTM + GloVe, forget scores < 2; test MSE (mean of batch means)"

REGRESSION: tuple[Reported, ...] = (
    *(Reported(f"{method} test-retain error", retain, _AGEDB_SETTING, _AGEDB_NB, "NB")
      for method, retain in (("original", 9.333), ("retrained", 11.382), ("finetune", 9.791), ("gaussian_finetune", 9.813),
                             ("blindspot", 9.977))),
    *(Reported(f"{method} test-forget error", forget, _AGEDB_SETTING, _AGEDB_NB, "NB")
      for method, forget in (("original", 12.767), ("retrained", 24.307), ("finetune", 14.830), ("gaussian_finetune", 17.067),
                             ("blindspot", 21.632))),
    *(Reported(f"{method} W1 to gold", w1, _AGEDB_SETTING + "; W1 on train-forget predictions", _AGEDB_NB, "NB")
      for method, w1 in (("original", 2.993), ("finetune", 1.619), ("gaussian_finetune", 2.331), ("blindspot", 1.153))),
    *(Reported(f"{method} MIA", mia, _AGEDB_SETTING + "; member rate on 2,000 train-forget samples", _AGEDB_NB, "NB")
      for method, mia in (("original", 0.5925), ("retrained", 0.3005), ("finetune", 0.4285), ("gaussian_finetune", 0.4965),
                          ("blindspot", 0.403))),
    *(Reported(f"{method} AIN", ain, _AGEDB_SETTING + "; confounded by the in-place relearning bug (spec 7.4)", _AGEDB_NB, "NB")
      for method, ain in (("finetune", 0.00658), ("gaussian_finetune", 0.00962), ("blindspot", 0.333))),
    *(Reported(f"{method} test-retain error", retain, _STSB_SETTING, _STSB_NB, "NB")
      for method, retain in (("original", 2.842), ("retrained", 0.926), ("finetune", 1.072), ("gaussian_finetune", 1.205),
                             ("blindspot", 0.981))),
    *(Reported(f"{method} test-forget error", forget, _STSB_SETTING, _STSB_NB, "NB")
      for method, forget in (("original", 1.793), ("retrained", 7.222), ("finetune", 5.555), ("gaussian_finetune", 4.821),
                             ("blindspot", 6.394))),
)

_ZS_NB = "zero-shot MNIST notebook (ayu987/zero-shot-unlearning, 1_class_mnist_allcnn.ipynb)"
_ZS_SETTING = "MNIST, AllCNN (1 channel), 25 epochs Adam 0.01; forget digit 0"
_ZS_GKT = "MNIST AllCNN, GKT as in the notebook (gate 0.01, β 250, student in eval mode), forget digit 0"
_ZS_TRAJECTORY = {  # the committed df.iloc[10:20] of the notebook (spec 3.5): pseudo-batch → (Df acc, Dr acc)
    450: (0.00, 85.45), 500: (0.00, 85.30), 550: (0.00, 86.07), 600: (0.00, 87.01), 650: (0.00, 88.53),
    700: (0.00, 89.65), 750: (0.00, 94.77), 800: (6.03, 98.41), 850: (53.30, 98.79), 900: (76.27, 98.81),
}

ZERO_SHOT: tuple[Reported, ...] = (
    Reported("original test accuracy", 99.39, _ZS_SETTING, _ZS_NB, "NB"),
    Reported("original Df accuracy", 99.51, _ZS_SETTING, _ZS_NB, "NB"),
    Reported("original Dr accuracy", 99.35, _ZS_SETTING, _ZS_NB, "NB"),
    *(Reported(f"GKT Df accuracy at pseudo-batch {n}", df, _ZS_GKT, _ZS_NB, "NB") for n, (df, _) in _ZS_TRAJECTORY.items()),
    *(Reported(f"GKT Dr accuracy at pseudo-batch {n}", dr, _ZS_GKT, _ZS_NB, "NB") for n, (_, dr) in _ZS_TRAJECTORY.items()),
)
