"""Malformed experiment files: one message naming file:line, key, value and what is
allowed; exit code 2, no traceback, nothing written (no results folder, no other file)."""

from __future__ import annotations

import pytest

from experiments.cli import main
from sweeps import load_experiment
from sweeps.spec import ExperimentError

GOOD = """\
[experiment]
name = "bad"
seed = 1
replications = 2

[design]
method = "grid"

[fixed]
end = "2026-06"

[varied]
capital_concentration = { values = [1.0, 2.0] }

[outputs]
years = [2025]
"""
TABLE_LINES = {"experiment": 1, "design": 6, "fixed": 9, "varied": 12, "outputs": 15}


def put(table: str, line: str, text: str = GOOD) -> tuple[str, int]:
    """``text`` with ``line`` as the first key of ``[table]``; returns (text, its line)."""
    lines = text.splitlines()
    header = lines.index(f"[{table}]")
    lines.insert(header + 1, line)
    return "\n".join(lines) + "\n", header + 2


def swap(old: str, new: str, text: str = GOOD) -> tuple[str, int]:
    """``text`` with the line ``old`` replaced by ``new`` (one or more lines)."""
    lines = text.splitlines()
    number = lines.index(old)
    lines[number : number + 1] = new.splitlines()
    return "\n".join(lines) + "\n", number + 1


GRID_VAR = "capital_concentration = { values = [1.0, 2.0] }"
LHS = 'method = "lhs"\nsamples = 4'


def varied(spec: str) -> tuple[str, int]:
    return swap(GRID_VAR, spec)


def lhs_varied(spec: str) -> tuple[str, int]:
    text, _ = swap('method = "grid"', LHS)
    return swap(GRID_VAR, spec, text)


def with_design(lines: str, var: str | None = GRID_VAR) -> tuple[str, int]:
    text, number = swap('method = "grid"', lines)
    if var is None:
        text = text.replace(f"[varied]\n{GRID_VAR}\n", "")
    return text, number


LIST = """\
method = "list"
[[design.runs]]
label = "low"
capital_concentration = 1.0
[[design.runs]]
label = "high"
capital_concentration = 2.0"""

#: id -> (file text, line the message must name (None: no line), fragments it must hold)
CASES: dict[str, tuple[str, int | None, list[str]]] = {}


def case(name: str, made: tuple[str, int] | str, *fragments: str, line: int | None = -1):
    text, number = made if isinstance(made, tuple) else (made, None)
    assert name not in CASES, name
    CASES[name] = (text, number if line == -1 else line, list(fragments))


# --- [experiment] ----------------------------------------------------------------------
case("name number", swap('name = "bad"', "name = 5"), "name = 5", "folder name")
case("name escapes", swap('name = "bad"', 'name = "../../x"'), "'../../x'", "no '/'")
case("name with slash", swap('name = "bad"', 'name = "a/b"'), "'a/b'", "folder name")
case("name empty", swap('name = "bad"', 'name = ""'), "name = ''", "folder name")
case("name hidden", swap('name = "bad"', 'name = ".hidden"'), "'.hidden'", "starting with")
case("name too long", swap('name = "bad"', f'name = "{"x" * 101}"'), "at most 100")
case("name list", swap('name = "bad"', 'name = ["a"]'), "name = ['a']", "folder name")
case("name absolute", swap('name = "bad"', 'name = "/var/x"'), "'/var/x'", "folder name")
case("description number", put("experiment", "description = 3"), "description = 3", "string")
case("seed negative", swap("seed = 1", "seed = -1"), "seed = -1", "integer in [0,")
case("seed float", swap("seed = 1", "seed = 1.5"), "seed = 1.5", "integer")
case("seed string", swap("seed = 1", 'seed = "one"'), "seed = 'one'", "integer")
case("seed bool", swap("seed = 1", "seed = true"), "seed = True", "integer")
case("replications zero", swap("replications = 2", "replications = 0"), "= 0", ">= 1")
case("replications negative", swap("replications = 2", "replications = -3"), "= -3", ">= 1")
case("replications float", swap("replications = 2", "replications = 2.5"), "= 2.5", "integer")
case("replications text", swap("replications = 2", 'replications = "two"'), "'two'", "integer")
case("replications list", swap("replications = 2", "replications = [1, 2]"), "[1, 2]", "integer")
case(
    "replications huge",
    swap("replications = 2", "replications = 2000000000"),
    "[experiment] replications",
    "2 samples x 2,000,000,000 replications = 4,000,000,000 runs",
    "limit of 10,000,000",
)
case("batch size zero", put("experiment", "batch_size = 0"), "batch_size = 0", "[1, 16384]")
case("batch size huge", put("experiment", "batch_size = 100000"), "= 100000", "[1, 16384]")
case("batch size float", put("experiment", "batch_size = 1.5"), "= 1.5", "integer")
case("crn text", put("experiment", 'common_random_numbers = "yes"'), "'yes'", "true or false")
case("crn number", put("experiment", "common_random_numbers = 1"), "= 1", "true or false")
NO_END = swap('end = "2026-06"', "")[0]
case("horizon number", put("experiment", "horizon = 2027", NO_END), "horizon = 2027", "not a month")
case(
    "horizon month 13", put("experiment", 'horizon = "2027-13"', NO_END), "'2027-13'", "not a month"
)
case("horizon word", put("experiment", 'horizon = "soon"', NO_END), "'soon'", "not a month")
case("horizon and end", put("experiment", 'horizon = "2027-01"'), "horizon", "not both")
case("horizon too early", swap('end = "2026-06"', 'end = "2023-12"'), "'2023-12'", "after")
case("unknown key", put("experiment", "replicatons = 2"), "replicatons", "unknown key")

# --- the file and its tables ------------------------------------------------------------
case(
    "table is a number",
    ("fixed = 3\n" + GOOD.replace('[fixed]\nend = "2026-06"\n', ""), 1),
    "fixed = 3",
    "table",
)
case(
    "experiment is a string",
    ('experiment = "x"\n' + GOOD.split("\n", 5)[5], 1),
    "experiment = 'x'",
    "[experiment] table",
)
case("unknown table", (GOOD + "\n[outputz]\nyears = [2025]\n", 18), "[outputz]", "unknown table")
case("array of tables", (GOOD.replace("[varied]", "[[varied]]"), 12), "[varied]", "array")
case("malformed toml", swap("seed = 1", "seed = = 1"), "malformed TOML", "line 3", line=None)
case("unclosed string", swap('name = "bad"', 'name = "bad'), "malformed TOML", line=None)
case("empty file", ("", None), "needs at least one [varied] parameter")
case("only comments", ("# nothing\n", None), "needs at least one [varied] parameter")
case(
    "grid without varied",
    (GOOD.replace(f"[varied]\n{GRID_VAR}\n", ""), 7),
    "[design] method = 'grid'",
    "needs at least one [varied]",
)

# --- [fixed] ---------------------------------------------------------------------------
case("fixed out of range", put("fixed", "size_elasticity = 7.5"), "= 7.5", "[0.0, 2.0]")
case("fixed inf", put("fixed", "size_elasticity = inf"), "size_elasticity = inf", "[0.0, 2.0]")
case("fixed -inf", put("fixed", "size_elasticity = -inf"), "= -inf", "[0.0, 2.0]")
case("fixed nan", put("fixed", "size_elasticity = nan"), "size_elasticity = nan", "[0.0, 2.0]")
case("fixed text", put("fixed", 'size_elasticity = "high"'), "'high'", "must be a number")
case("fixed bool", put("fixed", "size_elasticity = true"), "= True", "must be a number")
case("fixed inf money", put("fixed", "capital_depreciation = inf"), "= inf", "0.6")
case("fixed gate text", put("fixed", 'absorptive_gate = "yes"'), "'yes'", "true or false")
case("fixed gate number", put("fixed", "absorptive_gate = 1"), "absorptive_gate = 1", "true")
case(
    "fixed unknown",
    put("fixed", "capital_concentraton = 1.0"),
    "capital_concentraton",
    "unknown parameter",
)
case("fixed rng", put("fixed", "rng = 1"), "rng", "unknown parameter")
case("end number", swap('end = "2026-06"', "end = 2027"), "end = 2027", "not a month")
case("end month 0", swap('end = "2026-06"', 'end = "2027-00"'), "'2027-00'", "not a month")
case("start after end", put("fixed", 'start = "2030-01"'), "start = '2030-01'", "after", line=11)
case("release number", put("fixed", "open_weights_date = 5"), "open_weights_date", "not a month")
case(
    "release word", put("fixed", 'open_weights_date = ["2025-08", "later"]'), "later", "not a month"
)
case("thresholds reversed", put("fixed", "tier_thresholds = [60, 35]"), "[60, 35]", "low < high")
case("thresholds nan", put("fixed", "tier_thresholds = [nan, 50]"), "tier_thresholds", "low")
case("thresholds text", put("fixed", 'tier_thresholds = "35,60"'), "'35,60'", "two numbers")
case("policies number", put("fixed", "policies = 3"), "policies = 3", "ISO3")
case("policies country", put("fixed", 'policies = { XXX = "status_quo" }'), "XXX", "policies")
case("policies strategy", put("fixed", 'policies = { PER = "moonshot" }'), "moonshot")
case(
    "policies pair",
    put("fixed", 'policies = { PER = [["2025-01"]] }'),
    "policies",
    "(YYYY-MM, strategy)",
)
case("initial edition", put("fixed", 'initial = "ilia2030"'), "'ilia2030'", "ilia2024")
case("initial number", put("fixed", "initial = 3"), "initial = 3", "edition")
case(
    "synthetic n zero",
    put("fixed", "initial = { synthetic = { n = 0 } }"),
    "initial.synthetic.n = 0",
    "[1, 10000]",
)
case(
    "synthetic spread text",
    put("fixed", 'initial = { synthetic = { n = 19, spread = "big" } }'),
    "initial.synthetic.spread = 'big'",
    "[0, 5]",
)
case(
    "synthetic spread negative",
    put("fixed", "initial = { synthetic = { spread = -1 } }"),
    "spread = -1",
    "[0, 5]",
)
case(
    "synthetic spread nan",
    put("fixed", "initial = { synthetic = { spread = nan } }"),
    "spread = nan",
    "finite",
)
case(
    "synthetic distribution",
    put("fixed", 'initial = { synthetic = { distribution = "pareto" } }'),
    "'pareto'",
    "lognormal",
)
case(
    "synthetic unknown",
    put("fixed", "initial = { synthetic = { n = 19, size = 3 } }"),
    "size",
    "unknown synthetic keys",
)
case(
    "synthetic n float", put("fixed", "initial = { synthetic = { n = 2.5 } }"), "n = 2.5", "integer"
)
case(
    "fixed and varied",
    put("fixed", "capital_concentration = 1.0"),
    "capital_concentration",
    "also set in [fixed]",
    line=14,
)

# --- [varied] --------------------------------------------------------------------------
case(
    "values out of range",
    varied("capital_concentration = { values = [1.0, 17.5] }"),
    "= 17.5",
    "[0.0, 12.0]",
)
case(
    "values wrong type",
    varied('capital_concentration = { values = [1.0, "high"] }'),
    "'high'",
    "must be a number",
)
case("values empty", varied("capital_concentration = { values = [] }"), "non-empty")
case(
    "values repeated",
    varied("capital_concentration = { values = [1.0, 1.0] }"),
    "= 1.0",
    "listed twice",
)
case("values not a list", varied("capital_concentration = { values = 3 }"), "= 3", "non-empty")
case("varied number", varied("capital_concentration = 3"), "= 3", "list of values or a table")
case(
    "varied unknown",
    varied("capital_concentraton = [1.0, 2.0]"),
    "capital_concentraton",
    "unknown parameter",
)
case(
    "grid range no steps",
    varied("capital_concentration = { low = 0.0, high = 4.0 }"),
    "a grid needs",
)
case(
    "range reversed",
    varied("capital_concentration = { low = 3.0, high = 1.0, steps = 3 }"),
    "low < high",
)
case(
    "range nan",
    varied("capital_concentration = { low = nan, high = 1.0, steps = 2 }"),
    "capital_concentration.low = nan",
)
case(
    "range inf",
    varied("capital_concentration = { low = 0.0, high = inf, steps = 2 }"),
    "capital_concentration.high = inf",
    "[0.0, 12.0]",
)
case(
    "steps zero",
    varied("capital_concentration = { low = 0.0, high = 4.0, steps = 0 }"),
    "steps = 0",
    "integer in [1,",
)
case(
    "steps float",
    varied("capital_concentration = { low = 0.0, high = 4.0, steps = 2.5 }"),
    "steps = 2.5",
    "integer",
)
case(
    "steps huge",
    varied("capital_concentration = { low = 0.0, high = 4.0, steps = 20000000 }"),
    "steps = 20000000",
    "10000000",
)
case(
    "grid too big",
    varied("capital_concentration = { low = 0.0, high = 4.0, steps = 9000000 }"),
    "9,000,000 samples x 2 replications = 18,000,000 runs",
    "limit",
)
case(
    "distribution unknown",
    lhs_varied('capital_concentration = { distribution = "gauss" }'),
    "'gauss'",
    "uniform, loguniform",
)
case(
    "distribution number",
    lhs_varied("capital_concentration = { distribution = 3 }"),
    "distribution = 3",
    "unknown distribution",
)
case(
    "normal without sd",
    lhs_varied('capital_concentration = { distribution = "normal" }'),
    "needs 'mean' and 'sd'",
)
case(
    "normal mean nan",
    lhs_varied('capital_concentration = { distribution = "normal", mean = nan, sd = 1.0 }'),
    "capital_concentration.mean = nan",
    "finite number",
)
case(
    "normal mean inf",
    lhs_varied('capital_concentration = { distribution = "normal", mean = inf, sd = 1.0 }'),
    "mean = inf",
)
case(
    "normal mean text",
    lhs_varied('capital_concentration = { distribution = "normal", mean = "x", sd = 1.0 }'),
    "mean = 'x'",
)
case(
    "normal mean outside",
    lhs_varied('capital_concentration = { distribution = "normal", mean = 19.0, sd = 1.0 }'),
    "mean = 19.0",
    "[0.0, 12.0]",
)
case(
    "normal sd zero",
    lhs_varied('capital_concentration = { distribution = "normal", mean = 2.0, sd = 0.0 }'),
    "sd = 0.0",
)
case(
    "normal sd negative",
    lhs_varied('capital_concentration = { distribution = "normal", mean = 2.0, sd = -1 }'),
    "sd = -1",
)
case(
    "normal sd nan",
    lhs_varied('capital_concentration = { distribution = "normal", mean = 2.0, sd = nan }'),
    "sd = nan",
)
case(
    "triangular no mode",
    lhs_varied('capital_concentration = { distribution = "triangular" }'),
    "needs 'mode'",
)
case(
    "triangular mode outside",
    lhs_varied('capital_concentration = { distribution = "triangular", mode = 15.0 }'),
    "mode = 15.0",
    "[0.0, 12.0]",
)
case(
    "loguniform from zero",
    lhs_varied('capital_concentration = { distribution = "loguniform", low = 0.0 }'),
    "low = 0.0",
    "low > 0",
)
case(
    "values and range",
    varied("capital_concentration = { values = [1.0], low = 0.0 }"),
    "either 'values' or a range",
)
case(
    "mean of uniform",
    lhs_varied("capital_concentration = { low = 0.0, high = 1.0, mean = 0.5 }"),
    "capital_concentration.mean = 0.5",
    "takes only low, high, steps",
)
case(
    "unknown variable key",
    varied("capital_concentration = { value = [1.0] }"),
    "value",
    "unknown keys",
)
case(
    "steps outside grid",
    lhs_varied("capital_concentration = { low = 0.0, high = 1.0, steps = 3 }"),
    "steps = 3",
    "grid design only",
)
case(
    "bool range",
    varied("absorptive_gate = { low = 0, high = 1 }"),
    "absorptive_gate",
    "needs 'values'",
)
case(
    "threshold part above",
    varied('"tier_thresholds.low" = { values = [150.0] }'),
    "tier_thresholds.low = 150.0",
    "[0, 100]",
)
case(
    "threshold parts cross",
    varied('"tier_thresholds.low" = { values = [70.0] }'),
    "tier_thresholds.low",
    "low < high",
)
case(
    "varied month wrong",
    varied('open_weights_date = { values = ["2025-08", "soon"] }'),
    "'soon'",
    "not a month",
)

# --- [design] --------------------------------------------------------------------------
case(
    "method unknown",
    swap('method = "grid"', 'method = "factorial"'),
    "'factorial'",
    "unknown design method",
    "sobol",
)
case("method number", swap('method = "grid"', "method = 3"), "method = 3", "unknown design")
case("lhs without samples", swap('method = "grid"', 'method = "lhs"'), "needs 'samples'")
case("lhs zero samples", with_design('method = "lhs"\nsamples = 0'), "samples = 0", "[1,", line=8)
case("samples in grid", put("design", "samples = 10"), "samples = 10", "lhs design only")
case(
    "sobol negative",
    with_design('method = "sobol"\nbase_samples = -1'),
    "base_samples = -1",
    line=8,
)
case(
    "morris levels",
    with_design('method = "morris"\ntrajectories = 2\nlevels = 1'),
    "levels = 1",
    "[2, 1000]",
    line=9,
)
case(
    "second order text",
    with_design('method = "sobol"\nbase_samples = 8\nsecond_order = "yes"'),
    "second_order = 'yes'",
    "true or false",
    line=9,
)
case(
    "second order in lhs",
    with_design('method = "lhs"\nsamples = 4\nsecond_order = true'),
    "second_order",
    "sobol design only",
    line=9,
)
case("list without runs", with_design('method = "list"', var=None), "[[design.runs]]")
case(
    "list runs numbers",
    with_design('method = "list"\nruns = [1, 2]', var=None),
    "runs[0] = 1",
    "must be a table",
    line=8,
)
case(
    "list run bad value",
    with_design(LIST.replace("= 2.0", "= 19.0"), var=None),
    "runs[1].capital_concentration = 19.0",
    "[0.0, 12.0]",
    line=13,
)
case(
    "list run unknown",
    with_design(LIST.replace("capital_concentration = 2.0", "typo = 1"), var=None),
    "runs[1].typo",
    "unknown parameter",
    line=13,
)
case(
    "list labels twice",
    with_design(LIST.replace('"high"', '"low"'), var=None),
    "runs[1].label = 'low'",
    "have this label",
    line=12,
)
case(
    "list label list",
    with_design(LIST.replace('"high"', "[1]"), var=None),
    "label = [1]",
    "string",
    line=12,
)
case("list and varied", with_design(LIST), "leave [varied] empty", line=19)
case("design unknown key", put("design", "sample = 3"), "sample", "unknown key")
case(
    "lhs too many", with_design('method = "lhs"\nsamples = 20000000'), "samples = 20000000", line=8
)
case(
    "sobol too big",
    with_design('method = "sobol"\nbase_samples = 4194304'),
    "16,777,216 samples",
    "limit of 10,000,000",
    line=8,
)

# --- [outputs] -------------------------------------------------------------------------
case("country unknown", put("outputs", 'country = "XXX"'), "country = 'XXX'", "ARG, BOL")
case("country number", put("outputs", "country = 5"), "country = 5", "ISO3")
case("country lower case", put("outputs", 'country = "per"'), "'per'", "ISO3")
case("country synthetic", put("outputs", 'country = "S00000"'), "'S00000'", "ilia2024")
case(
    "default country outside synthetic",
    put("fixed", "initial = { synthetic = { n = 3 } }"),
    "country = 'PER'",
    "(the default; set [outputs] country)",
    line=None,
)
case(
    "country outside synthetic",
    put("outputs", 'country = "PER"', put("fixed", "initial = { synthetic = { n = 3 } }")[0]),
    "country = 'PER'",
    "S00000, S00001, S00002",
)
case("label bad", put("outputs", 'country_label = "Peru!"'), "'Peru!'", "lower-case")
case("years number", swap("years = [2025]", "years = 2026"), "years = 2026", "list of years")
case("years empty", swap("years = [2025]", "years = []"), "years = []", "non-empty")
case("years text", swap("years = [2025]", 'years = ["2026"]'), "'2026'", "integer")
case("years twice", swap("years = [2025]", "years = [2025, 2025]"), "2025", "listed twice")
case(
    "years outside",
    swap("years = [2025]", "years = [2040]"),
    "years = 2040",
    "December 2040 is not simulated",
    "2024 to 2025",
)
case("years ancient", swap("years = [2025]", "years = [1800]"), "1800", "[1900, 2200]")
case("metrics text", put("outputs", 'metrics = "tier_gap_end"'), "'tier_gap_end'", "list")
case("metrics empty", put("outputs", "metrics = []"), "metrics = []", "non-empty")
case("metrics unknown", put("outputs", 'metrics = ["nope"]'), "'nope'", "unknown metric")
case("metrics number", put("outputs", "metrics = [3]"), "[3]", "metric names")
case("metrics twice", put("outputs", 'metrics = ["tier_gap_end", "tier_gap_end"]'), "listed twice")
case("trajectories word", put("outputs", 'trajectories = "some"'), "'some'", "'none', 'all'")
case("trajectories negative", put("outputs", "trajectories = -1"), "= -1", "'none', 'all'")
case("trajectory every zero", put("outputs", "trajectory_every = 0"), "= 0", "[1, 1200]")
case("outputs unknown key", put("outputs", "format = 1"), "format", "unknown key")


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_experiment_file(name, tmp_path, capsys, monkeypatch):
    text, line, fragments = CASES[name]
    path = tmp_path / "bad.toml"
    path.write_text(text)
    monkeypatch.chdir(tmp_path)  # the default --out (results/<name>) must not appear
    before = sorted(p.name for p in tmp_path.iterdir())
    out = tmp_path / "out"
    code = main(["sweep", str(path), "--out", str(out), "--workers", "1", "--no-progress"])
    captured = capsys.readouterr()
    err = captured.err
    assert code == 2, (code, err, captured.out)
    assert err.count("\n") == 1, err  # one message
    assert "Traceback" not in err and "(from argument)" not in err, err
    assert str(path) in err, err
    if line is not None:
        assert f"{path}:{line}:" in err, (line, err)
    for fragment in fragments:
        assert fragment in err, (fragment, err)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_the_suite_has_at_least_120_experiment_cases():
    assert len(CASES) >= 120


def test_not_a_text_file(tmp_path, capsys):
    path = tmp_path / "binary.toml"
    path.write_bytes(b"\xff\xfe\x00binary")
    code = main(["sweep", str(path), "--out", str(tmp_path / "out"), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "not a text (UTF-8) file" in err, err
    assert not (tmp_path / "out").exists()


def test_the_run_count_is_computed_without_building_the_design(tmp_path, monkeypatch):
    """2e9 replications fail at once, and no design is built on the way."""
    import time

    from sweeps import design

    def forbidden(*args, **kwargs):
        raise AssertionError("the design was built")

    monkeypatch.setattr(design, "build_design", forbidden)
    monkeypatch.setattr(design, "sample_table", forbidden)
    path = tmp_path / "huge.toml"
    path.write_text(GOOD.replace("replications = 2", "replications = 2000000000"))
    began = time.perf_counter()
    with pytest.raises(ExperimentError, match="4,000,000,000 runs"):
        load_experiment(path)
    assert time.perf_counter() - began < 1.0


def test_a_good_file_passes(tmp_path):
    path = tmp_path / "good.toml"
    path.write_text(GOOD)
    assert load_experiment(path).name == "bad"
