"""One self-contained HTML report of a results folder (``latam-ai run`` or ``latam-ai sweep``).

:func:`build_report` writes ``report.html``: the answer first (headline numbers and the key
figures), then mobility, then the other figures, the method, the parameters and the file
list at the end. The page is the Jinja2 template ``templates/report.html.j2``; figures
are embedded as base64 PNG and every one is also saved under ``figures/`` as PNG, SVG and
PDF. The report refers to no network address, so it opens offline. A figure that cannot
be drawn from the folder's data is replaced by a one-line note naming the error; the rest
of the report is built.

The package imports :mod:`figures` and :mod:`mobility` (and reads results with the
experiments library); it never imports the command line, and ``figures`` never imports it.
"""

from __future__ import annotations

from pathlib import Path

from reports.folder import REPORT_NAME, folder_kind
from reports.format import percent, significant
from reports.page import render_page
from reports.run import FAN_COUNTRIES, PARAMETERS_NAME, parameter_table, run_sections
from reports.sweep import (
    MOBILITY_METRICS,
    SENSITIVITY_METRICS,
    named_tiers,
    sweep_sections,
)

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
    "percent",
    "render_page",
    "run_sections",
    "significant",
    "sweep_sections",
]


def build_report(
    folder: str | Path,
    *,
    parameters: dict | None = None,
    mobility=None,
    out: str | Path | None = None,
) -> Path:
    """Write ``report.html`` (and its figures under ``figures/``) and return its path.

    ``out``: the folder to write into (default: the results folder itself).
    ``parameters`` (a run's validated parameters) are shown and saved as
    ``parameters.json`` in the results folder so a later rebuild shows them too;
    ``mobility`` (a :class:`mobility.MobilitySummary`, or the pair ``headline_mobility``
    returns) saves recomputing the mobility summary of a run folder.
    """
    folder = Path(folder)
    target = Path(out) if out is not None else folder
    target.mkdir(parents=True, exist_ok=True)
    figures_dir = target / "figures"
    if folder_kind(folder) == "run":
        title = "Headline run"
        sections = run_sections(folder, parameters, mobility, figures_dir=figures_dir)
    else:
        title, sections = "Parameter sweep", sweep_sections(folder, figures_dir=figures_dir)
    path = target / REPORT_NAME
    subtitle = f"latam-ai-abm results folder {folder.name}"
    path.write_text(render_page(f"latam-ai report: {title}", sections, subtitle), encoding="utf-8")
    return path
