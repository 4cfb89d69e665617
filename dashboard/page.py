"""The dashboard page (``solara run app.py``): controls in the sidebar, charts in the browser.

Sidebar: the pending-changes bar (Apply / Reset), every model parameter by group (value
shown, meaning, unit, range and default as a tooltip), the policy of Peru and of any other
country, and scenario files (save as TOML, load from a path or a dropped file). Main area:
the month, the tiers and the policies in force; Restart, Play/Pause and Step; the scores,
a world map (score, tier, adoption or capital share; world or Latin America), the tier
counts, the region's investment share, the paired difference of a policy and the table of
the focus countries. Each part carries a ``latam-...`` class for the browser tests.

A month-step redraws no component: :class:`Feeds` sends the charts their new rows and the
month's texts (the header, the table) to their widgets directly, so that a step costs the
models' step and a few trait changes, not a pass of Solara over the page; while the model
plays, the map is sent at most every ``MAP_PLAY_INTERVAL_S``.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipyvuetify as v
import solara

from dashboard import charts
from dashboard.charts import TIER_COLOURS, TIER_ORDER
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
from model.parameters import Parameter
from model.policies import STRATEGY_NAMES
from model.scenario_file import ScenarioError, load_scenario, scenario_text

DEFAULT_SEED = 42
PLAY_INTERVAL_S = 0.15
#: While playing, the map is sent at most this often (the other charts every month).
MAP_PLAY_INTERVAL_S = 0.5
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


class Feeds:
    """The live charts of one page (``LiveChart`` widgets by chart name) and the steps that
    feed them: after a step or a build each chart is sent its patch directly (a trait
    change, no redraw of the page); a chart that asks for every row gets them."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.widgets: dict[str, LiveChart] = {}
        self.texts: dict[str, tuple[Any, str]] = {}  # name -> (widget, trait)
        self.sent: dict[str, float] = {}
        #: The models' months (the charts' time axis): a build with another calendar
        #: redraws the charts' specs.
        self.period = solara.reactive(session.period)
        self._lock = threading.RLock()  # Play steps in a thread, the page in another

    def attach(self, name: str, widget: LiveChart) -> None:
        with self._lock:
            self.widgets[name] = widget
            self._send(name)

    def detach(self, name: str, widget: LiveChart) -> None:
        with self._lock:
            if self.widgets.get(name) is widget:
                del self.widgets[name]

    def attach_text(self, name: str, widget, trait: str) -> None:
        """Show the month's text ``name`` (a key of :func:`month_texts`) in ``widget``'s
        ``trait`` (``children`` of a ``v.Html``, ``unsafe_innerHTML`` of an HTML widget)."""
        with self._lock:
            self.texts[name] = (widget, trait)
            self._show({name: month_texts(self.session)[name]})

    def detach_text(self, name: str, widget) -> None:
        with self._lock:
            if self.texts.get(name, (None,))[0] is widget:
                del self.texts[name]

    def _show(self, texts: dict[str, str]) -> None:
        for name, text in texts.items():
            if name in self.texts:
                widget, trait = self.texts[name]
                setattr(widget, trait, [text] if trait == "children" else text)

    def send(self, name: str) -> None:
        """Send chart ``name`` (if it is on the page) its patch now."""
        with self._lock:
            if name in self.widgets:
                self._send(name)

    def _send(self, name: str) -> None:
        self.widgets[name].patch = self.session.patch(name)
        self.sent[name] = time.monotonic()

    def resync(self, name: str) -> None:
        """The browser's view of ``name`` asks for every row."""
        with self._lock:
            self.session.request_full(name)
            if name in self.widgets:
                self._send(name)

    def push(self, throttle: bool = False, texts: bool = True) -> None:
        """Show the month's texts and send every chart its patch; with ``throttle``, the map
        only if it was last sent ``MAP_PLAY_INTERVAL_S`` ago."""
        with self._lock:
            if texts:
                self._show(month_texts(self.session))
            now = time.monotonic()
            for name in list(self.widgets):
                if throttle and name == "map":
                    if now - self.sent.get(name, 0.0) < MAP_PLAY_INTERVAL_S:
                        continue
                self._send(name)

    def step(self, throttle: bool = False) -> None:
        """One month-step of the session's models, and the charts' new rows."""
        with self._lock:
            if not self.session.running:
                return
            self.session.step_shown()
            self._show(month_texts(self.session))  # the month first: it is what a step shows
            self.session.step_pair()
            self.push(throttle, texts=False)

    def build(self, parameters: dict[str, Any], seed: int, comparison=None) -> None:
        """New models (``Session.build``; raises ``ValueError``), every row sent again."""
        with self._lock:
            self.session.build(parameters, seed, comparison)
            self.push()
        self.period.set(self.session.period)


def warm_up() -> None:
    """Build the default models and charts once, at server start, so that the first page
    finds the data read and the specs made (a first build costs several later ones)."""
    session = Session(model_keywords(default_parameters()), DEFAULT_SEED, DEFAULT_COMPARISON)
    period = session.period
    charts.score_chart(period=period)
    charts.tier_chart(period)
    charts.investment_chart(period)
    charts.difference_chart(*session.comparison, period)
    charts.map_chart()
    month_texts(session)


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
def Sidebar(feeds: Feeds, controls, applied, seed):
    session = feeds.session
    pending = pending_changes(controls.value, applied.value)
    error, set_error = solara.use_state("")
    load_error, set_load_error = solara.use_state("")

    def apply() -> None:
        try:
            feeds.build(model_keywords(controls.value), seed.value)
        except ValueError as exc:
            set_error(str(exc))
            return
        set_error("")
        applied.set(dict(controls.value))

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
def month_texts(session: Session) -> dict[str, str]:
    """What the page shows of the current month, by name: the date, the tier counts
    (``pioneers``, ...), the applied setup and the table of the focus countries (HTML)."""
    model = session.model
    texts = {"date": f"{model.date:%Y-%m}"}
    for tier in TIER_ORDER:
        texts[f"{tier.lower()}s"] = f"{tier}s: {model.measures[f'{tier.lower()}s']}"
    low, high = model.params["tier_thresholds"]
    releases = ", ".join(str(m) for m in model.params["open_weights_date"]) or "none"
    texts["setup"] = (
        f"policies in force: {session.policies_in_force()}; open-weights release: "
        f"{releases}; cut-offs {low:g} / {high:g}; seed {session.seed}; "
        f"{len(model.countries)} countries"
    )
    texts["table"] = country_table_html(session)
    return texts


@solara.component
def LiveText(feeds: Feeds, name: str, style: str = ""):
    """A span (class ``latam-<name>``) showing the month's text ``name``, set by ``feeds``
    (not by a redraw: the element passes no text, so Solara never writes over it)."""
    text = v.Html.element(tag="span", class_=f"latam-{name}", style_=style)

    def attach():
        widget = solara.get_widget(text)
        feeds.attach_text(name, widget, "children")
        return lambda: feeds.detach_text(name, widget)

    solara.use_effect(attach, [feeds, name])


@solara.component
def Header(feeds: Feeds):
    with solara.Card(margin=0, classes=["latam-header"]):
        with solara.Row(style={"align-items": "baseline"}):
            LiveText(feeds, "date", style="font-size: 1.6em; font-weight: bold")
            with solara.Row(classes=["latam-tier-counts"]):
                for tier in reversed(TIER_ORDER):
                    LiveText(
                        feeds,
                        f"{tier.lower()}s",
                        style=f"color: {TIER_COLOURS[tier]}; font-weight: bold",
                    )
        LiveText(feeds, "setup")


@solara.component
def RunControls(feeds: Feeds, seed, applied, drawn):
    """Restart, Play/Pause and Step (shown once the browser has drawn the map) and the seed."""
    playing = solara.use_reactive(False)
    session = feeds.session

    def step(throttle: bool = False) -> None:
        feeds.step(throttle)

    def restart() -> None:
        playing.set(False)
        feeds.build(model_keywords(applied.value), seed.value)

    def play() -> None:
        if not playing.value:
            return
        while playing.value and session.running:
            time.sleep(PLAY_INTERVAL_S)
            if playing.value:
                step(throttle=True)
        feeds.send("map")  # the map as it stands when the model stops
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
            ripple=False,  # the ripple animation costs the browser more than the step
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
def Chart(feeds: Feeds, name: str, spec: str, on_drawn=None):
    """One live chart: ``spec`` (JSON) sent once, then the rows of each new month, which
    :class:`Feeds` sends the widget directly (a month does not redraw this component)."""
    chart = LiveChart.element(
        spec_json=spec,
        classes=f"latam-chart-{name}",
        on_resync=lambda: feeds.resync(name),
        on_drawn=on_drawn,
    )

    def attach():
        widget = solara.get_widget(chart)
        feeds.attach(name, widget)
        return lambda: feeds.detach(name, widget)

    solara.use_effect(attach, [feeds, name])


@solara.component
def WorldMap(feeds: Feeds, drawn=None):
    measure, set_measure = solara.use_state("score")
    view, set_view = solara.use_state("world")
    on_drawn = solara.use_memo(
        lambda: None if drawn is None else (lambda: drawn.set(True)), [drawn]
    )
    with solara.Card(margin=0, classes=["latam-map"]):
        with solara.Row():
            solara.ToggleButtonsSingle(
                value=measure, values=list(charts.MAP_MEASURES), on_value=set_measure
            )
            solara.ToggleButtonsSingle(value=view, values=list(charts.MAP_VIEWS), on_value=set_view)
        Chart(feeds, "map", charts.map_chart(measure, view), on_drawn=on_drawn)


@solara.component
def Difference(feeds: Feeds, applied, seed):
    session = feeds.session
    country, strategy = session.comparison
    choice, set_choice = solara.use_state(country)
    chosen_strategy, set_strategy = solara.use_state(strategy)
    _compared, set_compared = solara.use_state(0)  # redraws the title after a comparison
    error, set_error = solara.use_state("")

    def compare() -> None:
        try:
            feeds.build(model_keywords(applied.value), seed.value, (choice, chosen_strategy))
        except ValueError as exc:
            set_error(str(exc))
            return
        set_error("")
        set_compared(lambda n: n + 1)

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
        spec = charts.difference_chart(country, strategy, feeds.period.value)
        Chart(feeds, "difference", spec)


#: The table's style, on the page once (a ``<style>`` inside the month's HTML would make the
#: browser restyle the whole page each month).
TABLE_CSS = (
    ".latam-country-table th, .latam-country-table td {padding: 2px 10px; text-align: right}"
    " .latam-country-table th {border-bottom: 1px solid #999}"
)


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
        '<table class="latam-country-table" style="border-collapse:collapse;font-size:0.85em">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        "<div style='font-size:0.75em'>score, research, adoption: index 0-100; "
        "capital: USD bn</div>"
    )


@solara.component
def CountryTable(feeds: Feeds):
    """The focus countries now (HTML set by ``feeds`` each month)."""
    table = solara.widgets.HTML.element(tag="div", attributes={"style": "overflow:auto"})

    def attach():
        widget = solara.get_widget(table)
        feeds.attach_text("table", widget, "unsafe_innerHTML")
        return lambda: feeds.detach_text("table", widget)

    solara.use_effect(attach, [feeds])


@solara.component
def Page():
    # The state lives in reactive values made once per page (not ``use_reactive``), so that
    # only the components that read a value redraw when it changes; a month-step changes
    # none of them (``Feeds`` updates the month's widgets directly).
    state = solara.use_memo(
        lambda: {
            "feeds": Feeds(
                Session(model_keywords(default_parameters()), DEFAULT_SEED, DEFAULT_COMPARISON)
            ),
            "controls": solara.reactive(default_parameters()),
            "applied": solara.reactive(default_parameters()),
            "seed": solara.reactive(DEFAULT_SEED),
            "drawn": solara.reactive(False),
        },
        [],
    )
    feeds, drawn = state["feeds"], state["drawn"]
    controls, applied, seed = state["controls"], state["applied"], state["seed"]
    period = feeds.period.value
    solara.Title(TITLE)
    solara.Style(TABLE_CSS)
    with solara.Sidebar():
        Sidebar(feeds, controls, applied, seed)
    RunControls(feeds, seed, applied, drawn)
    Header(feeds)
    with solara.Columns([1, 1]):
        with solara.Card(margin=0, classes=["latam-scores"]):
            Chart(feeds, "scores", charts.score_chart(period=period))
        WorldMap(feeds, drawn)
    with solara.Columns([1, 1]):
        with solara.Card(margin=0, classes=["latam-tier-plot"]):
            Chart(feeds, "tiers", charts.tier_chart(period))
        with solara.Card(margin=0, classes=["latam-investment"]):
            Chart(feeds, "investment", charts.investment_chart(period))
    with solara.Columns([1, 1]):
        Difference(feeds, applied, seed)
        with solara.Card("Focus countries now", margin=0, classes=["latam-table"]):
            CountryTable(feeds)


__all__ = [
    "Feeds",
    "Page",
    "warm_up",
    "controls_from_file",
    "country_table_html",
    "scenario_file_text",
]
