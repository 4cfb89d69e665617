"""One self-contained HTML report of a results folder (``latam-ai run`` or ``latam-ai sweep``).

:func:`build_report` writes ``report.html`` into the folder: a summary, the experiment
(parameters or ``experiment.toml``), the manifest, figures embedded as base64 PNG, tables
as HTML and the mobility section (tables, transition heatmap, the window). It refers to
no network address, so it opens offline. A figure that cannot be drawn from the folder's
data is replaced by a one-line note naming the error; the rest of the report is built.

The sections come from :mod:`experiments.report_run` and :mod:`experiments.report_sweep`;
their names are importable from here too.
"""

from __future__ import annotations

from pathlib import Path

from experiments.report_folder import REPORT_NAME, folder_kind
from experiments.report_run import FAN_COUNTRIES, PARAMETERS_NAME, parameter_table, run_sections
from experiments.report_sweep import (
    MOBILITY_METRICS,
    SENSITIVITY_METRICS,
    named_tiers,
    sweep_sections,
)
from figures.html import page_html

__all__ = [
    "FAN_COUNTRIES",
    "MOBILITY_METRICS",
    "PARAMETERS_NAME",
    "REPORT_NAME",
    "SENSITIVITY_METRICS",
    "build_report",
    "folder_kind",
    "named_tiers",
    "parameter_table",
    "run_sections",
    "sweep_sections",
]


def build_report(folder: str | Path, *, parameters: dict | None = None, mobility=None) -> Path:
    """Write ``report.html`` into a results folder and return its path.

    ``parameters`` (a run's validated parameters) are shown and saved as
    ``parameters.json`` so a later rebuild shows them too; ``mobility`` (a
    :class:`mobility.MobilitySummary`, or the pair ``headline_mobility`` returns) saves
    recomputing the mobility summary of a run folder.
    """
    folder = Path(folder)
    if folder_kind(folder) == "run":
        title, sections = "Headline run", run_sections(folder, parameters, mobility)
    else:
        title, sections = "Parameter sweep", sweep_sections(folder)
    path = folder / REPORT_NAME
    subtitle = f"latam-ai-abm results folder {folder.name}"
    path.write_text(page_html(f"latam-ai report: {title}", sections, subtitle), encoding="utf-8")
    return path
