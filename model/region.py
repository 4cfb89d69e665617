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
from model.parameters import MODEL_ONLY, PARAMETERS, validate_focus, validate_parameters
from model.policies import STRATEGY_NAMES, strategy_code
from model.world import region_members

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
STATE_VIEW = (
    "governance",
    "adoption",
    "research",
    "enabling",
    "capital",
    "inflow",
    "gdp",
    "budget",
)
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


class StateCollector(mesa.DataCollector):
    """Mesa's DataCollector for RegionModel that records by copying the state arrays.

    ``collect`` keeps this month's arrays (no per-agent attribute calls); the frames are
    built when asked for, with the columns and index of ``mesa.DataCollector`` (``Step``
    and ``AgentID``). Agent reporters must be names of :data:`AGENT_REPORTERS`; model
    reporters are names of the model's measures (``RegionModel.measures``).
    """

    def __init__(self, model_reporters=None, agent_reporters=None, tables=None):
        unknown = sorted(set(agent_reporters or {}) - set(AGENT_REPORTERS))
        if unknown or any(not isinstance(v, str) for v in (agent_reporters or {}).values()):
            raise ValueError(
                f"StateCollector records {sorted(AGENT_REPORTERS)}; got {unknown}: use "
                "mesa.DataCollector for other agent reporters"
            )
        super().__init__(model_reporters=None, agent_reporters=None, tables=tables)
        self.model_reporters = dict(model_reporters or {})
        self.agent_reporters = dict(agent_reporters or {})
        self._months: list[dict[str, np.ndarray]] = []
        self._model_rows: list[dict[str, float]] = []
        self._steps: list[int] = []

    def collect(self, model) -> None:
        state = model.state
        self._months.append(
            {
                "score": model.scores,
                "tier": model.tiers,
                "capital_index": model.capital_index,
                **{name: getattr(state, name) for name in STATE_VIEW},
                "strategy": state.strategy,
            }
        )
        measures = model.measures
        self._model_rows.append({k: measures[v] for k, v in self.model_reporters.items()})
        self._steps.append(model.month_index)

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        return pd.DataFrame(self._model_rows, columns=list(self.model_reporters))

    def get_agent_vars_dataframe(self) -> pd.DataFrame:
        if not self._months:
            return pd.DataFrame(columns=["Step", "AgentID", *self.agent_reporters])
        model_countries = self._countries
        n, months = len(model_countries), len(self._months)
        columns = {}
        for column, name in self.agent_reporters.items():
            if name == "iso3":
                columns[column] = np.tile(model_countries, months)
            elif name == "tier":
                codes = np.concatenate([m["tier"] for m in self._months])
                columns[column] = np.array(TIER_LABELS, dtype=object)[codes]
            elif name == "policy":
                codes = np.concatenate([m["strategy"] for m in self._months])
                columns[column] = np.array(STRATEGY_NAMES, dtype=object)[codes]
            else:
                columns[column] = np.concatenate([m[name] for m in self._months])
        index = pd.MultiIndex.from_arrays(
            [np.repeat(self._steps, n), np.tile(self._agent_ids, months)],
            names=["Step", "AgentID"],
        )
        return pd.DataFrame(columns, index=index)

    def bind(self, model) -> StateCollector:
        """Remember the model's countries and agent ids (in the state's order)."""
        self._countries = np.array(model.countries, dtype=object)
        self._agent_ids = np.array([agent.unique_id for agent in model.agents])
        return self


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
        self._leader_masks = {c: np.array(self.countries) == c for c in ("USA", "CHN")}
        self.drivers = equations.select_run(batch.drivers, 0)
        self.state = equations.select_run(batch.state, 0)
        for index, row in self.initial.iterrows():
            Country(self, index, row["iso3"], row["country"], row["population_m"], row["region"])
        self.datacollector = StateCollector(
            model_reporters=MODEL_REPORTERS, agent_reporters=AGENT_REPORTERS
        ).bind(self)
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
        state = equations.step(self.state, self.equation_params, self.drivers, self.month_index)
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
        amount = (
            0.0
            if code == strategy_code("status_quo")
            else (self.params["policy_budget"] if budget is None else float(budget))
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
        self._derived: dict[str, Any] = {}  # scores, tiers, view and measures, when read

    def _cached(self, name: str, compute) -> Any:
        if name not in self._derived:
            self._derived[name] = compute()
        return self._derived[name]

    @property
    def scores(self) -> np.ndarray:
        """Composite score of every country this month."""
        return self._cached(
            "scores",
            lambda: equations.composite_score(
                self._state, self.equation_params["research_share_of_rda"]
            ),
        )

    @property
    def tiers(self) -> np.ndarray:
        """Tier code of every country this month (0 Explorer, 1 Adopter, 2 Pioneer)."""
        return self._cached(
            "tiers",
            lambda: equations.classify_tiers(self.scores, self.equation_params["tier_thresholds"]),
        )

    @property
    def capital_index(self) -> np.ndarray:
        """Capital in index form, 100 k / (k + k_half), of every country."""
        return self._cached(
            "capital_index",
            lambda: (
                100.0
                * capital_intensity(
                    self._state.capital,
                    self._state.gdp,
                    self.equation_params["capital_half_saturation"],
                )
            ),
        )

    @property
    def view(self) -> dict[str, list]:
        """This month's values of every country as lists (what the agents read)."""

        def build() -> dict[str, list]:
            view = {name: getattr(self._state, name).tolist() for name in STATE_VIEW}
            return view | {
                "score": self.scores.tolist(),
                "tier": [TIER_LABELS[k] for k in self.tiers],
                "capital_index": self.capital_index.tolist(),
                "policy": [STRATEGY_NAMES[k] for k in self._state.strategy],
            }

        return self._cached("view", build)

    @property
    def measures(self) -> dict[str, float]:
        """The region measures of this month (the model reporters' values)."""
        return self._cached("measures", self._region_measures)

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
            f"{iso3.lower()}_investment_share": investment_share(state.inflow, flow, mask)
            for iso3, mask in self._leader_masks.items()
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
        ``region``: None (every country), 'focus' (the model's focus countries), or what
        the ``focus`` parameter takes ('latam19', 'world', an Oxford Insights region name,
        a list of ISO3 codes).

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
        mask = (
            self.focus
            if region == "focus"
            else region_members(self.initial, validate_focus(region, "agent_frame(region)"))
        )
        wanted = np.array(self.countries)[mask]
        return frame[frame["iso3"].isin(list(wanted))].reset_index(drop=True)

    def model_frame(self) -> pd.DataFrame:
        """Model data as a tidy frame (one row per month)."""
        frame = self.datacollector.get_model_vars_dataframe()
        frame.insert(0, "date", self.dates[: len(frame)])
        frame.insert(0, "step", np.arange(len(frame)))
        return frame.reset_index(drop=True)


__all__ = ["RegionModel", "RegionScenario", "STRATEGY_NAMES", "TIER_LABELS"]
