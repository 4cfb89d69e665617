"""Run the headline experiment on the embedded ILIA data.

The open-weights release (2025-08) against no release, and Peru under status_quo,
adoption_management and production_platform, each with replications under common random
numbers. Prints a summary (with tier mobility: transition matrix, indices and the window,
bootstrap intervals over replications) and writes tables (Parquet, CSV) and figures (PNG,
SVG and PDF) into a results folder.

--scenario FILE reads the model parameters from a scenario file (one [parameters] table
of a TOML file, as the dashboard saves it; see model/scenario_file.py); --set overrides
single parameters of it (the last word wins: defaults, then the file, then --set).

examples:
  latam-ai run                              # defaults: 40 replications, seed 2025
  latam-ai run --replications 10 -o results/quick
  latam-ai run --set capital_concentration=1.0 --set open_weights_strength=2
  latam-ai run --scenario my_scenario.toml --set end="2030-12"
"""

from __future__ import annotations

import argparse
import datetime as dt
import tomllib
from pathlib import Path

from experiments.cli import UsageError
from experiments.commands.options import add_common_options
from model.parameters import BY_NAME, PARAMETERS

HELP = "run the headline experiment (open weights vs none; Peru's three paths)"


def parse_assignment(text: str) -> tuple[str, object]:
    """``name=value`` with a TOML value (numbers, true/false, "strings", [lists])."""
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or name not in BY_NAME:
        raise UsageError(
            f"--set {text!r}: expected NAME=VALUE with NAME one of: {', '.join(sorted(BY_NAME))}"
        )
    try:
        parsed = tomllib.loads(f"v = {value.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        parsed = value.strip()  # a bare word such as 2025-08
    return name, parsed


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--replications", type=int, default=40, help="replications per scenario (default 40)"
    )
    parser.add_argument("--seed", type=int, default=2025, help="root seed (default 2025)")
    parser.add_argument(
        "--scenario",
        type=Path,
        metavar="FILE",
        help="scenario file: a TOML [parameters] table (e.g. saved by the dashboard); "
        "--set overrides its values",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help='override a model parameter (repeatable; TOML values, e.g. end="2030-12", '
        'absorptive_gate=false, policies={COL="production_platform"}); the numeric '
        "parameters are listed below, all of them with meaning and source in docs/ODD.md",
    )
    parser.epilog = (
        (parser.epilog or "")
        + "\nnumeric parameters (default, [range], unit):\n"
        + "\n".join(
            f"  {p.name} = {p.default:g}  [{p.low:g}, {p.high:g}]  {p.unit}"
            for p in PARAMETERS
            if p.numeric
        )
    )
    add_common_options(parser, out=(None, "default results/headline-DATE-TIME"))


def main(args: argparse.Namespace) -> int:
    from experiments.headline import headline_mobility, run_headline, summary_text, write_outputs
    from model.parameters import validate_parameters

    if args.replications < 1:
        raise UsageError(f"--replications {args.replications}: must be at least 1")
    overrides = {}
    if args.scenario is not None:
        from model.scenario_file import load_scenario

        overrides = load_scenario(args.scenario)
    origin = f"--set or {args.scenario}" if args.scenario else "--set"
    overrides |= dict(parse_assignment(text) for text in args.set)
    params = validate_parameters(overrides, origin=origin)
    folder = args.out or Path("results") / f"headline-{dt.datetime.now():%Y%m%d-%H%M%S}"
    if folder.exists() and any(folder.iterdir()):
        raise UsageError(f"--out {folder}: the folder is not empty; results are never overwritten")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {folder}: cannot create the results folder ({exc})") from None
    results = run_headline(args.replications, args.seed, progress=not args.no_progress, **overrides)
    mobility = headline_mobility(results, params["tier_thresholds"])
    print(summary_text(results, mobility))
    written = write_outputs(results, folder, params["tier_thresholds"], mobility)
    print(f"\nResults written to {folder}/ ({len(written)} files)")
    from reports import build_report

    print(f"Report: {build_report(folder, parameters=params, mobility=mobility)}")
    return 0
