"""The world at the start: every country with readiness and GDP data, by one documented rule.

The rule (docs/ODD.md section 5, "Initialisation"), the same for every country:

1. The countries are those of the Oxford Insights Government AI Readiness Index 2024 with a
   World Bank GDP (187: Taiwan has no World Bank GDP and is left out, with its CSET
   investment).
2. ``governance`` = the readiness government pillar, ``research`` (production capacity) =
   the technology-sector pillar, ``enabling`` = the data-and-infrastructure pillar (0-100,
   SEEN, 2024).
3. ``adoption`` = the share of the working-age population that used generative AI in the
   first half of 2025 (Microsoft AI Economy Institute, percent, SEEN). Where Microsoft
   gives no value, it is imputed from the three readiness pillars by a log-linear fit on the
   economies whose value Microsoft shares with no other economy (a regional fill is not a
   measurement); the origin column says which.
4. ``capital`` (USD bn) = a perpetual-inventory stock of CSET private AI investment
   2015-2024: K = sum_y I_y (1 - delta)^(2024 - y); a year without a record counts as zero
   (CSET records no deal), flagged in ``capital_origin``.
5. ``gdp_usd_bn`` and ``population_m``: World Bank, latest year (Cuba 2020, Venezuela
   2014: the origin column says so).

The allocation rule of the global capital market is estimated here from the CSET panel
(:func:`allocation_fit`) and the map from model dimensions to the ILIA composite is fitted
on ILIA 2024 (:func:`ilia_map`); neither is a state variable, so no state absorbs a fit
error.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.data import ILIA_COUNTRIES, load_all

FIRST_INVESTMENT_YEAR, LAST_INVESTMENT_YEAR = 2015, 2024
INVESTMENT_YEARS = tuple(range(FIRST_INVESTMENT_YEAR, LAST_INVESTMENT_YEAR + 1))
#: ILIA composite weights (enabling, research-development-adoption, governance);
#: ILIA methodology, checked on Costa Rica 2025 (docs/ODD.md).
ILIA_WEIGHTS = (0.40, 0.35, 0.25)
#: The ILIA edition whose published scores the composite map is fitted on (data to 2024).
MAP_EDITION = 2024
EDITIONS = {"ilia2024": 2024, "ilia2025": 2025}
PILLARS = {"governance": "government", "research": "technology_sector",
           "enabling": "data_infrastructure"}  # fmt: skip
#: Columns of an initial-state table (one row per country).
STATE_COLUMNS = (
    "iso3",
    "country",
    "region",
    "governance",
    "adoption",
    "research",
    "enabling",
    "capital_usd_bn",
    "investment_usd_bn",
    "gdp_usd_bn",
    "population_m",
)


@dataclass(frozen=True)
class WorldData:
    """What the start needs from the files, parameter-free (cached once per process)."""

    table: pd.DataFrame  # STATE_COLUMNS (capital at the default depreciation) + origins
    investment: np.ndarray  # (years, countries), USD bn, CSET 2015-2024, zeros where no record
    world_flow: pd.Series  # CSET world total by year, USD bn (2021 prices)
    ilia: pd.DataFrame  # published ILIA overall scores, index iso3, columns 2023/2024/2025


def usage_imputation(readiness: pd.DataFrame, usage: pd.Series, measured: pd.Index):
    """Rule 3's fit: log usage = a + b . (government, technology, data) on ``measured``."""
    design = np.column_stack(
        [np.ones(len(measured)), readiness.loc[measured, list(PILLARS.values())]]
    )
    coefficients, *_ = np.linalg.lstsq(design, np.log(usage.loc[measured]), rcond=None)
    return coefficients


@functools.lru_cache(maxsize=1)
def world_data() -> WorldData:
    """Rules 1-5 applied to the vendored world files."""
    data = load_all()
    readiness = data["world_gairi_2024"].set_index("iso3")
    macro = data["world_macro_world"]
    macro = macro[(macro["is_aggregate"] == 0) & macro["gdp_usd_current_latest"].notna()]
    macro = macro.set_index("iso3")
    countries = readiness.index.intersection(macro.index)
    readiness = readiness.loc[countries]

    table = pd.DataFrame(index=pd.Index(countries, name="iso3"))
    table["country"] = readiness["country"]
    table["region"] = readiness["region_oxford"]
    for variable, pillar in PILLARS.items():
        table[variable] = readiness[pillar].astype(float)
    usage_rows = data["world_ai_usage"].set_index("iso3")
    usage = usage_rows["ai_user_share_pct"].astype(float)
    shared = usage_rows["n_other_economies_same_h1_value"].astype(int)
    observed = countries.intersection(usage.index)
    measured = observed[(shared.loc[observed] == 0).to_numpy()]
    coefficients = usage_imputation(readiness, usage, measured)
    predicted = np.exp(
        coefficients[0] + readiness[list(PILLARS.values())].to_numpy(float) @ coefficients[1:]
    )
    table["adoption"] = pd.Series(predicted, index=countries).where(
        ~countries.isin(observed), usage.reindex(countries)
    )
    table["adoption_origin"] = np.select(
        [countries.isin(measured), countries.isin(observed)],
        [
            "SEEN: Microsoft H1 2025",
            "SEEN: Microsoft H1 2025 (a value shared with other economies: possibly a "
            "regional fill)",
        ],
        "DERIVED: imputed from the readiness pillars (rule 3)",
    )
    table["gdp_usd_bn"] = macro.loc[countries, "gdp_usd_current_latest"].astype(float) / 1e9
    table["gdp_year"] = macro.loc[countries, "gdp_year"].astype(int)
    table["population_m"] = macro.loc[countries, "population_latest"].astype(float) / 1e6

    flows = data["world_ai_investment_world"]
    world = flows[flows["entity"] == "World"].set_index("year")["usd_millions_const2021"] / 1e3
    rows = flows[(flows["is_aggregate"] == 0) & flows["year"].isin(INVESTMENT_YEARS)]
    investment = (
        rows.pivot_table(
            index="year", columns="iso3", values="usd_millions_const2021", aggfunc="sum"
        )
        .reindex(index=list(INVESTMENT_YEARS), columns=countries)
        .fillna(0.0)
        .to_numpy(float)
        / 1e3
    )
    records = (investment > 0).sum(axis=0)
    table["investment_usd_bn"] = investment[-1]
    table["capital_origin"] = np.where(
        records == len(INVESTMENT_YEARS),
        "DERIVED: perpetual inventory of CSET 2015-2024",
        [
            f"DERIVED: perpetual inventory of CSET 2015-2024; {len(INVESTMENT_YEARS) - k} "
            "years without a recorded deal count as zero"
            for k in records
        ],
    )
    ilia = (
        data["ilia_overall"]
        .pivot_table(index="iso3", columns="edition", values="overall", aggfunc="first")
        .astype(float)
    )
    table = table.reset_index()
    table["capital_usd_bn"] = perpetual_inventory(investment, 0.3)
    return WorldData(table, investment, world.astype(float), ilia)


def perpetual_inventory(investment: np.ndarray, capital_depreciation) -> np.ndarray:
    """Rule 4: K = sum_y I_y (1 - delta)^(2024 - y), for scalar or (runs, 1) delta;
    ``investment`` has shape (years, countries)."""
    age = LAST_INVESTMENT_YEAR - np.arange(FIRST_INVESTMENT_YEAR, LAST_INVESTMENT_YEAR + 1)
    weights = (1.0 - np.asarray(capital_depreciation, float))[..., None] ** age
    # an explicit sum over years, not a matrix product: BLAS would round differently for
    # different numbers of runs, and a run must not depend on its batch
    return (weights[..., :, None] * investment).sum(axis=-2)


def world_table(edition: str = "ilia2024", countries: tuple[str, ...] | None = None):
    """The initial-state table of the world (or of ``countries`` alone), with one row per
    country: :data:`STATE_COLUMNS`, the origin columns and ``ilia_score`` (the published
    ILIA overall score of ``edition``, NaN outside the 19)."""
    if edition not in EDITIONS:
        raise ValueError(f"initial={edition!r} is not an ILIA edition; allowed: {list(EDITIONS)}")
    parts = world_data()
    table = parts.table.copy()
    table["ilia_score"] = parts.ilia[EDITIONS[edition]].reindex(table["iso3"]).to_numpy()
    if countries is not None:
        table = table[table["iso3"].isin(countries)].reset_index(drop=True)
    return table


def investment_history(iso3: list[str]) -> np.ndarray | None:
    """CSET investment (years, countries) for these ISO3 codes, or None if any is not a
    country of the world table (a synthetic table). Read-only: it is shared by every call
    with the same codes (:func:`_investment_history`)."""
    return _investment_history(tuple(iso3))


@functools.lru_cache(maxsize=16)
def _investment_history(iso3: tuple[str, ...]) -> np.ndarray | None:
    """:func:`investment_history` once per tuple of codes: the history depends only on the
    codes and on the world files (themselves read once, :func:`world_data`), and the array
    is read-only, so no caller can change what the next one reads."""
    parts = world_data()
    index = pd.Index(parts.table["iso3"])
    if not pd.Index(iso3).isin(index).all():
        return None
    history = parts.investment[:, index.get_indexer(iso3)]
    history.setflags(write=False)
    return history


def composite_raw(enabling, research, adoption, governance, research_share_of_rda):
    """ILIA's weighting of the model's dimensions: 0.40 E + 0.35 (w R + (1 - w) A) + 0.25 G,
    with adoption in percent of the working-age population (ILIA's own indicators are on
    other scales: :func:`ilia_map` rescales the result)."""
    w_e, w_rda, w_g = ILIA_WEIGHTS
    w = research_share_of_rda
    return w_e * enabling + w_rda * (w * research + (1.0 - w) * adoption) + w_g * governance


def ilia_map(research_share_of_rda) -> tuple[np.ndarray, np.ndarray]:
    """The map from model dimensions to the ILIA composite: score = c + k raw, with (c, k)
    the least-squares line of the published ILIA 2024 overall scores of the 19 countries on
    their start ``raw`` (:func:`composite_raw`). Vectorised over ``research_share_of_rda``
    (scalar or shape (runs, 1)); returns (intercept, slope) of the same shape."""
    dimensions, published = _ilia_map_data()
    raw = composite_raw(*dimensions, np.asarray(research_share_of_rda, float))  # (..., 19)
    x = raw - raw.mean(axis=-1, keepdims=True)
    slope = (x * (published - published.mean())).sum(axis=-1, keepdims=True) / (x * x).sum(
        axis=-1, keepdims=True
    )
    intercept = published.mean() - slope * raw.mean(axis=-1, keepdims=True)
    shape = np.shape(research_share_of_rda)
    return intercept.reshape(shape), slope.reshape(shape)


@functools.lru_cache(maxsize=1)
def _ilia_map_data() -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """What :func:`ilia_map` fits on, read once: the start (enabling, research, adoption,
    governance) of the 19 ILIA countries and their published ILIA 2024 scores. They depend
    only on the world files (:func:`world_data`); the arrays are read-only, so every fit
    reads the same numbers."""
    parts = world_data()
    table = parts.table.set_index("iso3").loc[list(ILIA_COUNTRIES)]
    dimensions = tuple(
        table[name].to_numpy().copy() for name in ("enabling", "research", "adoption", "governance")
    )
    published = parts.ilia[MAP_EDITION].loc[list(ILIA_COUNTRIES)].to_numpy().copy()
    for values in (*dimensions, published):
        values.setflags(write=False)
    return dimensions, published


@dataclass(frozen=True)
class AllocationFit:
    """The allocation rule estimated from the CSET panel (:func:`allocation_fit`)."""

    size_elasticity: float
    capital_concentration: float
    standard_errors: tuple[float, float]
    countries: int
    country_years_with_deal: int
    fitted_share_2024: pd.Series  # by ISO3: the rule's share with the start state


@functools.lru_cache(maxsize=1)
def allocation_fit() -> AllocationFit:
    """Estimate share_i(t) = gdp_i^b (research_i / 100)^alpha / sum_j (...) from the panel.

    Poisson pseudo-maximum likelihood (Santos Silva and Tenreyro 2006) of each country's
    CSET investment in each year 2015-2024 on log GDP and log research (the readiness
    technology-sector pillar), with one effect per year. Years without a recorded deal are
    zeros, which PPML keeps (a log-linear fit would have to drop them); with year effects it
    is the maximum-likelihood estimator of exactly this multinomial allocation of each
    year's world flow. Robust (sandwich) standard errors. The data-and-infrastructure pillar
    enters with a negative sign when added (it is collinear with research), so
    attractiveness is research alone (docs/ODD.md).
    """
    parts = world_data()
    table = parts.table
    n = len(table)
    regressors = allocation_regressors(table)
    beta, errors = fit_ppml(parts.investment, regressors)
    y = parts.investment.reshape(-1)
    b, alpha = beta
    weights = np.exp(regressors @ beta)
    share = pd.Series(weights / weights.sum(), index=table["iso3"])
    return AllocationFit(
        float(b), float(alpha), (float(errors[0]), float(errors[1])), n, int((y > 0).sum()), share
    )


def allocation_regressors(table: pd.DataFrame) -> np.ndarray:
    """The allocation rule's regressors per country: log GDP and log(research / 100)."""
    return np.column_stack(
        [np.log(table["gdp_usd_bn"].to_numpy()), np.log(table["research"].to_numpy() / 100)]
    )


def fit_ppml(investment: np.ndarray, regressors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Poisson pseudo-maximum likelihood with one effect per year (Santos Silva and
    Tenreyro 2006) by iteratively reweighted least squares: ``investment`` (years,
    countries), ``regressors`` (countries, k). Returns the k slopes and their robust
    (sandwich) standard errors (:func:`allocation_fit` on the whole panel;
    ``experiments.validation`` on folds of countries)."""
    years, n = investment.shape
    y = investment.reshape(-1)  # year-major
    design = np.column_stack(
        [np.kron(np.eye(years), np.ones((n, 1))), np.tile(regressors, (years, 1))]
    )
    beta = np.zeros(design.shape[1])
    beta[:years] = np.log(investment.mean(axis=1) + 1e-12)
    for _ in range(200):  # iteratively reweighted least squares
        mu = np.exp(design @ beta)
        working = design @ beta + (y - mu) / mu
        updated = np.linalg.solve(
            (design * mu[:, None]).T @ design, (design * mu[:, None]).T @ working
        )
        converged = np.max(np.abs(updated - beta)) < 1e-10
        beta = updated
        if converged:
            break
    mu = np.exp(design @ beta)
    bread = np.linalg.inv((design * mu[:, None]).T @ design)
    meat = (design * ((y - mu) ** 2)[:, None]).T @ design
    errors = np.sqrt(np.diag(bread @ meat @ bread))[years:]
    return beta[years:], errors


def region_members(table: pd.DataFrame, focus) -> np.ndarray:
    """Boolean mask of the focus countries in ``table`` (``focus`` as validated by
    ``model.parameters.validate_focus``). 'latam19' in a table without them (a synthetic
    world) is every country."""
    iso3 = table["iso3"]
    if isinstance(focus, tuple):
        unknown = sorted(set(focus) - set(iso3))
        if unknown:
            raise ValueError(
                f"focus: unknown ISO3 code {unknown[0]!r}; the model's countries are "
                f"{', '.join(iso3[:12])}, ... ({len(iso3)} in all)"
            )
        return iso3.isin(focus).to_numpy()
    if focus == "world":
        return np.ones(len(table), bool)
    if focus == "latam19":
        mask = iso3.isin(ILIA_COUNTRIES).to_numpy()
        return mask if mask.any() else np.ones(len(table), bool)
    regions = sorted(set(table["region"]))
    if focus not in regions:
        raise ValueError(
            f"focus={focus!r} is neither 'latam19', 'world', a list of ISO3 codes nor a region "
            f"of the model's countries: {', '.join(regions)}"
        )
    return (table["region"] == focus).to_numpy()
