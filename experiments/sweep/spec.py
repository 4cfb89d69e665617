"""Experiments as data: a TOML file validated into an :class:`Experiment`.

A file has up to five tables (docs/SWEEPS.md gives the full reference)::

    [experiment]  name, description, seed, replications, common_random_numbers, batch_size
    [design]      method = "grid" | "list" | "lhs" | "sobol" | "morris" and its sizes
    [fixed]       parameter = value            (any parameter of model.parameters)
    [varied]      parameter = {values = [...]} | {low, high[, steps]} | {distribution, ...}
    [outputs]     country, years, metrics, trajectories, trajectory_every

Every value is checked against the model's parameter declarations
(``model.parameters.PARAMETERS``); an error names the file, the line, the key, the value
and what is allowed (:class:`ExperimentError`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model.parameters import BY_NAME, validate_value

DESIGN_METHODS = ("grid", "list", "lhs", "sobol", "morris")
DISTRIBUTIONS = ("uniform", "loguniform", "normal", "triangular")
#: Components of ``tier_thresholds`` that a sweep can vary as numbers.
THRESHOLD_PARTS = {"tier_thresholds.low": 0, "tier_thresholds.high": 1}
TABLES = ("experiment", "design", "fixed", "varied", "outputs")
EXPERIMENT_KEYS = (
    "name",
    "description",
    "seed",
    "replications",
    "common_random_numbers",
    "batch_size",
    "horizon",
)
DESIGN_KEYS = (
    "method",
    "samples",
    "base_samples",
    "second_order",
    "trajectories",
    "levels",
    "runs",
)
OUTPUT_KEYS = ("country", "country_label", "years", "metrics", "trajectories", "trajectory_every")


class ExperimentError(ValueError):
    """A bad experiment file: the message names the file, line, key, value and what is allowed."""


@dataclass(frozen=True)
class Variable:
    """A varied parameter: discrete ``values``, a ``low``-``high`` range or a distribution.

    ``name`` is a parameter of ``model.parameters`` or ``tier_thresholds.low`` / ``.high``.
    Continuous variables map a unit coordinate ``u`` in [0, 1) to a value through the
    distribution's quantile function; discrete ones pick ``values[floor(u * k)]``.
    """

    name: str
    values: tuple[Any, ...] | None = None
    distribution: str = "uniform"
    low: float | None = None
    high: float | None = None
    steps: int | None = None
    mean: float | None = None
    sd: float | None = None
    mode: float | None = None

    @property
    def numeric(self) -> bool:
        """Whether the variable takes numbers (a column of floats in the design)."""
        if self.values is None:
            return True
        return all(isinstance(v, int | float) and not isinstance(v, bool) for v in self.values)

    def grid_values(self) -> tuple[Any, ...]:
        """The values a full grid takes: the list, or ``steps`` points from low to high."""
        if self.values is not None:
            return self.values
        if self.distribution != "uniform" or self.steps is None:
            raise ValueError(f"{self.name}: a grid needs 'values' or 'low', 'high' and 'steps'")
        if self.steps == 1:
            return (self.low,)
        width = (self.high - self.low) / (self.steps - 1)
        return tuple(self.low + i * width for i in range(self.steps))


@dataclass(frozen=True)
class Design:
    """How samples are drawn. Run counts (samples before replications):
    grid: product of the value counts; list: len(runs); lhs: ``samples``;
    sobol: ``base_samples * (2 D + 2)`` with second order, else ``base_samples * (D + 2)``;
    morris: ``trajectories * (D + 1)`` (D = number of varied parameters)."""

    method: str = "grid"
    samples: int | None = None
    base_samples: int | None = None
    second_order: bool = True
    trajectories: int | None = None
    levels: int = 4
    runs: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class Outputs:
    """What each run records: summary metrics (always) and optional trajectories.

    ``trajectories``: ``"none"``, ``"all"`` or an integer k (the runs of the first k samples).
    """

    country: str = "PER"
    country_label: str = "peru"
    years: tuple[int, ...] = (2028, 2030, 2035)
    metrics: tuple[str, ...] | None = None
    trajectories: str | int = "none"
    trajectory_every: int = 1


@dataclass(frozen=True)
class Experiment:
    """A validated experiment: fixed and varied parameters, design, seeds and outputs."""

    name: str
    fixed: dict[str, Any] = field(default_factory=dict)
    varied: tuple[Variable, ...] = ()
    design: Design = Design()
    replications: int = 1
    seed: int = 0
    common_random_numbers: bool = True
    outputs: Outputs = Outputs()
    batch_size: int = 1024
    description: str = ""
    source: str = ""  # the TOML text ("" when built in Python)
    path: str = "<dict>"

    @property
    def variable_names(self) -> tuple[str, ...]:
        """Names of the varied parameters, in design column order."""
        if self.design.method == "list":
            return tuple(dict.fromkeys(k for run in self.design.runs for k in run if k != "label"))
        return tuple(v.name for v in self.varied)


def key_line(text: str, table: str, key: str) -> int | None:
    """Line number (1-based) where ``key`` is set under ``[table]`` in TOML ``text``."""
    current = None
    head = key.split(".")[0]
    pattern = re.compile(rf"^\s*(\"?){re.escape(head)}\1\s*[.=]")
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?", line)
        if header:
            current = header.group(1).split(".")[0]
            if current == table and key == "":
                return number
            continue
        if current == table and pattern.match(line):
            return number
    return None


class _Context:
    """Where values come from: builds error messages with file, line, key and value."""

    def __init__(self, text: str, path: str) -> None:
        self.text, self.path = text, path

    def error(self, table: str, key: str, value: Any, problem: str) -> ExperimentError:
        line = key_line(self.text, table, key) if self.text else None
        where = f"{self.path}:{line}" if line else self.path
        shown = f" = {value!r}" if value is not _MISSING else ""
        return ExperimentError(f"{where}: [{table}] {key}{shown}: {problem}")

    def origin(self, table: str, key: str) -> str:
        line = key_line(self.text, table, key) if self.text else None
        return f"{self.path}, line {line}" if line else self.path


_MISSING = object()


def normalise_value(name: str, value: Any) -> Any:
    """TOML has no null: the string ``"none"`` means None for months and policies."""
    if (
        isinstance(value, str)
        and value.lower() == "none"
        and name in ("open_weights_date", "policies", "start")
    ):
        return None
    return value


def check_value(ctx: _Context, table: str, key: str, name: str, value: Any) -> Any:
    """Validate one parameter value against its declaration; return the TOML value."""
    if name in THRESHOLD_PARTS:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ctx.error(table, key, value, "must be a number in [0, 100]")
        if not 0 <= value <= 100:
            raise ctx.error(table, key, value, "is outside the allowed range [0, 100]")
        return float(value)
    if name not in BY_NAME:
        raise ctx.error(
            table,
            key,
            _MISSING,
            f"unknown parameter {name!r}; known: {', '.join(sorted([*BY_NAME, *THRESHOLD_PARTS]))}",
        )
    if name == "initial":
        return check_initial(ctx, table, key, value)
    try:
        validate_value(name, normalise_value(name, value), ctx.origin(table, key))
    except ValueError as exc:
        spec = BY_NAME[name]
        allowed = f"[{spec.low}, {spec.high}] {spec.unit}" if spec.numeric else spec.kind
        raise ctx.error(table, key, value, f"{exc}; allowed: {allowed}") from None
    if BY_NAME[name].numeric and isinstance(value, int | float):
        return float(value) if BY_NAME[name].kind == "float" else int(value)
    return value


def check_initial(ctx: _Context, table: str, key: str, value: Any) -> Any:
    """``initial``: an ILIA edition name or ``{synthetic = {n = 19, spread = 0.01, ...}}``."""
    from model.initial import EDITIONS

    if isinstance(value, str):
        if value not in EDITIONS:
            raise ctx.error(table, key, value, f"allowed: {list(EDITIONS)} or {{synthetic = ...}}")
        return value
    if (
        isinstance(value, dict)
        and set(value) == {"synthetic"}
        and isinstance(value["synthetic"], dict)
    ):
        allowed = {"n", "spread", "distribution", "rng"}
        unknown = set(value["synthetic"]) - allowed
        if unknown:
            raise ctx.error(
                table,
                key,
                value,
                f"unknown synthetic keys {sorted(unknown)}; allowed: {sorted(allowed)}",
            )
        return value
    if hasattr(value, "columns"):  # a DataFrame given from Python
        return value
    raise ctx.error(table, key, value, "must be an ILIA edition name or {synthetic = {n = ...}}")


def _number(ctx, table, key, value, low=None, high=None, integer=False):
    kind = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind):
        raise ctx.error(table, key, value, f"must be {'an integer' if integer else 'a number'}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ctx.error(table, key, value, f"must be in [{low}, {high}]")
    return value


def parse_variable(ctx: _Context, name: str, spec: Any) -> Variable:
    """One ``[varied]`` entry: a list of values, or a table with values/range/distribution."""
    if isinstance(spec, list):
        spec = {"values": spec}
    if not isinstance(spec, dict):
        raise ctx.error(
            "varied",
            name,
            spec,
            "must be a list of values or a table "
            "{values = [...]}, {low, high[, steps]} or {distribution = ...}",
        )
    unknown = set(spec) - {"values", "distribution", "low", "high", "steps", "mean", "sd", "mode"}
    if unknown:
        raise ctx.error("varied", name, spec, f"unknown keys {sorted(unknown)}")
    if name not in BY_NAME and name not in THRESHOLD_PARTS:
        check_value(ctx, "varied", name, name, None)  # raises: unknown parameter
    if "values" in spec:
        values = spec["values"]
        if not isinstance(values, list) or not values:
            raise ctx.error("varied", name, values, "'values' must be a non-empty list")
        return Variable(
            name, values=tuple(check_value(ctx, "varied", name, name, v) for v in values)
        )
    numeric = name in THRESHOLD_PARTS or BY_NAME[name].numeric
    if not numeric:
        raise ctx.error("varied", name, spec, f"a {BY_NAME[name].kind} parameter needs 'values'")
    distribution = spec.get("distribution", "uniform")
    if distribution not in DISTRIBUTIONS:
        raise ctx.error(
            "varied",
            name,
            distribution,
            f"unknown distribution; allowed: {', '.join(DISTRIBUTIONS)}",
        )
    declared = BY_NAME.get(name)
    low = spec.get("low", declared.low if declared else 0.0)
    high = spec.get("high", declared.high if declared else 100.0)
    for bound in (low, high):
        check_value(ctx, "varied", name, name, bound)
    if not low < high and not (spec.get("steps") == 1 and low == high):
        raise ctx.error("varied", name, spec, "needs low < high")
    extra = {}
    if distribution == "normal":
        if "mean" not in spec or "sd" not in spec:
            raise ctx.error(
                "varied",
                name,
                spec,
                "a normal distribution needs 'mean' and 'sd' "
                "(truncated to low-high, by default the declared range)",
            )
        extra = {"mean": float(spec["mean"]), "sd": float(spec["sd"])}
        _number(ctx, "varied", name, spec["sd"], low=1e-12)
    if distribution == "triangular":
        extra = {"mode": float(_number(ctx, "varied", name, spec.get("mode"), low, high))}
    if distribution == "loguniform" and low <= 0:
        raise ctx.error("varied", name, spec, "a loguniform range needs low > 0")
    steps = spec.get("steps")
    if steps is not None:
        _number(ctx, "varied", name, steps, low=1, integer=True)
    return Variable(name, None, distribution, float(low), float(high), steps, **extra)


def parse_design(ctx: _Context, data: dict) -> Design:
    """The ``[design]`` table: method and its sizes."""
    unknown = set(data) - set(DESIGN_KEYS)
    if unknown:
        key = sorted(unknown)[0]
        raise ctx.error("design", key, data[key], f"unknown key; allowed: {', '.join(DESIGN_KEYS)}")
    method = data.get("method", "grid")
    if method not in DESIGN_METHODS:
        raise ctx.error(
            "design",
            "method",
            method,
            f"unknown design method; allowed: {', '.join(DESIGN_METHODS)}",
        )
    sizes = {}
    for key in ("samples", "base_samples", "trajectories"):
        if key in data:
            sizes[key] = _number(ctx, "design", key, data[key], low=1, integer=True)
    needed = {"lhs": "samples", "sobol": "base_samples", "morris": "trajectories"}.get(method)
    if needed and needed not in sizes:
        raise ctx.error("design", "method", method, f"the {method} design needs '{needed}'")
    levels = _number(ctx, "design", "levels", data.get("levels", 4), low=2, integer=True)
    second = data.get("second_order", True)
    if not isinstance(second, bool):
        raise ctx.error("design", "second_order", second, "must be true or false")
    runs = data.get("runs", [])
    if method == "list":
        if not isinstance(runs, list) or not runs:
            raise ctx.error("design", "runs", runs, "the list design needs [[design.runs]] tables")
        checked = []
        for run in runs:
            checked.append(
                {
                    k: v if k == "label" else check_value(ctx, "design", "runs", k, v)
                    for k, v in run.items()
                }
            )
        runs = checked
    return Design(method, second_order=second, levels=levels, runs=tuple(runs), **sizes)


def parse_outputs(ctx: _Context, data: dict) -> Outputs:
    """The ``[outputs]`` table."""
    unknown = set(data) - set(OUTPUT_KEYS)
    if unknown:
        key = sorted(unknown)[0]
        raise ctx.error(
            "outputs", key, data[key], f"unknown key; allowed: {', '.join(OUTPUT_KEYS)}"
        )
    country = data.get("country", "PER")
    if not isinstance(country, str):
        raise ctx.error("outputs", "country", country, "must be an ISO3 code")
    label = data.get("country_label", "peru" if country == "PER" else country.lower())
    years = tuple(data.get("years", (2028, 2030, 2035)))
    for year in years:
        _number(ctx, "outputs", "years", year, 1900, 2200, integer=True)
    trajectories = data.get("trajectories", "none")
    if not (
        trajectories in ("none", "all")
        or (
            isinstance(trajectories, int)
            and not isinstance(trajectories, bool)
            and trajectories >= 0
        )
    ):
        raise ctx.error(
            "outputs", "trajectories", trajectories, "allowed: 'none', 'all' or a number of samples"
        )
    every = _number(
        ctx, "outputs", "trajectory_every", data.get("trajectory_every", 1), low=1, integer=True
    )
    metrics = data.get("metrics")
    if metrics is not None and (not isinstance(metrics, list) or not metrics):
        raise ctx.error("outputs", "metrics", metrics, "must be a non-empty list of metric names")
    return Outputs(country, label, years, tuple(metrics) if metrics else None, trajectories, every)


def experiment_from_dict(data: dict, text: str = "", path: str = "<dict>") -> Experiment:
    """Validate a parsed experiment (TOML tables as dicts) into an :class:`Experiment`."""
    ctx = _Context(text, path)
    for key in data:
        if key not in TABLES:
            raise ctx.error(key, "", _MISSING, f"unknown table; allowed: {', '.join(TABLES)}")
    head = data.get("experiment", {})
    for key in head:
        if key not in EXPERIMENT_KEYS:
            raise ctx.error(
                "experiment", key, head[key], f"unknown key; allowed: {', '.join(EXPERIMENT_KEYS)}"
            )
    name = head.get("name", Path(path).stem)
    seed = _number(ctx, "experiment", "seed", head.get("seed", 0), low=0, integer=True)
    reps = _number(ctx, "experiment", "replications", head.get("replications", 1), 1, integer=True)
    batch = _number(ctx, "experiment", "batch_size", head.get("batch_size", 1024), 1, integer=True)
    crn = head.get("common_random_numbers", True)
    if not isinstance(crn, bool):
        raise ctx.error("experiment", "common_random_numbers", crn, "must be true or false")
    fixed = {k: check_value(ctx, "fixed", k, k, v) for k, v in data.get("fixed", {}).items()}
    if "horizon" in head:
        if "end" in fixed:
            raise ctx.error(
                "experiment",
                "horizon",
                head["horizon"],
                "give either horizon or [fixed] end, not both",
            )
        fixed["end"] = check_value(ctx, "experiment", "horizon", "end", head["horizon"])
    varied = tuple(parse_variable(ctx, k, v) for k, v in data.get("varied", {}).items())
    for variable in varied:
        if variable.name in fixed:
            raise ctx.error("varied", variable.name, _MISSING, "is also set in [fixed]")
    design = parse_design(ctx, data.get("design", {}))
    if design.method == "list" and varied:
        raise ctx.error(
            "varied",
            varied[0].name,
            _MISSING,
            "the list design takes its values from [[design.runs]]; leave [varied] empty",
        )
    if design.method != "list" and not varied and design.method != "grid":
        raise ctx.error("design", "method", design.method, "needs at least one [varied] parameter")
    if design.method == "grid":
        for variable in varied:
            try:
                variable.grid_values()
            except ValueError as exc:
                raise ctx.error("varied", variable.name, _MISSING, str(exc)) from None
    experiment = Experiment(
        name=name,
        fixed=fixed,
        varied=varied,
        design=design,
        replications=reps,
        seed=seed,
        common_random_numbers=crn,
        outputs=parse_outputs(ctx, data.get("outputs", {})),
        batch_size=batch,
        description=head.get("description", ""),
        source=text,
        path=path,
    )
    from experiments.sweep.design import sample_count

    if sample_count(experiment) == 0:
        raise ctx.error("design", "method", design.method, "the design is empty (no samples)")
    return experiment


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment TOML file; raises :class:`ExperimentError`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ExperimentError(f"{path}: cannot read the experiment file ({exc.strerror})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ExperimentError(f"{path}: malformed TOML: {exc}") from None
    return experiment_from_dict(data, text, str(path))
