"""Sobol and Morris indices from sweep results (SALib), the command and the figure."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.cli import main
from sensitivity import morris_indices, sobol_indices
from sweeps import experiment_from_dict, run_experiment

VARIED = {
    "capital_concentration": {"low": 0.0, "high": 4.0},
    "investment_noise": {"low": 0.0, "high": 0.01},  # nearly inert: ranked last
}


def sweep(tmp_path, method: str, sizes: dict):
    experiment = experiment_from_dict(
        {
            "experiment": {"seed": 3, "replications": 2},
            "design": {"method": method, **sizes},
            "fixed": {"end": "2027-12"},
            "varied": VARIED,
            "outputs": {"metrics": ["capital_gini_end", "tier_gap_end_start_tiers"]},
        }
    )
    out = tmp_path / method
    run_experiment(experiment, out, progress=False)
    return out


@pytest.fixture(scope="module")
def sobol_folder(tmp_path_factory):
    return sweep(tmp_path_factory.mktemp("s"), "sobol", {"base_samples": 32})


def test_sobol_indices_rank_the_influential_parameter_first(sobol_folder):
    table = sobol_indices(sobol_folder, "capital_gini_end")
    assert list(table.columns) == ["parameter", "S1", "S1_conf", "ST", "ST_conf"]
    assert table["parameter"].iloc[0] == "capital_concentration"
    assert table["ST"].iloc[0] > 0.5 and table["ST"].iloc[1] < 0.1
    assert np.isfinite(table[["S1_conf", "ST_conf"]].to_numpy()).all()


def test_morris_indices(tmp_path):
    folder = sweep(tmp_path, "morris", {"trajectories": 10, "levels": 4})
    table = morris_indices(folder, "capital_gini_end")
    assert list(table.columns) == ["parameter", "mu_star", "mu_star_conf", "mu", "sigma"]
    assert table["parameter"].iloc[0] == "capital_concentration"
    with pytest.raises(ValueError, match="sobol design"):
        sobol_indices(folder, "capital_gini_end")


def test_sensitivity_command_prints_table_and_writes_csv_and_png(sobol_folder, capsys):
    assert main(["sensitivity", str(sobol_folder), "--metric", "capital_gini_end"]) == 0
    out = capsys.readouterr().out
    assert "capital_concentration" in out and "ST_conf" in out
    assert (sobol_folder / "sensitivity_sobol_capital_gini_end.csv").exists()
    assert (sobol_folder / "sensitivity_sobol_capital_gini_end.png").stat().st_size > 1000


def test_sensitivity_command_bad_input_exits_2(sobol_folder, tmp_path, capsys):
    assert main(["sensitivity", str(sobol_folder), "--metric", "no_such_metric"]) == 2
    assert "unknown metric 'no_such_metric'" in capsys.readouterr().err
    assert main(["sensitivity", str(tmp_path), "--metric", "capital_gini_end"]) == 2
    assert "not a sweep results folder" in capsys.readouterr().err


def test_sobol_intervals_are_reproducible(tmp_path):
    """Same results and seed, same confidence intervals (SALib ignores a zero seed)."""
    from sensitivity import sobol_indices
    from sweeps import experiment_from_dict, run_experiment

    experiment = experiment_from_dict(
        {
            "experiment": {"seed": 4, "replications": 1},
            "design": {"method": "sobol", "base_samples": 16, "second_order": False},
            "fixed": {"end": "2025-12"},
            "varied": {
                "capital_concentration": {"low": 0.0, "high": 4.0},
                "open_weights_strength": {"low": 0.0, "high": 2.0},
            },
            "outputs": {"metrics": ["tier_gap_end_start_tiers"], "trajectories": "none"},
        }
    )
    run_experiment(experiment, tmp_path / "s", progress=False)
    first = sobol_indices(tmp_path / "s", "tier_gap_end_start_tiers", seed=0)
    again = sobol_indices(tmp_path / "s", "tier_gap_end_start_tiers", seed=0)
    assert first.equals(again)
