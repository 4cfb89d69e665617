"""The models behind the dashboard, stepped together, and the rows each chart was sent.

A :class:`Session` runs three ``RegionModel`` s built from the same parameters and seed:
the scenario on screen, and a pair for the paired difference (``compare_country`` under
``compare_strategy`` minus the same country under ``status_quo``; common random numbers
through the shared seed). Each step records the new month's rows only (a country's values
are read from the model's current state, never from its history), so a step costs the
same in month 130 as in month 1.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from dashboard.charts import DATASETS, DIFFERENCE_MEASURES, TIER_ORDER
from dashboard.world import map_ids
from model.policies import STATUS_QUO, STRATEGY_NAMES
from model.region import RegionModel

DEFAULT_COMPARISON = ("PER", "production_platform")
STATUS_QUO_NAME = STRATEGY_NAMES[STATUS_QUO]


def with_policy(parameters: Mapping[str, Any], iso3: str, strategy: str) -> dict[str, Any]:
    """``parameters`` with ``iso3``'s policy set to ``strategy`` (others kept)."""
    policies = dict(parameters.get("policies") or {})
    policies[iso3] = strategy
    return {**parameters, "policies": policies}


def focus_countries(model: RegionModel) -> list[str]:
    """The countries shown as lines and in the table: the model's focus countries
    (``model.focus``, a boolean mask over ``model.countries``)."""
    return [c for c, inside in zip(model.countries, model.focus, strict=True) if inside]


class Session:
    """The dashboard's models and chart rows (see module).

    ``parameters`` are ``RegionModel`` keywords (names of ``model.parameters.PARAMETERS``);
    ``seed`` the random seed of all three models.
    """

    def __init__(
        self,
        parameters: Mapping[str, Any] | None = None,
        seed: int = 42,
        comparison: tuple[str, str] = DEFAULT_COMPARISON,
    ) -> None:
        self.run = 0
        self.resyncs: dict[str, int] = {}
        self.build(parameters or {}, seed, comparison)

    # --- building and stepping ---------------------------------------------------------
    def build(
        self,
        parameters: Mapping[str, Any],
        seed: int,
        comparison: tuple[str, str] | None = None,
    ) -> None:
        """New models at their first month (raises ``ValueError`` for a bad value; the
        session is then unchanged)."""
        comparison = comparison or self.comparison
        country, strategy = comparison
        model = RegionModel(rng=seed, **parameters)
        if country not in model.countries:
            raise ValueError(
                f"comparison country {country!r} is not in the model; "
                f"valid ISO3 codes: {', '.join(model.countries)}"
            )
        treated = RegionModel(rng=seed, **with_policy(parameters, country, strategy))
        control = RegionModel(rng=seed, **with_policy(parameters, country, STATUS_QUO_NAME))
        self.parameters, self.seed, self.comparison = dict(parameters), seed, comparison
        self.model, self.treated, self.control = model, treated, control
        self.focus = focus_countries(model)
        self._focus_index = [model.countries.index(c) for c in self.focus]
        self._map_ids = map_ids(model.countries)
        self._compare_index = model.countries.index(country)
        self.run += 1
        self.seq = 0
        self.history: dict[str, list[dict]] = {
            name: []
            for sets in DATASETS.values()
            for name, mode in sets.items()
            if mode == "insert"
        }
        self.latest: dict[str, list[dict]] = {}
        self.full = set(DATASETS)
        self._record()

    @property
    def period(self) -> tuple[str, str]:
        """The first and the last month of the models (ISO dates): the charts' time axis."""
        dates = self.model.dates
        return f"{dates[0]:%Y-%m-%d}", f"{dates[-1]:%Y-%m-%d}"

    @property
    def running(self) -> bool:
        """Whether another month can be stepped."""
        return bool(self.model.running) and self.model.month_index < len(self.model.months) - 1

    def step(self) -> None:
        """Advance the three models one month and record the new month's rows."""
        if not self.running:
            return
        self.step_shown()
        self.step_pair()

    def step_shown(self) -> None:
        """Advance the scenario on screen one month (the page can show the month before
        :meth:`step_pair` catches the paired models up and records the rows)."""
        self.model.step()

    def step_pair(self) -> None:
        """Advance the paired models to the month of the scenario on screen and record the
        new month's rows. They are read from their state only, so they skip Mesa's data
        collection (``advance_month``; the scenario on screen keeps its ``step``)."""
        for model in (self.treated, self.control):
            while model.month_index < self.model.month_index:
                model.advance_month()
        self.seq += 1
        self.full.clear()
        self._record()

    # --- the rows of one month ---------------------------------------------------------
    def month_rows(self) -> dict[str, list[dict]]:
        """Every data set's rows for the current month (see ``charts.DATASETS``)."""
        model = self.model
        date = f"{model.date:%Y-%m-%d}"
        view = model.view
        scores = [
            {"date": date, "iso3": model.countries[i], "score": round(view["score"][i], 3)}
            for i in self._focus_index
        ]
        low, high = model.params["tier_thresholds"]
        bands = [
            {"tier": tier, "low": a, "high": b}
            for tier, a, b in zip(TIER_ORDER, (0.0, low, high), (low, high, 100.0), strict=True)
        ]
        measures = model.measures
        tiers = [
            {"date": date, "tier": tier, "countries": measures[f"{tier.lower()}s"]}
            for tier in TIER_ORDER
        ]
        share = measures["region_investment_share"]  # NaN before the first month's inflow
        region = [
            {"date": date, "investment_share": 100.0 * share if math.isfinite(share) else None}
        ]
        c = self._compare_index
        difference = [
            {
                "date": date,
                "measure": name,
                "difference": round(self.treated.view[name][c] - self.control.view[name][c], 4),
            }
            for name in DIFFERENCE_MEASURES
        ]
        total = sum(view["capital"]) or 1.0
        current = [
            {
                "id": self._map_ids[i],
                "iso3": iso3,
                "score": round(view["score"][i], 2),
                "tier": view["tier"][i],
                "adoption": round(view["adoption"][i], 2),
                "capital_share": float(f"{100.0 * view['capital'][i] / total:.4g}"),
            }
            for i, iso3 in enumerate(model.countries)
            if self._map_ids[i] is not None
        ]
        return {
            "scores": scores,
            "bands": bands,
            "tiers": tiers,
            "region": region,
            "difference": difference,
            "current": current,
        }

    def _record(self) -> None:
        self.latest = self.month_rows()
        for name, rows in self.latest.items():
            if name in self.history:
                self.history[name].extend(rows)

    # --- what a chart is sent ----------------------------------------------------------
    def request_full(self, chart: str) -> None:
        """The browser's view of ``chart`` needs every row (new view or missed patch)."""
        self.full.add(chart)
        self.resyncs[chart] = self.resyncs.get(chart, 0) + 1

    def patch(self, chart: str) -> dict:
        """The patch for ``chart`` now: the current month's rows, or every row when the
        view asked for them (after a build, or :meth:`request_full`)."""
        full = chart in self.full
        patch: dict[str, Any] = {"seq": self.seq, "run": self.run, "full": full}
        if full:
            patch["resync"] = self.resyncs.get(chart, 0)
        insert, replace = {}, {}
        for name, mode in DATASETS[chart].items():
            if mode == "replace" or full:
                rows = self.history[name] if mode == "insert" else self.latest[name]
                replace[name] = list(rows)
            else:
                insert[name] = self.latest[name]
        patch["insert"], patch["replace"] = insert, replace
        return patch

    # --- what the page shows -----------------------------------------------------------
    def policies_in_force(self) -> str:
        """The strategies the applied scenario sets, other than the status quo
        (``ISO3 name``; a schedule as ``ISO3 month strategy, ...``)."""
        chosen = []
        for iso3, plan in (self.model.params.get("policies") or {}).items():
            steps = [
                " ".join(
                    part
                    for part in (month, name, None if budget is None else f"{budget:g}% of GDP")
                    if part
                )
                for month, name, budget in plan  # validated: (start, strategy, budget)
                if name != STATUS_QUO_NAME or month
            ]
            if steps:
                chosen.append(f"{iso3} {', '.join(steps)}")
        return ", ".join(chosen) or f"all {STATUS_QUO_NAME}"

    def table_rows(self) -> list[dict]:
        """The focus countries now, by score (iso3, score, tier, research, adoption,
        capital in USD bn, policy)."""
        view = self.model.view
        rows = [
            {
                "iso3": self.model.countries[i],
                "score": view["score"][i],
                "tier": view["tier"][i],
                "research": view["research"][i],
                "adoption": view["adoption"][i],
                "capital": view["capital"][i],
                "policy": view["policy"][i],
            }
            for i in self._focus_index
        ]
        return sorted(rows, key=lambda row: -row["score"])


__all__ = ["DIFFERENCE_MEASURES", "Session", "focus_countries", "with_policy"]
