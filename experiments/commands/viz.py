"""Open the interactive dashboard (Mesa SolaraViz) in the browser.

Runs ``solara run app.py`` on the dashboard of this repository: sliders and selects for
the open-weights release, capital concentration, tier cut-offs, the policies of Peru and
four other countries and the seed; Reset, play/pause and Step; live plots of the scores,
tier counts, capital shares, a tile map of the tiers and a country table.

Solara's page loads its front end (JavaScript, CSS, fonts) through the server, which
fetches it once from a public CDN and caches it. On a machine that cannot reach the CDN,
``--install-assets`` first puts those files into Solara's cache from the npm registry
(it needs ``npm``).

examples:
  latam-ai viz                              # http://localhost:8765
  latam-ai viz --port 8800 --host 0.0.0.0   # reachable from other machines
  latam-ai viz --install-assets             # offline machine: cache Solara's front end
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from experiments.cli import UsageError

HELP = "open the interactive dashboard (SolaraViz: controls, live plots, tile map)"
#: The dashboard, relative to the repository root (the parent of the experiments package).
APP_FILE = "app.py"
FONT_AWESOME = "font-awesome@4.5.0"


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


def frontend_packages() -> list[str]:
    """The npm packages (``name@version``) that Solara's page template loads from the CDN,
    for the Vuetify generation that is installed (read from Solara's own template)."""
    import solara.server
    from solara.server import settings
    from solara.widgets.widgets import IPYVUETIFY_V3

    template = Path(solara.server.__file__).parent / "templates" / "solara.html.j2"
    found = re.findall(r"\{\{cdn\}\}/((?:@[\w.-]+/)?[\w.-]+@[\w.-]+)/", template.read_text())
    app = "solara-vuetify3-app@" if IPYVUETIFY_V3 else "solara-vuetify-app@"
    packages = [p for p in dict.fromkeys(found) if "solara-vuetify" not in p or app in p]
    if settings.assets.fontawesome_enabled:
        packages.append(settings.assets.fontawesome_path.strip("/").split("/")[0])
    return packages


def asset_cache() -> Path:
    """Solara's cache of CDN files (``SOLARA_ASSETS_PROXY_CACHE_DIR``, default under the
    Python environment)."""
    from solara.server import settings

    return Path(settings.assets.proxy_cache_dir)


def missing_frontend_packages(cache: Path | None = None) -> list[str]:
    """The front-end packages not yet in Solara's cache."""
    cache = cache or asset_cache()
    return [p for p in frontend_packages() if not (cache / p / "package.json").is_file()]


def install_frontend_assets(cache: Path | None = None, npm: str = "npm") -> list[str]:
    """Put Solara's front-end packages into its cache from the npm registry (``npm pack``),
    so that the dashboard loads with no access to the CDN. Returns the packages installed
    (none when all were cached). Raises ``UsageError`` if npm is missing or fails."""
    cache = cache or asset_cache()
    missing = missing_frontend_packages(cache)
    if not missing:
        return []
    executable = shutil.which(npm)
    if executable is None:
        raise UsageError(f"{npm!r} was not found; it is needed to fetch {', '.join(missing)}")
    with tempfile.TemporaryDirectory() as folder:
        for package in missing:
            result = subprocess.run(
                [executable, "pack", package, "--pack-destination", folder, "--silent"],
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            if result.returncode != 0:
                raise UsageError(f"npm pack {package} failed: {result.stderr.strip()[-500:]}")
            tarball = Path(folder) / result.stdout.strip().splitlines()[-1]
            _unpack(tarball, cache / package)
    return missing


def _unpack(tarball: Path, target: Path) -> None:
    """Extract an npm tarball (files under ``package/``) into ``target``; the folder
    appears whole or not at all."""
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    with tarfile.open(tarball) as archive:
        for member in archive.getmembers():
            name = member.name.split("/", 1)[1] if "/" in member.name else ""
            if not name or not (member.isfile() or member.isdir()):
                continue
            member.name = name
            archive.extract(member, partial, filter="data")
    shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial.rename(target)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8765, help="port to serve on (default 8765)")
    parser.add_argument(
        "--host", default="localhost", help="host to listen on (default localhost; 0.0.0.0 for all)"
    )
    parser.add_argument(
        "--install-assets",
        action="store_true",
        help="first cache Solara's front end from the npm registry "
        "(for machines that cannot reach the CDN)",
    )
    parser.add_argument(
        "--dev", action="store_true", help="development mode: reload when the code changes"
    )


def main(args: argparse.Namespace) -> int:
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: must be between 0 and 65535")
    app = app_path()
    if args.install_assets:
        installed = install_frontend_assets()
        print(f"Solara front end cached: {', '.join(installed) or 'all present already'}")
    elif missing := missing_frontend_packages():
        note = f"note: Solara will fetch {', '.join(missing)} from its CDN on first load; "
        print(
            note + "without access to it, run `latam-ai viz --install-assets` once", file=sys.stderr
        )
    print(f"Serving the dashboard at http://{args.host}:{args.port} (Ctrl-C stops it)")
    command = solara_command(app, args.port, args.host, production=not args.dev)
    try:
        return subprocess.run(command, cwd=app.parent, check=False).returncode
    except KeyboardInterrupt:
        return 0
