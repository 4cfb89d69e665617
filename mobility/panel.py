"""Tier panels: the tier of country c at time t in run r.

A model run, a set of runs and the ILIA editions all convert into one `TierPanel`: an int8
array of tier codes with shape (runs, periods, countries), ordered upward (0 = Explorer,
1 = Adopter, 2 = Pioneer, -1 = missing), together with the scores it was classified from.

Three classifications are available, each with an optional hysteresis rule:

- ``absolute``: fixed cut-offs (lo, hi) on the score: Explorer if s < lo, Pioneer if s > hi.
- ``relative``: the same rule on s / mean_c(s), the score relative to the regional mean of
  that run and period (cut-offs ``relative_cutoffs``).
- ``rank``: rank classes; the lowest ``rank_shares[0]`` of countries are Explorers, the
  highest ``rank_shares[2]`` Pioneers (quantile classes, as in giddy's ``Quantiles``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from model.tiers import DEFAULT_THRESHOLDS, TIER_LABELS

N_TIERS = len(TIER_LABELS)
MISSING = -1
DEFAULT_RELATIVE_CUTOFFS = (0.8, 1.25)
DEFAULT_RANK_SHARES = (8 / 19, 8 / 19, 3 / 19)  # ILIA 2025: 8 Explorers, 8 Adopters, 3 Pioneers
Mode = Literal["absolute", "relative", "rank"]


def classify_scores(
    values: np.ndarray, cutoffs: tuple[float, float], *, band: float = 0.0
) -> np.ndarray:
    """Tier codes of `values` with the rule tier = [v >= lo] + [v > hi]; NaN gives -1.

    With ``band > 0`` the values are shifted by ``-band`` first (``classify(v - band)`` is the
    lowest tier a hysteresis band allows). Works on any shape.
    """
    lo, hi = cutoffs
    if not lo <= hi:
        raise ValueError(f"cut-offs must satisfy lo <= hi, got {cutoffs!r}")
    shifted = values - band if band else values
    tiers = (shifted >= lo).astype(np.int8) + (shifted > hi).astype(np.int8)
    return np.where(np.isnan(values), np.int8(MISSING), tiers).astype(np.int8)


def relative_to_mean(scores: np.ndarray) -> np.ndarray:
    """Score relative to the regional mean of the same run and period: s_c / mean_c(s)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return scores / np.nanmean(scores, axis=-1, keepdims=True)


def rank_share(scores: np.ndarray) -> np.ndarray:
    """Mid-rank share (rank + 1/2) / n of each country within its run and period (0 to 1)."""
    order = np.argsort(scores, axis=-1, kind="stable")  # NaN sort last
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(scores.shape[-1]), axis=-1)
    n_valid = (~np.isnan(scores)).sum(axis=-1, keepdims=True)
    share = (ranks + 0.5) / np.maximum(n_valid, 1)
    return np.where(np.isnan(scores), np.nan, share)


def apply_hysteresis(
    values: np.ndarray,
    cutoffs: tuple[float, float],
    *,
    periods: int = 0,
    band: float = 0.0,
) -> np.ndarray:
    """Tiers with a hysteresis rule, along axis -2 (periods) of a (..., periods, countries) array.

    Band rule: the tier moves up only when the value exceeds a cut-off by more than `band`
    and down only when it falls below it by more than `band`:
    tier_t = min(max(tier_{t-1}, classify(v_t - band)), classify(v_t + band)).
    Persistence rule: a change to tier j at t counts only if the (banded) tier stays j for
    at least `periods` consecutive periods from t on (dated at t; a change in the last
    periods - 1 periods cannot be confirmed and is not counted). After a missing value the
    tier restarts from the unfiltered classification.
    """
    raw_low = classify_scores(values, cutoffs, band=band)
    raw_high = classify_scores(values, cutoffs, band=-band)
    n_periods = values.shape[-2]
    banded = np.empty_like(raw_low)
    state = classify_scores(values[..., 0, :], cutoffs)
    banded[..., 0, :] = state
    for t in range(1, n_periods):
        lower, upper = raw_low[..., t, :], raw_high[..., t, :]
        kept = np.minimum(np.maximum(state, lower), upper)
        fresh = classify_scores(values[..., t, :], cutoffs)
        state = np.where((state == MISSING) | (lower == MISSING), fresh, kept).astype(np.int8)
        banded[..., t, :] = state
    if periods <= 1:
        return banded
    run_length = np.ones(banded.shape, dtype=np.int16)
    for t in range(n_periods - 2, -1, -1):
        same = banded[..., t, :] == banded[..., t + 1, :]
        run_length[..., t, :] = np.where(same, run_length[..., t + 1, :] + 1, 1)
    confirmed = run_length >= periods
    tiers = np.empty_like(banded)
    state = banded[..., 0, :]
    tiers[..., 0, :] = state
    for t in range(1, n_periods):
        now = banded[..., t, :]
        switch = (now != state) & confirmed[..., t, :]
        state = np.where((now == MISSING) | (state == MISSING) | switch, now, state)
        tiers[..., t, :] = state
    return tiers.astype(np.int8)


def _as_month_dates(dates: np.ndarray | pd.DatetimeIndex | list) -> np.ndarray:
    return np.asarray(pd.DatetimeIndex(dates).values.astype("datetime64[M]"))


@dataclass(frozen=True, eq=False)
class TierPanel:
    """Tier of country c at period t in run r, with the classification that produced it.

    Attributes
    ----------
    tiers : int8 array (runs, periods, countries); 0 Explorer, 1 Adopter, 2 Pioneer, -1 missing.
    scores : float array of the same shape (index 0 to 100) or None.
    dates : datetime64[M] array (periods,).
    countries : ISO3 codes (countries,).
    run_ids : int array (runs,).
    mode, thresholds, relative_cutoffs, rank_shares, hysteresis_periods, hysteresis_band :
        the classification used (see the module docstring).
    """

    tiers: np.ndarray
    scores: np.ndarray | None
    dates: np.ndarray
    countries: tuple[str, ...]
    run_ids: np.ndarray
    mode: Mode = "absolute"
    thresholds: tuple[float, float] = DEFAULT_THRESHOLDS
    relative_cutoffs: tuple[float, float] = DEFAULT_RELATIVE_CUTOFFS
    rank_shares: tuple[float, float, float] = DEFAULT_RANK_SHARES
    hysteresis_periods: int = 0
    hysteresis_band: float = 0.0

    def __post_init__(self) -> None:
        if self.tiers.ndim != 3:
            raise ValueError(f"tiers must be (runs, periods, countries), got {self.tiers.shape}")
        runs, periods, countries = self.tiers.shape
        if len(self.dates) != periods or len(self.countries) != countries:
            raise ValueError(
                f"tiers {self.tiers.shape} do not match {len(self.dates)} dates and "
                f"{len(self.countries)} countries"
            )
        if len(self.run_ids) != runs:
            raise ValueError(f"{len(self.run_ids)} run_ids for {runs} runs")

    @property
    def n_runs(self) -> int:
        return self.tiers.shape[0]

    @property
    def n_periods(self) -> int:
        return self.tiers.shape[1]

    @property
    def n_countries(self) -> int:
        return self.tiers.shape[2]

    @property
    def classification(self) -> str:
        """Short description such as 'absolute (35, 60), persist 3'."""
        cuts = {
            "absolute": self.thresholds,
            "relative": self.relative_cutoffs,
            "rank": tuple(round(s, 3) for s in self.rank_shares),
        }[self.mode]
        text = f"{self.mode} {tuple(float(c) for c in cuts)}"
        if self.hysteresis_periods > 1:
            text += f", persist {self.hysteresis_periods}"
        if self.hysteresis_band > 0:
            text += f", band {self.hysteresis_band:g}"
        return text

    @classmethod
    def from_scores(
        cls,
        scores: np.ndarray,
        dates: np.ndarray | pd.DatetimeIndex | list,
        countries: tuple[str, ...] | list[str],
        *,
        thresholds: tuple[float, float] = DEFAULT_THRESHOLDS,
        mode: Mode = "absolute",
        relative_cutoffs: tuple[float, float] = DEFAULT_RELATIVE_CUTOFFS,
        rank_shares: tuple[float, float, float] = DEFAULT_RANK_SHARES,
        hysteresis_periods: int = 0,
        hysteresis_band: float = 0.0,
        run_ids: np.ndarray | None = None,
    ) -> TierPanel:
        """Classify a score array (periods, countries) or (runs, periods, countries)."""
        scores = np.asarray(scores)
        if not np.issubdtype(scores.dtype, np.floating):
            scores = scores.astype(np.float64)
        if scores.ndim == 2:
            scores = scores[None]
        if scores.ndim != 3:
            raise ValueError(f"scores must be 2-D or 3-D, got shape {scores.shape}")
        if mode == "absolute":
            value, cutoffs = scores, thresholds
        elif mode == "relative":
            value, cutoffs = relative_to_mean(scores), relative_cutoffs
        elif mode == "rank":
            if len(rank_shares) != N_TIERS or not np.isclose(sum(rank_shares), 1.0):
                raise ValueError(f"rank_shares must be 3 shares summing to 1, got {rank_shares}")
            value = rank_share(scores)
            cutoffs = (rank_shares[0], rank_shares[0] + rank_shares[1])
        else:
            raise ValueError(f"mode must be 'absolute', 'relative' or 'rank', got {mode!r}")
        if hysteresis_periods > 1 or hysteresis_band > 0:
            tiers = apply_hysteresis(
                value, cutoffs, periods=hysteresis_periods, band=hysteresis_band
            )
        else:
            tiers = classify_scores(value, cutoffs)
        run_ids = np.arange(scores.shape[0]) if run_ids is None else np.asarray(run_ids)
        return cls(
            tiers=tiers,
            scores=scores,
            dates=_as_month_dates(dates),
            countries=tuple(str(c) for c in countries),
            run_ids=run_ids,
            mode=mode,
            thresholds=tuple(thresholds),
            relative_cutoffs=tuple(relative_cutoffs),
            rank_shares=tuple(rank_shares),
            hysteresis_periods=int(hysteresis_periods),
            hysteresis_band=float(hysteresis_band),
        )

    def reclassify(self, **changes: object) -> TierPanel:
        """The same scores under another classification (keyword arguments of from_scores)."""
        if self.scores is None:
            raise ValueError("this panel has no scores to reclassify")
        settings = {
            "thresholds": self.thresholds,
            "mode": self.mode,
            "relative_cutoffs": self.relative_cutoffs,
            "rank_shares": self.rank_shares,
            "hysteresis_periods": self.hysteresis_periods,
            "hysteresis_band": self.hysteresis_band,
        }
        settings.update(changes)
        return TierPanel.from_scores(
            self.scores, self.dates, self.countries, run_ids=self.run_ids, **settings
        )

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, value: str = "score", **classify) -> TierPanel:
        """Panel from a tidy frame with columns ``run`` (optional), ``date``, ``iso3``, `value`.

        Other columns are ignored; keyword arguments go to `from_scores`.
        """
        scores, dates, countries, run_ids = frame_to_array(frame, value)
        return cls.from_scores(scores, dates, countries, run_ids=run_ids, **classify)

    @classmethod
    def from_ilia(
        cls,
        path: str | Path | None = None,
        editions: tuple[int, ...] = (2024, 2025),
        thresholds: tuple[float, float] = DEFAULT_THRESHOLDS,
        *,
        tier_source: Literal["scores", "published"] = "scores",
    ) -> TierPanel:
        """The ILIA editions as a one-run panel (dates = January of each edition year).

        ``tier_source="scores"`` classifies the overall score with `thresholds`;
        ``"published"`` uses the column ``tier_published`` (missing where not published).
        Countries absent from an edition are -1 / NaN; countries are ordered by their first
        appearance in the file.
        """
        if path is None:  # the vendored file, wherever the package is installed
            from model.data import data_dir

            path = data_dir() / "ilia_overall.csv"
        table = pd.read_csv(path)
        table = table[table["edition"].isin(editions)]
        missing = set(editions) - set(table["edition"])
        if missing:
            raise ValueError(f"editions {sorted(missing)} not found in {path}")
        frame = pd.DataFrame(
            {
                "date": pd.to_datetime(table["edition"].astype(str) + "-01-01"),
                "iso3": table["iso3"],
                "score": table["overall"].astype(float),
            }
        )
        panel = cls.from_frame(frame, thresholds=thresholds)
        if tier_source == "scores":
            return panel
        if tier_source != "published":
            raise ValueError(f"tier_source must be 'scores' or 'published', got {tier_source!r}")
        codes = {label.lower(): code for code, label in enumerate(TIER_LABELS)}
        published = table.assign(
            date=pd.to_datetime(table["edition"].astype(str) + "-01-01"),
            code=table["tier_published"].str.lower().map(codes).astype(float),
        )
        array, _, countries, _ = frame_to_array(published, "code")
        if countries != panel.countries:  # same rows, same order: cannot differ
            raise RuntimeError("published tiers and scores disagree on country order")
        tiers = np.where(np.isnan(array), MISSING, array).astype(np.int8)
        return replace(panel, tiers=tiers, mode="absolute")


def frame_to_array(
    frame: pd.DataFrame, value: str
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], np.ndarray]:
    """Pivot a tidy frame (run?, date, iso3, value) into (runs, periods, countries) floats.

    Dates and runs are sorted; countries keep their order of first appearance.
    Returns (array, dates, countries, run_ids).
    """
    for column in ("date", "iso3", value):
        if column not in frame.columns:
            raise ValueError(f"frame lacks column {column!r}; it has {list(frame.columns)}")
    runs = frame["run"].to_numpy() if "run" in frame.columns else np.zeros(len(frame), int)
    run_code, run_ids = pd.factorize(runs, sort=True)
    date_code, dates = pd.factorize(pd.to_datetime(frame["date"]), sort=True)
    country_code, countries = pd.factorize(frame["iso3"], sort=False)
    array = np.full((len(run_ids), len(dates), len(countries)), np.nan)
    array[run_code, date_code, country_code] = frame[value].to_numpy(dtype=float)
    return array, np.asarray(dates), tuple(str(c) for c in countries), np.asarray(run_ids)


def state_arrays(
    frame: pd.DataFrame, columns: tuple[str, ...] | list[str]
) -> dict[str, np.ndarray]:
    """Other state columns of the same tidy frame as (runs, periods, countries) arrays.

    The layout matches `TierPanel.from_frame` on that frame, so the result can be passed as
    ``values`` to `summarize`.
    """
    return {column: frame_to_array(frame, column)[0] for column in columns}
