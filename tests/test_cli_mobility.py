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
