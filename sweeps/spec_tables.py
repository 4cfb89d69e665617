"""The ``[varied]``, ``[design]`` and ``[outputs]`` tables: their types and their parsing.

::

    [design]      method = "grid" | "list" | "lhs" | "sobol" | "morris" and its sizes
    [varied]      parameter = {values = [...]} | {low, high[, steps]} | {distribution, ...}
    [outputs]     country, years, metrics, trajectories, trajectory_every

Each ``parse_*`` function validates one table into a frozen dataclass; errors name the
file, line, key and value (:mod:`sweeps.spec_values`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from model.parameters import BY_NAME
from sweeps.spec_values import (
    MISSING,
    THRESHOLD_PARTS,
    ErrorContext,
    check_flag,
    check_number,
    check_text,
    check_value,
    key_line,
)

DESIGN_METHODS = ("grid", "list", "lhs", "sobol", "morris")
DISTRIBUTIONS = ("uniform", "loguniform", "normal", "triangular")
DESIGN_KEYS = (
    "method",
    "samples",
    "base_samples",
    "second_order",
    "trajectories",
    "levels",
    "runs",
)
OUTPUT_KEYS = (
    "country", "country_label", "years", "metrics", "trajectories", "trajectory_every",
    "expressions",
)  # fmt: skip
#: The keys each distribution of a ``[varied]`` entry takes (besides ``distribution``).
DISTRIBUTION_KEYS = {
    "uniform": ("low", "high", "steps"),
    "loguniform": ("low", "high"),
    "normal": ("low", "high", "mean", "sd"),
    "triangular": ("low", "high", "mode"),
}
#: The design methods each ``[design]`` key applies to.
DESIGN_KEY_METHODS = {
    "samples": ("lhs",),
    "base_samples": ("sobol",),
    "second_order": ("sobol",),
    "trajectories": ("morris",),
    "levels": ("morris",),
    "runs": ("list",),
}
#: Most Morris levels and most steps of one grid variable.
MAX_LEVELS, MAX_STEPS = 1000, 10_000_000
COUNTRY_PATTERN = re.compile(r"[A-Z][A-Z0-9]{2,7}")
LABEL_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")


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

    def grid_size(self) -> int:
        """How many values a full grid takes (without building them)."""
        return len(self.values) if self.values is not None else (self.steps or 1)

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
    expressions: tuple = ()  # user-defined metrics (sweeps.expressions)
    years_given: bool = False  # years set in the file (checked against the calendar)


def _repeated(values) -> Any:
    """The first value that occurs twice in ``values`` (MISSING: none does)."""
    seen = set()
    for value in values:
        key = json.dumps(value, sort_keys=True, default=str)
        if key in seen:
            return value
        seen.add(key)
    return MISSING


def parse_variable(ctx: ErrorContext, name: str, spec: Any) -> Variable:
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
    known = {"values", "distribution", "low", "high", "steps", "mean", "sd", "mode"}
    unknown = set(spec) - known
    if unknown:
        raise ctx.error(
            "varied", name, spec, f"unknown keys {sorted(unknown)}; allowed: {sorted(known)}"
        )
    if name not in BY_NAME and name not in THRESHOLD_PARTS:
        check_value(ctx, "varied", name, name, None)  # raises: unknown parameter
    if "values" in spec:
        if set(spec) != {"values"}:
            extra = sorted(set(spec) - {"values"})
            raise ctx.error(
                "varied", name, spec, f"give either 'values' or a range, not both ({extra})"
            )
        values = spec["values"]
        if not isinstance(values, list) or not values:
            raise ctx.error("varied", name, values, "'values' must be a non-empty list")
        checked = tuple(check_value(ctx, "varied", name, name, v) for v in values)
        repeated = _repeated(checked)
        if repeated is not MISSING:
            raise ctx.error("varied", name, repeated, "is listed twice in 'values'")
        return Variable(name, values=checked)
    numeric = name in THRESHOLD_PARTS or BY_NAME[name].numeric
    if not numeric:
        raise ctx.error("varied", name, spec, f"a {BY_NAME[name].kind} parameter needs 'values'")
    distribution = spec.get("distribution", "uniform")
    if not isinstance(distribution, str) or distribution not in DISTRIBUTIONS:
        raise ctx.error(
            "varied",
            f"{name}.distribution",
            distribution,
            f"unknown distribution; allowed: {', '.join(DISTRIBUTIONS)}",
        )
    takes = DISTRIBUTION_KEYS[distribution]
    extra = sorted(set(spec) - {"distribution", *takes})
    if extra:
        raise ctx.error(
            "varied",
            f"{name}.{extra[0]}",
            spec[extra[0]],
            f"a {distribution} distribution takes only {', '.join(takes)}",
        )
    declared = BY_NAME.get(name)
    low = spec.get("low", declared.low if declared else 0.0)
    high = spec.get("high", declared.high if declared else 100.0)
    low = check_value(ctx, "varied", f"{name}.low", name, low)
    high = check_value(ctx, "varied", f"{name}.high", name, high)
    steps = spec.get("steps")
    if steps is not None:
        check_number(ctx, "varied", f"{name}.steps", steps, 1, MAX_STEPS, integer=True)
    if not low < high and not (steps == 1 and low == high):
        raise ctx.error("varied", name, spec, f"needs low < high (low = {low}, high = {high})")
    extra = {}
    if distribution == "normal":
        for part in ("mean", "sd"):
            if part not in spec:
                raise ctx.error(
                    "varied",
                    name,
                    spec,
                    "a normal distribution needs 'mean' and 'sd' "
                    "(truncated to low-high, by default the declared range)",
                )
        mean = check_number(ctx, "varied", f"{name}.mean", spec["mean"], low, high)
        sd = check_number(ctx, "varied", f"{name}.sd", spec["sd"], 1e-12, 1e12)
        extra = {"mean": float(mean), "sd": float(sd)}
    if distribution == "triangular":
        if "mode" not in spec:
            raise ctx.error("varied", name, spec, "a triangular distribution needs 'mode'")
        extra = {
            "mode": float(check_number(ctx, "varied", f"{name}.mode", spec["mode"], low, high))
        }
    if distribution == "loguniform" and low <= 0:
        raise ctx.error("varied", f"{name}.low", low, "a loguniform range needs low > 0")
    return Variable(name, None, distribution, float(low), float(high), steps, **extra)


def _runs_line(ctx: ErrorContext, index: int, key: str | None = None) -> int | None:
    """Line of ``key`` (None: the header) in the index-th ``[[design.runs]]`` table."""
    if not ctx.text:
        return None
    block, header = -1, None
    pattern = re.compile(rf"^\s*(\"?){re.escape(key or '')}\1\s*[.=]") if key else None
    for number, line in enumerate(ctx.text.splitlines(), start=1):
        if re.match(r"^\s*\[", line):
            inside = re.match(r"^\s*\[\[\s*design\.runs\s*\]\]", line) is not None
            block += inside
            if not inside and block >= index:
                break
            if inside and block == index:
                header = number
            continue
        if block == index and pattern and pattern.match(line):
            return number
    return header


def parse_runs(ctx: ErrorContext, runs: Any) -> tuple[dict[str, Any], ...]:
    """``[[design.runs]]``: tables of parameter values (and an optional ``label``)."""
    if runs is None:
        raise ctx.error("design", "method", "list", "the list design needs [[design.runs]] tables")
    if not isinstance(runs, list) or not runs:
        raise ctx.error("design", "runs", runs, "the list design needs [[design.runs]] tables")
    checked = []
    for index, run in enumerate(runs):
        if not isinstance(run, dict):
            raise ctx.error(
                "design",
                f"runs[{index}]",
                run,
                "each [[design.runs]] entry must be a table of parameter = value",
                line=_runs_line(ctx, index) or key_line(ctx.text, "design", "runs"),
            )
        values = {}
        for key, value in run.items():
            where = _runs_line(ctx, index, key)
            if key == "label":
                if isinstance(value, bool) or not isinstance(value, str | int):
                    raise ctx.error(
                        "design", f"runs[{index}].label", value, "must be a string", line=where
                    )
                values[key] = value
                continue
            values[key] = check_value(ctx.at(where), "design", f"runs[{index}].{key}", key, value)
        checked.append(values)
    seen: dict[str, int] = {}
    for index, run in enumerate(checked):
        if "label" not in run:
            continue
        label = str(run["label"])
        if label in seen:
            raise ctx.error(
                "design",
                f"runs[{index}].label",
                label,
                f"two [[design.runs]] have this label (runs[{seen[label]}] too)",
                line=_runs_line(ctx, index, "label"),
            )
        seen[label] = index
    return tuple(checked)


def parse_design(ctx: ErrorContext, data: dict) -> Design:
    """The ``[design]`` table: method and its sizes."""
    unknown = set(data) - set(DESIGN_KEYS)
    if unknown:
        key = sorted(unknown)[0]
        raise ctx.error("design", key, data[key], f"unknown key; allowed: {', '.join(DESIGN_KEYS)}")
    method = data.get("method", "grid")
    if not isinstance(method, str) or method not in DESIGN_METHODS:
        raise ctx.error(
            "design",
            "method",
            method,
            f"unknown design method; allowed: {', '.join(DESIGN_METHODS)}",
        )
    for key, methods in DESIGN_KEY_METHODS.items():
        if key in data and method not in methods:
            raise ctx.error(
                "design",
                key,
                data[key],
                f"applies to the {' or '.join(methods)} design only (method = {method!r})",
            )
    sizes = {}
    for key in ("samples", "base_samples", "trajectories"):
        if key in data:
            sizes[key] = check_number(ctx, "design", key, data[key], 1, MAX_STEPS, integer=True)
    needed = {"lhs": "samples", "sobol": "base_samples", "morris": "trajectories"}.get(method)
    if needed and needed not in sizes:
        raise ctx.error("design", "method", method, f"the {method} design needs '{needed}'")
    levels = check_number(
        ctx, "design", "levels", data.get("levels", 4), 2, MAX_LEVELS, integer=True
    )
    second = check_flag(ctx, "design", "second_order", data.get("second_order", True))
    runs: tuple = ()
    if method == "list":
        runs = parse_runs(ctx, data.get("runs"))
    return Design(method, second_order=second, levels=levels, runs=runs, **sizes)


def parse_outputs(ctx: ErrorContext, data: dict) -> Outputs:
    """The ``[outputs]`` table (the country is checked against the initial state by
    :func:`sweeps.spec.experiment_from_dict`)."""
    unknown = set(data) - set(OUTPUT_KEYS)
    if unknown:
        key = sorted(unknown)[0]
        raise ctx.error(
            "outputs", key, data[key], f"unknown key; allowed: {', '.join(OUTPUT_KEYS)}"
        )
    country = check_text(
        ctx, "outputs", "country", data.get("country", "PER"), COUNTRY_PATTERN, "an ISO3 code"
    )
    label = check_text(
        ctx,
        "outputs",
        "country_label",
        data.get("country_label", "peru" if country == "PER" else country.lower()),
        LABEL_PATTERN,
        "a lower-case name for metric columns (letters, digits, _; e.g. 'peru')",
    )
    years = data.get("years", (2028, 2030, 2035))
    if not isinstance(years, list | tuple) or not years:
        raise ctx.error("outputs", "years", years, "must be a non-empty list of years, e.g. [2030]")
    for year in years:
        check_number(ctx, "outputs", "years", year, 1900, 2200, integer=True)
    repeated = _repeated(years)
    if repeated is not MISSING:
        raise ctx.error("outputs", "years", repeated, "is listed twice")
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
    every = check_number(
        ctx,
        "outputs",
        "trajectory_every",
        data.get("trajectory_every", 1),
        1,
        1200,
        integer=True,
    )
    metrics = data.get("metrics")
    if metrics is not None:
        if (
            not isinstance(metrics, list)
            or not metrics
            or not all(isinstance(m, str) and m for m in metrics)
        ):
            raise ctx.error(
                "outputs", "metrics", metrics, "must be a non-empty list of metric names"
            )
        repeated = _repeated(metrics)
        if repeated is not MISSING:
            raise ctx.error("outputs", "metrics", repeated, "is listed twice")
    from sweeps.expressions import ExpressionError, parse_expression_metrics

    try:
        expressions = parse_expression_metrics(data.get("expressions"))
    except ExpressionError as exc:
        raise ctx.error("outputs", "expressions", data.get("expressions"), str(exc)) from None
    return Outputs(
        country,
        label,
        tuple(years),
        tuple(metrics) if metrics else None,
        trajectories,
        every,
        expressions=expressions,
        years_given="years" in data,
    )
