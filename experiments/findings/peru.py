"""Question 2: Peru's policy frontier. How large an extra budget (% of Peru's GDP per year,
from 2026-01) makes Peru a Pioneer by 2030 or 2035 with probability 0.5 or 0.9, for each
named strategy and each lever alone, from both start editions; what a score point costs;
and what the budget is next to Peru's actual R&D spending.

Experiments: ``peru_frontier.toml`` (default parameters, replications: noise only) and
``peru_frontier_posterior.toml`` (the named strategies over posterior draws: parameters +
noise). Measures:

* P(Peru has been a Pioneer in some month up to December of the year) per edition,
  strategy and budget: Wilson interval (noise only) or cluster bootstrap over draws;
* the frontier: the smallest budget at which P reaches 0.5 or 0.9, linear interpolation
  in log budget between grid points (between the status quo at budget 0 and the first
  grid point in budget), with a bootstrap interval (replicates, or whole draws, resampled
  once for all budgets and the status quo: common random numbers); "never" when the grid
  (up to 5% of GDP) does not reach it;
* cost per score point: cumulative budget 2026-2035 (USD bn; Peru's GDP in the model,
  World Bank 2023) over the paired gain of Peru's December 2035 score against the status
  quo (same replicate and draw);
* the budget against Peru's R&D spending (``data/rd_spending.csv``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from experiments.findings.common import Finding, ci, fmt, load, posterior_note, provenance, wilson
from experiments.findings.uncertainty import (
    cluster_resamples,
    cluster_share,
    clusters,
    interval_kind,
    paired,
)

EXPERIMENTS = ("peru_frontier.toml", "peru_frontier_posterior.toml")
#: Its noise-only experiments are files of their own (no twins of the posterior ones).
NOISE_ONLY_TWINS = False
COMMAND = "latam-ai findings peru"
YEARS = (2030, 2035)
TARGETS = (0.5, 0.9)
BASELINE = "status_quo"
COUNTRY = "PER"
POLICY_START = pd.Period("2026-01", "M")
#: Bootstrap resamples of a frontier (each resample recomputes every P curve).
FRONTIER_BOOT = 1000


def strategy_of(plan) -> str:
    """The strategy name of Peru's entry in a design's ``policies`` cell."""
    entry = plan[COUNTRY]
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict):
        return entry["strategy"]
    return entry[0][1]


def months_to_december(edition: str, year: int) -> int:
    """Month index (0 = the edition's first month) of December of ``year``."""
    from model.initial_state import EDITION_START

    start = pd.Period(EDITION_START[edition], "M")
    return (pd.Period(f"{year}-12", "M") - start).n


def frontier_table(results) -> pd.DataFrame:
    """One row per run: edition, strategy, budget, cluster, unit and Peru's outcomes."""
    table = results.table()
    table["edition"] = table["initial"].astype(str)
    table["strategy"] = table["policies"].map(strategy_of)
    table["budget"] = table["policy_budget"].astype(float)
    first = np.nan_to_num(table["peru_first_pioneer_month"].to_numpy(float), nan=np.inf)
    for year in YEARS:
        limit = table["edition"].map(lambda e, y=year: months_to_december(e, y)).to_numpy()
        table[f"pioneer_by_{year}"] = first <= limit
    return table


def pioneer_curves(table: pd.DataFrame) -> pd.DataFrame:
    """P(Pioneer by each year) per edition, strategy and budget with its interval
    (Wilson over replicates without posterior draws; else a cluster bootstrap over draws)."""
    posterior = interval_kind(table) == "parameters + noise"
    rows = []
    for (edition, strategy, budget), block in table.groupby(["edition", "strategy", "budget"]):
        row = {"edition": edition, "strategy": strategy, "budget": budget, "runs": len(block)}
        for year in YEARS:
            hits = block[f"pioneer_by_{year}"].to_numpy(float)
            p, low, high = (
                cluster_share(hits, clusters(block).to_numpy())
                if posterior
                else wilson(hits.sum(), hits.size)
            )
            row |= {f"p_{year}": p, f"low_{year}": low, f"high_{year}": high}
        row["score_2035"] = float(block["peru_score_2035"].mean())
        rows.append(row)
    return pd.DataFrame(rows)


def crossing(budgets: np.ndarray, p: np.ndarray, p_status_quo: np.ndarray, target: float):
    """The budget at which P first reaches ``target`` (vectorised over leading axes of
    ``p``: (..., budgets); ``p_status_quo``: (...)). 0 where the status quo already does;
    between the status quo (budget 0) and the first grid point linear in budget, further
    on linear in log budget; inf where no grid budget reaches it."""
    p = np.asarray(p, float)
    p0 = np.asarray(p_status_quo, float)
    above = p >= target
    k = np.argmax(above, axis=-1)
    reached = above.any(axis=-1)
    upper_b = budgets[k]
    upper_p = np.take_along_axis(p, k[..., None], axis=-1)[..., 0]
    lower_p = np.where(
        k > 0, np.take_along_axis(p, np.maximum(k - 1, 0)[..., None], axis=-1)[..., 0], p0
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.where(upper_p > lower_p, (target - lower_p) / (upper_p - lower_p), 1.0)
    step = np.clip(np.nan_to_num(step, nan=1.0), 0.0, 1.0)
    lower_b = budgets[np.maximum(k - 1, 0)]
    in_log = np.exp(np.log(lower_b) + step * (np.log(upper_b) - np.log(lower_b)))
    value = np.where(k > 0, in_log, step * upper_b)
    value = np.where(reached, value, np.inf)
    return np.where(p0 >= target, 0.0, value)


def cluster_counts(frame: pd.DataFrame, column: str, keys: np.ndarray):
    """Successes and runs of ``column`` per cluster (ordered as ``keys``)."""
    position = np.searchsorted(keys, clusters(frame).to_numpy())
    hits = np.bincount(position, weights=frame[column].to_numpy(float), minlength=keys.size)
    return hits, np.bincount(position, minlength=keys.size).astype(float)


def frontier(table: pd.DataFrame, n_boot: int = FRONTIER_BOOT, seed: int = 0) -> pd.DataFrame:
    """The frontier per edition, strategy, year and target with its bootstrap interval
    (clusters resampled once for every budget and the status quo of an edition)."""
    rows = []
    for edition, block in table.groupby("edition"):
        ids = clusters(block).to_numpy()
        keys = np.unique(ids)
        index = cluster_resamples(ids, n_boot, seed)
        budgets = np.sort(block["budget"].unique())
        status_quo = block[block.strategy == BASELINE]
        for year in YEARS:
            column = f"pioneer_by_{year}"
            sq_hits, sq_runs = cluster_counts(status_quo, column, keys)
            p0 = sq_hits.sum() / sq_runs.sum()
            p0_boot = sq_hits[index].sum(1) / sq_runs[index].sum(1)
            for strategy, runs in block.groupby("strategy"):
                if strategy == BASELINE:
                    continue
                per_budget = [cluster_counts(runs[runs.budget == b], column, keys) for b in budgets]
                hits = np.stack([h for h, _ in per_budget])  # (budgets, clusters)
                total = np.stack([n for _, n in per_budget])
                p = hits.sum(1) / total.sum(1)
                with np.errstate(invalid="ignore"):
                    p_boot = hits[:, index].sum(2).T / total[:, index].sum(2).T
                for target in TARGETS:
                    point = float(crossing(budgets, p, p0, target))
                    boot = crossing(budgets, p_boot, p0_boot, target)
                    low = np.percentile(boot, 2.5, method="lower")
                    high = np.percentile(boot, 97.5, method="higher")
                    rows.append(
                        {
                            "edition": edition,
                            "strategy": strategy,
                            "year": year,
                            "target": target,
                            "budget_pct_gdp": point,
                            "low": float(low),
                            "high": float(high),
                            "p_status_quo": p0,
                            "intervals": interval_kind(block),
                        }
                    )
    return pd.DataFrame(rows)


def peru_gdp_usd_bn() -> float:
    """Peru's GDP in the model (World Bank, latest year; ``model.world``), USD bn."""
    from model.initial_state import initial_table

    table = initial_table("ilia2024")
    return float(table.loc[table.iso3 == COUNTRY, "gdp_usd_bn"].iloc[0])


def spending_years(edition: str) -> float:
    """Years of policy spending, from 2026-01 to the last month (2035-12)."""
    return ((pd.Period("2035-12", "M") - POLICY_START).n + 1) / 12


def cost_per_point(table: pd.DataFrame) -> pd.DataFrame:
    """Per edition, strategy and budget: the paired gain of Peru's 2035 score against the
    status quo and the cumulative budget (USD bn) per point gained."""
    gdp = peru_gdp_usd_bn()
    rows = []
    for budget, block in table.groupby("budget"):
        effects = paired(block, "strategy", "peru_score_2035", BASELINE, within=("edition",))
        effects["budget"] = budget
        rows.append(effects)
    effects = pd.concat(rows, ignore_index=True)
    cost = effects["budget"] / 100 * gdp * effects["edition"].map(spending_years)
    effects["cumulative_budget_usd_bn"] = cost
    gain = effects["mean_difference"]
    effects["usd_bn_per_point"] = np.where(gain > 0, cost / gain, np.inf)
    effects["usd_bn_per_point_low"] = np.where(effects["high"] > 0, cost / effects["high"], np.inf)
    effects["usd_bn_per_point_high"] = np.where(effects["low"] > 0, cost / effects["low"], np.inf)
    return effects.rename(columns={"mean_difference": "score_gain_2035"})


def rd_spending() -> pd.DataFrame:
    """Peru's R&D spending figures (``data/rd_spending.csv``)."""
    from model.data import load as load_data

    frame = load_data("rd_spending.csv")
    return frame[frame.iso3 == COUNTRY].sort_values("year")


def ratio(budget: float, spending: pd.Series) -> str:
    """A budget (% of GDP) as a multiple of a spending figure's share of GDP."""
    return fmt(budget / float(spending.pct_gdp), 1)


def _figure(curves: pd.DataFrame, posterior: pd.DataFrame | None):
    from figures.style import new_figure, series_colour

    editions = sorted(curves["edition"].unique())
    fig, axes = new_figure(
        len(editions), len(YEARS), figsize=(12, 4.2 * len(editions)), layout="constrained"
    )
    axes = np.asarray(axes).reshape(len(editions), len(YEARS))
    strategies = [s for s in curves["strategy"].unique() if s != BASELINE]
    for i, edition in enumerate(editions):
        for j, year in enumerate(YEARS):
            ax = axes[i, j]
            for k, strategy in enumerate(strategies):
                block = curves[(curves.edition == edition) & (curves.strategy == strategy)]
                style = "-" if strategy.endswith("_only") is False else "--"
                ax.plot(
                    block["budget"], block[f"p_{year}"], style, color=series_colour(k),
                    marker="o", ms=3, label=strategy,
                )  # fmt: skip
                ax.fill_between(
                    block["budget"], block[f"low_{year}"], block[f"high_{year}"],
                    color=series_colour(k), alpha=0.08,
                )  # fmt: skip
                if posterior is not None:
                    post = posterior[
                        (posterior.edition == edition) & (posterior.strategy == strategy)
                    ]
                    if len(post):
                        ax.errorbar(
                            post["budget"], post[f"p_{year}"],
                            yerr=[post[f"p_{year}"] - post[f"low_{year}"],
                                  post[f"high_{year}"] - post[f"p_{year}"]],
                            fmt="s", color=series_colour(k), ms=4, capsize=2, alpha=0.7,
                        )  # fmt: skip
            for target in TARGETS:
                ax.axhline(target, color="grey", lw=0.8, ls=":")
            ax.set_xscale("log")
            ax.set_ylim(-0.02, 1.02)
            ax.set_xlabel("Peru's extra budget (% of GDP per year, from 2026-01)")
            ax.set_ylabel(f"P(Peru a Pioneer by Dec {year})")
            ax.set_title(f"start {edition}, by {year}")
    axes[0, 0].legend(fontsize=7, loc="upper left")
    fig.suptitle(
        "Peru's policy frontier: lines noise only (95% Wilson), squares parameters + noise"
    )
    return fig


def _frontier_lines(front: pd.DataFrame) -> str:
    lines = [
        "| start | strategy | P by 2030 = 0.5 | 0.9 | P by 2035 = 0.5 | 0.9 |",
        "|---|---|---|---|---|---|",
    ]
    for (edition, strategy), block in front.groupby(["edition", "strategy"], sort=False):
        cells = []
        for year in YEARS:
            for target in TARGETS:
                row = block[(block.year == year) & (block.target == target)].iloc[0]
                cells.append(ci(row.budget_pct_gdp, row.low, row.high))
        lines.append(f"| {edition} | `{strategy}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def analyse(folder: str | Path) -> Finding:
    """Peru's finding from ``folder/peru_frontier`` (and ``peru_frontier_posterior``)."""
    folder = Path(folder)
    results = load(folder / "peru_frontier", trajectories=False)
    table = frontier_table(results)
    curves = pioneer_curves(table)
    front = frontier(table)
    costs = cost_per_point(table)
    note = posterior_note(folder, "peru_frontier_posterior")
    post_curves = post_front = post_costs = None
    post_text = note or ""
    if note is None:
        post_results = load(folder / "peru_frontier_posterior", trajectories=False)
        post_table = frontier_table(post_results)
        post_curves = pioneer_curves(post_table)
        post_front = frontier(post_table)
        post_costs = cost_per_point(post_table)
        post_text = (
            f"{provenance(post_results, COMMAND)} Parameters + noise (cluster bootstrap "
            f"over {post_table['posterior_draw'].nunique()} posterior draws), budget "
            f"% of GDP [95%]:\n\n{_frontier_lines(post_front)}"
        )
    spending = rd_spending()
    gdp = peru_gdp_usd_bn()
    yardstick = "; ".join(
        f"{row.pct_gdp:g}% of GDP in {row.year} ({row.indicator}: {row.amount}; {row.flag})"
        for row in spending.itertuples()
    )
    total = spending[spending.indicator == "gerd_total"].iloc[-1]
    centres = spending[spending.indicator == "gerd_research_centres"].iloc[-1]
    main = front[(front.edition == "ilia2024") & (front.strategy == "production_platform")]
    pp = main.set_index(["year", "target"])["budget_pct_gdp"]
    best = costs[(costs.edition == "ilia2024") & np.isfinite(costs.usd_bn_per_point)]
    cheapest = best.loc[best["usd_bn_per_point"].idxmin()] if len(best) else None
    at_default = costs[(costs.edition == "ilia2024") & (costs.budget == 0.5)]
    cost_lines = "; ".join(
        f"`{row.strategy}` {ci(row.score_gain_2035, row.low, row.high)} points, "
        f"{fmt(row.usd_bn_per_point)} USD bn per point"
        for row in at_default.itertuples()
    )
    cheapest_text = (
        "no budget in the grid raises Peru's 2035 score"
        if cheapest is None
        else f"the cheapest point is bought by `{cheapest.strategy}` at {cheapest.budget:g}% of "
        f"GDP: {fmt(cheapest.usd_bn_per_point)} USD bn per point "
        f"[{fmt(cheapest.usd_bn_per_point_low)}, {fmt(cheapest.usd_bn_per_point_high)}]"
    )
    text = f"""
{provenance(results, COMMAND)} P(Pioneer by Y): share of replicates in which Peru is a
Pioneer (score above 60) in some month up to December of Y. The frontier is the budget
(% of Peru's GDP per year, from 2026-01, Peru alone; every other country on the status
quo) at which that probability first reaches 0.5 or 0.9, interpolated between grid points
(0.02 to 5% of GDP); 0 means the status quo already reaches it; "never" means no budget up
to 5% of GDP does. Noise only (default parameters; 95% bootstrap over replicates, the same
resample for every budget):

{_frontier_lines(front)}

{post_text}

**Against Peru's R&D spending** ({yardstick}; no more recent figure could be verified):
from the 2024 start the production platform needs {fmt(pp.get((2035, 0.5), np.nan))}% of
GDP a year (noise only) for an even chance of being a Pioneer by 2035 and
{fmt(pp.get((2030, 0.5), np.nan))}% for 2030: {ratio(pp.get((2035, 0.5), np.nan), total)} and
{ratio(pp.get((2030, 0.5), np.nan), total)} times Peru's total R&D spending of {total.year}
({total.pct_gdp:g}% of GDP), {ratio(pp.get((2035, 0.5), np.nan), centres)} and
{ratio(pp.get((2030, 0.5), np.nan), centres)} times its research centres' of {centres.year}
({centres.pct_gdp:g}%), every year for ten years (Peru's GDP in the model: USD {gdp:.0f}
bn, World Bank 2023; 1% of GDP is USD {gdp / 100:.2f} bn a year).

**Cost per score point** (cumulative budget 2026-2035 over the paired gain in Peru's
December 2035 score against the status quo, 2024 start, noise only): at 0.5% of GDP,
{cost_lines}. Over the grid, {cheapest_text}.
"""
    tables = {
        "peru_pioneer_curves": curves,
        "peru_frontier": front,
        "peru_cost_per_point": costs,
    }
    if post_curves is not None:
        tables |= {
            "peru_pioneer_curves_posterior": post_curves,
            "peru_frontier_posterior": post_front,
            "peru_cost_per_point_posterior": post_costs,
        }
    return Finding(
        "peru",
        "Q2. Peru's policy frontier",
        text,
        tables=tables,
        figures={"peru_frontier": _figure(curves, post_curves)},
    )
