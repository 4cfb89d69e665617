"""Running an experiment: plan the batches, run them on an executor, stream them to disk.

:func:`run_experiment` is the one call behind ``latam-ai sweep``. Everything is checked
before the results folder is touched (:func:`prepare`); the folder is then locked for the
whole sweep (:mod:`sweeps.lock`), checked and repaired on resume
(:mod:`sweeps.integrity`). At most ``max_in_flight`` batches are submitted at
a time and finished batches are committed every few seconds
(:mod:`sweeps.writer`), so memory stays bounded and a kill loses seconds.
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.builder import calendar
from model.initial_state import DEFAULT_START, EDITION_START, initial_table
from model.schedules import policy_schedule
from model.world import region_members
from sweeps import engine
from sweeps.design import build_design
from sweeps.executors import (
    InProcessExecutor,
    abandon,
    default_workers,
    describe,
)
from sweeps.integrity import inspect, repair
from sweeps.interrupts import Interrupts, StopRequested, SweepInterrupted
from sweeps.lock import FolderLock, writing
from sweeps.metrics import selected_metrics
from sweeps.provenance import design_hash, environment, fingerprint, sha256_text
from sweeps.spec import Experiment, ExperimentError, key_line, load_experiment
from sweeps.spec_sizes import check_size, sample_count
from sweeps.spec_values import check_batch_size
from sweeps.storage import FolderError, ResultsFolder, write_atomic
from sweeps.writer import COMMIT_SECONDS, ShardWriter, collect, progress_bar, run_and_stage


@dataclass
class SweepReport:
    """What a sweep did: counts and wall time."""

    folder: Path
    planned: int
    done: int
    failed: int
    skipped: int  # finished in an earlier, interrupted invocation
    seconds: float
    status: str = "complete"

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
    if not columns or design.empty:  # nothing pending (a finished sweep resumed)
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
    check_size(experiment)
    design = build_design(experiment)
    check_design(experiment, design)
    check_outputs(experiment, design)
    return experiment, design


def check_outputs(experiment: Experiment, design: pd.DataFrame) -> None:
    """The ``[outputs] years`` given must fall in every run's calendar (December of each
    year between the first and the last month), else their metrics would be all NaN."""
    if not experiment.outputs.years_given:
        return
    for _, rows in design.groupby(group_keys(experiment, design), sort=False):
        months = calendar(engine.run_parameters(experiment, rows.iloc[:1])[0])
        for year in experiment.outputs.years:
            if not months[0] <= pd.Period(f"{year}-12", "M") <= months[-1]:
                raise _error(
                    experiment,
                    "outputs",
                    "years",
                    f"December {year} is not simulated (the runs go from {months[0]} to "
                    f"{months[-1]}); allowed: years {months[0].year} to "
                    f"{months[-1].year - (months[-1].month < 12)}",
                    f" = {year}",
                )


#: What each entry of a manifest's ``inputs`` covers, for the message refusing a resume.
INPUT_NAMES = {
    "experiment": "the experiment",
    "model_source": "the model code (model/ and agents/ sources)",
    "engine_source": "the sweep engine or metrics code (sweeps, mobility/)",
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


def _resume_folder(
    lock: FolderLock, store: ResultsFolder, experiment: Experiment, design: pd.DataFrame, log
) -> tuple[dict[str, Any], dict[int, tuple[str, str]]]:
    """Check a folder a resume continues (refusals change nothing), then repair it."""
    manifest = store.read_manifest()
    changed = stale_inputs(manifest.get("inputs"), fingerprint(experiment))
    if not changed and manifest["design"].get("sha256") != design_hash(design):
        changed = ["the design (run ids, seeds or values)"]
    if changed:
        raise ExperimentError(
            f"{store.path}: cannot resume: {' and '.join(changed)} "
            f"{'differs' if len(changed) == 1 else 'differ'} from what this folder's "
            "results were computed with, so they would be stale; run into a new --out "
            "(this folder is left unchanged)"
        )
    found = inspect(store, manifest, live=False)  # this process holds the lock
    lock.record()  # from here on the folder changes
    for problem in found.problems:
        log(f"{store.path}: repair: {problem}")
    if found.needs_repair:
        repair(store, found, design)
    manifest["resumed"] = [*manifest.get("resumed", []), _now()]
    return manifest, found.committed


def _new_folder(
    lock: FolderLock, store: ResultsFolder, experiment: Experiment, design: pd.DataFrame
) -> dict[str, Any]:
    """Write a new folder's experiment copy and design; return its manifest."""
    lock.record()
    store.create()
    source = experiment.source or "# built in Python\n"
    write_atomic(store.path / "experiment.toml", lambda p: p.write_text(source))
    design_file = store.write_design(design)
    method = experiment.design
    return {
        **environment(),
        "experiment": {
            "name": experiment.name,
            "path": experiment.path,
            "sha256": sha256_text(experiment.source),
        },
        "inputs": fingerprint(experiment),
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
            "posterior": None
            if experiment.posterior is None
            else {
                "file": experiment.posterior.file,
                "draws": experiment.posterior.draws,
                "columns": list(experiment.posterior.columns),
            },
            "seeding": "SeedSequence(seed).spawn(k); seed = child.generate_state(1, "
            "uint64)[0]; k = draws*replications with CRN else samples*draws*replications "
            "(draws = 1 without [posterior])",
            "sha256": design_hash(design),
            "file": design_file,
        },
        "started": _now(),
        "shards": [],
        "next_shard": 0,
    }


class SweepFailed(RuntimeError):
    """The executor or a worker failed (not a model error: those are recorded per run);
    the finished runs are kept and the message says how to continue."""


def _resume_command(experiment: Experiment, folder: Path) -> str:
    if experiment.path == "<dict>":
        return f"run_experiment(experiment, {str(folder)!r}, resume=True)"
    return f"latam-ai sweep {experiment.path} --out {folder} --resume"


def run_experiment(
    experiment: Experiment | str | Path,
    out: str | Path,
    executor: Executor | None = None,
    batch_size: int | None = None,
    resume: bool = False,
    progress: bool = True,
    shard_runs: int = 50_000,
    max_in_flight: int | None = None,
    commit_seconds: float = COMMIT_SECONDS,
    log=None,
) -> SweepReport:
    """Run an experiment into the results folder ``out``; return the counts.

    ``executor``: any ``concurrent.futures.Executor`` (default: in-process). With
    ``resume``, runs the folder holds are skipped and damage is repaired first (its runs
    are run again). Results do not depend on the executor, worker count, batch size or
    order. Model errors are recorded per run, never raised. Finished runs are committed
    every ``commit_seconds`` (or ``shard_runs`` runs). SIGINT and SIGTERM stop the sweep
    cleanly: what finished is kept, the manifest says "interrupted", and
    :class:`SweepInterrupted` is raised (batches still running are abandoned and local
    worker processes stopped). ``log``: where repair notes go (default: stderr).
    """
    began = time.perf_counter()
    experiment, design = prepare(experiment)
    batch_size = check_batch_size(
        experiment.batch_size if batch_size is None else batch_size, "batch_size"
    )
    executor = executor or InProcessExecutor()
    log = log or (lambda message: print(message, file=sys.stderr, flush=True))
    store = ResultsFolder(out)
    interrupts = Interrupts()
    with interrupts, writing(store.path, resume) as lock:
        with interrupts.holding():
            try:
                if lock.new:
                    manifest, committed = _new_folder(lock, store, experiment, design), {}
                else:
                    manifest, committed = _resume_folder(lock, store, experiment, design, log)
                manifest["executor"], manifest["batch_size"] = describe(executor), batch_size
                failed = sum(status == "failed" for status, _ in committed.values())
                writer = ShardWriter(store, manifest, shard_runs, commit_seconds, interrupts)
                writer.done, writer.failed = len(committed) - failed, failed
                manifest["counts"] = writer.counts(len(design))
                manifest["status"] = "running"
                store.write_manifest(manifest)
            except OSError as exc:
                raise FolderError(
                    f"cannot write the results folder {store.path}: {exc.strerror or exc}"
                ) from None
        skipped = len(committed)
        pending = design[~design["run_id"].isin(list(committed))]
        bar = progress_bar(progress, len(design), skipped, failed)
        in_flight: set = set()
        outcome: BaseException | None = None
        try:
            try:
                interrupts.check()  # a signal while the folder was opened
                _run(
                    experiment, pending, batch_size, executor, writer, bar, max_in_flight, in_flight
                )
            finally:
                interrupts.stopping()  # a signal before this is raised here and caught below
        except BaseException as exc:  # noqa: BLE001 - recorded, then raised below
            outcome = exc
        _finish(store, manifest, writer, executor, in_flight, bar, outcome, len(design))
    report = SweepReport(
        store.path,
        len(design),
        writer.done,
        writer.failed,
        skipped,
        time.perf_counter() - began,
        manifest["status"],
    )
    if isinstance(outcome, StopRequested):
        raise SweepInterrupted(report, outcome.signum, _resume_command(experiment, store.path))
    if isinstance(outcome, OSError):
        raise FolderError(
            f"cannot write the results folder {store.path}: {outcome.strerror or outcome}; "
            f"{writer.done + writer.failed} finished runs are kept; free the space or fix "
            f"the permissions, then continue with: {_resume_command(experiment, store.path)}"
        ) from None
    if isinstance(outcome, Exception):  # the executor or a worker failed
        raise SweepFailed(
            f"{store.path}: the sweep stopped: {type(outcome).__name__}: {outcome}; "
            f"{writer.done + writer.failed} finished runs are kept; continue with: "
            f"{_resume_command(experiment, store.path)}"
        ) from outcome
    if outcome is not None:
        raise outcome
    return report


#: The smallest batch :func:`spread_batch_size` makes (smaller ones cost more per run).
SMALLEST_SPREAD_BATCH = 64


def spread_batch_size(batch_size: int, pending: int, workers: int) -> int:
    """The batch size that gives every worker work: at most ``batch_size``, and small
    enough for two batches per worker when the sweep is short (results do not depend on
    the batch size), but not below :data:`SMALLEST_SPREAD_BATCH`."""
    if workers <= 1:
        return batch_size
    spread = -(-pending // (2 * workers))
    return max(1, min(batch_size, max(spread, SMALLEST_SPREAD_BATCH)))


def _run(experiment, pending, batch_size, executor, writer, bar, max_in_flight, in_flight):
    """Submit the pending runs in batches, at most ``max_in_flight`` at a time."""
    workers = 1
    if not isinstance(executor, InProcessExecutor):
        workers = int(describe(executor).get("workers") or default_workers())
    limit = max_in_flight or 2 * max(workers, 1)
    batch_size = spread_batch_size(batch_size, len(pending), workers)
    # workers on this machine write their trajectories into the folder themselves
    local = isinstance(executor, InProcessExecutor | ProcessPoolExecutor)
    staging = writer.store.path / "trajectories"
    for rows in plan_batches(experiment, pending, batch_size):
        while len(in_flight) >= limit:
            collect(in_flight, writer, bar)
        keep = keep_trajectories(experiment, rows)
        if local and keep.any():
            task = executor.submit(run_and_stage, experiment, rows, keep, staging)
        else:
            task = executor.submit(engine.run_batch, experiment, rows, keep)
        in_flight.add(task)
        if isinstance(executor, InProcessExecutor):
            collect(in_flight, writer, bar)
    while in_flight:
        collect(in_flight, writer, bar)
    writer.flush()


def _finish(store, manifest, writer, executor, in_flight, bar, outcome, planned) -> None:
    """Keep what finished, whatever ``outcome`` stopped the sweep; write the last manifest."""
    for future in abandon(executor, in_flight):
        writer.add(future.result(), commit=False)
    if outcome is None:
        status = "complete"
    else:
        status = "interrupted" if isinstance(outcome, StopRequested) else "failed"
    try:
        writer.flush()
    except OSError:
        status = "failed"
    manifest["status"], manifest["finished"] = status, _now()
    manifest["counts"] = writer.counts(planned)
    try:
        with writer.interrupts.deferred():
            store.write_manifest(manifest)
    except OSError:
        pass  # reported by the caller; the ledger holds every committed run
    if bar is not None:
        bar.close()
