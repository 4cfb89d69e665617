"""Global sensitivity of a summary metric: Sobol and Morris indices through SALib.

Replications are averaged per sample first (the indices describe the expected outcome;
the replication noise would otherwise count as an unexplained share). Inputs are the unit
coordinates the design drew (``u:<name>``), so Morris effects are per full range of each
parameter and comparable across parameters.

* Sobol (Saltelli 2002; Saltelli et al. 2010): first-order ``S1`` and total-order ``ST``
  with bootstrap confidence intervals; needs a ``sobol`` design.
* Morris (1991), with ``mu_star`` of Campolongo et al. (2007); needs a ``morris`` design.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sweeps.results import Results, load_results


def _results(results_or_folder: Results | str | Path) -> Results:
    if isinstance(results_or_folder, Results):
        return results_or_folder
    return load_results(results_or_folder, trajectories=False)


def sample_means(results: Results, metric: str) -> np.ndarray:
    """The metric averaged over replications, one value per sample in design order."""
    if metric not in results.summaries.columns:
        known = [
            c
            for c in results.summaries.columns
            if c not in ("run_id", "sample_id", "replicate", "seed")
        ]
        raise ValueError(f"unknown metric {metric!r}; the results hold: {', '.join(known)}")
    samples = results.design["sample_id"].nunique()
    means = results.summaries.groupby("sample_id")[metric].mean()
    missing = samples - int(means.notna().sum())
    if missing:
        raise ValueError(
            f"metric {metric!r} is missing or NaN for {missing} of {samples} "
            "samples (failed runs or an event that never happens); the indices "
            "need every sample"
        )
    return means.sort_index().to_numpy(float)


def _problem(results: Results) -> dict:
    names = results.manifest["design"]["variables"]
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}


def _require(results: Results, method: str) -> None:
    found = results.manifest["design"]["method"]
    if found != method:
        raise ValueError(
            f"{method} indices need a {method} design; these results come from a {found} design"
        )


def sobol_indices(
    results_or_folder: Results | str | Path,
    metric: str,
    *,
    num_resamples: int = 100,
    conf_level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """First- and total-order Sobol indices of ``metric``, ranked by total order.

    Columns: parameter, S1, S1_conf, ST, ST_conf (``conf``: half-width of the
    ``conf_level`` bootstrap interval).
    """
    from SALib.analyze import sobol

    results = _results(results_or_folder)
    _require(results, "sobol")
    y = sample_means(results, metric)
    second = bool(results.manifest["design"]["second_order"])
    indices = sobol.analyze(
        _problem(results),
        y,
        calc_second_order=second,
        num_resamples=num_resamples,
        conf_level=conf_level,
        seed=seed + 1,  # SALib's Sobol analysis ignores a seed of 0 (unseeded intervals)
    )
    table = pd.DataFrame(
        {
            "parameter": _problem(results)["names"],
            **{k: indices[k] for k in ("S1", "S1_conf", "ST", "ST_conf")},
        }
    )
    return table.sort_values("ST", ascending=False, ignore_index=True)


def morris_indices(
    results_or_folder: Results | str | Path,
    metric: str,
    *,
    num_resamples: int = 100,
    conf_level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Morris elementary effects of ``metric`` (per full parameter range), ranked by mu_star.

    Columns: parameter, mu_star, mu_star_conf, mu, sigma.
    """
    from SALib.analyze import morris

    results = _results(results_or_folder)
    _require(results, "morris")
    y = sample_means(results, metric)
    problem = _problem(results)
    samples = results.design.drop_duplicates("sample_id").sort_values("sample_id")
    x = samples[[f"u:{name}" for name in problem["names"]]].to_numpy(float)
    indices = morris.analyze(
        problem,
        x,
        y,
        num_resamples=num_resamples,
        conf_level=conf_level,
        num_levels=int(results.manifest["design"]["levels"]),
        seed=seed,
    )
    table = pd.DataFrame(
        {
            "parameter": problem["names"],
            **{
                k: np.asarray(indices[k], float) for k in ("mu_star", "mu_star_conf", "mu", "sigma")
            },
        }
    )
    return table.sort_values("mu_star", ascending=False, ignore_index=True)


def sensitivity_figure(table: pd.DataFrame, metric: str):
    """Horizontal bars of the indices with their confidence intervals (a matplotlib Figure;
    :func:`figures.sensitivity.sensitivity_bars`)."""
    from figures.sensitivity import sensitivity_bars

    return sensitivity_bars(table, metric)


def analyse(
    folder: str | Path,
    metric: str,
    method: str | None = None,
    out: str | Path | None = None,
    **options,
) -> tuple[pd.DataFrame, Path, list[Path]]:
    """Indices of ``metric`` (method from the design unless given), written to
    ``<out>/sensitivity_<method>_<metric>.csv`` and the figure as ``.png``, ``.svg`` and
    ``.pdf`` (``out``: the results folder unless given); returns (table, csv, figures)."""
    from figures import save

    results = _results(folder)
    method = method or results.manifest["design"]["method"]
    if method not in ("sobol", "morris"):
        raise ValueError(f"method {method!r}: sensitivity needs a sobol or morris design")
    compute = sobol_indices if method == "sobol" else morris_indices
    table = compute(results, metric, **options)
    target = Path(out) if out is not None else Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    stem = target / f"sensitivity_{method}_{metric}"
    table.to_csv(stem.with_suffix(".csv"), index=False)
    figures = [Path(p) for p in save(sensitivity_figure(table, metric), stem)]
    return table, stem.with_suffix(".csv"), figures
