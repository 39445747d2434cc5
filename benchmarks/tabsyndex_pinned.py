"""The TabSynDex port (official mode) in the environment of the official run, beside the official function.

Chapter 07 compares the port with the official example notebook's published values. Two of the
differences it finds come from scikit-learn versions (the random forest of the ML component, the
end point of the pMSE's lbfgs solver), so this script measures the port under the versions of the
official run and, when given a clone of ``vikram2000b/tabsyndex``, runs the official function on
the same pairs. It writes ``results/tabsyndex/pinned-sklearn-1.2.2.json``, which the chapter reads.

The pinned environment (Python 3.11; spec A.12)::

    python3.11 -m venv /tmp/pinned
    /tmp/pinned/bin/pip install numpy==1.24.4 pandas==1.5.3 scikit-learn==1.2.2 scipy==1.10.1 dython==0.6.6 six
    PYTHONPATH=lib /tmp/pinned/bin/python benchmarks/tabsyndex_pinned.py --data ../shared/data/tabular \\
        --official PATH/TO/tabsyndex-clone --out results/tabsyndex/pinned-sklearn-1.2.2.json

The port needs only numpy, pandas and scikit-learn, so it imports in that environment.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import warnings
from importlib import metadata
from pathlib import Path

import pandas as pd
from datarights.synthetic.metric import min_max_scale, ml_score_pairs, prepare, tabsyndex
from sklearn.model_selection import train_test_split

OFFICIAL_KEYS = {"score": "score", "basic": "basic_score", "correlation": "corr_score", "ml_efficacy": "ml_score",
                 "pmse": "pmse_score", "support": "sup_score"}
VECTOR_REAL = {"a": list(range(1, 13)), "b": [2.0, 1.5, 3.5, 3.0, 5.5, 4.0, 6.5, 7.0, 8.5, 8.0, 10.5, 11.0],
               "c": [0, 1, 0, 1, 0, 1, 2, 0, 1, 2, 0, 1],
               "y": [3.1, 3.4, 6.6, 7.2, 10.4, 10.1, 13.9, 15.2, 17.6, 18.1, 21.4, 23.0]}
VECTOR_FAKE = {"a": [1.5, 2.5, 2.0, 4.5, 6.0, 5.0, 7.5, 9.0, 8.0, 11.0, 12.0, 3.0],
               "b": [1.0, 2.0, 4.0, 3.0, 6.0, 4.5, 6.0, 8.0, 9.0, 7.5, 11.0, 2.5],
               "c": [0, 0, 1, 1, 0, 2, 2, 0, 1, 1, 0, 0],
               "y": [2.5, 4.4, 6.1, 7.9, 11.0, 9.8, 13.2, 16.5, 17.0, 18.9, 22.7, 5.0]}


def pairs(data: Path) -> dict[str, tuple[pd.DataFrame, pd.DataFrame, list[str], str]]:
    """The official notebook's real-vs-real pairs and the spec's 12-row test vector: (real, fake, cat_cols, task)."""
    wine = pd.read_csv(data / "winequality-white.csv", sep=";")
    concrete = pd.read_csv(data / "concrete.csv")
    out = {"test-vector": (pd.DataFrame(VECTOR_REAL), pd.DataFrame(VECTOR_FAKE), ["c"], "regr")}
    for name, frame, cat, task in (("winequality-white", wine, ["quality"], "class"), ("concrete", concrete, [], "regr")):
        first, second = train_test_split(frame, test_size=0.5, random_state=0)
        out[name] = (first, second, cat, task)
    return out


def ml_scores(real: pd.DataFrame, fake: pd.DataFrame, cat: list[str], target: str, task: str) -> dict[str, list[float]]:
    """The 8 + 8 model scores behind the ML component (4 models × scored on real, on fake), official encoding."""
    real_n, fake_n, cat, target, task = prepare(real, fake, cat, target, task)
    on_real_models, on_fake_models = ml_score_pairs(*min_max_scale(real_n, fake_n), cat, target, task)
    return {"real_trained": on_real_models, "fake_trained": on_fake_models}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="folder with winequality-white.csv and concrete.csv")
    parser.add_argument("--official", type=Path, help="a clone of vikram2000b/tabsyndex (runs its tabsyndex.py too)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    official = None
    if args.official is not None:
        sys.path.insert(0, str(args.official))
        from tabsyndex import tabsyndex as official
    rows = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, (real, fake, cat, task) in pairs(args.data).items():
            target = real.columns[-1]
            port = tabsyndex(real, fake, categorical=cat, target=target, task=task).to_dict()
            rows[name] = {"port": {k: port[k] for k in OFFICIAL_KEYS}, "ml_scores": ml_scores(real, fake, cat, target, task)}
            if official is not None:
                result = official(real, fake, cat_cols=cat, target_type=task)
                rows[name]["official_function"] = {k: float(result[v]) for k, v in OFFICIAL_KEYS.items()}
    versions = {p: metadata.version(p) for p in ("numpy", "pandas", "scikit-learn", "scipy")}
    if official is not None:
        versions["dython"] = metadata.version("dython")
    out = {"python": platform.python_version(), "versions": versions, "rows": rows,
           "command": "PYTHONPATH=lib python benchmarks/tabsyndex_pinned.py --data ../shared/data/tabular "
                      "--official <clone of vikram2000b/tabsyndex> --out results/tabsyndex/pinned-sklearn-1.2.2.json"}
    args.out.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(json.dumps(out, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
