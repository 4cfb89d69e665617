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
from numba.extending import intrinsic

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
    "strategy",
)  # fmt: skip
#: The fields of a trajectory (float32), in order.
TRAJECTORY_FIELDS = SNAPSHOT_FIELDS[:7]
#: Floating-point licences: contraction and reassociation change results in the last bits
#: only; no NaN or infinity assumptions (the review and the region share use both).
FASTMATH = {"contract", "reassoc", "nsz", "arcp"}
MONTH = 1.0 / 12.0
MAX_INDEX = 100.0
STATUS_QUO = 0
PIONEER = 2

_mix = njit(streams.mix, inline="always")
_counter = njit(streams.counter, inline="always")
# compiled without floating-point licences (explicitly: a callee otherwise inherits its
# first caller's) and not inlined at numba's level (LLVM inlines them keeping their strict
# instructions): bit-identical draws
STRICT = {"fastmath": False}
_log_from_parts = njit(**STRICT)(streams.log_from_parts)
_cos_two_pi = njit(**STRICT)(streams.cos_two_pi)


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


@njit(inline="always")
def _hash_bits(key, key2, position):  # streams.hash_bits, calling the compiled mix
    return _mix(_mix(key + position * streams.GOLDEN) + key2)


@njit(**STRICT)
def _uniform(key, key2, stream, month, country):
    position = _counter(np.uint64(stream), np.uint64(month), np.uint64(country))
    bits = _hash_bits(key, key2, position)
    return (np.float64(bits >> streams.UNIFORM_SHIFT) + 0.5) * streams.UNIFORM_SCALE


@njit(**STRICT)
def _normal(key, key2, month, country):
    """``streams.normals`` for one run, month and country."""
    bits = _float_bits(_uniform(key, key2, streams.INVESTMENT, month, country))
    exponent = np.float64((bits >> streams.EXPONENT_SHIFT) - streams.EXPONENT_BIAS)
    mantissa = _bits_float((bits & streams.MANTISSA_BITS) | streams.ONE_BITS)
    angle = _cos_two_pi(_uniform(key, key2, streams.INVESTMENT_ANGLE, month, country))
    return np.sqrt(-2.0 * _log_from_parts(exponent, mantissa)) * angle


@njit(cache=True, fastmath=FASTMATH)
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


@njit(cache=True, fastmath=FASTMATH)
def _run(r, P, G, A, R, E, K, inflow, budget, tenure, at_review, strategy, gdp, size_weight,
         governance_reference, adoption_reference, research_base, enabling_base, score_offset,
         run_scalars, region, n_regions, frontier_access, released_access, global_flow,
         schedule_of_run, changes, scheduled_strategy, scheduled_budget, change_any, committed,
         keys, keys2, lever, consortium, focus, tiers_out, share_out, snapshot_slot,
         snapshots_out, trajectory_slot, trajectory_row, trajectories_out):  # fmt: skip
    """Run ``r`` of the batch from the first month to the last (arrays updated in place)."""
    n = R.shape[1]
    horizon = frontier_access.shape[1]
    p = P[r]
    key, key2 = keys[r], keys2[r]
    intercept, slope, market = run_scalars[r, 0], run_scalars[r, 1], run_scalars[r, 2]
    schedule = schedule_of_run[r]
    keep = trajectory_row[r]
    score = np.empty(n)
    tier = np.empty(n, np.int8)
    noisy = np.empty(n)
    gain = np.empty(n)
    w = p[SHARE]
    for t in range(horizon):
        # the state at the start of month t: score, tiers and what the caller keeps
        for c in range(n):
            raw = 0.40 * E[r, c] + 0.35 * (w * R[r, c] + (1.0 - w) * A[r, c]) + 0.25 * G[r, c]
            value = intercept + slope * raw + score_offset[r, c]
            value = min(max(value, 0.0), MAX_INDEX)
            score[c] = value
            tier[c] = (value >= p[TIER_LOW]) + (value > p[TIER_HIGH])
        for i in range(focus.shape[0]):
            tiers_out[r, t, i] = tier[focus[i]]
        if t > 0:
            received, moved = 0.0, 0.0
            for c in range(n):
                moved += abs(inflow[r, c])
            for i in range(focus.shape[0]):
                received += inflow[r, focus[i]]
            share_out[r, t] = received / (global_flow[r, t - 1] * MONTH) if moved > 0 else np.nan
        slot = snapshot_slot[t]
        if slot >= 0:
            for i in range(focus.shape[0]):
                c = focus[i]
                snapshots_out[0, r, slot, i] = score[c]
                snapshots_out[1, r, slot, i] = G[r, c]
                snapshots_out[2, r, slot, i] = A[r, c]
                snapshots_out[3, r, slot, i] = R[r, c]
                snapshots_out[4, r, slot, i] = E[r, c]
                snapshots_out[5, r, slot, i] = K[r, c]
                snapshots_out[6, r, slot, i] = inflow[r, c]
                snapshots_out[7, r, slot, i] = budget[r, c]
                snapshots_out[8, r, slot, i] = strategy[r, c]
        slot = trajectory_slot[t]
        if keep >= 0 and slot >= 0:
            for i in range(focus.shape[0]):
                c = focus[i]
                trajectories_out[0, keep, slot, i] = score[c]
                trajectories_out[1, keep, slot, i] = G[r, c]
                trajectories_out[2, keep, slot, i] = A[r, c]
                trajectories_out[3, keep, slot, i] = R[r, c]
                trajectories_out[4, keep, slot, i] = E[r, c]
                trajectories_out[5, keep, slot, i] = K[r, c]
                trajectories_out[6, keep, slot, i] = inflow[r, c]
        if t == horizon - 1:
            break

        # scheduled policy changes, then the demonstration review
        if change_any[schedule, t]:
            for c in range(n):
                if changes[schedule, t, c]:
                    strategy[r, c] = scheduled_strategy[schedule, t, c]
                    budget[r, c] = scheduled_budget[schedule, t, c]
                    tenure[r, c] = 0.0
        if t > 0 and t % 12 == 0 and p[DEMONSTRATION] != 0.0:
            _review(r, t, p, score, gain, at_review[r], strategy, tenure, budget, region,
                    n_regions, committed[schedule], key, key2)  # fmt: skip

        # run-level sums: the frontier, the consortium pool, the capital market's shares
        frontier = R[r, 0]
        members, pooled, total = 0.0, 0.0, 0.0
        for c in range(n):
            frontier = max(frontier, R[r, c])
            if consortium[strategy[r, c]]:
                members += 1.0
                pooled += R[r, c]
            attract = max(R[r, c] / MAX_INDEX, 1e-6) * (
                1.0 + p[SIGNALLING] * (1.0 if tier[c] == PIONEER else 0.0)
            )
            weight = size_weight[r, c] * attract ** p[CONCENTRATION]
            noisy[c] = weight * np.exp(p[NOISE] * _normal(key, key2, t, c))
            total += noisy[c]
        pool = pooled / max(members, 1.0)
        flow_share = global_flow[r, t] * market * MONTH
        fa, ra = frontier_access[r, t], released_access[r, t]
        reversal_threshold = p[REVERSAL_RATE] * MONTH

        # every state variable from the values at the start of the month
        for c in range(n):
            g, a, x, e, k = G[r, c], A[r, c], R[r, c], E[r, c], K[r, c]
            s, b = strategy[r, c], budget[r, c]
            i_research = i_adoption = i_infrastructure = i_governance = 0.0
            if b != 0.0:
                half = p[POLICY_HALF]
                spend = lever[s, 0] * b
                i_research = spend / (spend + half)
                spend = lever[s, 1] * b
                i_adoption = spend / (spend + half)
                spend = lever[s, 2] * b
                i_infrastructure = spend / (spend + half)
                spend = lever[s, 3] * b
                i_governance = spend / (spend + half)
            ratio = k / gdp[r, c]
            kappa = ratio / (ratio + p[CAPITAL_HALF])
            member = consortium[s]
            effective, spillover = x, 0.0
            if member:
                effective = (1.0 - p[POOLING]) * x + p[POOLING] * pool
                spillover = p[SPILLOVER] * max(pool - x, 0.0)
            gate = 1.0
            if p[GATE_ON] != 0.0:
                gate = 1.0 / (1.0 + np.exp(-(effective - p[GATE_THRESHOLD]) / p[GATE_STEEPNESS]))
            policy_research = 0.0
            if i_research != 0.0:
                maturity = 1.0 - np.exp(-tenure[r, c] / p[MATURATION])
                policy_research = p[POLICY_RESEARCH] * i_research * maturity * g / MAX_INDEX
            growth = (
                p[RESEARCH_CAPITAL] * p[CAPITAL_FEEDBACK] * kappa
                + p[ADOPTION_LEARNING] * p[LEARNING_ON] * a / MAX_INDEX
                + policy_research
            )
            catch_up = (
                p[FRONTIER_GAIN] * p[CATCH_UP_ON] * gate * fa - p[BRAIN_DRAIN] * x / MAX_INDEX
            )
            enabling_growth = p[ENABLING_CAPITAL] * p[CAPITAL_FEEDBACK] * kappa + p[
                POLICY_INFRASTRUCTURE
            ] * i_infrastructure * (1.0 + p[CONSORTIUM_SAVING] * (1.0 if member else 0.0))
            d_research = (
                (research_base[r, c] + growth) * (MAX_INDEX - x)
                + catch_up * (frontier - x)
                - p[RESEARCH_DEPRECIATION] * x
                + spillover
            )
            d_enabling = (enabling_base[r, c] + enabling_growth) * (MAX_INDEX - e) - p[
                ENABLING_DEPRECIATION
            ] * e
            omega = p[CEILING_WEIGHT]
            readiness = (omega * e + (1.0 - omega) * g) / MAX_INDEX
            h = p[HEADROOM_SHARE] * readiness
            h = h + (1.0 - h) * min(p[CEILING_LIFT] * ra, 1.0)
            h = h + (1.0 - h) * min(p[POLICY_CEILING] * i_adoption, 1.0)
            reference = adoption_reference[r, c]
            ceiling = reference + (MAX_INDEX - reference) * h
            innovation = p[BASS_P] + p[OPEN_BOOST] * ra + p[POLICY_ADOPTION] * i_adoption
            d_adoption = (innovation + p[BASS_Q] * a / MAX_INDEX) * (ceiling - a)
            target = min(
                governance_reference[r, c] + p[POLICY_GOVERNANCE] * i_governance, MAX_INDEX
            )
            d_governance = p[GOVERNANCE_SPEED] * (target - g)

            received = flow_share * noisy[c] / total
            governance = g + MONTH * d_governance
            months_on = tenure[r, c] + 1.0
            if b > 0.0 and _uniform(key, key2, streams.REVERSAL, t, c) < reversal_threshold:
                governance = governance * (1.0 - p[REVERSAL_SIZE])
                months_on = 0.0
            R[r, c] = min(max(x + MONTH * d_research, 0.0), MAX_INDEX)
            E[r, c] = min(max(e + MONTH * d_enabling, 0.0), MAX_INDEX)
            A[r, c] = min(max(a + MONTH * d_adoption, 0.0), MAX_INDEX)
            G[r, c] = min(max(governance, 0.0), MAX_INDEX)
            K[r, c] = k * (1.0 - MONTH * p[CAPITAL_DEPRECIATION]) + received
            inflow[r, c] = received
            tenure[r, c] = months_on


@njit(cache=True, parallel=True)
def run_parallel(P, G, A, R, E, K, inflow, budget, tenure, at_review, strategy, gdp,
                 size_weight, governance_reference, adoption_reference, research_base,
                 enabling_base, score_offset, run_scalars, region, n_regions, frontier_access,
                 released_access, global_flow, schedule_of_run, changes, scheduled_strategy,
                 scheduled_budget, change_any, committed, keys, keys2, lever, consortium, focus,
                 tiers_out, share_out, snapshot_slot, snapshots_out, trajectory_slot,
                 trajectory_row, trajectories_out):  # fmt: skip
    """Every run of the batch, runs spread over the cores."""
    for r in prange(P.shape[0]):
        _run(r, P, G, A, R, E, K, inflow, budget, tenure, at_review, strategy, gdp,
             size_weight, governance_reference, adoption_reference, research_base,
             enabling_base, score_offset, run_scalars, region, n_regions, frontier_access,
             released_access, global_flow, schedule_of_run, changes, scheduled_strategy,
             scheduled_budget, change_any, committed, keys, keys2, lever, consortium, focus,
             tiers_out, share_out, snapshot_slot, snapshots_out, trajectory_slot,
             trajectory_row, trajectories_out)  # fmt: skip


@njit(cache=True)
def run_serial(P, G, A, R, E, K, inflow, budget, tenure, at_review, strategy, gdp,
               size_weight, governance_reference, adoption_reference, research_base,
               enabling_base, score_offset, run_scalars, region, n_regions, frontier_access,
               released_access, global_flow, schedule_of_run, changes, scheduled_strategy,
               scheduled_budget, change_any, committed, keys, keys2, lever, consortium, focus,
               tiers_out, share_out, snapshot_slot, snapshots_out, trajectory_slot,
               trajectory_row, trajectories_out):  # fmt: skip
    """Every run of the batch, one after the other (worker processes, threads)."""
    for r in range(P.shape[0]):
        _run(r, P, G, A, R, E, K, inflow, budget, tenure, at_review, strategy, gdp,
             size_weight, governance_reference, adoption_reference, research_base,
             enabling_base, score_offset, run_scalars, region, n_regions, frontier_access,
             released_access, global_flow, schedule_of_run, changes, scheduled_strategy,
             scheduled_budget, change_any, committed, keys, keys2, lever, consortium, focus,
             tiers_out, share_out, snapshot_slot, snapshots_out, trajectory_slot,
             trajectory_row, trajectories_out)  # fmt: skip


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
