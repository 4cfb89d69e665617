"""Named policy strategies (how an extra budget is split over levers) and per-country
schedules of strategies and budgets (in % of the country's GDP per year)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

LEVERS = ("research", "adoption", "infrastructure", "governance")


@dataclass(frozen=True)
class Strategy:
    """A policy: shares of its extra budget given to each lever (they sum to one). The
    status quo spends no extra budget, so its shares act on nothing."""

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
             "no change: no extra budget (today's effort is in the initial state)"),
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
    # Single levers: the whole extra budget on one lever (references for the policy
    # frontier, docs/FINDINGS.md Q2; not strategies of the essay).
    Strategy("research_only", 1.0, 0.0, 0.0, 0.0, False,
             "the whole extra budget on the research lever"),
    Strategy("adoption_only", 0.0, 1.0, 0.0, 0.0, False,
             "the whole extra budget on the adoption lever"),
    Strategy("infrastructure_only", 0.0, 0.0, 1.0, 0.0, False,
             "the whole extra budget on the infrastructure lever"),
    Strategy("governance_only", 0.0, 0.0, 0.0, 1.0, False,
             "the whole extra budget on the governance lever"),
)
#: The strategies that put the whole budget on one lever, by lever.
SINGLE_LEVER = {lever: f"{lever}_only" for lever in LEVERS}
# fmt: on
STRATEGY_NAMES: tuple[str, ...] = tuple(s.name for s in STRATEGIES)
STATUS_QUO_NAME = "status_quo"
STATUS_QUO = STRATEGY_NAMES.index(STATUS_QUO_NAME)
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


@dataclass(frozen=True)
class PolicySchedule:
    """Scheduled strategy changes over (months, countries): where ``changes`` holds, the
    country adopts ``strategy`` with an extra budget of ``budget`` % of its GDP per year."""

    changes: np.ndarray  # bool
    strategy: np.ndarray  # int8 codes into STRATEGIES
    budget: np.ndarray  # % of GDP per year


def policy_schedule(
    policies: Mapping[str, Sequence[tuple]] | None,
    countries: Sequence[str],
    months: pd.PeriodIndex,
    default_budget: float,
) -> PolicySchedule:
    """The validated ``policies`` (``model.parameters.validate_policies``) as arrays.

    Every country is under ``status_quo`` (no extra budget) before the first month: the
    model starts at rest under it. A ``status_quo`` entry is the absence of a change: it
    sets the budget to zero and records nothing else, so ``{"PER": "status_quo"}`` equals
    no policy. An entry without a budget takes ``default_budget`` (``policy_budget``).
    A start before the first month is an error; one after the last month is ignored with a
    warning.
    """
    from model.parameters import validate_policies

    n_months, n_countries = len(months), len(countries)
    changes = np.zeros((n_months, n_countries), dtype=bool)
    strategy = np.full((n_months, n_countries), STATUS_QUO, dtype=np.int8)
    budget = np.zeros((n_months, n_countries))
    index = {iso3: i for i, iso3 in enumerate(countries)}
    for iso3, plan in validate_policies(policies).items():
        if iso3 not in index:
            raise ValueError(
                f"unknown country {iso3!r} in policies; valid ISO3 codes: {', '.join(countries)}"
            )
        active = False
        for when, name, amount in plan:
            month = months[0] if when is None else pd.Period(when, "M")
            where = f"policies[{iso3!r}]: {name} from {when}"
            if month < months[0]:
                raise ValueError(
                    f"{where} starts before the first month {months[0]}; the model starts at "
                    "rest under the status quo: date it from the first month on"
                )
            if month > months[-1]:
                warnings.warn(
                    f"{where} starts after the last month {months[-1]} and is ignored",
                    stacklevel=2,
                )
                continue
            if name == STATUS_QUO_NAME and not active:
                continue  # already the status quo: no change at all
            t, c = months.get_loc(month), index[iso3]
            changes[t, c], strategy[t, c] = True, strategy_code(name)
            budget[t, c] = (
                0.0 if name == STATUS_QUO_NAME else (default_budget if amount is None else amount)
            )
            active = name != STATUS_QUO_NAME
    return PolicySchedule(changes, strategy, budget)
