"""The world AI-economy model: array equations, parameters, data, the batched setup and
RegionModel.

Every name is imported on first use: workers that only need the array equations
(``model.equations``) start fast, and so does ``latam-ai --help`` (no pandas, no Mesa).
"""

import importlib

#: Public name -> the module of this package that defines it.
_EXPORTS = {
    "PARAMETERS": "parameters",
    "STRATEGY_NAMES": "policies",
    "synthetic_region": "synthetic",
    "synthetic_world": "synthetic",
    "RegionModel": "region",
    "RegionScenario": "region",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'model' has no attribute {name!r}")
    return getattr(importlib.import_module(f"model.{_EXPORTS[name]}"), name)
