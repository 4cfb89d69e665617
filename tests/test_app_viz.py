"""``latam-ai viz``: finds the dashboard, ships its front end, and stops cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from dashboard.offline import FRONTEND, provide_frontend, vendored_files
from experiments.cli import build_parser
from experiments.commands import viz

ROOT = Path(__file__).resolve().parent.parent


def test_app_path_is_the_repository_dashboard():
    assert viz.app_path() == ROOT / "app.py"


def test_solara_command_serves_the_app_in_production_mode():
    command = viz.solara_command(ROOT / "app.py", 8800, "127.0.0.1")
    assert command[:4] == [sys.executable, "-m", "solara", "run"]
    assert command[command.index("--port") + 1] == "8800"
    assert "--production" in command
    assert "--production" not in viz.solara_command(ROOT / "app.py", 8800, "h", production=False)


def test_parser_accepts_port_and_host():
    args = build_parser().parse_args(["viz", "--port", "8801", "--host", "0.0.0.0"])
    assert (args.port, args.host) == (8801, "0.0.0.0")


def test_the_front_end_solara_names_is_vendored(tmp_path):
    from solara.server import settings

    template = Path(settings.__file__).parent / "templates" / "solara.html.j2"
    text = template.read_text()
    for package in ("@widgetti/solara-vuetify3-app@5.2.0", "requirejs@2.3.6"):
        assert package in text
        assert (FRONTEND / package).is_dir()
    copied = provide_frontend(tmp_path / "cache")
    assert sorted(copied) == vendored_files()
    assert (tmp_path / "cache" / "requirejs@2.3.6" / "require.js").is_file()
    assert provide_frontend(tmp_path / "cache") == []  # kept once there


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serving(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _ignore_sigint() -> None:  # as a shell starts a background job
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.timeout(180)
@pytest.mark.parametrize(
    ("stop_signal", "started"),
    [(signal.SIGTERM, None), (signal.SIGINT, None), (signal.SIGINT, _ignore_sigint)],
    ids=["SIGTERM", "SIGINT", "SIGINT, started with SIGINT ignored"],
)
def test_viz_stops_its_solara_child_on_a_signal(tmp_path, stop_signal, started):
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    env = {**os.environ, "SOLARA_ASSETS_PROXY_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "experiments.cli", "viz", "--port", str(port)]
    command += ["--host", "127.0.0.1"]
    with (tmp_path / "viz.log").open("w") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=started
        )
    try:
        deadline = time.monotonic() + 120
        while not _serving(url):
            assert process.poll() is None, (tmp_path / "viz.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "the dashboard did not start in 120 s"
            time.sleep(0.3)  # polling a readiness check
        process.send_signal(stop_signal)  # to the parent only, not its process group
        assert process.wait(timeout=30) == 0
        deadline = time.monotonic() + 20
        while _serving(url) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert not _serving(url), "a solara process still serves the port"
    finally:
        if process.poll() is None:
            process.kill()
