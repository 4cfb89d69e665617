"""The model's equations: pure functions of NumPy arrays, country axis last.

Every function accepts leading batch axes (many runs at once); parameters are scalars
or arrays that broadcast against ``(..., 1)``. ``RegionModel`` is the one-run view over
these functions and the sweep engine pushes thousands of runs through them. Rates are
per year; one step is one month (``MONTH = 1/12`` year). Indices are on ILIA's 0-100
scale. docs/ODD.md gives each equation with the same names.

Random draws: every run draws its whole horizon at initialisation, from its own
generator, in this fixed order (:func:`draw_shocks`): investment noise (standard
normals, months x countries), reversal draws (uniforms, same shape), imitation draws
(uniforms, same shape). Step ``t`` uses row ``t`` of each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

import numpy as np

from model.policies import CONSORTIUM, LEVER_TABLE

MONTH = 1.0 / 12.0
ILIA_WEIGHTS = (0.40, 0.35, 0.25)  # enabling, research-development-adoption, governance
EXPLORER, ADOPTER, PIONEER = 0, 1, 2
MAX_INDEX = 100.0


def bounded(values, low=0.0, high=MAX_INDEX):
    """Values limited to [low, high] (an index stays on its 0-100 scale), in place: pass
    only a freshly computed array."""
    return np.minimum(np.maximum(values, low, out=values), high, out=values)


@dataclass(frozen=True)
class RegionState:
    """State of one or many runs; every array has shape ``(..., countries)``."""

    governance: np.ndarray
    adoption: np.ndarray
    research: np.ndarray
    enabling: np.ndarray
    capital: np.ndarray  # USD bn of AI capital
    inflow: np.ndarray  # USD bn received in the last month
    gdp: np.ndarray  # USD bn, constant
    size_weight: np.ndarray  # gdp ** size_elasticity, constant
    governance_reference: np.ndarray  # governance before any policy target
    adoption_reference: np.ndarray  # adoption at the start: the floor of the ceiling
    research_base: np.ndarray  # per year: keeps research at rest at the start
    enabling_base: np.ndarray  # per year: keeps enabling factors at rest at the start
    strategy: np.ndarray  # int8 code into policies.STRATEGIES
    lever_shares: np.ndarray  # (..., countries, levers): the strategy's lever shares
    policy_tenure: np.ndarray  # months since the strategy was adopted or last reversed
    score_at_review: np.ndarray  # composite score at the last adaptive review
    rest_of_world_weight: np.ndarray  # shape (..., 1): calibrates the region's share


@dataclass(frozen=True)
class Drivers:
    """Exogenous inputs over the horizon, time axis before the country axis."""

    frontier_access: np.ndarray  # (..., months): decaying value of open frontier for research
    released_access: np.ndarray  # (..., months): cumulative released access (stays)
    global_flow: np.ndarray  # (..., months): global AI investment, USD bn / year
    policy_changes: np.ndarray  # (..., months, countries) bool
    policy_strategy: np.ndarray  # (..., months, countries) int8
    investment_draws: np.ndarray  # (..., months, countries) standard normal
    reversal_draws: np.ndarray  # (..., months, countries) uniform
    imitation_draws: np.ndarray  # (..., months, countries) uniform


def stack_runs[T](*runs: T) -> T:
    """Stack the arrays of several runs' states (or drivers) along a new leading batch axis."""
    first = runs[0]
    return type(first)(
        **{f.name: np.stack([getattr(r, f.name) for r in runs]) for f in fields(first)}
    )


def select_run[T](batch: T, index: int) -> T:
    """One run of a batched state (or drivers)."""
    return type(batch)(**{f.name: getattr(batch, f.name)[index] for f in fields(batch)})


def draw_shocks(rng: np.random.Generator, months: int, countries: int) -> dict[str, np.ndarray]:
    """All random draws of one run, in the documented order."""
    return {
        "investment_draws": rng.standard_normal((months, countries)),
        "reversal_draws": rng.random((months, countries)),
        "imitation_draws": rng.random((months, countries)),
    }


# --- derived quantities ----------------------------------------------------------------


def composite_score(enabling, research, adoption, governance, research_share_of_rda):
    """ILIA composite: 0.40 enabling + 0.35 (w research + (1-w) adoption) + 0.25 governance.

    Weights from the ILIA methodology (CENIA-CEPAL); ``w`` splits the research,
    development and adoption dimension (an assumption).
    """
    w_e, w_rda, w_g = ILIA_WEIGHTS
    rda = research_share_of_rda * research + (1.0 - research_share_of_rda) * adoption
    return w_e * enabling + w_rda * rda + w_g * governance


def classify_tiers(score, thresholds=(35.0, 60.0)):
    """Tier codes: 0 Explorer (score < low), 2 Pioneer (score > high), else 1 Adopter."""
    low, high = thresholds
    return (score >= low).astype(np.int8) + (score > high).astype(np.int8)


def capital_intensity(capital, gdp, capital_half_saturation):
    """Saturating effect of AI capital per unit of GDP: k / (k + k_half), in [0, 1)."""
    k = capital / gdp
    return k / (k + capital_half_saturation)


def absorptive_gate(research, absorptive_threshold, absorptive_steepness, enabled=True):
    """Share of the open frontier a country can absorb (Cohen and Levinthal 1990).

    Logistic in research capacity: 1 / (1 + exp(-(research - threshold) / steepness)).
    With the gate off, every country absorbs fully (the ablation).
    """
    gate = 1.0 / (1.0 + np.exp(-(research - absorptive_threshold) / absorptive_steepness))
    return np.where(enabled, gate, 1.0)


def attractiveness(research, enabling, tiers, tier_signalling):
    """What investors look for: research times enabling factors, on [0, 1].

    Production needs both capacity and an enabling environment (a product, so that
    either alone attracts little). Pioneers get ``1 + tier_signalling`` times more
    (0 by default: tiers drive nothing).
    """
    base = research * enabling / MAX_INDEX**2  # both on 0-100: a share in [0, 1]
    return base * (1.0 + tier_signalling * (tiers == PIONEER))


def allocation_weights(size_weight, attract, capital_concentration):
    """Weight of each country in the global capital market: gdp^b * attractiveness^alpha.

    ``size_weight`` is gdp^b (b = ``size_elasticity``, constant over a run). alpha =
    ``capital_concentration``: 0 means capital follows economic size only; larger alpha is
    cumulative advantage (preferential attachment; Arthur 1989).
    """
    return size_weight * np.maximum(attract, 1e-9) ** capital_concentration


def rest_of_world_weight(weights, region_share_target):
    """Weight of the rest of the world so that the region's share equals the target.

    Over time it grows as (1 + g)^(alpha t): the rest of the world's attractiveness rises
    at ``rest_of_world_capacity_growth`` g per year.
    """
    total = weights.sum(axis=-1, keepdims=True)
    return total * (1.0 - region_share_target) / region_share_target


def capital_inflow(global_flow, weights, row_weight, draws, investment_noise):
    """Monthly inflow, USD bn: flow/12 * share * exp(sigma z - sigma^2 / 2) (mean one)."""
    share = weights / (row_weight + weights.sum(axis=-1, keepdims=True))
    noise = np.exp(investment_noise * draws - 0.5 * investment_noise**2)
    return global_flow * MONTH * share * noise


def consortium_pool_mean(research, members):
    """Mean research of the consortium members of each run (own value for non-members)."""
    count = members.sum(axis=-1, keepdims=True)
    pooled = np.where(members, research, 0.0).sum(axis=-1, keepdims=True) / np.maximum(count, 1)
    return np.where(members, pooled, research)


def brain_drain(research, brain_drain_rate):
    """Research capacity leaking from below-mean to above-mean countries (per year).

    A country below the regional mean loses rate * research * (mean - research) / 100;
    the total is shared among the countries above the mean in proportion to their
    distance above it, so the region's total is conserved.
    """
    mean = research.mean(axis=-1, keepdims=True)
    below = np.maximum(mean - research, 0.0)
    above = np.maximum(research - mean, 0.0)
    loss = brain_drain_rate * research * below / MAX_INDEX
    total_above = above.sum(axis=-1, keepdims=True)
    gain = loss.sum(axis=-1, keepdims=True) * above / np.where(total_above > 0, total_above, 1.0)
    return gain - loss


def policy_maturity(policy_tenure, policy_maturation):
    """How far a research policy has built up: 1 - exp(-tenure / maturation)."""
    return 1.0 - np.exp(-policy_tenure / policy_maturation)


def levers(lever_shares, policy_budget):
    """Lever intensities (..., countries, 4): research, adoption, infrastructure, governance."""
    return lever_shares * np.asarray(policy_budget)[..., None]


# --- growth terms (per year) -----------------------------------------------------------


@dataclass(frozen=True)
class Growth:
    """The per-year drivers of research and enabling factors, before the fixed effects."""

    research: np.ndarray  # multiplies (100 - research)
    research_spillover: np.ndarray  # consortium spillover, index points per year
    research_drain: np.ndarray  # brain drain, index points per year
    enabling: np.ndarray  # multiplies (100 - enabling)


def growth_terms(state: RegionState, p: Mapping, frontier_access, lever) -> Growth:
    """Research and enabling drivers from capital, the frontier, policy and the consortium.

    research:  rho_K kappa + lambda_F gate(research_eff) F + rho_P l_R maturity G/100
    enabling:  epsilon_K kappa + epsilon_P l_I (1 + saving * member)
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
    research = (
        p["research_capital_gain"] * kappa
        + p["frontier_absorption_gain"] * gate * frontier_access
        + p["policy_research_gain"] * lever[..., 0] * maturity * state.governance / MAX_INDEX
    )
    enabling = p["enabling_capital_gain"] * kappa + p["policy_infrastructure_gain"] * lever[
        ..., 2
    ] * (1.0 + p["consortium_infrastructure_saving"] * members)
    return Growth(
        research=research,
        research_spillover=spillover,
        research_drain=brain_drain(state.research, p["brain_drain_rate"]),
        enabling=enabling,
    )


def research_change(state: RegionState, p: Mapping, growth: Growth):
    """d research / dt = (base + drivers)(100 - research) - delta_R research + spill + drain."""
    return (
        (state.research_base + growth.research) * (MAX_INDEX - state.research)
        - p["research_depreciation"] * state.research
        + growth.research_spillover
        + growth.research_drain
    )


def enabling_change(state: RegionState, p: Mapping, growth: Growth):
    """d enabling / dt = (base + drivers)(100 - enabling) - delta_E enabling."""
    return (state.enabling_base + growth.enabling) * (MAX_INDEX - state.enabling) - p[
        "enabling_depreciation"
    ] * state.enabling


def adoption_ceiling(state: RegionState, p: Mapping, released_access, lever):
    """Ceiling of adoption: start level plus the share of headroom the country can use.

    headroom share h = s (omega E/100 + (1 - omega) G/100), widened by the released access
    and the adoption lever (each opens a fraction of what remains), capped at 1.
    """
    omega = p["ceiling_enabling_weight"]
    readiness = (omega * state.enabling + (1.0 - omega) * state.governance) / MAX_INDEX
    h = p["adoption_headroom_share"] * readiness  # in [0, 1]: indices are on 0-100
    for opening in (
        p["open_weights_ceiling_lift"] * released_access,
        p["policy_adoption_ceiling_gain"] * lever[..., 1],
    ):
        h = h + (1.0 - h) * np.minimum(opening, 1.0)
    return state.adoption_reference + (MAX_INDEX - state.adoption_reference) * h


def adoption_change(state: RegionState, p: Mapping, released_access, lever):
    """Bass (1969) diffusion: dA/dt = (p + q A/100)(ceiling - A).

    p rises with released open weights and the adoption lever.
    """
    innovation = (
        p["bass_innovation"]
        + p["open_weights_adoption_boost"] * released_access
        + p["policy_adoption_gain"] * lever[..., 1]
    )
    ceiling = adoption_ceiling(state, p, released_access, lever)
    return (innovation + p["bass_imitation"] * state.adoption / MAX_INDEX) * (
        ceiling - state.adoption
    )


def governance_change(state: RegionState, p: Mapping, lever):
    """Governance moves toward its policy target: dG/dt = gamma (target - G),
    target = reference + gain * governance lever (capped at 100)."""
    target = np.minimum(
        state.governance_reference + p["policy_governance_gain"] * lever[..., 3], MAX_INDEX
    )
    return p["governance_speed"] * (target - state.governance)


# --- initialisation and one step -------------------------------------------------------


def initial_state(
    table: Mapping[str, np.ndarray], p: Mapping, strategy: int, frontier_access0
) -> RegionState:
    """Initial state from an initial-state table; fixed effects keep it at rest.

    Every country starts under ``strategy`` (status quo), long in force. ``research_base``
    and ``enabling_base`` are solved so that, at the start, under that strategy and with
    the pre-release frontier, research and enabling do not move
    (a stationary start: every later change is caused by capital flows, the shock or
    policy). ``rest_of_world_weight`` makes the region's share equal its target.
    """
    governance = np.asarray(table["governance"], float)
    gdp = np.asarray(table["gdp_usd_bn"], float)
    zeros = np.zeros_like(governance)
    strategy = np.full(governance.shape, strategy, np.int8)
    policy_tenure = np.full_like(governance, 10.0 * p["policy_maturation"])
    state = RegionState(
        governance=governance,
        adoption=np.asarray(table["adoption"], float),
        research=np.asarray(table["research"], float),
        enabling=np.asarray(table["enabling"], float),
        capital=np.asarray(table["capital_usd_bn"], float),
        inflow=zeros,
        gdp=gdp,
        size_weight=gdp ** p["size_elasticity"],
        governance_reference=governance,
        adoption_reference=np.asarray(table["adoption"], float),
        research_base=zeros,
        enabling_base=zeros,
        strategy=strategy,
        lever_shares=LEVER_TABLE[strategy],
        policy_tenure=policy_tenure,
        score_at_review=zeros,
        rest_of_world_weight=zeros[..., :1],
    )
    lever = levers(state.lever_shares, p["policy_budget"])
    growth = growth_terms(state, p, frontier_access0, lever)
    headroom = np.maximum(MAX_INDEX - state.research, 1e-3)
    research_base = (
        p["research_depreciation"] * state.research
        - growth.research_spillover
        - growth.research_drain
    ) / headroom - growth.research
    enabling_headroom = np.maximum(MAX_INDEX - state.enabling, 1e-3)
    enabling_base = (
        p["enabling_depreciation"] * state.enabling / enabling_headroom - growth.enabling
    )
    score = score_of(state, p)
    tiers = classify_tiers(score, p["tier_thresholds"])
    weights = allocation_weights(
        state.size_weight,
        attractiveness(state.research, state.enabling, tiers, p["tier_signalling"]),
        p["capital_concentration"],
    )
    return replace(
        state,
        research_base=research_base,
        enabling_base=enabling_base,
        score_at_review=score,
        rest_of_world_weight=rest_of_world_weight(weights, p["region_share_target"]),
    )


def score_of(state: RegionState, p: Mapping):
    """Composite score of a state."""
    return composite_score(
        state.enabling, state.research, state.adoption, state.governance, p["research_share_of_rda"]
    )


def adaptive_review(state: RegionState, p: Mapping, score, tiers, draws, committed=False):
    """Yearly review: a country whose score gain since the last review is below its tier's
    median imitates, with probability ``imitation_probability``, the strategy of the
    best-improving country of its tier. Countries whose strategy is ``committed`` (set by
    a scenario's schedule) keep it. Returns the new strategy codes."""
    gain = score - state.score_at_review
    strategy = state.strategy.copy()
    for tier in (EXPLORER, ADOPTER, PIONEER):
        in_tier = tiers == tier
        if not in_tier.any():
            continue
        masked = np.where(in_tier, gain, np.nan)
        occupied = in_tier.any(axis=-1, keepdims=True)
        median = np.nanmedian(np.where(occupied, masked, 0.0), axis=-1, keepdims=True)
        leader = np.argmax(np.where(in_tier, gain, -np.inf), axis=-1)[..., None]
        leader_strategy = np.take_along_axis(state.strategy, leader, axis=-1)
        switch = (
            in_tier
            & (gain < median)
            & (draws < p["imitation_probability"])
            & np.logical_not(committed)
        )
        strategy = np.where(switch, leader_strategy, strategy)
    return strategy


def step(state: RegionState, p: Mapping, drivers: Drivers, t: int) -> RegionState:
    """Advance every run by one month, from month ``t`` to ``t + 1`` (explicit Euler).

    Order: scheduled policy changes, adaptive review (every 12th month, if on), capital
    allocation, then all state variables from the values at the start of the month,
    then policy reversals.
    """
    changes = drivers.policy_changes[..., t, :]
    strategy, tenure, shares = state.strategy, state.policy_tenure, state.lever_shares
    if changes.any():
        strategy = np.where(changes, drivers.policy_strategy[..., t, :], strategy)
        tenure = np.where(changes, 0.0, tenure)
        shares = LEVER_TABLE[strategy]
    score = score_of(state, p)
    tiers = classify_tiers(score, p["tier_thresholds"])
    score_at_review = state.score_at_review
    if p["adaptive_policies"] and t > 0 and t % 12 == 0:
        reviewed = adaptive_review(
            replace(state, strategy=strategy),
            p,
            score,
            tiers,
            drivers.imitation_draws[..., t, :],
            committed=drivers.policy_changes.any(axis=-2),
        )
        tenure = np.where(reviewed != strategy, 0.0, tenure)
        strategy, score_at_review = reviewed.astype(np.int8), score
        shares = LEVER_TABLE[strategy]
    state = replace(state, strategy=strategy, policy_tenure=tenure, lever_shares=shares)

    lever = levers(shares, p["policy_budget"])
    frontier = drivers.frontier_access[..., t : t + 1]
    released = drivers.released_access[..., t : t + 1]
    weights = allocation_weights(
        state.size_weight,
        attractiveness(state.research, state.enabling, tiers, p["tier_signalling"]),
        p["capital_concentration"],
    )
    row_growth = (1.0 + p["rest_of_world_capacity_growth"]) ** (
        p["capital_concentration"] * t * MONTH
    )
    inflow = capital_inflow(
        drivers.global_flow[..., t : t + 1],
        weights,
        state.rest_of_world_weight * row_growth,
        drivers.investment_draws[..., t, :],
        p["investment_noise"],
    )
    growth = growth_terms(state, p, frontier, lever)
    research = state.research + MONTH * research_change(state, p, growth)
    enabling = state.enabling + MONTH * enabling_change(state, p, growth)
    adoption = state.adoption + MONTH * adoption_change(state, p, released, lever)
    governance = state.governance + MONTH * governance_change(state, p, lever)
    capital = state.capital * (1.0 - MONTH * p["capital_depreciation"]) + inflow

    reversal = drivers.reversal_draws[..., t, :] < p["reversal_rate"] * MONTH
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


def global_flow_path(months: int, global_ai_investment_usd_bn, global_investment_growth):
    """Global AI investment flow (USD bn / year) for each month of the horizon."""
    return global_ai_investment_usd_bn * (1.0 + global_investment_growth) ** (
        np.arange(months) * MONTH
    )
