"""Calibrate the free parameters by approximate Bayesian computation (rejection).

Runs the calibration experiment (a sweep from ILIA 2024 to October 2025 over uniform
priors; resumable like any sweep), keeps the samples whose moments lie closest to the data
(targets and sources in experiments/calibration.py), and compares the fitted model's
ILIA 2025 forecast with the no-change forecast. Writes posterior.csv, moments.csv,
forecast.csv, accepted_samples.csv and calibration.txt into the results folder.

examples:
  latam-ai calibrate                                   # the shipped calibration experiment
  latam-ai calibrate --accept 0.01 -o results/calibration
  latam-ai calibrate my_priors.toml --workers 2 --resume
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from experiments.cli import UsageError
from experiments.commands.options import add_common_options, check_workers

HELP = "fit the free parameters to the data (ABC rejection on the sweep engine)"
DEFAULT_EXPERIMENT = Path(__file__).resolve().parents[1] / "examples" / "calibration.toml"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "experiment",
        nargs="?",
        type=Path,
        default=DEFAULT_EXPERIMENT,
        help="calibration experiment (default: examples/calibration.toml)",
    )
    parser.add_argument(
        "--accept", type=float, default=0.02, help="fraction of samples accepted (default 0.02)"
    )
    parser.add_argument("--resume", action="store_true", help="continue an interrupted run")
    parser.add_argument(
        "--forecast-replications",
        type=int,
        default=50,
        help="replications of the fitted model's forecast (default 50)",
    )
    add_common_options(
        parser, out=(Path("results") / "calibration", "default results/calibration"), workers=True
    )


#: Most replications of the fitted model's forecast (each is one model run).
MAX_FORECAST_REPLICATIONS = 100_000


def check_calibration_experiment(experiment) -> None:
    """A calibration experiment draws numeric parameters (not a list design) and records
    every target moment (experiments/calibration.py); else one message saying so."""
    from experiments.calibration import TARGETS
    from model.parameters import BY_NAME
    from sweeps.metrics import selected_metrics

    where = f"{experiment.path}: not a calibration experiment"
    if experiment.design.method == "list":
        raise UsageError(
            f"{where}: a list design has no priors to fit; use lhs (see {DEFAULT_EXPERIMENT})"
        )
    for variable in experiment.varied:
        spec = BY_NAME.get(variable.name)
        if spec is None or not spec.numeric or not variable.numeric:
            raise UsageError(
                f"{where}: [varied] {variable.name} is not a numeric model parameter, so it "
                f"has no posterior median (see {DEFAULT_EXPERIMENT})"
            )
    recorded = {m.name for m in selected_metrics(experiment)}
    missing = [t.moment for t in TARGETS if t.moment not in recorded]
    if missing:
        raise UsageError(
            f"{where}: its [outputs] metrics lack the target moments {', '.join(missing)} "
            f"(see {DEFAULT_EXPERIMENT})"
        )


def main(args: argparse.Namespace) -> int:
    from experiments.calibration import (
        abc_rejection,
        fitted_parameters,
        naive_comparison,
        write_calibration,
    )
    from sweeps import load_results
    from sweeps.executors import make_executor
    from sweeps.runner import prepare, run_experiment

    if not 0 < args.accept <= 1:
        raise UsageError(f"--accept {args.accept}: must be in (0, 1]")
    if not 1 <= args.forecast_replications <= MAX_FORECAST_REPLICATIONS:
        raise UsageError(
            f"--forecast-replications {args.forecast_replications}: must be an integer in "
            f"[1, {MAX_FORECAST_REPLICATIONS}]"
        )
    check_workers(args.workers)
    if not args.experiment.is_file():
        raise UsageError(f"{args.experiment}: no such experiment file")
    experiment, _ = prepare(args.experiment)
    check_calibration_experiment(experiment)
    try:
        with make_executor(args.workers, None) as executor:
            print(
                run_experiment(
                    experiment,
                    args.out,
                    executor,
                    None,
                    args.resume,
                    progress=not args.no_progress,
                )
            )
    except KeyboardInterrupt as stop:
        print(f"latam-ai calibrate: {stop or 'interrupted'}", file=sys.stderr)
        return 128 + getattr(stop, "signum", 2)
    calibration = abc_rejection(load_results(args.out), args.accept)
    comparison = naive_comparison(fitted_parameters(calibration), args.forecast_replications)
    print(write_calibration(calibration, comparison, args.out))
    print(f"\nCalibration written to {args.out}/")
    return 0
