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
month and country, ``sqrt(-2 ln u0) cos(2 pi u1)``. Streams: 0 and 1 investment noise
(normal), 2 policy reversal (uniform), 3 imitation at a demonstration review (uniform).

The functions below are written once and run on NumPy arrays (the reference) and, compiled
by ``model.kernel``, on scalars: the integer hash and the uniforms are bit-identical in
both; normals go through the platform's ``log`` and ``cos`` (NumPy's vector routines or the
C library's), which agree to within an ulp or two (tests/test_streams.py).
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


def box_muller(radius_uniform, angle_uniform):
    """A standard normal from two uniforms on (0, 1) (Box and Muller 1958)."""
    return np.sqrt(-2.0 * np.log(radius_uniform)) * np.cos(TWO_PI * angle_uniform)


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
    return box_muller(
        uniforms(keys, INVESTMENT, month, countries),
        uniforms(keys, INVESTMENT_ANGLE, month, countries),
    )
