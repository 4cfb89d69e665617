"""Checking a results folder against its manifest, and repairing it for ``--resume``.

:func:`inspect` reads the ledger (first: a concurrent writer lists a shard in the index
before it names the shard in the ledger), then the manifest, and compares both with the
files: every shard the index lists must have its files with the recorded size and
checksum, every ledger line must name a run of the design, once, in a listed shard that
holds it, and every shard file must be listed. What it finds:

* ``committed``: the runs the folder really holds (run_id -> status, shard);
* ``problems``: the damage, each named (``load_results`` refuses a folder with any);
* what a repair does about it (:func:`repair`): ledger lines to drop, shards to drop from
  the index, damaged or foreign files to move aside into ``damaged/`` and left-overs of
  an unfinished commit to delete. The runs concerned are then pending: ``--resume``
  re-runs them.

A torn last ledger line, temporary files and shards the index lists but no ledger line
names are what a kill leaves behind: not damage, and tidied by the repair.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from sweeps.checksums import file_record, record_checksum
from sweeps.storage import (
    KINDS,
    SHARD_PREFIX,
    SHARD_SUFFIXES,
    LedgerLine,
    ResultsFolder,
    parse_ledger,
    shard_files,
    write_atomic,
)

#: How many problems a message names before it says "and N more".
SHOWN_PROBLEMS = 8


@dataclass
class Inspection:
    """What :func:`inspect` found (see the module docstring)."""

    manifest: dict[str, Any]
    planned: int
    committed: dict[int, tuple[str, str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    kept_lines: list[str] = field(default_factory=list)  # the ledger after a repair
    ledger_clean: bool = True
    dropped_shards: set[str] = field(default_factory=set)
    move_aside: list[Path] = field(default_factory=list)
    leftovers: list[Path] = field(default_factory=list)
    design_damaged: bool = False

    @property
    def needs_repair(self) -> bool:
        return bool(
            self.problems
            or not self.ledger_clean
            or self.dropped_shards
            or self.move_aside
            or self.leftovers
            or self.design_damaged
        )


def _file_problem(path: Path, record: dict[str, Any] | None, checksum: bool) -> str | None:
    """Why a listed file does not match its record (None: it matches)."""
    if not path.exists():
        return "is missing"
    if record is None:  # a folder written before the index existed: presence only
        return None
    size = path.stat().st_size
    if size != record["bytes"]:
        kind = "truncated" if size < record["bytes"] else "altered"
        return f"is {kind}: {size} bytes, the manifest records {record['bytes']}"
    algorithm = record_checksum(record)
    if checksum and file_record(path, checksum=algorithm)[algorithm] != record[algorithm]:
        return f"is altered: its {algorithm} differs from the manifest's"
    return None


def checksum_problems(
    store: ResultsFolder, manifest: dict[str, Any], kind: str, shards: set[str]
) -> list[str]:
    """The checksum problems of the ``kind`` files of ``shards`` (an :func:`inspect`
    without that kind's checksums checked their presence and sizes)."""
    problems = []
    for entry in manifest.get("shards", []):
        record = entry["files"].get(kind)
        if entry["name"] in shards and record is not None:
            path = store.shard_path(kind, entry["name"])
            problem = _file_problem(path, record, checksum=True)
            if problem is not None:
                problems.append(f"{kind}/{path.name} {problem}")
    return problems


def _legacy_index(store: ResultsFolder) -> dict[str, dict[str, Any]]:
    """A folder from before the shard index: every shard file on disk, unchecked."""
    index: dict[str, dict[str, Any]] = {}
    for path in shard_files(store):
        entry = index.setdefault(path.stem, {"name": path.stem, "files": {}})
        entry["files"][path.parent.name] = None
    return index


def inspect(
    store: ResultsFolder,
    manifest: dict[str, Any] | None = None,
    kinds: tuple[str, ...] = KINDS,
    live: bool | None = None,
) -> Inspection:
    """Compare a folder's ledger and files with its manifest; checksums of ``kinds``.

    ``live``: a sweep is writing the folder (default: whether one holds its lock), so a
    shard file numbered from the manifest's ``next_shard`` on is a commit in progress, not
    a foreign file. The writer itself inspects with ``live=False``."""
    if live is None:
        from sweeps.lock import lock_owner

        live = lock_owner(store.path) is not None
    raw = store.ledger_path.read_bytes() if store.ledger_path.exists() else b""
    manifest = manifest if manifest is not None else store.read_manifest()
    in_progress = int(manifest.get("next_shard", 0)) if live else None
    planned = int(manifest.get("counts", {}).get("planned", 0))
    found = Inspection(manifest, planned)
    legacy = "shards" not in manifest
    index = _legacy_index(store) if legacy else {e["name"]: e for e in manifest["shards"]}
    ledger = parse_ledger(raw)
    found.ledger_clean = not ledger.torn

    claims: dict[str, list[LedgerLine]] = {}
    first_line: dict[int, LedgerLine] = {}
    twice: set[int] = set()
    for line in ledger.lines:
        if line.run_id is None:
            found.problems.append(f"ledger line {line.number} ({line.text[:40]!r}) is malformed")
        elif not 0 <= line.run_id < planned:
            found.problems.append(
                f"ledger line {line.number} names run {line.run_id}, outside the design "
                f"(runs 0 to {planned - 1})"
            )
        elif line.shard not in index:
            found.problems.append(
                f"ledger line {line.number} names shard {line.shard}, which the manifest "
                "does not list"
            )
        elif line.run_id in first_line:
            twice.add(line.run_id)
            found.problems.append(
                f"ledger line {line.number} records run {line.run_id} again (first at line "
                f"{first_line[line.run_id].number}); it is run again"
            )
        else:
            first_line[line.run_id] = line
            claims.setdefault(line.shard, []).append(line)
            continue
        found.ledger_clean = False

    bad_shards: set[str] = set()
    for name, entry in index.items():
        lines = claims.get(name, [])
        damaged = False
        for kind, record in entry["files"].items():
            path = store.shard_path(kind, name)
            problem = _file_problem(path, record, kind in kinds)
            if problem is None:
                continue
            damaged = True
            if lines:
                found.problems.append(
                    f"{kind}/{path.name} {problem} ({len(lines)} runs to run again)"
                )
                if path.exists():
                    found.move_aside.append(path)
        if not lines or damaged:
            # unclaimed: an unfinished commit (a kill before its ledger lines); damaged:
            # its runs are run again. Its intact files go, unless it was never indexed.
            bad_shards.add(name)
            for kind in entry["files"]:
                path = store.shard_path(kind, name)
                if path.exists() and path not in found.move_aside:
                    (found.leftovers if not legacy else found.move_aside).append(path)
            continue
        _check_claims(store, name, entry, lines, found)

    for kind in KINDS:
        folder = store.path / kind
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.name.startswith(".") and path.name.endswith(".tmp"):
                found.leftovers.append(path)
            elif path.suffix in SHARD_SUFFIXES and kind not in index.get(path.stem, {}).get(
                "files", {}
            ):
                number = path.stem[len(SHARD_PREFIX) :]
                if in_progress is not None and number.isdigit() and int(number) >= in_progress:
                    continue  # being committed by the live writer
                found.problems.append(
                    f"{kind}/{path.name} is not listed in the manifest (a foreign file)"
                )
                found.move_aside.append(path)

    design = manifest["design"].get("file")
    problem = _file_problem(store.path / "design.parquet", design, True) if design else None
    if problem:
        found.problems.append(f"design.parquet {problem}")
        found.design_damaged = True

    for run_id, line in first_line.items():
        if run_id in twice or line.shard in bad_shards or line.rejected:
            found.ledger_clean = False
            continue
        found.committed[run_id] = (line.status, line.shard)
        found.kept_lines.append(f"{run_id} {line.status} {line.shard}\n")
    found.dropped_shards = bad_shards if not legacy else set()
    if manifest.get("status") == "complete" and not found.problems:
        if len(found.committed) < planned:
            found.problems.append(
                f"the manifest says complete but the ledger records {len(found.committed)} "
                f"of the {planned} planned runs"
            )
    return found


def _check_claims(
    store: ResultsFolder,
    name: str,
    entry: dict[str, Any],
    lines: list,
    found: Inspection,
) -> None:
    """Every run a ledger line commits to this shard must be in the shard's table."""
    held: dict[str, set[int]] = {}
    for status, kind in (("done", "summaries"), ("failed", "failures")):
        if kind in entry["files"]:
            path = store.shard_path(kind, name)
            try:
                column = pq.read_table(path, columns=["run_id"]).column("run_id")
                held[status] = set(column.to_pylist())
            except Exception as exc:  # noqa: BLE001 - any unreadable file is damage
                found.problems.append(f"{kind}/{path.name} cannot be read ({exc})")
                held[status] = set()
    for line in lines:
        if line.run_id not in held.get(line.status, set()):
            line.rejected = True
            found.problems.append(
                f"ledger line {line.number} records run {line.run_id} as {line.status} in "
                f"shard {name}, which does not hold it"
            )


def damage_message(store: ResultsFolder, manifest: dict[str, Any], problems: list[str]) -> str:
    """One message naming the problems of a damaged folder and how to repair it."""
    shown = problems[:SHOWN_PROBLEMS]
    more = len(problems) - len(shown)
    listed = "; ".join(shown) + (f"; and {more} more" if more else "")
    experiment = manifest.get("experiment", {}).get("path") or "EXPERIMENT.toml"
    return (
        f"{store.path}: damaged results folder: {listed}; repair it with: latam-ai sweep "
        f"{experiment} --out {store.path} --resume (re-runs the runs concerned)"
    )


def _aside(store: ResultsFolder, path: Path) -> Path:
    """Where a damaged or foreign file goes: damaged/<kind>/<name>.bad (never read)."""
    folder = store.path / "damaged" / path.parent.name
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{path.name}.bad"
    number = 1
    while target.exists():
        target = folder / f"{path.name}.{number}.bad"
        number += 1
    return target


def repair(store: ResultsFolder, found: Inspection, design=None) -> None:
    """Make the folder agree with itself, as :func:`inspect` found it: rewrite the ledger
    without the dropped lines, drop shards from the index (both atomic, in that order),
    move damaged and foreign files aside, delete left-overs, rewrite a damaged design."""
    manifest = found.manifest
    if not found.ledger_clean:
        text = "".join(found.kept_lines)
        write_atomic(store.ledger_path, lambda p: p.write_text(text))
    if "shards" in manifest:
        manifest["shards"] = [
            e for e in manifest["shards"] if e["name"] not in found.dropped_shards
        ]
    if found.problems:
        when = datetime.now(UTC).isoformat(timespec="seconds")
        manifest.setdefault("repairs", []).append({"time": when, "problems": found.problems})
    if found.design_damaged and design is not None:
        manifest["design"]["file"] = store.write_design(design)
    store.write_manifest(manifest)
    for path in found.move_aside:
        path.replace(_aside(store, path))
    for path in found.leftovers:
        path.unlink(missing_ok=True)
    store.create()
