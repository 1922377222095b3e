"""The exercises as shipped in notebooks 01-05: each placeholder cell says "not attempted",
and each hidden solution, run in a namespace of its own, passes its check.

The cells are read from the notebook files, so a change to an exercise's text or
solution is tested as the learner will see it, and the cases are the checks found
there; ``EXPECTED`` holds how many each notebook has, so one that vanishes fails.
Each exercise gets only ``np`` and ``cu``: an exercise that needs data names or
computes it itself.
"""

import contextlib
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest

import course_utils as cu

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
CHECK_CALL = re.compile(r"^cu\.(?:exercises\.\w+\.check_\w+|check_gradients)\(.*\)$")


def _check_expression(line):
    """The check call on a line such as ``print(cu.check_gradients(backward))``, or None."""
    if line.startswith("print(") and line.endswith(")"):
        line = line[len("print("):-1]
    return line if CHECK_CALL.match(line) else None


def _exercises(name):
    """Yield (placeholder code, [check expressions], solution code) for each exercise cell of a notebook."""
    cells = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))["cells"]
    start = next(i for i, c in enumerate(cells) if "## Exercises" in "".join(c["source"]))
    for cell, after in zip(cells[start:], cells[start + 1:]):
        if cell["cell_type"] != "code":
            continue
        lines = "".join(cell["source"]).splitlines()
        checks = [_check_expression(line) for line in lines if _check_expression(line)]
        body = "\n".join(line for line in lines if not _check_expression(line))
        details = re.search(r"<details><summary>Solution</summary>(.*?)</details>", "".join(after["source"]), re.S)
        solution = "\n".join(re.findall(r"```python\n(.*?)```", details.group(1), re.S))
        yield body, checks, solution


def _run(code, checks, namespace):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, namespace)
        results = [eval(check, namespace) for check in checks]
    return results, out.getvalue()


EXPECTED = {"01_dataset.ipynb": 3, "02_sigmoid_vs_linear.ipynb": 3, "03_backprop.ipynb": 5, "04_width_sweep.ipynb": 4,
            "05_generalisation.ipynb": 3, "06_regularisation.ipynb": 0}     # 06's exercises are still to come


def _cases():
    """One pytest param (name, body, check, solution) per check call in an exercise cell, read from the notebooks."""
    for name in EXPECTED:
        for body, checks, solution in _exercises(name):
            for check in checks:
                short = re.sub(r"^cu\.(exercises\.\w+\.)?", "", check)
                yield pytest.param(name, body, check, solution, id=f"{name.split('.')[0]}:{short}")


def test_every_notebook_with_exercises_is_listed():
    notebooks = sorted(NOTEBOOKS.glob("*.ipynb"))
    assert [path.name for path in notebooks if "## Exercises" in path.read_text("utf-8")] == sorted(EXPECTED)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_exercise_cell_has_a_check_and_a_solution(name):
    found = list(_exercises(name))
    assert sum(len(checks) for _, checks, _ in found) == EXPECTED[name]
    assert all(checks and solution.strip() for _, checks, solution in found)


def test_the_exercises_use_exactly_the_registered_checks():
    used = {eval(check.split("(")[0], {"cu": cu}) for name in EXPECTED for _, checks, _ in _exercises(name)
            for check in checks}
    assert used == {check for check, _ in cu.exercises.CHECKS}


@pytest.mark.parametrize("name, body, check, solution", list(_cases()))
def test_placeholder_is_not_attempted_and_solution_passes(name, body, check, solution):
    namespace = {"np": np, "cu": cu}
    (placeholder,), _ = _run(body, [check], namespace)
    assert placeholder.status == "not attempted", str(placeholder)
    assert str(placeholder).startswith("[ ]") and "not attempted yet" in str(placeholder)
    (solved,), printed = _run(solution, [check], namespace)
    assert solved.ok, f"{name}: {solved}"
    if "first_width_within" in solution:
        # The solution's prose: after 3000 epochs width 16 is the first within 3x the floor, after 1000 none is.
        assert printed.split("\n")[:2] == ["16", "None"]
