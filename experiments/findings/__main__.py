"""``python -m experiments.findings QUESTION [--quick] [--out DIR] [--workers N]``: the same
as ``latam-ai findings`` (for a checkout whose ``latam-ai`` does not list the command)."""

from __future__ import annotations

import argparse
import sys

from experiments.cli import UsageError
from experiments.commands import findings


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run the findings command; exit code 2 on bad input."""
    parser = argparse.ArgumentParser(
        prog="latam-ai findings",
        description=findings.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    findings.add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return findings.main(args)
    except (UsageError, ValueError) as exc:
        print(f"latam-ai findings: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
