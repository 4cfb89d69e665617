"""Out-of-sample validation of the calibrated world model: never fitted (docs/ODD.md,
"Validation").

1. :func:`ilia2025_forecast`: from the 2024 start (September 2024), the model's ILIA 2025
   scores and tiers (October 2025, 19 countries), over posterior draws x replications, run
   through the sweep engine with a ``[posterior]`` table; against two forecasts known in
   September 2024: no change (ILIA 2025 = ILIA 2024) and no change plus the mean drift
   (the mean ILIA 2023 to 2024 change of the 12 countries of ILIA 2023).
2. :func:`ilia2024_forecast`: from the 2023 start (August 2023), ILIA 2024 for the 12
   countries of ILIA 2023, against no change. Partly in sample: the mean, spread and
   level correlation of these changes are calibration targets (the country-by-country
   scores are not).
3. :func:`allocation_holdout`: leave-one-country-out over the CSET panel for the
   allocation rule's PPML fit; each country's shares 2016-2024 predicted by the rule
   fitted without it, against the no-change share forecast (last year's share).

Scores: root mean square error (index points), Spearman rank correlation, share of
countries whose tier (``model.tiers`` cut-offs, applied to both) matches ILIA's.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from model.equations import classify_tiers
from model.world import world_data

#: ILIA 2025's publication month, the month the 2024-start forecast is read.
ILIA2025_MONTH = "2025-10"
#: Draws and replications of the full validation and of ``--quick``.
FULL = {"draws": 200, "replications": 20}
QUICK = {"draws": 10, "replications": 2}


def rank_correlation(forecast: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Spearman correlation over the last axis (no ties in ILIA scores)."""
    a = np.argsort(np.argsort(forecast, axis=-1), axis=-1).astype(float)
    b = np.argsort(np.argsort(observed, axis=-1), axis=-1).astype(float)
    a -= a.mean(axis=-1, keepdims=True)
    b -= b.mean(axis=-1, keepdims=True)
    return (a * b).sum(axis=-1) / np.sqrt((a * a).sum(axis=-1) * (b * b).sum(axis=-1))


def skill(forecast: np.ndarray, observed: np.ndarray) -> dict[str, np.ndarray]:
    """RMSE, rank correlation and tiers matched of forecasts (..., countries)."""
    return {
        "rmse": np.sqrt(((forecast - observed) ** 2).mean(axis=-1)),
        "rank_correlation": rank_correlation(forecast, observed),
        "tiers_matched": (classify_tiers(forecast) == classify_tiers(observed)).mean(axis=-1),
    }


def _row(name: str, values: dict[str, np.ndarray], runs: int) -> dict:
    row = {"forecast": name, "runs": runs}
    for key, value in values.items():
        value = np.atleast_1d(np.asarray(value, float))
        row[key] = float(value.mean())
        row[f"{key}_5%"] = float(np.quantile(value, 0.05))
        row[f"{key}_95%"] = float(np.quantile(value, 0.95))
    return row


def published(edition: int, countries: list[str]) -> np.ndarray:
    """Published ILIA overall scores of ``edition`` for ``countries``."""
    return world_data().ilia.loc[countries, edition].to_numpy(float)


def baselines_2025(countries: list[str]) -> dict[str, np.ndarray]:
    """The two simple forecasts of ILIA 2025 known in September 2024."""
    last = published(2024, countries)
    ilia = world_data().ilia
    twelve = ilia[2023].dropna().index.intersection(countries)
    drift = float((ilia.loc[twelve, 2024] - ilia.loc[twelve, 2023]).mean())
    return {"no change (ILIA 2024)": last, "no change + mean drift": last + drift}


def forecast_experiment(posterior: str | Path, draws: int, replications: int, seed: int):
    """The sweep of the 2024-start forecast: one scenario (the defaults, the release of
    August 2025) crossed with the first ``draws`` rows of ``posterior``."""
    from sweeps.spec import experiment_from_dict

    return experiment_from_dict(
        {
            "experiment": {"name": "validation_ilia2025", "seed": seed,
                           "replications": replications},
            "fixed": {"initial": "ilia2024", "end": ILIA2025_MONTH},
            "varied": {"open_weights_date": {"values": ["2025-08"]}},
            "posterior": {"file": str(Path(posterior).resolve()), "draws": draws},
        }
    )  # fmt: skip


def check_posterior(posterior: str | Path) -> None:
    """Validate every row of a posterior file (``sweeps.spec_posterior``); raises
    ``ExperimentError`` naming the file, line and column."""
    with Path(posterior).open(encoding="utf-8", errors="replace") as handle:
        rows = max(sum(1 for line in handle if line.strip()) - 1, 1)
    forecast_experiment(posterior, rows, 1, 0)


def ilia2025_forecast(posterior: str | Path, draws: int, replications: int, seed: int):
    """Skill of the 2024-start forecast of ILIA 2025 (19 countries) and of the baselines;
    the model's rows give the mean and 5-95% range over draws x replications."""
    from sweeps.design import build_design
    from sweeps.engine import simulate

    experiment = forecast_experiment(posterior, draws, replications, seed)
    design = build_design(experiment)
    history = simulate(experiment, design)
    end = history.snapshots[len(history.months) - 1]
    countries = list(history.countries)
    observed = published(2025, countries)
    model = skill(end["score"], observed)
    rows = [_row("calibrated model (posterior x noise)", model, len(design))]
    by_draw = pd.DataFrame(model).groupby(design["posterior_draw"].to_numpy()).mean()
    rows.append(_row("calibrated model, mean per draw", {c: by_draw[c] for c in by_draw}, draws))
    for name, forecast in baselines_2025(countries).items():
        rows.append(_row(name, skill(forecast, observed), 1))
    return pd.DataFrame(rows), pd.DataFrame(
        {
            "iso3": countries,
            "ilia2024": published(2024, countries),
            "ilia2025": observed,
            "model_median": np.median(end["score"], axis=0),
            "model_5%": np.quantile(end["score"], 0.05, axis=0),
            "model_95%": np.quantile(end["score"], 0.95, axis=0),
        }
    )


def ilia2024_forecast(draws: pd.DataFrame, replications: int, seed: int) -> pd.DataFrame:
    """Skill of the 2023-start forecast of ILIA 2024 (the 12 countries of ILIA 2023)."""
    from experiments.calibration import base_parameters, validated_runs
    from experiments.calibration_targets import ILIA2024_MONTH, ilia2023_countries
    from model.builder import build_batch
    from model.kernel import run_kernel
    from sweeps.design import spawn_seeds

    base = base_parameters(end=ILIA2024_MONTH)
    sets = [row for row in draws.to_dict("records") for _ in range(replications)]
    seeds = spawn_seeds(seed, len(sets))
    twelve = list(ilia2023_countries())
    observed = published(2024, twelve)
    scores = []
    for start in range(0, len(sets), 1000):
        runs = validated_runs(base, sets[start : start + 1000], "validation")
        with warnings.catch_warnings():  # the release (2025-08) is after this run's end
            warnings.simplefilter("ignore", UserWarning)
            batch = build_batch(runs, seeds[start : start + 1000])
        last = len(batch.months) - 1
        history = run_kernel(batch, (last,))
        index = pd.Index(batch.countries).get_indexer(twelve)
        scores.append(history.snapshots[last]["score"][:, index])
    model = skill(np.concatenate(scores), observed)
    return pd.DataFrame(
        [
            _row("calibrated model (posterior x noise)", model, len(sets)),
            _row("no change (ILIA 2023)", skill(published(2023, twelve), observed), 1),
        ]
    )


def out_of_fold_shares(investment: np.ndarray, regressors: np.ndarray) -> np.ndarray:
    """Each country's share by the allocation rule fitted without that country's
    investment (``investment``: years x countries; ``regressors``: countries x k)."""
    from model.world import fit_ppml

    n = investment.shape[1]
    predicted = np.empty(n)
    for i in range(n):
        keep = np.arange(n) != i
        beta, _ = fit_ppml(investment[:, keep], regressors[keep])
        weights = np.exp(regressors @ beta)
        predicted[i] = weights[i] / weights.sum()
    return predicted


def allocation_holdout() -> pd.DataFrame:
    """Leave-one-country-out prediction of CSET country shares 2016-2024 by the allocation
    rule (PPML fitted without the country) against the no-change share forecast.

    The rule's share of country i in year t is w_i / sum_j w_j with
    w = gdp^b (research / 100)^alpha (every country's covariates are known; only i's
    investment is held out). Errors over all country-years: RMSE and mean absolute error of
    shares in percentage points, and the same without the United States and China.
    """
    from model.world import allocation_regressors

    parts = world_data()
    investment = parts.investment
    shares = investment / investment.sum(axis=1, keepdims=True)
    predicted = out_of_fold_shares(investment, allocation_regressors(parts.table))
    rule = np.broadcast_to(predicted, shares[1:].shape)
    no_change = shares[:-1]
    observed = shares[1:]
    iso3 = parts.table["iso3"].to_numpy()
    small = ~np.isin(iso3, ["USA", "CHN"])
    rows = []
    for name, forecast in (("allocation rule, out of fold", rule), ("no change", no_change)):
        error = (forecast - observed) * 100
        rows.append(
            {
                "forecast": name,
                "rmse_pp": float(np.sqrt((error**2).mean())),
                "mae_pp": float(np.abs(error).mean()),
                "rmse_pp_without_usa_china": float(np.sqrt((error[:, small] ** 2).mean())),
                "mae_pp_without_usa_china": float(np.abs(error[:, small]).mean()),
                "country_years": int(error.size),
            }
        )
    return pd.DataFrame(rows)
