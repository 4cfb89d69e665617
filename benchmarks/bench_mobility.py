"""Benchmark: the full mobility and fragmentation summary on a model-sized panel.

A synthetic random-walk score panel of 10,000 runs x 136 months x 19 countries (plus
research and capital arrays for the production side), summarised with 1,000 cluster
bootstrap replicates. Prints the median wall time of several repetitions.

    uv run --extra dev python benchmarks/bench_mobility.py [--runs 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from mobility import TierPanel, summarize

N_COUNTRIES = 19
N_MONTHS = 136
SHOCK_DATE = "2025-01"


def synthetic_panel(n_runs: int, seed: int = 0) -> tuple[TierPanel, dict[str, np.ndarray]]:
    """Random-walk scores (index 0 to 100) around ILIA-like starting levels, float32."""
    rng = np.random.default_rng(seed)
    start = np.linspace(24.0, 73.0, N_COUNTRIES, dtype=np.float32)
    steps = rng.normal(0.05, 1.2, size=(n_runs, N_MONTHS, N_COUNTRIES)).astype(np.float32)
    scores = np.clip(start + np.cumsum(steps, axis=1), 1.0, 100.0)
    research = np.clip(0.8 * scores + rng.normal(0, 3, scores.shape).astype(np.float32), 1, 100)
    capital = np.exp(scores / 20.0).astype(np.float32)
    dates = np.datetime64("2023-09", "M") + np.arange(N_MONTHS)
    countries = tuple(f"C{c:02d}" for c in range(N_COUNTRIES))
    panel = TierPanel.from_scores(scores, dates, countries)
    return panel, {"research": research, "capital": capital}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--boot", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    start = time.perf_counter()
    panel, values = synthetic_panel(args.runs)
    print(f"panel {panel.tiers.shape}: built and classified in {time.perf_counter() - start:.2f} s")

    cases = {
        "mobility + window (scores only)": {},
        "mobility + window + fragmentation (scores, research, capital)": values,
    }
    for label, extra in cases.items():
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            summarize(panel, n_boot=args.boot, seed=0, shock_date=SHOCK_DATE, values=extra)
            times.append(time.perf_counter() - start)
        print(
            f"{label}: median {statistics.median(times):.2f} s over {args.repeat} runs "
            f"(min {min(times):.2f}, max {max(times):.2f}), n_boot = {args.boot}"
        )
    start = time.perf_counter()
    TierPanel.from_scores(panel.scores, panel.dates, panel.countries, hysteresis_periods=3)
    print(f"reclassification with hysteresis (persist 3): {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
