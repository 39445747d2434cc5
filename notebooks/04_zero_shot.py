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
# # Zero-Shot Machine Unlearning (GKT, EMMN, AIN)
#
# UNSIR and bad teaching still need *some* of the training data: a sample of the retain set, or
# the forget set itself. {cite:t}`chundawat2023zeroshot` ask what can be done when there is
# **none**: the data were deleted, or were never the unlearner's to keep, and all that is left is
# the trained model and the identity of the class to forget. They propose two methods, *error
# minimising-maximising noise* (EMMN) and *gated knowledge transfer* (GKT), and a metric, the
# *Anamnesis Index* (AIN), that asks how fast the forgotten knowledge comes back. This chapter
# implements GKT as the authors' notebook runs it and in a strict zero-data form, a reconstruction
# of EMMN (its code was never published), AIN with its protocol made explicit, and a model-inversion
# attack, and sets them against retraining and the data-using methods of the previous chapters.

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
from IPython.display import Markdown

from datarights import experiments, metrics, plots, reported, scope, tables, unlearning, verdicts
from datarights.experiments import zero_shot as zs
from datarights.notebook import glue, provenance, show_markdown
from datarights.tables import metric_columns, summarise, summary_table

plots.use_book_style()
study = zs.settings(profile)
P = study.profiles[0]
result = zs.run(profile, seed, device=device, data_dir=data_dir)
meta, rows = result.meta, result.rows
main = result.main()
first_seed = meta["seeds"][0]
gkt_cfg = study.gkt
show_markdown(provenance(
    meta, P.description, chapter="04",
    request=(f"Forget class {study.forget_class} of {meta['dataset']} ({meta['n_forget_train']} training images to forget), "
             f"seeds {meta['seeds']} (mean ± std over them), and classes {list(study.two_classes)} together. "
             f"GKT in this profile: {gkt_cfg.pseudo_batches} pseudo-batches of {gkt_cfg.batch_size} generated images "
             f"(the authors: 4,000 of 256), student Adam {gkt_cfg.student_lr:g}, generator width {gkt_cfg.generator_width} "
             f"(the authors: 128), gate {gkt_cfg.threshold}, β {gkt_cfg.beta:g}. CPU runs use {meta['threads']} thread(s). "),
))
show_markdown(scope.banner(profile, paper="zero_shot", facts=scope.unlearning_facts(P, meta), seeds=meta["seeds"]))

# %% [markdown]
# ## Why zero-shot?
#
# A deletion request may arrive long after training, when the training set is gone, or the model
# may have been bought rather than trained. Then every method that fine-tunes on $D_r$ or computes
# anything on $D_f$ is ruled out, and so is retraining. What remains is the trained model $M_o$
# itself, and the knowledge that class $c_f$ must go. The question of this chapter: can a model
# be made to forget a class using nothing but itself, how well, at what cost, and how would we
# know?
#
# ## Gated knowledge transfer
#
# GKT distils the original model (the *teacher* $T = M_o$, frozen) into a **freshly initialised**
# network of the same architecture (the *student* $S$), through images that a generator $G$ makes
# up from noise, in the style of zero-shot knowledge transfer {cite:p}`micaelli2019zeroshot`. The
# student starts from nothing so that it can only know what passes through the transfer: if the
# transfer carries no knowledge of $c_f$, the student never has it. A *gate*, which the authors
# call a band-pass filter, keeps only the pseudo-images on which the teacher gives the forget
# classes $C_f$ a small probability:
#
# $$
# \text{keep}(x) \iff \sum_{c \in C_f} \operatorname{softmax}\big(T(x)\big)_c \le \epsilon, \qquad \epsilon = 0.01 .
# $$ (zs-gate)
#
# For every pseudo-batch $x = G(z)$, $z \sim \mathcal N(0, I_{128})$, one generator step looks for
# images on which student and teacher still disagree,
#
# $$
# \mathcal L_G = -\,\mathrm{KL}\big(\operatorname{softmax}(T(x)/\tau)\,\big\|\,\operatorname{softmax}(S(x)/\tau)\big),
# $$ (zs-generator)
#
# and ten student steps on the same $z$ close the gap, matching the outputs and the *attention maps*
# of the intermediate layers {cite:p}`zagoruyko2017attention`,
#
# $$
# \mathcal L_S = \mathrm{KL}\big(\operatorname{softmax}(T(x)/\tau)\,\big\|\,\operatorname{softmax}(S(x)/\tau)\big)
#  + \beta \sum_{l} \big\lVert A(a^S_l) - A(a^T_l) \big\rVert_2^2 ,
# \qquad A(a) = \frac{\operatorname{vec}\big(\tfrac1C \sum_{k} a_{k}^2\big)}{\big\lVert \operatorname{vec}\big(\tfrac1C \sum_k a_k^2\big)\big\rVert_2},
# $$ (zs-student)
#
# with $\tau = 1$, $\beta = 250$, Adam at $10^{-3}$ for both networks, gradient-norm clipping at 5 and
# 4,000 pseudo-batches. The KL uses PyTorch's default reduction, which divides by the batch size
# *and* the number of classes; $\beta = 250$ is tuned against that scale. The activations $a_l$ are
# the outputs of the network's blocks, recorded with forward hooks
# (`datarights.models.activations`), so no model has to be rewritten to return them.
#
# **The authors' notebook and a strict form.** A reading of the authors' MNIST notebook (cells
# 11–18) and `unlearn.py` finds that the notebook trains the student in eval mode (its BatchNorm layers never update their
# statistics), steps the student's learning-rate scheduler on the loss of the *real retain test
# set*, and steps the generator's on a constant, which halves its rate every 150 pseudo-batches.
# The library offers both: `variant="faithful"` does what the notebook does and therefore **reads
# real test data**: a leak in a method called zero-shot. `variant="strict"` reads no data at all
# (student in train mode, constant rates) and stops after a declared number of pseudo-batches. In
# both, the test data passed as `monitor=` are otherwise only used to draw the trajectories below.
#
# One call, on this page's request (a short run for illustration; the experiments use the cached runs):

# %%
setup = experiments.prepare(P, first_seed, device=device, data_dir=data_dir) if not P.requires_gpu else None
if setup is not None:
    demo = unlearning.gkt(setup.original, forget_classes=[study.forget_class], input_shape=setup.splits.train.input_shape,
                          config=unlearning.GKTConfig(seed=first_seed, variant="strict", pseudo_batches=10, batch_size=gkt_cfg.batch_size,
                                                      student_lr=gkt_cfg.student_lr, generator_width=gkt_cfg.generator_width))
    print(f"GKT (strict), 10 pseudo-batches in {demo.seconds:.1f} s, no data read; {demo.extra['pass_rate']:.0%} of the generated "
          f"images passed the gate; forget-class test accuracy {metrics.accuracy(demo.model, setup.splits.forget_test):.1%}, "
          f"retain-class {metrics.accuracy(demo.model, setup.splits.retain_test):.1%} (far from done after 10)")
else:
    print("full profile: models are trained on the GPU machine; this page shows their stored results")

# %% [markdown]
# What passes the gate? Below, generator samples from the cached run that the teacher judged
# non-forget-class (passed) and forget-class (removed), at the first evaluation. They need not look
# like the real images; they only need to carry the teacher's decision boundaries.

# %% tags=["hide-input"]
detail_rows = main[main.seed == first_seed].set_index("method")
strict_detail = detail_rows.loc["gkt_strict"]
samples = {"passed": np.asarray(strict_detail.passed), "removed": np.asarray(strict_detail.rejected)}
samples = {k: v for k, v in samples.items() if len(v)}
fig = plots.image_grid(samples, row_labels=list(samples), per_row=8, title="GKT pseudo-images: through the gate and stopped by it")
plt.show()

# %% [markdown]
# ## EMMN, as reconstructed here
#
# EMMN's algorithm is not public and the paper's description could not be read; the library's
# `emmn` is **our reconstruction** (no code or readable description of the authors' exists), built from the UNSIR chapter's pieces. For each forget
# class it learns UNSIR's error-*maximising* noise (chapter 02); for each retain class an
# error-*minimising* noise $N_r = \arg\min_N \ell(M_o(N), r)$, inputs the model confidently calls
# $r$, which stand in for the retain data it may not see. An *impair* epoch on both noises with their
# labels, then a *repair* epoch on the retain noise alone. Nothing else is read.
#
# ## The Anamnesis Index
#
# Accuracy on the forget class says whether a model *answers* like a model that never learned the
# class, not whether the knowledge is gone. AIN asks how quickly it comes back. Let $r_t(M)$ be the
# number of optimiser steps of fine-tuning $M$ on the forget class until its forget-class accuracy
# is back within $\alpha$ of the original's, i.e. at least $(1-\alpha)\,\mathrm{Acc}(M_o, D_f)$. Then
#
# $$
# \mathrm{AIN} = \frac{r_t(M_u, M_o, \alpha)}{r_t(M_s, M_o, \alpha)}, \qquad \alpha = 0.05 ,
# $$ (zs-ain)
#
# with $M_s$ the model retrained from scratch on $D_r$. $\mathrm{AIN} \approx 1$: the unlearned model
# relearns as slowly as one that never saw the class, the ideal. $\mathrm{AIN} \ll 1$: the knowledge
# was hidden, not removed, and returns at once. $\mathrm{AIN} \gg 1$: the model was pushed further
# than retraining, which can itself be a tell. The authors' `metrics.py` relearns on the *whole*
# training set and measures on the *whole* test set through global variables; the
# library names these choices: `relearn_data="forget_train"` (our default) or `"full_train"`,
# `evaluate_on="forget_test"`, α relative, Adam at $10^{-3}$, counting steps, always on copies.
# `GoldRelearnTime` measures the retrained model's $r_t$ once and reuses it.
#
# ## Experiment 1: GKT over the pseudo-batches
#
# Forget-class and retain-class test accuracy of the student every
# {glue:text}`eval_every:.0f` pseudo-batches, for both variants (seed {glue:text}`first_seed:.0f`
# in bold, the other seeds faint); the dashed lines are the retrained model's.
#
# **The images GKT is tested on.** GKT's generator ends in a BatchNorm layer, so its pseudo-images have
# zero mean and unit variance in every pixel. The student is then tested on real images, and it learns
# much faster when these are on the same scale: standardised with the training set's pixel mean and
# standard deviation. The smoke and quick profiles standardise; the quick profile also halves MNIST's
# resolution to 14×14, so that a pseudo-batch costs about a quarter as much. Our trials of both
# choices, one seed each, are recorded beside the settings (`datarights.settings.common`). The authors'
# notebook feeds 28×28 images in $[0, 1]$ and runs 4,000 pseudo-batches of 256 on a GPU. The full
# profile feeds the same images and stops every GKT run at {glue:text}`full_gkt_budget:.0f` pseudo-batches,
# the last checkpoint in the authors' table (below) before their forgotten class starts to return: a rule
# stated before any full run. One run goes on to the authors' 4,000 and checks that budget with the
# plateau rule of this page.

# %% tags=["hide-input"]
fig, axes = plots.figure(2, height=3.4, sharey=True)
gold = detail_rows.loc["retrained"]
for ax, column, title in ((axes[0], "forget_accuracy", "forget class (test)"), (axes[1], "retain_accuracy", "retain classes (test)")):
    for method in ("gkt_strict", "gkt_faithful"):
        for s in meta["seeds"]:
            curve = result.trajectory(method, s)
            ax.plot(curve.pseudo_batch, 100 * curve[column], color=plots.color(method), lw=2 if s == first_seed else 0.8,
                    alpha=1 if s == first_seed else 0.5, label=plots.label(method) if s == first_seed else None)
    longer = result.longer_run()
    if longer is not None:  # the same strict run as the bold one, continued past the budget (dotted: the budget)
        ax.plot(longer.pseudo_batch, 100 * longer[column], color=plots.color("gkt_strict"), lw=1, ls=":",
                label=f"{plots.label('gkt_strict')}, run on")
        ax.axvline(gkt_cfg.pseudo_batches, color="0.5", lw=0.8, ls=":")
    ax.axhline(100 * gold["forget_test" if column == "forget_accuracy" else "retain_test"], ls="--", color=plots.color("retrained"),
               label=plots.label("retrained"))
    ax.set_title(title)
    ax.set_xlabel("pseudo-batch")
axes[0].set_ylabel("accuracy (%)")
axes[1].legend(fontsize=plots.MIN_FONT)
fig.suptitle("GKT student during the transfer", fontweight="bold")
fig.tight_layout()
plt.show()

# %% [markdown]
# After {glue:text}`pseudo_batches:.0f` pseudo-batches the strict student classifies
# {glue:text}`strict_retain:.1f` % of the retain-class test images correctly (mean over seeds;
# the retrained model {glue:text}`gold_retain:.1f` %) and {glue:text}`strict_forget:.1f` % of the
# forget class; the authors' variant {glue:text}`faithful_retain:.1f` % and
# {glue:text}`faithful_forget:.1f` %. {glue:md}`recovery_text`
#
# The authors' notebook shows the forgotten digit *coming back* on MNIST after about 800
# pseudo-batches (6 % at 800, 76 % at 900; table below): knowledge of class 0 leaks through the
# ≤ 1 % the gate lets through on the kept images and through generalisation. A stopping rule must
# therefore be declared. Strict GKT uses the only one that needs no data, a fixed number of
# pseudo-batches, which must be set *before* seeing the trajectory; the faithful variant's test-set
# monitoring could stop at the last checkpoint with a forget accuracy as low as the retrained model's,
# but only by reading real data.
#
# ## Experiment 2: zero-shot against data-using methods
#
# Mean ± standard deviation over {glue:text}`n_seeds:.0f` seeds (each seed trains its own original
# and retrained model). The column "data used" says what each method needed; MIA is the fraction of
# forget training images the logistic attacker calls members (the retrained model's value is the
# target); ZRF compares the outputs on the forget test images with a random network's
# (authors' code formula, chapter 03); seconds are wall time on this machine.

# %% tags=["hide-input"]
COLUMNS = ["retain_test", "forget_test", "mia_logistic", "ain", "zrf_code", "seconds"]
if "mia_svc" in main and main.mia_svc.notna().all():
    COLUMNS.append("mia_svc")
ORDER = list(zs.METHODS)


def mean_std(table: pd.DataFrame) -> pd.DataFrame:
    shown = summary_table(summarise(table, COLUMNS, order=ORDER), metric_columns(COLUMNS), label=plots.label)
    data_used = [zs.DATA_NEEDED[m] for m in ORDER if m in set(table.method)]
    return shown.assign(**{"data used": data_used})[["data used", *shown.columns]]


tables.show_split(mean_std(main), dict(tables.TOPICS, accuracies=["data used", *tables.TOPICS["accuracies"]]))

# %% tags=["hide-input"]
summary = summarise(main, ["retain_test", "forget_test"], order=ORDER)
plots.mean_std_bars(summary, title=f"Forgetting class {study.forget_class} of {meta['dataset']} (mean ± std over seeds)")
plt.show()

# %% [markdown]
# Without seeing a single image, strict GKT reaches {glue:text}`strict_forget:.1f` % forget
# accuracy and EMMN {glue:text}`emmn_forget:.1f` %, against {glue:text}`gold_forget:.1f` % for
# retraining, at a cost on the retain classes: {glue:text}`strict_retain:.1f` % and
# {glue:text}`emmn_retain:.1f` % against {glue:text}`gold_retain:.1f` %. UNSIR and bad teacher,
# which read data, keep {glue:text}`unsir_retain:.1f` % and {glue:text}`bt_retain:.1f` %:
# {glue:md}`price_text` GKT re-learns every retain class from scratch through a generator, which
# costs time: {glue:text}`strict_seconds:.0f` s against {glue:text}`gold_seconds:.0f` s for
# retraining on this profile's small data set (the authors' MNIST run is 4,000 × 11 updates).
# Whether GKT had finished learning when it stopped: {glue:md}`gkt_plateau`
#
# Membership inference, both attackers, against the retrained model:
# {glue:md}`zs_mia_gkt` {glue:md}`zs_mia_emmn` {glue:md}`svc_text`
#
# ## Experiment 3: what AIN says
#
# Relearn curves: the forget-class test accuracy of each model while it is fine-tuned on the
# forget training images (seed {glue:text}`first_seed:.0f`; Adam {glue:text}`relearn_lr:g`, batch
# {glue:text}`relearn_batch:.0f`). The dotted line is the target $(1-\alpha)\,\mathrm{Acc}(M_o, D_f)$.

# %% tags=["hide-input"]
fig, ax = plots.figure(height=3.4)
target = 100 * (1 - P.relearn.alpha) * detail_rows.loc["original", "forget_test"]
for method, row in detail_rows.iterrows():
    ax.plot(np.arange(len(row.relearn_curve)), 100 * np.asarray(row.relearn_curve), color=plots.color(method), label=plots.label(method),
            lw=2.2 if method in ("retrained", "gkt_strict", "emmn") else 1.1, ls="--" if method == "retrained" else "-")
ax.axhline(target, ls=":", color="black", lw=1)
ax.set_xlabel("relearning step")
ax.set_ylabel("forget-class test accuracy (%)")
ax.set_title("Relearn curves")
plots.legend_below(ax, ncol=3)
plt.show()
ain_table = result.ain_table()
by_alpha = ain_table[ain_table.relearn_data == "forget_train"].pivot(index="method", columns="alpha", values="ain").reindex(ORDER)
by_alpha.index = [plots.label(m) for m in by_alpha.index]
by_alpha.columns = [f"AIN, α = {a:g}" for a in by_alpha.columns]
by_data = ain_table[ain_table.alpha == P.relearn.alpha].pivot(index="method", columns="relearn_data", values="ain").reindex(ORDER)
by_data.index = [plots.label(m) for m in by_data.index]
by_data.columns = [f"AIN, relearn on {c}" for c in by_data.columns]
by_alpha.join(by_data).round(2)

# %% [markdown]
# Every model that got its forget accuracy to zero *looks* the same to a Df-accuracy column; the
# relearn curves separate them. {glue:md}`ain_text` {glue:md}`ain_degenerate` How much α
# moves AIN is in the table's first columns. The relearning data can matter more: on the whole training set the forget class is a tenth of every
# batch, and the ranking of the methods can change ({glue:text}`rank_corr:.2f` Spearman correlation
# between the two columns), so an AIN without its protocol is not comparable across papers.
# {glue:md}`ain_protocol_check`
#
# ## Experiment 4: model inversion
#
# For every class, gradient ascent on an input to maximise the model's log-probability of that
# class, with a total-variation prior (`metrics.invert`, batched over classes; the paper's attack is
# not published). Rows: models; columns: classes. A model that still holds an image of the forgotten
# class may reveal it here.

# %% tags=["hide-input"]
shown_models = [m for m in ("original", "retrained", "unsir", "gkt_strict", "gkt_faithful", "emmn") if m in detail_rows.index]
inversions = {m: np.asarray(detail_rows.loc[m, "inversions"]) for m in shown_models}
fig = plots.image_grid(inversions, row_labels=[plots.label(m) for m in shown_models], per_row=len(next(iter(inversions.values()))),
                       title="Model inversion: one image per class (columns 0–9)")
plt.show()
judge = main.groupby("method", sort=False)[["judge_independent", "judge_retrained", "judge_independent_retain"]].mean().reindex(ORDER)
judge.index = [plots.label(m) for m in judge.index]
judge.columns = ["forget class, independent judge", "forget class, retrained judge", "retain classes, independent judge"]
(100 * judge).round(0)

# %% [markdown]
# The judge numbers are the share of inversions that a second model assigns to the class they were
# made for (mean over seeds, in %). The **independent judge**, a model of the same architecture
# trained on all of $D$ with another seed, recognises {glue:text}`judge_original:.0f` % of the
# original's class-{glue:text}`forget_class:.0f` inversions, {glue:text}`judge_gold:.0f` % of the
# retrained model's and {glue:text}`judge_strict:.0f` % of strict GKT's ({glue:text}`judge_emmn:.0f`
# % for EMMN). With so few inversions per model each share is uncertain:
# {glue:md}`judge_interval` {glue:md}`judge_text` {glue:md}`retrained_judge_text`
#
# ## Experiment 5: ablations
#
# Strict GKT on seed {glue:text}`first_seed:.0f`, {glue:text}`ablation_batches:.0f` pseudo-batches
# per run, varying one setting: the gate threshold (including no gate), and β, the weight of the
# attention term. The number of pseudo-batches is the x-axis.

# %% tags=["hide-input"]
ablations = result.ablations
fig, axes = plots.figure(2, 2, height=2.8, sharex=True)
for col, parameter in enumerate(("threshold", "beta")):
    part = ablations[ablations.parameter == parameter]
    palette = plt.cm.viridis(np.linspace(0, 0.85, len(part)))
    for color, (_, row) in zip(palette, part.iterrows()):
        curve = pd.DataFrame(row.trajectory)
        label = f"{'gate' if parameter == 'threshold' else 'β'} = {row.value}"
        axes[0][col].plot(curve.pseudo_batch, 100 * curve.forget_accuracy, color=color, label=label)
        axes[1][col].plot(curve.pseudo_batch, 100 * curve.retain_accuracy, color=color, label=label)
    axes[0][col].set_title(f"varying the {'gate threshold' if parameter == 'threshold' else 'attention weight β'}")
    axes[1][col].set_xlabel("pseudo-batch")
    axes[0][col].legend(fontsize=plots.MIN_FONT)
axes[0][0].set_ylabel("forget-class accuracy (%)")
axes[1][0].set_ylabel("retain-class accuracy (%)")
fig.tight_layout()
plt.show()
ablation_table = ablations[["parameter", "value", "pass_rate", "forget_test", "retain_test", "gkt_seconds"]].copy()
ablation_table[["forget_test", "retain_test"]] *= 100
ablation_table.columns = ["setting", "value", "gate pass rate", "Df acc (%)", "Dr acc (%)", "seconds"]
ablation_table.round(2)

# %% [markdown]
# {glue:md}`gate_text` Forgetting two classes at once ({glue:md}`two_classes`), with the gate on
# the *summed* probability of both (the notebook gates one class only):

# %% tags=["hide-input"]
pair = rows[(rows.profile == P.name) & (rows.request == ",".join(map(str, study.two_classes)))]
pair_table = pair.set_index("method")[["retain_test", "forget_test", "ain", "seconds"]].copy()
pair_table[["retain_test", "forget_test"]] *= 100
pair_table.index = [plots.label(m) for m in pair_table.index]
pair_table.columns = ["Dr acc (%)", "Df acc (%)", "AIN", "seconds"]
pair_table.round(2)

# %% [markdown]
# ## Against the authors' notebook
#
# The paper's tables could not be obtained (only secondary sources could be read); the reference numbers are the
# committed outputs of the authors' MNIST notebook. "Ours" is this page's run
# ({glue:md}`data_text`); for the trajectory, our strict and faithful students at the same
# pseudo-batch, where our run went that far.

# %% tags=["hide-input"]
original_row = detail_rows.loc["original"]
trajectories = {m: result.trajectory(m).set_index("pseudo_batch") for m in ("gkt_strict", "gkt_faithful")}


def ours(quantity: str, method: str) -> float:
    if quantity.startswith("original"):
        column = {"original test accuracy": "test", "original Df accuracy": "forget_test", "original Dr accuracy": "retain_test"}[quantity]
        return 100 * original_row[column]
    batch = int(quantity.rsplit(" ", 1)[1])
    curve = trajectories[method]
    if batch not in curve.index:
        return np.nan
    return 100 * curve.loc[batch, "forget_accuracy" if " Df " in quantity else "retain_accuracy"]


# The authors' setting: all of MNIST with AllCNN (a smaller MNIST profile is "another dataset and network" for this purpose).
on_mnist = meta["dataset"] == "mnist" and P.model == "allcnn" and P.train_per_class is None
comparison = reported.compare(reported.ZERO_SHOT, {"ours, strict": lambda r: ours(r.quantity, "gkt_strict"),
                                                   "ours, authors' variant": lambda r: ours(r.quantity, "gkt_faithful")},
                              reasons={r.quantity: ("same data and recipe, up to the scheduler (cosine instead of the notebook's "
                                                    "test-loss plateau)" if on_mnist else "ours: another dataset, network or scale")
                                       if r.quantity.startswith("original") else
                                       ("same settings; the trajectory depends on the seed and the generator's learning-rate quirk"
                                        if on_mnist else f"our run stops at {gkt_cfg.pseudo_batches} pseudo-batches in another "
                                        "setting: no comparable point") for r in reported.ZERO_SHOT})
comparison.style()

# %% tags=["hide-input"]
show_markdown(comparison.notes_markdown())

# %% [markdown]
# What the paper's tables would settle: which GKT checkpoint its numbers come from (the notebook's
# own run forgets only until about 800 pseudo-batches), EMMN's actual algorithm and settings, the
# AIN protocol (relearning data, evaluation set), which architectures were used on CIFAR-10 and SVHN,
# and the model-inversion procedure. Until then the comparison above is with the notebook only.
#
# ### What remains unknown
#
# - The paper's result tables, and with them whether our EMMN reconstruction resembles theirs.
# - The full profile (MNIST exactly as the notebook, CIFAR-10 with AllCNN and ResNet-18) is
#   implemented (`zero_shot.settings("full")`) but {glue:md}`full_status`
# - SVHN is not run: the authors' loader passes `train=True` to torchvision's SVHN, which takes `split=`, so it cannot run, and no offline copy exists here.
# - Wall times on this page come from a CPU shared with other jobs; they order the methods but are
#   not benchmarks (see `benchmarks/gkt_speed.py`).
#
# ## Exercises
#
# ```{exercise} The gate
# :label: ex-zs-gate
# Write `band_pass(probs, forget_classes, threshold)` that takes teacher probabilities (an N×C
# tensor) and returns a boolean mask of the rows GKT keeps {eq}`zs-gate`, with several forget classes
# gated on their summed probability.
# ```

# %% [markdown]
# ```{solution-start} ex-zs-gate
# :class: dropdown
# ```

# %% tags=["solution"]
import torch


def band_pass(probs: torch.Tensor, forget_classes: list[int], threshold: float) -> torch.Tensor:
    ### BEGIN SOLUTION
    return probs[:, forget_classes].sum(dim=1) <= threshold
    ### END SOLUTION


# %% [markdown]
# ```{solution-end}
# ```

# %% tags=["check"]
probs = torch.tensor([[0.005, 0.995, 0.0], [0.02, 0.98, 0.0], [0.004, 0.004, 0.992], [0.5, 0.5, 0.0]])
assert band_pass(probs, [0], 0.01).tolist() == [True, False, True, False]
assert band_pass(probs, [0, 1], 0.01).tolist() == [False, False, True, False]
from datarights.unlearning.gkt import gate

assert torch.equal(band_pass(probs, [0], 0.01), gate(probs, [0], 0.01)), "the same mask as the library's gate"
print("gate check passed")

# %% [markdown]
# ```{exercise} AIN from relearn steps
# :label: ex-zs-ain
# The table `rows` has, for every model, the relearn steps `relearn_steps` (α = 0.05, relearning on
# the forget training images) with its `profile`, `seed`, `request` and `method`. Compute AIN
# {eq}`zs-ain` for every row of the single-class request of the main profile as a pandas Series
# `my_ain` indexed like `main`, dividing by the retrained model of the same seed.
# ```

# %% [markdown]
# ```{solution-start} ex-zs-ain
# :class: dropdown
# ```

# %% tags=["solution"]
### BEGIN SOLUTION
gold_steps = main[main.method == "retrained"].set_index("seed").relearn_steps
my_ain = main.relearn_steps / main.seed.map(gold_steps)
### END SOLUTION
print(pd.DataFrame({"method": main.method, "seed": main.seed, "AIN": my_ain}).head(9).to_string(index=False))

# %% [markdown]
# ```{solution-end}
# ```

# %% tags=["check"]
assert np.allclose(my_ain.to_numpy(), main.ain.to_numpy())
assert np.allclose(my_ain[main.method == "retrained"], 1.0)
print("AIN check passed")

# %% [markdown]
# ## References
#
# The full bibliography is on the [references page](../references.md).

# %% tags=["remove-cell"]
means = main.groupby("method", sort=False).mean(numeric_only=True)
glue("eval_every", float(gkt_cfg.eval_every))
glue("first_seed", float(first_seed))
glue("forget_class", float(study.forget_class))
glue("pseudo_batches", float(gkt_cfg.pseudo_batches))
glue("full_gkt_budget", float(zs.settings("full").gkt.pseudo_batches))
glue("n_seeds", float(len(meta["seeds"])))
glue("ablation_batches", float(study.ablation_pseudo_batches))
glue("relearn_lr", float(P.relearn.lr))
glue("relearn_batch", float(P.relearn.batch_size))
for name, value in {
    "strict_retain": 100 * means.loc["gkt_strict", "retain_test"], "strict_forget": 100 * means.loc["gkt_strict", "forget_test"],
    "faithful_retain": 100 * means.loc["gkt_faithful", "retain_test"], "faithful_forget": 100 * means.loc["gkt_faithful", "forget_test"],
    "gold_retain": 100 * means.loc["retrained", "retain_test"], "gold_forget": 100 * means.loc["retrained", "forget_test"],
    "emmn_retain": 100 * means.loc["emmn", "retain_test"], "emmn_forget": 100 * means.loc["emmn", "forget_test"],
    "unsir_retain": 100 * means.loc["unsir", "retain_test"], "bt_retain": 100 * means.loc["bad_teacher", "retain_test"],
    "strict_seconds": means.loc["gkt_strict", "seconds"], "gold_seconds": means.loc["retrained", "seconds"],
    "strict_mia": means.loc["gkt_strict", "mia_logistic"], "gold_mia": means.loc["retrained", "mia_logistic"],
    "original_mia": means.loc["original", "mia_logistic"],
    "judge_original": 100 * means.loc["original", "judge_independent"], "judge_gold": 100 * means.loc["retrained", "judge_independent"],
    "judge_strict": 100 * means.loc["gkt_strict", "judge_independent"], "judge_emmn": 100 * means.loc["emmn", "judge_independent"],
}.items():
    glue(name, float(value))

strict_curves = [result.trajectory("gkt_strict", s) for s in meta["seeds"]]
recovered = [c for c in strict_curves if (c.forget_accuracy.cummax() - c.forget_accuracy.iloc[0] > 0.2).any()
             and c.forget_accuracy.iloc[-1] > 0.2]
longer = result.longer_run()
returned = None if longer is None else longer[(longer.pseudo_batch > gkt_cfg.pseudo_batches) & (longer.forget_accuracy > 0.2)]
glue("recovery_text", Markdown(
    (f"In {len(recovered)} of {len(strict_curves)} strict runs the forget class came back above 20 % within the run."
     if recovered else
     f"Within our {gkt_cfg.pseudo_batches} pseudo-batches the forget class does not come back in any strict run "
     f"(largest forget accuracy along the trajectories: {100 * max(c.forget_accuracy.max() for c in strict_curves):.1f} %).")
    + ("" if longer is None else
       f" Run on to {int(longer.pseudo_batch.max())} pseudo-batches (seed {first_seed}, dotted in the figure, the vertical line "
       "marking the budget), "
       + (f"the strict student's forget-class accuracy passed 20 % at pseudo-batch {int(returned.pseudo_batch.iloc[0])} "
          f"and ended at {100 * longer.forget_accuracy.iloc[-1]:.0f} %: the forgotten class came back after the budget."
          if not returned.empty else
          f"it stayed at or below 20 % (largest {100 * longer.forget_accuracy.max():.1f} %): no return within that run."))))
ain_means = means.ain
zero_forget = [m for m in ("unsir", "bad_teacher", "gkt_strict", "gkt_faithful", "emmn") if means.loc[m, "forget_test"] < 0.05]
def seed_values(method: str, column: str) -> np.ndarray:
    return main.loc[main.method == method, column].to_numpy(float)


glue("ain_text", Markdown(
    "Among the methods that bring forget accuracy near zero (" + ", ".join(plots.label(m) for m in zero_forget) + "): "
    + str(verdicts.rank({plots.label(m): seed_values(m, "ain") for m in zero_forget}, quantity="AIN", lower_is_better=False,
                        best_word="highest", tolerance=0.05))
    + f" The original's AIN is {ain_means['original']:.2f}." if zero_forget else "No method brings the forget accuracy near zero on this profile."))
ain_flat = verdicts.degenerate({m: seed_values(m, "ain") for m in ORDER if m in set(main.method) and m != "retrained"},
                               quantity="AIN", tolerance=1e-3)
glue("ain_degenerate", Markdown(str(ain_flat) if not ain_flat.informative else ""))

# GKT's stopping point: still learning when the retain accuracy rose over the last fifth of the run (stated rule).
def late_gain(curve: pd.DataFrame) -> float:
    tail = curve[curve.pseudo_batch >= curve.pseudo_batch.max() * 0.8]
    return float(tail.retain_accuracy.iloc[-1] - tail.retain_accuracy.iloc[0]) if len(tail) > 1 else float("nan")


gains = np.array([late_gain(c) for c in strict_curves])
still_learning = bool(np.nanmean(gains) > 0.02) if np.isfinite(gains).any() else False
within_run = verdicts.Verdict(
    "this run records too few evaluation points to tell, so its GKT forget accuracy and AIN may describe an unfinished student.",
    "unresolved", "needs at least two evaluations in the last fifth of the pseudo-batches") if not np.isfinite(gains).any() else verdicts.Verdict(
    (f"no: strict GKT's retain accuracy still rose by {100 * np.nanmean(gains):.1f} points (mean over seeds) over the last fifth of its "
     f"{gkt_cfg.pseudo_batches} pseudo-batches, so the student had not finished learning and its forget accuracy and AIN here describe "
     "an unfinished student, not what the method reaches."
     if still_learning else
     f"yes, by this page's rule: strict GKT's retain accuracy changed by {100 * np.nanmean(gains):.1f} points over the last fifth of "
     "the run."),
    "unresolved" if still_learning else "informative",
    "still learning when the retain accuracy rose by more than 2 points over the last fifth of the pseudo-batches")
# Where the profile runs GKT longer once (first seed), the budget is judged against that run (rule: Plateau).
plateau = result.plateau()
glue("gkt_plateau", within_run if plateau is None else verdicts.Verdict(
    plateau.verdict() + ".", "informative" if plateau.past else "unresolved",
    "past the plateau when the mean retain accuracy after the budget exceeds that over its last fifth by no more "
    "than the larger of 2 points and the spread of the points"))

attack_cols = {c: n for c, n in (("mia_logistic", "logistic"), ("mia_svc", "SVC")) if c in main and main[c].notna().all()}
for key, method in (("zs_mia_gkt", "gkt_strict"), ("zs_mia_emmn", "emmn")):
    glue(key, verdicts.attackers(plots.label(method), {n: seed_values(method, c) for c, n in attack_cols.items()},
                                 {n: seed_values("retrained", c) for c, n in attack_cols.items()},
                                 original={n: seed_values("original", c) for c, n in attack_cols.items()}))
n_inversions = study.inversion.restarts * len(meta["seeds"])
glue("judge_interval", Markdown(" ".join(
    str(verdicts.proportion(int(round(means.loc[m, "judge_independent"] * n_inversions)), n_inversions,
                            what=f"{plots.label(m)}, inversions recognised by the independent judge"))
    for m in ("original", "gkt_strict") if m in means.index)))
protocol_checks = [verdicts.degenerate(by_data[column].dropna().to_dict(), quantity=column, tolerance=1e-3)
                   for column in by_data.columns]
glue("ain_protocol_check", Markdown(" ".join(str(c) for c in protocol_checks if not c.informative)))
rank = by_data[[c for c, check in zip(by_data.columns, protocol_checks) if check.informative]].dropna()
glue("rank_corr", float(rank.iloc[:, 0].rank().corr(rank.iloc[:, 1].rank())) if rank.shape[1] == 2 and len(rank) > 2 else float("nan"))
jo, js_ = means.loc["original", "judge_independent"], means.loc["gkt_strict", "judge_independent"]
lo_o, hi_o = verdicts.proportion_interval(int(round(jo * n_inversions)), n_inversions)
lo_s, hi_s = verdicts.proportion_interval(int(round(js_ * n_inversions)), n_inversions)
glue("judge_text", Markdown(
    "The two intervals overlap, so this page cannot tell whether the strict GKT student's inversions of the forgotten class are "
    "recognised less often than the original's." if lo_o <= hi_s and lo_s <= hi_o else
    ("The strict GKT student's inversions of the forgotten class are recognised less often than the original's, beyond the intervals."
     if js_ < jo else "The strict GKT student's inversions are recognised more often than the original's, beyond the intervals.")))
by_retrained, by_independent = means["judge_retrained"].max(), means["judge_independent"].max()
glue("retrained_judge_text", Markdown(
    f"The retrained model, as a judge of the forget class, recognises at most {100 * by_retrained:.0f} % of any model's inversions "
    f"(the independent judge up to {100 * by_independent:.0f} %): "
    + ("having never learned the class, it hardly ever predicts it, whatever it is shown, so it is no judge of it."
       if by_retrained < 0.05 else "it does predict the class on some inversions.")))
threshold_rows = ablations[ablations.parameter == "threshold"].set_index("value")
glue("gate_text", Markdown(
    f"Without a gate the student's forget accuracy ends at {100 * threshold_rows.loc['none', 'forget_test']:.1f} % "
    f"(with the 0.01 gate {100 * threshold_rows.loc[0.01, 'forget_test']:.1f} %): "
    + ("the gate is what keeps the class out." if threshold_rows.loc['none', 'forget_test'] > threshold_rows.loc[0.01, 'forget_test'] + 0.1
       else "in a run this short the class stays out even without the gate, so the gate's effect shows in the long runs of the full profile.")
    if "none" in threshold_rows.index and 0.01 in threshold_rows.index else "The gate ablation did not run on this profile."))
zero_shot_best = max(means.loc[m, "retain_test"] for m in ("gkt_strict", "emmn"))
data_best = max(means.loc[m, "retain_test"] for m in ("unsir", "bad_teacher"))
best_zero_shot = max(("gkt_strict", "emmn"), key=lambda m: means.loc[m, "retain_test"])
best_with_data = max(("unsir", "bad_teacher"), key=lambda m: means.loc[m, "retain_test"])
glue("price_text", verdicts.compare(
    plots.label(best_with_data), seed_values(best_with_data, "retain_test"), plots.label(best_zero_shot),
    seed_values(best_zero_shot, "retain_test"), quantity="Retain-class accuracy, the better method with data against the better "
    "zero-shot method", tolerance=0.01, scale=100, unit=" %", digits=1))
if "mia_svc" in main and main.mia_svc.notna().all():
    svc = means.mia_svc
    glue("svc_text", Markdown(
        f"The two attackers differ by more than 0.3 on GKT (strict): SVC {svc['gkt_strict']:.2f}, EMMN {svc['emmn']:.2f}, retrained "
        f"{svc['retrained']:.2f}. The GKT student never trained on a real image, so members and "
        "non-members get much the same entropies from it, the attacker's boundary between them is arbitrary, and where the forget "
        "images fall says little (EMMN, whose last epochs saw only noise, scores alike here). Membership inference is a weak "
        "instrument for these models; the two attackers must be read together."
        if abs(svc["gkt_strict"] - means.loc["gkt_strict", "mia_logistic"]) > 0.3 else
        "The authors' SVC attacker agrees with the logistic one on the zero-shot models."))
else:
    glue("svc_text", Markdown("(The SVC attacker is not run on this profile.)"))
glue("two_classes", Markdown("classes " + " and ".join(map(str, study.two_classes))))
glue("data_text", Markdown(f"{meta['dataset']}, {meta['model']}, profile {meta['profile']}"))
glue("full_status", Markdown(
    "is what this page shows." if meta["profile"].startswith("full") else
    "has not been executed: this session had no GPU, so this page shows the quick profile."))
