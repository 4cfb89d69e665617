"""The dashboard's charts as Vega-Lite specifications (built with Altair, drawn in the browser).

Each chart reads named data sets (``alt.NamedData``) that :class:`dashboard.session.Session`
fills month by month: the spec is sent once and the rows follow as patches
(:mod:`dashboard.livechart`). Dates are ISO strings (``2025-08-01``); scores are index
points (0-100), shares percent.
"""

from __future__ import annotations

import json

import altair as alt

from dashboard.world import COUNTRIES_OBJECT, topology
from figures.style import TIER_COLOURS, TIER_ORDER

WIDTH = 520
HEIGHT = 260
NO_DATA_COLOUR = "#D9D9D9"
HIGHLIGHT_COLOUR = "#000000"
OTHERS_COLOUR = "#9E9E9E"
#: What the map colours (selector value -> field, title, scale).
MAP_MEASURES: dict[str, tuple[str, str]] = {
    "score": ("score", "composite score (index 0-100)"),
    "tier": ("tier", "tier"),
    "adoption": ("adoption", "adoption (index 0-100)"),
    "capital share": ("capital_share", "share of the model's AI capital (%)"),
}
#: Map views: selector value -> Vega projection.
MAP_VIEWS: dict[str, dict] = {
    "world": {"type": "equalEarth"},
    "Latin America": {"type": "mercator", "center": [-78, -14], "scale": 250},
}
#: The named data sets of each chart, and whether a step appends rows ("insert") or
#: replaces the set ("replace").
DATASETS: dict[str, dict[str, str]] = {
    "scores": {"scores": "insert", "bands": "replace"},
    "tiers": {"tiers": "insert"},
    "investment": {"region": "insert"},
    "difference": {"difference": "insert"},
    "map": {"current": "replace"},
}
_TIER_SCALE = alt.Scale(domain=list(TIER_ORDER), range=[TIER_COLOURS[t] for t in TIER_ORDER])
_DATE = alt.X("date:T", title=None, axis=alt.Axis(format="%Y-%m", labelAngle=0))


def _spec(chart: alt.TopLevelMixin) -> str:
    """The chart's Vega-Lite spec as JSON text (text, not a dict: the page passes it to
    the browser untouched, and a dict of the map's shapes would be walked on each redraw).
    Inline data stay where they are declared (Vega-Lite reads a TopoJSON topology inline,
    not from the top-level ``datasets``)."""
    transformers = alt.data_transformers
    consolidate, transformers.consolidate_datasets = transformers.consolidate_datasets, False
    try:
        spec = chart.configure_view(stroke=None).to_dict()
    finally:
        transformers.consolidate_datasets = consolidate
    return json.dumps(spec, separators=(",", ":"))


def score_chart(highlight: str = "PER") -> str:
    """Each focus country's score over time on the tier bands, ``highlight`` in black."""
    bands = (
        alt.Chart(alt.NamedData("bands"))
        .mark_rect(opacity=0.12)
        .encode(
            y=alt.Y("low:Q", scale=alt.Scale(domain=[0, 100]), title="score (index 0-100)"),
            y2="high:Q",
            color=alt.Color("tier:N", scale=_TIER_SCALE, legend=None),
        )
    )
    lines = (
        alt.Chart(alt.NamedData("scores"))
        .mark_line(strokeWidth=1)
        .encode(
            x=_DATE,
            y=alt.Y("score:Q"),
            detail="iso3:N",
            color=alt.condition(
                f"datum.iso3 === '{highlight}'",
                alt.value(HIGHLIGHT_COLOUR),
                alt.value(OTHERS_COLOUR),
            ),
            strokeWidth=alt.condition(
                f"datum.iso3 === '{highlight}'", alt.value(2.5), alt.value(0.9)
            ),
            tooltip=["iso3:N", alt.Tooltip("score:Q", format=".1f"), "date:T"],
        )
    )
    title = f"Scores of the focus countries ({highlight} in black)"
    return _spec((bands + lines).properties(width=WIDTH, height=HEIGHT, title=title))


def tier_chart() -> str:
    """Countries per tier over time."""
    chart = (
        alt.Chart(alt.NamedData("tiers"))
        .mark_line(interpolate="step-after", strokeWidth=2)
        .encode(
            x=_DATE,
            y=alt.Y("countries:Q", title="countries"),
            color=alt.Color(
                "tier:N", scale=_TIER_SCALE, legend=alt.Legend(orient="top", title=None)
            ),
            tooltip=["tier:N", "countries:Q", "date:T"],
        )
    )
    return _spec(chart.properties(width=WIDTH, height=200, title="Countries per tier"))


def investment_chart() -> str:
    """The region's share of global AI investment (percent, log scale)."""
    chart = (
        alt.Chart(alt.NamedData("region"))
        .mark_line(strokeWidth=2, color="#0072B2")
        .encode(
            x=_DATE,
            y=alt.Y(
                "investment_share:Q",
                title="% of global AI investment",
                scale=alt.Scale(type="log"),
            ),
            tooltip=[alt.Tooltip("investment_share:Q", format=".4f"), "date:T"],
        )
    )
    title = "The region's share of global AI investment (%)"
    return _spec(chart.properties(width=WIDTH, height=200, title=title))


def difference_chart(country: str, strategy: str) -> str:
    """Paired difference: ``country``'s measures under ``strategy`` minus the status quo."""
    zero = alt.Chart(alt.NamedData("difference")).mark_rule(color="#666").encode(y=alt.datum(0))
    lines = (
        alt.Chart(alt.NamedData("difference"))
        .mark_line(strokeWidth=2)
        .encode(
            x=_DATE,
            y=alt.Y("difference:Q", title="difference (index points)"),
            color=alt.Color("measure:N", legend=alt.Legend(orient="top", title=None)),
            tooltip=["measure:N", alt.Tooltip("difference:Q", format=".2f"), "date:T"],
        )
    )
    title = f"{country}: {strategy} minus status_quo (same seed)"
    return _spec((zero + lines).properties(width=WIDTH, height=200, title=title))


def _world_data() -> alt.InlineData:
    return alt.InlineData(
        values=topology(), format=alt.DataFormat(type="topojson", feature=COUNTRIES_OBJECT)
    )


def map_chart(measure: str = "score", view: str = "world") -> str:
    """A choropleth of ``measure`` (a key of :data:`MAP_MEASURES`) over the world's
    country shapes (or the Latin America ``view``); countries without data in grey."""
    if measure not in MAP_MEASURES:
        raise ValueError(f"map measure {measure!r}: choose one of {', '.join(MAP_MEASURES)}")
    if view not in MAP_VIEWS:
        raise ValueError(f"map view {view!r}: choose one of {', '.join(MAP_VIEWS)}")
    field, title = MAP_MEASURES[measure]
    if field == "tier":
        colour = alt.Color("tier:N", scale=_TIER_SCALE, title=title)
    elif field == "capital_share":
        colour = alt.Color(f"{field}:Q", scale=alt.Scale(type="log", scheme="greens"), title=title)
    else:
        colour = alt.Color(
            f"{field}:Q", scale=alt.Scale(domain=[0, 100], scheme="viridis"), title=title
        )
    base = alt.Chart(_world_data()).mark_geoshape(
        fill=NO_DATA_COLOUR, stroke="white", strokeWidth=0.4
    )
    shapes = (
        alt.Chart(alt.NamedData("current"))
        .transform_lookup(
            lookup="id", from_=alt.LookupData(data=_world_data(), key="id"), as_="geo"
        )
        .mark_geoshape(stroke="white", strokeWidth=0.4)
        .encode(
            shape=alt.Shape("geo:G"),
            color=colour,
            tooltip=[
                "iso3:N",
                alt.Tooltip("score:Q", format=".1f"),
                "tier:N",
                alt.Tooltip("adoption:Q", format=".1f"),
                alt.Tooltip("capital_share:Q", format=".3f", title="capital share (%)"),
            ],
        )
    )
    chart = (
        (base + shapes)
        .project(**MAP_VIEWS[view])
        .properties(width=WIDTH, height=300, title=f"{measure} ({view})")
    )
    return _spec(chart.configure_legend(orient="bottom"))


__all__ = [
    "DATASETS",
    "MAP_MEASURES",
    "MAP_VIEWS",
    "difference_chart",
    "investment_chart",
    "map_chart",
    "score_chart",
    "tier_chart",
]
