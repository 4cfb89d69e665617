"""Findings: each claim of the essay behind the project tested with numbers and intervals.

One module per question, each with ``EXPERIMENTS`` (committed files in
``experiments/examples/``) and ``analyse(folder) -> Finding``; :func:`run_question` runs a
question's experiments through the sweep engine into a folder named by a hash of the
experiments, the model and its defaults (resumable; stale results are never reused) and
analyses them.

>>> from experiments.findings import run_question
>>> finding = run_question("open_weights", "results/findings-quick", quick=True)
>>> print(finding.markdown())

``latam-ai findings QUESTION [--quick]`` does the same from the command line and writes
tables (CSV), figures (PNG, SVG) and ``findings.md`` into ``<out>/<question>/`` (the sweeps
in ``<out>/<question>/runs-<key>/``).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from experiments.findings.common import Finding


#: Question name -> module in this package, in the order of docs/FINDINGS.md.
QUESTIONS = {
    "open_weights": "open_weights",
    "peru": "peru",
    "demonstration": "demonstration",
    "window": "window",
    "consortium": "consortium",
    "emergence": "emergence",
    "drivers": "drivers",
    "investment_share": "investment_share",
}


def question_module(question: str):
    """The analysis module of a question; ValueError naming the known ones otherwise."""
    if question not in QUESTIONS:
        raise ValueError(f"unknown question {question!r}; known: {', '.join(QUESTIONS)}, all")
    return importlib.import_module(f"experiments.findings.{QUESTIONS[question]}")


def default_folder(quick: bool) -> Path:
    """``results/findings`` (full size) or ``results/findings-quick``."""
    return Path("results") / ("findings-quick" if quick else "findings")


def run_question(
    question: str,
    out: str | Path | None = None,
    *,
    quick: bool = False,
    workers: int | None = 1,
    progress: bool = False,
    write: bool = True,
) -> Finding:
    """Run a question's experiments into ``out/<question>/runs-<key>/`` (``key``: a short
    hash of the experiments, the model's sources, the parameter defaults and the data, so
    stale results are never reused and none is deleted; the same key resumes), analyse
    the sweeps just run and (with ``write``) write the tables, figures and markdown
    fragment into ``out/<question>/``."""
    from experiments.findings.common import run_experiments

    module = question_module(question)
    folder = Path(out or default_folder(quick)) / question
    runs = run_experiments(
        module.EXPERIMENTS,
        folder,
        quick=quick,
        workers=workers,
        progress=progress,
        twins=getattr(module, "NOISE_ONLY_TWINS", True),
    )
    finding = module.analyse(runs)
    finding.sweeps = runs
    if write:
        finding.write(folder)
    return finding


__all__ = ["QUESTIONS", "Finding", "default_folder", "question_module", "run_question"]


def __getattr__(name: str):
    if name == "Finding":  # imported on first use: the command line's help needs no scipy
        from experiments.findings.common import Finding

        return Finding
    raise AttributeError(f"module 'experiments.findings' has no attribute {name!r}")
