"""User-defined summary metrics: simple expressions over the state variables at a date.

An experiment file may declare its own metrics (docs/SWEEPS.md)::

    [outputs.expressions]
    peru_lead_2030 = { expression = "research - adoption", country = "PER", date = "2030-12" }
    region_mean_gap_end = { expression = "research - adoption", reduce = "mean" }
    capital_per_gdp_top = { expression = "capital / score", reduce = "max", date = "2028-12" }

``expression`` is arithmetic over the focus countries' state variables
(:data:`VARIABLES`): numbers, the variable names, ``+ - * / **``, unary minus, parentheses
and the functions :data:`FUNCTIONS` (elementwise). It is parsed with :mod:`ast` and only
those nodes are allowed, so no other code can run. ``country`` takes one country's value;
otherwise ``reduce`` (:data:`REDUCERS`, default ``mean``; ``gini`` is
:func:`model.metrics.gini`) summarises the focus countries.
``date`` ('YYYY-MM', default: the last month) must be within every run's horizon.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from model.metrics import gini

#: State variables an expression can name (those kept in a snapshot).
VARIABLES = ("score", "tier", "governance", "adoption", "research", "enabling", "capital", "inflow")
FUNCTIONS: dict[str, Callable] = {"log": np.log, "exp": np.exp, "sqrt": np.sqrt, "abs": np.abs}
REDUCERS: dict[str, Callable] = {
    "mean": np.nanmean,
    "median": np.nanmedian,
    "min": np.nanmin,
    "max": np.nanmax,
    "sum": np.nansum,
    "std": np.nanstd,
    "gini": lambda values, axis: gini(values),  # over the last (country) axis
}
OPERATORS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
KEYS = ("expression", "country", "reduce", "date")


class ExpressionError(ValueError):
    """A user-defined metric that cannot be used; the message names it and why."""


@dataclass(frozen=True)
class ExpressionMetric:
    """One declared expression: its name, parsed tree and where it is evaluated."""

    name: str
    expression: str
    tree: ast.Expression
    country: str | None
    reduce: str
    date: str | None

    def evaluate(self, history) -> np.ndarray:
        """One value per run of a batch (``sweeps.engine.BatchHistory``)."""
        t = len(history.months) - 1
        if self.date is not None:
            period = pd.Period(self.date, "M")
            if not history.months[0] <= period <= history.months[-1]:
                return np.full(history.tiers.shape[0], np.nan)
            t = (period - history.months[0]).n
        snapshot = history.snapshots[t]
        values = _evaluate(self.tree.body, {name: snapshot[name] for name in VARIABLES})
        values = np.broadcast_to(np.asarray(values, float), snapshot["score"].shape)
        if self.country is not None:
            if self.country not in history.countries:
                return np.full(values.shape[0], np.nan)
            return values[:, history.countries.index(self.country)]
        with np.errstate(all="ignore"):
            return REDUCERS[self.reduce](values, axis=-1)


def _evaluate(node: ast.AST, names: Mapping[str, np.ndarray]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return names[node.id]
    if isinstance(node, ast.UnaryOp):
        return -_evaluate(node.operand, names)
    if isinstance(node, ast.BinOp):
        with np.errstate(all="ignore"):
            return OPERATORS[type(node.op)](
                _evaluate(node.left, names), _evaluate(node.right, names)
            )
    if isinstance(node, ast.Call):
        with np.errstate(all="ignore"):
            return FUNCTIONS[node.func.id](_evaluate(node.args[0], names))
    raise AssertionError(f"unchecked node {type(node).__name__}")  # parse() allows no other


def _check(node: ast.AST, where: str) -> None:
    """Allow only numbers, variable names, arithmetic and the listed functions."""
    allowed = f"numbers, {', '.join(VARIABLES)}, + - * / **, and {', '.join(FUNCTIONS)}(...)"
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    ):
        return
    if isinstance(node, ast.Name) and node.id in VARIABLES:
        return
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        return _check(node.operand, where)
    if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
        _check(node.left, where)
        return _check(node.right, where)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in FUNCTIONS
        and len(node.args) == 1
        and not node.keywords
    ):
        return _check(node.args[0], where)
    shown = ast.unparse(node) if hasattr(ast, "unparse") else type(node).__name__
    raise ExpressionError(f"{where}: {shown!r} is not allowed; an expression may use {allowed}")


def parse_expression_metrics(table: Any, origin: str = "[outputs.expressions]") -> tuple:
    """The declared expression metrics of an experiment's ``[outputs.expressions]`` table,
    each checked (name, keys, expression, country code, reducer, date)."""
    from model.parameters import parse_month

    if table is None:
        return ()
    if not isinstance(table, Mapping):
        raise ExpressionError(f"{origin} must be a table of name = {{ expression = ... }}")
    metrics = []
    for name, spec in table.items():
        where = f"{origin} {name}"
        if not name.isidentifier():
            raise ExpressionError(f"{where}: a metric name must be letters, digits and _")
        if isinstance(spec, str):
            spec = {"expression": spec}
        if not isinstance(spec, Mapping) or "expression" not in spec:
            raise ExpressionError(f"{where} must be {{ expression = '...', ... }}")
        unknown = sorted(set(spec) - set(KEYS))
        if unknown:
            raise ExpressionError(f"{where}: unknown key {unknown[0]!r}; allowed: {list(KEYS)}")
        text = spec["expression"]
        if not isinstance(text, str):
            raise ExpressionError(f"{where}: expression = {text!r} must be a string")
        try:
            tree = ast.parse(text, mode="eval")
        except SyntaxError as exc:
            raise ExpressionError(f"{where}: expression {text!r} is not valid: {exc.msg}") from None
        _check(tree.body, f"{where}: expression {text!r}")
        country, reduce = spec.get("country"), spec.get("reduce", "mean")
        if country is not None and (
            not isinstance(country, str) or len(country) != 3 or not country.isupper()
        ):
            raise ExpressionError(f"{where}: country = {country!r} must be an ISO3 code")
        if reduce not in REDUCERS:
            raise ExpressionError(f"{where}: reduce = {reduce!r}; allowed: {', '.join(REDUCERS)}")
        date = spec.get("date")
        if date is not None:
            try:
                date = str(parse_month(date, f"{where} date", origin))
            except ValueError as exc:
                raise ExpressionError(str(exc)) from None
        metrics.append(ExpressionMetric(name, text, tree, country, reduce, date))
    return tuple(metrics)
