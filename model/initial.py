"""Initial state of each country, derived from the vendored data by one documented rule.

The rule (docs/ODD.md, "Initialisation"):

1. ``enabling`` and ``governance``: the ILIA dimension score of the edition where it is
   published (flag SEEN or DERIVED; UNVERIFIED values are not used); elsewhere the Oxford
   Insights 2024 readiness pillar (data and infrastructure; government) mapped onto the
   ILIA scale by the least-squares line fitted on the countries where both are published
   (all editions pooled), clipped to 0-100. The fitted lines are DERIVED.
2. ``research`` (production capacity): the readiness technology-sector pillar (2024), on
   its own 0-100 scale (an ASSUMPTION: no ILIA research score is published).
3. The ILIA research, development and adoption dimension (``rd_adoption``) is the
   published value where there is one, else whatever closes the composite:
   ``rd_adoption = (overall - 0.40 enabling - 0.25 governance) / 0.35``. Where all three
   dimensions are published the composite is the published one up to rounding.
4. ``adoption`` closes ``rd_adoption = w research + (1 - w) adoption``
   (``w = research_share_of_rda``); where that would leave 0-100, adoption is set to the
   bound and research closes the rest instead.
5. ``capital`` (USD bn): private AI investment 2022-2024 (CSET) accumulated with the
   capital depreciation rate; missing country-years count as zero (CSET records no deal).
6. ``gdp_usd_bn`` and ``population_m``: World Bank (Venezuela: IMF ESTIMATE).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from model.data import ILIA_COUNTRIES, load_all

#: ILIA composite weights (enabling, research-development-adoption, governance);
#: ILIA methodology, checked on Costa Rica 2025 (docs/ODD.md).
ILIA_WEIGHTS = (0.40, 0.35, 0.25)
USABLE_FLAGS = ("SEEN", "DERIVED")
EDITIONS = {"ilia2024": 2024, "ilia2025": 2025}
#: Columns of an initial-state table (one row per country).
STATE_COLUMNS = (
    "iso3", "country", "governance", "adoption", "research", "enabling",
    "capital_usd_bn", "gdp_usd_bn", "population_m",
)  # fmt: skip
FIRST_INVESTMENT_YEAR, LAST_INVESTMENT_YEAR = 2022, 2024


def readiness_to_ilia_line(
    dimensions: pd.DataFrame, readiness: pd.DataFrame, dimension: str, pillar: str
) -> tuple[float, float]:
    """Least-squares line (slope, intercept) from a readiness pillar to an ILIA dimension."""
    usable = dimensions[dimensions[f"{dimension}_flag"].isin(USABLE_FLAGS)]
    x = readiness.loc[usable["iso3"], pillar].to_numpy(float)
    y = usable[dimension].to_numpy(float)
    slope, intercept = np.polyfit(x, y, 1)
    return float(slope), float(intercept)


def published_dimension(dimensions: pd.DataFrame, edition: int, dimension: str) -> pd.Series:
    """The ILIA dimension of ``edition`` where published with a usable flag, by ISO3."""
    rows = dimensions[
        (dimensions["edition"] == edition) & dimensions[f"{dimension}_flag"].isin(USABLE_FLAGS)
    ]
    return rows.set_index("iso3")[dimension].astype(float)


def initial_capital(
    investment: pd.DataFrame, capital_depreciation: float, countries=ILIA_COUNTRIES
) -> pd.Series:
    """AI capital stock (USD bn) at the end of 2024 from the CSET private-investment series."""
    years = range(FIRST_INVESTMENT_YEAR, LAST_INVESTMENT_YEAR + 1)
    rows = investment[investment["year"].isin(years)]
    weights = (1.0 - capital_depreciation) ** (LAST_INVESTMENT_YEAR - rows["year"].astype(float))
    stock = (rows["private_ai_investment_usd_m"] * weights / 1000.0).groupby(rows["iso3"]).sum()
    return stock.reindex(list(countries), fill_value=0.0)


@functools.lru_cache(maxsize=16)
def _cached_initial_state(edition: str, research_share_of_rda: float, capital_depreciation: float):
    return _ilia_initial_state(edition, research_share_of_rda, capital_depreciation)


def ilia_initial_state(
    edition: str = "ilia2024",
    *,
    research_share_of_rda: float = 0.5,
    capital_depreciation: float = 0.2,
) -> pd.DataFrame:
    """Initial-state table of the 19 ILIA countries for ``edition`` (see module docstring).

    Columns: :data:`STATE_COLUMNS` plus ``ilia_overall`` (published score), ``rd_adoption``
    and one ``*_origin`` column per derived variable saying which rule produced it.
    The files are read once per process; each call returns a fresh copy.
    """
    return _cached_initial_state(edition, research_share_of_rda, capital_depreciation).copy()


def _ilia_initial_state(
    edition: str, research_share_of_rda: float, capital_depreciation: float
) -> pd.DataFrame:
    if edition not in EDITIONS:
        raise ValueError(f"initial={edition!r} is not an ILIA edition; allowed: {list(EDITIONS)}")
    year = EDITIONS[edition]
    data = load_all()
    overall = data["ilia_overall"].query("edition == @year").set_index("iso3")
    readiness = data["gairi"].query("edition == 2024").set_index("iso3")
    dims = data["ilia_dimensions"]
    macro = data["macro"].set_index("iso3")
    countries = list(ILIA_COUNTRIES)

    table = pd.DataFrame(index=pd.Index(countries, name="iso3"))
    table["country"] = overall.loc[countries, "country"]
    table["ilia_overall"] = overall.loc[countries, "overall"].astype(float)
    w_e, w_r, w_g = ILIA_WEIGHTS
    for dimension, pillar in (("enabling", "data_infrastructure"), ("governance", "government")):
        slope, intercept = readiness_to_ilia_line(dims, readiness, dimension, pillar)
        mapped = (slope * readiness.loc[countries, pillar] + intercept).clip(0, 100)
        published = published_dimension(dims, year, dimension)
        table[dimension] = mapped.astype(float)
        table[f"{dimension}_origin"] = f"readiness {pillar} x {slope:.3f} + {intercept:.2f}"
        table.loc[published.index, dimension] = published
        table.loc[published.index, f"{dimension}_origin"] = f"ILIA {year}"
    table["research"] = readiness.loc[countries, "technology_sector"].astype(float)
    table["research_origin"] = "readiness technology_sector 2024"

    closing = (table["ilia_overall"] - w_e * table["enabling"] - w_g * table["governance"]) / w_r
    published_rda = published_dimension(dims, year, "rd_adoption")
    table["rd_adoption"] = closing
    table["rd_adoption_origin"] = "closes the ILIA composite"
    table.loc[published_rda.index, "rd_adoption"] = published_rda
    table.loc[published_rda.index, "rd_adoption_origin"] = f"ILIA {year}"
    # Where rd_adoption is published, enabling (unless published too) closes the composite.
    open_enabling = table.index.isin(published_rda.index) & ~table[
        "enabling_origin"
    ].str.startswith("ILIA")
    table.loc[open_enabling, "enabling"] = (
        table["ilia_overall"] - w_r * table["rd_adoption"] - w_g * table["governance"]
    )[open_enabling] / w_e
    table.loc[open_enabling, "enabling_origin"] = "closes the ILIA composite"

    w = research_share_of_rda
    table["adoption"] = ((table["rd_adoption"] - w * table["research"]) / (1 - w)).clip(0, 100)
    table["adoption_origin"] = "closes rd_adoption"
    # Where adoption had to be clipped to 0-100, research closes what is left.
    clipped = (table["rd_adoption"] - w * table["research"]) / (1 - w) != table["adoption"]
    table.loc[clipped, "research"] = ((table["rd_adoption"] - (1 - w) * table["adoption"]) / w)[
        clipped
    ].clip(0, 100)
    table.loc[clipped, "research_origin"] = "closes rd_adoption (adoption at its bound)"
    table["capital_usd_bn"] = initial_capital(data["ai_investment"], capital_depreciation)
    table["gdp_usd_bn"] = macro.loc[countries, "gdp_usd_bn"].astype(float)
    table["population_m"] = macro.loc[countries, "population_m"].astype(float)
    return table.reset_index()
