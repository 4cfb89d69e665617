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
:data:`sweeps.checksums.CHECKSUMS`;
the manifest is replaced atomically), renames the files into place and appends the runs
to the ledger (synced). The ledger line is what commits a run: a kill at any moment leaves
every run recorded once or not at all, and the shards the index lists but no ledger line
names are an unfinished commit, dropped by ``--resume``. Whatever else differs from the
index (a missing, truncated or foreign file, a ledger line naming a run outside the
design or a shard the index does not list) is damage: ``sweeps.results.load_results``
refuses the folder and names it, and ``--resume`` re-runs the runs concerned
(:mod:`sweeps.integrity`). One writer at a time: :mod:`sweeps.lock`.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sweeps.checksums import file_record

KINDS = ("summaries", "trajectories", "failures")
#: The files a sweep writes at the top of its folder (anything else there is left alone).
OWN_FILES = ("manifest.json", "experiment.toml", "design.parquet", "ledger", "writer.json")
SHARD_PREFIX = "part-"
#: A table's suffix (summaries, failures; trajectories of earlier versions) and a
#: trajectory file's.
TABLE_SUFFIX, TRAJECTORY_SUFFIX = ".parquet", ".arrow"
#: The suffixes a shard file may have.
SHARD_SUFFIXES = (TABLE_SUFFIX, TRAJECTORY_SUFFIX)


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


@dataclass
class LedgerLine:
    number: int  # 1-based line number in the ledger
    text: str
    run_id: int | None = None  # None: malformed
    status: str = ""
    shard: str = ""
    rejected: bool = False  # the shard it names does not hold the run


@dataclass
class ParsedLedger:
    lines: list[LedgerLine]
    torn: bool  # the file ends in an unfinished line (ignored)


def parse_ledger(raw: bytes) -> ParsedLedger:
    """The ledger's lines; a last line without its newline is torn (a kill mid-append)."""
    text = raw.decode("utf-8", errors="replace")
    pieces = text.split("\n")
    torn = pieces[-1] != ""
    pieces = pieces[:-1]
    lines = []
    for number, piece in enumerate(pieces, start=1):
        line = LedgerLine(number, piece)
        parts = piece.split()
        if (
            len(parts) == 3
            and parts[0].isdigit()
            and parts[1] in ("done", "failed")
            and parts[2].startswith(SHARD_PREFIX)
            and parts[2][len(SHARD_PREFIX) :].isdigit()
        ):
            line.run_id, line.status, line.shard = int(parts[0]), parts[1], parts[2]
        elif not piece.strip():
            continue  # the newline that ends a torn line
        lines.append(line)
    return ParsedLedger(lines, torn)


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
            return self.path / kind / f"{name}{TABLE_SUFFIX}"
        path = self.path / kind / f"{name}{TRAJECTORY_SUFFIX}"
        legacy = path.with_suffix(TABLE_SUFFIX)
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
            temporaries = {t for t, _, _ in staged.values()}
            temporaries |= {f.path for f in frames.values() if isinstance(f, StagedFile)}
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
