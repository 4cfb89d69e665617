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


def test_sigma_convergence_uses_a_fixed_set_of_countries():
    # country 0 has no capital at the start, then a positive value: it is left out at
    # every date, so sigma is computed over the same countries (1..3) throughout
    periods = 6
    others = np.tile(np.exp([0.0, 1.0, 2.0]), (periods, 1))
    entrant = np.r_[0.0, 0.0, np.full(periods - 2, np.exp(5.0))][:, None]
    values = np.concatenate([entrant, others], axis=1)
    result = sigma_convergence(values)
    expected = np.std([0.0, 1.0, 2.0])
    assert np.allclose(result["sigma"], expected)  # no jump when country 0 turns positive
    assert result["slope"] == pytest.approx(0.0)
    # per run: a country positive throughout in run 1 is kept there
    runs = np.stack([values, np.concatenate([np.full((periods, 1), np.exp(5.0)), others], 1)])
    result = sigma_convergence(runs)
    assert np.allclose(result["sigma"][0], expected)
    assert np.allclose(result["sigma"][1], np.std([5.0, 0.0, 1.0, 2.0]))


@pytest.mark.parametrize("periods", [30, 120])
@pytest.mark.parametrize("seed", range(3))
def test_homogeneous_converging_panel_is_one_club(seed, periods):
    # 19 identical countries plus tiny i.i.d. noise that dies out (converging)
    rng = np.random.default_rng(seed)
    t = np.arange(1, periods + 1)[:, None]
    panel = 50 * (1 + rng.normal(0, 0.002, (periods, 19)) * t**-0.5)
    test = phillips_sul(panel)
    assert test["converges"] and test["t_stat"] > -1.65
    clubs = club_convergence(panel)
    assert len(clubs["clubs"]) == 1 and clubs["clubs"][0].size == 19
    assert clubs["divergent"].size == 0 and clubs["club_count_reliable"]


def test_club_count_flagged_unreliable_for_stationary_noise():
    # identical countries whose noise does not die out: H_t is flat, the log t test
    # rejects by construction and the clubs it finds split noise
    rng = np.random.default_rng(0)
    panel = 50 * (1 + rng.normal(0, 0.002, (120, 19)))
    assert not phillips_sul(panel)["converges"]
    assert not club_convergence(panel)["club_count_reliable"]


def test_merging_keeps_two_genuine_clubs_apart():
    low, high = converging_panel(2)[:, :6], 2 * converging_panel(3)[:, :6]
    panel = np.concatenate([high, low], axis=1)
    merged = club_convergence(panel, merge=True)
    assert len(merged["clubs"]) == 2 and merged["club_count_reliable"]
    assert (merged["club_b"] > 0).all()
