"""Question 1: does the open-weights release equalise adoption and amplify production gaps,
and which mechanism causes which effect?

Experiments: ``open_weights.toml`` (the 19 ILIA countries, trajectories kept),
``open_weights_world.toml`` (the same runs measured over the 187 countries) and
``open_weights_posterior.toml`` (both, over posterior draws: parameters + noise). Each is
release (2025-08) vs none with all mechanisms on and with each mechanism switched off in
turn (capital_feedback, learning_by_using, frontier_catch_up, absorptive_gate: one
ablation changes one switch), common random numbers.

Measures (per run; groups are the START tiers, the first month's classification):

* adoption dispersion: sd and Gini of adoption across the focus countries in December
  2030 and 2035, and the adoption gap (start Pioneers minus start Explorers) in 2035;
* production gaps: the research gap between start Pioneers and Explorers in 2035, the Gini
  of research and of AI capital;
* the effect of the release: release minus none within the same replicate (and draw);
* the part of it a mechanism causes: the release effect with that mechanism off minus the
  release effect with all on, within the same replicate (a difference in differences).

Verdicts read the 95% interval: "narrows" (below 0), "widens" (above 0), "no clear effect".
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
    posterior_note,
    provenance,
)
from experiments.findings.uncertainty import cluster_mean, clusters, interval_kind, paired, unit
from model.parameters import BY_NAME

EXPERIMENTS = ("open_weights.toml", "open_weights_world.toml", "open_weights_posterior.toml")
#: Its noise-only experiments are files of their own (no twins of the posterior ones).
NOISE_ONLY_TWINS = False
COMMAND = "latam-ai findings open_weights"
MECHANISMS = ("capital_feedback", "learning_by_using", "frontier_catch_up", "absorptive_gate")
ALL_ON = "all"
#: The measures of the finding: summary metric -> what it is.
MEASURES = {
    "adoption_sd_2030": "sd of adoption, Dec 2030",
    "adoption_gini_2030": "Gini of adoption, Dec 2030",
    "adoption_gini_2035": "Gini of adoption, Dec 2035",
    "adoption_gap_end_start_tiers": "adoption gap P-E, Dec 2035",
    "production_gap_end_start_tiers": "research gap P-E, Dec 2035",
    "research_gini_2035": "Gini of research, Dec 2035",
    "capital_gini_end": "Gini of AI capital, Dec 2035",
}
ADOPTION = ("adoption_sd_2030", "adoption_gini_2030", "adoption_gini_2035")
PRODUCTION = ("production_gap_end_start_tiers", "research_gini_2035", "capital_gini_end")
FOCUS_OF = {"open_weights": "latam19", "open_weights_world": "world"}
#: A switch "changes" an effect when removing it moves the effect by at least this share.
MATERIAL = 0.1
SHOCK = pd.Timestamp(str(BY_NAME["open_weights_date"].default))


def scenarios(table: pd.DataFrame, focus: str | None = None) -> pd.DataFrame:
    """The table with ``release``, ``mechanism`` (the switch turned off, or 'all') and
    ``focus`` from each run's label ('release|mechanism' or 'release|mechanism|focus')."""
    parts = table["label"].astype(str).str.split("|", expand=True)
    table = table.assign(release=parts[0], mechanism=parts[1])
    table["focus"] = parts[2] if parts.shape[1] > 2 else focus
    return table


def verdict(low: float, high: float) -> str:
    """What a 95% interval of a change says."""
    if high < 0:
        return "narrows"
    if low > 0:
        return "widens"
    return "no clear effect"


def release_effects(table: pd.DataFrame) -> pd.DataFrame:
    """Release minus none per focus, mechanism setting and measure (paired)."""
    frames = [
        paired(table, "release", metric, "none", within=("focus", "mechanism"))
        for metric in MEASURES
    ]
    effects = pd.concat(frames, ignore_index=True)
    effects["verdict"] = [verdict(lo, hi) for lo, hi in zip(effects.low, effects.high, strict=True)]
    effects["intervals"] = interval_kind(table)
    return effects


def mechanism_parts(table: pd.DataFrame) -> pd.DataFrame:
    """Per focus, ablation and measure: (release - none | switch off) - (release - none |
    all on) within the same replicate (and draw), mean with a cluster-bootstrap interval."""
    frame = table.assign(_unit=unit(table), _cluster=clusters(table))
    rows = []
    for focus, block in frame.groupby("focus"):
        for metric in MEASURES:
            wide = block.pivot_table(
                index=["_unit", "_cluster"], columns=["release", "mechanism"], values=metric
            )
            ids = wide.index.get_level_values("_cluster").to_numpy()
            effect_on = wide[("release", ALL_ON)] - wide[("none", ALL_ON)]
            for mechanism in MECHANISMS:
                effect_off = wide[("release", mechanism)] - wide[("none", mechanism)]
                diff = (effect_off - effect_on).to_numpy(float)
                mean, low, high = cluster_mean(diff, ids)
                off_mean, off_low, off_high = cluster_mean(effect_off.to_numpy(float), ids)
                rows.append(
                    {
                        "focus": focus,
                        "switched_off": mechanism,
                        "metric": metric,
                        "effect_with_switch_off": off_mean,
                        "effect_off_low": off_low,
                        "effect_off_high": off_high,
                        "change_vs_all_on": mean,
                        "low": low,
                        "high": high,
                    }
                )
    return pd.DataFrame(rows)


def gap_paths(results) -> pd.DataFrame:
    """Per run and date (the 19 ILIA countries): adoption and research gaps between the
    start Pioneers and start Explorers."""
    tiers, runs, _, dates = cube(results.trajectories, "tier")
    start = tiers[:, :1, :]
    rows = {"run_id": np.repeat(runs, dates.size), "date": np.tile(dates, runs.size)}
    for variable, label in (("adoption", "adoption_gap"), ("research", "production_gap")):
        values = cube(results.trajectories, variable)[0]
        with np.errstate(invalid="ignore"):
            top = np.nanmean(np.where(start == 2, values, np.nan), axis=2)
            bottom = np.nanmean(np.where(start == 0, values, np.nan), axis=2)
        rows[label] = (top - bottom).ravel()
    design = scenarios(results.design[["run_id", "replicate", "label"]], "latam19")
    return pd.DataFrame(rows).merge(design, on="run_id")


def path_effects(paths: pd.DataFrame) -> pd.DataFrame:
    """Release minus none of each gap per mechanism setting and date, paired by replicate
    (the trajectories are the noise-only runs): mean and bootstrap interval."""
    frames = []
    for measure in ("adoption_gap", "production_gap"):
        wide = paths.pivot_table(
            index=["mechanism", "date", "replicate"], columns="release", values=measure
        )
        diff = (wide["release"] - wide["none"]).unstack("replicate")  # (mechanism, date) rows
        mean, low, high = bootstrap_mean(diff.to_numpy(float).T)
        frames.append(
            pd.DataFrame(
                {
                    "mechanism": diff.index.get_level_values("mechanism"),
                    "date": diff.index.get_level_values("date"),
                    "metric": measure,
                    "mean_difference": mean,
                    "low": low,
                    "high": high,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _figure(effects: pd.DataFrame):
    from figures.style import date_axis, new_figure, series_colour

    fig, axes = new_figure(1, 2, figsize=(13, 4.5))
    for ax, measure in zip(axes, ("adoption_gap", "production_gap"), strict=True):
        for k, mechanism in enumerate((ALL_ON, *MECHANISMS)):
            block = effects[(effects.metric == measure) & (effects.mechanism == mechanism)]
            block = block.sort_values("date")
            dates = pd.to_datetime(block["date"])
            label = "all mechanisms" if mechanism == ALL_ON else f"{mechanism} off"
            colour = series_colour(k)
            ax.fill_between(dates, block["low"], block["high"], color=colour, alpha=0.12)
            ax.plot(dates, block["mean_difference"], color=colour, label=label)
        ax.axhline(0, color="black", lw=0.8)
        ax.axvline(SHOCK, color="grey", ls=":", lw=1)
        date_axis(ax)
        what = "adoption" if measure == "adoption_gap" else "research (production)"
        ax.set_title(f"{what} gap, start Pioneers - Explorers: release - none")
        ax.set_ylabel("paired difference (index points)")
    axes[0].legend(fontsize=8)
    fig.suptitle("Open weights, the 19 ILIA countries: which mechanism causes which effect (95%)")
    return fig


def _effect_lines(effects: pd.DataFrame, focus: str) -> str:
    block = effects[(effects.focus == focus) & (effects.mechanism == ALL_ON)]
    return "; ".join(
        f"{MEASURES[row.metric]} {ci(row.mean_difference, row.low, row.high, 3)} ({row.verdict})"
        for row in block.itertuples()
    )


def _ablation_table(effects: pd.DataFrame, focus: str) -> str:
    metrics = ("adoption_gini_2030", "production_gap_end_start_tiers", "capital_gini_end")
    lines = [
        "| mechanism setting | " + " | ".join(MEASURES[m] for m in metrics) + " |",
        "|---|" + "---|" * len(metrics),
    ]
    for mechanism in (ALL_ON, *MECHANISMS):
        cells = []
        for metric in metrics:
            row = effects[
                (effects.focus == focus)
                & (effects.mechanism == mechanism)
                & (effects.metric == metric)
            ].iloc[0]
            cells.append(f"{ci(row.mean_difference, row.low, row.high, 3)} {row.verdict}")
        name = "all on" if mechanism == ALL_ON else f"`{mechanism}` off"
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _cause_lines(parts: pd.DataFrame, focus: str) -> str:
    """For each measure, the switches whose removal changes the release effect: the 95%
    interval of the change excludes 0 and the change is at least :data:`MATERIAL` of the
    release effect with all mechanisms on."""
    lines = []
    for metric in (*ADOPTION[1:2], *PRODUCTION):
        block = parts[(parts.focus == focus) & (parts.metric == metric)]
        on = block["effect_with_switch_off"] - block["change_vs_all_on"]  # the all-on effect
        found = [
            f"`{row.switched_off}` off {ci(row.change_vs_all_on, row.low, row.high, 3)}"
            for row, effect in zip(block.itertuples(), on, strict=True)
            if (row.low > 0 or row.high < 0) and abs(row.change_vs_all_on) >= MATERIAL * abs(effect)
        ]
        lines.append(
            f"- {MEASURES[metric]}: "
            + ("; ".join(found) if found else "no single switch changes the effect")
        )
    return "\n".join(lines)


def _section(effects, parts, focus: str, name: str) -> str:
    return f"""**{name}** ({interval_kind_of(effects)}). Release - none with all mechanisms:
{_effect_lines(effects, focus)}.

{_ablation_table(effects, focus)}

Change of the release effect when one switch is off (switch off minus all on; listed when
its 95% interval excludes 0 and it moves the effect by at least {MATERIAL:.0%}):

{_cause_lines(parts, focus)}"""


def interval_kind_of(effects: pd.DataFrame) -> str:
    return str(effects["intervals"].iloc[0])


def analyse(folder: str | Path) -> Finding:
    """The open-weights finding from the results folders in ``folder``."""
    folder = Path(folder)
    region = load(folder / "open_weights")
    world = load(folder / "open_weights_world", trajectories=False)
    table = pd.concat(
        [scenarios(r.table(), FOCUS_OF[stem]) for stem, r in (("open_weights", region),
                                                              ("open_weights_world", world))],
        ignore_index=True,
    )  # fmt: skip
    effects = release_effects(table)
    parts = mechanism_parts(table)
    paths = path_effects(gap_paths(region))
    note = posterior_note(folder, "open_weights_posterior")
    tables = {
        "open_weights_release_effects": effects,
        "open_weights_mechanism_parts": parts,
        "open_weights_gap_paths": paths,
    }
    if note is None:
        posterior = load(folder / "open_weights_posterior", trajectories=False)
        post_table = scenarios(posterior.table())
        post_effects = release_effects(post_table)
        post_parts = mechanism_parts(post_table)
        tables |= {
            "open_weights_release_effects_posterior": post_effects,
            "open_weights_mechanism_parts_posterior": post_parts,
        }
        note = (
            f"{provenance(posterior, COMMAND)}\n\n"
            + _section(post_effects, post_parts, "latam19", "The 19 ILIA countries")
            + "\n\n"
            + _section(post_effects, post_parts, "world", "The world (187 countries)")
        )
    text = f"""
{provenance(region, COMMAND)}
{provenance(world, COMMAND)}
Groups are the start (ILIA 2024 map, September 2024) tiers; differences are release minus
no release within the same replicate (common random numbers), 95% bootstrap intervals.

### Noise only (default parameters)

{_section(effects, parts, "latam19", "The 19 ILIA countries")}

{_section(effects, parts, "world", "The world (187 countries)")}

### Parameters + noise

{note}
"""
    return Finding(
        "open_weights",
        "Q1. Open weights: equalise adoption, amplify production?",
        text,
        tables=tables,
        figures={"open_weights_gaps": _figure(paths)},
    )
