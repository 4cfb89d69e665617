"""Synthetic regions: initial-state tables of n countries for emergence and scale tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: A middle-of-the-region country (indices close to the ILIA 2024 medians; capital near the
#: stationary stock of one of 19 equal countries under the default capital market).
TEMPLATE = {
    "governance": 55.0,
    "adoption": 45.0,
    "research": 33.0,
    "enabling": 42.0,
    "capital_usd_bn": 0.5,
    "gdp_usd_bn": 120.0,
    "population_m": 12.0,
}


def synthetic_region(
    n: int = 19,
    *,
    spread: float = 0.01,
    distribution: str = "identical",
    rng: int | np.random.Generator | None = 0,
    **template: float,
) -> pd.DataFrame:
    """Initial-state table of ``n`` countries in the schema of the ILIA tables.

    ``distribution="identical"``: every country equals the template times
    ``1 + spread * z`` (z standard normal), so ``spread=0`` gives identical countries.
    ``distribution="lognormal"``: GDP and capital are log-normal with sd ``spread`` and
    the indices normal with sd ``100 * spread`` index points. Template values
    (``governance=...``, ``gdp_usd_bn=...``) override :data:`TEMPLATE`.
    """
    if n < 1:
        raise ValueError(f"n={n} must be at least 1")
    if spread < 0:
        raise ValueError(f"spread={spread} must be >= 0")
    unknown = set(template) - set(TEMPLATE)
    if unknown:
        raise ValueError(f"unknown template columns {sorted(unknown)}; known: {list(TEMPLATE)}")
    values = TEMPLATE | template
    generator = np.random.default_rng(rng)
    table = {"iso3": [f"S{i:05d}" for i in range(n)]}
    table["country"] = [f"Synthetic {i}" for i in range(n)]
    for column, base in values.items():
        z = generator.standard_normal(n)
        if distribution == "identical":
            column_values = base * (1.0 + spread * z)
        elif distribution == "lognormal":
            is_index = column in ("governance", "adoption", "research", "enabling")
            column_values = base + 100.0 * spread * z if is_index else base * np.exp(spread * z)
        else:
            raise ValueError(f"distribution={distribution!r}; allowed: 'identical', 'lognormal'")
        upper = 100.0 if column in ("governance", "adoption", "research", "enabling") else np.inf
        table[column] = np.clip(column_values, 0.0, upper)
    return pd.DataFrame(table)
