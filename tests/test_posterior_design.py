"""``[posterior]``: scenarios crossed with posterior draws, with common random numbers.

What a findings author relies on: every scenario meets the same first ``draws`` rows of the
file, a run's stream depends on (draw, replicate) and not on the scenario, the draw's
values reach the model, and every mistake in the file is an error naming file and column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sweeps import build_design, load_experiment, load_results, run_count, run_experiment
from sweeps.engine import simulate
from sweeps.metrics import summary_metrics
from sweeps.spec import POSTERIOR_DRAW, ExperimentError
from sweeps.spec_posterior import default_posterior_file

POSTERIOR = """\
capital_concentration,investment_noise
5.0,0.5
6.0,0.7
7.0,0.9
"""

EXPERIMENT = """\
[experiment]
seed = 3
replications = 2

[fixed]
end = "2025-03"

[varied]
open_weights_date = {{ values = ["2024-12", "none"] }}

[posterior]
file = "posterior.csv"
draws = {draws}
"""


def write(tmp_path, draws=2, posterior=POSTERIOR, experiment=EXPERIMENT, **replace):
    (tmp_path / "posterior.csv").write_text(posterior)
    text = experiment.format(draws=draws)
    for old, new in replace.items():
        text = text.replace(old.replace("_", " "), new)
    path = tmp_path / "experiment.toml"
    path.write_text(text)
    return path


def test_every_scenario_is_crossed_with_the_first_draws_of_the_file(tmp_path):
    experiment = load_experiment(write(tmp_path, draws=2))
    design = build_design(experiment)
    assert run_count(experiment) == len(design) == 2 * 2 * 2
    assert list(design["run_id"]) == list(range(8))
    for _, runs in design.groupby("sample_id"):
        assert list(runs[POSTERIOR_DRAW]) == [0, 0, 1, 1]
        assert list(runs["replicate"]) == [0, 1, 0, 1]
        assert list(runs["capital_concentration"]) == [5.0, 5.0, 6.0, 6.0]  # rows 0 and 1
        assert list(runs["investment_noise"]) == [0.5, 0.5, 0.7, 0.7]
    assert 7.0 not in set(design["capital_concentration"])  # the third row is not used


def test_streams_depend_on_draw_and_replicate_not_on_the_scenario(tmp_path):
    design = build_design(load_experiment(write(tmp_path, draws=3)))
    by_run = design.set_index(["sample_id", POSTERIOR_DRAW, "replicate"])["seed"]
    first, second = by_run.loc[0], by_run.loc[1]
    assert (first.to_numpy() == second.to_numpy()).all()  # common random numbers
    assert first.nunique() == 3 * 2  # every (draw, replicate) its own stream


def test_without_common_random_numbers_every_run_has_its_own_stream(tmp_path):
    path = write(tmp_path, draws=3)
    path.write_text(
        path.read_text().replace(
            "replications = 2", "replications = 2\ncommon_random_numbers = false"
        )
    )
    design = build_design(load_experiment(path))
    assert design["seed"].nunique() == len(design) == 2 * 3 * 2


def test_a_draw_sets_its_parameters_in_the_model(tmp_path):
    """Run (scenario 1, draw 1, replicate 0) equals the same scenario with the draw's
    values in [fixed] and the same seed."""
    experiment = load_experiment(write(tmp_path, draws=2))
    design = build_design(experiment)
    row = design[(design["sample_id"] == 1) & (design[POSTERIOR_DRAW] == 1)].iloc[:1]
    crossed = summary_metrics(experiment, simulate(experiment, row))
    fixed_path = tmp_path / "fixed.toml"
    fixed_path.write_text(
        EXPERIMENT.format(draws=1)
        .split("[posterior]")[0]
        .replace(
            'end = "2025-03"',
            'end = "2025-03"\ncapital_concentration = 6.0\ninvestment_noise = 0.7',
        )
    )
    plain = load_experiment(fixed_path)
    plain_row = build_design(plain).query("sample_id == 1").iloc[:1].copy()
    plain_row["seed"] = row["seed"].to_numpy()
    alone = summary_metrics(plain, simulate(plain, plain_row))
    for name, values in crossed.items():
        np.testing.assert_array_equal(values, alone[name], err_msg=name)
    other = row.copy()
    other[["capital_concentration", "investment_noise"]] = [5.0, 0.5]
    differs = summary_metrics(experiment, simulate(experiment, other))
    assert not np.allclose(differs["region_share_mean"], crossed["region_share_mean"])


def test_the_results_table_has_a_posterior_draw_column(tmp_path):
    experiment = load_experiment(write(tmp_path, draws=2))
    run_experiment(experiment, tmp_path / "out", progress=False)
    table = load_results(tmp_path / "out").table()
    assert len(table) == 8
    counts = table.groupby(["sample_id", POSTERIOR_DRAW]).size()
    assert (counts == 2).all() and len(counts) == 4
    assert table["posterior_draw"].dtype.kind == "i"


@pytest.mark.parametrize(
    ("posterior", "replace", "expected"),
    [
        (
            POSTERIOR.replace("investment_noise", "investment_nois"),
            {},
            ["posterior.csv", "'investment_nois'", "not a parameter"],
        ),
        (
            POSTERIOR,
            {'end = "2025-03"': 'end = "2025-03"\ninvestment_noise = 0.4'},
            ["posterior.csv", "'investment_noise'", "[fixed]"],
        ),
        (
            POSTERIOR.replace("investment_noise", "open_weights_date"),
            {},
            ["'open_weights_date'", "[varied]"],
        ),
        (
            POSTERIOR.replace("investment_noise", "end"),
            {},
            ["'end'", "[fixed]"],
        ),
        (
            POSTERIOR.replace("6.0,0.7", "60.0,0.7"),
            {},
            ["posterior.csv, line 3", "capital_concentration = 60.0", "[0.0, 12.0]"],
        ),
        (
            POSTERIOR.replace("6.0,0.7", "6.0,"),
            {},
            ["line 3", "'investment_noise'", "not a finite number"],
        ),
        (
            POSTERIOR,
            {"draws = 2": "draws = 4"},
            ["[posterior] draws = 4", "has 3 rows"],
        ),
        (
            POSTERIOR,
            {"draws = 2": "draws = 0"},
            ["[posterior] draws = 0", "integer"],
        ),
        (
            POSTERIOR,
            {"draws = 2": "draws = 2\nfiles = 'x.csv'"},
            ["[posterior] files", "unknown key"],
        ),
        (
            POSTERIOR,
            {'file = "posterior.csv"': 'file = "missing.csv"'},
            ["missing.csv", "cannot read"],
        ),
    ],
)
def test_a_bad_posterior_is_an_error_naming_file_and_column(tmp_path, posterior, replace, expected):
    (tmp_path / "posterior.csv").write_text(posterior)
    text = EXPERIMENT.format(draws=2)
    for old, new in replace.items():
        text = text.replace(old, new)
    path = tmp_path / "experiment.toml"
    path.write_text(text)
    with pytest.raises(ExperimentError) as error:
        load_experiment(path)
    for part in expected:
        assert part in str(error.value), (part, str(error.value))


def test_the_run_count_limit_counts_the_draws(tmp_path, monkeypatch):
    import sweeps.spec_sizes

    monkeypatch.setattr(sweeps.spec_sizes, "MAX_RUNS", 7)
    with pytest.raises(ExperimentError, match=r"2 posterior draws x 2 replications = 8 runs"):
        load_experiment(write(tmp_path, draws=2))


def test_the_default_file_is_the_committed_posterior(tmp_path):
    text = EXPERIMENT.format(draws=2).replace('file = "posterior.csv"\n', "")
    path = tmp_path / "experiment.toml"
    path.write_text(text)
    experiment = load_experiment(path)
    committed = pd.read_csv(default_posterior_file())
    assert experiment.posterior.file == str(default_posterior_file())
    assert list(experiment.posterior.columns) == list(committed.columns)
    np.testing.assert_allclose(experiment.posterior.rows, committed.iloc[:2].to_numpy())
