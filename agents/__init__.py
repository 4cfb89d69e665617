"""Agents of the regional model."""

from agents.country import Country

__all__ = ["Country"]
