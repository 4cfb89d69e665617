"""A random-exchange null model for the emergence question (Dragulescu and Yakovenko 2000).

Pairs of countries exchange capital at random each month with the total conserved: a random
pairing, then each pair pools its capital and splits it by a uniform share eps,
K_i' = eps (K_i + K_j), K_j' = (1 - eps) (K_i + K_j). The capital distribution relaxes to
the exponential (Boltzmann-Gibbs) one, P(K) ~ exp(-K / mean K): inequality without any
feedback from capacity to capital (Dragulescu and Yakovenko 2000, Eur. Phys. J. B 17,
723-729).

To compare with the model's emergence measures, the exchanged capital drives a score-like
index through the model's own capacity equations (``model.equations.capital_intensity``):
research and enabling factors grow toward 100 with the saturated capital intensity and
decay at their depreciation rates, with fixed effects that keep the template at rest, while
adoption and governance stay at their (noisy) starting values; the composite uses the ILIA
weights. Whatever stratification this produces is what chance alone gives.
"""

from __future__ import annotations

import numpy as np

from model.equations import bounded, capital_intensity
from model.parameters import BY_NAME
from model.synthetic import TEMPLATE
from model.world import composite_raw, ilia_map


def _default(name: str) -> float:
    return float(BY_NAME[name].default)


def random_exchange(capital: np.ndarray, months: int, rng: np.random.Generator) -> np.ndarray:
    """Capital paths (runs, months + 1, countries) of the random-exchange model.

    ``capital`` (runs, countries): the starting stocks. Each month every run draws a random
    pairing of its countries (an odd one out sits the month out) and each pair splits its
    pooled capital by a uniform share. Total capital per run is conserved exactly up to
    rounding.
    """
    capital = np.array(capital, dtype=np.float64, ndmin=2)
    runs, n = capital.shape
    pairs = n // 2
    paths = np.empty((runs, months + 1, n))
    paths[:, 0] = capital
    rows = np.arange(runs)[:, None]
    for t in range(1, months + 1):
        order = np.argsort(rng.random((runs, n)), axis=1)
        left, right = order[:, :pairs], order[:, pairs : 2 * pairs]
        pooled = capital[rows, left] + capital[rows, right]
        share = rng.random((runs, pairs))
        capital[rows, left] = share * pooled
        capital[rows, right] = pooled - capital[rows, left]
        paths[:, t] = capital
    return paths


def null_region(
    runs: int,
    months: int,
    n: int = 19,
    spread: float = 0.01,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """The null model for a homogeneous region of ``n`` countries like
    ``model.synthetic_world(n, spread)``: arrays (runs, months + 1, n) of capital
    (USD bn), research, enabling factors and the composite score."""
    rng = np.random.default_rng(seed)

    def noisy(value: float) -> np.ndarray:
        return value * (1.0 + spread * rng.standard_normal((runs, n)))

    gdp = noisy(TEMPLATE["gdp_usd_bn"])
    governance, adoption = noisy(TEMPLATE["governance"]), noisy(TEMPLATE["adoption"])
    research, enabling = noisy(TEMPLATE["research"]), noisy(TEMPLATE["enabling"])
    capital = random_exchange(noisy(TEMPLATE["capital_usd_bn"]), months, rng)
    half = _default("capital_half_saturation")
    gains = {
        "research": (_default("research_capital_gain"), _default("research_depreciation")),
        "enabling": (_default("enabling_capital_gain"), _default("enabling_depreciation")),
    }
    kappa0 = capital_intensity(capital[:, 0], gdp, half)
    state = {"research": research, "enabling": enabling}
    base = {
        name: depreciation * value / (100.0 - value) - gain * kappa0
        for (name, (gain, depreciation)), value in zip(gains.items(), state.values(), strict=True)
    }
    paths = {name: np.empty((runs, months + 1, n)) for name in state}
    for t in range(months + 1):
        kappa = capital_intensity(capital[:, t], gdp, half)
        for name, (gain, depreciation) in gains.items():
            paths[name][:, t] = state[name]
            value = state[name]
            growth = (base[name] + gain * kappa) * (100.0 - value) - depreciation * value
            state[name] = np.clip(state[name] + growth / 12.0, 0.0, 100.0)
    w = _default("research_share_of_rda")
    intercept, slope = ilia_map(w)
    raw = composite_raw(
        paths["enabling"], paths["research"], adoption[:, None, :], governance[:, None, :], w
    )
    score = bounded(intercept + slope * raw)
    return {"capital": capital, **paths, "score": score}
