"""Counter-based random streams: pure functions of (key, stream, month, country)."""

import numpy as np
from scipy import stats

from model import RegionModel, streams
from model.builder import build_batch
from model.parameters import validate_parameters

KEYS = np.array([0, 1, 2**63 - 1, 123456789], np.uint64)


def test_a_draw_depends_on_its_own_key_and_position_only():
    together = streams.uniforms(KEYS, streams.REVERSAL, 7, 50)
    for i, key in enumerate(KEYS):
        np.testing.assert_array_equal(streams.uniforms(key, streams.REVERSAL, 7, 50), together[i])
    np.testing.assert_array_equal(streams.uniforms(KEYS, streams.REVERSAL, 7, 20), together[:, :20])
    assert not np.isin(together, streams.uniforms(KEYS, streams.IMITATION, 7, 50)).any()
    assert not np.isin(together, streams.uniforms(KEYS, streams.REVERSAL, 8, 50)).any()


def test_uniforms_are_inside_the_unit_interval_and_uniform():
    draws = streams.uniforms(np.arange(200, dtype=np.uint64), streams.REVERSAL, 3, 500)
    assert draws.min() > 0 and draws.max() < 1
    assert stats.kstest(draws.ravel(), "uniform").pvalue > 1e-3
    neighbours = np.corrcoef(draws[:, :-1].ravel(), draws[:, 1:].ravel())[0, 1]
    assert abs(neighbours) < 0.01


def test_normals_are_standard_normal():
    draws = np.concatenate(
        [streams.normals(np.arange(100, dtype=np.uint64), month, 187) for month in range(10)]
    )
    assert abs(draws.mean()) < 0.01 and abs(draws.std() - 1) < 0.01
    assert stats.kstest(draws.ravel(), "norm").pvalue > 1e-3


def test_region_model_and_the_batch_take_the_same_key_from_the_seed():
    values = validate_parameters({"end": "2025-06"})
    batch = build_batch([values, values], [4, 5])
    assert batch.drivers.run_key[1] == streams.run_key(np.random.default_rng(5))
    assert RegionModel(rng=5, end="2025-06").drivers.run_key == batch.drivers.run_key[1]
