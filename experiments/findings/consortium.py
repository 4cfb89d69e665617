"""Question 4: regional cooperation. Adopters forming a consortium vs acting alone.

Experiment ``consortium.toml``: Peru, Colombia, Argentina and Ecuador (Adopters in ILIA 2024
except Ecuador, an Explorer by the strict rule) under ``regional_consortium`` (pooled
research in absorptive capacity, spillovers toward the pool mean, cheaper infrastructure),
each alone on ``production_platform``, or everyone on ``status_quo``. Paired differences
within replicates (common random numbers) of members' and non-members' research and score in
December 2030 and 2035, and members' P(Pioneer) with Wilson intervals.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from experiments.findings.common import Finding, bootstrap_mean, ci, cube, load, provenance, wilson

EXPERIMENTS = ("consortium.toml",)
COMMAND = "latam-ai findings consortium"
MEMBERS = ("PER", "COL", "ARG", "ECU")
YEARS = (2030, 2035)
SCENARIOS = ("alone_status_quo", "alone_production", "consortium")


def country_outcomes(results) -> pd.DataFrame:
    """One row per run, country and year: score, research, tier in December."""
    traj = results.trajectories
    dates = pd.to_datetime(np.sort(traj["date"].unique()))
    frames = []
    values = {v: cube(traj, v) for v in ("score", "research", "tier")}
    runs, countries = values["score"][1], values["score"][2]
    for year in YEARS:
        t = int(np.flatnonzero(dates <= pd.Timestamp(f"{year}-12-01"))[-1])
        frame = pd.DataFrame(
            {
                "run_id": np.repeat(runs, len(countries)),
                "iso3": np.tile(countries, runs.size),
                "year": year,
                **{v: values[v][0][:, t, :].ravel() for v in values},
            }
        )
        frames.append(frame)
    outcomes = pd.concat(frames, ignore_index=True)
    design = results.design[["run_id", "replicate", "label"]]
    outcomes = outcomes.merge(design, on="run_id")
    outcomes["member"] = outcomes["iso3"].isin(MEMBERS)
    return outcomes


def paired_by_group(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Consortium minus each alternative, per group (each member, members' mean,
    non-members' mean) and year, for score and research; bootstrap over replicates."""
    groups = {iso3: outcomes["iso3"] == iso3 for iso3 in MEMBERS}
    groups["members (mean)"] = outcomes["member"]
    groups["non-members (mean)"] = ~outcomes["member"]
    rows = []
    for name, mask in groups.items():
        block = outcomes[mask]
        for year in YEARS:
            for variable in ("score", "research"):
                wide = block[block.year == year].pivot_table(
                    index="replicate", columns="label", values=variable, aggfunc="mean"
                )
                for baseline in ("alone_status_quo", "alone_production"):
                    diff = (wide["consortium"] - wide[baseline]).to_numpy(float)
                    mean, low, high = bootstrap_mean(diff)
                    rows.append(
                        {
                            "group": name,
                            "year": year,
                            "variable": variable,
                            "comparison": f"consortium - {baseline}",
                            "mean_difference": mean,
                            "low": low,
                            "high": high,
                            "level_consortium": wide["consortium"].mean(),
                        }
                    )
    return pd.DataFrame(rows)


def pioneer_probabilities(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Members' P(Pioneer in December of each year) per scenario, with Wilson intervals."""
    rows = []
    members = outcomes[outcomes["member"]]
    for (label, iso3, year), block in members.groupby(["label", "iso3", "year"]):
        p, low, high = wilson((block["tier"] == 2).sum(), len(block))
        rows.append(
            {
                "label": label,
                "iso3": iso3,
                "year": year,
                "p_pioneer": p,
                "low": low,
                "high": high,
                "score": block["score"].mean(),
            }
        )
    return pd.DataFrame(rows)


def _figure(paired: pd.DataFrame):
    from figures.style import new_figure, series_colour

    block = paired[(paired.year == 2035) & (paired.variable == "research")]
    groups = list(dict.fromkeys(block["group"]))
    fig, ax = new_figure(figsize=(8, 4.5))
    for k, comparison in enumerate(dict.fromkeys(block["comparison"])):
        rows = block[block.comparison == comparison].set_index("group").loc[groups]
        y = np.arange(len(groups)) + (k - 0.5) * 0.3
        ax.errorbar(
            rows["mean_difference"],
            y,
            xerr=[rows["mean_difference"] - rows["low"], rows["high"] - rows["mean_difference"]],
            fmt="o",
            color=series_colour(k),
            capsize=3,
            label=comparison,
        )
    ax.set_yticks(np.arange(len(groups)), groups)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel("research, December 2035: paired difference (index points, 95% bootstrap)")
    ax.set_title("Regional consortium vs acting alone")
    ax.legend(fontsize=8)
    return fig


def analyse(folder: str | Path) -> Finding:
    """The consortium finding from ``folder/consortium``."""
    results = load(Path(folder) / "consortium")
    outcomes = country_outcomes(results)
    paired = paired_by_group(outcomes)
    pioneers = pioneer_probabilities(outcomes)

    def pick(group: str, variable: str, comparison: str, year: int = 2035) -> str:
        row = paired[
            (paired.group == group)
            & (paired.variable == variable)
            & (paired.comparison == comparison)
            & (paired.year == year)
        ].iloc[0]
        return ci(row.mean_difference, row.low, row.high)

    member_lines = []
    for iso3 in MEMBERS:
        member_lines.append(
            f"- {iso3}: research vs alone on production "
            f"{pick(iso3, 'research', 'consortium - alone_production')}, vs status quo "
            f"{pick(iso3, 'research', 'consortium - alone_status_quo')}; score vs alone on "
            f"production {pick(iso3, 'score', 'consortium - alone_production')}."
        )
    p35 = pioneers[pioneers.year == 2035]
    any_pioneer = p35[p35.p_pioneer > 0]
    pioneer_text = (
        "No member is a Pioneer in December 2035 in any replicate of any scenario "
        f"(Wilson upper bound {p35['high'].max():.3f})."
        if any_pioneer.empty
        else "Members with P(Pioneer 2035) > 0: "
        + "; ".join(
            f"{r.iso3} {r.label} {ci(r.p_pioneer, r.low, r.high, 3)}"
            for r in any_pioneer.itertuples()
        )
        + "."
    )
    text = f"""
{provenance(results, COMMAND)} Members: {", ".join(MEMBERS)}. Paired differences in
December 2035 (index points; 95% bootstrap over replicates):

{chr(10).join(member_lines)}
- members (mean): research vs alone on production
  {pick("members (mean)", "research", "consortium - alone_production")}, score
  {pick("members (mean)", "score", "consortium - alone_production")};
- non-members (mean): research vs alone on production
  {pick("non-members (mean)", "research", "consortium - alone_production")}, score vs status quo
  {pick("non-members (mean)", "score", "consortium - alone_status_quo")}.

{pioneer_text}
"""
    return Finding(
        "consortium",
        "Q4. Regional cooperation",
        text,
        tables={"consortium_paired": paired, "consortium_pioneers": pioneers},
        figures={"consortium_research": _figure(paired)},
    )
