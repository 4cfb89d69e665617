"""The regional AI-economy model: array equations, parameters, data and RegionModel."""

from model.parameters import PARAMETERS, RegionScenario
from model.policies import STRATEGY_NAMES
from model.region import RegionModel
from model.synthetic import synthetic_region

__all__ = ["PARAMETERS", "RegionModel", "RegionScenario", "STRATEGY_NAMES", "synthetic_region"]
