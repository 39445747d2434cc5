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
# # All unlearning methods head to head
#
# Each paper in this book compared its method with a few baselines, under its own protocol and
# its own metric code, so their numbers cannot be set side by side. This chapter runs every
# unlearning method of the book on the same trained models, the same forget requests, the same
# seeds and the same metric code, and answers the question a practitioner asks: which method
# should I use, for what kind of request, at what cost? One later method joins for
# perspective: Selective Synaptic Dampening {cite:p}`foster2024ssd`, published as an improvement
# on bad teaching. It is not one of the six papers and is marked as such.

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
seed = 0  # the first of the profile's seeds: seed, seed + 1, ...
device = "auto"  # auto | cpu | cuda
data_dir = None  # where datasets live; None: $DATARIGHTS_DATA

# %% tags=["remove-input"]
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from IPython.display import Markdown

from datarights import plots, profiles, scope, verdicts
from datarights.experiments import compare as head_to_head
from datarights.notebook import glue, provenance, show_markdown
from datarights.tables import METRICS, TOPICS, Column, metric_columns, show_split, summary_table
from datarights.train import resolve_device

plots.use_book_style()
P, study = profiles.get(profile), head_to_head.settings(profile)
seeds = tuple(seed + offset for offset in study.seeds)
tables = {scenario: head_to_head.compare(head_to_head.applicable(scenario), scenario, seeds=seeds, profile=profile, device=device,
                                         data_dir=data_dir)
          for scenario in head_to_head.SCENARIOS}
everything = pd.concat(tables.values(), ignore_index=True)
meta = {"profile": profile, "seed": ", ".join(map(str, seeds)), "device": str(resolve_device(device)),
        "torch": torch.__version__, "dataset": P.dataset}
not_run = everything[everything.status.str.startswith("not run")]
failed = everything[(everything.status != "ok") & ~everything.status.str.startswith("not run")]
show_markdown(provenance(
    meta, P.description, chapter="06",
    request=(f"Requests on {P.dataset}: classes {list(study.classes)} one at a time; sub-classes "
             f"{', '.join(f'{fine} of {grouping}' for grouping, fine in study.subclasses)}; a random "
             f"{study.random_fraction:.0%} of the training set; each under the seeds {list(seeds)} (new original and "
             "retrained models per seed). Every method uses the settings of the chapter that studies it under this profile. "),
))
show_markdown(scope.banner(profile, paper="compare", facts=scope.unlearning_facts(profile), seeds=seeds))

# %% [markdown]
# ## The contenders
#
# Every method goes through the book's one signature and receives only what it may see:

# %% tags=["hide-input"]
NEEDS = {
    "retrain": ("the reference", "D_r, full training run"),
    "finetune": ("Foundations", "D_r"),
    "neggrad": ("Foundations", "D_f (gradient ascent)"),
    "random_labels": ("Foundations (amnesiac)", "D_f and D_r"),
    "unsir": ("UNSIR, the paper's form", "class identities and a sample of D_r"),
    "unsir_code": ("UNSIR, the authors' code", "class identities and a sample of D_r"),
    "bad_teacher": ("Bad teaching", "D_f and 30% of D_r, no labels"),
    "gkt": ("Zero-shot (GKT)", "class identities only"),
    "emmn": ("Zero-shot (EMMN, reconstruction)", "class identities only"),
    "ssd": ("Foster et al. 2024, not one of the six papers", "D_f and D (importances), no training"),
}
pd.DataFrame([{"method": plots.label(m), "from": NEEDS[m][0], "data it needs": NEEDS[m][1],
               "scenarios": ", ".join(s for s in head_to_head.SCENARIOS if m in head_to_head.applicable(s))}
              for m in head_to_head.METHOD_ORDER]).style.hide(axis="index")

# %% [markdown]
# Zero-shot methods see no data, so they can only name output classes: they serve whole-class
# requests and are left out of the sub-class and random scenarios (a sub-class or a random
# sample is not an output class). UNSIR learns noise for named classes and is left out of the
# random scenario; on sub-classes it targets the superclass, as the SSD codebase runs it.
#
# ## One score for "close to retraining"
#
# Every metric of the book has a target, and the target is the retrained model's value, not 0
# or 1. So the summary score of a method on a request is its mean absolute gap to the retrained
# model trained on the same data with the same seed:
#
# $$
# \mathrm{gap} = \frac{1}{|\mathcal{M}| + 2}\Big(\sum_{m\in\mathcal{M}} \big|m(M_u) - m(M_{\text{gold}})\big|
# + \mathrm{JS}(M_u, M_{\text{gold}}) + \mathrm{AD}(M_u, M_{\text{gold}})\Big),
# $$ (h2h-gap)
#
# with $\mathcal{M}$ = retain-test, forget and test accuracy, the two MIA scores (logistic
# regression and the authors' SVC, fraction of $D_f$ called "member") and both forms of ZRF; JS
# and AD are the Jensen–Shannon divergence and the activation distance between the method's and
# the retrained model's outputs on the forget data. "Forget" accuracy is measured on the forget
# classes' test images for class and sub-class requests, and on the forgotten images themselves
# for random requests (which have no forget test set). Every term lies between 0 and 1 except the
# activation distance, an L2 distance between two probability vectors, which can exceed 1; AIN
# and wall time are ratios without an upper bound, reported beside the gap rather than inside it. A gap
# of 0 is indistinguishable from retraining by these metrics; the score weighs them equally,
# which is a choice, and the exercises ask you to change it.

# %% tags=["hide-input"]
SHOWN = ["retain_test", "forget", "test", "mia_logistic", "mia_svc", "zrf_code", "js_to_retrained", "ain", "time_ratio", "gap"]


def mean_std(table: pd.DataFrame) -> None:
    columns = [c for c in SHOWN if c in table.columns]
    shown = summary_table(head_to_head.summary(table, columns), metric_columns(columns),
                          label=lambda m: plots.label(m) + (" †" if m in head_to_head.NOT_FROM_THE_PAPERS else ""))
    show_split(shown, TOPICS)  # one narrow table per topic


SCENARIO_TITLES = {"class": "Full-class forgetting", "subclass": "Sub-class forgetting", "random": "Random 10% forgetting"}

# %% [markdown]
# ## Full-class forgetting
#
# Mean ± standard deviation over the forgotten classes and the seeds (accuracies and MIA in %;
# † marks the method that is not one of the six papers). This profile forgets the classes
# {glue:text}`h2h_classes` of {glue:text}`h2h_dataset`, each under every seed of the scope note;
# every other class is one line in `compare.STUDIES` away.

# %% tags=["hide-input"]
mean_std(tables["class"])

# %% [markdown]
# ## Sub-class forgetting
#
# The bad-teaching chapter's protocol: one fine class is forgotten while the model predicts
# superclasses (here {glue:text}`h2h_sub_data`).

# %% tags=["hide-input"]
mean_std(tables["subclass"])

# %% [markdown]
# ## Random 10% forgetting
#
# A random tenth of the training set, spread over all classes. The retrained model classifies
# these images about as well as it classifies test images, so the target for "forget" accuracy
# is high, and the membership scores carry the signal.

# %% tags=["hide-input"]
mean_std(tables["random"])

# %% [markdown]
# ## What each method does to the forget and retain data
#
# Accuracy on the retained classes and on the forgotten data, mean ± standard deviation over
# requests and seeds; the retrained model's bars are the target.

# %% tags=["hide-input"]
fig, axes = plots.figure(3, height=3.6, sharey=True)
for ax, (scenario, table) in zip(axes, tables.items()):
    plots.mean_std_bars(head_to_head.summary(table, ["retain_test", "forget"]), ["retain_test", "forget"],
                        title=SCENARIO_TITLES[scenario], ax=ax)
    ax.set_xticks(range(2), ["retained (test)", "forgotten"])
    ax.legend().remove()
legend = {name: handle for ax in axes for handle, name in zip(*ax.get_legend_handles_labels())}  # one entry per method
fig.tight_layout()
plots.legend_below(fig, handles=list(legend.values()), labels=list(legend), ncol=4)
plt.show()

# %% [markdown]
# ## Quality against cost
#
# Gap to the retrained model {eq}`h2h-gap` against wall time relative to retraining, mean over
# requests and seeds, per scenario. Lower is closer to retraining, further left is cheaper. The
# retrained model sits at (1, 0) by definition.

# %% tags=["hide-input"]
fig, axes = plots.figure(3, height=3.8, sharey=True)
for ax, (scenario, table) in zip(axes, tables.items()):
    means = table[table.status == "ok"].groupby("method", sort=False)[["gap", "time_ratio"]].mean()
    for method, point in means.iterrows():
        ax.scatter(point.time_ratio, point.gap, s=46, color=plots.color(method), marker="*" if method == "retrain" else "o",
                   edgecolor="black" if method in head_to_head.NOT_FROM_THE_PAPERS else "none", zorder=3, label=plots.label(method))
    plots.log_axis(ax, "x")
    ax.set_xlabel("time / retraining (log)")
    ax.set_title(SCENARIO_TITLES[scenario])
axes[0].set_ylabel("gap to retrained (lower is better)")
legend = {name: handle for ax in axes for handle, name in zip(*ax.get_legend_handles_labels())}  # one entry per method
fig.tight_layout()
plots.legend_below(fig, handles=list(legend.values()), labels=list(legend), ncol=4)
plt.show()

# %% [markdown]
# On {glue:text}`h2h_dataset` retraining takes only {glue:text}`h2h_retrain_seconds` seconds (median
# over requests and seeds), so fixed costs weigh heavily and the time ratios understate what the
# cheap methods save when retraining takes hours; `benchmarks/unlearning_methods.py` times every
# method against retraining side by side in one run, and on the GPU with `--profile full`.
#
# %% [markdown]
# Where each method departs from retraining: the mean absolute gap per metric (columns) and
# method (rows), per scenario; JS and AD are distances to the retrained model already.

# %% tags=["hide-input"]
import seaborn as sns

METRIC_COLUMNS = ["retain_test", "forget", "test", "mia_logistic", "mia_svc", "zrf_code", "zrf_paper"]


def metric_gaps(table: pd.DataFrame) -> pd.DataFrame:
    ok = table[table.status == "ok"]
    gold = ok[ok.method == "retrain"].set_index(["request", "seed"])
    rows = {}
    for method, part in ok.groupby("method", sort=False):
        if method == "retrain":
            continue
        reference = gold.loc[list(zip(part.request, part.seed))]
        present = [c for c in METRIC_COLUMNS if c in part.columns and part[c].notna().all()]
        gaps = (part[present].to_numpy(float) - reference[present].to_numpy(float))
        rows[plots.label(method)] = {**dict(zip(present, np.abs(gaps).mean(0))),
                                     "js_to_retrained": part.js_to_retrained.mean(), "activation_distance": part.activation_distance.mean()}
    return pd.DataFrame(rows).T


fig, axes = plots.figure(1, 3, height=3.1)
for ax, (scenario, table) in zip(axes, tables.items()):
    # gaps of shares are shown as fractions (0.10 = 10 points), so the headers drop their "(%)"
    gaps = metric_gaps(table).rename(columns={**{c: m.header.replace(" (%)", "") for c, m in METRICS.items()},
                                              "activation_distance": "AD"})
    size = plots.annotation_size(ax, gaps.shape[1], gaps.shape[0], "0.00")
    # one colour scale for the three panels: the accuracy, MIA and ZRF terms lie in [0, 1]; AD can exceed 1 (its cell says by how much)
    sns.heatmap(gaps, ax=ax, cmap="rocket_r", vmin=0, vmax=1, annot=size is not None, fmt=".2f",
                annot_kws={"fontsize": size or plots.MIN_FONT}, cbar=ax is axes[0])
    ax.set_title(SCENARIO_TITLES[scenario])
    ax.tick_params(axis="x", rotation=30)
fig.tight_layout()
plt.show()

# %% tags=["remove-cell"]
def method_mean(table: pd.DataFrame, method: str, column: str) -> float:
    return float(table[(table.method == method) & (table.status == "ok")][column].mean())


from datarights.data.superclasses import get_superclasses

glue("h2h_sub_data", "; ".join(sorted({f"{g.dataset} as {' and '.join(g.names)}"
                                       for g in (get_superclasses(grouping) for grouping, _ in study.subclasses)})))


def recommend(table: pd.DataFrame, among: list[str] | None = None, budget: float | None = None) -> verdicts.Verdict:
    """The methods with the smallest gap (retraining excluded), ties within the spread over requests and seeds
    reported as ties (datarights.verdicts.rank), optionally among some methods or under a time ratio."""
    ok = table[(table.status == "ok") & (table.method != "retrain")]
    if among is not None:
        ok = ok[ok.method.isin(among)]
    if budget is not None:
        fast = ok.groupby("method").time_ratio.mean()
        ok = ok[ok.method.isin(fast[fast <= budget].index)]
    if ok.empty:
        return verdicts.Verdict("no method of this page qualifies on this machine.", "unresolved")
    values = {plots.label(m): g.gap.to_numpy(float) for m, g in ok.groupby("method", sort=False)}
    return verdicts.rank(values, quantity="gap to retraining", tolerance=0.005, digits=3)


glue("h2h_best_class", recommend(tables["class"]))
glue("h2h_best_class_zero_shot", recommend(tables["class"], among=list(head_to_head.ZERO_SHOT)))
glue("h2h_best_class_fast", recommend(tables["class"], budget=0.1))
glue("h2h_best_subclass", recommend(tables["subclass"]))
glue("h2h_best_random", recommend(tables["random"]))


def values_of(table: pd.DataFrame, method: str, column: str) -> np.ndarray:
    return table[(table.method == method) & (table.status == "ok")][column].to_numpy(float)


attack_columns = {c: n for c, n in (("mia_logistic", "logistic"), ("mia_svc", "SVC")) if c in tables["random"]}
glue("h2h_random_bt_attackers", verdicts.attackers(
    "the bad teacher (random requests)", {n: values_of(tables["random"], "bad_teacher", c) for c, n in attack_columns.items()},
    {n: values_of(tables["random"], "retrain", c) for c, n in attack_columns.items()}, scale=100, unit=" %", digits=1))
glue("h2h_class_zrf_verdict", verdicts.compare(
    "the bad teacher", values_of(tables["class"], "bad_teacher", "zrf_code"), "retraining",
    values_of(tables["class"], "retrain", "zrf_code"), quantity="ZRF (code form), whole classes", tolerance=0.01, digits=3))
glue("h2h_class_unsir_verdict", verdicts.compare(
    "the paper's UNSIR", values_of(tables["class"], "unsir", "forget"), "the authors' code",
    values_of(tables["class"], "unsir_code", "forget"), quantity="Forget accuracy, whole classes", tolerance=0.01,
    scale=100, unit=" %", digits=1))
ain_checks = []
for scenario, table in tables.items():
    ok = table[(table.status == "ok") & (table.method != "retrain")]
    if "ain" in ok and ok.ain.notna().any():
        check = verdicts.degenerate({m: g.ain.to_numpy(float) for m, g in ok.groupby("method", sort=False)},
                                    quantity=f"AIN ({SCENARIO_TITLES[scenario].lower()})", tolerance=1e-3)
        ain_checks.append(str(check) if not check.informative else f"{SCENARIO_TITLES[scenario]}: AIN varies between methods.")
glue("h2h_ain_check", Markdown(" ".join(ain_checks) or "AIN was not computed on this profile."))
glue("h2h_class_gkt_verdict", verdicts.compare(
    "GKT", values_of(tables["class"], "gkt", "retain_test"), "retraining", values_of(tables["class"], "retrain", "retain_test"),
    quantity="Retain-test accuracy", tolerance=0.01, scale=100, unit=" %", digits=1))
glue("h2h_random_finetune_gap", f"{method_mean(tables['random'], 'finetune', 'gap'):.3f}")
glue("h2h_random_bt_gap", f"{method_mean(tables['random'], 'bad_teacher', 'gap'):.3f}")
glue("h2h_random_bt_mia", f"{100 * method_mean(tables['random'], 'bad_teacher', 'mia_logistic'):.1f}")
glue("h2h_random_gold_mia", f"{100 * method_mean(tables['random'], 'retrain', 'mia_logistic'):.1f}")
glue("h2h_class_bt_zrf", f"{method_mean(tables['class'], 'bad_teacher', 'zrf_code'):.3f}")
glue("h2h_class_gold_zrf", f"{method_mean(tables['class'], 'retrain', 'zrf_code'):.3f}")
glue("h2h_class_unsir_df", f"{100 * method_mean(tables['class'], 'unsir', 'forget'):.1f}")
glue("h2h_class_unsir_code_df", f"{100 * method_mean(tables['class'], 'unsir_code', 'forget'):.1f}")
glue("h2h_failed", str(len(failed)))
glue("h2h_not_run", Markdown(
    " ".join(f"{plots.label(m)}: {reason}." for m, reason in not_run.groupby("method").status.first().items())
    if len(not_run) else "none."))
glue("h2h_dataset", P.dataset)
glue("h2h_classes", ", ".join(map(str, study.classes)))
glue("h2h_retrain_seconds", f"{everything[everything.method == 'retrain'].seconds.median():.1f}")

# %% [markdown]
# ## Which method when
#
# Each recommendation below ranks the mean gap {eq}`h2h-gap` on this page's runs; methods whose
# gaps lie within the spread over requests and seeds of the smallest are reported as a tie, not
# as a winner. They hold for this profile's data and model only (see the scope note).
#
# - **A whole class, data available:** {glue:md}`h2h_best_class`
# - **A whole class, no data at all** (only the trained model and the class identities):
#   {glue:md}`h2h_best_class_zero_shot` What the zero-shot methods pay in retain accuracy:
#   {glue:md}`h2h_class_gkt_verdict`
# - **A whole class on a tight budget** (at most a tenth of retraining's time):
#   {glue:md}`h2h_best_class_fast`
# - **A sub-class:** {glue:md}`h2h_best_subclass`
# - **A random sample:** {glue:md}`h2h_best_random` Plain fine-tuning on $D_r$ has a gap of
#   {glue:text}`h2h_random_finetune_gap` and the bad teacher {glue:text}`h2h_random_bt_gap`.
#
# AIN, reported beside the gap, is checked for whether it can tell the methods apart in each
# scenario: {glue:md}`h2h_ain_check` The MIA terms enter the gap for every scenario; these tables
# hold no original-model row, so whether an attacker separates the original from the retrained
# model is checked in the chapters that study each method, not here.

# %% [markdown]
# (h2h-per-example)=
# ## Which method really forgets: per-example tests against many retrained models
#
# The membership attacks above judge one model at a time, from one feature, and the two attackers
# need not agree; on the random request, what they say of the bad teacher:
# {glue:md}`h2h_random_bt_attackers` Since these papers,
# the field asks per example and against many models (the foundations chapter introduces the idea,
# {ref}`foundations-forgetting-quality`): each method unlearns the same original model $K$ times
# with $K$ seeds, the model is retrained $K$ times, and for each forget example the two samples of
# the logit-scaled confidence {eq}`logit-confidence` are compared.
#
# - **Forgetting quality**, as the NeurIPS 2023 unlearning competition scored it
#   {cite:p}`triantafillou2024progress`: per example, the best threshold attack's error rates bound
#   the $\varepsilon$ of $(\varepsilon, \delta)$-unlearning ($\delta = 10^{-5}$); examples fall into
#   bins of width 0.5 in $\varepsilon$ and score $2^{-b_i}$, so
#
#   $$
#   F = \frac{1}{n}\sum_{i=1}^{n} 2^{-b_i}\cdot\frac{\mathrm{RA}_u}{\mathrm{RA}_r}\cdot\frac{\mathrm{TA}_u}{\mathrm{TA}_r},
#   $$ (h2h-fq)
#
#   higher is better, with retain and test accuracy ratios to retraining as the utility factor.
# - **U-LiRA** {cite:p}`hayes2025inexact`: per example, Gaussians fitted to the two samples; each
#   held-out model is called "unlearned" or "retrained" by the likelihood ratio. Its balanced
#   accuracy is 50 % when a method leaves no trace an attacker can use, 100 % when every model is
#   caught.
#
# This page: $K$ = {glue:text}`h2h_pop_k` models per population on the
# {glue:text}`h2h_pop_request` request, {glue:text}`h2h_pop_examples` forget examples, all from one
# original model (seed {glue:text}`h2h_pop_seed`); ± is the jackknife standard error over the $K$
# model pairs, and it is the spread the verdicts below use. The estimator is biased upwards: two
# samples of *one* distribution do not score 1 but about {glue:text}`h2h_pop_null` at this $K$ (the
# dashed line and its band: Gaussians fitted to the retrained outputs, drawn twice and scored
# against each other).

# %% tags=["hide-input"]
pops = head_to_head.populations(profile, seed, device=device, data_dir=data_dir)
pop_scenario = pops.scenarios[-1]  # random where the profile studies it: a whole class is told apart by any attacker
scores = pops.table(pop_scenario)
scored = scores[scores.status == "ok"]
null = pops.null(pop_scenario)
fig, axes = plots.figure(2, height=3.0)
plots.score_bars(scored.final_score, scored.final_score_se, ylabel="forgetting quality F (higher is better)", ax=axes[0],
                 reference=(null["forgetting_score"], null["forgetting_score_std"]), reference_label="one distribution",
                 title="Competition score", fmt="{:.2f}")
plots.score_bars(100 * scored.lira_accuracy, 100 * scored.lira_accuracy_se, ylabel="balanced accuracy (%)", ax=axes[1],
                 reference=50.0, reference_label="no trace", title="U-LiRA (lower is better)", fmt="{:.0f}")
fig.tight_layout()
plt.show()

# %% tags=["hide-input"]
POPULATION_COLUMNS = {"final_score": Column("F", digits=3), "forgetting_score": Column("F before utility", digits=3),
                      "utility": Column("utility", digits=3), "lira_accuracy": Column.percent("U-LiRA bal. acc"),
                      "lira_auc": Column("U-LiRA AUC", digits=3), "seconds": Column("seconds per run", digits=1)}
show_split(summary_table(pops.summary(pop_scenario), POPULATION_COLUMNS, label=plots.label))

# %% tags=["remove-cell"]
k = pops.k(pop_scenario)
per_method = {plots.label(m): verdicts.Estimate(r.final_score, r.final_score_se, k) for m, r in scored.iterrows()}
fq_rank = verdicts.rank(per_method, quantity="forgetting quality F", lower_is_better=False, digits=3)
glue("h2h_pop_k", str(k))
glue("h2h_pop_request", head_to_head.settings(profile).requests(pop_scenario)[0].label())
glue("h2h_pop_examples", str(len(pops.raw[pop_scenario]["examples"])))
glue("h2h_pop_seed", str(seed))
glue("h2h_pop_null", f"{null['forgetting_score']:.2f}")
glue("h2h_pop_rank", fq_rank)
glue("h2h_pop_null_verdict", verdicts.reach(
    {plots.label(m): verdicts.Estimate(r.forgetting_score, r.forgetting_score_se, k) for m, r in scored.iterrows()},
    verdicts.Estimate(null["forgetting_score"], null["forgetting_score_std"], null["repeats"]),
    quantity="forgetting score before utility", level_name="two samples of one distribution", digits=3))
glue("h2h_pop_lira_rank", verdicts.rank(
    {plots.label(m): verdicts.Estimate(r.lira_accuracy, r.lira_accuracy_se, k) for m, r in scored.iterrows()},
    quantity="U-LiRA balanced accuracy (closest to 50 % is best)", scale=100, unit=" %", digits=1))
pop_rows = tables[pop_scenario]
gold_mia = pop_rows[(pop_rows.method == "retrain") & (pop_rows.status == "ok")].set_index("seed")
mia_rankings = []
for column, attacker in (("mia_logistic", "the logistic MIA"), ("mia_svc", "the SVC MIA")):
    if column not in pop_rows:
        continue
    distance = {plots.label(m): np.abs(g.set_index("seed")[column] - gold_mia[column]).to_numpy(float)
                for m, g in pop_rows[(pop_rows.status == "ok") & pop_rows.method.isin(scored.index)].groupby("method", sort=False)}
    mia_rank = verdicts.rank(distance, quantity=f"distance of {attacker} to retraining's", digits=3)
    mia_rankings.append(str(verdicts.same_winner("the forgetting quality", fq_rank, attacker + " (closest to retraining)", mia_rank)))
glue("h2h_pop_vs_mia", Markdown(" ".join(mia_rankings)))
failed_pop = scores[scores.status != "ok"]
point_masses = [plots.label(m) for m in pops.identical_runs(pop_scenario)]
glue("h2h_pop_not_scored", Markdown(" ".join(
    [f"{plots.label(m)} was not scored: {r.status}." for m, r in failed_pop.iterrows()]
    + ([f"The {k} runs of {', '.join(point_masses)} gave identical outputs (nothing in the method is random), so "
        "every example is a point mass against the retrained models' spread; the competition's rule gives such an example "
        "the cap, ε = 50, whatever the point's position, and U-LiRA's Gaussian degenerates likewise: for "
        f"{'this method' if len(point_masses) == 1 else 'these methods'} the two scores say that the runs do not vary, "
        "not where the outputs lie."] if point_masses else []))))

# %% [markdown]
# {glue:md}`h2h_pop_rank` {glue:md}`h2h_pop_null_verdict` {glue:md}`h2h_pop_lira_rank`
# {glue:md}`h2h_pop_vs_mia` {glue:md}`h2h_pop_not_scored`
#
# The two per-example tests answer a sharper question than the gap {eq}`h2h-gap`: not "is the
# model close to *a* retrained model on average" but "could an attacker who knows how retrained
# models behave on *this* example tell that it was once trained on". At this page's $K$ each
# $\varepsilon$ rests on {glue:text}`h2h_pop_k` models per side, so the bins are coarse and the
# utility factor can move a method by more than its forgetting; the full profile runs more models.

# %% [markdown]
# ## Points to check against the papers' readings
#
# These set this page's numbers beside what the papers' code does; at this page's scale none of
# them confirms or refutes a paper's claim.
#
# - **Bad teaching, random subsets.** Both attackers against the retrained model:
#   {glue:md}`h2h_random_bt_attackers`
# - **ZRF as a target.** The bad-teaching code scores forgetting by ZRF; the retrained model's
#   value is the target, not the largest value: {glue:md}`h2h_class_zrf_verdict`
# - **UNSIR's noise.** The paper's form (every noise image labelled with its class) against the
#   authors' code: {glue:md}`h2h_class_unsir_verdict` The UNSIR chapter's ablation separates
#   the noise's share of the forgetting from the impair step's.
#
# Failed runs on this page: {glue:text}`h2h_failed` (each would appear as a row with its error
# in the tables above). Methods this profile does not run: {glue:md}`h2h_not_run`
#
# ## Exercises
#
# ```{exercise} Your own method
# :label: ex-h2h-own
# Write `reset_head(model, *, forget, retain, config=None)`, an unlearning method with the book's
# signature: re-initialise the model's last linear layer and fine-tune only that layer on `retain`
# for one epoch (Adam, learning rate 1e-3, batch 64), on a copy of the model. Return a
# `datarights.unlearning.UnlearningResult`. Then measure it on the prepared request below with
# `head_to_head.measure(model, setup)` and compute its gap with `head_to_head.gap_to(row, gold)`.
# ```

# %%
from datarights import experiments, unlearning

own_setup = experiments.prepare(profile if not P.requires_gpu else "quick", seeds[0], forget_classes=(study.classes[0],),
                                 device=device, data_dir=data_dir)
gold_row = head_to_head.measure(own_setup.retrained, own_setup)

# %% [markdown]
# ```{solution-start} ex-h2h-own
# :class: dropdown
# ```

# %% tags=["solution"]
import copy
import time

import torch


def reset_head(model, *, forget, retain, config=None):
    ### BEGIN SOLUTION
    start = time.perf_counter()
    new = copy.deepcopy(model)
    head = [m for m in new.modules() if isinstance(m, torch.nn.Linear)][-1]
    head.reset_parameters()
    for p in new.parameters():
        p.requires_grad_(False)
    for p in head.parameters():
        p.requires_grad_(True)
    optimizer = torch.optim.Adam(head.parameters(), lr=1e-3)
    new.eval()  # keep BatchNorm statistics: only the head learns
    for xb, yb in retain.batches(64, shuffle=True, generator=torch.Generator().manual_seed(0)):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(new(xb), yb).backward()
        optimizer.step()
    for p in new.parameters():
        p.requires_grad_(True)
    return unlearning.UnlearningResult("reset_head", new, time.perf_counter() - start)
    ### END SOLUTION


# %% [markdown]
# ```{solution-end}
# ```

# %% tags=["check"]
own = reset_head(own_setup.original, forget=own_setup.splits.forget_train, retain=own_setup.splits.retain_train)
own_row = head_to_head.measure(own.model, own_setup)
print(f"reset_head: forget {own_row['forget']:.1%}, retain {own_row['retain_test']:.1%}, "
      f"gap to retrained {head_to_head.gap_to(own_row, gold_row):.3f} in {own.seconds:.2f} s")
assert isinstance(own, unlearning.UnlearningResult)
before = experiments.prepare(profile if not P.requires_gpu else "quick", seeds[0], forget_classes=(study.classes[0],),
                             device=device, data_dir=data_dir).original
assert all(torch.equal(a, b) for a, b in zip(before.state_dict().values(), own_setup.original.state_dict().values())), \
    "the model passed in must not change"
assert 0.0 <= head_to_head.gap_to(own_row, gold_row) <= 1.0
print("own method check passed")

# %% [markdown]
# ```{exercise} Weigh what matters to you
# :label: ex-h2h-weights
# The gap {eq}`h2h-gap` weighs every metric equally. A regulator may care only about membership
# inference, a product team only about retain accuracy. From the table `tables["class"]`, compute
# for every method except `retrain` the mean over requests and seeds of
# `0.5 * |mia_logistic − gold| + 0.5 * |retain_test − gold|` (gold: the retrained model's value on
# the same request and seed) as a pandas Series `weighted` indexed by method. Does the best method
# change?
# ```

# %% [markdown]
# ```{solution-start} ex-h2h-weights
# :class: dropdown
# ```

# %% tags=["solution"]
### BEGIN SOLUTION
class_ok = tables["class"][tables["class"].status == "ok"]
gold = class_ok[class_ok.method == "retrain"].set_index(["request", "seed"])
others = class_ok[class_ok.method != "retrain"]
keys = list(zip(others.request, others.seed))
weighted = (0.5 * np.abs(others.mia_logistic.to_numpy() - gold.loc[keys, "mia_logistic"].to_numpy())
            + 0.5 * np.abs(others.retain_test.to_numpy() - gold.loc[keys, "retain_test"].to_numpy()))
weighted = pd.Series(weighted, index=others.method.to_numpy()).groupby(level=0).mean()
### END SOLUTION
print(weighted.sort_values().round(3))

# %% [markdown]
# ```{solution-end}
# ```

# %% tags=["check"]
assert "retrain" not in weighted.index and (weighted >= 0).all()
assert set(weighted.index) == set(tables["class"][tables["class"].status == "ok"].method) - {"retrain"}
print("weighted gap check passed")

# %% [markdown]
# ## References
#
# The full bibliography is on the [references page](../references.md).
