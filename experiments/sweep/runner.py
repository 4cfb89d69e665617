"""Running an experiment: plan the batches, run them on an executor, stream them to disk.

:func:`run_experiment` is the one call behind ``latam-ai sweep``. At most
``max_in_flight`` batches are submitted at a time and finished batches are written in
shards of about ``shard_runs`` runs, so memory stays bounded whatever the sweep size.
"""

from __future__ import annotations

import time
from concurrent.futures import FIRST_COMPLETED, Executor, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.sweep import engine
from experiments.sweep.design import build_design, sample_count
from experiments.sweep.executors import InProcessExecutor, default_workers, describe
from experiments.sweep.metrics import selected_metrics
from experiments.sweep.provenance import design_hash, environment, fingerprint, sha256_text
from experiments.sweep.spec import Experiment, ExperimentError, key_line, load_experiment
from experiments.sweep.storage import ResultsFolder
from model.builder import DEFAULT_START, EDITION_START, calendar, initial_table
from model.policies import policy_schedule
from model.world import region_members


@dataclass
class SweepReport:
    """What a sweep did: counts and wall time."""

    folder: Path
    planned: int
    done: int
    failed: int
    skipped: int  # finished in an earlier, interrupted invocation
    seconds: float

    def __str__(self) -> str:
        rate = (self.done + self.failed - self.skipped) / max(self.seconds, 1e-9)
        return (
            f"{self.folder}: {self.done} runs done, {self.failed} failed of {self.planned} "
            f"planned ({self.skipped} from before); {self.seconds:.1f} s, {rate:.0f} runs/s"
        )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _error(
    experiment: Experiment, table: str, key: str, problem: str, shown: str = ""
) -> ExperimentError:
    line = key_line(experiment.source, table, key) if experiment.source else None
    where = f"{experiment.path}:{line}" if line else experiment.path
    return ExperimentError(f"{where}: [{table}] {key}{shown}: {problem}")


def _end_error(experiment: Experiment, params: dict[str, Any]) -> ExperimentError:
    """The last month is not after the first: name where each was set."""
    table, key = _where(experiment, "end"), "end"
    if table == "fixed" and key_line(experiment.source, "experiment", "horizon"):
        table, key = "experiment", "horizon"
    if params["start"] is not None:
        first = f"the first month, start = '{params['start']}'"
    else:
        initial = params["initial"]
        if isinstance(initial, str):
            month, why = EDITION_START.get(initial, DEFAULT_START), f"initial = {initial!r}"
        else:
            month, why = DEFAULT_START, "the default for a synthetic initial state"
        first = f"the first month {month} ({why}; or set start)"
    return _error(experiment, table, key, f"must be after {first}", f" = '{params['end']}'")


def _where(experiment: Experiment, name: str) -> str:
    if name in experiment.fixed:
        return "fixed"
    return "design" if experiment.design.method == "list" else "varied"


def check_design(experiment: Experiment, design: pd.DataFrame) -> None:
    """Checks that need the calendar and the countries: horizon, policy plans and the
    output country (a focus country of the model)."""
    try:
        selected_metrics(experiment)
    except ValueError as exc:
        raise _error(experiment, "outputs", "metrics", str(exc)) from None
    for _, rows in design.groupby(group_keys(experiment, design), sort=False):
        samples = rows.drop_duplicates("sample_id")
        runs = engine.run_parameters(experiment, samples)
        try:
            months = calendar(runs[0])
        except ValueError:
            raise _end_error(experiment, runs[0]) from None
        table = initial_table(runs[0]["initial"])
        try:
            focus = region_members(table, runs[0]["focus"])
        except ValueError as exc:
            raise _error(experiment, _where(experiment, "focus"), "focus", str(exc)) from None
        countries = list(table["iso3"])
        in_focus = set(table["iso3"][focus])
        if experiment.outputs.country not in in_focus:
            raise _error(
                experiment,
                "outputs",
                "country",
                f"{experiment.outputs.country!r} is not one of the focus countries "
                f"({', '.join(sorted(in_focus)[:20])}{', ...' if len(in_focus) > 20 else ''})",
                f" = {experiment.outputs.country!r}",
            )
        plans = {repr((sorted(r["policies"].items()), r["policy_budget"])): r for r in runs}
        for run in plans.values():
            try:
                policy_schedule(run["policies"], countries, months, run["policy_budget"])
            except ValueError as exc:
                raise _error(
                    experiment, _where(experiment, "policies"), "policies", str(exc)
                ) from None


def group_keys(experiment: Experiment, design: pd.DataFrame) -> pd.Series:
    """Key of the batch group of each run (runs in a batch share calendar and initial)."""
    columns = [c for c in engine.BATCH_KEYS if c in design.columns]
    if not columns:
        return pd.Series(0, index=design.index)
    return design[columns].astype(str).agg("|".join, axis=1)


def plan_batches(experiment: Experiment, pending: pd.DataFrame, batch_size: int) -> list:
    """Pending runs split into batches of at most ``batch_size`` within each group."""
    batches = []
    for _, rows in pending.groupby(group_keys(experiment, pending), sort=False):
        for start in range(0, len(rows), batch_size):
            batches.append(rows.iloc[start : start + batch_size])
    return batches


def keep_trajectories(experiment: Experiment, rows: pd.DataFrame) -> np.ndarray:
    """Which runs of a batch store their trajectories."""
    wanted = experiment.outputs.trajectories
    if wanted == "all":
        return np.ones(len(rows), bool)
    if wanted == "none":
        return np.zeros(len(rows), bool)
    return rows["sample_id"].to_numpy() < int(wanted)


def prepare(experiment: Experiment | str | Path) -> tuple[Experiment, pd.DataFrame]:
    """Load (if a path) and validate an experiment; build and check its design."""
    if not isinstance(experiment, Experiment):
        experiment = load_experiment(experiment)
    design = build_design(experiment)
    check_design(experiment, design)
    return experiment, design


#: What each entry of a manifest's ``inputs`` covers, for the message refusing a resume.
INPUT_NAMES = {
    "experiment": "the experiment",
    "model_source": "the model code (model/ and agents/ sources)",
    "engine_source": "the sweep engine or metrics code (experiments/sweep, mobility/)",
    "parameter_defaults": "the parameter defaults (model.parameters.PARAMETERS)",
    "data": "the calibration data (data/*.csv)",
}


def stale_inputs(recorded: dict[str, Any] | None, current: dict[str, Any]) -> list[str]:
    """What differs between the inputs a folder's results were computed from and the
    current ones (empty: the results are current); ``recorded`` None: not recorded."""
    if not recorded:
        return ["the inputs (not recorded: the folder was written by an older version)"]
    changed = []
    for key, label in INPUT_NAMES.items():
        if recorded.get(key) == current[key]:
            continue
        if key == "experiment":
            tables = [
                f"[{name}]"
                for name, value in current["tables"].items()
                if recorded.get("tables", {}).get(name) != value
            ]
            label += f" ({', '.join(tables)})" if tables else ""
        changed.append(label)
    return changed


def _open_folder(
    store: ResultsFolder,
    experiment: Experiment,
    design: pd.DataFrame,
    resume: bool,
    executor: Executor,
    batch_size: int,
) -> dict[str, Any]:
    inputs = fingerprint(experiment)
    if store.exists():
        if not resume:
            raise ExperimentError(
                f"{store.path} already holds a sweep; use --resume to continue "
                "it or choose another --out"
            )
        manifest = store.read_manifest()
        changed = stale_inputs(manifest.get("inputs"), inputs)
        if not changed and manifest["design"]["sha256"] != design_hash(design):
            changed = ["the design (run ids, seeds or values)"]
        if changed:
            raise ExperimentError(
                f"{store.path}: cannot resume: {' and '.join(changed)} "
                f"{'differs' if len(changed) == 1 else 'differ'} from what this folder's "
                "results were computed with, so they would be stale; run into a new --out "
                "(this folder is left unchanged)"
            )
        manifest["resumed"] = [*manifest.get("resumed", []), _now()]
        manifest["executor"] = describe(executor)
        return manifest
    try:
        store.create()
        (store.path / "experiment.toml").write_text(experiment.source or "# built in Python\n")
        store.write_design(design)
    except OSError as exc:
        raise ExperimentError(
            f"cannot write the results folder {store.path}: {exc.strerror or exc}"
        ) from None
    method = experiment.design
    return {
        **environment(),
        "experiment": {
            "name": experiment.name,
            "path": experiment.path,
            "sha256": sha256_text(experiment.source),
        },
        "inputs": inputs,
        "design": {
            "method": method.method,
            "variables": [v.name for v in experiment.varied],
            "samples": sample_count(experiment),
            "replications": experiment.replications,
            "seed": experiment.seed,
            "base_samples": method.base_samples,
            "second_order": method.second_order,
            "trajectories": method.trajectories,
            "levels": method.levels,
            "common_random_numbers": experiment.common_random_numbers,
            "seeding": "SeedSequence(seed).spawn(k); seed = child.generate_state(1, "
            "uint64)[0]; k = replications with CRN else samples*replications",
            "sha256": design_hash(design),
        },
        "executor": describe(executor),
        "batch_size": batch_size,
        "started": _now(),
    }


def run_experiment(
    experiment: Experiment | str | Path,
    out: str | Path,
    executor: Executor | None = None,
    batch_size: int | None = None,
    resume: bool = False,
    progress: bool = True,
    shard_runs: int = 50_000,
    max_in_flight: int | None = None,
) -> SweepReport:
    """Run an experiment into the results folder ``out``; return the counts.

    ``executor``: any ``concurrent.futures.Executor`` (default: in-process). With
    ``resume``, runs the ledger names are skipped. Results do not depend on the executor,
    worker count, batch size or order. Model errors are recorded per run, never raised.
    """
    began = time.perf_counter()
    experiment, design = prepare(experiment)
    executor = executor or InProcessExecutor()
    batch_size = batch_size or experiment.batch_size
    store = ResultsFolder(out)
    manifest = _open_folder(store, experiment, design, resume, executor, batch_size)
    ledger = store.read_ledger()
    skipped = len(ledger)
    failed = sum(status == "failed" for status, _ in ledger.values())
    pending = design[~design["run_id"].isin(list(ledger))]
    manifest["counts"] = {"planned": len(design), "done": skipped - failed, "failed": failed}
    manifest["status"] = "running"
    store.write_manifest(manifest)
    batches = plan_batches(experiment, pending, batch_size)
    limit = max_in_flight or 2 * max(getattr(executor, "_max_workers", 0) or default_workers(), 1)
    bar = _progress(progress, len(design), skipped, failed)
    writer = _ShardWriter(store, shard_runs)
    in_flight: set = set()
    try:
        for rows in batches:
            while len(in_flight) >= limit:
                in_flight = _collect(in_flight, writer, bar, manifest)
            keep = keep_trajectories(experiment, rows)
            in_flight.add(executor.submit(engine.run_batch, experiment, rows, keep))
            if isinstance(executor, InProcessExecutor):
                in_flight = _collect(in_flight, writer, bar, manifest)
        while in_flight:
            in_flight = _collect(in_flight, writer, bar, manifest)
        writer.flush()
        manifest["status"] = "complete"
    finally:
        writer.flush()
        manifest["status"] = manifest["status"] if manifest["status"] == "complete" else "stopped"
        manifest["finished"] = _now()
        store.write_manifest(manifest)
        if bar is not None:
            bar.close()
    counts = manifest["counts"]
    return SweepReport(
        store.path,
        len(design),
        counts["done"],
        counts["failed"],
        skipped,
        time.perf_counter() - began,
    )


def _progress(enabled: bool, total: int, initial: int, failed: int):
    if not enabled:
        return None
    from tqdm.auto import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: worker processes may be forked later
    bar = tqdm(total=total, initial=initial, unit="run", smoothing=0.1, dynamic_ncols=True)
    bar.set_postfix(failed=failed)
    return bar


def _collect(in_flight: set, writer: _ShardWriter, bar, manifest: dict) -> set:
    """Wait for at least one batch, hand finished batches to the writer, update counts."""
    finished, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
    for future in finished:
        result = future.result()
        writer.add(result)
        manifest["counts"]["done"] += len(result.summaries)
        manifest["counts"]["failed"] += len(result.failures)
        if bar is not None:
            bar.update(len(result.summaries) + len(result.failures))
            bar.set_postfix(failed=manifest["counts"]["failed"])
    return in_flight


class _ShardWriter:
    """Buffers finished batches and commits them as one shard every ``shard_runs`` runs
    (or every minute, or two million trajectory rows)."""

    def __init__(self, store: ResultsFolder, shard_runs: int) -> None:
        self.store, self.shard_runs = store, shard_runs
        self.buffer: list[engine.BatchResult] = []
        self.runs = self.rows = 0
        self.last = time.monotonic()

    def add(self, result: engine.BatchResult) -> None:
        self.buffer.append(result)
        self.runs += len(result.summaries) + len(result.failures)
        self.rows += 0 if result.trajectories is None else len(result.trajectories)
        if (
            self.runs >= self.shard_runs
            or self.rows >= 2_000_000
            or time.monotonic() - self.last > 60
        ):
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        summaries = [r.summaries for r in self.buffer if len(r.summaries)]
        trajectories = [r.trajectories for r in self.buffer if r.trajectories is not None]
        failures = [f for r in self.buffer for f in r.failures]
        frames = {
            "summaries": pd.concat(summaries, ignore_index=True) if summaries else None,
            "trajectories": pd.concat(trajectories, ignore_index=True) if trajectories else None,
            "failures": pd.DataFrame(failures) if failures else None,
        }
        done = frames["summaries"]["run_id"].tolist() if summaries else []
        self.store.commit(self.store.next_shard(), frames, done, [f["run_id"] for f in failures])
        self.buffer, self.runs, self.rows, self.last = [], 0, 0, time.monotonic()
