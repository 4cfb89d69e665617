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
