"""Figures of the headline run: trajectories with tier bands, tier composition, Peru's paths.

Each function takes tidy frames (columns as written by ``latam-ai run``: ``date``,
``iso3``, ``score``, ``tier``, ``replicate`` and scenario columns) and returns a Figure.
"""

from __future__ import annotations

import pandas as pd

from figures.style import (
    SERIES_COLOURS,
    TIER_COLOURS,
    TIER_ORDER,
    date_axis,
    new_figure,
    tier_bands,
)


def score_trajectories(agents: pd.DataFrame, thresholds=(35.0, 60.0), highlight=("PER",)):
    """Median score of every country over replications, with tier bands."""
    fig, ax = new_figure(figsize=(9, 5.5))
    tier_bands(ax, thresholds)
    median = agents.groupby(["iso3", "date"])["score"].median().unstack("iso3")
    for iso3 in median.columns:
        strong = iso3 in highlight
        ax.plot(median.index, median[iso3], lw=2.2 if strong else 0.9,
                color="black" if strong else "grey", alpha=1.0 if strong else 0.6)  # fmt: skip
        ax.annotate(iso3, (median.index[-1], median[iso3].iloc[-1]), fontsize=7,
                    xytext=(2, 0), textcoords="offset points", va="center")  # fmt: skip
    ax.set_ylabel("ILIA composite score (index 0-100)")
    ax.set_title("Country scores (median over replications)")
    date_axis(ax)
    return fig


def tier_composition(agents: pd.DataFrame, by: str | None = None):
    """Share of countries in each tier over time (stacked areas), one panel per ``by``."""
    groups = [(None, agents)] if by is None else list(agents.groupby(by, sort=False))
    fig, axes = new_figure(1, len(groups), figsize=(4.5 * len(groups), 4), sharey=True,
                           squeeze=False)  # fmt: skip
    for ax, (label, frame) in zip(axes[0], groups, strict=True):
        counts = frame.groupby(["date", "tier"]).size().unstack("tier", fill_value=0)
        counts = counts.reindex(columns=list(TIER_ORDER), fill_value=0)
        share = counts.div(counts.sum(axis=1), axis=0)
        ax.stackplot(share.index, *(share[t] for t in TIER_ORDER), labels=TIER_ORDER,
                     colors=[TIER_COLOURS[t] for t in TIER_ORDER], alpha=0.85)  # fmt: skip
        ax.set_ylim(0, 1)
        ax.set_title(str(label) if label is not None else "Tier composition")
        date_axis(ax)
    axes[0][0].set_ylabel("share of countries")
    axes[0][-1].legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def country_paths(agents: pd.DataFrame, iso3: str, by: str, thresholds=(35.0, 60.0)):
    """One country's score under each value of ``by``: median and 50%/90% bands."""
    fig, ax = new_figure(figsize=(8, 5))
    tier_bands(ax, thresholds)
    frame = agents[agents["iso3"] == iso3]
    for colour, (label, group) in zip(SERIES_COLOURS, frame.groupby(by, sort=False), strict=False):
        q = group.groupby("date")["score"].quantile([0.05, 0.25, 0.5, 0.75, 0.95]).unstack()
        ax.fill_between(q.index, q[0.05], q[0.95], color=colour, alpha=0.12, lw=0)
        ax.fill_between(q.index, q[0.25], q[0.75], color=colour, alpha=0.25, lw=0)
        ax.plot(q.index, q[0.5], color=colour, lw=2, label=str(label))
    ax.set_ylabel(f"{iso3} composite score (index 0-100)")
    ax.set_title(f"{iso3}: median and 50% / 90% intervals over replications")
    ax.legend(title=by, loc="upper left")
    date_axis(ax)
    return fig
