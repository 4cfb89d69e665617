"""A results folder as a small transactional store: shards, a ledger, a manifest, a lock.

Layout (docs/SWEEPS.md, "Results folder")::

    manifest.json             versions, inputs, design, counts, status and the shard index
    experiment.toml           copy of the experiment file
    design.parquet            one row per run: run_id, sample_id, replicate, seed, values
    ledger                    one line per finished run: "<run_id> <done|failed> <shard>"
    summaries/part-NNNNNN.parquet     summary metrics, one row per run
    trajectories/part-NNNNNN.arrow    one row per run: run_id, tier, score, state variables
                                      (Arrow IPC, compact types: sweeps.trajectories)
    failures/part-NNNNNN.parquet      run_id, sample_id, replicate, seed, error, traceback
    writer.json               who is writing the folder (while a sweep holds its lock)
    damaged/                  files a repair moved aside (never read)

A commit (:meth:`ResultsFolder.commit`) writes each table of a shard to a temporary file
(a worker process may have written the trajectory file already: :class:`StagedFile`) and
syncs it, lists the shard in the manifest's index (rows, bytes, checksum of each file:
:data:`CHECKSUMS`;
the manifest is replaced atomically), renames the files into place and appends the runs
to the ledger (synced). The ledger line is what commits a run: a kill at any moment leaves
every run recorded once or not at all, and the shards the index lists but no ledger line
names are an unfinished commit, dropped by ``--resume``. Whatever else differs from the
index (a missing, truncated or foreign file, a ledger line naming a run outside the
design or a shard the index does not list) is damage: :func:`load_results` refuses the
folder and names it, and ``--resume`` re-runs the runs concerned
(:mod:`sweeps.integrity`). One writer at a time: :mod:`sweeps.lock`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

KINDS = ("summaries", "trajectories", "failures")
#: The files a sweep writes at the top of its folder (anything else there is left alone).
OWN_FILES = ("manifest.json", "experiment.toml", "design.parquet", "ledger", "writer.json")
SHARD_PREFIX = "part-"
#: A trajectory file's suffix, and that of the Parquet tables of earlier versions.
TRAJECTORY_SUFFIX, LEGACY_TRAJECTORY_SUFFIX = ".arrow", ".parquet"
#: The suffixes a shard file may have.
SHARD_SUFFIXES = (".parquet", TRAJECTORY_SUFFIX)


class FolderError(ValueError):
    """A results folder that cannot be used as asked; the message says why and what to do."""


class DamagedFolder(FolderError):
    """A results folder whose files disagree with its manifest; the message names them."""


def _sync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp")


def stage(path: Path, write: Callable[[Path], Any]) -> Path:
    """Write ``path``'s content to its temporary name through ``write`` and sync it; the
    temporary file is removed if writing fails. Returns the temporary path."""
    temporary = _temporary(path)
    try:
        write(temporary)
        with open(temporary, "rb+") as handle:
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    return temporary


def write_atomic(path: Path, write: Callable[[Path], Any]) -> None:
    """Write a file through ``write(temporary_path)``, sync it, then rename it into place."""
    os.replace(stage(path, write), path)
    _sync_directory(path.parent)


def write_json(path: Path, data: dict) -> None:
    """Atomically write a JSON document."""
    write_atomic(path, lambda p: p.write_text(json.dumps(data, indent=2, default=str) + "\n"))


class Crc32:
    """zlib's CRC-32 with hashlib's interface (``update``, ``hexdigest``)."""

    def __init__(self) -> None:
        self.value = 0

    def update(self, data) -> None:
        self.value = zlib.crc32(data, self.value)

    def hexdigest(self) -> str:
        return f"{self.value:08x}"


#: The checksums a file record may hold, by the key it is recorded under. SHA-256 for the
#: tables and the design; CRC-32 for trajectory files (:data:`TRAJECTORY_CHECKSUM`), the
#: bulk of a sweep's bytes, which the worker that computed them writes: CRC-32 detects
#: the damage the check is for (truncation, zeroed or flipped blocks) at twice SHA-256's
#: speed on the development machine (1.5 against 0.8 GB/s). Records are checked with the
#: algorithm they name, so folders of earlier versions (SHA-256 throughout) still check.
CHECKSUMS = {"sha256": hashlib.sha256, "crc32": Crc32}
TRAJECTORY_CHECKSUM = "crc32"


def record_checksum(record: dict[str, Any]) -> str:
    """The checksum a file record holds (its key in :data:`CHECKSUMS`)."""
    return next(name for name in CHECKSUMS if name in record)


def file_record(path: Path, rows: int | None = None, checksum: str = "sha256") -> dict[str, Any]:
    """What the index records of a file: rows (if a table), bytes and its checksum."""
    digest = CHECKSUMS[checksum]()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    record = {"bytes": path.stat().st_size, checksum: digest.hexdigest()}
    return record if rows is None else {"rows": rows, **record}


@dataclass
class StagedFile:
    """A shard file written (not yet synced) under a temporary name by a worker process,
    with its index record; a commit syncs it and renames it into place. A staged file no
    commit names is a left-over (its name starts with '.' and ends with '.tmp'), removed by
    the next ``--resume``."""

    path: Path
    record: dict[str, Any]

    def __len__(self) -> int:
        return int(self.record["rows"])


def staged_name(folder: Path) -> Path:
    """A new temporary name in ``folder`` for a file a worker stages."""
    import uuid

    return folder / f".staged-{uuid.uuid4().hex}.tmp"


def _staged(frame: Any, target: Path) -> tuple[Path, dict[str, Any]]:
    """Stage one table of a shard (written and synced under a temporary name); return the
    temporary path and the file's index record."""
    from sweeps.trajectories import TrajectoryBlock, write_block

    if isinstance(frame, StagedFile):
        size = frame.path.stat().st_size
        if size != frame.record["bytes"]:
            raise OSError(f"{frame.path}: {size} bytes staged, {frame.record['bytes']} written")
        with open(frame.path, "rb+") as handle:
            os.fsync(handle.fileno())
        return frame.path, frame.record
    if isinstance(frame, TrajectoryBlock):
        records = []
        temporary = stage(target, lambda p: records.append(write_block(frame, p)))
        return temporary, records[0]
    temporary = stage(target, lambda p: frame.to_parquet(p, index=False))
    return temporary, file_record(temporary, len(frame))


def shard_files(store: ResultsFolder) -> list[Path]:
    """The shard files on disk, of every kind."""
    paths = [p for kind in KINDS for p in (store.path / kind).glob(f"{SHARD_PREFIX}*")]
    return sorted(p for p in paths if p.suffix in SHARD_SUFFIXES)


def shard_name(number: int) -> str:
    return f"{SHARD_PREFIX}{number:06d}"


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

    def shard_path(self, kind: str, name: str) -> Path:
        """A shard's file of ``kind`` (trajectories: the Arrow file, or the Parquet table
        of a folder written before it, if that is what the folder holds)."""
        if kind != "trajectories":
            return self.path / kind / f"{name}.parquet"
        path = self.path / kind / f"{name}{TRAJECTORY_SUFFIX}"
        legacy = path.with_suffix(LEGACY_TRAJECTORY_SUFFIX)
        return legacy if not path.exists() and legacy.exists() else path

    def create(self) -> None:
        """Make the folder and its shard sub-folders."""
        for kind in KINDS:
            (self.path / kind).mkdir(parents=True, exist_ok=True)

    def read_manifest(self) -> dict[str, Any]:
        """The manifest; :class:`DamagedFolder` if it is not a JSON object."""
        try:
            manifest = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DamagedFolder(
                f"{self.path}: manifest.json is damaged (not valid JSON: {exc}); the folder "
                "cannot be read or resumed: run the sweep into a new --out"
            ) from None
        if not isinstance(manifest, dict) or not isinstance(manifest.get("design"), dict):
            raise DamagedFolder(
                f"{self.path}: manifest.json is not a sweep manifest (no design); run the "
                "sweep into a new --out"
            )
        return manifest

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        write_json(self.manifest_path, manifest)

    def write_design(self, design: pd.DataFrame) -> dict[str, Any]:
        """Write design.parquet; return its file record (bytes, sha256)."""
        path = self.path / "design.parquet"
        write_atomic(path, lambda p: design.to_parquet(p, index=False))
        return file_record(path)

    def read_design(self) -> pd.DataFrame:
        return pd.read_parquet(self.path / "design.parquet")

    def read_ledger(self) -> dict[int, tuple[str, str]]:
        """run_id -> (status, shard) for every well-formed ledger line (first wins); no
        checks against the manifest (:func:`sweeps.integrity.inspect` makes them)."""
        from sweeps.integrity import parse_ledger

        raw = self.ledger_path.read_bytes() if self.ledger_path.exists() else b""
        entries: dict[int, tuple[str, str]] = {}
        for line in parse_ledger(raw).lines:
            if line.run_id is not None:
                entries.setdefault(line.run_id, (line.status, line.shard))
        return entries

    def next_shard(self, manifest: dict[str, Any]) -> int:
        """Number of the next shard: after every shard the index lists or that is on disk."""
        numbers = [int(manifest.get("next_shard", 0)) - 1]
        numbers += [int(e["name"][len(SHARD_PREFIX) :]) for e in manifest.get("shards", [])]
        for path in shard_files(self):
            digits = path.stem[len(SHARD_PREFIX) :]
            if digits.isdigit():
                numbers.append(int(digits))
        return max(numbers) + 1

    def commit(
        self,
        manifest: dict[str, Any],
        frames: dict[str, Any],
        done: Iterable[int],
        failed: Iterable[int],
    ) -> str:
        """Commit one shard: stage its tables, list them in the manifest's index, rename
        them into place, append its runs to the ledger. Returns the shard's name. A table
        is a pandas frame (written as Parquet), a ``sweeps.trajectories.TrajectoryBlock``
        (written as its trajectory file) or a :class:`StagedFile` a worker wrote."""
        done, failed = list(done), list(failed)
        name = shard_name(self.next_shard(manifest))
        staged: dict[str, tuple[Path, Path, dict[str, Any]]] = {}
        try:
            for kind, frame in frames.items():
                if frame is None or not len(frame):
                    continue
                target = self.shard_path(kind, name)
                temporary, record = _staged(frame, target)
                staged[kind] = (temporary, target, record)
            entry = {
                "name": name,
                "runs": len(done) + len(failed),
                "files": {kind: record for kind, (_, _, record) in staged.items()},
            }
            manifest.setdefault("shards", []).append(entry)
            manifest["next_shard"] = int(name[len(SHARD_PREFIX) :]) + 1
            self.write_manifest(manifest)
            for temporary, target, _ in staged.values():
                os.replace(temporary, target)
            for kind in staged:
                _sync_directory(self.path / kind)
        finally:  # what was not renamed into place goes, a worker's staged file included
            temporaries = [t for t, _, _ in staged.values()]
            temporaries += [f.path for f in frames.values() if isinstance(f, StagedFile)]
            for temporary in temporaries:
                with contextlib.suppress(OSError):
                    temporary.unlink()
        lines = [f"{r} done {name}\n" for r in done] + [f"{r} failed {name}\n" for r in failed]
        self.append_ledger(lines)
        return name

    def append_ledger(self, lines: list[str]) -> None:
        with open(self.ledger_path, "a+") as ledger:
            if ledger.tell() > 0:
                ledger.seek(ledger.tell() - 1)
                if ledger.read(1) != "\n":  # a torn last line from a kill: end it
                    lines = ["\n", *lines]
            ledger.write("".join(lines))
            ledger.flush()
            os.fsync(ledger.fileno())


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
    from sweeps.trajectories import concat_frames, legacy_frame, read_block, tidy_frame

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
    from sweeps.integrity import checksum_problems, damage_message, inspect

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
