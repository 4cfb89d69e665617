"""The batched engine equals RegionModel run by run; vectorised initial tables and draws."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from experiments.sweep import build_design, experiment_from_dict, simulate
from experiments.sweep.engine import fill_shocks
from model import RegionModel, synthetic_region
from model.equations import draw_shocks
from model.initial import ilia_initial_arrays, ilia_initial_state

EXPERIMENT = {
    "experiment": {"seed": 99, "replications": 2, "common_random_numbers": False},
    "fixed": {"end": "2026-12"},
    "varied": {
        "capital_concentration": {"values": [0.0, 3.0]},
        "capital_depreciation": {"values": [0.2, 0.45]},
        "research_share_of_rda": {"values": [0.3, 0.5]},
        "open_weights_date": {"values": ["2025-08", "none", ["2024-12", "2026-02"]]},
        "policies": {
            "values": [
                "none",
                {
                    "PER": [["2025-03", "production_platform"]],
                    "COL": "regional_consortium",
                    "ARG": "regional_consortium",
                },
            ]
        },
        "absorptive_gate": {"values": [True, False]},
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
    for i in (0, 7, 41, 77, len(design) - 1):
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


def test_synthetic_region_runs_equal_region_model():
    table = synthetic_region(30, spread=0.05, distribution="lognormal", rng=3)
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


def test_fill_shocks_equals_draw_shocks():
    seeds = np.array([1, 2**63 + 5, 42], dtype=np.uint64)
    filled = fill_shocks(seeds, 17, 5)
    for i, seed in enumerate(seeds):
        expected = draw_shocks(np.random.default_rng(int(seed)), 17, 5)
        for name, values in expected.items():
            np.testing.assert_array_equal(filled[name][i], values)


@pytest.mark.parametrize("edition", ["ilia2024", "ilia2025"])
def test_vectorised_initial_tables_equal_ilia_initial_state(edition):
    shares = np.array([[0.05], [0.3], [0.5], [0.8], [0.95]])
    rates = np.array([[0.02], [0.2], [0.33], [0.5], [0.6]])
    arrays = ilia_initial_arrays(edition, shares, rates)
    for i in range(len(shares)):
        table = ilia_initial_state(
            edition,
            research_share_of_rda=float(shares[i, 0]),
            capital_depreciation=float(rates[i, 0]),
        )
        for column in arrays:
            np.testing.assert_allclose(
                arrays[column][i], table[column].to_numpy(float), rtol=1e-12, atol=1e-12
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
