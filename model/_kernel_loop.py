"""The compiled time loop of ``model.kernel`` (numba; imported on first use, compiled once
and cached on disk).

Each function mirrors ``model.equations`` expression by expression, one country at a time:
read the two side by side. Runs are independent (``prange`` over runs); inside a run the
month loop makes three passes over the countries: the score and tiers of the month's
start, the run-level sums (frontier, consortium pool, capital shares, region means at a
review), then every state variable from the values at the start of the month. Draws come
from ``model.streams`` (the same functions, compiled), and only those a run reads.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.core import cgutils
from numba.extending import intrinsic, overload

from model import streams

#: The equations' numeric parameters, one column each of the kernel's parameter matrix.
COLUMNS = (
    "research_share_of_rda", "tier_low", "tier_high", "policy_half_saturation",
    "capital_half_saturation", "consortium_pooling", "consortium_spillover",
    "absorptive_threshold", "absorptive_steepness", "absorptive_gate", "policy_maturation",
    "capital_feedback", "research_capital_gain", "adoption_learning_gain", "learning_by_using",
    "policy_research_gain", "frontier_absorption_gain", "frontier_catch_up", "brain_drain_rate",
    "enabling_capital_gain", "policy_infrastructure_gain", "consortium_infrastructure_saving",
    "research_depreciation", "enabling_depreciation", "ceiling_enabling_weight",
    "adoption_headroom_share", "open_weights_ceiling_lift", "policy_adoption_ceiling_gain",
    "bass_innovation", "open_weights_adoption_boost", "policy_adoption_gain", "bass_imitation",
    "policy_governance_gain", "governance_speed", "capital_depreciation", "reversal_rate",
    "reversal_size", "tier_signalling", "capital_concentration", "investment_noise",
    "demonstration_effect", "demonstration_lag", "demonstration_threshold",
    "imitation_probability", "policy_budget",
)  # fmt: skip
(
    SHARE, TIER_LOW, TIER_HIGH, POLICY_HALF, CAPITAL_HALF, POOLING, SPILLOVER, GATE_THRESHOLD,
    GATE_STEEPNESS, GATE_ON, MATURATION, CAPITAL_FEEDBACK, RESEARCH_CAPITAL, ADOPTION_LEARNING,
    LEARNING_ON, POLICY_RESEARCH, FRONTIER_GAIN, CATCH_UP_ON, BRAIN_DRAIN, ENABLING_CAPITAL,
    POLICY_INFRASTRUCTURE, CONSORTIUM_SAVING, RESEARCH_DEPRECIATION, ENABLING_DEPRECIATION,
    CEILING_WEIGHT, HEADROOM_SHARE, CEILING_LIFT, POLICY_CEILING, BASS_P, OPEN_BOOST,
    POLICY_ADOPTION, BASS_Q, POLICY_GOVERNANCE, GOVERNANCE_SPEED, CAPITAL_DEPRECIATION,
    REVERSAL_RATE, REVERSAL_SIZE, SIGNALLING, CONCENTRATION, NOISE, DEMONSTRATION, LAG,
    THRESHOLD, IMITATION_P, POLICY_BUDGET,
) = range(len(COLUMNS))  # fmt: skip
#: The fields of a snapshot (float64; the strategy code as a float), in order.
SNAPSHOT_FIELDS = (
    "score", "governance", "adoption", "research", "enabling", "capital", "inflow", "budget",
    "strategy", "tier",
)  # fmt: skip
#: The fields of a trajectory (float32), in order.
TRAJECTORY_FIELDS = SNAPSHOT_FIELDS[:7]
#: Every function of the loop uses NumPy's error model (a division by zero gives inf or NaN,
#: as in ``model.equations``): Python's raises, and a loop that may raise does not vectorise.
#: Floating-point licences of the month loop (and of the exp and log inlined into it): only
#: "no signed zeros". No contraction into fused multiply-adds left to the compiler: it
#: contracted differently when it compiled the loop in the process and when it wrote the
#: machine code numba caches on disk, so a run differed in the last bits between a process
#: that compiled the kernel and one that loaded it (tests/test_kernel.py); the polynomial
#: of exp fuses its multiply-adds explicitly instead (:func:`_fma`), the same in every
#: process. No reassociation: a vectorised sum would add in an order that depends on how
#: the compiler vectorised each copy of the loop (a run alone and in a batch could differ
#: in the last bit), and it would undo exp's Cody-Waite reduction. No NaN or infinity
#: assumptions (the review and the region share use both).
FASTMATH = {"nsz"}
MONTH = 1.0 / 12.0
LOG2E = 1.4426950408889634  # 1 / ln 2
EXP_LIMIT = 708.0
MAX_INDEX = 100.0
PER_INDEX = 1.0 / MAX_INDEX  # a multiplication instead of a division by 100
STATUS_QUO = 0
PIONEER = 2
TIERS = 3
#: Months between the origin and the end of a counted tier transition (the Shorrocks index
#: of the summaries is of the 12-month transition matrix).
TRANSITION_LAG = 12
#: Columns of a run's tier summary (``summary_out``): the TIERS x TIERS counts of moves
#: from tier i to tier j TRANSITION_LAG months later (pooled over focus countries and
#: origin months; row-major), the month-to-month moves up and down, then each focus
#: country's first month as a Pioneer (-1: never).
UPWARD, DOWNWARD = TIERS * TIERS, TIERS * TIERS + 1
FIRST_PIONEER = TIERS * TIERS + 2

_mix = njit(streams.mix, inline="always")
_counter = njit(streams.counter, inline="always")
# Inlined at numba's level (a loop that calls a function does not vectorise), so that they
# take their caller's floating-point licences: the normals are drawn only by STRICT
# callers (no licences: bit-identical to ``model.streams``); the uniforms are integer work
# and the same in any caller.
STRICT = {"fastmath": False, "error_model": "numpy"}
_log_from_parts = njit(inline="always")(streams.log_from_parts)


@overload(streams.select, inline="always")
def _select(condition, if_true, if_false):
    """``streams.select`` on scalars: a choice (a vector blend in a vectorised loop)."""
    return lambda condition, if_true, if_false: if_true if condition else if_false


_cos_two_pi = njit(inline="always")(streams.cos_two_pi)


@intrinsic
def _float_bits(typingctx, value):
    """The bits of a float64 as an int64 (NumPy's ``view(np.int64)``)."""
    if value != types.float64:
        return None

    def codegen(context, builder, signature, arguments):
        return builder.bitcast(arguments[0], ir.IntType(64))

    return types.int64(types.float64), codegen


@intrinsic
def _bits_float(typingctx, value):
    """The float64 of an int64's bits (NumPy's ``view(np.float64)``)."""
    if value != types.int64:
        return None

    def codegen(context, builder, signature, arguments):
        return builder.bitcast(arguments[0], ir.DoubleType())

    return types.float64(types.int64), codegen


@intrinsic
def _fma(typingctx, x, y, z):
    """x * y + z rounded once (LLVM's fma, a vector instruction where the CPU has one)."""
    if not (x == y == z == types.float64):
        return None

    def codegen(context, builder, signature, arguments):
        double = ir.DoubleType()
        fma = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(double, [double] * 3), "llvm.fma.f64"
        )
        return builder.call(fma, arguments)

    return types.float64(types.float64, types.float64, types.float64), codegen


@njit(inline="always")
def _hash_bits(key, key2, position):  # streams.hash_bits, calling the compiled mix
    return _mix(_mix(key + position * streams.GOLDEN) + key2)


@njit(inline="always")
def _uniform(key, key2, stream, month, country):
    position = _counter(np.uint64(stream), np.uint64(month), np.uint64(country))
    bits = _hash_bits(key, key2, position)
    return (np.float64(bits >> streams.UNIFORM_SHIFT) + 0.5) * streams.UNIFORM_SCALE


@njit(inline="always")
def _normal(key, key2, month, country):
    """``streams.normals`` for one run, month and country (call it from STRICT code)."""
    bits = _float_bits(_uniform(key, key2, streams.INVESTMENT, month, country))
    exponent = np.float64((bits >> streams.EXPONENT_SHIFT) - streams.EXPONENT_BIAS)
    mantissa = _bits_float((bits & streams.MANTISSA_BITS) | streams.ONE_BITS)
    angle = _cos_two_pi(_uniform(key, key2, streams.INVESTMENT_ANGLE, month, country))
    return np.sqrt(-2.0 * _log_from_parts(exponent, mantissa)) * angle


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def _review(r, t, p, score, gain, state, strategy, tenure, budget, region, n_regions,
            committed, key, key2):  # fmt: skip
    """The demonstration review of run ``r`` (``equations.demonstration_review``)."""
    n = score.shape[0]
    strategies = 5
    count = np.zeros((strategies, n_regions))
    total = np.zeros((strategies, n_regions))
    lag = p[LAG]
    for c in range(n):
        gain[c] = score[c] - state[c]
        s = strategy[r, c]
        if s == STATUS_QUO or tenure[r, c] >= lag:
            count[s, region[c]] += 1.0
            total[s, region[c]] += gain[c]
    threshold, probability = p[THRESHOLD], p[IMITATION_P]
    for c in range(n):
        state[c] = score[c]
        if strategy[r, c] != STATUS_QUO or committed[c]:
            continue
        g = region[c]
        if count[STATUS_QUO, g] == 0.0:
            continue
        baseline = total[STATUS_QUO, g] / count[STATUS_QUO, g]
        best_gain, best = -np.inf, STATUS_QUO
        for code in range(1, strategies):
            if count[code, g] > 0.0:
                demonstrated = total[code, g] / count[code, g] - baseline
                if demonstrated > best_gain:
                    best_gain, best = demonstrated, code
        if best_gain > threshold:
            if _uniform(key, key2, streams.IMITATION, t, c) < probability:
                strategy[r, c] = best
                budget[r, c] = p[POLICY_BUDGET]
                tenure[r, c] = 0.0


@njit(inline="always")
def _exp(x):
    """exp(x) in plain arithmetic, so that the loops that call it vectorise: x = k ln 2 +
    r with |r| <= ln(2)/2 (Cody and Waite's split of ln 2, fdlibm's constants), exp(r) by
    its Taylor series to r**13 (remainder below 5e-18), times 2**k built from its bits;
    x is limited to [-708, 708] (exp(-708) ~ 3e-308 stands for 0)."""
    x = min(max(x, -EXP_LIMIT), EXP_LIMIT)
    k = np.floor(x * LOG2E + 0.5)
    r = (x - k * streams.LN2_HIGH) - k * streams.LN2_LOW
    q = 1.0 / 6227020800.0
    q = _fma(q, r, 1.0 / 479001600.0)
    q = _fma(q, r, 1.0 / 39916800.0)
    q = _fma(q, r, 1.0 / 3628800.0)
    q = _fma(q, r, 1.0 / 362880.0)
    q = _fma(q, r, 1.0 / 40320.0)
    q = _fma(q, r, 1.0 / 5040.0)
    q = _fma(q, r, 1.0 / 720.0)
    q = _fma(q, r, 1.0 / 120.0)
    q = _fma(q, r, 1.0 / 24.0)
    q = _fma(q, r, 1.0 / 6.0)
    q = _fma(q, r, 0.5)
    q = _fma(q, r, 1.0)
    q = _fma(q, r, 1.0)
    return q * _bits_float((np.int64(k) + streams.EXPONENT_BIAS) << streams.EXPONENT_SHIFT)


@njit(inline="always")
def _log(x):
    """ln(x) of a positive normal float, by ``streams.log_from_parts`` on its bits."""
    bits = _float_bits(x)
    exponent = np.float64((bits >> streams.EXPONENT_SHIFT) - streams.EXPONENT_BIAS)
    mantissa = _bits_float((bits & streams.MANTISSA_BITS) | streams.ONE_BITS)
    return _log_from_parts(exponent, mantissa)


@njit(**STRICT)
def _normals(key, key2, month, out):
    """``streams.normals`` of one run and month for every country, into ``out``."""
    for c in range(out.shape[0]):
        out[c] = _normal(key, key2, month, c)


@njit(cache=True, error_model="numpy")
def _intensities(p, strategy, budget, lever, consortium, intensity, member):
    """Each country's policy intensity per lever (``equations.policy_intensity``) and
    consortium membership (0 or 1), from its strategy and budget: they change only when a
    strategy does, so the month loop reads them instead of recomputing them."""
    half = p[POLICY_HALF]
    for c in range(strategy.shape[0]):
        s, b = strategy[c], budget[c]
        member[c] = 1.0 if consortium[s] else 0.0
        for lever_index in range(4):
            value = 0.0
            if b != 0.0:
                spend = lever[s, lever_index] * b
                value = spend / (spend + half)
            intensity[lever_index, c] = value


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def _score_pass(p, intercept, slope, offset, G, A, R, E, score, tier):
    """The composite score and tier of every country (``equations.composite_score``,
    ``equations.classify_tiers``)."""
    w, low, high = p[SHARE], p[TIER_LOW], p[TIER_HIGH]
    for c in range(R.shape[0]):
        raw = 0.40 * E[c] + 0.35 * (w * R[c] + (1.0 - w) * A[c]) + 0.25 * G[c]
        value = intercept + slope * raw + offset[c]
        value = min(max(value, 0.0), MAX_INDEX)
        score[c] = value
        tier[c] = (value >= low) + (value > high)


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def _weight_pass(p, R, tier, size_weight, normal, noisy):
    """Every country's noisy allocation weight (``equations.allocation_weights`` times
    ``exp(noise * normal)``, one exp for both)."""
    signalling, concentration, noise = p[SIGNALLING], p[CONCENTRATION], p[NOISE]
    for c in range(R.shape[0]):
        pioneer = 1.0 if tier[c] == PIONEER else 0.0
        attract = max(R[c] * PER_INDEX, 1e-6) * (1.0 + signalling * pioneer)
        noisy[c] = size_weight[c] * _exp(concentration * _log(attract) + noise * normal[c])


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def _update_pass(p, pool, frontier, fa, ra, flow_share, G, A, R, E, K, inflow, tenure,
                 unbounded, half_gdp, member, intensity, research_base, enabling_base,
                 adoption_reference, governance_reference, noisy):  # fmt: skip
    """Every state variable of every country from the values at the start of the month
    (``equations.step``; reversals apart: ``unbounded`` keeps governance before its bounds)."""
    pooling, spill = p[POOLING], p[SPILLOVER]
    gate_on = p[GATE_ON] != 0.0
    gate_threshold = p[GATE_THRESHOLD]
    per_steepness, per_maturation = 1.0 / p[GATE_STEEPNESS], 1.0 / p[MATURATION]
    capital_growth = p[RESEARCH_CAPITAL] * p[CAPITAL_FEEDBACK]
    learning = p[ADOPTION_LEARNING] * p[LEARNING_ON]
    catch_up_gain = p[FRONTIER_GAIN] * p[CATCH_UP_ON]
    enabling_capital = p[ENABLING_CAPITAL] * p[CAPITAL_FEEDBACK]
    infrastructure, saving = p[POLICY_INFRASTRUCTURE], p[CONSORTIUM_SAVING]
    omega, headroom, ceiling_policy = p[CEILING_WEIGHT], p[HEADROOM_SHARE], p[POLICY_CEILING]
    lift = min(p[CEILING_LIFT] * ra, 1.0)
    innovation_base = p[BASS_P] + p[OPEN_BOOST] * ra
    capital_kept = 1.0 - MONTH * p[CAPITAL_DEPRECIATION]
    for c in range(R.shape[0]):
        g, a, x, e, k = G[c], A[c], R[c], E[c], K[c]
        i_adoption = intensity[1, c]
        kappa = k / (k + half_gdp[c])
        in_pool = member[c]
        effective = x + in_pool * pooling * (pool - x)
        spillover = in_pool * spill * max(pool - x, 0.0)
        gate = 1.0 / (1.0 + _exp((gate_threshold - effective) * per_steepness))
        gate = gate if gate_on else 1.0
        maturity = 1.0 - _exp(-tenure[c] * per_maturation)
        policy_research = p[POLICY_RESEARCH] * intensity[0, c] * maturity * g * PER_INDEX
        growth = capital_growth * kappa + learning * a * PER_INDEX + policy_research
        catch_up = catch_up_gain * gate * fa - p[BRAIN_DRAIN] * x * PER_INDEX
        enabling_growth = enabling_capital * kappa + infrastructure * intensity[2, c] * (
            1.0 + saving * in_pool
        )
        d_research = (
            (research_base[c] + growth) * (MAX_INDEX - x)
            + catch_up * (frontier - x)
            - p[RESEARCH_DEPRECIATION] * x
            + spillover
        )
        d_enabling = (enabling_base[c] + enabling_growth) * (MAX_INDEX - e) - p[
            ENABLING_DEPRECIATION
        ] * e
        readiness = (omega * e + (1.0 - omega) * g) * PER_INDEX
        h = headroom * readiness
        h = h + (1.0 - h) * lift
        h = h + (1.0 - h) * min(ceiling_policy * i_adoption, 1.0)
        reference = adoption_reference[c]
        ceiling = reference + (MAX_INDEX - reference) * h
        innovation = innovation_base + p[POLICY_ADOPTION] * i_adoption
        d_adoption = (innovation + p[BASS_Q] * a * PER_INDEX) * (ceiling - a)
        target = min(governance_reference[c] + p[POLICY_GOVERNANCE] * intensity[3, c], MAX_INDEX)
        governance = g + MONTH * (p[GOVERNANCE_SPEED] * (target - g))
        received = flow_share * noisy[c]
        R[c] = min(max(x + MONTH * d_research, 0.0), MAX_INDEX)
        E[c] = min(max(e + MONTH * d_enabling, 0.0), MAX_INDEX)
        A[c] = min(max(a + MONTH * d_adoption, 0.0), MAX_INDEX)
        G[c] = min(max(governance, 0.0), MAX_INDEX)
        unbounded[c] = governance
        K[c] = k * capital_kept + received
        inflow[c] = received
        tenure[c] = tenure[c] + 1.0


@njit(cache=True, error_model="numpy")
def _tier_summary(t, tier, focus, recent, summary):
    """Add month ``t``'s focus tiers to a run's tier summary (``summary``: the columns of
    ``TRANSITION_LAG``'s comment; ``recent``: the tiers of the last TRANSITION_LAG months,
    a ring). Month 0 starts it."""
    if t == 0:
        for j in range(summary.shape[0]):
            summary[j] = 0
        for i in range(focus.shape[0]):
            summary[FIRST_PIONEER + i] = -1
    ring = t % TRANSITION_LAG
    for i in range(focus.shape[0]):
        now = tier[focus[i]]
        if t > 0:
            before = recent[(t - 1) % TRANSITION_LAG, i]
            if now > before:
                summary[UPWARD] += 1
            elif now < before:
                summary[DOWNWARD] += 1
        if t >= TRANSITION_LAG:
            summary[recent[ring, i] * TIERS + now] += 1
        if now == PIONEER and summary[FIRST_PIONEER + i] < 0:
            summary[FIRST_PIONEER + i] = t
        recent[ring, i] = now


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def _run(r, P, G, A, R, E, K, inflow, budget, tenure, at_review, strategy, gdp, size_weight,
         governance_reference, adoption_reference, research_base, enabling_base, score_offset,
         run_scalars, region, n_regions, frontier_access, released_access, global_flow,
         schedule_of_run, changes, scheduled_strategy, scheduled_budget, change_any, committed,
         keys, keys2, lever, consortium, focus, tiers_out, share_out, snapshot_slot,
         snapshots_out, trajectory_slot, trajectory_row, trajectories_out, tier_slot, summary_out,
         trajectory_tiers_out):  # fmt: skip
    """Run ``r`` of the batch from the first month to the last (arrays updated in place).

    Each month makes branch-free passes over the countries' contiguous rows, each a
    function of its own that the compiler vectorises (the score and tiers, the allocation
    weights, every state variable), with sums and scalar work between them; reversal
    uniforms are drawn only for countries with a budget. Policy intensities are formed once
    per change of strategy."""
    n = R.shape[1]
    horizon = frontier_access.shape[1]
    p = P[r]
    key, key2 = keys[r], keys2[r]
    intercept, slope, market = run_scalars[r, 0], run_scalars[r, 1], run_scalars[r, 2]
    schedule = schedule_of_run[r]
    keep = trajectory_row[r]
    g_, a_, x_, e_, k_ = G[r], A[r], R[r], E[r], K[r]
    flow_, budget_, tenure_, strategy_ = inflow[r], budget[r], tenure[r], strategy[r]
    score = np.empty(n)
    tier = np.empty(n, np.int8)
    recent = np.empty((TRANSITION_LAG, focus.shape[0]), np.int8)  # the last months' tiers
    noisy = np.empty(n)
    gain = np.empty(n)
    normal = np.zeros(n)
    unbounded = np.empty(n)
    half_gdp = np.empty(n)
    for c in range(n):
        half_gdp[c] = p[CAPITAL_HALF] * gdp[r, c]
    intensity = np.empty((4, n))
    member = np.empty(n)
    _intensities(p, strategy_, budget_, lever, consortium, intensity, member)
    reversal_threshold, reversal_kept = p[REVERSAL_RATE] * MONTH, 1.0 - p[REVERSAL_SIZE]
    reviews = p[DEMONSTRATION] != 0.0
    for t in range(horizon):
        # the state at the start of month t: score, tiers and what the caller keeps
        _score_pass(p, intercept, slope, score_offset[r], g_, a_, x_, e_, score, tier)
        _tier_summary(t, tier, focus, recent, summary_out[r])
        slot = tier_slot[t]
        if slot >= 0:
            for i in range(focus.shape[0]):
                tiers_out[r, slot, i] = tier[focus[i]]
        if t > 0:
            moved = False  # any investment at all (the first country has some, as a rule)
            for c in range(n):
                if flow_[c] != 0.0:
                    moved = True
                    break
            received = 0.0
            for i in range(focus.shape[0]):
                received += flow_[focus[i]]
            share_out[r, t] = received / (global_flow[r, t - 1] * MONTH) if moved else np.nan
        slot = snapshot_slot[t]
        if slot >= 0:
            for i in range(focus.shape[0]):
                c = focus[i]
                snapshots_out[0, r, slot, i] = score[c]
                snapshots_out[1, r, slot, i] = g_[c]
                snapshots_out[2, r, slot, i] = a_[c]
                snapshots_out[3, r, slot, i] = x_[c]
                snapshots_out[4, r, slot, i] = e_[c]
                snapshots_out[5, r, slot, i] = k_[c]
                snapshots_out[6, r, slot, i] = flow_[c]
                snapshots_out[7, r, slot, i] = budget_[c]
                snapshots_out[8, r, slot, i] = strategy_[c]
                snapshots_out[9, r, slot, i] = tier[c]
        slot = trajectory_slot[t]
        if keep >= 0 and slot >= 0:
            for i in range(focus.shape[0]):
                c = focus[i]
                trajectories_out[0, keep, slot, i] = score[c]
                trajectories_out[1, keep, slot, i] = g_[c]
                trajectories_out[2, keep, slot, i] = a_[c]
                trajectories_out[3, keep, slot, i] = x_[c]
                trajectories_out[4, keep, slot, i] = e_[c]
                trajectories_out[5, keep, slot, i] = k_[c]
                trajectories_out[6, keep, slot, i] = flow_[c]
                trajectory_tiers_out[keep, slot, i] = tier[c]
        if t == horizon - 1:
            break

        # scheduled policy changes, then the demonstration review
        changed = False
        if change_any[schedule, t]:
            changed = True
            for c in range(n):
                if changes[schedule, t, c]:
                    strategy_[c] = scheduled_strategy[schedule, t, c]
                    budget_[c] = scheduled_budget[schedule, t, c]
                    tenure_[c] = 0.0
        if t > 0 and t % 12 == 0 and reviews:
            changed = True
            _review(r, t, p, score, gain, at_review[r], strategy, tenure, budget, region,
                    n_regions, committed[schedule], key, key2)  # fmt: skip
        if changed:
            _intensities(p, strategy_, budget_, lever, consortium, intensity, member)

        # the capital market's weights; run-level sums (frontier, consortium pool, weights)
        if p[NOISE] != 0.0:
            _normals(key, key2, t, normal)
        _weight_pass(p, x_, tier, size_weight[r], normal, noisy)
        frontier = x_[0]
        members, pooled, total = 0.0, 0.0, 0.0
        for c in range(n):
            frontier = max(frontier, x_[c])
            members += member[c]
            pooled += member[c] * x_[c]
            total += noisy[c]
        pool = pooled / max(members, 1.0)
        flow_share = global_flow[r, t] * market * MONTH / total

        # every state variable from the values at the start of the month
        _update_pass(p, pool, frontier, frontier_access[r, t], released_access[r, t],
                     flow_share, g_, a_, x_, e_, k_, flow_, tenure_, unbounded, half_gdp,
                     member, intensity, research_base[r], enabling_base[r],
                     adoption_reference[r], governance_reference[r], noisy)  # fmt: skip

        # reversals: drawn only for countries with an extra budget, only if they can happen
        if reversal_threshold > 0.0:
            for c in range(n):
                if budget_[c] > 0.0:
                    if _uniform(key, key2, streams.REVERSAL, t, c) < reversal_threshold:
                        g_[c] = min(max(unbounded[c] * reversal_kept, 0.0), MAX_INDEX)
                        tenure_[c] = 0.0


@njit(cache=True, parallel=True)
def run_parallel(P, G, A, R, E, K, inflow, budget, tenure, at_review, strategy, gdp,
                 size_weight, governance_reference, adoption_reference, research_base,
                 enabling_base, score_offset, run_scalars, region, n_regions, frontier_access,
                 released_access, global_flow, schedule_of_run, changes, scheduled_strategy,
                 scheduled_budget, change_any, committed, keys, keys2, lever, consortium, focus,
                 tiers_out, share_out, snapshot_slot, snapshots_out, trajectory_slot,
                 trajectory_row, trajectories_out, tier_slot, summary_out,
         trajectory_tiers_out):  # fmt: skip
    """Every run of the batch, runs spread over the cores."""
    for r in prange(P.shape[0]):
        _run(r, P, G, A, R, E, K, inflow, budget, tenure, at_review, strategy, gdp,
             size_weight, governance_reference, adoption_reference, research_base,
             enabling_base, score_offset, run_scalars, region, n_regions, frontier_access,
             released_access, global_flow, schedule_of_run, changes, scheduled_strategy,
             scheduled_budget, change_any, committed, keys, keys2, lever, consortium, focus,
             tiers_out, share_out, snapshot_slot, snapshots_out, trajectory_slot,
             trajectory_row, trajectories_out, tier_slot, summary_out,
         trajectory_tiers_out)  # fmt: skip


@njit(cache=True)
def run_serial(P, G, A, R, E, K, inflow, budget, tenure, at_review, strategy, gdp,
               size_weight, governance_reference, adoption_reference, research_base,
               enabling_base, score_offset, run_scalars, region, n_regions, frontier_access,
               released_access, global_flow, schedule_of_run, changes, scheduled_strategy,
               scheduled_budget, change_any, committed, keys, keys2, lever, consortium, focus,
               tiers_out, share_out, snapshot_slot, snapshots_out, trajectory_slot,
               trajectory_row, trajectories_out, tier_slot, summary_out,
         trajectory_tiers_out):  # fmt: skip
    """Every run of the batch, one after the other (worker processes, threads)."""
    for r in range(P.shape[0]):
        _run(r, P, G, A, R, E, K, inflow, budget, tenure, at_review, strategy, gdp,
             size_weight, governance_reference, adoption_reference, research_base,
             enabling_base, score_offset, run_scalars, region, n_regions, frontier_access,
             released_access, global_flow, schedule_of_run, changes, scheduled_strategy,
             scheduled_budget, change_any, committed, keys, keys2, lever, consortium, focus,
             tiers_out, share_out, snapshot_slot, snapshots_out, trajectory_slot,
             trajectory_row, trajectories_out, tier_slot, summary_out,
         trajectory_tiers_out)  # fmt: skip


@njit(cache=True)
def stream_draws(keys, keys2, stream, months, countries):
    """Draws of ``stream`` (uniforms; normals for ``streams.INVESTMENT``), (runs, months,
    countries), as the loop computes them: the tests compare them with ``model.streams``."""
    out = np.empty((keys.shape[0], months, countries))
    for r in range(keys.shape[0]):
        for t in range(months):
            for c in range(countries):
                if stream == streams.INVESTMENT:
                    out[r, t, c] = _normal(keys[r], keys2[r], t, c)
                else:
                    out[r, t, c] = _uniform(keys[r], keys2[r], stream, t, c)
    return out
