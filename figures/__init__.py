"""Figure library: functions that take tidy frames and return matplotlib Figures."""

from figures.style import TIER_COLOURS, TIER_ORDER, save
from figures.trajectories import country_paths, score_trajectories, tier_composition

__all__ = [
    "TIER_COLOURS",
    "TIER_ORDER",
    "country_paths",
    "save",
    "score_trajectories",
    "tier_composition",
]
