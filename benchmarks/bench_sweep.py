"""Sweep benchmarks: batched engine vs mesa.batch_run, the Sobol sweep end to end, scale.

Run: ``uv run --extra dev python benchmarks/bench_sweep.py [--quick] [--skip-sobol]``.
Prints medians of several repeats:

(a) runs per second of the batched engine (in-process) and of ``mesa.batch_run`` on
    ``RegionModel`` with the same parameters and horizon, in this process, and the ratio;
(b) the Sobol sweep of experiments/examples/sobol.toml (10 parameters, N = 1024,
    10 replications = 225,280 runs, summaries only) on local processes, plus the SALib
    analysis: wall time and peak memory (max RSS of this process plus its largest child);
    ``--quick`` uses N = 64;
(c) cost per country-step at n = 100 and n = 10,000 synthetic countries, and the ratio.
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from experiments.sweep import (
    build_design,
    experiment_from_dict,
    load_experiment,
    process_executor,
    run_experiment,
    simulate,
    sobol_indices,
)
from experiments.sweep.engine import run_batch

ROOT = Path(__file__).resolve().parents[1]


def median_time(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        function()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def throughput(repeats: int, mesa_seeds: int, batch_runs: int) -> None:
    """(a) batched engine vs mesa.batch_run, same parameters (default model, 2024-09 to
    2035-12, capital_concentration 1 and 2), single process each."""
    import mesa

    from model import RegionModel

    parameters = {"capital_concentration": [1.0, 2.0], "end": "2035-12"}
    steps = 135

    def with_mesa():
        mesa.batch_run(
            RegionModel,
            parameters=parameters,
            rng=list(range(mesa_seeds)),
            max_steps=steps,
            number_processes=1,
            data_collection_period=-1,
            display_progress=False,
        )

    experiment = experiment_from_dict(
        {
            "experiment": {"seed": 1, "replications": batch_runs // 2},
            "fixed": {"end": "2035-12"},
            "varied": {"capital_concentration": {"values": [1.0, 2.0]}},
        }
    )
    design = build_design(experiment)
    mesa_rate = 2 * mesa_seeds / median_time(with_mesa, repeats)
    batch_rate = len(design) / median_time(lambda: run_batch(experiment, design), repeats)
    print(f"(a) mesa.batch_run(RegionModel): {mesa_rate:8.1f} runs/s ({2 * mesa_seeds} runs)")
    print(
        f"    batched engine, 1 process:    {batch_rate:8.1f} runs/s ({len(design)} runs, "
        "summary metrics included)"
    )
    print(f"    ratio: {batch_rate / mesa_rate:.0f}x  (median of {repeats})")


def peak_memory_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024


def sobol_end_to_end(quick: bool, workers: int) -> None:
    """(b) the Sobol sweep and its analysis, end to end."""
    experiment = load_experiment(ROOT / "experiments" / "examples" / "sobol.toml")
    if quick:
        design = dataclasses.replace(experiment.design, base_samples=64)
        experiment = dataclasses.replace(experiment, design=design)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        with process_executor(workers) as executor:
            report = run_experiment(experiment, Path(folder) / "sobol", executor, progress=False)
        swept = time.perf_counter() - began
        table = sobol_indices(Path(folder) / "sobol", "tier_gap_end_start_tiers")
    total = time.perf_counter() - began
    print(
        f"(b) Sobol: {report.planned} runs, {report.failed} failed, sweep {swept:.1f} s, "
        f"with analysis {total:.1f} s, {report.planned / swept:.0f} runs/s, "
        f"peak memory {peak_memory_mb():.0f} MB (this process + largest child)"
    )
    print(table.head(4).to_string(index=False, float_format=lambda v: f"{v:.3f}"))


def scale(repeats: int) -> None:
    """(c) cost per country-step at n = 100 (100 runs) and n = 10,000 (1 run)."""
    from model import synthetic_world

    costs = {}
    for n, runs in ((100, 100), (10_000, 1)):
        experiment = experiment_from_dict(
            {
                "experiment": {"seed": 2, "replications": runs},
                "fixed": {
                    "start": "2024-09",
                    "end": "2026-08",
                    "initial": synthetic_world(n, spread=0.05),
                },
            }
        )
        design = build_design(experiment)
        seconds = median_time(lambda e=experiment, d=design: simulate(e, d), repeats)
        costs[n] = seconds / (runs * n * 23)
        print(f"(c) n = {n:6d}, {runs:3d} runs: {costs[n] * 1e9:7.1f} ns per country-step")
    print(f"    ratio n=10,000 / n=100: {costs[10_000] / costs[100]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Sobol with N = 64")
    parser.add_argument("--skip-sobol", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    np.seterr(all="ignore")
    throughput(args.repeats, mesa_seeds=5, batch_runs=2048)
    scale(args.repeats)
    if not args.skip_sobol:
        sobol_end_to_end(args.quick, args.workers)


if __name__ == "__main__":
    main()
