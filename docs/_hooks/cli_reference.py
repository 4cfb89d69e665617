"""MkDocs hook: the CLI reference page (``cli.md``) written from the argparse parser at
every build, so that it never drifts from ``latam-ai --help``."""

from __future__ import annotations

import os

from mkdocs.structure.files import File

PAGE = "cli.md"


def cli_reference() -> str:
    """Markdown: ``latam-ai --help`` and every sub-command's ``--help``, verbatim."""
    os.environ["COLUMNS"] = "100"  # argparse wraps to the terminal; fix it for the page
    from experiments.cli import build_parser

    parser = build_parser()
    parser.prog = "latam-ai"
    lines = [
        "# Command-line reference",
        "",
        "Generated from the command's own argument parser at every build of this site "
        "(`latam-ai --help` and `latam-ai COMMAND --help` print the same).",
        "",
        "```text",
        parser.format_help().rstrip(),
        "```",
    ]
    choices = parser._subparsers._group_actions[0].choices
    for name, sub in choices.items():
        lines += ["", f"## latam-ai {name}", "", "```text", sub.format_help().rstrip(), "```"]
    return "\n".join(lines) + "\n"


def on_files(files, config):
    files.append(File.generated(config, PAGE, content=cli_reference()))
    return files
