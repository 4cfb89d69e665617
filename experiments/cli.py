"""The ``latam-ai`` command: a thin shell over the library's functions.

Each sub-command lives in ``experiments/commands/<name>.py`` and provides ``HELP`` (one
line), ``add_arguments(parser)`` and ``main(args) -> int``. Bad input exits with code 2
and one clear message (:class:`UsageError`). The options every command shares
(``-o/--out``, ``--workers``, ``--quiet``, ``--verbose``, ``--no-progress``) are declared
once, in :mod:`experiments.commands.options`.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import logging
import sys
import time

COMMANDS = ("run", "mobility", "sweep", "sensitivity", "calibrate", "findings", "report", "viz")


class UsageError(Exception):
    """Bad input from the command line or an input file: exit code 2, one message."""


def available_commands() -> dict[str, object]:
    """The sub-command modules that are present."""
    found = {}
    for name in COMMANDS:
        try:
            found[name] = importlib.import_module(f"experiments.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"experiments.commands.{name}":
                raise
    return found


def version() -> str:
    """The installed package's version (its metadata), or "unknown" outside an install."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as metadata_version

    try:
        return metadata_version("latam-ai-abm")
    except PackageNotFoundError:
        return "unknown (not installed)"


class VersionAction(argparse.Action):
    """``--version``: the version is looked up only when asked (package metadata is slow to
    import, and every other use of the command line would pay for it)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, **kwargs):
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"{parser.prog} {version()}")  # on standard output, as argparse's own action
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="latam-ai",
        description="Agent-based model of the Latin American AI economy (ILIA countries).",
    )
    parser.add_argument("--version", action=VersionAction)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in available_commands().items():
        sub = subparsers.add_parser(
            name,
            help=module.HELP,
            description=module.__doc__,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(sub)
        sub.set_defaults(handler=module.main)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        parser = build_parser()  # imports the commands (a Ctrl-C may come while it does)
    except KeyboardInterrupt:
        print("latam-ai: interrupted", file=sys.stderr)
        return 130
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    quiet, verbose = getattr(args, "quiet", False), getattr(args, "verbose", False)
    if quiet:
        args.no_progress = True
    if verbose:
        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    began = time.perf_counter()
    try:
        with contextlib.redirect_stdout(io.StringIO()) if quiet else contextlib.nullcontext():
            code = int(args.handler(args) or 0)
    except (UsageError, ValueError) as exc:
        print(f"latam-ai {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # before a command's own handler is in place: one line
        print(
            f"latam-ai {args.command}: interrupted",
            file=sys.stderr,
        )
        return 130
    if verbose:
        elapsed = time.perf_counter() - began
        print(f"latam-ai {args.command}: done in {elapsed:.1f} s", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
