"""Settings of the deep regression unlearning chapter (05): one ``Domain`` per task (data, forget rule,
network, the settings of every method) and the domains, seeds and ablations of each profile."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from datarights.data import regression as rdata
from datarights.metrics.regression import RegressionRelearnConfig
from datarights.profiles import select
from datarights.settings.common import adam, shrink
from datarights.train import RegressorTraining, TrainConfig
from datarights.unlearning import BlindspotConfig, GaussianConfig


@dataclass(frozen=True)
class Domain:
    """One regression task and the settings of every method on it.

    ``dataset``: a name of ``load_request`` (``digits-rotation``, ``utkface``, ``stsb``, ``stsb-synthetic``,
    ``diabetes``, ``elnino``, ``ett``); ``forget``: the target range to forget (None with
    ``forget_series``: forget every window of that series); ``data``: loader options; ``model`` and
    ``model_options``: the network; ``original``: the recipe of the original and the gold model;
    ``finetune``/``gaussian``/``blindspot``/``relearn``: the methods; ``variants``: extra Blindspot
    forms, by name, with their changes; ``mia_samples``: members, non-members and targets of the attack.
    """

    name: str
    dataset: str
    loss: str
    forget: rdata.ForgetRange | None
    model: str
    original: RegressorTraining
    finetune: TrainConfig
    gaussian: GaussianConfig
    blindspot: BlindspotConfig
    relearn: RegressionRelearnConfig
    model_options: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    forget_series: int | None = None
    forget_quantile: float | None = None
    variants: dict[str, dict[str, Any]] = field(default_factory=dict)
    mia_samples: int = 2000
    unit: str = ""
    target_name: str = "target"
    seeds: tuple[int, ...] = (0,)

    def to_dict(self) -> dict:
        return asdict(self)

    def reference_settings(self, role: str) -> dict[str, Any]:
        """What a reference model of this domain depends on, for its cache key: the data, the network and
        the training recipe; for the gold model (``role="retrained"``) also the forget rule, which chooses
        its training set. The original is trained on all of D, so domains that differ only in what they
        forget (``vision`` and ``vision-age30``) or in how they unlearn share one original."""
        if role not in ("original", "retrained"):
            raise ValueError(f"role must be 'original' or 'retrained', got {role!r}")
        shared = {"dataset": self.dataset, "data": self.data, "loss": self.loss, "model": self.model,
                  "model_options": self.model_options, "original": self.original.to_dict()}
        if role == "original":
            return shared
        forget = None if self.forget is None else asdict(self.forget)
        return {**shared, "forget": forget, "forget_quantile": self.forget_quantile, "forget_series": self.forget_series}


@dataclass(frozen=True)
class Ablation:
    """Blindspot settings varied one at a time on one domain and seed (the paper's own ablations
    could not be read; these are the issue's): β, the blindspot model's training epochs, and which
    layers enter the attention term (``"all"``, the first half, the second half)."""

    domain: str
    betas: tuple[float, ...] = (0.0, 10.0, 50.0, 200.0)
    proxy_epochs: tuple[int, ...] = (1, 2, 5, 10)
    layer_sets: tuple[str, ...] = ("all", "early", "late")

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class RegressionStudy:
    domains: tuple[Domain, ...]
    ablation: Ablation
    ain_bug_domain: str
    description: str = ""
    requires_gpu: bool = False

    def domain(self, name: str) -> Domain:
        for d in self.domains:
            if d.name == name:
                return d
        raise ValueError(f"unknown domain={name!r}; this profile has {[d.name for d in self.domains]}")

    def to_dict(self) -> dict:
        return asdict(self)


# Quick: 1,079 rotated digits at batch 64 give 17 steps per epoch, against 48 for AgeDB-DIR at batch
# 256; epochs are scaled so that each method takes about the authors' number of optimiser steps
# (proxy 2 AgeDB epochs ≈ 76 steps → 5 epochs on D_r; unlearning/Gaussian 1 epoch ≈ 48 steps → 3;
# fine-tune 5 epochs ≈ 190 steps → 10). The AllCNN is thinned to 16/32 channels for 2 CPU cores.
_DIGITS = Domain(
    name="vision", dataset="digits-rotation", loss="l1", forget=rdata.ForgetRange(high=40.0),
    model="allcnn_regressor", model_options={"width": 0.25}, data={"size": 16, "copies": 1},
    original=RegressorTraining(epochs=25, batch_size=64, lr=3e-3, plateau_patience=5),
    finetune=adam(10, 64), gaussian=GaussianConfig(epochs=3, batch_size=64),
    blindspot=BlindspotConfig(proxy=RegressorTraining(epochs=5, batch_size=64, lr=0.01, select_best=False), epochs=3, batch_size=64),
    relearn=RegressionRelearnConfig(lr=0.01, batch_size=64, max_epochs=10),
    mia_samples=2000, unit="°", target_name="rotation angle (°)", seeds=(0, 1, 2),
)
# STS-B: the authors' notebook's settings (``STSB_LSTM_Unlearn_0_to_2.ipynb``): MSE, blindspot 10 epochs with best-val reload, 5
# unlearning epochs in one fixed order, Gaussian 5 epochs, fine-tune 5; embeddings trained (no GloVe).
_STSB_BLINDSPOT = BlindspotConfig(proxy=RegressorTraining(epochs=10, batch_size=256, lr=0.01, select_best=True), epochs=5,
                                  batch_size=256, loss="mse", reshuffle=False)
_STSB = Domain(
    name="text", dataset="stsb", loss="mse", forget=rdata.ForgetRange(high=2.0, closed=False),
    model="lstm_pair_regressor", model_options={"embedding_dim": 64},
    original=RegressorTraining(epochs=15, batch_size=256, lr=0.01, plateau_patience=10),
    finetune=adam(5, 256), gaussian=GaussianConfig(epochs=5, batch_size=256, loss="mse"), blindspot=_STSB_BLINDSPOT,
    relearn=RegressionRelearnConfig(lr=0.01, batch_size=256, loss="mse", max_epochs=10),
    variants={"blindspot_fixed": {"two_d": "fixed"}}, mia_samples=1000, target_name="similarity score", seeds=(0,),
)
_DIABETES = Domain(
    name="tabular", dataset="diabetes", loss="mse", forget=None, forget_quantile=0.25,
    model="mlp_regressor", model_options={"hidden": (64, 64)},
    original=RegressorTraining(epochs=100, batch_size=32, lr=3e-3, plateau_patience=10),
    finetune=adam(10, 32), gaussian=GaussianConfig(epochs=3, batch_size=32, loss="mse"),
    blindspot=BlindspotConfig(proxy=RegressorTraining(epochs=5, batch_size=32, lr=0.01, select_best=False), epochs=3, batch_size=32,
                              loss="mse"),
    relearn=RegressionRelearnConfig(lr=0.01, batch_size=32, loss="mse", max_epochs=10),
    variants={"blindspot_fixed": {"two_d": "fixed"}}, mia_samples=2000, target_name="disease progression (z-score)",
    seeds=(0, 1, 2),
)
_ELNINO = Domain(
    name="forecasting", dataset="elnino", loss="mse", forget=None, forget_quantile=0.8,
    model="gru_forecaster", model_options={"hidden": 32}, data={"encoder": 24, "horizon": 6},
    original=RegressorTraining(epochs=30, batch_size=32, lr=3e-3, plateau_patience=5),
    finetune=adam(10, 32), gaussian=GaussianConfig(epochs=3, batch_size=32, loss="mse"),
    blindspot=BlindspotConfig(proxy=RegressorTraining(epochs=5, batch_size=32, lr=0.01, select_best=False), epochs=3, batch_size=32,
                              loss="mse"),
    relearn=RegressionRelearnConfig(lr=0.01, batch_size=32, loss="mse", max_epochs=10),
    variants={"blindspot_fixed": {"two_d": "fixed"}}, mia_samples=2000, target_name="sea temperature (z-score, window mean)",
    seeds=(0, 1, 2),
)

# Quick, real data at laptop scale: 4,000 UTKFace faces at 16 px (2,800 train; the AgeDB stand-in),
# forgetting ages up to 19 as the full profile does, with the rotated-digits recipe (25 epochs at batch
# 64, the AllCNN at 1/4 width); and ETTh1/ETTh2 windows of 24 hours → 6 (every 8th start, ~4,300
# windows), forgetting the top 20 % of window means, with the El Niño recipe.
_UTKFACE_QUICK = replace(_DIGITS, dataset="utkface", forget=rdata.ForgetRange(high=19.0), data={"size": 16, "limit": 4000},
                         unit=" years", target_name="age (years)")
_ETT_QUICK = replace(_ELNINO, dataset="ett", data={"encoder": 24, "horizon": 6, "stride": 8},
                     target_name="high useful load (z-score, window mean)", seeds=(0, 1, 2))

# Full: the papers' settings (the authors' code and two notebooks; a third-party reproducibility page quotes the paper's
# 100 epochs at 0.01): Adam 0.01, batch 256, plateau scheduler, 100 epochs,
# best-validation checkpoint for the original and the gold model; UTKFace stands in for AgeDB.
_FULL_ORIGINAL = RegressorTraining(epochs=100, batch_size=256, lr=0.01, plateau_patience=10)
_AGEDB_BLINDSPOT = BlindspotConfig(proxy=RegressorTraining(epochs=2, batch_size=256, lr=0.01, select_best=False, augment="crop_flip"),
                                   epochs=1, batch_size=256, augment="crop_flip")
_UTKFACE = Domain(
    name="vision", dataset="utkface", loss="l1", forget=rdata.ForgetRange(high=19.0),
    model="allcnn_regressor", data={"size": 32},
    original=replace(_FULL_ORIGINAL, augment="crop_flip"),
    finetune=replace(adam(5, 256), augment="crop_flip"), gaussian=GaussianConfig(epochs=1, augment="crop_flip"),
    blindspot=_AGEDB_BLINDSPOT, relearn=RegressionRelearnConfig(augment="crop_flip"),
    unit=" years", target_name="age (years)", seeds=(0, 1, 2),
)
_STSB_FULL = replace(_STSB, model_options={"embedding_dim": 300}, original=replace(_FULL_ORIGINAL), seeds=(0, 1, 2))
_ETT = Domain(
    name="forecasting", dataset="ett", loss="mse", forget=None, forget_quantile=0.8,
    model="gru_forecaster", model_options={"hidden": 64}, data={"encoder": 168, "horizon": 24, "stride": 1},
    original=replace(_FULL_ORIGINAL, epochs=30), finetune=adam(5, 256), gaussian=GaussianConfig(epochs=1, loss="mse"),
    blindspot=BlindspotConfig(epochs=1, loss="mse"), relearn=RegressionRelearnConfig(loss="mse", max_epochs=2),
    variants={"blindspot_fixed": {"two_d": "fixed"}}, target_name="high useful load (z-score, window mean)", seeds=(0,),
)

STUDIES: dict[str, RegressionStudy] = {
    "quick": RegressionStudy(
        domains=(_UTKFACE_QUICK, replace(_STSB, data={"train_limit": 2500}), _DIABETES, _ETT_QUICK),
        ablation=Ablation("vision", proxy_epochs=(1, 5, 10)), ain_bug_domain="vision",
        description="UTKFace ages (16 px, 4,000 faces), an STS-B-DIR subset, diabetes and ETT windows; small networks, CPU minutes"),
    "smoke": RegressionStudy(
        domains=(
            replace(_DIGITS, data={"size": 8, "copies": 1}, original=replace(_DIGITS.original, epochs=3), finetune=adam(1, 64),
                    seeds=(0,), mia_samples=200,
                    relearn=replace(_DIGITS.relearn, max_epochs=1),
                    blindspot=replace(_DIGITS.blindspot, epochs=1, proxy=replace(_DIGITS.blindspot.proxy, epochs=1))),
            replace(_STSB, dataset="stsb-synthetic", data={"n": 400}, original=replace(_STSB.original, epochs=2), seeds=(0,),
                    blindspot=replace(_STSB_BLINDSPOT, epochs=1, proxy=replace(_STSB_BLINDSPOT.proxy, epochs=2)),
                    relearn=replace(_STSB.relearn, max_epochs=1), mia_samples=100),
            replace(_DIABETES, original=replace(_DIABETES.original, epochs=10), seeds=(0,), relearn=replace(_DIABETES.relearn, max_epochs=1)),
            replace(_ELNINO, model_options={"hidden": 8}, original=replace(_ELNINO.original, epochs=3), finetune=adam(1, 32), seeds=(0,),
                    relearn=replace(_ELNINO.relearn, max_epochs=1),
                    blindspot=replace(_ELNINO.blindspot, epochs=1, proxy=replace(_ELNINO.blindspot.proxy, epochs=1))),
        ),
        ablation=Ablation("vision", betas=(0.0, 50.0), proxy_epochs=(1,), layer_sets=("late",)), ain_bug_domain="vision",
        description="tiny versions of the quick tasks (8-px digits, synthetic sentence pairs), for the test suite"),
    "full": RegressionStudy(
        domains=(_UTKFACE, replace(_UTKFACE, name="vision-age30", forget=rdata.ForgetRange(high=30.0), seeds=(0,)),
                 replace(_UTKFACE, name="vision-resnet18", model="resnet18_regressor", seeds=(0,)),
                 _STSB_FULL, replace(_DIABETES, seeds=(0, 1, 2, 3, 4)), _ETT,
                 replace(_ETT, name="forecasting-series", forget_quantile=None, forget_series=1)),
        ablation=Ablation("vision"), ain_bug_domain="vision", requires_gpu=True,
        description="UTKFace ages (AllCNN, ResNet-18), STS-B-DIR, diabetes, ETT windows at the papers' settings, one GPU"),
}

# The full profile's domains on slices of the same data, one seed, capped counts: the GPU runner's check on a CPU.
_DRY_DATA = {"vision": {"size": 32, "limit": 300}, "vision-age30": {"size": 32, "limit": 300},
             "vision-resnet18": {"size": 32, "limit": 300}, "text": {"train_limit": 200},
             "forecasting": {"encoder": 24, "horizon": 6, "stride": 100},
             "forecasting-series": {"encoder": 24, "horizon": 6, "stride": 100}}
_DRY_MODELS = {"allcnn_regressor": {"width": 0.125}, "resnet18_regressor": {"width": 0.125}, "lstm_pair_regressor": {"embedding_dim": 16},
               "gru_forecaster": {"hidden": 8}, "mlp_regressor": {"hidden": (16,)}}
STUDIES["dry"] = RegressionStudy(
    domains=tuple(replace(shrink(d), data={**d.data, **_DRY_DATA.get(d.name, {})}, model_options={**d.model_options, **_DRY_MODELS[d.model]},
                          seeds=(0,), mia_samples=50)
                  for d in STUDIES["full"].domains),
    ablation=Ablation("vision", betas=(0.0,), proxy_epochs=(1,), layer_sets=("late",)), ain_bug_domain="vision",
    description="toy-scale twin of the full profile's domains (slices of UTKFace, STS-B-DIR, diabetes, ETT), for the GPU runner's check")


def settings(profile: str) -> RegressionStudy:
    """The regression chapter's settings under ``profile`` (``smoke``, ``quick`` or ``full``)."""
    return select(STUDIES, profile)
