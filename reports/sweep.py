"""The report sections of a ``latam-ai sweep`` folder (manifest.json, design.parquet, ...).

:func:`sweep_sections` reads the folder with :func:`sweeps.load_results` and
returns (anchor, heading, HTML) sections, the answer first: the summary and the summary
metrics, then mobility, sensitivity indices, trajectories (one tier-composition panel per
design point, never pooled), failures, and the method (experiment.toml, design) and the
manifest at the end; :func:`reports.build_report` assembles them into a page.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pandas as pd

import figures as fg
from model.parameters import BY_NAME
from reports.html import Section, mobility_section
from reports.run import scenario_mobility

SENSITIVITY_METRICS = (
    "tier_gap_end_start_tiers",
    "production_gap_end_start_tiers",
    "capital_gini_end",
    "peru_score_end",
)
MOBILITY_METRICS = ("shorrocks_12m", "upward_crossings", "downward_crossings")


def _decoded(value):
    try:
        return json.loads(value) if isinstance(value, str) else value
    except json.JSONDecodeError:
        return value


def _display(column: pd.Series) -> pd.Series:
    """Design cells for reading: JSON strings and numbers unquoted, other JSON kept."""
    if not (pd.api.types.is_string_dtype(column) or column.dtype == object):
        return column
    decoded = column.map(_decoded)
    return decoded.where(decoded.map(lambda v: isinstance(v, str | int | float)), column)


def named_tiers(trajectories: pd.DataFrame) -> pd.DataFrame:
    """Sweep trajectories with tier names (the sweep stores codes 0, 1, 2) and plain ISO3."""
    from model.equations import ADOPTER, EXPLORER, PIONEER

    names = {EXPLORER: "Explorer", ADOPTER: "Adopter", PIONEER: "Pioneer"}
    frame = trajectories.assign(iso3=trajectories["iso3"].astype(str))
    if pd.api.types.is_numeric_dtype(frame["tier"]):
        frame["tier"] = frame["tier"].map(names)
    return frame


def _common_release(results, spec: dict) -> str | None:
    """The open-weights date shared by every run with a trajectory (None: none or several)."""
    design = results.design
    if "open_weights_date" in design.columns:
        kept = design[design["run_id"].isin(results.trajectories["run_id"].unique())]
        values = {json.dumps(_decoded(v)) for v in kept["open_weights_date"]}
    else:
        values = {
            json.dumps(
                spec.get("fixed", {}).get("open_weights_date", BY_NAME["open_weights_date"].default)
            )
        }
    value = json.loads(values.pop()) if len(values) == 1 else None
    return value if isinstance(value, str) and value != "none" else None


def _sensitivity_tables(results, spec: dict, method: str) -> dict[str, pd.DataFrame]:
    """Tables written by ``latam-ai sensitivity`` if any, else computed for a few metrics."""
    found = sorted(results.folder.glob(f"sensitivity_{method}_*.csv"))
    if found:
        prefix = f"sensitivity_{method}_"
        return {p.stem.removeprefix(prefix): pd.read_csv(p) for p in found}
    from sensitivity import morris_indices, sobol_indices

    listed = spec.get("outputs", {}).get("metrics") or SENSITIVITY_METRICS
    metrics = [m for m in listed if m in results.summaries.columns][:6]
    compute = sobol_indices if method == "sobol" else morris_indices
    tables = {}
    for metric in metrics:
        try:
            tables[metric] = compute(results, metric)
        except ValueError:  # NaN for some samples (an event that never happens)
            continue
    return tables


#: Design points shown as separate tier-composition panels (the first ones, by sample).
COMPOSITION_PANELS = 6


def sample_labels(design: pd.DataFrame, variables: list[str]) -> pd.Series:
    """A short label per sample: its varied parameters' values ("a=1, b=2")."""
    first = design.groupby("sample_id")[variables].first() if variables else None
    if first is None or first.empty:
        return pd.Series({s: f"sample {s}" for s in design["sample_id"].unique()})
    shown = first.apply(_display)
    return shown.apply(lambda r: ", ".join(f"{k}={v}" for k, v in r.items()), axis=1)


#: Runs whose trajectories the report plots (the lowest run ids): enough for medians, tier
#: shares and pooled mobility, and the report's cost no longer grows with the sweep (reading
#: every run of a large sweep made the report cost more than the sweep). The full analyses
#: read all of them: `latam-ai mobility RESULTS`, `load_results`.
REPORT_TRAJECTORY_RUNS = 64


def sweep_sections(folder: Path, *, figures_dir: Path | None = None) -> list:
    """The sections of a ``latam-ai sweep`` folder's report: (anchor, heading, HTML), the
    answer first; figures saved under ``figures_dir``."""
    from sweeps import load_results

    results = load_results(folder, trajectory_runs=REPORT_TRAJECTORY_RUNS)
    manifest_data, design = results.manifest, results.design
    toml_text = (
        (folder / "experiment.toml").read_text() if (folder / "experiment.toml").exists() else ""
    )
    spec = tomllib.loads(toml_text) if toml_text else {}
    plan = manifest_data.get("design", {})
    variables = plan.get("variables", [])
    metrics = [
        c
        for c in results.summaries.select_dtypes("number").columns
        if c not in ("run_id", "sample_id", "replicate", "seed")
    ]
    out = []

    summary = Section(figures_dir)
    counts = manifest_data.get("counts", {})
    summary.text(
        f"Experiment {manifest_data.get('experiment', {}).get('name', folder.name)!r}: "
        f"{plan.get('method', '?')} design over {len(variables)} parameters "
        f"({', '.join(variables)}), {plan.get('samples', '?')} samples x "
        f"{plan.get('replications', '?')} replications. Runs: {counts.get('done', 0)} "
        f"done, {counts.get('failed', 0)} failed of {counts.get('planned', '?')} "
        f"planned; status {manifest_data.get('status', '?')}."
    )
    description = spec.get("experiment", {}).get("description")
    if description:
        summary.text(description)
    out.append(("summary", "Summary", summary.html()))

    experiment = Section(figures_dir)
    experiment.pre(toml_text or "(no experiment.toml in the folder)")
    out.append(("experiment", "Experiment", experiment.html()))
    manifest = Section(figures_dir)
    manifest.pre(json.dumps(manifest_data, indent=2, default=str))
    out.append(("manifest", "Manifest", manifest.html()))

    design_section = Section(figures_dir)
    shown = design.drop(columns=[c for c in design.columns if c.startswith("u:")])
    shown = shown.apply(_display)
    design_section.table(shown, f"design: {len(design)} runs", max_rows=40)
    out.append(("design", "Design", design_section.html()))

    summaries = Section(figures_dir)
    if results.summaries.empty:
        summaries.note("No finished runs.")
    else:
        table = results.table()
        table[variables] = table[variables].apply(_display)
        summaries.table(
            table[metrics].describe(percentiles=[0.05, 0.5, 0.95]).T,
            "summary metrics over all runs",
            index=True,
            max_rows=80,
        )
        samples = design["sample_id"].nunique()
        if samples <= 12:
            means = table.groupby("sample_id")[[*variables, *metrics]].agg(
                {**{v: "first" for v in variables}, **{m: "mean" for m in metrics}}
            )
            caption = "mean over replications per sample (columns: parameter values)"
            summaries.table(means.set_index(variables).T, caption, index=True, max_rows=80)
    out.append(("summaries", "Summaries", summaries.html()))

    sensitivity = Section(figures_dir)
    method = plan.get("method")
    if method in ("sobol", "morris") and not results.summaries.empty:
        for metric, table in _sensitivity_tables(results, spec, method).items():
            sensitivity.heading(f"{method.capitalize()} indices of {metric}")
            sensitivity.table(table)
            if method == "sobol":
                sensitivity.figure(f"Sobol indices of {metric}", fg.sobol_bars, table, metric)
            else:
                sensitivity.figure(
                    f"Morris mu* vs sigma of {metric}", fg.morris_scatter, table, metric
                )
        if not sensitivity.parts:
            sensitivity.note("No metric has a value for every sample; no indices.")
    else:
        sensitivity.note(f"Sensitivity indices need a sobol or morris design; this is {method}.")
    out.append(("sensitivity", "Sensitivity", sensitivity.html()))

    trajectories = Section(figures_dir)
    mobility = Section(figures_dir)
    frame = results.trajectories
    frame = None if frame is None or frame.empty else named_tiers(frame)
    if frame is None:
        trajectories.note("No trajectories kept ([outputs] trajectories).")
        mobility.note("Mobility from trajectories needs kept trajectories.")
    else:
        shown = frame["run_id"].nunique()
        capped = shown >= REPORT_TRAJECTORY_RUNS
        trajectories.text(
            f"{shown} runs with trajectories"
            + (" (the report plots those with the lowest run ids)." if capped else ".")
        )
        trajectories.figure("Country scores (median over runs)", fg.score_trajectories, frame)
        labelled = frame.merge(design[["run_id", "sample_id"]], on="run_id", how="left")
        samples = sorted(labelled["sample_id"].dropna().unique())
        labels = sample_labels(design, variables)
        shown = samples[:COMPOSITION_PANELS]
        labelled = labelled[labelled["sample_id"].isin(shown)]
        labelled["design point"] = labelled["sample_id"].map(labels)
        note = "" if len(samples) <= len(shown) else f" (the first {len(shown)} of {len(samples)})"
        trajectories.figure(
            f"Tier composition over time, one panel per design point{note}",
            fg.tier_composition,
            labelled,
            "design point",
            name="tier_composition",
        )
        shock = _common_release(results, spec)
        try:
            months = pd.DatetimeIndex(sorted(frame["date"].unique())).to_period("M")
            every = max(1, (months[1] - months[0]).n) if len(months) > 1 else 1
            lag = max(1, min(round(12 / every), len(months) - 1))
            runs = frame.rename(columns={"run_id": "replicate"})
            summary_ = scenario_mobility(runs, shock=shock, lag=lag, n_boot=200)
        except Exception as exc:  # noqa: BLE001
            mobility.note(f"mobility could not be measured ({type(exc).__name__}: {exc})", "error")
        else:
            mobility.text(
                "The runs with trajectories pooled (their parameters may differ); "
                "tiers by the default cut-offs (35, 60)."
            )
            mobility_section(summary_, mobility, shock)
    present = [m for m in MOBILITY_METRICS if m in results.summaries.columns]
    if present:
        mobility.table(
            results.summaries[present].describe().T, "mobility metrics of every run", index=True
        )
    out.append(("trajectories", "Trajectories", trajectories.html()))
    out.append(("mobility", "Mobility", mobility.html()))

    failures = Section(figures_dir)
    if results.failures.empty:
        failures.text("No run failed.")
    else:
        failures.table(
            results.failures.drop(columns=["traceback"], errors="ignore"),
            f"{len(results.failures)} failed runs",
            max_rows=40,
        )
    out.append(("failures", "Failures", failures.html()))
    order = [
        "summary",
        "summaries",
        "mobility",
        "sensitivity",
        "trajectories",
        "failures",
        "experiment",
        "design",
        "manifest",
    ]
    return sorted(out, key=lambda section: order.index(section[0]))
