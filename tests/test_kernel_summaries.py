"""The tier summary the kernel accumulates as the runs go equals the summaries computed
from the full monthly tiers, and the sweep's metrics are the same either way."""

from __future__ import annotations

import numpy as np
import pytest

from mobility import transition_counts
from model.builder import build_batch
from model.equations import PIONEER
from model.kernel import run_kernel
from sweeps.metrics import crossings, first_month_in, kernel_shorrocks, shorrocks_index
from tests.test_kernel import random_parameters


@pytest.fixture(scope="module")
def history():
    rng = np.random.default_rng(21)
    runs = [random_parameters(rng) for _ in range(10)]
    return run_kernel(build_batch(runs, rng.integers(0, 2**32, len(runs))), (0,))


def test_kernel_transition_counts_equal_those_of_the_full_tiers(history):
    expected = transition_counts(history.tiers, lag=12, per_run=True)
    np.testing.assert_array_equal(history.tier_summary["transitions"], expected)
    assert expected[:, ~np.eye(3, dtype=bool)].sum() > 0  # some runs change tier


def test_kernel_crossings_and_first_pioneer_months_equal_those_of_the_full_tiers(history):
    tiers = history.tiers
    np.testing.assert_array_equal(history.tier_summary["upward"], crossings(tiers, 1))
    np.testing.assert_array_equal(history.tier_summary["downward"], crossings(tiers, -1))
    for c in range(tiers.shape[2]):
        np.testing.assert_array_equal(
            history.tier_summary["first_pioneer"][:, c], first_month_in(tiers[:, :, c], PIONEER)
        )
    assert np.isnan(history.tier_summary["first_pioneer"]).any()  # some never get there
    assert (history.tier_summary["upward"] + history.tier_summary["downward"]).sum() > 0


def test_the_shorrocks_metric_from_the_kernel_equals_the_one_from_full_tiers(history):
    class View:  # what the metric reads of a BatchHistory
        months = range(history.tiers.shape[1])
        region_share = history.region_share
        tier_summary = history.tier_summary

    np.testing.assert_allclose(kernel_shorrocks(View), shorrocks_index(history.tiers), rtol=1e-12)


def test_without_monthly_tiers_the_summary_and_snapshots_are_the_same(history):
    rng = np.random.default_rng(21)
    runs = [random_parameters(rng) for _ in range(10)]
    lean = run_kernel(build_batch(runs, rng.integers(0, 2**32, len(runs))), (0,), keep_tiers=False)
    assert lean.tiers.shape == (10, 0, history.tiers.shape[2])
    for name, values in history.tier_summary.items():
        np.testing.assert_array_equal(lean.tier_summary[name], values)
    np.testing.assert_array_equal(lean.snapshots[0]["tier"], history.tiers[:, 0])
