"""The world model's equations: pure functions of NumPy arrays, country axis last.

Every function accepts leading batch axes (many runs at once); parameters are scalars or
arrays that broadcast against ``(..., 1)``. ``model.builder`` sets up parameters, state
and drivers for N runs; ``RegionModel`` is a batch of one through it, and the sweep
engine pushes thousands of runs through :func:`step`. Rates are per year; one step is
one month (``MONTH = 1/12`` year). Indices are on a 0-100 scale; adoption is a percent of
the working-age population; money is in USD bn. docs/ODD.md gives each equation with the
same names.

Random draws (``model.streams``): step ``t`` computes month ``t``'s draws from each run's
key, investment noise (standard normals) every month, reversal uniforms only in months
where some country has an extra budget, imitation uniforms only at a demonstration review
of a batch where the effect is on. A draw depends on (key, stream, month, country) only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

import numpy as np

from model import streams
from model.policies import CONSORTIUM, LEVER_TABLE, STATUS_QUO
from model.tiers import DEFAULT_THRESHOLDS
from model.tiers import TIER_LABELS as TIER_LABELS  # declared once, in model.tiers

MONTH = 1.0 / 12.0
EXPLORER, ADOPTER, PIONEER = 0, 1, 2
MAX_INDEX = 100.0
RESEARCH, ADOPTION, INFRASTRUCTURE, GOVERNANCE = range(4)  # lever columns (policies.LEVERS)


def bounded(values, low=0.0, high=MAX_INDEX):
    """Values limited to [low, high] (an index stays on its 0-100 scale), in place: pass
    only a freshly computed array."""
    return np.minimum(np.maximum(values, low, out=values), high, out=values)


@dataclass(frozen=True)
class WorldState:
    """State of one or many runs; every array has shape ``(..., countries)`` unless noted."""

    governance: np.ndarray  # index 0-100
    adoption: np.ndarray  # % of the working-age population using generative AI
    research: np.ndarray  # production capacity, index 0-100
    enabling: np.ndarray  # infrastructure, data, talent, index 0-100
    capital: np.ndarray  # USD bn of AI capital
    inflow: np.ndarray  # USD bn of private AI investment received in the last month
    strategy: np.ndarray  # int8 code into policies.STRATEGIES
    budget: np.ndarray  # extra public budget, % of GDP per year (0 under the status quo)
    policy_tenure: np.ndarray  # months since the strategy was adopted or last reversed
    score_at_review: np.ndarray  # composite score at the last demonstration review
    # --- constant over a run ---
    gdp: np.ndarray  # USD bn
    size_weight: np.ndarray  # gdp ** size_elasticity
    governance_reference: np.ndarray  # governance before any policy target
    adoption_reference: np.ndarray  # adoption at the start: the floor of the ceiling
    research_base: np.ndarray  # per year: keeps research at rest at the start
    enabling_base: np.ndarray  # per year: keeps enabling factors at rest at the start
    score_intercept: np.ndarray  # (..., 1): the ILIA map's c
    score_slope: np.ndarray  # (..., 1): the ILIA map's k
    score_offset: np.ndarray  # measurement offset (ILIA countries; zero elsewhere)
    market_share: np.ndarray  # (..., 1): the share of the world flow these countries share
    region_code: np.ndarray  # int: index of the country's region (peers for imitation)


@dataclass(frozen=True)
class Drivers:
    """Exogenous inputs over the horizon, time axis before the country axis."""

    frontier_access: np.ndarray  # (..., months): decaying value of open frontier for research
    released_access: np.ndarray  # (..., months): cumulative released access (stays)
    global_flow: np.ndarray  # (..., months): world AI investment, USD bn / year
    policy_changes: np.ndarray  # (..., months, countries) bool
    policy_strategy: np.ndarray  # (..., months, countries) int8
    policy_budget: np.ndarray  # (..., months, countries) % of GDP per year
    run_key: np.ndarray  # (...,) uint64: the key of each run's random streams


def stack_runs[T](*runs: T) -> T:
    """Stack the arrays of several runs' states (or drivers) along a new leading batch axis."""
    first = runs[0]
    return type(first)(
        **{
            f.name: None
            if getattr(first, f.name) is None
            else np.stack([getattr(r, f.name) for r in runs])
            for f in fields(first)
        }
    )


def select_run[T](batch: T, index: int) -> T:
    """One run of a batched state (or drivers)."""
    return type(batch)(
        **{
            f.name: None if getattr(batch, f.name) is None else getattr(batch, f.name)[index]
            for f in fields(batch)
        }
    )


# --- derived quantities ----------------------------------------------------------------


def composite_score(state: WorldState, research_share_of_rda):
    """The ILIA composite of the model's dimensions (docs/ODD.md, "Composite score"):
    c + k (0.40 E + 0.35 (w R + (1 - w) A) + 0.25 G) + offset, limited to 0-100.

    ILIA weights (CENIA-CEPAL methodology); (c, k) fitted on ILIA 2024; the offset is a
    constant measurement offset of each ILIA country (zero elsewhere or when off)."""
    w = research_share_of_rda
    raw = (
        0.40 * state.enabling
        + 0.35 * (w * state.research + (1.0 - w) * state.adoption)
        + 0.25 * state.governance
    )
    return bounded(state.score_intercept + state.score_slope * raw + state.score_offset)


def classify_tiers(score, thresholds=DEFAULT_THRESHOLDS):
    """Tier codes: 0 Explorer (score < low), 2 Pioneer (score > high), else 1 Adopter."""
    low, high = thresholds
    return (score >= low).astype(np.int8) + (score > high).astype(np.int8)


def capital_intensity(capital, gdp, capital_half_saturation):
    """Saturating effect of AI capital per unit of GDP: k / (k + k_half), in [0, 1)."""
    k = capital / gdp
    return k / (k + capital_half_saturation)


def policy_intensity(budget, lever_shares, policy_half_saturation):
    """Effect of each lever's spending, (..., countries, 4) in [0, 1): x / (x + h) with x the
    lever's share of the extra budget (both in % of GDP per year). Zero without a budget."""
    spending = lever_shares * budget[..., None]
    return spending / (spending + np.asarray(policy_half_saturation)[..., None])


def absorptive_gate(research, absorptive_threshold, absorptive_steepness, enabled=True):
    """Share of the open frontier a country can absorb (Cohen and Levinthal 1990).

    Logistic in research capacity: 1 / (1 + exp(-(research - threshold) / steepness)).
    With the gate off, every country absorbs fully (the ablation).
    """
    gate = 1.0 / (1.0 + np.exp(-(research - absorptive_threshold) / absorptive_steepness))
    return np.where(enabled, gate, 1.0)


def attractiveness(research, tiers, tier_signalling):
    """What investors look for: research capacity on [0, 1] (the allocation fit's regressor;
    docs/ODD.md says why enabling factors are not in it). Pioneers get
    ``1 + tier_signalling`` times more (0 by default: tiers drive nothing)."""
    return np.maximum(research / MAX_INDEX, 1e-6) * (1.0 + tier_signalling * (tiers == PIONEER))


def allocation_weights(size_weight, attract, capital_concentration):
    """Weight of each country in the global capital market: gdp^b * attractiveness^alpha.

    ``size_weight`` is gdp^b (b = ``size_elasticity``, constant over a run). alpha =
    ``capital_concentration``: 0 means capital follows economic size only; larger alpha is
    cumulative advantage (preferential attachment; Arthur 1989). Both estimated from the
    CSET panel (``model.world.allocation_fit``).
    """
    return size_weight * attract**capital_concentration


def capital_inflow(global_flow, market_share, weights, draws, investment_noise):
    """Monthly inflow, USD bn: the month's flow handed out in full by noisy shares,
    flow/12 * market * w exp(sigma z) / sum_j w_j exp(sigma z_j) (lumpy deals; the shares
    are renormalised, so the countries receive exactly the flow)."""
    noisy = weights * np.exp(investment_noise * draws)
    return (global_flow * market_share * MONTH) * noisy / noisy.sum(axis=-1, keepdims=True)


def consortium_pool_mean(research, members):
    """Mean research of the consortium members of each run (own value for non-members)."""
    count = members.sum(axis=-1, keepdims=True)
    pooled = np.where(members, research, 0.0).sum(axis=-1, keepdims=True) / np.maximum(count, 1)
    return np.where(members, pooled, research)


def policy_maturity(policy_tenure, policy_maturation):
    """How far a research policy has built up: 1 - exp(-tenure / maturation)."""
    return 1.0 - np.exp(-policy_tenure / policy_maturation)


# --- growth terms (per year) -----------------------------------------------------------


@dataclass(frozen=True)
class Growth:
    """The per-year drivers of research and enabling factors, before the fixed effects."""

    research: np.ndarray  # multiplies (100 - research)
    catch_up: np.ndarray  # multiplies (frontier - research): catch-up minus brain drain
    research_spillover: np.ndarray  # consortium spillover, index points per year
    enabling: np.ndarray  # multiplies (100 - enabling)


def research_frontier(research):
    """The world's research frontier: the highest research of each run, shape (..., 1)."""
    return research.max(axis=-1, keepdims=True)


def growth_terms(state: WorldState, p: Mapping, frontier_access, intensity) -> Growth:
    """Research and enabling drivers from capital, adoption, the frontier, policy and the
    consortium (docs/ODD.md, "Research" and "Enabling factors").

    research:  rho_K kappa [capital feedback] + lambda_A A/100 [learning by using]
               + rho_P pi_R maturity G/100 [research lever]
    catch-up:  phi gate(research_eff) F [catch-up] - mu R/100 [brain drain], times R* - R
    enabling:  epsilon_K kappa [capital feedback] + epsilon_P pi_I (1 + saving member)
    research_eff = (1 - pooling) research + pooling * pool mean for consortium members.
    """
    kappa = capital_intensity(state.capital, state.gdp, p["capital_half_saturation"])
    members = CONSORTIUM[state.strategy]
    research_eff, spillover = state.research, 0.0
    if members.any():
        pool = consortium_pool_mean(state.research, members)
        pooling = p["consortium_pooling"] * members
        research_eff = (1.0 - pooling) * state.research + pooling * pool
        spillover = p["consortium_spillover"] * np.maximum(pool - state.research, 0.0)
    gate = absorptive_gate(
        research_eff, p["absorptive_threshold"], p["absorptive_steepness"], p["absorptive_gate"]
    )
    maturity = policy_maturity(state.policy_tenure, p["policy_maturation"])
    capital_feedback = np.asarray(p["capital_feedback"], float)
    research = (
        p["research_capital_gain"] * capital_feedback * kappa
        + p["adoption_learning_gain"]
        * np.asarray(p["learning_by_using"], float)
        * state.adoption
        / MAX_INDEX
        + p["policy_research_gain"]
        * intensity[..., RESEARCH]
        * maturity
        * state.governance
        / MAX_INDEX
    )
    catch_up = (
        p["frontier_absorption_gain"]
        * np.asarray(p["frontier_catch_up"], float)
        * gate
        * frontier_access
        - p["brain_drain_rate"] * state.research / MAX_INDEX
    )
    enabling = p["enabling_capital_gain"] * capital_feedback * kappa + p[
        "policy_infrastructure_gain"
    ] * intensity[..., INFRASTRUCTURE] * (1.0 + p["consortium_infrastructure_saving"] * members)
    return Growth(research, catch_up, spillover, enabling)


def research_change(state: WorldState, p: Mapping, growth: Growth, frontier):
    """d research / dt = (base + drivers)(100 - R) + catch-up (R* - R) - delta_R R + spill."""
    return (
        (state.research_base + growth.research) * (MAX_INDEX - state.research)
        + growth.catch_up * (frontier - state.research)
        - p["research_depreciation"] * state.research
        + growth.research_spillover
    )


def enabling_change(state: WorldState, p: Mapping, growth: Growth):
    """d enabling / dt = (base + drivers)(100 - enabling) - delta_E enabling."""
    return (state.enabling_base + growth.enabling) * (MAX_INDEX - state.enabling) - p[
        "enabling_depreciation"
    ] * state.enabling


def adoption_ceiling(state: WorldState, p: Mapping, released_access, intensity):
    """Diffusion ceiling, % of the working-age population: the start's usage plus the share
    of the remaining headroom the country can use.

    headroom share h = s (omega E/100 + (1 - omega) G/100), widened by the released access
    and the adoption lever (each opens a fraction of what remains), capped at 1.
    """
    omega = p["ceiling_enabling_weight"]
    readiness = (omega * state.enabling + (1.0 - omega) * state.governance) / MAX_INDEX
    h = p["adoption_headroom_share"] * readiness  # in [0, 1]: indices are on 0-100
    for opening in (
        p["open_weights_ceiling_lift"] * released_access,
        p["policy_adoption_ceiling_gain"] * intensity[..., ADOPTION],
    ):
        h = h + (1.0 - h) * np.minimum(opening, 1.0)
    return state.adoption_reference + (MAX_INDEX - state.adoption_reference) * h


def adoption_change(state: WorldState, p: Mapping, released_access, intensity):
    """Bass (1969) diffusion: dA/dt = (p + q A/100)(ceiling - A).

    p rises with released open weights and the adoption lever.
    """
    innovation = (
        p["bass_innovation"]
        + p["open_weights_adoption_boost"] * released_access
        + p["policy_adoption_gain"] * intensity[..., ADOPTION]
    )
    ceiling = adoption_ceiling(state, p, released_access, intensity)
    return (innovation + p["bass_imitation"] * state.adoption / MAX_INDEX) * (
        ceiling - state.adoption
    )


def governance_change(state: WorldState, p: Mapping, intensity):
    """Governance moves toward its policy target: dG/dt = gamma (target - G),
    target = reference + gain * pi_G (capped at 100)."""
    target = np.minimum(
        state.governance_reference + p["policy_governance_gain"] * intensity[..., GOVERNANCE],
        MAX_INDEX,
    )
    return p["governance_speed"] * (target - state.governance)


# --- initialisation and one step -------------------------------------------------------


def rest_bases(state: WorldState, p: Mapping, frontier_access0) -> tuple[np.ndarray, np.ndarray]:
    """``research_base`` and ``enabling_base`` that keep research and enabling at rest at the
    start under the status quo (no extra budget) with the start's frontier access: every
    later change is caused by capital flows, adoption, releases or policy."""
    intensity = np.zeros((*state.budget.shape, 4))
    growth = growth_terms(state, p, frontier_access0, intensity)
    frontier = research_frontier(state.research)
    headroom = np.maximum(MAX_INDEX - state.research, 1e-3)
    research_base = (
        p["research_depreciation"] * state.research
        - growth.catch_up * (frontier - state.research)
        - growth.research_spillover
    ) / headroom - growth.research
    enabling_headroom = np.maximum(MAX_INDEX - state.enabling, 1e-3)
    enabling_base = (
        p["enabling_depreciation"] * state.enabling / enabling_headroom - growth.enabling
    )
    return research_base, enabling_base


def demonstration_review(state: WorldState, p: Mapping, score, draws, committed):
    """Yearly review (the demonstration effect; docs/ODD.md, "Demonstration effect").

    For each strategy s other than the status quo and each region, the demonstrated gain is
    the mean score gain since the last review of the region's countries that have followed
    s for at least ``demonstration_lag`` months, minus that of the region's status-quo
    countries. A status-quo country without a scheduled policy (``committed``) adopts the
    strategy with the largest demonstrated gain above ``demonstration_threshold`` with
    probability ``imitation_probability``. Returns (strategy, switched) arrays.
    """
    gain = score - state.score_at_review
    codes = state.region_code.reshape(-1, state.region_code.shape[-1])[0]  # same in all runs
    one_hot = np.eye(codes.max() + 1)[codes]  # (countries, regions)
    status_quo = state.strategy == STATUS_QUO

    def region_sum(values):  # explicit sums: a matrix product would depend on the batch
        return (values[..., :, None] * one_hot).sum(axis=-2)

    def region_mean(mask):
        count = region_sum(mask.astype(float))
        total = region_sum(np.where(mask, gain, 0.0))
        return np.where(count > 0, total / np.maximum(count, 1.0), np.nan)  # (..., regions)

    baseline = region_mean(status_quo)
    best_gain = np.full(score.shape, -np.inf)
    best = np.full(score.shape, STATUS_QUO, np.int8)
    for code in range(len(LEVER_TABLE)):
        if code == STATUS_QUO:
            continue
        followers = (state.strategy == code) & (state.policy_tenure >= p["demonstration_lag"])
        if not followers.any():
            continue
        demonstrated = (region_mean(followers) - baseline)[..., codes]
        better = np.nan_to_num(demonstrated, nan=-np.inf) > best_gain
        best = np.where(better, code, best).astype(np.int8)
        best_gain = np.where(better, demonstrated, best_gain)
    switch = (
        status_quo
        & ~committed
        & (best_gain > p["demonstration_threshold"])
        & (draws < p["imitation_probability"])
        & np.asarray(p["demonstration_effect"], bool)
    )
    return np.where(switch, best, state.strategy).astype(np.int8), switch


def step(state: WorldState, p: Mapping, drivers: Drivers, t: int) -> WorldState:
    """Advance every run by one month, from month ``t`` to ``t + 1`` (explicit Euler).

    Order: scheduled policy changes, demonstration review (every 12th month, where on),
    capital allocation, then all state variables from the values at the start of the month,
    then reversals of active policies.
    """
    changes = drivers.policy_changes[..., t, :]
    strategy, tenure, budget = state.strategy, state.policy_tenure, state.budget
    if changes.any():
        strategy = np.where(changes, drivers.policy_strategy[..., t, :], strategy)
        budget = np.where(changes, drivers.policy_budget[..., t, :], budget)
        tenure = np.where(changes, 0.0, tenure)
    score = composite_score(state, p["research_share_of_rda"])
    tiers = classify_tiers(score, p["tier_thresholds"])
    score_at_review = state.score_at_review
    countries = score.shape[-1]
    if t > 0 and t % 12 == 0 and np.any(p["demonstration_effect"]):
        reviewed, switched = demonstration_review(
            replace(state, strategy=strategy, policy_tenure=tenure),
            p,
            score,
            streams.uniforms(drivers.run_key, streams.IMITATION, t, countries),
            committed=drivers.policy_changes.any(axis=-2),
        )
        strategy = reviewed
        score_at_review = np.where(p["demonstration_effect"], score, score_at_review)
        budget = np.where(switched, p["policy_budget"], budget)
        tenure = np.where(switched, 0.0, tenure)
    state = replace(state, strategy=strategy, policy_tenure=tenure, budget=budget)

    intensity = policy_intensity(budget, LEVER_TABLE[strategy], p["policy_half_saturation"])
    frontier_access = drivers.frontier_access[..., t : t + 1]
    released = drivers.released_access[..., t : t + 1]
    weights = allocation_weights(
        state.size_weight,
        attractiveness(state.research, tiers, p["tier_signalling"]),
        p["capital_concentration"],
    )
    inflow = capital_inflow(
        drivers.global_flow[..., t : t + 1],
        state.market_share,
        weights,
        streams.normals(drivers.run_key, t, countries),
        p["investment_noise"],
    )
    growth = growth_terms(state, p, frontier_access, intensity)
    frontier = research_frontier(state.research)
    research = state.research + MONTH * research_change(state, p, growth, frontier)
    enabling = state.enabling + MONTH * enabling_change(state, p, growth)
    adoption = state.adoption + MONTH * adoption_change(state, p, released, intensity)
    governance = state.governance + MONTH * governance_change(state, p, intensity)
    capital = state.capital * (1.0 - MONTH * p["capital_depreciation"]) + inflow

    reversal = budget > 0
    if reversal.any():
        draws = streams.uniforms(drivers.run_key, streams.REVERSAL, t, countries)
        reversal &= draws < p["reversal_rate"] * MONTH
    governance = np.where(reversal, governance * (1.0 - p["reversal_size"]), governance)
    return replace(
        state,
        research=bounded(research),
        enabling=bounded(enabling),
        adoption=bounded(adoption),
        governance=bounded(governance),
        capital=capital,
        inflow=inflow,
        policy_tenure=np.where(reversal, 0.0, tenure + 1.0),
        score_at_review=score_at_review,
    )


def frontier_paths(
    months: int,
    release_months,
    open_weights_strength,
    open_weights_half_life,
    baseline_frontier_access,
) -> tuple[np.ndarray, np.ndarray]:
    """Frontier access over the horizon, shape (..., months).

    ``release_months`` (shape (..., releases), NaN for none) are month offsets from the
    start (negative: released before the start); the other arguments are scalars or
    arrays of shape (..., 1) for many runs. Returns (frontier_access, released_access):
    the first decays with the half-life (the value of a release for research as the closed
    frontier moves on), the second stays (weights once open remain available).
    """
    release = np.asarray(release_months, float)[..., None, :]  # (..., 1, releases)
    since = np.arange(months, dtype=float)[:, None] - release  # (..., months, releases)
    active = since >= 0  # NaN compares False: no release
    strength = np.asarray(open_weights_strength, float)[..., None]
    half_life = np.asarray(open_weights_half_life, float)[..., None]
    decay = 0.5 ** (np.where(active, since, 0.0) / half_life)
    frontier = baseline_frontier_access + (strength * decay * active).sum(axis=-1)
    released = (strength * active).sum(axis=-1)
    return frontier, released


def global_flow_path(month_years, world_flow_by_year: Mapping[int, float], growth):
    """World AI investment (USD bn / year) in each month: CSET's world total of the month's
    year up to the last recorded year, then that total grown at ``growth`` per year from the
    end of that year. ``month_years`` are the months as fractional years (2024.0 = January
    2024); ``growth`` is a scalar or shape (..., 1)."""
    last_year = max(world_flow_by_year)
    year = np.floor(month_years).astype(int)
    recorded = np.array([world_flow_by_year.get(min(y, last_year), np.nan) for y in year])
    elapsed = np.maximum(month_years - (last_year + 11.0 / 12.0), 0.0)
    return recorded * (1.0 + np.asarray(growth, float)) ** elapsed
