"""The report sections of a ``latam-ai run`` folder (agents.parquet, region.csv, ...).

:func:`run_sections` reads the folder and returns (anchor, heading, HTML) sections:
summary, the run's parameters, the manifest, scores, tiers, capital, gaps, Peru's paths,
mobility and tables; :func:`experiments.report.build_report` assembles them into a page.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

import figures as fg
from experiments.report_folder import REPORT_NAME
from figures.html import Section, fragmentation_table, mobility_section

PARAMETERS_NAME = "parameters.json"
FAN_COUNTRIES = ("PER", "BRA", "CHL", "MEX", "COL", "ARG")


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
