"""Fragmentation: hand values, decompositions and convergence tests."""

import numpy as np
import pytest

from mobility import (
    club_convergence,
    esteban_ray,
    gini,
    hp_trend,
    phillips_sul,
    sigma_convergence,
    theil,
    tier_gap,
)


def test_gini_hand_values_and_missing():
    assert gini(np.array([1.0, 2, 3, 4])) == pytest.approx(0.25)
    assert gini(np.array([5.0, 5, 5])) == pytest.approx(0.0)
    assert gini(np.array([0.0, 0, 0, 4])) == pytest.approx(0.75)
    assert gini(np.array([1.0, np.nan, 2, 3, 4])) == pytest.approx(0.25)
    batch = np.array([[1.0, 2, 3, 4], [2, 2, 2, 2]])
    assert np.allclose(gini(batch), [0.25, 0.0])


def test_theil_hand_values_and_decomposition():
    assert theil(np.ones(4))["theil"] == pytest.approx(0.0)
    assert theil(np.array([0.0, 0, 0, 4]))["theil"] == pytest.approx(np.log(4))
    x = np.array([1.0, 2, 3, 4])
    parts = theil(x, np.array([0, 0, 1, 1]))
    direct = np.mean(x / 2.5 * np.log(x / 2.5))
    assert parts["theil"] == pytest.approx(direct)
    assert parts["between"] == pytest.approx(0.3 * np.log(0.6) + 0.7 * np.log(1.4))
    assert parts["between"] + parts["within"] == pytest.approx(parts["theil"])
    assert 0 < parts["between_share"] < 1
    rng = np.random.default_rng(0)
    values = rng.lognormal(3, 0.5, size=(50, 19))
    groups = rng.integers(0, 3, size=(50, 19))
    parts = theil(values, groups)
    assert np.allclose(parts["between"] + parts["within"], parts["theil"])


def test_tier_gap_hand():
    values = np.array([20.0, 30, 50, 70, 80])
    tiers = np.array([0, 0, 1, 2, 2])
    result = tier_gap(values, tiers)
    assert np.allclose(result["means"], [25, 50, 75])
    assert result["gap"] == pytest.approx(50)
    assert np.isnan(tier_gap(values, np.ones(5, int))["gap"])


def test_esteban_ray_hand():
    values = np.array([1.0, 1, 3, 3])
    tiers = np.array([0, 0, 2, 2])
    raw = esteban_ray(values, tiers, alpha=1.0, normalize=False)
    assert raw == pytest.approx(2 * 0.5**2 * 0.5 * 2)
    assert esteban_ray(values, tiers, alpha=1.0) == pytest.approx(0.25)
    # every country its own group, alpha = 0: half the Gini mean difference
    x = np.array([1.0, 2, 3, 4])
    mean_difference = np.abs(x[:, None] - x[None]).mean()
    assert esteban_ray(x, alpha=0.0, normalize=False) == pytest.approx(mean_difference)
    assert esteban_ray(np.full(4, 2.0), np.zeros(4, int)) == pytest.approx(0)


def test_sigma_convergence_hand():
    values = np.tile(np.exp([0.0, 1.0]), (5, 1))
    result = sigma_convergence(values)
    assert np.allclose(result["sigma"], 0.5) and result["slope"] == pytest.approx(0)
    shrinking = np.exp(np.outer(np.linspace(1, 0.5, 10), [-1.0, 1.0]))
    result = sigma_convergence(shrinking)
    assert np.allclose(result["sigma"], np.linspace(1, 0.5, 10))
    assert result["slope"] == pytest.approx(-0.5 / 9)


def converging_panel(seed: int, periods: int = 120, diverge: bool = False) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(1, periods + 1)[:, None]
    offsets = rng.normal(0, 0.3, size=(1, 12))
    decay = t / periods if diverge else t**-0.6
    return 50 * (1 + offsets * decay) * (1 + rng.normal(0, 0.002, (periods, 12)))


def test_phillips_sul_separates_convergence_from_divergence():
    converging = phillips_sul(converging_panel(0))
    assert converging["converges"] and converging["b"] > 0
    diverging = phillips_sul(converging_panel(1, diverge=True))
    assert not diverging["converges"] and diverging["t_stat"] < -1.65
    batch = phillips_sul(np.stack([converging_panel(0), converging_panel(1, diverge=True)]))
    assert batch["converges"].tolist() == [True, False]
    assert np.isclose(batch["b"][0], converging["b"])


def test_club_convergence_finds_two_clubs():
    low, high = converging_panel(2)[:, :6], 2 * converging_panel(3)[:, :6]
    panel = np.concatenate([high, low], axis=1)
    assert not phillips_sul(panel)["converges"]
    clubs = club_convergence(panel)
    assert [club.tolist() for club in clubs["clubs"]] == [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]]
    assert clubs["divergent"].size == 0


def test_hp_trend_keeps_a_line():
    line = np.linspace(0, 10, 40)[:, None] * np.ones((1, 3))
    assert np.allclose(hp_trend(line, 1600.0), line)
