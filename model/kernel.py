"""One compiled kernel per batch: the world model's whole time loop for N runs.

:func:`run_kernel` takes a ``model.builder.Batch`` and returns what the engines keep
(:class:`KernelHistory`): the focus countries' tier codes every month (int8), the focus
countries' share of world AI investment every month, full snapshots of the focus countries
at requested months and float32 trajectories of requested runs at requested months, plus
the final state. The loop (``model._kernel_loop``) is numba-compiled on first use and
cached on disk (``cache=True``), so importing this module compiles nothing; :func:`warm`
compiles (or loads) it ahead of a timed section. numba keys that cache by the loop's own
file: after editing ``model/streams.py`` alone, delete ``model/__pycache__/_kernel_loop*``
(tests/test_kernel.py fails on stale draws).

``model.equations`` stays the readable reference and the oracle: the kernel equals
:func:`model.equations.step` applied month by month within 1e-9 with identical tiers
(tests/test_kernel.py), and every draw comes from the same ``model.streams`` functions.
Policy schedules, consortia, the demonstration effect and every switch are in the kernel;
nothing falls back to the reference loop. Runs are independent: a run's results do not
depend on the batch it is in, and runs spread over the cores in the main thread of the
main process (:func:`parallel_default`); worker processes and threads run their batch
serially (each already has its core, and numba's default thread pool is not re-entrant).
"""

from __future__ import annotations

import functools
import multiprocessing
import threading
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from model import equations, streams
from model.policies import CONSORTIUM, LEVER_TABLE


@dataclass
class KernelHistory:
    """What one kernel call keeps of a batch (focus countries only, in table order)."""

    tiers: np.ndarray  # (runs, months, focus) int8, every month (months 0 if not kept)
    region_share: np.ndarray  # (runs, months): focus share of world investment (NaN at 0)
    snapshots: dict[int, dict[str, np.ndarray]]  # month -> field -> (runs, focus)
    trajectory_rows: np.ndarray  # runs whose trajectories were kept
    trajectory_months: np.ndarray  # month indices kept
    trajectories: dict[str, np.ndarray]  # field -> (kept, months kept, focus), float32/int8
    state: equations.WorldState  # the state after the last month
    #: accumulated by the kernel as the run goes (focus countries): "transitions" (runs,
    #: 3, 3) counts of moves from tier i to tier j 12 months later (``_kernel_loop.
    #: TRANSITION_LAG``), pooled over countries and origin months; "upward" and "downward"
    #: (runs,) month-to-month moves; "first_pioneer" (runs, focus) the first month as a
    #: Pioneer (NaN: never)
    tier_summary: dict[str, np.ndarray]


@functools.cache
def _loop():
    _prefer_wide_vectors()
    from model import _kernel_loop

    return _kernel_loop


def _prefer_wide_vectors() -> None:
    """On a CPU with AVX-512, let numba's compiler use 512-bit vectors (LLVM prefers 256
    bits on such CPUs by default): the loop's passes ran about 20% faster on the
    development machine (docs/SWEEPS.md, "Kernel"). Results do not change: without
    reassociation every vector lane computes what the scalar code computes. Must run
    before numba compiles or loads anything in the process (else it changes nothing); a
    ``NUMBA_CPU_FEATURES`` set by the user wins."""
    from numba.core import config

    if config.CPU_FEATURES is not None:
        return
    import llvmlite.binding as llvm

    features = llvm.get_host_cpu_features()
    if features.get("avx512f"):
        config.CPU_FEATURES = features.flatten() + ",-prefer-256-bit"


def parallel_default() -> bool:
    """Spread runs over the cores only in the main thread of the main process."""
    return (
        threading.current_thread() is threading.main_thread()
        and multiprocessing.parent_process() is None
    )


def parameter_matrix(params: dict[str, Any], runs: int) -> np.ndarray:
    """The equations' parameters as a (runs, columns) float64 matrix (booleans 0 or 1)."""
    values = dict(params)
    values["tier_low"], values["tier_high"] = params["tier_thresholds"]
    columns = [
        np.broadcast_to(np.asarray(values[name], float).reshape(-1), (runs,))
        for name in _loop().COLUMNS
    ]
    return np.ascontiguousarray(np.stack(columns, axis=1))


def _schedules(drivers: equations.Drivers, runs: int):
    """The policy schedules once per distinct schedule (the builder broadcasts a shared
    one), and each run's schedule index."""
    changes = drivers.policy_changes
    if changes.strides[0] == 0:
        index = np.zeros(runs, np.int64)
        parts = [a[:1] for a in (changes, drivers.policy_strategy, drivers.policy_budget)]
    else:
        index = np.arange(runs, dtype=np.int64)
        parts = [changes, drivers.policy_strategy, drivers.policy_budget]
    changes, strategy, budget = (np.ascontiguousarray(a) for a in parts)
    return index, changes, strategy, budget, changes.any(axis=2), changes.any(axis=1)


def run_kernel(
    batch,
    snapshot_months=(),
    trajectory_rows=(),
    trajectory_months=(),
    parallel: bool | None = None,
    keep_tiers: bool = True,
) -> KernelHistory:
    """Run every month of ``batch`` (a ``model.builder.Batch``) in one compiled call.

    ``snapshot_months`` and ``trajectory_months`` are month indices (0 is the start);
    ``trajectory_rows`` the runs whose trajectories are kept. ``parallel`` spreads runs
    over the cores (default :func:`parallel_default`). Without ``keep_tiers`` the focus
    tiers of every month are not stored (the tier summary is accumulated either way)."""
    loop = _loop()
    state, drivers, focus = batch.state, batch.drivers, batch.focus
    runs, n = state.research.shape
    horizon = drivers.frontier_access.shape[-1]
    work = {
        name: np.array(getattr(state, name), dtype=float, order="C")
        for name in ("governance", "adoption", "research", "enabling", "capital", "inflow",
                     "budget", "policy_tenure", "score_at_review")
    }  # fmt: skip
    strategy = np.array(state.strategy, dtype=np.int8, order="C")

    def constant(name):
        return np.ascontiguousarray(np.broadcast_to(getattr(state, name), (runs, n)), float)

    run_scalars = np.ascontiguousarray(
        np.stack(
            [
                np.broadcast_to(np.asarray(getattr(state, name), float).reshape(-1), (runs,))
                for name in ("score_intercept", "score_slope", "market_share")
            ],
            axis=1,
        )
    )
    region = np.ascontiguousarray(np.asarray(state.region_code).reshape(-1, n)[0], np.int64)
    keys = np.ascontiguousarray(np.asarray(drivers.run_key, np.uint64).reshape(runs))
    with np.errstate(over="ignore"):
        keys2 = streams.second_key(keys)
    schedule_of_run, changes, scheduled_strategy, scheduled_budget, change_any, committed = (
        _schedules(drivers, runs)
    )
    focus_index = np.flatnonzero(focus).astype(np.int64)
    nf = len(focus_index)

    def slots(months):
        months = np.unique(np.asarray(months, np.int64))
        table = np.full(horizon, -1, np.int64)
        table[months] = np.arange(len(months))
        return months, table

    snapshot_list, snapshot_slot = slots(snapshot_months)
    kept_months, trajectory_slot = slots(trajectory_months)
    kept_rows = np.asarray(trajectory_rows, np.int64).reshape(-1)
    trajectory_row = np.full(runs, -1, np.int64)
    trajectory_row[kept_rows] = np.arange(len(kept_rows))
    tier_months, tier_slot = slots(np.arange(horizon) if keep_tiers else ())
    tiers = np.empty((runs, len(tier_months), nf), np.int8)
    summary = np.empty((runs, loop.FIRST_PIONEER + nf), np.int64)
    trajectory_tiers = np.empty((len(kept_rows), len(kept_months), nf), np.int8)
    share = np.full((runs, horizon), np.nan)
    snapshots = np.empty((len(loop.SNAPSHOT_FIELDS), runs, len(snapshot_list), nf))
    trajectories = np.empty(
        (len(loop.TRAJECTORY_FIELDS), len(kept_rows), len(kept_months), nf), np.float32
    )
    run = (
        loop.run_parallel
        if (parallel_default() if parallel is None else parallel)
        else (loop.run_serial)
    )
    run(
        parameter_matrix(batch.params, runs),
        work["governance"], work["adoption"], work["research"], work["enabling"],
        work["capital"], work["inflow"], work["budget"], work["policy_tenure"],
        work["score_at_review"], strategy,
        constant("gdp"), constant("size_weight"), constant("governance_reference"),
        constant("adoption_reference"), constant("research_base"), constant("enabling_base"),
        constant("score_offset"), run_scalars, region, int(region.max()) + 1,
        np.ascontiguousarray(np.broadcast_to(drivers.frontier_access, (runs, horizon)), float),
        np.ascontiguousarray(np.broadcast_to(drivers.released_access, (runs, horizon)), float),
        np.ascontiguousarray(np.broadcast_to(drivers.global_flow, (runs, horizon)), float),
        schedule_of_run, changes, scheduled_strategy, scheduled_budget, change_any, committed,
        keys, keys2, np.ascontiguousarray(LEVER_TABLE, float), np.ascontiguousarray(CONSORTIUM),
        focus_index, tiers, share, snapshot_slot, snapshots, trajectory_slot, trajectory_row,
        trajectories, tier_slot, summary, trajectory_tiers,
    )  # fmt: skip
    snapshot_dict = {}
    for slot, month in enumerate(snapshot_list):
        values = {name: snapshots[i, :, slot] for i, name in enumerate(loop.SNAPSHOT_FIELDS)}
        values["tier"] = values["tier"].astype(np.int8)
        values["strategy"] = values["strategy"].astype(np.int8)
        snapshot_dict[int(month)] = values
    kept = {name: trajectories[i] for i, name in enumerate(loop.TRAJECTORY_FIELDS)}
    if len(kept_rows):
        kept["tier"] = trajectory_tiers
    final = replace(
        state,
        governance=work["governance"],
        adoption=work["adoption"],
        research=work["research"],
        enabling=work["enabling"],
        capital=work["capital"],
        inflow=work["inflow"],
        budget=work["budget"],
        policy_tenure=work["policy_tenure"],
        score_at_review=work["score_at_review"],
        strategy=strategy,
    )
    first = summary[:, loop.FIRST_PIONEER :].astype(float)
    first[first < 0] = np.nan
    tier_summary = {
        "transitions": summary[:, : loop.UPWARD]
        .reshape(runs, loop.TIERS, loop.TIERS)
        .astype(float),
        "upward": summary[:, loop.UPWARD].astype(float),
        "downward": summary[:, loop.DOWNWARD].astype(float),
        "first_pioneer": first,
    }
    return KernelHistory(
        tiers, share, snapshot_dict, kept_rows, kept_months, kept if len(kept_rows) else {},
        final, tier_summary,
    )  # fmt: skip


def warm(parallel: tuple[bool, ...] = (True, False)) -> None:
    """Compile (or load from the disk cache) the loop's variants (``parallel``: which of
    ``run_parallel`` and ``run_serial``; both by default) on a tiny batch."""
    from model.builder import build_batch
    from model.parameters import validate_parameters

    tiny = validate_parameters({"end": "2024-11", "initial": "latam19", "open_weights_date": None})
    batch = build_batch([tiny], [0])
    for variant in parallel:
        run_kernel(batch, (0,), (0,), (0,), parallel=variant)
