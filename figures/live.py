"""Figures of one running model, redrawn each month by the dashboard (``app.py``).

Tidy frames in (``RegionModel.agent_frame()`` and ``RegionModel.model_frame()``), matplotlib
Figures out. The time axis spans the whole run from the first month, so a figure grows
from left to right as the model steps; pass ``end`` to fix the right edge.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from figures.style import (
    SERIES_COLOURS,
    TIER_COLOURS,
    TIER_ORDER,
    date_axis,
    new_figure,
    tier_bands,
)
from figures.style import score_lines as draw_score_lines
from model.tiers import DEFAULT_THRESHOLDS

TIER_COUNT_COLUMNS = {"Explorer": "explorers", "Adopter": "adopters", "Pioneer": "pioneers"}
OTHERS_COLOUR = "#BBBBBB"


def _time_limits(ax, dates: pd.Series, end=None) -> None:
    start = pd.Timestamp(dates.min())
    right = pd.Timestamp(end) if end is not None else pd.Timestamp(dates.max())
    ax.set_xlim(start, max(right, start + pd.DateOffset(months=1)))


def score_lines(
    agents: pd.DataFrame,
    thresholds: tuple[float, float] = DEFAULT_THRESHOLDS,
    highlight: Sequence[str] = ("PER",),
    end=None,
    *,
    label_all: bool = False,
    title: str | None = None,
):
    """Every country's composite score (index 0-100) over time (the median where there
    are replications), one line per country, on the tier bands of ``thresholds``; the
    ``highlight`` countries drawn thick and black. Labels at the last point: the
    highlighted countries, or every country with ``label_all``."""
    fig, ax = new_figure(figsize=(7, 4.2))
    tier_bands(ax, thresholds)
    wide = draw_score_lines(ax, agents, highlight, labelled=True)
    for iso3 in wide.columns:
        strong = iso3 in highlight
        if strong or label_all:
            ax.annotate(
                iso3,
                (wide.index[-1], wide[iso3].iloc[-1]),
                fontsize=8,
                fontweight="bold" if strong else "normal",
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
            )
    ax.set_ylabel("composite score (index 0-100)")
    ax.set_title(title or "Country scores (" + ", ".join(highlight) + " highlighted)")
    date_axis(ax)
    _time_limits(ax, agents["date"], end)
    return fig


def tier_count_lines(region: pd.DataFrame, end=None):
    """Number of countries in each tier over time (step lines in the tier colours), from a
    model frame with columns ``date``, ``explorers``, ``adopters``, ``pioneers``."""
    fig, ax = new_figure(figsize=(7, 3.6))
    for tier in TIER_ORDER:
        ax.step(
            region["date"],
            region[TIER_COUNT_COLUMNS[tier]],
            where="post",
            lw=2,
            color=TIER_COLOURS[tier],
            label=tier,
        )
    ax.set_ylabel("number of countries")
    ax.set_ylim(0, None)
    ax.set_title("Countries per tier")
    ax.legend(loc="upper left", ncols=3)
    date_axis(ax)
    _time_limits(ax, region["date"], end)
    return fig


def capital_shares(
    agents: pd.DataFrame, named: int = 5, highlight: Sequence[str] = ("PER",), end=None
):
    """Each country's share of the region's AI capital over time (stacked areas summing to
    one): the ``named`` largest holders at the last month plus the ``highlight`` countries
    in their own colours, the rest together in grey."""
    wide = agents.pivot_table(index="date", columns="iso3", values="capital", aggfunc="median")
    share = wide.div(wide.sum(axis=1), axis=0).fillna(0.0)
    ranked = share.iloc[-1].sort_values(ascending=False).index.tolist()
    keep = ranked[:named] + [c for c in highlight if c in share.columns and c not in ranked[:named]]
    others = [c for c in share.columns if c not in keep]
    fig, ax = new_figure(figsize=(7, 3.8))
    series = [share[c] for c in keep] + [share[others].sum(axis=1)]
    labels = keep + [f"other {len(others)}"]
    colours = [SERIES_COLOURS[i % len(SERIES_COLOURS)] for i in range(len(keep))] + [OTHERS_COLOUR]
    ax.stackplot(share.index, *series, labels=labels, colors=colours, alpha=0.9, step="post")
    ax.set_ylim(0, 1)
    ax.set_ylabel("share of the region's AI capital")
    ax.set_title("Capital shares")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    date_axis(ax)
    _time_limits(ax, agents["date"], end)
    return fig


__all__ = ["capital_shares", "score_lines", "tier_count_lines"]
