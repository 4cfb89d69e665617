"""The qualitative results the model exists to show (pattern-oriented tests).

Seeds are fixed and replications are enough that the assertions hold in every
replicate (or by a wide margin on average), so these tests never flake.
"""

import numpy as np
import pytest

from model import RegionModel, synthetic_region

REPLICATES = range(8)
#: Emergence experiment: a homogeneous region at rest in a stationary world market,
#: over 30 years (structure, not forecast).
STATIONARY_WORLD = {
    "end": "2054-12",
    "global_investment_growth": 0.0,
    "rest_of_world_capacity_growth": 0.0,
}


def final(seed, **params):
    model = RegionModel(rng=seed, **params)
    model.run_model()
    return model


def homogeneous(seed, capital_concentration):
    region = synthetic_region(19, spread=0.01, rng=seed)
    return final(
        seed, initial=region, capital_concentration=capital_concentration, **STATIONARY_WORLD
    )


def test_tiers_emerge_from_a_homogeneous_region_only_with_capital_feedback():
    with_feedback = [homogeneous(seed, 2.0) for seed in range(4)]
    without = [homogeneous(seed, 0.0) for seed in range(4)]
    for model in with_feedback:
        assert len(set(model.tiers)) >= 2
        assert model.scores.std() > 4.0
    for model in without:
        assert len(set(model.tiers)) == 1
        assert model.scores.std() < 2.0


@pytest.fixture(scope="module")
def start_tiers():
    return RegionModel().tiers


def research_gap(model, tiers):
    """Mean research of the start's Pioneers minus the start's Explorers."""
    return model.state.research[tiers == 2].mean() - model.state.research[tiers == 0].mean()


@pytest.mark.parametrize("seed", REPLICATES)
def test_open_weights_raise_adoption_everywhere_and_widen_the_production_gap(seed, start_tiers):
    released, counterfactual = final(seed), final(seed, open_weights_date=None)
    below_ceiling = counterfactual.state.adoption < 100.0
    gain = released.state.adoption - counterfactual.state.adoption
    assert (gain[below_ceiling] > 0.1).all() and (gain >= 0).all()
    assert research_gap(released, start_tiers) > research_gap(counterfactual, start_tiers) + 0.3


@pytest.mark.parametrize("seed", REPLICATES)
def test_without_the_absorptive_gate_the_release_narrows_the_production_gap(seed, start_tiers):
    released = final(seed, absorptive_gate=False)
    counterfactual = final(seed, absorptive_gate=False, open_weights_date=None)
    assert research_gap(released, start_tiers) < research_gap(counterfactual, start_tiers)


def test_production_platform_raises_perus_research_against_adoption_management():
    peru = RegionModel().countries.index("PER")
    production = [final(s, policies={"PER": "production_platform"}) for s in REPLICATES]
    adoption = [final(s, policies={"PER": "adoption_management"}) for s in REPLICATES]
    gains = [
        p.state.research[peru] - a.state.research[peru]
        for p, a in zip(production, adoption, strict=True)
    ]
    assert min(gains) > 3.0
    assert (
        np.mean(
            [
                a.state.adoption[peru] - p.state.adoption[peru]
                for p, a in zip(production, adoption, strict=True)
            ]
        )
        > 0
    )
