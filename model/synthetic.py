"""Synthetic worlds: initial-state tables of n countries for emergence and scale tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: A middle-income country of the world data (indices near the medians of the 187
#: countries' readiness pillars and AI usage; GDP near the median of the 19 ILIA
#: countries; capital and the yearly AI investment near the perpetual-inventory stock and
#: the 2024 flow of such a country).
TEMPLATE = {
    "governance": 48.0,
    "adoption": 14.0,
    "research": 35.0,
    "enabling": 57.0,
    "capital_usd_bn": 0.6,
    "investment_usd_bn": 0.2,
    "gdp_usd_bn": 120.0,
    "population_m": 12.0,
}
INDICES = ("governance", "adoption", "research", "enabling")
DISTRIBUTIONS = ("identical", "lognormal")


def synthetic_world(
    n: int = 185,
    *,
    spread: float = 0.01,
    distribution: str = "identical",
    rng: int | np.random.Generator | None = 0,
    **template: float,
) -> pd.DataFrame:
    """Initial-state table of ``n`` countries in the schema of the world table.

    ``distribution="identical"``: every index equals the template times ``1 + spread z``
    (z standard normal; limited to 0-100), so ``spread=0`` gives identical countries.
    ``distribution="lognormal"``: the indices are normal with sd ``100 * spread`` index
    points (limited to 0-100). In both, the positive quantities (GDP, capital, investment,
    population) are the template times ``exp(spread z)``: positive at any spread.
    The countries share the world's flow in proportion to their ``investment_usd_bn``
    (their market is that sum over CSET's world total of 2024). Template values
    (``governance=...``, ``gdp_usd_bn=...``) override :data:`TEMPLATE`.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n={n!r} must be a whole number of countries, at least 1")
    if isinstance(spread, bool) or not isinstance(spread, int | float) or not 0 <= spread < 10:
        raise ValueError(f"spread={spread!r} must be a number in [0, 10)")
    if distribution not in DISTRIBUTIONS:
        raise ValueError(f"distribution={distribution!r}; allowed: {', '.join(DISTRIBUTIONS)}")
    unknown = set(template) - set(TEMPLATE)
    if unknown:
        raise ValueError(f"unknown template columns {sorted(unknown)}; known: {list(TEMPLATE)}")
    values = TEMPLATE | template
    for column, base in values.items():
        positive = column not in INDICES
        if (
            not np.isfinite(base)
            or base < 0
            or (positive and base <= 0)
            or base > (100 if not positive else np.inf)
        ):
            raise ValueError(f"{column}={base!r} must be finite and in its range")
    generator = np.random.default_rng(rng)
    table = {"iso3": [f"S{i:05d}" for i in range(n)]}
    table["country"] = [f"Synthetic {i}" for i in range(n)]
    table["region"] = ["Synthetic"] * n
    for column, base in values.items():
        z = generator.standard_normal(n)
        if column not in INDICES:
            table[column] = base * np.exp(spread * z)
        elif distribution == "identical":
            table[column] = np.clip(base * (1.0 + spread * z), 0.0, 100.0)
        else:
            table[column] = np.clip(base + 100.0 * spread * z, 0.0, 100.0)
    frame = pd.DataFrame(table)
    frame["ilia_score"] = np.nan
    return frame


synthetic_region = synthetic_world  # the name of earlier versions
