"""The window: homogeneity test, upward hazard, logit hazard, t*, policy start dates."""

import warnings

import numpy as np
import pytest
from giddy.markov import homogeneity
from scipy import optimize, special

from mobility import (
    homogeneity_test,
    logit_hazard,
    probability_up_by_start_date,
    rolling_transition_matrices,
    segment_counts,
    transition_counts,
    upward_counts,
    upward_hazard,
    window_closing,
    window_closing_time,
)
from mobility.window import T_STAR_DEFINITION, forward_sums, smoothing_periods

DATES = np.datetime64("2024-10", "M") + np.arange(6)
# runs x periods x countries
HAND = np.array(
    [
        [[0, 1, 2], [1, 1, 2], [1, 2, 2], [1, 2, 2], [1, 2, 2], [1, 2, 2]],
        [[0, 0, 1], [0, 0, 1], [0, 1, 1], [1, 1, 1], [1, 1, 1], [1, 1, 2]],
    ],
    dtype=np.int8,
)


def test_hand_upward_counts_and_hazard():
    up, risk = upward_counts(HAND)
    assert up.tolist() == [[1, 1, 0, 0, 0], [0, 1, 1, 0, 1]]
    assert risk.tolist() == [[2, 2, 1, 1, 1], [3, 3, 3, 3, 3]]
    hazard = upward_hazard(HAND, DATES, "2025-01")
    assert hazard["months_since_shock"].tolist() == [-3, -2, -1, 0, 1]
    assert np.allclose(hazard["hazard"], [1 / 5, 2 / 5, 1 / 4, 0, 1 / 4])


def test_nothing_moves_gives_zero_hazard_and_immediate_closing():
    still = np.repeat(HAND[:, :1], 6, axis=1)
    hazard = upward_hazard(still, DATES, "2024-10")
    assert (hazard["hazard"] == 0).all()
    up, risk = upward_counts(still)
    closing = window_closing_time(up, risk, hazard["months_since_shock"], threshold=0.01, n_boot=50)
    assert closing.t_star == 0 and closing.low == 0 and closing.high == 0


def test_hand_window_closing_time():
    months = np.arange(-1, 6)
    hazard = np.array([0.9, 0.5, 0.4, 0.1, 0.3, 0.05, 0.0])
    risk = np.full((1, 7), 100)
    up = np.round(hazard * 100)[None]
    first = window_closing_time(up, risk, months, threshold=0.2, n_boot=20)
    assert first.t_star == 2
    lasting = window_closing_time(up, risk, months, threshold=0.2, persist_months=2, n_boot=20)
    assert lasting.t_star == 4
    never = window_closing_time(up, risk, months, threshold=0.0, n_boot=20)
    assert np.isinf(never.t_star) and never.share_never_closed == 1.0


def test_t_star_by_its_definition_on_a_hand_hazard():
    """window_closing computes T_STAR_DEFINITION: the 12-month forward hazard falls below
    half its peak. Moves up: one a month in months 0-23 after the shock, none after."""
    months = np.arange(-6, 60)
    risk = np.full((1, months.size), 10)
    up = ((months >= 0) & (months < 24)).astype(int)[None]
    forward = forward_sums(up)[0] / forward_sums(risk)[0]
    assert forward[months[: forward.size] == 0] == pytest.approx(0.1)  # 12 moves / 120
    closing = window_closing(up, risk, months, n_boot=50)
    # the forward hazard is 0.1 from month 0 to 12, then 12 - k moves in months 12 + k ..:
    # first below 0.05 (half the peak) when fewer than 6 moves remain, at month 19
    assert closing.threshold == pytest.approx(0.05)
    assert closing.t_star == 19 and closing.low == closing.high == 19
    assert "half its peak" in T_STAR_DEFINITION and "12-month forward" in T_STAR_DEFINITION
    # without any move up the window never opens: t* = inf
    silent = window_closing(np.zeros_like(up), risk, months, n_boot=10)
    assert np.isinf(silent.t_star)
    # a horizon ending less than 12 months after the shock: undefined, not "never"
    short = window_closing(up[:, :15], risk[:, :15], months[:15], n_boot=10)
    assert np.isnan(short.t_star) and short.hazard.size == 0


def test_the_smoothing_is_twelve_months_whatever_the_panel_step():
    assert smoothing_periods(1, 100) == 12
    assert smoothing_periods(12, 3) == 1  # a yearly panel: one step is twelve months
    assert smoothing_periods(1, 5) == 5  # never longer than the panel


def test_window_closing_interval_contains_estimate():
    rng = np.random.default_rng(2)
    months = np.arange(60)
    truth = 0.3 * np.exp(-months / 15)
    risk = np.full((400, 60), 19)
    up = rng.binomial(risk, truth)
    closing = window_closing_time(up, risk, months, threshold=0.05, n_boot=300, seed=0)
    assert closing.low <= closing.t_star <= closing.high
    assert abs(closing.t_star - 15 * np.log(6)) < 3
    assert np.all(closing.hazard_low <= closing.hazard + 1e-12)


def test_homogeneity_agrees_with_giddy():
    rng = np.random.default_rng(4)
    for _ in range(5):
        segments = rng.integers(0, 30, size=(4, 3, 3)).astype(float)
        segments[0, 2] = 0  # one tier unobserved in one segment
        segments[:, 0, 2] = 0  # a structural zero
        ours = homogeneity_test(segments)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            oracle = homogeneity(list(segments))
        assert ours.q == pytest.approx(oracle.Q)
        assert ours.lr == pytest.approx(oracle.LR)
        assert ours.dof == oracle.dof
        assert ours.q_p_value == pytest.approx(oracle.Q_p_value, abs=1e-12)


def test_homogeneous_segments_give_zero_statistic():
    segment = np.array([[8.0, 2, 0], [1, 6, 3], [0, 2, 8]])
    test = homogeneity_test(np.stack([segment, 2 * segment, 3 * segment]))
    assert test.q == pytest.approx(0) and test.lr == pytest.approx(0)
    assert test.dof == 2 * (2 + 3 + 2 - 3)


def test_segments_and_rolling_windows_partition_the_counts():
    rng = np.random.default_rng(0)
    tiers = rng.integers(0, 3, size=(5, 30, 19)).astype(np.int8)
    segments = segment_counts(tiers, [10, 20])
    assert segments.shape == (3, 3, 3)
    assert np.array_equal(segments.sum(axis=0), transition_counts(tiers))
    assert np.array_equal(segments[1], transition_counts(tiers, start=10, stop=20))
    starts, matrices = rolling_transition_matrices(tiers, window=12)
    assert matrices.shape == (29 - 12 + 1, 3, 3)
    expected = transition_counts(tiers, start=5, stop=17)
    assert np.allclose(matrices[5], expected / expected.sum(axis=1, keepdims=True))


def test_logit_hazard_matches_direct_maximum_likelihood():
    rng = np.random.default_rng(9)
    n = 4000
    months = rng.integers(0, 60, n).astype(float)
    capacity = rng.uniform(0, 100, n)
    policy = rng.integers(0, 2, n).astype(float)
    eta = -2.0 - 0.03 * months + 0.02 * capacity + 0.5 * policy
    moved = rng.random(n) < special.expit(eta)
    fit = logit_hazard(moved, months, absorptive_capacity=capacity, policy=policy)
    assert fit.converged
    design = np.column_stack([np.ones(n), months, capacity, policy])

    def negative_loglik(beta):
        eta = design @ beta
        return -np.sum(moved * eta - np.logaddexp(0, eta))

    direct = optimize.minimize(
        negative_loglik, np.zeros(4), method="BFGS", options={"gtol": 1e-8}
    ).x
    assert np.allclose(fit.coefficients, direct, atol=1e-4)
    assert fit.names == ("intercept", "months_since_shock", "absorptive_capacity", "policy")
    assert fit.log_likelihood == pytest.approx(-negative_loglik(fit.coefficients))
    assert (fit.standard_errors > 0).all()


def test_logit_hazard_grouped_equals_individual_and_intercept_is_logit_of_rate():
    months = np.array([0.0, 0, 0, 1, 1, 1, 2, 2])
    moved = np.array([1.0, 1, 0, 1, 0, 0, 0, 0])
    moved[-1] = 1
    individual = logit_hazard(moved, months)
    grouped = logit_hazard(
        np.array([2.0, 1, 1]), np.array([0.0, 1, 2]), trials=np.array([3.0, 3, 2])
    )
    assert np.allclose(individual.coefficients, grouped.coefficients)
    assert np.allclose(individual.standard_errors, grouped.standard_errors)
    flat = logit_hazard(moved, np.zeros_like(moved))
    assert flat.coefficients[0] == pytest.approx(special.logit(moved.mean()))


def test_probability_up_by_start_date_hand():
    # 4 runs x 2 periods x 2 countries; runs 0, 1 start in 2025-01, runs 2, 3 in 2026-01
    tiers = np.array(
        [[[0, 1], [1, 1]], [[0, 2], [0, 2]], [[0, 0], [1, 2]], [[1, 0], [2, 1]]], dtype=np.int8
    )
    start = np.array(["2025-01", "2025-01", "2026-01", "2026-01"], dtype="datetime64[M]")
    result = probability_up_by_start_date(tiers, start)
    assert result["start_date"].tolist() == list(np.unique(start))
    assert result["n_runs"].tolist() == [2, 2]
    assert np.allclose(result["probability"], [1 / 3, 1.0])
    assert (result["low"] <= result["probability"]).all()
    first_only = probability_up_by_start_date(tiers, start, countries=[0])
    assert np.allclose(first_only["probability"], [0.5, 1.0])
