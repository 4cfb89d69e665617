"""Scenario files: model parameters saved as TOML and read back, validated.

The format is one ``[parameters]`` table whose keys are parameter names of
:data:`model.parameters.PARAMETERS` and whose values are TOML values::

    [parameters]
    end = "2030-12"
    capital_concentration = 1.5
    open_weights_date = "2025-08"
    policies = { PER = "production_platform" }

``latam-ai run --scenario FILE``, the dashboard and sweeps (``[fixed]`` takes the same keys)
read it. Errors name the file, the line of the key, the value and what is allowed.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from model.parameters import BY_NAME, validate_value

TABLE = "parameters"


class ScenarioError(ValueError):
    """A scenario file that cannot be read; the message names file, line and key."""


def _key_line(text: str, key: str) -> int | None:
    """Line (1-based) where ``key`` is assigned inside the ``[parameters]`` table."""
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped.strip("[] ") == TABLE
            continue
        if inside and stripped.split("=", 1)[0].strip().strip('"') == key:
            return number
    return None


def load_scenario(path: str | Path) -> dict[str, Any]:
    """The parameters of a scenario file, each validated (values as given, not normalised).

    Raises :class:`ScenarioError` naming the file (and line) for unreadable TOML, a missing
    ``[parameters]`` table, an unknown key or a value outside its declared range.
    """
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read the scenario file ({exc.strerror})") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None
    extra = sorted(set(document) - {TABLE})
    if TABLE not in document or not isinstance(document[TABLE], Mapping) or extra:
        raise ScenarioError(
            f"{path}: a scenario file holds one [{TABLE}] table of model parameters"
            + (f"; found {extra}" if extra else "")
        )
    values = dict(document[TABLE])
    for key, value in values.items():
        line = _key_line(text, key)
        origin = f"{path}:{line}" if line else str(path)
        if key not in BY_NAME:
            raise ScenarioError(
                f"{origin}: unknown parameter {key!r}; known: {', '.join(sorted(BY_NAME))}"
            )
        try:
            validate_value(key, value, origin)
        except ValueError as exc:
            raise ScenarioError(str(exc)) from None
    return values


def _toml_value(value: Any) -> str:
    """One value in TOML syntax (strings, numbers, booleans, lists, inline tables)."""
    if isinstance(value, pd.Period):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(float(value)) if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise ScenarioError(f"cannot write {value!r} ({type(value).__name__}) to a scenario file")


def _plan(plan: Any) -> Any:
    """A validated policy plan in the shortest TOML form: a strategy name, or a list of
    (start, strategy[, budget]) entries; unset parts are left out."""
    if isinstance(plan, str):
        return plan
    entries = []
    for start, name, budget in plan:
        if start is None and budget is None and len(plan) == 1:
            return name
        entry = {"strategy": name}
        entry |= {} if start is None else {"start": start}
        entry |= {} if budget is None else {"budget": budget}
        entries.append(entry)
    return entries


def scenario_text(params: Mapping[str, Any]) -> str:
    """A scenario file's text for ``params`` (parameter name -> value); ``None`` values
    (a default month, no release) are written as the string ``"none"`` where the parameter
    accepts it and left out otherwise."""
    lines = [f"[{TABLE}]"]
    for name, value in params.items():
        if name not in BY_NAME:
            raise ScenarioError(f"unknown parameter {name!r}; known: {', '.join(sorted(BY_NAME))}")
        if value is None or (BY_NAME[name].kind == "months" and value == ()):
            if BY_NAME[name].kind == "months":
                lines.append(f'{name} = "none"')
            continue
        if name == "policies":
            value = {iso3: _plan(plan) for iso3, plan in value.items()}
        lines.append(f"{name} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def save_scenario(params: Mapping[str, Any], path: str | Path) -> Path:
    """Write ``params`` as a scenario file that :func:`load_scenario` reads back."""
    path = Path(path)
    path.write_text(scenario_text(params))
    return path
