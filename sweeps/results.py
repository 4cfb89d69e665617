"""Reading a results folder: :func:`load_results` checks it against its manifest
(:mod:`sweeps.integrity`) and returns its tables as tidy frames; :func:`export_csv`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sweeps.integrity import checksum_problems, damage_message, inspect
from sweeps.storage import KINDS, TRAJECTORY_SUFFIX, DamagedFolder, ResultsFolder
from sweeps.trajectories import concat_frames, legacy_frame, read_block, tidy_frame


@dataclass
class Results:
    """A sweep's results as tidy pandas frames (``manifest["counts"]``: from the ledger)."""

    summaries: pd.DataFrame
    design: pd.DataFrame
    failures: pd.DataFrame
    manifest: dict[str, Any]
    trajectories: pd.DataFrame | None = None
    folder: Path = field(default_factory=Path)

    def table(self) -> pd.DataFrame:
        """Summaries joined with each run's parameter values (one row per run)."""
        keys = ["run_id", "sample_id", "replicate", "seed"]
        return self.design.merge(self.summaries.drop(columns=keys[1:]), on="run_id")


def _read_kind(
    store: ResultsFolder, kind: str, status: str, committed: dict[int, tuple[str, str]]
) -> pd.DataFrame | None:
    """Rows of one table that the ledger commits to their shard, sorted by run."""
    owners: dict[str, list[int]] = {}
    for run_id, (run_status, shard) in committed.items():
        if run_status == status:
            owners.setdefault(shard, []).append(run_id)
    if kind == "trajectories":
        return _read_trajectories(store, owners)
    frames = []
    for shard in sorted(owners):
        path = store.shard_path(kind, shard)
        if path.exists():
            frame = pd.read_parquet(path)
            frames.append(frame[frame["run_id"].isin(owners[shard])])
    if not frames:
        return None
    frame = pd.concat(frames, ignore_index=True)
    return frame.sort_values(["run_id"], kind="stable").reset_index(drop=True)


def _read_trajectories(store: ResultsFolder, owners: dict[str, list[int]]) -> pd.DataFrame | None:
    """The committed trajectory rows of every shard as one tidy frame, sorted by run, date
    and country (``sweeps.trajectories.tidy_frame``)."""
    blocks, frames = [], []
    for shard in sorted(owners):
        path = store.shard_path("trajectories", shard)
        if not path.exists():
            continue
        if path.suffix == TRAJECTORY_SUFFIX:
            blocks.append(read_block(path).select(owners[shard]))
        else:
            frames.append(legacy_frame(path, owners[shard]))
    frames = [f for f in (tidy_frame(blocks), *frames) if f is not None and len(f)]
    if not frames:
        return None
    frame = concat_frames(frames)
    order = ["run_id", "date", "iso3"]
    return frame.sort_values(order, kind="stable").reset_index(drop=True)


def first_runs(
    committed: dict[int, tuple[str, str]], count: int | None
) -> dict[int, tuple[str, str]]:
    """The ledger's entries of the ``count`` finished runs with the lowest ids (all: None)."""
    if count is None:
        return committed
    done = sorted(run_id for run_id, (status, _) in committed.items() if status == "done")
    return {run_id: committed[run_id] for run_id in done[:count]}


def load_results(
    folder: str | Path, trajectories: bool = True, trajectory_runs: int | None = None
) -> Results:
    """Load a results folder: summaries, trajectories, design, failures and the manifest.

    ``trajectory_runs``: keep the trajectories of at most that many runs (those with the
    lowest run ids: the same runs on every read), for readers that plot a sample. The
    folder is checked against its manifest first (:func:`integrity.inspect`; checksums of
    the files read, so with ``trajectory_runs`` of the trajectory files holding those runs
    only, the others by size); a damaged folder raises :class:`DamagedFolder` naming every
    problem found.
    """
    store = ResultsFolder(folder)
    if not store.path.is_dir():
        raise FileNotFoundError(f"{folder}: no such results folder")
    if not store.exists():
        raise FileNotFoundError(f"{folder}: no manifest.json; not a sweep results folder")
    every_trajectory = trajectories and trajectory_runs is None
    inspection = inspect(store, kinds=KINDS if every_trajectory else ("summaries", "failures"))
    manifest = inspection.manifest
    committed = inspection.committed
    read = first_runs(committed, trajectory_runs) if trajectories else {}
    if trajectories and not every_trajectory:
        shards = {shard for _, shard in read.values()}
        inspection.problems += checksum_problems(store, manifest, "trajectories", shards)
    if inspection.problems:
        raise DamagedFolder(damage_message(store, manifest, inspection.problems))
    failures = _read_kind(store, "failures", "failed", committed)
    if failures is None:
        failures = pd.DataFrame(
            columns=["run_id", "sample_id", "replicate", "seed", "error", "traceback"]
        )
    summaries = _read_kind(store, "summaries", "done", committed)
    if summaries is None:
        summaries = pd.DataFrame(columns=["run_id", "sample_id", "replicate", "seed"])
    failed = sum(status == "failed" for status, _ in committed.values())
    planned = manifest.get("counts", {}).get("planned", inspection.planned)
    manifest["counts"] = {"planned": planned, "done": len(committed) - failed, "failed": failed}
    return Results(
        summaries=summaries,
        design=store.read_design(),
        failures=failures,
        manifest=manifest,
        trajectories=_read_kind(store, "trajectories", "done", read) if trajectories else None,
        folder=Path(folder),
    )


def export_csv(folder: str | Path, out: str | Path | None = None) -> list[Path]:
    """Write the results as CSV files (``<folder>/csv/`` by default); return their paths."""
    results = load_results(folder)
    target = Path(out) if out else Path(folder) / "csv"
    target.mkdir(parents=True, exist_ok=True)
    written = []
    tables = {
        "summaries": results.table(),
        "design": results.design,
        "failures": results.failures,
        "trajectories": results.trajectories,
    }
    for name, frame in tables.items():
        if frame is not None:
            path = target / f"{name}.csv"
            frame.to_csv(path, index=False)
            written.append(path)
    return written
