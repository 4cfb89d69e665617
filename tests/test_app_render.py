"""The dashboard (``app.py`` -> ``dashboard.page``) without a browser: its widget tree
rendered by Solara, month-steps, pending changes, scenario files and the session's rows."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import ipyvuetify as v
import pytest
import solara

from dashboard import charts
from dashboard.controls import GROUP_ORDER, default_parameters, group_of, grouped_parameters
from dashboard.livechart import LiveChart
from dashboard.page import MAP_PLAY_INTERVAL_S, Feeds, controls_from_file, scenario_file_text
from dashboard.session import Session
from model.parameters import PARAMETERS
from model.scenario_file import load_scenario

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def app():
    """``app.py`` imported as a module (it lives at the repository root, not in a package)."""
    spec = importlib.util.spec_from_file_location("latam_dashboard_app", ROOT / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def rendered(app):
    box, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    yield rc
    rc.close()


def _text(rc, css_class: str) -> str:
    return rc.find(v.Html, class_=css_class).widget.children[0]


def _click(rc, name: str) -> None:
    rc.find(v.Btn, children=[name]).widget.fire_event("click", None)


def test_page_renders_header_run_controls_and_charts(rendered):
    names = [b.children for b in rendered.find(v.Btn).widgets]
    assert ["Restart"] in names and ["Play"] in names and ["Step"] in names
    assert ["Apply"] in names and ["Reset"] in names
    assert _text(rendered, "latam-date") == "2024-09"
    assert _text(rendered, "latam-pioneers") == "Pioneers: 3"
    assert "policies in force: all status_quo" in _text(rendered, "latam-setup")
    specs = {w.classes: json.loads(w.spec_json) for w in rendered.find(LiveChart).widgets}
    assert set(specs) == {f"latam-chart-{name}" for name in charts.DATASETS}
    html = rendered.find(solara.widgets.HTML).widget.unsafe_innerHTML
    assert html.count("<tr data-iso3=") == 19


def test_step_sends_only_the_new_month(rendered):
    _click(rendered, "Step")  # the first patch after the build may be a full one
    for _ in range(5):
        _click(rendered, "Step")
    assert _text(rendered, "latam-date") == "2025-03"
    chart = rendered.find(LiveChart, classes="latam-chart-scores").widget
    assert not chart.patch["full"]
    assert [len(rows) for rows in chart.patch["insert"].values()] == [19]
    assert {row["date"] for row in chart.patch["insert"]["scores"]} == {"2025-03-01"}


def _pending_text(rc) -> str:
    return _text(rc, "latam-pending-count")


def test_changes_are_pending_until_applied(rendered):
    select = rendered.find(v.Select, label="Peru's policy").widget
    select.v_model = "production_platform"
    assert "pending: 1 change" in _pending_text(rendered)
    assert "all status_quo" in _text(rendered, "latam-setup")
    _click(rendered, "Apply")
    assert "PER production_platform" in _text(rendered, "latam-setup")
    assert "no pending changes" in _pending_text(rendered)
    rendered.find(v.Select, label="Peru's policy").widget.v_model = "adoption_management"
    assert "pending: 1 change" in _pending_text(rendered)
    _click(rendered, "Reset")
    assert rendered.find(v.Select, label="Peru's policy").widget.v_model == "production_platform"


def test_every_parameter_is_in_a_group():
    grouped = grouped_parameters()
    names = [p.name for members in grouped.values() for p in members]
    assert sorted(names) == sorted(p.name for p in PARAMETERS)
    assert list(grouped) == [g for g in GROUP_ORDER if g in grouped]
    assert group_of("a_parameter_added_later") == "other"
    assert "other" not in grouped  # every declared parameter has its own group
    from dashboard.controls import GROUPS
    from model.parameters import BY_NAME

    assert set(GROUPS) <= set(BY_NAME)  # no group for a parameter that no longer exists


def test_scenario_file_round_trip(tmp_path):
    controls = {**default_parameters(), "capital_concentration": 1.5}
    controls["policies"] = {"PER": "production_platform"}
    path = tmp_path / "scenario.toml"
    path.write_text(scenario_file_text(controls, seed=7))
    loaded = load_scenario(path)
    assert loaded["capital_concentration"] == 1.5
    assert loaded["policies"] == {"PER": "production_platform"}
    back = controls_from_file(path)
    assert back["capital_concentration"] == 1.5
    assert set(back) == set(default_parameters())


def test_session_rows_do_not_grow_with_history():
    session = Session()
    sizes = []
    for _ in range(40):
        session.step()
        patch = session.patch("scores")
        sizes.append(sum(len(rows) for rows in patch["insert"].values()))
    assert len(set(sizes)) == 1
    current = session.patch("map")["replace"]["current"]
    assert {row["iso3"] for row in current} == set(session.model.countries)
    assert all(len(row["id"]) == 3 for row in current)


def test_paired_difference_uses_common_random_numbers():
    same = Session(comparison=("PER", "status_quo"))
    for _ in range(12):
        same.step()
    assert all(row["difference"] == 0 for row in same.history["difference"])
    platform = Session(comparison=("PER", "production_platform"))
    for _ in range(36):
        platform.step()
    research = [r for r in platform.history["difference"] if r["measure"] == "research"]
    assert research[-1]["difference"] > 0


def test_map_spec_draws_every_shape_and_the_latin_america_view():
    world = json.loads(charts.map_chart("tier", "world"))
    latam = json.loads(charts.map_chart("capital share", "Latin America"))
    assert world["projections"][0]["type"] == "equalEarth"
    assert latam["projections"][0]["type"] == "mercator"
    data = {d["name"]: d for d in world["data"]}
    shapes = data["shapes"]["values"]["objects"]["countries"]["geometries"]
    assert len(shapes) >= 170
    # the outlines are projected once; a month only looks up the new values
    assert [t["type"] for t in data["countries"]["transform"]] == ["geopath", "lookup"]
    assert data["countries"]["transform"][1]["from"] == "current"
    with pytest.raises(ValueError, match="map measure"):
        charts.map_chart("gdp")


def test_tier_colours_are_the_figures_colours():
    from figures.style import TIER_COLOURS, TIER_ORDER

    assert charts.TIER_ORDER == TIER_ORDER
    assert charts.TIER_COLOURS == TIER_COLOURS


def test_the_dashboard_does_not_load_the_figure_library():
    # matplotlib, pandas' plotting and scipy cost seconds at start-up, and the page uses none
    code = (
        "import sys, dashboard.page; print('figures' in sys.modules, 'matplotlib' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.split() == ["False", "False"], result.stderr


class _Widget:
    patch: dict = {}


def test_a_step_redraws_nothing_and_the_map_is_throttled_while_playing():
    feeds = Feeds(Session())
    widgets = {name: _Widget() for name in charts.DATASETS}
    for name, widget in widgets.items():
        feeds.attach(name, widget)
    feeds.step()
    assert {w.patch["seq"] for w in widgets.values()} == {1}
    feeds.step(throttle=True)  # playing: the map was sent a moment ago
    assert widgets["scores"].patch["seq"] == 2
    assert widgets["map"].patch["seq"] == 1
    feeds.sent["map"] -= MAP_PLAY_INTERVAL_S
    feeds.step(throttle=True)
    assert widgets["map"].patch["seq"] == 3
    assert not widgets["scores"].patch["full"]
