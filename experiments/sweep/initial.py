"""Initial-state arrays for a batch of runs, shape (runs, countries).

An ILIA edition's initial table depends on two parameters (``model.initial``, rules 4
and 5): ``research_share_of_rda`` (adoption closes the research, development and adoption
dimension) and ``capital_depreciation`` (the CSET investment series accumulated into a
stock). Building the table costs about 80 ms, far too much per run of a large sweep, so
this module evaluates both rules for many runs at once:

* capital is a polynomial of degree ``LAST - FIRST`` investment year in ``(1 - delta)``;
  its coefficients are solved exactly from ``model.initial.initial_capital`` at that many
  plus one depreciation rates;
* adoption and research follow rule 4, vectorised over the research share.

``tests/test_sweep_engine.py`` checks the result against ``ilia_initial_state``.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pandas as pd

from model.setup import initial_table, validate_initial_table

#: Columns the equations read from an initial-state table.
ARRAY_COLUMNS = ("governance", "adoption", "research", "enabling", "capital_usd_bn", "gdp_usd_bn")


def resolve_initial(initial: Any) -> str | pd.DataFrame:
    """An edition name stays; ``{synthetic = {...}}`` becomes a ``synthetic_region`` table."""
    if isinstance(initial, dict) and "synthetic" in initial:
        from model.synthetic import synthetic_region

        options = dict(initial["synthetic"])
        return synthetic_region(int(options.pop("n", 19)), **options)
    return initial


@functools.lru_cache(maxsize=8)
def _edition_parts(edition: str) -> dict[str, np.ndarray]:
    """What rule 4 and rule 5 start from, for one edition."""
    from model.data import load_all
    from model.initial import FIRST_INVESTMENT_YEAR, LAST_INVESTMENT_YEAR, initial_capital

    table = initial_table(edition, {"research_share_of_rda": 0.5, "capital_depreciation": 0.2})
    countries = list(table["iso3"])
    data = load_all()
    readiness = data["gairi"].query("edition == 2024").set_index("iso3")
    degree = LAST_INVESTMENT_YEAR - FIRST_INVESTMENT_YEAR
    rates = np.linspace(0.0, 0.9, degree + 1)
    stocks = np.stack(
        [initial_capital(data["ai_investment"], d, countries).to_numpy(float) for d in rates]
    )
    vandermonde = (1.0 - rates)[:, None] ** np.arange(degree + 1)[None, :]
    coefficients = np.linalg.solve(vandermonde, stocks)  # (degree + 1, countries)
    return {
        "iso3": np.array(countries),
        "rd_adoption": table["rd_adoption"].to_numpy(float),
        "technology": readiness.loc[countries, "technology_sector"].to_numpy(float),
        "governance": table["governance"].to_numpy(float),
        "enabling": table["enabling"].to_numpy(float),
        "gdp_usd_bn": table["gdp_usd_bn"].to_numpy(float),
        "capital_coefficients": coefficients,
    }


def edition_arrays(edition: str, research_share_of_rda, capital_depreciation) -> dict:
    """Initial arrays of an ILIA edition for arrays of the two parameters (shape (B, 1))."""
    parts = _edition_parts(edition)
    w = np.asarray(research_share_of_rda, float)
    rda, technology = parts["rd_adoption"], parts["technology"]
    unclipped = (rda - w * technology) / (1.0 - w)
    adoption = np.clip(unclipped, 0.0, 100.0)
    clipped = unclipped != adoption
    research = np.where(clipped, np.clip((rda - (1.0 - w) * adoption) / w, 0.0, 100.0), technology)
    keep = 1.0 - np.asarray(capital_depreciation, float)
    powers = keep[..., None] ** np.arange(parts["capital_coefficients"].shape[0])
    capital = powers @ parts["capital_coefficients"]  # (B, 1, countries)
    shape = np.broadcast_shapes(adoption.shape, capital[..., 0, :].shape)
    out = {
        "governance": parts["governance"],
        "adoption": adoption,
        "research": research,
        "enabling": parts["enabling"],
        "capital_usd_bn": capital[..., 0, :],
        "gdp_usd_bn": parts["gdp_usd_bn"],
    }
    return {k: np.broadcast_to(v, shape).astype(float) for k, v in out.items()}


def initial_arrays(initial: str | pd.DataFrame, runs: int, params: dict) -> tuple[dict, list]:
    """Initial arrays (runs, countries) and the ISO3 codes, for a batch of runs.

    ``params`` holds ``research_share_of_rda`` and ``capital_depreciation`` as scalars or
    arrays of shape (runs, 1).
    """
    if isinstance(initial, str):
        w, d = params["research_share_of_rda"], params["capital_depreciation"]
        if np.ndim(w) == 0 and np.ndim(d) == 0:
            table = initial_table(initial, {"research_share_of_rda": w, "capital_depreciation": d})
        else:
            arrays = edition_arrays(
                initial, np.broadcast_to(w, (runs, 1)), np.broadcast_to(d, (runs, 1))
            )
            return arrays, list(_edition_parts(initial)["iso3"])
    else:
        table = validate_initial_table(initial)
    arrays = {
        c: np.broadcast_to(table[c].to_numpy(float), (runs, len(table))) for c in ARRAY_COLUMNS
    }
    return arrays, list(table["iso3"])
