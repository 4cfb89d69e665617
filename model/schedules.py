"""Per-country schedules of policy strategies (:mod:`model.policies`) over a run's months:
the validated ``policies`` parameter (``model.parameters.validate_policies``) as arrays."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.parameters import validate_policies
from model.policies import STATUS_QUO, STATUS_QUO_NAME, strategy_code


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
