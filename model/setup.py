"""From validated parameters to what the equations need: calendar, initial table, drivers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from model.data import DataError
from model.equations import Drivers, draw_shocks, frontier_paths, global_flow_path
from model.initial import EDITIONS, STATE_COLUMNS, ilia_initial_state
from model.parameters import parse_month
from model.policies import policy_schedule

#: Default first month of each initial edition (publication month).
EDITION_START = {"ilia2024": "2024-09", "ilia2025": "2025-10"}
DEFAULT_START = "2024-09"


def initial_table(initial: Any, params: Mapping[str, Any]) -> pd.DataFrame:
    """The initial-state table: an ILIA edition by name, or a user table, validated."""
    if isinstance(initial, str):
        if initial not in EDITIONS:
            raise ValueError(
                f"initial={initial!r} is not an ILIA edition; allowed: {list(EDITIONS)} "
                "or a DataFrame such as synthetic_region() returns"
            )
        return ilia_initial_state(
            initial,
            research_share_of_rda=params["research_share_of_rda"],
            capital_depreciation=params["capital_depreciation"],
        )
    if not isinstance(initial, pd.DataFrame):
        raise ValueError(
            f"initial={type(initial).__name__} is neither an edition name {list(EDITIONS)} "
            "nor a DataFrame"
        )
    return validate_initial_table(initial)


def validate_initial_table(table: pd.DataFrame, origin: str = "initial") -> pd.DataFrame:
    """Check a user-supplied initial-state table (columns, ranges, unique ISO3)."""
    missing = [c for c in STATE_COLUMNS if c not in table.columns]
    if missing:
        raise DataError(
            f"{origin}: column {missing[0]!r} is missing; needed: {list(STATE_COLUMNS)}"
        )
    if table["iso3"].duplicated().any():
        row = int(np.flatnonzero(table["iso3"].duplicated().to_numpy())[0])
        raise DataError(
            f"{origin}, row {row}, column 'iso3': duplicate {table['iso3'].iloc[row]!r}"
        )
    bounds = {c: (0.0, 100.0) for c in ("governance", "adoption", "research", "enabling")}
    bounds |= {"capital_usd_bn": (0.0, np.inf), "gdp_usd_bn": (1e-9, np.inf)}
    bounds |= {"population_m": (0.0, np.inf)}
    for column, (low, high) in bounds.items():
        values = pd.to_numeric(table[column], errors="coerce").to_numpy(float)
        bad = np.flatnonzero(~((values >= low) & (values <= high)))
        if bad.size:
            row = int(bad[0])
            raise DataError(
                f"{origin}, row {row}, column {column!r}: {table[column].iloc[row]!r} is missing "
                f"or outside [{low}, {high}]"
            )
    return table.reset_index(drop=True)


def calendar(params: Mapping[str, Any]) -> pd.PeriodIndex:
    """Monthly calendar from the start month to the end month, both included."""
    initial = params["initial"]
    start = params["start"] or parse_month(
        EDITION_START.get(initial, DEFAULT_START) if isinstance(initial, str) else DEFAULT_START,
        "start",
    )
    end = params["end"]
    if end <= start:
        raise ValueError(f"end={end} (from argument) must be after start={start}")
    return pd.period_range(start, end, freq="M")


def release_offsets(params: Mapping[str, Any], months: pd.PeriodIndex) -> list[int]:
    """Months from the start to each open-weights release (negative: released before)."""
    return [(release - months[0]).n for release in params["open_weights_date"]]


def run_drivers(
    params: Mapping[str, Any],
    months: pd.PeriodIndex,
    countries: list[str],
    rng: np.random.Generator,
) -> Drivers:
    """Drivers of one run: frontier paths, global flow, policy schedule and its draws."""
    frontier, released = frontier_paths(
        len(months),
        release_offsets(params, months),
        params["open_weights_strength"],
        params["open_weights_half_life"],
        params["baseline_frontier_access"],
    )
    changes, strategy = policy_schedule(params["policies"], countries, months)
    return Drivers(
        frontier_access=frontier,
        released_access=released,
        global_flow=global_flow_path(
            len(months), params["global_ai_investment_usd_bn"], params["global_investment_growth"]
        ),
        policy_changes=changes,
        policy_strategy=strategy,
        **draw_shocks(rng, len(months), len(countries)),
    )
