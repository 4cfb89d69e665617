"""Figures of global sensitivity: Sobol indices as bars and Morris mu* against sigma.

Inputs are the ranked tables of :mod:`sensitivity` (``sobol_indices``:
parameter, S1, S1_conf, ST, ST_conf; ``morris_indices``: parameter, mu_star,
mu_star_conf, mu, sigma), or the ``sensitivity_<method>_<metric>.csv`` files that
``latam-ai sensitivity`` writes. :func:`sensitivity_bars` is also the figure that
``latam-ai sensitivity`` saves (figures never import the experiments package).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.container import BarContainer
from matplotlib.figure import Figure

from figures.style import new_figure, series_colour


def sensitivity_bars(table: pd.DataFrame, metric: str) -> Figure:
    """Horizontal bars of the indices with their confidence intervals: S1 and ST for a
    Sobol table, mu* with sigma as dots for a Morris table."""
    table = table.iloc[::-1]
    fig, ax = new_figure(figsize=(7, 0.45 * len(table) + 1.5), layout="constrained")
    y = np.arange(len(table))
    if "ST" in table:
        ax.barh(y + 0.2, table["ST"], 0.4, xerr=table["ST_conf"], label="total order ST")
        ax.barh(y - 0.2, table["S1"], 0.4, xerr=table["S1_conf"], label="first order S1")
        ax.set_xlabel("Sobol index (share of variance)")
    else:
        ax.barh(y, table["mu_star"], 0.6, xerr=table["mu_star_conf"], label="mu*")
        ax.plot(table["sigma"], y, "o", color="black", label="sigma")
        ax.set_xlabel("Morris elementary effect per full parameter range")
    ax.set_yticks(y, table["parameter"])
    ax.set_title(f"Sensitivity of {metric}")
    ax.legend(loc="lower right")
    bars = [c for c in ax.containers if isinstance(c, BarContainer)]
    for k, container in enumerate(bars):
        for bar in container.patches:
            bar.set_facecolor(series_colour(k))
    ax.set_ylabel("parameter")
    return fig


def sobol_bars(table: pd.DataFrame, metric: str) -> Figure:
    """First-order (S1) and total-order (ST) Sobol indices of ``metric`` per parameter as
    horizontal bars with their confidence intervals."""
    missing = {"parameter", "S1", "S1_conf", "ST", "ST_conf"} - set(table.columns)
    if missing:
        raise ValueError(f"not a Sobol table: missing columns {sorted(missing)}")
    return sensitivity_bars(table, metric)


def morris_scatter(table: pd.DataFrame, metric: str) -> Figure:
    """Morris screening of ``metric``: mu* (mean absolute elementary effect, with its
    confidence interval) against sigma (spread of the effects: non-linearity or
    interactions), one labelled point per parameter; the line sigma = mu* separates
    mostly linear (below) from non-linear or interacting effects (above)."""
    missing = {"parameter", "mu_star", "mu_star_conf", "sigma"} - set(table.columns)
    if missing:
        raise ValueError(f"not a Morris table: missing columns {sorted(missing)}")
    fig, ax = new_figure(figsize=(7, 5.5), layout="constrained")
    x = table["mu_star"].to_numpy(float)
    y = table["sigma"].to_numpy(float)
    ax.errorbar(
        x,
        y,
        xerr=np.nan_to_num(table["mu_star_conf"].to_numpy(float)),
        fmt="o",
        color=series_colour(0),
        capsize=3,
        label="parameter (mu* interval)",
    )
    _label_points(ax, table["parameter"].astype(str).tolist(), x, y)
    top = float(np.nanmax(np.concatenate([x, y, [1e-12]]))) * 1.1
    ax.plot([0, top], [0, top], color="grey", lw=0.8, ls="--", label="sigma = mu*")
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel(f"mu* (mean |elementary effect| on {metric}, per full parameter range)")
    ax.set_ylabel(f"sigma (sd of elementary effects on {metric})")
    ax.set_title(f"Morris screening of {metric}")
    ax.legend(loc="upper left", fontsize=8)
    return fig


def _label_points(ax, names, x, y, min_gap_fraction: float = 0.04) -> None:
    """Point labels to the right of their points, moved apart vertically where they would
    overlap (points of similar x; a simple repel), with a leader when moved."""
    from figures.style import repel

    order = np.argsort(x)
    span = float(np.nanmax(np.concatenate([x, y, [1e-12]]))) * 1.1
    placed = np.asarray(y, float).copy()
    # points within a tenth of the span in x compete for the same vertical room
    bins = np.floor(np.nan_to_num(x[order]) / (0.1 * span))
    for b in np.unique(bins):
        members = order[bins == b]
        placed[members] = repel(y[members], min_gap_fraction * span, 0, span)
    for name, xi, yi, yl in zip(names, x, y, placed, strict=True):
        moved = abs(yl - yi) > 1e-9
        ax.annotate(
            name,
            (xi, yi),
            xytext=(xi + 0.02 * span, yl),
            textcoords="data",
            fontsize=8,
            va="center",
            arrowprops={"arrowstyle": "-", "lw": 0.4, "color": "grey"} if moved else None,
        )
