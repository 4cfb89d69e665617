"""Tier mobility and fragmentation measures for the Latin American AI economy model.

Pure functions of NumPy arrays, batched over runs and bootstrap replicates. See
docs/MOBILITY.md for every measure's formula, reference and reading.
"""

from mobility.fragmentation import (
    club_convergence,
    esteban_ray,
    gini,
    hp_trend,
    phillips_sul,
    sigma_convergence,
    theil,
    tier_gap,
)
from mobility.markov import (
    AbsorbingChain,
    absorbing_chain,
    mean_first_passage_times,
    mobility_indices,
    stationary_distribution,
    transition_counts,
    transition_matrix,
)
from mobility.panel import (
    MISSING,
    TIER_LABELS,
    TierPanel,
    apply_hysteresis,
    classify_scores,
    state_arrays,
)
from mobility.report import format_summary, ilia_report
from mobility.summary import MobilitySummary, summarize
from mobility.uncertainty import (
    MarkovUncertainty,
    bootstrap_runs,
    bootstrap_weights,
    dirichlet_posterior,
    interval,
)
from mobility.window import (
    HomogeneityTest,
    LogitHazard,
    WindowClosing,
    hazard_observations,
    homogeneity_test,
    logit_hazard,
    probability_up_by_start_date,
    rolling_transition_matrices,
    segment_counts,
    upward_counts,
    upward_hazard,
    window_closing,
    window_closing_time,
)

__all__ = [
    "MISSING",
    "TIER_LABELS",
    "AbsorbingChain",
    "HomogeneityTest",
    "LogitHazard",
    "MarkovUncertainty",
    "MobilitySummary",
    "TierPanel",
    "WindowClosing",
    "absorbing_chain",
    "apply_hysteresis",
    "bootstrap_runs",
    "bootstrap_weights",
    "classify_scores",
    "club_convergence",
    "dirichlet_posterior",
    "esteban_ray",
    "format_summary",
    "gini",
    "hazard_observations",
    "homogeneity_test",
    "hp_trend",
    "ilia_report",
    "interval",
    "logit_hazard",
    "mean_first_passage_times",
    "mobility_indices",
    "phillips_sul",
    "probability_up_by_start_date",
    "rolling_transition_matrices",
    "segment_counts",
    "sigma_convergence",
    "state_arrays",
    "stationary_distribution",
    "summarize",
    "theil",
    "tier_gap",
    "transition_counts",
    "transition_matrix",
    "upward_counts",
    "upward_hazard",
    "window_closing",
    "window_closing_time",
]
