"""The window of opportunity: how the chance of moving up a tier changes after the shock."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from mobility.markov import transition_counts, transition_matrix
from mobility.panel import N_TIERS
from mobility.uncertainty import bootstrap_weights, interval


def months_between(dates: np.ndarray, origin: np.datetime64 | str) -> np.ndarray:
    """Whole months from `origin` to each date (negative before it)."""
    dates = np.asarray(dates).astype("datetime64[M]")
    return (dates - np.datetime64(origin, "M")).astype(np.int64)


def upward_counts(
    tiers: np.ndarray, *, lag: int = 1, n_tiers: int = N_TIERS
) -> tuple[np.ndarray, np.ndarray]:
    """Per run and origin period: moves up and countries at risk of moving up.

    at_risk_rt = sum_c 1[x_rtc in {0, .., m - 2}, x_r(t+lag)c observed];
    moves_up_rt = sum_c 1[at risk, x_r(t+lag)c > x_rtc]. Both int32 (runs, periods - lag).
    """
    tiers = np.asarray(tiers)
    if tiers.ndim == 2:
        tiers = tiers[None]
    origin, end = tiers[:, :-lag], tiers[:, lag:]
    at_risk = (origin >= 0) & (origin < n_tiers - 1) & (end >= 0)
    moves_up = at_risk & (end > origin)
    return moves_up.sum(axis=-1, dtype=np.int32), at_risk.sum(axis=-1, dtype=np.int32)


def upward_hazard(
    tiers: np.ndarray,
    dates: np.ndarray,
    shock_date: np.datetime64 | str,
    *,
    lag: int = 1,
) -> dict[str, np.ndarray]:
    """Empirical hazard of an upward move by months since the shock, pooled over runs.

    h(tau) = sum_r moves_up_r(tau) / sum_r at_risk_r(tau) for origin periods tau months
    after `shock_date` (negative tau: before it). NaN where nobody is at risk.
    Reference: Singer and Willett (2003), Applied Longitudinal Data Analysis, ch. 10
    (discrete-time life table).
    """
    moves_up, at_risk = upward_counts(tiers, lag=lag)
    up, risk = moves_up.sum(axis=0), at_risk.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        hazard = up / risk
    return {
        "months_since_shock": months_between(np.asarray(dates)[:-lag], shock_date),
        "moves_up": up,
        "at_risk": risk,
        "hazard": np.where(risk > 0, hazard, np.nan),
    }


def segment_counts(
    tiers: np.ndarray, boundaries: list[int] | np.ndarray, *, lag: int = 1
) -> np.ndarray:
    """Transition counts (segments, m, m) of origin periods split at `boundaries` (indices)."""
    by_period = transition_counts(tiers, lag=lag, by_period=True)
    edges = np.unique(np.clip([0, *boundaries, by_period.shape[0]], 0, by_period.shape[0]))
    cumulative = np.concatenate([np.zeros((1,) + by_period.shape[1:]), by_period.cumsum(0)])
    return cumulative[edges[1:]] - cumulative[edges[:-1]]


def rolling_transition_matrices(
    tiers: np.ndarray, *, window: int = 12, step: int = 1, lag: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Transition matrices over rolling windows of `window` origin periods.

    Returns (starts, matrices (windows, m, m)); window w pools origins starts[w] to
    starts[w] + window - 1 over all runs and countries.
    """
    by_period = transition_counts(tiers, lag=lag, by_period=True)
    cumulative = np.concatenate([np.zeros((1,) + by_period.shape[1:]), by_period.cumsum(0)])
    starts = np.arange(0, by_period.shape[0] - window + 1, step)
    counts = cumulative[starts + window] - cumulative[starts]
    return starts, transition_matrix(counts)


@dataclass(frozen=True, eq=False)
class HomogeneityTest:
    """Bickenbach-Bode test that S segments share one transition matrix."""

    q: float
    q_p_value: float
    lr: float
    lr_p_value: float
    dof: int
    pooled: np.ndarray
    segments: np.ndarray


def homogeneity_test(counts_by_segment: np.ndarray) -> HomogeneityTest:
    """Bickenbach and Bode (2003) homogeneity test over segments s of time (or groups).

    Q = sum_s sum_i n_i(s) sum_{j: p_ij > 0} (p_ij(s) - p_ij)^2 / p_ij and
    LR = 2 sum_s sum_ij n_ij(s) ln(p_ij(s) / p_ij) (cells with n_ij(s) > 0), both
    chi-square with sum_i (b_i - 1)(a_i - 1) degrees of freedom, where b_i is the number of
    segments in which tier i is observed and a_i the number of positive p_ij of the pooled
    matrix. Reference: Bickenbach and Bode (2003), Evaluating the Markov property in studies
    of economic convergence, Int. Regional Sci. Rev. 26, 363-392; giddy ``homogeneity``.
    """
    counts = np.asarray(counts_by_segment, dtype=np.float64)
    pooled_counts = counts.sum(axis=0)
    pooled = transition_matrix(pooled_counts, empty="zero")
    segments = transition_matrix(counts, empty="zero")
    segment_rows = counts.sum(axis=-1)
    positive = pooled > 0
    safe = np.where(positive, pooled, 1.0)
    q = (segment_rows[..., None] * (segments - pooled) ** 2 / safe).sum()
    observed = (counts > 0) & positive
    ratio = np.where(observed, segments, 1.0) / np.where(observed, pooled, 1.0)
    lr = 2.0 * (counts * np.log(ratio)).sum()
    b = (segment_rows > 0).sum(axis=0)
    a = positive.sum(axis=1)
    dof = int(((b - 1) * (a - 1)).sum())
    q_p = float(stats.chi2.sf(q, dof)) if dof > 0 else np.nan
    lr_p = float(stats.chi2.sf(lr, dof)) if dof > 0 else np.nan
    return HomogeneityTest(float(q), q_p, float(lr), lr_p, dof, pooled, segments)


def hazard_observations(
    tiers: np.ndarray,
    dates: np.ndarray,
    shock_date: np.datetime64 | str,
    *,
    lag: int = 1,
    absorptive_capacity: np.ndarray | None = None,
    policy: np.ndarray | None = None,
    max_observations: int | None = None,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """At-risk country-periods after the shock, as 1-D arrays for `logit_hazard`.

    Keeps origins with months since shock >= 0 and tier below the top; covariates are taken
    at the origin period. With `max_observations`, a uniform random subsample (fixed seed).
    """
    tiers = np.asarray(tiers)
    tiers = tiers[None] if tiers.ndim == 2 else tiers
    months = months_between(np.asarray(dates)[:-lag], shock_date)
    origin, end = tiers[:, :-lag], tiers[:, lag:]
    at_risk = (origin >= 0) & (origin < N_TIERS - 1) & (end >= 0) & (months >= 0)[:, None]
    index = np.flatnonzero(at_risk)
    if max_observations is not None and index.size > max_observations:
        rng = np.random.default_rng(seed)
        index = np.sort(rng.choice(index, size=max_observations, replace=False))
    shape = origin.shape
    period = np.unravel_index(index, shape)[1]
    result = {
        "moved_up": (end > origin).ravel()[index].astype(np.float64),
        "months_since_shock": months[period].astype(np.float64),
    }
    for name, covariate in (("absorptive_capacity", absorptive_capacity), ("policy", policy)):
        if covariate is not None:
            covariate = np.asarray(covariate)
            covariate = covariate[None] if covariate.ndim == 2 else covariate
            at_origin = np.broadcast_to(covariate, tiers.shape)[:, :-lag]
            result[name] = at_origin.ravel()[index].astype(np.float64)
    return result


@dataclass(frozen=True, eq=False)
class LogitHazard:
    """Fitted discrete-time logit hazard: coefficients with standard errors."""

    names: tuple[str, ...]
    coefficients: np.ndarray
    standard_errors: np.ndarray
    z: np.ndarray
    p_values: np.ndarray
    log_likelihood: float
    n_observations: float
    converged: bool
    iterations: int

    def predict(self, design: np.ndarray) -> np.ndarray:
        """Hazard 1 / (1 + exp(-X b)) for rows of a design with the columns of `names`."""
        return special.expit(np.asarray(design) @ self.coefficients)


def logit_hazard(
    moved_up: np.ndarray,
    months_since_shock: np.ndarray,
    *,
    absorptive_capacity: np.ndarray | None = None,
    policy: np.ndarray | None = None,
    trials: np.ndarray | None = None,
    max_iter: int = 50,
    tol: float = 1e-10,
) -> LogitHazard:
    """Discrete-time logit hazard of moving up, fitted by iteratively reweighted least squares.

    logit h(t, x) = b0 + b1 t + b2 absorptive_capacity + b3 policy, with t months since the
    shock, on at-risk country-periods (`moved_up` 0/1), or on grouped data with `moved_up`
    successes out of `trials`. Newton-Raphson / IRLS: b <- b + (X'WX)^-1 X'(y - n h),
    W = diag(n h (1 - h)); standard errors from (X'WX)^-1 at the optimum.
    References: Allison (1982), Discrete-time methods for the analysis of event histories,
    Sociol. Methodol. 13, 61-98; McCullagh and Nelder (1989), Generalized Linear Models, 2.5.
    """
    y = np.asarray(moved_up, dtype=np.float64)
    n = np.ones_like(y) if trials is None else np.asarray(trials, dtype=np.float64)
    columns = [np.ones_like(y), np.asarray(months_since_shock, dtype=np.float64)]
    names = ["intercept", "months_since_shock"]
    for name, covariate in (("absorptive_capacity", absorptive_capacity), ("policy", policy)):
        if covariate is not None:
            columns.append(np.asarray(covariate, dtype=np.float64))
            names.append(name)
    design = np.column_stack(columns)
    scale = np.where(design.std(axis=0) > 0, design.std(axis=0), 1.0)
    scale[0] = 1.0
    x = design / scale
    beta = np.zeros(x.shape[1])
    converged, iterations = False, 0
    while iterations < max_iter:
        iterations += 1
        hazard = special.expit(x @ beta)
        weight = n * hazard * (1.0 - hazard)
        information = x.T @ (x * weight[:, None])
        step = np.linalg.lstsq(information, x.T @ (y - n * hazard), rcond=None)[0]
        beta += step
        if np.max(np.abs(step)) < tol:
            converged = True
            break
    hazard = special.expit(x @ beta)
    weight = n * hazard * (1.0 - hazard)
    covariance = np.linalg.pinv(x.T @ (x * weight[:, None]))
    coefficients = beta / scale
    se = np.sqrt(np.diag(covariance)) / scale
    with np.errstate(divide="ignore", invalid="ignore"):
        z = coefficients / se
        loglik = float(np.sum(special.xlogy(y, hazard) + special.xlogy(n - y, 1.0 - hazard)))
    p_values = 2.0 * stats.norm.sf(np.abs(z))
    return LogitHazard(
        tuple(names), coefficients, se, z, p_values, loglik, float(n.sum()), converged, iterations
    )


#: Months of the forward window that smooths the upward hazard for t*: upward moves are rare
#: (a few a year among the 19 countries), so a monthly hazard is mostly zeros.
HAZARD_SMOOTHING_MONTHS = 12
#: The closing threshold of t* as a share of the peak of the smoothed hazard.
CLOSING_SHARE_OF_PEAK = 0.5

#: The one definition of t*, quoted by the reports, README.md, docs/MOBILITY.md and
#: docs/FINDINGS.md (:func:`window_closing` computes exactly this).
T_STAR_DEFINITION = (
    "t* (the window-closing time) is the first month since the shock, at or after the month "
    "of the highest upward hazard, in which the upward hazard falls below half its peak: "
    "t* = min{tau >= peak : h(tau) < h(peak) / 2}, where h(tau) is the 12-month forward "
    "upward hazard, the moves up a tier in months tau to tau + 11 divided by the "
    "country-months at risk of moving up (countries below Pioneer) in them, pooled over "
    "runs; t* = inf if the hazard does not fall below half its peak within the horizon "
    "(undefined, NaN, when the horizon ends less than 12 months after the shock)."
)


def forward_sums(counts: np.ndarray, months: int = HAZARD_SMOOTHING_MONTHS) -> np.ndarray:
    """Sums over periods t..t+months-1 along the last axis (its length shrinks by
    ``months - 1``): the counts of a ``months``-long forward window."""
    counts = np.asarray(counts)
    cumulative = np.concatenate(
        [np.zeros(counts.shape[:-1] + (1,)), np.cumsum(counts, axis=-1, dtype=np.float64)], -1
    )
    return cumulative[..., months:] - cumulative[..., :-months]


@dataclass(frozen=True, eq=False)
class WindowClosing:
    """Window-closing time t* (months since the shock) with its bootstrap interval."""

    t_star: float
    low: float
    high: float
    share_never_closed: float
    threshold: float
    months_since_shock: np.ndarray
    hazard: np.ndarray
    hazard_low: np.ndarray
    hazard_high: np.ndarray
    replicates: np.ndarray


def first_month_below(
    hazard: np.ndarray, months: np.ndarray, threshold: float, persist_months: int = 1
) -> np.ndarray:
    """First month, at or after the hazard's peak, whose hazard, and that of the next
    persist_months - 1 months, is below `threshold` (NaN hazard, nobody at risk, counts as
    below); inf if never. The window must open before it can close: months before the peak
    do not count. Batched."""
    peak = np.argmax(np.nan_to_num(hazard, nan=-np.inf), axis=-1)[..., None]
    below = ~(hazard >= threshold) & (np.arange(hazard.shape[-1]) >= peak)
    k = max(1, persist_months)
    cumulative = np.concatenate(
        [np.zeros(below.shape[:-1] + (1,)), np.cumsum(below, axis=-1)], axis=-1
    )
    run = cumulative[..., k:] - cumulative[..., :-k]
    closed = run >= k
    first = np.argmax(closed, axis=-1)
    return np.where(closed.any(axis=-1), months[first], np.inf)


def window_closing_time(
    moves_up: np.ndarray,
    at_risk: np.ndarray,
    months_since_shock: np.ndarray,
    *,
    threshold: float,
    persist_months: int = 1,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    weights: np.ndarray | None = None,
) -> WindowClosing:
    """Window-closing time t* = min{tau >= peak : h(tau) < threshold}, with a run bootstrap.

    :data:`T_STAR_DEFINITION` states it in words. The peak is the month of the highest
    upward hazard after the shock (the window opens before it closes).

    `moves_up` and `at_risk` are per run (runs, periods) from `upward_counts`; the pooled
    hazard is h(tau) = sum_r up_r(tau) / sum_r risk_r(tau). With `persist_months` = k the
    hazard must stay below the threshold for k consecutive months. The interval resamples
    whole runs (replicate hazards W @ up / W @ risk) and takes percentiles of t*; replicates
    in which the window never closes count as t* = inf (their share is reported).
    Reference: Efron and Tibshirani (1993), ch. 13; the hazard as in `upward_hazard`.
    """
    months = np.asarray(months_since_shock)
    after = months >= 0
    up = np.asarray(moves_up, dtype=np.float32)[:, after]
    risk = np.asarray(at_risk, dtype=np.float32)[:, after]
    months = months[after]
    with np.errstate(invalid="ignore", divide="ignore"):
        hazard = up.sum(axis=0, dtype=np.float64) / risk.sum(axis=0, dtype=np.float64)
        if weights is None:
            weights = bootstrap_weights(up.shape[0], n_boot, seed)
        replicate_hazard = (weights @ up) / (weights @ risk)
    t_star = float(first_month_below(hazard, months, threshold, persist_months))
    replicates = first_month_below(replicate_hazard, months, threshold, persist_months)
    low, high = interval(replicates, level)
    hazard_low, hazard_high = interval(replicate_hazard, level)
    return WindowClosing(
        t_star,
        float(low),
        float(high),
        float(np.isinf(replicates).mean()),
        float(threshold),
        months,
        hazard,
        hazard_low,
        hazard_high,
        replicates,
    )


def probability_up_by_start_date(
    tiers: np.ndarray,
    policy_start: np.ndarray,
    *,
    origin: int = 0,
    end: int = -1,
    countries: np.ndarray | None = None,
    level: float = 0.95,
) -> dict[str, np.ndarray]:
    """Probability of moving up between periods `origin` and `end`, by policy start date.

    For runs sharing a start date d: P_up(d) = sum_r up_r / sum_r risk_r, where risk_r counts
    the (selected) countries below the top tier at `origin` and observed at `end`, and up_r
    those of them in a higher tier at `end`. The interval is the normal one with the
    cluster-robust (ratio-estimator) variance sum_r (up_r - P risk_r)^2 / (R (R - 1) mean
    risk^2) over the R runs of that date. `countries` is a boolean mask or index array.
    Reference: Cochran (1977), Sampling Techniques, 6.3 (ratio estimator).
    """
    tiers = np.asarray(tiers)
    start, stop = tiers[:, origin], tiers[:, end]
    if countries is not None:
        start, stop = start[:, countries], stop[:, countries]
    risk_mask = (start >= 0) & (start < N_TIERS - 1) & (stop >= 0)
    up = (risk_mask & (stop > start)).sum(axis=1).astype(np.float64)
    risk = risk_mask.sum(axis=1).astype(np.float64)
    dates, group = np.unique(np.asarray(policy_start), return_inverse=True)
    n_runs = np.bincount(group, minlength=dates.size).astype(np.float64)
    up_total = np.bincount(group, weights=up, minlength=dates.size)
    risk_total = np.bincount(group, weights=risk, minlength=dates.size)
    with np.errstate(invalid="ignore", divide="ignore"):
        probability = up_total / risk_total
        residual = (up - probability[group] * risk) ** 2
        mean_risk = risk_total / n_runs
        variance = np.bincount(group, weights=residual, minlength=dates.size) / (
            n_runs * (n_runs - 1) * mean_risk**2
        )
    half = stats.norm.ppf(0.5 + level / 2.0) * np.sqrt(variance)
    return {
        "start_date": dates,
        "n_runs": n_runs.astype(np.int64),
        "probability": probability,
        "low": np.clip(probability - half, 0.0, 1.0),
        "high": np.clip(probability + half, 0.0, 1.0),
    }


def smoothing_periods(period_months: float, periods: int) -> int:
    """Periods in the 12-month forward window of :data:`T_STAR_DEFINITION` for a panel of
    ``period_months``-month steps (1 for yearly panels), at most the ``periods`` there are."""
    return int(min(max(1, round(HAZARD_SMOOTHING_MONTHS / period_months)), max(periods, 1)))


def window_closing(
    moves_up: np.ndarray,
    at_risk: np.ndarray,
    months_since_shock: np.ndarray,
    *,
    smoothing: int = HAZARD_SMOOTHING_MONTHS,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    weights: np.ndarray | None = None,
) -> WindowClosing:
    """t* as :data:`T_STAR_DEFINITION` states it, with its run-bootstrap interval.

    ``moves_up`` and ``at_risk``: counts per run (runs, periods) from :func:`upward_counts`;
    ``months_since_shock`` of each origin period. The counts are summed over
    ``smoothing``-period forward windows (12 for monthly panels, :func:`smoothing_periods`;
    :func:`forward_sums`), the pooled hazard after the shock gives the threshold
    (:data:`CLOSING_SHARE_OF_PEAK` of its peak; 0 when nobody moves up, so t* = inf) and
    :func:`window_closing_time` finds t*. The returned hazard (and its interval) is the
    smoothed one, by month since the shock.
    """
    up = forward_sums(np.atleast_2d(moves_up), smoothing)
    risk = forward_sums(np.atleast_2d(at_risk), smoothing)
    months = np.asarray(months_since_shock)[: up.shape[-1]]
    after = months >= 0
    if not after.any():  # no whole forward window after the shock: t* is undefined
        empty = np.array([], float)
        return WindowClosing(
            np.nan, np.nan, np.nan, np.nan, np.nan, months[after], empty, empty, empty, empty
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = up[:, after].sum(0) / risk[:, after].sum(0)
    peak = float(np.nanmax(pooled)) if after.any() and np.isfinite(pooled).any() else 0.0
    return window_closing_time(
        up,
        risk,
        months,
        threshold=CLOSING_SHARE_OF_PEAK * peak,
        n_boot=n_boot,
        seed=seed,
        level=level,
        weights=weights,
    )
