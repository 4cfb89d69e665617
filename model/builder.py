"""One batched setup: parameters, initial state and drivers for N runs of the world model.

``RegionModel`` is a batch of one through :func:`build_batch`; the sweep engine builds its
batches with the same function, so a run is the same wherever it runs. Runs of a batch
share the calendar, the initial table and the focus (:data:`SHARED`); every other
parameter may differ per run and reaches the equations as a scalar (when equal in all
runs) or an array of shape (runs, 1).

A sweep builds many batches in one process, so what depends only on the shared parameters
and the data files (an edition's table and its columns, the focus mask: :mod:`model.
initial_state`; the calendar) is read once per process and kept read-only; the runs' state
and drivers are always arrays of their own batch (the kernel and the equations may write
to them).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from model import equations, streams
from model.initial_state import (
    DEFAULT_START,
    EDITION_START,
    StartTable,
    focus_mask,
    read_only,
    read_start,
    start_table,
)
from model.parameters import BY_NAME, ENCODED_IN_DRIVERS, parse_month
from model.policies import STATUS_QUO
from model.schedules import policy_schedule
from model.world import (
    composite_raw,
    ilia_map,
    perpetual_inventory,
    region_members,
    world_data,
)

#: Parameters that must be equal in all runs of a batch (they shape the arrays).
SHARED = ("initial", "start", "end", "focus")


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


def calendar(params: Mapping[str, Any]) -> pd.PeriodIndex:
    """Monthly calendar from the start month to the end month, both included."""
    return _calendar_of(params)[0]


def _calendar_of(params: Mapping[str, Any]) -> tuple[pd.PeriodIndex, np.ndarray]:
    """:func:`calendar` and its months as fractional years (shared, read-only)."""
    initial = params["initial"]
    default = (
        EDITION_START.get(initial, DEFAULT_START) if isinstance(initial, str) else DEFAULT_START
    )
    return _calendar(params["start"], default, params["end"])


@functools.lru_cache(maxsize=64)
def _calendar(start, default: str, end) -> tuple[pd.PeriodIndex, np.ndarray]:
    """The calendar and its months as fractional years (:func:`month_years`), once per
    (start, default start, end) in a process: months are immutable (pandas Periods, an
    Index) and the years read-only, so every batch of that calendar may share them."""
    start = start or parse_month(default, "start")
    if end <= start:
        raise ValueError(f"end={end} must be after start={start}")
    months = pd.period_range(start, end, freq="M")
    return months, read_only(month_years(months))


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
    if a is b:  # runs of one experiment share these objects: no comparison needed
        return True
    if isinstance(a, pd.DataFrame) or isinstance(b, pd.DataFrame):
        return False
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
    # runs of a sweep share their plan and budget objects: each pair is written out once
    # (by identity: the runs keep the objects alive, so no id is reused during the call)
    key_of: dict[tuple[int, int], str] = {}
    for run in runs:
        plan, default_budget = run["policies"], run["policy_budget"]
        key = key_of.get((id(plan), id(default_budget)))
        if key is None:
            key = repr((sorted(plan.items()), default_budget))
            key_of[id(plan), id(default_budget)] = key
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
    return _start_arrays(read_start(table), {name: _per_run(runs, name) for name in START_INPUTS})


#: The per-run parameters the initial arrays depend on (besides the table).
START_INPUTS = ("capital_depreciation", "research_share_of_rda", "score_offsets")


def _start_arrays(start: StartTable, values: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """:func:`initial_arrays` of a start table for runs whose ``values`` (START_INPUTS,
    each (runs, 1) float) are given; every array returned is the runs' own."""
    columns = start.columns
    shape = (len(values["capital_depreciation"]), len(start.countries))
    arrays = {
        name: np.broadcast_to(columns[name], shape).copy()
        for name in ("governance", "adoption", "research", "enabling", "gdp")
    }
    if start.history is None:
        arrays["capital"] = np.broadcast_to(columns["capital"], shape).copy()
    else:
        arrays["capital"] = perpetual_inventory(start.history, values["capital_depreciation"][:, 0])
    w = values["research_share_of_rda"]
    intercept, slope = ilia_map(w)
    raw = composite_raw(
        arrays["enabling"], arrays["research"], arrays["adoption"], arrays["governance"], w
    )
    published = columns["published_score"]
    offsets_on = values["score_offsets"] > 0
    offset = np.where(
        np.isfinite(published) & offsets_on, published - (intercept + slope * raw), 0.0
    )
    arrays |= {"score_intercept": intercept, "score_slope": slope, "score_offset": offset}
    return arrays


def distinct_runs(
    params: Mapping[str, Any], releases: Sequence[Any]
) -> tuple[np.ndarray, np.ndarray]:
    """One run of each distinct parameter set (first occurrences, in run order) and the
    index of each run's set among them. Runs that differ only in their seed (replicates)
    start from the same state and drivers: the builder computes those once per set.

    ``params`` are :func:`batch_parameters`; ``releases`` each run's open-weights dates
    (the one per-run value that is not in them and shapes the start; policies do not).
    Sets are told apart by the bytes of the numbers, so two values that compare equal
    but differ in their bits (0.0 and -0.0) are different sets."""
    code: dict[Any, int] = {}
    columns = [np.array([code.setdefault(dates, len(code)) for dates in releases], np.int64)]
    for name, value in params.items():
        parts = value if name == "tier_thresholds" else (value,)
        columns += [part[:, 0] for part in parts if isinstance(part, np.ndarray)]
    if any(column.dtype.hasobject for column in columns):  # not numbers: no set is shared
        return np.arange(len(releases)), np.arange(len(releases))
    matrix = np.concatenate(  # each number's bytes in its own type
        [
            np.ascontiguousarray(column).view(np.uint8).reshape(len(releases), -1)
            for column in columns
        ],
        axis=1,
    )
    rows = np.ascontiguousarray(matrix).view(np.dtype((np.void, matrix.shape[1])))[:, 0]
    _, first, inverse = np.unique(rows, return_index=True, return_inverse=True)
    order = np.argsort(first)  # the sets in the order of their first run
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return first[order], rank[inverse.reshape(-1)]


def _select(params: Mapping[str, Any], rows: np.ndarray) -> dict[str, Any]:
    """The parameters of the runs ``rows`` (arrays of shape (runs, 1) indexed, the rest as is)."""
    return {
        name: tuple(part[rows] for part in value)
        if name == "tier_thresholds"
        else (value[rows] if isinstance(value, np.ndarray) else value)
        for name, value in params.items()
    }


def _run_keys(generators: Sequence[np.random.Generator | int]) -> np.ndarray:
    """Each run's random-stream key, ``streams.run_key`` of its generator (or of
    ``numpy.random.default_rng(seed)``)."""
    return np.array(
        [
            streams.run_key(
                g if isinstance(g, np.random.Generator) else np.random.default_rng(int(g))
            )
            for g in generators
        ],
        np.uint64,
    )


def build_batch(
    runs: Sequence[Mapping[str, Any]], generators: Sequence[np.random.Generator | int]
) -> Batch:
    """Parameters, initial state and drivers for ``runs`` (validated parameter dicts, as
    ``model.parameters.validate_parameters`` returns them), each run's random-stream key
    (``model.streams.run_key``) drawn from its generator (or
    ``numpy.random.default_rng(seed)`` for an integer seed).

    What depends only on the shared parameters (the table, the calendar, the focus) is read
    once per process (:func:`start_table`, :func:`focus_mask`); the start and drivers
    are computed once per distinct parameter set (:func:`distinct_runs`) and given to each
    of its runs as the run's own arrays."""
    runs = list(runs)
    if len(generators) != len(runs):
        raise ValueError(f"{len(runs)} runs but {len(generators)} generators or seeds")
    run_key = _run_keys(generators)
    params = batch_parameters(runs)
    first = runs[0]
    months, years = _calendar_of(first)
    start = start_table(first["initial"])
    if isinstance(first["initial"], str):  # a shared table: the batch gets its own copy
        table, focus = start.table.copy(deep=False), focus_mask(first["initial"], first["focus"])
    else:
        table, focus = start.table, read_only(region_members(start.table, first["focus"]))
    n, horizon, size = len(start.countries), len(months), len(runs)

    releases = [run["open_weights_date"] for run in runs]
    chosen, of_run = distinct_runs(params, releases)
    every_run = len(chosen) == size  # no two runs share a set: nothing to gather
    offsets = release_offsets([runs[i] for i in chosen], months)  # one width for all blocks
    distinct = params if every_run else _select(params, chosen)
    start_arrays: dict[str, np.ndarray] = {}
    for block in range(0, len(chosen), BLOCK_RUNS):
        rows = slice(block, block + BLOCK_RUNS)
        part = _distinct_start(start, _select(distinct, rows), offsets[rows], years)
        for name, values in part.items():
            if name not in start_arrays:
                start_arrays[name] = np.empty((len(chosen), *values.shape[1:]), values.dtype)
            start_arrays[name][rows] = values

    def per_run(name: str) -> np.ndarray:
        return start_arrays[name] if every_run else start_arrays[name][of_run]

    changes, strategy, budget = policy_arrays(runs, start.countries, months)
    drivers = equations.Drivers(
        frontier_access=per_run("frontier_access"),
        released_access=per_run("released_access"),
        global_flow=np.broadcast_to(per_run("global_flow"), (size, horizon)),
        policy_changes=changes,
        policy_strategy=strategy,
        policy_budget=budget,
        run_key=run_key,
    )
    governance, adoption = per_run("governance"), per_run("adoption")
    zeros = np.zeros((size, n))
    state = equations.WorldState(
        governance=governance,
        adoption=adoption,
        research=per_run("research"),
        enabling=per_run("enabling"),
        capital=per_run("capital"),
        inflow=zeros,
        strategy=np.full((size, n), STATUS_QUO, np.int8),
        budget=zeros,
        policy_tenure=zeros,
        score_at_review=per_run("score_at_review"),
        gdp=per_run("gdp"),
        size_weight=per_run("size_weight"),
        governance_reference=governance,
        adoption_reference=adoption,
        research_base=per_run("research_base"),
        enabling_base=per_run("enabling_base"),
        score_intercept=per_run("score_intercept"),
        score_slope=per_run("score_slope"),
        score_offset=per_run("score_offset"),
        market_share=np.full((size, 1), start.market_share),
        region_code=np.broadcast_to(start.region_code, (size, n)),
    )
    return Batch(params, state, drivers, months, table, focus)


#: Distinct runs whose start is computed together: a block's arrays (runs x countries,
#: runs x months) stay in the processor's caches. Runs are independent, so the blocks
#: change no number (a block is a smaller batch).
BLOCK_RUNS = 128


def _distinct_start(
    start: StartTable, p: Mapping[str, Any], offsets: np.ndarray, years: np.ndarray
) -> dict[str, np.ndarray]:
    """The start of runs with parameters ``p`` (arrays (runs, 1)) and release ``offsets``:
    frontier and world-flow paths, the initial state and what keeps it at rest."""

    def inputs(name: str) -> np.ndarray:
        return np.asarray(p[name], float)

    frontier, released = equations.frontier_paths(
        len(years),
        offsets,
        inputs("open_weights_strength"),
        inputs("open_weights_half_life"),
        inputs("baseline_frontier_access"),
    )
    flow = equations.global_flow_path(
        years, world_data().world_flow.to_dict(), inputs("global_investment_growth")
    )
    arrays = _start_arrays(start, {name: inputs(name) for name in START_INPUTS})
    runs, n = arrays["gdp"].shape
    zeros = np.zeros((runs, n))
    state = equations.WorldState(
        governance=arrays["governance"],
        adoption=arrays["adoption"],
        research=arrays["research"],
        enabling=arrays["enabling"],
        capital=arrays["capital"],
        inflow=zeros,
        strategy=np.full((runs, n), STATUS_QUO, np.int8),
        budget=zeros,
        policy_tenure=zeros,
        score_at_review=zeros,
        gdp=arrays["gdp"],
        size_weight=arrays["gdp"] ** inputs("size_elasticity"),
        governance_reference=arrays["governance"],
        adoption_reference=arrays["adoption"],
        research_base=zeros,
        enabling_base=zeros,
        score_intercept=arrays["score_intercept"],
        score_slope=arrays["score_slope"],
        score_offset=arrays["score_offset"],
        market_share=np.full((runs, 1), start.market_share),
        region_code=np.broadcast_to(start.region_code, (runs, n)),
    )
    research_base, enabling_base = equations.rest_bases(state, p, frontier[..., :1])
    arrays |= {
        "frontier_access": frontier,
        "released_access": released,
        "global_flow": flow,
        "size_weight": state.size_weight,
        "research_base": research_base,
        "enabling_base": enabling_base,
        "score_at_review": equations.composite_score(state, p["research_share_of_rda"]),
    }
    return arrays
