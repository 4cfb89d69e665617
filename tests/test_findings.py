"""The findings: each analysis on quick experiments, the null model, and the command."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from experiments.findings import QUESTIONS, run_question
from experiments.findings.__main__ import main as findings_main
from experiments.findings.common import (
    EXAMPLES,
    paired_differences,
    run_experiments,
    scaled_experiment,
    wilson,
)
from experiments.findings.null_model import null_region, random_exchange
from experiments.findings.twins import two_intervals
from mobility.window import T_STAR_DEFINITION


@pytest.fixture(scope="module")
def quick_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("findings-quick")


def _finding(question, folder):
    return run_question(question, folder, quick=True, write=False)


def test_quick_scaling_keeps_everything_but_the_sizes():
    full = scaled_experiment("experiments/examples/sobol.toml", quick=False)
    quick = scaled_experiment("experiments/examples/sobol.toml", quick=True)
    assert quick.replications <= full.replications
    assert quick.design.base_samples < full.design.base_samples
    assert quick.fixed == full.fixed and quick.varied == full.varied and quick.seed == full.seed
    assert quick.source.startswith("# latam-ai findings --quick")


def test_sweeps_run_into_a_folder_keyed_by_experiment_model_and_defaults(tmp_path, monkeypatch):
    import dataclasses

    import model.parameters
    from sweeps import load_results, provenance

    first = run_experiments(("smoke.toml",), tmp_path, quick=True)
    assert first.parent == tmp_path and first.name.startswith("runs-")
    manifest = load_results(first / "smoke").manifest
    assert manifest["status"] == "complete" and not manifest.get("resumed")
    assert run_experiments(("smoke.toml",), tmp_path, quick=True) == first  # reused
    assert load_results(first / "smoke").manifest["resumed"]
    ledger = (first / "smoke" / "ledger").read_bytes()

    with monkeypatch.context() as patch:  # the model's code changed: a fresh folder
        patch.setattr(provenance, "model_source_hash", lambda *args: "0" * 64)
        changed_code = run_experiments(("smoke.toml",), tmp_path, quick=True)
    changed = tuple(
        dataclasses.replace(p, default=0.5) if p.name == "capital_concentration" else p
        for p in model.parameters.PARAMETERS
    )
    monkeypatch.setattr(model.parameters, "PARAMETERS", changed)  # a default changed
    changed_default = run_experiments(("smoke.toml",), tmp_path, quick=True)
    assert len({first, changed_code, changed_default}) == 3
    for folder in (changed_code, changed_default):
        results = load_results(folder / "smoke")
        assert results.manifest["counts"]["done"] == 12 and not results.manifest.get("resumed")
    assert (first / "smoke" / "ledger").read_bytes() == ledger  # old results kept as they were


def _posterior_experiment(folder, draws=2):
    """investment_share.toml shortened to 2026, drawing from a small posterior beside it."""
    import pandas as pd

    pd.DataFrame(
        {"capital_concentration": [6.0, 7.5, 9.0], "research_depreciation": [0.1, 0.15, 0.2]}
    ).to_csv(folder / "posterior.csv", index=False)
    text = (EXAMPLES / "investment_share.toml").read_text(encoding="utf-8")
    text = text.replace('end = "2035-12"', 'end = "2026-12"').replace(
        "draws = 40", f'draws = {draws}\nfile = "posterior.csv"'
    )
    years = ", ".join(str(y) for y in range(2025, 2036))
    text = text.replace(f"years = [{years}]", "years = [2025, 2026]")
    text = (
        text[: text.index("metrics = [")] + 'metrics = ["region_share_2025", "region_share_2026"]\n'
    )
    path = folder / "investment_share.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_posterior_experiments_have_a_noise_only_twin_of_as_many_runs(tmp_path):
    path = _posterior_experiment(tmp_path)
    full = scaled_experiment(path, quick=False)
    twin = scaled_experiment(path, quick=False, noise_only=True)
    assert full.posterior is not None and twin.posterior is None
    assert twin.replications == full.replications * full.posterior.draws
    lines = twin.source.splitlines()
    assert "noise only" in lines[0] and not any(x.startswith("[posterior]") for x in lines)
    # the twin runs at the posterior's medians (6.0, 7.5, 9.0 and 0.1, 0.15, 0.2), all else equal
    assert twin.fixed == full.fixed | {"capital_concentration": 7.5, "research_depreciation": 0.15}
    assert twin.seed == full.seed and twin.varied == full.varied
    quick = scaled_experiment(path, quick=True)
    assert quick.posterior.draws <= full.posterior.draws
    assert quick.replications < full.replications


def test_a_posterior_run_gives_both_intervals(tmp_path):
    from experiments.findings.twins import uncertainty_pair

    path = _posterior_experiment(tmp_path)
    runs = run_experiments((str(path),), tmp_path / "out", quick=True)
    noise, posterior = uncertainty_pair(runs, "investment_share")
    assert posterior is not None and "posterior_draw" in posterior.table()
    table = posterior.table()
    assert table["posterior_draw"].nunique() == 2 and len(noise.table()) == len(table)
    row = two_intervals(noise.table(), table, "region_share_2026", "mean")
    assert row["noise_runs"] == row["parameters_runs"] == len(table)
    # the draws move alpha from 6 to 7.5: the region's share varies more with them
    assert row["parameters_p95"] - row["parameters_p05"] > row["noise_p95"] - row["noise_p05"]


def test_two_intervals_report_noise_and_parameters_apart():
    import pandas as pd

    noise = pd.DataFrame({"hit": [1.0] * 10 + [0.0] * 10, "x": np.arange(20.0)})
    posterior = pd.DataFrame(
        {"hit": [1.0] * 10 + [0.0] * 10, "x": np.arange(20.0) * 3, "posterior_draw": [0, 1] * 10}
    )
    row = two_intervals(noise, posterior, "hit", "probability")
    assert row["noise_p"] == 0.5 and row["noise_low"] < 0.5 < row["noise_high"]
    assert row["parameters_runs"] == 20 and row["parameters_draw_p05"] == 0.5
    spread = two_intervals(noise, posterior, "x", "mean")
    assert spread["parameters_p95"] - spread["parameters_p05"] > 2.5 * (
        spread["noise_p95"] - spread["noise_p05"]
    )
    alone = two_intervals(noise, None, "x", "mean")
    assert alone["parameters_runs"] == 0 and np.isnan(alone["parameters_mean"])


def test_wilson_interval_brackets_the_proportion():
    p, low, high = wilson(0, 100)
    assert p == 0 and low == pytest.approx(0, abs=1e-12) and 0.03 < high < 0.04
    p, low, high = wilson(30, 100)
    assert low < 0.3 < high


def test_paired_differences_are_within_replicates():
    import pandas as pd

    table = pd.DataFrame(
        {"replicate": [0, 1, 2] * 2, "s": ["a"] * 3 + ["b"] * 3, "v": [1, 5, 9, 2, 6, 10]}
    )
    out = paired_differences(table, "s", "v", "a").set_index("s")
    assert out.loc["b", "mean_difference"] == pytest.approx(1.0)
    assert out.loc["b", "low"] == pytest.approx(1.0) and out.loc["b", "share_positive"] == 1.0


def test_window(quick_folder):
    finding = _finding("window", quick_folder)
    by_start = finding.tables["window_by_start"].set_index(["policy_budget", "start_date"])
    assert set(by_start.index.get_level_values("start_date")) >= {"2025-08", "2030-08", "never"}
    score = by_start["score_2035_noise_mean"]
    for budget in (0.5, 1.0):
        early, late, never = (score.loc[(budget, d)] for d in ("2025-08", "2030-08", "never"))
        assert early > never + 2  # the platform raises Peru's 2035 score
        assert early > late + 0.5  # a later start costs score points by 2035
    assert score.loc[(1.0, "2025-08")] > score.loc[(0.5, "2025-08")]  # a larger budget helps
    probability = by_start["pioneer_2035_noise_p"]
    assert probability.between(0, 1).all()
    closing = finding.tables["window_closing"]
    noise = closing[closing.uncertainty == "noise only"].set_index("scenario")
    # the release opens a window that closes: t* is finite with it, and its peak hazard is
    # well above the largest hazard without a release
    assert 0 < noise.loc["half_life_24", "t_star"] < np.inf
    assert noise.loc["half_life_24", "peak_hazard"] > 2 * noise.loc["no_release", "peak_hazard"]
    curve = finding.tables["window_hazard"]
    assert curve["months_since_shock"].min() < 0  # the whole curve, from before the release
    assert T_STAR_DEFINITION in finding.text


def test_consortium(quick_folder):
    finding = _finding("consortium", quick_folder)
    paired = finding.tables["consortium_paired"]
    paired = paired[(paired.uncertainty == "noise only") & (paired.year == 2035)]
    row = paired.set_index(["group", "variable", "comparison"]).sort_index()
    # pooling raises the members' mean score against each going alone on production
    members = row.loc[("members (mean)", "score", "consortium - alone_production")]
    assert members["low"] > 0
    for iso3 in ("PER", "COL", "ARG", "ECU"):  # and every member's research vs the status quo
        assert row.loc[(iso3, "research", "consortium - alone_status_quo"), "low"] > 1
    outside = row.loc[("non-members (mean)", "research", "consortium - alone_production")]
    assert abs(outside["mean_difference"]) < 0.1  # non-members are (almost) untouched
    assert set(finding.tables["consortium_pioneers"]["iso3"]) == {"PER", "COL", "ARG", "ECU"}


def test_emergence_beats_the_null_with_feedback_only(quick_folder):
    finding = _finding("emergence", quick_folder)
    phase = finding.tables["emergence_phase"]
    longest = phase[(phase.horizon == 30) & (phase.spread == 0.01)]
    cells = longest.set_index(["capital_concentration", "global_investment_growth"])
    # without feedback (alpha = 0) the region stays in one tier and never beats the null
    assert (cells.loc[0.0, "stratified"] == 0).all() and not cells.loc[0.0, "beats_null"].any()
    # at the default alpha (the CSET fit), whatever the growth, a typical run is more dispersed
    # than 95% of the null's runs
    calibrated = cells.loc[6.75]
    assert calibrated["beats_null"].all()
    assert (calibrated["score_sd_low"] > calibrated["null_score_sd_p95"]).all()
    # two clubs (dip-test bimodality beyond the null's) somewhere in the diagram
    assert phase["bimodal_beyond_null"].any()


def test_the_null_does_not_beat_itself():
    """The comparison with the null can fail: the null's own runs, put in the place of the
    model's, do not beat it."""
    from experiments.findings.emergence import against_null, null_runs, phase_table

    null = phase_table(null_runs([0.01], seed=3, runs=60), ["spread", "horizon"])
    as_model = null_runs([0.01], seed=4, runs=60).assign(
        capital_concentration=0.0, global_investment_growth=0.0
    )
    keys = ["capital_concentration", "global_investment_growth", "spread", "horizon"]
    table = against_null(phase_table(as_model, keys), null)
    assert not table["beats_null"].any() and not table["bimodal_beyond_null"].any()


def test_investment_share(quick_folder):
    finding = _finding("investment_share", quick_folder)
    table = finding.tables["investment_share"].set_index(["scenario", "year"])
    share = table["share_pct_noise_mean"]
    assert (share > 0).all() and (share < 5).all()  # a small region: a few percent at most
    # the release raises the region's share by 2035 (intervals of the means disjoint), by
    # more than in its first months
    release, none = table.loc[("release_2025_08", 2035)], table.loc[("no_release", 2035)]
    assert release["share_pct_noise_low"] > none["share_pct_noise_high"]
    early = share.loc[("release_2025_08", 2025)] - share.loc[("no_release", 2025)]
    assert release["share_pct_noise_mean"] - none["share_pct_noise_mean"] > early
    assert "1.12%" in finding.text


def test_drivers(quick_folder):
    finding = _finding("drivers", quick_folder)
    sobol = finding.tables["drivers_sobol"]
    assert set(sobol["metric"]) >= {"peru_pioneer_2035", "production_gap_end_start_tiers"}
    # capital concentration drives the production gap between the start tiers and Peru's
    # score: the largest total-order index of both (Morris agrees on the score)
    for metric in ("production_gap_end_start_tiers", "peru_score_2035"):
        block = sobol[sobol.metric == metric]
        assert block.loc[block["ST"].idxmax(), "parameter"] == "capital_concentration"
    morris = finding.tables["drivers_morris"]
    score = morris[morris.metric == "peru_score_2035"].set_index("parameter")["mu_star"]
    assert score["capital_concentration"] > score["brain_drain_rate"]
    assert np.isfinite(sobol[["S1", "ST"]].to_numpy()).all()


def test_null_model_conserves_capital_and_relaxes_to_an_exponential():
    rng = np.random.default_rng(7)
    start = np.full((1, 2000), 1.0)
    paths = random_exchange(start, 200, rng)
    np.testing.assert_allclose(paths.sum(axis=-1), 2000.0, rtol=1e-9)
    final = paths[0, -1]
    assert final.std() / final.mean() == pytest.approx(1.0, abs=0.08)  # exponential: CV = 1
    assert stats.kstest(final, "expon", args=(0, final.mean())).pvalue > 0.01
    region = null_region(runs=2, months=24, seed=1)
    assert region["score"].shape == (2, 25, 19)
    assert np.all((region["score"] >= 0) & (region["score"] <= 100))


def test_command_quick_and_unknown_question(tmp_path, capsys):
    assert findings_main(["consortium", "--quick", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "consortium" / "findings.md").exists()
    assert list((tmp_path / "consortium").glob("*.png"))
    (sweep,) = (tmp_path / "consortium").glob("runs-*/consortium/manifest.json")
    out = capsys.readouterr().out
    assert "Q4" in out and f"sweeps in {sweep.parents[1]}/" in out
    assert findings_main(["no_such_question", "--quick", "--out", str(tmp_path)]) == 2
    expected = {"open_weights", "peru", "demonstration", "window", "consortium", "emergence"}
    expected |= {"drivers", "investment_share"}
    assert set(QUESTIONS) == expected
