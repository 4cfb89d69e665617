"""Experiments as data: a TOML file validated into an :class:`Experiment`.

A file has up to five tables (docs/SWEEPS.md gives the full reference)::

    [experiment]  name, description, seed, replications, common_random_numbers, batch_size
    [design]      method = "grid" | "list" | "lhs" | "sobol" | "morris" and its sizes
    [fixed]       parameter = value            (any parameter of model.parameters)
    [varied]      parameter = {values = [...]} | {low, high[, steps]} | {distribution, ...}
    [outputs]     country, years, metrics, trajectories, trajectory_every
    [posterior]   file, draws                  (parameter sets of a calibration posterior)

Every value is checked against the model's parameter declarations
(``model.parameters.PARAMETERS``); an error names the file, the line, the key, the value
and what is allowed (:class:`ExperimentError`). Value checks live in
:mod:`sweeps.spec_values`, the ``[varied]``, ``[design]`` and ``[outputs]``
tables in :mod:`sweeps.spec_tables`, the ``[posterior]`` table in
:mod:`sweeps.spec_posterior`; their names are importable from here too.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model.parameters import BY_NAME
from sweeps.spec_posterior import POSTERIOR_DRAW, Posterior, parse_posterior
from sweeps.spec_sizes import check_size, sample_count
from sweeps.spec_tables import (
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
from sweeps.spec_values import (
    MAX_BATCH_SIZE,
    MISSING,
    NAME_PATTERN,
    THRESHOLD_PARTS,
    ErrorContext,
    ExperimentError,
    check_flag,
    check_initial,
    check_number,
    check_text,
    check_value,
    key_line,
    known_countries,
    normalise_value,
)

__all__ = [
    "DESIGN_KEYS",
    "DESIGN_METHODS",
    "DISTRIBUTIONS",
    "EXPERIMENT_KEYS",
    "OUTPUT_KEYS",
    "POSTERIOR_DRAW",
    "TABLES",
    "THRESHOLD_PARTS",
    "Design",
    "Experiment",
    "ExperimentError",
    "Outputs",
    "Posterior",
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

TABLES = ("experiment", "design", "fixed", "varied", "outputs", "parameters", "posterior")
EXPERIMENT_KEYS = (
    "name",
    "description",
    "seed",
    "replications",
    "common_random_numbers",
    "batch_size",
    "horizon",
    "scenario",
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
    posterior: Posterior | None = None  # [posterior]: draws crossed with every sample

    @property
    def posterior_draws(self) -> int:
        """Posterior draws per sample (1 without a ``[posterior]`` table)."""
        return self.posterior.draws if self.posterior is not None else 1

    @property
    def variable_names(self) -> tuple[str, ...]:
        """Names of the varied parameters, in design column order."""
        if self.design.method == "list":
            return tuple(dict.fromkeys(k for run in self.design.runs for k in run if k != "label"))
        return tuple(v.name for v in self.varied)


def _table(ctx: ErrorContext, data: dict, name: str) -> dict:
    """A top-level table of the file ({} when absent); anything else is an error."""
    value = data.get(name, {})
    if not isinstance(value, dict):
        if isinstance(value, list) and ctx.text and key_line(ctx.text, name, ""):
            raise ctx.error(name, "", MISSING, "must be one [table], not an array of [[tables]]")
        raise ctx.error("", name, value, f"must be a [{name}] table of key = value lines")
    return value


def _scenario_file(ctx: ErrorContext, name: Any, path: str) -> dict:
    """The parameters of the scenario file ``name`` (relative to the experiment file)."""
    from model.scenario_file import ScenarioError, load_scenario

    if not isinstance(name, str) or not name.strip():
        raise ctx.error("experiment", "scenario", name, "must name a scenario file (TOML)")
    base = Path(path).parent if path not in ("<dict>", "") else Path.cwd()
    try:
        values = load_scenario(base / name)
    except ScenarioError as exc:
        raise ctx.error("experiment", "scenario", name, str(exc)) from None
    return {k: check_value(ctx, "experiment", "scenario", k, v) for k, v in values.items()}


def _default_name(path: str) -> str:
    """The experiment name when the file gives none: its file name, made folder-safe."""
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", Path(path).stem).lstrip("._-")
    return stem[:100] or "experiment"


def _initial_values(fixed: dict, varied: tuple, design: Design) -> list:
    """Every initial state the runs may start from."""
    base = fixed.get("initial", BY_NAME["initial"].default)
    if design.method == "list":
        return [run.get("initial", base) for run in design.runs]
    for variable in varied:
        if variable.name == "initial":
            return list(variable.values or ())
    return [base]


def _check_country(ctx: ErrorContext, outputs: Outputs, initials: list, given: bool) -> None:
    """``[outputs] country`` (given, or the default) must be a country of every initial
    state: its metrics would be NaN in every run."""
    for initial in initials:
        codes = known_countries(initial)
        if outputs.country not in codes:
            shown = ", ".join(codes) if len(codes) <= 20 else f"{codes[0]} to {codes[-1]}"
            which = repr(initial) if isinstance(initial, str) else "a synthetic region or table"
            default = "" if given else " (the default; set [outputs] country)"
            raise ctx.error(
                "outputs",
                "country",
                outputs.country,
                f"not a country of the initial state {which}{default}; allowed: {shown}",
            )


def experiment_from_dict(data: dict, text: str = "", path: str = "<dict>") -> Experiment:
    """Validate a parsed experiment (TOML tables as dicts) into an :class:`Experiment`.

    Every key is checked by type and range, and the run count against the limit
    (:data:`sweeps.spec_sizes.MAX_RUNS`), before anything is built or written.
    """
    ctx = ErrorContext(text, path)
    if not isinstance(data, dict):
        raise ExperimentError(f"{path}: an experiment must be a mapping of TOML tables")
    for key in data:
        if key not in TABLES:
            raise ctx.error(key, "", MISSING, f"unknown table; allowed: {', '.join(TABLES)}")
    head = _table(ctx, data, "experiment")
    for key in head:
        if key not in EXPERIMENT_KEYS:
            raise ctx.error(
                "experiment", key, head[key], f"unknown key; allowed: {', '.join(EXPERIMENT_KEYS)}"
            )
    if "name" in head:
        name = check_text(
            ctx,
            "experiment",
            "name",
            head["name"],
            NAME_PATTERN,
            "a folder name: letters, digits, '.', '_' or '-', starting with a letter or "
            "digit, at most 100 characters (no '/')",
        )
    else:
        name = _default_name(path)
    description = check_text(ctx, "experiment", "description", head.get("description", ""))
    seed = check_number(ctx, "experiment", "seed", head.get("seed", 0), 0, 2**63 - 1, integer=True)
    reps = check_number(
        ctx, "experiment", "replications", head.get("replications", 1), 1, integer=True
    )
    batch = check_number(
        ctx, "experiment", "batch_size", head.get("batch_size", 1024), 1, MAX_BATCH_SIZE, True
    )
    crn = check_flag(
        ctx, "experiment", "common_random_numbers", head.get("common_random_numbers", True)
    )
    fixed_table = _table(ctx, data, "fixed")
    fixed = {k: check_value(ctx, "fixed", k, k, v) for k, v in fixed_table.items()}
    # a scenario's parameters (model.scenario_file), pasted as [parameters] or named by
    # [experiment] scenario = "FILE" (relative to the experiment file): the base that
    # [fixed] and [varied] override, as --set overrides --scenario in latam-ai run
    scenario = {
        k: check_value(ctx, "parameters", k, k, v)
        for k, v in _table(ctx, data, "parameters").items()
    }
    if "scenario" in head:
        scenario = _scenario_file(ctx, head["scenario"], path) | scenario
    varied_names = set(_table(ctx, data, "varied"))
    posterior = None
    if "posterior" in data:
        taken = {k: "[fixed]" for k in fixed} | {k: "[varied]" for k in varied_names}
        design_table = _table(ctx, data, "design")
        for run in design_table.get("runs", []) if isinstance(design_table, dict) else []:
            if isinstance(run, dict):
                taken |= {k: "[[design.runs]]" for k in run if k != "label"}
        if "horizon" in head:
            taken["end"] = "[experiment] horizon"
        posterior = parse_posterior(ctx, _table(ctx, data, "posterior"), path, taken)
        # the posterior overrides a scenario's values, as [fixed] and [varied] do
        scenario = {k: v for k, v in scenario.items() if k not in posterior.columns}
    fixed = {k: v for k, v in scenario.items() if k not in varied_names} | fixed
    if "horizon" in head:
        if "end" in fixed:
            raise ctx.error(
                "experiment",
                "horizon",
                head["horizon"],
                "give either horizon or [fixed] end, not both",
            )
        fixed["end"] = check_value(ctx, "experiment", "horizon", "end", head["horizon"])
    varied = tuple(parse_variable(ctx, k, v) for k, v in _table(ctx, data, "varied").items())
    for variable in varied:
        if variable.name in fixed:
            raise ctx.error("varied", variable.name, MISSING, "is also set in [fixed]")
    design = parse_design(ctx, _table(ctx, data, "design"))
    if design.method == "list" and varied:
        raise ctx.error(
            "varied",
            varied[0].name,
            MISSING,
            "the list design takes its values from [[design.runs]]; leave [varied] empty",
        )
    if design.method != "list" and not varied:
        raise ctx.error(
            "design",
            "method",
            design.method,
            "needs at least one [varied] parameter (to replicate one scenario, vary one "
            "parameter over a single value, e.g. capital_concentration = { values = [2.4] })",
        )
    for variable in varied:
        if variable.steps is not None and design.method != "grid":
            raise ctx.error(
                "varied",
                f"{variable.name}.steps",
                variable.steps,
                f"steps applies to the grid design only (method = {design.method!r})",
            )
        if design.method == "grid" and variable.values is None:
            if variable.distribution != "uniform" or variable.steps is None:
                raise ctx.error(
                    "varied",
                    variable.name,
                    MISSING,
                    "a grid needs 'values' or 'low', 'high' and 'steps'",
                )
    outputs_table = _table(ctx, data, "outputs")
    outputs = parse_outputs(ctx, outputs_table)
    _check_country(ctx, outputs, _initial_values(fixed, varied, design), "country" in outputs_table)
    experiment = Experiment(
        name=name,
        fixed=fixed,
        varied=varied,
        design=design,
        replications=reps,
        seed=seed,
        common_random_numbers=crn,
        outputs=outputs,
        batch_size=batch,
        description=description,
        source=text,
        path=path,
        posterior=posterior,
    )
    if sample_count(experiment) == 0:
        raise ctx.error("design", "method", design.method, "the design is empty (no samples)")
    check_size(experiment)
    return experiment


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment TOML file; raises :class:`ExperimentError`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ExperimentError(f"{path}: cannot read the experiment file ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise ExperimentError(
            f"{path}: not a text (UTF-8) file, so not an experiment file (byte {exc.start}: "
            f"{exc.reason})"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ExperimentError(f"{path}: malformed TOML: {exc}") from None
    return experiment_from_dict(data, text, str(path))
