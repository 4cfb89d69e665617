"""One interactive world run: ``RegionModel`` (187 countries, September 2024 to December
2035) with full data collection, then its model and agent frames, as a notebook user runs
it. Prints the median, minimum and maximum of ``--repeats`` runs and the load.

Run: ``uv run --extra dev python benchmarks/bench_interactive.py [--repeats 11]``.
Goal (issue 11): at most 100 ms.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time

from _measure import load

from model import RegionModel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=11)
    args = parser.parse_args()
    RegionModel(rng=0).run_model()  # data files read, kernel loaded
    print(f"before: {load()}")
    times = []
    for seed in range(args.repeats):
        gc.collect()
        began = time.perf_counter()
        model = RegionModel(rng=seed)
        model.run_model()
        model.model_frame()
        model.agent_frame()
        times.append(time.perf_counter() - began)
    print(f"RegionModel world run with data collection and frames: median "
          f"{statistics.median(times) * 1e3:.0f} ms (min {min(times) * 1e3:.0f}, max "
          f"{max(times) * 1e3:.0f}, n={len(times)})")  # fmt: skip
    print(f"after: {load()}")


if __name__ == "__main__":
    main()
