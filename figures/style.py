"""One style for every figure: colour-blind-safe tier colours (Okabe and Ito 2008)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # figures are written to files; no screen needed

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

TIER_ORDER = ("Explorer", "Adopter", "Pioneer")
TIER_COLOURS = {"Explorer": "#CC79A7", "Adopter": "#E69F00", "Pioneer": "#0072B2"}
#: Further colours for series that are not tiers (scenarios, policies), in order.
SERIES_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#56B4E9", "#F0E442", "#000000", "#CC79A7")
STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "font.size": 10,
    "axes.titlesize": 11,
    "legend.frameon": False,
}


def new_figure(nrows: int = 1, ncols: int = 1, **kwargs):
    """A figure and its axes in the project's style."""
    with plt.rc_context(STYLE):
        return plt.subplots(nrows, ncols, **kwargs)


def date_axis(ax) -> None:
    """Years on a time axis."""
    ax.xaxis.set_major_locator(mdates.YearLocator(2))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.set_xlabel("date (month)")


def tier_bands(ax, thresholds=(35.0, 60.0)) -> None:
    """Shade the score axis by tier (0-100 index)."""
    low, high = thresholds
    for tier, (bottom, top) in zip(TIER_ORDER, ((0, low), (low, high), (high, 100)), strict=True):
        ax.axhspan(bottom, top, color=TIER_COLOURS[tier], alpha=0.08, lw=0)
        ax.text(
            1.0,
            (bottom + top) / 2,
            f" {tier}",
            transform=ax.get_yaxis_transform(),
            va="center",
            ha="left",
            fontsize=8,
            color=TIER_COLOURS[tier],
        )
    ax.set_ylim(0, 100)


#: Quantiles of a fan chart: the 90% interval, the 50% interval and the median.
FAN_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def quantile_table(frame: pd.DataFrame, x: str | list[str], value: str) -> pd.DataFrame:
    """Quantiles (:data:`FAN_QUANTILES`) of ``value`` over the rows sharing each ``x``
    (replicates, runs); one column per quantile."""
    return frame.groupby(x)[value].quantile(list(FAN_QUANTILES)).unstack()


def fan(ax, quantiles: pd.DataFrame, colour: str, label: str | None = None, lw: float = 2.0):
    """A fan on ``ax`` from a :func:`quantile_table`: the median line and the 50% and 90%
    bands (two ``fill_between`` collections). Returns the median line."""
    ax.fill_between(
        quantiles.index, quantiles[0.05], quantiles[0.95], color=colour, alpha=0.12, lw=0
    )
    ax.fill_between(
        quantiles.index, quantiles[0.25], quantiles[0.75], color=colour, alpha=0.25, lw=0
    )
    (line,) = ax.plot(quantiles.index, quantiles[0.5], color=colour, lw=lw, label=label)
    return line


def series_colour(k: int) -> str:
    """The k-th colour of :data:`SERIES_COLOURS` (cycling)."""
    return SERIES_COLOURS[k % len(SERIES_COLOURS)]


def save(fig, path_without_suffix) -> list:
    """Save a figure as PNG and SVG; return the paths."""
    paths = []
    for suffix in (".png", ".svg"):
        path = f"{path_without_suffix}{suffix}"
        fig.savefig(path, bbox_inches="tight")
        paths.append(path)
    plt.close(fig)
    return paths
