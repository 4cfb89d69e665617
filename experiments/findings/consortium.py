"""Question 4: regional cooperation. Adopters forming a consortium vs acting alone.

Experiment ``consortium.toml``: Peru, Colombia, Argentina and Ecuador (Adopters in ILIA 2024
except Ecuador, an Explorer by the strict rule) under ``regional_consortium`` (pooled
research in absorptive capacity, spillovers toward the pool mean, cheaper infrastructure),
each alone on ``production_platform``, or everyone on ``status_quo``. Paired differences
within replicates (common random numbers) of members' and non-members' research and score in
December 2030 and 2035, and members' P(Pioneer) with Wilson intervals. With the file's
``[posterior]`` section every number is computed twice: noise only (the noise-only twin,
at the posterior's median parameters) and parameters + noise (posterior draws x
replications, paired within each (draw, replicate)).
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
    provenance,
    wilson,
)
from experiments.findings.twins import uncertainty_pair

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
    design = results.design.copy()
    draw = design["posterior_draw"] if "posterior_draw" in design else 0
    design["pair"] = [f"{d}-{r}" for d, r in zip(np.broadcast_to(draw, len(design)),
                                                 design["replicate"], strict=True)]  # fmt: skip
    outcomes = outcomes.merge(design[["run_id", "pair", "label"]], on="run_id")
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
                    index="pair", columns="label", values=variable, aggfunc="mean"
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
    """The consortium finding from ``folder/consortium`` (and its noise-only twin)."""
    results, posterior = uncertainty_pair(folder, "consortium", trajectories=True)
    outcomes = country_outcomes(results)
    paired = paired_by_group(outcomes).assign(uncertainty="noise only")
    pioneers = pioneer_probabilities(outcomes).assign(uncertainty="noise only")
    if posterior is not None:
        outcomes_p = country_outcomes(posterior)
        paired_p = paired_by_group(outcomes_p).assign(uncertainty="parameters + noise")
        pioneers_p = pioneer_probabilities(outcomes_p).assign(uncertainty="parameters + noise")
        paired = pd.concat([paired, paired_p], ignore_index=True)
        pioneers = pd.concat([pioneers, pioneers_p], ignore_index=True)

    def pick(group: str, variable: str, comparison: str, year: int = 2035) -> str:
        chosen = paired[
            (paired.group == group)
            & (paired.variable == variable)
            & (paired.comparison == comparison)
            & (paired.year == year)
        ]
        texts = [ci(r.mean_difference, r.low, r.high) for r in chosen.itertuples()]
        return texts[0] + (f" (parameters + noise {texts[1]})" if len(texts) > 1 else "")

    member_lines = []
    for iso3 in MEMBERS:
        member_lines.append(
            f"- {iso3}: research vs alone on production "
            f"{pick(iso3, 'research', 'consortium - alone_production')}, vs status quo "
            f"{pick(iso3, 'research', 'consortium - alone_status_quo')}; score vs alone on "
            f"production {pick(iso3, 'score', 'consortium - alone_production')}."
        )
    p35 = pioneers[pioneers.year == 2035]
    p35 = p35.pivot_table(index=["iso3", "label"], columns="uncertainty",
                          values=["p_pioneer", "low", "high"], aggfunc="first")  # fmt: skip
    p35.columns = [f"{value}|{kind}" for value, kind in p35.columns]
    p35 = p35.reset_index()
    noise_p = "p_pioneer|noise only"

    def probability(row, kind: str) -> str:
        return ci(row[f"p_pioneer|{kind}"], row[f"low|{kind}"], row[f"high|{kind}"], 3)

    pioneer_lines = []
    for _, row in p35.iterrows():
        line = f"- {row.iso3}, `{row.label}`: {probability(row, 'noise only')}"
        if "p_pioneer|parameters + noise" in p35:
            line += f" (parameters + noise {probability(row, 'parameters + noise')})"
        pioneer_lines.append(line)
    pioneer_text = (
        f"P(member is a Pioneer in December 2035), 95% Wilson (highest noise-only "
        f"{p35[noise_p].max():.3f}):\n\n" + "\n".join(pioneer_lines)
    )
    text = f"""
{chr(10).join(provenance(r, COMMAND) for r in (results, posterior) if r is not None)}
Members: {", ".join(MEMBERS)}. Paired differences in December 2035 (index points; 95%
bootstrap over replicates, noise only; in parentheses with parameter uncertainty when
the posterior was run):

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
        figures={"consortium_research": _figure(paired[paired.uncertainty == "noise only"])},
    )
