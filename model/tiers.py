"""The tiers, declared once: their labels (in order of the tier codes 0, 1, 2) and the
default score cut-offs (ILIA 2025: Explorers below 35, Pioneers above 60). Imports nothing,
so that every package can read them cheaply."""

TIER_LABELS: tuple[str, ...] = ("Explorer", "Adopter", "Pioneer")
DEFAULT_THRESHOLDS: tuple[float, float] = (35.0, 60.0)
