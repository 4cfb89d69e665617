"""One declaration per parameter: name, default, unit, valid range, meaning, source.

:data:`PARAMETERS` feeds validation (:func:`validate_parameters`), the parameter table
of ``docs/ODD.md`` (:func:`parameter_table_markdown`), the CLI help, the GUI sliders and
the sweep spaces. Sources are marked SEEN (read in a public source), DERIVED (computed
from such data) or ASSUMPTION (a modelling choice, to be varied in sensitivity analysis).
"""

from __future__ import annotations

import datetime as dt
import numbers
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from mesa.experimental.scenarios import Scenario


@dataclass(frozen=True)
class Parameter:
    """A model parameter. ``kind`` is ``float``, ``int``, ``bool``, ``month``, ``months``
    (a month, a list of months or None), ``thresholds`` (two increasing numbers),
    ``policies`` (see :func:`validate_policies`) or ``any``."""

    name: str
    default: Any
    unit: str
    low: float | None
    high: float | None
    meaning: str
    source: str
    kind: str = "float"

    @property
    def numeric(self) -> bool:
        """Whether the parameter is a number that a sweep can vary continuously."""
        return self.kind in ("float", "int")


P = Parameter
# The declarations are a table, kept one compact entry per parameter:
# fmt: off
PARAMETERS: tuple[Parameter, ...] = (
    # --- calendar and initial state ---------------------------------------------------
    P("initial", "ilia2024", "-", None, None,
      "initial state: 'ilia2024', 'ilia2025' or an initial-state DataFrame (synthetic_region)",
      "ILIA 2024 / 2025 (CENIA-CEPAL), see data/README.md", "any"),
    P("start", None, "YYYY-MM", None, None,
      "first month; default: the month of the initial edition (2024-09 or 2025-10)",
      "ILIA 2024 published Sep 2024; ILIA 2025 Oct 2025", "month"),
    P("end", "2035-12", "YYYY-MM", None, None, "last month simulated", "ASSUMPTION", "month"),
    # --- global capital market ---------------------------------------------------------
    P("global_ai_investment_usd_bn", 252.3, "USD bn / year", 10.0, 5000.0,
      "global corporate AI investment in the start year",
      "SEEN: Stanford AI Index 2025 (USD 252.3 bn in 2024)"),
    P("global_investment_growth", 0.10, "1 / year", -0.3, 0.5,
      "growth rate of the global AI investment flow",
      "ASSUMPTION; Stanford AI Index: +33% 2023-2024 (189.2 to 252.3), not sustained"),
    P("region_share_target", 0.0112, "fraction", 0.001, 0.2,
      "the region's share of global AI investment at the start (sets the rest-of-world weight)",
      "SEEN: ILIA 2025 (1.12%)"),
    P("capital_concentration", 2.4, "-", 0.0, 4.0,
      "exponent of attractiveness in capital allocation (0: capital follows economic size only)",
      "DERIVED: ABC calibration posterior median 2.37, 90% [1.34, 3.48] (docs/FINDINGS.md)"),
    P("rest_of_world_capacity_growth", 0.22, "1 / year", 0.0, 0.3,
      "growth of the rest of the world's attractiveness (its weight grows by this to the alpha)",
      "DERIVED: ABC calibration to CSET's falling share, median 0.22, 90% [0.13, 0.29]; "
      "extrapolating it to 2035 is the model's main caveat (docs/FINDINGS.md)"),
    P("size_elasticity", 1.85, "-", 0.0, 2.0,
      "exponent of GDP in capital allocation",
      "DERIVED: ABC calibration posterior median 1.85, 90% [1.66, 1.97] (docs/FINDINGS.md)"),
    P("investment_noise", 0.8, "-", 0.0, 2.0,
      "sd of the monthly log-normal multiplier on each country's inflow (lumpy deals; mean one)",
      "ASSUMPTION; CSET country-year series swing by factors of 5 to 40"),
    P("capital_depreciation", 0.3, "1 / year", 0.02, 0.6,
      "depreciation rate of the AI capital stock", "ASSUMPTION (about 3-year lives of AI compute)"),
    P("capital_half_saturation", 0.01, "USD per USD of GDP", 1e-5, 0.05,
      "AI capital per unit of GDP at which capital gives half its effect on capacity",
      "ASSUMPTION; the region held about 0.001 in 2024 (CSET, World Bank)"),
    # --- research (production capacity) ------------------------------------------------
    P("research_capital_gain", 0.3, "1 / year", 0.0, 1.0,
      "growth of research toward 100 per unit of saturated capital intensity",
      "ASSUMPTION"),
    P("research_depreciation", 0.15, "1 / year", 0.0, 0.5,
      "rate at which research capacity decays without support", "ASSUMPTION"),
    P("frontier_absorption_gain", 0.05, "1 / year", 0.0, 1.0,
      "growth of research toward 100 per unit of open frontier absorbed (Nelson-Phelps catch-up)",
      "ASSUMPTION (Nelson and Phelps 1966; Benhabib and Spiegel 2005)"),
    P("absorptive_threshold", 35.0, "index 0-100", 0.0, 100.0,
      "research level at which a country absorbs half of what it could from the frontier",
      "ASSUMPTION (Cohen and Levinthal 1990)"),
    P("absorptive_steepness", 4.0, "index points", 0.5, 30.0,
      "width of the logistic absorptive-capacity gate", "ASSUMPTION"),
    P("absorptive_gate", True, "-", None, None,
      "whether absorption is gated by research (False: every country absorbs fully)",
      "ablation switch (MODEL_NOTES section 5)", "bool"),
    P("baseline_frontier_access", 0.25, "-", 0.0, 2.0,
      "access to frontier capability before any open release (closed APIs)", "ASSUMPTION"),
    P("brain_drain_rate", 0.03, "1 / year", 0.0, 0.5,
      "rate at which research capacity leaks from below-mean to above-mean countries",
      "ASSUMPTION (Docquier and Rapoport 2012 for the mechanism)"),
    # --- open-weights shock ------------------------------------------------------------
    P("open_weights_date", "2025-08", "YYYY-MM", None, None,
      "month(s) of open releases of frontier weights; None: no release (counterfactual)",
      "SEEN: open-weights frontier release, August 2025", "months"),
    P("open_weights_strength", 1.0, "-", 0.0, 5.0,
      "size of each release in units of frontier access", "ASSUMPTION"),
    P("open_weights_half_life", 24.0, "months", 1.0, 240.0,
      "half-life of a release's value for research as the closed frontier moves on",
      "ASSUMPTION (a hypothesis to vary; the essay's 18-24 month window is not an input)"),
    P("open_weights_adoption_boost", 0.15, "1 / year", 0.0, 2.0,
      "rise of the Bass innovation coefficient per unit of released access", "ASSUMPTION"),
    P("open_weights_ceiling_lift", 0.2, "fraction", 0.0, 1.0,
      "share of the remaining adoption headroom opened per unit of released access",
      "ASSUMPTION (cheaper access widens the pool of potential adopters)"),
    # --- adoption diffusion ------------------------------------------------------------
    P("bass_innovation", 0.03, "1 / year", 0.0, 1.0, "Bass coefficient of innovation p",
      "SEEN: mean p in the meta-analysis of Sultan, Farley and Lehmann (1990)"),
    P("bass_imitation", 0.38, "1 / year", 0.0, 3.0, "Bass coefficient of imitation q",
      "SEEN: mean q in Sultan, Farley and Lehmann (1990)"),
    P("adoption_headroom_share", 0.5, "fraction", 0.0, 1.0,
      "share of the headroom above today's adoption that full readiness lets a country take",
      "ASSUMPTION"),
    P("ceiling_enabling_weight", 0.5, "fraction", 0.0, 1.0,
      "weight of enabling factors (vs governance) in the adoption ceiling", "ASSUMPTION"),
    # --- enabling factors --------------------------------------------------------------
    P("enabling_capital_gain", 0.2, "1 / year", 0.0, 1.0,
      "growth of enabling factors toward 100 per unit of saturated capital intensity",
      "ASSUMPTION"),
    P("enabling_depreciation", 0.1, "1 / year", 0.0, 0.5,
      "rate at which enabling factors decay without support", "ASSUMPTION"),
    # --- governance --------------------------------------------------------------------
    P("governance_speed", 0.27, "1 / year", 0.0, 3.0,
      "speed at which governance moves toward its policy target",
      "DERIVED: ABC calibration posterior median 0.27, 90% [0.06, 0.69] (docs/FINDINGS.md)"),
    P("reversal_rate", 0.04, "1 / year", 0.0, 1.0,
      "probability per year of a policy reversal (coherence risk)", "ASSUMPTION"),
    P("reversal_size", 0.15, "fraction", 0.0, 1.0,
      "share of governance lost in a reversal (policy tenure also restarts)", "ASSUMPTION"),
    # --- policy ------------------------------------------------------------------------
    P("policy_budget", 1.0, "-", 0.0, 3.0,
      "total lever intensity each strategy distributes over its levers", "ASSUMPTION"),
    P("policy_research_gain", 0.15, "1 / year", 0.0, 1.0,
      "growth of research toward 100 per unit of research lever (times governance)",
      "ASSUMPTION"),
    P("policy_infrastructure_gain", 0.04, "1 / year", 0.0, 1.0,
      "growth of enabling factors toward 100 per unit of infrastructure lever", "ASSUMPTION"),
    P("policy_adoption_gain", 0.1, "1 / year", 0.0, 2.0,
      "rise of the Bass innovation coefficient per unit of adoption lever", "ASSUMPTION"),
    P("policy_adoption_ceiling_gain", 0.3, "fraction", 0.0, 1.0,
      "share of the remaining adoption headroom opened per unit of adoption lever", "ASSUMPTION"),
    P("policy_governance_gain", 30.0, "index points", 0.0, 100.0,
      "rise of the governance target per unit of governance lever", "ASSUMPTION"),
    P("policy_maturation", 24.0, "months", 1.0, 240.0,
      "time constant over which a research policy builds up after adoption or a reversal",
      "ASSUMPTION (production pays off slowly; MODEL_NOTES section 1)"),
    P("consortium_pooling", 0.3, "fraction", 0.0, 1.0,
      "weight of the pool's mean research in a consortium member's absorptive capacity",
      "ASSUMPTION"),
    P("consortium_spillover", 0.1, "1 / year", 0.0, 1.0,
      "rate at which a member's research moves up toward the pool mean", "ASSUMPTION"),
    P("consortium_infrastructure_saving", 0.5, "fraction", 0.0, 2.0,
      "extra effect of a member's infrastructure lever from shared open foundations",
      "ASSUMPTION"),
    P("adaptive_policies", False, "-", None, None,
      "yearly review: a country falling behind imitates the best-improving peer of its tier "
      "(countries with a scheduled policy keep it)",
      "MODEL_NOTES section 3", "bool"),
    P("imitation_probability", 0.5, "fraction", 0.0, 1.0,
      "probability that a country falling behind switches at a review", "ASSUMPTION"),
    P("policies", None, "-", None, None,
      "ISO3 -> strategy name, or ISO3 -> list of (YYYY-MM, strategy); others: status_quo",
      "scenario input", "policies"),
    # --- composite and tiers -----------------------------------------------------------
    P("research_share_of_rda", 0.5, "fraction", 0.05, 0.95,
      "weight of research (vs adoption) inside ILIA's research-development-adoption dimension",
      "ASSUMPTION (ILIA sub-dimension weights not published per country)"),
    P("tier_thresholds", (35.0, 60.0), "index 0-100", 0.0, 100.0,
      "score cut-offs Explorer/Adopter and Adopter/Pioneer (the essay's 40 selectable)",
      "SEEN: ILIA 2025 (35 and 60)", "thresholds"),
    P("tier_signalling", 0.0, "fraction", 0.0, 2.0,
      "extra attractiveness of Pioneers to investors (0: tiers drive nothing)",
      "ASSUMPTION; off by default so that tiers only classify"),
)
# fmt: on
del P

BY_NAME: dict[str, Parameter] = {p.name: p for p in PARAMETERS}
NUMERIC = tuple(p.name for p in PARAMETERS if p.numeric)
MODEL_ONLY = ("rng",)  # accepted by RegionModel but not a model parameter
#: Parameters that set up the calendar, initial state and drivers of a run.
ENCODED_IN_DRIVERS = ("initial", "start", "end", "open_weights_date", "policies")
MONTH_PATTERN = re.compile(r"\d{4}-\d{2}(-\d{2})?")  # 'YYYY-MM' or 'YYYY-MM-DD'


def parse_month(value: Any, name: str, origin: str = "argument") -> pd.Period:
    """A calendar month from ``'2025-08'``, a date or a Period; errors name the parameter."""
    try:
        if isinstance(value, str) and not MONTH_PATTERN.fullmatch(value.strip()):
            raise ValueError(value)
        if not isinstance(value, str | pd.Period | pd.Timestamp | dt.date):
            raise TypeError(value)  # a number such as 2027 is not a month
        return pd.Period(value, freq="M")
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"{name}={value!r} (from {origin}) is not a month; expected 'YYYY-MM'"
        ) from exc


def validate_value(name: str, value: Any, origin: str = "argument") -> Any:
    """Check one parameter value; return it normalised or raise ``ValueError``.

    The message names the parameter, the value, where it came from and what is allowed.
    """
    if name not in BY_NAME:
        raise ValueError(
            f"unknown parameter {name!r} (from {origin}); known: {', '.join(sorted(BY_NAME))}"
        )
    spec = BY_NAME[name]
    where = f"{name}={value!r} (from {origin})"
    if spec.kind == "bool":
        if not isinstance(value, bool | np.bool_):
            raise ValueError(f"{where} must be true or false")
        return bool(value)
    if spec.kind in ("float", "int"):
        if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
            raise ValueError(f"{where} must be a number in [{spec.low}, {spec.high}] {spec.unit}")
        if not spec.low <= value <= spec.high:
            raise ValueError(f"{where} is outside the allowed range [{spec.low}, {spec.high}]")
        return float(value) if spec.kind == "float" else int(value)
    if spec.kind == "month":
        return None if value is None else parse_month(value, name, origin)
    if spec.kind == "months":
        if value is None or (isinstance(value, str) and value.strip().lower() == "none"):
            return ()
        items = value if isinstance(value, list | tuple) else [value]
        return tuple(sorted(parse_month(v, name, origin) for v in items))
    if spec.kind == "policies":
        return validate_policies(value, origin)
    if spec.kind == "thresholds":
        try:
            low, high = (float(v) for v in value)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{where} must be two numbers (low, high)") from exc
        if not 0 <= low < high <= 100:
            raise ValueError(f"{where} must satisfy 0 <= low < high <= 100")
        return (low, high)
    return value


def validate_policies(value: Any, origin: str = "argument") -> dict[str, Any]:
    """``policies``: ISO3 -> strategy name, or ISO3 -> list of (month, strategy) pairs.

    A single (month, strategy) pair is accepted as a one-entry list. Strategy names and
    months are checked here; ISO3 codes when the model knows its countries.
    """
    from model.policies import strategy_code

    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValueError(
            f"policies={value!r} (from {origin}) must map ISO3 codes to a strategy name or "
            "to a list of (YYYY-MM, strategy) pairs, e.g. {'PER': 'production_platform'}"
        )
    checked: dict[str, Any] = {}
    for iso3, plan in value.items():
        where = f"policies[{iso3!r}]"
        if isinstance(plan, str):
            strategy_code(plan, where)
            checked[iso3] = plan
            continue
        entries = plan
        if (
            isinstance(plan, list | tuple)
            and len(plan) == 2
            and all(isinstance(x, str) for x in plan)
        ):
            entries = [plan]  # one (month, strategy) pair
        if not isinstance(entries, list | tuple) or not all(
            isinstance(e, list | tuple) and len(e) == 2 for e in entries
        ):
            raise ValueError(
                f"{where}={plan!r} (from {origin}) must be a strategy name or a list of "
                "(YYYY-MM, strategy) pairs"
            )
        checked[iso3] = []
        for when, name in entries:
            strategy_code(name, where)
            checked[iso3].append((str(parse_month(when, where, origin)), name))
    return checked


def validate_parameters(values: Mapping[str, Any], origin: str = "argument") -> dict[str, Any]:
    """All parameters: defaults overridden by ``values``, each validated."""
    merged = {p.name: p.default for p in PARAMETERS}
    merged.update(values)
    return {name: validate_value(name, value, origin) for name, value in merged.items()}


RegionScenario = type(
    "RegionScenario",
    (Scenario,),
    {
        "__doc__": "Mesa scenario for model.RegionModel; its defaults come from PARAMETERS.",
        "__annotations__": {p.name: Any for p in PARAMETERS},
        **{p.name: p.default for p in PARAMETERS},
    },
)


def batch_parameters(runs: list[Mapping[str, Any]]) -> dict[str, Any]:
    """Parameters of several runs for the batched equations: numbers become arrays of shape
    (runs, 1), ``absorptive_gate`` a boolean array, ``tier_thresholds`` a pair of arrays;
    every other value must be the same in all runs. The calendar, initial state, releases
    and policies are left out: runs carry them in their own state and drivers."""
    batch: dict[str, Any] = {}
    for name in (n for n in runs[0] if n not in ENCODED_IN_DRIVERS):
        values = [run[name] for run in runs]
        if name in NUMERIC or name == "absorptive_gate":
            batch[name] = np.array(values)[:, None]
        elif name == "tier_thresholds":
            batch[name] = tuple(np.array(v, float)[:, None] for v in zip(*values, strict=True))
        elif all(_same(v, values[0]) for v in values[1:]):
            batch[name] = values[0]
        else:
            raise ValueError(f"{name} differs between runs of one batch; group runs by it")
    return batch


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, pd.DataFrame) or isinstance(b, pd.DataFrame):
        return a is b
    return a == b


def parameter_table_markdown() -> str:
    """The parameter table of docs/ODD.md, generated from PARAMETERS."""
    rows = ["| name | default | unit | range | meaning | source |", "|---|---|---|---|---|---|"]
    for p in PARAMETERS:
        bounds = f"[{p.low:g}, {p.high:g}]" if p.low is not None else p.kind
        rows.append(
            f"| `{p.name}` | `{p.default!r}` | {p.unit} | {bounds} | {p.meaning} | {p.source} |"
        )
    return "\n".join(rows)


ODD_MARKERS = ("<!-- parameters:start -->", "<!-- parameters:end -->")


def odd_with_parameter_table(text: str) -> str:
    """``text`` (docs/ODD.md) with the table between its markers regenerated."""
    start, end = ODD_MARKERS
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    return f"{head}{start}\n{parameter_table_markdown()}\n{end}{tail}"
