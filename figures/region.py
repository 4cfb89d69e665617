"""Figures of the region as a whole: AI capital and the adoption and production gaps.

Inputs are tidy frames as written by ``latam-ai run``: ``region`` (``region.csv``: one row
per month and run, columns ``date``, ``region_investment_share``, ``capital_gini``,
``production_gap``, ``adoption_gap``, scenario columns and ``replicate``) and ``agents``
(``agents.parquet``: one row per country, month and run). Intervals are over replicates:
the median and the 50% and 90% intervals.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from figures.style import TIER_COLOURS, date_axis, fan, new_figure, quantile_table, series_colour

RUN_KEYS = ("release", "peru_path", "replicate", "run_id", "run")
GAP_COLUMNS = {
    "production_gap": "production gap (research)",
    "adoption_gap": "adoption gap (adoption)",
}


def _groups(frame: pd.DataFrame, by: str | None) -> list[tuple[object, pd.DataFrame]]:
    if by is None or by not in frame.columns:
        return [(None, frame)]
    return list(frame.groupby(by, sort=False))


def _fans_over_time(region: pd.DataFrame, column: str, by: str | None, scale: float = 1.0):
    fig, ax = new_figure(figsize=(8, 4.5))
    for k, (label, frame) in enumerate(_groups(region, by)):
        q = quantile_table(frame, "date", column) * scale
        fan(ax, q, series_colour(k), None if label is None else str(label))
    date_axis(ax)
    if by in region.columns:
        ax.legend(title=by, loc="best")
    return fig, ax


def investment_share(region: pd.DataFrame, by: str | None = "release") -> Figure:
    """The region's share of global AI investment (percent) over time per value of ``by``:
    median and 50% / 90% intervals over replicates."""
    fig, ax = _fans_over_time(region, "region_investment_share", by, scale=100.0)
    ax.set_ylabel("share of global AI investment (%)")
    ax.set_title("Latin America's share of global AI investment")
    return fig


def capital_gini(region: pd.DataFrame, by: str | None = "release") -> Figure:
    """Within-region concentration of AI capital: Gini over the countries (0 equal, 1 all in
    one country) over time, median and 50% / 90% intervals over replicates."""
    fig, ax = _fans_over_time(region, "capital_gini", by)
    ax.set_ylim(0, 1)
    ax.set_ylabel("Gini of AI capital across countries (0-1)")
    ax.set_title("Concentration of AI capital within the region")
    return fig


def lorenz_points(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lorenz curve of non-negative values: (cumulative share of countries, cumulative
    share of the total), both starting at 0."""
    ordered = np.sort(np.clip(np.asarray(values, dtype=float), 0.0, None))
    total = ordered.sum()
    share = np.cumsum(ordered) / total if total > 0 else np.linspace(0, 1, ordered.size + 1)[1:]
    return np.linspace(0.0, 1.0, ordered.size + 1), np.concatenate([[0.0], share])


def _nearest_dates(available: pd.Series, dates: Sequence | None) -> list[pd.Timestamp]:
    months = pd.DatetimeIndex(sorted(available.unique()))
    if dates is None:
        return list(dict.fromkeys([months[0], months[len(months) // 2], months[-1]]))
    chosen = []
    for date in dates:
        target = pd.Timestamp(date)
        chosen.append(months[np.abs((months - target).asi8).argmin()])
    return list(dict.fromkeys(chosen))


def lorenz_curves(
    agents: pd.DataFrame, dates: Sequence | None = None, value: str = "capital"
) -> Figure:
    """Lorenz curves of AI capital across countries at chosen ``dates`` (default: first,
    middle and last month; each date snaps to the nearest month in the frame): the median
    over runs of the cumulative share held by the poorest countries; the Gini (median over
    runs) in the legend."""
    keys = [c for c in RUN_KEYS if c in agents.columns]
    fig, ax = new_figure(figsize=(5.5, 5.2))
    ax.plot([0, 1], [0, 1], color="black", lw=0.8, ls="--", label="equal shares")
    for k, date in enumerate(_nearest_dates(agents["date"], dates)):
        month = agents[agents["date"] == date]
        runs = [g for _, g in month.groupby(keys)] if keys else [month]
        curves = np.array([lorenz_points(g[value].to_numpy())[1] for g in runs])
        x = lorenz_points(runs[0][value].to_numpy())[0]
        ginis = 1.0 - np.sum((curves[:, 1:] + curves[:, :-1]) * np.diff(x), axis=1)
        ax.plot(
            x,
            np.median(curves, axis=0),
            color=series_colour(k),
            lw=2,
            marker="o",
            ms=3,
            label=f"{date:%Y-%m} (Gini {np.median(ginis):.2f})",
        )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("cumulative share of countries (poorest first, 0-1)")
    ax.set_ylabel(f"cumulative share of {value} (0-1)")
    ax.set_title(f"Lorenz curves of {value} (median over runs)")
    ax.legend(loc="upper left", fontsize=8)
    return fig


def gaps_by_start_tiers(agents: pd.DataFrame) -> pd.DataFrame:
    """Production and adoption gaps measured on the countries' tiers in the first month:
    mean research (adoption) of the start Pioneers minus that of the start Explorers, one
    row per date and run (the columns of ``region.csv`` that :func:`gaps` reads)."""
    keys = [c for c in RUN_KEYS if c in agents.columns]
    first = agents[agents["date"] == agents["date"].min()].set_index([*keys, "iso3"])["tier"]
    tiers = agents.join(first.rename("start_tier"), on=[*keys, "iso3"])
    columns = ["research", "adoption"]
    means = tiers.groupby([*keys, "date", "start_tier"], sort=False)[columns].mean()
    wide = means.unstack("start_tier")
    out = pd.DataFrame(
        {
            "production_gap": wide[("research", "Pioneer")] - wide[("research", "Explorer")],
            "adoption_gap": wide[("adoption", "Pioneer")] - wide[("adoption", "Explorer")],
        }
    )
    return out.reset_index()


def gaps(region: pd.DataFrame, by: str | None = "release") -> Figure:
    """Adoption gap and production gap (Pioneers minus Explorers, index points) over time:
    one panel per value of ``by``, both gaps in each, median and 50% / 90% intervals over
    replicates. A falling adoption gap with a rising production gap is convergence in use
    and divergence in making at the same time."""
    groups = _groups(region, by)
    fig, axes = new_figure(
        1, len(groups), figsize=(5.2 * len(groups), 4.2), sharey=True, squeeze=False
    )
    colours = {"production_gap": TIER_COLOURS["Pioneer"], "adoption_gap": TIER_COLOURS["Adopter"]}
    for ax, (label, frame) in zip(axes[0], groups, strict=True):
        for column, name in GAP_COLUMNS.items():
            fan(ax, quantile_table(frame, "date", column), colours[column], name)
        ax.set_title("Gaps" if label is None else str(label))
        date_axis(ax)
    axes[0][0].set_ylabel("Pioneers minus Explorers (index points, 0-100 scale)")
    axes[0][0].legend(loc="best", fontsize=8)
    fig.suptitle("Adoption vs production: convergence and divergence")
    fig.tight_layout()
    return fig
