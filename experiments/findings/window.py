"""Question 3: the window. Does the chance of moving up fall with the policy start date,
and when does the upward hazard after the open-weights release fall away (t*)?

Experiments: ``window.toml`` (Peru's production platform started every six months from the
release, 2025-08, to 2030-08, or never, at an extra budget of 0.5% and 1% of Peru's GDP)
and ``window_half_life.toml`` (the region's monthly tiers after the release of 2025-08 for
open-weights half-lives of 6, 12, 24 and 48 months, and without a release).

t* is computed exactly as :data:`mobility.window.T_STAR_DEFINITION` states it
(:func:`mobility.window_closing`: the 12-month forward upward hazard of the 19 countries,
half its peak), with a 95% run bootstrap interval; the whole hazard curve, from the start
of the runs, is the figure ``window_hazard``. With a ``[posterior]`` section in the files
every number is given twice: noise only (the posterior's median parameters) and parameters + noise
(posterior draws x replications; ``experiments.findings.common.two_intervals``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from experiments.findings.common import (
    Finding,
    ci,
    cube,
    fmt,
    provenance,
)
from experiments.findings.twins import two_intervals, uncertainty_pair
from mobility import upward_counts, window_closing
from mobility.window import T_STAR_DEFINITION, months_between
from model.parameters import BY_NAME

EXPERIMENTS = ("window.toml", "window_half_life.toml")
COMMAND = "latam-ai findings window"
SHOCK = BY_NAME["open_weights_date"].default
#: The label of runs in which Peru never starts the platform (``policies = {}``).
NEVER = "never"
#: The scenario of window_half_life.toml with the default half-life.
DEFAULT_SCENARIO = "half_life_24"


def start_month(policies) -> str:
    """The month Peru's platform starts in a run's ``policies`` ({} -> ``never``)."""
    return str(policies["PER"][0][0]) if policies else NEVER


def _labelled(table: pd.DataFrame | None) -> pd.DataFrame | None:
    if table is None:
        return None
    table = table.copy()
    table["start_date"] = table["policies"].map(start_month)
    return table


def start_date_table(noise, posterior=None) -> pd.DataFrame:
    """Per extra budget and start month: P(Peru Pioneer in Dec 2030 / Dec 2035) with 95%
    Wilson intervals, and Peru's 2035 score, noise only and (with ``posterior``)
    parameters + noise; ``never`` is the status quo."""
    noise_runs = _labelled(noise.table())
    posterior_runs = None if posterior is None else _labelled(posterior.table())
    rows = []
    for (budget, start), block in noise_runs.groupby(["policy_budget", "start_date"]):
        other = None
        if posterior_runs is not None:
            chosen = (posterior_runs["policy_budget"] == budget) & (
                posterior_runs["start_date"] == start
            )
            other = posterior_runs[chosen]
        row = {"policy_budget": float(budget), "start_date": start}
        for year in (2030, 2035):
            row |= two_intervals(
                block, other, f"peru_pioneer_{year}", "probability", prefix=f"pioneer_{year}_"
            )
        row |= two_intervals(block, other, "peru_score_2035", "mean", prefix="score_2035_")
        rows.append(row)
    table = pd.DataFrame(rows)
    order = table["start_date"].where(table["start_date"] != NEVER, "9999")
    return (
        table.assign(_order=order).sort_values(["policy_budget", "_order"]).drop(columns="_order")
    )


def closing_times(results, n_boot: int = 1000) -> tuple[pd.DataFrame, pd.DataFrame]:
    """t* with its interval per scenario (``mobility.window_closing``), and the whole
    12-month forward hazard curve by month since the release, from the first month."""
    tiers, runs, _, dates = cube(results.trajectories, "tier")
    labels = results.design.set_index("run_id").loc[runs, "label"].to_numpy()
    months = months_between(np.asarray(dates, "datetime64[M]")[:-1], SHOCK)
    moves_up, at_risk = upward_counts(tiers.astype(np.int8), lag=1)
    rows, curves = [], []
    for label in dict.fromkeys(labels):
        mask = labels == label
        closing = window_closing(moves_up[mask], at_risk[mask], months, n_boot=n_boot, seed=0)
        whole = window_closing(
            moves_up[mask], at_risk[mask], months - months.min(), n_boot=n_boot, seed=0
        )  # the same hazard from the first month on, for the figure
        half_life = results.design.loc[results.design["label"] == label]
        after = closing.months_since_shock
        rows.append(
            {
                "scenario": label,
                "open_weights_half_life": float(half_life["open_weights_half_life"].iloc[0]),
                "runs": int(mask.sum()),
                "t_star": closing.t_star,
                "low": closing.low,
                "high": closing.high,
                "share_never_closed": closing.share_never_closed,
                "threshold": closing.threshold,
                "peak_hazard": closing.threshold * 2,
                "peak_month": float(after[np.nanargmax(closing.hazard)])
                if np.isfinite(closing.hazard).any()
                else np.nan,
            }
        )
        curves.append(
            pd.DataFrame(
                {
                    "scenario": label,
                    "months_since_shock": whole.months_since_shock + months.min(),
                    "hazard": whole.hazard,
                    "low": whole.hazard_low,
                    "high": whole.hazard_high,
                }
            )
        )
    return pd.DataFrame(rows), pd.concat(curves, ignore_index=True)


def _hazard_figure(curves: pd.DataFrame, closing: pd.DataFrame, title: str):
    from figures.style import new_figure, series_colour

    fig, ax = new_figure(figsize=(9, 4.8))
    for k, (label, block) in enumerate(curves.groupby("scenario", sort=False)):
        row = closing.set_index("scenario").loc[label]
        interval = f"{fmt(row.t_star, 0)} [{fmt(row.low, 0)}, {fmt(row.high, 0)}]"
        x = block["months_since_shock"].to_numpy(float)
        ax.fill_between(x, block["low"], block["high"], color=series_colour(k), alpha=0.15, lw=0)
        ax.plot(x, block["hazard"], color=series_colour(k), label=f"{label}: t* = {interval}")
        if np.isfinite(row.t_star):
            ax.axvline(row.t_star, color=series_colour(k), ls=":", lw=1)
    ax.axvline(0, color="black", lw=0.8, ls="--", label=f"release ({SHOCK})")
    ax.set_xlabel(f"months since the release ({SHOCK}); negative: before it")
    ax.set_ylabel("upward hazard (moves up per country-month at risk, next 12 months)")
    ax.set_title(title, fontsize=10)
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)
    return fig


def _start_figure(by_start: pd.DataFrame):
    """P(Pioneer in Dec 2030 and Dec 2035) against the start month, per budget, with the
    noise-only band and (when run) the parameters + noise band."""
    from figures.style import new_figure, series_colour

    fig, axes = new_figure(1, 2, figsize=(13, 4.5))
    for ax, year in zip(axes, (2030, 2035), strict=True):
        for k, (budget, block) in enumerate(by_start.groupby("policy_budget")):
            started = block[block["start_date"] != NEVER]
            x = pd.PeriodIndex(started["start_date"], freq="M").to_timestamp()
            key = f"pioneer_{year}_"
            colour = series_colour(k)
            ax.plot(x, started[f"{key}noise_p"], marker="o", color=colour,
                    label=f"budget {budget:g}% of GDP (noise only)")  # fmt: skip
            ax.fill_between(x, started[f"{key}noise_low"], started[f"{key}noise_high"],
                            color=colour, alpha=0.2, lw=0)  # fmt: skip
            if started[f"{key}parameters_runs"].sum() > 0:
                ax.plot(x, started[f"{key}parameters_p"], ls="--", color=colour,
                        label=f"budget {budget:g}% (parameters + noise)")  # fmt: skip
                band = (started[f"{key}parameters_low"], started[f"{key}parameters_high"])
                ax.fill_between(x, *band, color=colour, alpha=0.08)
            never = block[block["start_date"] == NEVER]
            if len(never) and k == 0:
                ax.axhline(float(never[f"{key}noise_p"].iloc[0]), color="grey", ls=":",
                           label="never (status quo)")  # fmt: skip
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("start month of Peru's production platform")
        ax.set_ylabel(f"P(Peru is a Pioneer in December {year})")
        ax.set_title(f"P(Pioneer, Dec {year}) by start month (95% Wilson)", fontsize=10)
    axes[0].legend(fontsize=8)
    return fig


def _start_lines(by_start: pd.DataFrame) -> list[str]:
    lines = []
    for budget, block in by_start.groupby("policy_budget"):
        started = block[block["start_date"] != NEVER]
        first, last = started.iloc[0], started.iloc[-1]
        never = block[block["start_date"] == NEVER].iloc[0]
        parts = []
        for year in (2030, 2035):
            key = f"pioneer_{year}_"
            above = started[started[f"{key}noise_p"] >= 0.5]
            last_good = above["start_date"].iloc[-1] if len(above) else "none"

            def both(row, key=key):
                text = ci(row[f"{key}noise_p"], row[f"{key}noise_low"], row[f"{key}noise_high"])
                if row[f"{key}parameters_runs"] > 0:
                    text += (
                        " (parameters + noise "
                        + ci(
                            row[f"{key}parameters_p"],
                            row[f"{key}parameters_low"],
                            row[f"{key}parameters_high"],
                        )
                        + ")"
                    )
                return text

            parts.append(
                f"P(Pioneer Dec {year}) starting {first.start_date} {both(first)}, starting "
                f"{last.start_date} {both(last)}, never {both(never)}; last start month with "
                f"P >= 0.5: {last_good}"
            )

        def score(row) -> str:
            key = "score_2035_noise_"
            return ci(row[f"{key}mean"], row[f"{key}p05"], row[f"{key}p95"])

        parts.append(
            f"Peru's 2035 score starting {first.start_date} {score(first)}, starting "
            f"{last.start_date} {score(last)}, never {score(never)} (mean [5th, 95th "
            "percentile of runs], noise only)"
        )
        lines.append(f"- extra budget {budget:g}% of GDP: " + "; ".join(parts) + ".")
    return lines


def analyse(folder: str | Path) -> Finding:
    """The window finding from ``folder/window`` and ``folder/window_half_life`` (and
    their noise-only twins when the files have a ``[posterior]`` section)."""
    noise, posterior = uncertainty_pair(folder, "window")
    by_start = start_date_table(noise, posterior)
    hazard_noise, hazard_posterior = uncertainty_pair(folder, "window_half_life", True)
    closing, curves = closing_times(hazard_noise)
    closing.insert(0, "uncertainty", "noise only")
    figures = {
        "window_by_start": _start_figure(by_start),
        "window_hazard": _hazard_figure(
            curves, closing, "The region's upward hazard (19 countries), noise only"
        ),
    }
    if hazard_posterior is not None:
        closing_p, curves_p = closing_times(hazard_posterior)
        closing_p.insert(0, "uncertainty", "parameters + noise")
        figures["window_hazard_posterior"] = _hazard_figure(
            curves_p, closing_p, "The region's upward hazard, parameters + noise"
        )
        closing, curves = (
            pd.concat([closing, closing_p], ignore_index=True),
            pd.concat([curves.assign(uncertainty="noise only"),
                       curves_p.assign(uncertainty="parameters + noise")], ignore_index=True),
        )  # fmt: skip
    closing_lines = [
        f"`{row.scenario}` (half-life {row.open_weights_half_life:g} months, "
        f"{row.uncertainty}): t* = {ci(row.t_star, row.low, row.high, 0)} months, peak hazard "
        f"{fmt(row.peak_hazard, 4)} in month {fmt(row.peak_month, 0)}"
        for row in closing.itertuples()
    ]
    default_row = closing[closing["scenario"] == DEFAULT_SCENARIO].iloc[0]
    verdict = (
        "inside 18-24 months"
        if 18 <= default_row.t_star <= 24
        else f"{fmt(default_row.t_star, 0)} months, not 18-24"
    )
    sweeps = [noise, hazard_noise] + [r for r in (posterior, hazard_posterior) if r is not None]
    uncertainty = (
        "Intervals are given noise only (the posterior's median parameters) and, in "
        "parentheses, with parameter uncertainty (posterior draws x replications)."
        if posterior is not None
        else "Intervals are noise only (default parameters): the experiments ran without a "
        "posterior in this run (no `[posterior]` section, or no posterior file)."
    )
    text = f"""
{chr(10).join(provenance(r, COMMAND) for r in sweeps)}

{uncertainty}

**Start date** (Peru's production platform; P(Peru is a Pioneer in December 2030 and
2035), 95% Wilson over runs):

{chr(10).join(_start_lines(by_start))}

**t*** ("{T_STAR_DEFINITION}"; 95% run-bootstrap interval; "never" = the hazard does not
fall below half its peak before 2035-12): {"; ".join(closing_lines)}.

With the default half-life (24 months) t* is {verdict}.
"""
    return Finding(
        "window",
        "Q3. The window",
        text,
        tables={"window_by_start": by_start, "window_closing": closing, "window_hazard": curves},
        figures=figures,
    )
