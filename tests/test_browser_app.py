"""End to end: ``latam-ai viz`` offline (an empty asset cache) driven in headless Chromium.

Measures the time to first render and the step latency (printed, not asserted: the
machine is shared), and checks that the world map is drawn as SVG paths, that each Step
advances the month, that a changed policy is pending until applied and then shows in the
header, and that Play/Pause run and stop the model. Waits on what the page shows. Skipped
only where Debian's Chromium (``/usr/bin/chromium``) is absent.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parent.parent
SERVER_START_SECONDS = 60
UI_TIMEOUT_MS = 30_000

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run installs it)",
    ),
    pytest.mark.timeout(240),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_serving(url: str, process: subprocess.Popen, log: Path) -> None:
    """Poll ``url`` until it answers 200; fail with the server's log if it dies or is slow."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"solara exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)  # polling interval of a readiness check, not a wait for the UI
    pytest.fail(
        f"solara did not serve {url} in {SERVER_START_SECONDS} s:\n{log.read_text()[-3000:]}"
    )


@pytest.fixture
def dashboard_url(tmp_path: Path):
    """``latam-ai viz`` on a free local port, with empty caches and home (as offline)."""
    port = _free_port()
    log = tmp_path / "viz.log"
    env = {
        **os.environ,
        "SOLARA_ASSETS_PROXY_CACHE_DIR": str(tmp_path / "cache"),
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "xdg"),
        "MPLBACKEND": "Agg",
    }
    command = [sys.executable, "-m", "experiments.cli", "viz", "--port", str(port)]
    command += ["--host", "127.0.0.1"]
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, env=env
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_serving(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def _month_after(month: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return f"{year:04d}-{number:02d}"


def _distinct_colours(png: bytes) -> int:
    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3)
    return len(np.unique(pixels, axis=0))


def test_dashboard_in_chromium(dashboard_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1300})
            page.set_default_timeout(UI_TIMEOUT_MS)
            started = time.monotonic()
            page.goto(dashboard_url)
            step = page.get_by_role("button", name="Step")
            step.wait_for(state="visible")
            first_render = time.monotonic() - started
            date = page.locator(".latam-date")
            expect(date).to_have_text("2024-09")
            page.wait_for_function(
                "() => document.querySelectorAll('.latam-map svg path').length >= 150"
            )
            expect(page.locator(".latam-country-table tbody tr")).to_have_count(19)

            latencies, month = [], "2024-09"
            for _ in range(8):
                before = page.evaluate("() => document.body.innerText")
                clicked = time.monotonic()
                step.click()
                page.wait_for_function("b => document.body.innerText !== b", arg=before)
                latencies.append(time.monotonic() - clicked)
                month = _month_after(month)
                expect(date).to_have_text(month)
            latencies.sort()
            median_ms = 1000 * latencies[len(latencies) // 2]
            print(
                f"\ndashboard: first render {first_render:.1f} s, step latency median "
                f"{median_ms:.0f} ms (max {1000 * latencies[-1]:.0f} ms)"
            )

            # Peru's policy: pending until applied, then in the header.
            page.locator(".v-select").filter(has_text="Peru's policy").first.click()
            page.get_by_role("option", name="production_platform").click()
            expect(page.locator(".latam-pending-count")).to_have_text("pending: 1 change")
            expect(page.locator(".latam-setup")).to_contain_text("all status_quo")
            page.get_by_role("button", name="Apply").click()
            expect(page.locator(".latam-setup")).to_contain_text("PER production_platform")
            expect(date).to_have_text("2024-09")

            # Play, let it run at least two months, pause.
            page.get_by_role("button", name="Play").click()
            page.wait_for_function(
                "() => document.querySelector('.latam-date').innerText >= '2024-11'"
            )
            page.get_by_role("button", name="Pause").click()
            expect(step).to_be_enabled()

            shot = tmp_path / "dashboard.png"
            page.screenshot(path=str(shot))
        finally:
            browser.close()
    assert shot.stat().st_size > 20_000
    assert _distinct_colours(shot.read_bytes()) > 200, "the screenshot looks blank"
