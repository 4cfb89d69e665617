"""A tile-grid map of the 19 ILIA countries, coloured by tier.

Each country is one square tile placed roughly where it lies (:data:`TILE_GRID`), filled
with its tier colour (``figures.style.TIER_COLOURS``) and labelled with its ISO3 code and
score. Why a tile grid and not country shapes (Natural Earth and the like): it needs no
geo dependency (geopandas, shapely, cartopy) and no shape files to vendor and keep in sync;
every country gets the same visual weight, so Uruguay, Jamaica or El Salvador are as
readable as Brazil (on an area map the small Caribbean and Central American countries, a
third of ILIA, vanish); and the figure is a plain matplotlib Figure whose tiles are
patches that tests can count and whose colours they can read.

Input is a tidy agents frame (one row per country-month, as written by
``RegionModel.agent_frame()`` or ``latam-ai run``): columns ``date``, ``iso3``, ``score``,
``tier`` and optionally ``replicate``. With several rows per country and month (replicates,
scenarios) a tile shows the median score and the modal tier.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.patches import Patch, Rectangle

from figures.style import TIER_COLOURS, TIER_ORDER, new_figure

#: (row, column) of each country's tile; row 0 is the top (north), column 0 the west.
#: Hand-made: Mexico north-west; Cuba, Jamaica and the Dominican Republic across the
#: Caribbean; Central America stepping south-east to Panama; then South America from
#: Ecuador, Colombia and Venezuela in the north to Chile, Argentina and Uruguay in the south.
#:
#: .. code-block:: text
#:
#:     MEX  .    .    CUB  .
#:     .    GTM  HND  JAM  DOM
#:     .    SLV  CRI  PAN  .
#:     .    .    ECU  COL  VEN
#:     .    .    PER  BOL  BRA
#:     .    .    CHL  PRY  .
#:     .    .    .    ARG  URY
# fmt: off
TILE_GRID: dict[str, tuple[int, int]] = {
    "MEX": (0, 0), "CUB": (0, 3),
    "GTM": (1, 1), "HND": (1, 2), "JAM": (1, 3), "DOM": (1, 4),
    "SLV": (2, 1), "CRI": (2, 2), "PAN": (2, 3),
    "ECU": (3, 2), "COL": (3, 3), "VEN": (3, 4),
    "PER": (4, 2), "BOL": (4, 3), "BRA": (4, 4),
    "CHL": (5, 2), "PRY": (5, 3),
    "ARG": (6, 3), "URY": (6, 4),
}
# fmt: on
ILIA_COUNTRIES: tuple[str, ...] = tuple(TILE_GRID)
NO_DATA_COLOUR = "#DDDDDD"
TILE_SIZE = 0.92  # side of a tile in grid units (the rest is the gap between tiles)


def _month(date) -> pd.Period:
    """A calendar month from a date, a 'YYYY-MM' string or a Period."""
    try:
        return pd.Period(date, freq="M")
    except (ValueError, TypeError) as exc:
        raise ValueError(f"date={date!r} is not a month; expected 'YYYY-MM' or a date") from exc


def _modal_tier(tiers: pd.Series) -> str:
    """The most frequent tier; ties go to the lower tier (order of ``TIER_ORDER``)."""
    counts = tiers.value_counts().reindex(list(TIER_ORDER), fill_value=0)
    return str(counts.idxmax())


def _classify(score: float, thresholds: tuple[float, float]) -> str:
    """The tier of a score under the cut-offs ``(low, high)``, by the model's rule
    (``model.equations.classify_tiers``): Explorer below low, Pioneer above high."""
    low, high = thresholds
    return TIER_ORDER[int(score >= low) + int(score > high)]


def tiles_at(
    agents: pd.DataFrame, date=None, thresholds: tuple[float, float] | None = None
) -> pd.DataFrame:
    """One row per country at ``date`` (default: the last date in ``agents``): the median
    ``score``, the ``tier`` (modal over rows, or the tier of the median score under
    ``thresholds`` when given) and ``rows`` (how many rows were summarised).

    Raises ``ValueError`` naming the month when ``agents`` has no rows in it, and naming
    the codes when ``agents`` holds countries that are not on the map.
    """
    missing = {"date", "iso3", "score", "tier"} - set(agents.columns)
    if missing:
        raise ValueError(
            f"agents frame lacks column(s) {sorted(missing)}; expected date, iso3, score, tier"
        )
    unknown = sorted(set(agents["iso3"]) - set(TILE_GRID))
    if unknown:
        raise ValueError(
            f"countries {unknown} are not on the tile map; it covers the 19 ILIA countries: "
            f"{', '.join(ILIA_COUNTRIES)}"
        )
    months = pd.to_datetime(agents["date"]).dt.to_period("M")
    month = months.max() if date is None else _month(date)
    rows = agents[(months == month).to_numpy()]
    if rows.empty:
        raise ValueError(
            f"date={date!r}: the agents frame has no rows in {month}; it covers "
            f"{months.min()} to {months.max()}"
        )
    grouped = rows.groupby("iso3")
    table = pd.DataFrame({"score": grouped["score"].median(), "rows": grouped.size()})
    if thresholds is None:
        table["tier"] = grouped["tier"].agg(_modal_tier)
    else:
        table["tier"] = [_classify(s, thresholds) for s in table["score"]]
    table.attrs["month"] = month
    return table


def _text_colour(fill: str) -> str:
    """Black or white, whichever reads better on ``fill`` (relative luminance)."""
    red, green, blue = (int(fill[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return "black" if 0.2126 * red + 0.7152 * green + 0.0722 * blue > 0.45 else "white"


def draw_tiles(ax, table: pd.DataFrame, title: str) -> None:
    """Draw one tile per ILIA country on ``ax`` from a :func:`tiles_at` table (countries
    absent from it are grey, labelled 'n/a'). Each tile is a ``Rectangle`` whose ``gid``
    is the ISO3 code."""
    for iso3, (row, col) in TILE_GRID.items():
        known = iso3 in table.index
        tier = table.at[iso3, "tier"] if known else None
        fill = TIER_COLOURS[tier] if known else NO_DATA_COLOUR
        ax.add_patch(
            Rectangle(
                (col, -row),
                TILE_SIZE,
                TILE_SIZE,
                facecolor=fill,
                edgecolor="white",
                linewidth=1.0,
                gid=iso3,
                label=tier or "no data",
            )
        )
        label = f"{table.at[iso3, 'score']:.1f}" if known else "n/a"
        centre_x, centre_y = col + TILE_SIZE / 2, -row + TILE_SIZE / 2
        colour = _text_colour(fill)
        ax.text(
            centre_x,
            centre_y + 0.14,
            iso3,
            ha="center",
            va="center",
            fontsize=9,
            fontweight="bold",
            color=colour,
        )
        ax.text(
            centre_x, centre_y - 0.18, label, ha="center", va="center", fontsize=8, color=colour
        )
    rows = max(r for r, _ in TILE_GRID.values())
    cols = max(c for _, c in TILE_GRID.values())
    ax.set_xlim(-0.1, cols + 1.0)
    ax.set_ylim(-rows - 0.1, 1.0)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title)


def _legend_handles(thresholds: tuple[float, float] | None) -> list[Patch]:
    """One legend entry per tier, with the cut-offs when they are known."""
    if thresholds is None:
        labels = dict(zip(TIER_ORDER, TIER_ORDER, strict=True))
    else:
        low, high = thresholds
        labels = {
            "Explorer": f"Explorer (< {low:g})",
            "Adopter": f"Adopter ({low:g}-{high:g})",
            "Pioneer": f"Pioneer (> {high:g})",
        }
    return [Patch(facecolor=TIER_COLOURS[t], label=labels[t]) for t in TIER_ORDER]


def _title(table: pd.DataFrame) -> str:
    month = table.attrs["month"]
    runs = int(table["rows"].max())
    if runs > 1:
        return f"Tiers in {month} (median score, modal tier over {runs} runs)"
    return f"Tiers in {month}"


def tier_map(agents_frame: pd.DataFrame, date=None, thresholds: tuple[float, float] | None = None):
    """A tile map of the ILIA countries at ``date`` (default: the last month in the frame),
    each tile coloured by tier and labelled with ISO3 code and score (index 0-100).

    ``thresholds=None`` uses the frame's ``tier`` column (the modal tier over replicates);
    ``thresholds=(low, high)`` classifies each country's median score by those cut-offs
    instead (to view a run under other cut-offs) and shows them in the legend. Returns a
    matplotlib Figure (close it after use, e.g. with ``figures.style.save``).
    """
    table = tiles_at(agents_frame, date, thresholds)
    fig, ax = new_figure(figsize=(5.2, 6.2))
    draw_tiles(ax, table, _title(table))
    ax.legend(
        handles=_legend_handles(thresholds),
        loc="lower left",
        fontsize=8,
        title="tier",
        title_fontsize=8,
    )
    return fig


def tier_map_small_multiples(
    agents_frame: pd.DataFrame,
    dates: Sequence,
    thresholds: tuple[float, float] | None = None,
    ncols: int = 4,
):
    """Tile maps of the ILIA countries side by side, one panel per month in ``dates``
    (for instance the start, the open-weights release and the end), with one shared tier
    legend. ``thresholds`` as in :func:`tier_map`. Returns a matplotlib Figure."""
    dates = list(dates)
    if not dates:
        raise ValueError("dates is empty; give at least one month, e.g. ['2025-08']")
    tables = [tiles_at(agents_frame, date, thresholds) for date in dates]
    ncols = max(1, min(ncols, len(tables)))
    nrows = -(-len(tables) // ncols)
    fig, axes = new_figure(nrows, ncols, figsize=(3.4 * ncols, 4.1 * nrows + 0.5), squeeze=False)
    for ax, table in zip(axes.flat, tables, strict=False):
        draw_tiles(ax, table, str(table.attrs["month"]))
    for ax in list(axes.flat)[len(tables) :]:
        ax.remove()
    fig.legend(handles=_legend_handles(thresholds), loc="lower center", ncols=3, fontsize=8)
    runs = int(max(t["rows"].max() for t in tables))
    fig.suptitle("Tiers over time" + (f" (modal tier over {runs} runs)" if runs > 1 else ""))
    return fig


__all__ = [
    "ILIA_COUNTRIES",
    "TILE_GRID",
    "draw_tiles",
    "tier_map",
    "tier_map_small_multiples",
    "tiles_at",
]
