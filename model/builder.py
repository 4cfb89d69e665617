"""One batched setup: parameters, initial state and drivers for N runs of the world model.

``RegionModel`` is a batch of one through :func:`build_batch`; the sweep engine builds its
batches with the same function, so a run is the same wherever it runs. Runs of a batch
share the calendar, the initial table and the focus (:data:`SHARED`); every other
parameter may differ per run and reaches the equations as a scalar (when equal in all
runs) or an array of shape (runs, 1).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from model import equations, streams
from model.data import DataError
from model.parameters import BY_NAME, ENCODED_IN_DRIVERS, parse_month
from model.policies import STATUS_QUO, policy_schedule
from model.world import (
    EDITIONS,
    ILIA_COUNTRIES,
    STATE_COLUMNS,
    composite_raw,
    ilia_map,
    investment_history,
    perpetual_inventory,
    region_members,
    world_data,
    world_table,
)

#: Parameters that must be equal in all runs of a batch (they shape the arrays).
SHARED = ("initial", "start", "end", "focus")
#: Default first month of each initial edition (publication month).
EDITION_START = {"ilia2024": "2024-09", "ilia2025": "2025-10", "latam19": "2024-09"}
DEFAULT_START = "2024-09"
REGIONAL_ONLY = "latam19"
INITIAL_NAMES = (*EDITIONS, REGIONAL_ONLY)


def one_run(params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of a batch of one for a run without a batch axis: arrays of shape
    (1, 1) become shape (1,), which broadcasts against (countries,) the same way."""
    return {
        name: tuple(v[0] for v in value)
        if name == "tier_thresholds"
        else (value[0] if isinstance(value, np.ndarray) and value.ndim == 2 else value)
        for name, value in params.items()
    }


@dataclass(frozen=True)
class Batch:
    """Everything the equations need for N runs."""

    params: dict[str, Any]  # scalars, or arrays of shape (runs, 1) where runs differ
    state: equations.WorldState  # arrays (runs, countries)
    drivers: equations.Drivers  # arrays (runs, months[, countries])
    months: pd.PeriodIndex
    table: pd.DataFrame  # the initial-state table, one row per country
    focus: np.ndarray  # bool (countries,): the countries region measures summarise

    @property
    def countries(self) -> list[str]:
        return list(self.table["iso3"])


def initial_table(initial: Any) -> pd.DataFrame:
    """The initial-state table: the world in an ILIA edition, the 19 ILIA countries alone
    (``'latam19'``, started like ``'ilia2024'``), or a user table (validated)."""
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


def calendar(params: Mapping[str, Any]) -> pd.PeriodIndex:
    """Monthly calendar from the start month to the end month, both included."""
    initial = params["initial"]
    default = (
        EDITION_START.get(initial, DEFAULT_START) if isinstance(initial, str) else DEFAULT_START
    )
    start = params["start"] or parse_month(default, "start")
    end = params["end"]
    if end <= start:
        raise ValueError(f"end={end} must be after start={start}")
    return pd.period_range(start, end, freq="M")


def batch_parameters(runs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The equations' parameters for the runs: every number an array of shape (runs, 1),
    ``tier_thresholds`` a pair of those. Always arrays, even where all runs agree, so that
    every run goes through the same floating-point operations whatever the batch holds
    (same seed, same result at any batch size)."""
    for name in SHARED:
        first = runs[0][name]
        if any(not _same(run[name], first) for run in runs[1:]):
            raise ValueError(f"{name} differs between runs of one batch; group runs by it")
    batch: dict[str, Any] = {}
    for name in (n for n in runs[0] if n not in ENCODED_IN_DRIVERS):
        values = [run[name] for run in runs]
        if name == "tier_thresholds":
            batch[name] = tuple(column[:, None] for column in np.array(values, float).T)
        elif BY_NAME[name].kind in ("float", "int", "bool"):
            batch[name] = np.array(values)[:, None]
        else:
            batch[name] = values[0]
    return batch


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, pd.DataFrame) or isinstance(b, pd.DataFrame):
        return a is b
    return a == b


def _per_run(runs, name) -> np.ndarray:
    return np.array([run[name] for run in runs], float)[:, None]


def release_offsets(runs: Sequence[Mapping[str, Any]], months: pd.PeriodIndex) -> np.ndarray:
    """Open-weights release offsets from the start (runs, releases), NaN-padded."""
    dates = [run["open_weights_date"] for run in runs]
    first, last = months[0], months[-1]  # indexing a PeriodIndex is slow: once
    late = sorted({str(r) for releases in dates for r in releases if r > last})
    if late:
        warnings.warn(
            f"open_weights_date {late[0]} is after the last month {last}: no release "
            "happens within the run",
            stacklevel=3,
        )
    offsets = np.full((len(runs), max((len(d) for d in dates), default=0)), np.nan)
    offset_of: dict[Any, int] = {}  # runs share a few release dates
    for i, releases in enumerate(dates):
        for j, release in enumerate(releases):
            if release not in offset_of:
                offset_of[release] = (release - first).n
            offsets[i, j] = offset_of[release]
    return offsets


def policy_arrays(runs, countries, months) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scheduled changes, strategies and budgets, shape (runs, months, countries); runs
    with the same plan (and default budget) share one schedule."""
    schedules: dict[str, Any] = {}
    keys = []
    for run in runs:
        key = repr((sorted(run["policies"].items()), run["policy_budget"]))
        if key not in schedules:
            schedules[key] = policy_schedule(
                run["policies"], countries, months, run["policy_budget"]
            )
        keys.append(key)
    order = {key: i for i, key in enumerate(schedules)}
    index = np.array([order[key] for key in keys])
    parts = [
        np.stack([getattr(s, name) for s in schedules.values()])
        for name in ("changes", "strategy", "budget")
    ]
    if len(schedules) == 1:
        shape = (len(runs), *parts[0].shape[1:])
        return tuple(np.broadcast_to(part[0], shape) for part in parts)
    return tuple(part[index] for part in parts)


def month_years(months: pd.PeriodIndex) -> np.ndarray:
    """Months as fractional years (2024.0 = January 2024)."""
    return months.year.to_numpy() + (months.month.to_numpy() - 1) / 12.0


def initial_arrays(table: pd.DataFrame, runs, params) -> dict[str, np.ndarray]:
    """Initial arrays (runs, countries): the table's columns, the perpetual-inventory capital
    at each run's depreciation (for countries of the world data) and the ILIA map."""
    n = len(table)
    shape = (len(runs), n)
    arrays = {
        name: np.broadcast_to(table[column].to_numpy(float), shape).copy()
        for name, column in (
            ("governance", "governance"),
            ("adoption", "adoption"),
            ("research", "research"),
            ("enabling", "enabling"),
            ("gdp", "gdp_usd_bn"),
        )
    }
    history = investment_history(list(table["iso3"]))
    if history is None:
        arrays["capital"] = np.broadcast_to(table["capital_usd_bn"].to_numpy(float), shape).copy()
    else:
        arrays["capital"] = perpetual_inventory(
            history, _per_run(runs, "capital_depreciation")[:, 0]
        )
    w = _per_run(runs, "research_share_of_rda")
    intercept, slope = ilia_map(w)
    raw = composite_raw(
        arrays["enabling"], arrays["research"], arrays["adoption"], arrays["governance"], w
    )
    published = table["ilia_score"].to_numpy(float)
    offsets_on = _per_run(runs, "score_offsets") > 0
    offset = np.where(
        np.isfinite(published) & offsets_on, published - (intercept + slope * raw), 0.0
    )
    arrays |= {"score_intercept": intercept, "score_slope": slope, "score_offset": offset}
    return arrays


def build_batch(
    runs: Sequence[Mapping[str, Any]], generators: Sequence[np.random.Generator | int]
) -> Batch:
    """Parameters, initial state and drivers for ``runs`` (validated parameter dicts, as
    ``model.parameters.validate_parameters`` returns them), each run's random-stream key
    (``model.streams.run_key``) drawn from its generator (or
    ``numpy.random.default_rng(seed)`` for an integer seed)."""
    runs = list(runs)
    if len(generators) != len(runs):
        raise ValueError(f"{len(runs)} runs but {len(generators)} generators or seeds")
    rngs = [
        g if isinstance(g, np.random.Generator) else np.random.default_rng(int(g))
        for g in generators
    ]
    params = batch_parameters(runs)
    months = calendar(runs[0])
    table = initial_table(runs[0]["initial"])
    focus = region_members(table, runs[0]["focus"])
    countries = list(table["iso3"])
    n, horizon = len(table), len(months)

    frontier, released = equations.frontier_paths(
        horizon,
        release_offsets(runs, months),
        _per_run(runs, "open_weights_strength"),
        _per_run(runs, "open_weights_half_life"),
        _per_run(runs, "baseline_frontier_access"),
    )
    world_flow = world_data().world_flow
    flow = equations.global_flow_path(
        month_years(months), world_flow.to_dict(), _per_run(runs, "global_investment_growth")
    )
    changes, strategy, budget = policy_arrays(runs, countries, months)
    drivers = equations.Drivers(
        frontier_access=frontier,
        released_access=released,
        global_flow=np.broadcast_to(flow, (len(runs), horizon)),
        policy_changes=changes,
        policy_strategy=strategy,
        policy_budget=budget,
        run_key=np.array([streams.run_key(rng) for rng in rngs], np.uint64),
    )
    arrays = initial_arrays(table, runs, params)
    market = table["investment_usd_bn"].sum() / world_flow[max(world_flow.index)]
    zeros = np.zeros((len(runs), n))
    state = equations.WorldState(
        governance=arrays["governance"],
        adoption=arrays["adoption"],
        research=arrays["research"],
        enabling=arrays["enabling"],
        capital=arrays["capital"],
        inflow=zeros,
        strategy=np.full((len(runs), n), STATUS_QUO, np.int8),
        budget=zeros,
        policy_tenure=zeros,
        score_at_review=zeros,
        gdp=arrays["gdp"],
        size_weight=arrays["gdp"] ** _per_run(runs, "size_elasticity"),
        governance_reference=arrays["governance"],
        adoption_reference=arrays["adoption"],
        research_base=zeros,
        enabling_base=zeros,
        score_intercept=arrays["score_intercept"],
        score_slope=arrays["score_slope"],
        score_offset=arrays["score_offset"],
        market_share=np.full((len(runs), 1), float(market)),
        region_code=np.broadcast_to(pd.factorize(table["region"])[0], (len(runs), n)),
    )
    research_base, enabling_base = equations.rest_bases(state, params, frontier[..., :1])
    score = equations.composite_score(state, params["research_share_of_rda"])
    state = replace(
        state, research_base=research_base, enabling_base=enabling_base, score_at_review=score
    )
    return Batch(params, state, drivers, months, table, focus)
