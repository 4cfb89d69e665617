"""Region-level measures reported each month (vectorised over leading run axes)."""

from __future__ import annotations

import numpy as np

from mobility.fragmentation import gini  # one Gini for the model and the measures
from model.equations import EXPLORER, MONTH, PIONEER

__all__ = ["gini", "group_mean", "investment_share", "tier_counts", "tier_gap"]


def group_mean(values, mask):
    """Mean of ``values`` over the countries where ``mask`` holds (NaN where none)."""
    count = mask.sum(axis=-1)
    return (values * mask).sum(axis=-1) / np.where(count > 0, count, np.nan)


def tier_gap(values, tiers, upper=PIONEER, lower=EXPLORER):
    """Mean of ``values`` among Pioneers minus among Explorers (NaN if a tier is empty)."""
    if np.ndim(values) == 1:  # one run: a faster route to the same numbers
        counts = np.bincount(tiers, minlength=3)
        sums = np.bincount(tiers, weights=values, minlength=3)
        if counts[upper] == 0 or counts[lower] == 0:
            return np.nan
        return sums[upper] / counts[upper] - sums[lower] / counts[lower]
    return group_mean(values, tiers == upper) - group_mean(values, tiers == lower)


def tier_counts(tiers, n_tiers=3):
    """Number of countries in each tier, shape (..., n_tiers)."""
    if np.ndim(tiers) == 1:
        return np.bincount(tiers, minlength=n_tiers)
    return np.stack([(tiers == k).sum(axis=-1) for k in range(n_tiers)], axis=-1)


def investment_share(inflow, global_flow_per_year, members):
    """The ``members``' share of world AI investment in a month (NaN before any inflow).

    ``inflow`` (..., countries) is the last month's inflow, ``global_flow_per_year`` the
    world flow of that month (USD bn / year); ``members`` a boolean mask of countries."""
    received = np.where(members, inflow, 0.0).sum(axis=-1)
    flow = np.asarray(global_flow_per_year) * MONTH
    share = received / flow
    return np.where(np.abs(inflow).sum(axis=-1) > 0, share, np.nan)[()]
