"""Scenario files: what is saved is read back; bad files are named with their line."""

import pytest

from model.parameters import validate_parameters
from model.scenario_file import ScenarioError, load_scenario, save_scenario


def test_round_trip(tmp_path):
    params = {
        "end": "2030-12",
        "capital_concentration": 1.5,
        "open_weights_date": ["2025-08", "2027-01"],
        "absorptive_gate": False,
        "policies": {"PER": "production_platform"},
        "tier_thresholds": (40.0, 60.0),
    }
    path = save_scenario(validate_parameters(params), tmp_path / "s.toml")
    assert validate_parameters(load_scenario(path)) == validate_parameters(params)


@pytest.mark.parametrize(
    ("text", "culprit"),
    [
        ("[parameters]\ncapital_concentration = 13.0\n", "s.toml:2"),
        ("[parameters]\nno_such = 1\n", "no_such"),
        ("capital_concentration = 1.0\n", "[parameters]"),
        ("[parameters]\nend = 2030\n", "end"),
        ("[parameters\n", "not valid TOML"),
    ],
)
def test_bad_files_are_named(tmp_path, text, culprit):
    path = tmp_path / "s.toml"
    path.write_text(text)
    with pytest.raises(ScenarioError, match="s.toml") as info:
        load_scenario(path)
    assert culprit in str(info.value)


def test_a_saved_scenario_is_the_fixed_part_of_a_sweep(tmp_path):
    from sweeps import load_experiment
    from sweeps.spec_values import ExperimentError

    save_scenario(
        validate_parameters({"end": "2027-12", "policies": {"PER": "production_platform"}}),
        tmp_path / "scenario.toml",
    )
    varied = '[varied]\nopen_weights_date = { values = ["2025-08", "none"] }\n'
    (tmp_path / "e.toml").write_text(f'[experiment]\nscenario = "scenario.toml"\n{varied}')
    experiment = load_experiment(tmp_path / "e.toml")
    assert (
        validate_parameters(experiment.fixed)["policies"]
        == validate_parameters({"policies": {"PER": "production_platform"}})["policies"]
    )
    assert "open_weights_date" not in experiment.fixed  # varied overrides the scenario
    (tmp_path / "over.toml").write_text(
        f'[experiment]\nscenario = "scenario.toml"\n[fixed]\nend = "2030-12"\n{varied}'
    )
    assert load_experiment(tmp_path / "over.toml").fixed["end"] == "2030-12"  # [fixed] wins
    (tmp_path / "missing.toml").write_text(f'[experiment]\nscenario = "nowhere.toml"\n{varied}')
    with pytest.raises(ExperimentError, match="missing.toml:2.*nowhere.toml"):
        load_experiment(tmp_path / "missing.toml")
