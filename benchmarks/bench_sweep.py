"""Sweep throughput: the batched engine through ``run_experiment`` on local worker processes
(what ``latam-ai sweep --workers 2`` runs) against ``mesa.batch_run(RegionModel)``, in the
same run.

Run: ``uv run --extra dev python benchmarks/bench_sweep.py [--runs 4096] [--repeats 3]``.
Prints medians of ``--repeats`` repeats, with the machine's load:

* ``mesa.batch_run`` on ``RegionModel`` with full monthly data collection (every country,
  every agent and model reporter, every month), one process;
* the engine with summaries only (``trajectories = "none"``), with every run's monthly
  trajectories stored (``trajectories = "all"``: the 19 focus countries, every month), and
  with those of every country (``focus = "world"``: the countries Mesa collects, every
  month: the equal-output comparison; Mesa's collection still has more fields, among them
  the ISO3 code, the strategy and the region measures), on ``--workers`` processes;
  start-up (forking the workers, loading the kernel) is excluded by timing two sweep sizes
  and dividing the difference in runs by the difference in time;
* the cost per country-step per core, the ratios to Mesa and trajectories / summaries;
* the CPU time of this process and of its (reaped) workers and the peak of the summed
  resident memory of all processes, for the largest sweep.

Goals (issue 11): at most 25 ns per country-step per core; at least 300 times Mesa; with
all trajectories stored, at least a third of the summaries-only throughput.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from _measure import Measured, load, median_time

from sweeps import experiment_from_dict, process_executor, run_experiment

#: Each engine sweep's ``[outputs] trajectories`` and focus (the countries whose
#: trajectories are kept; None: the default, the 19 ILIA countries).
SWEEPS = {"none": ("none", None), "all": ("all", None), "world": ("all", "world")}


def experiment(name: str, runs: int, trajectories: str):
    """The benchmark's sweep; ``trajectories``: a key of :data:`SWEEPS`."""
    kept, focus = SWEEPS[trajectories]
    return experiment_from_dict(
        {
            "experiment": {"name": name, "seed": 11, "replications": 1},
            "design": {"method": "lhs", "samples": runs},
            "fixed": {"end": "2035-12", **({"focus": focus} if focus else {})},
            "varied": {
                "capital_concentration": {"low": 0.5, "high": 3.0},
                "absorptive_threshold": {"low": 20.0, "high": 50.0},
            },
            "outputs": {"years": [2030], "trajectories": kept},
        }
    )


def sweep_seconds(runs: int, trajectories: str, workers: int, folder: Path) -> Measured:
    out = folder / f"{trajectories}-{runs}-{time.monotonic_ns()}"
    with Measured() as measured:
        with process_executor(workers) as executor:  # workers reaped on exit
            run_experiment(experiment("bench", runs, trajectories), out, executor, progress=False)
    return measured


def engine_rate(runs: int, trajectories: str, workers: int, repeats: int, folder: Path):
    """Runs per second with start-up excluded, and the measures of the largest sweep."""
    rates, largest = [], None
    for _ in range(repeats):
        small = sweep_seconds(runs // 8, trajectories, workers, folder)
        largest = sweep_seconds(runs, trajectories, workers, folder)
        rates.append((runs - runs // 8) / max(largest.seconds - small.seconds, 1e-9))
    return statistics.median(rates), largest


def mesa_rate(seeds: int, repeats: int) -> float:
    import mesa

    from model import RegionModel

    months = len(RegionModel(rng=0).months) - 1

    def run():
        mesa.batch_run(
            RegionModel,
            parameters={"rng": list(range(seeds))},
            max_steps=months,
            number_processes=1,
            data_collection_period=1,
            display_progress=False,
        )

    return seeds / median_time(run, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=4096, help="summaries-only sweep size")
    parser.add_argument("--trajectory-runs", type=int, default=1024)
    parser.add_argument("--world-trajectory-runs", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    np.seterr(all="ignore")
    from model import RegionModel

    model = RegionModel(rng=0)
    country_steps = len(model.countries) * (len(model.months) - 1)
    print(f"before: {load()}")
    mesa = mesa_rate(6, args.repeats)
    with tempfile.TemporaryDirectory() as folder:
        summaries, big = engine_rate(args.runs, "none", args.workers, args.repeats, Path(folder))
        trajectories, big_t = engine_rate(
            args.trajectory_runs, "all", args.workers, args.repeats, Path(folder)
        )
        world, big_w = engine_rate(
            args.world_trajectory_runs, "world", args.workers, args.repeats, Path(folder)
        )
    ns = args.workers * 1e9 / (summaries * country_steps)
    print(f"{len(model.countries)} countries x {len(model.months) - 1} months, "
          f"{args.workers} workers, medians of {args.repeats}")  # fmt: skip
    print(f"  mesa.batch_run(RegionModel), full monthly collection: {mesa:8.2f} runs/s")
    print(f"  engine, summaries only:       {summaries:8.0f} runs/s = {ns:.1f} ns per "
          f"country-step per core; {summaries / mesa:.0f}x Mesa")  # fmt: skip
    print(f"  engine, all trajectories:     {trajectories:8.0f} runs/s; {trajectories / mesa:.0f}x "
          f"Mesa; {trajectories / summaries:.2f} of the summaries-only rate")  # fmt: skip
    print(f"  engine, every country's trajectories (equal outputs): {world:8.0f} runs/s; "
          f"{world / mesa:.0f}x Mesa; {world / summaries:.2f} of summaries only")  # fmt: skip
    print(f"  largest summaries sweep ({args.runs} runs): {big}")
    print(f"  largest trajectories sweep ({args.trajectory_runs} runs): {big_t}")
    print(f"  largest every-country sweep ({args.world_trajectory_runs} runs): {big_w}")
    print(f"after: {load()}")


if __name__ == "__main__":
    main()
