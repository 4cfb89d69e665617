"""The country agent: a thin, readable view of one country in the model's state arrays."""

from __future__ import annotations

from dataclasses import replace

import mesa
import numpy as np

#: What a researcher may write into a country's state: indices on 0-100, stocks finite >= 0.
FINITE = float(np.finfo(float).max)
WRITABLE_RANGES = {
    **dict.fromkeys(("governance", "adoption", "research", "enabling"), (0.0, 100.0)),
    **dict.fromkeys(("capital", "inflow"), (0.0, FINITE)),
    "gdp": (1e-9, FINITE),
}


def _state_variable(name: str, doc: str) -> property:
    """A property that reads one country's entry of the model's current values and writes
    it back into the model's state arrays."""

    def read(self) -> float:
        return self.model.view[name][self.index]

    def write(self, value: float) -> None:
        low, high = WRITABLE_RANGES[name]
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            raise ValueError(
                f"{self.iso3}.{name}={value!r} is outside the allowed range [{low}, {high}]"
            )
        values = getattr(self.model.state, name).copy()
        values[self.index] = value
        self.model.state = replace(self.model.state, **{name: values})

    return property(read, write, doc=doc)


def _derived(name: str, doc: str) -> property:
    """A read-only property: one country's entry of a quantity derived from the state."""
    return property(lambda self: self.model.view[name][self.index], doc=doc)


class Country(mesa.Agent):
    """One country of the world (or of a synthetic world).

    State lives in the model's arrays (``model.state``); this agent reads and writes its
    own entry, so the equations stay vectorised over countries (and runs).
    """

    governance = _state_variable("governance", "ILIA governance dimension, index 0-100")
    adoption = _state_variable(
        "adoption", "adoption: % of the working-age population using generative AI"
    )
    research = _state_variable("research", "research: production capacity, index 0-100")
    enabling = _state_variable("enabling", "enabling factors (infrastructure, talent), 0-100")
    capital = _state_variable("capital", "AI capital stock, USD bn")
    inflow = _state_variable("inflow", "AI investment received last month, USD bn")
    gdp = _state_variable("gdp", "GDP, USD bn (constant)")

    def __init__(
        self, model, index: int, iso3: str, name: str, population: float, region: str = ""
    ):
        super().__init__(model)
        self.index = index
        self.iso3 = iso3
        self.name = name
        self.population = population  # millions
        self.region = region  # Oxford Insights region

    @property
    def in_focus(self) -> bool:
        """Whether the country is one of the model's focus countries (the region measures)."""
        return bool(self.model.focus[self.index])

    score = _derived("score", "ILIA composite score (0.40 enabling, 0.35 R&D&A, 0.25 governance)")
    tier = _derived("tier", "tier label: a classification of the score by the model's thresholds")
    capital_index = _derived("capital_index", "capital in index form: 100 k / (k + k_half)")
    policy = _derived("policy", "name of the strategy the country follows now")
    budget = _derived("budget", "extra public budget of its strategy, % of GDP per year")

    @policy.setter
    def policy(self, name: str) -> None:
        self.model.set_policy(self.iso3, name)

    def __repr__(self) -> str:
        return (
            f"Country({self.iso3}, score={self.score:.1f}, tier={self.tier}, policy={self.policy})"
        )
