"""Initial states named in experiment files.

An edition name ('ilia2024', 'ilia2025', 'latam19') stays a name; ``{synthetic = {...}}``
becomes a ``synthetic_world`` table (options: ``n``, ``spread``, ``distribution``, ``rng``
and template values).
"""

from __future__ import annotations

from typing import Any

import pandas as pd


def resolve_initial(initial: Any) -> str | pd.DataFrame:
    """An edition name stays; ``{synthetic = {...}}`` becomes a ``synthetic_world`` table."""
    if isinstance(initial, dict) and "synthetic" in initial:
        from model.synthetic import synthetic_world

        options = dict(initial["synthetic"])
        return synthetic_world(int(options.pop("n", 185)), **options)
    return initial
