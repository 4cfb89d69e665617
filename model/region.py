"""RegionModel: the one-run Mesa view over the array equations."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import mesa
import numpy as np
import pandas as pd

from agents.country import TIER_LABELS, Country
from model import equations
from model.equations import capital_intensity
from model.metrics import gini, region_investment_share, tier_counts, tier_gap
from model.parameters import MODEL_ONLY, validate_parameters
from model.policies import STATUS_QUO, STRATEGY_NAMES, strategy_code
from model.setup import calendar, initial_table, run_drivers

AGENT_REPORTERS = {
    "iso3": "iso3",
    "score": "score",
    "tier": "tier",
    "governance": "governance",
    "adoption": "adoption",
    "research": "research",
    "enabling": "enabling",
    "capital": "capital",
    "capital_index": "capital_index",
    "inflow": "inflow",
    "policy": "policy",
}
STATE_VIEW = ("governance", "adoption", "research", "enabling", "capital", "inflow", "gdp")
MODEL_REPORTERS = {
    "region_investment_share": "region_investment_share",
    "pioneers": "pioneers",
    "adopters": "adopters",
    "explorers": "explorers",
    "tier_gap": "tier_gap",
    "production_gap": "production_gap",
    "adoption_gap": "adoption_gap",
    "capital_gini": "capital_gini",
}


def _measure(name: str, doc: str) -> property:
    """A read-only property: one region-level measure of the current month."""
    return property(lambda self: self.measures[name], doc=doc)


class RegionModel(mesa.Model):
    """The Latin American AI economy, one month per step.

    Country agents carry governance, adoption, research (production capacity), enabling
    factors and AI capital; a global capital market allocates AI investment between the
    rest of the world and each country by size and attractiveness; an open-weights release
    and policy strategies act on them. Tiers are a classification of the emergent
    composite score. Parameters: ``model.parameters.PARAMETERS`` (or ``docs/ODD.md``),
    given as keywords or as a ``RegionScenario``.

    >>> model = RegionModel(rng=1, policies={"PER": "production_platform"})
    >>> model.run_model()
    >>> frame = model.datacollector.get_agent_vars_dataframe()
    """

    def __init__(
        self,
        scenario: mesa.experimental.scenarios.Scenario | None = None,
        *,
        rng: Any = None,
        **parameters: Any,
    ) -> None:
        values = {}
        if scenario is not None:
            values = {
                k: v
                for k, v in scenario.to_dict().items()
                if k not in ("model", "_scenario_id", *MODEL_ONLY)
            }
            rng = scenario.rng if rng is None else rng
        values.update(parameters)
        self.params = validate_parameters(values)
        super().__init__(rng=rng)
        if scenario is not None:
            self.scenario = scenario

        self.initial = initial_table(self.params["initial"], self.params)
        self.months = calendar(self.params)
        self.dates = list(self.months.to_timestamp())
        self.month_index = 0
        self.countries = list(self.initial["iso3"])
        self.drivers = run_drivers(self.params, self.months, self.countries, self.rng)
        self.state = equations.initial_state(
            self.initial, self.params, STATUS_QUO, self.params["baseline_frontier_access"]
        )
        for index, row in self.initial.iterrows():
            Country(self, index, row["iso3"], row.get("country", row["iso3"]), row["population_m"])
        self.datacollector = mesa.DataCollector(
            model_reporters=MODEL_REPORTERS, agent_reporters=AGENT_REPORTERS
        )
        self.datacollector.collect(self)

    # --- the step ------------------------------------------------------------------------
    def step(self) -> None:
        """Advance one month, then record."""
        self.advance_month()
        self.datacollector.collect(self)

    def advance_month(self) -> None:
        """Run the array equations for this month; stop at the last month."""
        if self.month_index >= len(self.months) - 1:
            raise RuntimeError(
                f"the model reached its end month {self.months[-1]}; build a new model "
                "with a later end"
            )
        self.state = equations.step(self.state, self.params, self.drivers, self.month_index)
        self.month_index += 1
        self.running = self.month_index < len(self.months) - 1

    def set_policy(self, iso3: str, strategy: str) -> None:
        """Switch a country's strategy from the next month on (policy tenure restarts)."""
        if iso3 not in self.countries:
            raise ValueError(
                f"unknown country {iso3!r}; valid ISO3 codes: {', '.join(self.countries)}"
            )
        t, c = self.month_index, self.countries.index(iso3)
        changes = self.drivers.policy_changes.copy()
        strategies = self.drivers.policy_strategy.copy()
        changes[t, c], strategies[t, c] = True, strategy_code(strategy, "set_policy")
        self.drivers = replace(self.drivers, policy_changes=changes, policy_strategy=strategies)

    # --- derived quantities --------------------------------------------------------------
    @property
    def state(self) -> equations.RegionState:
        """The state arrays of all countries (writing it refreshes the derived values)."""
        return self._state

    @state.setter
    def state(self, state: equations.RegionState) -> None:
        self._state = state
        self.scores = equations.score_of(state, self.params)
        self.tiers = equations.classify_tiers(self.scores, self.params["tier_thresholds"])
        kappa = capital_intensity(state.capital, state.gdp, self.params["capital_half_saturation"])
        self.view = {name: getattr(state, name).tolist() for name in STATE_VIEW}
        self.view |= {
            "score": self.scores.tolist(),
            "tier": [TIER_LABELS[k] for k in self.tiers],
            "capital_index": (100.0 * kappa).tolist(),
            "policy": [STRATEGY_NAMES[k] for k in state.strategy],
        }
        self.measures = self._region_measures()

    @property
    def date(self) -> pd.Timestamp:
        """First day of the current month."""
        return self.dates[self.month_index]

    def _region_measures(self) -> dict[str, float]:
        """The model reporters' values for the current state."""
        state, tiers = self._state, self.tiers
        counts = tier_counts(tiers).tolist()
        share = self.params["region_share_target"]
        if self.month_index > 0:
            flow = self.drivers.global_flow[self.month_index - 1]
            share = float(region_investment_share(state.inflow, flow))
        return {
            "region_investment_share": share,
            "explorers": counts[0],
            "adopters": counts[1],
            "pioneers": counts[2],
            "tier_gap": float(tier_gap(self.scores, tiers)),
            "production_gap": float(tier_gap(state.research, tiers)),
            "adoption_gap": float(tier_gap(state.adoption, tiers)),
            "capital_gini": float(gini(state.capital)),
        }

    region_investment_share = _measure(
        "region_investment_share", "the region's share of global AI investment this month"
    )
    pioneers = _measure("pioneers", "number of Pioneers")
    adopters = _measure("adopters", "number of Adopters")
    explorers = _measure("explorers", "number of Explorers")
    tier_gap = _measure("tier_gap", "mean score of Pioneers minus mean score of Explorers")
    production_gap = _measure(
        "production_gap", "mean research of Pioneers minus mean research of Explorers"
    )
    adoption_gap = _measure("adoption_gap", "mean adoption of Pioneers minus that of Explorers")
    capital_gini = _measure("capital_gini", "Gini coefficient of AI capital across countries")

    # --- tidy output ---------------------------------------------------------------------
    def agent_frame(self) -> pd.DataFrame:
        """Agent data as a tidy frame with a ``date`` column (one row per country-month).

        The row of a month is the state at the start of that month: a change made during a
        month (a policy switched on its date, a release) shows from the next month's row.
        """
        frame = self.datacollector.get_agent_vars_dataframe().reset_index()
        dates = self.months.to_timestamp()
        frame["Step"] = frame["Step"].astype(int)
        frame.insert(0, "date", dates[frame["Step"].to_numpy()])
        return frame.drop(columns=["AgentID"]).rename(columns={"Step": "step"})

    def model_frame(self) -> pd.DataFrame:
        """Model data as a tidy frame (one row per month)."""
        frame = self.datacollector.get_model_vars_dataframe()
        frame.insert(0, "date", self.dates[: len(frame)])
        frame.insert(0, "step", np.arange(len(frame)))
        return frame.reset_index(drop=True)


__all__ = ["RegionModel", "STRATEGY_NAMES", "TIER_LABELS"]
