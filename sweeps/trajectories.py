"""Stored trajectories as compact columnar batches (docs/SWEEPS.md, "Trajectories").

A batch's trajectories leave the kernel as arrays of shape (runs kept, months kept, focus
countries) and stay arrays on their way to disk: a :class:`TrajectoryBlock` holds them
(pickled to the sweep's main process as a few contiguous buffers), and :func:`arrow_table`
turns the blocks of a shard into one Arrow table without a Python loop over rows. Stored
types (a trajectory row is one run, month and country):

* ``run_id`` int64, ``date`` timestamp in microseconds (the first day of the month);
* ``iso3`` dictionary-encoded: int16 codes into the sorted country codes;
* ``tier`` int8 (0 Explorer, 1 Adopter, 2 Pioneer);
* ``score`` and the state variables float32: 24-bit mantissas, a relative precision of
  6e-8 (index values to about 6e-6 points, money to 6e-8 of its value), far below what
  the model resolves; the summaries are computed from the float64 state in the kernel.

:func:`tidy_frame` reads such a table back as the tidy pandas frame ``load_results``
returns: one row per run, month and country, ``iso3`` a categorical in alphabetical order,
``date`` datetime64[us].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

#: The state variables stored as float32, besides run_id, date, iso3 and tier.
FLOAT_FIELDS = ("score", "governance", "adoption", "research", "enabling", "capital", "inflow")
#: The unit of a stored and loaded date (what pandas makes of a Parquet timestamp).
DATE_UNIT = "us"
#: Column order of a stored trajectory table.
COLUMNS = ("run_id", "date", "iso3", "score", "tier", *FLOAT_FIELDS[1:])
#: How a trajectory table is written: no compression (float32 state barely compresses and
#: compressing would cost the sweep's main process more than the disk it saves),
#: dictionary pages for the repeated keys only, no column statistics.
PARQUET_OPTIONS = {
    "compression": "none",
    "use_dictionary": ["run_id", "date", "iso3", "tier"],
    "write_statistics": False,
}


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
        for name in ("tier", *FLOAT_FIELDS):
            array = np.ascontiguousarray(values[name], np.int8 if name == "tier" else np.float32)
            if array.shape != shape:
                raise ValueError(
                    f"trajectory field {name!r} has shape {array.shape}; expected (runs, "
                    f"months, countries) = {shape}"
                )
            cast[name] = array
        return cls(run_ids, dates, tuple(countries), cast)


def nonempty(blocks) -> list[TrajectoryBlock]:
    """The blocks that hold rows (blocks stay a list: they may differ in months or
    countries)."""
    return [b for b in blocks if b is not None and len(b)]


def arrow_table(blocks: list[TrajectoryBlock]) -> pa.Table:
    """One Arrow table of the blocks' rows (run, then month, then country in table
    order), in the stored types (module docstring)."""
    blocks = nonempty(blocks)
    if not blocks:
        raise ValueError("no trajectory rows to store (every block is empty)")
    dictionary = sorted({c for b in blocks for c in b.countries})
    code_of = {c: i for i, c in enumerate(dictionary)}
    parts: dict[str, list[np.ndarray]] = {name: [] for name in COLUMNS}
    for b in blocks:
        runs, months, n = len(b.run_ids), len(b.dates), len(b.countries)
        codes = np.array([code_of[c] for c in b.countries], np.int16)
        parts["run_id"].append(np.repeat(b.run_ids, months * n))
        parts["date"].append(np.tile(np.repeat(b.dates, n), runs))
        parts["iso3"].append(np.tile(codes, runs * months))
        for name in ("tier", *FLOAT_FIELDS):
            parts[name].append(b.values[name].reshape(-1))
    joined = {name: np.concatenate(arrays) for name, arrays in parts.items()}
    columns = {
        "run_id": pa.array(joined["run_id"]),
        "date": pa.array(joined["date"], pa.timestamp(DATE_UNIT)),
        "iso3": pa.DictionaryArray.from_arrays(pa.array(joined["iso3"]), pa.array(dictionary)),
    }
    columns |= {name: pa.array(joined[name]) for name in COLUMNS[3:]}
    return pa.table(columns)


def tidy_frame(table: pa.Table) -> pd.DataFrame:
    """A stored trajectory table as the tidy frame of ``load_results`` (module docstring)."""
    frame = table.unify_dictionaries().to_pandas()
    frame["date"] = frame["date"].astype(f"datetime64[{DATE_UNIT}]")
    iso3 = frame["iso3"]
    if not isinstance(iso3.dtype, pd.CategoricalDtype):
        frame["iso3"] = pd.Categorical(iso3)
    elif list(iso3.cat.categories) != sorted(iso3.cat.categories):
        frame["iso3"] = iso3.cat.reorder_categories(sorted(iso3.cat.categories))
    return frame


def blocks_frame(blocks: list[TrajectoryBlock]) -> pd.DataFrame | None:
    """The blocks as one tidy frame (None if they hold no rows)."""
    blocks = nonempty(blocks)
    return tidy_frame(arrow_table(blocks)) if blocks else None
