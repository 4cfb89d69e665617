"""Tier mobility and fragmentation measures for the Latin American AI economy model.

Pure functions of NumPy arrays, batched over runs and bootstrap replicates. See
docs/MOBILITY.md for every measure's formula, reference and reading.

The names below are imported on first use (PEP 562): the sweep engine and its worker
processes use the Markov counts only, and need not import SciPy's statistics with the rest.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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

_EXPORTS = {
    "club_convergence": "mobility.fragmentation",
    "esteban_ray": "mobility.fragmentation",
    "gini": "mobility.fragmentation",
    "hp_trend": "mobility.fragmentation",
    "phillips_sul": "mobility.fragmentation",
    "sigma_convergence": "mobility.fragmentation",
    "theil": "mobility.fragmentation",
    "tier_gap": "mobility.fragmentation",
    "AbsorbingChain": "mobility.markov",
    "absorbing_chain": "mobility.markov",
    "mean_first_passage_times": "mobility.markov",
    "mobility_indices": "mobility.markov",
    "stationary_distribution": "mobility.markov",
    "transition_counts": "mobility.markov",
    "transition_matrix": "mobility.markov",
    "MISSING": "mobility.panel",
    "TIER_LABELS": "mobility.panel",
    "TierPanel": "mobility.panel",
    "apply_hysteresis": "mobility.panel",
    "classify_scores": "mobility.panel",
    "state_arrays": "mobility.panel",
    "format_summary": "mobility.report",
    "ilia_report": "mobility.report",
    "MobilitySummary": "mobility.summary",
    "summarize": "mobility.summary",
    "MarkovUncertainty": "mobility.uncertainty",
    "bootstrap_runs": "mobility.uncertainty",
    "bootstrap_weights": "mobility.uncertainty",
    "dirichlet_posterior": "mobility.uncertainty",
    "interval": "mobility.uncertainty",
    "HomogeneityTest": "mobility.window",
    "LogitHazard": "mobility.window",
    "WindowClosing": "mobility.window",
    "hazard_observations": "mobility.window",
    "homogeneity_test": "mobility.window",
    "logit_hazard": "mobility.window",
    "probability_up_by_start_date": "mobility.window",
    "rolling_transition_matrices": "mobility.window",
    "segment_counts": "mobility.window",
    "upward_counts": "mobility.window",
    "upward_hazard": "mobility.window",
    "window_closing": "mobility.window",
    "window_closing_time": "mobility.window",
}
#: the package's modules, also reachable as attributes (``mobility.window``)
_MODULES = {m.split(".")[1] for m in _EXPORTS.values()}


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    elif name in _MODULES:
        value = importlib.import_module(f"mobility.{name}")
    else:
        raise AttributeError(f"module 'mobility' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


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
