"""Calibrate the world model by SMC-ABC (pyabc) on data to 2024, and validate it out of
sample.

The calibration (experiments/calibration.py; targets and sources in
experiments/calibration_targets.py) writes, into the output folder: posterior.csv (equal-
weight posterior draws, one column per parameter), identification.csv, checks.csv
(posterior predictive checks), generations.csv and README.md (command, seed, library
version, date and the tables). ``--validate`` then scores the posterior's forecasts that
were never fitted (experiments/validation.py): ILIA 2025 from the 2024 start, ILIA 2024
from the 2023 start, and the allocation rule's leave-one-country-out hold-out.

examples:
  latam-ai calibrate                                  # full size (about 10 minutes)
  latam-ai calibrate --quick -o results/calibration_quick
  latam-ai calibrate -o data/calibration --validate   # the committed posterior
  latam-ai calibrate --validate --posterior data/calibration/posterior.csv  # validate only
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from experiments.cli import UsageError
from experiments.commands.options import add_common_options

HELP = "fit the world model to data to 2024 (SMC-ABC, pyabc) and validate it out of sample"
#: The root seed of the committed calibration.
DEFAULT_SEED = 20231101
#: Largest sizes accepted on the command line (each particle is one run).
MAX_POPULATION, MAX_GENERATIONS, MAX_DRAWS = 100_000, 50, 1_000_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="root seed")
    parser.add_argument(
        "--quick", action="store_true", help="a small calibration (seconds; for tests)"
    )
    parser.add_argument("--population", type=int, help="particles per generation")
    parser.add_argument("--generations", type=int, help="most SMC generations")
    parser.add_argument("--draws", type=int, help="equal-weight posterior draws written")
    parser.add_argument(
        "--validate", action="store_true", help="then run the out-of-sample validation"
    )
    parser.add_argument(
        "--posterior",
        type=Path,
        help="with --validate: validate this posterior file instead of calibrating",
    )
    add_common_options(parser, out=(Path("results") / "calibration", "default results/calibration"))


def _sizes(args: argparse.Namespace) -> dict[str, int]:
    from experiments import calibration

    sizes = dict(calibration.QUICK if args.quick else calibration.FULL)
    limits = {"population": MAX_POPULATION, "generations": MAX_GENERATIONS, "draws": MAX_DRAWS}
    for key, limit in limits.items():
        value = getattr(args, key)
        if value is None:
            continue
        lowest = 2 if key == "population" else 1
        if not lowest <= value <= limit:
            raise UsageError(f"--{key} {value}: must be an integer in [{lowest}, {limit}]")
        sizes[key] = value
    return sizes


#: The files a calibration folder holds (a folder with others is refused: not ours).
OWN_FILES = (
    "posterior.csv", "identification.csv", "checks.csv", "generations.csv", "README.md",
    "validation.md", "validation_ilia2025.csv", "validation_ilia2025_countries.csv",
    "validation_ilia2024.csv", "validation_allocation.csv",
)  # fmt: skip


def check_out(out: Path) -> None:
    """``--out`` is a new folder or one holding only a calibration's files."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: not a folder")
    if out.is_dir():
        others = sorted(p.name for p in out.iterdir() if p.name not in OWN_FILES)
        if others:
            raise UsageError(
                f"--out {out}: holds files that are not a calibration's ({', '.join(others[:5])}"
                f"{', ...' if len(others) > 5 else ''}); choose a new or a calibration folder"
            )


def main(args: argparse.Namespace) -> int:
    if not 0 <= args.seed < 2**63:
        raise UsageError(f"--seed {args.seed}: must be an integer in [0, 2**63 - 1]")
    if args.posterior is not None and not args.validate:
        raise UsageError("--posterior FILE: only with --validate (it validates that file)")
    sizes = _sizes(args)
    if args.posterior is not None:
        if not args.posterior.is_file():
            raise UsageError(f"--posterior {args.posterior}: no such file")
        from experiments.validation import check_posterior

        check_posterior(args.posterior)
    out = args.out
    check_out(out)
    from experiments.calibration_report import write_calibration, write_validation

    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot create the folder ({exc.strerror})") from None
    command = "latam-ai calibrate " + shlex.join(sys.argv[2:])
    posterior = args.posterior
    if posterior is None:
        from experiments.calibration import calibrate

        calibration = calibrate(args.seed, **sizes)
        print(write_calibration(calibration, out, command))
        posterior = out / "posterior.csv"
    if args.validate:
        print(write_validation(posterior, out, args.seed, quick=args.quick))
    print(f"\nWritten to {out}/")
    return 0
