"""Numbers for reading: significant digits, shares in percent.

A share of 0.0112 falling to 0.00008 reads as 1.12% and 0.008%, never as 0.011 and 0.000:
:func:`percent` keeps :data:`DIGITS` significant digits however small the share.
"""

from __future__ import annotations

import math

import numpy as np

#: Significant digits of the numbers a report prints.
DIGITS = 3


def significant(value: float, digits: int = DIGITS) -> str:
    """``value`` with ``digits`` significant digits in positional notation (no exponent,
    trailing zeros dropped): 0.0081234 -> "0.00812", 1234.5 -> "1234", nan -> ""."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == 0:
        return "0"
    if abs(value) >= 10 ** (digits - 1):
        return f"{value:.0f}"
    return np.format_float_positional(
        float(value), precision=digits, unique=False, fractional=False, trim="-"
    )


def percent(share: float, digits: int = DIGITS) -> str:
    """A share (0-1) in percent with ``digits`` significant digits: 0.0069 -> "0.69%",
    0.000081 -> "0.0081%"."""
    text = significant(100 * share, digits)
    return f"{text}%" if text not in ("", "inf", "-inf") else text
