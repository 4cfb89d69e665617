"""The calibration's cost: one population of world runs, and a small SMC-ABC run.

Times ``experiments.calibration.simulate_world`` on ``--runs`` parameter sets drawn from
the priors (one kernel call per 500 runs, 187 countries, August 2023 to December 2025)
and a calibration of ``--population`` particles and ``--generations`` generations; prints
wall-clock and CPU seconds, seconds per simulation, and the load average before and
after. Goal (issue 12): the full calibration (1000 particles, 8 generations, about 26,000
simulations) in about 10 minutes on the project's 2-core machine.

    uv run python benchmarks/bench_calibration.py [--runs 1000] [--population 200]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np


def timed(function) -> tuple[float, float, object]:
    start, start_cpu = time.perf_counter(), time.process_time()
    value = function()
    return time.perf_counter() - start, time.process_time() - start_cpu, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--population", type=int, default=200)
    parser.add_argument("--generations", type=int, default=3)
    args = parser.parse_args()
    from experiments.calibration import PRIORS, calibrate, simulate_world

    print(f"load average before: {os.getloadavg()}")
    rng = np.random.default_rng(0)
    sets = [{p.name: float(rng.uniform(p.low, p.high)) for p in PRIORS} for _ in range(args.runs)]
    simulate_world(sets[:8], list(range(8)))  # compile or load the kernel, read the data
    wall, cpu, _ = timed(lambda: simulate_world(sets, list(range(args.runs))))
    print(
        f"simulate_world: {args.runs} runs in {wall:.2f} s wall, {cpu:.2f} s CPU "
        f"({1000 * wall / args.runs:.2f} ms per run)"
    )
    wall, cpu, result = timed(
        lambda: calibrate(1, args.population, args.generations, args.population, 1)
    )
    simulations = int(result.result.generations["evaluations"].sum())
    print(
        f"calibrate: population {args.population}, {args.generations} generations, "
        f"{simulations} simulations in {wall:.1f} s wall, {cpu:.1f} s CPU "
        f"({1000 * wall / simulations:.2f} ms per simulation, pyabc included)"
    )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
