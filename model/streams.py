"""Counter-based random streams: every draw is a pure function of (run key, stream, month,
country), so a run's random numbers never depend on the batch, the kernel, the order of
evaluation or the worker that runs it, and a draw a run does not use is never made.

A run's key is one 63-bit integer drawn from its generator, ``generator.integers(0,
2**63)`` (:func:`run_key`): ``RegionModel(rng=seed)`` draws it from Mesa's ``self.rng``,
the sweep engine from ``numpy.random.default_rng(seed)``, so both agree run by run.

The hash (:func:`hash_bits`) is the SplitMix64 finaliser (Steele, Lea and Flood 2014,
"Fast splittable pseudorandom number generators", OOPSLA; the constants of Vigna's
``splitmix64.c``) applied twice, with the run key entering both rounds::

    counter = stream << 48 | month << 24 | country
    bits    = mix(mix(key + counter * golden) + mix(key ^ salt))

A uniform is the top 52 bits on the open grid ``(k + 1/2) / 2**52`` (never 0 or 1); a
standard normal is Box and Muller (1958) from the uniforms of streams 0 and 1 of the same
month and country, ``sqrt(-2 ln u0) cos(2 pi u1)``, with ``ln`` and ``cos`` computed here
by polynomials in plain arithmetic (:func:`log_from_parts`, :func:`cos_two_pi`; series of
atanh and of sin and cos, truncated below 1e-17), not by the platform's libraries. Streams:
0 and 1 investment noise (normal), 2 policy reversal (uniform), 3 imitation at a
demonstration review (uniform).

The functions below are written once and run on NumPy arrays (the reference) and, compiled
by ``model.kernel`` without floating-point licences, on scalars: hash, uniforms and normals
are bit-identical in both (tests/test_kernel.py).
"""

from __future__ import annotations

import numpy as np

#: Stream ids (the counter's top bits).
INVESTMENT, INVESTMENT_ANGLE, REVERSAL, IMITATION = 0, 1, 2, 3
GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # 2**64 / golden ratio: SplitMix64's increment
MIX_FIRST = np.uint64(0xBF58476D1CE4E5B9)
MIX_SECOND = np.uint64(0x94D049BB133111EB)
SALT = np.uint64(0x5851F42D4C957F2D)  # any odd constant: separates the second key
SHIFTS = (np.uint64(30), np.uint64(27), np.uint64(31))
STREAM_SHIFT, MONTH_SHIFT, UNIFORM_SHIFT = np.uint64(48), np.uint64(24), np.uint64(12)
UNIFORM_SCALE = 2.0**-52
TWO_PI = 2.0 * np.pi


def run_key(generator: np.random.Generator) -> np.uint64:
    """A run's key: one draw of its generator, ``integers(0, 2**63)``."""
    return np.uint64(generator.integers(0, 2**63))


def mix(z):
    """SplitMix64's finaliser (a bijection of uint64 with full avalanche)."""
    z = (z ^ (z >> SHIFTS[0])) * MIX_FIRST
    z = (z ^ (z >> SHIFTS[1])) * MIX_SECOND
    return z ^ (z >> SHIFTS[2])


def second_key(key):
    """The key of the hash's second round, ``mix(key ^ salt)``."""
    return mix(key ^ SALT)


def counter(stream, month, country):
    """The position of a draw in a run's streams (month and country below 2**24)."""
    return (stream << STREAM_SHIFT) | (month << MONTH_SHIFT) | country


def hash_bits(key, key2, position):
    """64 random bits for a run (``key``, ``key2 = second_key(key)``) at ``position``."""
    return mix(mix(key + position * GOLDEN) + key2)


LN2_HIGH, LN2_LOW = 6.93147180369123816490e-01, 1.90821492927058770002e-10  # fdlibm's split
SQRT2 = 1.4142135623730951
HALF_PI = 0.5 * np.pi
EXPONENT_SHIFT, EXPONENT_BIAS = 52, 1023
MANTISSA_BITS, ONE_BITS = (1 << 52) - 1, 1023 << 52


def log_from_parts(exponent, mantissa):
    """ln(m 2**e) for a mantissa m in [1, 2) and an exponent e (a float): with m reduced to
    [sqrt(1/2), sqrt(2)), ln m = 2 atanh(f), f = (m - 1) / (m + 1), |f| < 0.172, by its
    series to f**23 (Abramowitz and Stegun 1964, 4.1.28)."""
    high = (mantissa > SQRT2) * 1.0
    mantissa = mantissa * (1.0 - 0.5 * high)
    exponent = exponent + high
    f = (mantissa - 1.0) / (mantissa + 1.0)
    s = f * f
    p = 2.0 / 23.0
    p = p * s + 2.0 / 21.0
    p = p * s + 2.0 / 19.0
    p = p * s + 2.0 / 17.0
    p = p * s + 2.0 / 15.0
    p = p * s + 2.0 / 13.0
    p = p * s + 2.0 / 11.0
    p = p * s + 2.0 / 9.0
    p = p * s + 2.0 / 7.0
    p = p * s + 2.0 / 5.0
    p = p * s + 2.0 / 3.0
    p = p * s + 2.0
    return exponent * LN2_HIGH + (f * p + exponent * LN2_LOW)


#: Taylor coefficients of (z - sin z) / z**3 in z**2 (signs flipped), from z**16 down to
#: z**0: sin z = z - z**3 (1/3! - z**2/5! + ...).
SINE_SERIES = (
    1.0 / 121645100408832000.0, -1.0 / 355687428096000.0, 1.0 / 1307674368000.0,
    -1.0 / 6227020800.0, 1.0 / 39916800.0, -1.0 / 362880.0, 1.0 / 5040.0, -1.0 / 120.0,
    1.0 / 6.0,
)  # fmt: skip
#: Taylor coefficients of (cos z - 1) / z**2 in z**2, from z**16 down to z**0: cos z = 1 +
#: z**2 (-1/2! + z**2/4! - ...).
COSINE_SERIES = (
    -1.0 / 6402373705728000.0, 1.0 / 20922789888000.0, -1.0 / 87178291200.0,
    1.0 / 479001600.0, -1.0 / 3628800.0, 1.0 / 40320.0, -1.0 / 720.0, 1.0 / 24.0, -0.5,
)  # fmt: skip


def select(condition, if_true, if_false):
    """``if_true`` where ``condition`` holds, else ``if_false`` (NumPy's ``where``; the kernel
    compiles it as a choice between two scalars)."""
    return np.where(condition, if_true, if_false)


def cos_two_pi(u):
    """cos(2 pi u) for u in [0, 1]: the quarter turn q = round(4u), the rest z = pi/2 (4u -
    q) in [-pi/4, pi/4], and the Taylor series of cos z (to z**18, quarters 0 and 2) or of
    sin z (to z**19, quarters 1 and 3), with the sign of the quarter. Each value evaluates
    only the series it needs, by Horner's rule on its own coefficients (the same operations,
    in the same order, as the series alone: the same bits as evaluating both and choosing)."""
    v = 4.0 * u
    q = np.floor(v + 0.5)
    z = HALF_PI * (v - q)
    z2 = z * z
    q = q - 4.0 * np.floor(0.25 * q)
    sine = (q == 1.0) | (q == 3.0)
    c = select(sine, SINE_SERIES[0], COSINE_SERIES[0])
    for k in range(1, len(SINE_SERIES)):  # the two series have the same length
        c = c * z2 + select(sine, SINE_SERIES[k], COSINE_SERIES[k])
    series = select(sine, z - z * z2 * c, 1.0 + z2 * c)
    return select((q == 1.0) | (q == 2.0), -series, series)


# --- the NumPy reference: arrays of shape keys.shape + (countries,) ----------------------


def _positions(stream: int, month: int, countries: int) -> np.ndarray:
    return counter(np.uint64(stream), np.uint64(month), np.arange(countries, dtype=np.uint64))


def uniforms(keys, stream: int, month: int, countries: int) -> np.ndarray:
    """Uniforms on (0, 1) of ``stream`` in ``month`` for every country, shape
    ``keys.shape + (countries,)``; ``keys`` are run keys (uint64, any shape)."""
    keys = np.asarray(keys, np.uint64)[..., None]
    with np.errstate(over="ignore"):
        bits = hash_bits(keys, second_key(keys), _positions(stream, month, countries))
    return ((bits >> UNIFORM_SHIFT).astype(np.float64) + 0.5) * UNIFORM_SCALE


def normals(keys, month: int, countries: int) -> np.ndarray:
    """Standard normals of the investment stream in ``month``, shape ``keys.shape +
    (countries,)``."""
    radius = uniforms(keys, INVESTMENT, month, countries)
    bits = radius.view(np.int64)
    exponent = ((bits >> EXPONENT_SHIFT) - EXPONENT_BIAS).astype(np.float64)
    mantissa = ((bits & MANTISSA_BITS) | ONE_BITS).view(np.float64)
    angle = cos_two_pi(uniforms(keys, INVESTMENT_ANGLE, month, countries))
    return np.sqrt(-2.0 * log_from_parts(exponent, mantissa)) * angle
