"""The stored notebooks: each one's outputs come from one run from a fresh kernel, top to bottom.

nbval checks that a fresh kernel still prints what a notebook stores, and the browser
tests (test_lab.py) show the stored outputs as JupyterLab renders them. Both rely on
the stored outputs being one whole run in order: execution counts 1, 2, 3, ... down
the notebook, with no cell skipped or run twice.
"""

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_the_notebooks_are_found():
    assert len(NOTEBOOKS) >= 5, NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_outputs_are_one_run_top_to_bottom(path):
    cells = nbformat.read(path, as_version=4).cells
    counts = [cell.execution_count for cell in cells if cell.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), \
        f"{path.name}: execution counts {counts}; re-run it from a fresh kernel (make notebooks)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_stored_output_is_an_error(path):
    cells = nbformat.read(path, as_version=4).cells
    bad = [(i, out.get("name", out.output_type)) for i, cell in enumerate(cells) if cell.cell_type == "code"
           for out in cell.outputs if out.output_type == "error" or out.get("name") == "stderr"]
    assert not bad, f"{path.name}: cells (index, output) with an error or stderr stored: {bad}"
