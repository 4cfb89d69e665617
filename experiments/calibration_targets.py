"""Calibration targets: what the data dated up to 2024 (plus the H1-2025 usage vintage)
say, and the same statistics of simulated runs.

Every run of the calibration starts in August 2023 (ILIA 2023's publication month; the
start state is the vendored one, dated 2024: docs/ODD.md, "Calibration") and covers the
whole world to December 2025 (``focus = 'world'``). Each target is one number per run; its
observed value comes from the files named in its source, its ``tolerance`` is the error we
accept (the distance is in units of tolerance). Tolerances are data-based where the data
give a spread (the year-to-year spread of the statistic over 2019-2024, or its sampling
standard error); the others are marked ASSUMPTION.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.data import ILIA_COUNTRIES, load_all
from model.world import INVESTMENT_YEARS, world_data

#: The calibration runs' calendar: ILIA 2023's publication month to December 2025.
CALIBRATION_START, CALIBRATION_END = "2023-08", "2025-12"
#: ILIA 2024's publication month (its scores are compared with the runs there).
ILIA2024_MONTH = "2024-09"
#: The month Oxford Insights' 2024 readiness edition describes (published December 2024).
GAIRI2024_MONTH = "2024-12"
#: The first half of 2025, the AI-usage vintage (Microsoft AI Economy Institute).
USAGE_MONTHS = ("2025-01", "2025-06")
#: Years whose spread of a share statistic sets its tolerance (the recent regime).
SPREAD_YEARS = tuple(range(2019, 2025))
#: The ILIA pillars' GAIRI names (model.world.PILLARS, repeated here by meaning).
PILLAR_COLUMNS = {
    "governance": "government",
    "research": "technology_sector",
    "enabling": "data_infrastructure",
}


@dataclass(frozen=True)
class Target:
    """An observed statistic, the error tolerated in it, and where both come from."""

    name: str
    value: float
    tolerance: float
    unit: str
    source: str


def _shares() -> pd.DataFrame:
    """CSET investment shares of the model's 187 countries, years x countries."""
    parts = world_data()
    invest = pd.DataFrame(
        parts.investment, index=list(INVESTMENT_YEARS), columns=list(parts.table["iso3"])
    )
    return invest.div(invest.sum(axis=1), axis=0)


def herfindahl(shares: np.ndarray) -> np.ndarray:
    """Sum of squared shares over the last axis."""
    return (shares**2).sum(axis=-1)


def log_share_correlation(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Pearson correlation of log shares of two years over the last axis (persistence)."""
    a, b = np.log(first), np.log(second)
    a = a - a.mean(axis=-1, keepdims=True)
    b = b - b.mean(axis=-1, keepdims=True)
    return (a * b).sum(axis=-1) / np.sqrt((a * a).sum(axis=-1) * (b * b).sum(axis=-1))


@functools.lru_cache(maxsize=1)
def persistence_countries() -> tuple[str, ...]:
    """Countries with a recorded CSET deal in both 2023 and 2024 (whose persistence the
    data measure: a year without a deal has no log share)."""
    shares = _shares()
    both = (shares.loc[2023] > 0) & (shares.loc[2024] > 0)
    return tuple(shares.columns[both.to_numpy()])


def _ilia() -> pd.DataFrame:
    return world_data().ilia


@functools.lru_cache(maxsize=1)
def ilia2023_countries() -> tuple[str, ...]:
    """The 12 countries ILIA 2023 scored."""
    return tuple(c for c in ILIA_COUNTRIES if np.isfinite(_ilia().loc[c, 2023]))


def _correlation(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    x = x - x.mean(axis=-1, keepdims=True)
    y = y - y.mean(axis=-1, keepdims=True)
    return (x * y).sum(axis=-1) / np.sqrt((x * x).sum(axis=-1) * (y * y).sum(axis=-1))


def _pair(shares: pd.DataFrame, year: int) -> tuple[np.ndarray, np.ndarray]:
    """Shares of ``year - 1`` and ``year`` of the countries with a deal in both."""
    both = ((shares.loc[year - 1] > 0) & (shares.loc[year] > 0)).to_numpy()
    return shares.loc[year - 1].to_numpy()[both], shares.loc[year].to_numpy()[both]


def _spread(values: pd.Series) -> float:
    return float(values.loc[list(SPREAD_YEARS)].std(ddof=1))


@functools.lru_cache(maxsize=1)
def targets() -> tuple[Target, ...]:
    """The calibration targets, computed from the vendored files."""
    shares = _shares()
    ilia19 = [c for c in ILIA_COUNTRIES if c in shares.columns]
    region = shares[ilia19].sum(axis=1)
    years = np.array(SPREAD_YEARS, float)
    logs = np.log(region.loc[list(SPREAD_YEARS)].to_numpy())
    slope = np.polyfit(years, logs, 1)[0]
    kept = list(persistence_countries())
    persistence = pd.Series(
        {y: float(log_share_correlation(*_pair(shares, y))) for y in SPREAD_YEARS}
    )
    ilia = _ilia()
    twelve = list(ilia2023_countries())
    change = (ilia.loc[twelve, 2024] - ilia.loc[twelve, 2023]).to_numpy()
    level = ilia.loc[twelve, 2023].to_numpy()
    n = len(twelve)
    r = float(_correlation(change, level))
    gairi = load_all()["gairi"].pivot(index="iso3", columns="edition", values="total")
    step = float((gairi[2024] - gairi[2023]).abs().mean())
    cset = "CSET private AI investment, data/world/ai_investment_world.csv"
    found = [
        Target("us_share_2024", float(shares.loc[2024, "USA"]), _spread(shares["USA"]),
               "fraction", f"{cset}: US share 2024; tolerance: its sd over 2019-2024"),
        Target("china_share_2024", float(shares.loc[2024, "CHN"]), _spread(shares["CHN"]),
               "fraction", f"{cset}: China share 2024; tolerance: its sd over 2019-2024"),
        Target("herfindahl_2024", float(herfindahl(shares.loc[2024].to_numpy())),
               _spread(pd.Series(herfindahl(shares.to_numpy()), index=shares.index)),
               "fraction", f"{cset}: Herfindahl of country shares 2024; tolerance: its sd "
               "over 2019-2024"),
        Target("ilia19_share_2024", float(region.loc[2024]), _spread(region), "fraction",
               f"{cset}: the 19 ILIA countries' share 2024; tolerance: its sd over 2019-2024"),
        Target("ilia19_share_trend", float(slope),
               float(np.diff(logs).std(ddof=1)), "log points / year",
               f"{cset}: least-squares slope of the log of the 19's share 2019-2024 (runs: "
               "log share 2025 minus 2024); tolerance: sd of its one-year log changes"),
        Target("share_persistence", float(persistence.loc[2024]),
               float(persistence.std(ddof=1)), "correlation",
               f"{cset}: correlation of log shares 2023 and 2024 over the "
               f"{len(kept)} countries with a deal in both years (runs: 2024 and 2025); "
               "tolerance: its sd over the year pairs 2018-2019 to 2023-2024 (each over the "
               "countries with a deal in both years)"),
        Target("ilia_change_mean", float(change.mean()), float(change.std(ddof=1) / np.sqrt(n)),
               "index points", "ILIA 2023 to 2024 change of the 12 countries of ILIA 2023 "
               "(data/ilia_overall.csv; runs: September 2024 minus August 2023); tolerance: "
               "standard error of a mean of 12"),
        Target("ilia_change_sd", float(change.std(ddof=1)),
               float(change.std(ddof=1) / np.sqrt(2 * (n - 1))), "index points",
               "sd over the 12 of the ILIA 2023 to 2024 change; tolerance: its standard "
               "error, sd / sqrt(2 (n - 1))"),
        Target("ilia_change_level_correlation", r, float((1 - r * r) / np.sqrt(n - 1)),
               "correlation", "correlation over the 12 of the ILIA 2023 to 2024 change with "
               "the 2023 score (convergence); tolerance: (1 - r^2) / sqrt(n - 1)"),
    ]  # fmt: skip
    for variable, pillar in PILLAR_COLUMNS.items():
        found.append(
            Target(
                f"{variable}_drift_2024",
                0.0,
                step,
                "index points",
                f"Oxford Insights GAIRI 2024 {pillar} pillar (data/world/gairi_2024.csv), the "
                f"start state: runs' mean over the 187 countries of {variable} in December "
                "2024 minus its GAIRI 2024 value; tolerance: the mean absolute change of the "
                "GAIRI total from 2023 to 2024 over the 19 (data/gairi.csv; the 2023 pillars "
                "are not vendored)",
            )
        )
    found.append(
        Target(
            "usage_rank_correlation",
            1.0,
            0.05,
            "rank correlation",
            "Microsoft AI Economy Institute H1 2025 usage (data/world/ai_usage.csv), the "
            "measured economies: Spearman correlation of the runs' mean adoption in H1 2025 "
            "with it (the data: 1); tolerance 0.05: ASSUMPTION",
        )
    )
    return tuple(found)


def target_names() -> tuple[str, ...]:
    return tuple(t.name for t in targets())


@functools.lru_cache(maxsize=1)
def usage_measured() -> tuple[tuple[str, ...], np.ndarray]:
    """The economies whose H1-2025 usage Microsoft measured (no shared regional value),
    among the model's countries, and their usage (percent)."""
    usage = world_data().table.set_index("iso3")
    measured = usage["adoption_origin"] == "SEEN: Microsoft H1 2025"
    rows = usage[measured]
    return tuple(rows.index), rows["adoption"].to_numpy(float)


def _ranks(values: np.ndarray) -> np.ndarray:
    return np.argsort(np.argsort(values, axis=-1), axis=-1).astype(float)


def simulated_statistics(
    months: pd.PeriodIndex,
    countries: list[str],
    trajectories: dict[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """The targets' statistics of a batch of calibration runs (one value per run).

    ``trajectories``: field -> (runs, months, countries) for every month of ``months`` and
    every country of ``countries`` (a world run: ``focus = 'world'``).
    """
    index = pd.Index(countries)
    inflow = np.asarray(trajectories["inflow"], float)
    year = months.year.to_numpy()

    def yearly(y: int) -> np.ndarray:
        total = inflow[:, year == y].sum(axis=1)
        return total / total.sum(axis=-1, keepdims=True)

    s2024, s2025 = yearly(2024), yearly(2025)
    ilia19 = index.get_indexer([c for c in ILIA_COUNTRIES if c in index])
    kept = index.get_indexer(list(persistence_countries()))
    twelve = index.get_indexer(list(ilia2023_countries()))
    at = {m: months.get_loc(pd.Period(m, "M")) for m in (ILIA2024_MONTH, GAIRI2024_MONTH)}
    score = np.asarray(trajectories["score"], float)
    change = score[:, at[ILIA2024_MONTH], twelve] - score[:, 0, twelve]
    stats = {
        "us_share_2024": s2024[:, index.get_loc("USA")],
        "china_share_2024": s2024[:, index.get_loc("CHN")],
        "herfindahl_2024": herfindahl(s2024),
        "ilia19_share_2024": s2024[:, ilia19].sum(axis=-1),
        "ilia19_share_trend": np.log(s2025[:, ilia19].sum(axis=-1))
        - np.log(s2024[:, ilia19].sum(axis=-1)),
        "share_persistence": log_share_correlation(s2024[:, kept], s2025[:, kept]),
        "ilia_change_mean": change.mean(axis=-1),
        "ilia_change_sd": change.std(axis=-1, ddof=1),
        "ilia_change_level_correlation": _correlation(change, score[:, 0, twelve]),
    }
    for variable in PILLAR_COLUMNS:
        values = np.asarray(trajectories[variable], float)
        stats[f"{variable}_drift_2024"] = (values[:, at[GAIRI2024_MONTH]] - values[:, 0]).mean(
            axis=-1
        )
    first, last = (months.get_loc(pd.Period(m, "M")) for m in USAGE_MONTHS)
    measured, observed = usage_measured()
    adoption = np.asarray(trajectories["adoption"], float)[
        :, first : last + 1, index.get_indexer(list(measured))
    ].mean(axis=1)
    stats["usage_rank_correlation"] = _correlation(_ranks(adoption), _ranks(observed)[None, :])
    return stats
