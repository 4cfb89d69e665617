"""The documentation site builds in strict mode (a broken link or reference fails), its CLI
reference is generated from the parser, and t* has one definition everywhere."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mobility.window import T_STAR_DEFINITION

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.timeout(300)
def test_docs_site_builds_in_strict_mode(tmp_path):
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "MPLBACKEND": "Agg"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    assert "WARNING" not in log, log[-3000:]
    cli = (site / "cli" / "index.html").read_text()
    for command in ("run", "sweep", "sensitivity", "report", "calibrate", "findings"):
        assert f"latam-ai {command}" in cli
    assert "--scenario" in cli and "--no-progress" in cli
    assert "window_closing_time" in (site / "api" / "index.html").read_text()


@pytest.mark.parametrize("document", ["README.md", "docs/MOBILITY.md", "docs/FINDINGS.md"])
def test_t_star_is_quoted_from_its_one_definition(document):
    text = " ".join((ROOT / document).read_text().split())
    assert T_STAR_DEFINITION in text, f"{document} does not quote mobility.window's t*"
