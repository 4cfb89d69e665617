"""The region's share of global AI investment by year (``region_share_YYYY``)."""

import numpy as np

from sweeps import build_design, experiment_from_dict
from sweeps.engine import run_batch, simulate


def test_yearly_share_is_the_mean_monthly_share_of_that_year():
    spec = experiment_from_dict(
        {
            "experiment": {"seed": 5, "replications": 3},
            "fixed": {"end": "2026-06"},
            "varied": {"capital_concentration": {"values": [6.75]}},
            "outputs": {"years": [2024, 2025, 2026, 2030]},
        }
    )
    design = build_design(spec)
    summaries = run_batch(spec, design).summaries
    history = simulate(spec, design)
    years = np.asarray(history.months.year)
    for year in (2025, 2026):
        expected = history.region_share[:, years == year].mean(axis=1)
        np.testing.assert_allclose(summaries[f"region_share_{year}"], expected)
    # 2024: only October to December (the first month, September, has no inflow yet)
    first_year = (years == 2024) & (np.arange(years.size) > 0)
    assert first_year.sum() == 3
    np.testing.assert_allclose(
        summaries["region_share_2024"], history.region_share[:, first_year].mean(axis=1)
    )
    assert summaries["region_share_2030"].isna().all()  # outside the horizon
    assert summaries["region_share_2025"].between(0, 1).all()
