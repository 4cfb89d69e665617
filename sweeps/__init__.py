"""Parameter sweeps: experiments as TOML data, batched runs, resumable Parquet storage.

>>> from sweeps import load_results, run_experiment
>>> report = run_experiment("experiments/examples/smoke.toml", "results/smoke")
>>> results = load_results("results/smoke")
>>> results.table().groupby("open_weights_date")["production_gap_end"].mean()

Names are imported lazily (worker processes import only the engine they need).
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "build_design": "design",
    "run_count": "spec_sizes",
    "sample_count": "spec_sizes",
    "run_batch": "engine",
    "simulate": "engine",
    "InProcessExecutor": "executors",
    "dask_executor": "executors",
    "make_executor": "executors",
    "process_executor": "executors",
    "GLOBAL_METRICS": "metrics",
    "metric_registry": "metrics",
    "metric_table": "metrics",
    "SweepReport": "runner",
    "prepare": "runner",
    "run_experiment": "runner",
    "Experiment": "spec",
    "ExperimentError": "spec",
    "experiment_from_dict": "spec",
    "load_experiment": "spec",
    "DamagedFolder": "storage",
    "FolderError": "storage",
    "Results": "results",
    "export_csv": "results",
    "load_results": "results",
    "SweepInterrupted": "interrupts",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'sweeps' has no attribute {name!r}")
    return getattr(importlib.import_module(f"sweeps.{_EXPORTS[name]}"), name)
