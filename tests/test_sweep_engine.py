"""The batched engine equals RegionModel run by run, at world size; batch size changes
nothing."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from model import RegionModel, synthetic_world
from sweeps import build_design, experiment_from_dict, simulate

EXPERIMENT = {
    "experiment": {"seed": 99, "replications": 2, "common_random_numbers": False},
    "fixed": {"end": "2026-12", "focus": "world", "demonstration_effect": True},
    "varied": {
        "capital_concentration": {"values": [0.0, 3.0]},
        "capital_depreciation": {"values": [0.2, 0.45]},
        "research_share_of_rda": {"values": [0.3, 0.5]},
        "open_weights_date": {"values": ["2025-08", "none", ["2024-12", "2026-02"]]},
        "policies": {
            "values": [
                "none",
                {
                    "PER": [["2025-03", "production_platform", 1.5]],
                    "COL": "regional_consortium",
                    "ARG": "regional_consortium",
                },
            ]
        },
        "absorptive_gate": {"values": [True, False]},
        "capital_feedback": {"values": [True, False]},
    },
}


def region_model_for(row: pd.Series, fixed: dict) -> RegionModel:
    params = dict(fixed)
    for name in EXPERIMENT["varied"]:
        value = row[name]
        value = json.loads(value) if isinstance(value, str) else value
        params[name] = None if value == "none" else value
    return RegionModel(rng=int(row["seed"]), **params)  # object row: the seed stays an int


def test_batched_runs_equal_region_model_runs_every_month():
    experiment = experiment_from_dict(EXPERIMENT)
    design = build_design(experiment)
    months = [str(p) for p in pd.period_range("2024-09", "2026-12", freq="M")]
    history = simulate(experiment, design, key_months=tuple(months))
    assert len(history.countries) > 150  # every country of the world, not only the region
    for i in (0, 7, 41, 77, 130, len(design) - 1):
        model = region_model_for(design.iloc[i], EXPERIMENT["fixed"])
        model.run_model()
        frame = model.agent_frame()
        for name in ("score", "research", "adoption", "governance", "capital", "inflow"):
            expected = frame.pivot(index="step", columns="iso3", values=name)[history.countries]
            batched = np.stack([history.snapshots[t][name][i] for t in range(len(months))])
            np.testing.assert_allclose(batched, expected.to_numpy(), rtol=1e-9, atol=1e-9)
        tiers = frame.pivot(index="step", columns="iso3", values="tier")[history.countries]
        codes = tiers.replace({"Explorer": 0, "Adopter": 1, "Pioneer": 2}).to_numpy(int)
        np.testing.assert_array_equal(history.tiers[i], codes)


def test_synthetic_world_runs_equal_region_model():
    table = synthetic_world(30, spread=0.05, distribution="lognormal", rng=3)
    experiment = experiment_from_dict(
        {
            "experiment": {"replications": 3, "seed": 5},
            "fixed": {"end": "2026-03", "start": "2024-09", "initial": table},
            "varied": {"capital_concentration": {"values": [0.5, 2.5]}},
            "outputs": {"country": "S00000"},  # the default, PER, is not in the table
        }
    )
    design = build_design(experiment)
    history = simulate(experiment, design)
    for i in range(len(design)):
        seed = int(design["seed"].iloc[i])  # a row Series would turn the uint64 into a float
        model = RegionModel(
            rng=seed,
            initial=table,
            start="2024-09",
            end="2026-03",
            capital_concentration=design["capital_concentration"].iloc[i],
        )
        model.run_model()
        np.testing.assert_allclose(
            history.snapshots[len(history.months) - 1]["score"][i],
            model.scores,
            rtol=1e-9,
            atol=1e-9,
        )


def test_results_do_not_depend_on_batch_size():
    experiment = experiment_from_dict(EXPERIMENT)
    design = build_design(experiment).iloc[:24]
    whole = simulate(experiment, design)
    for size in (1, 5, 7):
        for start in range(0, len(design), size):
            part = simulate(experiment, design.iloc[start : start + size])
            end = len(whole.months) - 1
            for name, values in part.snapshots[end].items():
                np.testing.assert_array_equal(
                    values, whole.snapshots[end][name][start : start + size]
                )


def test_tier_thresholds_of_a_design_row_are_the_runs_thresholds():
    """A list design's ``tier_thresholds`` pair reaches its runs (it was replaced by the
    fixed pair), and a varied part overrides only its part of the pair."""
    from sweeps.engine import run_parameters
    from sweeps.runner import prepare

    pairs = [[30.0, 60.0], [35.0, 70.0]]
    experiment, design = prepare(
        experiment_from_dict(
            {
                "experiment": {"name": "thresholds", "seed": 1, "replications": 1},
                "design": {"method": "list", "runs": [{"tier_thresholds": p} for p in pairs]},
                "fixed": {"end": "2026-01"},
            }
        )
    )
    assert [list(r["tier_thresholds"]) for r in run_parameters(experiment, design)] == pairs
    experiment, design = prepare(
        experiment_from_dict(
            {
                "experiment": {"name": "parts", "seed": 1, "replications": 1},
                "design": {"method": "grid"},
                "fixed": {"end": "2026-01", "tier_thresholds": [30.0, 60.0]},
                "varied": {"tier_thresholds.high": {"values": [65.0, 80.0]}},
            }
        )
    )
    runs = run_parameters(experiment, design)
    assert [list(r["tier_thresholds"]) for r in runs] == [[30.0, 65.0], [30.0, 80.0]]
