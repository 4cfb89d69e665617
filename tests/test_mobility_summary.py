"""summarize, format_summary and ilia_report end to end on small panels."""

from pathlib import Path

import numpy as np
import pytest

from mobility import TierPanel, format_summary, ilia_report, summarize

ILIA_CSV = Path(__file__).resolve().parents[1] / "data" / "ilia_overall.csv"


def small_panel(n_runs: int = 40, n_periods: int = 36):
    rng = np.random.default_rng(1)
    scores = np.linspace(24, 73, 19) + np.cumsum(
        rng.normal(0.1, 1.5, (n_runs, n_periods, 19)), axis=1
    )
    scores = np.clip(scores, 1, 100)
    dates = np.datetime64("2024-06", "M") + np.arange(n_periods)
    panel = TierPanel.from_scores(scores, dates, [f"C{i:02d}" for i in range(19)])
    research = np.clip(scores * 0.8, 1, 100)
    return panel, {"research": research, "capital": np.exp(scores / 25)}


def test_summarize_returns_tidy_frames_with_intervals():
    panel, values = small_panel()
    summary = summarize(panel, n_boot=100, seed=0, shock_date="2025-01", values=values)
    assert len(summary.transitions) == 9
    assert np.allclose(summary.transitions.groupby("from")["probability"].sum(), 1)
    classifications = summary.indices["classification"].unique().tolist()
    assert classifications == [
        "absolute (35.0, 60.0)",
        "relative (0.8, 1.25)",
        "absolute (35.0, 60.0), persist 3",
    ]
    shorrocks = summary.indices.query("measure == 'shorrocks'")
    assert (shorrocks["low"] <= shorrocks["estimate"]).all()
    assert (shorrocks["estimate"] <= shorrocks["high"]).all()
    assert set(summary.fragmentation["dimension"]) == {"composite", "production"}
    assert len(summary.fragmentation) == 3 * 6 * 36
    assert summary.window["months_since_shock"].min() == -7
    assert summary.window_closing is not None and summary.homogeneity is not None
    assert summary.hazard_model.names[-1] == "absorptive_capacity"
    text = format_summary(summary)
    for heading in (
        "Transition matrix",
        "Mobility indices",
        "window-closing time",
        "Homogeneity",
        "Fragmentation",
        "Phillips-Sul",
    ):
        assert heading in text


def test_summarize_one_run_uses_the_dirichlet_posterior():
    panel = TierPanel.from_ilia(ILIA_CSV, editions=(2023, 2024, 2025))
    summary = summarize(panel)
    assert summary.meta["uncertainty"].startswith("Dirichlet posterior")
    assert summary.meta["months_per_step"] == 12
    assert "Transition matrix" in format_summary(summary)


def test_ilia_report_text():
    text = ilia_report(ILIA_CSV)
    assert "2023 -> 2024, classified by score: 12 countries" in text
    assert "2024 -> 2025, classified by score: 19 countries" in text
    assert "ECU: Explorer -> Adopter (up)" in text
    assert "URY: Adopter -> Pioneer (up)" in text
    published = text.split("tiers as published by ILIA")[1]
    assert "tier changes:\n    none" in published


def test_one_run_posterior_uses_non_overlapping_pairs():
    from mobility import transition_counts

    panel, _ = small_panel(n_runs=1, n_periods=120)
    lag = 12
    summary = summarize(panel, lag=lag)
    counts = summary.markov.counts
    overlapping = transition_counts(panel.tiers, lag=lag).sum()
    # origins 0, 12, ..., 96 (9 of the 108 overlapping origins) x 19 countries
    assert (
        counts.sum() == 9 * 19 == transition_counts(panel.tiers, lag=lag, overlapping=False).sum()
    )
    assert counts.sum() == pytest.approx(overlapping / 12, rel=0.01)
    assert "non-overlapping lag-12 pairs" in summary.meta["uncertainty"]
    assert "non-overlapping lag-12 pairs" in format_summary(summary)


def test_fragmentation_labels_are_separated():
    panel, values = small_panel(n_runs=5, n_periods=24)
    governance = np.clip(values["research"], 1, 100)
    summary = summarize(panel, n_boot=20, values={"governance": governance})
    text = format_summary(summary)
    assert "governance adoption/readiness" in text
    assert "governanceadoption" not in text
