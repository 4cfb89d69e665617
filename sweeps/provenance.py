"""What a manifest records about where results came from: versions, platform, git, hashes."""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.metadata
import json
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEPENDENCIES = (
    "numpy",
    "pandas",
    "scipy",
    "SALib",
    "mesa",
    "pyarrow",
    "dask",
    "distributed",
    "tqdm",
)
MODEL_SOURCES = ("model", "agents")


def package_version(name: str) -> str | None:
    """Installed version of a distribution, or None."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def git_state(root: Path = ROOT) -> dict[str, Any]:
    """Commit of the working tree and whether it has uncommitted changes (read-only git)."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(root), *args],
                capture_output=True,
                text=True,
                timeout=10,
                check=True,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip()

    status = git("status", "--porcelain")
    return {"commit": git("rev-parse", "HEAD"), "dirty": None if status is None else bool(status)}


def model_source_hash(root: Path = ROOT) -> str:
    """SHA-256 over the model's Python sources (path and content, in path order)."""
    digest = hashlib.sha256()
    for folder in MODEL_SOURCES:
        for path in sorted((root / folder).rglob("*.py")):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def sha256_text(text: str) -> str:
    """SHA-256 of a text."""
    return hashlib.sha256(text.encode()).hexdigest()


def design_hash(design: pd.DataFrame) -> str:
    """SHA-256 of the design's run ids, seeds and values (stable across processes)."""
    return hashlib.sha256(
        pd.util.hash_pandas_object(design, index=False).to_numpy().tobytes()
    ).hexdigest()


#: Sources outside model/ and agents/ that a run's results depend on: the batched engine,
#: the metrics (and the mobility package they use), the initial tables and the design.
ENGINE_SOURCES = (
    "mobility",
    "sweeps/design.py",
    "sweeps/engine.py",
    "sweeps/initial.py",
    "sweeps/metrics.py",
    "sweeps/moments.py",
)


def engine_source_hash(root: Path = ROOT) -> str:
    """SHA-256 over :data:`ENGINE_SOURCES` (path and content, in path order)."""
    digest = hashlib.sha256()
    for name in ENGINE_SOURCES:
        paths = [root / name] if name.endswith(".py") else sorted((root / name).rglob("*.py"))
        for path in paths:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def parameter_defaults_hash() -> str:
    """SHA-256 of every parameter's default (``model.parameters.PARAMETERS``)."""
    from model.parameters import PARAMETERS

    return _json_hash({p.name: p.default for p in PARAMETERS})


def data_hash() -> str:
    """SHA-256 over the vendored calibration data files (name and content, in name order)."""
    from model.data import data_dir

    digest = hashlib.sha256()
    for path in sorted(data_dir().glob("*.csv")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def canonical(value: Any) -> Any:
    """A JSON-able form of an experiment value that is equal exactly when the values are
    (dataclasses, mappings, sequences, numbers, strings, DataFrames)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return canonical(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in sorted(value.items(), key=lambda i: str(i[0]))}
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    if hasattr(value, "item") and not hasattr(value, "columns"):  # a numpy scalar
        value = value.item()
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, pd.DataFrame):
        return {
            "dataframe": design_hash(value.reset_index()),
            "columns": [str(c) for c in value.columns],
        }
    return f"{type(value).__name__}:{value}"


def _json_hash(value: Any) -> str:
    return sha256_text(json.dumps(canonical(value), sort_keys=True))


def experiment_tables(experiment) -> dict[str, Any]:
    """The settings of an experiment that determine its results, by TOML table, after
    validation (so formatting and comments do not count). The name, description and
    batch size do not change results and are left out."""
    return {
        "experiment": {
            "seed": experiment.seed,
            "replications": experiment.replications,
            "common_random_numbers": experiment.common_random_numbers,
        },
        "design": experiment.design,
        "fixed": experiment.fixed,
        "varied": experiment.varied,
        "outputs": experiment.outputs,
    }


def fingerprint(experiment) -> dict[str, Any]:
    """Hashes of everything a sweep's results depend on: the normalised experiment (per
    table and as a whole), the model's sources, the engine's and metrics' sources, the
    parameter defaults and the data."""
    tables = {name: _json_hash(value) for name, value in experiment_tables(experiment).items()}
    return {
        "experiment": _json_hash(tables),
        "tables": tables,
        "model_source": model_source_hash(),
        "engine_source": engine_source_hash(),
        "parameter_defaults": parameter_defaults_hash(),
        "data": data_hash(),
    }


def results_key(experiment, length: int = 12) -> str:
    """A short hash of :func:`fingerprint` (experiment, code, defaults, data): results
    computed under another key are stale for this experiment."""
    found = fingerprint(experiment)
    return _json_hash({k: v for k, v in found.items() if k != "tables"})[:length]


def environment() -> dict[str, Any]:
    """Tool, dependency, Python and platform versions, git state and the model hash."""
    return {
        "tool": {"name": "latam-ai-abm", "version": package_version("latam-ai-abm")},
        "dependencies": {name: package_version(name) for name in DEPENDENCIES},
        "python": sys.version,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "git": git_state(),
        "model_source_sha256": model_source_hash(),
    }
