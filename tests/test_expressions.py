"""User-defined metrics: expressions over the state at a date, evaluated safely."""

import numpy as np
import pandas as pd
import pytest

from sweeps import build_design, experiment_from_dict
from sweeps.engine import run_batch, simulate
from sweeps.spec_values import ExperimentError

EXPRESSIONS = {
    "peru_lead_2028": {"expression": "research - adoption", "country": "PER", "date": "2028-06"},
    "largest_log_capital": {"expression": "log(capital + 1)", "reduce": "max"},
    "mean_score": "score",
}


def experiment(expressions):
    return experiment_from_dict(
        {
            "experiment": {"seed": 3, "replications": 4},
            "fixed": {"end": "2029-12"},
            "varied": {"capital_concentration": {"values": [6.75]}},
            "outputs": {"expressions": expressions},
        }
    )


def test_declared_expressions_equal_the_state_they_describe():
    spec = experiment(EXPRESSIONS)
    design = build_design(spec)
    summaries = run_batch(spec, design).summaries
    history = simulate(spec, design, key_months=("2028-06",))
    t = history.months.get_loc(pd.Period("2028-06", "M"))
    peru = history.countries.index("PER")
    snapshot, end = history.snapshots[t], history.snapshots[len(history.months) - 1]
    np.testing.assert_allclose(
        summaries["peru_lead_2028"], snapshot["research"][:, peru] - snapshot["adoption"][:, peru]
    )
    np.testing.assert_allclose(
        summaries["largest_log_capital"], np.log(end["capital"] + 1).max(axis=-1)
    )
    np.testing.assert_allclose(summaries["mean_score"], end["score"].mean(axis=-1))


@pytest.mark.parametrize(
    ("expression", "culprit"),
    [
        ("__import__('os').system('true')", "is not allowed"),
        ("research.__class__", "is not allowed"),
        ("open('x')", "is not allowed"),
        ("research if score else 1", "is not allowed"),
        ("[research]", "is not allowed"),
        ("gdp * 2", "is not allowed"),  # not a state variable of the snapshot
        ("research +", "is not valid"),
    ],
)
def test_anything_but_arithmetic_over_state_variables_is_refused(expression, culprit):
    with pytest.raises(ExperimentError, match=culprit):
        experiment({"x": {"expression": expression}})


@pytest.mark.parametrize(
    ("spec", "culprit"),
    [
        ({"expression": "score", "reduce": "mode"}, "reduce = 'mode'"),
        ({"expression": "score", "country": "peru"}, "must be an ISO3 code"),
        ({"expression": "score", "date": "2030"}, "is not a month"),
        ({"expression": "score", "weights": 1}, "unknown key 'weights'"),
        ({"reduce": "mean"}, "must be { expression"),
    ],
)
def test_bad_declarations_name_the_metric_and_the_key(spec, culprit):
    with pytest.raises(ExperimentError, match="x") as info:
        experiment({"x": spec})
    assert culprit in str(info.value)


def test_a_declared_name_may_not_shadow_a_built_in_metric():
    from sweeps.runner import prepare

    with pytest.raises(ExperimentError, match="pioneers_end is the name of a built-in metric"):
        prepare(experiment({"pioneers_end": "score"}))
