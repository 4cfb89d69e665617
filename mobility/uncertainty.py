"""Uncertainty of the Markov measures: cluster bootstrap over runs, Dirichlet posterior."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from mobility.markov import (
    mean_first_passage_times,
    mobility_indices,
    stationary_distribution,
    transition_counts,
    transition_matrix,
)
from mobility.panel import TierPanel

PRIORS = {"jeffreys": 0.5, "uniform": 1.0, "bayes-laplace": 1.0, "haldane": 1e-3}


def interval(
    draws: np.ndarray, level: float = 0.95, axis: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Equal-tailed percentile interval of `draws` along `axis`, ignoring NaN.

    Uses the inverted empirical distribution function (no interpolation), so infinite
    draws (a never-reached tier, a never-closing window) give infinite bounds, not NaN.
    """
    tail = (1.0 - level) / 2.0
    draws = np.asarray(draws, dtype=np.float64)
    if draws.shape[axis] == 0 or np.isnan(draws).all():
        shape = np.delete(np.array(draws.shape), axis)
        return np.full(shape, np.nan), np.full(shape, np.nan)
    return _nanquantiles(draws, (tail, 1.0 - tail), axis)


def _nanquantiles(draws: np.ndarray, quantiles, axis: int) -> tuple[np.ndarray, ...]:
    """``np.nanquantile(draws, q, axis=axis, method="inverted_cdf")`` for each q, equal to
    it: along slices without NaN one vectorised ``np.quantile`` (nanquantile takes every
    slice on its own, which cost most of a report's mobility section), on the others
    nanquantile itself."""
    moved = np.moveaxis(draws, axis, 0)
    gaps = np.isnan(moved).any(axis=0)
    # a list of quantiles: one sort for both bounds; shape (len(quantiles), *rest)
    result = np.quantile(moved, list(quantiles), axis=0, method="inverted_cdf")
    if gaps.any():
        result[:, gaps] = np.nanquantile(
            moved[:, gaps], list(quantiles), axis=0, method="inverted_cdf"
        )
    return tuple(result[k] for k in range(len(quantiles)))


def bootstrap_weights(n_runs: int, n_boot: int, seed: int = 0) -> np.ndarray:
    """Multinomial resampling weights (n_boot, n_runs), float32: how often each run is drawn.

    Replicate b draws n_runs runs with replacement; any additive per-run statistic S_r then
    has replicate totals W @ S (Efron and Tibshirani 1993, ch. 6; clusters = runs).
    """
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n_runs, size=(n_boot, n_runs), dtype=np.int64)
    draws += (np.arange(n_boot, dtype=np.int64) * n_runs)[:, None]
    counts = np.bincount(draws.ravel(), minlength=n_boot * n_runs)
    return counts.reshape(n_boot, n_runs).astype(np.float32)


@dataclass(frozen=True, eq=False)
class MarkovUncertainty:
    """Point estimates of the Markov measures with their intervals and replicates.

    `estimates` maps a measure ('matrix', 'stationary', 'mean_first_passage' and every
    name of `mobility_indices`) to its estimate; `low` and `high` to the interval bounds;
    `replicates` to the replicate or posterior draws (leading axis).
    """

    counts: np.ndarray
    estimates: dict[str, np.ndarray | float]
    low: dict[str, np.ndarray]
    high: dict[str, np.ndarray]
    method: str
    level: float
    replicates: dict[str, np.ndarray] = field(repr=False)


def markov_measures(
    matrices: np.ndarray, initial: np.ndarray, step_months: float = 1.0
) -> dict[str, np.ndarray]:
    """Every Markov measure of a stack of matrices (..., m, m), with a fixed initial pi."""
    measures: dict[str, np.ndarray] = {"matrix": matrices}
    measures.update(mobility_indices(matrices, initial=initial, step_months=step_months))
    measures["stationary"] = stationary_distribution(matrices)
    measures["mean_first_passage"] = mean_first_passage_times(matrices) * step_months
    return {name: np.asarray(value) for name, value in measures.items()}


def _summarise(
    counts: np.ndarray,
    point: dict[str, np.ndarray],
    draws: dict[str, np.ndarray],
    method: str,
    level: float,
) -> MarkovUncertainty:
    low, high = {}, {}
    for name, value in draws.items():
        low[name], high[name] = interval(value, level)
    estimates = {k: (float(v) if np.ndim(v) == 0 else v) for k, v in point.items()}
    return MarkovUncertainty(counts, estimates, low, high, method, level, draws)


def bootstrap_runs(
    source: TierPanel | np.ndarray,
    *,
    lag: int = 1,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    weights: np.ndarray | None = None,
    step_months: float | None = None,
) -> MarkovUncertainty:
    """Cluster bootstrap over whole runs of every Markov measure, with percentile intervals.

    `source` is a TierPanel or per-run counts (runs, m, m). Replicate b resamples runs with
    replacement (weights W, (n_boot, runs)); its counts are W_b @ n_r, and every measure is
    computed on the (n_boot, m, m) stack at once. Runs are the independent units; countries
    and months inside a run are dependent, which a resampling of pairs would ignore.
    The initial distribution pi of Bartholomew's indices and the rates is the pooled
    observed one, held fixed. Months per chain step default to `lag`.
    Reference: Efron and Tibshirani (1993), An Introduction to the Bootstrap, ch. 6 and 13;
    Cameron, Gelbach and Miller (2008), Rev. Econ. Stat. 90, 414-427 (cluster resampling).
    """
    if isinstance(source, TierPanel):
        per_run = transition_counts(source.tiers, lag=lag, per_run=True)
    else:
        per_run = np.asarray(source, dtype=np.float64)
    step_months = float(lag) if step_months is None else step_months
    n_runs, m, _ = per_run.shape
    if weights is None:
        weights = bootstrap_weights(n_runs, n_boot, seed)
    counts = per_run.sum(axis=0)
    replicate_counts = (weights @ per_run.reshape(n_runs, m * m).astype(np.float32)).astype(
        np.float64
    )
    replicate_counts = replicate_counts.reshape(-1, m, m)
    initial = counts.sum(axis=1) / counts.sum()
    point = markov_measures(transition_matrix(counts), initial, step_months)
    draws = markov_measures(transition_matrix(replicate_counts), initial, step_months)
    draws["counts"] = replicate_counts
    method = f"cluster bootstrap over {n_runs} runs, {weights.shape[0]} replicates"
    return _summarise(counts, point, draws, method, level)


def prior_concentration(prior: str | float | np.ndarray, m: int) -> np.ndarray:
    """Dirichlet prior alpha (m, m): 'jeffreys' 0.5, 'uniform' 1, 'perks' 1/m,
    'haldane' 1e-3 (the improper alpha = 0 made proper), a number, or an (m, m) array."""
    if isinstance(prior, str):
        if prior == "perks":
            return np.full((m, m), 1.0 / m)
        if prior not in PRIORS:
            allowed = sorted([*PRIORS, "perks"])
            raise ValueError(f"unknown prior {prior!r}; use a number or one of {allowed}")
        return np.full((m, m), PRIORS[prior])
    alpha = np.broadcast_to(np.asarray(prior, dtype=np.float64), (m, m))
    if (alpha <= 0).any():
        raise ValueError(f"Dirichlet prior concentrations must be positive, got {prior!r}")
    return alpha


def dirichlet_posterior(
    counts: np.ndarray,
    *,
    prior: str | float | np.ndarray = "jeffreys",
    n_draws: int = 4000,
    seed: int = 0,
    level: float = 0.95,
    step_months: float = 1.0,
) -> MarkovUncertainty:
    """Dirichlet-multinomial posterior of each row of a transition matrix.

    With row counts n_i. ~ Multinomial and prior p_i. ~ Dirichlet(alpha_i.), the posterior
    is p_i. | n ~ Dirichlet(alpha_i. + n_i.). Cell estimates are posterior means
    (alpha_ij + n_ij) / (alpha_i0 + n_i0) with exact equal-tailed credible intervals from the
    Beta(alpha_ij + n_ij, alpha_i0 + n_i0 - alpha_ij - n_ij) marginals, so a zero count is
    not read as a zero probability. Indices, stationary distribution and passage times are
    summarised by the median and percentiles of `n_draws` posterior draws (pi fixed at
    the observed origin shares). Reference: Lee, Judge and Zellner (1970), Estimating the
    Parameters of the Markov Probability Model from Aggregate Time Series Data, ch. 3;
    Gelman et al. (2013), Bayesian Data Analysis, 3rd ed., sec. 3.4.
    """
    counts = np.asarray(counts, dtype=np.float64)
    m = counts.shape[-1]
    alpha = prior_concentration(prior, m)
    posterior = counts + alpha
    total = posterior.sum(axis=1, keepdims=True)
    mean = posterior / total
    tail = (1.0 - level) / 2.0
    beta = stats.beta(posterior, total - posterior)
    rng = np.random.default_rng(seed)
    gamma = rng.gamma(np.broadcast_to(posterior, (n_draws, m, m)))
    row = gamma.sum(axis=-1, keepdims=True)
    matrices = np.where(row > 0, gamma / np.where(row > 0, row, 1.0), 1.0 / m)
    row_counts = counts.sum(axis=1)
    initial = row_counts / row_counts.sum() if row_counts.sum() > 0 else np.full(m, 1.0 / m)
    draws = markov_measures(matrices, initial, step_months)
    point = {name: np.nanmedian(value, axis=0) for name, value in draws.items()}
    point["matrix"] = mean
    result = _summarise(counts, point, draws, "", level)
    result.low["matrix"] = beta.ppf(tail)
    result.high["matrix"] = beta.ppf(1.0 - tail)
    name = prior if isinstance(prior, str) else f"alpha = {np.asarray(prior).ravel()[0]:g}"
    method = f"Dirichlet posterior per row ({name} prior), {n_draws} draws"
    return MarkovUncertainty(
        counts, result.estimates, result.low, result.high, method, level, draws
    )
