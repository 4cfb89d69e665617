"""The array equations and the batched setup: batch axis, conservation, bounds."""

from dataclasses import fields

import numpy as np
import pytest

from model import RegionModel, synthetic_world
from model.builder import build_batch
from model.equations import capital_inflow, select_run, step
from model.parameters import validate_parameters


def run_alone(model):
    state = model.state
    for t in range(len(model.months) - 1):
        state = step(state, model.equation_params, model.drivers, t)
    return state


RUNS = (
    (11, dict(end="2029-12")),
    (
        12,
        dict(
            end="2029-12",
            capital_concentration=0.7,
            absorptive_gate=False,
            learning_by_using=False,
            tier_thresholds=(40, 60),
            policies={"PER": "regional_consortium", "COL": "regional_consortium"},
        ),
    ),
    (
        13,
        dict(
            end="2029-12",
            demonstration_effect=True,
            imitation_probability=0.8,
            demonstration_threshold=0.0,
            policies={"CRI": ("2025-01", "infrastructure_first", 2.0)},
        ),
    ),
)


def test_runs_built_and_stepped_as_one_batch_equal_each_run_alone():
    """Three runs of the world with different seeds, parameters, switches and policies."""
    batch = build_batch([validate_parameters(p) for _, p in RUNS], [seed for seed, _ in RUNS])
    state = batch.state
    for t in range(len(batch.months) - 1):
        state = step(state, batch.params, batch.drivers, t)
    for index, (seed, parameters) in enumerate(RUNS):
        alone, together = run_alone(RegionModel(rng=seed, **parameters)), select_run(state, index)
        for field in fields(alone):
            np.testing.assert_allclose(
                getattr(together, field.name),
                getattr(alone, field.name),
                rtol=1e-12,
                atol=1e-12,
                err_msg=field.name,
            )


def test_a_batch_refuses_to_mix_calendars():
    with pytest.raises(ValueError, match="end differs between runs of one batch"):
        build_batch([validate_parameters({}), validate_parameters({"end": "2030-12"})], [1, 2])


@pytest.mark.parametrize("noise", [0.0, 0.8, 2.0])
def test_allocation_hands_out_exactly_the_flow(noise):
    rng = np.random.default_rng(5)
    weights = rng.lognormal(0, 3, size=(50, 187))
    inflow = capital_inflow(
        np.full((50, 1), 217.0), 0.9, weights, rng.standard_normal((50, 187)), noise
    )
    np.testing.assert_allclose(inflow.sum(axis=-1), 217.0 * 0.9 / 12, rtol=1e-12)
    assert (inflow >= 0).all()


def test_indices_stay_on_their_scale_under_extreme_parameters():
    model = RegionModel(
        rng=3,
        initial=synthetic_world(50, spread=0.3, rng=3, distribution="lognormal"),
        capital_concentration=12.0,
        open_weights_strength=5.0,
        reversal_rate=1.0,
        research_capital_gain=1.0,
        end="2040-12",
        policies={"S00001": {"strategy": "production_platform", "budget": 5.0}},
    )
    model.run_model()
    for name in ("governance", "adoption", "research", "enabling"):
        values = getattr(model.state, name)
        assert ((values >= 0) & (values <= 100)).all(), name
    assert (model.state.capital >= 0).all() and np.isfinite(model.state.capital).all()


def test_synthetic_world_with_zero_spread_is_identical_and_positive_at_any_spread():
    table = synthetic_world(25, spread=0.0)
    assert len(table) == 25 and table["iso3"].is_unique
    assert (table.drop(columns=["iso3", "country", "ilia_score"]).nunique() == 1).all()
    wide = synthetic_world(40, spread=0.5)
    positive = ["gdp_usd_bn", "capital_usd_bn", "investment_usd_bn", "population_m"]
    assert (wide[positive] > 0).all().all()
    RegionModel(initial=wide, end="2025-12").run_model()  # no DataError at a wide spread
