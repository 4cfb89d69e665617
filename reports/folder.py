"""What kind of results folder a report is built from, and the report's file name."""

from __future__ import annotations

from pathlib import Path

REPORT_NAME = "report.html"


def folder_kind(folder: str | Path) -> str:
    """``"sweep"`` (manifest.json and design.parquet), ``"run"`` (agents.parquet) or an error."""
    folder = Path(folder)
    if (folder / "manifest.json").exists() and (folder / "design.parquet").exists():
        return "sweep"
    if (folder / "agents.parquet").exists():
        return "run"
    raise FileNotFoundError(
        f"{folder}: not a results folder (expected agents.parquet from "
        "latam-ai run, or manifest.json and design.parquet from latam-ai "
        "sweep)"
    )
