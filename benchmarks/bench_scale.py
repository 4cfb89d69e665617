"""Cost per country-step of the compiled kernel on synthetic worlds of 185 and 10,000
countries (``model.synthetic.synthetic_world``), one core, in the same run.

Run: ``uv run --extra dev python benchmarks/bench_scale.py [--repeats 5]``. Prints the
median CPU and wall time per country-step at each size and their ratio, with the load.
Goal (issue 11): the cost at 10,000 countries within 1.5 times that at 185.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time

from _measure import load

from model import synthetic_world
from model.builder import build_batch
from model.kernel import run_kernel, warm
from model.parameters import validate_parameters

MONTHS = "2024-09", "2026-08"


def cost(n: int, runs: int, repeats: int) -> tuple[float, float]:
    """Median CPU and wall seconds per country-step of ``runs`` runs of ``n`` countries."""
    values = validate_parameters(
        {"start": MONTHS[0], "end": MONTHS[1], "initial": synthetic_world(n, spread=0.05)}
    )
    batch = build_batch([values] * runs, list(range(runs)))
    steps = runs * n * (len(batch.months) - 1)
    cpu, wall = [], []
    for _ in range(repeats):
        gc.collect()
        began, began_cpu = time.perf_counter(), time.process_time()
        run_kernel(batch, parallel=False)
        wall.append((time.perf_counter() - began) / steps)
        cpu.append((time.process_time() - began_cpu) / steps)
    return statistics.median(cpu), statistics.median(wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    warm()
    print(f"before: {load()}")
    costs = {}
    for n, runs in ((185, 200), (10_000, 4)):
        costs[n] = cost(n, runs, args.repeats)
        print(f"n = {n:6d}, {runs:3d} runs x 23 months: CPU {costs[n][0] * 1e9:6.1f} ns, wall "
              f"{costs[n][1] * 1e9:6.1f} ns per country-step (serial kernel)")  # fmt: skip
    print(f"ratio n=10,000 / n=185: CPU {costs[10_000][0] / costs[185][0]:.2f}, "
          f"wall {costs[10_000][1] / costs[185][1]:.2f}")  # fmt: skip
    print(f"after: {load()}")


if __name__ == "__main__":
    main()
