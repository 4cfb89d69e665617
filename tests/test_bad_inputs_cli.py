"""Bad command-line input to sweep, sensitivity, report and calibrate: one message naming
the flag, value or folder; exit code 2, no traceback, and nothing written (every file
under the test's folder has the same bytes and times before and after)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from experiments.cli import main
from sweeps import run_experiment
from sweeps.lock import FolderLock

ROOT = Path(__file__).resolve().parents[1]
SMOKE = ROOT / "experiments" / "examples" / "smoke.toml"


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("finished") / "smoke"
    run_experiment(SMOKE, out, progress=False)
    return out


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else b"", p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
    }


class Setup:
    """The folder a case runs in: helpers that make its inputs."""

    def __init__(self, tmp: Path, finished: Path) -> None:
        self.tmp, self.finished = tmp, finished

    def sweep(self, name: str = "r") -> str:
        target = self.tmp / name
        shutil.copytree(self.finished, target)
        return str(target)

    def file(self, name: str, text: str) -> str:
        path = self.tmp / name
        path.write_text(text)
        return str(path)

    def folder(self, name: str, *files: str) -> str:
        path = self.tmp / name
        path.mkdir()
        for file in files:
            (path / file).write_text("someone's notes\n")
        return str(path)

    def damaged(self, how: str) -> str:
        folder = Path(self.sweep())
        victim = sorted((folder / "summaries").glob("part-*.parquet"))[0]  # the first shard
        if how == "deleted":
            victim.unlink()
        elif how == "truncated":
            victim.write_bytes(victim.read_bytes()[:100])
        elif how == "manifest":
            (folder / "manifest.json").write_text('{"design": ')
        return str(folder)

    def locked(self) -> str:
        folder = self.sweep()
        self.lock = FolderLock(folder).acquire()
        self.lock.record()
        return folder


def smoke_out(s: Setup, *extra: str) -> list[str]:
    return ["sweep", str(SMOKE), "--out", str(s.tmp / "out"), "--no-progress", *extra]


def resume(folder: str, experiment: str | Path = SMOKE) -> list[str]:
    return [
        "sweep",
        str(experiment),
        "--out",
        folder,
        "--resume",
        "--workers",
        "1",
        "--no-progress",
    ]


#: id -> (argv from a Setup, fragments of the message, whether argparse reports it)
CASES = {
    # sweep
    "workers zero": (lambda s: smoke_out(s, "--workers", "0"), ["--workers 0", "[1, 1024]"]),
    "workers negative": (lambda s: smoke_out(s, "--workers", "-2"), ["--workers -2"]),
    "workers huge": (lambda s: smoke_out(s, "--workers", "5000"), ["--workers 5000"]),
    "workers text": (lambda s: smoke_out(s, "--workers", "two"), ["--workers", "'two'"], True),
    "batch zero": (lambda s: smoke_out(s, "--batch-size", "0"), ["--batch-size 0", "16384"]),
    "batch huge": (lambda s: smoke_out(s, "--batch-size", "100000"), ["--batch-size 100000"]),
    "batch float": (lambda s: smoke_out(s, "--batch-size", "1.5"), ["--batch-size", "'1.5'"], True),
    "scheduler word": (
        lambda s: smoke_out(s, "--scheduler", "nonsense"),
        ["--scheduler 'nonsense'", "tcp://"],
    ),
    "scheduler no host": (lambda s: smoke_out(s, "--scheduler", "tcp://"), ["'tcp://'"]),
    "scheduler and workers": (
        lambda s: smoke_out(s, "--scheduler", "tcp://127.0.0.1:1", "--workers", "2"),
        ["--workers 2", "--scheduler local"],
    ),
    "experiment missing": (
        lambda s: ["sweep", str(s.tmp / "nope.toml"), "--no-progress"],
        ["nope.toml", "No such file"],
    ),
    "experiment is a folder": (
        lambda s: ["sweep", s.folder("dir.toml"), "--no-progress"],
        ["dir.toml", "Is a directory"],
    ),
    "out is a file": (
        lambda s: ["sweep", str(SMOKE), "--out", s.file("f", "x"), "--no-progress"],
        ["--out is a file"],
    ),
    "out under a file": (
        lambda s: ["sweep", str(SMOKE), "--out", s.file("f", "x") + "/r", "--no-progress"],
        ["cannot write the results folder", "f/r"],
    ),
    "out empty": (
        lambda s: ["sweep", str(SMOKE), "--out", "", "--no-progress"],
        ["--out ''"],
        True,
    ),
    "resume missing folder": (
        lambda s: resume(str(s.tmp / "never")),
        ["never: no such results folder", "drop --resume"],
    ),
    "resume unrelated folder": (
        lambda s: resume(s.folder("mine", "notes.txt")),
        ["mine holds no sweep (no manifest.json)", "not adopted"],
    ),
    "resume empty folder": (lambda s: resume(s.folder("empty")), ["empty holds no sweep"]),
    "resume ledger without manifest": (
        lambda s: resume(s.folder("orphan", "ledger")),
        ["orphan holds no sweep", "not adopted"],
    ),
    "sweep into unrelated folder": (
        lambda s: ["sweep", str(SMOKE), "--out", s.folder("mine", "notes.txt"), "--no-progress"],
        ["mine is not empty and holds no sweep (it has notes.txt)"],
    ),
    "sweep into a results folder": (
        lambda s: ["sweep", str(SMOKE), "--out", s.sweep(), "--no-progress", "--workers", "1"],
        ["already holds a sweep", "--resume"],
    ),
    "resume another experiment": (
        lambda s: resume(
            s.sweep(), s.file("other.toml", SMOKE.read_text().replace("seed = 12345", "seed = 1"))
        ),
        ["cannot resume", "the experiment ([experiment])", "left unchanged"],
    ),
    "resume a damaged manifest": (
        lambda s: resume(s.damaged("manifest")),
        ["manifest.json is damaged", "new --out"],
    ),
    "resume a folder being written": (
        lambda s: resume(s.locked()),
        ["is being written by process", "wait for it to finish", "nothing was changed"],
    ),
    "unknown flag": (
        lambda s: smoke_out(s, "--frobnicate"),
        ["unrecognized arguments: --frobnicate"],
        True,
    ),
    # sensitivity
    "sensitivity missing folder": (
        lambda s: ["sensitivity", str(s.tmp / "never"), "--metric", "tier_gap_end"],
        ["never: no such results folder"],
    ),
    "sensitivity empty folder": (
        lambda s: ["sensitivity", s.folder("empty"), "--metric", "tier_gap_end"],
        ["not a sweep results folder"],
    ),
    "sensitivity a file": (
        lambda s: ["sensitivity", s.file("f", "x"), "--metric", "tier_gap_end"],
        ["no such results folder"],
    ),
    "sensitivity sobol on a grid": (
        lambda s: ["sensitivity", s.sweep(), "--metric", "nope", "--method", "sobol"],
        ["sobol indices need a sobol design"],
    ),
    "sensitivity metric missing": (
        lambda s: ["sensitivity", s.sweep()],
        ["--metric"],
        True,
    ),
    "sensitivity metric empty": (
        lambda s: ["sensitivity", s.sweep(), "--metric", " "],
        ["--metric ''"],
    ),
    "sensitivity wrong design": (
        lambda s: ["sensitivity", s.sweep(), "--metric", "tier_gap_end"],
        ["method 'grid'", "sobol or morris design"],
    ),
    "sensitivity method choice": (
        lambda s: ["sensitivity", s.sweep(), "--metric", "x", "--method", "pca"],
        ["invalid choice: 'pca'"],
        True,
    ),
    "sensitivity resamples zero": (
        lambda s: ["sensitivity", s.sweep(), "--metric", "x", "--resamples", "0"],
        ["--resamples 0"],
    ),
    "sensitivity resamples negative": (
        lambda s: ["sensitivity", s.sweep(), "--metric", "x", "--resamples", "-5"],
        ["--resamples -5"],
    ),
    "sensitivity confidence above": (
        lambda s: ["sensitivity", s.sweep(), "--metric", "x", "--confidence", "1.5"],
        ["--confidence 1.5"],
    ),
    "sensitivity confidence zero": (
        lambda s: ["sensitivity", s.sweep(), "--metric", "x", "--confidence", "0"],
        ["--confidence 0.0"],
    ),
    "sensitivity confidence nan": (
        lambda s: ["sensitivity", s.sweep(), "--metric", "x", "--confidence", "nan"],
        ["--confidence nan"],
    ),
    "sensitivity damaged": (
        lambda s: ["sensitivity", s.damaged("deleted"), "--metric", "tier_gap_end"],
        ["damaged results folder", "is missing", "--resume"],
    ),
    # report
    "report missing folder": (lambda s: ["report", str(s.tmp / "never")], ["no such folder"]),
    "report empty folder": (lambda s: ["report", s.folder("empty")], ["not a results folder"]),
    "report a file": (lambda s: ["report", s.file("f", "x")], ["no such folder"]),
    "report deleted shard": (
        lambda s: ["report", s.damaged("deleted")],
        ["damaged results folder", "summaries/part-000000.parquet is missing", "--resume"],
    ),
    "report truncated shard": (
        lambda s: ["report", s.damaged("truncated")],
        ["summaries/part-000000.parquet is truncated: 100 bytes"],
    ),
    "report damaged manifest": (
        lambda s: ["report", s.damaged("manifest")],
        ["manifest.json is damaged"],
    ),
    # calibrate
    "calibrate population one": (
        lambda s: ["calibrate", "--population", "1", "--out", str(s.tmp / "c")],
        ["--population 1", "[2, 100000]"],
    ),
    "calibrate population huge": (
        lambda s: ["calibrate", "--population", "1000000000"],
        ["--population 1000000000"],
    ),
    "calibrate generations zero": (
        lambda s: ["calibrate", "--generations", "0"],
        ["--generations 0", "[1, 50]"],
    ),
    "calibrate draws negative": (
        lambda s: ["calibrate", "--draws", "-1"],
        ["--draws -1", "[1, 1000000]"],
    ),
    "calibrate seed negative": (
        lambda s: ["calibrate", "--seed", "-5"],
        ["--seed -5", "2**63 - 1"],
    ),
    "calibrate posterior without validate": (
        lambda s: ["calibrate", "--posterior", s.file("p.csv", "capital_concentration\n6\n")],
        ["--posterior FILE: only with --validate"],
    ),
    "calibrate posterior missing": (
        lambda s: ["calibrate", "--validate", "--posterior", str(s.tmp / "nope.csv")],
        ["nope.csv: no such file"],
    ),
    "calibrate posterior not a parameter": (
        lambda s: [
            "calibrate",
            "--validate",
            "--out",
            str(s.tmp / "c"),
            "--posterior",
            s.file("p.csv", "capital_concentraton\n6\n"),
        ],
        ["p.csv", "'capital_concentraton' is not a parameter"],
    ),
    "calibrate population not a number": (
        lambda s: ["calibrate", "--population", "many"],
        ["--population: invalid int value: 'many'"],
        "usage",
    ),
    "calibrate unknown option": (
        lambda s: ["calibrate", "--accept", "0.1"],
        ["unrecognized arguments: --accept 0.1"],
        "usage",
    ),
    "calibrate into unrelated folder": (
        lambda s: ["calibrate", "--quick", "--out", s.folder("mine", "notes.txt")],
        ["mine", "holds files that are not a calibration's (notes.txt)"],
    ),
    "calibrate out is a file": (
        lambda s: ["calibrate", "--quick", "--out", s.file("taken.txt", "x")],
        ["taken.txt", "not a folder"],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_command_line(name, tmp_path, finished, capsys, monkeypatch):
    build, fragments, *usage = CASES[name]
    setup = Setup(tmp_path, finished)
    argv = build(setup)
    monkeypatch.chdir(tmp_path)  # a default --out (results/...) must not appear
    before = snapshot(tmp_path)
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse: usage line and error
        code = exc.code
    after = snapshot(tmp_path)
    if hasattr(setup, "lock"):
        setup.lock.release()
    err = capsys.readouterr().err
    assert code == 2, (code, err)
    assert "Traceback" not in err, err
    if not usage:
        assert err.count("\n") == 1, err  # one message
    for fragment in fragments:
        assert fragment in err, (fragment, err)
    assert after == before


def test_the_cli_suite_has_at_least_50_cases():
    assert len(CASES) >= 50


def test_scheduler_local_with_workers_is_accepted(tmp_path, capsys):
    """The documented ``--scheduler local --workers 2``: accepted, two Dask workers."""
    pytest.importorskip("distributed")
    from sweeps.executors import describe, make_executor

    args = ["sweep", str(SMOKE), "--scheduler", "local", "--workers", "2", "--dry-run"]
    assert main(args) == 0, capsys.readouterr().err
    with make_executor(2, "local") as executor:
        assert describe(executor)["workers"] == 2
        assert executor.submit(sum, [1, 2]).result() == 3
