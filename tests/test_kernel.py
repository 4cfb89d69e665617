"""The compiled kernel equals the NumPy reference (``model.equations.step``) on random
parameter sets over the declared ranges, its draws equal ``model.streams``, and a run's
results do not depend on the batch or on the kernel's parallelism."""

from dataclasses import fields

import numpy as np
import pytest

from model import _kernel_loop, equations, streams
from model.builder import build_batch
from model.kernel import run_kernel
from model.parameters import PARAMETERS, validate_parameters
from model.policies import STRATEGY_NAMES

PLANS = (
    {},
    {"PER": "regional_consortium", "COL": "regional_consortium", "ARG": "regional_consortium"},
    {"BRA": "production_platform", "MEX": [("2025-02", "adoption_management", 1.5)]},
    {"CHL": [("2024-09", "infrastructure_first"), ("2026-01", "status_quo")]},
)
RELEASES = ((), ("2025-08",), ("2024-06", "2025-11"))


def random_parameters(rng: np.random.Generator) -> dict:
    """A parameter set drawn over the declared ranges: numbers uniform on [low, high],
    booleans at random, one of a few policy plans and release dates."""
    values = {}
    for p in PARAMETERS:
        if p.kind == "float":
            values[p.name] = float(rng.uniform(p.low, p.high))
        elif p.kind == "int":
            values[p.name] = int(rng.integers(p.low, p.high + 1))
        elif p.kind == "bool":
            values[p.name] = bool(rng.integers(2))
    low = float(rng.uniform(10, 60))
    values["tier_thresholds"] = (low, float(rng.uniform(low + 1, 90)))
    values["policies"] = PLANS[rng.integers(len(PLANS))]
    values["open_weights_date"] = list(RELEASES[rng.integers(len(RELEASES))])
    values["end"] = "2027-12"
    return validate_parameters(values)


def reference(batch):
    """The NumPy loop: per month the focus tiers, and the final state."""
    state, tiers = batch.state, []
    for t in range(len(batch.months)):
        if t > 0:
            state = equations.step(state, batch.params, batch.drivers, t - 1)
        score = equations.composite_score(state, batch.params["research_share_of_rda"])
        tiers.append(equations.classify_tiers(score, batch.params["tier_thresholds"]))
    return state, np.stack(tiers, axis=1)[..., batch.focus]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kernel_equals_the_numpy_reference_on_random_parameters(seed):
    rng = np.random.default_rng(seed)
    runs = [random_parameters(rng) for _ in range(12)]
    runs[0] = validate_parameters({"end": "2027-12", "demonstration_effect": True,
                                   "demonstration_threshold": 0.0, "imitation_probability": 1.0,
                                   "demonstration_lag": 0.0, "policies": PLANS[2]})  # fmt: skip
    batch = build_batch(runs, rng.integers(0, 2**32, len(runs)))
    history = run_kernel(batch, snapshot_months=range(len(batch.months)))
    state, tiers = reference(batch)
    for field in fields(state):
        np.testing.assert_allclose(
            getattr(history.state, field.name),
            getattr(state, field.name),
            rtol=1e-9,
            atol=1e-9,
            err_msg=field.name,
        )
    np.testing.assert_array_equal(history.tiers, tiers)
    assert (history.state.strategy != batch.state.strategy).any()  # policies acted
    assert (history.state.strategy[0] != STRATEGY_NAMES.index("status_quo")).sum() > 3


def test_kernel_draws_are_the_streams_draws():
    keys = np.array([0, 7, 2**63 - 1, 987654321], np.uint64)
    with np.errstate(over="ignore"):
        keys2 = streams.second_key(keys)
    for stream in (streams.REVERSAL, streams.IMITATION):
        compiled = _kernel_loop.stream_draws(keys, keys2, stream, 3, 187)
        expected = np.stack([streams.uniforms(keys, stream, t, 187) for t in range(3)], axis=1)
        np.testing.assert_array_equal(compiled, expected)
    compiled = _kernel_loop.stream_draws(keys, keys2, streams.INVESTMENT, 3, 187)
    expected = np.stack([streams.normals(keys, t, 187) for t in range(3)], axis=1)
    np.testing.assert_array_equal(compiled, expected)


def test_a_run_is_the_same_alone_in_a_batch_and_serial_or_parallel():
    rng = np.random.default_rng(9)
    runs = [random_parameters(rng) for _ in range(5)]
    seeds = [3, 4, 5, 6, 7]
    together = run_kernel(build_batch(runs, seeds), (10, 39), parallel=True)
    for i in (0, 3):
        alone = run_kernel(build_batch(runs[i : i + 1], seeds[i : i + 1]), (10, 39), parallel=False)
        for month in (10, 39):
            for name, values in alone.snapshots[month].items():
                np.testing.assert_array_equal(values[0], together.snapshots[month][name][i])
        np.testing.assert_array_equal(alone.tiers[0], together.tiers[i])


def test_headline_batch_through_the_kernel_equals_region_model_frames():
    from experiments.headline import run_batch_history
    from model import RegionModel

    plan = {"PER": "production_platform"}
    values = validate_parameters({"end": "2027-12", "policies": plan})
    history = run_batch_history(build_batch([values] * 2, [5, 6]))
    model = RegionModel(rng=6, end="2027-12", policies=plan)
    model.run_model()
    region = history.region[history.region["replicate"] == 1].reset_index(drop=True)
    expected = model.model_frame()
    for name in ("region_investment_share", "pioneers", "tier_gap", "capital_gini"):
        np.testing.assert_allclose(region[name], expected[name], rtol=1e-9, atol=1e-12)
    agents = history.agents[history.agents["replicate"] == 1].reset_index(drop=True)
    frame = model.agent_frame(region="focus")
    for name in ("score", "research", "capital", "budget"):
        np.testing.assert_allclose(agents[name], frame[name], rtol=1e-9, atol=1e-9)
    assert (agents["tier"] == frame["tier"]).all() and (agents["policy"] == frame["policy"]).all()


#: A world batch through the kernel, its results printed as bytes (one subprocess's output).
KERNEL_RUN = """
import hashlib, sys
import numpy as np
from model.builder import build_batch
from model.kernel import run_kernel
from model.parameters import validate_parameters
runs = [validate_parameters({"capital_concentration": c, "end": "2027-12"}) for c in (3.0, 9.0)]
history = run_kernel(build_batch(runs, [5, 6]), [0, 39], [0, 1], np.arange(40))
arrays = [history.region_share, *history.trajectories.values(), *history.state.__dict__.values()]
print(hashlib.sha256(b"".join(np.ascontiguousarray(a).tobytes() for a in arrays)).hexdigest())
"""


def test_a_run_is_the_same_when_the_kernel_is_compiled_and_when_it_is_loaded(tmp_path):
    """numba compiles the kernel in the first process that needs it and caches the machine
    code on disk; later processes load it. Both must give the same bits (an optimisation
    left to the compiler, fused multiply-adds, once made them differ in the last bits)."""
    import os
    import subprocess
    import sys

    environment = os.environ | {"NUMBA_CACHE_DIR": str(tmp_path)}  # an empty cache

    def digest() -> str:
        done = subprocess.run(
            [sys.executable, "-c", KERNEL_RUN], env=environment, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout.strip()

    compiled = digest()
    assert any(tmp_path.rglob("*.nbi"))  # the kernel was compiled and cached there
    assert digest() == compiled  # loaded from that cache
