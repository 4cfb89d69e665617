"""Stored trajectories as compact columnar batches (docs/SWEEPS.md, "Trajectories").

A batch's trajectories leave the kernel as arrays of shape (runs kept, months kept, focus
countries) and stay arrays on their way to disk: a :class:`TrajectoryBlock` holds them,
and :func:`write_block` stores a block as one Arrow IPC file (the Feather v2 format)
without a Python loop over rows and without re-encoding the values: a copy of the
kernel's arrays, so a worker process writes its own batch's file in a fraction of the
time the batch took to compute (``sweeps.writer.run_and_stage``). The file holds one row
per run:

* ``run_id`` int64;
* ``tier`` a fixed-size list of int8 (0 Explorer, 1 Adopter, 2 Pioneer), and ``score`` and
  the state variables fixed-size lists of float32, each list the run's months x countries
  (month by month, the countries in table order);
* in the schema's metadata, the dates (first day of each month kept) and the ISO3 codes of
  the countries: the countries' dictionary, stored once per file, a value's position in
  its month being its code.

float32 has a 24-bit mantissa, a relative precision of 6e-8 (index values to about 6e-6
points, money to 6e-8 of its value), far below what the model resolves; the summaries are
computed from the float64 state in the kernel.

:func:`read_block` maps such a file back to a block (no copy); :func:`tidy_frame` makes
blocks the tidy pandas frame ``load_results`` returns: one row per run, month and country,
``run_id`` int64, ``date`` datetime64[us], ``iso3`` a categorical in alphabetical order
(int16 codes), ``tier`` int8, the rest float32. Folders written before this format keep
their trajectories as long Parquet tables (one row per run, month and country), which
:func:`legacy_frame` reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from sweeps.checksums import CHECKSUMS, TRAJECTORY_CHECKSUM

#: The state variables stored as float32, besides run_id, date, iso3 and tier.
FLOAT_FIELDS = ("score", "governance", "adoption", "research", "enabling", "capital", "inflow")
#: The unit of a stored and loaded date (what pandas makes of a Parquet timestamp).
DATE_UNIT = "us"
#: Column order of the tidy frame (one row per run, month and country).
COLUMNS = ("run_id", "date", "iso3", "score", "tier", *FLOAT_FIELDS[1:])
#: The stored type of each field's values.
FIELD_TYPES = {"tier": np.int8} | dict.fromkeys(FLOAT_FIELDS, np.float32)
#: Schema metadata keys: the dates and the countries of a file's rows.
DATES_KEY, COUNTRIES_KEY = b"dates", b"countries"


@dataclass
class TrajectoryBlock:
    """The trajectories one batch kept: ``values[name]`` has shape (runs, months,
    countries), float32 for :data:`FLOAT_FIELDS`, int8 for ``tier``."""

    run_ids: np.ndarray  # (runs,) int64
    dates: np.ndarray  # (months,) datetime64[us], first day of each month kept
    countries: tuple[str, ...]  # the focus countries, in table order
    values: dict[str, np.ndarray]

    def __len__(self) -> int:
        """Number of trajectory rows (runs x months x countries)."""
        return len(self.run_ids) * len(self.dates) * len(self.countries)

    @classmethod
    def from_arrays(cls, run_ids, dates, countries, values) -> TrajectoryBlock:
        """A block from kernel arrays, checked and cast to the stored types."""
        run_ids = np.asarray(run_ids, np.int64).reshape(-1)
        dates = np.asarray(dates, f"datetime64[{DATE_UNIT}]").reshape(-1)
        shape = (len(run_ids), len(dates), len(countries))
        cast = {}
        for name, kind in FIELD_TYPES.items():
            array = np.ascontiguousarray(values[name], kind)
            if array.shape != shape:
                raise ValueError(
                    f"trajectory field {name!r} has shape {array.shape}; expected (runs, "
                    f"months, countries) = {shape}"
                )
            cast[name] = array
        return cls(run_ids, dates, tuple(countries), cast)

    def select(self, run_ids) -> TrajectoryBlock:
        """The block of those of its runs that are in ``run_ids``."""
        kept = np.isin(self.run_ids, np.asarray(list(run_ids), np.int64))
        if kept.all():
            return self
        return TrajectoryBlock(
            self.run_ids[kept],
            self.dates,
            self.countries,
            {name: values[kept] for name, values in self.values.items()},
        )


def nonempty(blocks) -> list[TrajectoryBlock]:
    """The blocks that hold rows (blocks stay a list: they may differ in months or
    countries)."""
    return [b for b in blocks if b is not None and len(b)]


def block_table(block: TrajectoryBlock) -> pa.Table:
    """A block as the stored table: one row per run, each field a fixed-size list of the
    run's months x countries values (views of the block's arrays, no copy)."""
    width = len(block.dates) * len(block.countries)
    columns = {"run_id": pa.array(block.run_ids)}
    for name in FIELD_TYPES:
        flat = pa.array(block.values[name].reshape(-1))
        columns[name] = pa.FixedSizeListArray.from_arrays(flat, width)
    metadata = {
        DATES_KEY: json.dumps([str(d) for d in block.dates.astype("datetime64[D]")]),
        COUNTRIES_KEY: json.dumps(list(block.countries)),
    }
    return pa.table(columns).replace_schema_metadata(metadata)


class _ChecksummedFile:
    """A binary file that checksums what is written to it, as it is written (the Arrow
    writer hands it the arrays' buffers themselves: no copy in between)."""

    def __init__(self, handle, digest) -> None:
        self.handle, self.digest, self.size, self.closed = handle, digest, 0, False

    def write(self, data) -> int:
        self.digest.update(data)
        self.size += self.handle.write(data)
        return len(data)

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        self.handle.flush()

    def close(self) -> None:
        self.closed = True


def write_block(block: TrajectoryBlock, path: Path) -> dict:
    """Write a block's trajectory file (not synced); return its index record (tidy rows,
    bytes, checksum: ``sweeps.checksums.TRAJECTORY_CHECKSUM``), the checksum taken of the
    bytes as they are written."""
    table = block_table(block)
    with open(path, "wb") as handle:
        sink = _ChecksummedFile(handle, CHECKSUMS[TRAJECTORY_CHECKSUM]())
        with pa.ipc.new_file(pa.PythonFile(sink, mode="w"), table.schema) as writer:
            writer.write_table(table)
    return {"rows": len(block), "bytes": sink.size, TRAJECTORY_CHECKSUM: sink.digest.hexdigest()}


def read_block(path: Path) -> TrajectoryBlock:
    """A trajectory file as a block (the arrays map the file's buffers)."""
    with pa.memory_map(str(path)) as source:
        table = pa.ipc.open_file(source).read_all()
    metadata = table.schema.metadata
    dates = np.array(json.loads(metadata[DATES_KEY]), f"datetime64[{DATE_UNIT}]")
    countries = tuple(json.loads(metadata[COUNTRIES_KEY]))
    shape = (table.num_rows, len(dates), len(countries))
    values = {
        name: table[name].combine_chunks().flatten().to_numpy().reshape(shape)
        for name in FIELD_TYPES
    }
    return TrajectoryBlock(table["run_id"].to_numpy(), dates, countries, values)


def tidy_frame(blocks: list[TrajectoryBlock]) -> pd.DataFrame | None:
    """Blocks as one tidy frame (module docstring), rows by block, run, month and
    country in table order (None: no rows)."""
    blocks = nonempty(blocks)
    if not blocks:
        return None
    dictionary = sorted({c for b in blocks for c in b.countries})
    code_of = {c: i for i, c in enumerate(dictionary)}
    parts: dict[str, list[np.ndarray]] = {name: [] for name in COLUMNS}
    for b in blocks:
        runs, months, n = len(b.run_ids), len(b.dates), len(b.countries)
        codes = np.array([code_of[c] for c in b.countries], np.int16)
        parts["run_id"].append(np.repeat(b.run_ids, months * n))
        parts["date"].append(np.tile(np.repeat(b.dates, n), runs))
        parts["iso3"].append(np.tile(codes, runs * months))
        for name in FIELD_TYPES:
            parts[name].append(b.values[name].reshape(-1))
    joined = {name: np.concatenate(arrays) for name, arrays in parts.items()}
    joined["iso3"] = pd.Categorical.from_codes(joined["iso3"], categories=dictionary)
    return pd.DataFrame({name: joined[name] for name in COLUMNS})


def legacy_frame(path: Path, run_ids) -> pd.DataFrame:
    """The rows of ``run_ids`` in a long Parquet trajectory table of an earlier version,
    as a tidy frame (``iso3`` categorical in alphabetical order)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    table = table.filter(pc.is_in(table["run_id"], value_set=pa.array(list(run_ids), pa.int64())))
    frame = table.unify_dictionaries().to_pandas()
    frame["date"] = frame["date"].astype(f"datetime64[{DATE_UNIT}]")
    frame["iso3"] = pd.Categorical(frame["iso3"].astype(str))
    return frame[list(COLUMNS)]


def concat_frames(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Tidy frames as one, their ISO3 categories merged (alphabetical)."""
    dictionary = sorted({c for f in frames for c in f["iso3"].cat.categories})
    frames = [f.assign(iso3=f["iso3"].cat.set_categories(dictionary)) for f in frames]
    return pd.concat(frames, ignore_index=True)
