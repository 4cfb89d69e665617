"""Property-based tests of the equations' invariants over the declared parameter ranges:
indices stay on 0-100, capital stays finite and non-negative, the world flow is handed out
exactly, and a run in a batch equals the run alone (Hypothesis draws the parameters)."""

from dataclasses import fields

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model import RegionModel
from model.builder import build_batch
from model.equations import select_run, step
from model.parameters import PARAMETERS, validate_parameters

NUMERIC = [p for p in PARAMETERS if p.numeric]
SWITCHES = [p.name for p in PARAMETERS if p.kind == "bool"]
INDICES = ("governance", "adoption", "research", "enabling")


@st.composite
def parameter_sets(draw):
    """A run's parameters: every number uniform in its declared range, every switch either
    way, Peru and Chile under random strategies and budgets."""
    values = {
        p.name: draw(st.floats(p.low, p.high, allow_nan=False, allow_infinity=False))
        for p in NUMERIC
    }
    values |= {name: draw(st.booleans()) for name in SWITCHES}
    strategies = st.sampled_from(
        ["status_quo", "production_platform", "adoption_management", "regional_consortium"]
    )
    budget = st.floats(0.0, 5.0)
    policies = {}
    for iso3 in ("PER", "CHL"):
        name = draw(strategies)
        policies[iso3] = (
            name if name == "status_quo" else {"strategy": name, "budget": draw(budget)}
        )
    values["policies"] = policies
    values["end"] = "2026-06"
    return values


SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(parameter_sets(), st.integers(0, 2**32))
def test_invariants_hold_over_the_declared_ranges(values, seed):
    model = RegionModel(rng=seed, **values)
    flows = []
    for _ in range(len(model.months) - 1):
        model.step()
        state = model.state
        for name in INDICES:
            values_now = getattr(state, name)
            assert np.isfinite(values_now).all() and (values_now >= 0).all(), name
            assert (values_now <= 100).all(), name
        assert np.isfinite(state.capital).all() and (state.capital >= 0).all()
        flows.append(state.inflow.sum())
    expected = model.drivers.global_flow[:-1] / 12 * model.state.market_share[0]
    np.testing.assert_allclose(flows, expected, rtol=1e-10)


@SETTINGS
@given(st.lists(parameter_sets(), min_size=2, max_size=3), st.integers(0, 2**32))
def test_a_run_in_a_batch_equals_the_run_alone(runs, seed):
    seeds = [seed + k for k in range(len(runs))]
    batch = build_batch([validate_parameters(v) for v in runs], seeds)
    state = batch.state
    for t in range(len(batch.months) - 1):
        state = step(state, batch.params, batch.drivers, t)
    for index, (values, run_seed) in enumerate(zip(runs, seeds, strict=True)):
        model = RegionModel(rng=run_seed, **values)
        model.run_model()
        together = select_run(state, index)
        for field in fields(together):
            np.testing.assert_allclose(
                getattr(together, field.name),
                getattr(model.state, field.name),
                rtol=1e-12,
                atol=1e-12,
                err_msg=field.name,
            )
