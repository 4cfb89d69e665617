"""Sobol or Morris sensitivity indices of a summary metric of a finished sweep.

Replications are averaged per sample; the method follows the sweep's design (sobol or
morris) unless --method says otherwise. Prints the ranked table and writes
sensitivity_<method>_<metric>.csv and the figure (PNG, SVG and PDF) into the results
folder, or into -o/--out.

examples:
  latam-ai sweep experiments/examples/sobol.toml --out results/sobol
  latam-ai sensitivity results/sobol --metric production_gap_end
  latam-ai sensitivity results/morris --metric peru_score_2035 --method morris
"""

from __future__ import annotations

import argparse
from pathlib import Path

from experiments.cli import UsageError
from experiments.commands.options import add_common_options

HELP = "Sobol or Morris indices of a sweep's summary metric (table, CSV and figure)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("results", metavar="RESULTS_DIR", help="folder written by latam-ai sweep")
    parser.add_argument("--metric", required=True, help="summary metric, e.g. tier_gap_end")
    parser.add_argument("--method", choices=("sobol", "morris"), help="default: the design's")
    parser.add_argument("--resamples", type=int, default=100, help="bootstrap resamples")
    parser.add_argument("--confidence", type=float, default=0.95, help="confidence level")
    add_common_options(parser, out=(None, "default: RESULTS_DIR"))


def main(args: argparse.Namespace) -> int:
    from sensitivity import analyse

    folder = Path(args.results)
    if not folder.is_dir():
        raise UsageError(f"{args.results}: no such results folder")
    if not (folder / "manifest.json").exists():
        raise UsageError(f"{args.results}: not a sweep results folder (no manifest.json)")
    if not 0 < args.confidence < 1:
        raise UsageError(f"--confidence {args.confidence}: must be between 0 and 1")
    if not 1 <= args.resamples <= 100_000:
        raise UsageError(f"--resamples {args.resamples}: must be an integer in [1, 100000]")
    if not args.metric.strip():
        raise UsageError("--metric '': must name a summary metric, e.g. tier_gap_end")
    table, csv, png = analyse(
        args.results,
        args.metric,
        args.method,
        num_resamples=args.resamples,
        conf_level=args.confidence,
        out=args.out,
    )
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    print(f"wrote {csv}\nwrote {', '.join(str(p) for p in png)}")
    return 0
