"""Experiment files: validation messages (key, value, line), exit code 2, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from experiments.cli import main
from sweeps import build_design, load_experiment
from sweeps.spec import ExperimentError, key_line

EXAMPLES = Path(__file__).resolve().parents[1] / "experiments" / "examples"

GOOD = """\
[experiment]
seed = 1
replications = 2

[design]
method = "grid"

[fixed]
end = "2026-06"

[varied]
capital_concentration = { values = [1.0, 2.0] }
"""

BAD = {
    "unknown parameter": (
        GOOD.replace("capital_concentration =", "capital_concentraton ="),
        ["capital_concentraton", ":12:", "unknown parameter"],
    ),
    "value out of range": (
        GOOD.replace("[1.0, 2.0]", "[1.0, 17.5]"),
        [
            "capital_concentration = 17.5",
            ":12:",
            "is outside the allowed range [0.0, 12.0] (dimensionless)",
        ],
    ),
    "value of the wrong type": (
        GOOD.replace("[1.0, 2.0]", '[1.0, "high"]'),
        ["capital_concentration = 'high'", ":12:", "must be a number in [0.0, 12.0]"],
    ),
    "replications below one": (
        GOOD.replace("replications = 2", "replications = 0"),
        ["replications = 0", ":3:", "must be an integer >= 1"],
    ),
    "end before the first month": (
        GOOD.replace('end = "2026-06"', 'end = "2023-12"'),
        [":9:", "[fixed] end = '2023-12'", "must be after the first month 2024-09"],
    ),
    "horizon before start": (
        GOOD.replace("replications = 2", 'replications = 2\nhorizon = "2025-03"').replace(
            'end = "2026-06"', 'start = "2025-06"'
        ),
        [":4:", "[experiment] horizon = '2025-03'", "after the first month, start = '2025-06'"],
    ),
    "wrong type": (
        GOOD.replace("replications = 2", 'replications = "two"'),
        ["replications", "'two'", ":3:", "integer"],
    ),
    "malformed TOML": (GOOD.replace("seed = 1", "seed = = 1"), ["malformed TOML", "line 2"]),
    "empty design": (GOOD.replace("[1.0, 2.0]", "[]"), ["capital_concentration", "non-empty"]),
    "unknown design method": (
        GOOD.replace('"grid"', '"factorial"'),
        ["method", "'factorial'", ":6:", "unknown design method", "sobol"],
    ),
    "unknown country in policies": (
        GOOD.replace('end = "2026-06"', 'end = "2026-06"\npolicies = { XXX = "status_quo" }'),
        ["policies", "XXX", ":10:"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_experiment_gives_its_message_exit_2_and_writes_nothing(case, tmp_path, capsys):
    text, expected = BAD[case]
    path = tmp_path / "bad.toml"
    path.write_text(text)
    out = tmp_path / "results"
    code = main(["sweep", str(path), "--out", str(out), "--workers", "1", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1, err  # one clear message
    for fragment in expected:
        assert fragment in err, (fragment, err)
    assert "(from argument)" not in err and "None" not in err, err
    assert err.count("allowed") <= 1 and err.count("[0.0, 12.0]") <= 1, err  # said once
    assert not out.exists()


def test_empty_list_design_and_missing_sizes_are_rejected(tmp_path):
    path = tmp_path / "e.toml"
    path.write_text('[design]\nmethod = "sobol"\n[varied]\ncapital_concentration = {}\n')
    with pytest.raises(ExperimentError, match="base_samples"):
        load_experiment(path)
    path.write_text('[design]\nmethod = "list"\n')
    with pytest.raises(ExperimentError, match=r"design\.runs"):
        load_experiment(path)


def test_key_line_finds_keys_under_their_table():
    assert key_line(GOOD, "varied", "capital_concentration") == 12
    assert key_line(GOOD, "experiment", "seed") == 2
    assert key_line(GOOD, "design", "seed") is None


def _skip_without_the_posterior(path):
    """Experiment files with a [posterior] section need the calibration's posterior file
    (data/calibration/posterior.csv, written by `latam-ai calibrate`)."""
    import tomllib

    from sweeps.spec_posterior import default_posterior_file

    section = tomllib.loads(path.read_text(encoding="utf-8")).get("posterior")
    if section is not None and "file" not in section and not default_posterior_file().exists():
        pytest.skip(f"{path.name} draws from {default_posterior_file().name}, not committed yet")


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.stem)
def test_example_files_validate_and_count_their_runs(path):
    _skip_without_the_posterior(path)
    experiment = load_experiment(path)
    design = build_design(experiment)
    per_sample = experiment.posterior_draws * experiment.replications
    assert len(design) == design["sample_id"].nunique() * per_sample
    assert design["run_id"].is_unique


def test_sobol_example_has_ten_parameters_and_3072_runs():
    experiment = load_experiment(EXAMPLES / "sobol.toml")
    assert len(experiment.varied) == 10
    from sweeps import run_count

    assert run_count(experiment) == 128 * (10 + 2) * 2


def test_dry_run_shows_the_count_and_design_and_writes_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["sweep", str(EXAMPLES / "smoke.toml"), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "4 samples x 3 replications = 12 runs" in out
    assert "capital_concentration" in out and "seed" in out
    assert not (tmp_path / "results").exists()


def test_help_shows_examples(capsys):
    for command in ("sweep", "sensitivity"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "examples:" in capsys.readouterr().out


def test_common_random_numbers_share_seeds_across_samples():
    experiment = load_experiment(EXAMPLES / "smoke.toml")
    design = build_design(experiment)
    by_replicate = design.groupby("replicate")["seed"].nunique()
    assert (by_replicate == 1).all() and design["seed"].nunique() == experiment.replications
    from dataclasses import replace

    independent = build_design(replace(experiment, common_random_numbers=False))
    assert independent["seed"].is_unique


def test_dry_run_summarises_the_design_and_estimates_the_time(tmp_path, capsys, monkeypatch):
    _skip_without_the_posterior(EXAMPLES / "window.toml")
    monkeypatch.chdir(tmp_path)
    assert main(["sweep", str(EXAMPLES / "window.toml"), "--dry-run", "--workers", "2"]) == 0
    out = capsys.readouterr().out
    assert "= 720 runs" in out and "time estimate: about" in out
    assert "policies: 12 values" in out
    assert len(out.splitlines()) < 15  # a summary, not the design table
    assert not (tmp_path / "results").exists()
