"""The checksums of a results folder's files: what its index records of each file (rows,
bytes, checksum) and the algorithms a record may name."""

from __future__ import annotations

import hashlib
import zlib
from pathlib import Path
from typing import Any


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
