"""``latam-ai viz``: finds the dashboard of this checkout and builds the solara command."""

from __future__ import annotations

import sys
import tarfile
from pathlib import Path

from experiments.cli import build_parser
from experiments.commands import viz

ROOT = Path(__file__).resolve().parent.parent


def test_app_path_is_the_repository_dashboard():
    assert viz.app_path() == ROOT / "app.py"


def test_solara_command_serves_the_app_in_production_mode():
    command = viz.solara_command(ROOT / "app.py", 8800, "127.0.0.1")
    assert command[:4] == [sys.executable, "-m", "solara", "run"]
    assert command[4] == str(ROOT / "app.py")
    assert command[command.index("--port") + 1] == "8800"
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert "--production" in command
    assert "--production" not in viz.solara_command(ROOT / "app.py", 8800, "h", production=False)


def test_parser_accepts_port_and_host():
    args = build_parser().parse_args(["viz", "--port", "8801", "--host", "0.0.0.0"])
    assert (args.port, args.host, args.install_assets) == (8801, "0.0.0.0", False)


def test_frontend_packages_are_read_from_solaras_template():
    packages = viz.frontend_packages()
    assert any(p.startswith("@widgetti/solara-vuetify") for p in packages)
    assert any(p.startswith("requirejs@") for p in packages)
    assert all("@" in p.lstrip("@") for p in packages)  # every one pinned to a version


def test_unpack_strips_the_npm_package_folder(tmp_path):
    source = tmp_path / "package" / "dist"
    source.mkdir(parents=True)
    (source / "main.js").write_text("//")
    (tmp_path / "package" / "package.json").write_text("{}")
    tarball = tmp_path / "x.tgz"
    with tarfile.open(tarball, "w:gz") as archive:
        archive.add(tmp_path / "package", arcname="package")
    target = tmp_path / "cache" / "@scope" / "x@1.0.0"
    viz._unpack(tarball, target)
    assert (target / "dist" / "main.js").read_text() == "//"
    assert viz.missing_frontend_packages(tmp_path / "cache") == viz.frontend_packages()
