"""Question 2b (part of Peru's choice): the demonstration effect. When Peru follows the
production platform (and becomes a Pioneer), how many Adopters imitate it, how soon, and
what do they gain?

Experiments: ``peru_demonstration.toml`` (default parameters: noise only) and
``peru_demonstration_posterior.toml`` (over posterior draws: parameters + noise). Peru
follows ``production_platform`` from 2026-01 at a budget of its GDP; the demonstration
effect (``demonstration_effect``, docs/ODD.md section 7.9) is on or off, paired by
replicate (and draw). The focus is Peru's Oxford Insights region (Latin America and
Caribbean, 32 countries), the peers of the demonstration rule.

**Who follows.** A country's governance moves only under a policy (docs/ODD.md, 7.8), and
with common random numbers a country without a policy has the same governance path with
the effect on and off. A follower is a country (other than Peru) whose governance path
differs between the paired runs; it switched at the last yearly review before the first
month in which the paths differ. "Adopters" are the countries in the Adopter tier at the
first month (for the 19 ILIA countries, the ILIA 2024 tiers).

**What they gain.** A follower's score in December 2035 with the effect on minus off
(same replicate): the effect of imitating (spending the default ``policy_budget``).
"Peru succeeds" means Peru is a Pioneer in some month up to December 2035 (run with the
effect on).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from experiments.findings.common import Finding, ci, cube, fmt, load, posterior_note, provenance
from experiments.findings.uncertainty import cluster_mean, cluster_share, interval_kind
from model.data import ILIA_COUNTRIES
from model.equations import ADOPTER, PIONEER

EXPERIMENTS = ("peru_demonstration.toml", "peru_demonstration_posterior.toml")
#: Its noise-only experiments are files of their own (no twins of the posterior ones).
NOISE_ONLY_TWINS = False
COMMAND = "latam-ai findings demonstration"
COUNTRY = "PER"
POLICY_START = pd.Period("2026-01", "M")
REVIEW_EVERY = 12  # months between demonstration reviews (docs/ODD.md 7.9)
#: Governance paths differing by more than this (index points) count as different.
TOLERANCE = 1e-4


def _budget(plan) -> float:
    return float(plan[COUNTRY][0][2])


def followers(results) -> pd.DataFrame:
    """One row per (pair of runs, country other than Peru): budget, pairing unit, cluster,
    start tier, whether it followed, the month it switched and its 2035 score gain."""
    governance, runs, countries, dates = cube(results.trajectories, "governance")
    score = cube(results.trajectories, "score")[0]
    tiers = cube(results.trajectories, "tier")[0]
    design = results.design.set_index("run_id").loc[runs]
    summaries = results.summaries.set_index("run_id").loc[runs]
    budget = design["policies"].map(_budget).to_numpy()
    on = design["demonstration_effect"].astype(str).str.lower().eq("true").to_numpy()
    draw = design["posterior_draw"].to_numpy() if "posterior_draw" in design else None
    unit = design["replicate"].to_numpy() + (0 if draw is None else draw * 1_000_000)
    cluster = design["replicate"].to_numpy() if draw is None else draw
    start = pd.Period(pd.Timestamp(dates[0]), "M")
    month = np.array([(pd.Period(pd.Timestamp(d), "M") - start).n for d in dates])
    peru = countries.index(COUNTRY)
    others = np.array([c != COUNTRY for c in countries])
    frames = []
    for b in np.unique(budget):
        index_on = {u: i for i, u in enumerate(unit) if on[i] and budget[i] == b}
        index_off = {u: i for i, u in enumerate(unit) if not on[i] and budget[i] == b}
        pairs = [(index_on[u], index_off[u]) for u in sorted(index_on) if u in index_off]
        i_on, i_off = np.array(pairs).T
        differs = np.abs(governance[i_on] - governance[i_off]) > TOLERANCE  # pairs, dates, n
        followed = differs.any(axis=1)
        first = month[np.argmax(differs, axis=1)]
        switch = np.where(followed, REVIEW_EVERY * ((first - 1) // REVIEW_EVERY), -1)
        peru_first = summaries["peru_first_pioneer_month"].to_numpy(float)[i_on]
        n_pairs, n = followed.shape
        frames.append(
            pd.DataFrame(
                {
                    "budget": b,
                    "unit": np.repeat(unit[i_on], n),
                    "cluster": np.repeat(cluster[i_on], n),
                    "iso3": np.tile(countries, n_pairs),
                    "ilia": np.tile([c in ILIA_COUNTRIES for c in countries], n_pairs),
                    "start_tier": tiers[i_on, 0, :].ravel(),
                    "followed": followed.ravel(),
                    "switch_month": np.where(followed, switch, np.nan).ravel(),
                    "peru_first_pioneer_month": np.repeat(peru_first, n),
                    "peru_succeeds": np.repeat(np.isfinite(peru_first), n),
                    "score_gain_2035": (score[i_on, -1, :] - score[i_off, -1, :]).ravel(),
                    "pioneer_2035_on": (tiers[i_on, -1, :] == PIONEER).ravel(),
                    "pioneer_2035_off": (tiers[i_off, -1, :] == PIONEER).ravel(),
                    "peru_score_gain_2035": np.repeat(
                        score[i_on, -1, peru] - score[i_off, -1, peru], n
                    ),
                }
            )[np.tile(others, n_pairs)]
        )
    frame = pd.concat(frames, ignore_index=True)
    frame["months_after_peru_start"] = frame["switch_month"] - (POLICY_START - start).n
    frame["months_after_peru_pioneer"] = frame["switch_month"] - frame["peru_first_pioneer_month"]
    frame["start"] = str(start)
    return frame


def per_pair(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per pair of runs: followers (all, start Adopters, ILIA start Adopters), the
    first switch, the followers' mean gain and Pioneers gained in the region."""
    adopter = frame["start_tier"] == ADOPTER
    frame = frame.assign(
        adopter_follower=frame.followed & adopter,
        ilia_adopter_follower=frame.followed & adopter & frame.ilia,
        follower_gain=np.where(frame.followed, frame.score_gain_2035, np.nan),
        adopter_gain=np.where(frame.followed & adopter, frame.score_gain_2035, np.nan),
        pioneers_gained=frame.pioneer_2035_on.astype(int) - frame.pioneer_2035_off.astype(int),
        other_adopter_pioneer_on=adopter & frame.pioneer_2035_on,
        other_adopter_pioneer_off=adopter & frame.pioneer_2035_off,
    )
    grouped = frame.groupby(["budget", "unit"])
    pairs = grouped.agg(
        cluster=("cluster", "first"),
        peru_succeeds=("peru_succeeds", "first"),
        peru_score_gain_2035=("peru_score_gain_2035", "first"),
        followers=("followed", "sum"),
        adopter_followers=("adopter_follower", "sum"),
        ilia_adopter_followers=("ilia_adopter_follower", "sum"),
        first_switch_after_peru_start=("months_after_peru_start", "min"),
        median_switch_after_peru_start=("months_after_peru_start", "median"),
        follower_gain_2035=("follower_gain", "mean"),
        adopter_gain_2035=("adopter_gain", "mean"),
        pioneers_gained_2035=("pioneers_gained", "sum"),
        any_adopter_pioneer_on=("other_adopter_pioneer_on", "any"),
        any_adopter_pioneer_off=("other_adopter_pioneer_off", "any"),
    )
    return pairs.reset_index()


SUMMARY = {
    "followers": "followers (of 31 peers)",
    "adopter_followers": "start Adopters following",
    "ilia_adopter_followers": "ILIA start Adopters following",
    "first_switch_after_peru_start": "first switch, months after Peru's start",
    "median_switch_after_peru_start": "median switch, months after Peru's start",
    "follower_gain_2035": "followers' score gain 2035",
    "adopter_gain_2035": "following Adopters' score gain 2035",
    "pioneers_gained_2035": "Pioneers gained in the region 2035",
    "peru_score_gain_2035": "Peru's own score change 2035",
}


def summary(pairs: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Per budget (and, separately, per Peru succeeding or not): the mean of every
    per-pair measure with its cluster-bootstrap interval."""
    rows = []
    for budget, block in pairs.groupby("budget"):
        for condition, part in (
            ("all runs", block),
            ("Peru succeeds", block[block.peru_succeeds]),
            ("Peru does not", block[~block.peru_succeeds]),
        ):
            row = {"budget": budget, "runs": condition, "pairs": len(part), "intervals": kind}
            if len(part):
                p, low, high = cluster_share(part.peru_succeeds, part.cluster.to_numpy())
                row |= {"p_peru_succeeds": p}
            for column in SUMMARY:
                mean, low, high = cluster_mean(part[column].to_numpy(float), part.cluster)
                row |= {column: mean, f"{column}_low": low, f"{column}_high": high}
            for side in ("on", "off"):
                column = f"any_adopter_pioneer_{side}"
                if len(part):
                    row[f"p_{column}"] = cluster_share(part[column], part.cluster.to_numpy())[0]
            rows.append(row)
    return pd.DataFrame(rows)


def by_country(frame: pd.DataFrame) -> pd.DataFrame:
    """Per budget and peer: share of pairs in which it follows, median switch (months after
    Peru's start) and its mean 2035 score gain when it follows."""
    grouped = frame.groupby(["budget", "iso3"])
    table = grouped.agg(
        start_tier=("start_tier", "first"),
        ilia=("ilia", "first"),
        share_following=("followed", "mean"),
        median_months_after_peru_start=("months_after_peru_start", "median"),
    ).reset_index()
    gains = (
        frame[frame.followed].groupby(["budget", "iso3"])["score_gain_2035"].mean().rename("gain")
    )
    return table.join(gains, on=["budget", "iso3"])


def _figure(frame: pd.DataFrame):
    from figures.style import new_figure, series_colour

    fig, axes = new_figure(1, 2, figsize=(12, 4.2))
    adopters = frame[frame.start_tier == ADOPTER]
    horizon = int(np.nanmax(frame["months_after_peru_start"].to_numpy(float)) + 12)
    months = np.arange(0, max(horizon, 24))
    for k, (budget, block) in enumerate(adopters.groupby("budget")):
        units = block["unit"].nunique()
        per_unit = block.groupby("unit")["iso3"].count().iloc[0]
        after = block["months_after_peru_start"].to_numpy(float)
        share = [np.sum(after <= m) / (units * per_unit) for m in months]
        axes[0].step(months, share, where="post", color=series_colour(k), label=f"{budget:g}%")
        gains = block[block.followed]["score_gain_2035"]
        axes[1].bar(k, gains.mean(), color=series_colour(k), label=f"{budget:g}%")
    axes[0].set_xlabel("months after Peru's policy start (2026-01)")
    axes[0].set_ylabel("share of start Adopters that have imitated")
    axes[0].set_title("How soon: cumulative share of Adopters following Peru")
    axes[0].legend(title="Peru's budget (% of GDP)", fontsize=8)
    axes[1].set_xticks(range(adopters["budget"].nunique()))
    axes[1].set_xticklabels([f"{b:g}%" for b in sorted(adopters["budget"].unique())])
    axes[1].set_xlabel("Peru's budget (% of GDP)")
    axes[1].set_ylabel("score gain in Dec 2035 (index points, on - off)")
    axes[1].set_title("What following Adopters gain")
    fig.suptitle("The demonstration effect (noise only, default parameters)")
    return fig


def _ci(row, column: str) -> str:
    low, high = getattr(row, f"{column}_low"), getattr(row, f"{column}_high")
    return ci(getattr(row, column), low, high, 1)


def _lines(table: pd.DataFrame) -> str:
    lines = []
    for row in table[table.runs == "all runs"].itertuples():
        parts = [f"{SUMMARY[c]} {_ci(row, c)}" for c in SUMMARY]
        lines.append(
            f"- Peru at {row.budget:g}% of GDP (P(Peru a Pioneer by 2035) "
            f"{fmt(row.p_peru_succeeds)}): " + "; ".join(parts) + "; P(another start Adopter "
            f"a Pioneer in 2035) {fmt(row.p_any_adopter_pioneer_on)} with the effect vs "
            f"{fmt(row.p_any_adopter_pioneer_off)} without."
        )
    return "\n".join(lines)


def _success_lines(table: pd.DataFrame) -> str:
    lines = []
    for budget, block in table.groupby("budget"):
        yes = block[block.runs == "Peru succeeds"].iloc[0]
        no = block[block.runs == "Peru does not"].iloc[0]
        if yes.pairs == 0 or no.pairs == 0:
            continue
        lines.append(
            f"- {budget:g}%: start Adopters following when Peru succeeds "
            f"{_ci(yes, 'adopter_followers')} ({yes.pairs} pairs) vs when it does not "
            f"{_ci(no, 'adopter_followers')} "
            f"({no.pairs} pairs)"
        )
    return "\n".join(lines) or "- no budget has both outcomes in these runs"


def analyse(folder: str | Path) -> Finding:
    """The demonstration finding from ``folder/peru_demonstration`` (and the posterior)."""
    folder = Path(folder)
    results = load(folder / "peru_demonstration")
    frame = followers(results)
    pairs = per_pair(frame)
    table = summary(pairs, "noise only")
    countries = by_country(frame)
    note = posterior_note(folder, "peru_demonstration_posterior")
    tables = {
        "demonstration_summary": table,
        "demonstration_by_country": countries,
    }
    post_text = note
    if note is None:
        posterior = load(folder / "peru_demonstration_posterior")
        post_pairs = per_pair(followers(posterior))
        post_table = summary(post_pairs, interval_kind(posterior.design))
        tables["demonstration_summary_posterior"] = post_table
        post_text = (
            f"{provenance(posterior, COMMAND)}\n\n{_lines(post_table)}\n\nWhen Peru succeeds vs "
            f"when it does not:\n\n{_success_lines(post_table)}"
        )
    start = frame["start"].iloc[0]
    first_pair = frame[frame.unit == frame.unit.iloc[0]].drop_duplicates("iso3")
    adopters = first_pair[first_pair.start_tier == ADOPTER]
    denominators = (
        f"{len(adopters)} of the peers start as Adopters, {int(adopters.ilia.sum())} of them "
        f"ILIA countries ({', '.join(sorted(adopters[adopters.ilia].iso3))})"
    )
    text = f"""
{provenance(results, COMMAND)} Start {start} (ILIA 2024); Peru's production platform from
2026-01; peers are the 31 other countries of Latin America and Caribbean; imitators spend
the default `policy_budget`; {denominators}. Means over pairs of runs (effect on,
effect off; the same replicate) with 95% bootstrap intervals.

### Noise only (default parameters)

{_lines(table)}

When Peru succeeds (a Pioneer by December 2035) vs when it does not, at the budgets where
both happen:

{_success_lines(table)}

### Parameters + noise

{post_text}
"""
    return Finding(
        "demonstration",
        "Q2b. The demonstration effect: who follows Peru, how soon, what they gain",
        text,
        tables=tables,
        figures={"demonstration": _figure(frame)},
    )
