"""Calibration of the world model: SMC-ABC (pyabc) on data dated up to 2024 plus the
H1-2025 usage vintage (docs/ODD.md, "Calibration").

Every particle is one run from August 2023 (ILIA 2023's month) to December 2025 over the
whole world; the runs of a population go through the batched kernel together
(``model.builder.build_batch`` + ``model.kernel.run_kernel``). The targets and their
statistics are in :mod:`experiments.calibration_targets`; the SMC machinery in
:mod:`experiments.smc`. Later observations (ILIA 2025, usage after H1 2025, investment
after 2024) are never used here: :mod:`experiments.validation` holds them out.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from experiments.calibration_targets import (
    CALIBRATION_END,
    CALIBRATION_START,
    simulated_statistics,
    targets,
)
from experiments.smc import Prior, SMCResult, smc_abc

#: The free parameters and their uniform priors (each inside its declared range).
PRIORS: tuple[Prior, ...] = (
    Prior("capital_concentration", 2.0, 10.0,
          "around the PPML estimate 6.75 (model.world.allocation_fit), +-3.25"),
    Prior("size_elasticity", 0.3, 1.0, "around the PPML estimate 0.65"),
    Prior("investment_noise", 0.1, 1.5, "from near-smooth to deal-by-deal lumpiness"),
    Prior("research_capital_gain", 0.0, 1.0, "the declared range"),
    Prior("research_depreciation", 0.0, 0.5, "the declared range"),
    Prior("enabling_capital_gain", 0.0, 1.0, "the declared range"),
    Prior("enabling_depreciation", 0.0, 0.5, "the declared range"),
    Prior("governance_speed", 0.0, 1.5, "half the declared range (3 per year is a jump)"),
    Prior("bass_imitation", 0.0, 1.5, "0 to about four times the Sultan et al. mean 0.38"),
    Prior("adoption_headroom_share", 0.0, 1.0, "the declared range"),
    Prior("frontier_absorption_gain", 0.0, 0.3, "0 to six times the default 0.05"),
)  # fmt: skip
#: Runs per kernel call (memory: runs x 29 months x 187 countries x 8 float32 fields).
CHUNK = 500
#: Sizes of the full calibration and of ``--quick``.
FULL = {"population": 1000, "generations": 8, "draws": 1000}
QUICK = {"population": 60, "generations": 2, "draws": 60}


@functools.lru_cache(maxsize=1)
def start_table() -> pd.DataFrame:
    """The world start state with ILIA 2023 scores as the measurement offsets of the 12
    countries ILIA 2023 scored (the vendored state is dated 2024: no earlier vintage of
    the readiness pillars, usage or capital is vendored; docs/ODD.md)."""
    from model.world import world_data, world_table

    table = world_table("ilia2024").copy()
    table["ilia_score"] = world_data().ilia[2023].reindex(table["iso3"]).to_numpy()
    return table


def base_parameters(**extra) -> dict:
    """The calibration runs' fixed settings: the 2023 start, the world in focus."""
    return {
        "initial": start_table(),
        "start": CALIBRATION_START,
        "end": CALIBRATION_END,
        "focus": "world",
        **extra,
    }


def validated_runs(base: dict, parameter_sets: list[dict[str, float]], origin: str) -> list:
    """Each parameter set over the validated ``base`` (validated once: the start table's
    checks are not repeated per run), its own values validated one by one."""
    from model.parameters import validate_parameters, validate_value

    fixed = validate_parameters(base, origin)
    return [
        fixed | {name: validate_value(name, value, origin) for name, value in p.items()}
        for p in parameter_sets
    ]


def simulate_world(parameter_sets: list[dict[str, float]], seeds: list[int]) -> dict:
    """Statistics of the calibration targets for each parameter set (one run each)."""
    from model.builder import build_batch
    from model.kernel import run_kernel

    base = base_parameters()
    parts: list[dict[str, np.ndarray]] = []
    for start in range(0, len(parameter_sets), CHUNK):
        chunk = parameter_sets[start : start + CHUNK]
        runs = validated_runs(base, chunk, "calibration")
        batch = build_batch(runs, seeds[start : start + CHUNK])
        months = np.arange(len(batch.months))
        history = run_kernel(batch, (), np.arange(len(runs)), months)
        parts.append(simulated_statistics(batch.months, batch.countries, history.trajectories))
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


@dataclass
class Calibration:
    """A calibration's posterior, its generations and its predictive checks."""

    result: SMCResult
    draws: pd.DataFrame  # equal-weight posterior draws, one column per parameter
    predictive: pd.DataFrame  # statistics of posterior predictive runs, one row per run
    seed: int

    def identification(self) -> pd.DataFrame:
        """Per parameter: prior range, posterior median and 90% interval, and posterior sd
        over prior sd (near 1: the data do not identify it)."""
        rows = []
        for prior in self.result.priors:
            values = self.draws[prior.name]
            ratio = values.std(ddof=1) / prior.sd
            rows.append(
                {
                    "parameter": prior.name,
                    "prior": f"U({prior.low:g}, {prior.high:g})",
                    "posterior_median": values.median(),
                    "posterior_5%": values.quantile(0.05),
                    "posterior_95%": values.quantile(0.95),
                    "sd_ratio": ratio,
                    "identified": identification_label(ratio),
                }
            )
        return pd.DataFrame(rows)

    def checks(self) -> pd.DataFrame:
        """Per target: observed value, tolerance, posterior predictive median and 5-95%
        interval, and whether the observation falls inside it."""
        rows = []
        for target in targets():
            values = self.predictive[target.name].dropna()
            low, high = values.quantile(0.05), values.quantile(0.95)
            rows.append(
                {
                    "target": target.name,
                    "observed": target.value,
                    "tolerance": target.tolerance,
                    "predictive_median": values.median(),
                    "predictive_5%": low,
                    "predictive_95%": high,
                    "inside": bool(low <= target.value <= high),
                }
            )
        return pd.DataFrame(rows)


#: Posterior sd / prior sd below which a parameter counts as identified, and above which
#: it counts as not identified (an assumption the data leave open).
IDENTIFIED, UNIDENTIFIED = 0.5, 0.8


def identification_label(ratio: float) -> str:
    """'yes' (sd ratio < 0.5), 'weakly' (0.5 to 0.8) or 'no' (>= 0.8)."""
    if ratio < IDENTIFIED:
        return "yes"
    return "weakly" if ratio < UNIDENTIFIED else "no"


def calibrate(
    seed: int = 20231101,
    population: int = FULL["population"],
    generations: int = FULL["generations"],
    draws: int = FULL["draws"],
    predictive_runs: int | None = None,
) -> Calibration:
    """Run the SMC-ABC calibration, resample ``draws`` equal-weight draws, and simulate one
    posterior predictive run per draw (``predictive_runs`` of them, default ``draws``)."""
    found = targets()
    result = smc_abc(
        simulate_world,
        PRIORS,
        {t.name: t.value for t in found},
        {t.name: t.tolerance for t in found},
        population=population,
        generations=generations,
        seed=seed,
    )
    sample = result.equal_weight_draws(draws, seed)
    runs = predictive_runs or draws
    chosen = sample.iloc[np.arange(runs) % len(sample)]
    from sweeps.design import spawn_seeds

    stats = simulate_world(chosen.to_dict("records"), spawn_seeds(seed + 1, runs))
    return Calibration(result, sample, pd.DataFrame(stats), seed)
