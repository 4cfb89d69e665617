"""The world AI-economy model: array equations, parameters, data, the batched setup and
RegionModel.

``RegionModel`` (and with it Mesa) is imported on first use, so that workers that only
need the array equations (``model.equations``) start fast.
"""

from model.parameters import PARAMETERS, RegionScenario
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
    if name == "RegionModel":
        from model.region import RegionModel

        return RegionModel
    raise AttributeError(f"module 'model' has no attribute {name!r}")
