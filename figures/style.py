"""One style for every figure: colour-blind-safe tier colours (Okabe and Ito 2008)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # figures are written to files; no screen needed

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

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
        ax.text(1.0, (bottom + top) / 2, f" {tier}", transform=ax.get_yaxis_transform(),
                va="center", ha="left", fontsize=8, color=TIER_COLOURS[tier])  # fmt: skip
    ax.set_ylim(0, 100)


def save(fig, path_without_suffix) -> list:
    """Save a figure as PNG and SVG; return the paths."""
    paths = []
    for suffix in (".png", ".svg"):
        path = f"{path_without_suffix}{suffix}"
        fig.savefig(path, bbox_inches="tight")
        paths.append(path)
    plt.close(fig)
    return paths
