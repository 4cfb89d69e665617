"""Stored trajectories: compact columnar batches that read back as the kernel's arrays
(float32 state, int8 tiers, dictionary-encoded ISO3 codes), as one tidy frame."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sweeps import InProcessExecutor, experiment_from_dict, load_results, run_experiment
from sweeps.checksums import file_record
from sweeps.engine import simulate
from sweeps.runner import keep_trajectories, prepare, spread_batch_size
from sweeps.trajectories import (
    FLOAT_FIELDS,
    TrajectoryBlock,
    legacy_frame,
    read_block,
    tidy_frame,
    write_block,
)

EXPERIMENT = {
    "experiment": {"name": "trajectory-storage", "seed": 4, "replications": 2},
    "design": {"method": "lhs", "samples": 3},
    "fixed": {"end": "2026-06"},
    "varied": {"capital_concentration": {"low": 0.5, "high": 3.0}},
    "outputs": {"trajectories": "all"},
}


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    out = tmp_path_factory.mktemp("trajectories") / "sweep"
    experiment = experiment_from_dict(EXPERIMENT)
    run_experiment(experiment, out, InProcessExecutor(), batch_size=4, progress=False)
    return experiment, out


def test_stored_trajectories_round_trip_to_the_kernel_arrays(stored):
    experiment, out = stored
    trajectories = load_results(out).trajectories
    _, design = prepare(experiment)
    history = simulate(experiment, design, keep_trajectories(experiment, design))
    runs, months, n = history.trajectories["score"].shape
    assert len(trajectories) == runs * months * n
    order = np.argsort(history.countries)  # the loaded frame is sorted by ISO3 code
    for name in ("tier", *FLOAT_FIELDS):
        loaded = trajectories[name].to_numpy().reshape(runs, months, n)
        np.testing.assert_array_equal(loaded, history.trajectories[name][:, :, order])
    expected_iso3 = np.tile(np.asarray(history.countries)[order], runs * months)
    assert (trajectories["iso3"].astype(str).to_numpy() == expected_iso3).all()
    dates = history.months[history.trajectory_months].to_timestamp().to_numpy()
    expected_dates = np.tile(np.repeat(dates, n), runs).astype("datetime64[us]")
    np.testing.assert_array_equal(trajectories["date"].to_numpy(), expected_dates)
    assert list(trajectories["run_id"].unique()) == list(design["run_id"])


def test_stored_trajectory_types_are_compact(stored):
    _, out = stored
    path = next((out / "trajectories").glob("part-*.arrow"))
    schema = pa.ipc.open_file(pa.memory_map(str(path))).schema
    assert schema.field("tier").type.value_type == pa.int8()
    assert str(schema.field("run_id").type) == "int64"
    assert all(schema.field(name).type.value_type == pa.float32() for name in FLOAT_FIELDS)
    assert schema.metadata[b"countries"].startswith(b'["')  # the countries, stored once
    frame = load_results(out).trajectories
    assert frame["tier"].dtype == np.int8 and frame["score"].dtype == np.float32
    assert isinstance(frame["iso3"].dtype, pd.CategoricalDtype)
    assert list(frame["iso3"].cat.categories) == sorted(frame["iso3"].cat.categories)
    assert frame["date"].dtype == "datetime64[us]"


DATES = np.array(["2025-01-01", "2025-02-01"], "datetime64[us]")


def block(runs, countries, seed=0):
    shape = (len(runs), len(DATES), len(countries))
    draws = np.random.default_rng(seed)
    values = {name: draws.normal(size=shape).astype(np.float32) for name in FLOAT_FIELDS}
    values["tier"] = draws.integers(0, 3, size=shape).astype(np.int8)
    return TrajectoryBlock.from_arrays(runs, DATES, countries, values)


def test_blocks_of_different_countries_share_one_sorted_dictionary():
    frame = tidy_frame([block([0], ("PER", "CHL")), block([1], ("URY", "ARG", "PER"))])
    assert len(frame) == 2 * 2 + 2 * 3
    assert list(frame["iso3"].cat.categories) == ["ARG", "CHL", "PER", "URY"]
    assert list(frame["iso3"].astype(str)[4:7]) == ["URY", "ARG", "PER"]  # table order kept


def test_a_trajectory_file_reads_back_as_the_block_it_stored(tmp_path):
    stored = block([3, 5, 8], ("PER", "CHL", "ARG"), seed=2)
    path = tmp_path / "part.arrow"
    record = write_block(stored, path)
    assert record["rows"] == 3 * 2 * 3 and record["bytes"] == path.stat().st_size
    assert record == file_record(path, 3 * 2 * 3, checksum="crc32")  # taken as written
    loaded = read_block(tmp_path / "part.arrow")
    assert loaded.countries == stored.countries and list(loaded.run_ids) == [3, 5, 8]
    np.testing.assert_array_equal(loaded.dates, stored.dates)
    for name, values in stored.values.items():
        assert loaded.values[name].dtype == values.dtype
        np.testing.assert_array_equal(loaded.values[name], values)
    two = loaded.select([8, 3])
    assert list(two.run_ids) == [3, 8]
    np.testing.assert_array_equal(two.values["score"], stored.values["score"][[0, 2]])


def test_trajectories_of_earlier_versions_read_as_the_same_tidy_frame(tmp_path):
    """Folders written before the Arrow files hold long Parquet tables (one row per run,
    month and country, ISO3 dictionary-encoded): they read as the same tidy frame."""
    stored = block([0, 1], ("PER", "CHL"), seed=4)
    frame = tidy_frame([stored])
    long = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(long, tmp_path / "part-000000.parquet")
    read = legacy_frame(tmp_path / "part-000000.parquet", [1])
    expected = frame[frame["run_id"] == 1].reset_index(drop=True)
    pd.testing.assert_frame_equal(read.reset_index(drop=True), expected)


def test_a_block_of_the_wrong_shape_is_refused_with_its_shape():
    values = {name: np.zeros((1, 2, 3), np.float32) for name in FLOAT_FIELDS}
    values["tier"] = np.zeros((1, 2, 2), np.int8)
    with pytest.raises(ValueError, match=r"'tier' has shape \(1, 2, 2\).*\(1, 2, 3\)"):
        TrajectoryBlock.from_arrays([0], np.array(["2025-01-01"] * 2, "datetime64[us]"),
                                    ("A", "B", "C"), values)  # fmt: skip


def test_short_sweeps_are_spread_over_the_workers():
    assert spread_batch_size(1024, 512, 2) == 128
    assert spread_batch_size(1024, 100_000, 2) == 1024
    assert spread_batch_size(1024, 10, 2) == 64  # not below the smallest spread batch
    assert spread_batch_size(1024, 512, 1) == 1024


def test_a_reader_can_take_the_trajectories_of_the_first_runs_only(tmp_path):
    """``load_results(trajectory_runs=n)`` keeps the n lowest run ids (the report plots a
    sample of a large sweep), and their rows equal those of the full read."""
    experiment = experiment_from_dict(
        {
            "experiment": {"name": "sample", "seed": 3, "replications": 6},
            "design": {"method": "grid"},
            "fixed": {"end": "2025-06"},
            "varied": {"capital_concentration": {"values": [4.0, 6.75]}},
            "outputs": {"trajectories": "all"},
        }
    )
    run_experiment(experiment, tmp_path / "sample", progress=False)
    full = load_results(tmp_path / "sample").trajectories
    part = load_results(tmp_path / "sample", trajectory_runs=5).trajectories
    assert sorted(part["run_id"].unique()) == sorted(full["run_id"].unique())[:5]
    expected = full[full["run_id"].isin(part["run_id"].unique())].reset_index(drop=True)
    pd.testing.assert_frame_equal(part.reset_index(drop=True), expected)


def test_a_sample_read_checks_the_checksums_of_the_trajectory_files_it_reads(stored, tmp_path):
    """``trajectory_runs`` reads the files of those runs only, and checks their checksums;
    the other trajectory files are checked by size (a full read checks every checksum)."""
    import shutil

    from sweeps.storage import DamagedFolder

    _, out = stored
    files = sorted((out / "trajectories").glob("part-*.arrow"))
    assert len(files) == 2  # a batch of 4 runs per file: runs 0-3, then 4-5

    def flipped(folder, index):
        copy = folder / f"flip{index}"
        shutil.copytree(out, copy)
        path = copy / "trajectories" / files[index].name
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 1  # same size, other content
        path.write_bytes(bytes(data))
        return copy

    last = flipped(tmp_path, 1)
    assert len(load_results(last, trajectory_runs=4).trajectories["run_id"].unique()) == 4
    with pytest.raises(DamagedFolder, match=f"{files[1].name} is altered: its crc32 differs"):
        load_results(last)
    with pytest.raises(DamagedFolder, match=f"{files[0].name} is altered"):
        load_results(flipped(tmp_path, 0), trajectory_runs=4)
