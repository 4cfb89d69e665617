"""Question 6: what drives stratification? Morris screening, then Sobol indices.

Experiments ``morris.toml`` (twelve assumptions, elementary effects per full range) and
``sobol.toml`` (ten parameters of the world model over ranges around the calibrated
defaults; first and total order with SALib bootstrap confidence intervals). Headline
metrics: Peru's chance of being a Pioneer in December 2035 (the replicate mean of
``peru_pioneer_2035``) and its 2035 score; stratification: the score gap and the production
(research) gap between the start tiers at the end, and the Shorrocks index of the 12-month
tier transition matrix. Replicates are averaged per sample before the analysis. The
parameters are varied over their ranges, so there is no posterior crossing here: the
indices say which parameter's uncertainty matters, the calibration how much of it is left.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from experiments.findings.common import Finding, fmt, load, provenance

EXPERIMENTS = ("morris.toml", "sobol.toml")
COMMAND = "latam-ai findings drivers"
METRICS = (
    "peru_pioneer_2035",
    "peru_score_2035",
    "tier_gap_end_start_tiers",
    "production_gap_end_start_tiers",
    "shorrocks_12m",
)


def _indices(function, results, metric: str) -> pd.DataFrame | None:
    """The index table of one metric, or None when the metric is constant or missing."""
    if metric not in results.summaries or results.summaries[metric].nunique() < 2:
        return None
    table = function(results, metric)
    table.insert(0, "metric", metric)
    return table


def _ranking(table: pd.DataFrame, column: str, k: int = 3) -> str:
    rows = table.head(k)
    conf = f"{column}_conf"
    return ", ".join(
        f"{r.parameter} {fmt(r[column])} (+/- {fmt(r[conf])})" for _, r in rows.iterrows()
    )


def analyse(folder: str | Path) -> Finding:
    """The drivers finding from ``folder/morris`` and ``folder/sobol``."""
    from figures import morris_scatter, sobol_bars
    from sensitivity import morris_indices, sobol_indices

    morris = load(Path(folder) / "morris", trajectories=False)
    sobol = load(Path(folder) / "sobol", trajectories=False)
    tables, figures, lines = {}, {}, []
    morris_all, sobol_all = [], []
    for metric in METRICS:
        m = _indices(morris_indices, morris, metric)
        s = _indices(sobol_indices, sobol, metric)
        parts = [f"- `{metric}`:"]
        if m is None:
            parts.append("Morris: constant over the Morris design (no effect to screen);")
        else:
            morris_all.append(m)
            figures[f"drivers_morris_{metric}"] = morris_scatter(m, metric)
            top = ", ".join(
                f"{r.parameter} {fmt(r.mu_star, 3)} (+/- {fmt(r.mu_star_conf, 3)})"
                for _, r in m.head(3).iterrows()
            )
            parts.append(f"Morris mu* top three: {top};")
        if s is None:
            parts.append("Sobol: constant over the Sobol design.")
        else:
            sobol_all.append(s)
            figures[f"drivers_sobol_{metric}"] = sobol_bars(s.drop(columns="metric"), metric)
            parts.append(
                f"Sobol total order top three: {_ranking(s, 'ST')}; first order of the same: "
                + ", ".join(
                    f"{r.parameter} {fmt(r.S1)} (+/- {fmt(r.S1_conf)})"
                    for _, r in s.head(3).iterrows()
                )
                + f"; sum of S1 {fmt(s['S1'].sum())} (interactions: 1 - sum S1)."
            )
        lines.append(" ".join(parts))
    if morris_all:
        tables["drivers_morris"] = pd.concat(morris_all, ignore_index=True)
    if sobol_all:
        tables["drivers_sobol"] = pd.concat(sobol_all, ignore_index=True)
    text = f"""
{provenance(morris, COMMAND)}
{provenance(sobol, COMMAND)}
Indices of the replicate means per sample, over the full ranges in the experiment files;
intervals are SALib's 95% bootstrap confidence half-widths (+/-). `peru_pioneer_2035` is
the share of replicates in which Peru is a Pioneer in December 2035.

{chr(10).join(lines)}
"""
    return Finding(
        "drivers", "Q6. What drives stratification", text, tables=tables, figures=figures
    )
