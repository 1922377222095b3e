"""The exercises as shipped in notebooks 01-04: each placeholder cell says "not attempted",
and each hidden solution, run in a namespace of its own, passes its check.

The cells are read from the notebook files, so a change to an exercise's text or
solution is tested as the learner will see it. Each exercise gets only ``np`` and
``cu``: an exercise that needs data names or computes it itself.
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


EXPECTED = {"01_dataset.ipynb": 3, "02_sigmoid_vs_linear.ipynb": 3, "03_backprop.ipynb": 5, "04_width_sweep.ipynb": 4}
CASES = [(name, i) for name, count in EXPECTED.items() for i in range(count)]


@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_exercise_cell_has_a_check_and_a_solution(name):
    found = list(_exercises(name))
    assert sum(len(checks) for _, checks, _ in found) == EXPECTED[name]
    assert all(checks and solution.strip() for _, checks, solution in found)


@pytest.mark.parametrize("name, index", CASES)
def test_placeholder_is_not_attempted_and_solution_passes(name, index):
    exercises = [(body, check, solution) for body, checks, solution in _exercises(name) for check in checks]
    body, check, solution = exercises[index]
    namespace = {"np": np, "cu": cu}
    (placeholder,), _ = _run(body, [check], namespace)
    assert placeholder.status == "not attempted", str(placeholder)
    assert str(placeholder).startswith("[ ]") and "not attempted yet" in str(placeholder)
    (solved,), printed = _run(solution, [check], namespace)
    assert solved.ok, f"{name}: {solved}"
    if "first_width_within" in solution:
        # The solution's prose: after 3000 epochs width 16 is the first within 3x the floor, after 1000 none is.
        assert printed.split("\n")[:2] == ["16", "None"]
