"""Execute the notebooks in place, so that they are committed with their outputs.

    python3 -m uv run --extra dev python notebooks/execute.py            # every notebook
    python3 -m uv run --extra dev python notebooks/execute.py q2_peru    # some of them

Each runs top to bottom in a fresh kernel on this interpreter (the project's environment;
no ``ipykernel install`` needed), from a temporary folder (results never land in the
repository), with figures at a modest resolution so the files stay small. Re-run it after
any change to the model: one command re-executes them all.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

import nbformat
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager, NoSuchKernel
from nbclient import NotebookClient

FOLDER = Path(__file__).resolve().parent
#: Resolution of the figures stored in the notebooks (dots per inch).
FIGURE_DPI = 72
#: Set before the first cell: inline figures at FIGURE_DPI, the repository importable.
PREAMBLE = (
    "import sys\n"
    f"sys.path.insert(0, {str(FOLDER.parent)!r})\n"
    "get_ipython().run_line_magic('matplotlib', 'inline')\n"
    "get_ipython().run_line_magic('config', \"InlineBackend.print_figure_kwargs = "
    f"{{'dpi': {FIGURE_DPI}, 'bbox_inches': 'tight'}}\")\n"
)
TIMEOUT = 900


class ThisPythonKernels(KernelSpecManager):
    """The ``python3`` kernel runs on this interpreter (the project's venv), whatever kernel
    specs are installed."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        if kernel_name != "python3":
            raise NoSuchKernel(kernel_name)
        return KernelSpec(
            argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            display_name="Python 3",
            language="python",
        )


def notebooks(names: list[str] | None = None) -> list[Path]:
    """The notebooks of this folder (all, or those named without ``.ipynb``)."""
    found = sorted(FOLDER.glob("*.ipynb"))
    if not names:
        return found
    chosen = [p for p in found if p.stem in names]
    unknown = sorted(set(names) - {p.stem for p in chosen})
    if unknown:
        raise SystemExit(
            f"no such notebook: {', '.join(unknown)}; known: {', '.join(p.stem for p in found)}"
        )
    return chosen


def execute(path: Path, workdir: Path | None = None) -> nbformat.NotebookNode:
    """Run ``path`` in a fresh kernel (from ``workdir``, default a temporary folder) and
    return the notebook with its outputs; raises on the first failing cell."""
    notebook = nbformat.read(path, as_version=4)
    kernel = KernelManager(kernel_name="python3", kernel_spec_manager=ThisPythonKernels())
    with tempfile.TemporaryDirectory() as scratch:
        client = NotebookClient(
            notebook,
            km=kernel,
            kernel_name="python3",
            timeout=TIMEOUT,
            resources={"metadata": {"path": str(workdir or scratch)}},
        )
        with client.setup_kernel():
            client.kc.execute_interactive(PREAMBLE, silent=True, store_history=False)
            for index, cell in enumerate(notebook.cells):
                client.execute_cell(cell, index)
    return notebook


def scrub(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Outputs without this machine's paths: temporary folders become ``<temporary
    folder>`` and the repository's root ``<repository>``."""
    temporary = re.compile(re.escape(tempfile.gettempdir()) + r"/[^/\s'\"]+")
    root = str(FOLDER.parent)

    def clean(text: str) -> str:
        return temporary.sub("<temporary folder>", text).replace(root, "<repository>")

    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if "text" in output:
                output["text"] = clean(output["text"])
            data = output.get("data", {})
            for kind in ("text/plain", "text/html", "text/markdown"):
                if kind in data:
                    data[kind] = clean(data[kind])
    return notebook


def main(argv: list[str]) -> int:
    for path in notebooks(argv):
        print(f"executing {path.name} ...", flush=True)
        notebook = scrub(execute(path))
        nbformat.validate(notebook)
        nbformat.write(notebook, path)
        print(f"  written with outputs ({path.stat().st_size // 1024} KiB)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
