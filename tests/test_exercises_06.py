"""The exercise checks of notebook 06: right answers as printed, each usual slip named, wrong answers refused.

The exercise cells are read from the notebook itself: each placeholder says "not attempted", each
folded solution passes, the data the cells print are the data the checks use, and what the solutions'
prose says of those data holds. The right values are worked out by hand in the comments.
"""

import contextlib
import inspect
import io
import json
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

import course_utils as cu
from course_utils.exercises import regularisation as reg
from course_utils.exercises.feedback import MAX_MESSAGE

ROOT = Path(__file__).resolve().parents[1]
CHECK_LINE = re.compile(r"^print\((cu\.exercises\.regularisation\.check_\w+\(answer\))\)$")


def _cells():
    """Notebook 06's cells from its "## Exercises" on, each with its source as one string."""
    notebook = next(ROOT.glob("notebooks/06_*.ipynb"))
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    start = next(i for i, c in enumerate(cells) if "## Exercises" in "".join(c["source"]))
    return [dict(c, source=_source(c)) for c in cells[start:]]      # a notebook file stores a list of lines


def _source(cell):
    return "".join(cell["source"])


def _exercises():
    """(placeholder code, check expression, solution code, solution prose) for each exercise."""
    cells = _cells()
    found = []
    for cell, after in zip(cells, cells[1:]):
        if cell["cell_type"] != "code":
            continue
        lines = _source(cell).splitlines()
        checks = [m.group(1) for m in map(CHECK_LINE.match, lines) if m]
        body = "\n".join(line for line in lines if not CHECK_LINE.match(line))
        details = re.search(r"<details><summary>Solution</summary>(.*?)</details>", _source(after), re.S)
        solution = "\n".join(re.findall(r"```python\n(.*?)```", details.group(1), re.S))
        found.append((body, checks, solution, details.group(1)))
    return found


def _run(code, namespace, check=None):
    with contextlib.redirect_stdout(io.StringIO()):
        exec(code, namespace)
        return eval(check, namespace) if check else None


def _feedback(check, answer):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        feedback = check(answer)
    assert len(str(feedback)) <= MAX_MESSAGE
    return feedback


# ----- the cells -----

def test_three_exercises_each_with_one_check_and_a_solution():
    found = _exercises()
    assert [checks for _, checks, _, _ in found] == [
        ["cu.exercises.regularisation.check_bias_variance(answer)"],
        ["cu.exercises.regularisation.check_momentum_step(answer)"],
        ["cu.exercises.regularisation.check_best_lambda(answer)"]]
    assert all(solution.strip() for _, _, solution, _ in found)
    assert _source(_cells()[0]).startswith("## Exercises")


@pytest.mark.parametrize("k", range(3), ids=["bias_variance", "momentum_step", "best_lambda"])
def test_placeholder_is_not_attempted_and_solution_passes(k):
    # The solution is the whole cell filled in (its data too), so it runs on its own, as the classroom edition's
    # answer cell does.
    body, (check,), solution, _ = _exercises()[k]
    placeholder = _run(body, {"np": np, "cu": cu}, check)
    assert placeholder.status == "not attempted" and str(placeholder).startswith("[ ]"), str(placeholder)
    solved = _run(solution, {"np": np, "cu": cu}, check)
    assert solved.ok, str(solved)
    data = [line for line in body.splitlines() if line.strip() and not line.startswith("answer = None")]
    assert solution.splitlines()[:len(data)] == data


def _data(k):
    namespace = {"np": np, "cu": cu}
    _run(_exercises()[k][0], namespace)
    return namespace


def test_the_cells_print_the_data_the_checks_use():
    one, two, three = _data(0), _data(1), _data(2)
    assert np.array_equal(one["P"], reg.PREDICTIONS) and np.array_equal(one["f"], reg.F_GRID)
    assert {k: two[k] for k in reg.STEP} == reg.STEP
    for name, data in (("lambdas", reg.LAMBDAS), ("train_mse", reg.TRAIN_MSE), ("bias2", reg.BIAS2),
                       ("G", reg.G_SETS)):
        assert np.array_equal(three[name], data), name


def test_what_the_solutions_say_holds():
    # Exercise 1: bias² 1.2 and variance 0.7 add up to the mean G 1.9, as cu.bias_variance splits it; the third
    # and fifth grid points add neither.
    split = cu.bias_variance(reg.PREDICTIONS, reg.F_GRID)
    assert (split.bias2, split.variance, split.mean_G) == pytest.approx((1.2, 0.7, 1.9), abs=1e-12)
    assert split.mean_G == pytest.approx(float(np.mean((reg.PREDICTIONS - reg.F_GRID) ** 2)), abs=1e-12)
    quiet = np.all(reg.PREDICTIONS == reg.F_GRID, axis=0)
    assert np.flatnonzero(quiet).tolist() == [2, 4]
    # Exercise 2: this step 1 - 0.58 = 0.42 is shorter than plain SGD's 0.2 * 3 = 0.6.
    w, buf = reg._step(**reg.STEP)
    assert (w, buf) == pytest.approx((0.58, 2.1)) and reg.STEP["w"] - w < reg.STEP["lr"] * reg.STEP["g"]
    # Exercise 3: mean G is lowest, 0.61, at λ = 0.003; training MSE lowest at λ = 0, bias² at a tiny λ > 0;
    # the variance (mean G - bias²) shrinks as λ grows; the first set is best at 0.001, the third at 0.01.
    mean = reg.G_SETS.mean(axis=0)
    assert reg.LAMBDAS[np.argmin(mean)] == 0.003 and mean.min() == pytest.approx(0.61)
    assert reg.LAMBDAS[np.argmin(reg.TRAIN_MSE)] == 0.0 and 0 < reg.LAMBDAS[np.argmin(reg.BIAS2)] < 0.003
    assert np.all(np.diff(mean - reg.BIAS2) < 0) and np.all(mean > reg.BIAS2)
    assert reg.LAMBDAS[np.argmin(reg.G_SETS, axis=1)][[0, 2]].tolist() == [0.001, 0.01]
    prose = _exercises()[2][3]
    assert "0.001 for the first, 0.01 for the third" in prose and "0.61" in prose


def _heavy_ball(w, grads, rates, beta):
    """cu.train's momentum: buf = beta buf + g (buf starts at g), w -= lr buf."""
    buf = 0.0
    for g, lr in zip(grads, rates):
        buf = beta * buf + g
        w -= lr * buf
    return w


def _velocity(w, grads, rates, beta):
    """The form with the rate folded in: v = beta v + lr g, w -= v."""
    v = 0.0
    for g, lr in zip(grads, rates):
        v = beta * v + lr * g
        w -= v
    return w


def test_the_two_forms_of_momentum_agree_at_a_constant_rate_only():
    # Exercise 2's prose: v = lr buf gives the same steps while lr is constant, and differs once it changes.
    grads = np.random.default_rng(6).normal(size=20)
    constant, scheduled = np.full(20, 0.2), np.where(np.arange(20) < 10, 0.2, 0.02)
    assert _velocity(1.0, grads, constant, 0.9) == pytest.approx(_heavy_ball(1.0, grads, constant, 0.9), abs=1e-12)
    assert abs(_velocity(1.0, grads, scheduled, 0.9) - _heavy_ball(1.0, grads, scheduled, 0.9)) > 1e-3


def test_the_momentum_step_is_the_one_cu_train_takes():
    if "optimizer" not in inspect.signature(cu.train).parameters:
        pytest.skip("cu.train has no optimizer= yet")
    X, y = cu.make_dataset(30)
    start = cu.init_params(3, seed=0)
    first = cu.backward(X, y, start)
    after_one = cu.train(X, y, start, lr=0.01, epochs=1, optimizer="momentum", momentum=0.9).params
    second = cu.backward(X, y, after_one)
    after_two = cu.train(X, y, start, lr=0.01, epochs=2, optimizer="momentum", momentum=0.9).params
    for key in start:        # the buffer after step 1 is the first gradient; step 2 is the exercise's step
        w, _ = reg._step(after_one[key], second[key], first[key], 0.01, 0.9)
        np.testing.assert_allclose(after_two[key], w, rtol=1e-9, atol=1e-12)


# ----- right answers, typed as printed -----

RIGHT = [
    (reg.check_bias_variance, (1.2, 0.7)),
    (reg.check_bias_variance, [1.2, 0.7]),
    (reg.check_bias_variance, np.array([1.2, 0.7])),
    (reg.check_bias_variance, (float("1.2000"), float("0.7000"))),        # printed with :.4f
    (reg.check_bias_variance, (1.20, 0.70)),
    (reg.check_momentum_step, (0.58, 2.1)),
    (reg.check_momentum_step, (1.0 - 0.2 * (0.9 * -1.0 + 3.0), 0.9 * -1.0 + 3.0)),   # as computed
    (reg.check_momentum_step, (0.5800, 2.1000)),
    (reg.check_best_lambda, 0.003),
    (reg.check_best_lambda, 3e-3),
    (reg.check_best_lambda, np.float64(0.003)),
    (reg.check_best_lambda, np.array([0.003])),
]


@pytest.mark.parametrize("check, answer", RIGHT, ids=[f"{c.__name__}-{a!r:.24}" for c, a in RIGHT])
def test_right_answers_are_accepted(check, answer):
    feedback = _feedback(check, answer)
    assert feedback.ok, str(feedback)


def test_the_split_as_cu_bias_variance_computes_it_is_accepted():
    split = cu.bias_variance(reg.PREDICTIONS, reg.F_GRID)
    assert _feedback(reg.check_bias_variance, (split.bias2, split.variance)).ok
    whole = _feedback(reg.check_bias_variance, split)                    # all five fields: too many
    assert not whole.ok and "5 numbers" in whole.message
    namespace = _data(2)
    assert _feedback(reg.check_best_lambda, namespace["lambdas"][3]).ok


# ----- each slip named -----

P, F = reg.PREDICTIONS, reg.F_GRID
MEAN = P.mean(axis=0)
SLIPS = [
    # Exercise 1: the right pair is (1.2, 0.7).
    (reg.check_bias_variance, (0.7, 1.2), ["swapped"]),
    (reg.check_bias_variance, (1.2, float(np.mean(P.var(axis=0, ddof=1)))), ["ddof=1", "bias² is right"]),  # 0.9333
    (reg.check_bias_variance, (1.2, 0.93), ["ddof=1"]),
    (reg.check_bias_variance, (float(np.mean(MEAN - F)), 0.7), ["square it first", "variance is right"]),   # 0.4
    (reg.check_bias_variance, (float(np.mean(np.abs(MEAN - F))), 0.7), ["size of the gap"]),                # 0.8
    (reg.check_bias_variance, (float(np.mean(MEAN - F)) ** 2, 0.7), ["then squared"]),                      # 0.16
    (reg.check_bias_variance, (1.0954, 0.7), ["root of bias²"]),                                           # √1.2
    (reg.check_bias_variance, (float(np.mean((P - F) ** 2)), 0.7), ["mean G"]),                             # 1.9
    (reg.check_bias_variance, (1.2, 1.9), ["around f"]),
    (reg.check_bias_variance, (1.2, float(np.mean(P.std(axis=0)))), ["standard deviation"]),                # 0.6
    (reg.check_bias_variance, (1.2, 0.8367), ["standard deviation"]),                                       # √0.7
    (reg.check_bias_variance, (1.2, float(np.mean(P.var(axis=1)))), ["axis=1"]),                            # 4.4
    (reg.check_bias_variance, (6.0, 3.5), ["summed"]),
    (reg.check_bias_variance, (1.2, 0.9), ["variance 0.9 is not it", "bias² is right"]),
    (reg.check_bias_variance, (1, 0.7), ["significant figures"]),                                           # too short
    (reg.check_bias_variance, 1.2, ["two numbers"]),
    # Exercise 2: w 1, g 3, buf -1, lr 0.2, beta 0.9; right (0.58, 2.1).
    (reg.check_momentum_step, (2.1, 0.58), ["swapped"]),
    (reg.check_momentum_step, (0.58, 0.42), ["lr * buf", "w is right"]),                 # v = lr buf = 0.42
    (reg.check_momentum_step, (0.58, -1.0), ["updated too"]),
    (reg.check_momentum_step, (1.12, -0.6), ["damped"]),                                # buf 0.1 * 3 - 0.9
    (reg.check_momentum_step, (1.3, -0.3), ["lr inside the buffer"]),                   # v = -0.9 + 0.6
    (reg.check_momentum_step, (0.4, 3.0), ["plain gradient step"]),                     # 1 - 0.2 * 3
    (reg.check_momentum_step, (0.4, -1.0), ["plain gradient step"]),
    (reg.check_momentum_step, (1.42, 2.1), ["downhill"]),                               # sign error
    (reg.check_momentum_step, (1.2, 2.1), ["old buffer"]),                              # 1 - 0.2 * (-1)
    (reg.check_momentum_step, (0.66, 1.7), ["beta multiplies the old buffer"]),         # buf -1 + 0.9 * 3
    (reg.check_momentum_step, (0.42, 2.1), ["the step"]),
    (reg.check_momentum_step, (0.5, 2.1), ["your buffer is right", "w = w - lr buf"]),
    (reg.check_momentum_step, (0.6, 2.1), ["significant figures"]),                     # 0.58 to one figure
    (reg.check_momentum_step, 0.58, ["w is right", "pair (w, buf)"]),
    # Exercise 3: the mean G is lowest at λ = 0.003 (index 3).
    (reg.check_best_lambda, 0.0, ["training MSE"]),
    (reg.check_best_lambda, 0, ["training MSE", "axis=0"]),
    (reg.check_best_lambda, 0.0003, ["lowest bias²"]),
    (reg.check_best_lambda, 0.001, ["first training set alone"]),
    (reg.check_best_lambda, 0.01, ["lowest single G", "one lucky set"]),
    (reg.check_best_lambda, 0.03, ["more decay adds bias²"]),
    (reg.check_best_lambda, 0.1, ["more decay adds bias²"]),
    (reg.check_best_lambda, 3, ["position", "not a λ"]),
    (reg.check_best_lambda, 0.61, ["lowest mean G", "its λ"]),
    (reg.check_best_lambda, 0.41, ["value of G"]),
    (reg.check_best_lambda, 0.0031, ["pick one of the listed"]),
]


@pytest.mark.parametrize("check, answer, words", SLIPS, ids=[f"{c.__name__}-{a!r:.24}" for c, a, _ in SLIPS])
def test_each_slip_is_named(check, answer, words):
    feedback = _feedback(check, answer)
    assert feedback.status == "incorrect", str(feedback)
    for word in words:
        assert word in feedback.message, str(feedback)


@pytest.mark.parametrize("digits", [2, 3, 4, 12])
def test_every_recognised_slip_is_named_at_every_precision(digits):
    # Each slip the checks know, rounded to 2, 3, 4 or 12 significant figures, is refused with its own hint.
    round_to = lambda x: float(f"{x:.{digits}g}")  # noqa: E731
    bias_slips, variance_slips = reg._split_slips(P, F)
    for slip, why in bias_slips.items():
        assert why in _feedback(reg.check_bias_variance, (round_to(slip), 0.7)).message
    for slip, why in variance_slips.items():
        assert why in _feedback(reg.check_bias_variance, (1.2, round_to(slip))).message
    for pair, why in reg._momentum_slips(**reg.STEP):
        feedback = _feedback(reg.check_momentum_step, tuple(map(round_to, pair)))
        assert not feedback.ok and feedback.message == why, (pair, str(feedback))


# ----- wrong answers refused -----

def test_near_misses_are_refused():
    # At most three figures are compared: 0.6994 is 0.0006 from 0.7, more than half a unit of the third.
    for answer in [(1.2, 0.71), (1.19, 0.7), (1.25, 0.7), (1.2, 0.6994), (1.21, 0.69)]:
        assert not _feedback(reg.check_bias_variance, answer).ok, answer
    for answer in [(0.59, 2.1), (0.58, 2.2), (0.5794, 2.1), (0.57, 2.09)]:
        assert not _feedback(reg.check_momentum_step, answer).ok, answer
    for answer in [0.0031, 0.00299, 0.0030001, 0.002, 0.004]:
        assert not _feedback(reg.check_best_lambda, answer).ok, answer


def test_only_pairs_within_rounding_of_the_right_one_are_accepted():
    # A grid of pairs in steps of 0.005: accepted only within half a unit of the second figure (0.05 for 1.2,
    # 0.005 for 0.7 and 0.58, 0.05 for 2.1).
    for check, (a, b), (ta, tb) in [(reg.check_bias_variance, (1.2, 0.7), (0.05, 0.005)),
                                    (reg.check_momentum_step, (0.58, 2.1), (0.005, 0.05))]:
        for x in np.round(np.arange(a - 0.3, a + 0.3, 0.005), 3):
            for y in np.round(np.arange(b - 0.3, b + 0.3, 0.05), 3):
                if check((float(x), float(y))).ok:
                    assert abs(x - a) <= ta + 1e-9 and abs(y - b) <= tb + 1e-9, (check.__name__, x, y)


def test_only_the_right_listed_lambda_is_accepted():
    accepted = [lam for lam in reg.LAMBDAS if _feedback(reg.check_best_lambda, float(lam)).ok]
    assert accepted == [0.003]
    hints = {_feedback(reg.check_best_lambda, float(lam)).message for lam in reg.LAMBDAS if lam != 0.003}
    assert len(hints) == len(reg.LAMBDAS) - 1          # a hint of its own for each wrong λ


# ----- the classroom edition -----

def test_the_classroom_edition_grades_the_cells():
    # tools/classroom.py on a notebook of these cells: three answer cells, three graded cells that raise on the
    # placeholders and pass on the course's solutions, and no line of a solution left.
    import importlib.util
    import nbformat
    spec = importlib.util.spec_from_file_location("classroom", ROOT / "tools" / "classroom.py")
    classroom = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(classroom)
    setup = nbformat.v4.new_code_cell("import numpy as np\nimport course_utils as cu")
    nb = nbformat.v4.new_notebook(cells=[setup] + [nbformat.from_dict(c) for c in _cells()])
    student = classroom.student_source(nb, "06_regularisation")
    text = "\n".join(c.source for c in student.cells)
    own = {line.strip() for solution in classroom.solutions(nb) for line in solution.splitlines()
           if line.strip() and line.strip() not in "\n".join(_source(c) for c in _cells() if c["cell_type"] == "code")}
    assert own and not [line for line in own if line in text] and "<details" not in text
    for filled in (False, True):
        edition = classroom.fill_answers(student, classroom.solutions(nb)) if filled else student
        namespace = {}
        graded = [c for c in edition.cells if c.metadata.get("nbgrader", {}).get("grade")]
        assert len(graded) == 3
        with contextlib.redirect_stdout(io.StringIO()):
            for cell in edition.cells:
                if cell.cell_type != "code":
                    continue
                if cell in graded and not filled:
                    with pytest.raises(AssertionError, match="not yet right"):
                        exec(cell.source, namespace)
                else:
                    exec(cell.source, namespace)
