"""The packages form layers: nothing imports a package above it.

Bottom to top: model (equations, builder, kernel) < mobility < sweeps (orchestration: spec,
design, executors, storage) < sensitivity, figures < reports, dashboard < experiments (the
command line and the findings). A module may import its own layer or any layer below it.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = [
    {"model", "agents"},
    {"mobility"},
    {"sweeps"},
    {"sensitivity", "figures"},
    {"reports", "dashboard"},
    {"experiments"},
]
LEVEL = {package: level for level, names in enumerate(LAYERS) for package in names}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & set(LEVEL)


@pytest.mark.parametrize("package", sorted(LEVEL))
def test_no_package_imports_one_above_it(package):
    upward = {
        f"{path.relative_to(ROOT)} imports {other}"
        for path in (ROOT / package).rglob("*.py")
        for other in imported_packages(path)
        if LEVEL[other] > LEVEL[package]
    }
    assert not upward, sorted(upward)


def test_equations_do_not_load_mesa():
    import subprocess
    import sys

    code = "import sys, model.equations, model.kernel; print('mesa' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "False", out.stderr


def test_the_command_line_help_loads_no_numerical_library():
    """``latam-ai --help`` builds every sub-command's options without pandas, numpy,
    scipy or Mesa (they took seconds to import before the help could print)."""
    import subprocess
    import sys

    code = (
        "import sys\nfrom experiments.cli import main\ntry:\n    main(['--help'])\n"
        "except SystemExit:\n    pass\n"
        "print(sorted({'pandas', 'numpy', 'scipy', 'mesa'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stderr
