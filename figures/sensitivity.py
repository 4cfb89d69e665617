"""Figures of global sensitivity: Sobol indices as bars and Morris mu* against sigma.

Inputs are the ranked tables of :mod:`experiments.sweep.sensitivity` (``sobol_indices``:
parameter, S1, S1_conf, ST, ST_conf; ``morris_indices``: parameter, mu_star,
mu_star_conf, mu, sigma), or the ``sensitivity_<method>_<metric>.csv`` files that
``latam-ai sensitivity`` writes. The bar chart is the sweep's own
:func:`experiments.sweep.sensitivity.sensitivity_figure`, recoloured in the project style.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.container import BarContainer
from matplotlib.figure import Figure

from figures.style import new_figure, series_colour


def sobol_bars(table: pd.DataFrame, metric: str) -> Figure:
    """First-order (S1) and total-order (ST) Sobol indices of ``metric`` per parameter as
    horizontal bars with their confidence intervals (the sweep's figure, project colours)."""
    from experiments.sweep.sensitivity import sensitivity_figure

    missing = {"parameter", "S1", "S1_conf", "ST", "ST_conf"} - set(table.columns)
    if missing:
        raise ValueError(f"not a Sobol table: missing columns {sorted(missing)}")
    fig = sensitivity_figure(table, metric)
    ax = fig.axes[0]
    bars = [c for c in ax.containers if isinstance(c, BarContainer)]
    for k, container in enumerate(bars):
        for bar in container.patches:
            bar.set_facecolor(series_colour(k))
    ax.legend(loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_ylabel("parameter")
    return fig


def morris_scatter(table: pd.DataFrame, metric: str) -> Figure:
    """Morris screening of ``metric``: mu* (mean absolute elementary effect, with its
    confidence interval) against sigma (spread of the effects: non-linearity or
    interactions), one labelled point per parameter; the line sigma = mu* separates
    mostly linear (below) from non-linear or interacting effects (above)."""
    missing = {"parameter", "mu_star", "mu_star_conf", "sigma"} - set(table.columns)
    if missing:
        raise ValueError(f"not a Morris table: missing columns {sorted(missing)}")
    fig, ax = new_figure(figsize=(7, 5.5))
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
    for name, xi, yi in zip(table["parameter"], x, y, strict=True):
        ax.annotate(str(name), (xi, yi), xytext=(4, 3), textcoords="offset points", fontsize=8)
    top = float(np.nanmax(np.concatenate([x, y, [1e-12]]))) * 1.1
    ax.plot([0, top], [0, top], color="grey", lw=0.8, ls="--", label="sigma = mu*")
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel(f"mu* (mean |elementary effect| on {metric}, per full parameter range)")
    ax.set_ylabel(f"sigma (sd of elementary effects on {metric})")
    ax.set_title(f"Morris screening of {metric}")
    ax.legend(loc="upper left", fontsize=8)
    return fig
