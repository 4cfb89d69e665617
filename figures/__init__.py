"""Figure library: functions that take tidy frames and return matplotlib Figures.

One style (``figures.style``): colour-blind-safe colours, tiers always in the same
colours, axes labelled with units, dates on time axes; ``save`` writes PNG and SVG.
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
from figures.sensitivity import morris_scatter, sobol_bars
from figures.style import SERIES_COLOURS, TIER_COLOURS, TIER_ORDER, save
from figures.trajectories import (
    country_paths,
    score_fans,
    score_trajectories,
    tier_composition,
    tier_composition_difference,
    tier_shares,
)

__all__ = [
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
