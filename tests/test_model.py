"""RegionModel as researchers use it: runs, frames, determinism, agents, calendar."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from agents import Country
from model import RegionModel
from model.equations import adaptive_review

AGENT_COLUMNS = {
    "iso3",
    "score",
    "tier",
    "governance",
    "adoption",
    "research",
    "capital",
    "inflow",
    "enabling",
    "capital_index",
    "policy",
}
MODEL_COLUMNS = {
    "region_investment_share",
    "pioneers",
    "adopters",
    "explorers",
    "tier_gap",
    "production_gap",
    "adoption_gap",
    "capital_gini",
}


@pytest.fixture(scope="module")
def default_run():
    model = RegionModel(rng=42)
    model.run_model()
    return model


def test_default_model_runs_monthly_from_ilia_2024_to_december_2035(default_run):
    assert default_run.months[0] == pd.Period("2024-09", "M")
    assert default_run.months[-1] == pd.Period("2035-12", "M")
    assert default_run.month_index == len(default_run.months) - 1 == 135
    assert not default_run.running
    assert len(default_run.agents) == 19 and all(isinstance(a, Country) for a in default_run.agents)


def test_data_collector_has_the_promised_reporters(default_run):
    agents = default_run.datacollector.get_agent_vars_dataframe()
    region = default_run.datacollector.get_model_vars_dataframe()
    assert AGENT_COLUMNS <= set(agents.columns)
    assert MODEL_COLUMNS <= set(region.columns)
    assert len(agents) == 136 * 19 and len(region) == 136
    assert set(agents["tier"]) <= {"Pioneer", "Adopter", "Explorer"}
    assert region["region_investment_share"].iloc[0] == pytest.approx(0.0112)
    counts = region[["pioneers", "adopters", "explorers"]].sum(axis=1)
    assert (counts == 19).all()


def test_tidy_frames_carry_calendar_dates(default_run):
    agents = default_run.agent_frame()
    assert agents["date"].iloc[0] == pd.Timestamp("2024-09-01")
    assert agents["date"].iloc[-1] == pd.Timestamp("2035-12-01")
    assert default_run.model_frame()["date"].is_monotonic_increasing


def test_same_seed_same_frames_and_different_seeds_differ():
    runs = []
    for seed in (3, 3, 4):
        model = RegionModel(rng=seed, end="2027-12")
        model.run_model()
        runs.append(model.datacollector.get_agent_vars_dataframe())
    pd.testing.assert_frame_equal(runs[0], runs[1])
    assert not runs[0]["capital"].equals(runs[2]["capital"])


def test_ilia_2025_start_reproduces_its_edition():
    model = RegionModel(initial="ilia2025")
    assert model.months[0] == pd.Period("2025-10", "M")
    peru = next(a for a in model.agents if a.iso3 == "PER")
    assert peru.score == pytest.approx(51.93, abs=0.01) and peru.tier == "Adopter"
    assert model.pioneers == 3 and model.adopters == 8 and model.explorers == 8


def test_agents_read_and_write_through_the_model_state():
    model = RegionModel(rng=1)
    peru = next(a for a in model.agents if a.iso3 == "PER")
    peru.research = 80.0
    assert model.state.research[peru.index] == 80.0
    assert peru.score > 45.52 + 0.35 * 0.5 * (80.0 - 34.0) - 0.01
    peru.policy = "production_platform"
    model.step()
    assert peru.policy == "production_platform"
    with pytest.raises(
        ValueError, match=r"PER.research=500 is outside the allowed range \[0.0, 100.0\]"
    ):
        peru.research = 500


def test_stepping_past_the_end_month_says_so():
    model = RegionModel(end="2024-11")
    model.run_model()
    with pytest.raises(RuntimeError, match="reached its end month 2024-11"):
        model.step()


def test_policy_schedule_switches_on_its_date():
    model = RegionModel(rng=0, policies={"PER": [("2026-01", "production_platform")]})
    peru = next(a for a in model.agents if a.iso3 == "PER")
    policies = []
    while model.running:
        model.step()
        policies.append((model.date, peru.policy))
    switched = [date for date, policy in policies if policy == "production_platform"]
    assert switched[0] == pd.Timestamp("2026-02-01")  # in force during January 2026
    assert policies[0][1] == "status_quo"


def test_tiers_never_drive_a_process_unless_signalling_is_on():
    """Moving the cut-offs relabels countries but changes no state variable."""
    runs = []
    for thresholds in ((35, 60), (40, 70)):
        model = RegionModel(rng=5, tier_thresholds=thresholds, end="2028-12")
        model.run_model()
        runs.append(model.state.research)
    np.testing.assert_array_equal(runs[0], runs[1])
    signalled = RegionModel(rng=5, tier_signalling=1.0, end="2028-12")
    signalled.run_model()
    assert not np.array_equal(signalled.state.research, runs[0])


def test_adaptive_review_imitates_the_best_improving_peer_of_the_tier():
    model = RegionModel(rng=2)
    state = replace(
        model.state,
        strategy=np.array([1, 0, 0, 2, 3], np.int8),
        score_at_review=np.array([40.0, 40.0, 40.0, 40.0, 70.0]),
    )
    score = np.array([45.0, 41.0, 43.0, 40.0, 71.0])  # gains 5, 1, 3, 0 | 1
    tiers = np.array([1, 1, 1, 1, 2])
    everyone = adaptive_review(state, {"imitation_probability": 1.0}, score, tiers, np.zeros(5))
    np.testing.assert_array_equal(everyone, [1, 1, 0, 1, 3])  # laggards copy the leader
    nobody = adaptive_review(state, {"imitation_probability": 0.0}, score, tiers, np.zeros(5))
    np.testing.assert_array_equal(nobody, state.strategy)


def test_adaptive_review_leaves_scheduled_countries_on_their_policy():
    scheduled = {"COL": "production_platform", "CRI": "infrastructure_first"}
    model = RegionModel(
        rng=2, adaptive_policies=True, imitation_probability=1.0, policies=scheduled
    )
    model.run_model()
    final = model.agent_frame().query("step == step.max()").set_index("iso3")["policy"]
    assert final[list(scheduled)].tolist() == list(scheduled.values())


def test_adaptive_review_spreads_a_leading_strategy_to_laggards():
    """The demonstration effect: unscheduled laggards copy the best-improving peer."""
    model = RegionModel(
        rng=2,
        adaptive_policies=True,
        imitation_probability=1.0,
        tier_signalling=0.0,
        policies={"PER": "production_platform"},
    )
    state = model.state
    # make Peru the Adopters' best improver at the first review
    model.state = replace(
        state, score_at_review=state.score_at_review - (model.countries == np.array("PER")) * 20
    )
    for _ in range(13):
        model.step()
    adopters_now = model.agent_frame().query("step == 13 and tier == 'Adopter'")
    assert (adopters_now["policy"] == "production_platform").sum() >= 2
