"""The figure library: every figure renders from small frames, with the expected axes,
labels with units, series and tier colours (Figure objects are inspected; no pixels)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

import figures as fg
from experiments.headline import headline_mobility, run_headline
from mobility import probability_up_by_start_date


@pytest.fixture(scope="module")
def headline():
    return run_headline(replications=3, progress=False, end="2027-12")


@pytest.fixture(scope="module")
def summary(headline):
    return headline_mobility(headline)[0]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def status_quo(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["peru_path"] == "status_quo"]


def released(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["release"] == "release 2025-08"]


def has_unit(label: str) -> bool:
    """Units are given in parentheses: 'date (month)', 'score (index 0-100)'."""
    return "(" in label and label.rstrip().endswith(")")


def assert_labelled(ax, y_unit: str | None = None, date: bool = False) -> None:
    assert has_unit(ax.get_xlabel()), ax.get_xlabel()
    assert has_unit(ax.get_ylabel()) or ax.get_ylabel() == "", ax.get_ylabel()
    if y_unit:
        assert y_unit in ax.get_ylabel()
    if date:
        assert ax.get_xlabel() == "date (month)"


def test_score_fans_one_panel_per_country_with_a_fan_per_release(headline):
    fig = fg.score_fans(status_quo(headline.agents), ["PER", "BRA"], by="release")
    assert len(fig.axes) == 2
    for ax, iso3 in zip(fig.axes, ["PER", "BRA"], strict=True):
        assert ax.get_title() == iso3
        assert len(ax.lines) == 2  # the medians of the two releases
        assert len(ax.collections) == 4  # 50% and 90% bands of each
        assert ax.get_ylim() == (0, 100)
        assert_labelled(ax, "(index 0-100)", date=True)
    with pytest.raises(ValueError, match="XYZ"):
        fg.score_fans(headline.agents, ["XYZ"])


def test_tier_composition_difference_in_percentage_points(headline):
    agents = status_quo(headline.agents)
    fig = fg.tier_composition_difference(agents)
    (ax,) = fig.axes
    tier_lines = [line for line in ax.lines if line.get_label() in fg.TIER_ORDER]
    assert [to_hex(line.get_color()).upper() for line in tier_lines] == [
        fg.TIER_COLOURS[t] for t in fg.TIER_ORDER
    ]
    total = sum(line.get_ydata() for line in tier_lines)
    assert np.allclose(total, 0.0, atol=1e-9)  # shares move between tiers, summing to zero
    assert "percentage points" in ax.get_ylabel()
    assert_labelled(ax, date=True)
    assert ax.get_title() == "release 2025-08 minus no release (same seeds)"
    with pytest.raises(ValueError, match="baseline"):
        fg.tier_composition_difference(agents, baseline="missing")


def test_investment_share_and_gini_fans_per_release(headline):
    region = status_quo(headline.region)
    fig = fg.investment_share(region)
    (ax,) = fig.axes
    assert len(ax.lines) == 2 and len(ax.collections) == 4
    assert_labelled(ax, "(%)", date=True)
    share = ax.lines[0].get_ydata()
    assert 0 < np.nanmin(share) and np.nanmax(share) < 100
    fig = fg.capital_gini(region)
    (ax,) = fig.axes
    assert len(ax.lines) == 2 and ax.get_ylim() == (0, 1)
    assert_labelled(ax, "(0-1)", date=True)


def test_lorenz_points_and_curves(headline):
    x, y = fg.region.lorenz_points(np.array([0.0, 0.0, 3.0]))
    assert np.allclose(x, [0, 1 / 3, 2 / 3, 1]) and np.allclose(y, [0, 0, 0, 1])
    x, y = fg.region.lorenz_points(np.ones(4))
    assert np.allclose(x, y)  # equal shares: the diagonal
    agents = released(status_quo(headline.agents))
    fig = fg.lorenz_curves(agents, dates=["2024-09", "2027-12"])
    (ax,) = fig.axes
    assert len(ax.lines) == 3  # the equality line and two dates
    for line in ax.lines[1:]:
        assert line.get_ydata()[0] == 0 and np.isclose(line.get_ydata()[-1], 1)
        assert np.all(np.diff(line.get_ydata()) >= -1e-12)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[1].startswith("2024-09 (Gini") and labels[2].startswith("2027-12 (Gini")
    assert_labelled(ax, "(0-1)")


def test_gaps_two_gaps_per_release_and_start_tier_gaps_match_at_the_start(headline):
    region = status_quo(headline.region)
    fig = fg.gaps(region)
    assert len(fig.axes) == 2
    for ax in fig.axes:
        assert len(ax.lines) == 2 and len(ax.collections) == 4
    assert_labelled(fig.axes[0], "index points", date=True)
    start = fg.gaps_by_start_tiers(status_quo(headline.agents))
    first = start[start["date"] == start["date"].min()].sort_values(["release", "replicate"])
    expected = region[region["date"] == region["date"].min()].sort_values(["release", "replicate"])
    assert np.allclose(first["production_gap"], expected["production_gap"], rtol=1e-4)
    assert np.allclose(first["adoption_gap"], expected["adoption_gap"], rtol=1e-4)
    assert len(fg.gaps(start).axes) == 2


def test_transition_heatmap_from_the_summary_and_from_its_csv(summary, tmp_path):
    summary.transitions.to_csv(tmp_path / "t.csv", index=False)
    for table in (summary.transitions, pd.read_csv(tmp_path / "t.csv")):
        fig = fg.transition_heatmap(table, step_months=12)
        ax, colourbar = fig.axes
        assert len(ax.texts) == 9
        assert all("[" in t.get_text() and "n = " in t.get_text() for t in ax.texts)
        assert [t.get_text() for t in ax.get_xticklabels()] == list(fg.TIER_ORDER)
        assert ax.get_xlabel() == "tier 12 months later"
        assert has_unit(colourbar.get_ylabel())


def test_mobility_indices_dot_and_whisker_per_classification(summary):
    fig = fg.mobility_indices(summary.indices)
    left, right = fig.axes
    classes = summary.indices["classification"].nunique()
    for ax in (left, right):
        assert len(ax.containers) == classes  # one errorbar per tier classification
        assert has_unit(ax.get_xlabel())
    assert [t.get_text() for t in right.get_yticklabels()] == list(fg.TIER_ORDER)


def test_window_hazard_marks_t_star_and_its_interval(summary):
    fig = fg.window_hazard(summary.window, summary.window_closing, "2025-08")
    (ax,) = fig.axes
    assert ax.get_xlabel() == "months since the shock (months)"
    assert has_unit(ax.get_ylabel())
    closing = {"t_star": 7.0, "low": 4.0, "high": 10.0, "threshold": 0.01}
    fig = fg.window_hazard(summary.window, closing)
    (ax,) = fig.axes
    labels = [line.get_label() for line in ax.lines]
    assert labels == ["upward hazard", "shock", "closing threshold", "t* = 7 months"]
    assert "t* = 7 [4.00, 10.00] months" in ax.get_title()
    assert len(ax.patches) == 1  # the t* interval
    assert len(ax.collections) == 1  # the hazard interval
    fig = fg.window_hazard(summary.window)
    assert len(fig.axes[0].lines) == 2


def test_probability_up_by_start_from_the_dict_and_a_frame():
    rng = np.random.default_rng(0)
    tiers = rng.integers(0, 3, size=(40, 2, 19))
    starts = np.repeat(np.array(["2025-08", "2026-01", "2026-06", "2027-01"], "datetime64[M]"), 10)
    result = probability_up_by_start_date(tiers, starts)
    for data in (result, pd.DataFrame(result)):
        fig = fg.probability_up_by_start(data)
        (ax,) = fig.axes
        assert len(ax.lines) == 1 and len(ax.lines[0].get_xdata()) == 4
        assert len(ax.collections) == 1
        assert ax.get_xlabel() == "policy start date (month)" and has_unit(ax.get_ylabel())


def test_path_scores_one_box_per_path_and_year(headline):
    agents = released(headline.agents)
    fig = fg.path_scores(agents, years=(2026, 2027))
    (ax,) = fig.axes
    assert len(ax.patches) == 3 * 2
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2026-12", "2027-12"]
    assert_labelled(ax, "(index 0-100)", date=True)
    fig = fg.path_scores(agents)  # 2030 and 2035 lie beyond the horizon: the last month
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["2027-12"]


def test_path_tiers_stacked_shares_in_tier_colours(headline):
    fig = fg.path_tiers(released(headline.agents), years=(2026, 2027))
    (ax,) = fig.axes
    assert len(ax.patches) == 3 * 6  # tiers x (years x paths)
    colours = {to_hex(p.get_facecolor()).upper() for p in ax.patches}
    assert colours == set(fg.TIER_COLOURS.values())
    widths = np.array([p.get_width() for p in ax.patches]).reshape(3, 6).sum(axis=0)
    assert np.allclose(widths, 1.0)
    assert has_unit(ax.get_xlabel())


def synthetic_paths() -> pd.DataFrame:
    """Two paths, two replicates, four months; PER becomes a Pioneer in month 2 in one run
    of path a, never in path b."""
    dates = pd.date_range("2025-01-01", periods=4, freq="MS")
    rows = []
    for path in ("a", "b"):
        for replicate in (0, 1):
            for k, date in enumerate(dates):
                pioneer = path == "a" and replicate == 0 and k >= 2
                rows.append(
                    {
                        "date": date,
                        "iso3": "PER",
                        "replicate": replicate,
                        "peru_path": path,
                        "score": 70.0 if pioneer else 50.0,
                        "tier": "Pioneer" if pioneer else "Adopter",
                    }
                )
    return pd.DataFrame(rows)


def test_time_to_pioneer_is_a_survival_curve():
    survival = fg.pioneer_survival(synthetic_paths())
    assert list(survival.columns) == ["a", "b"]
    assert np.allclose(survival["a"], [1, 1, 0.5, 0.5]) and np.allclose(survival["b"], 1)
    fig = fg.time_to_pioneer(synthetic_paths())
    (ax,) = fig.axes
    assert len(ax.lines) == 2
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["a (half crossed: 2025-03)", "b (half crossed: not reached)"]
    assert_labelled(ax, "(0-1)", date=True)


SOBOL = pd.DataFrame(
    {
        "parameter": ["capital_concentration", "investment_noise"],
        "S1": [0.6, 0.05],
        "S1_conf": [0.05, 0.02],
        "ST": [0.7, 0.1],
        "ST_conf": [0.05, 0.03],
    }
)
MORRIS = pd.DataFrame(
    {
        "parameter": ["capital_concentration", "investment_noise"],
        "mu_star": [0.6, 0.1],
        "mu_star_conf": [0.05, 0.02],
        "mu": [0.6, -0.1],
        "sigma": [0.2, 0.05],
    }
)


def test_sobol_bars_wrap_the_sweep_figure_in_project_colours():
    fig = fg.sobol_bars(SOBOL, "capital_gini_end")
    (ax,) = fig.axes
    assert len(ax.patches) == 4  # S1 and ST per parameter
    colours = [to_hex(p.get_facecolor()).upper() for p in ax.patches]
    assert colours == [fg.SERIES_COLOURS[0]] * 2 + [fg.SERIES_COLOURS[1]] * 2
    assert has_unit(ax.get_xlabel()) and ax.get_ylabel() == "parameter"
    with pytest.raises(ValueError, match="Sobol"):
        fg.sobol_bars(MORRIS, "x")


def test_morris_scatter_labels_every_parameter():
    fig = fg.morris_scatter(MORRIS, "capital_gini_end")
    (ax,) = fig.axes
    assert [t.get_text() for t in ax.texts] == list(MORRIS["parameter"])
    assert len(ax.containers) == 1  # mu* with its interval
    assert has_unit(ax.get_xlabel()) and has_unit(ax.get_ylabel())
    with pytest.raises(ValueError, match="Morris"):
        fg.morris_scatter(SOBOL, "x")


def test_save_writes_png_svg_and_pdf_and_closes(headline, tmp_path):
    fig = fg.investment_share(status_quo(headline.region))
    paths = fg.save(fig, tmp_path / "share")
    assert [p[-4:] for p in paths] == [".png", ".svg", ".pdf"]
    assert all((tmp_path / f"share{s}").stat().st_size > 1000 for s in (".png", ".svg"))
    assert not plt.fignum_exists(fig.number)


def test_paired_differences_match_replicates_and_peru_paths_show_them(headline):
    released = headline.agents[headline.agents["release"] == "release 2025-08"]
    peru = released[released["iso3"] == "PER"]
    differences = fg.paired_differences(peru, "peru_path", "status_quo")
    assert set(differences["peru_path"]) == {"adoption_management", "production_platform"}
    one = differences.iloc[0]
    rows = peru[(peru["replicate"] == one["replicate"]) & (peru["date"] == one["date"])]
    scores = rows.set_index("peru_path")["score"]
    assert one["difference"] == pytest.approx(scores[one["peru_path"]] - scores["status_quo"])
    fig = fg.country_paths(released, "PER", "peru_path")
    levels, paired = fig.axes
    assert levels.get_ylim() != (0, 100)  # zoomed on the paths, not the whole index
    assert "minus status_quo" in paired.get_title() and len(paired.collections) == 4


def test_release_differences_one_panel_per_country(headline):
    fig = fg.release_differences(status_quo(headline.agents), ["PER", "BRA"])
    assert [ax.get_title() for ax in fig.axes] == ["PER", "BRA"]


def test_repel_keeps_labels_apart_and_near_their_points():
    placed = fg.repel([5.0, 5.0, 5.1, 9.0], 1.0)
    ordered = np.sort(placed)
    assert np.all(np.diff(ordered) >= 1.0 - 1e-9)
    assert placed[3] == pytest.approx(9.0) and np.mean(placed[:3]) == pytest.approx(5.0333, 1e-3)


def test_save_writes_png_svg_and_pdf(headline, tmp_path):
    paths = fg.save(fg.score_trajectories(status_quo(headline.agents)), tmp_path / "scores")
    assert [p.rsplit(".", 1)[1] for p in paths] == ["png", "svg", "pdf"]
