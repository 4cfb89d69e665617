"""Checking one value of an experiment file, and errors that say where it came from.

Every value is checked against the model's parameter declarations
(``model.parameters.PARAMETERS``); an error names the file, the line, the key, the value
and what is allowed (:class:`ExperimentError`).
"""

from __future__ import annotations

import math
import re
from typing import Any

from model.parameters import BY_NAME, validate_value

#: Components of ``tier_thresholds`` that a sweep can vary as numbers.
THRESHOLD_PARTS = {"tier_thresholds.low": 0, "tier_thresholds.high": 1}
#: Most runs in one batch (memory grows with runs x months x countries).
MAX_BATCH_SIZE = 16_384
#: An experiment name: one folder name under results/ (no path separators, no leading dot).
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


class ExperimentError(ValueError):
    """A bad experiment file: the message names the file, line, key, value and what is allowed."""


def key_line(text: str, table: str, key: str) -> int | None:
    """Line number (1-based) where ``key`` is set under ``[table]`` in TOML ``text``
    (``table`` "": a key before the first table header)."""
    current = ""
    head = key.split(".")[0]
    quoted = re.compile(rf"^\s*\"{re.escape(key)}\"\s*=")  # "tier_thresholds.low" = ...
    pattern = re.compile(rf"^\s*(\"?){re.escape(head)}\1\s*[.=]")
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?", line)
        if header:
            current = header.group(1).split(".")[0]
            if current == table and key == "":
                return number
            continue
        if current == table and (pattern.match(line) or quoted.match(line)):
            return number
    return None


#: Passed as the value to :meth:`ErrorContext.error` when the message shows no value.
MISSING = object()


class ErrorContext:
    """Where values come from: builds error messages with file, line, key and value."""

    def __init__(self, text: str, path: str, line: int | None = None) -> None:
        self.text, self.path, self.line = text, path, line

    def at(self, line: int | None) -> ErrorContext:
        """The same context, its errors placed at ``line`` (keys its lookup cannot find)."""
        return ErrorContext(self.text, self.path, line) if line else self

    def error(
        self, table: str, key: str, value: Any, problem: str, line: int | None = None
    ) -> ExperimentError:
        """The error for ``[table] key = value``: ``problem`` says what is wrong or allowed
        (``table`` "": a top-level key; ``line``: when the key's own lookup cannot find it)."""
        line = line or self.line
        if line is None and self.text:
            line = key_line(self.text, table, key)
        where = f"{self.path}:{line}" if line else self.path
        shown = f" = {value!r}" if value is not MISSING else ""
        name = f"[{table}] {key}" if table else key
        return ExperimentError(f"{where}: {name.rstrip()}{shown}: {problem}")

    def origin(self, table: str, key: str) -> str:
        """``path, line n`` of ``[table] key`` (the path alone when the line is unknown)."""
        line = self.line or (key_line(self.text, table, key) if self.text else None)
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
    origin = ctx.origin(table, key)
    try:
        validate_value(name, normalise_value(name, value), origin)
    except ValueError as exc:
        raise ctx.error(table, key, value, _model_problem(str(exc), name, value, origin)) from None
    if BY_NAME[name].numeric and isinstance(value, int | float):
        return float(value) if BY_NAME[name].kind == "float" else int(value)
    return value


#: ``initial = {synthetic = {...}}`` options: (low, high, integer).
SYNTHETIC_OPTIONS = {"n": (1, 10_000, True), "spread": (0, 5, False), "rng": (0, None, True)}
SYNTHETIC_DISTRIBUTIONS = ("identical", "lognormal")


def _model_problem(message: str, name: str, value: Any, origin: str) -> str:
    """A message of ``model.parameters`` without what the file's message already says
    (the parameter, its value and where it came from)."""
    message = message.replace(f" (from {origin})", "")
    for shown in (f"{name}={value!r} ", f"{name}={normalise_value(name, value)!r} "):
        if message.startswith(shown):
            return message[len(shown) :]
    return message


def check_initial(ctx: ErrorContext, table: str, key: str, value: Any) -> Any:
    """``initial``: an initial-state name or ``{synthetic = {n = 185, spread = 0.01, ...}}``."""
    from model.initial_state import INITIAL_NAMES
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
        options = value["synthetic"]
        allowed = {"n", "spread", "distribution", "rng", *TEMPLATE}
        unknown = set(options) - allowed
        if unknown:
            raise ctx.error(
                table,
                key,
                value,
                f"unknown synthetic keys {sorted(unknown)}; allowed: {sorted(allowed)}",
            )
        for option, (low, high, integer) in SYNTHETIC_OPTIONS.items():
            if option in options:
                check_number(
                    ctx, table, f"{key}.synthetic.{option}", options[option], low, high, integer
                )
        if options.get("distribution", "identical") not in SYNTHETIC_DISTRIBUTIONS:
            raise ctx.error(
                table,
                f"{key}.synthetic.distribution",
                options["distribution"],
                f"allowed: {', '.join(map(repr, SYNTHETIC_DISTRIBUTIONS))}",
            )
        options = dict(options)
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
    """A setting of the experiment (not a model parameter): a finite number (an integer if
    ``integer``), optionally in [low, high]."""
    kind = int if integer else (int, float)
    noun = "an integer" if integer else "a finite number"
    if high is None:
        allowed = f"must be {noun}" + ("" if low is None else f" >= {low}")
    elif low is None:
        allowed = f"must be {noun} <= {high}"
    else:
        allowed = f"must be {noun} in [{low}, {high}]"
    if isinstance(value, bool) or not isinstance(value, kind):
        raise ctx.error(table, key, value, allowed)
    if not math.isfinite(value):
        raise ctx.error(table, key, value, allowed)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ctx.error(table, key, value, allowed)
    return value


def check_text(
    ctx: ErrorContext,
    table: str,
    key: str,
    value: Any,
    pattern: re.Pattern | None = None,
    allowed: str = "a string",
) -> str:
    """A string setting, optionally matching ``pattern`` (``allowed`` says what is)."""
    if not isinstance(value, str) or (pattern is not None and not pattern.fullmatch(value)):
        raise ctx.error(table, key, value, f"must be {allowed}")
    return value


def check_flag(ctx: ErrorContext, table: str, key: str, value: Any) -> bool:
    """A true/false setting."""
    if not isinstance(value, bool):
        raise ctx.error(table, key, value, "must be true or false")
    return value


def check_batch_size(value: Any, origin: str = "batch_size") -> int:
    """A batch size given from Python or the command line: an integer in [1, MAX]."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_BATCH_SIZE:
        raise ExperimentError(f"{origin} = {value!r}: must be an integer in [1, {MAX_BATCH_SIZE}]")
    return value


def known_countries(initial: Any) -> tuple[str, ...]:
    """ISO3 codes of the countries an initial state holds (an ILIA edition: the
    countries of ``model.data``; a synthetic region: its codes; a table: its iso3)."""
    if isinstance(initial, str):
        from model.data import ILIA_COUNTRIES

        return tuple(ILIA_COUNTRIES)
    from sweeps.initial import resolve_initial

    table = resolve_initial(initial)
    return tuple(str(code) for code in table["iso3"])
