"""Measure tier mobility: on the real ILIA panel, or on a results folder of simulated runs.

Without a folder: the ILIA editions (2023 to 2024 for the 12 countries in both, 2024 to
2025 for all 19), with a Dirichlet-multinomial posterior per row so that a zero count is not
read as a zero probability. With a folder written by `latam-ai run` (agents.parquet) or by
`latam-ai sweep` (trajectories/): the transition matrix, mobility indices, the window after
the shock and fragmentation, with cluster-bootstrap intervals over runs, per scenario.
Tables are written next to the results as mobility_lag<LAG>_*.csv.

examples:
  latam-ai mobility                                  # the real ILIA panel
  latam-ai mobility --prior uniform
  latam-ai mobility results/headline-20261128-101500 --lag 12
  latam-ai mobility results/window-sweep --by policies --boot 500
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from experiments.cli import UsageError
from experiments.commands.options import add_common_options
from model.parameters import BY_NAME
from model.tiers import DEFAULT_THRESHOLDS

if TYPE_CHECKING:  # pandas is imported where a command runs: the help needs none
    import pandas as pd

HELP = "measure tier mobility on the ILIA panel or on a results folder"
STATE_COLUMNS = ["research", "capital", "adoption", "enabling", "governance"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "results",
        nargs="?",
        type=Path,
        default=None,
        help="results folder (omit for the real ILIA panel)",
    )
    parser.add_argument(
        "--lag",
        type=int,
        default=None,
        help="months between observations (12); results folders only",
    )
    parser.add_argument(
        "--boot",
        type=int,
        default=None,
        help="bootstrap replicates, at least 1 (1000; below 100 intervals are rough); "
        "results folders only",
    )
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed (0)")
    parser.add_argument(
        "--prior",
        default="jeffreys",
        help="Dirichlet prior for the ILIA panel: jeffreys, uniform, perks, "
        "haldane or a number (default jeffreys)",
    )
    parser.add_argument(
        "--thresholds",
        type=float,
        nargs=2,
        default=DEFAULT_THRESHOLDS,
        metavar=("LOW", "HIGH"),
        help="tier cut-offs (default 35 60)",
    )
    parser.add_argument(
        "--shock",
        default=None,
        help="month of the shock for the window, within the runs' dates (default: read "
        "from the runs); results folders only",
    )
    parser.add_argument(
        "--by",
        default=None,
        help="design column that splits a sweep's runs into scenarios (sweep folders only)",
    )
    add_common_options(parser)


def scenario_frames(folder: Path, by: str | None) -> dict[str, tuple[pd.DataFrame, str | None]]:
    """Tidy frames (one per scenario, a ``run`` column) and each scenario's shock month."""
    import pandas as pd

    if (folder / "agents.parquet").exists():  # latam-ai run
        if by is not None:
            raise UsageError(
                f"--by {by!r}: --by applies to sweep folders (trajectories/); {folder} is a "
                "`latam-ai run` folder, whose scenarios are the releases and Peru paths"
            )
        agents = pd.read_parquet(folder / "agents.parquet")
        frames = {}
        for (release, path), frame in agents.groupby(["release", "peru_path"], sort=False):
            shock = release.removeprefix("release ") if release.startswith("release ") else None
            frames[f"{release} / Peru {path}"] = (frame.rename(columns={"replicate": "run"}), shock)
        return frames
    if (folder / "trajectories").exists():  # latam-ai sweep
        from sweeps import load_results

        results = load_results(folder)
        if results.trajectories is None or results.trajectories.empty:
            raise UsageError(f"{folder}: the sweep kept no trajectories; set outputs.trajectories")
        frame = results.trajectories.rename(columns={"run_id": "run"})
        design = results.design.set_index("run_id")
        if by is None:
            return {"all runs": (frame, _shock_of(design))}
        if by not in design.columns:
            raise UsageError(f"--by {by!r}: not a design column; columns: {list(design.columns)}")
        groups = design[by].astype(str)
        return {
            f"{by} = {value}": (
                frame[frame["run"].map(groups) == value],
                _shock_of(design[groups == value]),
            )
            for value in groups.unique()
        }
    raise UsageError(
        f"{folder}: no agents.parquet (latam-ai run) or trajectories/ (latam-ai sweep)"
    )


def _shock_of(design: pd.DataFrame) -> str | None:
    if "open_weights_date" not in design.columns:
        return BY_NAME["open_weights_date"].default
    values = design["open_weights_date"].dropna().astype(str).unique()
    return values[0].strip('[]"') if len(values) == 1 and values[0] not in ("None", "") else None


FOLDER_OPTIONS = ("lag", "boot", "shock", "by")
DEFAULT_LAG, DEFAULT_BOOT, FEW_REPLICATES = 12, 1000, 100


def check_shock(shock: str, frame: pd.DataFrame, lag: int) -> None:
    """The shock month must fall inside the runs' dates, leaving `lag` months after it."""
    import pandas as pd

    try:
        month = pd.Period(shock, freq="M")
    except ValueError:
        raise UsageError(f"--shock {shock!r}: not a month (use YYYY-MM)") from None
    months = pd.to_datetime(frame["date"]).dt.to_period("M")
    first, last = months.min(), months.max()
    if not first <= month <= last - lag:
        raise UsageError(
            f"shock month {month} is outside the runs' dates {first} to {last}; with --lag "
            f"{lag} it must lie between {first} and {last - lag}"
        )


def main(args: argparse.Namespace) -> int:
    from experiments.headline import mobility_of
    from mobility import format_summary, ilia_report

    if args.results is None:
        given = [f"--{name}" for name in FOLDER_OPTIONS if getattr(args, name) is not None]
        if given:
            raise UsageError(
                f"{', '.join(given)}: applies to results folders only, not to the ILIA "
                "panel (one 12-month step per edition); give a results folder or drop it"
            )
        prior = args.prior
        try:
            prior = float(prior)
        except ValueError:
            pass
        print(ilia_report(prior=prior, thresholds=tuple(args.thresholds)))
        return 0
    if not args.results.is_dir():
        raise UsageError(f"{args.results}: no such results folder")
    lag = DEFAULT_LAG if args.lag is None else args.lag
    boot = DEFAULT_BOOT if args.boot is None else args.boot
    if lag < 1:
        raise UsageError(f"--lag {lag}: must be at least 1 month")
    if boot < 1:
        raise UsageError(f"--boot {boot}: must be at least 1 replicate (1000 recommended)")
    scenarios = scenario_frames(args.results, args.by)
    for frame, _ in scenarios.values():  # a bad --shock fails before anything is written
        if args.shock is not None and frame["date"].nunique() > lag:
            check_shock(args.shock, frame, lag)
    if boot < FEW_REPLICATES:
        print(
            f"note: --boot {boot} is below {FEW_REPLICATES} replicates; the interval bounds "
            "are rough (use 1000 for reporting)"
        )
    index = 0
    longest = 0
    for label, (frame, shock) in scenarios.items():
        longest = max(longest, frame["date"].nunique())
        if frame["date"].nunique() <= lag:
            print(f"\n=== {label} ===\n(no trajectories over more than {lag} months: skipped)")
            continue
        shock = args.shock or shock
        if shock is not None:
            check_shock(shock, frame, lag)
        summary = mobility_of(
            frame,
            lag=lag,
            n_boot=boot,
            seed=args.seed,
            shock_date=shock,
            thresholds=tuple(args.thresholds),
        )
        print(f"\n=== {label} ===\n{format_summary(summary)}")
        for name in ("transitions", "indices", "window", "fragmentation"):
            table = getattr(summary, name).assign(scenario=label)
            path = args.results / f"mobility_lag{lag}_{name}.csv"
            table.to_csv(path, mode="w" if index == 0 else "a", header=index == 0, index=False)
        index += 1
    if index == 0:
        raise UsageError(
            f"--lag {lag}: no scenario has trajectories over more than {lag} months (the "
            f"longest has {longest} months); nothing was written"
        )
    print(f"\nTables written to {args.results}/mobility_lag{lag}_*.csv ({index} scenarios)")
    return 0
