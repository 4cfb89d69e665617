"""The batched engine: many runs at once through ``model.equations`` (a leading batch axis).

A batch is a set of runs that share the calendar, the initial table's source and the
``adaptive_policies`` switch (:func:`batch_key`); every other parameter may differ per run
and is passed to the equations as an array of shape (runs, 1). Each run draws its shocks
from ``numpy.random.default_rng(seed)`` in the order of ``equations.draw_shocks``, so a run
here equals ``RegionModel(rng=seed, **parameters)`` (tests/test_sweep_engine.py).

:func:`run_batch` is what executors call: it never raises for a model error; a batch that
fails is re-run one run at a time and each failing run is returned with its traceback.
"""

from __future__ import annotations

import functools
import json
import traceback
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from experiments.sweep.initial import initial_arrays, resolve_initial
from experiments.sweep.spec import THRESHOLD_PARTS, Experiment, normalise_value
from model import equations
from model.parameters import BY_NAME, validate_parameters, validate_value
from model.policies import STATUS_QUO, policy_schedule
from model.setup import calendar

#: Parameters that must be equal within a batch (they shape the arrays or the control flow).
BATCH_KEYS = ("start", "end", "initial", "adaptive_policies")
RUN_COLUMNS = ("run_id", "sample_id", "replicate", "seed")
#: Fields of a stored trajectory (float32), besides run_id, date, iso3 and tier.
TRAJECTORY_FIELDS = ("score", "governance", "adoption", "research", "enabling", "capital", "inflow")


@dataclass
class BatchHistory:
    """What a batch of runs left behind: tiers every month, states at key months."""

    months: pd.PeriodIndex
    countries: list[str]
    params: dict[str, Any]
    tiers: np.ndarray  # (runs, months, countries) int8
    region_share: np.ndarray  # (runs, months): the region's share of global AI investment
    snapshots: dict[int, dict[str, np.ndarray]]  # month index -> field -> (runs, countries)
    trajectory_rows: np.ndarray  # indices of the runs whose trajectories were kept
    trajectory_months: np.ndarray  # month indices kept
    trajectories: dict[str, np.ndarray] = field(default_factory=dict)  # (kept, months, n)


@dataclass
class BatchResult:
    """The outcome of :func:`run_batch`: summary rows, trajectory rows and failures."""

    summaries: pd.DataFrame
    trajectories: pd.DataFrame | None
    failures: list[dict[str, Any]]


def decode(name: str, value: Any) -> Any:
    """A design cell back to a parameter value (non-numeric cells are JSON)."""
    if isinstance(value, str) and name not in ("label",):
        value = json.loads(value)
    return normalise_value(name, value)


def fixed_parameters(experiment: Experiment) -> dict[str, Any]:
    """Defaults overridden by the experiment's fixed values, validated once."""
    fixed = {k: normalise_value(k, v) for k, v in experiment.fixed.items() if k != "initial"}
    params = validate_parameters(fixed, experiment.path)
    params["initial"] = experiment.fixed.get("initial", BY_NAME["initial"].default)
    return params


def batch_key(experiment: Experiment, row: dict[str, Any]) -> str:
    """Runs with equal keys can share a batch."""
    return json.dumps({k: row[k] for k in BATCH_KEYS if k in row}, sort_keys=True, default=str)


def batch_parameters(experiment: Experiment, rows: pd.DataFrame) -> dict[str, Any]:
    """Parameters of a batch: scalars where shared, arrays of shape (runs, 1) where varied."""
    params = dict(fixed_parameters(experiment))
    runs = len(rows)
    thresholds = [np.full((runs, 1), v) for v in params["tier_thresholds"]]
    varied_thresholds = False
    for column in rows.columns:
        if column in RUN_COLUMNS or column == "label" or column.startswith("u:"):
            continue
        cells = rows[column].to_numpy()
        if column in THRESHOLD_PARTS:
            thresholds[THRESHOLD_PARTS[column]] = cells.astype(float)[:, None]
            varied_thresholds = True
            continue
        spec = BY_NAME[column]
        if spec.numeric and cells.dtype.kind == "f":
            params[column] = cells.astype(float)[:, None]
            continue
        unique = {cell: _validated(column, cell) for cell in set(cells)}
        values = [unique[cell] for cell in cells]
        if len(unique) == 1:
            params[column] = values[0]
        elif column in BATCH_KEYS:
            raise ValueError(f"{column} differs within a batch; group runs by batch_key")
        elif spec.kind in ("float", "int", "bool"):
            params[column] = np.array(values)[:, None]
        elif column == "tier_thresholds":
            thresholds = [np.array([v[i] for v in values], float)[:, None] for i in (0, 1)]
            varied_thresholds = True
        else:
            params[column] = values  # per-run values, turned into drivers below
    if varied_thresholds:
        params["tier_thresholds"] = tuple(thresholds)
    return params


@functools.lru_cache(maxsize=4096)
def _validated(name: str, cell: Any) -> Any:
    value = decode(name, cell)
    return value if name == "initial" else validate_value(name, value, "design")


def per_run(value: Any, runs: int) -> list:
    """A parameter's value for each run of the batch."""
    return value if isinstance(value, list) and len(value) == runs else [value] * runs


def release_matrix(params: dict, months: pd.PeriodIndex, runs: int) -> np.ndarray:
    """Open-weights release offsets (runs, releases), NaN-padded."""
    dates = per_run(params["open_weights_date"], runs)
    width = max((len(d) for d in dates), default=0)
    offsets = np.full((runs, width), np.nan)
    for i, releases in enumerate(dates):
        offsets[i, : len(releases)] = [(r - months[0]).n for r in releases]
    return offsets


def policy_arrays(params: dict, countries: list[str], months: pd.PeriodIndex, runs: int):
    """Scheduled policy changes and strategies, shape (runs, months, countries)."""
    plans = per_run(params["policies"], runs)
    keys = [json.dumps(p, sort_keys=True) for p in plans]
    plans_by_key = dict(zip(keys, plans, strict=True))
    distinct = {key: policy_schedule(plan, countries, months) for key, plan in plans_by_key.items()}
    if len(distinct) == 1:
        changes, strategy = next(iter(distinct.values()))
        shape = (runs, *changes.shape)
        return np.broadcast_to(changes, shape), np.broadcast_to(strategy, shape)
    order = {key: i for i, key in enumerate(distinct)}
    index = np.array([order[key] for key in keys])
    changes = np.stack([c for c, _ in distinct.values()])[index]
    strategy = np.stack([s for _, s in distinct.values()])[index]
    return changes, strategy


def fill_shocks(seeds: np.ndarray, months: int, countries: int) -> dict[str, np.ndarray]:
    """The draws of every run, (runs, months, countries), in ``draw_shocks``'s order."""
    shape = (len(seeds), months, countries)
    draws = {
        name: np.empty(shape) for name in ("investment_draws", "reversal_draws", "imitation_draws")
    }
    for i, seed in enumerate(seeds):
        rng = np.random.default_rng(int(seed))
        rng.standard_normal(out=draws["investment_draws"][i])
        rng.random(out=draws["reversal_draws"][i])
        rng.random(out=draws["imitation_draws"][i])
    return draws


def snapshot(state: equations.RegionState, params: dict) -> dict[str, np.ndarray]:
    """Score, tier and state variables of one month."""
    score = equations.score_of(state, params)
    return {
        "score": score,
        "tier": equations.classify_tiers(score, params["tier_thresholds"]),
        **{name: getattr(state, name) for name in TRAJECTORY_FIELDS if name != "score"},
    }


def simulate(
    experiment: Experiment,
    rows: pd.DataFrame,
    keep_trajectory: np.ndarray | None = None,
    key_months: tuple[str, ...] = (),
) -> BatchHistory:
    """Run a batch of design rows through the equations; return its history.

    ``key_months`` ('YYYY-MM') are the months whose full state is kept (plus the first and
    the last); ``keep_trajectory`` marks the runs whose monthly trajectories are kept.
    """
    runs = len(rows)
    params = batch_parameters(experiment, rows)
    months = calendar(params)
    horizon = len(months)
    initial = resolve_initial(params["initial"])
    arrays, countries = initial_arrays(initial, runs, params)
    n = len(countries)
    frontier, released = equations.frontier_paths(
        horizon,
        release_matrix(params, months, runs),
        params["open_weights_strength"],
        params["open_weights_half_life"],
        params["baseline_frontier_access"],
    )
    flow = equations.global_flow_path(
        horizon, params["global_ai_investment_usd_bn"], params["global_investment_growth"]
    )
    changes, strategy = policy_arrays(params, countries, months, runs)
    drivers = equations.Drivers(
        frontier_access=np.broadcast_to(frontier, (runs, horizon)),
        released_access=np.broadcast_to(released, (runs, horizon)),
        global_flow=np.broadcast_to(flow, (runs, horizon)),
        policy_changes=changes,
        policy_strategy=strategy,
        **fill_shocks(rows["seed"].to_numpy(), horizon, n),
    )
    state = equations.initial_state(arrays, params, STATUS_QUO, params["baseline_frontier_access"])
    wanted = {0, horizon - 1} | {
        months.get_loc(pd.Period(m, "M"))
        for m in key_months
        if months[0] <= pd.Period(m, "M") <= months[-1]
    }
    keep = np.flatnonzero(keep_trajectory) if keep_trajectory is not None else np.array([], int)
    every = experiment.outputs.trajectory_every
    kept_months = np.unique(np.r_[np.arange(0, horizon, every), horizon - 1])
    trajectories = (
        {name: np.empty((len(keep), len(kept_months), n), np.float32) for name in TRAJECTORY_FIELDS}
        if len(keep)
        else {}
    )
    if trajectories:
        trajectories["tier"] = np.empty((len(keep), len(kept_months), n), np.int8)
    tiers = np.empty((runs, horizon, n), np.int8)
    region_share = np.empty((runs, horizon))
    region_share[:, 0] = params["region_share_target"]
    snapshots, slot = {}, 0
    for t in range(horizon):
        if t > 0:
            state = equations.step(state, params, drivers, t - 1)
            region_share[:, t] = state.inflow.sum(axis=-1) / (drivers.global_flow[:, t - 1] / 12)
        values = snapshot(state, params)
        tiers[:, t] = values["tier"]
        if t in wanted:
            snapshots[t] = values
        if trajectories and slot < len(kept_months) and kept_months[slot] == t:
            for name, store in trajectories.items():
                store[:, slot] = values[name][keep]
            slot += 1
    return BatchHistory(
        months, countries, params, tiers, region_share, snapshots, keep, kept_months, trajectories
    )


def trajectory_frame(history: BatchHistory, run_ids: np.ndarray) -> pd.DataFrame | None:
    """Tidy trajectories: one row per run, month and country."""
    if not history.trajectories:
        return None
    kept, n_months = len(history.trajectory_rows), len(history.trajectory_months)
    n = len(history.countries)
    dates = history.months[history.trajectory_months].to_timestamp()
    frame = pd.DataFrame(
        {
            "run_id": np.repeat(run_ids[history.trajectory_rows], n_months * n),
            "date": np.tile(np.repeat(dates.to_numpy(), n), kept),
            "iso3": pd.Categorical(np.tile(history.countries, kept * n_months)),
        }
    )
    for name in ("score", "tier", *TRAJECTORY_FIELDS[1:]):
        frame[name] = history.trajectories[name].reshape(-1)
    return frame


def _evaluate(experiment: Experiment, rows: pd.DataFrame, keep: np.ndarray) -> BatchResult:
    from experiments.sweep.metrics import key_months, summary_metrics

    history = simulate(experiment, rows, keep, key_months(experiment))
    summaries = pd.concat(
        [
            rows[list(RUN_COLUMNS)].reset_index(drop=True),
            pd.DataFrame(summary_metrics(experiment, history)),
        ],
        axis=1,
    )
    return BatchResult(summaries, trajectory_frame(history, rows["run_id"].to_numpy()), [])


def run_batch(
    experiment: Experiment, rows: pd.DataFrame, keep: np.ndarray | None = None
) -> BatchResult:
    """Run a batch; isolate failing runs (re-run one by one) instead of raising.

    ``rows`` are design rows (run ids and seeds included, so no two calls are identical);
    ``keep`` marks the runs whose trajectories are stored.
    """
    keep = np.zeros(len(rows), bool) if keep is None else np.asarray(keep, bool)
    try:
        return _evaluate(experiment, rows, keep)
    except Exception as exc:  # noqa: BLE001 - a model error must not stop the sweep
        if len(rows) == 1:
            row = rows.iloc[0]
            failure = {k: int(row[k]) for k in RUN_COLUMNS}
            failure |= {
                "error": f"{type(exc).__name__}: {exc}",
                "traceback": traceback.format_exc(),
            }
            return BatchResult(rows.iloc[:0][list(RUN_COLUMNS)].copy(), None, [failure])
    parts = [run_batch(experiment, rows.iloc[i : i + 1], keep[i : i + 1]) for i in range(len(rows))]
    summaries = pd.concat(
        [p.summaries for p in parts if len(p.summaries)] or [parts[0].summaries], ignore_index=True
    )
    frames = [p.trajectories for p in parts if p.trajectories is not None]
    return BatchResult(
        summaries,
        pd.concat(frames, ignore_index=True) if frames else None,
        [f for p in parts for f in p.failures],
    )
