"""Named policy strategies: how an extra budget (in % of the country's GDP per year) is
split over the levers. Per-country schedules of them: :mod:`model.schedules`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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
