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
# # EcoVal: efficient data valuation, with the Shapley family side by side
#
# What is one training point worth to a model? Shapley-based answers are principled and
# expensive: they retrain the model thousands of times. {cite:t}`tarun2024ecoval` propose
# **EcoVal**, which values *clusters* of similar points instead of single points, treats model
# performance as an economic *production function* of those clusters, and hands each cluster's
# value down to its members as an *intrinsic* plus an *extrinsic* part; new points are valued
# without retraining. The paper's text beyond its abstract could not be obtained, so this
# chapter builds a **reconstruction** that is consistent with everything the paper is known to
# state, says which parts are the paper's and which are ours, and labels every result
# "EcoVal (reconstruction)". It then sets the reconstruction beside leave-one-out, Data Shapley,
# Distributional Shapley, Beta Shapley, Data Banzhaf, KNN-Shapley and Data-OOB on tables bundled
# with scikit-learn: removal and addition curves, noisy-label detection with an ablation of the
# reconstruction's two parts, cost, out-of-sample valuation, sensitivity, and quality against the
# number of model fits with every method at equal fits.

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
profile = "quick"  # smoke | quick | full (see datarights.settings.ecoval.STUDIES)
seed = 0
device = "auto"  # unused: everything here runs on CPU
data_dir = None  # unused: every table ships with scikit-learn

# %% tags=["hide-input"]
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression

from datarights import plots, scope, verdicts
from datarights.experiments import ecoval as experiment
from datarights.notebook import glue, show_markdown
from datarights.tables import mean_std
from datarights.settings.ecoval import NOISE_METHODS as NOISE_ORDER
from datarights.settings.ecoval import settings
from datarights.valuation import EcoValConfig, ecoval, flip_labels
from datarights.valuation.protocols import two_means_split

warnings.filterwarnings("ignore")
plots.use_book_style()
P = settings(profile)
result = experiment.run(profile, seed)
LABELS = experiment.LABELS
show_markdown(result.describe(chapter="08"))
show_markdown(scope.banner(profile, paper="ecoval", facts=scope.study_facts(P), seeds=result.meta["seeds"]))

# %% [markdown]
# ## What data valuation is for
#
# Training data has owners, costs and defects. A *data value* $v_i$ for each training point
# $z_i = (x_i, y_i)$ serves three purposes. **Paying providers**: a data marketplace or a
# federation of hospitals splits a model's benefit among contributors in proportion to what their
# data did for it. **Cleaning**: points with the lowest value are often mislabelled or
# out-of-distribution, so an analyst inspects them first. **Regulation**: the GDPR's data
# minimisation and the EU AI Act's data-governance duties ask which data a model needs at all;
# valuation gives a ranking to act on. All of this needs a definition of *worth*, and that
# definition is where methods differ.
#
# ## Shapley values and why they cost so much
#
# Fix a learner $\mathcal A$ and a validation set $V$. The *utility* of a training subset
# $S \subseteq D$ is the validation accuracy of the model trained on it, $U(S)$. The Data Shapley
# value {cite:p}`ghorbani2019datashapley` of point $i$ averages its marginal contribution over all
# orders in which the data could arrive:
#
# $$
# \phi_i = \frac{1}{n}\sum_{S \subseteq D\setminus\{i\}} \binom{n-1}{|S|}^{-1}\big[U(S\cup\{i\}) - U(S)\big].
# $$ (shapley)
#
# It is the only value that is efficient ($\sum_i \phi_i = U(D) - U(\emptyset)$), symmetric, null for
# useless points and additive over utilities. Each term costs one training run and there are
# $2^{n-1}$ of them. TMC-Shapley samples random permutations, trains on every prefix and stops a
# permutation early once the prefix scores close to $U(D)$; even so one pass costs up to $n$
# fits and hundreds of passes are needed. Semivalues relax the weights: Beta Shapley
# {cite:p}`kwon2022beta` puts more weight on small subsets, Data Banzhaf {cite:p}`wang2023banzhaf`
# weights all subsets equally and reuses every sample for every point (the MSR estimator).
# KNN-Shapley {cite:p}`jia2019knn` is exact and cheap but only for a $k$-nearest-neighbour
# utility. Data-OOB {cite:p}`kwon2023dataoob` scores a point by how well the bagged models that
# did *not* see it predict its label: one ensemble, no subsets. Distributional Shapley
# {cite:p}`ghorbani2020distributional` values a point with respect to the *distribution* the data
# came from, $\nu(z) = \mathbb E_{k\sim \mathcal U\{1..m\}}\,\mathbb E_{S\sim\mathcal D^{k-1}}[U(S\cup\{z\}) - U(S)]$,
# which lets it value new points, but each value is still a Monte-Carlo average of retrainings.
# Every baseline here comes from pyDVL {cite:p}`pydvl` except Distributional Shapley, which
# exists in no maintained library and is implemented in `datarights.valuation` (about 40 lines).
#
# ## The production-function idea
#
# Economists describe how inputs become output with a production function. The Cobb-Douglas form
# $Y = A\,L^{\alpha}K^{\beta}$ turns labour $L$ and capital $K$ into output $Y$; the exponents are
# *output elasticities*: a 1 % increase of $L$ raises $Y$ by $\alpha$ %. EcoVal's idea is to see
# model performance the same way, with groups of training data as the inputs. With $p$ clusters
# $C_1, \dots, C_p$ and $q_j \in (0, 1]$ the share of cluster $j$ in the training set,
#
# $$
# U(q_1, \dots, q_p) = A \prod_{j=1}^{p} q_j^{\alpha_j}, \qquad \log U = \log A + \sum_{j} \alpha_j \log q_j .
# $$ (cobb-douglas)
#
# The function is homogeneous of degree $r = \sum_j \alpha_j$, and **Euler's theorem** for
# homogeneous functions gives
#
# $$
# \sum_{j=1}^{p} q_j \frac{\partial U}{\partial q_j} = r\,U .
# $$ (euler)
#
# With constant returns to scale ($r = 1$), paying each input its marginal product exhausts the
# output exactly: at $q = 1$ the cluster values $T_j = \partial U / \partial q_j = \alpha_j U(D)$
# add up to $U(D)$, the same efficiency property that makes Shapley values attractive. The marginal
# product of *one point* of cluster $j$ is $\partial U/\partial |C_j| = \alpha_j U(D) / |C_j|$.
#
# ## The reconstruction, step by step
#
# What is published: clusters of similar points are valued instead of points; clusters are valued
# by leaving them out and retraining; performance is modelled as a production function; a point's
# value has an intrinsic and an extrinsic part; out-of-sample points are valued cheaply; the number
# of trainings falls to $O(p^2)$ with $p$ "a much smaller curated subset"; evaluation by accuracy
# when points are added or dropped in value order, against Data Shapley and Distributional Data
# Shapley. Everything else below is **our design choice**, made to be consistent with those
# statements, and every one is a named field of `EcoValConfig`:
#
# | step | published | our choice (default) |
# |---|---|---|
# | 1. clustering | clusters of similar points | k-means on standardised features, within each class (`per_class=True`), `n_clusters` in all; clusters under `min_cluster_size=5` merged |
# | 2. cluster utilities | leave-cluster-out retraining | $U(D)$, $U(D\setminus C_j)$ for each $j$, plus `n_subsets` $=2p$ runs keeping a uniform 30–100 % of every cluster |
# | 3. production function | "production function" | Cobb-Douglas {eq}`cobb-douglas` on Laplace-smoothed shares $q_j = (\text{kept}_j+1)/(\lvert C_j\rvert+1)$, least squares with a small ridge; `form="linear"` as an alternative |
# | 4. propagation | intrinsic + extrinsic value | extrinsic: marginal product $\alpha_j U(D)/\lvert C_j\rvert$; intrinsic: $\gamma\,\tfrac{U(D)}{n}(s_i - \bar s)$ with $s_i$ the share of its 10 nearest training points that carry its label |
# | 5. out of sample | cheap, no retraining | nearest centroid of its class gives the extrinsic part, its own $s$ the intrinsic part |
#
# The number of fits is $1 + p + n_\text{subsets} = 1 + 3p$ whatever $n$ is. In the library:

# %%
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler

x, y = load_breast_cancer(return_X_y=True)
x = StandardScaler().fit_transform(x)
order = np.random.default_rng(seed).permutation(len(y))
train_idx, valid_idx = order[: P.n_train], order[P.n_train : P.n_train + P.n_valid]
y_noisy, flipped = flip_labels(y[train_idx], 0.2, seed=seed)  # 20 % of the training labels flipped

valuation = ecoval((x[train_idx], y_noisy), (x[valid_idx], y[valid_idx]),
                   learner=LogisticRegression(max_iter=500), config=EcoValConfig(n_clusters=P.n_clusters, seed=seed))
valuation.summary()

# %% [markdown]
# `valuation.values` holds one value per training point, `valuation.clusters` its cluster,
# `valuation.cluster_values` the $T_j$, and `valuation.value_of(x_new, y_new)` values new points;
# `valuation.to_pydvl()` returns a pyDVL `ValuationResult`, so the values sit next to pyDVL's
# without glue. On {glue:text}`demo_n` breast-cancer points with a fifth of the labels flipped, the
# reconstruction made {glue:text}`demo_fits` model fits in {glue:text}`demo_seconds:.2f` s; the
# production function explains {glue:text}`demo_r2:.0%` of the variance of the log-utilities. The
# flipped points have mean value {glue:text}`demo_flipped:.4f` against {glue:text}`demo_clean:.4f`
# for the others. {glue:md}`demo_returns` Of the clusters made mostly of flipped labels,
# {glue:md}`demo_flipped_clusters`. So the cluster values $T_j$ add up to $r\,U(D)$, which is
# $U(D)$ only under constant returns (Euler's theorem {eq}`euler`; exercise 2 checks it). The figure shows the points in the plane of their first two
# principal components.

# %% tags=["hide-input"]
xy = PCA(n_components=2, random_state=0).fit_transform(x[train_idx])
is_flipped = np.zeros(len(train_idx), bool)
is_flipped[flipped] = True
fig, axes = plots.figure(2, height=4, sharex=True, sharey=True)
sc = axes[0].scatter(xy[:, 0], xy[:, 1], c=valuation.clusters, cmap="tab20", s=18)
axes[0].set_title("clusters (k-means within each class)")
lim = np.abs(valuation.values).max()
sc = axes[1].scatter(xy[~is_flipped, 0], xy[~is_flipped, 1], c=valuation.values[~is_flipped], cmap="RdBu", vmin=-lim, vmax=lim, s=18, label="clean label")
axes[1].scatter(xy[is_flipped, 0], xy[is_flipped, 1], c=valuation.values[is_flipped], cmap="RdBu", vmin=-lim, vmax=lim, s=40, marker="X",
                edgecolors="black", linewidths=0.4, label="flipped label")
axes[1].set_title("EcoVal (reconstruction) value per point")
axes[1].legend(fontsize=8, loc="lower right")
fig.colorbar(sc, ax=axes[1], label="value")
for ax in axes:
    ax.set_xlabel("principal component 1")
axes[0].set_ylabel("principal component 2")
fig.tight_layout()
plt.show()

# %% tags=["remove-cell"]
glue("demo_n", len(train_idx))
glue("demo_fits", valuation.n_fits)
glue("demo_seconds", valuation.seconds)
glue("demo_r2", max(valuation.fit_r2, 0.0))
glue("demo_returns", verdicts.returns_to_scale(float(valuation.elasticities.sum())))
sizes = np.bincount(valuation.clusters, minlength=len(valuation.elasticities))
mostly_flipped = np.bincount(valuation.clusters, weights=is_flipped, minlength=len(sizes)) > sizes / 2
negative = valuation.elasticities < 0
glue("demo_flipped_clusters", Markdown(
    "none exist here" if not mostly_flipped.any() else
    f"{int(negative[mostly_flipped].sum())} of {int(mostly_flipped.sum())} get a negative elasticity, against "
    f"{int(negative[~mostly_flipped].sum())} of the other {int((~mostly_flipped).sum())} clusters"))
glue("demo_flipped", float(valuation.values[is_flipped].mean()))
glue("demo_clean", float(valuation.values[~is_flipped].mean()))

# %% [markdown]
# ## Experiment 1: removing and adding points in value order
#
# The paper's own figure plots accuracy as points are dropped or added in value order. We follow
# the standard protocol {cite:p}`ghorbani2019datashapley`: sort the training points by value,
# remove the highest-valued (or lowest-valued) 5 %, 10 %, … 50 %, retrain from scratch, and
# measure accuracy on a *test* set that no valuation has seen; and train on only the top-valued
# 5 %, … 100 %. A good valuation makes accuracy fall fast when the most valuable points go, stay
# up (or rise) when the least valuable go, and rise fast when the best points are added first.
# Curves are means over the seeds, the band one standard deviation.

# %% tags=["hide-input"]
curves = result.curves
METHODS = [m for m in experiment.ALL_METHODS if m in set(curves.method)]
TABLES = list(dict.fromkeys(curves.table))
remove_x = np.array(result.raw["curves"]["remove"]) * 100
add_x = np.array(result.raw["curves"]["add"]) * 100
fig, axes = plots.figure(3, len(TABLES), height=3.3, squeeze=False)
for row, table in enumerate(TABLES):
    for col, (key, xs, what) in enumerate((("remove_high", remove_x, "highest value removed first"),
                                            ("remove_low", remove_x, "lowest value removed first"),
                                            ("add_high", add_x, "highest value added first"))):
        ax = axes[row, col]
        for method in METHODS:
            runs = np.array(curves[(curves.table == table) & (curves.method == method)][key].tolist())
            mean, std = runs.mean(0), runs.std(0)
            style = {"lw": 2.4, "color": "black"} if method == "ecoval" else {"lw": 1.2}
            if method == "random":
                style = {"lw": 1.2, "color": "#999999", "ls": "--"}
            (line,) = ax.plot(xs, mean, label=LABELS[method], **style)
            ax.fill_between(xs, mean - std, mean + std, alpha=0.12, color=line.get_color())
        ax.set_title(f"{table}:\n{what}", fontsize=9)
        ax.set_xlabel("% of training data " + ("added" if key == "add_high" else "dropped"))
        ax.set_ylabel("test accuracy")
handles, labels = axes[0, 0].get_legend_handles_labels()
fig.tight_layout()
fig.legend(handles, labels, loc="upper center", ncol=3, fontsize=plots.MIN_FONT, bbox_to_anchor=(0.5, 0.0), frameon=False)
plt.show()

# %% [markdown]
# The areas under the curves condense each panel into one number: the mean test accuracy along
# the curve. For "highest removed first" lower is better, for the other two higher is better.
# Each entry is the mean ± the standard deviation over seeds; fits and seconds are per valuation
# run (budget-stopped methods marked with a star).

# %% tags=["hide-input"]
def mean_pm_std(frame: pd.DataFrame, keys: list[str], columns: list[str], digits: int = 3) -> pd.DataFrame:
    """Mean ± standard deviation over seeds of ``columns``, grouped by ``keys``, as text."""
    grouped = frame.groupby(keys)[columns]
    mean, std, count = grouped.mean(), grouped.std(), grouped.count()
    return pd.DataFrame({c: [mean_std(m, sd, digits=digits, count=n) for m, sd, n in zip(mean[c], std[c], count[c])]
                         for c in columns}, index=mean.index)


auc_cols = ["auc_remove_high", "auc_remove_low", "auc_add_high"]
auc_table = mean_pm_std(curves, ["table", "method"], auc_cols).join(
    curves.groupby(["table", "method"])[["n_fits", "seconds"]].mean().round({"n_fits": 0, "seconds": 2})).join(
    curves.groupby(["table", "method"]).stopped.any()).reset_index()
auc_table["method"] = auc_table.method.map(LABELS) + np.where(auc_table.stopped, " *", "")
auc_table.drop(columns="stopped").rename(columns={
    "auc_remove_high": "AUC remove high (↓)", "auc_remove_low": "AUC remove low (↑)", "auc_add_high": "AUC add high (↑)",
    "n_fits": "fits", "seconds": "seconds"}).set_index(["table", "method"])

# %% tags=["remove-cell"]
overall = curves.groupby("method")[["auc_remove_high", "auc_remove_low", "auc_add_high", "n_fits", "seconds"]].mean()
rank_high = overall.auc_remove_high.rank()
glue("eco_auc_high", float(overall.loc["ecoval", "auc_remove_high"]))
glue("eco_rank_high", Markdown(f"{int(rank_high['ecoval'])} of {len(rank_high)}"))
glue("best_auc_high", verdicts.rank({LABELS[m]: g.auc_remove_high.to_numpy(float) for m, g in curves.groupby("method", sort=False)},
                                    quantity="AUC, highest removed first, over tables and seeds", tolerance=0.005, digits=3))
glue("rand_auc_high", float(overall.loc["random", "auc_remove_high"]) if "random" in overall.index else float("nan"))
glue("eco_auc_low", float(overall.loc["ecoval", "auc_remove_low"]))
glue("rand_auc_low", float(overall.loc["random", "auc_remove_low"]) if "random" in overall.index else float("nan"))
for key, column in (("eco_low_verdict", "auc_remove_low"), ("eco_add_verdict", "auc_add_high")):
    glue(key, verdicts.compare("EcoVal", curves.loc[curves.method == "ecoval", column].to_numpy(float), "a random order",
                               curves.loc[curves.method == "random", column].to_numpy(float), quantity="area under the curve",
                               tolerance=0.005, digits=3) if "random" in set(curves.method) else
         verdicts.Verdict("(no random order ran on this profile)", "unresolved"))
glue("tmc_auc_high", float(overall.loc["tmc_shapley", "auc_remove_high"]) if "tmc_shapley" in overall.index else float("nan"))
glue("dist_auc_high", float(overall.loc["dist_shapley", "auc_remove_high"]) if "dist_shapley" in overall.index else float("nan"))
glue("eco_fits", float(overall.loc["ecoval", "n_fits"]))
glue("tmc_fits", float(overall.loc["tmc_shapley", "n_fits"]) if "tmc_shapley" in overall.index else float("nan"))
glue("tmc_budget", P.tmc_seconds)

# %% [markdown]
# Averaged over tables and seeds, removing EcoVal's highest-valued points first gives an area of
# {glue:text}`eco_auc_high:.3f` (rank of the mean {glue:md}`eco_rank_high`, lower is better), against {glue:text}`tmc_auc_high:.3f` for Data Shapley,
# {glue:text}`dist_auc_high:.3f` for Distributional Shapley and {glue:text}`rand_auc_high:.3f` for
# a random order. EcoVal used {glue:text}`eco_fits:.0f` fits per run, Data Shapley
# {glue:text}`tmc_fits:.0f` before its {glue:text}`tmc_budget:.0f`-second budget stopped it: its
# values here are *not converged*, which is the situation a practitioner with a budget is in, and
# the reason its curves can sit close to random. Removing the lowest-valued points first (higher
# is better): {glue:md}`eco_low_verdict` Adding the top-valued points first (higher is better):
# {glue:md}`eco_add_verdict` Where EcoVal falls behind a random order, one mechanism is built
# into the method: values shared by a whole cluster rank entire clusters, often of one class,
# ahead of the rest, so value order becomes cluster order. Small tables make every curve noisy: one test
# point of the smallest table is worth more than a percentage point of accuracy.
#
# ## Experiment 2: finding flipped labels
#
# Flip 10 % or 20 % of the training labels of the breast-cancer table to another class, value the
# points, split the values into a low and a high group with exact one-dimensional 2-means, and
# call the low group "noisy" (the protocol of OpenDataVal). The F1 of that guess against the truly
# flipped points is on the left (random guessing scores the noise rate); the discovery curve on the
# right is the share of flipped points found when inspecting the lowest-valued points first.
#
# Beside the baselines, the experiment takes the reconstruction apart: **EcoVal: intrinsic part
# alone** is the neighbourhood label-agreement term of step 4 (no production function),
# **EcoVal: production-function part alone** the marginal products $\alpha_j U(D)/|C_j|$ of the
# fitted Cobb-Douglas function; and **kNN label agreement** is the same neighbourhood score used as
# a valuation on its own, with no model fit at all.

# %% tags=["hide-input"]
noise = result.noise
NOISE_METHODS = [m for m in NOISE_ORDER if m in set(noise.method)]
fig, axes = plots.figure(2, height=4.2)
f1 = noise.groupby(["method", "rate"]).f1.agg(["mean", "std"]).reset_index()
rates = sorted(noise.rate.unique())
width = 0.8 / len(rates)
for k, rate in enumerate(rates):
    part = f1[f1.rate == rate].set_index("method").reindex(NOISE_METHODS)
    axes[0].bar(np.arange(len(NOISE_METHODS)) + k * width, part["mean"], width, yerr=part["std"].fillna(0), label=f"{rate:.0%} flipped")
    axes[0].axhline(rate, color=f"C{k}", ls=":", lw=1)
axes[0].set_xticks(np.arange(len(NOISE_METHODS)) + width * (len(rates) - 1) / 2, [LABELS[m] for m in NOISE_METHODS], rotation=30, ha="right", fontsize=8)
axes[0].set_ylabel("detection F1 (dotted: random)")
axes[0].legend(fontsize=8, loc="lower left", bbox_to_anchor=(0.0, 1.02), ncol=2, frameon=False)
fractions = np.array(result.raw["noise"]["fractions"]) * 100
top_rate = max(rates)
for method in NOISE_METHODS:
    runs = np.array(noise[(noise.method == method) & (noise.rate == top_rate)].discovery.tolist())
    if method == "random":
        continue  # the dashed diagonal below is the expected random curve
    style = {"lw": 2.4, "color": "black"} if method == "ecoval" else {"lw": 1.2, "color": plt.cm.tab20(NOISE_METHODS.index(method) % 20)}
    axes[1].plot(fractions, runs.mean(0), label=LABELS[method], **style)
axes[1].plot(fractions, np.minimum(fractions / (100 * top_rate), 1), color="#999999", ls="-.", lw=1, label="optimal")
axes[1].plot(fractions, fractions / 100, color="#999999", ls="--", lw=1, label="random")
axes[1].set_xlabel("% of training points inspected (lowest value first)")
axes[1].set_ylabel("share of flipped points found")
axes[1].set_title(f"discovery curve, {top_rate:.0%} flipped", fontsize=10)
axes[1].legend(fontsize=plots.MIN_FONT, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
fig.tight_layout()
plt.show()

# %% tags=["remove-cell"]
f1_mean = noise.groupby(["method", "rate"]).f1.mean().unstack()
glue("eco_f1_20", float(f1_mean.loc["ecoval", top_rate]))
top_noise = noise[np.isclose(noise.rate, top_rate)]
glue("best_f1", verdicts.rank({LABELS[m]: g.f1.to_numpy(float) for m, g in top_noise.groupby("method", sort=False)},
                              quantity="Detection F1", lower_is_better=False, tolerance=0.01))
glue("top_rate", Markdown(f"{top_rate:.0%}"))

# %% [markdown]
# At {glue:md}`top_rate` flipped labels EcoVal (reconstruction) reaches an F1 of
# {glue:text}`eco_f1_20:.2f`. {glue:md}`best_f1` The ablation, mean ± standard
# deviation over seeds:

# %% tags=["hide-input"]
ablation_methods = [m for m in ("ecoval", "ecoval_intrinsic", "ecoval_extrinsic", "knn_agreement", "knn_shapley", "tmc_shapley",
                                "beta_shapley", "banzhaf", "random") if m in set(noise.method)]
top = noise[noise.rate == top_rate]
ablation = mean_pm_std(top[top.method.isin(ablation_methods)], ["method"], ["f1", "auc_remove_low", "auc_add_high"]).join(
    top.groupby("method")[["n_fits"]].mean().round(0)).reindex(ablation_methods)
ablation.index = ablation.index.map(LABELS)
ablation.rename(columns={"f1": "detection F1", "auc_remove_low": "AUC, lowest removed first (↑)",
                         "auc_add_high": "AUC, highest added first (↑)", "n_fits": "fits"})

# %% tags=["remove-cell"]
f1_by = top.groupby(["method", "seed"]).f1.mean().unstack()


def compare_f1(a: str, b: str) -> str:
    """'higher', 'lower' or 'indistinguishable': mean F1 of a against b over seeds, apart by more than the larger std."""
    if a not in f1_by.index or b not in f1_by.index:
        return "not run"
    gap = f1_by.loc[a].mean() - f1_by.loc[b].mean()
    spread = max(f1_by.loc[a].std(ddof=1), f1_by.loc[b].std(ddof=1)) if f1_by.shape[1] > 1 else 0.0
    return "indistinguishable" if abs(gap) <= spread else ("higher" if gap > 0 else "lower")


eco_rts = top[top.method == "ecoval"].returns_to_scale.astype(float)
f1_mean_top = top.groupby("method").f1.mean()
verdict_intrinsic = compare_f1("ecoval_intrinsic", "ecoval")
verdict_extrinsic = compare_f1("ecoval_extrinsic", "ecoval")
verdict_knn = compare_f1("knn_agreement", "ecoval")
if verdict_intrinsic in ("indistinguishable", "higher") and verdict_extrinsic == "lower":
    does_work = ("**the intrinsic neighbourhood term does the work**: alone it detects flipped labels "
                 + ("as well as" if verdict_intrinsic == "indistinguishable" else "better than")
                 + " the whole reconstruction, while the production-function term alone detects them worse")
elif verdict_extrinsic in ("indistinguishable", "higher") and verdict_intrinsic == "lower":
    does_work = "**the production-function term does the work**: alone it matches or beats the whole reconstruction"
else:
    does_work = (f"the two parts share the work (intrinsic alone: {verdict_intrinsic}, production-function term alone: "
                 f"{verdict_extrinsic} F1 than the whole)")
glue("ablation_verdict", Markdown(
    f"By the rule 'higher or lower when the means over seeds differ by more than the larger standard deviation, else "
    f"indistinguishable', {does_work}. The training-free kNN label agreement scores "
    + {"higher": "a higher F1 than", "lower": "a lower F1 than", "indistinguishable": "an F1 indistinguishable from",
       "not run": "(not run) against"}[verdict_knn]
    + f" the full reconstruction ({f1_mean_top.get('knn_agreement', np.nan):.2f} against "
    f"{f1_mean_top.get('ecoval', np.nan):.2f}), with no model fit."))
glue("eco_rts", float(eco_rts.mean()) if len(eco_rts) else float("nan"))
glue("rts_note", Markdown(
    "accuracy barely responds to the share of each cluster kept (rule: |r| < 0.2), so the elasticities carry little signal."
    if len(eco_rts) and abs(eco_rts.mean()) < 0.2 else
    "accuracy responds to the shares of the clusters kept (rule: |r| ≥ 0.2 counts as a response)."))
glue("f1_intrinsic", float(f1_mean_top.get("ecoval_intrinsic", np.nan)))
glue("f1_extrinsic", float(f1_mean_top.get("ecoval_extrinsic", np.nan)))

# %% [markdown]
# {glue:md}`ablation_verdict` The production-function term alone reaches an F1 of
# {glue:text}`f1_extrinsic:.2f` (the intrinsic term alone {glue:text}`f1_intrinsic:.2f`), and the
# fitted returns to scale $r = \sum_j \alpha_j$ are {glue:text}`eco_rts:.2f` on average:
# {glue:md}`rts_note` The intrinsic term is our design choice, not the paper's.
#
# Flipped labels should also show in the curves: removing the lowest-valued points first should
# *raise* test accuracy (they are the mislabelled ones), and adding the highest-valued first should
# reach good accuracy early.

# %% tags=["hide-input"]
fig, axes = plots.figure(2, height=3.6)
remove_noisy = np.array(result.raw["noise"]["remove"]) * 100
add_noisy = np.array(result.raw["noise"]["add"]) * 100
curve_methods = [m for m in ("ecoval", "ecoval_intrinsic", "ecoval_extrinsic", "knn_agreement", "tmc_shapley", "banzhaf", "random")
                 if m in set(top.method)]
for ax, key, xs, what in ((axes[0], "remove_low", remove_noisy, "lowest value removed first"),
                          (axes[1], "add_high", add_noisy, "highest value added first")):
    for method in curve_methods:
        runs = np.array(top[top.method == method][key].tolist())
        style = {"lw": 2.4, "color": "black"} if method == "ecoval" else {"lw": 1.2}
        if method == "random":
            style = {"lw": 1.2, "color": "#999999", "ls": "--"}
        ax.plot(xs, runs.mean(0), label=LABELS[method], **style)
    ax.set_title(f"{P.noise_table}, {top_rate:.0%} flipped:\n{what}", fontsize=9)
    ax.set_xlabel("% of training data " + ("added" if key == "add_high" else "dropped"))
    ax.set_ylabel("test accuracy")
fig.tight_layout()
plots.legend_below(fig, ncol=4)
plt.show()

# %% [markdown]
# ## Experiment 3: cost
#
# The cost of a valuation is its number of model fits (hardware-independent) and its wall time.
# On `make_classification` tables of growing size, EcoVal's fits stay at $1 + 3p$ while Data
# Shapley's grow with $n$ per permutation. Data Shapley was stopped at a budget of
# {glue:text}`cost_budget:.0f` s at every size (its fits are what it managed in that time, not
# what convergence needs: a single TMC permutation alone can cost up to $n$ fits).

# %% tags=["hide-input"]
cost = result.cost
fig, axes = plots.figure(2, height=3.6)
for method, marker in (("ecoval", "o"), ("tmc_shapley", "s")):
    part = cost[cost.method == method].sort_values("n")
    axes[0].plot(part.n, part.n_fits, marker=marker, label=LABELS[method])
    axes[1].plot(part.n, part.seconds, marker=marker, label=LABELS[method] + (" (stopped at budget)" if method == "tmc_shapley" else ""))
part = cost[cost.method == "tmc_shapley"].sort_values("n")
axes[0].plot(part.n, part.n * 100, color="#999999", ls="--", label="100 full TMC permutations (n × 100)")
for ax, what in zip(axes, ("model fits", "seconds")):
    plots.log_axis(ax, "x")
    plots.log_axis(ax, "y")
    ax.set_xticks(sorted(cost.n.unique()), [str(n) for n in sorted(cost.n.unique())])
    ax.minorticks_off()
    ax.set_xlabel("training points n")
    ax.set_ylabel(what)
axes[1].legend(fontsize=plots.MIN_FONT, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
fig.tight_layout()
plt.show()

# %% tags=["remove-cell"]
glue("cost_budget", P.cost_tmc_seconds)
eco_cost = cost[cost.method == "ecoval"].set_index("n")
glue("cost_nmax", int(eco_cost.index.max()))
glue("cost_eco_fits", int(eco_cost.n_fits.max()))
glue("cost_eco_seconds", float(eco_cost.loc[eco_cost.index.max(), "seconds"]))
fit_ratio = overall.loc["ecoval", "n_fits"] / overall.loc["tmc_shapley", "n_fits"] if "tmc_shapley" in overall.index else float("nan")
glue("fit_ratio", float(fit_ratio))

# %% [markdown]
# At {glue:text}`cost_nmax` points EcoVal needs {glue:text}`cost_eco_fits` fits and
# {glue:text}`cost_eco_seconds:.1f` s. In experiment 1, where the removal curves of the two
# methods can be compared, EcoVal used {glue:text}`fit_ratio:.1%` of the fits that the
# budget-stopped Data Shapley made; a converged Data Shapley would need far more.
#
# ## Experiment 4: valuing new points
#
# A pool of new points, a fifth of them with flipped labels, is valued without retraining. The
# pool is its own part of the table: its rows are in none of the training, validation and test
# sets, so the test set that judges what adding them does has never been added to training.
# Valuation: EcoVal assigns each new point to its class's nearest centroid and
# scores its neighbourhood ({eq}`cobb-douglas` is not refitted); Distributional Shapley estimates
# each new point's expected marginal contribution to random subsets of the training data (this
# costs fits). We report detection F1 on the pool and test accuracy when the top-valued 25 %, 50 %,
# 75 %, 100 % of the pool are added to the training set.

# %% tags=["hide-input"]
oos = result.oos
fig, ax = plots.figure(height=3.6)
fractions_oos = np.array(oos.fractions.iloc[0]) * 100
for method in ("ecoval", "dist_shapley", "random"):
    runs = np.array(oos[oos.method == method].add_accuracy.tolist()) - oos[oos.method == method].base.to_numpy()[:, None]
    ax.plot(fractions_oos, runs.mean(0), marker="o", label=LABELS[method], **({"color": "black", "lw": 2.4} if method == "ecoval" else {}))
ax.axhline(0, color="#999999", lw=0.8)
ax.set_xlabel("% of the new pool added (highest value first)")
ax.set_ylabel("test accuracy change")
ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
fig.tight_layout()
plt.show()
oos_table = mean_pm_std(oos, ["method"], ["f1"]).join(oos.groupby("method")[["n_fits", "seconds"]].mean().round(3))
oos_table.rename(index=LABELS, columns={"f1": "detection F1 on the pool (mean ± std over tables and seeds)"})

# %% tags=["remove-cell"]
oos_mean = oos.groupby("method")[["f1", "n_fits", "seconds"]].mean()
glue("oos_eco_f1", float(oos_mean.loc["ecoval", "f1"]))
glue("oos_dist_f1", float(oos_mean.loc["dist_shapley", "f1"]))
glue("oos_dist_fits", float(oos_mean.loc["dist_shapley", "n_fits"]))
glue("oos_eco_seconds", float(oos_mean.loc["ecoval", "seconds"]))
gain = {m: float(np.mean([a[2] - b for a, b in zip(part.add_accuracy, part.base)])) for m, part in oos.groupby("method")}
glue("oos_eco_gain", gain["ecoval"])
glue("oos_dist_gain", gain["dist_shapley"])
glue("oos_rand_gain", gain["random"])
gains = {m: np.array([a[2] - b for a, b in zip(part.add_accuracy, part.base)]) for m, part in oos.groupby("method")}


def gain_verdict(a: str, b: str) -> str:
    """'above', 'below' or 'indistinguishable from': mean gain of a against b, apart by more than the larger std."""
    gap, spread = gains[a].mean() - gains[b].mean(), max(gains[a].std(ddof=1), gains[b].std(ddof=1)) if len(gains[a]) > 1 else 0.0
    return "indistinguishable from" if abs(gap) <= spread else ("above" if gap > 0 else "below")


glue("oos_gain_verdict", Markdown(
    f"Over tables and seeds (rule: apart by more than the larger standard deviation), EcoVal's gain is "
    f"{gain_verdict('ecoval', 'dist_shapley')} Distributional Shapley's and {gain_verdict('ecoval', 'random')} a random "
    f"order's; Distributional Shapley's is {gain_verdict('dist_shapley', 'random')} a random order's."))

# %% [markdown]
# EcoVal finds the corrupted new points with F1 {glue:text}`oos_eco_f1:.2f` in
# {glue:text}`oos_eco_seconds:.3f` s and no fit; Distributional Shapley reaches
# {glue:text}`oos_dist_f1:.2f` with {glue:text}`oos_dist_fits:.0f` fits. For *which new points to
# add*: adding the top-valued half of the pool changes test accuracy by
# {glue:text}`oos_eco_gain:+.3f` with EcoVal's order, {glue:text}`oos_dist_gain:+.3f` with
# Distributional Shapley's and {glue:text}`oos_rand_gain:+.3f` with a random order.
# {glue:md}`oos_gain_verdict`
#
# ## Experiment 5: sensitivity and agreement
#
# Which of our choices matter? On the breast-cancer table with 20 % flipped labels we vary the
# number of clusters, whether clustering is per class, and the production-function form, and
# record detection F1 and the area under the "highest removed first" curve.

# %% tags=["hide-input"]
sens = result.sensitivity
fig, axes = plots.figure(2, height=3.5)
for (per_class, form), part in sens.groupby(["per_class", "form"]):
    mean = part.groupby("n_clusters")[["f1", "auc_remove_high"]].mean()
    label = f"{'per class' if per_class else 'all points'}, {form.replace('_', '-')}"
    axes[0].plot(mean.index, mean.f1, marker="o", label=label)
    axes[1].plot(mean.index, mean.auc_remove_high, marker="o", label=label)
for ax, what in zip(axes, ("detection F1", "AUC, highest removed first (↓)")):
    ax.set_xscale("log", base=2)
    ax.set_xticks(sorted(sens.n_clusters.unique()), [str(k) for k in sorted(sens.n_clusters.unique())])
    ax.minorticks_off()
    ax.set_xlabel("clusters requested p")
    ax.set_ylabel(what)
axes[1].legend(fontsize=plots.MIN_FONT, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
fig.suptitle("EcoVal (reconstruction): sensitivity to its design choices", fontsize=10)
fig.tight_layout()
plt.show()

# %% tags=["remove-cell"]
sens_mean = sens.groupby(["n_clusters", "per_class", "form"])[["f1", "auc_remove_high"]].mean()
glue("sens_best", verdicts.rank(
    {f"{k} clusters, {'per-class' if pc else 'class-blind'}, {form.replace('_', '-')}": g.f1.to_numpy(float)
     for (k, pc, form), g in sens.groupby(["n_clusters", "per_class", "form"])},
    quantity="Detection F1 by setting", lower_is_better=False, tolerance=0.01))
glue("sens_form_verdict", verdicts.compare(
    "the Cobb-Douglas form", sens.loc[sens.form == "cobb_douglas", "f1"].to_numpy(float), "the linear form",
    sens.loc[sens.form == "linear", "f1"].to_numpy(float), quantity="Detection F1, over the other choices", tolerance=0.01))
glue("sens_class_verdict", verdicts.compare(
    "per-class clustering", sens.loc[sens.per_class.astype(bool), "auc_remove_high"].to_numpy(float), "clustering all points",
    sens.loc[~sens.per_class.astype(bool), "auc_remove_high"].to_numpy(float),
    quantity="AUC with the highest removed first (lower is steeper)", tolerance=0.005, digits=3))
by_form = sens.groupby("form").f1.mean()
glue("sens_cd_f1", float(by_form.get("cobb_douglas", np.nan)))
glue("sens_lin_f1", float(by_form.get("linear", np.nan)))
by_class = sens.groupby("per_class").auc_remove_high.mean()
glue("sens_pc_auc", float(by_class.get(True, np.nan)))
glue("sens_all_auc", float(by_class.get(False, np.nan)))

# %% [markdown]
# {glue:md}`sens_best` Averaged over the other choices: {glue:md}`sens_form_verdict`
# {glue:md}`sens_class_verdict`
#
# Finally, how close are the values to Shapley-type values? On a small training set we run Data
# Shapley for longer ({glue:text}`agree_budget:.0f` s) as the reference and report the Spearman
# rank correlation of every other method with it (experiment 6 repeats this at equal numbers of fits
# against a better reference).

# %% tags=["hide-input"]
agreement = result.agreement.assign(method=lambda d: d.method.map(LABELS) + np.where(d.stopped, " *", "")).set_index("method")
agreement.round(3)

# %% tags=["remove-cell"]
glue("agree_budget", 3 * P.tmc_seconds)
glue("agree_eco", float(result.agreement.set_index("method").loc["ecoval", "spearman"]))
glue("agree_n", int(result.raw["agreement"]["n"]))
glue("agree_tmc_fits", int(result.raw["agreement"]["tmc"]["n_fits"]))

# %% [markdown]
# On {glue:text}`agree_n` points the reference Data Shapley made {glue:text}`agree_tmc_fits` fits;
# EcoVal's values correlate with it at {glue:text}`agree_eco:.2f`. Even the reference is a
# budget-limited estimate, so correlations here measure agreement between noisy estimates.
#
# ## Experiment 6: quality at equal numbers of fits
#
# Time budgets favour whatever is fast on this machine. The fair comparison counts model fits,
# the hardware-independent cost. On {glue:text}`budget_n` training points of the breast-cancer
# table, a Data Shapley **reference** is computed once: two independent TMC runs of
# {glue:text}`ref_fits_each` fits each, averaged ({glue:text}`ref_fits` fits in all; the two runs
# agree with each other at a Spearman correlation of {glue:text}`ref_split:.2f`, which bounds how
# well any method can agree with the reference). TMC Data Shapley, Beta Shapley and Data Banzhaf
# (pyDVL) are then stopped at {glue:md}`budget_list` fits; EcoVal runs with
# $p$ = {glue:md}`budget_ps` clusters ($1 + 3p$ fits, fewer where small clusters merge); LOO costs
# $n + 1$, KNN-Shapley and the kNN label agreement none. Each run's quality is its rank correlation
# with the reference and the area under its "highest removed first" curve on the test set.

# %% tags=["hide-input"]
bud = result.budget
fig, axes = plots.figure(2, height=3.8)
for method, part in bud.groupby("method", sort=False):
    part = part.sort_values("n_fits")
    x = part.n_fits.clip(lower=1)
    style = {"color": "black", "lw": 2.2, "marker": "o"} if method == "ecoval" else {"marker": "o", "lw": 1.2}
    if len(part) == 1:
        style = {"marker": {"loo": "s", "knn_shapley": "^", "knn_agreement": "v", "random": "x"}.get(method, "o"), "ls": "none",
                 "ms": 7}
    for ax, key in zip(axes, ("spearman", "auc_remove_high")):
        ax.plot(x, part[key], label=LABELS[method], **style)
ref = result.raw["budget"]["reference"]
axes[0].axhline(ref["split_half_spearman"], color="#999999", ls=":", lw=1)
axes[0].text(1, ref["split_half_spearman"], " agreement of the reference's two halves", va="bottom", fontsize=plots.MIN_FONT, color="#666666")
for ax, what in zip(axes, ("Spearman with the Data Shapley reference (↑)", "AUC, highest removed first (↓)")):
    plots.log_axis(ax, "x")
    ax.set_xlabel("model fits (no-fit methods drawn at 1)")
    ax.set_ylabel(what)
axes[1].legend(fontsize=plots.MIN_FONT, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
fig.tight_layout()
plt.show()

# %% tags=["remove-cell"]
glue("budget_n", int(result.raw["budget"]["n"]))
glue("ref_fits", int(ref["n_fits"]))
glue("ref_fits_each", int(P.reference_fits))
glue("ref_split", float(ref["split_half_spearman"]))
glue("budget_list", Markdown(", ".join(f"{f:,}" for f in P.budget_fits)))
glue("budget_ps", Markdown(", ".join(str(p) for p in P.budget_clusters)))
eco_rows = bud[bud.method == "ecoval"]
best_eco = eco_rows.loc[eco_rows.spearman.idxmax()]
tmc_rows = bud[bud.method == "tmc_shapley"].sort_values("n_fits")
reaching = tmc_rows[tmc_rows.spearman >= best_eco.spearman]
tmc_at_eco = tmc_rows.iloc[(tmc_rows.n_fits - best_eco.n_fits).abs().argsort()[:1]]
if len(reaching):
    first = reaching.iloc[0]
    equal_budget = (f"EcoVal's best rank agreement ({best_eco.spearman:.2f} with {int(best_eco.n_fits)} fits) is reached by TMC "
                    f"Data Shapley at {int(first.n_fits):,} fits, so EcoVal gets there with "
                    f"{best_eco.n_fits / first.n_fits:.1%} of TMC's fits.")
else:
    equal_budget = (f"No TMC budget of this run reaches EcoVal's best rank agreement ({best_eco.spearman:.2f} with "
                    f"{int(best_eco.n_fits)} fits); TMC's largest budget gives {tmc_rows.spearman.iloc[-1]:.2f}.")
equal_budget += (f" At about EcoVal's number of fits ({int(tmc_at_eco.n_fits.iloc[0])}), TMC agrees at "
                 f"{float(tmc_at_eco.spearman.iloc[0]):.2f}.")
knn_rho = bud.set_index("method").spearman.get("knn_agreement", np.nan)
equal_budget += f" The kNN label agreement, with no fit, agrees at {knn_rho:.2f}."
glue("equal_budget", Markdown(equal_budget))
glue("eco_best_rho", float(best_eco.spearman))

# %% [markdown]
# {glue:md}`equal_budget` One training set and one seed: differences of a few hundredths are within
# the noise of a single run.
#
# ## The paper's claims, checked here
#
# The paper's numbers are unknown, so the comparison is with its *claims*, each tested with this
# chapter's runs (profile and seeds in the note at the top).

# %% tags=["hide-input"]
def verdict(ok: bool) -> str:
    return "borne out here" if ok else "not borne out here"


def auc_high(method: str) -> float:
    return float(overall.loc[method, "auc_remove_high"]) if method in overall.index else float("nan")


eco_high = auc_high("ecoval")
better_oos = oos_mean.loc["ecoval", "f1"] > oos_mean.loc["dist_shapley", "f1"]
claims = pd.DataFrame([
    {"claim (paper)": f"quality comparable to {LABELS[m]} in distribution",
     "measured here": f"AUC, highest removed first (lower is better): {eco_high:.3f} vs {auc_high(m):.3f} (within 0.01 or better counts)",
     "verdict": verdict(eco_high <= auc_high(m) + 0.01)} for m in ("tmc_shapley", "dist_shapley")
] + [
    {"claim (paper)": "better than competing methods out of sample",
     "measured here": f"detection F1 on new points {oos_mean.loc['ecoval', 'f1']:.2f} vs Distributional Shapley {oos_mean.loc['dist_shapley', 'f1']:.2f}",
     "verdict": verdict(better_oos)},
    {"claim (paper)": "better than competing methods out of sample (which new points to add)",
     "measured here": f"accuracy change, top half of the new pool added: {gain['ecoval']:+.3f} vs Distributional Shapley {gain['dist_shapley']:+.3f}",
     "verdict": {"above": "borne out here", "below": "not borne out here",
                 "indistinguishable from": "indistinguishable here"}[gain_verdict("ecoval", "dist_shapley")]},
    {"claim (paper)": "far fewer model fits than Shapley methods at comparable quality",
     "measured here": f"experiment 6: {equal_budget}",
     "verdict": verdict(bool(len(reaching)) and best_eco.n_fits / reaching.iloc[0].n_fits < 0.1
                        if len(reaching) else bool(len(tmc_rows)))},
])
from IPython.display import display

with pd.option_context("display.max_colwidth", None):
    display(claims.set_index("claim (paper)"))

# %% [markdown]
# Each verdict is about *our reconstruction* on small bundled tables and a single learner; a
# verdict against the paper itself needs its equations and datasets. Two differences are
# structural: our intrinsic part is a neighbourhood label score that the paper may not use, and in
# experiments 1 and 2 our baselines were stopped at time budgets, which favours cheap methods
# (experiment 6 compares at equal fits instead). The rule for the last row: borne out when TMC
# needs at least ten times EcoVal's fits to reach EcoVal's rank agreement, or never reaches it.
#
# ## Exercises
#
# ```{exercise} Find the mislabelled points
# :label: ex-ecoval-mislabelled
# The training labels `y_noisy` of the demonstration above have 20 % flipped entries (their
# indices are in `flipped`). Using only `valuation.values` (not `flipped`), produce `suspects`, a
# sorted integer array of the training indices you would send to a human for relabelling: those in
# the low group of the one-dimensional 2-means split of the values. Then compute the precision of
# your list against `flipped`.
# ```

# %% [markdown]
# ```{solution-start} ex-ecoval-mislabelled
# :class: dropdown
# ```

# %% tags=["solution"]
### BEGIN SOLUTION
threshold = two_means_split(valuation.values)
suspects = np.flatnonzero(valuation.values < threshold)
### END SOLUTION
precision = np.isin(suspects, flipped).mean()
print(f"{len(suspects)} suspects, precision {precision:.2f} (a random list: 0.20)")

# %% [markdown]
# ```{solution-end}
# ```

# %% tags=["check"]
assert suspects.dtype.kind == "i" and np.all(np.diff(suspects) > 0), "suspects is a sorted integer array"
assert 0 < len(suspects) < len(valuation.values)
assert np.isin(suspects, flipped).mean() > 0.2, "better than a random list"
print("mislabelled points check passed")

# %% [markdown]
# ```{exercise} Euler's theorem on the fitted production function
# :label: ex-ecoval-euler
# The elasticities of the demonstration's Cobb-Douglas fit are `valuation.elasticities` and the
# full-data utility is `valuation.full_utility`. Compute the returns to scale `r` and check
# Euler's theorem {eq}`euler` numerically: write `production(q)` returning
# $A\prod_j q_j^{\alpha_j}$ with $A$ = `valuation.full_utility` (so that $U(\mathbf 1) = U(D)$), and
# `euler_lhs`, the sum over clusters of $q_j\,\partial U/\partial q_j$ at $q = \mathbf 1$ computed by
# finite differences. Compare it with `r * valuation.full_utility` and with the sum of
# `valuation.cluster_values`.
# ```

# %% [markdown]
# ```{solution-start} ex-ecoval-euler
# :class: dropdown
# ```

# %% tags=["solution"]
### BEGIN SOLUTION
alpha = valuation.elasticities
r = alpha.sum()


def production(q: np.ndarray) -> float:
    return valuation.full_utility * np.prod(q ** alpha)


h = 1e-6
ones = np.ones(len(alpha))
euler_lhs = sum((production(ones + h * np.eye(len(alpha))[j]) - production(ones)) / h for j in range(len(alpha)))
### END SOLUTION
print(f"r = {r:.3f}; sum q dU/dq = {euler_lhs:.4f}; r U(D) = {r * valuation.full_utility:.4f}; "
      f"sum of cluster values = {valuation.cluster_values.sum():.4f}")

# %% [markdown]
# ```{solution-end}
# ```

# %% tags=["check"]
assert abs(euler_lhs - r * valuation.full_utility) < 1e-3
assert abs(valuation.cluster_values.sum() - r * valuation.full_utility) < 1e-9
print("Euler check passed")

# %% [markdown]
# ```{exercise} Value your own table
# :label: ex-ecoval-own
# The DataFrame `frame` below stands for a CSV file of your own (here: scikit-learn's wine table
# with its class column `target`). Value its rows with EcoVal (reconstruction): hold out a third of
# the rows as validation set, value the rest with 6 clusters and a logistic regression, and store
# the values in a pandas Series `row_values` indexed like the training rows of `frame`. Which
# three rows are worth the most?
# ```

# %%
from sklearn.datasets import load_wine

frame = load_wine(as_frame=True).frame

# %% [markdown]
# ```{solution-start} ex-ecoval-own
# :class: dropdown
# ```

# %% tags=["solution"]
### BEGIN SOLUTION
shuffled = frame.sample(frac=1.0, random_state=seed)
cut = len(shuffled) // 3
valid_rows, train_rows = shuffled.iloc[:cut], shuffled.iloc[cut:]
scale = StandardScaler().fit(train_rows.drop(columns="target"))
as_xy = lambda rows: (scale.transform(rows.drop(columns="target")), rows["target"].to_numpy())  # noqa: E731
own = ecoval(as_xy(train_rows), as_xy(valid_rows), learner=LogisticRegression(max_iter=500), config=EcoValConfig(n_clusters=6, seed=seed))
row_values = pd.Series(own.values, index=train_rows.index)
### END SOLUTION
print(row_values.nlargest(3))

# %% [markdown]
# ```{solution-end}
# ```

# %% tags=["check"]
assert isinstance(row_values, pd.Series) and 100 <= len(row_values) <= 130
assert set(row_values.index) <= set(frame.index) and row_values.notna().all()
print("own table check passed")

# %% [markdown]
# ## References
#
# The full bibliography is on the [references page](../references.md).
