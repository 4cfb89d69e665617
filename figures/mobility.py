"""Figures of tier mobility: transition matrices, mobility indices, the window after the shock
and the probability of moving up by policy start date.

Inputs are the tidy tables of :class:`mobility.MobilitySummary` (or the
``mobility_*.csv`` files ``latam-ai run`` writes from them) and the dict returned by
:func:`mobility.probability_up_by_start_date`. Every estimate is drawn with its interval.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from figures.style import TIER_ORDER, date_axis, new_figure, series_colour
from mobility.markov import INDEX_NAMES

#: Unitless mobility indices drawn on one axis (half-life and times in months are not).
SCALAR_INDICES = tuple(name for name in INDEX_NAMES if name != "half_life")


def _number(value: float) -> str:
    return "n/a" if not np.isfinite(value) else f"{value:.2f}"


def transition_heatmap(
    transitions: pd.DataFrame, step_months: float = 12, title: str | None = None
) -> Figure:
    """Transition matrix as an annotated heatmap: each cell the probability of moving from
    the row tier to the column tier in ``step_months``, its interval and the count.

    ``transitions``: columns from, to, count, probability, low, high (one row per cell).
    """

    def grid(column: str) -> np.ndarray:
        table = transitions.pivot(index="from", columns="to", values=column)
        return table.reindex(index=list(TIER_ORDER), columns=list(TIER_ORDER)).to_numpy(float)

    p, low, high, count = (grid(c) for c in ("probability", "low", "high", "count"))
    fig, ax = new_figure(figsize=(6.2, 5))
    image = ax.imshow(np.nan_to_num(p), cmap="cividis", vmin=0, vmax=1)
    ax.grid(False)
    for i, j in np.ndindex(p.shape):
        colour = "black" if np.nan_to_num(p[i, j]) > 0.6 else "white"
        ax.text(
            j,
            i,
            f"{_number(p[i, j])}\n[{_number(low[i, j])}, {_number(high[i, j])}]\n"
            f"n = {np.nan_to_num(count[i, j]):.0f}",
            ha="center",
            va="center",
            fontsize=8.5,
            color=colour,
        )
    ticks = np.arange(len(TIER_ORDER))
    ax.set_xticks(ticks, TIER_ORDER)
    ax.set_yticks(ticks, TIER_ORDER)
    ax.set_xlabel(f"tier {step_months:g} months later")
    ax.set_ylabel("tier at the start of the step")
    colourbar = fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    colourbar.set_label("transition probability (share of the row tier, 0-1)")
    ax.set_title(title or "Tier transitions: probability [interval], count")
    return fig


def _interval_errors(rows: pd.DataFrame) -> np.ndarray:
    estimate = rows["estimate"].to_numpy(float)
    below = np.clip(estimate - rows["low"].to_numpy(float), 0, None)
    above = np.clip(rows["high"].to_numpy(float) - estimate, 0, None)
    return np.nan_to_num(np.vstack([below, above]))


def mobility_indices(indices: pd.DataFrame) -> Figure:
    """Mobility indices with their intervals (dot and whisker), one colour per tier
    classification: left the unitless indices (Shorrocks, determinant, ...), right the
    persistence of each tier (probability of staying one step).

    ``indices``: columns classification, measure, tier, estimate, low, high.
    """
    frame = indices.copy()
    frame["tier"] = frame["tier"].fillna("")
    finite = np.isfinite(frame["estimate"].astype(float))
    scalar = frame[frame["measure"].isin(SCALAR_INDICES) & (frame["tier"] == "") & finite]
    persistence = frame[(frame["measure"] == "persistence") & finite]
    classes = list(dict.fromkeys(frame["classification"]))
    fig, (left, right) = new_figure(1, 2, figsize=(11, 4.6), width_ratios=(1.6, 1))
    offset = np.linspace(-0.25, 0.25, len(classes)) if len(classes) > 1 else np.zeros(1)
    for panel, rows, labels in (
        (left, scalar, list(SCALAR_INDICES)),
        (right, persistence, list(TIER_ORDER)),
    ):
        key = "measure" if panel is left else "tier"
        for k, name in enumerate(classes):
            these = rows[rows["classification"] == name]
            these = these[these[key].isin(labels)]
            y = np.array([labels.index(v) for v in these[key]], dtype=float) + offset[k]
            panel.errorbar(
                these["estimate"],
                y,
                xerr=_interval_errors(these),
                fmt="o",
                color=series_colour(k),
                capsize=3,
                label=str(name),
            )
        panel.set_yticks(np.arange(len(labels)), labels)
        panel.invert_yaxis()
    left.set_xlabel("index value (unitless; 0 = no mobility)")
    left.set_title("Mobility indices [interval]")
    right.set_xlabel("probability of staying in the tier per step (0-1)")
    right.set_title("Persistence by tier [interval]")
    left.legend(title="tiers", loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


def _closing_values(closing) -> dict | None:
    if closing is None:
        return None
    if isinstance(closing, Mapping):
        return dict(closing)
    return {name: getattr(closing, name) for name in ("t_star", "low", "high", "threshold")}


def window_hazard(window: pd.DataFrame, closing=None, shock_date: str | None = None) -> Figure:
    """The window: the upward hazard (share of countries below Pioneer that move up a tier
    in one step) against months since the shock, with its interval, the closing threshold
    and the window-closing time t* with its interval.

    ``window``: columns months_since_shock, hazard, low, high (``MobilitySummary.window``).
    ``closing``: a :class:`mobility.WindowClosing` or a mapping with t_star, low, high,
    threshold (optional; without it only the hazard is drawn).
    """
    frame = window.sort_values("months_since_shock")
    months = frame["months_since_shock"].to_numpy(float)
    fig, ax = new_figure(figsize=(8, 4.5))
    ax.fill_between(
        months,
        frame["low"].to_numpy(float),
        frame["high"].to_numpy(float),
        color=series_colour(0),
        alpha=0.25,
        lw=0,
        label="interval",
    )
    ax.plot(months, frame["hazard"], color=series_colour(0), lw=2, label="upward hazard")
    shock = "shock" + (f" ({shock_date})" if shock_date else "")
    ax.axvline(0, color="black", lw=0.8, ls=":", label=shock)
    values = _closing_values(closing)
    title = "The window: upward hazard since the shock"
    if values is not None:
        ax.axhline(values["threshold"], color="grey", lw=1, ls="--", label="closing threshold")
        t_star, low, high = (float(values[k]) for k in ("t_star", "low", "high"))
        if np.isfinite(low) or np.isfinite(high):
            left = low if np.isfinite(low) else months.min()
            right = high if np.isfinite(high) else months.max()
            ax.axvspan(left, right, color=series_colour(1), alpha=0.12, lw=0, label="t* interval")
        if np.isfinite(t_star):
            ax.axvline(t_star, color=series_colour(1), lw=2, label=f"t* = {t_star:.0f} months")
            title += f"; t* = {t_star:.0f} [{_number(low)}, {_number(high)}] months"
        else:
            title += "; the window does not close within the horizon"
    ax.set_xlabel("months since the shock (months)")
    ax.set_ylabel("upward hazard (share moving up per step, 0-1)")
    ax.set_ylim(bottom=0)
    ax.set_title(title, fontsize=10)
    ax.legend(loc="upper right", fontsize=8)
    return fig


def probability_up_by_start(result: Mapping | pd.DataFrame, title: str | None = None) -> Figure:
    """Probability of moving up a tier against the policy start date, with its interval.

    ``result``: the dict of :func:`mobility.probability_up_by_start_date` or a frame with
    columns start_date, probability, low, high.
    """
    frame = pd.DataFrame(
        {k: np.asarray(result[k]) for k in ("start_date", "probability", "low", "high")}
    )
    try:
        x = pd.to_datetime(frame["start_date"].astype(str))
        dated = True
    except (ValueError, TypeError):
        x, dated = frame["start_date"], False
    fig, ax = new_figure(figsize=(8, 4.5))
    ax.fill_between(
        x, frame["low"], frame["high"], color=series_colour(0), alpha=0.25, lw=0, label="interval"
    )
    ax.plot(
        x,
        frame["probability"],
        color=series_colour(0),
        marker="o",
        ms=3,
        lw=1.5,
        label="probability of moving up",
    )
    if dated:
        date_axis(ax)
    ax.set_xlabel("policy start date (month)")
    ax.set_ylabel("probability of moving up a tier (0-1)")
    ax.set_ylim(0, 1)
    ax.set_title(title or "Moving up by policy start date")
    ax.legend(loc="upper right", fontsize=8)
    return fig


__all__ = ["mobility_indices", "probability_up_by_start", "transition_heatmap", "window_hazard"]
