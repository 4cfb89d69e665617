"""Self-contained HTML pieces for reports: figures as base64 PNG (each also saved under
the results folder's ``figures/`` as PNG, SVG and PDF by :func:`figures.save`), tables,
sections, and the mobility block (tables and figures of a ``MobilitySummary``). The page
itself is the Jinja2 template ``reports/templates/report.html.j2``.

Nothing refers to a network address: images are ``data:`` URIs, the style sheet is inline
and links only point inside the page, so a report opens offline in any browser.
"""

from __future__ import annotations

import base64
import html
import io
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from figures.mobility import mobility_indices, transition_heatmap, window_hazard
from figures.style import TIER_ORDER, save
from mobility.window import T_STAR_DEFINITION
from reports.format import significant

if TYPE_CHECKING:
    from mobility import MobilitySummary


def figure_html(fig: Figure, caption: str, dpi: int = 110, png: Path | None = None) -> str:
    """A ``<figure>`` with the figure as an embedded PNG (base64) and a caption; closes the
    figure. With ``png`` (a file already saved), that file is embedded."""
    if png is not None:
        data = base64.b64encode(Path(png).read_bytes()).decode("ascii")
    else:
        buffer = io.BytesIO()
        try:
            fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
        finally:
            plt.close(fig)
        data = base64.b64encode(buffer.getvalue()).decode("ascii")
    text = html.escape(caption)
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{text}">'
        f"<figcaption>{text}</figcaption></figure>"
    )


def figure_name(caption: str) -> str:
    """A file name (no suffix) from a caption: lower case, words joined by underscores."""
    words = re.findall(r"[a-z0-9]+", caption.lower().replace("'s", ""))
    return "_".join(words)[:60] or "figure"


def _format(value) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return significant(value)
    return str(value)


def table_html(
    frame: pd.DataFrame, caption: str | None = None, max_rows: int = 60, index: bool = False
) -> str:
    """An HTML table of ``frame`` (numbers to 4 significant digits, at most ``max_rows``
    rows with a note of how many were left out); cells are escaped."""
    shown = frame.head(max_rows)
    body = shown.to_html(
        index=index, border=0, na_rep="", formatters=None, float_format=_format, escape=True
    )
    if caption:
        body = body.replace(">\n", f">\n<caption>{html.escape(caption)}</caption>\n", 1)
    note = ""
    if len(frame) > max_rows:
        note = paragraph(f"First {max_rows} of {len(frame)} rows.", "note")
    return f'<div class="scroll">{body}</div>{note}'


def pre_html(text: str) -> str:
    """Preformatted, escaped text (a summary or a TOML file)."""
    return f"<pre>{html.escape(text)}</pre>"


def paragraph(text: str, css_class: str | None = None) -> str:
    """An escaped paragraph, optionally with a class (``note``, ``error``)."""
    attribute = f' class="{css_class}"' if css_class else ""
    return f"<p{attribute}>{html.escape(text)}</p>"


def heading(text: str, level: int = 3) -> str:
    """An escaped heading (``<h3>`` by default; sections use ``<h2>``)."""
    return f"<h{level}>{html.escape(text)}</h{level}>"


class Section:
    """The body of one report section, built part by part. With ``figures_dir``, every
    figure is also saved there as PNG, SVG and PDF (its name from ``name=`` or the
    caption) and :attr:`saved` lists the files."""

    def __init__(self, figures_dir: Path | None = None) -> None:
        self.parts: list[str] = []
        self.figures_dir = figures_dir
        self.saved: list[Path] = []

    def figure(self, caption: str, draw: Callable, *args, name: str | None = None, **kwargs):
        """Draw a figure, save it (see the class) and embed it; on any error, a note
        instead of the figure."""
        try:
            fig = draw(*args, **kwargs)
            if self.figures_dir is None:
                self.parts.append(figure_html(fig, caption))
                return
            self.figures_dir.mkdir(parents=True, exist_ok=True)
            paths = [Path(p) for p in save(fig, self.figures_dir / (name or figure_name(caption)))]
            self.saved += paths
            self.parts.append(figure_html(fig, caption, png=paths[0]))
        except Exception as exc:  # noqa: BLE001 - one bad figure must not lose the report
            self.note(f"{caption}: could not be drawn ({type(exc).__name__}: {exc})", "error")

    def table(self, frame: pd.DataFrame, caption: str | None = None, **options) -> None:
        """A table (options as in :func:`table_html`)."""
        self.parts.append(table_html(frame, caption, **options))

    def note(self, text: str, css_class: str = "note") -> None:
        """A note in italics (or an error with ``css_class='error'``)."""
        self.parts.append(paragraph(text, css_class))

    def text(self, text: str) -> None:
        """A paragraph."""
        self.parts.append(paragraph(text))

    def pre(self, text: str) -> None:
        """Preformatted text."""
        self.parts.append(pre_html(text))

    def details(self, title: str, text: str) -> None:
        """Preformatted text folded under a clickable title (``<details>``)."""
        self.parts.append(
            f"<details><summary>{html.escape(title)}</summary>{pre_html(text)}</details>"
        )

    def heading(self, text: str) -> None:
        """A sub-heading (``<h3>``)."""
        self.parts.append(heading(text))

    def html(self) -> str:
        """The section's body as HTML."""
        return "\n".join(self.parts)


# -- the mobility block shared by run and sweep reports ------------------------------------


def with_intervals(frame: pd.DataFrame, value: str = "probability") -> pd.Series:
    """Cells "estimate [low, high]" from the columns ``value``, low and high."""
    return frame.apply(
        lambda r: f"{significant(r[value])} [{significant(r['low'])}, {significant(r['high'])}]",
        axis=1,
    )


def mobility_section(
    summary: MobilitySummary, section: Section | None = None, shock: str | None = None
) -> str:
    """Tables and figures of a :class:`mobility.MobilitySummary`: transition matrix (table
    and heatmap), indices (table and dot-and-whisker), the window (figure, t*, table)."""
    section = section if section is not None else Section()
    meta = summary.meta
    step = meta.get("months_per_step", 12)
    section.text(
        f"{meta['n_runs']} runs x {meta['n_periods']} months x {meta['n_countries']} "
        f"countries; one step = {step:g} months; tiers: {meta['classification']}; "
        f"uncertainty: {meta['uncertainty']}, {meta['level']:.0%} intervals."
    )
    section.heading("Transition matrix")
    cells = summary.transitions.assign(cell=with_intervals(summary.transitions))
    matrix = cells.pivot(index="from", columns="to", values="cell")
    order = [t for t in TIER_ORDER if t in matrix.index]
    section.table(
        matrix.reindex(index=order, columns=order).rename_axis(index="from \\ to"),
        "probability [interval]",
        index=True,
    )
    section.figure(
        "Transition matrix (annotated heatmap)",
        transition_heatmap,
        summary.transitions,
        step_months=step,
    )
    section.heading("Mobility indices")
    indices = summary.indices[summary.indices["measure"] != "mean_first_passage"]
    section.table(indices, "indices by tier classification (times in months)", max_rows=80)
    section.figure("Mobility indices with intervals", mobility_indices, summary.indices)
    section.heading("The window after the shock")
    closing = summary.window_closing
    if closing is None or summary.window.empty:
        section.note("No shock date: the window is not measured.")
        return section.html()
    section.text(
        f"Window-closing time t* = {closing.t_star:.1f} months [{closing.low:.1f}, "
        f"{closing.high:.1f}] (threshold {significant(closing.threshold)}); the window never "
        f"closes in {closing.share_never_closed:.1%} of bootstrap replicates (inf: not within "
        f"the horizon). {T_STAR_DEFINITION}"
    )
    section.figure(
        "Upward hazard by month since the shock, with t*",
        window_hazard,
        summary.window,
        closing,
        shock or meta.get("shock_date"),
    )
    shown = summary.window[summary.window["months_since_shock"].isin([0, 6, 12, 24, 36, 60])]
    section.table(shown, "upward hazard at selected months since the shock")
    return section.html()


def fragmentation_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Fragmentation measures at the first and last date, "estimate [low, high]"."""
    ends = frame[frame["date"].isin([frame["date"].min(), frame["date"].max()])]
    cells = ends.assign(
        cell=with_intervals(ends, "estimate"), month=ends["date"].dt.strftime("%Y-%m")
    )
    return cells.pivot(index=["variable", "dimension", "measure"], columns="month", values="cell")
