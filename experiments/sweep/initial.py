"""Initial-state arrays for a batch of runs, shape (runs, countries).

An ILIA edition's initial state depends on two parameters (``model.initial``, rules 4 and
5): ``research_share_of_rda`` and ``capital_depreciation``. When a sweep varies them,
``model.initial.ilia_initial_arrays`` evaluates both rules for all runs at once.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from model.data import ILIA_COUNTRIES
from model.initial import ilia_initial_arrays
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
            arrays = ilia_initial_arrays(
                initial, np.broadcast_to(w, (runs, 1)), np.broadcast_to(d, (runs, 1))
            )
            return arrays, list(ILIA_COUNTRIES)
    else:
        table = validate_initial_table(initial)
    arrays = {
        c: np.broadcast_to(table[c].to_numpy(float), (runs, len(table))) for c in ARRAY_COLUMNS
    }
    return arrays, list(table["iso3"])
