"""The array equations: batch axis, conservation, bounds."""

from dataclasses import fields

import numpy as np
import pytest

from model import RegionModel, synthetic_region
from model.equations import brain_drain, select_run, stack_runs, step
from model.parameters import batch_parameters


def run_alone(model):
    state = model.state
    for t in range(len(model.months) - 1):
        state = step(state, model.params, model.drivers, t)
    return state


def test_stacked_runs_step_together_exactly_as_each_alone():
    """Two runs with different seeds, parameters and policies, stepped as one batch."""
    models = [
        RegionModel(rng=11, end="2029-12"),
        RegionModel(
            rng=12,
            end="2029-12",
            capital_concentration=0.7,
            absorptive_gate=False,
            tier_thresholds=(40, 60),
            policies={"PER": "regional_consortium", "COL": "regional_consortium"},
        ),
    ]
    state = stack_runs(*(m.state for m in models))
    drivers = stack_runs(*(m.drivers for m in models))
    params = batch_parameters([m.params for m in models])
    for t in range(len(models[0].months) - 1):
        state = step(state, params, drivers, t)
    for index, model in enumerate(models):
        alone, together = run_alone(model), select_run(state, index)
        for field in fields(alone):
            np.testing.assert_allclose(
                getattr(together, field.name),
                getattr(alone, field.name),
                rtol=1e-12,
                atol=1e-12,
                err_msg=field.name,
            )


def test_adaptive_runs_step_together_exactly_as_each_alone():
    """The yearly review (imitation draws, tier groups) is per run in a batch too."""
    plans = (
        {"COL": "production_platform"},
        {"CRI": "infrastructure_first", "PER": "regional_consortium"},
    )
    models = [
        RegionModel(
            rng=seed,
            end="2029-12",
            adaptive_policies=True,
            imitation_probability=0.8,
            policies=plan,
        )
        for seed, plan in zip((21, 22), plans, strict=True)
    ]
    state = stack_runs(*(m.state for m in models))
    drivers = stack_runs(*(m.drivers for m in models))
    params = batch_parameters([m.params for m in models])
    for t in range(len(models[0].months) - 1):
        state = step(state, params, drivers, t)
    for index, model in enumerate(models):
        alone = run_alone(model)
        np.testing.assert_array_equal(select_run(state, index).strategy, alone.strategy)
        np.testing.assert_allclose(select_run(state, index).research, alone.research, rtol=1e-12)


def test_batch_parameters_refuse_to_mix_structural_values():
    with pytest.raises(ValueError, match="adaptive_policies differs between runs"):
        batch_parameters([RegionModel(adaptive_policies=True).params, RegionModel().params])


def test_brain_drain_moves_capacity_up_and_conserves_the_total():
    research = np.array([[10.0, 30.0, 50.0, 90.0], [20.0, 20.0, 20.0, 20.0]])
    change = brain_drain(research, 0.1)
    np.testing.assert_allclose(change.sum(axis=-1), 0.0, atol=1e-12)
    assert (change[0, :2] < 0).all() and (change[0, 2:] > 0).all()
    assert (change[1] == 0).all()


def test_indices_stay_on_their_scale_under_extreme_parameters():
    model = RegionModel(
        rng=3,
        initial=synthetic_region(50, spread=0.3, rng=3, distribution="lognormal"),
        capital_concentration=4.0,
        open_weights_strength=5.0,
        reversal_rate=1.0,
        end="2040-12",
    )
    model.run_model()
    for name in ("governance", "adoption", "research", "enabling"):
        values = getattr(model.state, name)
        assert ((values >= 0) & (values <= 100)).all(), name
    assert (model.state.capital >= 0).all()


def test_synthetic_region_with_zero_spread_is_identical():
    table = synthetic_region(25, spread=0.0)
    assert len(table) == 25 and table["iso3"].is_unique
    assert (table.drop(columns=["iso3", "country"]).nunique() == 1).all()
