"""The dashboard (``app.py``) without a browser: its widget tree rendered by Solara, its
figures as matplotlib objects, and Reset rebuilding the model from the controls."""

from __future__ import annotations

import importlib.util
import inspect
from pathlib import Path

import ipyvuetify as v
import ipywidgets
import matplotlib.pyplot as plt
import pytest
import solara
from mesa.visualization import SolaraViz
from mesa.visualization.solara_viz import _check_model_params

from figures.live import capital_shares, score_lines, tier_count_lines
from figures.style import TIER_COLOURS
from model.parameters import BY_NAME
from model.policies import STRATEGY_NAMES

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
    """The whole page inside Solara's app layout (as ``solara run`` shows it)."""
    plt.close("all")  # figures left open by other tests are not this page's
    box, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    yield rc
    rc.close()
    plt.close("all")


def _text(rc, css_class: str) -> str:
    return rc.find(v.Html, class_=css_class).widget.children[0]


def _image(rc, card_class: str) -> bytes:
    return bytes(rc.find(v.Card, class_=f"ma-0 {card_class}").find(ipywidgets.Image).widget.value)


# --- controls ------------------------------------------------------------------------------
def test_controls_are_the_model_keywords_and_come_from_the_declarations(app):
    params = app.build_model_params()
    keywords = [
        name
        for name, p in inspect.signature(app.DashboardModel.__init__).parameters.items()
        if p.kind is p.KEYWORD_ONLY
    ]
    assert sorted(params) == sorted(keywords)
    _check_model_params(app.DashboardModel(), params)  # what SolaraViz checks on start
    for name in ("open_weights_strength", "capital_concentration"):
        spec = BY_NAME[name]
        assert params[name]["type"] == "SliderFloat"
        assert (params[name]["min"], params[name]["max"]) == (spec.low, spec.high)
        assert params[name]["value"] == spec.default
    assert (params["tier_low"]["value"], params["tier_high"]["value"]) == (35.0, 60.0)
    assert params["open_weights_date"]["values"][0] == "2025-08"
    assert "none" in params["open_weights_date"]["values"]
    assert params["peru_policy"]["values"] == list(STRATEGY_NAMES)


def test_control_values_map_onto_region_model_keywords(app):
    keywords = app.region_parameters(
        seed="7",
        open_weights_date="none",
        tier_low=30,
        tier_high=70,
        peru_policy="production_platform",
        brazil_policy="status_quo",
    )
    assert keywords["rng"] == 7
    assert keywords["open_weights_date"] is None
    assert keywords["tier_thresholds"] == (30.0, 70.0)
    assert keywords["policies"] == {"PER": "production_platform"}
    with pytest.raises(ValueError, match="seed='x'"):
        app.region_parameters(seed="x")
    with pytest.raises(ValueError, match="unknown dashboard control"):
        app.region_parameters(argentina_policy="status_quo")


def test_dashboard_model_is_a_region_model_built_from_the_controls(app):
    model = app.DashboardModel(
        peru_policy="adoption_management",
        open_weights_date="none",
        tier_low=40,
        tier_high=65,
        seed=3,
    )
    assert model.params["policies"] == {"PER": "adoption_management"}
    assert model.params["open_weights_date"] == ()
    assert model.params["tier_thresholds"] == (40.0, 65.0)
    model.step()
    assert model.agent_frame().query("iso3 == 'PER'")["policy"].iloc[-1] == "adoption_management"
    with pytest.raises(ValueError, match="tier_thresholds"):
        app.DashboardModel(tier_low=70, tier_high=60)


# --- the page ------------------------------------------------------------------------------
def test_page_renders_controls_figures_and_table(rendered):
    selects = [w.label for w in rendered.find(v.Select).widgets]
    assert "Peru's policy" in selects and "open-weights release (YYYY-MM)" in selects
    sliders = [w.label for w in rendered.find(v.Slider).widgets]
    assert {"tier cut-off Explorer/Adopter", "tier cut-off Adopter/Pioneer"} <= set(sliders)
    assert [b.children for b in rendered.find(v.Btn).widgets] == [["Reset"], ["▶"], ["Step"]]
    assert _text(rendered, "latam-date") == "2024-09"
    assert _text(rendered, "latam-pioneers") == "Pioneers: 3"
    images = rendered.find(ipywidgets.Image).widgets
    assert len(images) == 4
    assert all(bytes(image.value).startswith(b"\x89PNG") for image in images)
    html = rendered.find(solara.widgets.HTML).widget.unsafe_innerHTML
    assert 'class="latam-country-table"' in html
    assert html.count("<tr data-iso3=") == 19
    assert plt.get_fignums() == []  # every figure was released from pyplot


def test_step_redraws_date_counts_and_figures(rendered):
    before = _image(rendered, "latam-scores")
    step = rendered.find(v.Btn, children=["Step"]).widget
    for _ in range(6):
        step.fire_event("click", None)
    assert _text(rendered, "latam-date") == "2025-03"
    assert _image(rendered, "latam-scores") != before


def test_reset_with_new_controls_builds_a_new_model(rendered):
    rendered.find(v.Select, label="Peru's policy").widget.v_model = "production_platform"
    rendered.find(v.Slider, label="tier cut-off Explorer/Adopter").widget.v_model = 30
    rendered.find(v.Btn, children=["Step"]).widget.fire_event("click", None)
    assert _text(rendered, "latam-setup") == "cut-offs 35 / 60; policies: all status_quo"
    rendered.find(v.Btn, children=["Reset"]).widget.fire_event("click", None)
    assert _text(rendered, "latam-date") == "2024-09"
    assert _text(rendered, "latam-setup") == ("cut-offs 30 / 60; policies: PER production_platform")


def test_reset_replaces_the_model_object(app):
    model = solara.reactive(app.DashboardModel())
    first = model.value
    viz = SolaraViz(model, components=[], model_params=app.build_model_params())
    page = solara.AppLayout(children=[viz])
    _, rc = solara.render(page, handle_error=False)
    try:
        rc.find(v.Select, label="Peru's policy").widget.v_model = "adoption_management"
        rc.find(v.Select, label="open-weights release (YYYY-MM)").widget.v_model = "none"
        rc.find(v.Slider, label="capital concentration").widget.v_model = 1.0
        rc.find(v.Btn, children=["Reset"]).widget.fire_event("click", None)
    finally:
        rc.close()
    assert model.value is not first
    assert isinstance(model.value, app.DashboardModel)
    assert model.value.params["policies"] == {"PER": "adoption_management"}
    assert model.value.params["open_weights_date"] == ()
    assert model.value.params["capital_concentration"] == 1.0
    assert model.value.month_index == 0


# --- the live figures ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def stepped(app):
    model = app.DashboardModel(peru_policy="production_platform")
    for _ in range(12):
        model.step()
    return model


def test_score_lines_one_line_per_country_peru_highlighted(stepped):
    fig = score_lines(stepped.agent_frame(), (35.0, 60.0), ("PER",), end=stepped.dates[-1])
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert len(lines) == 19
    assert lines["PER"].get_linewidth() > lines["BRA"].get_linewidth()
    assert lines["PER"].get_color() == "black"
    assert len(lines["PER"].get_xdata()) == 13
    assert ax.get_ylim() == (0.0, 100.0)
    assert "score" in ax.get_ylabel()
    plt.close(fig)


def test_tier_count_lines_and_capital_shares(stepped):
    fig = tier_count_lines(stepped.model_frame())
    lines = fig.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["Explorer", "Adopter", "Pioneer"]
    assert [line.get_color() for line in lines] == [
        TIER_COLOURS[t] for t in ("Explorer", "Adopter", "Pioneer")
    ]
    total = sum(line.get_ydata()[-1] for line in lines)
    assert total == 19
    plt.close(fig)
    fig = capital_shares(stepped.agent_frame(), named=5, highlight=("PER",))
    ax = fig.axes[0]
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert "PER" in labels and labels[-1].startswith("other ")
    assert len(ax.collections) == len(labels)
    top = ax.collections[-1].get_paths()[0].vertices[:, 1].max()
    assert top == pytest.approx(1.0)
    plt.close(fig)
