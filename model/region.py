"""RegionModel: the one-run Mesa view over the world model's array equations."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import mesa
import numpy as np
import pandas as pd

from agents.country import Country
from model import equations
from model.builder import build_batch, one_run
from model.equations import TIER_LABELS, capital_intensity
from model.metrics import gini, investment_share, tier_counts, tier_gap
from model.parameters import MODEL_ONLY, PARAMETERS, validate_parameters
from model.policies import STRATEGY_NAMES, strategy_code

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
    "budget": "budget",
}
STATE_VIEW = ("governance", "adoption", "research", "enabling", "capital", "inflow", "gdp", "budget")
MODEL_REPORTERS = {
    "region_investment_share": "region_investment_share",
    "usa_investment_share": "usa_investment_share",
    "chn_investment_share": "chn_investment_share",
    "pioneers": "pioneers",
    "adopters": "adopters",
    "explorers": "explorers",
    "tier_gap": "tier_gap",
    "production_gap": "production_gap",
    "adoption_gap": "adoption_gap",
    "capital_gini": "capital_gini",
}


RegionScenario = type(
    "RegionScenario",
    (mesa.experimental.scenarios.Scenario,),
    {
        "__doc__": "Mesa scenario for model.RegionModel; its defaults come from PARAMETERS.",
        "__annotations__": {p.name: Any for p in PARAMETERS},
        **{p.name: p.default for p in PARAMETERS},
    },
)


def _measure(name: str, doc: str) -> property:
    """A read-only property: one region-level measure of the current month."""
    return property(lambda self: self.measures[name], doc=doc)


class RegionModel(mesa.Model):
    """The world's AI economy with Latin America in focus, one month per step.

    Every country with readiness and GDP data is a Country agent carrying governance,
    adoption (share of people using generative AI), research (production capacity),
    enabling factors and AI capital; one global capital market allocates the world's AI
    investment among all of them by size and attractiveness; open-weights releases and
    policy strategies (an extra budget in % of a country's GDP) act on them. Tiers are a
    classification of the emergent ILIA composite; the region measures summarise the
    ``focus`` countries (the 19 ILIA countries by default). Parameters:
    ``model.parameters.PARAMETERS`` (or ``docs/ODD.md``), as keywords or a ``RegionScenario``.

    >>> model = RegionModel(rng=1, policies={"PER": "production_platform"})
    >>> model.run_model()
    >>> frame = model.agent_frame()
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
        validated = validate_parameters(values)
        super().__init__(rng=rng)
        if scenario is not None:
            self.scenario = scenario
        batch = build_batch([validated], [self.rng])
        self.params = validated  # the parameters as given, validated
        self.equation_params = one_run(batch.params)  # the same as the equations read them
        self.initial = batch.table
        self.months = batch.months
        self.dates = list(self.months.to_timestamp())
        self.month_index = 0
        self.countries = batch.countries
        self.focus = batch.focus
        self.drivers = equations.select_run(batch.drivers, 0)
        self.state = equations.select_run(batch.state, 0)
        for index, row in self.initial.iterrows():
            Country(self, index, row["iso3"], row["country"], row["population_m"], row["region"])
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
        state = equations.step(
            self.state, self.equation_params, self.drivers, self.month_index
        )
        self.month_index += 1
        self.state = state  # the measures read the month index
        self.running = self.month_index < len(self.months) - 1

    def set_policy(self, iso3: str, strategy: str, budget: float | None = None) -> None:
        """Switch a country's strategy from this month on, with an extra budget in % of its
        GDP per year (default ``policy_budget``; ``status_quo`` takes none)."""
        if iso3 not in self.countries:
            raise ValueError(
                f"unknown country {iso3!r}; valid ISO3 codes: {', '.join(self.countries)}"
            )
        code = strategy_code(strategy, "set_policy")
        amount = 0.0 if code == strategy_code("status_quo") else (
            self.params["policy_budget"] if budget is None else float(budget)
        )
        t, c = self.month_index, self.countries.index(iso3)
        arrays = {
            name: getattr(self.drivers, name).copy()
            for name in ("policy_changes", "policy_strategy", "policy_budget")
        }
        arrays["policy_changes"][t, c] = True
        arrays["policy_strategy"][t, c] = code
        arrays["policy_budget"][t, c] = amount
        self.drivers = replace(self.drivers, **arrays)

    # --- derived quantities --------------------------------------------------------------
    @property
    def state(self) -> equations.WorldState:
        """The state arrays of all countries (writing it refreshes the derived values)."""
        return self._state

    @state.setter
    def state(self, state: equations.WorldState) -> None:
        self._state = state
        p = self.equation_params
        self.scores = equations.composite_score(state, p["research_share_of_rda"])
        self.tiers = equations.classify_tiers(self.scores, p["tier_thresholds"])
        kappa = capital_intensity(state.capital, state.gdp, p["capital_half_saturation"])
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
        """The model reporters' values for the current state (focus countries)."""
        state, focus = self._state, self.focus
        tiers = self.tiers[focus]
        counts = tier_counts(tiers).tolist()
        flow = self.drivers.global_flow[max(self.month_index - 1, 0)]
        shares = {
            f"{iso3.lower()}_investment_share": investment_share(
                state.inflow, flow, np.array(self.countries) == iso3
            )
            for iso3 in ("USA", "CHN")
        }
        return {
            "region_investment_share": investment_share(state.inflow, flow, focus),
            **shares,
            "explorers": counts[0],
            "adopters": counts[1],
            "pioneers": counts[2],
            "tier_gap": float(tier_gap(self.scores[focus], tiers)),
            "production_gap": float(tier_gap(state.research[focus], tiers)),
            "adoption_gap": float(tier_gap(state.adoption[focus], tiers)),
            "capital_gini": float(gini(state.capital[focus])),
        }

    region_investment_share = _measure(
        "region_investment_share",
        "the focus countries' share of world AI investment in the last month (NaN at the start)",
    )
    usa_investment_share = _measure("usa_investment_share", "the United States' share")
    chn_investment_share = _measure("chn_investment_share", "China's share")
    pioneers = _measure("pioneers", "number of Pioneers among the focus countries")
    adopters = _measure("adopters", "number of Adopters among the focus countries")
    explorers = _measure("explorers", "number of Explorers among the focus countries")
    tier_gap = _measure("tier_gap", "mean score of Pioneers minus mean score of Explorers")
    production_gap = _measure(
        "production_gap", "mean research of Pioneers minus mean research of Explorers"
    )
    adoption_gap = _measure("adoption_gap", "mean adoption of Pioneers minus that of Explorers")
    capital_gini = _measure("capital_gini", "Gini coefficient of AI capital across focus countries")

    # --- tidy output ---------------------------------------------------------------------
    def agent_frame(self, region: str | list[str] | None = None) -> pd.DataFrame:
        """Agent data as a tidy frame with a ``date`` column (one row per country-month);
        ``region``: None (every country), 'focus', or a list of ISO3 codes.

        The row of a month is the state at the start of that month: a change made during a
        month (a policy switched on its date, a release) shows from the next month's row.
        """
        frame = self.datacollector.get_agent_vars_dataframe().reset_index()
        dates = self.months.to_timestamp()
        frame["Step"] = frame["Step"].astype(int)
        frame.insert(0, "date", dates[frame["Step"].to_numpy()])
        frame = frame.drop(columns=["AgentID"]).rename(columns={"Step": "step"})
        if region is None:
            return frame
        wanted = np.array(self.countries)[self.focus] if region == "focus" else region
        return frame[frame["iso3"].isin(list(wanted))].reset_index(drop=True)

    def model_frame(self) -> pd.DataFrame:
        """Model data as a tidy frame (one row per month)."""
        frame = self.datacollector.get_model_vars_dataframe()
        frame.insert(0, "date", self.dates[: len(frame)])
        frame.insert(0, "step", np.arange(len(frame)))
        return frame.reset_index(drop=True)


__all__ = ["RegionModel", "RegionScenario", "STRATEGY_NAMES", "TIER_LABELS"]
