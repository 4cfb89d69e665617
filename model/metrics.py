"""Region-level measures reported each month (vectorised over leading run axes)."""

from __future__ import annotations

import numpy as np

from model.equations import EXPLORER, MONTH, PIONEER

__all__ = ["gini", "group_mean", "investment_share", "tier_counts", "tier_gap"]


def _floats(values: np.ndarray) -> np.ndarray:
    """Values as a floating array, keeping float32 (fast on large panels) as it is."""
    values = np.asarray(values)
    return values if np.issubdtype(values.dtype, np.floating) else values.astype(np.float64)


def gini(values: np.ndarray) -> np.ndarray:
    """Gini index G = sum_i sum_j |x_i - x_j| / (2 n^2 mean), in [0, (n - 1) / n].

    Computed on sorted values as G = sum_i (2 i - n - 1) x_(i) / (n sum x), i = 1..n.
    Reference: Sen (1973), On Economic Inequality, ch. 2; Cowell (2011), Measuring
    Inequality, 3rd ed., Technical Appendix.
    """
    ordered = np.sort(_floats(values), axis=-1)  # NaN last
    n = (~np.isnan(ordered)).sum(axis=-1, keepdims=True)
    rank = np.arange(1, ordered.shape[-1] + 1)
    ordered = np.nan_to_num(ordered, nan=0.0)
    weighted = ((2 * rank - n - 1) * ordered).sum(axis=-1)
    denominator = n[..., 0] * ordered.sum(axis=-1)
    out = np.full(np.shape(weighted), np.nan)  # NaN where there is nothing to share
    return np.divide(weighted, denominator, out=out, where=denominator != 0)


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
