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
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

from model.tiers import DEFAULT_THRESHOLDS


@dataclass(frozen=True)
class Parameter:
    """A model parameter. ``kind`` is ``float``, ``int``, ``bool``, ``month``, ``months``
    (a month, a list of months or None), ``thresholds`` (two increasing numbers),
    ``policies`` (see :func:`validate_policies`), ``focus`` (see :func:`validate_focus`)
    or ``any``."""

    name: str
    default: Any
    unit: str
    low: float | None
    high: float | None
    meaning: str
    source: str
    kind: str = "float"  # see the class docstring

    @property
    def numeric(self) -> bool:
        """Whether the parameter is a number that a sweep can vary continuously."""
        return self.kind in ("float", "int")


P = Parameter
# The declarations are a table, kept one compact entry per parameter:
# fmt: off
PARAMETERS: tuple[Parameter, ...] = (
    # --- calendar, initial state and focus ----------------------------------------------
    P("initial", "ilia2024", "-", None, None,
      "initial state: 'ilia2024' or 'ilia2025' (the world, started in that ILIA edition's "
      "month), 'latam19' (the 19 ILIA countries alone, for comparison) or a table "
      "(synthetic_world)", "data/README.md, data/world/README.md", "any"),
    P("start", None, "YYYY-MM", None, None,
      "first month; default: the month of the initial edition (2024-09 or 2025-10)",
      "ILIA 2024 published Sep 2024; ILIA 2025 Oct 2025", "month"),
    P("end", "2035-12", "YYYY-MM", None, None, "last month simulated", "ASSUMPTION", "month"),
    P("focus", "latam19", "-", None, None,
      "countries the region measures and tiers summarise: 'latam19' (the ILIA countries), "
      "an Oxford Insights region name, 'world', or a list of ISO3 codes",
      "MODEL_NOTES section 2 (Latin America in focus)", "focus"),
    # --- global capital market ---------------------------------------------------------
    P("global_investment_growth", 0.063, "1 / year", -0.3, 0.5,
      "growth of the global AI investment flow after 2024 (to 2024 the flow is CSET's world "
      "total)", "DERIVED: log-linear trend of CSET world private AI investment 2019-2024 "
      "(2015-2024 gives 0.25; 2020-2024 0.016)"),
    P("capital_concentration", 6.75, "-", 0.0, 12.0,
      "exponent of attractiveness (research capacity) in capital allocation (0: capital "
      "follows economic size only)",
      "DERIVED: Poisson pseudo-maximum-likelihood fit of the CSET panel 2015-2024, 187 "
      "countries (model.world.allocation_fit; docs/ODD.md)"),
    P("size_elasticity", 0.65, "-", 0.0, 2.0,
      "exponent of GDP in capital allocation",
      "DERIVED: the same fit (model.world.allocation_fit)"),
    P("investment_noise", 0.8, "-", 0.0, 2.0,
      "sd of the monthly log-normal multiplier on each country's allocation weight (lumpy "
      "deals); shares are renormalised, so the global flow is handed out exactly",
      "ASSUMPTION; CSET country-year series swing by factors of 5 to 40"),
    P("capital_depreciation", 0.3, "1 / year", 0.02, 0.6,
      "depreciation rate of the AI capital stock (also of the perpetual-inventory start)",
      "ASSUMPTION (about 3-year lives of AI compute)"),
    P("capital_half_saturation", 0.01, "USD per USD of GDP", 1e-5, 0.05,
      "AI capital per unit of GDP at which capital gives half its effect on capacity",
      "ASSUMPTION; the United States held about 0.013 and Latin America about 0.0005 in "
      "2024 (perpetual inventory of CSET flows, World Bank GDP)"),
    P("tier_signalling", 0.0, "fraction", 0.0, 2.0,
      "extra attractiveness of Pioneers to investors (0: tiers drive nothing)",
      "ASSUMPTION; off by default so that tiers only classify"),
    # --- research (production capacity) ------------------------------------------------
    P("capital_feedback", True, "-", None, None,
      "whether AI capital raises research and enabling factors (False: the ablation of the "
      "feedback loop that can stratify)", "MODEL_NOTES section 3", "bool"),
    P("research_capital_gain", 0.6, "1 / year", 0.0, 1.0,
      "growth of research toward 100 per unit of saturated capital intensity",
      "ASSUMPTION"),
    P("research_depreciation", 0.15, "1 / year", 0.0, 0.5,
      "rate at which research capacity decays without support", "ASSUMPTION"),
    P("learning_by_using", True, "-", None, None,
      "whether adoption feeds research (learning by using; False: the ablation)",
      "MODEL_NOTES section 3 (Arrow 1962 for the mechanism)", "bool"),
    P("adoption_learning_gain", 0.05, "1 / year", 0.0, 1.0,
      "growth of research toward 100 per unit of adoption share (learning by using)",
      "ASSUMPTION"),
    P("frontier_catch_up", True, "-", None, None,
      "whether countries catch up toward the world's research frontier through open access "
      "(False: the ablation)", "Nelson and Phelps 1966; Benhabib and Spiegel 2005", "bool"),
    P("frontier_absorption_gain", 0.05, "1 / year", 0.0, 1.0,
      "rate of catch-up toward the frontier country's research per unit of frontier access "
      "absorbed (Nelson-Phelps)",
      "ASSUMPTION (Nelson and Phelps 1966; Benhabib and Spiegel 2005)"),
    P("absorptive_gate", True, "-", None, None,
      "whether absorption is gated by research (False: every country absorbs fully)",
      "ablation switch (MODEL_NOTES section 5)", "bool"),
    P("absorptive_threshold", 35.0, "index 0-100", 0.0, 100.0,
      "research level at which a country absorbs half of what it could from the frontier",
      "ASSUMPTION (Cohen and Levinthal 1990)"),
    P("absorptive_steepness", 4.0, "index points", 0.5, 30.0,
      "width of the logistic absorptive-capacity gate", "ASSUMPTION"),
    P("baseline_frontier_access", 0.25, "-", 0.0, 2.0,
      "access to frontier capability before any open release (closed APIs)", "ASSUMPTION"),
    P("brain_drain_rate", 0.03, "1 / year", 0.0, 0.5,
      "rate at which research capacity leaks away in proportion to the distance below the "
      "frontier", "ASSUMPTION (Docquier and Rapoport 2012 for the mechanism)"),
    # --- open-weights releases ---------------------------------------------------------
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
      "share of the headroom above today's AI usage that full readiness lets a country take "
      "(the diffusion ceiling)", "ASSUMPTION"),
    P("ceiling_enabling_weight", 0.5, "fraction", 0.0, 1.0,
      "weight of enabling factors (vs governance) in the adoption ceiling", "ASSUMPTION"),
    # --- enabling factors --------------------------------------------------------------
    P("enabling_capital_gain", 0.2, "1 / year", 0.0, 1.0,
      "growth of enabling factors toward 100 per unit of saturated capital intensity",
      "ASSUMPTION"),
    P("enabling_depreciation", 0.1, "1 / year", 0.0, 0.5,
      "rate at which enabling factors decay without support", "ASSUMPTION"),
    # --- governance --------------------------------------------------------------------
    P("governance_speed", 0.3, "1 / year", 0.0, 3.0,
      "speed at which governance moves toward its policy target", "ASSUMPTION"),
    P("reversal_rate", 0.04, "1 / year", 0.0, 1.0,
      "probability per year that an active policy is reversed (coherence risk)", "ASSUMPTION"),
    P("reversal_size", 0.15, "fraction", 0.0, 1.0,
      "share of governance lost in a reversal (the policy's maturity also restarts)",
      "ASSUMPTION"),
    # --- policy (money, country by country) --------------------------------------------
    P("policies", None, "-", None, None,
      "ISO3 -> strategy name, {strategy, budget, start}, or a list of (YYYY-MM, strategy"
      "[, budget]); countries not named keep the status quo (no extra budget)",
      "scenario input", "policies"),
    P("policy_budget", 0.5, "% of GDP / year", 0.0, 5.0,
      "extra public budget of a country under a strategy whose policy entry names none",
      "ASSUMPTION (a scenario choice; compare with national R&D spending, docs/ODD.md)"),
    P("policy_half_saturation", 0.5, "% of GDP / year", 0.01, 10.0,
      "spending on one lever at which that lever gives half its largest effect",
      "ESTIMATE (diminishing returns to public spending; no source fixes the value)"),
    P("policy_research_gain", 0.15, "1 / year", 0.0, 1.0,
      "largest growth of research toward 100 from the research lever (times governance and "
      "maturity)", "ESTIMATE"),
    P("policy_infrastructure_gain", 0.04, "1 / year", 0.0, 1.0,
      "largest growth of enabling factors toward 100 from the infrastructure lever",
      "ESTIMATE"),
    P("policy_adoption_gain", 0.1, "1 / year", 0.0, 2.0,
      "largest rise of the Bass innovation coefficient from the adoption lever", "ESTIMATE"),
    P("policy_adoption_ceiling_gain", 0.3, "fraction", 0.0, 1.0,
      "largest share of the remaining adoption headroom opened by the adoption lever",
      "ESTIMATE"),
    P("policy_governance_gain", 30.0, "index points", 0.0, 100.0,
      "largest rise of the governance target from the governance lever", "ESTIMATE"),
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
    # --- demonstration effect ----------------------------------------------------------
    P("demonstration_effect", False, "-", None, None,
      "yearly review: a status-quo country adopts a strategy that peers of its region follow "
      "when their score gain beats that of its region's status-quo countries (countries "
      "with a scheduled policy keep it)", "MODEL_NOTES section 1 and 3", "bool"),
    P("imitation_probability", 0.5, "fraction", 0.0, 1.0,
      "probability that a country imitates a demonstrated strategy at a review",
      "ASSUMPTION"),
    P("demonstration_lag", 12.0, "months", 0.0, 120.0,
      "months a strategy must have been followed before its gains count as demonstrated",
      "ASSUMPTION"),
    P("demonstration_threshold", 0.5, "score points / year", 0.0, 20.0,
      "gain of adopters over their region's status-quo countries that counts as attributable",
      "ASSUMPTION"),
    # --- composite and tiers -----------------------------------------------------------
    P("research_share_of_rda", 0.5, "fraction", 0.05, 0.95,
      "weight of research (vs adoption) inside ILIA's research-development-adoption dimension",
      "ASSUMPTION (ILIA sub-dimension weights not published per country)"),
    P("score_offsets", True, "-", None, None,
      "whether each ILIA country's composite carries a constant measurement offset so that "
      "its start score equals the published ILIA score (never fed into any process)",
      "ILIA 2024 / 2025 overall scores (docs/ODD.md section 5)", "bool"),
    P("tier_thresholds", DEFAULT_THRESHOLDS, "index 0-100", 0.0, 100.0,
      "score cut-offs Explorer/Adopter and Adopter/Pioneer (the essay's 40 selectable)",
      "SEEN: ILIA 2025 (35 and 60)", "thresholds"),
)
# fmt: on
del P

BY_NAME: dict[str, Parameter] = {p.name: p for p in PARAMETERS}
NUMERIC = tuple(p.name for p in PARAMETERS if p.numeric)
MODEL_ONLY = ("rng",)  # accepted by RegionModel but not a model parameter
#: Parameters that set up the calendar, initial state, focus and drivers of a run (not
#: passed to the equations as numbers).
ENCODED_IN_DRIVERS = ("initial", "start", "end", "focus", "open_weights_date", "policies")
MONTH_PATTERN = re.compile(r"\d{4}-\d{2}(-\d{2})?")  # 'YYYY-MM' or 'YYYY-MM-DD'


def parse_month(value: Any, name: str, origin: str = "argument") -> pd.Period:
    """A calendar month from ``'2025-08'``, a date or a Period; errors name the parameter."""
    import pandas as pd  # here, not at the top: the command line's help needs no pandas

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
        import numpy as np  # here: the command line's help needs no numpy

        if not isinstance(value, bool | np.bool_):
            raise ValueError(f"{where} must be true or false")
        return bool(value)
    if spec.kind in ("float", "int"):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):  # np.bool_ is no Real
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
        months = tuple(sorted(parse_month(v, name, origin) for v in items))
        repeated = sorted({str(m) for m in months if months.count(m) > 1})
        if repeated:
            raise ValueError(f"{where}: the month {repeated[0]} is given twice")
        return months
    if spec.kind == "policies":
        return validate_policies(value, origin)
    if spec.kind == "focus":
        return validate_focus(value, origin)
    if spec.kind == "thresholds":
        if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
            raise ValueError(f"{where} must be two numbers (low, high)")
        try:
            low, high = (float(v) for v in value)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{where} must be two numbers (low, high)") from exc
        if not 0 <= low < high <= 100:
            raise ValueError(f"{where} must satisfy 0 <= low < high <= 100")
        return (low, high)
    return value


#: A country's policy plan once validated: (start month or None for the first month,
#: strategy name, budget in % of GDP per year or None for ``policy_budget``) entries.
PolicyEntry = tuple[str | None, str, float | None]
POLICY_FORMS = (
    "a strategy name, {strategy = NAME, budget = PCT_GDP, start = 'YYYY-MM'}, or a list of "
    "(YYYY-MM, strategy) or (YYYY-MM, strategy, budget) entries"
)


def _policy_entry(entry: Any, where: str, origin: str) -> PolicyEntry:
    from model.policies import STATUS_QUO_NAME, strategy_code

    start, budget = None, None
    if isinstance(entry, str):
        name = entry
    elif isinstance(entry, Mapping):
        unknown = set(entry) - {"strategy", "budget", "start"}
        if unknown or "strategy" not in entry:
            raise ValueError(f"{where}={entry!r} (from {origin}) must be {POLICY_FORMS}")
        name, budget, start = entry["strategy"], entry.get("budget"), entry.get("start")
    elif isinstance(entry, list | tuple) and len(entry) in (2, 3):
        start, name, *rest = entry
        budget = rest[0] if rest else None
    else:
        raise ValueError(f"{where}={entry!r} (from {origin}) must be {POLICY_FORMS}")
    if not isinstance(name, str):
        raise ValueError(f"{where}: strategy {name!r} (from {origin}) must be a name")
    strategy_code(name, f"{where} (from {origin})")
    if start is not None:
        start = str(parse_month(start, where, origin))
    if budget is not None:
        low, high = BY_NAME["policy_budget"].low, BY_NAME["policy_budget"].high
        if isinstance(budget, bool) or not isinstance(budget, numbers.Real):
            raise ValueError(f"{where}: budget={budget!r} (from {origin}) must be a number")
        if not low <= budget <= high:
            raise ValueError(
                f"{where}: budget={budget!r} (from {origin}) is outside [{low}, {high}] % of GDP"
            )
        if name == STATUS_QUO_NAME and budget != 0:
            raise ValueError(
                f"{where}: status_quo is the absence of a change; it takes no budget "
                f"(got {budget!r} from {origin})"
            )
        budget = float(budget)
    return (start, name, budget)


def validate_policies(value: Any, origin: str = "argument") -> dict[str, tuple[PolicyEntry, ...]]:
    """``policies``: ISO3 -> a plan of dated strategies (see :data:`POLICY_FORMS`).

    Returns ISO3 -> tuple of :data:`PolicyEntry`, sorted by start month. Strategy names,
    months and budgets are checked here (two entries in one month are an error); ISO3
    codes when the model knows its countries.
    """
    import pandas as pd

    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValueError(
            f"policies={value!r} (from {origin}) must map ISO3 codes to {POLICY_FORMS}, "
            "e.g. {'PER': 'production_platform'}"
        )
    checked: dict[str, tuple[PolicyEntry, ...]] = {}
    for iso3, plan in value.items():
        where = f"policies[{iso3!r}]"
        if not isinstance(iso3, str):
            raise ValueError(f"{where} (from {origin}): the key must be an ISO3 code")
        single = isinstance(plan, str | Mapping) or (
            isinstance(plan, list | tuple)
            and len(plan) in (2, 3)
            and isinstance(plan[0], str | pd.Period)
            and isinstance(plan[1], str)
        )
        entries = [plan] if single else plan
        if not isinstance(entries, list | tuple) or not entries:
            raise ValueError(f"{where}={plan!r} (from {origin}) must be {POLICY_FORMS}")
        parsed = [_policy_entry(e, where, origin) for e in entries]
        starts = [e[0] or "" for e in parsed]
        repeated = sorted({m for m in starts if starts.count(m) > 1})
        if repeated:
            month = repeated[0] or "the first month"
            raise ValueError(f"{where} (from {origin}): two strategies start in {month}")
        checked[iso3] = tuple(sorted(parsed, key=lambda e: e[0] or ""))
    return checked


#: Named focus regions besides the Oxford Insights regions and explicit ISO3 lists.
FOCUS_NAMES = ("latam19", "world")


def validate_focus(value: Any, origin: str = "argument") -> str | tuple[str, ...]:
    """``focus``: 'latam19', 'world', an Oxford Insights region name or a list of ISO3
    codes (checked against the model's countries when it is built)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError(
        f"focus={value!r} (from {origin}) must be {' or '.join(map(repr, FOCUS_NAMES))}, an "
        "Oxford Insights region name or a non-empty list of ISO3 codes"
    )


def validate_parameters(values: Mapping[str, Any], origin: str = "argument") -> dict[str, Any]:
    """All parameters: defaults overridden by ``values``, each validated."""
    merged = {p.name: p.default for p in PARAMETERS}
    merged.update(values)
    return {name: validate_value(name, value, origin) for name, value in merged.items()}


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
