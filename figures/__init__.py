"""Figure library: functions that take tidy frames and return matplotlib Figures.

One style (``figures.style``): colour-blind-safe colours, tiers always in the same
colours, axes labelled with units, dates on time axes, direct labels moved apart so that
none overlaps; ``save`` writes PNG, SVG and PDF. Comparisons of a scenario with its
counterfactual are paired differences (the same replicate seeds) with intervals
(``paired_differences``, ``country_paths``, ``release_differences``,
``tier_composition_difference``). The package imports neither ``experiments`` nor ``reports``.
"""

from figures.mobility import (
    mobility_indices,
    probability_up_by_start,
    transition_heatmap,
    window_hazard,
)
from figures.paths import path_scores, path_tiers, pioneer_survival, time_to_pioneer
from figures.region import (
    capital_gini,
    gaps,
    gaps_by_start_tiers,
    investment_share,
    lorenz_curves,
)
from figures.sensitivity import morris_scatter, sensitivity_bars, sobol_bars
from figures.style import FORMATS, SERIES_COLOURS, TIER_COLOURS, TIER_ORDER, repel, save
from figures.trajectories import (
    country_paths,
    paired_differences,
    release_differences,
    score_fans,
    score_trajectories,
    tier_composition,
    tier_composition_difference,
    tier_shares,
)

__all__ = [
    "FORMATS",
    "paired_differences",
    "release_differences",
    "repel",
    "sensitivity_bars",
    "SERIES_COLOURS",
    "TIER_COLOURS",
    "TIER_ORDER",
    "capital_gini",
    "country_paths",
    "gaps",
    "gaps_by_start_tiers",
    "investment_share",
    "lorenz_curves",
    "mobility_indices",
    "morris_scatter",
    "path_scores",
    "path_tiers",
    "pioneer_survival",
    "probability_up_by_start",
    "save",
    "score_fans",
    "score_trajectories",
    "sobol_bars",
    "tier_composition",
    "tier_composition_difference",
    "tier_shares",
    "time_to_pioneer",
    "transition_heatmap",
    "window_hazard",
]
