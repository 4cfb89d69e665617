"""Named policy strategies (lever intensities under a budget) and per-country schedules."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.parameters import parse_month

LEVERS = ("research", "adoption", "infrastructure", "governance")


@dataclass(frozen=True)
class Strategy:
    """A policy: shares of the budget given to each lever (they sum to one)."""

    name: str
    research: float
    adoption: float
    infrastructure: float
    governance: float
    consortium: bool
    meaning: str


#: The strategies. Lever shares are ASSUMPTIONS that define the scenarios (docs/ODD.md).
# fmt: off
STRATEGIES: tuple[Strategy, ...] = (
    Strategy("status_quo", 0.25, 0.25, 0.25, 0.25, False,
             "current effort spread evenly over the four levers"),
    Strategy("production_platform", 0.55, 0.05, 0.20, 0.20, False,
             "the AI law as a platform for production: research incentives, talent pipelines, "
             "university-industry alignment"),
    Strategy("adoption_management", 0.05, 0.50, 0.10, 0.35, False,
             "manage the adoption of models built elsewhere: adoption programmes, risk "
             "regulation, sandboxes"),
    Strategy("infrastructure_first", 0.10, 0.10, 0.65, 0.15, False,
             "connectivity, compute and data before anything else"),
    Strategy("regional_consortium", 0.40, 0.10, 0.30, 0.20, True,
             "members pool research (absorptive capacity, spillovers) and share open "
             "foundations (cheaper infrastructure)"),
)
# fmt: on
STRATEGY_NAMES: tuple[str, ...] = tuple(s.name for s in STRATEGIES)
STATUS_QUO = STRATEGY_NAMES.index("status_quo")
#: (strategies, levers) lever shares, and which strategies pool in a consortium.
LEVER_TABLE = np.array([[getattr(s, lever) for lever in LEVERS] for s in STRATEGIES])
CONSORTIUM = np.array([s.consortium for s in STRATEGIES])


def strategy_code(name: str, origin: str = "policies") -> int:
    """Index of a strategy name; unknown names raise ``ValueError`` listing the valid ones."""
    if name not in STRATEGY_NAMES:
        raise ValueError(
            f"unknown strategy {name!r} (from {origin}); valid: {', '.join(STRATEGY_NAMES)}"
        )
    return STRATEGY_NAMES.index(name)


def policy_schedule(
    policies: Mapping[str, str | Sequence[tuple[str, str]]] | None,
    countries: Sequence[str],
    months: pd.PeriodIndex,
) -> tuple[np.ndarray, np.ndarray]:
    """Scheduled strategy changes as arrays over (months, countries).

    ``policies`` maps ISO3 to a strategy name (from the first month) or to a list of
    ``(month, strategy)``. Returns ``(changes, strategy)``: ``changes[t, c]`` is True where
    country ``c`` adopts ``strategy[t, c]`` at month ``t``. Every country is under
    ``status_quo`` before the first month (the model starts at rest under it); a strategy
    given for the first month is a change at month 0.
    """
    n_months, n_countries = len(months), len(countries)
    changes = np.zeros((n_months, n_countries), dtype=bool)
    strategy = np.full((n_months, n_countries), STATUS_QUO, dtype=np.int8)
    index = {iso3: i for i, iso3 in enumerate(countries)}
    for iso3, plan in (policies or {}).items():
        if iso3 not in index:
            raise ValueError(
                f"unknown country {iso3!r} in policies; valid ISO3 codes: {', '.join(countries)}"
            )
        entries = [(months[0], plan)] if isinstance(plan, str) else plan
        for when, name in entries:
            month = max(parse_month(when, f"policies[{iso3!r}]", "policies"), months[0])
            code = strategy_code(name, f"policies[{iso3!r}]")
            if month > months[-1]:
                warnings.warn(
                    f"policies[{iso3!r}]: {name} from {when} starts after the last month "
                    f"{months[-1]} and is ignored",
                    stacklevel=2,
                )
                continue
            t = months.get_loc(month)
            changes[t, index[iso3]] = True
            strategy[t, index[iso3]] = code
    return changes, strategy
