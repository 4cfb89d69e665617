"""Figures of one country's policy paths (Peru's by default): the distribution of outcomes.

Input is a tidy agents frame (``agents.parquet`` of ``latam-ai run``: one row per country,
month and run, columns ``date``, ``iso3``, ``score``, ``tier``, ``replicate`` and the path
column ``by``, e.g. ``peru_path``). Filter it to one release first (``release`` column);
rows of several releases are pooled as more runs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from figures.style import TIER_COLOURS, TIER_ORDER, date_axis, new_figure, series_colour
from model.tiers import DEFAULT_THRESHOLDS

RUN_KEYS = ("release", "peru_path", "replicate", "run_id", "run")


def outcome_dates(agents: pd.DataFrame, years: Sequence[int]) -> list[pd.Timestamp]:
    """The last month of each year in ``years`` that the frame covers (the last month of
    the frame if it covers none of them)."""
    dates = pd.DatetimeIndex(sorted(agents["date"].unique()))
    chosen = [dates[dates.year == year].max() for year in years if (dates.year == year).any()]
    return chosen or [dates[-1]]


def _country(agents: pd.DataFrame, iso3: str) -> pd.DataFrame:
    frame = agents[agents["iso3"] == iso3]
    if frame.empty:
        raise ValueError(f"iso3={iso3!r}: no rows; the frame has {sorted(set(agents['iso3']))}")
    return frame


def path_scores(
    agents: pd.DataFrame,
    iso3: str = "PER",
    by: str = "peru_path",
    years: Sequence[int] = (2030, 2035),
    thresholds=DEFAULT_THRESHOLDS,
) -> Figure:
    """Box plots of the country's score (index 0-100) at the end of each of ``years``, one
    box per value of ``by`` (colour) in each year group, with the tier cut-offs."""
    frame = _country(agents, iso3)
    dates = outcome_dates(frame, years)
    paths = list(dict.fromkeys(frame[by]))
    fig, ax = new_figure(figsize=(2.2 + 1.1 * len(dates) * len(paths), 4.5))
    width = 0.8 / len(paths)
    for k, path in enumerate(paths):
        data = [
            frame[(frame[by] == path) & (frame["date"] == d)]["score"].to_numpy() for d in dates
        ]
        positions = np.arange(len(dates)) - 0.4 + width * (k + 0.5)
        boxes = ax.boxplot(
            data,
            positions=positions,
            widths=width * 0.85,
            patch_artist=True,
            manage_ticks=False,
            medianprops={"color": "black"},
        )
        for box in boxes["boxes"]:
            box.set(facecolor=series_colour(k), alpha=0.7)
        boxes["boxes"][0].set_label(str(path))
    for threshold in thresholds:
        ax.axhline(threshold, color="grey", lw=0.8, ls="--")
    ax.set_xticks(np.arange(len(dates)), [f"{d:%Y-%m}" for d in dates])
    ax.set_xlabel("date (month)")
    ax.set_ylabel(f"{iso3} composite score (index 0-100)")
    ax.set_title(f"{iso3}: score by path over runs (dashed: tier cut-offs)")
    ax.legend(title=by, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return fig


def path_tiers(
    agents: pd.DataFrame,
    iso3: str = "PER",
    by: str = "peru_path",
    years: Sequence[int] = (2030, 2035),
) -> Figure:
    """Share of runs in which the country is in each tier at the end of each of ``years``,
    one stacked bar per (year, value of ``by``)."""
    frame = _country(agents, iso3)
    dates = outcome_dates(frame, years)
    paths = list(dict.fromkeys(frame[by]))
    labels, shares = [], []
    for date in dates:
        at = frame[frame["date"] == date]
        for path in paths:
            tiers = at[at[by] == path]["tier"].value_counts(normalize=True)
            shares.append([tiers.get(t, 0.0) for t in TIER_ORDER])
            labels.append(f"{date:%Y-%m}  {path}")
    shares = np.array(shares).reshape(len(labels), len(TIER_ORDER))
    fig, ax = new_figure(figsize=(8, 1.0 + 0.45 * len(labels)))
    y = np.arange(len(labels))
    left = np.zeros(len(labels))
    for t, tier in enumerate(TIER_ORDER):
        ax.barh(y, shares[:, t], left=left, color=TIER_COLOURS[tier], label=tier, height=0.7)
        left += shares[:, t]
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of runs in the tier (0-1)")
    ax.set_ylabel(f"date (month) and {by}")
    ax.set_title(f"{iso3}: tier by path")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def pioneer_survival(
    agents: pd.DataFrame, iso3: str = "PER", by: str = "peru_path", tier: str = "Pioneer"
) -> pd.DataFrame:
    """Share of runs in which the country has not yet been in ``tier``, per date (rows) and
    value of ``by`` (columns): a survival curve of the time to cross into the tier."""
    frame = _country(agents, iso3)
    keys = [c for c in RUN_KEYS if c in frame.columns and c != by]
    reached = (
        (frame["tier"] == tier)
        .groupby([frame[by], *(frame[k] for k in keys), frame["date"]], sort=True)
        .any()
    )
    ever = reached.groupby(level=list(range(len(keys) + 1)), group_keys=False).cummax()
    survival = 1.0 - ever.groupby(level=[0, len(keys) + 1]).mean().unstack(0)
    return survival[list(dict.fromkeys(frame[by]))]


def time_to_pioneer(
    agents: pd.DataFrame, iso3: str = "PER", by: str = "peru_path", tier: str = "Pioneer"
) -> Figure:
    """Survival-style curve of the time until the country first enters ``tier``: the share of
    runs not yet there against the date, one step line per value of ``by``; the legend gives
    the month by which half the runs have crossed (or "not reached")."""
    survival = pioneer_survival(agents, iso3, by, tier)
    fig, ax = new_figure(figsize=(8, 4.5))
    for k, path in enumerate(survival.columns):
        curve = survival[path]
        crossed = curve.index[curve.to_numpy() <= 0.5]
        median = f"{crossed[0]:%Y-%m}" if len(crossed) else "not reached"
        ax.step(
            curve.index,
            curve,
            where="post",
            color=series_colour(k),
            lw=2,
            label=f"{path} (half crossed: {median})",
        )
    ax.set_ylim(-0.02, 1.02)
    date_axis(ax)
    ax.set_ylabel(f"share of runs not yet {tier} (0-1)")
    ax.set_title(f"{iso3}: time to become {tier}")
    ax.legend(title=by, loc="lower left", fontsize=8)
    return fig
