"""Tier mobility and fragmentation measures for the Latin American AI economy model.

Pure functions of NumPy arrays, batched over runs and bootstrap replicates. See
docs/MOBILITY.md for every measure's formula, reference and reading.

The names below are imported on first use (PEP 562): the sweep engine and its worker
processes use the Markov counts only, and need not import SciPy's statistics with the rest.
"""

from __future__ import annotations

import importlib

#: The package's modules and the public names each defines.
_NAMES = {
    "fragmentation": (
        "club_convergence",
        "esteban_ray",
        "gini",
        "hp_trend",
        "phillips_sul",
        "sigma_convergence",
        "theil",
        "tier_gap",
    ),
    "markov": (
        "AbsorbingChain",
        "absorbing_chain",
        "mean_first_passage_times",
        "mobility_indices",
        "stationary_distribution",
        "transition_counts",
        "transition_matrix",
    ),
    "panel": (
        "MISSING",
        "TIER_LABELS",
        "TierPanel",
        "apply_hysteresis",
        "classify_scores",
        "state_arrays",
    ),
    "report": (
        "format_summary",
        "ilia_report",
    ),
    "summary": (
        "MobilitySummary",
        "summarize",
    ),
    "uncertainty": (
        "MarkovUncertainty",
        "bootstrap_runs",
        "bootstrap_weights",
        "dirichlet_posterior",
        "interval",
    ),
    "window": (
        "HomogeneityTest",
        "LogitHazard",
        "WindowClosing",
        "hazard_observations",
        "homogeneity_test",
        "logit_hazard",
        "probability_up_by_start_date",
        "rolling_transition_matrices",
        "segment_counts",
        "upward_counts",
        "upward_hazard",
        "window_closing",
        "window_closing_time",
    ),
}
#: Public name -> the module that defines it.
_EXPORTS = {name: f"mobility.{module}" for module, names in _NAMES.items() for name in names}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    elif name in _NAMES:
        value = importlib.import_module(f"mobility.{name}")
    else:
        raise AttributeError(f"module 'mobility' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
