"""Time one default RegionModel run (19 countries, Sep 2024 to Dec 2035, data collection on).

Prints the median of several runs, the spread, and the cost per country-step. Goal: at
most 50 ms per run on the project's 2-core machine.

    uv run python benchmarks/bench_model.py [--repeats 31]
"""

from __future__ import annotations

import argparse
import gc
import platform
import statistics
import time

from model import RegionModel
from model.equations import step


def time_runs(repeats: int) -> list[float]:
    RegionModel(rng=0).run_model()  # warm caches (data files, imports)
    times = []
    for seed in range(repeats):
        gc.collect()  # the previous run's garbage is not this run's cost
        start = time.perf_counter()
        model = RegionModel(rng=seed)
        model.run_model()
        times.append(time.perf_counter() - start)
    return times


def time_equations(repeats: int) -> list[float]:
    """The equations alone (no Mesa, no data collection), for comparison."""
    model = RegionModel(rng=0)
    times = []
    for _ in range(repeats):
        state, start = model.state, time.perf_counter()
        for t in range(len(model.months) - 1):
            state = step(state, model.params, model.drivers, t)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=31)
    args = parser.parse_args()
    model = RegionModel()
    country_steps = len(model.countries) * (len(model.months) - 1)
    print(
        f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, "
        f"Python {platform.python_version()}"
    )
    for label, times in (
        ("full run", time_runs(args.repeats)),
        ("equations only", time_equations(args.repeats)),
    ):
        median = statistics.median(times)
        print(
            f"{label:15s} median {median * 1e3:7.1f} ms  (min {min(times) * 1e3:.1f}, "
            f"max {max(times) * 1e3:.1f}, n={len(times)});  "
            f"{median / country_steps * 1e6:.2f} us per country-step"
        )


if __name__ == "__main__":
    main()
