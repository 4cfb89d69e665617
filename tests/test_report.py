"""`latam-ai report`: one self-contained, well-formed HTML file for a run or a sweep folder."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from experiments.cli import main
from experiments.headline import headline_mobility, run_headline, write_outputs
from mobility.window import T_STAR_DEFINITION
from model.parameters import validate_parameters
from reports import build_report, folder_kind, percent, significant
from sweeps import experiment_from_dict, run_experiment

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
RUN_SECTIONS = [
    "The answer",
    "Mobility",
    "Scores",
    "Tiers",
    "Capital",
    "Adoption vs production",
    "Peru's paths in detail",
    "Method",
    "Parameters",
    "Files",
]
SWEEP_SECTIONS = [
    "Summary",
    "Summaries",
    "Mobility",
    "Sensitivity",
    "Trajectories",
    "Failures",
    "Experiment",
    "Design",
    "Manifest",
]


class Structure(HTMLParser):
    """Checks that tags nest and close; collects headings, images and links."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.headings: dict[str, list[str]] = {"h1": [], "h2": [], "h3": []}
        self.images: list[str] = []
        self.links: list[str] = []
        self.sections: list[str] = []
        self._heading: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        if tag in ("a", "link"):
            self.links.append(attrs.get("href", ""))
        if tag == "section":
            self.sections.append(attrs.get("id", ""))
        if tag in self.headings:
            self._heading = tag
            self.headings[tag].append("")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
            return
        self.stack.pop()
        if tag == self._heading:
            self._heading = None

    def handle_data(self, data):
        if self._heading:
            self.headings[self._heading][-1] += data


def parse(text: str) -> Structure:
    parser = Structure()
    parser.feed(text)
    parser.close()
    return parser


def assert_self_contained_and_well_formed(text: str, sections: list[str]) -> Structure:
    assert text.startswith("<!DOCTYPE html>")
    structure = parse(text)
    assert structure.errors == [] and structure.stack == []
    assert structure.headings["h2"] == sections
    assert len(structure.sections) == len(sections)
    for pattern in (r'src="http', r'href="http', r"<script", r"<link", r"url\(", r"@import"):
        assert not re.search(pattern, text, re.IGNORECASE), pattern
    assert structure.images and all(
        s.startswith("data:image/png;base64,") for s in structure.images
    )
    assert all(link.startswith("#") for link in structure.links)
    assert "could not be drawn" not in text and 'class="error"' not in text
    return structure


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("run") / "headline"
    results = run_headline(replications=2, progress=False, end="2026-12")
    mobility = headline_mobility(results)
    write_outputs(results, folder, mobility=mobility)
    params = validate_parameters({"end": "2026-12"}, origin="test")
    path = build_report(folder, parameters=params, mobility=mobility)
    return folder, path


def sweep(folder, method: str, sizes: dict, trajectories: int | str = "none"):
    experiment = experiment_from_dict(
        {
            "experiment": {"name": method, "seed": 3, "replications": 2},
            "design": {"method": method, **sizes},
            "fixed": {"end": "2026-12"},
            "varied": {
                "capital_concentration": {"low": 0.0, "high": 4.0},
                "investment_noise": {"low": 0.0, "high": 0.5},
            },
            "outputs": {
                "metrics": ["capital_gini_end", "tier_gap_end_start_tiers"],
                "trajectories": trajectories,
            },
        }
    )
    run_experiment(experiment, folder, progress=False)
    return folder


@pytest.fixture(scope="module")
def sobol_folder(tmp_path_factory):
    return sweep(tmp_path_factory.mktemp("sweep") / "sobol", "sobol", {"base_samples": 8}, 2)


def test_run_report_is_self_contained_and_has_every_section(run_folder):
    folder, path = run_folder
    assert path == folder / "report.html" and folder_kind(folder) == "run"
    text = path.read_text()
    structure = assert_self_contained_and_well_formed(text, RUN_SECTIONS)
    assert len(structure.images) >= 15
    for sub in ("Transition matrix", "Mobility indices", "The window after the shock"):
        assert sub in structure.headings["h3"]
    assert "Window-closing time t*" in text


def test_run_report_shows_the_parameters(run_folder):
    folder, path = run_folder
    assert (folder / "parameters.json").exists()
    row = re.search(r"<td>end</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", path.read_text())
    assert row.groups() == ('"2026-12"', '"2035-12"')  # value used, default


def test_sweep_report_has_design_summaries_sensitivity_and_mobility(sobol_folder):
    path = build_report(sobol_folder)
    assert folder_kind(sobol_folder) == "sweep"
    text = path.read_text()
    structure = assert_self_contained_and_well_formed(text, SWEEP_SECTIONS)
    assert "Sobol indices of capital_gini_end" in structure.headings["h3"]
    assert "Transition matrix" in structure.headings["h3"]
    assert "Window-closing time t*" in text  # every kept run shares the release 2025-08
    assert "No run failed." in text


def test_sweep_report_reads_sensitivity_tables_and_works_without_trajectories(tmp_path):
    folder = sweep(tmp_path / "morris", "morris", {"trajectories": 4, "levels": 4})
    assert main(["sensitivity", str(folder), "--metric", "capital_gini_end"]) == 0
    text = build_report(folder).read_text()
    structure = assert_self_contained_and_well_formed(text, SWEEP_SECTIONS)
    assert structure.headings["h3"] == ["Morris indices of capital_gini_end"]
    assert "No trajectories kept" in text


def test_report_command_rebuilds_a_run_report_keeping_its_parameters(run_folder, capsys):
    folder, path = run_folder
    path.unlink()
    assert main(["report", str(folder)]) == 0  # parameters.json read back, mobility recomputed
    assert str(path) in capsys.readouterr().out
    text = path.read_text()
    assert_self_contained_and_well_formed(text, RUN_SECTIONS)
    assert '<td>"2026-12"</td>' in text and "Window-closing time t*" in text


def test_report_command_rejects_other_folders(tmp_path, capsys):
    assert main(["report", str(tmp_path / "missing")]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert main(["report", str(tmp_path)]) == 2
    assert "not a results folder" in capsys.readouterr().err


def test_every_report_figure_is_saved_as_png_svg_and_pdf(run_folder):
    folder, path = run_folder
    structure = parse(path.read_text())
    saved = {
        suffix: sorted(p.stem for p in (folder / "figures").glob(f"*.{suffix}"))
        for suffix in ("png", "svg", "pdf")
    }
    assert saved["png"] == saved["svg"] == saved["pdf"]
    assert len(saved["pdf"]) >= len(structure.images) >= 15
    assert {"peru_paths", "release_differences", "tier_composition_difference"} <= set(saved["pdf"])


def test_run_report_leads_with_the_answer_in_percent(run_folder):
    _, path = run_folder
    text = path.read_text()
    answer = text[text.index('id="answer"') : text.index('id="mobility"')]
    assert "share of global AI investment" in answer and "%" in answer
    assert "each path minus status_quo" in answer
    assert T_STAR_DEFINITION.split(":")[0] in text
    assert text.index('id="parameters"') < text.index('id="files"')


def test_shares_in_percent_keep_significant_digits():
    assert percent(0.0069) == "0.69%" and percent(0.000081) == "0.0081%"
    assert percent(0.0112) == "1.12%" and significant(0.0081234) == "0.00812"
    assert significant(float("nan")) == "" and significant(float("inf")) == "inf"


def test_report_out_writes_elsewhere(run_folder, tmp_path):
    folder, _ = run_folder
    target = tmp_path / "elsewhere"
    assert main(["report", str(folder), "-o", str(target), "--quiet"]) == 0
    assert (target / "report.html").exists() and any((target / "figures").glob("*.pdf"))
