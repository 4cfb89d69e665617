"""Question 7: the region's share of global AI investment to 2035, against the essay's 1.12%.

Experiment ``investment_share.toml``: the default world model from the 2024 start, with
the open-weights release of 2025-08 and without it; per run and year the mean monthly
share of the world's AI investment flow that the allocation rule gives the 19 ILIA
countries (``region_share_YYYY``, ``sweeps.metrics``). The share is an output, never fitted
to a target: the allocation rule is fitted on the CSET country panel 2015-2024.

References (documentation only, none is a model input; ``data/README.md``):

* CSET private AI investment, the 19 ILIA countries' share of the world 2015-2024
  (``data/world/ai_investment_summary.csv``, column ``lac19_share_of_world_pct``, DERIVED
  from CSET's country panel): 0.69% in 2024;
* the essay's 1.12% of global AI investment (:data:`ESSAY_SHARE_PCT`), quoting ILIA 2025
  (lacommunis.org and others; a different, undated measure).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from experiments.findings.common import (
    Finding,
    ci,
    fmt,
    provenance,
)
from experiments.findings.twins import two_intervals, uncertainty_pair

EXPERIMENTS = ("investment_share.toml",)
COMMAND = "latam-ai findings investment_share"
#: The essay's figure: the region's share of global AI investment, % (quoting ILIA 2025;
#: lacommunis.org; data/README.md "Headline figures"). Documentation, never an input.
ESSAY_SHARE_PCT = 1.12
#: CSET's series of the 19 ILIA countries' share (DERIVED; data/world/README.md).
CSET_SUMMARY = Path("world") / "ai_investment_summary.csv"
CSET_COLUMN = "lac19_share_of_world_pct"
PREFIX = "region_share_"


def cset_shares() -> pd.DataFrame:
    """CSET's share of the 19 ILIA countries in world private AI investment, % by year."""
    from model.data import data_dir

    table = pd.read_csv(data_dir() / CSET_SUMMARY)
    return table[["year", CSET_COLUMN]].rename(columns={CSET_COLUMN: "share_pct"})


def _years(results) -> list[int]:
    columns = results.summaries.columns
    return sorted(int(c.removeprefix(PREFIX)) for c in columns if c[len(PREFIX) :].isdigit())


def share_table(noise, posterior=None) -> pd.DataFrame:
    """Per scenario and year: the region's share (%) with both intervals (mean, 95%
    bootstrap of the mean, 5-95% of runs), and P(share >= the essay's 1.12%)."""
    noise_runs = noise.table()
    posterior_runs = None if posterior is None else posterior.table()
    rows = []
    for year in _years(noise):
        column = f"{PREFIX}{year}"
        for label, block in noise_runs.groupby("label", sort=False):
            block = block.assign(share_pct=100 * block[column])
            block = block.assign(above=(block["share_pct"] >= ESSAY_SHARE_PCT).astype(float))
            other = None
            if posterior_runs is not None:
                other = posterior_runs[posterior_runs["label"] == label]
                other = other.assign(share_pct=100 * other[column])
                other = other.assign(above=(other["share_pct"] >= ESSAY_SHARE_PCT).astype(float))
            row = {"scenario": label, "year": year}
            row |= two_intervals(block, other, "share_pct", "mean", prefix="share_pct_")
            row |= two_intervals(block, other, "above", "probability", prefix="above_essay_")
            rows.append(row)
    return pd.DataFrame(rows)


def _figure(table: pd.DataFrame, observed: pd.DataFrame):
    from figures.style import new_figure, series_colour

    fig, ax = new_figure(figsize=(9, 4.8))
    ax.plot(observed["year"], observed["share_pct"], "o-", color="black",
            label="CSET, 19 ILIA countries (observed)")  # fmt: skip
    for k, (label, block) in enumerate(table.groupby("scenario", sort=False)):
        colour = series_colour(k)
        x = block["year"].to_numpy(int)
        ax.plot(x, block["share_pct_noise_mean"], color=colour, marker=".",
                label=f"model, {label}: mean, 5-95% of runs (noise only)")  # fmt: skip
        ax.fill_between(x, block["share_pct_noise_p05"], block["share_pct_noise_p95"],
                        color=colour, alpha=0.2, lw=0)  # fmt: skip
        if block["share_pct_parameters_runs"].sum() > 0:
            ax.plot(x, block["share_pct_parameters_p05"], color=colour, ls="--", lw=1,
                    label=f"model, {label}: 5-95% (parameters + noise)")  # fmt: skip
            ax.plot(x, block["share_pct_parameters_p95"], color=colour, ls="--", lw=1)
    ax.axhline(ESSAY_SHARE_PCT, color="grey", ls=":", label=f"essay: {ESSAY_SHARE_PCT}%")
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("year")
    ax.set_ylabel("share of global AI investment (%)")
    ax.set_ylim(bottom=0)
    ax.set_title("The 19 ILIA countries' share of global AI investment", fontsize=10)
    ax.legend(fontsize=8)
    return fig


def analyse(folder: str | Path) -> Finding:
    """The investment-share finding from ``folder/investment_share`` (and its noise-only
    twin when the file has a ``[posterior]`` section)."""
    noise, posterior = uncertainty_pair(folder, "investment_share")
    table = share_table(noise, posterior)
    observed = cset_shares()
    cset_2024 = float(observed.set_index("year").loc[2024, "share_pct"])
    lines = []
    for row in table[table["year"].isin([2025, 2030, 2035])].itertuples():
        text = (
            f"- `{row.scenario}`, {row.year}: {fmt(row.share_pct_noise_mean, 3)}% (95% interval "
            f"of the mean [{fmt(row.share_pct_noise_low, 3)}, {fmt(row.share_pct_noise_high, 3)}]"
            f"; 5-95% of runs [{fmt(row.share_pct_noise_p05, 3)}, "
            f"{fmt(row.share_pct_noise_p95, 3)}]); P(share >= {ESSAY_SHARE_PCT}%) "
            f"{ci(row.above_essay_noise_p, row.above_essay_noise_low, row.above_essay_noise_high)}"
        )
        if row.share_pct_parameters_runs > 0:
            text += (
                f"; parameters + noise {fmt(row.share_pct_parameters_mean, 3)}% (5-95% of runs "
                f"[{fmt(row.share_pct_parameters_p05, 3)}, "
                f"{fmt(row.share_pct_parameters_p95, 3)}]), P(share >= {ESSAY_SHARE_PCT}%) "
                f"{ci(row.above_essay_parameters_p, row.above_essay_parameters_low, row.above_essay_parameters_high)}"  # noqa: E501
            )
        lines.append(text + ".")
    crossing = []
    for label, block in table.groupby("scenario", sort=False):
        above = block[block["share_pct_noise_mean"] >= ESSAY_SHARE_PCT]
        first = f"first in {int(above['year'].iloc[0])}" if len(above) else "in no year to 2035"
        crossing.append(f"`{label}` {first}")
    uncertainty = (
        "Noise only: the posterior's median parameters, replications; parameters + noise: "
        "posterior draws x replications."
        if posterior is not None
        else "Intervals are noise only (default parameters): the experiment ran without a "
        "posterior in this run (no `[posterior]` section, or no posterior file)."
    )
    sweeps = [noise] + ([posterior] if posterior is not None else [])
    text = f"""
{chr(10).join(provenance(r, COMMAND) for r in sweeps)}

The share is the mean monthly share of the world's AI investment flow allocated to the 19
ILIA countries in each year (an output of the allocation rule fitted on CSET 2015-2024).
{uncertainty} Observed: CSET {cset_2024:.2f}% in 2024 (the model's start year); the
essay's {ESSAY_SHARE_PCT}% quotes ILIA 2025 (data/README.md).

{chr(10).join(lines)}

The mean share (noise only) reaches the essay's {ESSAY_SHARE_PCT}%: {"; ".join(crossing)}.
"""
    return Finding(
        "investment_share",
        "Q7. The region's share of global AI investment",
        text,
        tables={"investment_share": table, "investment_share_cset": observed},
        figures={"investment_share": _figure(table, observed)},
    )
