"""Noise-only twins: each outcome of a `[posterior]` experiment noise only and parameters + noise.

An experiment file with a ``[posterior]`` section runs as written (posterior draws x
replications, a ``posterior_draw`` column) and as its noise-only twin ``<stem>_noise_only``
(``experiments.findings.common.run_experiments``); :func:`uncertainty_pair` loads the two
and :func:`two_intervals` reports one outcome both ways.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from experiments.findings.common import NOISE_ONLY, bootstrap_mean, load, percentile, wilson


def uncertainty_pair(folder: str | Path, stem: str, trajectories: bool = False):
    """(noise-only results, parameters + noise results or None) of experiment ``stem`` in
    ``folder``: with a ``[posterior]`` section the sweep ``stem`` is the posterior one and
    ``stem_noise_only`` its twin; without one, ``stem`` is noise only and there is no
    posterior sweep."""
    folder = Path(folder)
    twin = folder / f"{stem}{NOISE_ONLY}"
    if twin.exists():
        return load(twin, trajectories), load(folder / stem, trajectories)
    return load(folder / stem, trajectories), None


def two_intervals(
    noise: pd.DataFrame,
    posterior: pd.DataFrame | None,
    value: str,
    kind: str = "mean",
    prefix: str = "",
) -> dict[str, float]:
    """One outcome reported both ways, as a flat row: ``noise_*`` over the noise-only runs
    and ``parameters_*`` over the posterior runs (NaN when there are none).

    ``kind="probability"``: the share of runs (a 0/1 column) with its 95% Wilson interval
    over runs; with the posterior also the 5-95% range of the per-draw probabilities
    (``parameters_draw_p05``/``_p95``). ``kind="mean"``: the mean with its 95% bootstrap
    interval over runs and the 5-95% percentile range of the runs (``*_p05``, ``*_p95``).
    """
    row = {}
    for source, table in (("noise", noise), ("parameters", posterior)):
        values = np.array([], float) if table is None else table[value].to_numpy(float)
        values = values[~np.isnan(values)]
        if kind == "probability":
            estimate = wilson(values.sum(), values.size)
            row |= {
                f"{prefix}{source}_{k}": v
                for k, v in zip(("p", "low", "high"), estimate, strict=True)
            }
            if source == "parameters":
                per_draw = (
                    table.groupby("posterior_draw")[value].mean().to_numpy(float)
                    if table is not None and "posterior_draw" in table
                    else np.array([], float)
                )
                low, high = percentile(per_draw)
                row |= {f"{prefix}parameters_draw_p05": low, f"{prefix}parameters_draw_p95": high}
        elif kind == "mean":
            mean, low, high = bootstrap_mean(values)
            p05, p95 = percentile(values)
            row |= {
                f"{prefix}{source}_mean": mean,
                f"{prefix}{source}_low": low,
                f"{prefix}{source}_high": high,
                f"{prefix}{source}_p05": p05,
                f"{prefix}{source}_p95": p95,
            }
        else:
            raise ValueError(f"kind={kind!r}; allowed: probability, mean")
        row[f"{prefix}{source}_runs"] = int(values.size)
    return row
