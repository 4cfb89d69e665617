"""The batched engine: many runs at once through one compiled kernel per batch
(``model.kernel``; ``model.equations`` is its reference).

A batch is a set of runs that share the calendar, the initial table and the focus
(:func:`batch_key`, ``model.builder.SHARED``); every other parameter may differ per run and
is passed to the equations as an array of shape (runs, 1). Batches are built by
``model.builder.build_batch``, the same function ``RegionModel`` uses, and each run's
random-stream key comes from ``numpy.random.default_rng(seed)``, so a run here equals
``RegionModel(rng=seed, **parameters)`` (tests/test_sweep_engine.py).

:func:`run_batch` is what executors call: it never raises for a model error; a batch that
fails is re-run one run at a time and each failing run is returned with its traceback.
"""

from __future__ import annotations

import functools
import json
import traceback
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from model.builder import SHARED, Batch, build_batch
from model.kernel import run_kernel
from model.parameters import BY_NAME, validate_parameters, validate_value
from sweeps.initial import resolve_initial
from sweeps.spec import POSTERIOR_DRAW, THRESHOLD_PARTS, Experiment, normalise_value
from sweeps.trajectories import FLOAT_FIELDS, TrajectoryBlock, nonempty

#: Parameters that must be equal within a batch (they shape the arrays or the control flow).
BATCH_KEYS = SHARED
RUN_COLUMNS = ("run_id", "sample_id", "replicate", "seed")
#: Fields of a stored trajectory (float32), besides run_id, date, iso3 and tier.
TRAJECTORY_FIELDS = FLOAT_FIELDS


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
    #: the kernel's tier summary (``model.kernel.KernelHistory.tier_summary``)
    tier_summary: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def start(self) -> dict[str, np.ndarray]:
        """The state of the first month: field -> (runs, countries)."""
        return self.snapshots[0]

    @property
    def end(self) -> dict[str, np.ndarray]:
        """The state of the last month: field -> (runs, countries)."""
        return self.snapshots[len(self.months) - 1]


@dataclass
class BatchResult:
    """The outcome of :func:`run_batch`: summary rows, trajectories (compact arrays:
    ``sweeps.trajectories``) and failures."""

    summaries: pd.DataFrame
    trajectories: TrajectoryBlock | None
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
    params["initial"] = resolve_initial(experiment.fixed.get("initial", BY_NAME["initial"].default))
    return params


def batch_key(experiment: Experiment, row: dict[str, Any]) -> str:
    """Runs with equal keys can share a batch."""
    return json.dumps({k: row[k] for k in BATCH_KEYS if k in row}, sort_keys=True, default=str)


def run_parameters(experiment: Experiment, rows: pd.DataFrame) -> list[dict[str, Any]]:
    """The validated parameters of each design row: the fixed values overridden by the row's
    varied values (threshold parts joined into ``tier_thresholds``)."""
    fixed = fixed_parameters(experiment)

    def validated(name: str, column: pd.Series) -> list[Any]:
        # a column of floats for a float parameter is checked at once (what _validated
        # checks of each cell: a number in the range, given as a float); any other column,
        # or one with a value out of range, goes cell by cell (raising the error that names
        # the value)
        spec = BY_NAME.get(name)
        if spec is not None and spec.kind == "float" and column.dtype == np.float64:
            numbers = column.to_numpy()
            if ((numbers >= spec.low) & (numbers <= spec.high)).all():
                return numbers.tolist()
        return [_validated(name, cell) for cell in column.tolist()]

    columns = [
        c
        for c in rows.columns
        if c not in (*RUN_COLUMNS, "label", POSTERIOR_DRAW) and not c.startswith("u:")
    ]
    names = [c for c in columns if c not in THRESHOLD_PARTS]
    values = zip(*(validated(n, rows[n]) for n in names), strict=True) if names else None
    parts = [(THRESHOLD_PARTS[c], rows[c].tolist()) for c in columns if c in THRESHOLD_PARTS]
    runs = []
    for i in range(len(rows)):
        run = dict(fixed)
        if values is not None:
            run.update(zip(names, next(values), strict=True))
        thresholds = list(run["tier_thresholds"])  # the row's pair, or the fixed one
        for part, cells in parts:
            thresholds[part] = float(cells[i])
        if thresholds != list(run["tier_thresholds"]):
            run["tier_thresholds"] = validate_value(
                "tier_thresholds", thresholds, "design (tier threshold parts)"
            )
        runs.append(run)
    return runs


@functools.lru_cache(maxsize=4096)
def _validated(name: str, cell: Any) -> Any:
    value = decode(name, cell)
    if name == "initial":
        return resolve_initial(value)
    return validate_value(name, value, "design")


def build(experiment: Experiment, rows: pd.DataFrame) -> Batch:
    """The batch of design rows, through the same builder as ``RegionModel``."""
    return build_batch(run_parameters(experiment, rows), rows["seed"].to_numpy())


#: The fields of a snapshot (focus countries, one month).
SNAPSHOT_FIELDS = ("score", "tier", *TRAJECTORY_FIELDS[1:])


def simulate(
    experiment: Experiment,
    rows: pd.DataFrame,
    keep_trajectory: np.ndarray | None = None,
    key_months: tuple[str, ...] = (),
    keep_tiers: bool = True,
) -> BatchHistory:
    """Run a batch of design rows through the compiled kernel (``model.kernel``, equal to
    ``model.equations`` within 1e-9); return its history (the focus countries' tiers every
    month, their full state at key months).

    ``key_months`` ('YYYY-MM') are the months whose full state is kept (plus the first and
    the last); ``keep_trajectory`` marks the runs whose monthly trajectories are kept.
    Without ``keep_tiers`` the tiers of every month are not kept (``tiers`` has no months):
    the summary metrics read the kernel's tier summary instead.
    """
    batch = build(experiment, rows)
    months, focus = batch.months, batch.focus
    horizon = len(months)
    countries = [c for c, inside in zip(batch.countries, focus, strict=True) if inside]
    wanted = {0, horizon - 1} | {
        months.get_loc(pd.Period(m, "M"))
        for m in key_months
        if months[0] <= pd.Period(m, "M") <= months[-1]
    }
    keep = np.flatnonzero(keep_trajectory) if keep_trajectory is not None else np.array([], int)
    every = experiment.outputs.trajectory_every
    kept_months = np.unique(np.r_[np.arange(0, horizon, every), horizon - 1])
    history = run_kernel(batch, sorted(wanted), keep, kept_months, keep_tiers=keep_tiers)
    snapshots = {
        t: {name: values[name] for name in SNAPSHOT_FIELDS}
        for t, values in history.snapshots.items()
    }
    return BatchHistory(
        months,
        countries,
        batch.params,
        history.tiers,
        history.region_share,
        snapshots,
        keep,
        kept_months,
        history.trajectories,
        history.tier_summary,
    )


def trajectory_block(history: BatchHistory, run_ids: np.ndarray) -> TrajectoryBlock | None:
    """The trajectories a batch kept, as compact arrays (no per-row work)."""
    if not history.trajectories:
        return None
    return TrajectoryBlock.from_arrays(
        run_ids[history.trajectory_rows],
        history.months[history.trajectory_months].to_timestamp().to_numpy(),
        history.countries,
        history.trajectories,
    )


def concat_trajectory_blocks(blocks) -> TrajectoryBlock | None:
    """Blocks of the same calendar and countries as one (the runs of a split batch)."""
    blocks = nonempty(blocks)
    if not blocks:
        return None
    first = blocks[0]
    return TrajectoryBlock(
        np.concatenate([b.run_ids for b in blocks]),
        first.dates,
        first.countries,
        {name: np.concatenate([b.values[name] for b in blocks]) for name in first.values},
    )


def _evaluate(experiment: Experiment, rows: pd.DataFrame, keep: np.ndarray) -> BatchResult:
    from sweeps.metrics import key_months, summary_metrics

    history = simulate(experiment, rows, keep, key_months(experiment), keep_tiers=False)
    summaries = pd.concat(
        [
            rows[list(RUN_COLUMNS)].reset_index(drop=True),
            pd.DataFrame(summary_metrics(experiment, history)),
        ],
        axis=1,
    )
    return BatchResult(summaries, trajectory_block(history, rows["run_id"].to_numpy()), [])


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
        warnings.warn(  # never slow down silently: say why the batch is split
            f"a batch of {len(rows)} runs (run ids {int(rows['run_id'].iloc[0])}...) failed "
            f"({type(exc).__name__}: {exc}); running them one at a time to isolate the "
            "failing runs",
            stacklevel=2,
        )
    parts = [run_batch(experiment, rows.iloc[i : i + 1], keep[i : i + 1]) for i in range(len(rows))]
    summaries = pd.concat(
        [p.summaries for p in parts if len(p.summaries)] or [parts[0].summaries], ignore_index=True
    )
    return BatchResult(
        summaries,
        concat_trajectory_blocks([p.trajectories for p in parts]),
        [f for p in parts for f in p.failures],
    )
