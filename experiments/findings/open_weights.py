"""Question 1: does the open-weights release equalise or amplify the gaps between tiers?

Experiment ``open_weights.toml``: release (2025-08) vs none x absorptive-capacity gate on
vs off, common random numbers. Groups are the START tiers (ILIA 2024 classification at the
first month), so countries changing tier do not change the groups. Measures:

* adoption gap and production (research) gap between start Pioneers and start Explorers
  over time, release minus none within each replicate;
* Explorer upward mobility: P(Explorer -> Adopter or above within 12 months) for origin
  months after the release, with a cluster bootstrap over replicates (paired: the same
  resampled replicates for release and none);
* Theil between-tier share (groups = current tiers) of scores, research and capital.
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
    paired_differences,
    provenance,
)
from mobility import theil
from model.parameters import BY_NAME

EXPERIMENTS = ("open_weights.toml",)
COMMAND = "latam-ai findings open_weights"
YEARS = (2026, 2028, 2030, 2035)
SHOCK = np.datetime64(BY_NAME["open_weights_date"].default, "M")


def _scenario(design: pd.DataFrame) -> pd.DataFrame:
    frame = design[["run_id", "replicate"]].copy()
    no_release = design["open_weights_date"].astype(str).str.lower().isin(("none", "nan"))
    frame["release"] = np.where(no_release, "none", "release")
    gate_on = design["absorptive_gate"].astype(str).str.lower() == "true"
    frame["gate"] = np.where(gate_on, "on", "off")
    return frame.set_index("run_id")


def gap_paths(results) -> pd.DataFrame:
    """Per run and date: the adoption and production gaps (start Pioneers minus start
    Explorers) and the Theil between-tier shares of score, research and capital."""
    tiers, runs, _, dates = cube(results.trajectories, "tier")
    start = tiers[:, :1, :]
    rows = {"run_id": np.repeat(runs, dates.size), "date": np.tile(dates, runs.size)}
    for variable, label in (("adoption", "adoption_gap"), ("research", "production_gap")):
        values = cube(results.trajectories, variable)[0]
        top = np.where(start == 2, values, np.nan)
        bottom = np.where(start == 0, values, np.nan)
        rows[label] = (np.nanmean(top, axis=2) - np.nanmean(bottom, axis=2)).ravel()
    for variable in ("score", "research", "capital"):
        values = cube(results.trajectories, variable)[0]
        between = theil(values, tiers.astype(int))["between_share"]
        rows[f"theil_between_{variable}"] = between.ravel()
    frame = pd.DataFrame(rows)
    return frame.join(_scenario(results.design), on="run_id")


def explorer_upward(results, n_boot: int = 2000, seed: int = 0) -> pd.DataFrame:
    """P(an Explorer is Adopter or Pioneer 12 months later), origin months from the release
    on, per scenario, with a paired cluster bootstrap over replicates of release - none."""
    tiers, runs, _, dates = cube(results.trajectories, "tier")
    step = int(np.median(np.diff(dates.astype("datetime64[M]").astype(int))))
    lag = max(1, 12 // step)
    after = dates[:-lag].astype("datetime64[M]") >= SHOCK
    origin, end = tiers[:, :-lag][:, after], tiers[:, lag:][:, after]
    risk = (origin == 0).sum(axis=(1, 2)).astype(float)
    up = ((origin == 0) & (end > 0)).sum(axis=(1, 2)).astype(float)
    scenarios = _scenario(results.design).loc[runs]
    rows = []
    replicates = np.sort(scenarios["replicate"].unique())
    index = np.random.default_rng(seed).integers(0, replicates.size, (n_boot, replicates.size))
    for gate in ("on", "off"):
        per = {}
        for release in ("release", "none"):
            mask = ((scenarios["gate"] == gate) & (scenarios["release"] == release)).to_numpy()
            order = np.argsort(scenarios["replicate"].to_numpy()[mask])
            u, r = up[mask][order], risk[mask][order]
            with np.errstate(invalid="ignore"):
                boot = u[index].sum(1) / r[index].sum(1)
            per[release] = (u, r, boot)
            low, high = np.nanpercentile(boot, [2.5, 97.5])
            rows.append(
                {
                    "gate": gate,
                    "scenario": release,
                    "probability": u.sum() / r.sum(),
                    "low": low,
                    "high": high,
                    "explorer_months_at_risk": r.sum(),
                }
            )
        diff = per["release"][2] - per["none"][2]
        low, high = np.nanpercentile(diff, [2.5, 97.5])
        point = per["release"][0].sum() / per["release"][1].sum()
        point -= per["none"][0].sum() / per["none"][1].sum()
        rows.append(
            {
                "gate": gate,
                "scenario": "release - none",
                "probability": point,
                "low": low,
                "high": high,
                "explorer_months_at_risk": np.nan,
            }
        )
    return pd.DataFrame(rows)


def paired_paths(paths: pd.DataFrame, measures: tuple[str, ...]) -> pd.DataFrame:
    """Release minus none per replicate, gate and date: mean and bootstrap interval."""
    rows = []
    for gate, block in paths.groupby("gate"):
        for measure in measures:
            wide = block.pivot_table(
                index=["date", "replicate"], columns="release", values=measure, aggfunc="mean"
            )
            diff = (wide["release"] - wide["none"]).unstack("date")
            mean, low, high = bootstrap_mean(diff.to_numpy(float))
            rows.append(
                pd.DataFrame(
                    {
                        "gate": gate,
                        "measure": measure,
                        "date": diff.columns,
                        "mean_difference": mean,
                        "low": low,
                        "high": high,
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)


def _figure(differences: pd.DataFrame):
    from figures.style import date_axis, new_figure, series_colour

    measures = ("adoption_gap", "production_gap", "theil_between_research")
    fig, axes = new_figure(1, 3, figsize=(14, 4.2))
    for ax, measure in zip(axes, measures, strict=True):
        for k, gate in enumerate(("on", "off")):
            block = differences[(differences.measure == measure) & (differences.gate == gate)]
            dates = pd.to_datetime(block["date"])
            ax.fill_between(dates, block["low"], block["high"], color=series_colour(k), alpha=0.2)
            ax.plot(dates, block["mean_difference"], color=series_colour(k), label=f"gate {gate}")
        ax.axhline(0, color="black", lw=0.8)
        ax.axvline(pd.Timestamp("2025-08-01"), color="grey", ls=":", lw=1)
        date_axis(ax)
        ax.set_title(f"{measure.replace('_', ' ')}: release - none")
        unit = "share (0-1)" if measure.startswith("theil") else "index points"
        ax.set_ylabel(f"paired difference ({unit})")
    axes[0].legend()
    fig.suptitle("Open weights: effect on the gaps between the start tiers (95% bootstrap)")
    return fig


def _at(differences: pd.DataFrame, gate: str, measure: str, year: int) -> pd.Series:
    block = differences[(differences.gate == gate) & (differences.measure == measure)]
    block = block[pd.to_datetime(block["date"]) <= pd.Timestamp(f"{year}-12-31")]
    return block.iloc[-1]


def analyse(folder: str | Path) -> Finding:
    """The open-weights finding from ``folder/open_weights`` (a sweep results folder)."""
    results = load(Path(folder) / "open_weights")
    paths = gap_paths(results)
    measures = (
        "adoption_gap",
        "production_gap",
        "theil_between_score",
        "theil_between_research",
        "theil_between_capital",
    )
    differences = paired_paths(paths, measures)
    upward = explorer_upward(results)
    table = results.table()
    table = table.join(_scenario(results.design)[["release", "gate"]], on="run_id")
    table["scenario"] = table["release"] + "/gate " + table["gate"]
    ends = []
    for gate in ("on", "off"):
        block = table[table.scenario.str.endswith(f"gate {gate}")]
        for metric in (
            "adoption_gap_end_start_tiers",
            "production_gap_end_start_tiers",
            "tier_gap_end_start_tiers",
            "shorrocks_12m",
        ):
            ends.append(paired_differences(block, "scenario", metric, f"none/gate {gate}"))
    end_table = pd.concat(ends, ignore_index=True)
    end_table = end_table[~end_table.scenario.str.startswith("none")]

    def line(measure: str, gate: str) -> str:
        parts = []
        for year in YEARS:
            row = _at(differences, gate, measure, year)
            parts.append(f"{year}: {ci(row.mean_difference, row.low, row.high)}")
        return "; ".join(parts)

    adoption = differences[(differences.gate == "on") & (differences.measure == "adoption_gap")]
    trough = adoption.loc[adoption["mean_difference"].idxmin()]
    up_on = upward[(upward.gate == "on")].set_index("scenario")
    up_off = upward[(upward.gate == "off")].set_index("scenario")
    text = f"""
{provenance(results, COMMAND)} Groups are the start (ILIA 2024) tiers. Differences are
release minus no release within the same replicate (common random numbers); intervals are
95% percentile bootstrap intervals over replicates.

**Adoption gap** (start Pioneers minus start Explorers, index points), release - none,
gate on: {line("adoption_gap", "on")}. Its largest narrowing is
{ci(trough.mean_difference, trough.low, trough.high)} in {pd.Timestamp(trough.date):%Y-%m}.

**Production gap** (research), release - none, gate on: {line("production_gap", "on")};
gate off (the ablation): {line("production_gap", "off")}.

**Theil between-tier share of research** (groups = current tiers), release - none, gate on:
{line("theil_between_research", "on")}; of capital: {line("theil_between_capital", "on")}.

**Explorer upward mobility** P(Explorer -> Adopter or above within 12 months), origin
months from 2025-08: gate on, release {ci(*up_on.loc["release", ["probability", "low", "high"]], 4)}
vs none {ci(*up_on.loc["none", ["probability", "low", "high"]], 4)}, difference
{ci(*up_on.loc["release - none", ["probability", "low", "high"]], 4)}; gate off, difference
{ci(*up_off.loc["release - none", ["probability", "low", "high"]], 4)} (paired cluster
bootstrap over replicates).
"""
    return Finding(
        "open_weights",
        "Q1. Open weights: equalise or amplify?",
        text,
        tables={
            "open_weights_paired_paths": differences,
            "open_weights_end_effects": end_table,
            "open_weights_explorer_upward": upward,
        },
        figures={"open_weights_gaps": _figure(differences)},
    )
