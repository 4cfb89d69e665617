"""Fragmentation of the region: inequality, polarisation and convergence of country values.

All functions take values with the country axis last and any batch axes (runs, periods)
before it; missing countries are NaN and are left out of each cross-section.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from mobility.panel import N_TIERS
from model.metrics import _floats, gini  # noqa: F401 (one Gini for the model and the measures)


def tier_gap(
    values: np.ndarray, tiers: np.ndarray, *, n_tiers: int = N_TIERS
) -> dict[str, np.ndarray]:
    """Mean value per tier and the gap between the top and bottom tier means.

    mean_g = sum_c x_c 1[tier_c = g] / n_g (NaN if the tier is empty);
    gap = mean_{m-1} - mean_0 (index points for scores).
    """
    values = _floats(values)
    tiers = np.asarray(tiers)
    means = []
    for g in range(n_tiers):
        member = (tiers == g) & ~np.isnan(values)
        total = np.where(member, values, 0.0).sum(axis=-1)
        count = member.sum(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            means.append(np.where(count > 0, total / count, np.nan))
    means = np.stack(means, axis=-1)
    return {"means": means, "gap": means[..., -1] - means[..., 0]}


def theil(
    values: np.ndarray, groups: np.ndarray | None = None, *, n_groups: int = N_TIERS
) -> dict[str, np.ndarray]:
    """Theil's T index with its between- and within-group decomposition.

    T = (1/n) sum_i (x_i / mu) ln(x_i / mu) (0 ln 0 = 0), in [0, ln n].
    With groups g (tiers): T = T_between + T_within, T_between = sum_g s_g ln(mu_g / mu),
    T_within = sum_g s_g T_g, s_g = the group's share of the total; between_share =
    T_between / T. Reference: Theil (1967), Economics and Information Theory; Shorrocks
    (1980), Econometrica 48, 613-625.
    """
    values = _floats(values)
    valid = ~np.isnan(values)
    x = np.where(valid, values, 0.0)
    x_log_x = special.xlogy(x, x)
    n = valid.sum(axis=-1)
    total = x.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / n
        index = x_log_x.sum(axis=-1) / total - np.log(mean)
        result = {"theil": index}
        if groups is None:
            return result
        groups = np.asarray(groups)
        between = np.zeros_like(index)
        within = np.zeros_like(index)
        for g in range(n_groups):
            member = (groups == g) & valid
            n_g = member.sum(axis=-1)
            total_g = np.where(member, x, 0.0).sum(axis=-1)
            share = total_g / total
            mean_g = total_g / n_g
            theil_g = np.where(member, x_log_x, 0.0).sum(axis=-1) / total_g - np.log(mean_g)
            present = total_g > 0
            between += np.where(present, share * np.log(mean_g / mean), 0.0)
            within += np.where(present, share * theil_g, 0.0)
        result.update(
            between=between,
            within=within,
            between_share=np.where(index > 0, between / index, np.nan),
        )
    return result


def esteban_ray(
    values: np.ndarray,
    groups: np.ndarray | None = None,
    *,
    alpha: float = 1.5,
    n_groups: int = N_TIERS,
    normalize: bool = True,
) -> np.ndarray:
    """Esteban-Ray polarisation P = sum_g sum_h pi_g^(1 + alpha) pi_h |y_g - y_h| (/ mu).

    With `groups` (tiers), pi_g is the share of countries in tier g and y_g its mean value;
    without, every country is its own group with pi = 1/n. alpha in [0, 1.6] is the
    sensitivity to polarisation (alpha = 0 gives the Gini mean difference / 2 without
    normalisation); `normalize` divides by the mean mu so that P is scale free.
    Reference: Esteban and Ray (1994), On the measurement of polarization, Econometrica 62,
    819-851.
    """
    values = _floats(values)
    valid = ~np.isnan(values)
    n = valid.sum(axis=-1)
    if groups is None:
        shares = valid / np.maximum(n, 1)[..., None]
        levels = values
    else:
        groups = np.asarray(groups)
        share_list, level_list = [], []
        for g in range(n_groups):
            member = (groups == g) & valid
            n_g = member.sum(axis=-1)
            share_list.append(n_g / np.maximum(n, 1))
            with np.errstate(invalid="ignore", divide="ignore"):
                level_list.append(np.where(member, values, 0.0).sum(axis=-1) / n_g)
        shares, levels = np.stack(share_list, -1), np.stack(level_list, -1)
    levels = np.where(shares > 0, levels, 0.0)
    polarisation = np.zeros(values.shape[:-1])
    for g in range(shares.shape[-1]):
        distance = np.abs(levels[..., g : g + 1] - levels)
        polarisation += shares[..., g] ** (1.0 + alpha) * (shares * distance).sum(axis=-1)
    if normalize:
        with np.errstate(invalid="ignore", divide="ignore"):
            polarisation = polarisation / np.nanmean(np.where(valid, values, np.nan), axis=-1)
    return np.where(n > 0, polarisation, np.nan)


def sigma_convergence(values: np.ndarray) -> dict[str, np.ndarray]:
    """Cross-country standard deviation of log values per period, and its trend.

    sigma_t = sd_c(ln x_ct) (population sd), for values (..., periods, countries), over a
    fixed set of countries per run (per leading index): those with a positive value in
    every period. A country with a zero or missing value at any date is left out at every
    date, so that sigma_t compares the same countries over time (a country entering when
    its capital turns positive would otherwise make sigma jump). slope = OLS slope of
    sigma_t on t (per period): negative means sigma-convergence. Reference: Barro and
    Sala-i-Martin (1992), Convergence, J. Polit. Econ. 100, 223-251; Sala-i-Martin (1996),
    Econ. J. 106, 1019-1036.
    """
    values = _floats(values)
    with np.errstate(invalid="ignore", divide="ignore"):
        always_positive = (values > 0).all(axis=-2, keepdims=True)
        logs = np.log(np.where(always_positive, values, np.nan))
    valid = ~np.isnan(logs)
    n = valid.sum(axis=-1)
    filled = np.where(valid, logs, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = filled.sum(axis=-1) / n
        spread = np.where(valid, logs - mean[..., None], 0.0)
        sigma = np.sqrt((spread**2).sum(axis=-1) / n)
    time = np.arange(sigma.shape[-1], dtype=np.float64)
    centred = time - time.mean()
    finite = np.isfinite(sigma)
    sigma_centred = np.where(finite, sigma - np.nanmean(sigma, axis=-1, keepdims=True), 0.0)
    slope = (sigma_centred * centred).sum(axis=-1) / (finite * centred**2).sum(axis=-1)
    return {"sigma": sigma, "slope": slope}


def hp_trend(values: np.ndarray, smoothing: float) -> np.ndarray:
    """Hodrick-Prescott trend along axis -2 (periods) of (..., periods, countries) values.

    tau = (I + lambda K'K)^-1 x with K the second-difference operator.
    Reference: Hodrick and Prescott (1997), J. Money Credit Bank. 29, 1-16.
    """
    periods = values.shape[-2]
    second = np.diff(np.eye(periods), n=2, axis=0)
    smoother = np.linalg.inv(np.eye(periods) + smoothing * second.T @ second)
    return np.matmul(smoother, values)


def phillips_sul(
    values: np.ndarray,
    *,
    first_fraction: float = 0.3,
    hp_smoothing: float | None = None,
    critical: float = -1.65,
) -> dict[str, np.ndarray]:
    """Phillips-Sul log t convergence test on trajectories (..., periods, countries).

    Relative transition h_it = x_it / mean_i x_it, H_t = (1/N) sum_i (h_it - 1)^2, and the
    regression log(H_1 / H_t) - 2 log(log t) = a + b log t + u over t = [rT], ..., T (t from
    1) with a Newey-West (Bartlett, L = floor(4 (n/100)^(2/9))) standard error of b.
    Convergence (one club) is rejected when t_b < `critical` (one-sided 5%). b estimates
    2 alpha, the speed of convergence (b >= 2: convergence in levels). Values are used as
    given (pass logs for log-level data); `hp_smoothing` first takes the HP trend. Countries
    with any missing value are dropped. Reference: Phillips and Sul (2007), Transition
    modeling and econometric convergence tests, Econometrica 75, 1771-1855.
    """
    values = np.asarray(values, dtype=np.float64)
    complete = ~np.isnan(values).any(axis=-2, keepdims=True)
    if hp_smoothing is not None:
        values = hp_trend(np.where(complete, values, 0.0), hp_smoothing)
    values = np.where(complete, values, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        relative = values / np.nanmean(values, axis=-1, keepdims=True)
        dispersion = np.nanmean((relative - 1.0) ** 2, axis=-1)
    periods = values.shape[-2]
    first = max(int(first_fraction * periods), 2)
    t = np.arange(first, periods + 1, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        response = np.log(dispersion[..., :1] / dispersion[..., first - 1 :]) - 2.0 * np.log(
            np.log(t)
        )
    design = np.column_stack([np.ones_like(t), np.log(t)])
    bread = np.linalg.inv(design.T @ design)
    coefficients = response @ design @ bread
    residual = response - coefficients @ design.T
    score = design * residual[..., None]
    n_obs = t.size
    bandwidth = int(np.floor(4 * (n_obs / 100.0) ** (2.0 / 9.0)))
    meat = np.einsum("...ti,...tj->...ij", score, score)
    for lag in range(1, bandwidth + 1):
        gamma = np.einsum("...ti,...tj->...ij", score[..., lag:, :], score[..., :-lag, :])
        meat = meat + (1.0 - lag / (bandwidth + 1.0)) * (gamma + np.swapaxes(gamma, -1, -2))
    covariance = bread @ meat @ bread
    b = coefficients[..., 1]
    se = np.sqrt(covariance[..., 1, 1])
    with np.errstate(invalid="ignore", divide="ignore"):
        t_stat = b / se
    return {"b": b, "se": se, "t_stat": t_stat, "converges": t_stat > critical}


def club_convergence(
    values: np.ndarray,
    *,
    first_fraction: float = 0.3,
    critical: float = -1.65,
    sieve: float = 0.0,
    merge: bool = True,
) -> dict[str, list[np.ndarray] | np.ndarray]:
    """Phillips-Sul club clustering of one panel (periods, countries).

    0. If the whole panel passes the log t test (t_b > `critical`), it is one club.
    1. Order countries by their last-period value (highest first).
    2. Core group: the first k (in that order) for which the pair (k, k + 1) passes; then
       grow the group k..j while t_b stays above `critical` and keep the size with the
       largest t_b. No passing pair: the remaining countries are divergent.
    3. Sieve: add every other country whose t_b with the core exceeds `sieve` (c = 0, the
       conservative choice for short panels); if the core plus these fails the test, raise
       c (drop the weakest candidate) until it passes.
    4. Recursion: the rest is one club if it passes, otherwise repeat 1-3 on it.
    5. Merging (Phillips and Sul 2009): adjacent clubs are merged while their union passes.
    References: Phillips and Sul (2007), Econometrica 75, 1771-1855, sec. 4; Phillips and
    Sul (2009), Economic transition and growth, J. Appl. Econometrics 24, 1153-1185.

    Limitation: the log t test asks for the relative transitions h_it to converge to 1,
    i.e. the dispersion H_t to shrink. Near-identical trajectories whose small differences
    are stationary noise (H_t flat, not falling) fail it by construction (b is about
    -2 / log t), and the clustering then splits the noise into spurious clubs: read club
    counts of such panels as unreliable (`club_count_reliable` below is False when the
    within-club dispersion of some club does not fall: its b < -0.1, a heuristic margin).
    Returns {"clubs": [country indices], "divergent": country indices, "club_b": b of each
    club, "club_count_reliable": bool}.
    """
    values = np.asarray(values, dtype=np.float64)

    def t_stat(members) -> float:
        test = phillips_sul(values[:, np.asarray(members)], first_fraction=first_fraction)
        return float(test["t_stat"])

    last = values[-1]
    remaining = [
        int(c) for c in np.argsort(-np.where(np.isnan(last), -np.inf, last), kind="stable")
    ]
    clubs: list[list[int]] = []
    while len(remaining) >= 2:
        if t_stat(remaining) > critical:
            clubs.append(remaining)
            remaining = []
            break
        core = _core_group(remaining, t_stat, critical)
        if not core:
            break
        others = [c for c in remaining if c not in core]
        scored = sorted(((t_stat([*core, c]), c) for c in others), reverse=True)
        candidates = [c for s, c in scored if s > sieve]
        while candidates and t_stat([*core, *candidates]) <= critical:
            candidates.pop()  # raise the sieve criterion past the weakest candidate
        club = [*core, *candidates]
        clubs.append(club)
        remaining = [c for c in remaining if c not in club]
    if merge:
        merged: list[list[int]] = []
        for club in clubs:
            if merged and t_stat([*merged[-1], *club]) > critical:
                merged[-1] = [*merged[-1], *club]
            else:
                merged.append(club)
        clubs = merged
    club_b = np.array(
        [float(phillips_sul(values[:, club], first_fraction=first_fraction)["b"]) for club in clubs]
    )
    return {
        "clubs": [np.sort(np.array(club, dtype=np.int64)) for club in clubs],
        "divergent": np.sort(np.array(remaining, dtype=np.int64)),
        "club_b": club_b,
        "club_count_reliable": bool(club_b.size > 0 and (club_b >= -0.1).all()),
    }


def _core_group(ordered: list[int], t_stat, critical: float) -> list[int]:
    """Phillips-Sul core group: first passing pair in `ordered`, grown while t_b > critical,
    the size with the largest t_b kept."""
    for start in range(len(ordered) - 1):
        if t_stat(ordered[start : start + 2]) <= critical:
            continue
        best, best_size = -np.inf, 2
        for size in range(2, len(ordered) - start + 1):
            stat = t_stat(ordered[start : start + size])
            if stat <= critical:
                break
            if stat > best:
                best, best_size = stat, size
        return ordered[start : start + best_size]
    return []
