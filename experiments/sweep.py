"""The sweep engine's former address: it is now the top-level package :mod:`sweeps`.

Scripts written against ``from experiments.sweep import load_results`` keep working; new code
imports :mod:`sweeps` (and :mod:`sensitivity` for the Sobol and Morris analyses).
"""

from __future__ import annotations

import sweeps


def __getattr__(name: str):
    return getattr(sweeps, name)
