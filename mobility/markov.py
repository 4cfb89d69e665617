"""Markov chain measures of tier mobility, batched over any leading axes.

Every function takes tier codes or (..., m, m) arrays: a single matrix, a stack of
per-run matrices or a stack of bootstrap replicates are treated alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from mobility.panel import N_TIERS

INDEX_NAMES = (
    "shorrocks",
    "determinant",
    "second_eigenvalue",
    "half_life",
    "bartholomew_1",
    "bartholomew_2",
    "upward_rate",
    "downward_rate",
)
TIER_INDEX_NAMES = ("persistence", "expected_sojourn")


def transition_counts(
    tiers: np.ndarray,
    *,
    lag: int = 1,
    n_tiers: int = N_TIERS,
    per_run: bool = False,
    by_period: bool = False,
    overlapping: bool = True,
    start: int | None = None,
    stop: int | None = None,
) -> np.ndarray:
    """Counts n_ij of moves from tier i at period t to tier j at period t + lag.

    n_ij = sum over runs r, origin periods t, countries c of 1[x_rtc = i, x_r(t+lag)c = j],
    pairs with a missing end (-1) left out. `tiers` is (runs, periods, countries) or
    (periods, countries). With ``overlapping=False`` only origins t = start, start + lag, ...
    are used (non-overlapping pairs); `start`/`stop` bound the origin periods.

    Returns float64 counts (m, m), (runs, m, m) if `per_run`, (origins, m, m) if
    `by_period`, or (runs, origins, m, m) if both. Reference: Anderson and Goodman (1957),
    Statistical inference about Markov chains, Ann. Math. Stat. 28, 89-110.
    """
    tiers = np.asarray(tiers)
    if tiers.ndim == 2:
        tiers = tiers[None]
    if lag < 1 or lag >= tiers.shape[1]:
        raise ValueError(f"lag must be in 1..{tiers.shape[1] - 1} periods, got {lag}")
    origin = tiers[:, : tiers.shape[1] - lag][:, start:stop]
    end = tiers[:, lag:][:, start:stop]
    if not overlapping:
        origin, end = origin[:, ::lag], end[:, ::lag]
    cells = n_tiers * n_tiers
    code = origin.astype(np.intp) * n_tiers + end
    code[(origin < 0) | (end < 0)] = cells
    runs, origins = code.shape[:2]
    groups = 1
    if per_run and by_period:
        groups = runs * origins
        code += (np.arange(groups).reshape(runs, origins, 1) * (cells + 1)).astype(np.intp)
    elif per_run:
        groups = runs
        code += (np.arange(runs).reshape(runs, 1, 1) * (cells + 1)).astype(np.intp)
    elif by_period:
        groups = origins
        code += (np.arange(origins).reshape(1, origins, 1) * (cells + 1)).astype(np.intp)
    counts = np.bincount(code.ravel(), minlength=groups * (cells + 1)).astype(np.float64)
    counts = counts.reshape(groups, cells + 1)[:, :cells]
    shape = {
        (False, False): (n_tiers, n_tiers),
        (True, False): (runs, n_tiers, n_tiers),
        (False, True): (origins, n_tiers, n_tiers),
        (True, True): (runs, origins, n_tiers, n_tiers),
    }[(per_run, by_period)]
    return counts.reshape(shape)


def transition_matrix(
    counts: np.ndarray, *, empty: Literal["identity", "zero", "nan"] = "identity"
) -> np.ndarray:
    """Maximum-likelihood transition probabilities p_ij = n_ij / sum_j n_ij, batched.

    A row with no observations becomes a unit row on the diagonal (``empty="identity"``,
    giddy's ``fill_empty_classes`` convention: an unobserved tier is treated as absorbing),
    a zero row (``"zero"``, giddy's ``Markov.p``) or NaN (``"nan"``).
    Reference: Anderson and Goodman (1957).
    """
    counts = np.asarray(counts, dtype=np.float64)
    row = counts.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        matrix = counts / row
    no_data = np.broadcast_to(row == 0, counts.shape)
    if empty == "identity":
        eye = np.broadcast_to(np.eye(counts.shape[-1]), counts.shape)
        return np.where(no_data, eye, matrix)
    if empty == "zero":
        return np.where(no_data, 0.0, matrix)
    if empty == "nan":
        return matrix
    raise ValueError(f"empty must be 'identity', 'zero' or 'nan', got {empty!r}")


def _clean(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Replace non-finite matrices in a stack by the identity; return them and the bad mask."""
    matrix = np.asarray(matrix, dtype=np.float64)
    bad = ~np.isfinite(matrix).all(axis=(-2, -1))
    if bad.any():
        matrix = np.where(bad[..., None, None], np.eye(matrix.shape[-1]), matrix)
    return matrix, bad


def _unbatch(value: np.ndarray) -> np.ndarray | float:
    return float(value) if np.ndim(value) == 0 else value


def mobility_indices(
    matrix: np.ndarray,
    *,
    initial: np.ndarray | None = None,
    counts: np.ndarray | None = None,
    step_months: float = 1.0,
) -> dict[str, np.ndarray | float]:
    """Summary mobility indices of transition matrices P (..., m, m).

    - shorrocks: Shorrocks (1978) / Prais, M_P = (m - trace P) / (m - 1); 0 for the identity,
      m / (m - 1) at most.
    - determinant: Shorrocks (1978), M_D = 1 - |det P|, in [0, 1].
    - second_eigenvalue: Sommers and Conlisk (1979), M_2 = 1 - |lambda_2|, in [0, 1], with
      lambda_2 the eigenvalue of second largest modulus.
    - half_life: -ln 2 / ln|lambda_2| steps times `step_months` (months for the distance
      to the stationary distribution to halve).
    - bartholomew_1: Bartholomew (1982) as in giddy, m / (m - 1) sum_i pi_i (1 - p_ii).
    - bartholomew_2: Bartholomew (1982) as in giddy, sum_ij pi_i p_ij |i - j| / (m - 1).
    - upward_rate, downward_rate: sum_i pi_i sum_{j > i} p_ij and sum_i pi_i sum_{j < i} p_ij.
    - persistence (..., m): p_ii; expected_sojourn (..., m): 1 / (1 - p_ii) steps times
      `step_months` (inf for an absorbing tier).

    pi is `initial`; else the observed origin shares of `counts`; else uniform (giddy's
    default). With `counts`, persistence and sojourn of a tier never observed are NaN.
    Reference for the set: Formby, Smith and Zheng (2004), J. Econometrics 120, 181-205.
    """
    p, bad = _clean(matrix)
    m = p.shape[-1]
    if initial is None and counts is not None:
        row = np.asarray(counts, dtype=np.float64).sum(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            initial = row / row.sum(axis=-1, keepdims=True)
    if initial is None:
        initial = np.full(m, 1.0 / m)
    initial = np.asarray(initial, dtype=np.float64)
    diag = np.diagonal(p, axis1=-2, axis2=-1)
    moduli = np.sort(np.abs(np.linalg.eigvals(p)), axis=-1)
    lambda_2 = moduli[..., -2]
    with np.errstate(divide="ignore", invalid="ignore"):
        half_life = np.where(lambda_2 >= 1.0, np.inf, np.log(0.5) / np.log(lambda_2) * step_months)
        sojourn = np.where(diag >= 1.0, np.inf, 1.0 / (1.0 - diag)) * step_months
    steps = np.arange(m)
    distance = np.abs(steps[:, None] - steps[None, :])
    upper = np.triu(np.ones((m, m)), 1)
    result = {
        "shorrocks": (m - np.trace(p, axis1=-2, axis2=-1)) / (m - 1),
        "determinant": 1.0 - np.abs(np.linalg.det(p)),
        "second_eigenvalue": 1.0 - lambda_2,
        "half_life": half_life,
        "bartholomew_1": m / (m - 1) * (initial * (1.0 - diag)).sum(axis=-1),
        "bartholomew_2": (initial[..., None] * p * distance).sum(axis=(-2, -1)) / (m - 1),
        "upward_rate": (initial[..., None] * p * upper).sum(axis=(-2, -1)),
        "downward_rate": (initial[..., None] * p * upper.T).sum(axis=(-2, -1)),
        "persistence": diag,
        "expected_sojourn": sojourn,
    }
    if counts is not None:
        unseen = np.asarray(counts).sum(axis=-1) == 0
        result["persistence"] = np.where(unseen, np.nan, result["persistence"])
        result["expected_sojourn"] = np.where(unseen, np.nan, result["expected_sojourn"])
    for name, value in result.items():
        mask = bad[..., None] if name in TIER_INDEX_NAMES else bad
        result[name] = _unbatch(np.where(mask, np.nan, value))
    return result


def stationary_distribution(matrix: np.ndarray, *, tol: float = 1e-10) -> np.ndarray:
    """Stationary distribution pi = pi P, sum pi = 1, of each matrix in a stack.

    Solved as the linear system (I - P)^T pi = 0 with one equation replaced by sum pi = 1.
    The solution is unique exactly when the chain has one recurrent class (transient tiers
    get pi = 0); with several recurrent classes (e.g. two absorbing tiers) it does not
    exist uniquely and NaN is returned. Reference: Kemeny and Snell (1976), Finite Markov
    Chains, ch. 4-5.
    """
    p, bad = _clean(matrix)
    m = p.shape[-1]
    system = np.swapaxes(np.eye(m) - p, -1, -2).copy()
    system[..., -1, :] = 1.0
    singular = np.abs(np.linalg.det(system)) < tol
    system = np.where(singular[..., None, None], np.eye(m), system)
    rhs = np.zeros(p.shape[:-1])
    rhs[..., -1] = 1.0
    pi = np.linalg.solve(system, rhs[..., None])[..., 0]
    pi = np.where(np.abs(pi) < tol, 0.0, pi)
    return np.where((singular | bad)[..., None], np.nan, pi)


def _reachable(adjacency: np.ndarray) -> np.ndarray:
    """Transitive closure (reflexive) of a stack of boolean adjacency matrices."""
    m = adjacency.shape[-1]
    reach = adjacency | np.eye(m, dtype=bool)
    for _ in range(max(1, int(np.ceil(np.log2(m))))):
        reach = (reach.astype(np.int64) @ reach.astype(np.int64)) > 0
    return reach


def mean_first_passage_times(matrix: np.ndarray) -> np.ndarray:
    """Mean first passage times m_ij (steps from tier i to first reach tier j), batched.

    For i != j, m_ij solves m_ij = 1 + sum_{k != j} p_ik m_kj, i.e. (I - P_-j) m_.j = 1 on
    the chain with tier j removed; m_ij = inf when, before reaching j, the chain can enter
    states that never reach j. The diagonal is the mean recurrence time
    m_jj = 1 + sum_{k != j} p_jk m_kj (= 1 / pi_j for an ergodic chain). For an ergodic
    chain this equals Kemeny and Snell's (I - Z + E Z_dg) D with Z = (I - P + W)^-1.
    Reference: Kemeny and Snell (1976), Finite Markov Chains, ch. 4.4; giddy ``mfpt``.
    """
    p, bad = _clean(matrix)
    m = p.shape[-1]
    passage = np.empty(p.shape)
    for j in range(m):
        others = np.array([k for k in range(m) if k != j])
        sub = p[..., others[:, None], others[None, :]]
        never = ~_reachable(p > 0)[..., others, j]
        trapped = (_reachable(sub > 0) & never[..., None, :]).any(axis=-1)
        eye = np.eye(m - 1)
        system = eye - sub
        keep = ~trapped
        system = np.where(keep[..., :, None] & keep[..., None, :], system, eye)
        singular = np.abs(np.linalg.det(system)) < 1e-14  # numerically never reaches j
        system = np.where(singular[..., None, None], eye, system)
        rhs = keep.astype(np.float64)
        times = np.linalg.solve(system, rhs[..., None])[..., 0]
        times = np.where(trapped | singular[..., None], np.inf, times)
        step = p[..., j, others]
        with np.errstate(invalid="ignore"):
            recurrence = 1.0 + np.where(step > 0, step * times, 0.0).sum(axis=-1)
        passage[..., others, j] = times
        passage[..., j, j] = recurrence
    return np.where(bad[..., None, None], np.nan, passage)


@dataclass(frozen=True, eq=False)
class AbsorbingChain:
    """Absorbing-chain quantities of one transition matrix (Kemeny and Snell 1976, ch. 3).

    absorbing, transient : tier codes. fundamental : N = (I - Q)^-1, expected visits to
    transient tier j starting from transient tier i. time_to_absorption : t = N 1 (steps).
    absorption_probabilities : B = N R, rows transient tiers, columns absorbing tiers.
    """

    absorbing: np.ndarray
    transient: np.ndarray
    fundamental: np.ndarray
    time_to_absorption: np.ndarray
    absorption_probabilities: np.ndarray


def absorbing_chain(matrix: np.ndarray, *, tol: float = 1e-12) -> AbsorbingChain | None:
    """Fundamental matrix, expected time to absorption and absorption probabilities.

    With Q the transient-to-transient and R the transient-to-absorbing blocks of P:
    N = (I - Q)^-1, t = N 1, B = N R. A tier is absorbing when p_ii = 1. Returns None when
    no tier is absorbing. If some transient tiers form a closed class that never reaches an
    absorbing tier, I - Q is singular and N, t, B are inf / NaN for them.
    Reference: Kemeny and Snell (1976), Finite Markov Chains, Theorems 3.2.1, 3.3.5, 3.3.7.
    """
    p = np.asarray(matrix, dtype=np.float64)
    if p.ndim != 2:
        raise ValueError(f"absorbing_chain takes one (m, m) matrix, got shape {p.shape}")
    diag = np.diag(p)
    absorbing = np.flatnonzero(diag >= 1.0 - tol)
    if absorbing.size == 0:
        return None
    transient = np.flatnonzero(diag < 1.0 - tol)
    q = p[np.ix_(transient, transient)]
    r = p[np.ix_(transient, absorbing)]
    try:
        fundamental = np.linalg.inv(np.eye(transient.size) - q)
    except np.linalg.LinAlgError:
        fundamental = np.full(q.shape, np.inf)
    with np.errstate(invalid="ignore"):
        time = fundamental.sum(axis=1)
        probabilities = fundamental @ r
    return AbsorbingChain(absorbing, transient, fundamental, time, probabilities)
