"""The dashboard's charts as Vega-Lite specifications (built with Altair, drawn in the browser),
and the world map as a Vega specification.

Each chart reads named data sets (``alt.NamedData``) that :class:`dashboard.session.Session`
fills month by month: the spec is sent once and the rows follow as patches
(:mod:`dashboard.livechart`). Dates are ISO strings (``2025-08-01``); scores are index
points (0-100), shares percent.

The map is written in Vega rather than Vega-Lite so that a month costs only new fill
colours: the country outlines are projected once (a ``geopath`` transform on the static
shapes) and each month's values are joined to them by a ``lookup`` of the small
``current`` data set, so that the browser recolours the same SVG paths instead of
projecting and redrawing every shape. Specs are built once per process (``functools.cache``).
"""

from __future__ import annotations

import json
from functools import cache

import altair as alt

from dashboard.world import COUNTRIES_OBJECT, topology

#: The tiers, lowest first, and their colours (as ``figures.style``, which the dashboard
#: does not import: it loads matplotlib and pandas).
TIER_ORDER = ("Explorer", "Adopter", "Pioneer")
TIER_COLOURS = {"Explorer": "#CC79A7", "Adopter": "#E69F00", "Pioneer": "#0072B2"}

WIDTH = 520
HEIGHT = 260
NO_DATA_COLOUR = "#D9D9D9"
HIGHLIGHT_COLOUR = "#000000"
OTHERS_COLOUR = "#9E9E9E"
#: The measures of the paired difference (the rows of its ``difference`` data set).
DIFFERENCE_MEASURES = ("score", "research", "adoption")
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
#: A chart's period: its first and last month as ISO dates (``("2024-09-01", "2035-12-01")``).
Period = tuple[str, str] | None


def _date(period: Period = None) -> alt.X:
    """The time axis; over a fixed ``period`` (the model's months), so that a new month
    moves only the lines, not the axis, its ticks and its grid."""
    axis = alt.Axis(format="%Y-%m", labelAngle=0)
    if period is None:
        return alt.X("date:T", title=None, axis=axis)
    ends = [
        alt.DateTime(year=int(day[:4]), month=int(day[5:7]), date=int(day[8:10])) for day in period
    ]
    return alt.X("date:T", title=None, axis=axis, scale=alt.Scale(domain=ends))


def _spec(chart: alt.TopLevelMixin) -> str:
    """The chart's Vega-Lite spec as JSON text (text, not a dict: the page passes it to
    the browser untouched)."""
    return json.dumps(chart.configure_view(stroke=None).to_dict(), separators=(",", ":"))


@cache
def score_chart(highlight: str = "PER", period: Period = None) -> str:
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
            x=_date(period),
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


@cache
def tier_chart(period: Period = None) -> str:
    """Countries per tier over time."""
    chart = (
        alt.Chart(alt.NamedData("tiers"))
        .mark_line(interpolate="step-after", strokeWidth=2)
        .encode(
            x=_date(period),
            y=alt.Y("countries:Q", title="countries"),
            color=alt.Color(
                "tier:N", scale=_TIER_SCALE, legend=alt.Legend(orient="top", title=None)
            ),
            tooltip=["tier:N", "countries:Q", "date:T"],
        )
    )
    return _spec(chart.properties(width=WIDTH, height=200, title="Countries per tier"))


@cache
def investment_chart(period: Period = None) -> str:
    """The region's share of global AI investment (percent, log scale)."""
    chart = (
        alt.Chart(alt.NamedData("region"))
        .mark_line(strokeWidth=2, color="#0072B2")
        .encode(
            x=_date(period),
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


@cache
def difference_chart(country: str, strategy: str, period: Period = None) -> str:
    """Paired difference: ``country``'s measures under ``strategy`` minus the status quo."""
    zero = alt.Chart(alt.NamedData("difference")).mark_rule(color="#666").encode(y=alt.datum(0))
    lines = (
        alt.Chart(alt.NamedData("difference"))
        .mark_line(strokeWidth=2)
        .encode(
            x=_date(period),
            y=alt.Y("difference:Q", title="difference (index points)"),
            # a fixed domain: a legend of an empty data set (before the first rows) would
            # size the chart to infinity
            color=alt.Color(
                "measure:N",
                scale=alt.Scale(domain=list(DIFFERENCE_MEASURES)),
                legend=alt.Legend(orient="top", title=None),
            ),
            tooltip=["measure:N", alt.Tooltip("difference:Q", format=".2f"), "date:T"],
        )
    )
    title = f"{country}: {strategy} minus status_quo (same seed)"
    return _spec((zero + lines).properties(width=WIDTH, height=200, title=title))


MAP_WIDTH = WIDTH
MAP_HEIGHT = 300
#: The capital-share colour scale (percent, log): from a millionth of a percent to all.
CAPITAL_SHARE_DOMAIN = (1e-6, 100.0)
#: The fields of the map's ``current`` rows that its tooltip shows (field, title, format).
MAP_TOOLTIP = (
    ("iso3", "country", None),
    ("score", "score", ".1f"),
    ("tier", "tier", None),
    ("adoption", "adoption", ".1f"),
    ("capital_share", "capital share (%)", ".3g"),
)


def _map_colour_scale(field: str) -> dict:
    """The Vega colour scale of a map measure (``field`` of the ``current`` rows)."""
    if field == "tier":
        return {
            "name": "colour",
            "type": "ordinal",
            "domain": list(TIER_ORDER),
            "range": [TIER_COLOURS[t] for t in TIER_ORDER],
        }
    if field == "capital_share":
        # a fixed domain: the legend stays put from month to month (smaller shares clamp)
        return {
            "name": "colour",
            "type": "log",
            "domain": list(CAPITAL_SHARE_DOMAIN),
            "range": {"scheme": "greens"},
            "clamp": True,
        }
    return {"name": "colour", "type": "linear", "domain": [0, 100], "range": {"scheme": "viridis"}}


def _map_projection(view: str) -> dict:
    projection = {"name": "projection", **MAP_VIEWS[view]}
    if "scale" in projection:
        projection["translate"] = {"signal": "[width / 2, height / 2]"}
    else:
        projection["fit"] = {"signal": "data('shapes')"}
        projection["size"] = {"signal": "[width, height]"}
    return projection


@cache
def map_chart(measure: str = "score", view: str = "world") -> str:
    """A choropleth of ``measure`` (a key of :data:`MAP_MEASURES`) over the world's
    country shapes (or the Latin America ``view``), as a Vega spec (JSON text): every
    shape of the vendored topology drawn once, countries without data in grey, each
    month's values from the ``current`` data set (one row per country, by map id)."""
    if measure not in MAP_MEASURES:
        raise ValueError(f"map measure {measure!r}: choose one of {', '.join(MAP_MEASURES)}")
    if view not in MAP_VIEWS:
        raise ValueError(f"map view {view!r}: choose one of {', '.join(MAP_VIEWS)}")
    field, title = MAP_MEASURES[measure]
    tooltip = ", ".join(
        f"'{name}': "
        + (f"datum.value.{key}" if fmt is None else f"format(datum.value.{key}, '{fmt}')")
        for key, name, fmt in MAP_TOOLTIP
    )
    has_value = f"datum.value && isValid(datum.value.{field})"
    if field == "capital_share":
        has_value += f" && datum.value.{field} > 0"
    legend = {"fill": "colour", "orient": "bottom", "direction": "horizontal", "title": title}
    spec = {
        "$schema": "https://vega.github.io/schema/vega/v6.json",
        "width": MAP_WIDTH,
        "height": MAP_HEIGHT,
        "padding": 5,
        "title": {"text": f"{measure} ({view})"},
        "data": [
            {"name": "current", "values": []},
            {
                "name": "shapes",
                "values": topology(),
                "format": {"type": "topojson", "feature": COUNTRIES_OBJECT},
            },
            {
                # the outlines projected once; each month only the lookup runs again
                "name": "countries",
                "source": "shapes",
                "transform": [
                    {"type": "geopath", "projection": "projection"},
                    {
                        "type": "lookup",
                        "from": "current",
                        "key": "id",
                        "fields": ["id"],
                        "as": ["value"],
                    },
                ],
            },
        ],
        "projections": [_map_projection(view)],
        "scales": [_map_colour_scale(field)],
        "legends": [legend],
        "marks": [
            {
                "type": "path",
                "name": "country_shapes",
                "from": {"data": "countries"},
                "clip": True,
                "encode": {
                    "enter": {
                        "path": {"field": "path"},
                        "stroke": {"value": "white"},
                        "strokeWidth": {"value": 0.4},
                    },
                    "update": {
                        "fill": [
                            {"test": has_value, "scale": "colour", "field": f"value.{field}"},
                            {"value": NO_DATA_COLOUR},
                        ],
                        "tooltip": {"signal": f"datum.value ? {{{tooltip}}} : 'no data'"},
                    },
                },
            }
        ],
    }
    return json.dumps(spec, separators=(",", ":"))


__all__ = [
    "DATASETS",
    "DIFFERENCE_MEASURES",
    "TIER_COLOURS",
    "TIER_ORDER",
    "MAP_MEASURES",
    "MAP_VIEWS",
    "difference_chart",
    "investment_chart",
    "map_chart",
    "score_chart",
    "tier_chart",
]
