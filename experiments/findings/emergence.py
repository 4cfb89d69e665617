"""Question 5: emergence. Do tiers emerge from capital flows in a homogeneous region?

Experiment ``emergence.toml``: 19 near-identical synthetic countries (1% noise) in a
stationary world (flat global flow, no rest-of-world capacity growth) for thirty years, the
capital-concentration exponent alpha swept from 0 to 4. Per run, at the end (December
2054): the number of tiers occupied, the standard deviation of scores, the Theil
between-tier share of scores and of capital (groups = tiers at the end), the Gini of capital,
and the number of Phillips-Sul convergence clubs of the yearly log scores
(``mobility.club_convergence``). The same measures on the random-exchange null model
(``experiments.findings.null_model``) are the bar emergence must beat.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from experiments.findings.common import Finding, bootstrap_mean, ci, cube, load, provenance
from experiments.findings.null_model import null_region
from mobility import classify_scores, club_convergence, gini, theil
from model.tiers import DEFAULT_THRESHOLDS

EXPERIMENTS = ("emergence.toml",)
COMMAND = "latam-ai findings emergence"
#: Replicates per alpha on which the (slow, per-panel) club clustering runs.
CLUB_REPLICATES = 20
MEASURES = (
    "tiers_occupied",
    "score_sd",
    "theil_between_share_score",
    "theil_between_share_capital",
    "capital_gini",
    "clubs",
)


def run_measures(scores: np.ndarray, capital: np.ndarray, clubs_for: np.ndarray) -> pd.DataFrame:
    """Emergence measures per run from yearly (runs, periods, countries) arrays; clubs only
    for runs where ``clubs_for`` is true (NaN elsewhere)."""
    end_scores, end_capital = scores[:, -1], capital[:, -1]
    tiers = np.asarray(classify_scores(end_scores, DEFAULT_THRESHOLDS), dtype=int)
    occupied = np.stack([(tiers == k).any(axis=1) for k in range(3)], axis=1).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        between_score = theil(end_scores, tiers)["between_share"]
        between_capital = theil(end_capital, tiers)["between_share"]
    clubs = np.full(scores.shape[0], np.nan)
    for r in np.flatnonzero(clubs_for):
        found = club_convergence(np.log(np.maximum(scores[r], 1e-9)))
        clubs[r] = len(found["clubs"]) + len(found["divergent"])
    return pd.DataFrame(
        {
            "tiers_occupied": occupied.astype(float),
            "score_sd": end_scores.std(axis=1),
            "theil_between_share_score": np.nan_to_num(between_score),
            "theil_between_share_capital": np.nan_to_num(between_capital),
            "capital_gini": gini(end_capital),
            "clubs": clubs,
        }
    )


def summary(per_run: pd.DataFrame, by: str) -> pd.DataFrame:
    """Mean and 95% bootstrap interval of each measure per value of ``by``."""
    rows = []
    for value, block in per_run.groupby(by, sort=False):
        row = {by: value, "runs": len(block)}
        for measure in MEASURES:
            mean, low, high = bootstrap_mean(block[measure].dropna().to_numpy(float))
            row |= {measure: mean, f"{measure}_low": low, f"{measure}_high": high}
        rows.append(row)
    return pd.DataFrame(rows)


def _figure(table: pd.DataFrame):
    from figures.style import new_figure, series_colour

    model = table[table["model"] == "ABM"]
    null = table[table["model"] != "ABM"].iloc[0]
    panels = ("tiers_occupied", "clubs", "theil_between_share_score", "score_sd")
    fig, axes = new_figure(1, 4, figsize=(15, 3.8))
    for ax, measure in zip(axes, panels, strict=True):
        x = model["capital_concentration"].to_numpy(float)
        band = (model[f"{measure}_low"], model[f"{measure}_high"])
        ax.fill_between(x, *band, color=series_colour(0), alpha=0.2)
        ax.plot(x, model[measure], marker="o", color=series_colour(0), label="model")
        null_band = (null[f"{measure}_low"], null[f"{measure}_high"])
        ax.axhspan(*null_band, color=series_colour(1), alpha=0.25, label="random-exchange null")
        ax.axhline(null[measure], color=series_colour(1), lw=1)
        ax.set_xlabel("capital_concentration alpha")
        ax.set_title(measure.replace("_", " "))
    axes[0].legend(fontsize=8)
    fig.suptitle("Emergence from a homogeneous region (December 2054; mean, 95% bootstrap)")
    return fig


def analyse(folder: str | Path) -> Finding:
    """The emergence finding from ``folder/emergence`` plus the null model."""
    results = load(Path(folder) / "emergence")
    scores, runs, _, dates = cube(results.trajectories, "score")
    capital = cube(results.trajectories, "capital")[0]
    design = results.design.set_index("run_id").loc[runs]
    per_run = run_measures(scores, capital, design["replicate"].to_numpy() < CLUB_REPLICATES)
    per_run["capital_concentration"] = design["capital_concentration"].to_numpy(float)
    table = summary(per_run, "capital_concentration").sort_values("capital_concentration")
    table.insert(0, "model", "ABM")
    step = int(np.median(np.diff(np.asarray(dates, "datetime64[M]").astype(int))))
    months = (len(dates) - 1) * step
    replications = int(results.manifest["design"]["replications"])
    null = null_region(replications, months, seed=int(results.manifest["design"]["seed"]))
    null_runs = run_measures(
        null["score"][:, ::step],
        null["capital"][:, ::step],
        np.arange(replications) < CLUB_REPLICATES,
    )
    null_runs["capital_concentration"] = np.nan
    null_table = summary(null_runs.assign(model="random-exchange null"), "model")
    table = pd.concat([table, null_table], ignore_index=True)
    abm = table[table.model == "ABM"].set_index("capital_concentration")
    bar = table[table.model != "ABM"].iloc[0]

    def row(alpha: float, measure: str, digits: int = 2) -> str:
        r = abm.loc[alpha]
        return ci(r[measure], r[f"{measure}_low"], r[f"{measure}_high"], digits)

    beats = abm[abm["theil_between_share_score_low"] > bar["theil_between_share_score_high"]]
    beats_sd = abm[abm["score_sd_low"] > bar["score_sd_high"]]
    lowest = abm.index.min()
    text = (
        f"""
{provenance(results, COMMAND)} Null model: {replications} runs of
{months} months of random exchange (`experiments/findings/null_model.py`, seed
{results.manifest["design"]["seed"]}). Clubs on the first {CLUB_REPLICATES} replicates per
alpha (yearly log scores; divergent countries count as one club each). Means with 95%
bootstrap intervals over replicates, December 2054.

| measure | alpha = {lowest:g} | alpha = 2 | alpha = 4 | random-exchange null |
|---|---|---|---|---|
"""
        + "\n".join(
            f"| {m} | {row(lowest, m)} | {row(2.0, m)} | {row(4.0, m)} | "
            f"{ci(bar[m], bar[f'{m}_low'], bar[f'{m}_high'])} |"
            for m in MEASURES
        )
        + f"""

Alphas whose Theil between-tier share of scores lies above the null's interval:
{", ".join(f"{a:g}" for a in beats.index) or "none"}; whose score dispersion does:
{", ".join(f"{a:g}" for a in beats_sd.index) or "none"}.
"""
    )
    per_run["model"] = "ABM"
    return Finding(
        "emergence",
        "Q5. Emergence",
        text,
        tables={"emergence_summary": table, "emergence_runs": per_run},
        figures={"emergence": _figure(table)},
    )
