"""What a manifest records about where results came from: versions, platform, git, hashes."""

from __future__ import annotations

import hashlib
import importlib.metadata
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
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
