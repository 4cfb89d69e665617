"""Calibration moments: what a run says about the facts the data give (MODEL_NOTES 5).

Each is a summary metric (one number per run), declared in ``sweeps.metrics.MOMENT_METRICS``.
The ILIA 2025 comparisons are meaningful for runs started from ILIA 2024 and ending in
October 2025 (ILIA 2025's publication); they are NaN for runs on other countries
(synthetic regions).
"""

from __future__ import annotations

import functools

import numpy as np

from model.equations import classify_tiers
from model.world import EDITIONS, world_data

#: The three countries that received most private AI investment 2022-2024 (CSET).
LEADING_INVESTEES = ("BRA", "ARG", "MEX")


@functools.lru_cache(maxsize=2)
def ilia_scores(edition: str = "ilia2025") -> dict[str, float]:
    """Published ILIA overall scores of an edition, by ISO3."""
    return world_data().ilia[EDITIONS[edition]].dropna().to_dict()


def _published(h, edition: str = "ilia2025") -> np.ndarray | None:
    scores = ilia_scores(edition)
    if not all(c in scores for c in h.countries):
        return None
    return np.array([scores[c] for c in h.countries])


def ilia2025_score_rmse(h) -> np.ndarray:
    """Root mean square difference between the scores at the end and ILIA 2025."""
    published = _published(h)
    if published is None:
        return np.full(h.tiers.shape[0], np.nan)
    return np.sqrt(((h.end["score"] - published) ** 2).mean(axis=-1))


def ilia2025_tiers_kept(h) -> np.ndarray:
    """Share of countries whose tier at the end equals their ILIA 2025 tier (by score)."""
    published = _published(h)
    if published is None:
        return np.full(h.tiers.shape[0], np.nan)
    expected = classify_tiers(published, h.params["tier_thresholds"])
    return (h.end["tier"] == expected).mean(axis=-1)


def tier_persistence(h) -> np.ndarray:
    """Share of countries in the same tier at the end as at the start."""
    return (h.end["tier"] == h.start["tier"]).mean(axis=-1)


def mean_score_change(h) -> np.ndarray:
    """Mean over countries of the score change from start to end (index points)."""
    return (h.end["score"] - h.start["score"]).mean(axis=-1)


def region_share_trend(h) -> np.ndarray:
    """Least-squares slope of the log of the region's monthly investment share, per year."""
    share = h.region_share[:, 1:]  # no inflow yet in the first month
    if share.shape[1] < 3:
        return np.full(share.shape[0], np.nan)
    years = np.arange(share.shape[1]) / 12.0
    centred = years - years.mean()
    logs = np.log(np.maximum(share, 1e-12))
    return ((logs - logs.mean(axis=1, keepdims=True)) * centred).sum(axis=1) / (centred**2).sum()


def leading_investee_share(h) -> np.ndarray:
    """Share of BRA, ARG and MEX in the capital the region received during the run.

    Received capital is K_end - K_start (1 - delta/12)^T: the inflows net of what the
    start stock lost to depreciation.
    """
    if not all(c in h.countries for c in LEADING_INVESTEES):
        return np.full(h.tiers.shape[0], np.nan)
    months = len(h.months) - 1
    keep = (1.0 - np.asarray(h.params["capital_depreciation"], float) / 12.0) ** months
    received = np.maximum(h.end["capital"] - h.start["capital"] * keep, 0.0)
    leading = [h.countries.index(c) for c in LEADING_INVESTEES]
    return received[:, leading].sum(axis=-1) / received.sum(axis=-1)
