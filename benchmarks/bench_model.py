"""Time one default world run (187 countries, Sep 2024 to Dec 2035, data collection on),
and the batched engine's cost per country-step at world size.

Prints medians of several runs, the spread, the cost per country-step and the machine's
load. Floor (issue 9): the batched engine no slower per country-step than the 19-country
engine it replaced (about 130 ns).

    uv run python benchmarks/bench_model.py [--repeats 31]
"""

from __future__ import annotations

import argparse
import gc
import os
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


def time_batched(repeats: int, runs: int = 256) -> list[float]:
    """Seconds per batch of ``runs`` default world runs: build (draws included) and step."""
    from model.builder import build_batch
    from model.parameters import validate_parameters

    values = [validate_parameters({})] * runs
    times = []
    for repeat in range(repeats):
        gc.collect()
        start = time.perf_counter()
        batch = build_batch(values, list(range(repeat * runs, (repeat + 1) * runs)))
        state = batch.state
        for t in range(len(batch.months) - 1):
            state = step(state, batch.params, batch.drivers, t)
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
    runs = 256
    batched = statistics.median(time_batched(max(3, args.repeats // 10), runs))
    print(
        f"batched engine  {runs} world runs per batch: median {batched:.2f} s, "
        f"{batched / (runs * country_steps) * 1e9:.0f} ns per country-step (one core)"
    )
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
