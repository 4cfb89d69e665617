"""Findings: each claim of the essay behind the project tested with numbers and intervals.

One module per question, each with ``EXPERIMENTS`` (committed files in
``experiments/examples/``) and ``analyse(folder) -> Finding``; :func:`run_question` runs a
question's experiments through the sweep engine (resumable) and analyses them.

>>> from experiments.findings import run_question
>>> finding = run_question("open_weights", "results/findings-quick", quick=True)
>>> print(finding.markdown())

``latam-ai findings QUESTION [--quick]`` does the same from the command line and writes
tables (CSV), figures (PNG, SVG) and ``findings.md`` into ``<out>/<question>/``.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from experiments.findings.common import Finding, run_experiments

#: Question name -> module in this package, in the order of docs/FINDINGS.md.
QUESTIONS = {
    "open_weights": "open_weights",
    "peru": "peru",
    "window": "window",
    "consortium": "consortium",
    "emergence": "emergence",
    "drivers": "drivers",
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
    """Run a question's experiments into ``out/<question>/`` (resumable), analyse them and
    (with ``write``) write the tables, figures and markdown fragment there."""
    module = question_module(question)
    folder = Path(out or default_folder(quick)) / question
    run_experiments(module.EXPERIMENTS, folder, quick=quick, workers=workers, progress=progress)
    finding = module.analyse(folder)
    if write:
        finding.write(folder)
    return finding


__all__ = ["QUESTIONS", "Finding", "default_folder", "question_module", "run_question"]
