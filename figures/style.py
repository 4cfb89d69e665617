"""One style for every figure: colour-blind-safe tier colours (Okabe and Ito 2008)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # figures are written to files; no screen needed

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from model.tiers import DEFAULT_THRESHOLDS, TIER_LABELS

TIER_ORDER = TIER_LABELS
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


def tier_bands(ax, thresholds=DEFAULT_THRESHOLDS, labels: str | None = "right") -> None:
    """Shade the score axis by tier (0-100 index); ``labels`` names the tiers just outside
    the axes ("right"), just inside its left edge ("left") or not at all (None)."""
    low, high = thresholds
    for tier, (bottom, top) in zip(TIER_ORDER, ((0, low), (low, high), (high, 100)), strict=True):
        ax.axhspan(bottom, top, color=TIER_COLOURS[tier], alpha=0.08, lw=0)
        if not labels:
            continue
        left = labels == "left"
        ax.text(
            0.01 if left else 1.0,
            (bottom + top) / 2,
            f" {tier}",
            transform=ax.get_yaxis_transform(),
            va="center",
            ha="left",
            fontsize=8,
            color=TIER_COLOURS[tier],
        )
    ax.set_ylim(0, 100)


def label_visible_tiers(ax, thresholds=DEFAULT_THRESHOLDS) -> None:
    """Name the tier bands inside the axes' right edge, each at the middle of its visible
    part (for a zoomed score axis, where :func:`tier_bands`' labels would fall outside)."""
    low, high = thresholds
    bottom_view, top_view = ax.get_ylim()
    for tier, (bottom, top) in zip(TIER_ORDER, ((0, low), (low, high), (high, 100)), strict=True):
        bottom, top = max(bottom, bottom_view), min(top, top_view)
        if bottom >= top:
            continue
        ax.text(
            0.99,
            (bottom + top) / 2,
            tier,
            transform=ax.get_yaxis_transform(),
            va="center",
            ha="right",
            fontsize=8,
            color=TIER_COLOURS[tier],
        )


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


#: The formats every saved figure is written in: raster for the report, vector for papers.
FORMATS = ("png", "svg", "pdf")


def save(fig, path_without_suffix, formats=FORMATS) -> list:
    """Save a figure in every one of ``formats`` (PNG, SVG and PDF), nothing cut off at the
    edges (``bbox_inches="tight"``); close it and return the paths.

    The layout and the tight box are computed once, by the first format: the others reuse
    them (the figure's layout engine is then switched off), so each draws the figure once
    instead of laying it out again (about half of the time of a report's figures)."""
    paths = []
    box = "tight"
    try:
        for suffix in formats:
            path = f"{path_without_suffix}.{suffix}"
            fig.savefig(path, bbox_inches=box)
            paths.append(path)
            if box == "tight":
                box = fig.get_tightbbox().padded(plt.rcParams["savefig.pad_inches"])
                fig.set_layout_engine("none")
    finally:
        plt.close(fig)
    return paths


def repel(positions, min_gap: float, low: float | None = None, high: float | None = None):
    """Label positions (e.g. y values of line ends) moved apart so that neighbours are at
    least ``min_gap`` apart, as close to their own positions as that allows (least squares),
    inside [low, high] when given. A one-dimensional repel: with the positions sorted,
    q_i = p_i - i * min_gap must be non-decreasing, which is an isotonic regression
    (pool adjacent violators). Returns the positions in the input order."""
    import numpy as np

    values = np.asarray(positions, float)
    n = len(values)
    if n == 0:
        return values
    order = np.argsort(values, kind="stable")
    steps = min_gap * np.arange(n)
    targets = values[order] - steps
    blocks: list[list[float]] = []  # [mean, weight]
    for target in targets:
        blocks.append([target, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            mean, weight = blocks.pop()
            blocks[-1] = [
                (blocks[-1][0] * blocks[-1][1] + mean * weight) / (blocks[-1][1] + weight),
                blocks[-1][1] + weight,
            ]
    fitted = np.concatenate([np.full(int(w), m) for m, w in blocks]) + steps
    if low is not None and fitted[0] < low:
        fitted += low - fitted[0]
    if high is not None and fitted[-1] > high:
        fitted -= fitted[-1] - high
    result = np.empty(n)
    result[order] = fitted
    return result


#: A label's leader line: from 2 points left of the middle of the label's left edge
#: (``relpos``, ``shrinkA``) to its point, not clipped at the label's box (``patchA``):
#: matplotlib finds that crossing by bisection at every draw, which took most of the time
#: of saving a score plot.
LEADER = {
    "arrowstyle": "-", "lw": 0.4, "color": "grey", "shrinkA": 2, "shrinkB": 0,
    "relpos": (0.0, 0.5), "patchA": None,
}  # fmt: skip


def label_line_ends(ax, x, ends: dict, min_gap_fraction: float = 0.035, styles=None) -> None:
    """Direct labels just right of the plot at the lines' last points: ``ends`` maps label
    -> y of the last point at ``x``; labels closer than ``min_gap_fraction`` of the y-axis
    span are moved apart (:func:`repel`) and joined to their line by a thin leader.
    ``styles`` maps a label to extra text options (e.g. ``{"fontweight": "bold"}``)."""
    from matplotlib.transforms import blended_transform_factory

    if not ends:
        return
    styles = styles or {}
    low, high = ax.get_ylim()
    names = list(ends)
    placed = repel([ends[n] for n in names], min_gap_fraction * (high - low), low, high)
    label_at = blended_transform_factory(ax.transAxes, ax.transData)
    for name, y_label in zip(names, placed, strict=True):
        ax.annotate(
            str(name),
            xy=(x, ends[name]),
            xytext=(1.04, y_label),
            textcoords=label_at,
            fontsize=8,
            va="center",
            ha="left",
            annotation_clip=False,
            arrowprops=LEADER,
            **styles.get(name, {}),
        )


def score_lines(ax, agents, highlight=("PER",), labelled: bool = False):
    """One line per country of the median score over replications (``agents``: tidy
    rows with date, iso3, score); ``highlight`` in bold black, the others grey. Returns the
    wide table (dates x countries)."""
    wide = agents.pivot_table(index="date", columns="iso3", values="score", aggfunc="median")
    marker = "o" if len(wide) == 1 else None  # a single month shows as a dot
    for iso3 in wide.columns:
        strong = iso3 in highlight
        ax.plot(
            wide.index,
            wide[iso3],
            lw=2.4 if strong else 0.9,
            label=iso3 if labelled else None,
            marker=marker,
            color="black" if strong else "grey",
            alpha=1.0 if strong else 0.55,
            zorder=3 if strong else 2,
        )
    return wide
