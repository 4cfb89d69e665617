"""Tier panels: classification rules, hysteresis, constructors and the ILIA panel."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mobility import TIER_LABELS, TierPanel, classify_scores, state_arrays, transition_counts

ILIA_CSV = Path(__file__).resolve().parents[1] / "data" / "ilia_overall.csv"
DATES = np.datetime64("2025-01", "M") + np.arange(9)


def test_cutoff_rule_is_strict_below_lo_and_above_hi():
    scores = np.array([34.99, 35.0, 47.0, 60.0, 60.01, np.nan])
    assert classify_scores(scores, (35, 60)).tolist() == [0, 1, 1, 1, 2, -1]
    assert TIER_LABELS == ("Explorer", "Adopter", "Pioneer")


def test_relative_and_rank_modes():
    relative = TierPanel.from_scores(
        np.array([[20.0, 40.0, 60.0]]), DATES[:1], "ABC", mode="relative"
    )
    assert relative.tiers.ravel().tolist() == [0, 1, 2]  # ratios 0.5, 1, 1.5
    scores = np.arange(1.0, 20.0)[None, ::-1]
    ranked = TierPanel.from_scores(scores, DATES[:1], [f"C{i}" for i in range(19)], mode="rank")
    assert ranked.tiers.ravel().tolist() == [2] * 3 + [1] * 8 + [0] * 8


def test_persistence_rule_counts_only_crossings_that_last():
    scores = np.array([30, 36, 34, 36, 37, 38, 61, 59, 62.0])[:, None]
    raw = TierPanel.from_scores(scores, DATES, ["X"])
    assert raw.tiers.ravel().tolist() == [0, 1, 0, 1, 1, 1, 2, 1, 2]
    held = TierPanel.from_scores(scores, DATES, ["X"], hysteresis_periods=2)
    assert held.tiers.ravel().tolist() == [0, 0, 0, 1, 1, 1, 1, 1, 1]
    assert held.classification == "absolute (35.0, 60.0), persist 2"


def test_band_rule_needs_the_cutoff_exceeded_by_the_band():
    scores = np.array([30, 36, 34, 36, 37, 38, 61, 59, 62, 32.0])[:, None]
    dates = np.datetime64("2025-01", "M") + np.arange(10)
    banded = TierPanel.from_scores(scores, dates, ["X"], hysteresis_band=2.0)
    assert banded.tiers.ravel().tolist() == [0, 0, 0, 0, 1, 1, 1, 1, 1, 0]


def test_hysteresis_never_adds_moves():
    rng = np.random.default_rng(3)
    scores = 47 + np.cumsum(rng.normal(0, 3, (20, 40, 19)), axis=1)
    dates = np.datetime64("2025-01", "M") + np.arange(40)
    panel = TierPanel.from_scores(scores, dates, [f"C{i}" for i in range(19)])
    moves = np.trace(transition_counts(panel.tiers))
    for rule in ({"hysteresis_periods": 3}, {"hysteresis_band": 2.0}):
        stays = np.trace(transition_counts(panel.reclassify(**rule).tiers))
        assert stays >= moves


def test_from_frame_pivots_a_tidy_long_frame_and_ignores_extra_columns():
    frame = pd.DataFrame(
        {
            "run": [1, 1, 1, 1, 0, 0, 0, 0],
            "date": pd.to_datetime(["2025-02-01", "2025-01-01"] * 4),
            "iso3": ["CHL", "CHL", "BRA", "BRA"] * 2,
            "score": [61.0, 59.0, 30.0, 36.0, 10.0, 20.0, 30.0, 40.0],
            "research": np.arange(8.0),
        }
    )
    panel = TierPanel.from_frame(frame)
    assert panel.tiers.shape == (2, 2, 2)
    assert panel.countries == ("CHL", "BRA")
    assert panel.run_ids.tolist() == [0, 1]
    assert panel.tiers[1].tolist() == [[1, 1], [2, 0]]
    research = state_arrays(frame, ["research"])["research"]
    assert research[1, 0].tolist() == [1.0, 3.0]
    single = TierPanel.from_frame(frame.drop(columns="run").iloc[:4])
    assert single.n_runs == 1


def test_ilia_editions_and_missing_countries():
    panel = TierPanel.from_ilia(ILIA_CSV, editions=(2023, 2024, 2025))
    assert panel.tiers.shape == (1, 3, 19)
    assert (panel.tiers[0, 0] >= 0).sum() == 12
    assert np.isnan(panel.scores[0, 0]).sum() == 7
    assert (panel.tiers[0, 1:] >= 0).all()


def test_ilia_2024_to_2025_published_tiers_do_not_change():
    published = TierPanel.from_ilia(ILIA_CSV, tier_source="published")
    assert (published.tiers[0, 0] == published.tiers[0, 1]).all()
    counts = transition_counts(published.tiers)
    assert np.array_equal(counts, np.diag([8.0, 8.0, 3.0]))


def test_ilia_2024_to_2025_by_score_moves_only_ecuador():
    """ILIA listed Ecuador (34.59 in 2024) as an Adopter; the strict 35 cut-off does not."""
    panel = TierPanel.from_ilia(ILIA_CSV)
    changed = np.flatnonzero(panel.tiers[0, 0] != panel.tiers[0, 1])
    assert [panel.countries[c] for c in changed] == ["ECU"]
    assert panel.tiers[0, :, changed[0]].tolist() == [0, 1]
    persistence = np.diag(transition_counts(panel.tiers)) / transition_counts(panel.tiers).sum(1)
    assert persistence[1:].tolist() == [1.0, 1.0]


def test_ilia_2023_to_2024_upward_moves():
    panel = TierPanel.from_ilia(ILIA_CSV, editions=(2023, 2024))
    before, after = panel.tiers[0]
    up = np.flatnonzero((before >= 0) & (after > before))
    assert sorted(panel.countries[c] for c in up) == ["CRI", "PAN", "URY"]
    assert transition_counts(panel.tiers).sum() == 12


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="mode"):
        TierPanel.from_scores(np.ones((2, 3)), DATES[:2], "ABC", mode="quantile")
    with pytest.raises(ValueError, match="lo <= hi"):
        classify_scores(np.ones(3), (60, 35))
