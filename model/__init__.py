"""The world AI-economy model: array equations, parameters, data, the batched setup and
RegionModel.

``RegionModel`` and ``RegionScenario`` (and with them Mesa) are imported on first use, so
that workers that only need the array equations (``model.equations``) start fast.
"""

from model.parameters import PARAMETERS
from model.policies import STRATEGY_NAMES
from model.synthetic import synthetic_region, synthetic_world

__all__ = [
    "PARAMETERS",
    "RegionModel",
    "RegionScenario",
    "STRATEGY_NAMES",
    "synthetic_region",
    "synthetic_world",
]


def __getattr__(name: str):
    if name in ("RegionModel", "RegionScenario"):
        from model import region

        return getattr(region, name)
    raise AttributeError(f"module 'model' has no attribute {name!r}")
