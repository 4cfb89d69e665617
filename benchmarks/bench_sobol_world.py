"""The Sobol sweep of experiments/examples/sobol.toml end to end: 10 parameters, N = 1024,
10 replications (225,280 world runs), summaries only, on local worker processes, then the
SALib analysis of one metric.

Run: ``uv run --extra dev python benchmarks/bench_sobol_world.py [--initial latam19]
[--base-samples 1024] [--workers 2]``. Prints the wall time of the sweep and with the
analysis, the CPU time of this process and of its (reaped) workers, the peak of the summed
resident memory of all processes (sampled every 0.2 s) and the machine's load. Goals
(issue 11): the world version at most 3 minutes with peak memory under 2 GB; the
19-country version (``--initial latam19``) under 60 s.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
from pathlib import Path

from _measure import Measured, load

from sensitivity import sobol_indices
from sweeps import load_experiment, process_executor, run_experiment

ROOT = Path(__file__).resolve().parents[1]
#: The size the issue sets: N = 1024 with second order, 10 replications:
#: 1024 x (2 x 10 + 2) x 10 = 225,280 runs over the ten parameters of sobol.toml.
ISSUE_BASE_SAMPLES = 1024
ISSUE_REPLICATIONS = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--initial", default=None, help="e.g. latam19 (default: the world)")
    parser.add_argument("--base-samples", type=int, default=ISSUE_BASE_SAMPLES, help="N")
    parser.add_argument("--replications", type=int, default=ISSUE_REPLICATIONS)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--metric", default="tier_gap_end_start_tiers")
    args = parser.parse_args()
    # the findings' file varies the ten parameters; the benchmark sizes it as the issue does
    experiment = load_experiment(ROOT / "experiments" / "examples" / "sobol.toml")
    design = dataclasses.replace(
        experiment.design, base_samples=args.base_samples, second_order=True
    )
    experiment = dataclasses.replace(experiment, design=design, replications=args.replications)
    if args.initial:
        fixed = {**experiment.fixed, "initial": args.initial}
        experiment = dataclasses.replace(experiment, fixed=fixed)
    print(f"before: {load()}")
    with tempfile.TemporaryDirectory() as folder, Measured() as measured:
        with process_executor(args.workers) as executor:  # workers are reaped on exit
            report = run_experiment(experiment, Path(folder) / "sobol", executor, progress=False)
        swept = report.seconds
        table = sobol_indices(Path(folder) / "sobol", args.metric)
    print(
        f"Sobol ({args.initial or 'world'}): {report.planned} runs, {report.failed} failed; "
        f"sweep {swept:.1f} s ({report.planned / swept:.0f} runs/s), end to end with the "
        f"analysis: {measured}"
    )
    print(table.head(4).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"after: {load()}")


if __name__ == "__main__":
    main()
