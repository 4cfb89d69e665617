"""The parameter controls: every declared parameter, grouped, with pending changes.

Controls are generated from ``model.parameters.PARAMETERS`` (name, default, unit, range,
meaning); :data:`GROUPS` places each name in a group, and a name it does not know (a
parameter added since) goes to "other", so the panel never hides a parameter. A change is
*pending* until Apply rebuilds the models; :func:`pending_changes` compares the controls'
values with the applied ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from model.parameters import PARAMETERS, Parameter

#: Group of each parameter, in the order the panel shows the groups.
GROUP_ORDER = (
    "calendar and initial state",
    "capital market",
    "research",
    "open weights",
    "adoption",
    "enabling factors",
    "governance",
    "policy",
    "composite and tiers",
    "other",
)
# fmt: off
GROUPS: dict[str, str] = {
    **dict.fromkeys(("initial", "start", "end", "focus"), "calendar and initial state"),
    **dict.fromkeys((
        "global_investment_growth", "capital_concentration", "size_elasticity",
        "investment_noise", "capital_depreciation", "capital_half_saturation",
        "tier_signalling",
    ), "capital market"),
    **dict.fromkeys((
        "capital_feedback", "research_capital_gain", "research_depreciation",
        "learning_by_using", "adoption_learning_gain", "frontier_catch_up",
        "frontier_absorption_gain", "absorptive_threshold", "absorptive_steepness",
        "absorptive_gate", "baseline_frontier_access", "brain_drain_rate",
    ), "research"),
    **dict.fromkeys((
        "open_weights_date", "open_weights_strength", "open_weights_half_life",
        "open_weights_adoption_boost", "open_weights_ceiling_lift",
    ), "open weights"),
    **dict.fromkeys((
        "bass_innovation", "bass_imitation", "adoption_headroom_share",
        "ceiling_enabling_weight",
    ), "adoption"),
    **dict.fromkeys(("enabling_capital_gain", "enabling_depreciation"), "enabling factors"),
    **dict.fromkeys(("governance_speed", "reversal_rate", "reversal_size"), "governance"),
    **dict.fromkeys((
        "policy_budget", "policy_half_saturation", "policy_research_gain",
        "policy_infrastructure_gain", "policy_adoption_gain", "policy_adoption_ceiling_gain",
        "policy_governance_gain", "policy_maturation", "consortium_pooling",
        "consortium_spillover", "consortium_infrastructure_saving", "demonstration_effect",
        "imitation_probability", "demonstration_lag", "demonstration_threshold", "policies",
    ), "policy"),
    **dict.fromkeys(
        ("research_share_of_rda", "score_offsets", "tier_thresholds"), "composite and tiers"
    ),
}
# fmt: on
#: Release months offered besides the default and the current value; "none": no release.
OPEN_WEIGHTS_CHOICES = ("2025-02", "2025-08", "2026-02", "2026-08", "2027-08", "none")
INITIAL_CHOICES = ("ilia2024", "ilia2025", "latam19")


def group_of(name: str) -> str:
    """The panel group of a parameter ("other" for a name :data:`GROUPS` lacks)."""
    return GROUPS.get(name, "other")


def grouped_parameters() -> dict[str, list[Parameter]]:
    """The declared parameters by group, in :data:`GROUP_ORDER` (empty groups left out)."""
    groups: dict[str, list[Parameter]] = {}
    for group in GROUP_ORDER:
        members = [p for p in PARAMETERS if group_of(p.name) == group]
        if members:
            groups[group] = members
    return groups


def default_parameters() -> dict[str, Any]:
    """Every declared parameter at its default, as the controls hold them."""
    return {p.name: p.default for p in PARAMETERS}


def tooltip(spec: Parameter) -> str:
    """A control's tooltip: meaning, unit, range and default."""
    unit = "" if spec.unit in ("", "-") else f" {spec.unit}"
    parts = [spec.meaning]
    if spec.low is not None and spec.high is not None:
        parts.append(f"range [{spec.low:g}, {spec.high:g}]{unit}")
    elif unit:
        parts.append(f"unit:{unit}")
    parts.append(f"default {format_value(spec.default)}")
    return "; ".join(parts)


def label(spec: Parameter) -> str:
    """A control's label: the name in words, with the unit."""
    unit = "" if spec.unit in ("", "-") else f" ({spec.unit})"
    return f"{spec.name.replace('_', ' ')}{unit}"


def format_value(value: Any) -> str:
    """A parameter value as the panel shows it."""
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple | list):
        return ", ".join(format_value(v) for v in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {format_value(v)}" for k, v in value.items()) or "none"
    return str(value)


def pending_changes(controls: Mapping[str, Any], applied: Mapping[str, Any]) -> dict[str, Any]:
    """The control values that differ from the applied ones (name -> new value)."""
    return {
        name: value
        for name, value in controls.items()
        if _normal(value) != _normal(applied.get(name))
    }


def _normal(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return tuple(_normal(v) for v in value)
    if isinstance(value, Mapping):
        return tuple(sorted((k, _normal(v)) for k, v in value.items() if v != "status_quo"))
    if isinstance(value, str) and value.strip().lower() == "none":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def model_keywords(controls: Mapping[str, Any]) -> dict[str, Any]:
    """``RegionModel`` keywords from the controls' values: "none" releases become ``None``,
    status-quo policies are left out, unset months are dropped."""
    keywords: dict[str, Any] = {}
    for name, value in controls.items():
        if name == "policies":
            value = {k: v for k, v in (value or {}).items() if v != "status_quo"}
        elif isinstance(value, str) and value.strip().lower() == "none":
            value = None
        elif isinstance(value, str) and value.strip() == "":
            value = None
        keywords[name] = value
    return keywords


def scenario_parameters(controls: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters a scenario file records: every control but an initial state that is
    not a named edition (a DataFrame cannot be written to TOML)."""
    keywords = model_keywords(controls)
    if not isinstance(keywords.get("initial"), str):
        keywords.pop("initial", None)
    if keywords.get("open_weights_date") is None:
        keywords["open_weights_date"] = "none"
    return keywords


__all__ = [
    "GROUPS",
    "GROUP_ORDER",
    "default_parameters",
    "format_value",
    "group_of",
    "grouped_parameters",
    "label",
    "model_keywords",
    "pending_changes",
    "scenario_parameters",
    "tooltip",
]
