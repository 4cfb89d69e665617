"""Open the interactive dashboard in the browser.

Runs ``solara run app.py`` on the dashboard of this repository (``dashboard/``): every model
parameter by group, the policy of Peru and of any other country, scenario files; Restart,
Play/Pause and Step; charts drawn in the browser (Vega-Lite), a world map, a paired
difference of a policy and a country table.

The page's front end (Solara's JavaScript, CSS and fonts, Vega) and the world map ship with
the repository (``dashboard/assets``): the dashboard needs no network and no install step.
SIGINT (Ctrl-C) and SIGTERM stop the server and its solara process.

examples:
  latam-ai viz                              # http://localhost:8765
  latam-ai viz --port 8800 --host 0.0.0.0   # reachable from other machines
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
from pathlib import Path

from experiments.cli import UsageError

HELP = "open the interactive dashboard (controls, live charts, world map; works offline)"
#: The dashboard, relative to the repository root (the parent of the experiments package).
APP_FILE = "app.py"
STOP_SECONDS = 10
#: The signals that stop the dashboard (Ctrl-C, a service manager's stop).
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class _Stop(Exception):
    """A signal asked the dashboard to stop."""


def app_path() -> Path:
    """The dashboard file of this checkout, found next to the ``experiments`` package."""
    import experiments

    path = Path(experiments.__file__).resolve().parent.parent / APP_FILE
    if not path.is_file():
        raise UsageError(
            f"the dashboard {APP_FILE} was not found at {path}; `latam-ai viz` runs from a "
            "checkout of the repository (installed with `uv run` or `pip install -e .`)"
        )
    return path


def solara_command(app: Path, port: int, host: str, production: bool = True) -> list[str]:
    """The command line that serves ``app`` with this Python's Solara."""
    command = [
        sys.executable,
        "-m",
        "solara",
        "run",
        str(app),
        "--port",
        str(port),
        "--host",
        host,
        "--no-open",
    ]
    return command + (["--production"] if production else [])


def serve(command: list[str], cwd: Path) -> int:
    """Run the solara server until it exits, or until SIGINT or SIGTERM: then stop it
    (terminate, and kill if it has not gone after ``STOP_SECONDS``) and return 0."""

    def stop(signum, _frame):
        raise _Stop(signum)

    # both handled explicitly: a SIGINT ignored by whoever started us (a shell's background
    # job, a test runner) leaves Python without its KeyboardInterrupt
    previous = {number: signal.signal(number, stop) for number in STOP_SIGNALS}
    process = subprocess.Popen(command, cwd=cwd)
    try:
        return process.wait()
    except (KeyboardInterrupt, _Stop):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        process.terminate()
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        return 0
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8765, help="port to serve on (default 8765)")
    parser.add_argument(
        "--host", default="localhost", help="host to listen on (default localhost; 0.0.0.0 for all)"
    )
    parser.add_argument(
        "--install-assets",
        action="store_true",
        help="no longer needed (the front end ships with the repository); kept as a no-op",
    )
    parser.add_argument(
        "--dev", action="store_true", help="development mode: reload when the code changes"
    )


def main(args: argparse.Namespace) -> int:
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: must be between 0 and 65535")
    app = app_path()
    if args.install_assets:
        print(
            "note: --install-assets is no longer needed: the front end ships with the "
            "repository (dashboard/assets)",
            file=sys.stderr,
        )
    print(f"Serving the dashboard at http://{args.host}:{args.port} (Ctrl-C stops it)")
    return serve(solara_command(app, args.port, args.host, production=not args.dev), app.parent)
