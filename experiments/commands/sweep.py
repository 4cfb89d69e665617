"""Run a parameter sweep declared in a TOML experiment file.

The run count is shown before anything runs; results stream to Parquet shards in the
results folder (default: results/<experiment name>) with a ledger and a manifest, so a
killed sweep continues with --resume. A run that raises is recorded and the sweep goes on.

examples:
  latam-ai sweep experiments/examples/open_weights.toml
  latam-ai sweep experiments/examples/sobol.toml --out results/sobol --workers 2
  latam-ai sweep experiments/examples/window.toml --dry-run
  latam-ai sweep experiments/examples/sobol.toml --out results/sobol --resume
  latam-ai sweep experiments/examples/sobol.toml --scheduler tcp://10.0.0.5:8786
  latam-ai sweep experiments/examples/smoke.toml --scheduler local --workers 2
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from pathlib import Path

from experiments.cli import UsageError
from experiments.commands.options import add_common_options, add_out, add_workers

HELP = "run a parameter sweep from a TOML experiment file (resumable, batched, parallel)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("experiment", help="experiment TOML file (see experiments/examples/)")
    add_out(parser, None, "default: results/<experiment name>")
    add_workers(parser, "; with --scheduler local: Dask workers")
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler address (tcp://host:8786), or 'local' for a Dask LocalCluster",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        help="runs per batch (default: the file's "
        "batch_size, else 1024); results do not depend on it",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted sweep in --out: finished runs are skipped, damaged "
        "or missing results are named and run again",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="show the run count, the design and a time estimate (from a trial batch); "
        "write nothing",
    )
    parser.add_argument("--csv", action="store_true", help="also export the results as CSV")
    parser.add_argument(
        "--no-report",
        action="store_true",
        help="write no report.html (most of a short sweep's time; 'latam-ai report DIR' "
        "writes it later)",
    )
    add_common_options(parser)


#: Most worker processes or Dask workers one sweep starts.
MAX_WORKERS = 1024
SCHEDULER_SCHEMES = ("tcp://", "tls://", "ucx://", "ws://", "wss://", "inproc://")


def check_flags(args: argparse.Namespace) -> None:
    """The flags, before the experiment file is read: one message naming the flag."""
    from sweeps.spec_values import MAX_BATCH_SIZE

    if args.workers is not None and not 1 <= args.workers <= MAX_WORKERS:
        raise UsageError(f"--workers {args.workers}: must be an integer in [1, {MAX_WORKERS}]")
    if args.batch_size is not None and not 1 <= args.batch_size <= MAX_BATCH_SIZE:
        raise UsageError(
            f"--batch-size {args.batch_size}: must be an integer in [1, {MAX_BATCH_SIZE}]"
        )
    if args.scheduler is not None:
        address = args.scheduler
        if address != "local" and not (
            address.startswith(SCHEDULER_SCHEMES) and len(address.split("://", 1)[1]) > 0
        ):
            raise UsageError(
                f"--scheduler {address!r}: must be 'local' or a Dask scheduler address such "
                "as tcp://10.0.0.5:8786"
            )
        if address != "local" and args.workers is not None:
            raise UsageError(
                f"--workers {args.workers}: applies to local processes or --scheduler local; "
                f"the workers of {address} are started with it (dask worker)"
            )


def describe_plan(experiment, design) -> str:
    """One line: the design, its samples and replications, the number of runs."""
    samples = design["sample_id"].nunique()
    draws = (
        f"{experiment.posterior.draws} posterior draws x "
        if experiment.posterior is not None
        else ""
    )
    return (
        f"experiment {experiment.name!r}: {experiment.design.method} design over "
        f"{len(experiment.variable_names)} parameters, {samples} samples x {draws}"
        f"{experiment.replications} replications = {len(design)} runs"
    )


def main(args: argparse.Namespace) -> int:
    local = args.workers is None or 1 < args.workers <= MAX_WORKERS
    if local and args.scheduler is None and not args.dry_run:
        # local worker processes: their fork server imports the model while this process
        # does (sweeps.executors imports nothing numerical)
        from sweeps.executors import start_worker_server

        start_worker_server()
    from sweeps.runner import SweepFailed

    try:
        return _main(args)
    except SweepFailed as exc:
        print(f"latam-ai sweep: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as stop:
        from sweeps.runner import SweepInterrupted

        if isinstance(stop, SweepInterrupted):
            print(f"latam-ai sweep: {stop}", file=sys.stderr)
            return 128 + stop.signum
        print("latam-ai sweep: interrupted before any run was recorded", file=sys.stderr)
        return 130


def _main(args: argparse.Namespace) -> int:
    from sweeps.executors import make_executor, stop_worker_server
    from sweeps.results import export_csv
    from sweeps.runner import prepare, run_experiment

    check_flags(args)
    experiment, design = prepare(args.experiment)
    print(describe_plan(experiment, design), flush=True)
    if args.dry_run:
        from experiments.commands.dry_run import dry_run_text

        print(dry_run_text(experiment, design, args.workers, args.batch_size))
        return 0
    out = Path(args.out) if args.out else Path("results") / experiment.name
    with contextlib.ExitStack() as stack:
        stack.callback(stop_worker_server)  # after the executor has shut its workers down
        try:
            executor = stack.enter_context(make_executor(args.workers, args.scheduler))
        except OSError as exc:
            if not args.scheduler:
                raise
            raise UsageError(
                f"cannot reach the Dask scheduler at {args.scheduler}: {exc}"
            ) from None
        try:
            report = run_experiment(
                experiment,
                out,
                executor,
                args.batch_size,
                args.resume,
                progress=not args.no_progress,
            )
        except KeyboardInterrupt:
            for number in (signal.SIGINT, signal.SIGTERM):  # stopping: the workers go next
                signal.signal(number, signal.SIG_IGN)
            raise
    print(report)
    if report.failed:
        print(
            f"{report.failed} runs failed; tracebacks in {out / 'failures'} "
            "(load_results(folder).failures)"
        )
    if args.csv:
        for path in export_csv(out):
            print(f"wrote {path}")
    if not args.no_report:
        from reports import build_report

        print(f"Report: {build_report(out)}")
    return 0
