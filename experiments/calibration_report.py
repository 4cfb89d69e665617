"""Writing a calibration and its validation: CSV tables and a README sidecar.

The sidecar says how the posterior was made (command, seed, pyabc version, date) and
flags it DERIVED, with the identification table, the predictive checks and what remains
an assumption, so that the committed ``data/calibration/posterior.csv`` carries its own
provenance.
"""

from __future__ import annotations

import importlib.metadata
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from experiments.calibration import Calibration


def _markdown(frame: pd.DataFrame, digits: int = 4) -> str:
    """A plain markdown table (no optional dependency)."""

    def cell(value) -> str:
        if isinstance(value, float):
            return f"{value:.{digits}g}"
        return str(value)

    header = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    rows = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(False)]
    return "\n".join([header, rule, *rows])


def assumptions(identification: pd.DataFrame) -> list[str]:
    """The free parameters the data leave open (posterior sd >= 0.8 prior sd)."""
    return list(identification.loc[identification["identified"] == "no", "parameter"])


def write_calibration(calibration: Calibration, out: Path, command: str) -> str:
    """Write posterior.csv, identification.csv, checks.csv, generations.csv and README.md
    into ``out``; return the README text."""
    identification, checks = calibration.identification(), calibration.checks()
    calibration.draws.to_csv(out / "posterior.csv", index=False, float_format="%.6g")
    identification.to_csv(out / "identification.csv", index=False)
    checks.to_csv(out / "checks.csv", index=False)
    generations = calibration.result.generations
    generations.to_csv(out / "generations.csv", index=False)
    version = importlib.metadata.version("pyabc")
    open_parameters = assumptions(identification)
    evaluations = int(generations["evaluations"].sum())
    text = "\n".join(
        [
            "# Calibration posterior (DERIVED)",
            "",
            "`posterior.csv`: equal-weight draws from the SMC-ABC posterior of the world "
            "model's free parameters (one row per draw, one column per parameter of "
            "`model/parameters.py`), resampled systematically from the last population and "
            "shuffled with the seed; sweeps use its first rows through `[posterior]` "
            '(docs/SWEEPS.md). Method, targets and sources: docs/ODD.md, "Calibration".',
            "",
            f"- command: `{command}`",
            f"- seed: {calibration.seed}",
            f"- library: pyabc {version} (ABCSMC, PNormDistance p = 2 with weights 1 / "
            "tolerance, QuantileEpsilon alpha = 0.5)",
            f"- date: {datetime.now(UTC).date().isoformat()}",
            f"- draws: {len(calibration.draws)}; generations: {len(generations)}; "
            f"simulations: {evaluations} (plus the prior sample that sets the first "
            "tolerance and the predictive runs)",
            "- flag: DERIVED (from the data files named in the targets, by the model)",
            "",
            "## Generations",
            "",
            _markdown(generations),
            "",
            "## Identification (posterior sd / prior sd: < 0.5 identified, >= 0.8 not)",
            "",
            _markdown(identification),
            "",
            "## Posterior predictive checks (one run per draw)",
            "",
            _markdown(checks),
            "",
            "## What remains an assumption",
            "",
            "Parameters the data do not identify (their posterior is close to the prior): "
            + (", ".join(open_parameters) if open_parameters else "none")
            + ". Every parameter not in the table keeps its declared default "
            "(model/parameters.py), an assumption or estimate as flagged there.",
            "",
        ]
    )
    (out / "README.md").write_text(text)
    return text


def write_validation(posterior: Path, out: Path, seed: int, quick: bool = False) -> str:
    """Run the out-of-sample validation of ``posterior`` and write validation_*.csv and
    validation.md into ``out``; return the text."""
    from experiments import validation

    sizes = validation.QUICK if quick else validation.FULL
    rows = len(pd.read_csv(posterior))
    draws = min(sizes["draws"], rows)
    reps = sizes["replications"]
    skill_2025, countries = validation.ilia2025_forecast(posterior, draws, reps, seed + 2)
    first = pd.read_csv(posterior).iloc[:draws]
    skill_2024 = validation.ilia2024_forecast(first, reps, seed + 3)
    holdout = validation.allocation_holdout()
    for name, frame in (
        ("validation_ilia2025", skill_2025),
        ("validation_ilia2025_countries", countries),
        ("validation_ilia2024", skill_2024),
        ("validation_allocation", holdout),
    ):
        frame.to_csv(out / f"{name}.csv", index=False)
    text = "\n".join(
        [
            "# Out-of-sample validation (never fitted)",
            "",
            f"Posterior: `{posterior.name}`, first {draws} draws x {reps} replications; "
            f"seed {seed}. Intervals: 5-95% over runs (or draws).",
            "",
            "## ILIA 2025 from the 2024 start (19 countries, October 2025)",
            "",
            _markdown(skill_2025, 3),
            "",
            _markdown(countries, 3),
            "",
            "## ILIA 2024 from the 2023 start (12 countries; partly in sample)",
            "",
            _markdown(skill_2024, 3),
            "",
            "## Allocation rule: leave-one-country-out over the CSET panel, 2016-2024",
            "",
            _markdown(holdout, 3),
            "",
        ]
    )
    (out / "validation.md").write_text(text)
    return text
