"""Checking one value of an experiment file, and errors that say where it came from.

Every value is checked against the model's parameter declarations
(``model.parameters.PARAMETERS``); an error names the file, the line, the key, the value
and what is allowed (:class:`ExperimentError`).
"""

from __future__ import annotations

import re
from typing import Any

from model.parameters import BY_NAME, validate_value

#: Components of ``tier_thresholds`` that a sweep can vary as numbers.
THRESHOLD_PARTS = {"tier_thresholds.low": 0, "tier_thresholds.high": 1}


class ExperimentError(ValueError):
    """A bad experiment file: the message names the file, line, key, value and what is allowed."""


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


#: Passed as the value to :meth:`ErrorContext.error` when the message shows no value.
MISSING = object()


class ErrorContext:
    """Where values come from: builds error messages with file, line, key and value."""

    def __init__(self, text: str, path: str) -> None:
        self.text, self.path = text, path

    def error(self, table: str, key: str, value: Any, problem: str) -> ExperimentError:
        """The error for ``[table] key = value``: ``problem`` says what is wrong or allowed."""
        line = key_line(self.text, table, key) if self.text else None
        where = f"{self.path}:{line}" if line else self.path
        shown = f" = {value!r}" if value is not MISSING else ""
        return ExperimentError(f"{where}: [{table}] {key}{shown}: {problem}")

    def origin(self, table: str, key: str) -> str:
        """``path, line n`` of ``[table] key`` (the path alone when the line is unknown)."""
        line = key_line(self.text, table, key) if self.text else None
        return f"{self.path}, line {line}" if line else self.path


def normalise_value(name: str, value: Any) -> Any:
    """TOML has no null: the string ``"none"`` means None for months and policies."""
    if (
        isinstance(value, str)
        and value.lower() == "none"
        and name in ("open_weights_date", "policies", "start")
    ):
        return None
    return value


def check_value(ctx: ErrorContext, table: str, key: str, name: str, value: Any) -> Any:
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
            MISSING,
            f"unknown parameter {name!r}; known: {', '.join(sorted([*BY_NAME, *THRESHOLD_PARTS]))}",
        )
    if name == "initial":
        return check_initial(ctx, table, key, value)
    spec = BY_NAME[name]
    if spec.numeric:
        unit = "dimensionless" if spec.unit in ("", "-") else spec.unit
        allowed = f"[{spec.low}, {spec.high}] ({unit})"
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ctx.error(table, key, value, f"must be a number in {allowed}")
        if not spec.low <= value <= spec.high:
            raise ctx.error(table, key, value, f"is outside the allowed range {allowed}")
    try:
        validate_value(name, normalise_value(name, value), ctx.origin(table, key))
    except ValueError as exc:
        raise ctx.error(table, key, value, f"{exc}; allowed: {spec.kind}") from None
    if BY_NAME[name].numeric and isinstance(value, int | float):
        return float(value) if BY_NAME[name].kind == "float" else int(value)
    return value


def check_initial(ctx: ErrorContext, table: str, key: str, value: Any) -> Any:
    """``initial``: an initial-state name or ``{synthetic = {n = 185, spread = 0.01, ...}}``."""
    from model.builder import INITIAL_NAMES
    from model.synthetic import TEMPLATE, synthetic_world

    if isinstance(value, str):
        if value not in INITIAL_NAMES:
            raise ctx.error(
                table, key, value, f"allowed: {list(INITIAL_NAMES)} or {{synthetic = ...}}"
            )
        return value
    if (
        isinstance(value, dict)
        and set(value) == {"synthetic"}
        and isinstance(value["synthetic"], dict)
    ):
        allowed = {"n", "spread", "distribution", "rng", *TEMPLATE}
        unknown = set(value["synthetic"]) - allowed
        if unknown:
            raise ctx.error(
                table,
                key,
                value,
                f"unknown synthetic keys {sorted(unknown)}; allowed: {sorted(allowed)}",
            )
        options = dict(value["synthetic"])
        try:
            synthetic_world(options.pop("n", 185), **options)
        except (TypeError, ValueError) as exc:
            raise ctx.error(table, key, value, str(exc)) from None
        return value
    if hasattr(value, "columns"):  # a DataFrame given from Python
        return value
    raise ctx.error(table, key, value, "must be an ILIA edition name or {synthetic = {n = ...}}")


def check_number(
    ctx: ErrorContext,
    table: str,
    key: str,
    value: Any,
    low: float | None = None,
    high: float | None = None,
    integer: bool = False,
) -> Any:
    """A setting of the experiment (not a model parameter): a number, optionally in [low, high]."""
    kind = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind):
        raise ctx.error(table, key, value, f"must be {'an integer' if integer else 'a number'}")
    if (low is not None and value < low) or (high is not None and value > high):
        noun = "an integer" if integer else "a number"
        if high is None:
            allowed = f"must be {noun} >= {low}"
        elif low is None:
            allowed = f"must be {noun} <= {high}"
        else:
            allowed = f"must be {noun} in [{low}, {high}]"
        raise ctx.error(table, key, value, allowed)
    return value
