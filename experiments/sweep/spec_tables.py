"""The ``[varied]``, ``[design]`` and ``[outputs]`` tables: their types and their parsing.

::

    [design]      method = "grid" | "list" | "lhs" | "sobol" | "morris" and its sizes
    [varied]      parameter = {values = [...]} | {low, high[, steps]} | {distribution, ...}
    [outputs]     country, years, metrics, trajectories, trajectory_every

Each ``parse_*`` function validates one table into a frozen dataclass; errors name the
file, line, key and value (:mod:`experiments.sweep.spec_values`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from experiments.sweep.spec_values import (
    THRESHOLD_PARTS,
    ErrorContext,
    check_number,
    check_value,
)
from model.parameters import BY_NAME

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
    expressions: tuple = ()  # user-defined metrics (experiments.sweep.expressions)


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
        check_number(ctx, "varied", name, spec["sd"], low=1e-12)
    if distribution == "triangular":
        extra = {"mode": float(check_number(ctx, "varied", name, spec.get("mode"), low, high))}
    if distribution == "loguniform" and low <= 0:
        raise ctx.error("varied", name, spec, "a loguniform range needs low > 0")
    steps = spec.get("steps")
    if steps is not None:
        check_number(ctx, "varied", name, steps, low=1, integer=True)
    return Variable(name, None, distribution, float(low), float(high), steps, **extra)


def parse_design(ctx: ErrorContext, data: dict) -> Design:
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
            sizes[key] = check_number(ctx, "design", key, data[key], low=1, integer=True)
    needed = {"lhs": "samples", "sobol": "base_samples", "morris": "trajectories"}.get(method)
    if needed and needed not in sizes:
        raise ctx.error("design", "method", method, f"the {method} design needs '{needed}'")
    levels = check_number(ctx, "design", "levels", data.get("levels", 4), low=2, integer=True)
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


def parse_outputs(ctx: ErrorContext, data: dict) -> Outputs:
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
        check_number(ctx, "outputs", "years", year, 1900, 2200, integer=True)
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
        ctx, "outputs", "trajectory_every", data.get("trajectory_every", 1), low=1, integer=True
    )
    metrics = data.get("metrics")
    if metrics is not None and (not isinstance(metrics, list) or not metrics):
        raise ctx.error("outputs", "metrics", metrics, "must be a non-empty list of metric names")
    from experiments.sweep.expressions import ExpressionError, parse_expression_metrics

    try:
        expressions = parse_expression_metrics(data.get("expressions"))
    except ExpressionError as exc:
        raise ctx.error("outputs", "expressions", data.get("expressions"), str(exc)) from None
    return Outputs(
        country, label, years, tuple(metrics) if metrics else None, trajectories, every,
        expressions,
    )  # fmt: skip
