"""Shared machinery of the findings: running a question's experiments, statistics, outputs.

Every finding is computed from sweep results folders written by the sweep engine
(``sweeps``) from the committed experiment files in ``experiments/examples/``.
``--quick`` scales an experiment down in Python (fewer replications, samples or posterior
draws), never by a separate file, so the quick and the full run share every other setting.

Parameter uncertainty: an experiment file with a ``[posterior]`` section (``draws`` rows of
the calibration posterior, each crossed with every scenario; ``sweeps.spec_posterior``)
runs twice: as written ("parameters + noise", results with a ``posterior_draw`` column)
and as its noise-only twin ``<stem>_noise_only``: the section removed and every column of
the posterior fixed at its median (:func:`posterior_medians`), with ``draws x
replications`` replications (the same number of runs per scenario, so the two intervals
differ by the spread of the parameters only).
``uncertainty_pair`` loads both and ``two_intervals`` reports an outcome both ways
(:mod:`experiments.findings.uncertainty`).

Statistics (all over replications, the independent units):

* probabilities: Wilson score interval (Wilson 1927);
* spread of an outcome over replications: percentile interval (5th to 95th by default);
* a mean: percentile bootstrap interval over replications (Efron and Tibshirani 1993);
* scenario effects: paired differences, scenario minus counterfactual within the same
  replicate (common random numbers), with a bootstrap interval of the mean difference.
"""

from __future__ import annotations

import json
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
#: Replications of every experiment in quick mode (CI and notebooks).
QUICK_REPLICATIONS = 3
#: Saltelli base samples and Morris trajectories in quick mode.
QUICK_BASE_SAMPLES = 16
QUICK_TRAJECTORIES = 4
#: Posterior draws in quick mode (the full size is the ``draws`` of the file).
QUICK_DRAWS = 3
#: Name suffix of the noise-only twin of an experiment with a ``[posterior]`` section.
NOISE_ONLY = "_noise_only"
LEVEL = 0.95
N_BOOT = 2000


@dataclass
class Finding:
    """The answer to one question: markdown text, tables and figures."""

    question: str
    title: str
    text: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    #: The folder holding the sweeps the finding was computed from (set by run_question).
    sweeps: Path | None = None

    def write(self, folder: str | Path) -> list[Path]:
        """Write tables (CSV), figures (PNG and SVG) and ``findings.md`` into ``folder``."""
        from figures.style import save

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for name, table in self.tables.items():
            path = folder / f"{name}.csv"
            table.to_csv(path, index=False)
            written.append(path)
        for name, fig in self.figures.items():
            written += [Path(p) for p in save(fig, folder / name)]
        path = folder / "findings.md"
        path.write_text(self.markdown() + "\n", encoding="utf-8")
        return [*written, path]

    def markdown(self) -> str:
        """The markdown fragment: a heading and the text."""
        return f"## {self.title}\n\n{self.text.strip()}"


# ----------------------------------------------------------------------------- running


def experiment_path(name: str) -> Path:
    """The committed experiment file ``experiments/examples/<name>``."""
    return EXAMPLES / name


def scaled_experiment(path: str | Path, quick: bool, noise_only: bool = False):
    """The experiment of ``path``; with ``quick``, replications (and Saltelli base samples,
    Morris trajectories or posterior draws) scaled down; with ``noise_only``, its
    ``[posterior]`` section removed and its replications multiplied by the draws (the
    noise-only twin). The stored copy of the file says so."""
    from sweeps import experiment_from_dict

    path = Path(path)
    text = path.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    head = data.setdefault("experiment", {})
    changes = {}
    if quick:
        head["replications"] = min(int(head.get("replications", 1)), QUICK_REPLICATIONS)
        changes["replications"] = head["replications"]
        design = data.setdefault("design", {})
        if "base_samples" in design:
            design["base_samples"] = min(design["base_samples"], QUICK_BASE_SAMPLES)
        if design.get("method") == "morris":
            design["trajectories"] = min(design["trajectories"], QUICK_TRAJECTORIES)
        changes |= {k: design[k] for k in ("base_samples", "trajectories") if k in design}
        if "posterior" in data:
            data["posterior"]["draws"] = min(int(data["posterior"]["draws"]), QUICK_DRAWS)
            changes["posterior.draws"] = data["posterior"]["draws"]
    if noise_only and "posterior" in data:
        section = data.pop("posterior")
        draws = int(section["draws"])
        head["replications"] = int(head.get("replications", 1)) * draws
        head["name"] = f"{head.get('name', path.stem)}{NOISE_ONLY}"
        text = _without_table(text, "posterior")
        changes |= {"noise only: [posterior] removed, replications": head["replications"]}
        medians = posterior_medians(path, section)
        data.setdefault("fixed", {}).update(medians)
        changes |= {f"fixed {k} (posterior median)": f"{v:.6g}" for k, v in medians.items()}
    if changes:
        mode = "latam-ai findings" + (" --quick" if quick else "")
        listed = ", ".join(f"{k} = {v}" for k, v in changes.items())
        text = f"# {mode}: {listed}\n{text}"
    root = EXAMPLES.parents[1]
    shown = path.resolve().relative_to(root) if path.resolve().is_relative_to(root) else path
    return experiment_from_dict(data, text, str(shown))


def _without_table(text: str, table: str) -> str:
    """TOML text without the lines of ``[table]`` (up to the next table header)."""
    kept, inside = [], False
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped[1 : stripped.find("]")].strip() == table
        if not inside:
            kept.append(line)
    return "".join(kept)


def posterior_medians(path: Path, section: dict) -> dict[str, float]:
    """The median of each column of the posterior file a ``[posterior]`` section names
    (over all its rows; {} when the file does not exist, and the twin runs at the
    defaults): the parameters of the noise-only twin."""
    file = section_file(path, section)
    if not file.exists():
        return {}
    return {name: float(value) for name, value in pd.read_csv(file).median().items()}


def has_posterior(name: str) -> bool:
    """Whether the committed experiment file ``name`` has a ``[posterior]`` section."""
    return "posterior" in tomllib.loads(experiment_path(name).read_text(encoding="utf-8"))


def posterior_file(name: str) -> Path:
    """The posterior CSV that experiment file ``name``'s ``[posterior]`` section names (its
    ``file`` relative to the file, else the committed ``data/calibration/posterior.csv``)."""
    path = experiment_path(name)
    return section_file(path, tomllib.loads(path.read_text(encoding="utf-8"))["posterior"])


def section_file(path: Path, section: dict) -> Path:
    """The CSV a ``[posterior]`` section of the experiment file ``path`` names: its
    ``file`` relative to the experiment file, else the committed posterior."""
    from sweeps.spec_posterior import default_posterior_file

    return path.parent / section["file"] if "file" in section else default_posterior_file()


def results_folder(experiments: dict[str, Any], folder: str | Path) -> Path:
    """``folder/runs-<key>``: ``key`` is a short hash of the experiments (as run, so
    ``--quick`` counts), the model's and the sweep engine's sources, the parameter
    defaults and the data (:func:`sweeps.provenance.fingerprint`). Changing
    any of them gives a new folder (the old ones are kept, never reused)."""
    from sweeps.provenance import results_key, sha256_text

    keys = [[stem, results_key(experiment)] for stem, experiment in experiments.items()]
    return Path(folder) / f"runs-{sha256_text(json.dumps(keys))[:12]}"


def run_experiments(
    names: tuple[str, ...],
    folder: str | Path,
    *,
    quick: bool = False,
    workers: int | None = 1,
    progress: bool = False,
    twins: bool = True,
) -> Path:
    """Run each experiment file (by name in ``experiments/examples``) through the sweep
    engine into ``folder/runs-<key>/<stem>`` (:func:`results_folder`) and return
    ``folder/runs-<key>``. Resumable: with the same experiments, model and defaults the
    finished runs are kept; results computed from anything else are never reused.

    With ``twins``, an experiment with a ``[posterior]`` section also runs as its
    noise-only twin ``<stem>_noise_only`` (at the posterior medians), and alone when the
    posterior file is missing; without, such an experiment is skipped when its posterior
    is missing (the question has its own noise-only files; :func:`posterior_note`)."""
    from sweeps import run_experiment
    from sweeps.executors import make_executor

    experiments = {}
    for name in names:
        stem = Path(name).stem
        missing = has_posterior(name) and not posterior_file(name).exists()
        if missing:
            warnings.warn(
                f"{name}: the posterior {posterior_file(name)} does not exist (run `latam-ai "
                "calibrate`); " + ("running its noise-only twin alone" if twins else "not run"),
                stacklevel=2,
            )
            if twins:
                experiments[stem] = scaled_experiment(experiment_path(name), quick, noise_only=True)
            continue
        experiments[stem] = scaled_experiment(experiment_path(name), quick)
        if twins and has_posterior(name):
            twin = scaled_experiment(experiment_path(name), quick, noise_only=True)
            experiments[stem + NOISE_ONLY] = twin
    runs = results_folder(experiments, folder)
    for stem, experiment in experiments.items():
        with make_executor(workers, None) as executor:
            resume = (runs / stem / "manifest.json").exists()  # else a new sweep
            run_experiment(experiment, runs / stem, executor, resume=resume, progress=progress)
    return runs


def posterior_note(folder: str | Path, stem: str) -> str | None:
    """Why the parameters + noise results of ``stem`` are missing from ``folder`` (None
    when they are there): the text a finding prints in place of those intervals."""
    if (Path(folder) / stem / "manifest.json").exists():
        return None
    name = f"{stem}.toml"
    reason = (
        f"its posterior file {posterior_file(name).name} is not committed"
        if has_posterior(name) and not posterior_file(name).exists()
        else "no results in this folder"
    )
    return (
        f"Parameters + noise: `{name}` was not run ({reason}); only the noise-only "
        "intervals (default parameters) are given."
    )


def load(folder: str | Path, trajectories: bool = True):
    """``sweeps.load_results`` with JSON design columns decoded."""
    from sweeps import load_results

    results = load_results(folder, trajectories=trajectories)
    for column in results.design.columns:
        if results.design[column].dtype == object or str(results.design[column].dtype) == "str":
            results.design[column] = results.design[column].map(_decode)
    return results


def _decode(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except (ValueError, TypeError):
        return value


def provenance(results, command: str) -> str:
    """One markdown paragraph: command, experiment file, runs, replications, seeds."""
    manifest = results.manifest
    design = manifest["design"]
    quick = "--quick" in (results.folder / "experiment.toml").read_text(encoding="utf-8")
    git = manifest.get("git", {})
    commit = (git.get("commit") or "?")[:10] + (" (dirty)" if git.get("dirty") else "")
    posterior = design.get("posterior")
    sizes = f"{design['samples']} samples x {design['replications']} replications"
    if posterior:
        sizes = (
            f"{design['samples']} samples x {posterior['draws']} posterior draws of "
            f"`{Path(posterior['file']).name}` x {design['replications']} replications: "
            "parameters + noise"
        )
    elif manifest["experiment"].get("name", "").endswith(NOISE_ONLY):
        sizes += ": noise only, the twin of the [posterior] experiment"
    return (
        f"`{command}{' --quick' if quick else ''}` ran `{manifest['experiment']['path']}`: "
        f"{manifest['counts']['done']} runs ({sizes}), root seed {design['seed']}, common random "
        f"numbers {'on' if design['common_random_numbers'] else 'off'}, "
        f"{manifest['counts']['failed']} failed; code {commit}."
    )


def cube(
    trajectories: pd.DataFrame, column: str
) -> tuple[np.ndarray, np.ndarray, list, np.ndarray]:
    """A trajectory column as an array (runs, dates, countries) with run ids, dates, ISO3."""
    runs = np.sort(trajectories["run_id"].unique())
    dates = np.sort(trajectories["date"].unique())
    countries = sorted(trajectories["iso3"].astype(str).unique())
    frame = trajectories.sort_values(["run_id", "date", "iso3"], kind="stable")
    shape = (runs.size, dates.size, len(countries))
    if len(frame) != np.prod(shape):
        raise ValueError(f"trajectories are not a complete panel: {len(frame)} rows for {shape}")
    return frame[column].to_numpy(np.float64).reshape(shape), runs, countries, dates


# ----------------------------------------------------------------------------- statistics


def wilson(successes: float, trials: float, level: float = LEVEL) -> tuple[float, float, float]:
    """Proportion with its Wilson score interval (Wilson 1927): (p, low, high)."""
    if trials <= 0:
        return (np.nan, np.nan, np.nan)
    z = stats.norm.ppf(0.5 + level / 2)
    p = successes / trials
    centre = (p + z**2 / (2 * trials)) / (1 + z**2 / trials)
    half = z * np.sqrt(p * (1 - p) / trials + z**2 / (4 * trials**2)) / (1 + z**2 / trials)
    return (float(p), float(max(0.0, centre - half)), float(min(1.0, centre + half)))


def percentile(values: np.ndarray, level: float = 0.90) -> tuple[float, float]:
    """Equal-tailed percentile interval of ``values`` (NaN ignored)."""
    values = np.asarray(values, float)
    values = values[~np.isnan(values)]
    if values.size == 0:
        return (np.nan, np.nan)
    tail = 50 * (1 - level)
    return (float(np.percentile(values, tail)), float(np.percentile(values, 100 - tail)))


def bootstrap_mean(
    values: np.ndarray, level: float = LEVEL, n_boot: int = N_BOOT, seed: int = 0
) -> tuple[float, float, float]:
    """Mean over replications with its percentile bootstrap interval: (mean, low, high).
    ``values`` may be (replications,) or (replications, k) (intervals per column)."""
    values = np.asarray(values, float)
    valid = ~np.isnan(values)
    n = values.shape[0]
    if n == 0 or not valid.any():
        return (np.nan, np.nan, np.nan)
    mean = np.nanmean(values, axis=0)
    index = np.random.default_rng(seed).integers(0, n, size=(n_boot, n))
    with np.errstate(invalid="ignore"):
        replicates = np.nanmean(values[index], axis=1)
    tail = 50 * (1 - level)
    low, high = np.nanpercentile(replicates, [tail, 100 - tail], axis=0)
    return (mean, low, high) if values.ndim > 1 else (float(mean), float(low), float(high))


def paired_differences(
    table: pd.DataFrame, by: str, value: str, baseline: Any, level: float = LEVEL
) -> pd.DataFrame:
    """Scenario minus ``baseline`` of ``value`` within each replicate (common random
    numbers): per scenario the mean difference, its bootstrap interval, the 5-95%
    percentile range of the per-replicate differences and the share of replicates > 0."""
    wide = table.pivot_table(index="replicate", columns=by, values=value, aggfunc="mean")
    rows = []
    for scenario in wide.columns:
        diff = (wide[scenario] - wide[baseline]).to_numpy(float)
        mean, low, high = bootstrap_mean(diff, level)
        p05, p95 = percentile(diff)
        rows.append(
            {
                by: scenario,
                "metric": value,
                "mean_difference": mean,
                "low": low,
                "high": high,
                "p05": p05,
                "p95": p95,
                "share_positive": float(np.mean(diff[~np.isnan(diff)] > 0))
                if (~np.isnan(diff)).any()
                else np.nan,
                "replicates": int((~np.isnan(diff)).sum()),
            }
        )
    return pd.DataFrame(rows)


def fmt(value: float, digits: int = 2) -> str:
    """A number for the text (inf and NaN spelled out)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "n/a"
    if np.isinf(value):
        return "never" if value > 0 else "-inf"
    return f"{value:.{digits}f}"


def ci(mean: float, low: float, high: float, digits: int = 2) -> str:
    """``mean [low, high]`` for the text."""
    return f"{fmt(mean, digits)} [{fmt(low, digits)}, {fmt(high, digits)}]"
