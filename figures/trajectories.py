"""Figures of the headline run: trajectories with tier bands, fan charts, tier composition
(and its difference between scenarios), Peru's paths.

Each function takes tidy frames (columns as written by ``latam-ai run``: ``date``,
``iso3``, ``score``, ``tier``, ``replicate`` and scenario columns) and returns a Figure.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.figure import Figure

from figures.style import (
    SERIES_COLOURS,
    TIER_COLOURS,
    TIER_ORDER,
    date_axis,
    fan,
    new_figure,
    quantile_table,
    series_colour,
    tier_bands,
)


def score_trajectories(agents: pd.DataFrame, thresholds=(35.0, 60.0), highlight=("PER",)):
    """Median score of every country over replications, with tier bands, every country
    labelled."""
    from figures.live import score_lines

    return score_lines(
        agents,
        thresholds,
        highlight,
        label_all=True,
        title="Country scores (median over replications)",
    )


def tier_composition(agents: pd.DataFrame, by: str | None = None):
    """Share of countries in each tier over time (stacked areas), one panel per ``by``."""
    groups = [(None, agents)] if by is None else list(agents.groupby(by, sort=False))
    fig, axes = new_figure(
        1, len(groups), figsize=(4.5 * len(groups), 4), sharey=True, squeeze=False
    )
    for ax, (label, frame) in zip(axes[0], groups, strict=True):
        counts = frame.groupby(["date", "tier"]).size().unstack("tier", fill_value=0)
        counts = counts.reindex(columns=list(TIER_ORDER), fill_value=0)
        share = counts.div(counts.sum(axis=1), axis=0)
        ax.stackplot(
            share.index,
            *(share[t] for t in TIER_ORDER),
            labels=TIER_ORDER,
            colors=[TIER_COLOURS[t] for t in TIER_ORDER],
            alpha=0.85,
        )
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
        fan(ax, quantile_table(group, "date", "score"), colour, str(label))
    ax.set_ylabel(f"{iso3} composite score (index 0-100)")
    ax.set_title(f"{iso3}: median and 50% / 90% intervals over replications")
    ax.legend(title=by, loc="upper left")
    date_axis(ax)
    return fig


def score_fans(
    agents: pd.DataFrame,
    countries: Sequence[str] = ("PER",),
    by: str | None = None,
    thresholds=(35.0, 60.0),
) -> Figure:
    """Fan charts of chosen countries' scores over replications: one panel per country, the
    median and the 50% and 90% intervals on the tier bands; with ``by`` (e.g. ``release``)
    one fan per value of that column in every panel."""
    missing = [c for c in countries if c not in set(agents["iso3"])]
    if missing or not countries:
        known = sorted(set(agents["iso3"]))
        raise ValueError(f"countries={list(countries)!r}: missing {missing}; the frame has {known}")
    ncols = min(len(countries), 3)
    nrows = -(-len(countries) // ncols)
    fig, axes = new_figure(
        nrows, ncols, figsize=(4.6 * ncols, 3.8 * nrows), sharey=True, squeeze=False
    )
    groups = [(None, agents)] if by is None else list(agents.groupby(by, sort=False))
    for ax, iso3 in zip(axes.flat, countries, strict=False):
        tier_bands(ax, thresholds)
        for k, (label, frame) in enumerate(groups):
            country = frame[frame["iso3"] == iso3]
            fan(
                ax,
                quantile_table(country, "date", "score"),
                series_colour(k),
                None if label is None else str(label),
            )
        ax.set_title(iso3)
        ax.set_ylabel("composite score (index 0-100)")
        date_axis(ax)
    for ax in list(axes.flat)[len(countries) :]:
        ax.remove()
    if by is not None:
        axes.flat[0].legend(title=by, loc="upper left", fontsize=8)
    fig.suptitle("Scores: median, 50% and 90% intervals over replications")
    fig.tight_layout()
    return fig


def tier_shares(agents: pd.DataFrame) -> pd.DataFrame:
    """Share of country-rows in each tier per date (pooled over replicates), tiers as
    columns in :data:`TIER_ORDER`."""
    counts = agents.groupby(["date", "tier"]).size().unstack("tier", fill_value=0)
    counts = counts.reindex(columns=list(TIER_ORDER), fill_value=0)
    return counts.div(counts.sum(axis=1), axis=0)


def tier_composition_difference(
    agents: pd.DataFrame, by: str = "release", baseline: str | None = None
) -> Figure:
    """Tier shares of each scenario minus those of ``baseline`` (default: the last value of
    ``by``, e.g. "no release"), in percentage points over time: one line per tier."""
    values = list(dict.fromkeys(agents[by]))
    baseline = values[-1] if baseline is None else baseline
    if baseline not in values or len(values) < 2:
        raise ValueError(
            f"baseline={baseline!r}: need it and another value in column {by!r} (found {values})"
        )
    others = [v for v in values if v != baseline]
    base = tier_shares(agents[agents[by] == baseline])
    fig, axes = new_figure(
        1, len(others), figsize=(5.5 * len(others), 4), sharey=True, squeeze=False
    )
    for ax, value in zip(axes[0], others, strict=True):
        diff = (tier_shares(agents[agents[by] == value]) - base) * 100
        ax.axhline(0, color="black", lw=0.8)
        for tier in TIER_ORDER:
            ax.plot(diff.index, diff[tier], color=TIER_COLOURS[tier], lw=2, label=tier)
        ax.set_title(f"{value} minus {baseline}")
        date_axis(ax)
    axes[0][0].set_ylabel("difference in share of countries (percentage points)")
    axes[0][-1].legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig
