"""Parameter declarations: validation messages, scenarios, names."""

from pathlib import Path

import pytest

from model import PARAMETERS, RegionModel, RegionScenario
from model.parameters import odd_with_parameter_table, parameter_table_markdown, validate_value


def test_odd_parameter_table_is_generated_from_the_declarations():
    odd = (Path(__file__).resolve().parents[1] / "docs" / "ODD.md").read_text()
    assert odd == odd_with_parameter_table(odd), "run: python -m model.odd"


def test_every_parameter_is_declared_with_range_unit_and_source():
    for p in PARAMETERS:
        assert p.meaning and p.source and p.unit, p.name
        if p.numeric:
            assert p.low <= p.default <= p.high, p.name
    assert all(f"`{p.name}`" in parameter_table_markdown() for p in PARAMETERS)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "capital_concentration",
            13.0,
            r"capital_concentration=13.0 \(from argument\) is outside "
            r"the allowed range \[0.0, 12.0\]",
        ),
        ("capital_concentration", "high", "must be a number in"),
        ("absorptive_gate", 1, "must be true or false"),
        ("open_weights_date", "August", "is not a month; expected 'YYYY-MM'"),
        ("tier_thresholds", (60, 35), "must satisfy 0 <= low < high <= 100"),
        ("tier_thresholds", "35,60", "must be two numbers"),
        ("investment_noise", float("nan"), "outside the allowed range"),
        ("capital_depreciation", float("inf"), "outside the allowed range"),
        ("end", 2027, "is not a month"),
        ("open_weights_date", ["2025-08", "2025-08"], "the month 2025-08 is given twice"),
        ("policies", {"PER": "grow"}, "unknown strategy 'grow'"),
        (
            "policies",
            {"PER": [("2026-01", "production_platform"), ("2026-01", "status_quo")]},
            "two strategies start in 2026-01",
        ),
        ("policies", {"PER": {"strategy": "status_quo", "budget": 1.0}}, "takes no budget"),
        (
            "policies",
            {"PER": {"strategy": "production_platform", "budget": 9.0}},
            r"outside \[0.0, 5.0\] % of GDP",
        ),
        ("focus", 5, "must be 'latam19' or 'world'"),
        ("no_such_parameter", 1, "unknown parameter 'no_such_parameter'"),
    ],
)
def test_bad_values_name_parameter_value_and_allowed_range(name, value, message):
    with pytest.raises(ValueError, match=message):
        validate_value(name, value)


def test_model_rejects_bad_keyword_before_building_anything():
    with pytest.raises(ValueError, match="investment_noise=-1"):
        RegionModel(investment_noise=-1)


def test_unknown_country_and_strategy_list_the_valid_ones():
    with pytest.raises(ValueError, match="unknown country 'XYZ'.*valid ISO3 codes: AFG, AGO"):
        RegionModel(policies={"XYZ": "status_quo"})
    with pytest.raises(ValueError, match="unknown strategy 'grow'.*valid: status_quo, "):
        RegionModel(policies={"PER": "grow"})
    with pytest.raises(ValueError, match="initial='ilia2030' is not an initial state"):
        RegionModel(initial="ilia2030")
    with pytest.raises(ValueError, match="focus: unknown ISO3 code 'XYZ'"):
        RegionModel(focus=["PER", "XYZ"])
    with pytest.raises(ValueError, match="starts before the first month 2024-09"):
        RegionModel(policies={"PER": [("1990-01", "production_platform")]})


def test_scenario_and_keywords_give_the_same_model():
    scenario = RegionScenario(rng=7, capital_concentration=1.0, end="2026-12")
    from_scenario = RegionModel(scenario)
    from_keywords = RegionModel(rng=7, capital_concentration=1.0, end="2026-12")
    from_scenario.run_model()
    from_keywords.run_model()
    assert from_scenario.params == from_keywords.params
    assert (from_scenario.scores == from_keywords.scores).all()


def test_essay_cut_off_of_40_is_selectable():
    model = RegionModel(tier_thresholds=(40, 60))
    assert model.explorers == 10  # Panama (37.48) becomes an Explorer as well as Ecuador
