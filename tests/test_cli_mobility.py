"""`latam-ai mobility`: the real ILIA panel and a folder of simulated runs."""

import pandas as pd
import pytest

from experiments.cli import main


def test_ilia_panel_report(capsys):
    assert main(["mobility"]) == 0
    out = capsys.readouterr().out
    assert "2023 -> 2024, classified by score: 12 countries" in out
    assert "2024 -> 2025, tiers as published by ILIA: 19 countries" in out
    assert "shorrocks" in out and "jeffreys prior" in out


@pytest.fixture(scope="module")
def headline_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("runs") / "headline"
    assert (
        main(
            [
                "run",
                "--replications",
                "3",
                "--out",
                str(folder),
                "--no-progress",
                "--set",
                'end="2027-12"',
            ]
        )
        == 0
    )
    return folder


def test_results_folder_gives_one_summary_per_scenario(headline_folder, capsys):
    capsys.readouterr()
    assert main(["mobility", str(headline_folder), "--lag", "6", "--boot", "50"]) == 0
    out = capsys.readouterr().out
    assert out.count("=== ") == 6  # 2 releases x 3 Peru paths
    assert "Window after the shock (2025-08)" in out
    transitions = pd.read_csv(headline_folder / "mobility_lag6_transitions.csv")
    assert transitions["scenario"].nunique() == 6
    assert (headline_folder / "mobility_transitions.csv").exists()  # the run's own tables kept


def test_missing_folder_exits_2(tmp_path, capsys):
    assert main(["mobility", str(tmp_path / "nowhere")]) == 2
    assert "no such results folder" in capsys.readouterr().err


def test_sweep_folder_by_design_column(tmp_path, capsys):
    from pathlib import Path

    smoke = Path(__file__).resolve().parents[1] / "experiments" / "examples" / "smoke.toml"
    out = tmp_path / "sweep"
    assert main(["sweep", str(smoke), "--out", str(out), "--workers", "1"]) == 0
    capsys.readouterr()
    assert (
        main(["mobility", str(out), "--by", "capital_concentration", "--boot", "50", "--lag", "6"])
        == 0
    )
    printed = capsys.readouterr().out
    assert "=== capital_concentration = 1.0 ===" in printed
    assert "skipped" in printed or printed.count("Transition matrix") == 2
    assert main(["mobility", str(out), "--by", "nonsense"]) == 2


def _error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0, err  # one message
    return err


def test_folder_options_rejected_for_the_ilia_panel(capsys):
    assert main(["mobility", "--lag", "6"]) == 2
    err = _error(capsys)
    assert "--lag" in err and "results folders only" in err


def test_by_rejected_for_a_run_folder(headline_folder, capsys):
    capsys.readouterr()
    assert main(["mobility", str(headline_folder), "--by", "nonsense"]) == 2
    assert "--by applies to sweep folders" in _error(capsys)


def test_lag_longer_than_the_runs_writes_nothing_and_exits_2(headline_folder, capsys):
    capsys.readouterr()
    assert main(["mobility", str(headline_folder), "--lag", "500", "--boot", "10"]) == 2
    captured = capsys.readouterr()
    assert "Tables written" not in captured.out
    assert "nothing was written" in captured.err and captured.err.count("\n") == 1
    assert not list(headline_folder.glob("mobility_lag500_*.csv"))


@pytest.mark.parametrize("boot", ["0", "-5"])
def test_boot_below_one_rejected(headline_folder, capsys, boot):
    capsys.readouterr()
    assert main(["mobility", str(headline_folder), "--boot", boot]) == 2
    assert "--boot" in _error(capsys)


def test_few_replicates_warned_in_the_output(headline_folder, capsys):
    capsys.readouterr()
    assert main(["mobility", str(headline_folder), "--lag", "6", "--boot", "20"]) == 0
    assert "--boot 20 is below 100 replicates" in capsys.readouterr().out


@pytest.mark.parametrize("shock", ["2040-01", "1990-05"])
def test_shock_outside_the_runs_dates_rejected(headline_folder, capsys, shock):
    capsys.readouterr()
    assert main(["mobility", str(headline_folder), "--shock", shock, "--lag", "6"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # nothing printed or written before the error
    err = captured.err.strip()
    assert err.count("\n") == 0
    assert f"shock month {shock} is outside the runs' dates" in err and "2027-12" in err


def test_bad_shock_month_rejected(headline_folder, capsys):
    capsys.readouterr()
    assert main(["mobility", str(headline_folder), "--shock", "soon"]) == 2
    assert "not a month" in _error(capsys)
