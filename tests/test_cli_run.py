"""`latam-ai run`: a small fast variant writes its tables and figures; bad input exits 2."""

import subprocess
import sys

import pandas as pd

from experiments.cli import main


def test_run_writes_tables_figures_and_summary(tmp_path, capsys):
    out = tmp_path / "headline"
    assert (
        main(
            [
                "run",
                "--replications",
                "2",
                "--out",
                str(out),
                "--no-progress",
                "--set",
                'end="2030-12"',
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "Peru: probability of having been a Pioneer" in printed
    assert str(out) in printed
    agents = pd.read_parquet(out / "agents.parquet")
    assert {"release", "peru_path", "replicate", "iso3", "score", "tier"} <= set(agents.columns)
    assert agents["peru_path"].nunique() == 3 and agents["release"].nunique() == 2
    peru = pd.read_csv(out / "peru_pioneer_probability.csv")
    by_2030 = peru[peru["year"] == 2030]
    assert len(by_2030) == 6
    assert by_2030["ci_low"].le(by_2030["probability"]).all()
    assert by_2030["probability"].le(by_2030["ci_high"]).all()
    assert "by 2035: n/a: the runs end 2030-12" in printed  # never a number past the end
    for name in ("score_trajectories", "tier_composition", "peru_paths"):
        assert (out / "figures" / f"{name}.png").stat().st_size > 10_000
        assert (out / "figures" / f"{name}.svg").exists()


def test_bad_override_exits_2_with_one_message(tmp_path, capsys):
    assert main(["run", "--set", "capital_concentration=99", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "capital_concentration=99 (from --set) is outside the allowed range" in err
    assert not (tmp_path / "x").exists()
    assert main(["run", "--set", "alpha=1"]) == 2
    assert "expected NAME=VALUE" in capsys.readouterr().err


def test_help_documents_every_option():
    result = subprocess.run(
        [sys.executable, "-m", "experiments.cli", "run", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    for option in ("--replications", "--seed", "--out", "--set", "capital_concentration"):
        assert option in result.stdout


def test_version_comes_from_the_package_metadata(capsys):
    from importlib.metadata import version

    with __import__("pytest").raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"latam-ai {version('latam-ai-abm')}"


def test_run_reads_a_scenario_file_and_set_overrides_it(tmp_path, capsys):
    scenario = tmp_path / "scenario.toml"
    scenario.write_text('[parameters]\nend = "2030-12"\ncapital_concentration = 1.5\n')
    out = tmp_path / "run"
    args = ["run", "--scenario", str(scenario), "--set", 'end="2026-12"', "--replications", "1"]
    assert main([*args, "-o", str(out), "--quiet"]) == 0
    assert capsys.readouterr().out == ""  # --quiet: nothing but errors
    agents = pd.read_parquet(out / "agents.parquet")
    assert str(agents["date"].max())[:7] == "2026-12"  # --set wins over the file
    import json

    assert json.loads((out / "parameters.json").read_text())["capital_concentration"] == 1.5
    scenario.write_text("[parameters]\ncapital_concentration = 99\n")
    assert main(["run", "--scenario", str(scenario), "-o", str(tmp_path / "bad")]) == 2
    assert f"{scenario}:2" in capsys.readouterr().err  # file:line of the bad value


def test_every_writing_command_shares_the_conventions():
    from experiments.cli import build_parser
    from experiments.commands.options import DEFAULT_WORKERS

    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    for name in ("run", "sweep", "sensitivity", "report", "calibrate", "findings"):
        options = {o for a in commands[name]._actions for o in a.option_strings}
        assert {"-o", "--out", "--quiet", "--verbose", "--no-progress"} <= options, name
    # calibrate runs in one process (each SMC population is one batched kernel call, the
    # generations follow one another), so it offers no --workers it could not honour
    for name in ("sweep", "findings"):
        workers = next(a for a in commands[name]._actions if "--workers" in a.option_strings)
        assert workers.default is DEFAULT_WORKERS, name
    assert "--progress" not in {o for a in commands["findings"]._actions for o in a.option_strings}
