"""Agents of the regional model."""

from agents.country import Country
from model.equations import TIER_LABELS

__all__ = ["Country", "TIER_LABELS"]
