"""The same sweep on a Dask ``LocalCluster`` of 2 single-threaded worker processes and on
the local process executor, in the same run: wall time of each with the executor's start-up
excluded (each first runs a small warm-up sweep, which starts its workers and loads the
kernel in them; the cluster's start is printed apart), their ratio, and whether the results
are identical.

Run: ``uv run --extra dev python benchmarks/bench_dask.py [--runs 8192] [--workers 2]``.
Goal (issue 11): Dask within 1.25 times the process executor, identical results.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd
from _measure import Measured, load
from bench_sweep import experiment

from sweeps import load_results, process_executor, run_experiment
from sweeps.executors import dask_executor
from sweeps.runner import SMALLEST_SPREAD_BATCH


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8192)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    spec = experiment("bench-dask", args.runs, "none")
    print(f"before: {load()}")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        # two batches per worker (the smallest batch the runner makes for a short sweep is
        # SMALLEST_SPREAD_BATCH runs), so that every worker has loaded the kernel
        warm_up = experiment("bench-dask-warm-up", 2 * SMALLEST_SPREAD_BATCH * args.workers, "none")
        with process_executor(args.workers) as executor:
            run_experiment(warm_up, folder / "warm-processes", executor, progress=False)
            with Measured() as processes:
                run_experiment(spec, folder / "processes", executor, progress=False)
        began = time.perf_counter()
        with dask_executor("local", args.workers) as executor:
            run_experiment(warm_up, folder / "warm-dask", executor, progress=False)
            started = time.perf_counter() - began
            with Measured() as dask:
                run_experiment(spec, folder / "dask", executor, progress=False)
        with process_executor(args.workers) as executor:  # again: the load may have changed
            run_experiment(warm_up, folder / "warm-processes-2", executor, progress=False)
            with Measured() as again:
                run_experiment(spec, folder / "processes-2", executor, progress=False)
        left, right = load_results(folder / "processes"), load_results(folder / "dask")
        pd.testing.assert_frame_equal(left.summaries, right.summaries)
    print(f"{args.runs} runs, {args.workers} workers")
    print(f"  process executor: {processes}")
    print(f"  dask LocalCluster (start and warm-up {started:.1f} s, apart): {dask}")
    print(f"  process executor again, after Dask: {again}")
    base = (processes.seconds + again.seconds) / 2
    print(f"  ratio dask / processes (mean of both): {dask.seconds / base:.2f}; same summaries")
    print(f"after: {load()}")


if __name__ == "__main__":
    main()
