"""The dashboard page (``solara run app.py``): controls in the sidebar, charts in the browser.

Sidebar: the pending-changes bar (Apply / Reset), every model parameter by group (value
shown, meaning, unit, range and default as a tooltip), the policy of Peru and of any other
country, and scenario files (save as TOML, load from a path or a dropped file). Main area:
the month, the tiers and the policies in force; Restart, Play/Pause and Step; the scores,
a world map (score, tier, adoption or capital share; world or Latin America), the tier
counts, the region's investment share, the paired difference of a policy and the table of
the focus countries. Each part carries a ``latam-...`` class for the browser tests.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import solara

from dashboard import charts
from dashboard.controls import (
    INITIAL_CHOICES,
    OPEN_WEIGHTS_CHOICES,
    default_parameters,
    format_value,
    grouped_parameters,
    label,
    model_keywords,
    pending_changes,
    scenario_parameters,
    tooltip,
)
from dashboard.livechart import LiveChart
from dashboard.session import DEFAULT_COMPARISON, Session
from figures.style import TIER_COLOURS, TIER_ORDER
from model.parameters import Parameter
from model.policies import STRATEGY_NAMES
from model.scenario_file import ScenarioError, load_scenario, scenario_text

DEFAULT_SEED = 42
PLAY_INTERVAL_S = 0.15
TITLE = "AI capability across economies (Latin America in focus)"
PENDING_STYLE = {"background": "#FFF3CD"}


def scenario_file_text(controls: dict[str, Any], seed: int) -> str:
    """The scenario file of the applied controls (the seed as a comment: it is not a
    model parameter)."""
    text = scenario_text(scenario_parameters(controls))
    return f"# saved from the dashboard; seed {seed} (latam-ai run --seed)\n{text}"


def controls_from_file(path: str | Path) -> dict[str, Any]:
    """Control values from a scenario file: the defaults, overridden by the file's values
    (raises ``ScenarioError`` naming the file, line and key)."""
    return {**default_parameters(), **load_scenario(path)}


# --- the sidebar -------------------------------------------------------------------------
@solara.component
def NumberControl(spec: Parameter, value: Any, on_value: Callable[[Any], None], text: str):
    if spec.kind == "int":
        solara.InputInt(text, value=int(value), on_value=on_value, continuous_update=False)
    else:
        solara.InputFloat(
            text, value=float(value), on_value=on_value, continuous_update=False, dense=True
        )


@solara.component
def ParameterControl(spec: Parameter, value: Any, on_value: Callable[[Any], None], pending: bool):
    """One parameter's control, its value shown, its meaning as a tooltip."""
    text = label(spec)
    style = PENDING_STYLE if pending else {}
    with solara.Tooltip(tooltip(spec)):
        with solara.Column(gap="0px", style=style, classes=[f"latam-param-{spec.name}"]):
            if spec.kind in ("float", "int"):
                NumberControl(spec, value, on_value, text)
            elif spec.kind == "bool":
                solara.Checkbox(label=text, value=bool(value), on_value=on_value)
            elif spec.kind == "month":
                solara.InputText(
                    text,
                    value="" if value is None else str(value),
                    on_value=on_value,
                    continuous_update=False,
                )
            elif spec.kind == "months":
                current = format_value(value) if value not in (None, ()) else "none"
                choices = list(dict.fromkeys([current, *OPEN_WEIGHTS_CHOICES]))
                solara.Select(text, values=choices, value=current, on_value=on_value)
            elif spec.kind == "thresholds":
                low, high = (float(v) for v in value)
                with solara.Row():
                    solara.InputFloat(
                        f"{text}: low",
                        value=low,
                        on_value=lambda x: on_value([x, high]),
                        continuous_update=False,
                    )
                    solara.InputFloat(
                        "high",
                        value=high,
                        on_value=lambda x: on_value([low, x]),
                        continuous_update=False,
                    )
            elif spec.name == "initial" and isinstance(value, str):
                choices = list(dict.fromkeys([value, *INITIAL_CHOICES]))
                solara.Select(text, values=choices, value=value, on_value=on_value)
            else:
                solara.Text(f"{text}: {format_value(value)}")


@solara.component
def PolicyControl(policies: dict[str, Any] | None, countries: list[str], on_value, pending: bool):
    """Peru's strategy, and any other country's from a select."""
    policies = dict(policies or {})
    other, set_other = solara.use_state("BRA")

    def choose(iso3: str, strategy: str) -> None:
        on_value({**policies, iso3: strategy})

    style = PENDING_STYLE if pending else {}
    with solara.Column(gap="4px", style=style, classes=["latam-policies"]):
        solara.Select(
            "Peru's policy",
            values=list(STRATEGY_NAMES),
            value=str(policies.get("PER", "status_quo")),
            on_value=lambda s: choose("PER", s),
        )
        with solara.Row():
            solara.Select("country", values=countries, value=other, on_value=set_other)
            current = policies.get(other, "status_quo")
            solara.Select(
                f"{other}'s policy",
                values=list(STRATEGY_NAMES),
                value=current if isinstance(current, str) else "status_quo",
                on_value=lambda s: choose(other, s),
            )
        chosen = {k: v for k, v in policies.items() if v != "status_quo"}
        solara.Text("chosen: " + (format_value(chosen) if chosen else "all status_quo"))


@solara.component
def PendingBar(pending: dict[str, Any], on_apply, on_reset, error: str):
    with solara.Card(margin=0, classes=["latam-pending"]):
        if pending:
            names = ", ".join(n.replace("_", " ") for n in pending)
            solara.Text(
                f"pending: {len(pending)} change{'s' * (len(pending) != 1)}",
                classes=["latam-pending-count"],
            )
            solara.Text(names, style={"font-size": "0.8em"})
        else:
            solara.Text("no pending changes", classes=["latam-pending-count"])
        with solara.Row():
            solara.Button("Apply", on_click=on_apply, disabled=not pending, color="primary")
            solara.Button("Reset", on_click=on_reset, disabled=not pending)
        if error:
            solara.Error(error, classes=["latam-error"])


@solara.component
def ScenarioFiles(applied: dict[str, Any], seed: int, on_load, error: str):
    path, set_path = solara.use_state("")
    with solara.Card("Scenario file", margin=0, classes=["latam-scenario"]):
        solara.FileDownload(
            lambda: scenario_file_text(applied, seed),
            filename="scenario.toml",
            label="Save scenario (TOML)",
        )
        solara.InputText("load from path", value=path, on_value=set_path)
        solara.Button("Load", on_click=lambda: on_load(path), disabled=not path)

        def dropped(info) -> None:
            with tempfile.TemporaryDirectory() as folder:
                target = Path(folder) / (info["name"] or "scenario.toml")
                target.write_bytes(info["file_obj"].read())
                on_load(str(target))

        solara.FileDrop(label="or drop a scenario file here", on_file=dropped, lazy=False)
        if error:
            solara.Error(error)


@solara.component
def Sidebar(session: Session, controls, applied, seed, tick):
    pending = pending_changes(controls.value, applied.value)
    error, set_error = solara.use_state("")
    load_error, set_load_error = solara.use_state("")

    def apply() -> None:
        try:
            session.build(model_keywords(controls.value), seed.value)
        except ValueError as exc:
            set_error(str(exc))
            return
        set_error("")
        applied.set(dict(controls.value))
        tick.set(tick.peek() + 1)

    def load(path: str) -> None:
        try:
            controls.set(controls_from_file(path))
        except ScenarioError as exc:
            set_load_error(str(exc))
            return
        set_load_error("")

    def setter(name: str):
        return lambda value: controls.set({**controls.peek(), name: value})

    PendingBar(pending, apply, lambda: controls.set(dict(applied.value)), error)
    ScenarioFiles(applied.value, seed.value, load, load_error)
    PolicyControl(
        controls.value.get("policies"),
        session.model.countries,
        setter("policies"),
        "policies" in pending,
    )
    for group, members in grouped_parameters().items():
        ParameterGroup(group, members, controls.value, pending, setter)


@solara.component
def ParameterGroup(group: str, members: list[Parameter], values, pending, setter):
    """A group of parameter controls, drawn only while it is open (a closed group costs
    nothing when the page redraws)."""
    is_open, set_open = solara.use_state(False)
    changed = sum(p.name in pending for p in members)
    summary = f"{group} ({len(members)})" + (f", {changed} pending" if changed else "")
    with solara.Column(gap="2px", classes=["latam-group"]):
        solara.Button(
            ("▾ " if is_open else "▸ ") + summary,
            on_click=lambda: set_open(not is_open),
            text=True,
            style={"justify-content": "start", "text-transform": "none"},
        )
        if is_open:
            for spec in members:
                if spec.kind == "policies":
                    solara.Text("policies: see the policy selects above")
                    continue
                ParameterControl(
                    spec, values.get(spec.name), setter(spec.name), spec.name in pending
                )


# --- the main area -----------------------------------------------------------------------
@solara.component
def Header(session: Session, version: int):
    model = session.model
    with solara.Card(margin=0, classes=["latam-header"]):
        with solara.Row(style={"align-items": "baseline"}):
            solara.Text(
                f"{model.date:%Y-%m}",
                classes=["latam-date"],
                style={"font-size": "1.6em", "font-weight": "bold"},
            )
            with solara.Row(classes=["latam-tier-counts"]):
                for tier in reversed(TIER_ORDER):
                    solara.Text(
                        f"{tier}s: {model.measures[f'{tier.lower()}s']}",
                        classes=[f"latam-{tier.lower()}s"],
                        style={"color": TIER_COLOURS[tier], "font-weight": "bold"},
                    )
        low, high = model.params["tier_thresholds"]
        releases = ", ".join(str(m) for m in model.params["open_weights_date"]) or "none"
        solara.Text(
            f"policies in force: {session.policies_in_force()}; open-weights release: "
            f"{releases}; cut-offs {low:g} / {high:g}; seed {session.seed}; "
            f"{len(model.countries)} countries",
            classes=["latam-setup"],
        )


@solara.component
def RunControls(session: Session, tick, seed, applied, drawn):
    """Restart, Play/Pause and Step (shown once the browser has drawn the map) and the seed."""
    playing = solara.use_reactive(False)

    def step() -> None:
        session.step()
        tick.set(tick.peek() + 1)

    def restart() -> None:
        playing.set(False)
        session.build(model_keywords(applied.value), seed.value)
        tick.set(tick.peek() + 1)

    def play() -> None:
        if not playing.value:
            return
        while playing.value and session.running:
            time.sleep(PLAY_INTERVAL_S)
            if playing.value:
                step()
        playing.set(False)

    solara.lab.use_task(play, dependencies=[playing.value], prefer_threaded=True)
    with solara.Row(classes=["latam-run"], style={"align-items": "center"}):
        solara.Button("Restart", on_click=restart)
        if playing.value:
            solara.Button("Pause", on_click=lambda: playing.set(False))
        else:
            solara.Button("Play", on_click=lambda: playing.set(True))
        solara.Button(
            "Step",
            on_click=step,
            disabled=playing.value,
            style={} if drawn.value else {"display": "none"},
        )
        solara.InputInt(
            "seed (applies on Restart)",
            value=seed.value,
            on_value=seed.set,
            continuous_update=False,
            style={"max-width": "220px"},
        )


@solara.component
def Chart(session: Session, tick, name: str, spec: str, version: int, on_drawn=None):
    """One live chart: ``spec`` (JSON) sent once, then the rows of each new month."""

    def resync() -> None:
        session.request_full(name)
        tick.set(tick.peek() + 1)

    LiveChart.element(
        spec_json=spec,
        patch=session.patch(name),
        classes=f"latam-chart-{name}",
        on_resync=resync,
        on_drawn=on_drawn,
    )


@solara.component
def WorldMap(session: Session, tick, version: int, drawn=None):
    measure, set_measure = solara.use_state("score")
    view, set_view = solara.use_state("world")
    spec = solara.use_memo(lambda: charts.map_chart(measure, view), [measure, view])
    with solara.Card(margin=0, classes=["latam-map"]):
        with solara.Row():
            solara.ToggleButtonsSingle(
                value=measure, values=list(charts.MAP_MEASURES), on_value=set_measure
            )
            solara.ToggleButtonsSingle(value=view, values=list(charts.MAP_VIEWS), on_value=set_view)
        Chart(
            session,
            tick,
            "map",
            spec,
            version,
            on_drawn=None if drawn is None else (lambda: drawn.set(True)),
        )


@solara.component
def Difference(session: Session, tick, applied, seed, version: int):
    country, strategy = session.comparison
    choice, set_choice = solara.use_state(country)
    chosen_strategy, set_strategy = solara.use_state(strategy)
    spec = solara.use_memo(lambda: charts.difference_chart(country, strategy), [country, strategy])
    error, set_error = solara.use_state("")

    def compare() -> None:
        try:
            session.build(model_keywords(applied.value), seed.value, (choice, chosen_strategy))
        except ValueError as exc:
            set_error(str(exc))
            return
        set_error("")
        tick.set(tick.peek() + 1)

    with solara.Card(margin=0, classes=["latam-difference"]):
        with solara.Row():
            solara.Select(
                "country", values=session.model.countries, value=choice, on_value=set_choice
            )
            solara.Select(
                "strategy",
                values=list(STRATEGY_NAMES),
                value=chosen_strategy,
                on_value=set_strategy,
            )
            solara.Button("Compare (restarts)", on_click=compare)
        if error:
            solara.Error(error)
        Chart(session, tick, "difference", spec, version)


def country_table_html(session: Session) -> str:
    """The focus countries now as an HTML table (tier cells in the tier colours)."""
    columns = ("iso3", "score", "tier", "research", "adoption", "capital", "policy")
    head = "".join(f"<th>{name}</th>" for name in columns)
    rows = []
    for row in session.table_rows():
        colour = TIER_COLOURS[row["tier"]]
        rows.append(
            f'<tr data-iso3="{row["iso3"]}"><td><b>{row["iso3"]}</b></td>'
            f"<td>{row['score']:.1f}</td>"
            f'<td style="background:{colour};color:white">{row["tier"]}</td>'
            f"<td>{row['research']:.1f}</td><td>{row['adoption']:.1f}</td>"
            f"<td>{row['capital']:.2f}</td><td>{row['policy']}</td></tr>"
        )
    return (
        "<style>.latam-country-table th, .latam-country-table td {padding: 2px 10px;"
        " text-align: right} .latam-country-table th {border-bottom: 1px solid #999}</style>"
        '<table class="latam-country-table" style="border-collapse:collapse;font-size:0.85em">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        "<div style='font-size:0.75em'>score, research, adoption: index 0-100; "
        "capital: USD bn</div>"
    )


@solara.component
def CountryTable(session: Session, version: int):
    solara.HTML(tag="div", unsafe_innerHTML=country_table_html(session), style="overflow:auto")


@solara.component
def Page():
    # The state lives in reactive values made once per page (not ``use_reactive``), so that
    # only the components that read a value redraw when it changes: a month-step redraws
    # the header, the charts' patches and the table, never the sidebar.
    state = solara.use_memo(
        lambda: {
            "session": Session(
                model_keywords(default_parameters()), DEFAULT_SEED, DEFAULT_COMPARISON
            ),
            "tick": solara.reactive(0),
            "controls": solara.reactive(default_parameters()),
            "applied": solara.reactive(default_parameters()),
            "seed": solara.reactive(DEFAULT_SEED),
            "drawn": solara.reactive(False),
            "specs": {
                "scores": charts.score_chart(),
                "tiers": charts.tier_chart(),
                "investment": charts.investment_chart(),
            },
        },
        [],
    )
    session, tick, specs = state["session"], state["tick"], state["specs"]
    controls, applied, seed = state["controls"], state["applied"], state["seed"]
    solara.Title(TITLE)
    with solara.Sidebar():
        Sidebar(session, controls, applied, seed, tick)
    RunControls(session, tick, seed, applied, state["drawn"])
    Live(session, tick, applied, seed, specs, state["drawn"])


@solara.component
def Live(session: Session, tick, applied, seed, specs: dict[str, str], drawn):
    """Everything that changes each month, in one component: a step is one redraw."""
    version = tick.value  # children take it as an argument, so they redraw each month
    Header(session, version)
    with solara.Columns([1, 1]):
        with solara.Card(margin=0, classes=["latam-scores"]):
            Chart(session, tick, "scores", specs["scores"], version)
        WorldMap(session, tick, version, drawn)
    with solara.Columns([1, 1]):
        with solara.Card(margin=0, classes=["latam-tier-plot"]):
            Chart(session, tick, "tiers", specs["tiers"], version)
        with solara.Card(margin=0, classes=["latam-investment"]):
            Chart(session, tick, "investment", specs["investment"], version)
    with solara.Columns([1, 1]):
        Difference(session, tick, applied, seed, version)
        with solara.Card("Focus countries now", margin=0, classes=["latam-table"]):
            CountryTable(session, version)


__all__ = ["Page", "controls_from_file", "country_table_html", "scenario_file_text"]
