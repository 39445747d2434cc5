"""Synthetic tabular data: the TabSynDex metric, baseline generators and the metrics it is compared with."""

from datarights.synthetic.associations import association_matrix, correlation_ratio, pearson, theils_u
from datarights.synthetic.metric import (
    COMPONENT_LABELS,
    COMPONENTS,
    PropensityMSE,
    TabSynDexResult,
    basic_statistics_score,
    log_correlation_score,
    ml_efficacy_score,
    pmse_score,
    propensity_mse,
    relative_error,
    support_coverage_score,
    tabsyndex,
)

__all__ = [
    "COMPONENTS", "COMPONENT_LABELS", "PropensityMSE", "TabSynDexResult", "association_matrix", "basic_statistics_score",
    "correlation_ratio", "log_correlation_score", "ml_efficacy_score", "pearson", "pmse_score", "propensity_mse",
    "relative_error", "support_coverage_score", "tabsyndex", "theils_u",
]
