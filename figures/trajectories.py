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
    TIER_COLOURS,
    TIER_ORDER,
    date_axis,
    fan,
    label_line_ends,
    label_visible_tiers,
    new_figure,
    quantile_table,
    score_lines,
    series_colour,
    tier_bands,
)
from model.tiers import DEFAULT_THRESHOLDS

#: Countries labelled by name in a score plot; with more, the highlighted ones and the
#: highest and lowest scores only.
MAX_LABELLED = 40


def score_trajectories(agents: pd.DataFrame, thresholds=DEFAULT_THRESHOLDS, highlight=("PER",)):
    """Median score of every country over replications, with tier bands; every country
    labelled directly at its last point, labels moved apart so that none overlaps."""
    fig, ax = new_figure(figsize=(7.5, 4.6), layout="constrained")
    tier_bands(ax, thresholds, labels="left")
    wide = score_lines(ax, agents, highlight)
    ends = wide.iloc[-1].dropna().sort_values()
    if len(ends) > MAX_LABELLED:  # a world: the highlighted countries and the extremes
        extremes = [*ends.index[: MAX_LABELLED // 4], *ends.index[-(MAX_LABELLED // 4) :]]
        ends = ends[[c for c in ends.index if c in highlight or c in extremes]]
    ends = ends.to_dict()
    label_line_ends(ax, wide.index[-1], ends, styles={c: {"fontweight": "bold"} for c in highlight})
    ax.set_ylabel("composite score (index 0-100)")
    ax.set_title("Country scores (median over replications)")
    date_axis(ax)
    return fig


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


def paired_differences(
    frame: pd.DataFrame,
    by: str,
    baseline: str,
    value: str = "score",
    keys: Sequence[str] = ("replicate", "date"),
) -> pd.DataFrame:
    """``value`` under each scenario (value of ``by``) minus ``value`` under ``baseline``,
    matched on ``keys`` (the same replicate, so the same seeds: common random numbers);
    rows of a key are averaged first (e.g. over countries). Columns: keys, ``by``,
    ``difference``."""
    values = list(dict.fromkeys(frame[by]))
    if baseline not in values or len(values) < 2:
        raise ValueError(
            f"baseline={baseline!r}: need it and another value in column {by!r} (found {values})"
        )
    wide = frame.pivot_table(index=list(keys), columns=by, values=value, aggfunc="mean")
    differences = wide.drop(columns=[baseline]).sub(wide[baseline], axis=0)
    differences = differences[[v for v in values if v != baseline]]
    return differences.stack().rename("difference").reset_index()


def difference_axes(ax, differences: pd.DataFrame, by: str, unit: str, x: str = "date") -> None:
    """On ``ax``: the median paired difference over replicates of each scenario with its 50%
    and 90% intervals, a zero line and the scenarios labelled at their last point."""
    ax.axhline(0, color="black", lw=0.8)
    ends = {}
    for k, (label, group) in enumerate(differences.groupby(by, sort=False)):
        quantiles = quantile_table(group, x, "difference")
        fan(ax, quantiles, series_colour(k + 1), str(label))
        ends[str(label)] = float(quantiles[0.5].iloc[-1])
    ax.set_ylabel(unit)
    if x == "date":
        date_axis(ax)
    ax.legend(loc="upper left", fontsize=8)


def default_baseline(values: Sequence[str], by: str) -> str:
    """The counterfactual of a comparison: ``status_quo`` for policy paths, ``no release``
    for releases, else the first value."""
    for candidate in ("status_quo", "no release"):
        if candidate in values:
            return candidate
    return values[-1] if by == "release" else values[0]


def country_paths(
    agents: pd.DataFrame,
    iso3: str,
    by: str,
    thresholds=DEFAULT_THRESHOLDS,
    baseline: str | None = None,
):
    """One country's score under each value of ``by`` (levels, left: median and 50% / 90%
    bands) beside the paired differences from ``baseline`` (right: each path minus the
    counterfactual in the same replicate, median and 50% / 90% intervals)."""
    frame = agents[agents["iso3"] == iso3]
    if frame.empty:
        raise ValueError(f"iso3={iso3!r}: no rows; the frame has {sorted(set(agents['iso3']))}")
    values = list(dict.fromkeys(frame[by]))
    baseline = default_baseline(values, by) if baseline is None else baseline
    paired = len(values) > 1 and "replicate" in frame.columns
    fig, axes = new_figure(
        1,
        2 if paired else 1,
        figsize=(12 if paired else 8, 4.6),
        squeeze=False,
        layout="constrained",
    )
    levels = axes[0][0]
    tier_bands(levels, thresholds, labels=None)
    for k, (label, group) in enumerate(frame.groupby(by, sort=False)):
        fan(levels, quantile_table(group, "date", "score"), series_colour(k), str(label))
    low, high = frame["score"].quantile([0.02, 0.98])
    pad = max(2.0, 0.1 * (high - low))
    levels.set_ylim(max(0.0, low - pad), min(100.0, high + pad))
    label_visible_tiers(levels, thresholds)
    levels.set_ylabel(f"{iso3} composite score (index 0-100)")
    levels.set_title(f"{iso3}: levels (median, 50% / 90% over replications)")
    levels.legend(title=by, loc="upper left", fontsize=8)
    date_axis(levels)
    if paired:
        right = axes[0][1]
        differences = paired_differences(frame, by, baseline)
        difference_axes(right, differences, by, "score difference (index points)")
        right.set_title(f"{iso3}: each path minus {baseline} (same seeds)")
    return fig


def release_differences(
    agents: pd.DataFrame,
    countries: Sequence[str] = ("PER", "BRA", "CHL", "MEX"),
    by: str = "release",
    baseline: str | None = None,
) -> Figure:
    """Each country's score with the release minus without it, paired by replicate (common
    random numbers): median and 50% / 90% intervals, one panel per country."""
    countries = [c for c in countries if c in set(agents["iso3"])]
    if not countries:
        raise ValueError(f"countries: none in the frame ({sorted(set(agents['iso3']))})")
    values = list(dict.fromkeys(agents[by]))
    baseline = default_baseline(values, by) if baseline is None else baseline
    ncols = min(len(countries), 3)
    nrows = -(-len(countries) // ncols)
    fig, axes = new_figure(
        nrows,
        ncols,
        figsize=(4.4 * ncols, 3.4 * nrows),
        sharey=True,
        squeeze=False,
        layout="constrained",
    )
    for ax, iso3 in zip(axes.flat, countries, strict=False):
        differences = paired_differences(agents[agents["iso3"] == iso3], by, baseline)
        difference_axes(ax, differences, by, "score difference (points)")
        ax.set_title(iso3)
        if ax.get_legend() is not None and ax is not axes.flat[0]:
            ax.get_legend().remove()
    for ax in list(axes.flat)[len(countries) :]:
        ax.remove()
    fig.suptitle(f"Scores: {by} minus {baseline}, same replicate seeds")
    return fig


def score_fans(
    agents: pd.DataFrame,
    countries: Sequence[str] = ("PER",),
    by: str | None = None,
    thresholds=DEFAULT_THRESHOLDS,
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
    """Tier shares of each scenario minus those of ``baseline`` (default: "no release", else
    the last value of ``by``), paired by replicate (the same seeds): the median difference in
    percentage points over time with its 90% interval over replicates, one line per tier."""
    values = list(dict.fromkeys(agents[by]))
    baseline = default_baseline(values, by) if baseline is None else baseline
    if baseline not in values or len(values) < 2:
        raise ValueError(
            f"baseline={baseline!r}: need it and another value in column {by!r} (found {values})"
        )
    others = [v for v in values if v != baseline]
    keys = ["replicate", "date"] if "replicate" in agents.columns else ["date"]

    def shares(frame: pd.DataFrame) -> pd.DataFrame:
        counts = frame.groupby([*keys, "tier"]).size().unstack("tier", fill_value=0)
        counts = counts.reindex(columns=list(TIER_ORDER), fill_value=0)
        return counts.div(counts.sum(axis=1), axis=0)

    base = shares(agents[agents[by] == baseline])
    fig, axes = new_figure(
        1,
        len(others),
        figsize=(5.5 * len(others) + 1.2, 4),
        sharey=True,
        squeeze=False,
        layout="constrained",
    )
    for ax, value in zip(axes[0], others, strict=True):
        diff = (shares(agents[agents[by] == value]) - base) * 100
        ax.axhline(0, color="black", lw=0.8)
        for tier in TIER_ORDER:
            by_date = diff[tier].groupby(level="date")
            quantiles = by_date.quantile([0.05, 0.5, 0.95]).unstack()
            colour = TIER_COLOURS[tier]
            ax.fill_between(
                quantiles.index, quantiles[0.05], quantiles[0.95], color=colour, alpha=0.15, lw=0
            )
            ax.plot(quantiles.index, quantiles[0.5], color=colour, lw=2, label=tier)
        ax.set_title(f"{value} minus {baseline} (same seeds)")
        date_axis(ax)
    axes[0][0].set_ylabel("difference in share of countries\n(percentage points)")
    axes[0][-1].legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), title="median, 90%")
    return fig
