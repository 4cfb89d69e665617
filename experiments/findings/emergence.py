"""Question 5: emergence. Do tiers emerge from capital flows in a homogeneous region?

Experiment ``emergence.toml``: 19 near-identical synthetic countries, a phase diagram over
the capital-concentration exponent alpha x the growth of the global investment flow x the
initial dispersion (spread of the indices around the template) x the horizon (10, 20, 30
years after the start). Per run and horizon:

* ``stratified``: two or more tiers occupied among the 19 (ILIA cut-offs 35 and 60);
* ``bimodal``: Hartigan's dip test rejects unimodality of the 19 scores at the 5% level
  (Hartigan and Hartigan 1985, The dip test of unimodality, Ann. Statist. 13, 70-84;
  p-values interpolated from the tabulated null distribution of the uniform, as in the
  ``diptest`` package, Maechler's R diptest ported);
* ``score_sd`` and the Theil between-tier share of scores (``mobility.theil``).

Shares of runs carry 95% Wilson intervals over replications. The same measures on the
random-exchange null model (:mod:`experiments.findings.null_model`, :data:`NULL_RUNS` runs
per dispersion) are the bar: a cell of the diagram *beats the null* when the lower end of
the 95% interval of its mean score dispersion lies above the null's 95th percentile run
(a typical run of the model is more stratified than 95% of the null's). ``bimodal_beyond_null``
says whether, in addition, its share of bimodal runs lies above the null's (Wilson
intervals disjoint): two clubs rather than a few winners above one mass.
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
    load,
    percentile,
    provenance,
    wilson,
)
from experiments.findings.null_model import null_region
from mobility import classify_scores, theil
from model.tiers import DEFAULT_THRESHOLDS

EXPERIMENTS = ("emergence.toml",)
COMMAND = "latam-ai findings emergence"
#: Horizons of the phase diagram, years after the start.
HORIZONS = (10, 20, 30)
#: Level of the dip test of unimodality.
DIP_LEVEL = 0.05
#: Runs of the null model per initial dispersion (cheap: numpy only).
NULL_RUNS = 200
MEASURES = ("stratified", "bimodal", "score_sd", "theil_between_share_score")
HEADER = (
    "| spread | alpha | P(two or more tiers) | P(bimodal, dip test 5%) | score sd "
    "| beats the null | bimodal beyond the null |\n|---|---|---|---|---|---|---|"
)
AXES = ("capital_concentration", "global_investment_growth", "spread")


def run_measures(scores: np.ndarray) -> pd.DataFrame:
    """Measures of each run from its scores at one horizon, (runs, countries)."""
    from diptest import diptest

    tiers = np.asarray(classify_scores(scores, DEFAULT_THRESHOLDS), dtype=int)
    occupied = np.stack([(tiers == k).any(axis=1) for k in range(3)], axis=1).sum(axis=1)
    dip_p = np.array([diptest(row)[1] for row in scores])
    with np.errstate(invalid="ignore", divide="ignore"):
        between = np.nan_to_num(theil(scores, tiers)["between_share"])
    return pd.DataFrame(
        {
            "tiers_occupied": occupied.astype(float),
            "stratified": (occupied >= 2).astype(float),
            "dip_p_value": dip_p,
            "bimodal": (dip_p < DIP_LEVEL).astype(float),
            "score_sd": scores.std(axis=1),
            "theil_between_share_score": between,
        }
    )


def model_runs(results) -> pd.DataFrame:
    """Measures per run and horizon of the emergence sweep."""
    scores, runs, _, dates = cube(results.trajectories, "score")
    design = results.design.set_index("run_id").loc[runs]
    years = (np.asarray(dates, "datetime64[M]") - np.datetime64(dates[0], "M")).astype(int) / 12
    spread = design["initial"].map(lambda initial: float(initial["synthetic"]["spread"]))
    frames = []
    for horizon in HORIZONS:
        (index,) = np.flatnonzero(np.isclose(years, horizon))
        frame = run_measures(scores[:, index])
        frame["capital_concentration"] = design["capital_concentration"].to_numpy(float)
        frame["global_investment_growth"] = design["global_investment_growth"].to_numpy(float)
        frame["spread"] = spread.to_numpy(float)
        frame["replicate"] = design["replicate"].to_numpy(int)
        frames.append(frame.assign(horizon=horizon, model="ABM"))
    return pd.concat(frames, ignore_index=True)


def null_runs(spreads, seed: int, runs: int = NULL_RUNS) -> pd.DataFrame:
    """The same measures on the random-exchange null for each initial dispersion."""
    frames = []
    for k, spread in enumerate(sorted(spreads)):
        null = null_region(runs, 12 * max(HORIZONS), spread=spread, seed=seed + k)
        for horizon in HORIZONS:
            frame = run_measures(null["score"][:, 12 * horizon])
            frame["spread"] = spread
            frames.append(frame.assign(horizon=horizon, model="random-exchange null"))
    return pd.concat(frames, ignore_index=True)


def phase_table(per_run: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per cell: shares (Wilson 95%) of stratified and bimodal runs, mean score sd (95%
    bootstrap) and its 5-95% range over runs, the mean Theil between-tier share."""
    rows = []
    for values, block in per_run.groupby(keys, sort=True):
        row = dict(zip(keys, values, strict=True)) | {"runs": len(block)}
        for measure in ("stratified", "bimodal"):
            p, low, high = wilson(block[measure].sum(), len(block))
            row |= {measure: p, f"{measure}_low": low, f"{measure}_high": high}
        mean, low, high = bootstrap_mean(block["score_sd"].to_numpy(float))
        p05, p95 = percentile(block["score_sd"].to_numpy(float))
        row |= {"score_sd": mean, "score_sd_low": low, "score_sd_high": high}
        row |= {"score_sd_p05": p05, "score_sd_p95": p95}
        row["theil_between_share_score"] = float(block["theil_between_share_score"].mean())
        rows.append(row)
    return pd.DataFrame(rows)


def against_null(phase: pd.DataFrame, null: pd.DataFrame) -> pd.DataFrame:
    """The phase diagram with the null's values of the same dispersion and horizon,
    ``beats_null`` (the 95% interval of the mean score sd above the null's 95th percentile
    run) and ``bimodal_beyond_null`` (bimodal share above the null's, Wilson intervals
    disjoint)."""
    bar = null.set_index(["spread", "horizon"])[
        ["bimodal", "bimodal_high", "stratified", "score_sd", "score_sd_p95"]
    ].add_prefix("null_")
    table = phase.join(bar, on=["spread", "horizon"])
    table["beats_null"] = table["score_sd_low"] > table["null_score_sd_p95"]
    table["bimodal_beyond_null"] = table["bimodal_low"] > table["null_bimodal_high"]
    return table


def _figure(table: pd.DataFrame, measure: str, title: str):
    """Heat maps of ``measure`` (share of runs): alpha (x) by global growth (y), one panel
    per initial dispersion (rows) and horizon (columns); cells that beat the null starred."""
    from figures.style import new_figure

    spreads, horizons = sorted(table["spread"].unique()), sorted(table["horizon"].unique())
    alphas = sorted(table["capital_concentration"].unique())
    growths = sorted(table["global_investment_growth"].unique())
    fig, axes = new_figure(len(spreads), len(horizons), figsize=(13, 10.5), squeeze=False)
    fig.subplots_adjust(hspace=0.35, wspace=0.3)
    for i, spread in enumerate(spreads):
        for j, horizon in enumerate(horizons):
            ax = axes[i][j]
            cell = table[(table["spread"] == spread) & (table["horizon"] == horizon)]
            grid = cell.pivot(index="global_investment_growth", columns="capital_concentration")
            image = ax.imshow(grid[measure].loc[growths, alphas].to_numpy(float), vmin=0,
                              vmax=1, cmap="viridis", origin="lower", aspect="auto")  # fmt: skip
            beats = grid["beats_null"].loc[growths, alphas].to_numpy(bool)
            for y, x in zip(*np.nonzero(beats), strict=True):
                ax.text(x, y, "*", ha="center", va="center", color="white", fontsize=14)
            null = float(cell[f"null_{measure}"].iloc[0])
            ax.set_title(f"spread {spread:g}, {horizon} years (null {null:.2f})", fontsize=9)
            ax.set_xticks(range(len(alphas)), [f"{a:g}" for a in alphas])
            ax.set_yticks(range(len(growths)), [f"{g:g}" for g in growths])
            if i == len(spreads) - 1:
                ax.set_xlabel("capital_concentration alpha")
            if j == 0:
                ax.set_ylabel("global investment growth (1/yr)")
    fig.colorbar(image, ax=axes, shrink=0.6, label="share of runs")
    fig.suptitle(f"{title} (* = beats the random-exchange null)")
    return fig


def analyse(folder: str | Path) -> Finding:
    """The emergence finding from ``folder/emergence`` plus the null model."""
    results = load(Path(folder) / "emergence")
    per_run = model_runs(results)
    seed = int(results.manifest["design"]["seed"])
    null_per_run = null_runs(per_run["spread"].unique(), seed)
    null = phase_table(null_per_run, ["spread", "horizon"])
    table = against_null(phase_table(per_run, [*AXES, "horizon"]), null)
    longest = max(HORIZONS)

    def cell(alpha: float, growth: float, spread: float, horizon: int = longest):
        chosen = (
            np.isclose(table["capital_concentration"], alpha)
            & np.isclose(table["global_investment_growth"], growth)
            & np.isclose(table["spread"], spread)
            & (table["horizon"] == horizon)
        )
        return table[chosen].iloc[0]

    spreads = sorted(table["spread"].unique())
    alphas = sorted(table["capital_concentration"].unique())
    growth = sorted(table["global_investment_growth"].unique())[0]
    rows = []
    for spread in spreads:
        n = null[(null["spread"] == spread) & (null["horizon"] == longest)].iloc[0]
        for alpha in alphas:
            r = cell(alpha, growth, spread)
            tiers = ci(r.stratified, r.stratified_low, r.stratified_high)
            rows.append(
                f"| {spread:g} | {alpha:g} | {tiers} | "
                f"{ci(r.bimodal, r.bimodal_low, r.bimodal_high)} | "
                f"{ci(r.score_sd, r.score_sd_low, r.score_sd_high)} | "
                f"{'yes' if r.beats_null else 'no'} | {'yes' if r.bimodal_beyond_null else 'no'} |"
            )
        rows.append(
            f"| {spread:g} | null | {ci(n.stratified, n.stratified_low, n.stratified_high)} | "
            f"{ci(n.bimodal, n.bimodal_low, n.bimodal_high)} | "
            f"{ci(n.score_sd, n.score_sd_low, n.score_sd_high)} (95th percentile run "
            f"{n.score_sd_p95:.2f}) | - | - |"
        )
    beating = table[table["beats_null"]]
    bimodal = table.loc[table["bimodal_beyond_null"], "capital_concentration"].unique()
    bimodal_alphas = ", ".join(f"{a:g}" for a in sorted(bimodal)) or "none"
    no_feedback = table[table["capital_concentration"] == 0]
    text = (
        f"""
{provenance(results, COMMAND)} Null model: {NULL_RUNS} runs per initial dispersion of
{12 * longest} months of random exchange (`experiments/findings/null_model.py`, seeds
{seed} + k). Shares of runs with 95% Wilson intervals; the score sd with its 95%
bootstrap interval. Intervals are noise only (the phase diagram varies the parameters
themselves; no posterior draws).

At {longest} years with a flat global flow (growth {growth:g}):

{HEADER}
"""
        + "\n".join(rows)
        + f"""

Cells of the diagram (alpha x growth x spread x horizon) that beat the null:
{len(beating)} of {len(table)}; the smallest alpha among them is {fmt_alpha(beating)}; without
feedback (alpha = 0) {int(no_feedback["beats_null"].sum())} of {len(no_feedback)} do. Cells
also bimodal beyond the null: {int(table["bimodal_beyond_null"].sum())}, at alphas
{bimodal_alphas}.
The null already puts
runs into two tiers (P = {ci(*null_share(null, longest))} at spread {spreads[0]:g}): its
mean score sits near the 35 cut-off, so "two tiers" alone is no evidence of emergence;
bimodality and dispersion are. Figures: `emergence_stratified` and `emergence_bimodal`.
"""
    )
    return Finding(
        "emergence",
        "Q5. Emergence",
        text,
        tables={"emergence_phase": table, "emergence_null": null, "emergence_runs": per_run},
        figures={
            "emergence_stratified": _figure(table, "stratified", "Share of runs with 2+ tiers"),
            "emergence_bimodal": _figure(table, "bimodal", "Share of bimodal runs (dip test)"),
        },
    )


def fmt_alpha(cells: pd.DataFrame) -> str:
    """The smallest alpha among ``cells`` (``none`` if empty)."""
    return f"{cells['capital_concentration'].min():g}" if len(cells) else "none"


def null_share(null: pd.DataFrame, horizon: int) -> tuple[float, float, float]:
    """The null's share of stratified runs at the smallest dispersion and ``horizon``."""
    row = null[null["horizon"] == horizon].sort_values("spread").iloc[0]
    return (row.stratified, row.stratified_low, row.stratified_high)
