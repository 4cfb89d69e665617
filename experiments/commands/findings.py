"""Test a claim of the essay behind the project: run its committed experiment(s), analyse.

QUESTION is one of open_weights, peru, window, consortium, emergence, drivers,
investment_share, or all.
The experiment files in experiments/examples/ run through the sweep engine into
OUT/QUESTION/runs-KEY/<experiment>/, KEY a short hash of the experiments, the model's and
the sweep engine's sources, the parameter defaults and the data: an interrupted run
resumes, a change to any of them runs afresh into a new folder (old ones are kept, never
reused). The analysis reads the folder just run and writes tables (CSV), figures (PNG
SVG and PDF) and findings.md (the markdown fragment of docs/FINDINGS.md) into OUT/QUESTION/
and prints the fragment.
--quick scales replications and samples down (for CI and the notebooks); every number in
docs/FINDINGS.md comes from a full-size run.

examples:
  latam-ai findings open_weights                  # full size, into results/findings/
  latam-ai findings peru --quick                  # small, into results/findings-quick/
  latam-ai findings all --workers 2
  latam-ai findings drivers -o results/findings --workers 2 --no-progress
"""

from __future__ import annotations

import argparse

from experiments.cli import UsageError
from experiments.commands.options import add_common_options, check_workers

HELP = "test the essay's claims: run a question's experiments and analyse them"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from experiments.findings import QUESTIONS

    parser.add_argument("question", metavar="QUESTION", help=f"{', '.join(QUESTIONS)} or all")
    parser.add_argument("--quick", action="store_true", help="scaled-down experiments (CI)")
    add_common_options(
        parser,
        out=(None, "default results/findings, or results/findings-quick"),
        workers=True,
    )


def main(args: argparse.Namespace) -> int:
    from experiments.findings import QUESTIONS, default_folder, run_question

    questions = list(QUESTIONS) if args.question == "all" else [args.question]
    if questions[0] not in QUESTIONS:
        raise UsageError(f"unknown question {args.question!r}; known: {', '.join(QUESTIONS)}, all")
    from sweeps.executors import stop_worker_server

    check_workers(args.workers)
    out = args.out or default_folder(args.quick)
    try:
        for question in questions:
            finding = run_question(
                question, out, quick=args.quick, workers=args.workers, progress=not args.no_progress
            )
            print(finding.markdown())
            print(f"\n(written to {out / question}/; sweeps in {finding.sweeps}/)\n")
    finally:
        stop_worker_server()  # the sweeps' workers are gone: nothing outlives the command
    return 0
