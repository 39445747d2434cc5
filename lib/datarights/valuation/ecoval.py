"""EcoVal (reconstruction): cluster-level valuation through a production function.

The EcoVal paper {Tarun, Chundawat, Mandal, Tan, Chen, Kankanhalli, KDD 2024, arXiv 2402.09288}
publishes its skeleton but not its equations. Published (abstract and reviews): points are
grouped into clusters of similar data; clusters are valued by leaving clusters out and
retraining; model performance is treated as a *production function* of the clusters; a point's
value is an *intrinsic* plus an *extrinsic* part; out-of-sample points are valued cheaply; far
fewer fits than Shapley methods. Everything below that goes beyond this is **our design**
(a hypothesis consistent with the abstract and the summaries, not the paper's algorithm) and is marked as such; every default is a named field of :class:`EcoValConfig`.

Steps (our design):

1. *Clustering* [ours]: k-means on standardised features (or a user embedding), by default
   within each class, so each cluster is label-pure; ``p`` clusters in all.
2. *Cluster utilities* [published: leave-cluster-out]: ``U(D)``, ``U(D \\ C_j)`` for each j, and
   [ours] ``n_subsets`` runs keeping a random fraction of every cluster, so the input
   quantities vary continuously.
3. *Production function* [published: "production function"; ours: the Cobb-Douglas form and the
   fit]: with ``q_j`` the (Laplace-smoothed) fraction of cluster j kept,

   ``log U = log A + sum_j alpha_j log q_j``  (eq. 1)

   fitted by ridge-stabilised least squares on all runs. The elasticity ``alpha_j`` is cluster
   j's output share; by Euler's theorem ``sum_j q_j dU/dq_j = (sum_j alpha_j) U``, so at q = 1
   the cluster values ``T_j = alpha_j U(D)`` add up to ``U(D)`` under constant returns to scale.
   ``form="linear"`` fits ``U = b_0 + sum_j b_j q_j`` instead (``T_j = b_j``).
4. *Propagation* [published: intrinsic + extrinsic; ours: the formulas]: the extrinsic value
   of a point of cluster j is its marginal product ``T_j / |C_j|`` (eq. 2); the intrinsic
   value is a training-free score ``s_i`` (share of its k nearest training points,
   itself included, that carry its label), centred on its training-set mean and scaled by the
   equal share ``U(D) / n``: ``gamma * U(D)/n * (s_i - mean s)`` (eq. 3). Intrinsic values sum
   to zero over the training set, so the total value stays ``sum_j T_j``. Clusters smaller than
   ``min_cluster_size`` are merged into their nearest neighbour cluster first [ours], since leaving
   out one or two points measures noise rather than value.
5. *Out of sample* [published: cheap out-of-sample valuation; ours: the rule]: a new point
   joins the nearest centroid (of its class), takes that cluster's extrinsic value and its own
   intrinsic score against the training set. No retraining.

Fits: ``1 + p + n_subsets``, independent of n.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
from sklearn.cluster import KMeans
from sklearn.neighbors import NearestNeighbors

from datarights.valuation.utility import Arrays, Utility, as_arrays, check_classes, check_learner

NAME = "EcoVal (reconstruction)"


@dataclass(frozen=True)
class EcoValConfig:
    """Every choice of the reconstruction, with its default (see the module docstring for the equations).

    Attributes:
        n_clusters: p, the number of clusters in all (shared among classes in proportion to their size
            when ``per_class``).
        per_class: cluster within each class (label-pure clusters) [ours].
        n_subsets: extra runs that keep a random fraction of every cluster, beyond the p leave-cluster-out runs [ours].
        keep_range: the kept fraction of a cluster in those runs is uniform in this range.
        form: production function, ``"cobb_douglas"`` (eq. 1) or ``"linear"``.
        ridge: ridge penalty on the elasticities in the least-squares fit (0: plain least squares).
        min_cluster_size: smaller k-means clusters are merged into the nearest remaining one [ours].
        n_neighbors: k of the intrinsic score.
        intrinsic_scale: gamma of eq. 3 (0: extrinsic value only).
        embedding: optional function mapping X to the clustering space (default: standardised X).
        scoring: utility score on the validation set.
        n_jobs: parallel fits (joblib).
        seed: seeds k-means and the subset draws.
    """

    n_clusters: int = 10
    per_class: bool = True
    n_subsets: int | None = None  # None: 2 p
    keep_range: tuple[float, float] = (0.3, 1.0)
    form: Literal["cobb_douglas", "linear"] = "cobb_douglas"
    ridge: float = 1e-3
    min_cluster_size: int = 5
    n_neighbors: int = 10
    intrinsic_scale: float = 1.0
    embedding: Callable[[np.ndarray], np.ndarray] | None = None
    scoring: str = "accuracy"
    n_jobs: int | None = 1
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["embedding"] = None if self.embedding is None else getattr(self.embedding, "__name__", "custom")
        return out


@dataclass
class EcoValResult:
    """Values per point and everything needed to explain and extend them.

    ``values = extrinsic + intrinsic``; ``clusters[i]`` is point i's cluster; ``cluster_values[j]`` is T_j;
    ``elasticities[j]`` alpha_j (or b_j); ``n_fits`` the exact number of model trainings; ``seconds`` the wall time.
    """

    values: np.ndarray
    extrinsic: np.ndarray
    intrinsic: np.ndarray
    clusters: np.ndarray
    cluster_labels: np.ndarray
    cluster_values: np.ndarray
    elasticities: np.ndarray
    full_utility: float
    fit_r2: float
    n_fits: int
    seconds: float
    config: EcoValConfig
    _space: Any = None
    _train: Arrays | None = None
    _centroids: np.ndarray | None = None
    _scores_mean: float = 0.0

    algorithm: str = NAME

    def value_of(self, x_new: np.ndarray, y_new: np.ndarray) -> np.ndarray:
        """Values of new points, without retraining (step 5): nearest cluster's extrinsic value plus own intrinsic value."""
        x_new, y_new = as_arrays((x_new, y_new), "new points")
        if x_new.shape[1] != self._train[0].shape[1]:
            raise ValueError(f"value_of: x_new has {x_new.shape[1]} features but the valued training points have "
                             f"{self._train[0].shape[1]}")
        z_new = self._space(x_new)
        j = assign_clusters(z_new, y_new, self._centroids, self.cluster_labels, self.config.per_class)
        sizes = np.bincount(self.clusters, minlength=len(self.cluster_values))
        extrinsic = self.cluster_values[j] / sizes[j]
        scores = intrinsic_scores(self._space(self._train[0]), self._train[1], self.config.n_neighbors, z_new, y_new)
        unit = self.full_utility / len(self.values)
        return extrinsic + self.config.intrinsic_scale * unit * (scores - self._scores_mean)

    def to_pydvl(self) -> Any:
        """The values as a pyDVL ``ValuationResult`` (requires pydvl)."""
        from pydvl.valuation.result import ValuationResult

        return ValuationResult(values=self.values.astype(float), indices=np.arange(len(self.values)), algorithm=NAME)

    def summary(self) -> dict[str, Any]:
        return {"n_points": len(self.values), "n_clusters": len(self.cluster_values), "n_fits": self.n_fits,
                "seconds": self.seconds, "full_utility": self.full_utility, "fit_r2": self.fit_r2}


# -- step 1 -----------------------------------------------------------------------------------------

def _standardiser(x: np.ndarray, embedding: Callable | None) -> Callable[[np.ndarray], np.ndarray]:
    if embedding is not None:
        return embedding
    mean, std = x.mean(0), x.std(0)
    std = np.where(std > 0, std, 1.0)
    return lambda z: (np.asarray(z, float) - mean) / std


def allot_clusters(y: np.ndarray, n_clusters: int) -> dict[Any, int]:
    """Clusters per class, proportional to class size, at least one each and at most the class size."""
    classes, counts = np.unique(y, return_counts=True)
    if n_clusters < len(classes):
        raise ValueError(f"n_clusters={n_clusters} is smaller than the number of classes ({len(classes)}) with per_class=True")
    share = np.maximum(1, np.floor(n_clusters * counts / counts.sum()).astype(int))
    while share.sum() < n_clusters and (share < counts).any():
        gap = np.where(share < counts, counts / share, -np.inf)
        share[np.argmax(gap)] += 1
    return {c: int(min(k, n)) for c, k, n in zip(classes, share, counts)}


def cluster_points(z: np.ndarray, y: np.ndarray, config: EcoValConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """k-means clusters (step 1): (cluster of each point, centroids, class of each cluster or -1)."""
    n = len(z)
    if config.n_clusters < 1 or config.n_clusters > n:
        raise ValueError(f"n_clusters={config.n_clusters} must be between 1 and the number of training points ({n})")
    groups = allot_clusters(y, config.n_clusters) if config.per_class else {None: config.n_clusters}
    clusters = np.empty(n, dtype=int)
    centroids, labels = [], []
    for c, k in groups.items():
        members = np.flatnonzero(y == c) if config.per_class else np.arange(n)
        km = KMeans(n_clusters=k, n_init=4, random_state=config.seed).fit(z[members])
        assigned, centres = merge_small(z[members], km.labels_, km.cluster_centers_, config.min_cluster_size)
        clusters[members] = assigned + len(centroids)
        centroids.extend(centres)
        labels.extend([c] * len(centres))
    # drop empty clusters (k-means can leave one empty on duplicated points)
    used, clusters = np.unique(clusters, return_inverse=True)
    return clusters, np.asarray(centroids)[used], np.asarray(labels, dtype=object)[used]


def merge_small(z: np.ndarray, labels: np.ndarray, centres: np.ndarray, min_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Merge the smallest cluster into its members' nearest other centroids until every cluster has ``min_size`` points."""
    labels, centres = labels.copy(), list(centres)
    alive = list(range(len(centres)))
    while len(alive) > 1:
        sizes = {j: int(np.sum(labels == j)) for j in alive}
        smallest = min(alive, key=lambda j: sizes[j])
        if sizes[smallest] >= min_size:
            break
        alive.remove(smallest)
        moved = labels == smallest
        if moved.any():
            d = ((z[moved, None, :] - np.asarray([centres[j] for j in alive])[None]) ** 2).sum(-1)
            labels[moved] = np.asarray(alive)[d.argmin(1)]
            for j in set(labels[moved]):
                centres[j] = z[labels == j].mean(0)
    remap = {j: i for i, j in enumerate(alive)}
    return np.array([remap[j] for j in labels]), np.asarray([centres[j] for j in alive])


def assign_clusters(z: np.ndarray, y: np.ndarray, centroids: np.ndarray, cluster_labels: np.ndarray, per_class: bool) -> np.ndarray:
    """Nearest centroid of each point (among its class's clusters when clustering was per class)."""
    d = ((z[:, None, :] - centroids[None, :, :]) ** 2).sum(-1)
    if per_class:
        same = cluster_labels[None, :] == np.asarray(y, dtype=object)[:, None]
        if not same.any(1).all():
            raise ValueError("y_new holds a label that no training cluster has")
        d = np.where(same, d, np.inf)
    return d.argmin(1)


# -- step 2 ---------------------------------------------------------------------------------------

def design_runs(clusters: np.ndarray, n_subsets: int, keep_range: tuple[float, float], seed: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Training subsets of step 2 and their input quantities q (runs × clusters).

    Run 0 keeps everything; runs 1..p leave one cluster out (LCO); the rest keep a uniformly drawn
    fraction of every cluster. q_j = (kept_j + 1) / (|C_j| + 1), a Laplace-smoothed fraction, so log q is finite.
    """
    rng = np.random.default_rng(seed)
    p = clusters.max() + 1
    members = [np.flatnonzero(clusters == j) for j in range(p)]
    sizes = np.array([len(m) for m in members])
    keep = [np.ones(p)] + [np.where(np.arange(p) == j, 0.0, 1.0) for j in range(p)]
    keep += [rng.uniform(*keep_range, size=p) for _ in range(n_subsets)]
    subsets, q = [], []
    for fractions in keep:
        chosen = [rng.choice(m, int(round(f * len(m))), replace=False) for m, f in zip(members, fractions)]
        subsets.append(np.sort(np.concatenate(chosen)).astype(int))
        q.append((np.array([len(c) for c in chosen]) + 1) / (sizes + 1))
    return subsets, np.asarray(q)


# -- step 3 ---------------------------------------------------------------------------------------

def fit_production(q: np.ndarray, utilities: np.ndarray, form: str = "cobb_douglas", ridge: float = 1e-3) -> tuple[float, np.ndarray, float]:
    """Least-squares fit of eq. 1 (or the linear form): (intercept, coefficients per cluster, R²)."""
    if form == "cobb_douglas":
        features, target = np.log(q), np.log(np.clip(utilities, 1e-3, None))
    elif form == "linear":
        features, target = q, utilities
    else:
        raise ValueError(f"form must be 'cobb_douglas' or 'linear', got {form!r}")
    a = np.column_stack([np.ones(len(q)), features])
    penalty = ridge * np.eye(a.shape[1])
    penalty[0, 0] = 0.0
    coef = np.linalg.solve(a.T @ a + penalty, a.T @ target)
    residual = target - a @ coef
    total = ((target - target.mean()) ** 2).sum()
    r2 = 1.0 - (residual ** 2).sum() / total if total > 0 else 1.0
    return float(coef[0]), coef[1:], float(r2)


# -- step 4 ---------------------------------------------------------------------------------------

def intrinsic_scores(z: np.ndarray, y: np.ndarray, k: int, z_query: np.ndarray | None = None,
                     y_query: np.ndarray | None = None) -> np.ndarray:
    """Training-free score in [0, 1]: share of the k nearest training points that carry the same label.

    The query defaults to the training points themselves, each counted among its own neighbours, so a
    new point identical to a training point gets exactly that point's score.
    """
    z_query = z if z_query is None else z_query
    y_query = y if y_query is None else y_query
    k = max(1, min(k, len(z)))
    _, idx = NearestNeighbors(n_neighbors=k).fit(z).kneighbors(z_query)
    return (y[idx] == np.asarray(y_query)[:, None]).mean(1)


# -- the method -----------------------------------------------------------------------------------

def ecoval(train: Any, valid: Any, *, learner: Any, config: EcoValConfig = EcoValConfig()) -> EcoValResult:
    """Value every training point with EcoVal (reconstruction); see the module docstring for steps and equations.

    Args:
        train: ``(X, y)`` or a pyDVL ``Dataset``: the points to value.
        valid: ``(X, y)`` or a pyDVL ``Dataset``: scores the trained models.
        learner: an unfitted scikit-learn classifier (cloned for every fit).
        config: :class:`EcoValConfig`.
    """
    start = time.perf_counter()
    x, y = as_arrays(train, "train")
    xv, yv = as_arrays(valid, "valid")
    if x.shape[1] != xv.shape[1]:
        raise ValueError(f"train has {x.shape[1]} features but valid has {xv.shape[1]}")
    check_classes(y, "train")
    unseen = sorted(set(np.unique(yv).tolist()) - set(np.unique(y).tolist()))
    if unseen:
        raise ValueError(f"valid holds label(s) {unseen} that no training point has; a model trained on any subset "
                         "of train can never predict them, so every utility would be capped below 1")
    check_learner(learner)
    if config.n_clusters > len(x):
        raise ValueError(f"n_clusters={config.n_clusters} exceeds the number of training points ({len(x)})")
    space = _standardiser(x, config.embedding)
    z = space(x)
    clusters, centroids, cluster_labels = cluster_points(z, y, config)
    p = len(centroids)
    n_subsets = 2 * p if config.n_subsets is None else config.n_subsets
    subsets, q = design_runs(clusters, n_subsets, config.keep_range, config.seed)
    utility = Utility(learner, (x, y), (xv, yv), scoring=config.scoring, n_jobs=config.n_jobs)
    utilities = utility.many(subsets)
    _, coef, r2 = fit_production(q, utilities, config.form, config.ridge)
    full = float(utilities[0])
    cluster_values = coef * full if config.form == "cobb_douglas" else coef
    sizes = np.bincount(clusters, minlength=p)
    extrinsic = (cluster_values / sizes)[clusters]
    scores = intrinsic_scores(z, y, config.n_neighbors)
    scores_mean = float(scores.mean())
    intrinsic = config.intrinsic_scale * full / len(x) * (scores - scores_mean)
    return EcoValResult(values=extrinsic + intrinsic, extrinsic=extrinsic, intrinsic=intrinsic, clusters=clusters,
                        cluster_labels=cluster_labels, cluster_values=cluster_values, elasticities=coef,
                        full_utility=full, fit_r2=r2, n_fits=utility.n_fits, seconds=time.perf_counter() - start,
                        config=config, _space=space, _train=(x, y), _centroids=centroids, _scores_mean=scores_mean)
