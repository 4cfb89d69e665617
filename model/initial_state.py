"""Initial-state tables: an ILIA edition of the world, the 19 ILIA countries alone, or a
user's table (validated), and what every batch started from one reads of it
(:class:`StartTable`). An edition's table and its focus masks are read once per process and
kept read-only (they depend only on the name and the data files)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from model.data import DataError
from model.world import (
    EDITIONS,
    ILIA_COUNTRIES,
    STATE_COLUMNS,
    investment_history,
    region_members,
    world_data,
    world_table,
)

#: Default first month of each initial edition (publication month).
EDITION_START = {"ilia2024": "2024-09", "ilia2025": "2025-10", "latam19": "2024-09"}
DEFAULT_START = "2024-09"
REGIONAL_ONLY = "latam19"
INITIAL_NAMES = (*EDITIONS, REGIONAL_ONLY)


def initial_table(initial: Any) -> pd.DataFrame:
    """The initial-state table: the world in an ILIA edition, the 19 ILIA countries alone
    (``'latam19'``, started like ``'ilia2024'``), or a user table (validated)."""
    if isinstance(initial, str):
        # a shallow copy of the table read once: pandas copies on write, so changing the
        # copy leaves the shared table as it is
        return named_start(initial).table.copy(deep=False)
    return read_initial_table(initial)


def read_initial_table(initial: Any) -> pd.DataFrame:
    if isinstance(initial, str):
        if initial == REGIONAL_ONLY:
            return world_table("ilia2024", ILIA_COUNTRIES)
        if initial not in EDITIONS:
            raise ValueError(
                f"initial={initial!r} is not an initial state; allowed: {list(INITIAL_NAMES)} "
                "or a table such as synthetic_world() returns"
            )
        return world_table(initial)
    if not isinstance(initial, pd.DataFrame):
        raise ValueError(
            f"initial={type(initial).__name__} is neither one of {list(INITIAL_NAMES)} nor a "
            "DataFrame"
        )
    return validate_initial_table(initial)


#: The table columns the initial state starts from (state array name, column).
TABLE_STATE = (
    ("governance", "governance"),
    ("adoption", "adoption"),
    ("research", "research"),
    ("enabling", "enabling"),
    ("gdp", "gdp_usd_bn"),
    ("capital", "capital_usd_bn"),
    ("published_score", "ilia_score"),
)


@dataclass(frozen=True)
class StartTable:
    """An initial-state table and what every batch on it reads from it, parameter-free.
    The arrays are read-only: the batches of a process may share them."""

    table: pd.DataFrame
    countries: tuple[str, ...]  # ISO3, in table order
    columns: Mapping[str, np.ndarray]  # TABLE_STATE names -> (countries,) float
    history: np.ndarray | None  # CSET investment (years, countries); None: a synthetic table
    region_code: np.ndarray  # (countries,) int: index of each country's region
    market_share: float  # the share of the world flow of the last recorded year


def start_table(initial: Any) -> StartTable:
    """The :class:`StartTable` of ``initial``: read once per process for an edition name
    (it depends only on the name and the data files; its table is never handed out, only
    copies of it), at every call for a user table (a DataFrame can change between calls,
    so it is never cached)."""
    if isinstance(initial, str):
        return named_start(initial)
    return read_start(read_initial_table(initial))


@functools.lru_cache(maxsize=len(INITIAL_NAMES))
def named_start(initial: str) -> StartTable:
    return read_start(read_initial_table(initial))


def read_start(table: pd.DataFrame) -> StartTable:
    columns = {name: np.array(table[column], float) for name, column in TABLE_STATE}
    region_code = pd.factorize(table["region"])[0]
    for values in (*columns.values(), region_code):
        values.setflags(write=False)
    countries = tuple(table["iso3"])
    world_flow = world_data().world_flow
    market = table["investment_usd_bn"].sum() / world_flow[max(world_flow.index)]
    return StartTable(
        table, countries, columns, investment_history(list(countries)), region_code, float(market)
    )


@functools.lru_cache(maxsize=64)
def focus_mask(initial: str, focus: Any) -> np.ndarray:
    """The focus mask (``model.world.region_members``) of an edition's table, read-only,
    once per (edition name, focus) in a process: both are hashable values and the mask
    depends on nothing else."""
    return read_only(region_members(named_start(initial).table, focus))


def read_only(values: np.ndarray) -> np.ndarray:
    values.setflags(write=False)
    return values


def validate_initial_table(table: pd.DataFrame, origin: str = "initial") -> pd.DataFrame:
    """Check a user-supplied initial-state table (columns, finite ranges, unique ISO3)."""
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
    finite = float(np.finfo(float).max)
    bounds = {c: (0.0, 100.0) for c in ("governance", "adoption", "research", "enabling")}
    bounds |= {c: (0.0, finite) for c in ("capital_usd_bn", "investment_usd_bn", "population_m")}
    bounds |= {"gdp_usd_bn": (1e-9, finite)}
    for column, (low, high) in bounds.items():
        values = pd.to_numeric(table[column], errors="coerce").to_numpy(float)
        bad = np.flatnonzero(~((values >= low) & (values <= high)))
        if bad.size:
            row = int(bad[0])
            raise DataError(
                f"{origin}, row {row}, column {column!r}: {table[column].iloc[row]!r} is missing, "
                f"not finite or outside [{low}, {high:g}]"
            )
    table = table.reset_index(drop=True)
    if "ilia_score" not in table:
        table = table.assign(ilia_score=np.nan)
    return table
