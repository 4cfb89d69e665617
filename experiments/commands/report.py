"""Build one self-contained HTML report of a results folder.

Works for a folder written by `latam-ai run` (agents.parquet, region.csv, mobility
tables) and for one written by `latam-ai sweep` (manifest.json, design.parquet,
summaries and trajectories). Writes report.html into RESULTS_DIR (or -o/--out): the
answer first (headline numbers, key figures), then mobility, then method, parameters and
the file list; figures embedded as PNG and saved under figures/ as PNG, SVG and PDF; no
external files or network addresses, so it opens offline.

examples:
  latam-ai report results/headline-20260101-120000
  latam-ai report results/smoke
  latam-ai report results/smoke -o reports/smoke
"""

from __future__ import annotations

import argparse
from pathlib import Path

from experiments.cli import UsageError
from experiments.commands.options import add_common_options

HELP = "write a self-contained HTML report (report.html) of a run or sweep results folder"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The results folder."""
    parser.add_argument(
        "results",
        metavar="RESULTS_DIR",
        type=Path,
        help="folder written by latam-ai run or latam-ai sweep",
    )
    add_common_options(parser, out=(None, "default: RESULTS_DIR"))


def main(args: argparse.Namespace) -> int:
    """Build the report and print its path."""
    from reports import build_report, folder_kind

    if not args.results.is_dir():
        raise UsageError(f"{args.results}: no such folder")
    try:
        folder_kind(args.results)
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from None
    print(f"Report written to {build_report(args.results, out=args.out)}")
    return 0
