"""Question 2: Peru's choice between managing adoption and building a production platform.

Experiments: ``peru_paths.toml`` (status quo, adoption management, production platform and
two sequences, from 2026-01) and ``peru_budget.toml`` (the production platform with a larger
policy budget and research gain: what would it take?). Measures: P(Pioneer by December 2028,
2030, 2035) with Wilson intervals, the first Pioneer month, the distance of Peru's score to
the Pioneer cut-off, Peru's AI capital and share of the region's inflows, and the effect on
neighbours (scores and research, paired differences against the status quo).
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
    paired_differences,
    percentile,
    provenance,
    wilson,
)

EXPERIMENTS = ("peru_paths.toml", "peru_budget.toml")
COMMAND = "latam-ai findings peru"
YEARS = (2028, 2030, 2035)
NEIGHBOURS = ("COL", "ECU", "BOL", "CHL", "BRA")
PIONEER_CUTOFF = 60.0
BASELINE = "status_quo"


def _month_index(start: pd.Timestamp, year: int) -> int:
    return (year - start.year) * 12 + 12 - start.month


def pioneer_table(table: pd.DataFrame, by: str, start: pd.Timestamp) -> pd.DataFrame:
    """Per scenario: P(Peru has been a Pioneer by December of each year) with Wilson
    intervals, the median first Pioneer month, and the distance of the 2035 score to 60."""
    rows = []
    for scenario, block in table.groupby(by, sort=False):
        row = {by: scenario, "runs": len(block)}
        first = block["peru_first_pioneer_month"].to_numpy(float)
        for year in YEARS:
            crossed = np.nan_to_num(first, nan=np.inf) <= _month_index(start, year)
            p, low, high = wilson(crossed.sum(), crossed.size)
            row |= {f"p_pioneer_by_{year}": p, f"low_{year}": low, f"high_{year}": high}
        reached = first[~np.isnan(first)]
        median = (
            np.nan
            if reached.size < first.size / 2
            else float(np.median(np.nan_to_num(first, nan=np.inf)))
        )
        row["median_first_pioneer_month"] = median
        gap = PIONEER_CUTOFF - block["peru_score_2035"].to_numpy(float)
        row["distance_to_60_2035"], row["distance_low"], row["distance_high"] = bootstrap_mean(gap)
        row["distance_p05"], row["distance_p95"] = percentile(gap)
        row["score_2035"] = float(block["peru_score_2035"].mean())
        rows.append(row)
    return pd.DataFrame(rows)


def trajectory_measures(results) -> pd.DataFrame:
    """Per run: Peru's capital in December 2030 and 2035 (USD bn), its share of the
    region's inflows 2026-2035, and neighbours' score and research in December 2035."""
    traj = results.trajectories
    dates = pd.to_datetime(np.sort(traj["date"].unique()))
    rows = {}
    capital, runs, countries, _ = cube(traj, "capital")
    inflow = cube(traj, "inflow")[0]
    peru = countries.index("PER")
    for year in (2030, 2035):
        t = int(np.flatnonzero(dates <= pd.Timestamp(f"{year}-12-01"))[-1])
        rows[f"peru_capital_{year}"] = capital[:, t, peru]
    window = (dates >= pd.Timestamp("2026-01-01")) & (dates <= pd.Timestamp("2035-12-01"))
    rows["peru_share_of_inflows"] = inflow[:, window, peru].sum(1) / inflow[:, window].sum((1, 2))
    last = int(np.flatnonzero(dates <= pd.Timestamp("2035-12-01"))[-1])
    for variable in ("score", "research"):
        values = cube(traj, variable)[0]
        for iso3 in NEIGHBOURS:
            if iso3 in countries:
                rows[f"{iso3.lower()}_{variable}_2035"] = values[:, last, countries.index(iso3)]
    return pd.DataFrame(rows, index=pd.Index(runs, name="run_id")).reset_index()


def _figure(results, paths: pd.DataFrame):
    from figures.style import date_axis, new_figure, series_colour, tier_bands

    traj = results.trajectories
    peru = traj[traj["iso3"].astype(str) == "PER"].merge(
        results.design[["run_id", "label"]], on="run_id"
    )
    fig, ax = new_figure(figsize=(9, 5))
    tier_bands(ax)
    for k, label in enumerate(paths["label"]):
        block = peru[peru["label"] == label].groupby("date")["score"]
        quantiles = block.quantile([0.05, 0.5, 0.95]).unstack()
        colour = series_colour(k)
        ax.fill_between(quantiles.index, quantiles[0.05], quantiles[0.95], color=colour, alpha=0.15)
        ax.plot(quantiles.index, quantiles[0.5], color=colour, lw=2, label=label)
    ax.set_ylim(40, 65)
    date_axis(ax)
    ax.set_ylabel("Peru composite score (index 0-100)")
    ax.set_title("Peru's paths from 2026-01: median and 90% range over replicates")
    ax.legend(fontsize=8, loc="lower right")
    return fig


def _budget_figure(budget: pd.DataFrame):
    from figures.style import new_figure, series_colour

    fig, ax = new_figure(figsize=(7, 4.5))
    for k, (gain, block) in enumerate(budget.groupby("policy_research_gain")):
        ax.errorbar(
            block["policy_budget"],
            block["score_2035"],
            yerr=[block["score_2035"] - block["p05"], block["p95"] - block["score_2035"]],
            color=series_colour(k),
            marker="o",
            capsize=3,
            label=f"policy_research_gain = {gain:g}",
        )
    ax.axhline(PIONEER_CUTOFF, color="black", ls="--", lw=1, label="Pioneer cut-off (60)")
    ax.set_xlabel("policy_budget (lever intensity, 1 = default)")
    ax.set_ylabel("Peru score, December 2035 (index 0-100)")
    ax.set_title("What it would take: Peru's production platform, mean and 5-95% range")
    ax.legend(fontsize=8)
    return fig


def budget_table(results) -> pd.DataFrame:
    """Per policy budget and research gain: P(Pioneer by 2035) and the 2035 score."""
    table = results.table()
    rows = []
    for (budget, gain), block in table.groupby(["policy_budget", "policy_research_gain"]):
        p, low, high = wilson(block["peru_pioneer_2035"].sum(), len(block))
        first = np.nan_to_num(block["peru_first_pioneer_month"].to_numpy(float), nan=np.inf)
        ever = wilson(np.isfinite(first).sum(), len(block))
        p05, p95 = percentile(block["peru_score_2035"])
        rows.append(
            {
                "policy_budget": budget,
                "policy_research_gain": gain,
                "p_pioneer_2035": p,
                "low": low,
                "high": high,
                "p_ever_pioneer": ever[0],
                "score_2035": block["peru_score_2035"].mean(),
                "p05": p05,
                "p95": p95,
            }
        )
    return pd.DataFrame(rows)


def analyse(folder: str | Path) -> Finding:
    """Peru's finding from ``folder/peru_paths`` and ``folder/peru_budget``."""
    results = load(Path(folder) / "peru_paths")
    start = pd.Timestamp(results.trajectories["date"].min())
    table = results.table().merge(trajectory_measures(results), on="run_id")
    paths = pioneer_table(table, "label", start)
    extra = trajectory_measures(results).merge(results.design[["run_id", "label"]], on="run_id")
    capital = extra.groupby("label", sort=False)[
        ["peru_capital_2030", "peru_capital_2035", "peru_share_of_inflows"]
    ].mean()
    paths = paths.join(capital, on="label")
    effects = pd.concat(
        [
            paired_differences(table, "label", metric, BASELINE)
            for metric in [
                "peru_score_2035",
                "peru_research_end",
                "peru_adoption_end",
                "peru_capital_2035",
                "peru_share_of_inflows",
                *[c for c in table.columns if c.endswith("_2035") and c[:3] != "per"],
            ]
        ],
        ignore_index=True,
    )
    effects = effects[effects["label"] != BASELINE]
    budget_results = load(Path(folder) / "peru_budget", trajectories=False)
    budget = budget_table(budget_results)

    def p_line(row: pd.Series) -> str:
        return ", ".join(
            f"{y}: {ci(row[f'p_pioneer_by_{y}'], row[f'low_{y}'], row[f'high_{y}'], 3)}"
            for y in YEARS
        )

    lines = []
    for _, row in paths.iterrows():
        lines.append(
            f"- `{row.label}`: P(Pioneer by) {p_line(row)}; score 2035 {fmt(row.score_2035)}, "
            f"distance to 60 {ci(row.distance_to_60_2035, row.distance_low, row.distance_high)} "
            f"(5-95% of replicates {fmt(row.distance_p05)} to {fmt(row.distance_p95)}); capital "
            f"2035 {fmt(row.peru_capital_2035, 3)} USD bn; share of the region's inflows "
            f"2026-35 {fmt(100 * row.peru_share_of_inflows)}%."
        )
    effect_lines = []
    for metric in ("peru_score_2035", "peru_research_end", "peru_capital_2035"):
        for _, row in effects[effects.metric == metric].iterrows():
            effect_lines.append(
                f"`{row.label}` {metric}: {ci(row.mean_difference, row.low, row.high)}"
            )
    neighbour = effects[effects.metric.str.match(r"^(col|ecu|bol|chl|bra)_")]
    largest = neighbour.loc[neighbour["mean_difference"].abs().idxmax()]
    best = budget.sort_values("score_2035").iloc[-1]
    reaching = budget[budget["p_pioneer_2035"] > 0.5]
    reach_text = (
        "no combination in the grid gives Peru a better-than-even chance of being a Pioneer "
        "in December 2035"
        if reaching.empty
        else "the cheapest combination with P(Pioneer 2035) > 0.5 is policy_budget = "
        f"{reaching.iloc[0].policy_budget:g} with policy_research_gain = "
        f"{reaching.iloc[0].policy_research_gain:g}"
    )
    text = f"""
{provenance(results, COMMAND)}
{provenance(budget_results, COMMAND)}
Probabilities: share of replicates with Peru a Pioneer in any month up to December of the
year, 95% Wilson intervals; distances: mean with 95% bootstrap interval.

{chr(10).join(lines)}

Paired differences against `status_quo` (same replicate; 95% bootstrap):
{"; ".join(effect_lines)}.

**Neighbours** (COL, ECU, BOL, CHL, BRA score and research in December 2035): the largest
mean effect of any Peruvian path is {ci(largest.mean_difference, largest.low, largest.high, 4)}
index points (`{largest.label}`, {largest.metric}): the model has no channel through which
Peru's choice moves its neighbours other than the shared capital market and brain drain
(imitation needs `adaptive_policies`, off by default).

**What it would take** (`peru_budget.toml`): the best cell (policy_budget =
{best.policy_budget:g}, policy_research_gain = {best.policy_research_gain:g}) gives a 2035
score of {fmt(best.score_2035)} (5-95% {fmt(best.p05)} to {fmt(best.p95)}) and P(Pioneer 2035)
{ci(best.p_pioneer_2035, best.low, best.high, 3)}; {reach_text}.
"""
    return Finding(
        "peru",
        "Q2. Peru's choice",
        text,
        tables={"peru_paths": paths, "peru_paired_effects": effects, "peru_budget": budget},
        figures={"peru_paths": _figure(results, paths), "peru_budget": _budget_figure(budget)},
    )
