"""Sweep benchmarks: batched engine vs mesa.batch_run on equal work, the Sobol sweep end to
end, scale.

Run: ``uv run --extra dev python benchmarks/bench_sweep.py [--quick] [--skip-sobol]``.
Prints medians of several repeats, measured in the same run, with the machine's load:

(a) runs per second of ``mesa.batch_run`` on ``RegionModel`` (every country, 12 agent and
    10 model reporters collected every month) and of the batched engine in this process
    with the SAME monthly outputs (every country's trajectory every month:
    ``focus = "world"``, ``trajectories = "all"``), and, labelled separately, the engine
    with summaries only; the ratios;
(b) the Sobol sweep of experiments/examples/sobol.toml (10 parameters, N = 1024,
    10 replications = 225,280 runs, summaries only) on local processes, plus the SALib
    analysis: wall time, CPU time of this process and of its (reaped) workers, and the peak
    of the summed resident memory of this process and all its children (sampled every
    0.2 s); ``--quick`` uses N = 64;
(c) cost per country-step at n = 187 and n = 10,000 synthetic countries, and the ratio.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import statistics
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil

from sweeps import (
    build_design,
    experiment_from_dict,
    load_experiment,
    process_executor,
    run_experiment,
    simulate,
    sobol_indices,
)
from sweeps.engine import run_batch

ROOT = Path(__file__).resolve().parents[1]


def median_time(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        function()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def throughput(repeats: int, mesa_seeds: int, batch_runs: int) -> None:
    """(a) batched engine vs mesa.batch_run on the default world (2024-09 to 2035-12,
    capital_concentration 4 and 8), one process each, equal monthly outputs."""
    import mesa

    from model import RegionModel

    parameters = {"capital_concentration": [4.0, 8.0], "end": "2035-12"}
    steps = 135

    def with_mesa():
        mesa.batch_run(
            RegionModel,
            parameters=parameters,
            rng=list(range(mesa_seeds)),
            max_steps=steps,
            number_processes=1,
            data_collection_period=1,
            display_progress=False,
        )

    def experiment(outputs, fixed):
        return experiment_from_dict(
            {
                "experiment": {"seed": 1, "replications": batch_runs // 2, "batch_size": 256},
                "fixed": {"end": "2035-12", **fixed},
                "varied": {"capital_concentration": {"values": [4.0, 8.0]}},
                "outputs": outputs,
            }
        )

    monthly = experiment({"trajectories": "all"}, {"focus": "world"})
    summaries = experiment({"trajectories": "none"}, {})
    design = build_design(monthly)
    run_batch(summaries, design.iloc[:4])  # compile or load the kernel outside the timer
    print(f"(a) {load()}")
    mesa_rate = 2 * mesa_seeds / median_time(with_mesa, repeats)
    rates = {}
    for label, spec, rows in (
        ("same monthly outputs", monthly, design.iloc[:256]),  # 256 runs: 1.2 GB of rows
        ("summaries only", summaries, design),
    ):
        keep = np.ones(len(rows), bool) if spec is monthly else None

        def engine(spec=spec, rows=rows, keep=keep):
            for start in range(0, len(rows), 256):
                part = None if keep is None else keep[start : start + 256]
                run_batch(spec, rows.iloc[start : start + 256], part)

        rates[label] = len(rows) / median_time(engine, repeats)
    print(f"    mesa.batch_run(RegionModel), monthly collection: {mesa_rate:8.2f} runs/s")
    for label, rate in rates.items():
        print(
            f"    batched engine, 1 process, {label:20s}: {rate:8.1f} runs/s, "
            f"ratio {rate / mesa_rate:.0f}x"
        )
    print(f"    (medians of {repeats}; {load()})")


class PeakMemory:
    """Samples the summed resident memory of this process and all its children."""

    def __init__(self, every: float = 0.2) -> None:
        self.every, self.peak, self._stop = every, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for process in (me, *me.children(recursive=True)):
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(self.every)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def cpu_seconds() -> tuple[float, float]:
    """CPU time (user + system) of this process and of its reaped children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def sobol_end_to_end(quick: bool, workers: int) -> None:
    """(b) the Sobol sweep and its analysis, end to end."""
    experiment = load_experiment(ROOT / "experiments" / "examples" / "sobol.toml")
    if quick:
        design = dataclasses.replace(experiment.design, base_samples=64)
        experiment = dataclasses.replace(experiment, design=design)
    print(f"(b) {load()}")
    own0, children0 = cpu_seconds()
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder, PeakMemory() as memory:
        with process_executor(workers) as executor:  # workers are reaped on exit
            report = run_experiment(experiment, Path(folder) / "sobol", executor, progress=False)
        swept = time.perf_counter() - began
        table = sobol_indices(Path(folder) / "sobol", "tier_gap_end_start_tiers")
    total = time.perf_counter() - began
    own1, children1 = cpu_seconds()
    print(
        f"    Sobol: {report.planned} runs, {report.failed} failed, sweep {swept:.1f} s, "
        f"with analysis {total:.1f} s, {report.planned / swept:.0f} runs/s; CPU "
        f"{own1 - own0:.0f} s here + {children1 - children0:.0f} s in workers; peak memory "
        f"{memory.peak / 2**20:.0f} MB (all processes); {load()}"
    )
    print(table.head(4).to_string(index=False, float_format=lambda v: f"{v:.3f}"))


def scale(repeats: int) -> None:
    """(c) cost per country-step at n = 187 (100 runs) and n = 10,000 (2 runs)."""
    from model import synthetic_world

    costs = {}
    for n, runs in ((187, 100), (10_000, 2)):
        experiment = experiment_from_dict(
            {
                "experiment": {"seed": 2, "replications": runs},
                "fixed": {
                    "start": "2024-09",
                    "end": "2026-08",
                    "initial": synthetic_world(n, spread=0.05),
                },
            }
        )
        design = build_design(experiment)
        seconds = median_time(lambda e=experiment, d=design: simulate(e, d), repeats)
        costs[n] = seconds / (runs * n * 23)
        print(f"(c) n = {n:6d}, {runs:3d} runs: {costs[n] * 1e9:7.1f} ns per country-step")
    print(f"    ratio n=10,000 / n=187: {costs[10_000] / costs[187]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Sobol with N = 64")
    parser.add_argument("--skip-sobol", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    np.seterr(all="ignore")
    throughput(args.repeats, mesa_seeds=5, batch_runs=2048)
    scale(args.repeats)
    if not args.skip_sobol:
        sobol_end_to_end(args.quick, args.workers)


if __name__ == "__main__":
    main()
