"""End to end: the dashboard (``app.py``) served by ``solara run``, driven in headless Chromium.

Changes Peru's policy, resets, steps the model month by month and plays then pauses it,
and checks that the date, the tier counts, the country table and the figures change, and
that a screenshot of the page is not blank. Waits on what the page shows, never on
sleeps. Skipped only where Debian's Chromium (``/usr/bin/chromium``) is absent.
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
MAX_STEPS = 24

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


@pytest.fixture(scope="module")
def frontend_assets() -> None:
    """Solara's front end in its local cache (fetched from the npm registry when missing),
    so that the page loads without the public CDN."""
    from experiments.commands.viz import install_frontend_assets, missing_frontend_packages

    if missing_frontend_packages():
        install_frontend_assets()


@pytest.fixture
def dashboard_url(frontend_assets, tmp_path: Path):
    """Serve ``app.py`` with ``solara run`` (production mode) on a free local port."""
    port = _free_port()
    log = tmp_path / "solara.log"
    env = {**os.environ, "MPLBACKEND": "Agg"}
    command = [
        sys.executable,
        "-m",
        "solara",
        "run",
        "app.py",
        "--port",
        str(port),
        "--host",
        "127.0.0.1",
        "--production",
        "--no-open",
    ]
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
            page.goto(dashboard_url)
            date = page.locator(".latam-date")
            counts = page.locator(".latam-tier-counts")
            table = page.locator(".latam-country-table")
            scores = page.locator(".latam-scores img")
            expect(date).to_have_text("2024-09")
            expect(table.locator("tbody tr")).to_have_count(19)
            expect(scores).to_be_visible()

            # Peru's policy: open the select, choose production_platform, then Reset.
            page.locator(".v-select").filter(has_text="Peru's policy").click()
            page.get_by_role("option", name="production_platform").click()
            page.get_by_role("button", name="Reset").click()
            expect(page.locator(".latam-setup")).to_contain_text("PER production_platform")
            expect(date).to_have_text("2024-09")
            counts_before, table_before = counts.inner_text(), table.inner_text()
            scores_before = scores.screenshot()

            # Step month by month until the tier counts move (each step is awaited).
            month = "2024-09"
            for _ in range(MAX_STEPS):
                page.get_by_role("button", name="Step").click()
                month = _month_after(month)
                expect(date).to_have_text(month)
                if counts.inner_text() != counts_before:
                    break
            assert counts.inner_text() != counts_before, f"tier counts never moved by {month}"
            assert table.inner_text() != table_before
            # the chosen strategy takes effect with the first month stepped
            expect(table.locator("tr[data-iso3='PER']")).to_contain_text("production_platform")

            # Play, let it run at least two months, pause, and wait for the Step button.
            page.get_by_role("button", name="▶").click()
            later = _month_after(_month_after(month))
            page.wait_for_function(
                "later => document.querySelector('.latam-date').innerText >= later", arg=later
            )
            page.get_by_role("button", name="❚❚").click()
            expect(page.get_by_role("button", name="Step")).to_be_enabled()
            assert date.inner_text() >= later
            expect(scores).to_be_visible()
            assert scores.screenshot() != scores_before, "the score figure did not change"

            shot = tmp_path / "dashboard.png"
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert shot.stat().st_size > 20_000
    assert _distinct_colours(shot.read_bytes()) > 200, "the screenshot looks blank"
