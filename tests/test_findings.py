"""The findings: each analysis on quick experiments, the null model, and the command."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from experiments.findings import QUESTIONS, run_question
from experiments.findings.__main__ import main as findings_main
from experiments.findings.common import (
    paired_differences,
    run_experiments,
    scaled_experiment,
    wilson,
)
from experiments.findings.null_model import null_region, random_exchange


@pytest.fixture(scope="module")
def quick_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("findings-quick")


def _finding(question, folder):
    return run_question(question, folder, quick=True, write=False)


def test_quick_scaling_keeps_everything_but_the_sizes():
    full = scaled_experiment("experiments/examples/sobol.toml", quick=False)
    quick = scaled_experiment("experiments/examples/sobol.toml", quick=True)
    assert quick.replications < full.replications
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
    by_start = finding.tables["window_by_start"]
    assert by_start["start_date"].nunique() == 65
    assert by_start["probability"].between(0, 1).all()
    closing = finding.tables["window_closing"]
    assert {"t_star", "low", "high", "open_weights_half_life"} <= set(closing.columns)
    assert (closing["t_star"] >= 0).all()


def test_consortium(quick_folder):
    finding = _finding("consortium", quick_folder)
    paired = finding.tables["consortium_paired"]
    assert {"group", "year", "variable", "comparison", "mean_difference"} <= set(paired.columns)
    assert set(finding.tables["consortium_pioneers"]["iso3"]) == {"PER", "COL", "ARG", "ECU"}


def test_emergence_tiers_appear_with_feedback_only(quick_folder):
    finding = _finding("emergence", quick_folder)
    table = finding.tables["emergence_summary"]
    abm = table[table.model == "ABM"].set_index("capital_concentration")
    assert abm.loc[0.0, "tiers_occupied"] == 1
    assert abm.loc[4.0, "tiers_occupied"] >= 2
    assert abm.loc[4.0, "theil_between_share_score"] > abm.loc[0.0, "theil_between_share_score"]
    assert (table["model"] == "random-exchange null").sum() == 1


def test_drivers(quick_folder):
    finding = _finding("drivers", quick_folder)
    sobol = finding.tables["drivers_sobol"]
    assert {"metric", "parameter", "S1", "S1_conf", "ST", "ST_conf"} <= set(sobol.columns)
    assert "production_gap_end_start_tiers" in set(sobol["metric"])
    assert {"mu_star", "sigma"} <= set(finding.tables["drivers_morris"].columns)


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
    expected |= {"drivers"}
    assert set(QUESTIONS) == expected
