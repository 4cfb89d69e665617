"""Build one self-contained HTML report of a results folder.

Works for a folder written by `latam-ai run` (agents.parquet, region.csv, mobility
tables) and for one written by `latam-ai sweep` (manifest.json, design.parquet,
summaries and trajectories). Writes RESULTS_DIR/report.html: figures embedded as PNG,
tables as HTML, no external files or network addresses, so it opens offline.

examples:
  latam-ai report results/headline-20260101-120000
  latam-ai report results/smoke
"""

from __future__ import annotations

import argparse
from pathlib import Path

from experiments.cli import UsageError

HELP = "write a self-contained HTML report (report.html) of a run or sweep results folder"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The results folder."""
    parser.add_argument(
        "results",
        metavar="RESULTS_DIR",
        type=Path,
        help="folder written by latam-ai run or latam-ai sweep",
    )


def main(args: argparse.Namespace) -> int:
    """Build the report and print its path."""
    from experiments.report import build_report, folder_kind

    if not args.results.is_dir():
        raise UsageError(f"{args.results}: no such folder")
    try:
        folder_kind(args.results)
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from None
    print(f"Report written to {build_report(args.results)}")
    return 0
