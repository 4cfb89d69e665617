"""One call for the whole mobility and fragmentation summary, and its plain-text report."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from mobility.fragmentation import esteban_ray, gini, phillips_sul, sigma_convergence, theil
from mobility.fragmentation import tier_gap as tier_gap_of
from mobility.markov import INDEX_NAMES, TIER_INDEX_NAMES, transition_counts
from mobility.panel import TIER_LABELS, TierPanel
from mobility.uncertainty import (
    MarkovUncertainty,
    bootstrap_runs,
    bootstrap_weights,
    dirichlet_posterior,
    interval,
)
from mobility.window import (
    HomogeneityTest,
    LogitHazard,
    WindowClosing,
    forward_sums,
    hazard_observations,
    homogeneity_test,
    logit_hazard,
    months_between,
    segment_counts,
    smoothing_periods,
    upward_counts,
    window_closing,
    window_closing_time,
)

DIMENSIONS = {
    "score": "composite",
    "adoption": "adoption/readiness",
    "readiness": "adoption/readiness",
    "enabling": "adoption/readiness",
    "governance": "adoption/readiness",
    "research": "production",
    "capital": "production",
}
FRAGMENTATION_MEASURES = ("tier_gap", "gini", "theil", "theil_between_share", "esteban_ray")


@dataclass(frozen=True, eq=False)
class MobilitySummary:
    """Tidy results of `summarize`; `format_summary` prints them."""

    transitions: pd.DataFrame
    indices: pd.DataFrame
    window: pd.DataFrame
    fragmentation: pd.DataFrame
    convergence: pd.DataFrame
    meta: dict = field(default_factory=dict)
    window_closing: WindowClosing | None = None
    homogeneity: HomogeneityTest | None = None
    hazard_model: LogitHazard | None = None
    markov: MarkovUncertainty | None = field(default=None, repr=False)


def _markov(
    panel: TierPanel, lag: int, weights: np.ndarray | None, prior: str
) -> MarkovUncertainty:
    if panel.n_runs > 1:
        return bootstrap_runs(panel, lag=lag, weights=weights)
    # One run: overlapping lag-step pairs share months and are dependent, so the posterior
    # (which treats pairs as independent multinomial draws) uses non-overlapping pairs only.
    step = lag * _period_months(panel)
    counts = transition_counts(panel.tiers, lag=lag, overlapping=False)
    result = dirichlet_posterior(counts, prior=prior, step_months=step)
    if lag == 1:
        return result
    method = f"{result.method}, non-overlapping lag-{lag} pairs"
    return replace(result, method=method)


def _period_months(panel: TierPanel) -> float:
    if panel.n_periods < 2:
        return 1.0
    return float(np.median(np.diff(panel.dates).astype(np.int64)))


def transitions_frame(result: MarkovUncertainty) -> pd.DataFrame:
    """Long table: from, to, count, probability, low, high."""
    m = result.counts.shape[0]
    origin, end = np.divmod(np.arange(m * m), m)
    labels = np.array(TIER_LABELS[:m])
    return pd.DataFrame(
        {
            "from": labels[origin],
            "to": labels[end],
            "count": result.counts.ravel(),
            "probability": np.asarray(result.estimates["matrix"]).ravel(),
            "low": result.low["matrix"].ravel(),
            "high": result.high["matrix"].ravel(),
        }
    )


def indices_frame(result: MarkovUncertainty, classification: str) -> pd.DataFrame:
    """Long table: classification, measure, tier, estimate, low, high."""
    rows = []
    labels = TIER_LABELS
    for name in INDEX_NAMES:
        rows.append((name, "", result.estimates[name], result.low[name], result.high[name]))
    for name in (*TIER_INDEX_NAMES, "stationary"):
        for k, label in enumerate(labels):
            value = np.asarray(result.estimates[name])[k]
            rows.append((name, label, value, result.low[name][k], result.high[name][k]))
    passage = np.asarray(result.estimates["mean_first_passage"])
    for i, j in np.ndindex(passage.shape):
        low, high = result.low["mean_first_passage"], result.high["mean_first_passage"]
        tier = f"{labels[i]}->{labels[j]}"
        rows.append(("mean_first_passage", tier, passage[i, j], low[i, j], high[i, j]))
    frame = pd.DataFrame(rows, columns=["measure", "tier", "estimate", "low", "high"])
    frame.insert(0, "classification", classification)
    return frame


def _alternatives(panel: TierPanel) -> list[TierPanel]:
    """The same scores classified the other ways that the report must show."""
    if panel.scores is None:
        return []
    other_mode = "relative" if panel.mode == "absolute" else "absolute"
    hysteresis = panel.hysteresis_periods > 1 or panel.hysteresis_band > 0
    other_rule = (
        {"hysteresis_periods": 0, "hysteresis_band": 0.0}
        if hysteresis
        else {"hysteresis_periods": 3}
    )
    return [panel.reclassify(mode=other_mode), panel.reclassify(**other_rule)]


def _run_mean(stat: np.ndarray, weights: np.ndarray | None, level: float):
    """Mean over runs of a per-run statistic (runs, ...) with its run-bootstrap interval."""
    finite = np.isfinite(stat)
    filled = np.where(finite, stat, 0.0).astype(np.float32)
    with np.errstate(invalid="ignore", divide="ignore"):
        estimate = filled.sum(axis=0, dtype=np.float64) / finite.sum(axis=0)
        if weights is None or stat.shape[0] < 2:
            return estimate, np.full_like(estimate, np.nan), np.full_like(estimate, np.nan)
        flat = filled.reshape(stat.shape[0], -1)
        replicates = (weights @ flat) / (weights @ finite.reshape(stat.shape[0], -1))
    low, high = interval(replicates, level)
    return estimate, low.reshape(estimate.shape), high.reshape(estimate.shape)


def fragmentation_frame(
    values: dict[str, np.ndarray],
    tiers: np.ndarray,
    dates: np.ndarray,
    weights: np.ndarray | None,
    level: float = 0.95,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-date fragmentation measures (mean over runs with intervals) and convergence tests."""
    frames, convergence = [], []
    for name, array in values.items():
        array = np.asarray(array)
        array = array[None] if array.ndim == 2 else array
        theil_parts = theil(array, tiers)
        sigma = sigma_convergence(array)
        measures = {
            "tier_gap": tier_gap_of(array, tiers)["gap"],
            "gini": gini(array),
            "theil": theil_parts["theil"],
            "theil_between_share": theil_parts["between_share"],
            "esteban_ray": esteban_ray(array, tiers),
            "sd_log": sigma["sigma"],
        }
        for measure, stat in measures.items():
            estimate, low, high = _run_mean(stat, weights, level)
            frames.append(
                pd.DataFrame(
                    {
                        "variable": name,
                        "dimension": DIMENSIONS.get(name, "other"),
                        "measure": measure,
                        "date": pd.DatetimeIndex(dates),
                        "estimate": estimate,
                        "low": low,
                        "high": high,
                    }
                )
            )
        slope = sigma["slope"]
        test = phillips_sul(array) if array.shape[1] >= 10 else None
        convergence.append(
            {
                "variable": name,
                "dimension": DIMENSIONS.get(name, "other"),
                "sigma_slope_per_period": float(np.nanmean(slope)),
                "share_runs_sigma_falling": float(np.mean(slope < 0)),
                "log_t_b": np.nan if test is None else float(np.nanmedian(test["b"])),
                "log_t_stat": np.nan if test is None else float(np.nanmedian(test["t_stat"])),
                "share_runs_converging": np.nan
                if test is None
                else float(np.mean(test["converges"])),
            }
        )
    return pd.concat(frames, ignore_index=True), pd.DataFrame(convergence)


def summarize(
    panel: TierPanel,
    *,
    lag: int = 1,
    n_boot: int = 1000,
    seed: int = 0,
    shock_date: np.datetime64 | str | None = None,
    values: dict[str, np.ndarray] | None = None,
    level: float = 0.95,
    window_threshold: float | None = None,
    prior: str = "jeffreys",
    max_hazard_observations: int = 200_000,
) -> MobilitySummary:
    """Mobility, window and fragmentation summary of a panel, as tidy DataFrames.

    Several runs: cluster bootstrap over runs (`n_boot` replicates, `seed`) on all
    overlapping lag pairs; one run (the ILIA panel): Dirichlet posterior per row (`prior`)
    on non-overlapping pairs only (origins 0, lag, 2 lag, ...), since overlapping pairs of
    one run are dependent and would make the posterior about sqrt(lag) too narrow.
    Indices are reported for the panel's classification and, when scores are present,
    for the other mode (absolute vs relative) and the other hysteresis rule (none vs
    persist 3 periods).
    With `shock_date`: upward hazard by month since the shock and the window-closing time
    t* as ``mobility.window.T_STAR_DEFINITION`` states it (12-month forward hazard, half
    its peak; with `window_threshold`, the one-step hazard against that threshold instead),
    a logit hazard (absorptive capacity = values["research"], policy =
    values["policy"] when given) and the homogeneity test of the pre-shock period against
    12-month blocks after it (without a shock: 12-month blocks). Fragmentation is computed
    for the scores and every array in `values` (runs, periods, countries).
    """
    weights = bootstrap_weights(panel.n_runs, n_boot, seed) if panel.n_runs > 1 else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        main = _markov(panel, lag, weights, prior)
        indices = [indices_frame(main, panel.classification)]
        for other in _alternatives(panel):
            indices.append(indices_frame(_markov(other, lag, weights, prior), other.classification))
        period_months = _period_months(panel)
        window = pd.DataFrame()
        closing, hazard_model = None, None
        months = months_between(panel.dates[:-lag], shock_date or panel.dates[0])
        if shock_date is not None:
            monthly_up, monthly_risk = upward_counts(panel.tiers, lag=lag)
            options = {"n_boot": n_boot, "seed": seed, "level": level, "weights": weights}
            if window_threshold is None:  # the one definition of t* (T_STAR_DEFINITION)
                span = smoothing_periods(period_months, monthly_up.shape[-1])
                closing = window_closing(
                    monthly_up, monthly_risk, months, smoothing=span, **options
                )
                moves_up = forward_sums(monthly_up, span)
                at_risk = forward_sums(monthly_risk, span)
                months = months[: moves_up.shape[-1]]
            else:  # a threshold of the caller's on the one-step hazard
                moves_up, at_risk = monthly_up, monthly_risk
                closing = window_closing_time(
                    moves_up, at_risk, months, threshold=window_threshold, **options
                )
            after = months >= 0
            window = pd.DataFrame(
                {
                    "months_since_shock": months,
                    "moves_up": moves_up.sum(0),
                    "at_risk": at_risk.sum(0),
                    "hazard": moves_up.sum(0) / np.where(at_risk.sum(0) > 0, at_risk.sum(0), 1),
                }
            )
            window.loc[after, "low"] = closing.hazard_low
            window.loc[after, "high"] = closing.hazard_high
            extra = values or {}
            capacity = extra.get("absorptive_capacity", extra.get("research"))
            observations = hazard_observations(
                panel.tiers,
                panel.dates,
                shock_date,
                lag=lag,
                absorptive_capacity=capacity,
                policy=extra.get("policy"),
                max_observations=max_hazard_observations,
                seed=seed,
            )
            if observations["moved_up"].size > 10 and 0 < observations["moved_up"].mean() < 1:
                hazard_model = logit_hazard(
                    observations.pop("moved_up"),
                    observations.pop("months_since_shock"),
                    **observations,
                )
        block = max(1, round(12 / period_months))
        before = int((months < 0).sum())
        boundaries = [before, *range(before + block, panel.n_periods, block)]
        segments = segment_counts(panel.tiers, boundaries, lag=lag)
        homogeneity = homogeneity_test(segments) if segments.shape[0] > 1 else None
        all_values = {} if panel.scores is None else {"score": panel.scores}
        all_values.update(
            {k: v for k, v in (values or {}).items() if k not in ("policy", "absorptive_capacity")}
        )
        fragmentation, convergence = (
            fragmentation_frame(all_values, panel.tiers, panel.dates, weights, level)
            if all_values
            else (pd.DataFrame(), pd.DataFrame())
        )
    meta = {
        "n_runs": panel.n_runs,
        "n_periods": panel.n_periods,
        "n_countries": panel.n_countries,
        "lag": lag,
        "months_per_step": lag * period_months,
        "classification": panel.classification,
        "uncertainty": main.method,
        "level": level,
        "shock_date": None if shock_date is None else str(np.datetime64(shock_date, "M")),
    }
    return MobilitySummary(
        transitions_frame(main),
        pd.concat(indices, ignore_index=True),
        window,
        fragmentation,
        convergence,
        meta,
        closing,
        homogeneity,
        hazard_model,
        main,
    )
