"""Markov measures: a hand-counted 3-state panel, giddy as oracle, properties."""

import warnings

import numpy as np
import pytest
from giddy.ergodic import mfpt, steady_state
from giddy.markov import Markov
from giddy.mobility import markov_mobility

from mobility import (
    absorbing_chain,
    mean_first_passage_times,
    mobility_indices,
    stationary_distribution,
    transition_counts,
    transition_matrix,
)

# countries (rows) x periods (columns), codes 0 Explorer, 1 Adopter, 2 Pioneer
HAND_PANEL = np.array([[0, 0, 1, 1], [1, 1, 1, 2], [2, 2, 1, 2], [0, 1, 2, 2]])
HAND_COUNTS = np.array([[1, 2, 0], [0, 3, 3], [0, 1, 2]], dtype=float)
HAND_P = np.array([[1 / 3, 2 / 3, 0], [0, 1 / 2, 1 / 2], [0, 1 / 3, 2 / 3]])


def random_chain_panel(seed: int, n_countries: int = 19, n_periods: int = 30) -> np.ndarray:
    """Countries x periods tier codes from a random irreducible 3-state chain."""
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(3), size=3) * 0.7 + 0.1
    p /= p.sum(axis=1, keepdims=True)
    tiers = np.empty((n_countries, n_periods), dtype=np.int8)
    tiers[:, 0] = rng.integers(0, 3, n_countries)
    for t in range(1, n_periods):
        u = rng.random(n_countries)[:, None]
        tiers[:, t] = (u > p[tiers[:, t - 1]].cumsum(axis=1)).sum(axis=1)
    return tiers


def test_hand_counts_and_matrix():
    counts = transition_counts(HAND_PANEL.T)
    assert np.array_equal(counts, HAND_COUNTS)
    assert np.allclose(transition_matrix(counts), HAND_P)


def test_hand_indices():
    indices = mobility_indices(HAND_P, counts=HAND_COUNTS)
    assert indices["shorrocks"] == pytest.approx(0.75)
    assert indices["determinant"] == pytest.approx(17 / 18)
    assert indices["second_eigenvalue"] == pytest.approx(2 / 3)
    assert indices["half_life"] == pytest.approx(np.log(2) / np.log(3))
    assert indices["bartholomew_1"] == pytest.approx(0.75)
    assert indices["bartholomew_2"] == pytest.approx(0.25)
    assert indices["upward_rate"] == pytest.approx(5 / 12)
    assert indices["downward_rate"] == pytest.approx(1 / 12)
    assert np.allclose(indices["persistence"], [1 / 3, 1 / 2, 2 / 3])
    assert np.allclose(indices["expected_sojourn"], [1.5, 2.0, 3.0])
    in_months = mobility_indices(HAND_P, counts=HAND_COUNTS, step_months=12)
    assert np.allclose(in_months["expected_sojourn"], [18.0, 24.0, 36.0])


def test_hand_stationary_and_first_passage():
    assert np.allclose(stationary_distribution(HAND_P), [0.0, 0.4, 0.6])
    expected = np.array([[np.inf, 1.5, 3.5], [np.inf, 2.5, 2.0], [np.inf, 3.0, 5 / 3]])
    assert np.allclose(mean_first_passage_times(HAND_P), expected)
    assert absorbing_chain(HAND_P) is None


def test_hand_absorbing_chain():
    p = np.array([[0.5, 0.5, 0.0], [0.25, 0.5, 0.25], [0.0, 0.0, 1.0]])
    chain = absorbing_chain(p)
    assert chain.absorbing.tolist() == [2] and chain.transient.tolist() == [0, 1]
    assert np.allclose(chain.fundamental, [[4, 4], [2, 4]])
    assert np.allclose(chain.time_to_absorption, [8, 6])
    assert np.allclose(chain.absorption_probabilities, [[1], [1]])
    assert np.allclose(stationary_distribution(p), [0, 0, 1])


def test_lag_and_non_overlapping_pairs():
    panel = HAND_PANEL.T
    assert np.array_equal(transition_counts(panel, lag=3), [[0, 1, 1], [0, 0, 1], [0, 0, 1]])
    assert transition_counts(panel, lag=2).sum() == 8
    assert transition_counts(panel, lag=2, overlapping=False).sum() == 4
    missing = panel.copy()
    missing[1, 0] = -1
    assert transition_counts(missing).sum() == 10


@pytest.mark.parametrize("seed", range(6))
def test_agrees_with_giddy(seed):
    tiers = random_chain_panel(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        oracle = Markov(tiers, classes=np.arange(3), summary=False)
        giddy_mfpt = mfpt(oracle.p)
    counts = transition_counts(tiers.T)
    p = transition_matrix(counts)
    assert np.array_equal(counts, oracle.transitions)
    assert np.allclose(p, oracle.p)
    initial = counts.sum(axis=1) / counts.sum()
    indices = mobility_indices(p, initial=initial)
    for measure, name in (("P", "shorrocks"), ("D", "determinant"), ("L2", "second_eigenvalue")):
        assert indices[name] == pytest.approx(markov_mobility(oracle.p, measure=measure))
    for measure, name in (("B1", "bartholomew_1"), ("B2", "bartholomew_2")):
        expected = markov_mobility(oracle.p, measure=measure, ini=initial)
        assert indices[name] == pytest.approx(expected)
    assert np.allclose(stationary_distribution(p), steady_state(oracle.p))
    assert np.allclose(mean_first_passage_times(p), giddy_mfpt)


def test_batched_equals_one_by_one_and_giddy_on_reducible_chain():
    runs = np.stack([random_chain_panel(s).T for s in range(5)])
    per_run = transition_counts(runs, per_run=True)
    assert np.array_equal(per_run.sum(axis=0), transition_counts(runs))
    p = transition_matrix(per_run)
    batched = mean_first_passage_times(p)
    for r in range(5):
        assert np.allclose(batched[r], mean_first_passage_times(p[r]))
    reducible = np.array([[0.5, 0.5, 0], [0.2, 0.8, 0], [0, 0, 1]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = mfpt(reducible)
    assert np.array_equal(mean_first_passage_times(reducible), expected)
    assert np.isnan(stationary_distribution(reducible)).all()  # two recurrent classes


def test_properties_rows_sum_to_one_and_indices_in_range():
    rng = np.random.default_rng(11)
    counts = rng.integers(0, 20, size=(500, 3, 3)).astype(float)
    counts[:5, 2] = 0  # some empty rows
    p = transition_matrix(counts)
    assert np.allclose(p.sum(axis=-1), 1.0)
    indices = mobility_indices(p, counts=counts)
    assert ((indices["shorrocks"] >= 0) & (indices["shorrocks"] <= 1.5 + 1e-12)).all()
    for name in ("determinant", "second_eigenvalue", "bartholomew_1", "bartholomew_2"):
        assert ((indices[name] >= -1e-12) & (indices[name] <= 1.5 + 1e-12)).all(), name
    assert ((indices["upward_rate"] + indices["downward_rate"]) <= 1 + 1e-12).all()
    stationary = stationary_distribution(p)
    finite = ~np.isnan(stationary).any(axis=1)
    assert np.allclose(stationary[finite].sum(axis=1), 1.0)
    assert np.allclose(np.einsum("bi,bij->bj", stationary[finite], p[finite]), stationary[finite])


def test_identity_gives_zero_mobility():
    indices = mobility_indices(np.eye(3))
    for name in (
        "shorrocks",
        "determinant",
        "second_eigenvalue",
        "bartholomew_1",
        "bartholomew_2",
        "upward_rate",
        "downward_rate",
    ):
        assert indices[name] == pytest.approx(0.0)
    assert np.isinf(indices["half_life"]) and np.isinf(indices["expected_sojourn"]).all()
    chain = absorbing_chain(np.eye(3))
    assert chain.transient.size == 0


def test_empty_row_conventions():
    counts = np.array([[2.0, 2, 0], [1, 1, 0], [0, 0, 0]])
    assert np.allclose(transition_matrix(counts)[2], [0, 0, 1])
    assert np.allclose(transition_matrix(counts, empty="zero")[2], 0)
    assert np.isnan(transition_matrix(counts, empty="nan")[2]).all()
    assert np.isnan(mobility_indices(transition_matrix(counts), counts=counts)["persistence"][2])
