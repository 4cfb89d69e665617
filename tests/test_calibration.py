"""Calibration (SMC-ABC with pyabc on batched simulations) and its out-of-sample validation.

What a researcher relies on: the sampler recovers a known parameter and does not depend on
its batch size; the targets are the data's figures; the validation's baselines are what
the data say; the allocation hold-out never sees the held-out country; the committed
posterior is what sweeps can read.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments import smc
from experiments.calibration import PRIORS
from experiments.smc import Prior, smc_abc

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "data" / "calibration" / "posterior.csv"


def gaussian_mean(parameters, seeds):
    """A batch simulator with a known answer: the mean of 40 normal draws (sd 0.5)."""
    means = [
        np.random.default_rng(seed).normal(p["location"], 0.5, 40).mean()
        for p, seed in zip(parameters, seeds, strict=True)
    ]
    return {"mean": np.array(means)}


PROBLEM = dict(
    priors=[Prior("location", -5.0, 5.0, "test")],
    observed={"mean": 1.5},
    tolerances={"mean": 0.1},
)


def run_problem(seed=7, population=100, generations=6):
    return smc_abc(
        gaussian_mean, population=population, generations=generations, seed=seed, **PROBLEM
    )


@pytest.fixture(scope="module")
def synthetic():
    return run_problem()


def test_smc_abc_recovers_a_known_parameter(synthetic):
    draws = synthetic.equal_weight_draws(1000, seed=1)
    location = draws["location"]
    assert abs(location.median() - 1.5) < 0.15
    prior_sd = PROBLEM["priors"][0].sd
    assert location.std() < 0.1 * prior_sd  # the data identify it
    epsilons = synthetic.generations["epsilon"].to_numpy()
    assert (np.diff(epsilons) < 0).all()  # the tolerance shrinks every generation


def test_smc_abc_is_reproducible_and_independent_of_the_batch_size(synthetic, monkeypatch):
    again = run_problem()
    pd.testing.assert_frame_equal(again.population, synthetic.population)
    monkeypatch.setattr(smc, "MIN_BATCH", 3)
    monkeypatch.setattr(smc, "MAX_BATCH", 11)
    small_batches = run_problem()
    pd.testing.assert_frame_equal(small_batches.population, synthetic.population)
    other_seed = run_problem(seed=8)
    assert not np.allclose(other_seed.population["location"], synthetic.population["location"])


def test_equal_weight_draws_follow_the_weights(synthetic):
    population = synthetic.population.copy()
    population["weight"] = 0.0
    population.loc[3, "weight"] = 1.0
    heavy = smc.SMCResult(population, synthetic.generations, synthetic.priors)
    draws = heavy.equal_weight_draws(200, seed=0)
    assert (draws["location"] == population.loc[3, "location"]).all()


def test_targets_are_the_data_figures():
    from experiments.calibration_targets import targets

    found = {t.name: t for t in targets()}
    # data/world/README.md: US 68.4% and China 6.4% of world private AI investment in 2024
    # (of the World row; the model's 187 countries leave out Taiwan and a few others)
    assert found["us_share_2024"].value == pytest.approx(0.684, abs=0.01)
    assert found["china_share_2024"].value == pytest.approx(0.064, abs=0.005)
    ilia = pd.read_csv(ROOT / "data" / "ilia_overall.csv").pivot(
        index="iso3", columns="edition", values="overall"
    )
    change = (ilia[2024] - ilia[2023]).dropna()
    assert len(change) == 12
    assert found["ilia_change_mean"].value == pytest.approx(change.mean(), abs=1e-9)
    assert found["ilia_change_sd"].value == pytest.approx(change.std(), abs=1e-9)
    assert all(t.tolerance > 0 and np.isfinite(t.tolerance) for t in targets())


def test_no_target_uses_ilia_2025(monkeypatch):
    """Scrambling ILIA 2025 (a later observation) leaves every target as it was."""
    import dataclasses

    from experiments import calibration_targets
    from model.world import world_data

    before = calibration_targets.targets()
    parts = world_data()
    scrambled = parts.ilia.copy()
    scrambled[2025] = scrambled[2025].sample(frac=1.0, random_state=0).to_numpy() + 30
    monkeypatch.setattr(
        calibration_targets, "world_data", lambda: dataclasses.replace(parts, ilia=scrambled)
    )
    calibration_targets.targets.cache_clear()
    try:
        assert calibration_targets.targets() == before
    finally:
        calibration_targets.targets.cache_clear()


def test_world_statistics_of_two_runs():
    from experiments.calibration import simulate_world
    from experiments.calibration_targets import target_names

    defaults = {p.name: (p.low + p.high) / 2 for p in PRIORS}
    stats = simulate_world([defaults, defaults | {"capital_concentration": 2.0}], [1, 1])
    assert set(stats) == set(target_names())
    for name, values in stats.items():
        assert values.shape == (2,) and np.isfinite(values).all(), name
    # a lower concentration exponent spreads capital: a smaller US share, lower Herfindahl
    assert stats["us_share_2024"][1] < stats["us_share_2024"][0]
    assert stats["herfindahl_2024"][1] < stats["herfindahl_2024"][0]
    assert (stats["usage_rank_correlation"] > 0.9).all()


def test_no_change_baseline_is_the_rmse_by_hand():
    from experiments.validation import baselines_2025, skill

    ilia = pd.read_csv(ROOT / "data" / "ilia_overall.csv").pivot(
        index="iso3", columns="edition", values="overall"
    )
    both = ilia[[2024, 2025]].dropna()
    assert len(both) == 19
    by_hand = float(np.sqrt(((both[2025] - both[2024]) ** 2).mean()))
    countries = list(both.index)
    forecasts = baselines_2025(countries)
    observed = both[2025].to_numpy()
    assert skill(forecasts["no change (ILIA 2024)"], observed)["rmse"] == pytest.approx(by_hand)
    drift = (ilia[2024] - ilia[2023]).dropna().mean()
    shifted = skill(forecasts["no change + mean drift"], observed)["rmse"]
    assert shifted == pytest.approx(float(np.sqrt(((both[2025] - both[2024] - drift) ** 2).mean())))


def test_the_allocation_holdout_is_out_of_fold():
    """A held-out country's prediction does not move when its own investment does; the
    others' do (they were fitted with it)."""
    from experiments.validation import out_of_fold_shares
    from model.world import allocation_regressors, world_data

    parts = world_data()
    index = pd.Index(parts.table["iso3"])
    chosen = index.get_indexer(["USA", "BRA", "PER", "KEN", "IND"])
    investment = parts.investment[:, chosen]
    regressors = allocation_regressors(parts.table)[chosen]
    base = out_of_fold_shares(investment, regressors)
    changed = investment.copy()
    changed[:, 2] *= 50.0  # Peru's deals fifty times larger
    moved = out_of_fold_shares(changed, regressors)
    assert moved[2] == pytest.approx(base[2], rel=1e-9)
    assert not np.allclose(np.delete(moved, 2), np.delete(base, 2))


def test_quick_calibration_writes_a_posterior_that_sweeps_read(tmp_path):
    from experiments.calibration import calibrate
    from experiments.calibration_report import write_calibration
    from experiments.validation import forecast_experiment

    calibration = calibrate(seed=3, population=16, generations=1, draws=20, predictive_runs=8)
    write_calibration(calibration, tmp_path, "latam-ai calibrate (test)")
    posterior = pd.read_csv(tmp_path / "posterior.csv")
    assert list(posterior.columns) == [p.name for p in PRIORS]
    assert len(posterior) == 20
    for prior in PRIORS:
        assert posterior[prior.name].between(prior.low, prior.high).all()
    experiment = forecast_experiment(tmp_path / "posterior.csv", 20, 1, 0)
    assert experiment.posterior.columns == tuple(posterior.columns)
    identification = pd.read_csv(tmp_path / "identification.csv")
    assert list(identification["parameter"]) == [p.name for p in PRIORS]
    checks = pd.read_csv(tmp_path / "checks.csv")
    assert checks["predictive_5%"].le(checks["predictive_95%"]).all()
    assert "seed: 3" in (tmp_path / "README.md").read_text()


def test_the_committed_posterior_is_usable():
    posterior = pd.read_csv(COMMITTED)
    assert len(posterior) >= 1000
    assert list(posterior.columns) == [p.name for p in PRIORS]
    for prior in PRIORS:
        assert posterior[prior.name].between(prior.low, prior.high).all(), prior.name
    sidecar = (COMMITTED.parent / "README.md").read_text()
    for fact in ("DERIVED", "seed:", "pyabc 0.13.0", "date:", "latam-ai calibrate"):
        assert fact in sidecar, fact
