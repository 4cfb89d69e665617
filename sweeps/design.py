"""The design of an experiment: one row per run, with its sample, replicate and seed.

Samples come from a full grid, an explicit list, a Latin hypercube
(``scipy.stats.qmc.LatinHypercube``), a Saltelli-Sobol sequence or Morris trajectories
(SALib). Sampled designs draw unit coordinates ``u`` in [0, 1] and map them through each
variable's quantile function (discrete values: ``values[floor(u k)]``); the coordinates
are kept in the design (columns ``u:<name>``) for the sensitivity analysis.

Seeds (docs/SWEEPS.md, "Seeding"): ``children = SeedSequence(seed).spawn(k)`` and a run's
seed is ``int(child.generate_state(1, numpy.uint64)[0])``. With common random numbers
``k = replications`` and replicate ``r`` of every sample uses child ``r``; without,
``k = samples * replications`` and run ``(s, r)`` uses child ``s * replications + r``.
A run's generator is ``numpy.random.default_rng(seed)``, as in ``RegionModel(rng=seed)``.
Run ids are ``sample_id * replications + replicate``.

With a ``[posterior]`` table (:mod:`sweeps.spec_posterior`) every sample is crossed with
``D`` posterior draws: run ``(s, d, r)`` has ``posterior_draw = d``, the draw's parameter
values, and run id ``(s * D + d) * replications + r``. Its stream depends on the draw and
the replicate, never on the sample: with common random numbers ``k = D * replications``
and run ``(s, d, r)`` uses child ``d * replications + r``; without,
``k = samples * D * replications`` and it uses child ``(s * D + d) * replications + r``.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import numpy as np
import pandas as pd

from sweeps.spec import POSTERIOR_DRAW, Experiment, ExperimentError, Variable, key_line


def unit_problem(experiment: Experiment) -> dict[str, Any]:
    """The SALib problem over unit coordinates of the varied parameters."""
    names = [v.name for v in experiment.varied]
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}


def unit_samples(experiment: Experiment) -> np.ndarray:
    """Unit coordinates of every sample, shape (samples, varied) (sampled designs only)."""
    design, dims = experiment.design, len(experiment.varied)
    if design.method == "lhs":
        from scipy.stats import qmc

        return qmc.LatinHypercube(d=dims, seed=experiment.seed).random(design.samples)
    if design.method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(
            unit_problem(experiment),
            design.base_samples,
            calc_second_order=design.second_order,
            seed=experiment.seed,
        )
    from SALib.sample import morris

    return morris.sample(
        unit_problem(experiment),
        design.trajectories,
        num_levels=design.levels,
        seed=experiment.seed,
    )


def values_from_unit(variable: Variable, u: np.ndarray) -> np.ndarray | list:
    """Map unit coordinates to values through the variable's quantile function."""
    if variable.values is not None:
        index = np.minimum((u * len(variable.values)).astype(int), len(variable.values) - 1)
        return [variable.values[i] for i in index]
    low, high = variable.low, variable.high
    if variable.distribution == "uniform":
        return low + u * (high - low)
    if variable.distribution == "loguniform":
        return np.exp(np.log(low) + u * (np.log(high) - np.log(low)))
    from scipy import stats

    if variable.distribution == "triangular":
        c = (variable.mode - low) / (high - low)
        return stats.triang.ppf(u, c, loc=low, scale=high - low)
    a, b = (low - variable.mean) / variable.sd, (high - variable.mean) / variable.sd
    return stats.truncnorm.ppf(u, a, b, loc=variable.mean, scale=variable.sd)


def encode(value: Any) -> str:
    """A non-numeric parameter value as canonical JSON (the design stores it so)."""
    return json.dumps(value, sort_keys=True)


def sample_table(experiment: Experiment) -> pd.DataFrame:
    """One row per sample: ``sample_id``, a column per varied parameter, unit coordinates."""
    method = experiment.design.method
    columns: dict[str, Any] = {}
    if method == "grid":
        grids = [v.grid_values() for v in experiment.varied]
        points = list(itertools.product(*grids)) if grids else [()]
        for i, variable in enumerate(experiment.varied):
            columns[variable.name] = [p[i] for p in points]
        count = len(points)
    elif method == "list":
        runs = experiment.design.runs
        for name in experiment.variable_names:
            columns[name] = [
                run.get(name, experiment.fixed.get(name, _default(name))) for run in runs
            ]
        if any("label" in run for run in runs):
            columns["label"] = [str(run.get("label", i)) for i, run in enumerate(runs)]
        count = len(runs)
    else:
        units = unit_samples(experiment)
        for i, variable in enumerate(experiment.varied):
            columns[variable.name] = values_from_unit(variable, units[:, i])
            _check_drawn(experiment, variable, columns[variable.name])
        for i, variable in enumerate(experiment.varied):
            columns[f"u:{variable.name}"] = units[:, i]
        count = len(units)
    table = pd.DataFrame({"sample_id": np.arange(count, dtype=np.int64)})
    for name, values in columns.items():
        numeric = all(
            isinstance(v, int | float | np.floating) and not isinstance(v, bool) for v in values
        )
        if name == "label" or name.startswith("u:"):
            table[name] = values
        elif numeric:
            table[name] = np.asarray(values, dtype=float)
        else:
            table[name] = [encode(v) for v in values]
    check_thresholds(experiment, table)
    return table


def _check_drawn(experiment: Experiment, variable: Variable, values) -> None:
    """Every value a distribution gives is finite and within its low-high range."""
    if variable.values is not None:
        return
    values = np.asarray(values, float)
    bad = ~np.isfinite(values) | (values < variable.low) | (values > variable.high)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        line = key_line(experiment.source, "varied", variable.name) if experiment.source else None
        where = f"{experiment.path}:{line}" if line else experiment.path
        raise ExperimentError(
            f"{where}: [varied] {variable.name}: the {variable.distribution} distribution "
            f"gives {values[i]!r} for sample {i}, outside [{variable.low}, {variable.high}]; "
            "check its parameters"
        )


def _default(name: str) -> Any:
    from model.parameters import BY_NAME

    return BY_NAME[name].default


def check_thresholds(experiment: Experiment, table: pd.DataFrame) -> None:
    """Varied tier cut-offs must keep low < high in every sample."""
    parts = [p for p in ("tier_thresholds.low", "tier_thresholds.high") if p in table]
    if not parts:
        return
    base = experiment.fixed.get("tier_thresholds", _default("tier_thresholds"))
    low = table.get("tier_thresholds.low", pd.Series(float(base[0]), index=table.index))
    high = table.get("tier_thresholds.high", pd.Series(float(base[1]), index=table.index))
    bad = np.flatnonzero(~(low.to_numpy() < high.to_numpy()))
    if bad.size:
        line = key_line(experiment.source, "varied", parts[0]) if experiment.source else None
        where = f"{experiment.path}:{line}" if line else experiment.path
        raise ExperimentError(
            f"{where}: [varied] {parts[0]}: sample {int(bad[0])} has tier_thresholds "
            f"({low.iloc[bad[0]]:g}, {high.iloc[bad[0]]:g}); the ranges must keep low < high"
        )


def spawn_seeds(root_seed: int, count: int) -> list[int]:
    """``count`` integer seeds spawned from one root seed (numpy SeedSequence): child k
    gives ``int(child.generate_state(1, uint64)[0])``; ``RegionModel(rng=seed)`` and the
    batched engine both build ``numpy.random.default_rng(seed)`` from it."""
    children = np.random.SeedSequence(root_seed).spawn(count)
    return [int(child.generate_state(1, np.uint64)[0]) for child in children]


def run_seeds(experiment: Experiment, samples: int) -> np.ndarray:
    """Seed of every run, shape (samples, replications) (with a posterior: (samples,
    draws * replications), draw-major), as documented in the module."""
    per_sample = experiment.posterior_draws * experiment.replications
    count = per_sample if experiment.common_random_numbers else samples * per_sample
    seeds = np.array(spawn_seeds(experiment.seed, count), dtype=np.uint64)
    if experiment.common_random_numbers:
        return np.broadcast_to(seeds, (samples, per_sample)).copy()
    return seeds.reshape(samples, per_sample)


def posterior_table(experiment: Experiment) -> pd.DataFrame:
    """One row per posterior draw: ``posterior_draw`` and a column per file column."""
    posterior = experiment.posterior
    table = pd.DataFrame({POSTERIOR_DRAW: np.arange(posterior.draws, dtype=np.int64)})
    values = np.asarray(posterior.rows, dtype=float).reshape(posterior.draws, -1)
    for i, column in enumerate(posterior.columns):
        table[column] = values[:, i]
    return table


def build_design(experiment: Experiment) -> pd.DataFrame:
    """The run table: ``run_id, sample_id, replicate, seed`` and every varied value (with a
    ``[posterior]``: ``posterior_draw`` and the draw's values after ``sample_id``)."""
    samples = sample_table(experiment)
    reps, draws = experiment.replications, experiment.posterior_draws
    seeds = run_seeds(experiment, len(samples))
    count = len(samples) * draws * reps
    runs = pd.DataFrame(
        {
            "run_id": np.arange(count, dtype=np.int64),
            "sample_id": np.repeat(samples["sample_id"].to_numpy(), draws * reps),
            "replicate": np.tile(np.arange(reps, dtype=np.int64), len(samples) * draws),
            "seed": seeds.reshape(-1),
        }
    )
    if experiment.posterior is None:
        return runs.merge(samples, on="sample_id", how="left", sort=False)
    runs.insert(2, POSTERIOR_DRAW, np.tile(np.repeat(np.arange(draws), reps), len(samples)))
    runs = runs.merge(samples, on="sample_id", how="left", sort=False)
    return runs.merge(posterior_table(experiment), on=POSTERIOR_DRAW, how="left", sort=False)
