"""The compiled batch kernel against the NumPy reference, at world size, in the same run.

Default world runs (187 countries, September 2024 to December 2035: 135 steps) in batches
of ``--runs``; the kernel (serial, and parallel over the cores) and the reference loop
(``model.equations.step`` month by month) step the same batch. Prints medians of
``--repeats`` repeats of wall-clock and CPU time per country-step, the ratio reference /
kernel, the cores and the load average before and after. Goal (issue 11): at most 25 ns per
country-step per core. The build (parameters, state, drivers) is not timed; compilation is
done (or loaded from the disk cache) before timing.

    uv run python benchmarks/bench_kernel.py [--runs 256] [--repeats 5]
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import time

from model import equations
from model.builder import build_batch
from model.kernel import run_kernel, warm
from model.parameters import validate_parameters


def timed(function, repeats: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of ``function()`` over ``repeats`` calls."""
    wall, cpu = [], []
    for _ in range(repeats):
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        function()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def reference_loop(batch) -> None:
    state = batch.state
    for t in range(len(batch.months) - 1):
        state = equations.step(state, batch.params, batch.drivers, t)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    load_before = os.getloadavg()
    start = time.perf_counter()
    warm()
    print(f"warm-up (compile or load the cached kernel): {time.perf_counter() - start:.1f} s")
    batch = build_batch([validate_parameters({})] * args.runs, list(range(args.runs)))
    runs, countries = batch.state.research.shape
    country_steps = runs * countries * (len(batch.months) - 1)
    cores = len(os.sched_getaffinity(0))
    print(
        f"machine: {platform.machine()}, {cores} cores, Python {platform.python_version()}; "
        f"{runs} runs x {countries} countries x {len(batch.months) - 1} steps"
    )
    rows = {
        "kernel, serial": timed(lambda: run_kernel(batch, parallel=False), args.repeats),
        "kernel, parallel": timed(lambda: run_kernel(batch, parallel=True), args.repeats),
        "numpy reference": timed(lambda: reference_loop(batch), max(1, args.repeats // 2)),
    }
    for label, (wall, cpu) in rows.items():
        print(
            f"{label:17s} wall {wall / country_steps * 1e9:6.1f} ns per country-step, "
            f"CPU {cpu / country_steps * 1e9:6.1f} ns per country-step "
            f"(median {wall:.2f} s per batch)"
        )
    reference_wall = rows["numpy reference"][0]
    for label in ("kernel, serial", "kernel, parallel"):
        print(f"ratio numpy / {label}: {reference_wall / rows[label][0]:.1f} x (wall clock)")
    print(
        "load average before: "
        + " ".join(f"{x:.2f}" for x in load_before)
        + "; after: "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
    )


if __name__ == "__main__":
    main()
