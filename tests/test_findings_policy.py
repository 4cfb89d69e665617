"""Findings Q1-Q3 on the world model (open weights, Peru's policy frontier, the
demonstration effect): the qualitative results in quick mode with fixed seeds, the
frontier's interpolation, the cluster bootstrap over posterior draws, and a difference in
P(Pioneer) between Peru's paths where the frontier says there is one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments.findings import run_question
from experiments.findings.common import wilson
from experiments.findings.peru import crossing
from experiments.findings.uncertainty import cluster_share, paired


@pytest.fixture(scope="module")
def quick_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("findings-policy-quick")


def _finding(question, folder):
    return run_question(question, folder, quick=True, write=False)


def _row(table, **where):
    mask = np.ones(len(table), bool)
    for column, value in where.items():
        mask &= (table[column] == value).to_numpy()
    assert mask.sum() == 1, where
    return table[mask].iloc[0]


def test_open_weights_equalise_adoption_and_capital_feedback_drives_the_research_gap(
    quick_folder,
):
    finding = _finding("open_weights", quick_folder)
    effects = finding.tables["open_weights_release_effects"]
    for focus in ("latam19", "world"):
        for metric in ("adoption_gini_2030", "adoption_sd_2030", "adoption_gap_end_start_tiers"):
            row = _row(effects, focus=focus, mechanism="all", metric=metric)
            assert row.high < 0, (focus, metric)  # the release narrows adoption dispersion
    # Among the 19, the release widens the research gap between start Pioneers and
    # Explorers; without the capital feedback it no longer does.
    on = _row(effects, focus="latam19", mechanism="all", metric="production_gap_end_start_tiers")
    off = _row(
        effects,
        focus="latam19",
        mechanism="capital_feedback",
        metric="production_gap_end_start_tiers",
    )
    assert on.low > 0 and off.high < 0
    parts = finding.tables["open_weights_mechanism_parts"]
    change = _row(
        parts,
        focus="latam19",
        switched_off="capital_feedback",
        metric="production_gap_end_start_tiers",
    )
    assert change.high < 0
    # Adoption's equalisation is the diffusion's own: no switch moves it by 1%.
    adoption = parts[(parts.metric == "adoption_gini_2030")]
    effect = adoption["effect_with_switch_off"] - adoption["change_vs_all_on"]  # all on
    assert (adoption["change_vs_all_on"].abs() < 0.01 * effect.abs()).all()


def test_crossing_interpolates_in_log_budget_and_says_never_and_zero():
    budgets = np.array([0.1, 1.0, 10.0])
    p = np.array([0.0, 0.4, 0.8])
    assert crossing(budgets, p, 0.0, 0.6) == pytest.approx(np.sqrt(10.0))  # halfway in log
    assert crossing(budgets, p, 0.0, 0.9) == np.inf
    assert crossing(budgets, p, 0.7, 0.5) == 0.0  # the status quo already reaches it
    # Between the status quo (budget 0) and the first grid point: linear in budget.
    assert crossing(budgets, np.array([0.8, 0.9, 1.0]), 0.0, 0.4) == pytest.approx(0.05)
    # Vectorised over bootstrap resamples.
    many = crossing(budgets, np.stack([p, p]), np.array([0.0, 0.7]), 0.5)
    assert many[0] == pytest.approx(10 ** (0.0 + 0.25)) and many[1] == 0.0


def test_cluster_bootstrap_over_draws_is_wider_than_over_replicates():
    rng = np.random.default_rng(3)
    draws = np.repeat(np.arange(40), 10)
    p_of_draw = rng.uniform(0.1, 0.9, 40)[draws]  # parameter uncertainty
    success = rng.uniform(size=draws.size) < p_of_draw
    replicate = np.tile(np.arange(10), 40)
    p, low, high = cluster_share(success, draws)
    _, wlow, whigh = wilson(success.sum(), success.size)
    assert low < p < high and (high - low) > 1.5 * (whigh - wlow)
    frame = pd.DataFrame(
        {
            "posterior_draw": np.r_[draws, draws],
            "replicate": np.r_[replicate, replicate],
            "s": ["a"] * draws.size + ["b"] * draws.size,
            "v": np.r_[p_of_draw, p_of_draw + 0.25],
        }
    )
    out = paired(frame, "s", "v", "a").iloc[0]
    assert out.mean_difference == pytest.approx(0.25) and out.low == pytest.approx(0.25)


def test_peru_frontier(quick_folder):
    finding = _finding("peru", quick_folder)
    front = finding.tables["peru_frontier"]
    pp = front[(front.edition == "ilia2024") & (front.strategy == "production_platform")]
    by = pp.set_index(["year", "target"])["budget_pct_gdp"]
    # From the 2024 start the status quo never makes Peru a Pioneer by 2030; a budget does, and
    # 2030 needs more than 2035.
    assert (pp[pp.year == 2030]["p_status_quo"] == 0).all()
    assert 0 < by[(2035, 0.5)] < by[(2030, 0.5)] < np.inf
    assert by[(2035, 0.5)] <= by[(2035, 0.9)]
    # From the 2025 start (Peru at 51.9) the status quo already does by 2035.
    later = front[(front.edition == "ilia2025") & (front.year == 2035)]
    assert (later["budget_pct_gdp"] == 0).all()
    # The infrastructure lever alone does not reach P = 0.9 by 2030 within 5% of GDP.
    alone = _row(front, edition="ilia2024", strategy="infrastructure_only", year=2030, target=0.9)
    assert alone.budget_pct_gdp == np.inf
    costs = finding.tables["peru_cost_per_point"]
    at = _row(costs, edition="ilia2024", strategy="production_platform", budget=0.5)
    assert at.low > 0 and np.isfinite(at.usd_bn_per_point)
    assert "R&D spending" in finding.text


def test_peru_paths_differ_in_p_pioneer_where_the_frontier_says_so():
    """1% of GDP on the production platform from 2026-01 vs the status quo, 2024 start:
    the frontier puts P(Pioneer by 2030) = 0.5 below 1% and the status quo at 0, so the
    Wilson intervals over 20 replicates must not overlap."""
    from sweeps import experiment_from_dict
    from sweeps.design import build_design
    from sweeps.engine import simulate

    data = {
        "experiment": {"name": "t", "seed": 2030, "replications": 20},
        "design": {
            "method": "list",
            "runs": [
                {"label": "sq", "policies": {"PER": "status_quo"}},
                {"label": "pp", "policies": {"PER": [["2026-01", "production_platform", 1.0]]}},
            ],
        },
        "fixed": {"end": "2030-12"},
        "outputs": {"country": "PER"},
    }
    experiment = experiment_from_dict(data, "", "test")
    design = build_design(experiment)
    history = simulate(experiment, design)
    peru = history.countries.index("PER")
    pioneer = (history.tiers[:, :, peru] == 2).any(axis=1)
    label = design["label"].to_numpy()
    sq = wilson(pioneer[label == "sq"].sum(), 20)
    pp = wilson(pioneer[label == "pp"].sum(), 20)
    assert sq[2] < pp[1], (sq, pp)


def test_demonstration_followers_come_at_the_first_review_and_gain(quick_folder):
    finding = _finding("demonstration", quick_folder)
    summary = finding.tables["demonstration_summary"]
    every = summary[summary.runs == "all runs"]
    assert (every["adopter_followers"] >= 1).all()
    # The first review after Peru's 12 months of demonstration (2027-09): 20 months on.
    assert (every["first_switch_after_peru_start_low"] >= 20).all()
    assert (every["follower_gain_2035_low"] > 0).all()
    # Imitation answers the demonstrated gain, not Peru's budget (common random numbers).
    spread = every["followers"].max() - every["followers"].min()
    assert spread <= 0.1 * every["followers"].mean()
    countries = finding.tables["demonstration_by_country"]
    assert "PER" not in set(countries["iso3"])


def test_followers_found_by_governance_are_the_models_imitators(quick_folder):
    """The paired-governance rule finds exactly the countries the model switched."""
    from experiments.findings.common import load
    from experiments.findings.demonstration import followers
    from model.region import RegionModel

    finding = _finding("demonstration", quick_folder)
    results = load(finding.sweeps / "peru_demonstration")
    frame = followers(results)
    design = results.design
    run = design[design["demonstration_effect"].astype(str).str.lower() == "true"].iloc[0]
    model = RegionModel(
        rng=int(run.seed),
        policies=run.policies,
        demonstration_effect=True,
        focus="Latin America and Caribbean",
    )
    for _ in range(len(model.dates) - 1):
        model.step()
    imitators = {
        agent.iso3
        for agent, policy in zip(model.agents, model.view["policy"], strict=True)
        if policy != "status_quo" and agent.iso3 != "PER"
    }
    budget = float(run.policies["PER"][0][2])
    found = frame[(frame.budget == budget) & (frame.unit == run.replicate) & frame.followed]
    assert imitators and imitators == set(found["iso3"])


def test_posterior_draws_give_the_parameters_and_noise_intervals(tmp_path, monkeypatch):
    import sweeps.spec_posterior as spec_posterior

    posterior = tmp_path / "posterior.csv"
    posterior.write_text(
        "capital_concentration,absorptive_threshold\n6.0,30\n7.5,40\n6.75,35\n5.5,33\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(spec_posterior, "default_posterior_file", lambda: posterior)
    finding = _finding("demonstration", tmp_path / "out")
    table = finding.tables["demonstration_summary_posterior"]
    assert (table["intervals"] == "parameters + noise").all()
    assert "Parameters + noise" in finding.text and "was not run" not in finding.text


def test_a_missing_posterior_is_said_not_hidden(tmp_path, monkeypatch):
    import sweeps.spec_posterior as spec_posterior

    monkeypatch.setattr(spec_posterior, "default_posterior_file", lambda: tmp_path / "none.csv")
    with pytest.warns(UserWarning, match="does not exist"):
        finding = _finding("demonstration", tmp_path / "out")
    assert "was not run" in finding.text and "none.csv is not committed" in finding.text
