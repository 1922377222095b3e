"""Build the classroom edition of the course for nbgrader: ``make classroom``.

``notebooks/`` stays the one source. For each notebook this writes an nbgrader source
notebook, ``<course>/source/<stem>/<stem>.ipynb``, in which:

* every ``<details><summary>Solution</summary> ... </details>`` block is gone from the text;
* each exercise's code cell is split in two: the learner's cell, with the placeholder
  (an nbgrader answer cell), and a locked, graded cell that calls the course's check,
  prints its verdict and **raises** ``AssertionError`` unless the verdict is right
  (nbgrader gives full marks to a graded cell that merely displays a wrong verdict);
* the points of each check come from ``POINTS``;
* outputs and widget state are stripped, and a first cell says that this edition
  holds no solutions.

An exercise cell is a code cell followed by a Markdown cell that opens with a solution
block; its check calls are the lines that call ``check_<name>(...)``, bare or in ``print``.
``nbgrader generate_assignment`` then makes the student edition in ``<course>/release``.

    python tools/classroom.py source classroom        # the nbgrader course folder
    python tools/classroom.py solutions NOTEBOOK OUT  # a copy of NOTEBOOK with the course's solutions filled in
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
COURSE_ID = "backprop-from-scratch"

# Points per check: the one table the graded cells take their marks from.
POINTS = {
    "check_noise_floor": 1, "check_doubled_noise": 1, "check_surface_minimum": 2,
    "check_forward_by_hand": 1, "check_sigmoid_prime": 2, "check_saturation_point": 1,
    "check_gradients": 3, "check_db2": 1, "check_best_lr": 1, "check_train_loop": 3,
    "check_distinct_units": 1, "check_param_count": 1, "check_free_params": 1, "check_first_width_within": 2,
    "check_expected_test_mse": 1, "check_best_epoch": 2, "check_epoch_batches": 2,
    "check_bias_variance": 1, "check_momentum_step": 1, "check_best_lambda": 1,
}
# Enough for notebook 04's longest cell (about 11 s on a 2-core machine) on a slow laptop.
EXECUTE_TIMEOUT = 600

SOLUTION_BLOCK = re.compile(r"<details>\s*<summary>\s*Solution\s*</summary>.*?</details>\s*", re.S)
CHECK_LINE = re.compile(r"^(?:print\((?P<printed>.*\bcheck_\w+\(.*\))\)|(?P<bare>\S.*\bcheck_\w+\(.*\)))\s*$")
CHECK_NAME = re.compile(r"\b(check_\w+)\(")
PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.S)

NOTICE = """**Classroom edition.** This copy of the notebook holds no solutions: they were taken out of the
text and the checks' help. Write your answer in each exercise's cell; the locked cell under it checks
the answer and raises an error until it is right. Your teacher has the full course with the solutions."""


def exercise_cells(nb):
    """Yield ``(index, solution_markdown)`` for each exercise code cell: one followed by a solution block."""
    for i, cell in enumerate(nb.cells[:-1]):
        after = nb.cells[i + 1]
        if cell.cell_type == "code" and after.cell_type == "markdown" and SOLUTION_BLOCK.match(after.source.lstrip()):
            yield i, after.source


def split_exercise(source):
    """``(answer_source, [check call, ...])``: the learner's part of an exercise cell and its check calls."""
    answer, calls = [], []
    for line in source.splitlines():
        match = CHECK_LINE.match(line)
        if match:
            calls.append(match.group("printed") or match.group("bare"))
        else:
            answer.append(line)
    if not calls:
        raise ValueError(f"an exercise cell without a check call:\n{source}")
    return "\n".join(answer).strip() + "\n", calls


def graded_source(call, check):
    return (f"verdict = {call}\n"
            "print(verdict)\n"
            f"assert verdict.ok, f\"{check}: not yet right. {{verdict}}\"\n")


def nbgrader_metadata(grade_id, *, solution=False, grade=False, points=0):
    meta = {"grade": grade, "grade_id": grade_id, "locked": not solution, "schema_version": 3,
            "solution": solution, "task": False}
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def student_source(nb, stem):
    """The nbgrader source notebook for ``nb`` (a copy; ``nb`` is left as it was)."""
    nb = nbformat.from_dict(nb)
    exercises = {i for i, _ in exercise_cells(nb)}
    cells, number = [nbformat.v4.new_markdown_cell(NOTICE)], 0
    for i, cell in enumerate(nb.cells):
        cell.pop("id", None)
        if cell.cell_type == "markdown":
            text = SOLUTION_BLOCK.sub("", cell.source).strip()
            if text:
                cells.append(nbformat.v4.new_markdown_cell(text))
            continue
        if cell.cell_type != "code":
            continue
        if i not in exercises:
            cells.append(nbformat.v4.new_code_cell(cell.source))
            continue
        answer, calls = split_exercise(cell.source)
        number += 1
        answer_cell = nbformat.v4.new_code_cell(answer)
        answer_cell.metadata.update(nbgrader_metadata(f"{stem}-exercise{number}-answer", solution=True))
        cells.append(answer_cell)
        for k, call in enumerate(calls, 1):
            check = CHECK_NAME.search(call).group(1)
            if check not in POINTS:
                raise KeyError(f"{stem}: {check} has no entry in POINTS")
            graded = nbformat.v4.new_code_cell(graded_source(call, check))
            graded.metadata.update(nbgrader_metadata(f"{stem}-exercise{number}-check{k}", grade=True,
                                                     points=POINTS[check]))
            cells.append(graded)
    out = nbformat.v4.new_notebook(cells=cells)
    out.metadata = {key: value for key, value in nb.metadata.items() if key in ("kernelspec", "language_info")}
    return out


def solutions(nb):
    """The course's own solution code for each exercise cell of ``nb``, in order."""
    found = []
    for i, markdown in exercise_cells(nb):
        block = SOLUTION_BLOCK.match(markdown.lstrip()).group(0)
        code = PYTHON_BLOCK.findall(block)
        if not code:
            raise ValueError(f"the solution after cell {i} has no python code block")
        found.append("\n".join(code))
    return found


def fill_answers(student, answers):
    """A copy of a student notebook (source or release) with its answer cells replaced by ``answers``, in order."""
    student = nbformat.from_dict(student)
    cells = [c for c in student.cells if c.metadata.get("nbgrader", {}).get("solution")]
    if len(cells) != len(answers):
        raise ValueError(f"{len(cells)} answer cells, {len(answers)} answers")
    for cell, answer in zip(cells, answers):
        cell.source = answer
    return student


CONFIG = f"""c = get_config()  # noqa: F821  (nbgrader's configuration file)
c.CourseDirectory.course_id = "{COURSE_ID}"
c.Execute.timeout = {EXECUTE_TIMEOUT}
"""


def write_source(course):
    """Write the nbgrader course folder: nbgrader_config.py and one assignment per notebook under source/."""
    course = Path(course)
    (course / "source").mkdir(parents=True, exist_ok=True)
    (course / "nbgrader_config.py").write_text(CONFIG)
    names = []
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        stem = path.stem
        folder = course / "source" / stem
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(student_source(nbformat.read(path, as_version=4), stem), folder / path.name)
        names.append(stem)
    return names


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("source").add_argument("course", type=Path)
    fill = sub.add_parser("solutions")
    fill.add_argument("notebook", type=Path, help="a student notebook (from source/ or release/)")
    fill.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    if args.command == "source":
        for name in write_source(args.course):
            print(name)
    else:
        original = nbformat.read(NOTEBOOKS / f"{args.notebook.stem}.ipynb", as_version=4)
        student = nbformat.read(args.notebook, as_version=4)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(fill_answers(student, solutions(original)), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
