"""What ``latam-ai sweep --dry-run`` prints: the design in a few lines and a time estimate.

The estimate times one trial batch (at most :data:`TRIAL_RUNS` runs of the design, in this
process, nothing written) and scales it to the whole design and the worker count; it is
rough (a shared machine, batch effects, start-up of the workers), so it is printed as such.
"""

from __future__ import annotations

import json
import time

import pandas as pd

#: Runs of the trial batch timed for the estimate.
TRIAL_RUNS = 32
#: Distinct values of a varied parameter listed in full; more are shown as a range.
LISTED_VALUES = 6
#: Characters of one value shown (longer ones, e.g. policy schedules, are cut).
CELL_WIDTH = 50


def _decoded(cell):
    try:
        return json.loads(cell) if isinstance(cell, str) else cell
    except json.JSONDecodeError:
        return cell


def _values_line(name: str, column: pd.Series) -> str:
    """``name: N values: a, b, c`` or ``name: N values from LOW to HIGH``."""
    values = list(dict.fromkeys(column.map(lambda c: json.dumps(_decoded(c), default=str))))
    decoded = [json.loads(v) for v in values]
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in decoded)
    if len(values) <= LISTED_VALUES or not numeric:
        cells = [v if len(v) <= CELL_WIDTH else v[: CELL_WIDTH - 3] + "..." for v in values]
        if len(cells) > LISTED_VALUES:
            cells = [*cells[: LISTED_VALUES // 2], "...", cells[-1]]
        return f"  {name}: {len(values)} values: {', '.join(cells)}"
    return f"  {name}: {len(values)} values from {min(decoded):.4g} to {max(decoded):.4g}"


def design_summary(experiment, design: pd.DataFrame) -> list[str]:
    """A few lines: each varied parameter's values, the fixed ones, the seeds."""
    lines = ["varied parameters:" if experiment.variable_names else "no varied parameter"]
    lines += [
        _values_line(name, design[name])
        for name in experiment.variable_names
        if name in design.columns
    ]
    if experiment.fixed:
        fixed = ", ".join(f"{k}={json.dumps(v, default=str)}" for k, v in experiment.fixed.items())
        lines.append(f"fixed: {fixed}")
    if experiment.posterior is not None:
        columns = ", ".join(experiment.posterior.columns)
        lines.append(
            f"posterior: the first {experiment.posterior.draws} rows of "
            f"{experiment.posterior.file} set {columns}"
        )
    crn = "common random numbers" if experiment.common_random_numbers else "independent seeds"
    lines.append(f"seeds: {design['seed'].nunique()} distinct ({crn}; root seed {experiment.seed})")
    return lines


def trial_seconds_per_run(experiment, design: pd.DataFrame, batch_size: int) -> tuple[float, int]:
    """Seconds per run of one trial batch (at most :data:`TRIAL_RUNS` runs) run here."""
    from sweeps import engine

    rows = design.head(min(TRIAL_RUNS, batch_size, len(design)))
    began = time.perf_counter()
    engine.run_batch(experiment, rows)
    return (time.perf_counter() - began) / max(len(rows), 1), len(rows)


def estimate_line(seconds_per_run: float, trial: int, runs: int, workers: int) -> str:
    """The time estimate, in the largest sensible unit."""
    total = seconds_per_run * runs / max(workers, 1)
    if total < 120:
        text = f"{total:.0f} s"
    elif total < 7200:
        text = f"{total / 60:.0f} min"
    else:
        text = f"{total / 3600:.1f} h"
    return (
        f"time estimate: about {text} with {workers} worker(s) ({seconds_per_run * 1000:.0f} ms "
        f"per run in a trial batch of {trial} runs; rough: batches, load and start-up vary)"
    )


def dry_run_text(experiment, design: pd.DataFrame, workers: int | None, batch_size) -> str:
    """Design summary, batches and time estimate of a sweep that is not run."""
    from sweeps.executors import default_workers
    from sweeps.runner import plan_batches

    batch_size = batch_size or experiment.batch_size
    batches = len(plan_batches(experiment, design, batch_size))
    lines = design_summary(experiment, design)
    lines.append(f"batches: {batches} of at most {batch_size} runs")
    per_run, trial = trial_seconds_per_run(experiment, design, batch_size)
    lines.append(estimate_line(per_run, trial, len(design), workers or default_workers()))
    lines.append("dry run: nothing was run or written")
    return "\n".join(lines)
