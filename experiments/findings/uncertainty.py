"""The two intervals every finding reports: noise only, and parameters + noise.

* **Noise only**: the experiment at the default parameters, replications as the
  independent units (Wilson intervals for probabilities, bootstrap over replicates for
  means and paired differences; ``experiments.findings.common``).
* **Parameters + noise**: the same scenarios crossed with draws of the calibration
  posterior (``[posterior]`` in the experiment file; ``posterior_draw`` in the results).
  Draws are the independent units of parameter uncertainty and the replicates of a draw
  are nested in it, so intervals come from a cluster bootstrap that resamples whole draws
  (Davison and Hinkley 1997, section 3.8): a probability is the share of all runs of the
  resampled draws; a paired difference is taken within (draw, replicate) first.

Without a ``posterior_draw`` column each replicate is its own cluster, so the same
functions give the noise-only interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.findings.common import LEVEL, N_BOOT

POSTERIOR_DRAW = "posterior_draw"


def clusters(table: pd.DataFrame) -> pd.Series:
    """The bootstrap cluster of each run: its posterior draw if the results have one,
    else its replicate."""
    column = POSTERIOR_DRAW if POSTERIOR_DRAW in table.columns else "replicate"
    return table[column]


def unit(table: pd.DataFrame) -> pd.Series:
    """The pairing unit of each run across scenarios: (draw, replicate) or replicate."""
    if POSTERIOR_DRAW in table.columns:
        return table[POSTERIOR_DRAW].astype(int) * 1_000_000 + table["replicate"].astype(int)
    return table["replicate"].astype(int)


def cluster_resamples(ids: np.ndarray, n_boot: int = N_BOOT, seed: int = 0) -> np.ndarray:
    """(n_boot, clusters) indices into the sorted unique cluster ids, with replacement."""
    k = np.unique(ids).size
    return np.random.default_rng(seed).integers(0, k, size=(n_boot, k))


def cluster_share(
    success: np.ndarray, ids: np.ndarray, level: float = LEVEL, n_boot: int = N_BOOT, seed: int = 0
) -> tuple[float, float, float]:
    """Share of successes over all runs with a cluster-bootstrap percentile interval:
    (p, low, high). ``ids`` is each run's cluster."""
    success = np.asarray(success, float)
    keys, inverse = np.unique(ids, return_inverse=True)
    hits = np.bincount(inverse, weights=success, minlength=keys.size)
    runs = np.bincount(inverse, minlength=keys.size).astype(float)
    index = cluster_resamples(ids, n_boot, seed)
    boot = hits[index].sum(1) / runs[index].sum(1)
    tail = 50 * (1 - level)
    low, high = np.percentile(boot, [tail, 100 - tail])
    return float(hits.sum() / runs.sum()), float(low), float(high)


def cluster_mean(
    values: np.ndarray, ids: np.ndarray, level: float = LEVEL, n_boot: int = N_BOOT, seed: int = 0
) -> tuple[float, float, float]:
    """Mean over runs with a cluster-bootstrap percentile interval (NaN ignored)."""
    values = np.asarray(values, float)
    valid = ~np.isnan(values)
    keys, inverse = np.unique(np.asarray(ids)[valid], return_inverse=True)
    if keys.size == 0:
        return (np.nan, np.nan, np.nan)
    total = np.bincount(inverse, weights=values[valid], minlength=keys.size)
    count = np.bincount(inverse, minlength=keys.size).astype(float)
    index = np.random.default_rng(seed).integers(0, keys.size, size=(n_boot, keys.size))
    boot = total[index].sum(1) / count[index].sum(1)
    tail = 50 * (1 - level)
    low, high = np.percentile(boot, [tail, 100 - tail])
    return float(total.sum() / count.sum()), float(low), float(high)


def paired(
    table: pd.DataFrame, by: str, value: str, baseline, within: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Per scenario (column ``by``, within groups ``within``): ``value`` minus the
    ``baseline`` scenario's within the same pairing unit (:func:`unit`; common random
    numbers), mean with a cluster-bootstrap interval and the share of units > 0."""
    frame = table.assign(_unit=unit(table), _cluster=clusters(table))
    rows = []
    for key, block in frame.groupby(list(within), sort=False) if within else [((), frame)]:
        wide = block.pivot_table(index=["_unit", "_cluster"], columns=by, values=value)
        if baseline not in wide.columns:
            continue
        ids = wide.index.get_level_values("_cluster").to_numpy()
        for scenario in wide.columns:
            if scenario == baseline:
                continue
            diff = (wide[scenario] - wide[baseline]).to_numpy(float)
            mean, low, high = cluster_mean(diff, ids)
            valid = diff[~np.isnan(diff)]
            row = dict(zip(within, key if isinstance(key, tuple) else (key,), strict=True))
            rows.append(
                row
                | {
                    by: scenario,
                    "metric": value,
                    "mean_difference": mean,
                    "low": low,
                    "high": high,
                    "share_positive": float(np.mean(valid > 0)) if valid.size else np.nan,
                    "units": int(valid.size),
                }
            )
    return pd.DataFrame(rows)


def interval_kind(table: pd.DataFrame) -> str:
    """'parameters + noise' with posterior draws in the results, else 'noise only'."""
    return "parameters + noise" if POSTERIOR_DRAW in table.columns else "noise only"
