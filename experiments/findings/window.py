"""Question 3: the window. Does the chance of moving up fall with the policy start date,
and when does the upward hazard after the open-weights release fall away (t*)?

Experiments: ``window.toml`` (Peru's production platform started each month from 2025-08 to
2030-12, for the default platform and stronger ones) and ``window_half_life.toml`` (the
region's monthly upward hazard after the release of 2025-08 for open-weights half-lives of
6, 12, 24 and 48 months, and without a release). Upward moves are rare (a few per run in
ten years) and none may happen in the first months after the release, so the monthly hazard
is smoothed: h(tau) = moves up in months tau..tau+11 / country-months at risk in them (a
12-month forward window). t* = the first month, from the peak of h on, in which h falls below
half its peak (``mobility.window_closing_time`` on the 12-month sums), with a 95%
run-bootstrap interval. (``mobility.summarize``'s default threshold, half the mean hazard
of the first 12 months, is 0 when nobody moves up in that year, and t* is then undefined.)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from experiments.findings.common import (
    Finding,
    bootstrap_mean,
    ci,
    cube,
    fmt,
    load,
    provenance,
    wilson,
)
from mobility import upward_counts, window_closing_time
from mobility.window import months_between
from model.parameters import BY_NAME

EXPERIMENTS = ("window.toml", "window_half_life.toml")
COMMAND = "latam-ai findings window"
SHOCK = BY_NAME["open_weights_date"].default
#: Months in the forward window that smooths the upward hazard.
SMOOTHING = 12


def _forward_sums(counts: np.ndarray, months: int) -> np.ndarray:
    """Sums over months t..t+months-1 along the last axis (length shrinks by months - 1)."""
    cumulative = np.concatenate(
        [np.zeros(counts.shape[:-1] + (1,)), np.cumsum(counts, axis=-1, dtype=np.float64)], -1
    )
    return cumulative[..., months:] - cumulative[..., :-months]


def _start_month(policies) -> str:
    return str(policies["PER"][0][0])


def start_date_table(results) -> pd.DataFrame:
    """Per platform strength and start month: P(Peru Pioneer in Dec 2030 / Dec 2035) with
    Wilson intervals, and the 2035 score with its paired loss against starting in 2025-08."""
    table = results.table()
    table["start"] = table["policies"].map(_start_month)
    table["platform"] = [
        f"budget {b:g}, research gain {g:g}"
        for b, g in zip(table["policy_budget"], table["policy_research_gain"], strict=True)
    ]
    rows = []
    for platform, block in table.groupby("platform", sort=False):
        earliest = block[block["start"] == block["start"].min()].set_index("replicate")
        for start, runs in block.groupby("start"):
            runs = runs.set_index("replicate")
            loss = (runs["peru_score_2035"] - earliest["peru_score_2035"]).to_numpy(float)
            p35 = wilson(runs["peru_pioneer_2035"].sum(), len(runs))
            p30 = wilson(runs["peru_pioneer_2030"].sum(), len(runs))
            rows.append(
                {
                    "platform": platform,
                    "start_date": start,
                    "runs": len(runs),
                    "probability": p35[0],
                    "low": p35[1],
                    "high": p35[2],
                    "p_pioneer_2030": p30[0],
                    "p_pioneer_2030_low": p30[1],
                    "p_pioneer_2030_high": p30[2],
                    "score_2035": runs["peru_score_2035"].mean(),
                    **dict(
                        zip(
                            ("score_change_vs_2025_08", "change_low", "change_high"),
                            bootstrap_mean(loss),
                            strict=True,
                        )
                    ),
                }
            )
    return pd.DataFrame(rows)


def closing_times(results, n_boot: int = 1000) -> tuple[pd.DataFrame, pd.DataFrame]:
    """t* with its interval per scenario, and the hazard curves (months since the release)."""
    tiers, runs, _, dates = cube(results.trajectories, "tier")
    labels = results.design.set_index("run_id").loc[runs, "label"].to_numpy()
    months = months_between(np.asarray(dates, "datetime64[M]")[:-1], SHOCK)
    moves_up, at_risk = upward_counts(tiers.astype(np.int8), lag=1)
    moves_up, at_risk = _forward_sums(moves_up, SMOOTHING), _forward_sums(at_risk, SMOOTHING)
    months = months[: moves_up.shape[1]]
    after = months >= 0
    rows, curves = [], []
    for label in dict.fromkeys(labels):
        mask = labels == label
        up, risk = moves_up[mask], at_risk[mask]
        with np.errstate(invalid="ignore", divide="ignore"):
            pooled = up[:, after].sum(0) / risk[:, after].sum(0)
        threshold = 0.5 * float(np.nanmax(pooled)) if np.nanmax(pooled) > 0 else np.inf
        closing = window_closing_time(up, risk, months, threshold=threshold, n_boot=n_boot, seed=0)
        half_life = results.design.loc[results.design["label"] == label]
        rows.append(
            {
                "scenario": label,
                "open_weights_half_life": float(half_life["open_weights_half_life"].iloc[0]),
                "t_star": closing.t_star,
                "low": closing.low,
                "high": closing.high,
                "share_never_closed": closing.share_never_closed,
                "threshold": closing.threshold,
                "peak_hazard": 2 * closing.threshold,
                "peak_month": float(months[after][np.nanargmax(pooled)]),
            }
        )
        curves.append(
            pd.DataFrame(
                {
                    "scenario": label,
                    "months_since_shock": closing.months_since_shock,
                    "hazard": closing.hazard,
                    "low": closing.hazard_low,
                    "high": closing.hazard_high,
                }
            )
        )
    return pd.DataFrame(rows), pd.concat(curves, ignore_index=True)


def _hazard_figure(curves: pd.DataFrame, closing: pd.DataFrame):
    from figures.style import new_figure, series_colour

    fig, ax = new_figure(figsize=(9, 4.8))
    for k, (label, block) in enumerate(curves.groupby("scenario", sort=False)):
        smooth = block.set_index("months_since_shock")[["hazard", "low", "high"]]
        row = closing.set_index("scenario").loc[label]
        interval = f"{fmt(row.t_star, 0)} [{fmt(row.low, 0)}, {fmt(row.high, 0)}]"
        ax.plot(
            smooth.index,
            smooth["hazard"],
            color=series_colour(k),
            label=f"{label}: t* = {interval}",
        )
        if np.isfinite(row.t_star):
            ax.axvline(row.t_star, color=series_colour(k), ls=":", lw=1)
    ax.set_xlabel("months since the release (2025-08)")
    ax.set_ylabel("upward hazard (moves up per country-month at risk, next 12 months)")
    ax.set_title("The window: the region's upward hazard after the release")
    ax.legend(fontsize=8)
    return fig


def analyse(folder: str | Path) -> Finding:
    """The window finding from ``folder/window`` and ``folder/window_half_life``."""
    from figures import probability_up_by_start

    sweep = load(Path(folder) / "window", trajectories=False)
    by_start = start_date_table(sweep)
    hazard_results = load(Path(folder) / "window_half_life")
    closing, curves = closing_times(hazard_results)
    strong = by_start[by_start.platform == "budget 3, research gain 0.5"]
    default = by_start[by_start.platform == "budget 1, research gain 0.15"]
    fig_start = probability_up_by_start(
        strong, title="Peru's strong platform: P(Pioneer in Dec 2035) by start month"
    )
    lines = []
    for platform, block in by_start.groupby("platform", sort=False):
        first, last = block.iloc[0], block.iloc[-1]
        above = block[block["probability"] >= 0.5]
        last_good = above["start_date"].iloc[-1] if len(above) else "none"
        lines.append(
            f"- {platform}: P(Pioneer Dec 2035) starting {first.start_date} "
            f"{ci(first.probability, first.low, first.high, 3)}, starting {last.start_date} "
            f"{ci(last.probability, last.low, last.high, 3)}; last start month with P >= 0.5: "
            f"{last_good}; 2035 score change from starting in {last.start_date} instead of "
            f"{first.start_date}: "
            f"{ci(last.score_change_vs_2025_08, last.change_low, last.change_high)}."
        )
    closing_lines = [
        f"`{row.scenario}` (half-life {row.open_weights_half_life:g} months): t* = "
        f"{ci(row.t_star, row.low, row.high, 0)} months"
        for row in closing.itertuples()
    ]
    default_row = closing.set_index("scenario").loc["half_life_24"]
    verdict = (
        "inside 18-24 months"
        if 18 <= default_row.t_star <= 24
        else f"{fmt(default_row.t_star, 0)} months, not 18-24"
    )
    text = f"""
{provenance(sweep, COMMAND)}
{provenance(hazard_results, COMMAND)}

**Start date** (Peru's production platform; P(Pioneer in December 2035), 95% Wilson; score
changes are paired within replicates, 95% bootstrap):

{chr(10).join(lines)}

**t*** (region's upward hazard after the 2025-08 release; 95% run-bootstrap interval; "never"
= the hazard does not fall below the threshold before 2035-12):
{"; ".join(closing_lines)}.

With the default half-life (24 months) t* is {verdict}. With the default platform
(budget 1, research gain 0.15) Peru never becomes a Pioneer whatever the start month
(highest P(Pioneer Dec 2035) over start months: {fmt(default["probability"].max(), 3)}).
"""
    return Finding(
        "window",
        "Q3. The window",
        text,
        tables={"window_by_start": by_start, "window_closing": closing, "window_hazard": curves},
        figures={"window_by_start": fig_start, "window_hazard": _hazard_figure(curves, closing)},
    )
