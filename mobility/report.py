"""Plain-text reports for a terminal: a model summary and the real ILIA panel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from mobility.markov import INDEX_NAMES, transition_counts
from mobility.panel import TierPanel
from mobility.summary import MobilitySummary
from mobility.uncertainty import MarkovUncertainty, dirichlet_posterior
from model.tiers import DEFAULT_THRESHOLDS, TIER_LABELS


def _number(value: float) -> str:
    if value is None or np.isnan(value):
        return "n/a"
    if np.isinf(value):
        return "inf"
    return f"{value:.3f}" if abs(value) < 100 else f"{value:.0f}"


def _with_interval(estimate: float, low: float, high: float) -> str:
    return f"{_number(estimate)} [{_number(low)}, {_number(high)}]"


def format_matrix(result: MarkovUncertainty) -> str:
    """Counts and probabilities with intervals, one line per origin tier."""
    counts = result.counts
    matrix = np.asarray(result.estimates["matrix"])
    width = 26
    lines = ["from \\ to".ljust(10) + "".join(label.ljust(width) for label in TIER_LABELS)]
    for i, label in enumerate(TIER_LABELS):
        low, high = result.low["matrix"][i], result.high["matrix"][i]
        cells = [_with_interval(matrix[i, j], low[j], high[j]) for j in range(len(TIER_LABELS))]
        counts_text = " ".join(f"{c:.0f}" for c in counts[i])
        lines.append(
            label.ljust(10) + "".join(c.ljust(width) for c in cells) + f"n = {counts_text}"
        )
    return "\n".join(lines)


def format_indices(frame: pd.DataFrame) -> str:
    """Scalar indices and per-tier persistence, sojourn and stationary shares."""
    lines = []
    for classification, rows in frame.groupby("classification", sort=False):
        lines.append(f"  [{classification}]")
        for row in rows.itertuples():
            if row.measure == "mean_first_passage":
                continue
            name = row.measure if not row.tier else f"{row.measure} {row.tier}"
            lines.append(f"    {name:<32}{_with_interval(row.estimate, row.low, row.high)}")
    return "\n".join(lines)


def format_summary(summary: MobilitySummary) -> str:
    """Plain-text report of `summarize` for a terminal."""
    meta = summary.meta
    out = [
        "Tier mobility summary",
        f"  {meta['n_runs']} runs x {meta['n_periods']} periods x {meta['n_countries']} "
        f"countries; step {meta['lag']} period(s) = {meta['months_per_step']:g} months",
        f"  tiers: {meta['classification']}; uncertainty: {meta['uncertainty']}, "
        f"{meta['level']:.0%} intervals",
        "",
        "Transition matrix (probability [interval], counts)",
        format_matrix(summary.markov),
        "",
        "Mobility indices (half-life, sojourn and passage times in months)",
        format_indices(summary.indices),
    ]
    passage = summary.indices[summary.indices["measure"] == "mean_first_passage"]
    first = passage[passage["classification"] == passage["classification"].iloc[0]]
    out += ["", "Mean first passage times (months)"]
    out += [
        f"    {r.tier:<32}{_with_interval(r.estimate, r.low, r.high)}" for r in first.itertuples()
    ]
    if summary.window_closing is not None:
        closing = summary.window_closing
        out += [
            "",
            f"Window after the shock ({meta['shock_date']})",
            f"  window-closing time t* (hazard < {closing.threshold:.4f}): "
            f"{_with_interval(closing.t_star, closing.low, closing.high)} months; "
            f"never closes in {closing.share_never_closed:.1%} of replicates",
        ]
        shown = summary.window[summary.window["months_since_shock"].isin([0, 6, 12, 24, 36, 60])]
        for row in shown.itertuples():
            out.append(
                f"  upward hazard at month {row.months_since_shock:>3}: "
                f"{_with_interval(row.hazard, row.low, row.high)} (at risk {row.at_risk:.0f})"
            )
    if summary.hazard_model is not None:
        model = summary.hazard_model
        out += ["", "Logit hazard of moving up (coefficient, s.e., p)"]
        for name, b, se, p in zip(
            model.names, model.coefficients, model.standard_errors, model.p_values, strict=True
        ):
            out.append(f"    {name:<24}{b: .4g}  {se:.3g}  {p:.3g}")
    if summary.homogeneity is not None:
        test = summary.homogeneity
        out += [
            "",
            f"Homogeneity over {test.segments.shape[0]} segments (Bickenbach-Bode): "
            f"Q = {test.q:.1f}, LR = {test.lr:.1f}, dof = {test.dof}, "
            f"p(Q) = {test.q_p_value:.3g}, p(LR) = {test.lr_p_value:.3g}",
        ]
    if not summary.fragmentation.empty:
        out += ["", "Fragmentation (mean over runs [interval]) at first and last date"]
        frame = summary.fragmentation
        first_date, last_date = frame["date"].min(), frame["date"].max()
        for (variable, dimension, measure), rows in frame.groupby(
            ["variable", "dimension", "measure"], sort=False
        ):
            start = rows[rows["date"] == first_date].iloc[0]
            end = rows[rows["date"] == last_date].iloc[0]
            out.append(
                f"  {variable:<10} {dimension:<19} {measure:<20} "
                f"{_with_interval(start.estimate, start.low, start.high):<28} -> "
                f"{_with_interval(end.estimate, end.low, end.high)}"
            )
        out += ["", "Convergence (sigma slope per period; Phillips-Sul log t, median over runs)"]
        for row in summary.convergence.itertuples():
            out.append(
                f"  {row.variable:<10} {row.dimension:<19} slope {row.sigma_slope_per_period: .2e}"
                f" (falling in {row.share_runs_sigma_falling:.0%} of runs); b = "
                f"{_number(row.log_t_b)}, t = {_number(row.log_t_stat)}, converging in "
                f"{_number(row.share_runs_converging)} of runs"
            )
    return "\n".join(out)


def _movers(panel: TierPanel, origin: int, end: int) -> list[str]:
    tiers = panel.tiers[0]
    lines = []
    for c, iso3 in enumerate(panel.countries):
        a, b = tiers[origin, c], tiers[end, c]
        if a >= 0 and b >= 0 and a != b:
            direction = "up" if b > a else "down"
            lines.append(f"    {iso3}: {TIER_LABELS[a]} -> {TIER_LABELS[b]} ({direction})")
    return lines or ["    none"]


def ilia_report(
    path: str | Path | None = None,
    prior: str = "jeffreys",
    *,
    thresholds: tuple[float, float] = DEFAULT_THRESHOLDS,
    n_draws: int = 4000,
    seed: int = 0,
) -> str:
    """Tier mobility of the real ILIA panel with Dirichlet posterior intervals.

    2023 -> 2024 (the 12 countries in both editions) and 2024 -> 2025 (all 19), tiers from
    the overall score with `thresholds`; for 2024 -> 2025 also the tiers ILIA published.
    One edition step is 12 months.
    """
    panel = TierPanel.from_ilia(path, editions=(2023, 2024, 2025), thresholds=thresholds)
    published = TierPanel.from_ilia(path, editions=(2024, 2025), tier_source="published")
    out = [
        f"ILIA tier mobility (Explorer < {thresholds[0]:g} <= Adopter <= {thresholds[1]:g} "
        "< Pioneer)",
        f"Posterior: Dirichlet per row, {prior} prior, {n_draws} draws; 95% intervals; "
        "one step = 12 months",
    ]
    cases = [
        ("2023 -> 2024, classified by score", panel, 0),
        ("2024 -> 2025, classified by score", panel, 1),
        ("2024 -> 2025, tiers as published by ILIA", published, 0),
    ]
    for title, source, origin in cases:
        counts = transition_counts(source.tiers, start=origin, stop=origin + 1)
        result = dirichlet_posterior(
            counts, prior=prior, n_draws=n_draws, seed=seed, step_months=12.0
        )
        out += ["", f"{title}: {counts.sum():.0f} countries", format_matrix(result)]
        out.append("  tier changes:")
        out += _movers(source, origin, origin + 1)
        out.append("  indices (posterior median [95% interval]):")
        for name in (*INDEX_NAMES, "persistence"):
            estimate, low, high = (result.estimates[name], result.low[name], result.high[name])
            if np.ndim(estimate):
                for k, label in enumerate(TIER_LABELS):
                    text = _with_interval(estimate[k], low[k], high[k])
                    out.append(f"    {name + ' ' + label:<32}{text}")
            else:
                out.append(f"    {name:<32}{_with_interval(estimate, low, high)}")
    return "\n".join(out)
