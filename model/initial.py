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
    "iso3",
    "country",
    "governance",
    "adoption",
    "research",
    "enabling",
    "capital_usd_bn",
    "gdp_usd_bn",
    "population_m",
)
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


def investment_by_year(investment: pd.DataFrame, countries=ILIA_COUNTRIES) -> np.ndarray:
    """CSET private AI investment (USD bn), shape (years, countries) for 2022-2024; a
    country-year with no record is zero."""
    years = list(range(FIRST_INVESTMENT_YEAR, LAST_INVESTMENT_YEAR + 1))
    rows = investment[investment["year"].isin(years)]
    table = rows.pivot_table(
        index="year", columns="iso3", values="private_ai_investment_usd_m", aggfunc="sum"
    )
    return (
        table.reindex(index=years, columns=list(countries), fill_value=0.0)
        .fillna(0.0)
        .to_numpy(float)
        / 1000.0
    )


def accumulate_capital(investment: np.ndarray, capital_depreciation) -> np.ndarray:
    """Rule 5: K = sum_y I_y (1 - delta)^(2024 - y), for scalar or (runs, 1) delta."""
    age = LAST_INVESTMENT_YEAR - np.arange(FIRST_INVESTMENT_YEAR, LAST_INVESTMENT_YEAR + 1)
    weights = (1.0 - np.asarray(capital_depreciation, float))[..., None] ** age  # (..., years)
    return weights @ investment


def split_rd_adoption(rd_adoption, technology, research_share_of_rda):
    """Rule 4: (research, adoption) with rd_adoption = w research + (1 - w) adoption.

    Research is the technology pillar and adoption closes the dimension; where adoption
    would leave 0-100 it takes the bound and research closes the rest. Vectorised: ``w``
    may be an array of shape (runs, 1).
    """
    w = np.asarray(research_share_of_rda, float)
    unbounded = (rd_adoption - w * technology) / (1.0 - w)
    adoption = np.clip(unbounded, 0.0, 100.0)
    at_bound = unbounded != adoption
    research = np.where(
        at_bound, np.clip((rd_adoption - (1.0 - w) * adoption) / w, 0.0, 100.0), technology
    )
    return research, adoption, at_bound


@functools.lru_cache(maxsize=4)
def edition_parts(edition: str) -> tuple[pd.DataFrame, np.ndarray]:
    """What does not depend on parameters: rules 1-3 and 6 as a table, and the investment
    matrix (years, countries) for rule 5."""
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
    table["technology_sector"] = readiness.loc[countries, "technology_sector"].astype(float)

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
    table["gdp_usd_bn"] = macro.loc[countries, "gdp_usd_bn"].astype(float)
    table["population_m"] = macro.loc[countries, "population_m"].astype(float)
    return table.reset_index(), investment_by_year(data["ai_investment"], countries)


def ilia_initial_state(
    edition: str = "ilia2024",
    *,
    research_share_of_rda: float = 0.5,
    capital_depreciation: float = 0.2,
) -> pd.DataFrame:
    """Initial-state table of the 19 ILIA countries for ``edition`` (see module docstring).

    Columns: :data:`STATE_COLUMNS` plus ``ilia_overall`` (published score), ``rd_adoption``
    and one ``*_origin`` column per derived variable saying which rule produced it.
    The files are read once per process; each call returns a fresh table.
    """
    parts, investment = edition_parts(edition)
    table = parts.copy()
    research, adoption, at_bound = split_rd_adoption(
        table["rd_adoption"].to_numpy(),
        table["technology_sector"].to_numpy(),
        research_share_of_rda,
    )
    table["research"], table["adoption"] = research, adoption
    table["research_origin"] = np.where(
        at_bound, "closes rd_adoption (adoption at its bound)", "readiness technology_sector 2024"
    )
    table["adoption_origin"] = "closes rd_adoption"
    table["capital_usd_bn"] = accumulate_capital(investment, capital_depreciation)
    return table


def ilia_initial_arrays(edition: str, research_share_of_rda, capital_depreciation) -> dict:
    """The initial state of many runs at once: arrays of shape (runs, countries) for
    ``research_share_of_rda`` and ``capital_depreciation`` of shape (runs, 1)."""
    parts, investment = edition_parts(edition)
    research, adoption, _ = split_rd_adoption(
        parts["rd_adoption"].to_numpy(),
        parts["technology_sector"].to_numpy(),
        research_share_of_rda,
    )
    capital = accumulate_capital(investment, np.asarray(capital_depreciation, float)[..., 0])
    arrays = {"research": research, "adoption": adoption, "capital_usd_bn": capital}
    arrays |= {c: parts[c].to_numpy(float) for c in ("governance", "enabling", "gdp_usd_bn")}
    shape = np.broadcast_shapes(*(np.shape(a) for a in arrays.values()))
    return {name: np.broadcast_to(values, shape).astype(float) for name, values in arrays.items()}
