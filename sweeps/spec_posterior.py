"""The ``[posterior]`` table: parameter sets drawn from a calibration posterior.

::

    [posterior]
    file = "posterior.csv"   # relative to the experiment file; default: the committed
                             # data/calibration/posterior.csv (found through model.data)
    draws = 200              # the first `draws` rows of the file, in file order

Every design point (scenario) is crossed with the first ``draws`` rows of the file
(deterministic: no resampling); the file's columns set those parameters in every run of
that draw. Replications apply per (scenario, draw), and a run's random stream depends on
(draw, replication) only, so scenarios are compared with common random numbers
(:mod:`sweeps.design`). The results table has a ``posterior_draw`` column (the row of the
file, 0-based).

Each column must be a numeric parameter of ``model.parameters`` (or a tier-threshold part)
that the experiment neither fixes (``[fixed]``) nor varies (``[varied]``, ``[[design.runs]]``);
every value of the rows used is validated like any value of the file.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from model.parameters import BY_NAME
from sweeps.spec_values import (
    MISSING,
    THRESHOLD_PARTS,
    ErrorContext,
    check_number,
    check_text,
    check_value,
)

#: The column of the design and results that names the posterior row of a run.
POSTERIOR_DRAW = "posterior_draw"
POSTERIOR_KEYS = ("file", "draws")
#: Where the committed posterior lives inside the data folder (``model.data.data_dir``).
DEFAULT_POSTERIOR = Path("calibration") / "posterior.csv"
#: Parameters a posterior cannot set: they shape a batch (``model.builder.SHARED``).
BATCH_SHAPING = ("initial", "start", "end", "focus")


@dataclass(frozen=True)
class Posterior:
    """The posterior rows an experiment crosses its scenarios with.

    ``columns``: the parameter names (file order); ``rows``: the first ``draws`` rows of
    the file, one tuple of floats per draw (row ``d`` of the file is draw ``d``).
    """

    file: str
    draws: int
    columns: tuple[str, ...]
    rows: tuple[tuple[float, ...], ...]


def default_posterior_file() -> Path:
    """The committed posterior (``data/calibration/posterior.csv``, DERIVED)."""
    from model.data import data_dir

    return data_dir() / DEFAULT_POSTERIOR


def _resolve(ctx: ErrorContext, data: dict, path: str) -> Path:
    if "file" not in data:
        return default_posterior_file()
    name = check_text(ctx, "posterior", "file", data["file"], allowed="a CSV file name")
    if not name.strip():
        raise ctx.error("posterior", "file", name, "must name a posterior CSV file")
    base = Path(path).parent if path not in ("<dict>", "") else Path.cwd()
    return base / name


def _read(ctx: ErrorContext, file: Path) -> tuple[list[str], list[list[str]]]:
    try:
        with file.open(newline="", encoding="utf-8") as handle:
            lines = [row for row in csv.reader(handle) if row]
    except OSError as exc:
        raise ctx.error(
            "posterior", "file", str(file), f"cannot read the posterior file ({exc.strerror})"
        ) from None
    except UnicodeDecodeError:
        raise ctx.error("posterior", "file", str(file), "not a text (UTF-8) CSV file") from None
    if not lines:
        raise ctx.error("posterior", "file", str(file), "the posterior file is empty")
    return [c.strip() for c in lines[0]], lines[1:]


def _check_column(ctx: ErrorContext, file: Path, column: str, taken: dict[str, str]) -> None:
    if column in taken:
        raise ctx.error(
            "posterior",
            "file",
            str(file),
            f"column {column!r} is also set in {taken[column]}; a parameter comes from the "
            "posterior or from the experiment, not both",
        )
    if column in THRESHOLD_PARTS:
        return
    spec = BY_NAME.get(column)
    if spec is None:
        known = sorted(n for n, p in BY_NAME.items() if p.numeric)
        raise ctx.error(
            "posterior",
            "file",
            str(file),
            f"column {column!r} is not a parameter of model.parameters; allowed: numeric "
            f"parameters ({', '.join(known)}) or {', '.join(THRESHOLD_PARTS)}",
        )
    if not spec.numeric or column in BATCH_SHAPING:
        raise ctx.error(
            "posterior",
            "file",
            str(file),
            f"column {column!r} is a {spec.kind} parameter; a posterior sets numeric "
            "parameters only",
        )


def parse_posterior(ctx: ErrorContext, data: dict, path: str, taken: dict[str, str]) -> Posterior:
    """The ``[posterior]`` table. ``taken``: parameter -> the table that already sets it
    (``[fixed]``, ``[varied]``, ``[[design.runs]]``)."""
    unknown = set(data) - set(POSTERIOR_KEYS)
    if unknown:
        key = sorted(unknown)[0]
        raise ctx.error(
            "posterior", key, data[key], f"unknown key; allowed: {', '.join(POSTERIOR_KEYS)}"
        )
    if "draws" not in data:
        raise ctx.error("posterior", "draws", MISSING, "is required: how many rows to use")
    draws = check_number(ctx, "posterior", "draws", data["draws"], 1, 10_000_000, integer=True)
    file = _resolve(ctx, data, path)
    header, lines = _read(ctx, file)
    if len(set(header)) != len(header):
        repeated = next(c for c in header if header.count(c) > 1)
        raise ctx.error("posterior", "file", str(file), f"column {repeated!r} appears twice")
    for column in header:
        _check_column(ctx, file, column, taken)
    if draws > len(lines):
        raise ctx.error(
            "posterior",
            "draws",
            draws,
            f"the posterior file {file} has {len(lines)} rows; allowed: 1 to {len(lines)}",
        )
    rows = []
    for number, line in enumerate(lines[:draws], start=2):
        if len(line) != len(header):
            raise ctx.error(
                "posterior",
                "file",
                str(file),
                f"line {number} has {len(line)} fields, the header {len(header)}",
            )
        values = []
        for column, cell in zip(header, line, strict=True):
            try:
                value = float(cell)
            except ValueError:
                value = math.nan
            if not math.isfinite(value):
                raise ctx.error(
                    "posterior",
                    "file",
                    str(file),
                    f"line {number}, column {column!r}: {cell!r} is not a finite number",
                )
            if column not in THRESHOLD_PARTS and BY_NAME[column].kind == "int":
                value = int(value) if value.is_integer() else value
            where = ErrorContext("", f"{file}, line {number}")
            values.append(float(check_value(where, "posterior", column, column, value)))
        rows.append(tuple(values))
    return Posterior(str(file), int(draws), tuple(header), tuple(rows))
