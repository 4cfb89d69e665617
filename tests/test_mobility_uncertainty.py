"""Cluster bootstrap over runs and the Dirichlet posterior of the small real panel."""

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from mobility import (
    TierPanel,
    bootstrap_runs,
    bootstrap_weights,
    dirichlet_posterior,
    transition_counts,
)
from mobility.markov import INDEX_NAMES

ILIA_CSV = Path(__file__).resolve().parents[1] / "data" / "ilia_overall.csv"


def random_walk_panel(n_runs: int = 200, n_periods: int = 48, seed: int = 0) -> TierPanel:
    rng = np.random.default_rng(seed)
    start = np.linspace(24, 73, 19)
    scores = start + np.cumsum(rng.normal(0, 2.0, (n_runs, n_periods, 19)), axis=1)
    dates = np.datetime64("2024-01", "M") + np.arange(n_periods)
    return TierPanel.from_scores(scores, dates, [f"C{i:02d}" for i in range(19)])


def test_bootstrap_weights_resample_all_runs():
    weights = bootstrap_weights(50, 300, seed=1)
    assert weights.shape == (300, 50)
    assert np.allclose(weights.sum(axis=1), 50)
    assert np.array_equal(weights, bootstrap_weights(50, 300, seed=1))
    assert weights.mean() == pytest.approx(1.0)


def test_bootstrap_equals_explicit_resampling_of_runs():
    panel = random_walk_panel(n_runs=30, n_periods=12)
    weights = bootstrap_weights(30, 4, seed=5)
    result = bootstrap_runs(panel, weights=weights)
    for b in range(4):
        chosen = np.repeat(np.arange(30), weights[b].astype(int))
        assert np.allclose(result.replicates["counts"][b], transition_counts(panel.tiers[chosen]))


def test_bootstrap_intervals_contain_the_point_estimate():
    result = bootstrap_runs(random_walk_panel(), n_boot=300, seed=0)
    assert result.method.startswith("cluster bootstrap over 200 runs")
    for name in (*INDEX_NAMES, "persistence", "expected_sojourn", "stationary", "matrix"):
        estimate = np.asarray(result.estimates[name])
        assert np.all(result.low[name] <= estimate + 1e-12), name
        assert np.all(estimate <= result.high[name] + 1e-12), name
    assert np.all(result.high["shorrocks"] > result.low["shorrocks"])
    again = bootstrap_runs(random_walk_panel(), n_boot=300, seed=0)
    assert again.low["shorrocks"] == result.low["shorrocks"]


def test_dirichlet_hand_posterior():
    counts = np.array([[3.0, 1, 0], [0, 4, 0], [0, 0, 0]])
    result = dirichlet_posterior(counts, prior="uniform", n_draws=2000, seed=0)
    assert np.allclose(result.estimates["matrix"][0], [4 / 7, 2 / 7, 1 / 7])
    assert np.allclose(result.estimates["matrix"][2], [1 / 3] * 3)
    assert result.low["matrix"][0, 2] == pytest.approx(stats.beta(1, 6).ppf(0.025))
    assert result.high["matrix"][0, 2] == pytest.approx(stats.beta(1, 6).ppf(0.975))
    jeffreys = dirichlet_posterior(counts, prior="jeffreys")
    assert np.allclose(jeffreys.estimates["matrix"][1], [0.5 / 5.5, 4.5 / 5.5, 0.5 / 5.5])
    assert np.allclose(
        dirichlet_posterior(counts, prior=0.5).estimates["matrix"], jeffreys.estimates["matrix"]
    )
    for name in ("perks", "haldane", 2.0):
        rows = dirichlet_posterior(counts, prior=name, n_draws=10).estimates["matrix"]
        assert np.allclose(rows.sum(axis=1), 1)
    with pytest.raises(ValueError, match="unknown prior"):
        dirichlet_posterior(counts, prior="flat")


def test_ilia_posterior_zero_counts_are_not_zero_and_intervals_are_wide():
    panel = TierPanel.from_ilia(ILIA_CSV, tier_source="published")
    counts = transition_counts(panel.tiers)
    result = dirichlet_posterior(counts, prior="jeffreys", n_draws=4000, seed=0)
    observed = counts.sum(axis=1) > 0
    assert np.allclose(np.diag(counts)[observed] / counts.sum(axis=1)[observed], 1.0)
    assert (result.estimates["matrix"][counts == 0] > 0).all()
    width = result.high["matrix"] - result.low["matrix"]
    assert (np.diag(width) > 0.3).all()
    assert result.high["shorrocks"] - result.low["shorrocks"] > 0.3
    assert result.low["shorrocks"] <= result.estimates["shorrocks"] <= result.high["shorrocks"]
