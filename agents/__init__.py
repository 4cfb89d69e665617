"""Agents of the regional model."""

from agents.country import TIER_LABELS, Country

__all__ = ["Country", "TIER_LABELS"]
