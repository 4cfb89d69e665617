"""The options every ``latam-ai`` command shares, declared once.

``add_common_options`` gives a sub-command ``--quiet``, ``--verbose`` and ``--no-progress``
and, when asked, ``-o/--out`` and ``--workers``; :func:`experiments.cli.main` applies
``--quiet`` (no progress bar and no output but errors and warnings on stderr) and
``--verbose`` (progress messages of the library's loggers on stderr, and the time taken).
"""

from __future__ import annotations

import argparse
from pathlib import Path

#: ``--workers`` when not given: every core this process may use (1 runs in this process).
DEFAULT_WORKERS = None
WORKERS_HELP = "worker processes (default: all cores; 1 runs in this process)"


def folder(text: str) -> Path:
    """An output folder named on the command line (an empty name is refused, not '.')."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"--out {text!r}: must name a folder")
    return Path(text)


def add_out(parser: argparse.ArgumentParser, default: Path | None, where: str) -> None:
    """``-o/--out DIR``: the folder the command writes into; ``where`` says the default."""
    parser.add_argument(
        "-o", "--out", type=folder, default=default, metavar="DIR", help=f"output folder ({where})"
    )


def add_workers(parser, extra_help: str = "") -> None:
    """``--workers N`` with the one default of every command (:data:`DEFAULT_WORKERS`)."""
    parser.add_argument(
        "--workers", type=int, default=DEFAULT_WORKERS, help=WORKERS_HELP + extra_help
    )


def add_common_options(
    parser: argparse.ArgumentParser,
    *,
    out: tuple[Path | None, str] | None = None,
    workers: bool = False,
) -> None:
    """``--quiet``, ``--verbose``, ``--no-progress`` and, if given, ``-o/--out`` (``out`` is
    (default, help text for the default)) and ``--workers``."""
    if out is not None:
        add_out(parser, *out)
    if workers:
        add_workers(parser)
    group = parser.add_argument_group("output")
    loudness = group.add_mutually_exclusive_group()
    loudness.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing but errors and warnings"
    )
    loudness.add_argument(
        "-v", "--verbose", action="store_true", help="also print progress messages and timings"
    )
    group.add_argument(
        "--no-progress", action="store_true", help="no progress bar (implied by --quiet)"
    )


def check_workers(workers: int | None) -> None:
    """A ``--workers`` value must be at least 1."""
    from experiments.cli import UsageError

    if workers is not None and workers < 1:
        raise UsageError(f"--workers {workers}: must be at least 1 (default: all cores)")
