# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Can Bad Teaching Induce Forgetting?
#
# A model that has to forget part of its training data could simply be *taught* to forget:
# shown the data to forget, and told what a model that never saw it would answer.
# {cite:t}`chundawat2023badteacher` make this concrete with two teachers. A **competent
# teacher**, the trained model itself, keeps teaching everything that should stay; an
# **incompetent teacher**, a network with random weights that knows nothing, teaches the
# forget data. A student that starts as a copy of the trained model distils from both for one
# epoch over the forget set and a random 30% of the retain set. No label is ever used, the
# method is the same for a class, a sub-class or a random subset, and it costs a fraction of an
# epoch of training. The paper also proposes a way to score forgetting without a retrained
# model, the ZRF score. This chapter implements both, asks where they work and where they do
# not, and checks every claim against the retrained model.

# %% tags=["remove-cell"]
# Colab and Binder open this notebook without the companion's library: install it first. The address is
# the book's repository (`repository.url` in _config.yml; tests/test_references.py keeps the two equal).
import importlib.util
import subprocess
import sys

if importlib.util.find_spec("datarights") is None:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    "datarights @ git+https://github.com/datarights-book/datarights"], check=True)

# %% tags=["parameters", "hide-cell"]
profile = "quick"  # smoke | quick | full (see datarights.profiles)
seed = 0
device = "auto"  # auto | cpu | cuda
data_dir = None  # where datasets live; None: $DATARIGHTS_DATA

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from dataclasses import replace

from IPython.display import Markdown

from datarights import experiments, metrics, plots, profiles, reported, scope, tables, unlearning, verdicts
from datarights.experiments import bad_teacher as bt_experiments
from datarights.notebook import glue, provenance, show_markdown
from datarights.tables import METRICS, metric_columns, summary_table

plots.use_book_style()
P, study = profiles.get(profile), bt_experiments.settings(profile)
result = bt_experiments.run(profile, seed, device=device, data_dir=data_dir)
meta = result.meta
classes = result.table("class")
subclass = result.table("subclass")
random_subset = result.table("random")
ablation = result.ablation
on_digits = meta["dataset"] == "digits"
show_markdown(provenance(
    meta, P.description, chapter="03",
    request=(f"Forget requests on {meta['dataset']}: the classes {list(study.classes)} one at a time; the sub-classes "
             f"{', '.join(f'{fine} of {grouping}' for grouping, fine in study.subclasses)}"
             + (f" and CIFAR-100 fine classes {list(study.cifar100_subclasses)} under its 20 superclasses" if study.cifar100_subclasses else "")
             + f"; a random {study.random_fraction:.0%} of the training set. Bad teacher: {study.config.retain_fraction:.0%} of D_r, "
             f"{study.config.epochs} epoch of Adam {study.config.lr:g}, batch {study.config.batch_size}, τ = {study.config.temperature:g}, "
             f"KL reduction '{study.config.kl_reduction}'. "),
))
show_markdown(scope.banner(profile, paper="bad_teacher", facts=scope.unlearning_facts(profile, meta), seeds=seed))

# %% [markdown]
# ## Two teachers
#
# Let $M_o$ be the trained model, $D = D_r \cup D_f$ its training data split into the part to
# retain and the part to forget. The bad-teaching student $S$ starts as a copy of $M_o$. Its two
# teachers are frozen: the competent teacher $T_s = M_o$ and the incompetent teacher $T_d$, a
# network of the same architecture with freshly initialised weights. For an input $x$ with
# forget flag $l_u(x) = 1$ if $x \in D_f$ and 0 otherwise, the student is taught the
# distribution
#
# $$
# t(x) = l_u(x)\,\operatorname{softmax}\!\big(T_d(x)/\tau\big) + \big(1 - l_u(x)\big)\,\operatorname{softmax}\!\big(T_s(x)/\tau\big),
# $$ (bt-target)
#
# by minimising the Kullback–Leibler divergence from it, over batches $B$ of the forget set
# mixed with a random subset $D_r^{\text{sub}}$ (30% of $D_r$ in the paper):
#
# $$
# \mathcal{L}(B) = \frac{1}{|B|\,\kappa} \sum_{x \in B} \mathrm{KL}\Big(t(x) \,\Big\|\, \operatorname{softmax}\big(S(x)/\tau\big)\Big),
# \qquad \kappa = \begin{cases} C & \text{authors' code (PyTorch's default ``mean'')}\\ 1 & \text{textbook (``batchmean'')}\end{cases}
# $$ (bt-loss)
#
# with $C$ the number of classes and temperature $\tau = 1$. One epoch of Adam at $10^{-4}$,
# batch 256, is the whole method. Three design choices deserve a comment.
#
# **Why a random network?** A model that never saw $D_f$ is not *wrong* about it in a
# particular direction; it has no specific knowledge of it. A randomly initialised network
# answers every input with an output that carries no information about the input's class, so
# its outputs are a natural "know-nothing" target. Distilling from it on $D_f$ removes what
# $M_o$ learned specifically from those samples, while distilling from $M_o$ itself on
# $D_r^{\text{sub}}$ keeps everything else where it was. The ablation below replaces it by the
# uniform distribution to test whether the randomness matters.
#
# **Why no labels?** Both teachers provide soft targets, so the method needs neither $D_f$'s
# labels nor any ground truth: it works unchanged for classes, sub-classes and random samples,
# which is the paper's claim of generality that the experiments below put to the test.
#
# **Which reduction?** The authors call `F.kl_div` with its default reduction, which divides
# the summed divergence by the number of *elements*, $|B|\cdot C$, not by the batch size
# (PyTorch warns that only `batchmean` is the mathematical KL). The gradient is therefore $C$
# times smaller than the textbook one. Under Adam this hardly matters, since Adam's update is
# invariant to a constant scale of the gradient (up to its $\epsilon$); with SGD it would be a
# $C$-fold change of learning rate. The library offers both as
# `BadTeacherConfig(kl_reduction="mean" | "batchmean")`; **every number on this page uses the
# authors' `"mean"`**, and the ablation shows the other.
#
# One call runs the method, here on the quick profile's class-0 request:

# %%
setup = experiments.prepare(profile, seed, forget_classes=(study.classes[0],), device=device, data_dir=data_dir) if not P.requires_gpu else None
if setup is not None:
    s = setup.splits
    forgotten = unlearning.bad_teacher(setup.original, forget=s.forget_train, retain=s.retain_train, config=replace(study.config, seed=seed))
    accuracies = metrics.split_accuracies(forgotten.model, s)
    print(f"bad teacher in {forgotten.seconds:.2f} s on {forgotten.extra['n_forget']} forget and "
          f"{forgotten.extra['n_retain_used']} retain images: forget-class test accuracy {accuracies['forget_test']:.1%}, "
          f"retain-class test accuracy {accuracies['retain_test']:.1%}")
else:
    print("full profile: models are trained on the GPU machine; this page shows their stored results")

# %% [markdown]
# On a small training set the authors' batch of 256 would make one epoch a handful of steps, so
# a smaller profile uses batch {glue:text}`bt_batch` and Adam {glue:text}`bt_lr` to take about the
# authors' number of optimiser steps (60 on CIFAR-Super20).
#
# ## ZRF: scoring forgetting without a retrained model
#
# Retraining is the reference every evaluation in this book compares with, and it is exactly
# what unlearning tries to avoid. The paper's **Zero Retrain Forgetting** score compares the
# unlearned model $M_u$ with the incompetent teacher instead, on the forget samples
# $x_1,\dots,x_{n_f}$:
#
# $$
# \mathrm{ZRF} = 1 - \frac{1}{n_f}\sum_{i=1}^{n_f} \mathrm{JS}\big(M_u(x_i), T_d(x_i)\big),
# \qquad \mathrm{JS}(p, q) = \tfrac12 \mathrm{KL}(p\,\|\,m) + \tfrac12 \mathrm{KL}(q\,\|\,m),\; m = \tfrac{p+q}{2}.
# $$ (bt-zrf)
#
# The authors' code computes something else (`metrics.py` of `vikram2000b/bad-teaching-unlearning`): it calls
# `kl_div(log p, m)`, which is $\mathrm{KL}(m\,\|\,p)$, the divergence reversed, and averages over
# the $n_f \cdot C$ entries instead of the $n_f$ samples:
#
# $$
# \mathrm{ZRF}_{\text{code}} = 1 - \frac{1}{n_f\,C}\sum_{i=1}^{n_f}\Big[\tfrac12 \mathrm{KL}(m_i\,\|\,p_i) + \tfrac12 \mathrm{KL}(m_i\,\|\,q_i)\Big].
# $$ (bt-zrf-code)
#
# The paper form lies in $[1-\ln 2, 1]$; the coded form clusters near 1 (its divergences are
# divided by $C$) and can in principle fall below 0. `metrics.zrf(model, teacher, data,
# variant="code" | "paper")` computes either; the tables give both, measured on the forget
# classes' test images against the very random network the bad teacher distils from. ZRF
# needs no retrained model, but it does not say what value to aim for: **the right target is
# the retrained model's ZRF**, not 1. A retrained model has simply never learned the forget
# data; its outputs there are guesses among the remaining classes, often confident ones, not
# the flat outputs of a random network, so its ZRF stays below 1. A method that scores *higher* than
# the retrained model has made its outputs on $D_f$ more random than forgetting requires, which
# is itself a signature an attacker can look for.
#
# ## Experiment 1: forgetting a whole class
#
# Each of the classes {glue:text}`bt_classes` of {glue:text}`bt_dataset` is forgotten in turn;
# the table gives the mean ± standard deviation over these requests of every metric, for the
# original and retrained models, the three foundation baselines, UNSIR and the bad teacher.
# MIA is the fraction of $D_f$ that a membership attacker trained on $D_r$ (members) and the
# test set (non-members) calls "member" (logistic regression on the output entropy, and the
# authors' SVC); JS and the activation distance compare each model's outputs on the forget
# test images with the retrained model's; the relearn steps and AIN come from the Foundations
# chapter's protocol.

# %% tags=["hide-input"]
SHOWN = ["retain_test", "forget_test", "mia_logistic", "mia_svc", "zrf_code", "zrf_paper", "js_to_retrained", "activation_distance", "ain", "seconds"]
SHOWN = [c for c in SHOWN if c in classes.columns and classes[c].notna().any()]  # the SVC may not run under a profile
NAMES = {column: shown.header for column, shown in METRICS.items()}
PERCENT = {column for column, shown in METRICS.items() if shown.scale == 100}


def mean_std_table(summary: pd.DataFrame) -> pd.DataFrame:
    return summary_table(summary, metric_columns(list(summary.columns.get_level_values(0).unique())), label=plots.label)


class_summary = result.summary("class", SHOWN)
tables.show_split(mean_std_table(class_summary), tables.TOPICS)

# %% tags=["hide-input"]
means = class_summary.xs("mean", axis=1, level=1)
fig, axes = plots.figure(2, height=3.6, gridspec_kw={"width_ratios": [1.4, 1]})
plots.mean_std_bars(result.summary("class", ["retain_test", "forget_test"]), title="Accuracy, one class forgotten",
                    ax=axes[0])
plots.metric_bars(means, "zrf_code", ylabel="ZRF (authors' code)", title="ZRF (target: retrained)", ax=axes[1],
                  fmt="{:.3f}")
axes[1].set_ylim(means["zrf_code"].min() - 0.05, 1.0)
fig.tight_layout()
plt.show()

# %% [markdown]
# ```{glue:figure} bt_entropy_figure
# :name: bt-entropy
#
# Entropy of the softmax output on the forgotten class's test images (class
# {glue:text}`bt_first_class`), for the original model, the retrained model and the bad
# teacher; the dotted line is the largest possible entropy, $\ln C$, where a uniform output
# would sit.
# ```

# %% tags=["hide-input"]
first_label = f"class {study.classes[0]}"
fig, ax = plots.figure(height=3.2)
plots.entropy_overlay(result.histograms(first_label), ["original", "retrained", "bad_teacher"], ax=ax,
                      title=f"Output entropy on the forgotten class ({meta['dataset']})")
fig.tight_layout()
glue("bt_entropy_figure", fig)
plt.close(fig)

# %% tags=["remove-cell"]
bt_row, gold_row, orig_row = means.loc["bad_teacher"], means.loc["retrained"], means.loc["original"]
glue("bt_classes", ", ".join(map(str, study.classes)))
glue("bt_dataset", meta["dataset"])
glue("bt_first_class", str(study.classes[0]))
glue("bt_batch", str(study.config.batch_size))
glue("bt_lr", f"{study.config.lr:g}")
glue("bt_class_df", f"{100 * bt_row['forget_test']:.1f}")
glue("bt_class_dr", f"{100 * bt_row['retain_test']:.1f}")
glue("bt_orig_dr", f"{100 * orig_row['retain_test']:.1f}")
glue("bt_gold_df", f"{100 * gold_row['forget_test']:.1f}")
glue("bt_zrf_bt", f"{bt_row['zrf_code']:.3f}")
glue("bt_zrf_gold", f"{gold_row['zrf_code']:.3f}")
glue("bt_zrf_orig", f"{orig_row['zrf_code']:.3f}")
ordered = bt_row["zrf_code"] > gold_row["zrf_code"] > orig_row["zrf_code"]
glue("bt_zrf_order", "the same ordering as in" if ordered else "a different ordering from the one in")
glue("bt_speedup", f"{classes[classes.method == 'retrained'].seconds.median() / classes[classes.method == 'bad_teacher'].seconds.median():.0f}")

# %% [markdown]
# Averaged over the forgotten classes, the bad teacher brings the forget-class test accuracy to
# {glue:text}`bt_class_df`% (retrained: {glue:text}`bt_gold_df`%) and keeps
# {glue:text}`bt_class_dr`% on the other classes (original: {glue:text}`bt_orig_dr`%), about
# {glue:text}`bt_speedup` times faster than retraining on this machine. Its ZRF (code form) is
# {glue:text}`bt_zrf_bt` against the retrained model's {glue:text}`bt_zrf_gold` and the
# original's {glue:text}`bt_zrf_orig`: {glue:text}`bt_zrf_order` the authors' notebook (bad
# teacher 0.994, retrained 0.930, original 0.877). {numref}`bt-entropy` shows
# why. The retrained model is uncertain on the class it never saw but not uniformly so; the bad
# teacher has learned to answer the forgotten class with outputs close to those of a random
# network, whose outputs are nearly flat. ZRF rewards that flatness, so a ZRF above the
# retrained model's is over-forgetting, not better forgetting.
#
# ## Experiment 2: forgetting a sub-class
#
# The paper's main benchmark forgets one *fine* class, such as rocket, while the model goes on
# predicting the 20 CIFAR-100 superclasses (rocket belongs to "vehicles 2" with lawn-mower,
# streetcar, tank and tractor). A model retrained without rockets still predicts "vehicles 2"
# for streetcars and tanks, but no longer for rockets (3% in the authors' notebook): the
# forgotten sub-class loses its superclass while its siblings keep theirs.
#
# `data.ForgetRequest("subclass", classes=(69,), superclasses="cifar100-20")` sets this up:
# every label becomes a superclass, $D_f$ holds the images of the fine class. CIFAR-100 is read
# through torchvision's format (`data.load("cifar100")`, which checks the file's coarse labels
# against the standard mapping). Where it is not available the same protocol runs on two
# groupings declared in `data.superclasses`: CIFAR-10 as vehicles (airplane, automobile, ship,
# truck) against animals, and a parity grouping of digit classes for the smoke test.
# **This page's numbers come from {glue:text}`bt_sub_data`.** With two superclasses the question
# is sharper than with twenty: does a model that never saw a sub-class still give it its
# superclass? The retrained model answers it, and the "sibling acc" column checks that the other
# members of the forgotten image's superclass keep their label.

# %% tags=["hide-input"]
SUB_SHOWN = ["retain_test", "forget_test", "sibling_test", "mia_logistic", "mia_svc", "zrf_code", "js_to_retrained", "seconds"]
SUB_SHOWN = [c for c in SUB_SHOWN if c in subclass.columns and subclass[c].notna().any()]
sub_table = subclass.pivot_table(index="method", columns="request", values=SUB_SHOWN, sort=False)
sub_table = sub_table.reindex([m for m in bt_experiments.METHODS if m in sub_table.index])
shown = sub_table.copy()
for column in SUB_SHOWN:
    shown[column] = shown[column] * (100 if column in PERCENT else 1)
shown.index = [plots.label(m) for m in shown.index]
shown.columns = pd.MultiIndex.from_tuples([(NAMES.get(c, c), r) for c, r in shown.columns])
show_markdown(f"Sub-class requests ({', '.join(subclass.request.unique())}); accuracies and MIA in %:")
tables.show_split(shown, {title: [c for c in shown.columns if c[0] in headers] for title, headers in tables.TOPICS.items()},
                  style=lambda part: part.style.format(precision=2))

# %% tags=["hide-input"]
requests = list(subclass.request.unique())
fig, axes = plots.figure(len(requests), height=3.4, squeeze=False)
for ax, request in zip(axes[0], requests):
    part = subclass[subclass.request == request].set_index("method")
    plots.accuracy_bars(part, ["retain_test", "sibling_test", "forget_test"], title=request, ax=ax)
    ax.set_xticks(range(3), ["retain", "siblings", "forgotten"])
    ax.legend().remove()
legend = {name: handle for ax in axes[0] for handle, name in zip(*ax.get_legend_handles_labels())}  # one entry per model
fig.tight_layout()
plots.legend_below(fig, handles=list(legend.values()), labels=list(legend), ncol=4)
plt.show()

# %% tags=["remove-cell"]
def relation(value: float, reference: float, tolerance: float = 0.02) -> str:
    """How ``value`` compares with ``reference``, in words, for the prose."""
    return "about the same as" if abs(value - reference) <= tolerance else ("below" if value < reference else "above")


from datarights.data.superclasses import get_superclasses

glued_sub_data = "; ".join(sorted({f"{g.dataset} grouped as {' and '.join(g.names)}"
                                   for g in (get_superclasses(grouping) for grouping, _ in study.subclasses)}))
glue("bt_sub_data", glued_sub_data)
sub = subclass.set_index(["request", "method"])
glue("bt_sub_each", "; ".join(
    f"{request}: original {100 * sub.loc[(request, 'original'), 'forget_test']:.1f}%, retrained "
    f"{100 * sub.loc[(request, 'retrained'), 'forget_test']:.1f}%, bad teacher {100 * sub.loc[(request, 'bad_teacher'), 'forget_test']:.1f}% "
    f"(retain {100 * sub.loc[(request, 'original'), 'retain_test']:.1f}% → {100 * sub.loc[(request, 'bad_teacher'), 'retain_test']:.1f}%)"
    for request in requests))
gaps = {r: abs(sub.loc[(r, "bad_teacher"), "forget_test"] - sub.loc[(r, "retrained"), "forget_test"]) for r in requests}
glue("bt_sub_gap_max", f"{100 * max(gaps.values()):.0f}")
glue("bt_sub_zrf_relation", relation(subclass[subclass.method == "bad_teacher"].zrf_code.mean(),
                                     subclass[subclass.method == "retrained"].zrf_code.mean(), 0.01))
glue("bt_sub_unsir_sib", f"{100 * subclass[subclass.method == 'unsir'].sibling_test.min():.1f}")

# %% [markdown]
# Per request, the share of the forgotten sub-class's test images still given their superclass:
# {glue:text}`bt_sub_each`. The bad teacher lands up to {glue:text}`bt_sub_gap_max` points away
# from the retrained model, in either direction, and its ZRF is {glue:text}`bt_sub_zrf_relation`
# the retrained model's. The reason is in the target. A random network's output over two
# superclasses is close to 50/50 whatever the image, so the student learns near-flat outputs
# on the forgotten sub-class, and which superclass wins the argmax is decided by the random
# network's small bias, not by anything about the images. The retrained model, in contrast,
# answers from what the siblings taught it, which depends on how much the sub-class resembles
# them. With CIFAR-100's twenty superclasses the same flat target would mean about one answer in
# twenty, and the authors' notebook reports 3% for the retrained model on rocket; whether the
# rocket protocol favours the method can only be judged from a CIFAR-100 run, which the request
# list above shows when there is one. UNSIR can only target the whole superclass and relies on its
# repair step to give the siblings back; its sibling accuracy falls to
# {glue:text}`bt_sub_unsir_sib`% on one of the requests.
#
# ## Experiment 3: forgetting a random 10%
#
# The hardest request for any output-space method: a random tenth of the training set, spread
# over every class. The retrained model classifies these images about as well as the test set
# (they are ordinary samples of classes it knows), so the goal is *not* low accuracy on $D_f$
# but the absence of a membership signal: the forgotten images should look like test images,
# not like training images. UNSIR is left out of this scenario because it learns noise for
# named classes and a random subset names none; the peers' reports
# (torchunlearn: 99.74% forget-set accuracy after the bad teacher on CIFAR-10, barely below
# fine-tuning) suggest the bad teacher forgets little here.

# %% tags=["hide-input"]
RANDOM_SHOWN = ["retain_train", "forget_train", "test", "mia_logistic", "mia_svc", "zrf_code", "js_to_retrained", "seconds"]
random_rows = random_subset.set_index("method")
random_rows = random_rows.assign(test=random_rows["retain_test"])[[c for c in RANDOM_SHOWN if c in random_rows.columns]]
shown = random_rows.copy()
for column in shown.columns:
    shown[column] = shown[column] * (100 if column in PERCENT else 1)
shown.index = [plots.label(m) for m in shown.index]
shown.columns = [NAMES.get(c, c) for c in shown.columns]
tables.show_split(shown, tables.TOPICS, style=lambda part: part.style.format(precision=2))

# %% tags=["remove-cell"]
rand = random_subset.set_index("method")
for name in ("original", "retrained", "bad_teacher", "finetune"):
    glue(f"bt_rand_{name}_df", f"{100 * rand.loc[name, 'forget_train']:.1f}")
    glue(f"bt_rand_{name}_mia", f"{100 * rand.loc[name, 'mia_logistic']:.1f}")
    glue(f"bt_rand_{name}_test", f"{100 * rand.loc[name, 'retain_test']:.1f}")
glue("bt_rand_mia_relation", relation(rand.loc["bad_teacher", "mia_logistic"], rand.loc["retrained", "mia_logistic"], 0.05))
glue("bt_rand_df_relation", relation(rand.loc["bad_teacher", "forget_train"], rand.loc["retrained", "forget_train"]))
rand_attacks = {c: n for c, n in (("mia_logistic", "logistic"), ("mia_svc", "SVC")) if c in random_subset and random_subset[c].notna().any()}
glue("bt_rand_attackers", verdicts.attackers(
    "the bad teacher", {n: random_subset.loc[random_subset.method == "bad_teacher", c].to_numpy(float) for c, n in rand_attacks.items()},
    {n: random_subset.loc[random_subset.method == "retrained", c].to_numpy(float) for c, n in rand_attacks.items()},
    original={n: random_subset.loc[random_subset.method == "original", c].to_numpy(float) for c, n in rand_attacks.items()},
    tolerance=0.05, scale=100, unit=" %", digits=1))


def class_values(method: str, column: str) -> np.ndarray:
    return classes.loc[classes.method == method, column].to_numpy(float)


glue("bt_class_forget_verdict", verdicts.compare(
    "the bad teacher", class_values("bad_teacher", "forget_test"), "retraining", class_values("retrained", "forget_test"),
    quantity="Forget-class accuracy, whole classes", tolerance=0.02, scale=100, unit=" %", digits=1))
glue("bt_class_retain_verdict", verdicts.compare(
    "the bad teacher", class_values("bad_teacher", "retain_test"), "the original", class_values("original", "retain_test"),
    quantity="Retain-class accuracy, whole classes", tolerance=0.01, scale=100, unit=" %", digits=1))
glue("bt_class_zrf_verdict", verdicts.rank(
    {plots.label(m): class_values(m, "zrf_code") for m in ("bad_teacher", "retrained", "original")},
    quantity="ZRF (code form), whole classes", lower_is_better=False, tolerance=0.01, digits=3))

# %% [markdown]
# The forgotten images are classified correctly {glue:text}`bt_rand_original_df`% of the time by
# the original model, {glue:text}`bt_rand_retrained_df`% by the retrained model and
# {glue:text}`bt_rand_bad_teacher_df`% after the bad teacher ({glue:text}`bt_rand_df_relation`
# the retrained model; fine-tuning: {glue:text}`bt_rand_finetune_df`%), with test accuracy
# {glue:text}`bt_rand_original_test`% → {glue:text}`bt_rand_bad_teacher_test`%. As the peers
# found, accuracy says little here. The logistic membership attacker calls
# {glue:text}`bt_rand_original_mia`% of $D_f$ "member" on the original model,
# {glue:text}`bt_rand_retrained_mia`% on the retrained model and
# {glue:text}`bt_rand_bad_teacher_mia`% after the bad teacher, {glue:text}`bt_rand_mia_relation`
# the retrained model's value. The target is the retrained model's value, not zero. Both attackers, against the
# retrained model: {glue:md}`bt_rand_attackers` A value well below the retrained model's means the forgotten samples now get *less* confident outputs than ordinary
# unseen images of the same classes, which is itself a trace: an attacker who compares $D_f$
# with the test set can tell which samples were unlearned.
#
# ## Ablations
#
# One setting of the bad teacher changes at a time, on the request that forgets class
# {glue:text}`bt_ablation_class`; the dashed lines mark the retrained model.

# %% tags=["hide-input"]
reference = ablation[ablation.parameter == "reference"].set_index("value")
fig, axes = plots.figure(3, height=3.3)
for ax, parameter, xlabel in ((axes[0], "retain_fraction", "fraction of $D_r$ used"), (axes[1], "temperature", "temperature τ")):
    part = ablation[ablation.parameter == parameter].astype({"value": float}).sort_values("value")
    for column, style in (("retain_test", "-o"), ("forget_test", "-s")):
        ax.plot(part["value"], 100 * part[column], style, color=plots.color("bad_teacher") if column == "retain_test" else "#e41a1c",
                label=NAMES[column], ms=4)
        ax.axhline(100 * reference.loc["retrained", column], ls="--", lw=1, color="#e41a1c" if column == "forget_test" else plots.color("retrained"))
    ax.set_xlabel(xlabel)
    ax.set_ylabel("accuracy (%)")
    ax.legend(fontsize=plots.MIN_FONT)
part = ablation[ablation.parameter == "retain_fraction"].astype({"value": float}).sort_values("value")
axes[2].plot(part["value"], part["zrf_code"], "-o", color=plots.color("bad_teacher"), ms=4, label="bad teacher")
axes[2].axhline(reference.loc["retrained", "zrf_code"], ls="--", lw=1, color=plots.color("retrained"), label="retrained")
axes[2].axhline(reference.loc["original", "zrf_code"], ls=":", lw=1, color=plots.color("original"), label="original")
axes[2].set_xlabel("fraction of $D_r$ used")
axes[2].set_ylabel("ZRF (code)")
axes[2].legend(fontsize=plots.MIN_FONT)
fig.suptitle("Bad-teacher ablations", fontweight="bold")
fig.tight_layout()
plt.show()

# %% tags=["hide-input"]
choices = ablation[ablation.parameter.isin(["incompetent", "kl_reduction", "student_mode"])].copy()
choices["setting"] = choices["parameter"] + " = " + choices["value"].astype(str)
shown = choices.set_index("setting")[["retain_test", "forget_test", "zrf_code", "zrf_paper", "js_to_retrained"]]
shown = shown.assign(retain_test=100 * shown.retain_test, forget_test=100 * shown.forget_test)
shown.columns = [NAMES[c] for c in shown.columns]
shown.style.format(precision=3)

# %% tags=["remove-cell"]
glue("bt_ablation_class", str(result.raw["ablation"]["class"]))
by = {(r.parameter, str(r.value)): r for r in ablation.itertuples()}
none_kept = by[("retain_fraction", "0.0")]
glue("bt_abl_zero_dr", f"{100 * none_kept.retain_test:.1f}")
glue("bt_abl_zero_df", f"{100 * none_kept.forget_test:.1f}")
glue("bt_abl_zero_zrf", f"{none_kept.zrf_code:.3f}")
glue("bt_abl_gold_zrf", f"{reference.loc['retrained', 'zrf_code']:.3f}")
full_kept = by[("retain_fraction", str(max(study.retain_fractions)))]
glue("bt_abl_full_dr", f"{100 * full_kept.retain_test:.1f}")
glue("bt_abl_full_df", f"{100 * full_kept.forget_test:.1f}")
n_forget, n_retain = meta["n_forget_train"], meta["n_retain_train"]
steps = lambda fraction: int(np.ceil((n_forget + round(fraction * n_retain)) / study.config.batch_size))  # noqa: E731
glue("bt_abl_zero_steps", str(steps(0.0)))
glue("bt_abl_full_steps", str(steps(max(study.retain_fractions))))
glue("bt_abl_uniform_js", f"{by[('incompetent', 'uniform')].js_to_retrained:.3f}")
glue("bt_abl_random_js", f"{by[('incompetent', 'random')].js_to_retrained:.3f}")

# %% [markdown]
# **Retain data.** The fraction of $D_r$ does two things at once in a one-epoch method: it sets
# how much of each batch holds the rest in place, and how many optimiser steps the epoch has
# ({glue:text}`bt_abl_zero_steps` steps with no retain data, {glue:text}`bt_abl_full_steps`
# with all of it). With none, retain accuracy is {glue:text}`bt_abl_zero_dr`% and forget
# accuracy {glue:text}`bt_abl_zero_df`%; with all of $D_r$, {glue:text}`bt_abl_full_dr`% and
# {glue:text}`bt_abl_full_df`%. The paper's 30% is one point on this curve, and the figure shows
# it is not the only reasonable one; on a new model the fraction and the learning rate have to
# be tuned together against a retrained reference. The right panel holds a warning about ZRF:
# with no retain data its value is {glue:text}`bt_abl_zero_zrf`, next to the retrained model's
# {glue:text}`bt_abl_gold_zrf`, although the model still recognises
# {glue:text}`bt_abl_zero_df`% of the forgotten class. A short pull toward the random network
# makes the outputs flatter without changing their argmax; ZRF sees the flatness, not the
# forgetting, so it must be read beside the accuracies, never alone.
# **Temperature** softens both teachers alike. **The incompetent
# teacher's nature**: replacing the random network by the uniform distribution changes the JS
# divergence to the retrained model from {glue:text}`bt_abl_random_js` to
# {glue:text}`bt_abl_uniform_js`; a freshly initialised network's outputs are already close to
# uniform, so what the method needs is "no information", not randomness as such. **The KL
# reduction** and **the student's mode** (the authors leave the student in train mode, so on
# their ResNet-18 dropout and BatchNorm batch statistics are active) are the two quirks of the
# authors' code; under Adam the reduction makes almost no difference.
#
# ## Time against retraining

# %% tags=["hide-input"]
timing = classes.groupby("method", sort=False)["seconds"].median()
timing = timing.reindex([m for m in bt_experiments.METHODS if m in timing.index and m != "original"])
fig, ax = plots.figure(height=3.0)
bars = ax.barh([plots.label(m) for m in timing.index], timing.to_numpy(), color=[plots.color(m) for m in timing.index])
ax.bar_label(bars, labels=[f"{v:.2f} s ({timing['retrained'] / v:.0f}× faster)" if m != "retrained" else f"{v:.2f} s"
                           for m, v in timing.items()], fontsize=8, padding=3)
plots.log_axis(ax, "x")
ax.set_xlabel(f"median wall time per class request (s, log scale; {meta['device']})")
ax.set_title("Cost of one class request")
ax.set_xlim(right=timing.max() * 30)
fig.tight_layout()
plt.show()

# %% [markdown]
# The times are single runs on the machine named in the note at the top; on a shared CPU they
# vary by tens of percent from run to run, so read the ratios, not the decimals. The bad
# teacher runs three forward passes (two teachers and the student) and one backward pass over
# 30% of $D_r$ plus $D_f$: on CIFAR about a third of one training epoch, against the tens of
# epochs of retraining.
#
# ## Against the paper
#
# The paper's own tables could not be obtained (only secondary sources and the authors' notebook outputs could be read); what can be compared
# are the outputs committed in the authors' notebook (CIFAR-Super20, rocket) and two
# third-party reports.

# %% tags=["hide-input"]
on_cifar100 = any("cifar100" in r for r in requests)
rocket = subclass[subclass.request.str.contains("cifar100")] if on_cifar100 else subclass
rocket_means = rocket.groupby("method", sort=False).mean(numeric_only=True)
rand_bt = rand.loc["bad_teacher"]
OURS = {
    "original Dr accuracy": 100 * rocket_means.loc["original", "retain_test"],
    "original Df accuracy": 100 * rocket_means.loc["original", "forget_test"],
    "ZRF (code) of the original model": rocket_means.loc["original", "zrf_code"],
    "retrained Dr accuracy": 100 * rocket_means.loc["retrained", "retain_test"],
    "retrained Df accuracy": 100 * rocket_means.loc["retrained", "forget_test"],
    "ZRF (code) of the retrained model": rocket_means.loc["retrained", "zrf_code"],
    "bad teacher Dr accuracy": 100 * rocket_means.loc["bad_teacher", "retain_test"],
    "bad teacher Df accuracy": 100 * rocket_means.loc["bad_teacher", "forget_test"],
    "ZRF (code) of the bad teacher": rocket_means.loc["bad_teacher", "zrf_code"],
    "bad teacher Dr accuracy (re-implementation)": 100 * rocket_means.loc["bad_teacher", "retain_test"],
    "bad teacher Df accuracy (re-implementation)": 100 * rocket_means.loc["bad_teacher", "forget_test"],
    "JS (code form) between bad teacher and retrained": rocket_means.loc["bad_teacher", "js_code_to_retrained"],
    "random-labels accuracy on retain set": 100 * rocket_means.loc["random_labels", "retain_test"],
    "random-labels accuracy on forget set": 100 * rocket_means.loc["random_labels", "forget_test"],
    "bad teacher seconds": rocket_means.loc["bad_teacher", "seconds"],
    "bad teacher forget-set accuracy (random 10%)": 100 * rand_bt["forget_train"],
    "bad teacher test accuracy (random 10%)": 100 * rand_bt["retain_test"],
    "fine-tune forget-set accuracy (random 10%)": 100 * rand.loc["finetune", "forget_train"],
}
data_note = ("same protocol and data, our ResNet-18 recipe" if on_cifar100 else
             "ours: the sub-class protocol on " + glued_sub_data
             + " with two superclasses, where chance is 50%, not 5%")
WHY = {
    "original Dr accuracy": "their ImageNet-pretrained ResNet-18 at 224 px, 5 epochs",
    "original Df accuracy": "the original model knows the sub-class's superclass in both",
    "ZRF (code) of the original model": "the coded ZRF divides by C (20 there), so values are comparable only at equal C",
    "retrained Dr accuracy": "retraining keeps the original's retain accuracy in both",
    "retrained Df accuracy": "whether a never-seen sub-class keeps its superclass depends on its siblings",
    "ZRF (code) of the retrained model": (f"{relation(OURS['ZRF (code) of the retrained model'], OURS['ZRF (code) of the original model'], 0.01)} "
                                          "the original here, above it there; the coded value scales with 1/C"),
    "bad teacher Dr accuracy": (f"retain cost {OURS['original Dr accuracy'] - OURS['bad teacher Dr accuracy']:.1f} points here, 1.2 there; "
                                "it varies strongly between requests (see the sub-class table)"),
    "bad teacher Df accuracy": "their 3% is close to chance over 20 superclasses (5%)",
    "ZRF (code) of the bad teacher": (f"{relation(OURS['ZRF (code) of the bad teacher'], OURS['ZRF (code) of the retrained model'], 0.01)} "
                                      "the retrained model here, above it there; the coded value scales with 1/C"),
    "bad teacher Dr accuracy (re-implementation)": "their original model reaches 80.2% there, their bad teacher 81.7%",
    "bad teacher Df accuracy (re-implementation)": "an independent run also lands near chance over 20 superclasses",
    "JS (code form) between bad teacher and retrained": "1 − ZRF_code(retrained, bad teacher), as the notebook computes it",
    "random-labels accuracy on retain set": "both keep the retain data",
    "random-labels accuracy on forget set": "both forget almost completely under random labels",
    "bad teacher seconds": "different hardware and data size",
    "bad teacher forget-set accuracy (random 10%)": "both: the forgotten samples stay well classified, as a retrained model's would",
    "bad teacher test accuracy (random 10%)": "their ResNet-18 on CIFAR-10; ours " + ("the same" if meta["dataset"] == "cifar10" and meta["model"].startswith("resnet18") else f"{meta['model']} on {meta['dataset']}"),
    "fine-tune forget-set accuracy (random 10%)": "fine-tuning on D_r barely changes D_f's accuracy in both",
}
comparison = reported.compare(reported.BAD_TEACHER, {"this book": lambda r: OURS[r.quantity]}, reasons=WHY, digits=3)
comparison.style(digits=3)

# %% tags=["hide-input"]
show_markdown(comparison.notes_markdown() + "\n\n" + f"Our data: {data_note}.")

# %% tags=["hide-input"]
if result.cifar100:
    show_markdown(":::{note}\nCIFAR-100 was not available to this run, so the sub-class rows come from the two-superclass "
                  f"stand-in. The loader said: {result.cifar100}\n:::")

# %% [markdown]
# The authors' notebook shows, on its rocket protocol, the bad teacher forgetting as completely
# as retraining at a small retain cost, and ZRF ranking it above the retrained model, which ranks
# above the original. On this page, whole classes:
#
# - {glue:md}`bt_class_forget_verdict`
# - {glue:md}`bt_class_retain_verdict`
# - {glue:md}`bt_class_zrf_verdict`
#
# One caveat follows from the method's definition rather than from a measurement. The bad
# teacher aims at a random network, not at a model that never saw the data, and the two
# coincide only when a never-seen input gets chance-level answers. Where the retrained model
# still answers well, for sub-classes with similar siblings and for random samples, the random
# target can land away from it (experiments 2 and 3 measure how far on this page), and ZRF,
# which rewards flat outputs, cannot see the difference. The next chapter's
# zero-shot methods and the head-to-head chapter compare all methods on the same requests.
#
# ## Exercises
#
# ```{exercise} The distillation target and loss
# :label: ex-bt-loss
# Write `bad_teacher_loss(student_logits, competent_logits, incompetent_logits, is_forget,
# reduction)` that returns the loss {eq}`bt-loss` at τ = 1 for one batch: the per-sample
# target {eq}`bt-target`, and the KL divided by batch × classes (`reduction="mean"`, the
# authors') or by the batch (`"batchmean"`).
# ```

# %% [markdown]
# ```{solution-start} ex-bt-loss
# :class: dropdown
# ```

# %% tags=["solution"]
import torch
import torch.nn.functional as F


def bad_teacher_loss(student_logits: torch.Tensor, competent_logits: torch.Tensor, incompetent_logits: torch.Tensor,
                     is_forget: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    ### BEGIN SOLUTION
    target = torch.where(is_forget.view(-1, 1).bool(), F.softmax(incompetent_logits, 1), F.softmax(competent_logits, 1))
    total = (target * (target.log() - F.log_softmax(student_logits, 1))).sum()
    return total / (target.numel() if reduction == "mean" else len(target))
    ### END SOLUTION


# %% [markdown]
# ```{solution-end}
# ```

# %% tags=["check"]
from datarights.unlearning.bad_teacher import distillation_loss

g = torch.Generator().manual_seed(0)
logits = [torch.randn(6, 4, generator=g) for _ in range(3)]
flags = torch.tensor([1, 0, 0, 1, 0, 1])
for reduction in ("mean", "batchmean"):
    target = unlearning.distillation_targets(F.softmax(logits[1], 1), F.softmax(logits[2], 1), flags)
    expected = distillation_loss(F.log_softmax(logits[0], 1), target, reduction)
    assert torch.isclose(bad_teacher_loss(*logits, flags, reduction), expected, atol=1e-6), reduction
print("bad-teacher loss check passed")

# %% [markdown]
# ```{exercise} ZRF by hand
# :label: ex-bt-zrf
# Write `zrf_code(p, q)` for two N×C matrices of probabilities (rows sum to one), following
# {eq}`bt-zrf-code` exactly: reversed KL to the midpoint, averaged over the N·C entries. Then
# compute the value for a model that answers exactly like the random network (`p = q`) and for
# one-hot answers against uniform ones with C = 10. Which is larger, and why can the coded
# score not be compared across datasets with different C?
# ```

# %% [markdown]
# ```{solution-start} ex-bt-zrf
# :class: dropdown
# ```

# %% tags=["solution"]
def zrf_code(p: torch.Tensor, q: torch.Tensor) -> float:
    ### BEGIN SOLUTION
    m = 0.5 * (p + q)
    reversed_kl = lambda r: (torch.special.xlogy(m, m) - m * torch.log(r)).mean()  # noqa: E731
    return float(1 - (0.5 * reversed_kl(p) + 0.5 * reversed_kl(q)))
    ### END SOLUTION


uniform = torch.full((5, 10), 0.1)
one_hot = torch.full((5, 10), 1e-6).scatter_(1, torch.zeros(5, 1, dtype=torch.long), 1.0)
one_hot = one_hot / one_hot.sum(1, keepdim=True)
print(f"identical outputs: {zrf_code(uniform, uniform):.3f}; one-hot against uniform: {zrf_code(one_hot, uniform):.3f}")

# %% [markdown]
# ```{solution-end}
# ```

# %% tags=["check"]
g = torch.Generator().manual_seed(1)
p, q = F.softmax(torch.randn(7, 5, generator=g), 1), F.softmax(torch.randn(7, 5, generator=g), 1)
assert abs(zrf_code(p, q) - metrics.zrf_from_probs(p, q, "code")) < 1e-6
assert abs(zrf_code(q, q) - 1.0) < 1e-9, "identical outputs score exactly 1"
print("ZRF check passed")

# %% [markdown]
# ```{exercise} Which method is closest to retraining?
# :label: ex-bt-closest
# From the table `classes` (one row per forgotten class and method), compute for every method
# except the retrained model the mean over the requests of the absolute gap to the retrained
# model's ZRF (code) *on the same request*, as a pandas Series `zrf_gap` indexed by method.
# Does the ranking by `zrf_gap` agree with the ranking by `js_to_retrained`?
# ```

# %% [markdown]
# ```{solution-start} ex-bt-closest
# :class: dropdown
# ```

# %% tags=["solution"]
### BEGIN SOLUTION
gold_zrf = classes[classes.method == "retrained"].set_index("request")["zrf_code"]
others = classes[classes.method != "retrained"]
zrf_gap = (others["zrf_code"] - others["request"].map(gold_zrf)).abs().groupby(others["method"]).mean()
### END SOLUTION
print(pd.DataFrame({"ZRF gap": zrf_gap, "JS to retrained": classes.groupby("method").js_to_retrained.mean()}).round(3))

# %% [markdown]
# ```{solution-end}
# ```

# %% tags=["check"]
assert "retrained" not in zrf_gap.index and set(zrf_gap.index) == set(classes.method) - {"retrained"}
assert (zrf_gap >= 0).all()
print("closest-method check passed")

# %% [markdown]
# ## References
#
# The full bibliography is on the [references page](../references.md).
