"""The scope banner at the top of every chapter: which data, model and scale produced the page.

Every fact about *this run* comes from the settings objects (:mod:`datarights.settings`,
:data:`datarights.profiles.USES`) or from a result's ``meta``, never from the chapter's
text, so the banner stays right when a profile changes. What the papers used comes from
``PAPERS`` below, each with the source it rests on (the papers' texts could not be read; see the
introduction's note on sources).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from datarights.profiles import USES, check

# Profiles whose settings are meant to be the papers' own; every other profile is a smaller stand-in.
PAPER_SCALE_PROFILES = ("full",)


@dataclass(frozen=True)
class PaperSetting:
    """What a paper evaluated on, as far as it is known, and where that is known from."""

    setting: str
    source: str
    headline: str


PAPERS: dict[str, PaperSetting] = {
    "foundations": PaperSetting(
        "CIFAR-10 and CIFAR-100 class-level forgetting with ResNet-18-type networks",
        "the authors' code of the three unlearning papers", "the methods' claimed advantages over the baselines"),
    "unsir": PaperSetting(
        "CIFAR-10, CIFAR-100 and VGGFace-100 with ResNet18, AllCNN, MobileNetV2 and a Vision Transformer",
        "a third-party summary of the paper; the authors' notebook runs CIFAR-10 with ResNet-18",
        "the paper's claim of fast and effective class forgetting"),
    "bad_teacher": PaperSetting(
        "CIFAR-Super20 (CIFAR-100's superclasses) with an ImageNet-pretrained ResNet-18 at 224 px",
        "the authors' notebook", "the paper's claims about bad teaching and the ZRF metric"),
    "zero_shot": PaperSetting(
        "MNIST, SVHN and CIFAR-10 with several backbones (AllCNN for MNIST in the authors' code)",
        "a third-party summary written from the paper, and the authors' code",
        "the paper's claims about EMMN, GKT and the Anamnesis Index"),
    "regression": PaperSetting(
        "AgeDB-DIR with AllCNN and ResNet-18, STS-B-DIR with an LSTM, and a time-series task",
        "the authors' code and notebooks", "the authors' finding that Blindspot unlearning comes closest to the gold model"),
    "compare": PaperSetting(
        "each method's own paper setting (CIFAR-10/100 and MNIST with ResNet-18 and AllCNN)",
        "the authors' code of the three unlearning papers", "each paper's ranking of its method against the others"),
    "tabsyndex": PaperSetting(
        "real tables (the authors' notebook uses wine-white, news and concrete) and generators of the "
        "probabilistic, GAN and VAE kinds", "the abstract and the authors' code and notebook",
        "the paper's comparison of generators and of TabSynDex with other metrics"),
    "ecoval": PaperSetting(
        "not known (only the abstract and third-party summaries could be read)",
        "the abstract and third-party summaries",
        "the abstract's claim of comparable valuation quality at a much lower cost than Shapley-based methods"),
}


def at_paper_scale(profile: str) -> bool:
    """Whether ``profile`` is meant to run the papers' own settings (``full``; never smoke, quick or dry)."""
    return check(profile) in PAPER_SCALE_PROFILES


def _seeds(seeds: int | Sequence[int]) -> str:
    seeds = [seeds] if isinstance(seeds, int) else list(seeds)
    label = "seed" if len(seeds) == 1 else f"{len(seeds)} seeds"
    return f"{label} {', '.join(map(str, seeds))}"


def banner(profile: str, *, paper: str, facts: str, seeds: int | Sequence[int]) -> str:
    """The scope admonition (MyST Markdown) for a chapter.

    Parameters
    ----------
    profile : str
        The profile that produced the page.
    paper : str
        A key of :data:`PAPERS`: whose setting the page reproduces.
    facts : str
        What ran, in one sentence fragment built from settings or result meta (see :func:`unlearning_facts`,
        :func:`regression_facts`, :func:`study_facts`).
    seeds : int or sequence of int
        The seeds behind the numbers.
    """
    p = PAPERS[paper]
    text = (f"**This page:** profile **{profile}**, {facts}; {_seeds(seeds)}. "
            f"The {profile} profile is meant for {USES[check(profile)].where}. "
            f"**The paper:** {p.setting} (known from {p.source}).")
    if at_paper_scale(profile):
        text += " This profile is meant to run that setting; where a result below departs from it, the page says so."
    else:
        text += (f" This is not the paper's setting: the numbers here can neither confirm nor refute "
                 f"{p.headline}; they show how the methods behave at this scale.")
    return f":::{{admonition}} Scope\n:class: important\n{text}\n:::"


def unlearning_facts(profile: Any, meta: Mapping[str, Any] | None = None) -> str:
    """Data, model and training images per class of an unlearning profile (a name or a ``settings.common.Profile``;
    ``meta``, a result's, takes precedence where it says more)."""
    from datarights.profiles import get

    P = get(profile)
    meta = dict(meta or {})
    dataset = meta.get("dataset", P.dataset)
    model = meta.get("model", P.model)
    classes = meta.get("class_names")
    n_train = meta.get("n_train")
    if P.train_per_class is not None:
        per_class = f"{P.train_per_class} training images per class"
    elif n_train and classes:
        per_class = f"about {round(n_train / len(classes))} training images per class ({n_train} in all)"
    else:
        per_class = "every training image of the dataset"
    return f"data {dataset}, model {model}, {per_class}, {P.train.epochs} training epochs"


def regression_facts(domains: Sequence[Any]) -> str:
    """One clause per regression domain: its dataset and model (``settings.regression`` ``Domain`` objects)."""
    return "domains " + "; ".join(f"{d.name}: data {d.dataset}, model {d.model}" for d in domains)


def study_facts(study: Any) -> str:
    """The ``description`` of a table-based study (``settings.tabsyndex``/``settings.ecoval``)."""
    return study.description


__all__ = ["PAPERS", "PAPER_SCALE_PROFILES", "PaperSetting", "at_paper_scale", "banner", "regression_facts",
           "study_facts", "unlearning_facts"]
