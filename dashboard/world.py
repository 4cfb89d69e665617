"""The world map's shapes: Natural Earth 1:110m countries (``world-atlas`` 2.0.2).

``dashboard/assets/world/countries-110m.json`` is a TopoJSON topology whose features carry
ISO 3166-1 numeric codes as ids (three digits, as text); ``iso3166-numeric.csv`` maps them
to the alpha-3 codes the model uses (sources in ``dashboard/assets/README.md``). A few
shapes (Kosovo, Northern Cyprus, Somaliland) have no ISO code and stay grey on the map.
"""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path

WORLD = Path(__file__).resolve().parent / "assets" / "world"
TOPOLOGY_FILE = WORLD / "countries-110m.json"
CODES_FILE = WORLD / "iso3166-numeric.csv"
#: The TopoJSON object that holds the country shapes.
COUNTRIES_OBJECT = "countries"


@cache
def topology() -> dict:
    """The TopoJSON topology of the world's countries (parsed once)."""
    return json.loads(TOPOLOGY_FILE.read_text())


@cache
def numeric_of_alpha3() -> dict[str, str]:
    """ISO 3166-1 alpha-3 code -> numeric code (three digits, as the map's ids)."""
    with CODES_FILE.open(newline="") as handle:
        return {row["alpha3"]: row["numeric"] for row in csv.DictReader(handle)}


def shape_ids() -> list[str | None]:
    """The id of every shape of the map (``None`` for the shapes without an ISO code)."""
    geometries = topology()["objects"][COUNTRIES_OBJECT]["geometries"]
    return [g.get("id") for g in geometries]


def map_ids(iso3_codes: list[str]) -> list[str | None]:
    """The map id of each alpha-3 code (``None`` for a code the ISO table lacks)."""
    table = numeric_of_alpha3()
    return [table.get(code) for code in iso3_codes]


__all__ = ["map_ids", "numeric_of_alpha3", "shape_ids", "topology"]
