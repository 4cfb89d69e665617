"""The report sections of a ``latam-ai run`` folder (agents.parquet, region.csv, ...).

:func:`run_sections` reads the folder and returns (anchor, heading, HTML) sections, the
answer first: headline numbers and the key figures (Peru's paths and the release as paired
differences beside the levels), then mobility, scores, tiers, capital, gaps, Peru's paths
in detail, the method, the run's parameters and the files; :func:`reports.build_report`
assembles them into a page.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

import figures as fg
from model.tiers import DEFAULT_THRESHOLDS
from reports.folder import REPORT_NAME
from reports.format import percent, significant
from reports.html import Section, fragmentation_table, mobility_section

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


def scenario_mobility(
    frame: pd.DataFrame,
    thresholds=DEFAULT_THRESHOLDS,
    shock: str | None = None,
    lag: int = 12,
    n_boot: int = 1000,
):
    """Mobility summary of one scenario's runs (rows of an agents frame, a ``replicate`` or
    ``run`` column), with cluster-bootstrap intervals over runs."""
    from mobility import TierPanel, state_arrays, summarize

    frame = frame.rename(columns={"replicate": "run"})
    panel = TierPanel.from_frame(frame, thresholds=thresholds)
    values = state_arrays(frame, ["research", "capital", "adoption", "enabling", "governance"])
    return summarize(panel, lag=lag, n_boot=n_boot, seed=0, shock_date=shock, values=values)


def _run_mobility(agents: pd.DataFrame, thresholds, mobility, shock: str | None):
    if mobility is not None:
        return mobility[0] if isinstance(mobility, tuple) else mobility
    return scenario_mobility(agents, thresholds, shock)


def headline_numbers(
    agents: pd.DataFrame, region: pd.DataFrame | None, folder: Path, summary
) -> pd.DataFrame:
    """The answer in a few rows (quantity, value): the region's share of global AI
    investment and its tiers at the start and the end, Peru's chance of becoming a Pioneer
    under each path and the window-closing time t*."""
    rows = []
    if region is not None:
        first, last = region["date"].min(), region["date"].max()
        for column, label in (("region_investment_share", "share of global AI investment"),):
            if column in region.columns:
                for release, frame in region.groupby("release", sort=False):
                    start = frame[frame["date"] == first][column].mean()
                    end = frame[frame["date"] == last][column].mean()
                    rows.append(
                        (
                            f"{label}, {release} (mean over replications)",
                            f"{percent(start)} in {first:%Y-%m} to {percent(end)} in {last:%Y-%m}",
                        )
                    )
        for release, frame in region.groupby("release", sort=False):
            end = frame[frame["date"] == last]
            counts = ", ".join(
                f"{significant(end[c].mean())} {c}"
                for c in ("pioneers", "adopters", "explorers")
                if c in end.columns
            )
            rows.append((f"countries per tier in {last:%Y-%m}, {release}", counts))
    probability = _read_csv(folder, "peru_pioneer_probability.csv")
    if probability is not None:
        for row in probability.itertuples():
            if getattr(row, "replications", 1) == 0 or pd.isna(row.probability):
                continue
            rows.append(
                (
                    f"P(Peru has been a Pioneer by {row.year}), {row.release}, {row.peru_path}",
                    f"{significant(row.probability)} [{significant(row.ci_low)}, "
                    f"{significant(row.ci_high)}] (95% Wilson)",
                )
            )
    closing = getattr(summary, "window_closing", None) if summary is not None else None
    if closing is not None:
        rows.append(
            (
                "window-closing time t* (months after the shock)",
                f"{significant(closing.t_star)} [{significant(closing.low)}, "
                f"{significant(closing.high)}]",
            )
        )
    return pd.DataFrame(rows, columns=["quantity", "value"])


def yearly_table(region: pd.DataFrame) -> pd.DataFrame:
    """The region in December of each year (means over replications, Peru on status_quo):
    the investment share in percent with significant digits, tiers and gaps."""
    frame = region[region["date"].dt.month == 12]
    columns = [
        c
        for c in ("pioneers", "adopters", "explorers", "production_gap", "adoption_gap")
        if c in frame.columns
    ]
    table = frame.groupby(["release", frame["date"].dt.year.rename("year")], sort=False)
    means = table[[*columns, "region_investment_share"]].mean()
    means["share of global AI investment"] = means.pop("region_investment_share").map(percent)
    return means.reset_index()


def run_sections(
    folder: Path,
    parameters: dict | None = None,
    mobility=None,
    *,
    figures_dir: Path | None = None,
) -> list:
    """The sections of a ``latam-ai run`` folder's report: (anchor, heading, HTML), the
    answer first and the parameters and files last; figures saved under ``figures_dir``."""
    agents = pd.read_parquet(folder / "agents.parquet")
    region = _read_csv(folder, "region.csv")
    params = _run_parameters(folder, parameters)
    thresholds = tuple(params["tier_thresholds"]) if params else DEFAULT_THRESHOLDS
    scenarios = "release" in agents.columns and "peru_path" in agents.columns
    release = agents["release"].iloc[0] if scenarios else None
    status_quo = agents[agents["peru_path"] == "status_quo"] if scenarios else agents
    baseline = status_quo[status_quo["release"] == release] if scenarios else agents
    released = agents[agents["release"] == release] if scenarios else agents
    region_sq = region[region["peru_path"] == "status_quo"] if scenarios else region
    section = lambda: Section(figures_dir)  # noqa: E731 - every section saves its figures
    out = []

    mobility_html = section()
    summary_ = None
    try:
        shock = (
            release.removeprefix("release ")
            if scenarios and release.startswith("release ")
            else None
        )
        summary_ = _run_mobility(baseline, thresholds, mobility, shock) if scenarios else None
    except Exception as exc:  # noqa: BLE001
        mobility_html.note(f"mobility could not be measured ({type(exc).__name__}: {exc})", "error")

    answer = section()
    replicates = agents["replicate"].nunique() if "replicate" in agents.columns else 1
    span = f"{agents['date'].min():%Y-%m} to {agents['date'].max():%Y-%m}"
    answer.text(f"{agents['iso3'].nunique()} countries, {span}, {replicates} replications.")
    answer.table(headline_numbers(agents, region_sq, folder, summary_), "headline numbers")
    if scenarios:
        answer.figure(
            "Peru's score under each path: levels and each path minus status_quo (same seeds)",
            fg.country_paths,
            released,
            "PER",
            "peru_path",
            thresholds,
            name="peru_paths",
        )
        if agents["release"].nunique() > 1:
            countries = [c for c in FAN_COUNTRIES if c in set(agents["iso3"])][:6]
            answer.figure(
                "Scores with the release minus without it (paired by replicate)",
                fg.release_differences,
                status_quo,
                countries,
                name="release_differences",
            )
            answer.figure(
                "Tier composition: release minus no release (paired by replicate)",
                fg.tier_composition_difference,
                status_quo,
                name="tier_composition_difference",
            )
    out.append(("answer", "The answer", answer.html()))

    if summary_ is not None:
        mobility_html.text(f"{release}, Peru on status_quo; tiers every 12 months.")
        mobility_section(summary_, mobility_html)
    out.append(("mobility", "Mobility", mobility_html.html()))

    scores = section()
    scores.figure(
        "Country scores (median over replications) with tier bands",
        fg.score_trajectories,
        baseline,
        thresholds,
        name="score_trajectories",
    )
    countries = [c for c in FAN_COUNTRIES if c in set(agents["iso3"])]
    scores.figure(
        "Fan charts: median, 50% and 90% intervals over replications",
        fg.score_fans,
        status_quo,
        countries,
        "release" if scenarios else None,
        thresholds,
        name="score_fans",
    )
    out.append(("scores", "Scores", scores.html()))

    tiers = section()
    tiers.figure(
        "Tier composition over time",
        fg.tier_composition,
        status_quo,
        "release" if scenarios else None,
        name="tier_composition",
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
            name="tier_maps",
        )
    out.append(("tiers", "Tiers", tiers.html()))

    capital = section()
    if region is not None:
        capital.figure("Region's share of global AI investment", fg.investment_share, region_sq)
    capital.figure("Lorenz curves of AI capital", fg.lorenz_curves, baseline)
    if region is not None:
        capital.figure("Gini of AI capital over time", fg.capital_gini, region_sq)
        capital.table(yearly_table(region_sq), "the region in December of each year")
    out.append(("capital", "Capital", capital.html()))

    gap = section()
    if region is not None:
        gap.figure("Adoption and production gaps (current tiers)", fg.gaps, region_sq)
    gap.figure(
        "Adoption and production gaps (tiers of the first month)",
        fg.gaps,
        fg.gaps_by_start_tiers(status_quo),
        name="gaps_start_tiers",
    )
    out.append(("gaps", "Adoption vs production", gap.html()))

    if scenarios:
        peru = section()
        peru.figure("Peru's score at the end of 2030 and 2035", fg.path_scores, released)
        peru.figure("Peru's tier at the end of 2030 and 2035", fg.path_tiers, released)
        peru.figure("Time until Peru first becomes a Pioneer", fg.time_to_pioneer, released)
        probability = _read_csv(folder, "peru_pioneer_probability.csv")
        if probability is not None:
            peru.table(probability, "probability of having been a Pioneer (95% Wilson CI)")
        out.append(("peru", "Peru's paths in detail", peru.html()))

    method = section()
    if scenarios:
        method.text(
            f"Releases: {', '.join(agents['release'].unique())}; Peru's paths: "
            f"{', '.join(agents['peru_path'].unique())}; common random numbers (replicate k "
            f"has the same seed in every scenario, so differences are paired). Unless a "
            f"figure says otherwise: {release}, Peru on status_quo."
        )
    if (folder / "summary.txt").exists():
        method.details("summary.txt (the printed summary)", (folder / "summary.txt").read_text())
    for name in ("mobility_fragmentation.csv",):
        frame = _read_csv(folder, name)
        if frame is not None:
            pivot = "estimate" in frame.columns
            frame = fragmentation_table(frame) if pivot else frame
            method.table(frame, name, max_rows=80, index=pivot)
    out.append(("method", "Method", method.html()))

    experiment = section()
    if params:
        experiment.table(parameter_table(params), "model parameters of the run", max_rows=200)
    else:
        experiment.note(
            "The folder records no parameters (parameters.json); rebuild the report "
            "with build_report(folder, parameters=...) to show them. Tier "
            f"cut-offs assumed: {thresholds}."
        )
    out.append(("parameters", "Parameters", experiment.html()))

    files = Section()
    if (folder / "manifest.json").exists():
        files.pre((folder / "manifest.json").read_text())
    listed = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != REPORT_NAME)
    if figures_dir is not None and not figures_dir.resolve().is_relative_to(folder.resolve()):
        listed += sorted(p for p in figures_dir.glob("*") if p.is_file())
    files.table(
        pd.DataFrame(
            {
                "file": [
                    str(p.relative_to(folder)) if p.is_relative_to(folder) else str(p)
                    for p in listed
                ],
                "bytes": [p.stat().st_size for p in listed],
            }
        ),
        "the files of the results folder (figures in PNG, SVG and PDF)",
        max_rows=400,
    )
    out.append(("files", "Files", files.html()))
    return out
