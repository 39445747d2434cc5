"""Data valuation: EcoVal (reconstruction), the Shapley family through pyDVL, Distributional Shapley, protocols.

>>> from sklearn.linear_model import LogisticRegression               # doctest: +SKIP
>>> result = ecoval((x, y), (x_val, y_val), learner=LogisticRegression())   # doctest: +SKIP
>>> result.values, result.n_fits, result.value_of(x_new, y_new)       # doctest: +SKIP

pyDVL is imported only by the baselines that need it.
"""

from datarights.valuation.baselines import (
                                            METHODS,
                                            BudgetConfig,
                                            DistributionalConfig,
                                            MaxFits,
                                            Valuation,
                                            distributional_shapley,
                                            knn_agreement,
                                            pydvl_values,
)
from datarights.valuation.ecoval import NAME, EcoValConfig, EcoValResult, ecoval
from datarights.valuation.protocols import (
                                            addition_curve,
                                            curve_area,
                                            detection_f1,
                                            discovery_curve,
                                            flip_labels,
                                            points_to_remove,
                                            removal_curve,
                                            value_order,
)
from datarights.valuation.utility import CountingLearner, FitCounter, Utility

__all__ = ["METHODS", "NAME", "BudgetConfig", "CountingLearner", "DistributionalConfig", "EcoValConfig", "EcoValResult",
           "FitCounter", "MaxFits", "Utility", "Valuation", "addition_curve", "curve_area", "detection_f1", "discovery_curve",
           "distributional_shapley", "ecoval", "flip_labels", "knn_agreement", "points_to_remove", "pydvl_values", "removal_curve",
           "value_order"]
