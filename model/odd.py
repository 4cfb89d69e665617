"""Refresh the parameter table of docs/ODD.md: ``python -m model.odd``."""

from pathlib import Path

from model.parameters import odd_with_parameter_table

ODD_PATH = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"

if __name__ == "__main__":
    ODD_PATH.write_text(odd_with_parameter_table(ODD_PATH.read_text()))
    print(f"updated {ODD_PATH}")
