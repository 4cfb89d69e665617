"""The results folder as a transactional store: one writer at a time, damage named and
repaired by --resume, signals stop cleanly, failed writes and refusals change nothing."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from experiments.cli import main
from sweeps import load_results, run_experiment
from sweeps import storage as sweep_storage
from sweeps.integrity import inspect
from sweeps.lock import FolderBusy, FolderLock
from sweeps.storage import DamagedFolder, FolderError, ResultsFolder

ROOT = Path(__file__).resolve().parents[1]
SMOKE = ROOT / "experiments" / "examples" / "smoke.toml"
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else b"", p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
    }


def assert_same(left, right) -> None:
    pd.testing.assert_frame_equal(left.summaries, right.summaries)
    pd.testing.assert_frame_equal(left.design, right.design)
    pd.testing.assert_frame_equal(left.trajectories, right.trajectories)
    assert len(left.failures) == len(right.failures) == 0


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The smoke sweep in three shards (four runs each), and its results."""
    out = tmp_path_factory.mktemp("reference") / "smoke"
    run_experiment(SMOKE, out, batch_size=4, shard_runs=4, progress=False)
    return out, load_results(out)


@pytest.fixture()
def copy(reference, tmp_path):
    folder = tmp_path / "r"
    shutil.copytree(reference[0], folder)
    return folder


# --- damage: named by load_results and report, repaired by --resume ----------------------


def _shard(folder: Path, kind: str = "summaries", number: int = 0) -> Path:
    suffix = ".arrow" if kind == "trajectories" else ".parquet"
    return folder / kind / f"part-{number:06d}{suffix}"


def _ledger_edit(folder: Path, edit) -> None:
    path = folder / "ledger"
    path.write_text(edit(path.read_text()))


DAMAGE = {
    "deleted summaries shard": (
        lambda f: _shard(f).unlink(),
        "summaries/part-000000.parquet is missing (4 runs to run again)",
    ),
    "truncated summaries shard": (
        lambda f: _shard(f).write_bytes(_shard(f).read_bytes()[:-200]),
        "summaries/part-000000.parquet is truncated",
    ),
    "altered summaries shard": (
        lambda f: _shard(f, number=1).write_bytes(
            (lambda b: b[:500] + bytes([b[500] ^ 1]) + b[501:])(_shard(f, number=1).read_bytes())
        ),
        "summaries/part-000001.parquet is altered: its sha256 differs",
    ),
    "deleted trajectories shard": (
        lambda f: _shard(f, "trajectories").unlink(),
        "trajectories/part-000000.arrow is missing",
    ),
    "deleted summaries folder": (
        lambda f: shutil.rmtree(f / "summaries"),
        "summaries/part-000002.parquet is missing",
    ),
    "foreign shard": (
        lambda f: shutil.copy(_shard(f), _shard(f, number=777)),
        "summaries/part-000777.parquet is not listed in the manifest (a foreign file)",
    ),
    "ledger line outside the design": (
        lambda f: _ledger_edit(f, lambda t: t + "12 done part-000000\n"),
        "ledger line 13 names run 12, outside the design (runs 0 to 11)",
    ),
    "ledger line of an unknown shard": (
        lambda f: _ledger_edit(f, lambda t: t.replace("5 done part-000001", "5 done part-000099")),
        "ledger line 6 names shard part-000099, which the manifest does not list",
    ),
    "ledger line twice": (
        lambda f: _ledger_edit(f, lambda t: t + "3 done part-000000\n"),
        "ledger line 13 records run 3 again (first at line 4)",
    ),
    "ledger line of a shard that lacks the run": (
        lambda f: _ledger_edit(f, lambda t: t.replace("0 done part-000000", "0 done part-000001")),
        "ledger line 1 records run 0 as done in shard part-000001, which does not hold it",
    ),
    "malformed ledger line": (
        lambda f: _ledger_edit(f, lambda t: t.replace("6 done", "6 dine")),
        "ledger line 7 ('6 dine part-000001') is malformed",
    ),
    "deleted ledger": (
        lambda f: (f / "ledger").unlink(),
        "the manifest says complete but the ledger records 0 of the 12 planned runs",
    ),
    "truncated design": (
        lambda f: (f / "design.parquet").write_bytes((f / "design.parquet").read_bytes()[:50]),
        "design.parquet is truncated",
    ),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damage_is_named_and_repaired_by_resume(damage, reference, copy, capsys):
    make, message = DAMAGE[damage]
    make(copy)
    with pytest.raises(DamagedFolder) as raised:
        load_results(copy)
    assert message in str(raised.value) and "--resume" in str(raised.value), raised.value
    assert main(["report", str(copy)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err
    assert not (copy / "report.html").exists()

    notes: list[str] = []
    run_experiment(SMOKE, copy, batch_size=5, resume=True, progress=False, log=notes.append)
    assert any(message in note for note in notes), notes
    assert_same(reference[1], load_results(copy))
    found = inspect(ResultsFolder(copy))
    assert not found.problems and not found.needs_repair
    manifest = json.loads((copy / "manifest.json").read_text())
    assert manifest["status"] == "complete" and message in " ".join(
        manifest["repairs"][0]["problems"]
    )


def test_the_damaged_file_is_moved_aside_not_read(copy):
    _shard(copy).write_bytes(b"not parquet")
    run_experiment(SMOKE, copy, resume=True, progress=False, log=lambda m: None)
    assert (copy / "damaged" / "summaries" / "part-000000.parquet.bad").read_bytes() == (
        b"not parquet"
    )
    assert sorted(p.name for p in (copy / "damaged").rglob("*.parquet")) == []
    assert len(load_results(copy).summaries) == 12


def test_a_refused_resume_of_a_damaged_folder_changes_no_byte(copy, tmp_path, capsys):
    _shard(copy).unlink()
    (copy / "ledger").write_text((copy / "ledger").read_text() + "99 done part-000000\n")
    before = snapshot(copy)
    changed = tmp_path / "changed.toml"
    changed.write_text(SMOKE.read_text().replace("seed = 12345", "seed = 54321"))
    args = ["sweep", str(changed), "--out", str(copy), "--resume", "--no-progress"]
    assert main([*args, "--workers", "1"]) == 2
    assert "cannot resume" in capsys.readouterr().err
    assert snapshot(copy) == before


def test_a_folder_without_manifest_is_never_adopted(copy, capsys):
    (copy / "manifest.json").unlink()
    before = snapshot(copy)
    assert main(["sweep", str(SMOKE), "--out", str(copy), "--resume", "--no-progress"]) == 2
    assert "holds no sweep (no manifest.json)" in capsys.readouterr().err
    with pytest.raises(FileNotFoundError, match="no manifest.json"):
        load_results(copy)
    assert snapshot(copy) == before


def test_a_shard_being_committed_is_not_damage_while_the_writer_runs(copy):
    """A reader may see a shard renamed into place before the manifest it read lists it."""
    shutil.copy(_shard(copy), _shard(copy, number=3))  # the manifest's next_shard is 3
    with FolderLock(copy):
        assert len(load_results(copy).summaries) == 12
    with pytest.raises(DamagedFolder, match="part-000003.parquet is not listed"):
        load_results(copy)


def test_reading_a_folder_while_it_is_written_never_reports_damage(tmp_path):
    path = tmp_path / "long.toml"
    path.write_text(LONG)
    out = tmp_path / "r"
    child = _sweep(path, out)
    reads, deadline = 0, time.monotonic() + 120
    while child.poll() is None and time.monotonic() < deadline:
        if (out / "manifest.json").exists():
            results = load_results(out, trajectories=reads % 4 == 0)
            assert results.summaries["run_id"].is_unique
            reads += 1
        time.sleep(0.05)
    assert child.wait() == 0 and reads > 5, child.stderr.read()


# --- one writer at a time ---------------------------------------------------------------


def test_a_second_writer_is_refused_naming_the_holder(copy):
    before = snapshot(copy)
    with FolderLock(copy) as lock:
        lock.record()
        holding = snapshot(copy)
        with pytest.raises(FolderBusy) as raised:
            run_experiment(SMOKE, copy, resume=True, progress=False)
        assert snapshot(copy) == holding
    message = str(raised.value)
    assert f"process {os.getpid()} on {socket.gethostname()}" in message, message
    assert "nothing was changed" in message
    assert snapshot(copy) == before  # writer.json went with the lock


def test_a_stale_writer_record_does_not_block(copy):
    (copy / "writer.json").write_text(
        json.dumps({"pid": 2**22 + 12345, "host": socket.gethostname()})
    )
    report = run_experiment(SMOKE, copy, resume=True, progress=False)
    assert report.skipped == 12 and not (copy / "writer.json").exists()


def _experiment(tmp_path: Path, name: str, seed: int) -> Path:
    text = (
        SMOKE.read_text()
        .replace('name = "smoke"', f'name = "{name}"')
        .replace("replications = 3", "replications = 40")
        .replace("seed = 12345", f"seed = {seed}")
    )
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return path


#: ``latam-ai`` without the HTML report a finished sweep builds (slow, and not tested here).
CLI = """\
import sys, types
report = types.ModuleType("experiments.report")  # not even imported (matplotlib is slow)
report.build_report = lambda folder, **options: folder
sys.modules["experiments.report"] = report
from experiments.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _sweep(
    path: Path, out: Path, *extra: str, workers: str = "1", new_session: bool = False
) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", CLI, "sweep", str(path), "--out", str(out)]
        + ["--workers", workers, "--no-progress", "--batch-size", "4", *extra],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=new_session,
    )


def test_two_writers_exactly_one_accepted_and_nothing_mixed(tmp_path):
    a, b = _experiment(tmp_path, "race-a", 1), _experiment(tmp_path, "race-b", 2)
    references = {}
    for path in (a, b):
        run_experiment(path, tmp_path / f"ref-{path.stem}", progress=False)
        references[path.stem] = load_results(tmp_path / f"ref-{path.stem}")
    for trial in range(2):
        out = tmp_path / f"race{trial}"
        first, second = _sweep(a, out), _sweep(b, out)
        outcomes = {
            p.stem: (q.wait(timeout=300), q.stderr.read()) for p, q in ((a, first), (b, second))
        }
        accepted = [name for name, (code, _) in outcomes.items() if code == 0]
        assert len(accepted) == 1, outcomes
        (refused,) = [err for code, err in outcomes.values() if code != 0]
        assert "is being written by" in refused or "already holds a sweep" in refused
        assert "Traceback" not in refused and refused.count("\n") == 1, refused
        results = load_results(out)
        assert results.manifest["experiment"]["name"] == accepted[0]
        assert_same(references[accepted[0]], results)


def test_two_resumes_of_one_sweep_lose_nothing(tmp_path):
    path = _experiment(tmp_path, "resumed", 3)
    out = tmp_path / "r"
    run_experiment(path, tmp_path / "ref", progress=False)
    killed = _sweep(path, out)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (
        (out / "ledger").exists() and (out / "ledger").read_text().count("\n") >= 8
    ):
        time.sleep(0.01)
    killed.kill()
    killed.wait()
    first, second = _sweep(path, out, "--resume"), _sweep(path, out, "--resume")
    codes = [first.wait(timeout=300), second.wait(timeout=300)]
    errors = [first.stderr.read(), second.stderr.read()]
    assert 0 in codes, errors
    for code, err in zip(codes, errors, strict=True):
        assert code == 0 or "is being written by" in err, err  # holder named, or not yet recorded
    assert_same(load_results(tmp_path / "ref"), load_results(out))
    assert len(ResultsFolder(out).read_ledger()) == 160


# --- signals: stop cleanly, keep what finished, resume to the same results --------------

#: 1,200 runs, about 6 s in batches of 4: the first commit (after 2 s) leaves most to do.
LONG = (
    SMOKE.read_text()
    .replace("replications = 3", "replications = 300")
    .replace('end = "2027-12"', 'end = "2030-12"')
)


def _interrupt(
    tmp_path: Path, signals: list[int], workers: str = "1", lines: int = 20, gap: float = 0.0
):
    path = tmp_path / "long.toml"
    path.write_text(LONG)
    out = tmp_path / "r"
    child = _sweep(path, out, workers=workers, new_session=True)
    deadline = time.monotonic() + 180
    ledger = out / "ledger"
    while time.monotonic() < deadline and child.poll() is None:
        if ledger.exists() and ledger.read_text().count("\n") >= lines:
            break
        time.sleep(0.01)
    assert child.poll() is None, child.stderr.read()
    for number in signals:
        os.killpg(child.pid, number)  # as a terminal's Ctrl-C: the whole process group
        time.sleep(gap)
    code = child.wait(timeout=120)
    return path, out, code, child.stderr.read()


@pytest.mark.parametrize(
    "signals, code",
    [
        ([signal.SIGINT], 130),
        ([signal.SIGINT, signal.SIGINT, signal.SIGINT], 130),
        ([signal.SIGTERM], 143),
    ],
    ids=["ctrl-c", "ctrl-c three times", "sigterm"],
)
def test_a_signal_stops_cleanly_and_resume_completes(signals, code, tmp_path):
    path, out, exit_code, err = _interrupt(tmp_path, signals)
    assert exit_code == code, err
    assert "Traceback" not in err and err.count("\n") == 1, err
    assert f"continue with: latam-ai sweep {path} --out {out} --resume" in err, err
    manifest = json.loads((out / "manifest.json").read_text())
    kept = load_results(out)  # not damaged
    assert manifest["status"] == "interrupted" and 0 < len(kept.summaries) < 1200
    assert manifest["counts"]["done"] == len(kept.summaries)
    assert f"{len(kept.summaries)} of 1200 runs kept" in err
    run_experiment(path, out, resume=True, progress=False, batch_size=128)
    run_experiment(path, tmp_path / "clean", progress=False, batch_size=128)
    assert_same(load_results(tmp_path / "clean"), load_results(out))


def test_ctrl_c_twice_with_worker_processes(tmp_path):
    """Worker processes ignore Ctrl-C; a second one 50 ms later (as from ``uv run``, or an
    impatient hand) changes nothing: one message, the runs kept, the manifest written."""
    signals = [signal.SIGINT, signal.SIGINT]
    path, out, code, err = _interrupt(tmp_path, signals, workers="2", lines=8, gap=0.05)
    assert err.count("\n") == 1 and "interrupted (SIGINT)" in err, err
    assert code == 130 and "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert json.loads((out / "manifest.json").read_text())["status"] == "interrupted"
    run_experiment(path, out, resume=True, progress=False, batch_size=128)
    run_experiment(path, tmp_path / "clean", progress=False, batch_size=128)
    assert_same(load_results(tmp_path / "clean"), load_results(out))


def test_finished_work_is_committed_every_two_seconds(tmp_path, monkeypatch):
    from sweeps import engine

    real, times, started = engine.run_batch, [], []

    def slow(*args, **kwargs):
        started.append(time.monotonic())
        time.sleep(0.2)
        return real(*args, **kwargs)

    def commit(self, *args, **kwargs):
        times.append(time.monotonic())
        return original(self, *args, **kwargs)

    original = ResultsFolder.commit
    monkeypatch.setattr(engine, "run_batch", slow)
    monkeypatch.setattr(ResultsFolder, "commit", commit)
    run_experiment(SMOKE, tmp_path / "r", batch_size=1, progress=False)
    gaps = [b - a for a, b in zip([started[0], *times], times, strict=False)]
    assert len(times) >= 2 and max(gaps) < 2.0 + 0.2 + 1.0, gaps


# --- failed writes: a clear message, nothing half-written -------------------------------


def test_a_full_disk_keeps_what_was_committed(tmp_path, reference, monkeypatch):
    calls = {"n": 0}
    real = sweep_storage._staged

    def full(frame, target):  # staging a shard's file (the trajectories: syncing it)
        calls["n"] += 1
        if calls["n"] > 2:  # the second shard's summaries (after one shard's two files)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(frame, target)

    monkeypatch.setattr(sweep_storage, "_staged", full)
    out = tmp_path / "r"
    with pytest.raises(FolderError) as raised:
        run_experiment(SMOKE, out, batch_size=4, shard_runs=4, progress=False)
    message = str(raised.value)
    assert "No space left on device" in message and "4 finished runs are kept" in message
    assert "--resume" in message
    assert not list(out.rglob("*.tmp")) and len(load_results(out).summaries) == 4
    assert json.loads((out / "manifest.json").read_text())["status"] == "failed"
    monkeypatch.setattr(sweep_storage, "_staged", real)
    run_experiment(SMOKE, out, resume=True, progress=False)
    assert_same(reference[1], load_results(out))


def test_a_new_folder_that_cannot_be_started_is_removed(tmp_path, monkeypatch):
    def broken(self, design):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(ResultsFolder, "write_design", broken)
    out = tmp_path / "new" / "r"
    with pytest.raises(FolderError, match="cannot write the results folder .*Input/output error"):
        run_experiment(SMOKE, out, progress=False)
    assert not (tmp_path / "new").exists()


def test_a_failing_executor_is_one_message_and_keeps_what_finished(tmp_path, reference, capsys):
    from sweeps import engine

    real, calls = engine.run_batch, {"n": 0}

    def broken(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("a worker process died")
        return real(*args, **kwargs)

    out = tmp_path / "r"
    args = ["sweep", str(SMOKE), "--out", str(out), "--workers", "1", "--no-progress"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine, "run_batch", broken)
        assert main([*args, "--batch-size", "4"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "RuntimeError: a worker process died" in err, err
    assert "4 finished runs are kept" in err and "--resume" in err, err
    assert json.loads((out / "manifest.json").read_text())["status"] == "failed"
    run_experiment(SMOKE, out, resume=True, progress=False)
    assert_same(reference[1], load_results(out))


@pytest.mark.parametrize("batch_size", [0, -1, 1.5, 10**6, True])
def test_a_bad_batch_size_from_python_is_refused_before_anything_is_written(tmp_path, batch_size):
    with pytest.raises(ValueError, match=rf"batch_size = {batch_size!r}: must be an integer"):
        run_experiment(SMOKE, tmp_path / "r", batch_size=batch_size, progress=False)
    assert not (tmp_path / "r").exists()
