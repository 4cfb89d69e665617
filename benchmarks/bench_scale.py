"""Cost per country-step of the compiled kernel on synthetic worlds of 185 and 10,000
countries (``model.synthetic.synthetic_world``), one core, in the same run: the kernel
alone, and the batch's build (``model.builder.build_batch``) plus the kernel.

Run: ``uv run --extra dev python benchmarks/bench_scale.py [--repeats 5]``. Prints the
median CPU time per country-step at each size and their ratios, with the load.
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
    """Median CPU seconds per country-step of ``runs`` runs of ``n`` countries: the kernel
    alone, and build plus kernel."""
    values = validate_parameters(
        {"start": MONTHS[0], "end": MONTHS[1], "initial": synthetic_world(n, spread=0.05)}
    )
    kernel, total = [], []
    for repeat in range(repeats):
        gc.collect()
        began = time.process_time()
        batch = build_batch([values] * runs, list(range(repeat * runs, (repeat + 1) * runs)))
        built = time.process_time()
        run_kernel(batch, parallel=False)
        steps = runs * n * (len(batch.months) - 1)
        kernel.append((time.process_time() - built) / steps)
        total.append((time.process_time() - began) / steps)
    return statistics.median(kernel), statistics.median(total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    warm()
    print(f"before: {load()}")
    costs = {}
    for n, runs in ((185, 200), (10_000, 4)):
        costs[n] = cost(n, runs, args.repeats)
        print(f"n = {n:6d}, {runs:3d} runs x 23 months, CPU per country-step: kernel "
              f"{costs[n][0] * 1e9:.1f} ns, build + kernel {costs[n][1] * 1e9:.1f} ns")  # fmt: skip
    print(f"ratio n=10,000 / n=185: kernel {costs[10_000][0] / costs[185][0]:.2f}, "
          f"build + kernel {costs[10_000][1] / costs[185][1]:.2f}")  # fmt: skip
    print(f"after: {load()}")


if __name__ == "__main__":
    main()
