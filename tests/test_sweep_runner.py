"""Sweeps: identical tables whatever the executor; failures isolated; resume after SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sweeps import (
    InProcessExecutor,
    export_csv,
    load_experiment,
    load_results,
    process_executor,
    run_experiment,
)
from sweeps import engine as sweep_engine
from sweeps.storage import ResultsFolder

ROOT = Path(__file__).resolve().parents[1]
SMOKE = ROOT / "experiments" / "examples" / "smoke.toml"


def assert_same_results(left, right) -> None:
    pd.testing.assert_frame_equal(left.summaries, right.summaries)
    pd.testing.assert_frame_equal(left.design, right.design)
    if left.trajectories is None:
        assert right.trajectories is None
    else:
        pd.testing.assert_frame_equal(left.trajectories, right.trajectories)
    assert len(left.failures) == len(right.failures) == 0


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("reference") / "smoke"
    report = run_experiment(SMOKE, out, InProcessExecutor(), progress=False)
    assert (report.done, report.failed, report.planned) == (12, 0, 12)
    return load_results(out)


def test_reference_tables_are_tidy_and_complete(reference):
    assert list(reference.summaries["run_id"]) == list(range(12))
    assert reference.summaries["run_id"].is_unique
    # trajectories = 2: the runs of samples 0 and 1, every month, 19 countries
    months = len(pd.period_range("2024-09", "2027-12", freq="M"))
    assert len(reference.trajectories) == 6 * months * 19
    assert set(reference.trajectories.columns) >= {
        "run_id",
        "date",
        "iso3",
        "score",
        "tier",
        "capital",
        "inflow",
    }
    manifest = reference.manifest
    assert manifest["counts"] == {"planned": 12, "done": 12, "failed": 0}
    assert manifest["status"] == "complete" and manifest["git"]["commit"]
    assert len(manifest["model_source_sha256"]) == 64 and manifest["dependencies"]["numpy"]
    table = reference.table()
    assert {"capital_concentration", "open_weights_date", "tier_gap_end"} <= set(table.columns)


@pytest.mark.parametrize("batch_size", [1, 5, 12])
def test_batch_size_does_not_change_results(reference, tmp_path, batch_size):
    run_experiment(
        SMOKE, tmp_path / "r", InProcessExecutor(), batch_size=batch_size, progress=False
    )
    assert_same_results(reference, load_results(tmp_path / "r"))


def test_two_processes_give_identical_tables(reference, tmp_path):
    with process_executor(2) as executor:
        run_experiment(SMOKE, tmp_path / "r", executor, batch_size=3, progress=False)
    assert_same_results(reference, load_results(tmp_path / "r"))


def test_dask_local_cluster_gives_identical_tables(reference, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        with distributed.Client(cluster) as client:
            executor = client.get_executor(pure=False)
            run_experiment(SMOKE, tmp_path / "r", executor, batch_size=2, progress=False)
    assert_same_results(reference, load_results(tmp_path / "r"))


def test_a_run_that_raises_is_recorded_and_the_rest_complete(reference, tmp_path, monkeypatch):
    real = sweep_engine.simulate

    def failing(experiment, rows, *args, **kwargs):
        if 5 in set(rows["run_id"]):
            raise RuntimeError("forced failure of run 5")
        return real(experiment, rows, *args, **kwargs)

    monkeypatch.setattr(sweep_engine, "simulate", failing)
    report = run_experiment(
        SMOKE, tmp_path / "r", InProcessExecutor(), batch_size=4, progress=False
    )
    assert (report.done, report.failed) == (11, 1)
    results = load_results(tmp_path / "r")
    assert list(results.failures["run_id"]) == [5]
    assert "forced failure of run 5" in results.failures["traceback"].iloc[0]
    assert "RuntimeError" in results.failures["error"].iloc[0]
    expected = reference.summaries[reference.summaries["run_id"] != 5].reset_index(drop=True)
    pd.testing.assert_frame_equal(results.summaries, expected)
    assert results.manifest["counts"]["failed"] == 1


RESUME_EXPERIMENT = """\
[experiment]
seed = 7
replications = 4

[fixed]
end = "2035-12"

[varied]
capital_concentration = { low = 0.0, high = 4.0, steps = 100 }

[outputs]
years = [2030]
trajectories = 3
trajectory_every = 12
"""

CHILD = """\
import sys
from sweeps import run_experiment
run_experiment(sys.argv[1], sys.argv[2], batch_size=4, shard_runs=4, progress=False)
"""


def test_resume_after_sigkill_equals_an_uninterrupted_sweep(tmp_path):
    path = tmp_path / "resume.toml"
    path.write_text(RESUME_EXPERIMENT)
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(killed)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    deadline = time.monotonic() + 120
    ledger = killed / "ledger"
    while time.monotonic() < deadline and child.poll() is None:
        if ledger.exists() and ledger.read_text().count("\n") >= 60:
            break
        time.sleep(0.005)
    child.send_signal(signal.SIGKILL)
    child.wait()
    finished = len(ResultsFolder(killed).read_ledger())
    assert 0 < finished < 400, finished
    # a crash between a shard's rename and its ledger lines leaves an orphan shard
    orphan = load_results(killed).summaries.iloc[:3].copy()
    orphan["run_id"] = [397, 398, 399]
    orphan.to_parquet(killed / "summaries" / "part-999998.parquet")
    with open(ledger, "a") as torn:
        torn.write("399 do")  # a torn last line

    report = run_experiment(
        path, killed, InProcessExecutor(), batch_size=16, resume=True, progress=False
    )
    assert report.skipped == finished and report.done == 400
    run_experiment(path, clean, InProcessExecutor(), batch_size=64, progress=False)
    resumed, uninterrupted = load_results(killed), load_results(clean)
    assert resumed.summaries["run_id"].is_unique and len(resumed.summaries) == 400
    assert_same_results(uninterrupted, resumed)
    assert resumed.manifest["resumed"] and resumed.manifest["counts"]["done"] == 400


def test_resume_refuses_a_changed_experiment_and_a_used_folder(tmp_path):
    run_experiment(SMOKE, tmp_path / "r", progress=False)
    with pytest.raises(ValueError, match="already holds a sweep"):
        run_experiment(SMOKE, tmp_path / "r", progress=False)
    changed = tmp_path / "changed.toml"
    changed.write_text(SMOKE.read_text().replace("seed = 12345", "seed = 54321"))
    with pytest.raises(ValueError, match="differs"):
        run_experiment(changed, tmp_path / "r", resume=True, progress=False)


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture()
def finished(tmp_path):
    """A finished smoke sweep in tmp_path / "r" and its files' bytes and times."""
    run_experiment(SMOKE, tmp_path / "r", progress=False)
    return tmp_path / "r", _snapshot(tmp_path / "r")


def _resume(tmp_path, text: str, folder: Path) -> tuple[int, str]:
    from experiments.cli import main

    path = tmp_path / "changed.toml"
    path.write_text(text)
    args = ["sweep", str(path), "--out", str(folder), "--resume", "--workers", "1"]
    return main([*args, "--no-progress"])


CHANGES = {
    "fixed": (('end = "2027-12"', 'end = "2027-06"'), ["the experiment ([fixed])"]),
    "policy": (("production_platform", "adoption_management"), ["([fixed])"]),
    "outputs": (("years = [2025, 2026]", "years = [2025]"), ["the experiment ([outputs])"]),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_resume_refuses_a_changed_table_and_leaves_the_folder_alone(
    change, finished, tmp_path, capsys
):
    folder, before = finished
    (old, new), expected = CHANGES[change]
    assert old in SMOKE.read_text()
    code = _resume(tmp_path, SMOKE.read_text().replace(old, new), folder)
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    for fragment in [*expected, "cannot resume", "new --out", str(folder)]:
        assert fragment in err, (fragment, err)
    assert "model code" not in err and "defaults" not in err
    assert _snapshot(folder) == before


def test_resume_refuses_changed_model_code_or_defaults(finished, tmp_path, capsys, monkeypatch):
    import dataclasses

    import model.parameters
    from sweeps import provenance

    folder, before = finished
    with monkeypatch.context() as patch:
        patch.setattr(provenance, "model_source_hash", lambda *args: "0" * 64)
        assert _resume(tmp_path, SMOKE.read_text(), folder) == 2
    err = capsys.readouterr().err
    assert "the model code (model/ and agents/ sources) differs" in err, err
    assert "experiment" not in err.split("cannot resume")[1].split("differs")[0]
    changed = tuple(
        dataclasses.replace(p, default=0.5) if p.name == "capital_concentration" else p
        for p in model.parameters.PARAMETERS
    )
    monkeypatch.setattr(model.parameters, "PARAMETERS", changed)
    assert _resume(tmp_path, SMOKE.read_text(), folder) == 2
    assert "the parameter defaults (model.parameters.PARAMETERS) differs" in capsys.readouterr().err
    assert _snapshot(folder) == before


def test_resume_refuses_a_folder_without_recorded_inputs(finished, tmp_path, capsys):
    folder, _ = finished
    store = ResultsFolder(folder)
    manifest = store.read_manifest()
    del manifest["inputs"]
    store.write_manifest(manifest)
    assert _resume(tmp_path, SMOKE.read_text(), folder) == 2
    assert "older version" in capsys.readouterr().err


def test_resume_accepts_comments_name_and_batch_size_changes(finished, tmp_path, capsys):
    folder, _ = finished
    text = "# a comment\n" + SMOKE.read_text().replace("batch_size = 4", "batch_size = 7")
    assert _resume(tmp_path, text.replace('name = "smoke"', 'name = "renamed"'), folder) == 0
    assert "(12 from before)" in capsys.readouterr().out


def test_an_out_that_cannot_be_created_is_one_message_and_exit_2(tmp_path, capsys):
    from experiments.cli import main

    (tmp_path / "a_file").write_text("")
    out = tmp_path / "a_file" / "results"
    code = main(["sweep", str(SMOKE), "--out", str(out), "--workers", "1", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert f"cannot write the results folder {out}" in err


def test_an_unreachable_scheduler_is_one_message_and_exit_2(tmp_path, capsys, monkeypatch):
    pytest.importorskip("distributed")
    from experiments.cli import main
    from sweeps import executors

    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", "1s")
    out = tmp_path / "r"
    args = ["sweep", str(SMOKE), "--out", str(out), "--scheduler", "tcp://127.0.0.1:1"]
    code = main([*args, "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:1" in err
    assert not out.exists()


def test_export_csv_writes_every_table(reference, tmp_path):
    import shutil

    shutil.copytree(reference.folder, tmp_path / "r")
    paths = export_csv(tmp_path / "r")
    assert {p.name for p in paths} >= {"summaries.csv", "design.csv", "trajectories.csv"}
    frame = pd.read_csv(tmp_path / "r" / "csv" / "summaries.csv")
    assert len(frame) == 12 and "capital_concentration" in frame


def test_cli_sweep_runs_and_reports(tmp_path, capsys):
    from experiments.cli import main

    code = main(
        [
            "sweep",
            str(SMOKE),
            "--out",
            str(tmp_path / "r"),
            "--workers",
            "1",
            "--no-progress",
            "--csv",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and "12 runs" in out and "12 runs done, 0 failed" in out
    assert load_experiment(SMOKE).name == "smoke"
    assert (tmp_path / "r" / "report.html").is_file() and "Report:" in out


def test_cli_sweep_without_a_report(tmp_path, capsys):
    from experiments.cli import main

    out = tmp_path / "r"
    args = ["sweep", str(SMOKE), "--out", str(out), "--workers", "1", "--no-progress"]
    assert main([*args, "--no-report"]) == 0
    assert "Report:" not in capsys.readouterr().out
    assert not (out / "report.html").exists() and len(load_results(out).summaries) == 12
