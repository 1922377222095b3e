"""The classroom edition (``make classroom``, tools/classroom.py): no solution left, checks that grade.

Without nbgrader: every exercise of every notebook becomes an answer cell and locked graded
cells whose points come from ``POINTS``; no solution's text or code is left anywhere in the
edition; a graded cell raises on a wrong or missing answer and passes on the course's solution.

With nbgrader (marker ``classroom``; ``make test`` installs it into .venv-classroom, away
from the learner's environment): the course folder is written, ``generate_assignment`` makes the
student edition of notebooks 01 and 02, and ``autograde`` grades two submissions of each, the
course's own solutions and the blank edition: full marks for the first, none for the second, as
the exported grades.csv says.
"""

import csv
import importlib.util
import os
import re
import subprocess
from pathlib import Path

import nbformat
import pytest

import course_utils as cu

ROOT = Path(__file__).resolve().parents[1]
CLASSROOM_VENV = ROOT / ".venv-classroom"
spec = importlib.util.spec_from_file_location("classroom", ROOT / "tools" / "classroom.py")
classroom = importlib.util.module_from_spec(spec)
spec.loader.exec_module(classroom)

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def read(path):
    return nbformat.read(path, as_version=4)


def graded(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]


def answers(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]


def test_every_check_has_points_and_every_point_a_check():
    assert set(classroom.POINTS) == {check.__name__ for check, _ in cu.exercises.CHECKS}
    assert all(isinstance(p, int) and p > 0 for p in classroom.POINTS.values())


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_exercise_becomes_an_answer_cell_and_locked_graded_checks(path):
    original = read(path)
    student = classroom.student_source(original, path.stem)
    exercises = list(classroom.exercise_cells(original))
    assert exercises, f"{path.name}: no exercise found"
    assert len(answers(student)) == len(exercises)
    calls = [c for i, _ in exercises for c in classroom.split_exercise(original.cells[i].source)[1]]
    cells = graded(student)
    assert len(cells) == len(calls)
    for cell, call in zip(cells, calls):
        meta = cell.metadata["nbgrader"]
        check = re.search(r"check_\w+", call).group()
        assert meta["locked"] and meta["points"] == classroom.POINTS[check]
        assert call in cell.source and "assert verdict.ok" in cell.source
    ids = [c.metadata["nbgrader"]["grade_id"] for c in answers(student) + cells]
    assert len(ids) == len(set(ids))
    assert read(path) == original, "the source notebook was changed"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_solution_is_left_in_the_edition(path):
    original = read(path)
    student = classroom.student_source(original, path.stem)
    text = "\n".join(c.source for c in student.cells)
    assert "<details" not in text and "Solution</summary>" not in text
    # The solutions' own lines: those the question does not show already (a signature, the data's loading).
    question = "\n".join(classroom.SOLUTION_BLOCK.sub("", c.source) for c in original.cells)
    own = {line.strip() for solution in classroom.solutions(original) for line in solution.splitlines()
           if line.strip() and not line.strip().startswith("#") and line.strip() not in question}
    assert own, f"{path.name}: no line of a solution is its own"
    left = [line for line in own if line in text]
    assert not left, f"{path.name}: solution lines left in the edition: {left}"
    assert not student.metadata.get("widgets"), "widget state was kept"
    assert all(not c.get("outputs") for c in student.cells if c.cell_type == "code")
    assert "no solutions" in student.cells[0].source


def run_cells(cells):
    """Run the cells' code in one namespace, as a kernel would (IPython's % lines left out); returns the namespace."""
    namespace = {}
    for cell in cells:
        code = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith("%"))
        exec(compile(code, "<cell>", "exec"), namespace)
    return namespace


@pytest.mark.parametrize("filled", [False, True], ids=["blank", "solved"])
def test_a_graded_cell_raises_unless_the_answer_is_right(filled, capsys):
    """Notebook 01's first exercise, run as the edition runs it: the blank answer raises, the solution passes."""
    original = read(ROOT / "notebooks" / "01_dataset.ipynb")
    student = classroom.student_source(original, "01_dataset")
    if filled:
        student = classroom.fill_answers(student, classroom.solutions(original))
    first_answer = student.cells.index(answers(student)[0])
    setup = [c for c in student.cells[:first_answer] if c.cell_type == "code"]
    namespace = run_cells(setup + [student.cells[first_answer]])
    check = student.cells[first_answer + 1]
    if filled:
        exec(compile(check.source, "<cell>", "exec"), namespace)
        assert "[ok]" in capsys.readouterr().out
    else:
        with pytest.raises(AssertionError, match="not yet right"):
            exec(compile(check.source, "<cell>", "exec"), namespace)


# ----- with nbgrader, offline -----

# The steps a teacher runs as `nbgrader generate_assignment`, `autograde` and `export`, through the same
# nbgrader apps (its NbGraderAPI and CSV export plugin) in one child process of .venv-classroom: each
# `nbgrader` command pays about 4 s to start, and this test needs seven of them.
GRADE = r"""
import importlib.util, os, sys
from pathlib import Path
import nbformat
from traitlets.config.loader import PyFileConfigLoader
from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from nbgrader.plugins import CsvExportPlugin

root, course, names = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
spec = importlib.util.spec_from_file_location("classroom", root / "tools" / "classroom.py")
classroom = importlib.util.module_from_spec(spec)
spec.loader.exec_module(classroom)
os.chdir(course)
config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
coursedir = CourseDirectory(config=config, root=str(course))
api = NbGraderAPI(coursedir=coursedir, config=config)


def run(step, *args):
    result = getattr(api, step)(*args)
    if not result["success"]:
        sys.exit(f"nbgrader {step} {' '.join(args)} failed:\n{result.get('log', '')[-2000:]}\n{result.get('error', '')[-4000:]}")


for name in names:
    run("generate_assignment", name)
    release = course / "release" / name / f"{name}.ipynb"
    solutions = classroom.solutions(nbformat.read(root / "notebooks" / f"{name}.ipynb", as_version=4))
    for student, fill in (("solved", True), ("blank", False)):
        folder = course / "submitted" / student / name
        folder.mkdir(parents=True)
        nb = nbformat.read(release, as_version=4)
        nbformat.write(classroom.fill_answers(nb, solutions) if fill else nb, folder / f"{name}.ipynb")
    for student in ("solved", "blank"):
        run("autograde", name, student)
with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
    CsvExportPlugin(to="grades.csv", parent=api).export(gradebook)
"""


@pytest.mark.classroom
@pytest.mark.slow
def test_nbgrader_gives_full_marks_to_the_solutions_and_none_to_a_blank_edition(tmp_path):
    python = CLASSROOM_VENV / "bin" / "python"
    if not (CLASSROOM_VENV / "bin" / "nbgrader").exists():
        pytest.fail("nbgrader is not installed in .venv-classroom: run `make classroom` (or `make test`) first")
    course = tmp_path / "course"
    names = classroom.write_source(course)
    assert names == [p.stem for p in NOTEBOOKS]
    chosen = ["01_dataset", "02_sigmoid_vs_linear"]
    env = dict(os.environ, PATH=f"{CLASSROOM_VENV / 'bin'}{os.pathsep}{os.environ['PATH']}")
    env.pop("COURSE_FIGURES_DIR", None)
    done = subprocess.run([str(python), "-c", GRADE, str(ROOT), str(course), *chosen], cwd=course, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"grading failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    for name in chosen:
        text = (course / "release" / name / f"{name}.ipynb").read_text()
        assert "<details" not in text and "BEGIN SOLUTION" not in text
    with open(course / "grades.csv", newline="") as f:
        rows = {(r["assignment"], r["student_id"]): r for r in csv.DictReader(f)}
    for name in chosen:
        original = read(ROOT / "notebooks" / f"{name}.ipynb")
        total = sum(classroom.POINTS[re.search(r"check_\w+", call).group()]
                    for i, _ in classroom.exercise_cells(original)
                    for call in classroom.split_exercise(original.cells[i].source)[1])
        solved, blank = rows[(name, "solved")], rows[(name, "blank")]
        assert float(solved["max_score"]) == total > 0
        assert float(solved["score"]) == total, solved
        assert float(blank["score"]) == 0, blank
