"""The tile-grid map of the ILIA countries (figures/map.py): Figure objects, no pixels."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.patches import Rectangle

from figures.map import ILIA_COUNTRIES, TILE_GRID, tier_map, tier_map_small_multiples, tiles_at
from figures.style import TIER_COLOURS

ISO3 = "ARG BOL BRA CHL COL CRI CUB DOM ECU SLV GTM HND JAM MEX PAN PRY PER URY VEN".split()


def _frame(months=("2025-01", "2025-02"), replicates=1) -> pd.DataFrame:
    """A small tidy frame: scores rise by 10 a month; country i starts at 3 i."""
    rows = []
    for r in range(replicates):
        for m, month in enumerate(months):
            for i, iso3 in enumerate(ISO3):
                score = 3.0 * i + 10.0 * m + (0.5 if r % 2 else 0.0)
                tier = "Explorer" if score < 35 else "Pioneer" if score > 60 else "Adopter"
                rows.append(
                    {
                        "date": pd.Timestamp(month),
                        "iso3": iso3,
                        "score": score,
                        "tier": tier,
                        "replicate": r,
                    }
                )
    return pd.DataFrame(rows)


def _tiles(fig, panel: int = 0) -> dict[str, Rectangle]:
    return {p.get_gid(): p for p in fig.axes[panel].patches if isinstance(p, Rectangle)}


def test_layout_covers_the_19_ilia_countries_on_distinct_cells():
    assert sorted(ILIA_COUNTRIES) == sorted(ISO3)
    assert len(set(TILE_GRID.values())) == 19
    rows = {iso3: r for iso3, (r, _) in TILE_GRID.items()}
    assert rows["MEX"] < rows["PAN"] < rows["PER"] < rows["ARG"]  # north to south


def test_one_tile_per_country_coloured_by_tier_and_labelled():
    frame = _frame()
    fig = tier_map(frame, date="2025-02")
    tiles = _tiles(fig)
    assert sorted(tiles) == sorted(ISO3)
    last = frame[frame["date"] == "2025-02"].set_index("iso3")
    for iso3, tile in tiles.items():
        assert to_hex(tile.get_facecolor()) == TIER_COLOURS[last.at[iso3, "tier"]].lower()
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"PER", "BRA", f"{last.at['PER', 'score']:.1f}"} <= texts
    assert fig.axes[0].get_title() == "Tiers in 2025-02"
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == [
        "Explorer",
        "Adopter",
        "Pioneer",
    ]
    plt.close(fig)


def test_default_date_is_the_last_month_and_dates_are_matched_by_month():
    frame = _frame()
    fig = tier_map(frame)
    assert fig.axes[0].get_title() == "Tiers in 2025-02"
    plt.close(fig)
    fig = tier_map(frame, date=pd.Timestamp("2025-01-15"))
    assert fig.axes[0].get_title() == "Tiers in 2025-01"
    plt.close(fig)
    with pytest.raises(ValueError, match="no rows in 2030-01"):
        tier_map(frame, date="2030-01")


def test_replicates_give_median_score_and_modal_tier():
    frame = _frame(months=("2025-01",), replicates=3)
    table = tiles_at(frame)
    assert table.at["ARG", "score"] == pytest.approx(0.0)  # median of 0, 0.5, 0
    assert (table["rows"] == 3).all()
    fig = tier_map(frame)
    assert "modal tier over 3 runs" in fig.axes[0].get_title()
    plt.close(fig)


def test_thresholds_reclassify_the_median_score():
    frame = _frame(months=("2025-01",))  # scores 0, 3, ..., 54
    fig = tier_map(frame, thresholds=(10.0, 30.0))
    tiles = _tiles(fig)
    colour = {iso3: to_hex(tile.get_facecolor()) for iso3, tile in tiles.items()}
    assert colour[ISO3[0]] == TIER_COLOURS["Explorer"].lower()  # 0
    assert colour[ISO3[5]] == TIER_COLOURS["Adopter"].lower()  # 15
    assert colour[ISO3[18]] == TIER_COLOURS["Pioneer"].lower()  # 54
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["Explorer (< 10)", "Adopter (10-30)", "Pioneer (> 30)"]
    plt.close(fig)


def test_missing_countries_are_grey_and_unknown_ones_rejected():
    frame = _frame()
    fig = tier_map(frame[frame["iso3"] != "CUB"])
    assert to_hex(_tiles(fig)["CUB"].get_facecolor()) == "#dddddd"
    plt.close(fig)
    bad = frame.assign(iso3=frame["iso3"].replace({"PER": "XXX"}))
    with pytest.raises(ValueError, match="XXX"):
        tier_map(bad)


def test_small_multiples_one_panel_per_date():
    frame = _frame(months=("2025-01", "2025-02", "2025-03"))
    fig = tier_map_small_multiples(frame, ["2025-01", "2025-03"])
    assert [ax.get_title() for ax in fig.axes] == ["2025-01", "2025-03"]
    assert all(len(_tiles(fig, i)) == 19 for i in range(2))
    assert len(fig.legends) == 1
    plt.close(fig)
    fig = tier_map_small_multiples(frame, ["2025-01", "2025-02", "2025-03"], ncols=2)
    assert len(fig.axes) == 3  # the fourth cell of the 2 x 2 grid is removed
    plt.close(fig)
    with pytest.raises(ValueError, match="dates is empty"):
        tier_map_small_multiples(frame, [])


def test_tier_map_of_a_model_run():
    from model import RegionModel

    model = RegionModel(rng=1)
    for _ in range(3):
        model.step()
    fig = tier_map(model.agent_frame(region="focus"), date=model.date)
    tiles = _tiles(fig)
    for agent in (a for a in model.agents if a.in_focus):
        assert to_hex(tiles[agent.iso3].get_facecolor()) == TIER_COLOURS[agent.tier].lower()
    assert fig.axes[0].get_title() == f"Tiers in {model.date:%Y-%m}"
    plt.close(fig)
