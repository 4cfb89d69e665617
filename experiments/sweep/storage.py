"""A results folder that loses nothing: Parquet shards, an append-only ledger, a manifest.

Layout (docs/SWEEPS.md)::

    manifest.json             versions, platform, git commit, model hash, design, counts
    experiment.toml           copy of the experiment file
    design.parquet            one row per run: run_id, sample_id, replicate, seed, values
    ledger                    one line per finished run: "<run_id> <done|failed> <shard>"
    summaries/part-NNNNNN.parquet     summary metrics, one row per run
    trajectories/part-NNNNNN.parquet  run_id, date, iso3, score, tier, state variables
    failures/part-NNNNNN.parquet      run_id, sample_id, replicate, seed, error, traceback

A shard is written to a temporary file, synced and renamed before its run ids are
appended (and synced) to the ledger. Only rows the ledger assigns to a shard count, so a
kill at any moment leaves every run either recorded once or not at all: ``--resume``
re-runs exactly the runs the ledger does not name.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

KINDS = ("summaries", "trajectories", "failures")


def _sync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, write) -> None:
    """Write a file through ``write(temporary_path)``, sync it, then rename it into place."""
    temporary = path.with_name(f".{path.name}.tmp")
    write(temporary)
    with open(temporary, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    _sync_directory(path.parent)


def write_json(path: Path, data: dict) -> None:
    """Atomically write a JSON document."""
    write_atomic(path, lambda p: p.write_text(json.dumps(data, indent=2, default=str) + "\n"))


class ResultsFolder:
    """The files of one sweep's results (see the module docstring for the layout)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @property
    def manifest_path(self) -> Path:
        return self.path / "manifest.json"

    @property
    def ledger_path(self) -> Path:
        return self.path / "ledger"

    def exists(self) -> bool:
        """Whether the folder holds a sweep (a manifest)."""
        return self.manifest_path.exists()

    def create(self) -> None:
        """Make the folder and its shard sub-folders."""
        for kind in KINDS:
            (self.path / kind).mkdir(parents=True, exist_ok=True)

    def read_manifest(self) -> dict[str, Any]:
        return json.loads(self.manifest_path.read_text())

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        write_json(self.manifest_path, manifest)

    def write_design(self, design: pd.DataFrame) -> None:
        write_atomic(self.path / "design.parquet", lambda p: design.to_parquet(p, index=False))

    def read_design(self) -> pd.DataFrame:
        return pd.read_parquet(self.path / "design.parquet")

    def read_ledger(self) -> dict[int, tuple[str, str]]:
        """run_id -> (status, shard) for every run the ledger names; a torn last line is
        ignored (its runs were not committed)."""
        entries: dict[int, tuple[str, str]] = {}
        if not self.ledger_path.exists():
            return entries
        for line in self.ledger_path.read_text().splitlines():
            parts = line.split()
            if len(parts) != 3 or parts[1] not in ("done", "failed") or not parts[0].isdigit():
                continue
            if not parts[2].startswith("part-") or len(parts[2]) != 11:
                continue
            entries.setdefault(int(parts[0]), (parts[1], parts[2]))
        return entries

    def next_shard(self) -> int:
        """Index of the next shard (after every shard file present, committed or not)."""
        numbers = [
            int(p.stem.split("-")[1])
            for kind in KINDS
            for p in (self.path / kind).glob("part-*.parquet")
        ]
        return max(numbers, default=-1) + 1

    def commit(
        self,
        shard: int,
        frames: dict[str, pd.DataFrame | None],
        done: Iterable[int],
        failed: Iterable[int],
    ) -> None:
        """Write a shard's tables, then append its runs to the ledger (synced)."""
        name = f"part-{shard:06d}"
        for kind, frame in frames.items():
            if frame is not None and len(frame):
                target = self.path / kind / f"{name}.parquet"
                write_atomic(target, lambda p, f=frame: f.to_parquet(p, index=False))
        lines = [f"{r} done {name}\n" for r in done] + [f"{r} failed {name}\n" for r in failed]
        with open(self.ledger_path, "a+") as ledger:
            if ledger.tell() > 0:
                ledger.seek(ledger.tell() - 1)
                if ledger.read(1) != "\n":  # a torn last line from a kill: end it
                    lines.insert(0, "\n")
            ledger.write("".join(lines))
            ledger.flush()
            os.fsync(ledger.fileno())

    def read_kind(self, kind: str, status: str) -> pd.DataFrame | None:
        """Rows of one table that the ledger assigns to their shard, sorted by run."""
        owners: dict[str, list[int]] = {}
        for run_id, (run_status, shard) in self.read_ledger().items():
            if run_status == status:
                owners.setdefault(shard, []).append(run_id)
        frames = []
        for path in sorted((self.path / kind).glob("part-*.parquet")):
            if path.stem in owners:
                frame = pd.read_parquet(path)
                frames.append(frame[frame["run_id"].isin(owners[path.stem])])
        if not frames:
            return None
        frame = pd.concat(frames, ignore_index=True)
        order = ["run_id", "date", "iso3"] if kind == "trajectories" else ["run_id"]
        return frame.sort_values(order, kind="stable").reset_index(drop=True)


@dataclass
class Results:
    """A sweep's results as tidy pandas frames."""

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


def load_results(folder: str | Path, trajectories: bool = True) -> Results:
    """Load a results folder: summaries, trajectories, design, failures and the manifest."""
    store = ResultsFolder(folder)
    if not store.exists():
        raise FileNotFoundError(f"{folder}: no manifest.json; not a sweep results folder")
    failures = store.read_kind("failures", "failed")
    if failures is None:
        failures = pd.DataFrame(
            columns=["run_id", "sample_id", "replicate", "seed", "error", "traceback"]
        )
    summaries = store.read_kind("summaries", "done")
    if summaries is None:
        summaries = pd.DataFrame(columns=["run_id", "sample_id", "replicate", "seed"])
    return Results(
        summaries=summaries,
        design=store.read_design(),
        failures=failures,
        manifest=store.read_manifest(),
        trajectories=store.read_kind("trajectories", "done") if trajectories else None,
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
