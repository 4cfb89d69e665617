"""Vendored calibration data: locate, load and validate the files in ``data/``.

Every loader checks the file's schema, ISO3 codes, value ranges, duplicate keys and
missing values, and fails with a :class:`DataError` that names the file, the row (as
numbered in the file, header = line 1) and the column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

#: The 19 countries of ILIA 2024 and 2025 (ISO 3166-1 alpha-3).
# fmt: off
ILIA_COUNTRIES: tuple[str, ...] = (
    "ARG", "BOL", "BRA", "CHL", "COL", "CRI", "CUB", "DOM", "ECU", "SLV",
    "GTM", "HND", "JAM", "MEX", "PAN", "PRY", "PER", "URY", "VEN",
)
# fmt: on
FLAGS = ("SEEN", "DERIVED", "ESTIMATE", "UNVERIFIED", "")


class DataError(ValueError):
    """A data file breaks its schema; the message names file, row and column."""


def data_dir() -> Path:
    """The folder holding the vendored CSV files: the package's ``_data`` in an installed
    wheel (found through ``importlib.resources``), else the repository's ``data/``; so
    every command works from any directory."""
    packaged = Path(str(resources.files("model") / "_data"))
    for candidate in (packaged, Path(__file__).resolve().parent.parent / "data"):
        if (candidate / "ilia_overall.csv").exists():
            return candidate
    raise DataError(f"no data folder with ilia_overall.csv in {packaged} or the repository")


@dataclass(frozen=True)
class Column:
    """Schema of one column: its type, range, whether blanks are allowed."""

    name: str
    kind: str  # "iso3", "int", "float", "str", "flag"
    low: float | None = None
    high: float | None = None
    required: bool = True


SCHEMAS: dict[str, tuple[tuple[Column, ...], tuple[str, ...]]] = {
    # file: (columns, key columns that must be unique)
    "ilia_overall.csv": (
        (
            Column("edition", "int", 2023, 2025),
            Column("iso3", "iso3"),
            Column("country", "str"),
            Column("overall", "float", 0, 100),
            Column("tier_published", "str", required=False),
            Column("flag", "flag"),
            Column("source", "str"),
        ),
        ("edition", "iso3"),
    ),
    "ilia_dimensions.csv": (
        (
            Column("iso3", "iso3"),
            Column("edition", "int", 2023, 2025),
            Column("enabling", "float", 0, 100, required=False),
            Column("enabling_flag", "flag", required=False),
            Column("rd_adoption", "float", 0, 100, required=False),
            Column("rd_adoption_flag", "flag", required=False),
            Column("governance", "float", 0, 100, required=False),
            Column("governance_flag", "flag", required=False),
            Column("source", "str"),
        ),
        ("iso3", "edition"),
    ),
    "gairi.csv": (
        (
            Column("iso3", "iso3"),
            Column("edition", "int", 2019, 2030),
            Column("total", "float", 0, 100),
            Column("government", "float", 0, 100, required=False),
            Column("technology_sector", "float", 0, 100, required=False),
            Column("data_infrastructure", "float", 0, 100, required=False),
            Column("flag", "flag"),
            Column("source", "str"),
        ),
        ("iso3", "edition"),
    ),
    "ai_investment.csv": (
        (
            Column("iso3", "iso3"),
            Column("year", "int", 2010, 2030),
            Column("private_ai_investment_usd_m", "float", 0, 1e7),
            Column("flag", "flag"),
            Column("note", "str", required=False),
            Column("source", "str"),
        ),
        ("iso3", "year"),
    ),
    "macro.csv": (
        (
            Column("iso3", "iso3"),
            Column("country", "str"),
            Column("gdp_usd_bn", "float", 0, 1e5),
            Column("gdp_year", "int", 1990, 2030),
            Column("population_m", "float", 0, 2e3),
            Column("population_year", "int", 1990, 2030),
            Column("gdp_flag", "flag"),
            Column("note", "str", required=False),
        ),
        ("iso3",),
    ),
    "rd_spending.csv": (
        (
            Column("iso3", "iso3"),
            Column("year", "int", 1990, 2030),
            Column("indicator", "str"),
            Column("scope", "str"),
            Column("pct_gdp", "float", 0, 10),
            Column("amount", "str", required=False),
            Column("flag", "flag"),
            Column("source", "str"),
        ),
        ("iso3", "year", "indicator"),
    ),
    # --- the world (data/world/README.md): every country with readiness and GDP data ---
    "world/gairi_2024.csv": (
        (
            Column("iso3", "iso3"),
            Column("country", "str"),
            Column("region_oxford", "str"),
            Column("government", "float", 0, 100),
            Column("technology_sector", "float", 0, 100),
            Column("data_infrastructure", "float", 0, 100),
            Column("value_status", "flag"),
        ),
        ("iso3",),
    ),
    "world/macro_world.csv": (
        (
            Column("iso3", "code"),
            Column("country", "str"),
            Column("gdp_usd_current_latest", "float", 0, 1e15, required=False),
            Column("gdp_year", "int", 1990, 2030, required=False),
            Column("population_latest", "float", 0, 1e10, required=False),
            Column("is_aggregate", "int", 0, 1),
            Column("value_status", "flag"),
        ),
        ("iso3",),
    ),
    "world/ai_usage.csv": (
        (
            Column("iso3", "iso3"),
            Column("ai_user_share_pct", "float", 0, 100),
            Column("period", "str"),
            Column("n_other_economies_same_h1_value", "int", 0, 300),
            Column("value_status", "flag"),
        ),
        ("iso3",),
    ),
    "world/ai_investment_world.csv": (
        (
            Column("iso3", "iso3", required=False),  # blank for the aggregates
            Column("entity", "str"),
            Column("year", "int", 2010, 2030),
            Column("usd_millions_const2021", "float", 0, 1e7),
            Column("is_aggregate", "int", 0, 1),
            Column("value_status", "flag"),
        ),
        ("entity", "year"),
    ),
}

#: Codes allowed besides the 19 countries: the world total of the investment series.
EXTRA_CODES = {"ai_investment.csv": {"WLD"}}
#: Files whose ``iso3`` may be any ISO 3166-1 alpha-3 code (three capital letters); World
#: Bank aggregate codes (``code``) may also be longer codes of letters and digits.
WORLD_FILES = tuple(name for name in SCHEMAS if name.startswith("world/"))
ISO3_PATTERN = re.compile(r"[A-Z]{3}")
CODE_PATTERN = re.compile(r"[A-Z0-9]{3}")


def _schema_name(path: Path) -> str:
    """The schema key of a file: ``name.csv``, or ``world/name.csv`` inside ``world/``."""
    return f"world/{path.name}" if path.parent.name == "world" else path.name


def _fail(path: Path, row: int | None, column: str, message: str) -> DataError:
    where = (
        f"{_schema_name(path)}"
        + (f", row {row}" if row is not None else "")
        + f", column {column!r}"
    )
    return DataError(f"{where}: {message}")


def validate_frame(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Check ``frame`` (as read from ``path``) against its schema; return it typed."""
    columns, key = SCHEMAS[_schema_name(path)]
    missing = [c.name for c in columns if c.name not in frame.columns]
    if missing:
        raise _fail(
            path, None, missing[0], f"column is missing; expected {[c.name for c in columns]}"
        )
    name = _schema_name(path)
    allowed_codes = set(ILIA_COUNTRIES) | EXTRA_CODES.get(name, set())
    frame = frame.copy()
    for col in columns:
        values = frame[col.name]
        blank = values.isna() | (values.astype(str).str.strip() == "")
        for idx in np.flatnonzero(blank.to_numpy()):
            if col.required:
                raise _fail(path, idx + 2, col.name, "value is missing")
        if col.kind in ("iso3", "code") and name in WORLD_FILES:
            pattern = ISO3_PATTERN if col.kind == "iso3" else CODE_PATTERN
            for idx in np.flatnonzero(~blank.to_numpy()):
                if not pattern.fullmatch(str(values.iloc[idx])):
                    raise _fail(
                        path, idx + 2, col.name, f"{values.iloc[idx]!r} is not an ISO3 code"
                    )
        elif col.kind == "iso3":
            for idx, code in enumerate(values.astype(str)):
                if code not in allowed_codes:
                    raise _fail(
                        path,
                        idx + 2,
                        col.name,
                        f"{code!r} is not an ISO3 code of the model; allowed: "
                        f"{sorted(allowed_codes)}",
                    )
        elif col.kind == "flag":
            for idx, flag in enumerate(values.fillna("").astype(str)):
                if flag not in FLAGS:
                    raise _fail(
                        path, idx + 2, col.name, f"flag {flag!r} is not one of {FLAGS[:-1]}"
                    )
            frame[col.name] = values.fillna("").astype(str)
        elif col.kind in ("int", "float"):
            numbers = pd.to_numeric(values.where(~blank), errors="coerce")
            for idx in np.flatnonzero((numbers.isna() & ~blank).to_numpy()):
                raise _fail(path, idx + 2, col.name, f"{values.iloc[idx]!r} is not a number")
            for idx in np.flatnonzero(
                (((numbers < col.low) | (numbers > col.high)) & ~blank).to_numpy()
            ):
                raise _fail(
                    path,
                    idx + 2,
                    col.name,
                    f"{numbers.iloc[idx]} is outside the allowed range [{col.low}, {col.high}]",
                )
            frame[col.name] = numbers.astype("Int64" if col.kind == "int" else float)
    duplicated = frame.duplicated(list(key), keep="first").to_numpy()
    for idx in np.flatnonzero(duplicated):
        keys = ", ".join(f"{k}={frame[k].iloc[idx]}" for k in key)
        raise _fail(path, idx + 2, key[-1], f"duplicate row for {keys}")
    return frame


def load(name: str, folder: Path | None = None) -> pd.DataFrame:
    """Load and validate one vendored file, e.g. ``load("ilia_overall.csv")``."""
    path = (folder or data_dir()) / name
    if name not in SCHEMAS:
        raise DataError(f"{name}: unknown data file; known: {sorted(SCHEMAS)}")
    if not path.exists():
        raise DataError(f"{path.name}: file not found in {path.parent}")
    return validate_frame(pd.read_csv(path, dtype=str, keep_default_na=False), path)


def load_all(folder: Path | None = None) -> dict[str, pd.DataFrame]:
    """Every vendored file, validated, keyed by file name without ``.csv``."""
    return {
        name.removesuffix(".csv").replace("world/", "world_"): load(name, folder)
        for name in SCHEMAS
    }
