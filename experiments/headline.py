"""The headline experiment: the open-weights release vs none, and Peru's three paths.

Every scenario is run with the same replicate seeds (common random numbers), so a
difference between scenarios at replicate r is caused by the scenario, not by luck.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from tqdm import tqdm

from model import equations
from model.builder import build_batch
from model.equations import TIER_LABELS
from model.kernel import run_kernel
from model.metrics import gini, tier_gap
from model.parameters import BY_NAME, validate_parameters
from model.policies import STRATEGY_NAMES
from model.tiers import DEFAULT_THRESHOLDS

PERU_PATHS = ("status_quo", "adoption_management", "production_platform")
RELEASE = BY_NAME["open_weights_date"].default  # the observed release (declared once)
RELEASES = {f"release {RELEASE}": RELEASE, "no release": None}
REPORT_YEARS = (2025, 2027, 2030, 2033, 2035)


def replicate_seeds(root_seed: int, replications: int) -> list[int]:
    """One integer seed per replicate, spawned from the root seed as in a sweep."""
    from sweeps.design import spawn_seeds

    return spawn_seeds(root_seed, replications)


@dataclass
class HeadlineResults:
    """Tidy outputs: one row per country-month-run (agents) and per month-run (region)."""

    agents: pd.DataFrame
    region: pd.DataFrame
    seeds: list[int]


def run_headline(
    replications: int = 40,
    seed: int = 2025,
    *,
    paths: Iterable[str] = PERU_PATHS,
    releases: dict[str, str | None] = RELEASES,
    progress: bool = True,
    **parameters,
) -> HeadlineResults:
    """Run every (release, Peru path, replicate) of the world model, each scenario's
    replicates as one batch through ``model.builder`` (as ``RegionModel`` builds them: a
    replicate equals ``RegionModel(rng=seed, ...)``). The tidy frames hold the focus
    countries (the 19 ILIA countries by default) and the region measures."""
    seeds = replicate_seeds(seed, replications)
    other_policies = parameters.pop("policies", None) or {}
    if "open_weights_date" in parameters:  # the release date replaces the default release
        date = parameters.pop("open_weights_date")
        releases = {f"release {date}": date, "no release": None}
    scenarios = list(itertools.product(releases.items(), paths))
    agents, region = [], []
    for (release_name, release), path in tqdm(
        scenarios, desc="headline scenarios", unit="scenario", disable=not progress
    ):
        values = validate_parameters(
            {
                **parameters,
                "open_weights_date": release,
                "policies": {**other_policies, "PER": path},
            }
        )
        history = run_batch_history(build_batch([values] * len(seeds), seeds))
        labels = {"release": release_name, "peru_path": path}
        agents.append(history.agents.assign(**labels))
        region.append(history.region.assign(**labels))
    return HeadlineResults(
        pd.concat(agents, ignore_index=True), pd.concat(region, ignore_index=True), seeds
    )


@dataclass
class _History:
    agents: pd.DataFrame
    region: pd.DataFrame


def run_batch_history(batch) -> _History:
    """Run a batch to its end in one compiled kernel call (``model.kernel``); tidy frames of
    the focus countries (one row per replicate, month and country) and of the region
    measures (one row per replicate and month), with the columns of
    ``RegionModel.agent_frame`` and ``model_frame``."""
    runs, horizon = batch.state.research.shape[0], len(batch.months)
    names = ("score", "tier", "governance", "adoption", "research", "enabling", "capital",
             "inflow", "budget", "strategy")  # fmt: skip
    history = run_kernel(batch, snapshot_months=range(horizon))
    store = {name: np.stack([history.snapshots[t][name] for t in range(horizon)], axis=1)
             for name in names}  # fmt: skip
    measures = {
        name: measure(store, history.region_share) for name, measure in REGION_MEASURES.items()
    }
    countries = np.array(batch.countries)[batch.focus]
    dates = batch.months.to_timestamp()
    n = len(countries)
    agents = pd.DataFrame(
        {
            "date": np.tile(np.repeat(dates.to_numpy(), n), runs),
            "step": np.tile(np.repeat(np.arange(horizon), n), runs),
            "iso3": np.tile(countries, runs * horizon),
            "replicate": np.repeat(np.arange(runs), horizon * n),
        }
    )
    for name in names:
        agents[name] = store[name].reshape(-1)
    agents["tier"] = np.array(TIER_LABELS)[agents["tier"].to_numpy(int)]
    agents["policy"] = np.array(STRATEGY_NAMES)[agents.pop("strategy").to_numpy(int)]
    region = pd.DataFrame(
        {
            "step": np.tile(np.arange(horizon), runs),
            "date": np.tile(dates.to_numpy(), runs),
            "replicate": np.repeat(np.arange(runs), horizon),
            **{name: values.reshape(-1) for name, values in measures.items()},
        }
    )
    return _History(agents, region)


def _tier_count(k):
    return lambda focus, share: (focus["tier"] == k).sum(axis=-1)


#: The region measures of ``RegionModel.model_frame``, for a batch: name -> function of
#: (the focus countries' fields, (runs, months, countries); the region's investment share,
#: (runs, months)).
REGION_MEASURES = {
    "region_investment_share": lambda focus, share: share,
    "pioneers": _tier_count(equations.PIONEER),
    "adopters": _tier_count(equations.ADOPTER),
    "explorers": _tier_count(equations.EXPLORER),
    "tier_gap": lambda focus, share: tier_gap(focus["score"], focus["tier"]),
    "production_gap": lambda focus, share: tier_gap(focus["research"], focus["tier"]),
    "adoption_gap": lambda focus, share: tier_gap(focus["adoption"], focus["tier"]),
    "capital_gini": lambda focus, share: gini(focus["capital"]),
}


def wilson_interval(successes, trials, confidence: float = 0.95):
    """Wilson score interval for a binomial proportion (Wilson 1927)."""
    z = stats.norm.ppf(0.5 + confidence / 2)
    p = successes / trials
    centre = (p + z**2 / (2 * trials)) / (1 + z**2 / trials)
    half = z * np.sqrt(p * (1 - p) / trials + z**2 / (4 * trials**2)) / (1 + z**2 / trials)
    return centre - half, centre + half


def pioneer_probability(agents: pd.DataFrame, iso3: str = "PER", years=(2030, 2035)):
    """Probability that ``iso3`` has been a Pioneer at least once by December of each year,
    per (release, path), with 95% Wilson intervals over replicates."""
    frame = agents[agents["iso3"] == iso3]
    last = frame["date"].max()
    rows = []
    for year in years:
        if last < pd.Timestamp(f"{year}-12-01"):  # the runs end before December of the year
            rows.append(
                {
                    "release": None,
                    "peru_path": None,
                    "year": year,
                    "probability": np.nan,
                    "ci_low": np.nan,
                    "ci_high": np.nan,
                    "replications": 0,
                    "note": f"n/a: the runs end {last:%Y-%m}",
                }
            )
            continue
        upto = frame[frame["date"].dt.year <= year]
        reached = (
            (upto["tier"] == "Pioneer")
            .groupby([upto["release"], upto["peru_path"], upto["replicate"]], sort=False)
            .any()
        )
        for (release, path), hits in reached.groupby(level=[0, 1], sort=False):
            low, high = wilson_interval(hits.sum(), len(hits))
            rows.append(
                {
                    "release": release,
                    "peru_path": path,
                    "year": year,
                    "probability": hits.mean(),
                    "ci_low": low,
                    "ci_high": high,
                    "replications": len(hits),
                }
            )
    return pd.DataFrame(rows)


def yearly_region_table(region: pd.DataFrame, path: str = "status_quo") -> pd.DataFrame:
    """Means over replicates, in January of each report year (and the last month)."""
    frame = region[region["peru_path"] == path]
    dates = sorted(set(frame["date"][frame["date"].dt.month == 1]) | {frame["date"].max()})
    dates = [d for d in dates if d.year in REPORT_YEARS or d == frame["date"].max()]
    columns = [
        "pioneers",
        "adopters",
        "explorers",
        "region_investment_share",
        "production_gap",
        "adoption_gap",
    ]
    table = frame[frame["date"].isin(dates)].groupby(["release", "date"], sort=False)[columns]
    table = table.mean()
    # the share in percent with three significant digits (it can fall by orders of magnitude)
    share = table.pop("region_investment_share") * 100
    table.insert(3, "region_investment_share_pct", share.map(lambda v: float(f"{v:.3g}")))
    return table.round(3)


def mobility_of(
    agents: pd.DataFrame,
    *,
    lag: int = 12,
    n_boot: int = 1000,
    seed: int = 0,
    shock_date: str | None = None,
    thresholds=DEFAULT_THRESHOLDS,
):
    """Mobility and fragmentation of one scenario's runs (rows of ``agents``), with
    cluster-bootstrap intervals over runs (replicates)."""
    from mobility import TierPanel, state_arrays, summarize

    frame = agents.rename(columns={"replicate": "run"})
    panel = TierPanel.from_frame(frame, thresholds=thresholds)
    values = state_arrays(frame, ["research", "capital", "adoption", "enabling", "governance"])
    return summarize(panel, lag=lag, n_boot=n_boot, seed=seed, shock_date=shock_date, values=values)


def headline_mobility(results: HeadlineResults, thresholds=DEFAULT_THRESHOLDS):
    """Mobility of the release scenario with Peru on status_quo (the region's baseline)."""
    release = results.agents["release"].iloc[0]
    frame = results.agents[
        (results.agents["release"] == release) & (results.agents["peru_path"] == "status_quo")
    ]
    shock = release.removeprefix("release ") if release.startswith("release ") else None
    return mobility_of(frame, shock_date=shock, thresholds=thresholds), release


def summary_text(results: HeadlineResults, mobility=None) -> str:
    """The printed summary of the headline experiment."""
    region_table = yearly_region_table(results.region)
    peru = pioneer_probability(results.agents)
    lines = [
        f"Headline experiment: {len(results.seeds)} replications per scenario, common random "
        "numbers across scenarios.",
        "",
        "Region over time (means over replications; Peru on status_quo):",
        region_table.to_string(),
        "",
        "  region_investment_share_pct: the focus countries' share of world AI investment, %"
        " (CSET 2024: 0.69%; the essay: 1.12%)",
        "  production_gap / adoption_gap: mean research / adoption, Pioneers minus Explorers",
        "",
        "Peru: probability of having been a Pioneer by December of the year (95% Wilson CI):",
    ]
    for row in peru.itertuples():
        if row.replications == 0:
            lines.append(f"  by {row.year}: {row.note}")
            continue
        lines.append(
            f"  {row.release:16s} {row.peru_path:20s} by {row.year}: {row.probability:5.2f} "
            f"[{row.ci_low:4.2f}, {row.ci_high:4.2f}]"
        )
    if mobility is not None:
        from mobility import format_summary

        summary, release = mobility
        lines += [
            "",
            f"Mobility ({release}, Peru on status_quo; tiers every 12 months):",
            format_summary(summary),
        ]
    return "\n".join(lines)


def write_outputs(
    results: HeadlineResults, folder: Path, thresholds=DEFAULT_THRESHOLDS, mobility=None
) -> list[Path]:
    """Write tables (Parquet and CSV), figures (PNG and SVG) and the summary into ``folder``."""
    from figures import country_paths, save, score_trajectories, tier_composition

    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "region.csv": results.region,
        "peru_pioneer_probability.csv": pioneer_probability(results.agents),
        "region_by_year.csv": yearly_region_table(results.region).reset_index(),
    }
    if mobility is not None:
        summary, _ = mobility
        tables |= {
            f"mobility_{name}.csv": getattr(summary, name)
            for name in ("transitions", "indices", "window", "fragmentation")
        }
    results.agents.to_parquet(folder / "agents.parquet", index=False)
    for name, table in tables.items():
        table.to_csv(folder / name, index=False)
    (folder / "summary.txt").write_text(summary_text(results, mobility) + "\n")
    written = [folder / name for name in ("agents.parquet", *tables, "summary.txt")]
    figures_dir = folder / "figures"
    figures_dir.mkdir(exist_ok=True)
    baseline = results.agents[
        (results.agents["peru_path"] == "status_quo")
        & (results.agents["release"] == results.agents["release"].iloc[0])
    ]
    status_quo = results.agents[results.agents["peru_path"] == "status_quo"]
    released = results.agents[results.agents["release"] == results.agents["release"].iloc[0]]
    for name, fig in (
        ("score_trajectories", score_trajectories(baseline, thresholds)),
        ("tier_composition", tier_composition(status_quo, by="release")),
        ("peru_paths", country_paths(released, "PER", by="peru_path", thresholds=thresholds)),
    ):
        written += [Path(p) for p in save(fig, figures_dir / name)]
    return written
