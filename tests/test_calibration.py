"""Calibration: the moments, the ABC rejection and the forecast comparison."""

import numpy as np
import pandas as pd
import pytest

from experiments.calibration import TARGETS, Calibration, abc_rejection, distance
from sweeps import experiment_from_dict, load_results, run_experiment

SMALL = {
    "experiment": {"name": "cal", "seed": 3, "replications": 2},
    "design": {"method": "lhs", "samples": 12},
    "fixed": {"end": "2025-10"},
    "varied": {
        "capital_concentration": {"low": 0.0, "high": 4.0},
        "global_investment_growth": {"low": 0.0, "high": 0.3},
    },
    "outputs": {"metrics": [t.moment for t in TARGETS], "trajectories": "none"},
}


@pytest.fixture(scope="module")
def small_calibration(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cal") / "out"
    run_experiment(experiment_from_dict(SMALL), folder, progress=False)
    return abc_rejection(load_results(folder), accept_fraction=0.25)


def test_distance_is_zero_at_the_targets_and_grows_with_error():
    at_targets = pd.DataFrame([{t.moment: t.value for t in TARGETS}])
    assert distance(at_targets).iloc[0] == 0
    off = at_targets.assign(tier_persistence=at_targets["tier_persistence"] - 0.05)
    assert distance(off).iloc[0] == pytest.approx(1.0)


def test_abc_keeps_the_closest_samples(small_calibration: Calibration):
    samples, accepted = small_calibration.samples, small_calibration.accepted
    assert len(samples) == 12 and 3 <= len(accepted) <= 4
    assert accepted["distance"].max() <= samples["distance"].drop(accepted.index).min()
    posterior = small_calibration.posterior()
    assert list(posterior["parameter"]) == [
        "capital_concentration",
        "global_investment_growth",
    ]
    assert (posterior["posterior_5%"] <= posterior["posterior_median"]).all()


def test_moments_are_computed_for_ilia_runs(small_calibration: Calibration):
    samples = small_calibration.samples
    assert samples["ilia2025_score_rmse"].between(2.0, 8.0).all()
    assert samples["leading_investee_share"].between(0.0, 1.0).all()
    assert np.isfinite(samples["region_share_trend"]).all()


def test_calibrated_model_forecasts_ilia_2025_better_than_no_change():
    from experiments.calibration import naive_comparison

    table = naive_comparison({}, replications=5).set_index("forecast")
    assert table.loc["no change (ILIA 2024)", "score_rmse"] == pytest.approx(4.29, abs=0.01)
    assert (
        table.loc["calibrated model", "score_rmse"]
        < table.loc["no change (ILIA 2024)", "score_rmse"]
    )
