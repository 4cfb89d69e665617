"""The dashboard: a Mesa SolaraViz page for the Latin American AI economy.

Start it with ``solara run app.py`` (from the repository root) or ``latam-ai viz``. The
sidebar holds Mesa's controls (Reset, play/pause, Step) and the model's parameters; the
page shows, month by month: the date and the number of countries per tier, every
country's score on the tier bands (Peru highlighted), the tier counts over time, each
country's share of the region's AI capital, a tile map of the tiers and a country table.

Controls are generated from the parameter declarations (``model.parameters.BY_NAME``:
label and unit, range, default) and from ``model.policies.STRATEGY_NAMES``. SolaraViz
rebuilds the model on Reset by calling the model's class with the controls' values as
keywords; :class:`DashboardModel` is the small adapter that turns those flat values into
``RegionModel``'s keywords (:func:`region_parameters`). A changed control therefore takes
effect when Reset is pressed.
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from figures.live import capital_shares, score_lines, tier_count_lines
from figures.map import tier_map
from figures.style import TIER_COLOURS, TIER_ORDER
from model.parameters import BY_NAME
from model.policies import STRATEGY_NAMES
from model.region import RegionModel

#: Choices of the open-weights release month; "none" is the no-release counterfactual.
OPEN_WEIGHTS_CHOICES = ("2025-08", "2025-02", "2026-02", "2026-08", "2027-08", "none")
#: Countries whose policy the sidebar sets: control name -> (ISO3, label).
POLICY_CONTROLS: dict[str, tuple[str, str]] = {
    "peru_policy": ("PER", "Peru's policy"),
    "brazil_policy": ("BRA", "Brazil's policy"),
    "mexico_policy": ("MEX", "Mexico's policy"),
    "chile_policy": ("CHL", "Chile's policy"),
    "colombia_policy": ("COL", "Colombia's policy"),
}
DEFAULT_SEED = 42
DEFAULT_POLICY = "status_quo"
HIGHLIGHT = ("PER",)
TABLE_COLUMNS = ("iso3", "score", "tier", "research", "adoption", "capital", "policy")


def region_parameters(
    *,
    seed: int | str = DEFAULT_SEED,
    open_weights_date: str | None = BY_NAME["open_weights_date"].default,
    open_weights_strength: float = BY_NAME["open_weights_strength"].default,
    capital_concentration: float = BY_NAME["capital_concentration"].default,
    tier_low: float = BY_NAME["tier_thresholds"].default[0],
    tier_high: float = BY_NAME["tier_thresholds"].default[1],
    **policies: str,
) -> dict[str, Any]:
    """``RegionModel`` keywords from the dashboard's flat control values.

    ``open_weights_date="none"`` becomes ``None`` (no release); ``tier_low, tier_high``
    become ``tier_thresholds``; each ``<country>_policy`` of :data:`POLICY_CONTROLS`
    becomes an entry of ``policies`` (``status_quo`` entries are left out); ``seed`` (a
    number, or its text from the seed box) becomes ``rng``. Bad values raise
    ``ValueError`` naming the control.
    """
    try:
        rng = int(str(seed).strip())
    except ValueError as exc:
        raise ValueError(f"seed={seed!r} (from the dashboard) must be a whole number") from exc
    unknown = sorted(set(policies) - set(POLICY_CONTROLS))
    if unknown:
        raise ValueError(
            f"unknown dashboard control(s) {unknown}; policy controls: {sorted(POLICY_CONTROLS)}"
        )
    chosen = {POLICY_CONTROLS[name][0]: value for name, value in policies.items()}
    return {
        "rng": rng,
        "open_weights_date": None if open_weights_date in (None, "none") else open_weights_date,
        "open_weights_strength": float(open_weights_strength),
        "capital_concentration": float(capital_concentration),
        "tier_thresholds": (float(tier_low), float(tier_high)),
        "policies": {iso3: name for iso3, name in chosen.items() if name != DEFAULT_POLICY},
    }


class DashboardModel(RegionModel):
    """``RegionModel`` built from the dashboard's controls (see :func:`region_parameters`).

    Its keywords are exactly the controls of :data:`model_params`, so SolaraViz can rebuild
    it on Reset; ``controls`` keeps the values it was built from.
    """

    def __init__(
        self,
        *,
        seed: int | str = DEFAULT_SEED,
        open_weights_date: str = BY_NAME["open_weights_date"].default,
        open_weights_strength: float = BY_NAME["open_weights_strength"].default,
        capital_concentration: float = BY_NAME["capital_concentration"].default,
        tier_low: float = BY_NAME["tier_thresholds"].default[0],
        tier_high: float = BY_NAME["tier_thresholds"].default[1],
        peru_policy: str = DEFAULT_POLICY,
        brazil_policy: str = DEFAULT_POLICY,
        mexico_policy: str = DEFAULT_POLICY,
        chile_policy: str = DEFAULT_POLICY,
        colombia_policy: str = DEFAULT_POLICY,
    ) -> None:
        self.controls = {
            "seed": seed,
            "open_weights_date": open_weights_date,
            "open_weights_strength": open_weights_strength,
            "capital_concentration": capital_concentration,
            "tier_low": tier_low,
            "tier_high": tier_high,
            "peru_policy": peru_policy,
            "brazil_policy": brazil_policy,
            "mexico_policy": mexico_policy,
            "chile_policy": chile_policy,
            "colombia_policy": colombia_policy,
        }
        parameters = region_parameters(**self.controls)
        super().__init__(rng=parameters.pop("rng"), **parameters)


def _label(name: str, text: str | None = None) -> str:
    """A control label from a parameter declaration: its name (or ``text``) and unit."""
    spec = BY_NAME[name]
    unit = "" if spec.unit in ("-", "") else f" ({spec.unit})"
    return f"{text or name.replace('_', ' ')}{unit}"


def _slider(name: str, step: float) -> dict[str, Any]:
    """A SolaraViz float slider from a parameter declaration (range and default)."""
    spec = BY_NAME[name]
    return {
        "type": "SliderFloat",
        "label": _label(name),
        "value": spec.default,
        "min": spec.low,
        "max": spec.high,
        "step": step,
    }


def build_model_params() -> dict[str, dict[str, Any]]:
    """The sidebar controls (SolaraViz ``model_params``), one per ``DashboardModel`` keyword."""
    thresholds = BY_NAME["tier_thresholds"]
    low, high = thresholds.default
    params: dict[str, dict[str, Any]] = {
        "seed": {"type": "InputText", "value": DEFAULT_SEED, "label": "random seed"},
        "open_weights_date": {
            "type": "Select",
            "label": _label("open_weights_date", "open-weights release"),
            "value": BY_NAME["open_weights_date"].default,
            "values": list(OPEN_WEIGHTS_CHOICES),
        },
        "open_weights_strength": _slider("open_weights_strength", 0.1),
        "capital_concentration": _slider("capital_concentration", 0.1),
        "tier_low": {
            "type": "SliderFloat",
            "label": "tier cut-off Explorer/Adopter",
            "value": low,
            "min": thresholds.low,
            "max": thresholds.high,
            "step": 1.0,
        },
        "tier_high": {
            "type": "SliderFloat",
            "label": "tier cut-off Adopter/Pioneer",
            "value": high,
            "min": thresholds.low,
            "max": thresholds.high,
            "step": 1.0,
        },
    }
    for name, (_, label) in POLICY_CONTROLS.items():
        params[name] = {
            "type": "Select",
            "label": label,
            "value": DEFAULT_POLICY,
            "values": list(STRATEGY_NAMES),
        }
    return params


# --- page components: each takes the model and redraws when Mesa steps it ----------------
def _show(fig) -> None:
    """Display a Figure as a PNG and release it from pyplot."""
    plt.close(fig)
    solara.FigureMatplotlib(fig, format="png", bbox_inches="tight")


def _end(model: RegionModel) -> pd.Timestamp:
    return model.dates[-1]


@solara.component
def TierSummary(model: RegionModel):
    """The current month and the number of countries per tier."""
    update_counter.get()
    with solara.Card(margin=0):
        solara.Text(
            f"{model.date:%Y-%m}",
            classes=["latam-date"],
            style={"font-size": "1.6em", "font-weight": "bold"},
        )
        with solara.Row(classes=["latam-tier-counts"]):
            for tier in reversed(TIER_ORDER):
                count = model.measures[f"{tier.lower()}s"]
                solara.Text(
                    f"{tier}s: {count}",
                    classes=[f"latam-{tier.lower()}s"],
                    style={"color": TIER_COLOURS[tier], "font-weight": "bold"},
                )
        low, high = model.params["tier_thresholds"]
        policies = ", ".join(f"{k} {v}" for k, v in (model.params["policies"] or {}).items())
        solara.Text(
            f"cut-offs {low:g} / {high:g}; policies: {policies or 'all status_quo'}",
            classes=["latam-setup"],
        )


@solara.component
def ScorePlot(model: RegionModel):
    """Every country's score on the tier bands, Peru highlighted."""
    update_counter.get()
    agents = model.agent_frame()
    _show(score_lines(agents, model.params["tier_thresholds"], HIGHLIGHT, end=_end(model)))


@solara.component
def TierCountPlot(model: RegionModel):
    """Countries per tier over time."""
    update_counter.get()
    _show(tier_count_lines(model.model_frame(), end=_end(model)))


@solara.component
def CapitalSharePlot(model: RegionModel):
    """Each country's share of the region's AI capital over time."""
    update_counter.get()
    _show(capital_shares(model.agent_frame(), highlight=HIGHLIGHT, end=_end(model)))


@solara.component
def TileMap(model: RegionModel):
    """The tile map of tiers at the current month."""
    update_counter.get()
    _show(
        tier_map(model.agent_frame(), date=model.date, thresholds=model.params["tier_thresholds"])
    )


def country_table_html(model: RegionModel) -> str:
    """The country table at the current month as HTML (tier cells in the tier colours)."""
    head = "".join(f"<th>{name}</th>" for name in TABLE_COLUMNS)
    rows = []
    for agent in sorted(model.agents, key=lambda a: -a.score):
        colour = TIER_COLOURS[agent.tier]
        rows.append(
            f'<tr data-iso3="{agent.iso3}"><td><b>{agent.iso3}</b></td>'
            f"<td>{agent.score:.1f}</td>"
            f'<td style="background:{colour};color:white">{agent.tier}</td>'
            f"<td>{agent.research:.1f}</td><td>{agent.adoption:.1f}</td>"
            f"<td>{agent.capital:.2f}</td><td>{agent.policy}</td></tr>"
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
def CountryTable(model: RegionModel):
    """iso3, score, tier, research, adoption, capital and policy of every country now."""
    update_counter.get()
    solara.HTML(
        tag="div", unsafe_innerHTML=country_table_html(model), style="overflow:auto;height:100%"
    )


@solara.component
def Dashboard(model: RegionModel):
    """The main area: the month and tier counts, four live figures and the country table.
    Each part carries a ``latam-...`` class so that a browser test can find it."""
    TierSummary(model)
    with solara.Columns([3, 2]):
        with solara.Card(margin=0, classes=["latam-scores"]):
            ScorePlot(model)
        with solara.Card(margin=0, classes=["latam-map"]):
            TileMap(model)
    with solara.Columns([1, 1]):
        with solara.Card(margin=0, classes=["latam-tier-plot"]):
            TierCountPlot(model)
        with solara.Card(margin=0, classes=["latam-capital"]):
            CapitalSharePlot(model)
    with solara.Card("Countries now", margin=0, classes=["latam-table"]):
        CountryTable(model)


model_params = build_model_params()


@solara.component
def Page():
    """The dashboard page (``solara run app.py``): Mesa's SolaraViz sidebar (controls,
    parameters) over a model that this session owns, and :func:`Dashboard` below it.

    The figures are laid out here rather than passed to SolaraViz as ``components``:
    SolaraViz places those in a draggable grid whose front-end library does not load
    under Solara's Vue 3 front end (the page stays empty), while plain rows and columns
    need nothing beyond Solara itself. Reset still rebuilds the model: SolaraViz sets the
    shared reactive ``model`` to ``DashboardModel(**controls)``.
    """
    initial = solara.use_memo(DashboardModel, [])
    model = solara.use_reactive(initial)
    SolaraViz(
        model,
        components=[],
        model_params=model_params,
        play_interval=150,
        name="Latin American AI economy (ILIA countries)",
    )
    Dashboard(model.value)
