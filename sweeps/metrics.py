"""Summary metrics of a run: one declaration per metric (name, unit, meaning, function).

Each function takes a :class:`~sweeps.engine.BatchHistory` and returns one value
per run of the batch. Tier mobility (transitions, crossings, first months) is read from the
tier summary the kernel accumulates as the runs go (the functions on full tier arrays,
:func:`shorrocks_index`, :func:`crossings`, :func:`first_month_in`, are their reference).
Country metrics are about ``[outputs] country`` (Peru by default,
named ``peru_*``); dated metrics use the state at the end of December of each year in
``[outputs] years`` (NaN when that month is outside a run's horizon). "Start tiers" are
the tiers of the first month; tier gaps are Pioneers minus Explorers (NaN if either is
empty). :data:`GLOBAL_METRICS` plus the metrics of :func:`metric_registry` are the
columns of ``summaries``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter

import numpy as np
import pandas as pd

from mobility import mobility_indices, transition_counts, transition_matrix
from model.equations import ADOPTER, EXPLORER, PIONEER
from model.metrics import gini, group_mean, tier_counts, tier_gap
from sweeps import moments

TIER_NAMES = {EXPLORER: "explorers", ADOPTER: "adopters", PIONEER: "pioneers"}


@dataclass(frozen=True)
class Metric:
    """A summary metric: one number per run."""

    name: str
    unit: str
    meaning: str
    compute: Callable  # BatchHistory -> array of shape (runs,)


def shorrocks_index(tiers: np.ndarray, lag: int = 12) -> np.ndarray:
    """Shorrocks (1978) index M = (m - trace P) / (m - 1) of each run's ``lag``-month tier
    transition matrix, pooled over countries and start months (``mobility`` conventions:
    an origin tier that never occurs counts as staying put). NaN if the horizon is shorter
    than the lag."""
    if tiers.shape[1] <= lag:
        return np.full(tiers.shape[0], np.nan)
    counts = transition_counts(tiers, lag=lag, per_run=True)
    return mobility_indices(transition_matrix(counts))["shorrocks"]


def kernel_shorrocks(h) -> np.ndarray:
    """:func:`shorrocks_index` of the kernel's 12-month transition counts (accumulated as
    the run goes: ``BatchHistory.tier_summary``); NaN if the horizon is 12 months or less."""
    if len(h.months) <= 12:
        return np.full(len(h.region_share), np.nan)
    return mobility_indices(transition_matrix(h.tier_summary["transitions"]))["shorrocks"]


def crossings(tiers: np.ndarray, direction: int) -> np.ndarray:
    """Number of month-to-month tier changes up (+1) or down (-1), over countries."""
    change = np.diff(tiers.astype(np.int8), axis=1) * direction
    return (change > 0).sum(axis=(1, 2)).astype(float)


def first_month_in(tiers: np.ndarray, tier: int) -> np.ndarray:
    """Months from the start until the first month in ``tier`` (NaN if never)."""
    inside = tiers == tier
    return np.where(inside.any(axis=1), inside.argmax(axis=1), np.nan)


#: The gaps between Pioneers and Explorers the sweep reports: name and the state quantity,
#: each by the tiers at the end and by the tiers at the start.
GAP_QUANTITIES = (
    ("tier_gap", "score"),
    ("production_gap", "research"),
    ("adoption_gap", "adoption"),
)

GLOBAL_METRICS: tuple[Metric, ...] = (
    *(
        Metric(
            f"{name}_end",
            "countries",
            f"number of {name.capitalize()} at the end",
            lambda h, k=k: tier_counts(h.end["tier"])[:, k].astype(float),
        )
        for k, name in TIER_NAMES.items()
    ),
    *(
        Metric(
            f"{gap}_end{suffix}",
            "index points",
            f"mean {quantity} at the end of the {who} Pioneers minus the {who} Explorers",
            lambda h, q=quantity, at=at: tier_gap(h.end[q], at(h)["tier"]),
        )
        for suffix, who, at in (
            ("", "current", attrgetter("end")),
            ("_start_tiers", "start", attrgetter("start")),
        )
        for gap, quantity in GAP_QUANTITIES
    ),
    Metric(
        "capital_gini_end",
        "-",
        "Gini coefficient of AI capital across countries at the end",
        lambda h: gini(h.end["capital"]),
    ),
    Metric(
        "region_share_mean",
        "fraction",
        "mean monthly share of global AI investment received by the region",
        lambda h: (
            h.region_share[:, 1:].mean(axis=1)
            if h.region_share.shape[1] > 1
            else h.region_share[:, 0]
        ),
    ),
    *(
        Metric(
            f"{variable}_end_start_{name}",
            "index 0-100",
            f"mean {variable} at the end of the countries that started as {name.capitalize()}",
            lambda h, k=k, v=variable: group_mean(h.end[v], h.start["tier"] == k),
        )
        for variable in ("research", "adoption")
        for k, name in TIER_NAMES.items()
    ),
    Metric(
        "shorrocks_12m",
        "-",
        "Shorrocks index (m - trace P)/(m - 1) of the 12-month tier "
        "transition matrix pooled over countries and months",
        kernel_shorrocks,
    ),
    Metric(
        "upward_crossings",
        "moves",
        "month-to-month tier changes up, over all countries",
        lambda h: h.tier_summary["upward"],
    ),
    Metric(
        "downward_crossings",
        "moves",
        "month-to-month tier changes down, over all countries",
        lambda h: h.tier_summary["downward"],
    ),
)


def _country(h, iso3: str) -> int | None:
    return h.countries.index(iso3) if iso3 in h.countries else None


def _country_value(h, iso3: str, month: str | None, variable: str) -> np.ndarray:
    """A country's value of a snapshot variable at a month ('YYYY-MM'; None: the end)."""
    c = _country(h, iso3)
    t = len(h.months) - 1 if month is None else _month_index(h, month)
    if c is None or t is None or t not in h.snapshots:
        return np.full(h.tiers.shape[0], np.nan)
    return h.snapshots[t][variable][:, c].astype(float)


def _month_index(h, month: str) -> int | None:
    period = pd.Period(month, "M")
    return (period - h.months[0]).n if h.months[0] <= period <= h.months[-1] else None


def _first_pioneer(h, iso3: str) -> np.ndarray:
    c = _country(h, iso3)
    if c is None:
        return np.full(h.tiers.shape[0], np.nan)
    return h.tier_summary["first_pioneer"][:, c]


def country_metrics(iso3: str, label: str, years: tuple[int, ...]) -> tuple[Metric, ...]:
    """Metrics of one country: its score and tier at the end and at each year's December."""
    who = f"{label} ({iso3})"
    metrics = [
        Metric(
            f"{label}_score_end",
            "index 0-100",
            f"composite score of {who} at the end",
            lambda h: _country_value(h, iso3, None, "score"),
        ),
        Metric(
            f"{label}_tier_end",
            "tier code",
            f"tier of {who} at the end (0 E, 1 A, 2 P)",
            lambda h: _country_value(h, iso3, None, "tier"),
        ),
        Metric(
            f"{label}_research_end",
            "index 0-100",
            f"research of {who} at the end",
            lambda h: _country_value(h, iso3, None, "research"),
        ),
        Metric(
            f"{label}_adoption_end",
            "index 0-100",
            f"adoption of {who} at the end",
            lambda h: _country_value(h, iso3, None, "adoption"),
        ),
        Metric(
            f"{label}_first_pioneer_month",
            "months",
            f"months from the start until {who} is first a Pioneer (NaN: never)",
            lambda h: _first_pioneer(h, iso3),
        ),
    ]
    for year in years:
        month = f"{year}-12"
        metrics += [
            Metric(
                f"{label}_score_{year}",
                "index 0-100",
                f"score of {who} in {month}",
                lambda h, m=month: _country_value(h, iso3, m, "score"),
            ),
            Metric(
                f"{label}_tier_{year}",
                "tier code",
                f"tier of {who} in {month}",
                lambda h, m=month: _country_value(h, iso3, m, "tier"),
            ),
            Metric(
                f"{label}_pioneer_{year}",
                "0/1",
                f"whether {who} is a Pioneer in {month}",
                lambda h, m=month: np.where(
                    np.isnan(v := _country_value(h, iso3, m, "tier")), np.nan, v == PIONEER
                ),
            ),
        ]
    return tuple(metrics)


def _region_share_in(h, year: int) -> np.ndarray:
    """Mean monthly share of global AI investment received by the focus countries over the
    months of ``year`` inside the horizon (NaN if none; the first month has no inflow)."""
    inside = np.asarray(h.months.year == year) & (np.arange(len(h.months)) > 0)
    if not inside.any():
        return np.full(h.region_share.shape[0], np.nan)
    return h.region_share[:, inside].mean(axis=1)


def yearly_metrics(years: tuple[int, ...]) -> tuple[Metric, ...]:
    """Region-wide metrics of each year in ``[outputs] years``."""
    return tuple(
        Metric(
            f"region_share_{year}",
            "fraction",
            f"mean monthly share of global AI investment received by the region in {year}",
            lambda h, y=year: _region_share_in(h, y),
        )
        for year in years
    )


#: The calibration moments (:mod:`sweeps.moments`).
MOMENT_METRICS: tuple[Metric, ...] = (
    Metric(
        "ilia2025_score_rmse",
        "index points",
        "RMSE of the end scores against ILIA 2025 (for end = 2025-10)",
        moments.ilia2025_score_rmse,
    ),
    Metric(
        "ilia2025_tiers_kept",
        "fraction",
        "share of countries whose end tier equals their ILIA 2025 tier",
        moments.ilia2025_tiers_kept,
    ),
    Metric(
        "tier_persistence",
        "fraction",
        "share of countries in the same tier at the end as at the start",
        moments.tier_persistence,
    ),
    Metric(
        "mean_score_change",
        "index points",
        "mean score change of the countries from start to end",
        moments.mean_score_change,
    ),
    Metric(
        "region_share_trend",
        "log points / year",
        "trend of the log of the region's share of global AI investment",
        moments.region_share_trend,
    ),
    Metric(
        "leading_investee_share",
        "fraction",
        "share of BRA, ARG and MEX in the capital received during the run",
        moments.leading_investee_share,
    ),
)


def metric_registry(experiment) -> dict[str, Metric]:
    """Every metric available to an experiment, by name."""
    outputs = experiment.outputs
    metrics = country_metrics(outputs.country, outputs.country_label, outputs.years)
    declared = tuple(
        Metric(e.name, "as declared", f"{e.expression} ({e.country or e.reduce}, "
               f"{e.date or 'end'})", e.evaluate)
        for e in outputs.expressions
    )  # fmt: skip
    yearly = yearly_metrics(outputs.years)
    builtin = {m.name: m for m in (*metrics, *yearly, *GLOBAL_METRICS, *MOMENT_METRICS)}
    shadowing = [m.name for m in declared if m.name in builtin]
    if shadowing:
        raise ValueError(
            f"[outputs.expressions] {shadowing[0]} is the name of a built-in metric; "
            "choose another name"
        )
    return builtin | {m.name: m for m in declared}


def selected_metrics(experiment) -> list[Metric]:
    """The metrics an experiment records (all unless ``[outputs] metrics`` names some)."""
    registry = metric_registry(experiment)
    names = experiment.outputs.metrics or tuple(registry)
    unknown = [n for n in names if n not in registry]
    if unknown:
        raise ValueError(
            f"unknown metric {unknown[0]!r} in [outputs] metrics; known: {', '.join(registry)}"
        )
    return [registry[n] for n in names]


def key_months(experiment) -> tuple[str, ...]:
    """Months whose full state the metrics read (besides the first and the last)."""
    dated = (e.date for e in experiment.outputs.expressions if e.date is not None)
    return tuple(dict.fromkeys([*(f"{year}-12" for year in experiment.outputs.years), *dated]))


def summary_metrics(experiment, history) -> dict[str, np.ndarray]:
    """Every recorded metric of a batch, name -> values (runs,)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return {m.name: np.asarray(m.compute(history), float) for m in selected_metrics(experiment)}


def metric_table(experiment) -> pd.DataFrame:
    """The metric declarations as a table (name, unit, meaning)."""
    return pd.DataFrame(
        [(m.name, m.unit, m.meaning) for m in metric_registry(experiment).values()],
        columns=["name", "unit", "meaning"],
    )
