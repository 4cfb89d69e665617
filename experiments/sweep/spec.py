"""Experiments as data: a TOML file validated into an :class:`Experiment`.

A file has up to five tables (docs/SWEEPS.md gives the full reference)::

    [experiment]  name, description, seed, replications, common_random_numbers, batch_size
    [design]      method = "grid" | "list" | "lhs" | "sobol" | "morris" and its sizes
    [fixed]       parameter = value            (any parameter of model.parameters)
    [varied]      parameter = {values = [...]} | {low, high[, steps]} | {distribution, ...}
    [outputs]     country, years, metrics, trajectories, trajectory_every

Every value is checked against the model's parameter declarations
(``model.parameters.PARAMETERS``); an error names the file, the line, the key, the value
and what is allowed (:class:`ExperimentError`). Value checks live in
:mod:`experiments.sweep.spec_values`, the ``[varied]``, ``[design]`` and ``[outputs]``
tables in :mod:`experiments.sweep.spec_tables`; their names are importable from here too.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from experiments.sweep.spec_tables import (
    DESIGN_KEYS,
    DESIGN_METHODS,
    DISTRIBUTIONS,
    OUTPUT_KEYS,
    Design,
    Outputs,
    Variable,
    parse_design,
    parse_outputs,
    parse_variable,
)
from experiments.sweep.spec_values import (
    MISSING,
    THRESHOLD_PARTS,
    ErrorContext,
    ExperimentError,
    check_initial,
    check_number,
    check_value,
    key_line,
    normalise_value,
)

__all__ = [
    "DESIGN_KEYS",
    "DESIGN_METHODS",
    "DISTRIBUTIONS",
    "EXPERIMENT_KEYS",
    "OUTPUT_KEYS",
    "TABLES",
    "THRESHOLD_PARTS",
    "Design",
    "Experiment",
    "ExperimentError",
    "Outputs",
    "Variable",
    "check_initial",
    "check_value",
    "experiment_from_dict",
    "key_line",
    "load_experiment",
    "normalise_value",
    "parse_design",
    "parse_outputs",
    "parse_variable",
]

TABLES = ("experiment", "design", "fixed", "varied", "outputs")
EXPERIMENT_KEYS = (
    "name",
    "description",
    "seed",
    "replications",
    "common_random_numbers",
    "batch_size",
    "horizon",
)


@dataclass(frozen=True)
class Experiment:
    """A validated experiment: fixed and varied parameters, design, seeds and outputs."""

    name: str
    fixed: dict[str, Any] = field(default_factory=dict)
    varied: tuple[Variable, ...] = ()
    design: Design = Design()
    replications: int = 1
    seed: int = 0
    common_random_numbers: bool = True
    outputs: Outputs = Outputs()
    batch_size: int = 1024
    description: str = ""
    source: str = ""  # the TOML text ("" when built in Python)
    path: str = "<dict>"

    @property
    def variable_names(self) -> tuple[str, ...]:
        """Names of the varied parameters, in design column order."""
        if self.design.method == "list":
            return tuple(dict.fromkeys(k for run in self.design.runs for k in run if k != "label"))
        return tuple(v.name for v in self.varied)


def experiment_from_dict(data: dict, text: str = "", path: str = "<dict>") -> Experiment:
    """Validate a parsed experiment (TOML tables as dicts) into an :class:`Experiment`."""
    ctx = ErrorContext(text, path)
    for key in data:
        if key not in TABLES:
            raise ctx.error(key, "", MISSING, f"unknown table; allowed: {', '.join(TABLES)}")
    head = data.get("experiment", {})
    for key in head:
        if key not in EXPERIMENT_KEYS:
            raise ctx.error(
                "experiment", key, head[key], f"unknown key; allowed: {', '.join(EXPERIMENT_KEYS)}"
            )
    name = head.get("name", Path(path).stem)
    seed = check_number(ctx, "experiment", "seed", head.get("seed", 0), low=0, integer=True)
    reps = check_number(
        ctx, "experiment", "replications", head.get("replications", 1), 1, integer=True
    )
    batch = check_number(
        ctx, "experiment", "batch_size", head.get("batch_size", 1024), 1, integer=True
    )
    crn = head.get("common_random_numbers", True)
    if not isinstance(crn, bool):
        raise ctx.error("experiment", "common_random_numbers", crn, "must be true or false")
    fixed = {k: check_value(ctx, "fixed", k, k, v) for k, v in data.get("fixed", {}).items()}
    if "horizon" in head:
        if "end" in fixed:
            raise ctx.error(
                "experiment",
                "horizon",
                head["horizon"],
                "give either horizon or [fixed] end, not both",
            )
        fixed["end"] = check_value(ctx, "experiment", "horizon", "end", head["horizon"])
    varied = tuple(parse_variable(ctx, k, v) for k, v in data.get("varied", {}).items())
    for variable in varied:
        if variable.name in fixed:
            raise ctx.error("varied", variable.name, MISSING, "is also set in [fixed]")
    design = parse_design(ctx, data.get("design", {}))
    if design.method == "list" and varied:
        raise ctx.error(
            "varied",
            varied[0].name,
            MISSING,
            "the list design takes its values from [[design.runs]]; leave [varied] empty",
        )
    if design.method != "list" and not varied and design.method != "grid":
        raise ctx.error("design", "method", design.method, "needs at least one [varied] parameter")
    if design.method == "grid":
        for variable in varied:
            try:
                variable.grid_values()
            except ValueError as exc:
                raise ctx.error("varied", variable.name, MISSING, str(exc)) from None
    experiment = Experiment(
        name=name,
        fixed=fixed,
        varied=varied,
        design=design,
        replications=reps,
        seed=seed,
        common_random_numbers=crn,
        outputs=parse_outputs(ctx, data.get("outputs", {})),
        batch_size=batch,
        description=head.get("description", ""),
        source=text,
        path=path,
    )
    from experiments.sweep.design import sample_count

    if sample_count(experiment) == 0:
        raise ctx.error("design", "method", design.method, "the design is empty (no samples)")
    return experiment


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment TOML file; raises :class:`ExperimentError`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ExperimentError(f"{path}: cannot read the experiment file ({exc.strerror})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ExperimentError(f"{path}: malformed TOML: {exc}") from None
    return experiment_from_dict(data, text, str(path))
