"""How many samples and runs an experiment plans, computed from its sizes without building
its design, and the limit on them (:data:`MAX_RUNS`)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sweeps.spec_values import ExperimentError, key_line

if TYPE_CHECKING:
    from sweeps.spec import Experiment


#: Most runs one sweep may plan (docs/SWEEPS.md): its design table alone takes about
#: 100 bytes a run in memory; split a bigger study into several experiments.
MAX_RUNS = 10_000_000


def sample_count(experiment: Experiment) -> int:
    """Number of samples (parameter points) of the design, before replications; computed
    from the sizes, without building the design."""
    design, dims = experiment.design, len(experiment.varied)
    if design.method == "grid":
        return math.prod(v.grid_size() for v in experiment.varied)
    if design.method == "list":
        return len(design.runs)
    if design.method == "lhs":
        return design.samples
    if design.method == "sobol":
        return design.base_samples * (2 * dims + 2 if design.second_order else dims + 2)
    return design.trajectories * (dims + 1)


def run_count(experiment: Experiment) -> int:
    """Number of runs: samples times posterior draws (1 without ``[posterior]``) times
    replications."""
    return sample_count(experiment) * experiment.posterior_draws * experiment.replications


def _size_key(experiment: Experiment) -> tuple[str, str]:
    """The [table] key that sets the number of samples (for messages)."""
    method = experiment.design.method
    key = {"lhs": "samples", "sobol": "base_samples", "morris": "trajectories"}.get(method)
    if key:
        return "design", key
    if method == "list":
        return "design", "runs"
    if experiment.varied:
        widest = max(experiment.varied, key=lambda v: v.grid_size())
        return "varied", widest.name
    return "design", "method"


def check_size(experiment: Experiment) -> None:
    """Refuse a design of more than :data:`MAX_RUNS` runs, before anything is built."""
    samples, reps = sample_count(experiment), experiment.replications
    draws = experiment.posterior_draws
    runs = samples * draws * reps
    if runs <= MAX_RUNS:
        return
    table, key = ("experiment", "replications") if reps > samples else _size_key(experiment)
    if draws > max(samples, reps):
        table, key = "posterior", "draws"
    line = key_line(experiment.source, table, key) if experiment.source else None
    where = f"{experiment.path}:{line}" if line else experiment.path
    crossed = f" x {draws:,} posterior draws" if experiment.posterior is not None else ""
    raise ExperimentError(
        f"{where}: [{table}] {key}: the design has {samples:,} samples{crossed} x {reps:,} "
        f"replications = {runs:,} runs, above the limit of {MAX_RUNS:,} runs per sweep "
        "(docs/SWEEPS.md); split it into several experiments or reduce it"
    )
