"""One self-contained HTML report of a results folder (``latam-ai run`` or ``latam-ai sweep``).

:func:`build_report` writes ``report.html`` into the folder: a summary, the experiment
(parameters or ``experiment.toml``), the manifest, figures embedded as base64 PNG, tables
as HTML and the mobility section (tables, transition heatmap, the window). It refers to
no network address, so it opens offline. A figure that cannot be drawn from the folder's
data is replaced by a one-line note naming the error; the rest of the report is built.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pandas as pd

import figures as fg
from figures.html import Section, fragmentation_table, mobility_section, page_html

REPORT_NAME = "report.html"
PARAMETERS_NAME = "parameters.json"
FAN_COUNTRIES = ("PER", "BRA", "CHL", "MEX", "COL", "ARG")
SENSITIVITY_METRICS = (
    "tier_gap_end_start_tiers",
    "production_gap_end_start_tiers",
    "capital_gini_end",
    "peru_score_end",
)
MOBILITY_METRICS = ("shorrocks_12m", "upward_crossings", "downward_crossings")


def folder_kind(folder: str | Path) -> str:
    """``"sweep"`` (manifest.json and design.parquet), ``"run"`` (agents.parquet) or an error."""
    folder = Path(folder)
    if (folder / "manifest.json").exists() and (folder / "design.parquet").exists():
        return "sweep"
    if (folder / "agents.parquet").exists():
        return "run"
    raise FileNotFoundError(
        f"{folder}: not a results folder (expected agents.parquet from "
        "latam-ai run, or manifest.json and design.parquet from latam-ai "
        "sweep)"
    )


def build_report(folder: str | Path, *, parameters: dict | None = None, mobility=None) -> Path:
    """Write ``report.html`` into a results folder and return its path.

    ``parameters`` (a run's validated parameters) are shown and saved as
    ``parameters.json`` so a later rebuild shows them too; ``mobility`` (a
    :class:`mobility.MobilitySummary`, or the pair ``headline_mobility`` returns) saves
    recomputing the mobility summary of a run folder.
    """
    folder = Path(folder)
    if folder_kind(folder) == "run":
        title, sections = "Headline run", run_sections(folder, parameters, mobility)
    else:
        title, sections = "Parameter sweep", sweep_sections(folder)
    path = folder / REPORT_NAME
    subtitle = f"latam-ai-abm results folder {folder.name}"
    path.write_text(page_html(f"latam-ai report: {title}", sections, subtitle), encoding="utf-8")
    return path


# -- a latam-ai run folder ----------------------------------------------------------------


def _read_csv(folder: Path, name: str) -> pd.DataFrame | None:
    path = folder / name
    if not path.exists():
        return None
    frame = pd.read_csv(path)
    if "date" in frame.columns:
        frame["date"] = pd.to_datetime(frame["date"])
    return frame


def _run_parameters(folder: Path, parameters: dict | None) -> dict | None:
    path = folder / PARAMETERS_NAME
    if parameters is not None:
        path.write_text(json.dumps(parameters, indent=2, default=str) + "\n")
        return json.loads(path.read_text())
    return json.loads(path.read_text()) if path.exists() else None


def parameter_table(parameters: dict) -> pd.DataFrame:
    """Every model parameter: value used, default, unit, meaning, and whether it changed."""
    from model.parameters import PARAMETERS, validate_parameters

    defaults = json.loads(json.dumps(validate_parameters({}, origin="defaults"), default=str))
    rows = []
    for p in PARAMETERS:
        default = defaults.get(p.name, p.default)
        value = parameters.get(p.name, default)
        rows.append(
            {
                "parameter": p.name,
                "value": json.dumps(value, default=str),
                "default": json.dumps(default),
                "unit": p.unit,
                "meaning": p.meaning,
                "changed": "yes" if value != default else "",
            }
        )
    return pd.DataFrame(rows)


def _run_mobility(agents: pd.DataFrame, region: pd.DataFrame, thresholds, mobility):
    if mobility is not None:
        return mobility[0] if isinstance(mobility, tuple) else mobility
    from experiments.headline import HeadlineResults, headline_mobility

    return headline_mobility(HeadlineResults(agents, region, []), thresholds)[0]


def run_sections(folder: Path, parameters: dict | None = None, mobility=None) -> list:
    """The sections of a ``latam-ai run`` folder's report: (anchor, heading, HTML)."""
    agents = pd.read_parquet(folder / "agents.parquet")
    region = _read_csv(folder, "region.csv")
    params = _run_parameters(folder, parameters)
    thresholds = tuple(params["tier_thresholds"]) if params else (35.0, 60.0)
    scenarios = "release" in agents.columns and "peru_path" in agents.columns
    release = agents["release"].iloc[0] if scenarios else None
    status_quo = agents[agents["peru_path"] == "status_quo"] if scenarios else agents
    baseline = status_quo[status_quo["release"] == release] if scenarios else agents
    released = agents[agents["release"] == release] if scenarios else agents
    region_sq = region[region["peru_path"] == "status_quo"] if scenarios else region
    out = []

    summary = Section()
    replicates = agents["replicate"].nunique() if "replicate" in agents.columns else 1
    span = f"{agents['date'].min():%Y-%m} to {agents['date'].max():%Y-%m}"
    summary.text(f"{agents['iso3'].nunique()} countries, {span}, {replicates} replications.")
    if scenarios:
        summary.text(
            f"Releases: {', '.join(agents['release'].unique())}; Peru's paths: "
            f"{', '.join(agents['peru_path'].unique())}. Unless a figure says "
            f"otherwise: {release}, Peru on status_quo."
        )
    if (folder / "summary.txt").exists():
        summary.details("summary.txt (the printed summary)", (folder / "summary.txt").read_text())
    out.append(("summary", "Summary", summary.html()))

    experiment = Section()
    if params:
        experiment.table(parameter_table(params), "model parameters of the run", max_rows=200)
    else:
        experiment.note(
            "The folder records no parameters (parameters.json); rebuild the report "
            "with build_report(folder, parameters=...) to show them. Tier "
            f"cut-offs assumed: {thresholds}."
        )
    out.append(("experiment", "Experiment", experiment.html()))

    manifest = Section()
    if (folder / "manifest.json").exists():
        manifest.pre((folder / "manifest.json").read_text())
    else:
        manifest.note("No manifest.json (latam-ai run writes none); the files of the folder:")
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != REPORT_NAME)
    manifest.table(
        pd.DataFrame(
            {
                "file": [str(p.relative_to(folder)) for p in files],
                "bytes": [p.stat().st_size for p in files],
            }
        )
    )
    out.append(("manifest", "Manifest", manifest.html()))

    scores = Section()
    scores.figure(
        "Country scores (median over replications) with tier bands",
        fg.score_trajectories,
        baseline,
        thresholds,
    )
    countries = [c for c in FAN_COUNTRIES if c in set(agents["iso3"])]
    scores.figure(
        "Fan charts: median, 50% and 90% intervals over replications",
        fg.score_fans,
        status_quo,
        countries,
        "release" if scenarios else None,
        thresholds,
    )
    out.append(("scores", "Scores", scores.html()))

    tiers = Section()
    tiers.figure(
        "Tier composition over time",
        fg.tier_composition,
        status_quo,
        "release" if scenarios else None,
    )
    if scenarios and agents["release"].nunique() > 1:
        tiers.figure(
            "Tier composition: shock minus no release", fg.tier_composition_difference, status_quo
        )
    try:
        from figures.map import tier_map_small_multiples
    except ImportError:
        tier_map_small_multiples = None
    if tier_map_small_multiples is not None:
        months = sorted(baseline["date"].unique())
        dates = [months[0], months[len(months) // 2], months[-1]]
        tiers.figure(
            "Tier maps at the start, the middle and the end",
            tier_map_small_multiples,
            baseline,
            [pd.Timestamp(d).strftime("%Y-%m") for d in dates],
        )
    out.append(("tiers", "Tiers", tiers.html()))

    capital = Section()
    if region is not None:
        capital.figure("Region's share of global AI investment", fg.investment_share, region_sq)
    capital.figure("Lorenz curves of AI capital", fg.lorenz_curves, baseline)
    if region is not None:
        capital.figure("Gini of AI capital over time", fg.capital_gini, region_sq)
    out.append(("capital", "Capital", capital.html()))

    gap = Section()
    if region is not None:
        gap.figure("Adoption and production gaps (current tiers)", fg.gaps, region_sq)
    gap.figure(
        "Adoption and production gaps (tiers of the first month)",
        fg.gaps,
        fg.gaps_by_start_tiers(status_quo),
    )
    out.append(("gaps", "Adoption vs production", gap.html()))

    if scenarios:
        peru = Section()
        peru.figure(
            "Peru's score under each path",
            fg.country_paths,
            released,
            "PER",
            "peru_path",
            thresholds,
        )
        peru.figure("Peru's score at the end of 2030 and 2035", fg.path_scores, released)
        peru.figure("Peru's tier at the end of 2030 and 2035", fg.path_tiers, released)
        peru.figure("Time until Peru first becomes a Pioneer", fg.time_to_pioneer, released)
        probability = _read_csv(folder, "peru_pioneer_probability.csv")
        if probability is not None:
            peru.table(probability, "probability of having been a Pioneer (95% Wilson CI)")
        out.append(("peru", "Peru's paths", peru.html()))

    mobility_html = Section()
    try:
        summary_ = _run_mobility(agents, region, thresholds, mobility) if scenarios else None
    except Exception as exc:  # noqa: BLE001
        mobility_html.note(f"mobility could not be measured ({type(exc).__name__}: {exc})", "error")
        summary_ = None
    if summary_ is not None:
        mobility_html.text(f"{release}, Peru on status_quo; tiers every 12 months.")
        mobility_section(summary_, mobility_html)
    out.append(("mobility", "Mobility", mobility_html.html()))

    tables = Section()
    for name in ("region_by_year.csv", "mobility_fragmentation.csv"):
        frame = _read_csv(folder, name)
        if frame is not None:
            pivot = "estimate" in frame.columns
            frame = fragmentation_table(frame) if pivot else frame
            tables.table(frame, name, max_rows=80, index=pivot)
    out.append(("tables", "Tables", tables.html()))
    return out


# -- a latam-ai sweep folder --------------------------------------------------------------


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
        values = {json.dumps(spec.get("fixed", {}).get("open_weights_date", "2025-08"))}
    value = json.loads(values.pop()) if len(values) == 1 else None
    return value if isinstance(value, str) and value != "none" else None


def _sensitivity_tables(results, spec: dict, method: str) -> dict[str, pd.DataFrame]:
    """Tables written by ``latam-ai sensitivity`` if any, else computed for a few metrics."""
    found = sorted(results.folder.glob(f"sensitivity_{method}_*.csv"))
    if found:
        prefix = f"sensitivity_{method}_"
        return {p.stem.removeprefix(prefix): pd.read_csv(p) for p in found}
    from experiments.sweep.sensitivity import morris_indices, sobol_indices

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


def sweep_sections(folder: Path) -> list:
    """The sections of a ``latam-ai sweep`` folder's report: (anchor, heading, HTML)."""
    from experiments.sweep import load_results

    results = load_results(folder)
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

    summary = Section()
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

    experiment = Section()
    experiment.pre(toml_text or "(no experiment.toml in the folder)")
    out.append(("experiment", "Experiment", experiment.html()))
    manifest = Section()
    manifest.pre(json.dumps(manifest_data, indent=2, default=str))
    out.append(("manifest", "Manifest", manifest.html()))

    design_section = Section()
    shown = design.drop(columns=[c for c in design.columns if c.startswith("u:")])
    shown = shown.apply(_display)
    design_section.table(shown, f"design: {len(design)} runs", max_rows=40)
    out.append(("design", "Design", design_section.html()))

    summaries = Section()
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

    sensitivity = Section()
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

    trajectories = Section()
    mobility = Section()
    frame = results.trajectories
    frame = None if frame is None or frame.empty else named_tiers(frame)
    if frame is None:
        trajectories.note("No trajectories kept ([outputs] trajectories).")
        mobility.note("Mobility from trajectories needs kept trajectories.")
    else:
        trajectories.text(f"{frame['run_id'].nunique()} runs with trajectories.")
        trajectories.figure("Country scores (median over runs)", fg.score_trajectories, frame)
        trajectories.figure("Tier composition over time (runs pooled)", fg.tier_composition, frame)
        shock = _common_release(results, spec)
        try:
            from experiments.headline import mobility_of

            months = pd.DatetimeIndex(sorted(frame["date"].unique())).to_period("M")
            every = max(1, (months[1] - months[0]).n) if len(months) > 1 else 1
            lag = max(1, min(round(12 / every), len(months) - 1))
            runs = frame.rename(columns={"run_id": "replicate"})
            summary_ = mobility_of(runs, lag=lag, n_boot=200, shock_date=shock)
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

    failures = Section()
    if results.failures.empty:
        failures.text("No run failed.")
    else:
        failures.table(
            results.failures.drop(columns=["traceback"], errors="ignore"),
            f"{len(results.failures)} failed runs",
            max_rows=40,
        )
    out.append(("failures", "Failures", failures.html()))
    return out
