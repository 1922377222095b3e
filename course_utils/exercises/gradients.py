"""The check a learner runs on their own ``backward`` (notebook 03, exercise 1): ``check_gradients``.

It runs the learner's function on a small random problem and compares each
gradient with ``numerical_gradient``. Its ``GradientReport`` is a ``Feedback``
like every other check's, and it never raises; when a gradient is wrong it says
how: a wrong shape, NaN, a missing key here, and a constant factor, a flipped sign,
zeros or a slip about the output layer through ``gradient_slips.py``.
"""

import numpy as np

from .._checks import check_output, check_seed
from ..gradcheck import TOLERANCE, matches, numerical_gradient, relative_error, rounding_level
from ..network import forward, init_params, mse
from ..text import brief, clip, error_text, keys
from .feedback import CORRECT, INCORRECT, NOT_ATTEMPTED, Feedback, is_complex
from .learner_code import LearnerCode, attempt, non_finite, real_array
from .gradient_slips import diagnose, whole_slip


class GradientReport(Feedback):
    """The ``Feedback`` of ``check_gradients``, with ``.errors`` (key -> relative error) and ``.problems``.

    Shown like every check (``[ ]``, ``[ok]`` or ``[x]``, then what it found), in at
    most ``MAX_MESSAGE`` characters; while ``backward`` is still the placeholder it
    says "not attempted yet".
    """

    def __init__(self, output, problems, errors, not_written=False, reason="it raised NotImplementedError"):
        self.output, self.problems, self.errors = output, problems, errors
        exercise = f"Gradient check, {clip(output, 40)} output"
        if not_written:
            status, message = NOT_ATTEMPTED, (f"not attempted yet: backward is not written yet ({reason}). "
                                              "Fill it in and run this check again.")
        elif not problems and all(error < TOLERANCE for error in errors.values()):
            # The errors themselves are rounding noise whose digits vary between machines; they stay in .errors.
            status, message = CORRECT, f"all four gradients match (every relative error is below {TOLERANCE:.0e})."
        elif not problems:
            status, message = CORRECT, (f"all four gradients match (relative errors below {TOLERANCE:.0e}, except in "
                                        "entries so small that finite differences resolve them only to rounding).")
        else:
            status = INCORRECT
            message = f"{len(problems)} problem(s)\n" + "\n".join(f"  - {clip(p, 200)}" for p in problems)
        super().__init__(exercise, status, message)


class _Backward(LearnerCode):
    """The learner's ``backward``, whose failures become a ``GradientReport``."""

    def __init__(self, fn, output):
        self.output = output
        super().__init__(f"Gradient check, {output} output", fn, "backward", copy_args=False)

    def not_attempted(self, reason, what):
        return GradientReport(self.output, [], {}, not_written=True, reason=reason)

    def hint(self, message):
        return GradientReport(self.output, [message], {})
def small_problem(n_samples, seed):
    """A small problem to run a learner's function on: X (n, 2), y (n, 1), width 3, random weights and biases.

    Every gradient check runs on 7 samples; the training-loop check of ``backprop.py`` on 6.
    """
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2.0, 2.0, size=(n_samples, 2))
    y = rng.normal(0.0, 1.0, size=(n_samples, 1))
    params = init_params(3, "random", seed=rng)
    params["b1"] = rng.normal(0.0, 0.5, size=3)
    params["b2"] = rng.normal(0.0, 0.5, size=1)
    return X, y, params


def _usable(key, value, ref):
    """``(float array, None)`` for a usable gradient, or ``(None, problem)``."""
    if value is None:
        return None, f"{key}: is None instead of an array shaped like params['{key}']."
    if is_complex(value):
        return None, "complex"
    mine, message = real_array(value, key)
    if message:
        return None, f"{key}: is not an array of numbers ({brief(value, 50)})."
    if mine.shape != ref.shape:
        hint = " It looks transposed." if mine.shape == ref.shape[::-1] and mine.ndim == 2 else ""
        return None, f"{key}: wrong shape {mine.shape}, expected {ref.shape} (the shape of params['{key}']).{hint}"
    if non_finite(mine):
        return None, "non-finite"
    return mine, None


def _grade(backward_fn, output, seed):
    """The ``GradientReport`` of ``backward_fn`` on the problem of ``seed``; ``check_gradients`` keeps it quiet."""
    try:
        check_output(output)
        seed = check_seed(seed)
    except (TypeError, ValueError) as err:
        return GradientReport(output, [str(err)], {})
    code = _Backward(backward_fn, output)
    if code.problem:
        return code.problem
    X, y, params = small_problem(7, seed)
    reference = numerical_gradient(X, y, params, output)
    rounding = rounding_level(mse(y, forward(X, params, output)))
    given = {k: v.copy() for k, v in params.items()}
    grads = code.call(X.copy(), y.copy(), given, output=output)
    if code.problem:
        return code.problem
    problems, errors = [], {}
    if set(given) != set(params):
        problems.append(f"backward changed the keys of the params dict it was given (now {brief(given)}); "
                        "it should only read them.")
    elif any(not np.array_equal(np.asarray(given[k], dtype=object), params[k]) for k in params):
        problems.append("backward changed the params it was given; it should only read them.")
    if grads is None:
        return GradientReport(output, problems + ["backward returned None: did you forget the `return`?"], {})
    if not isinstance(grads, dict):
        return GradientReport(output, problems + [f"backward should return a dict of gradients with keys W1, b1, W2, "
                                                  f"b2, got {brief(grads)}."], {})
    usable, kinds = {}, {"complex": [], "non-finite": []}
    for key, ref in reference.items():
        if key not in grads:
            problems.append(f"{key}: missing from the returned dict (it has {keys(grads, 6) or 'no keys'}).")
            continue
        mine, problem = _usable(key, grads[key], ref)
        if problem in kinds:
            kinds[problem].append(key)
        elif problem:
            problems.append(problem)
        if problem:
            continue
        usable[key] = mine
        errors[key] = relative_error(mine, ref)
    if kinds["complex"]:
        problems.append(f"{', '.join(kinds['complex'])}: complex numbers; the gradient of this real loss is real.")
    if kinds["non-finite"]:
        problems.append(f"{', '.join(kinds['non-finite'])}: the gradient contains NaN or inf, but the right one is "
                        "finite: a division by zero or an overflowing exp?")
    wrong = [k for k in usable if not matches(usable[k], reference[k], rounding)]
    slip = whole_slip(X, y, params, output, usable, rounding) if len(usable) == len(reference) and wrong else None
    if slip:
        problems.append(slip)
    else:
        problems.extend(diagnose(wrong, usable, reference, len(X), rounding))
    return GradientReport(output, problems, errors)


def check_gradients(backward_fn, output="linear", seed=0):
    """Run ``backward_fn(X, y, params, output=output)`` on a small random problem and grade it.

    Parameters
    ----------
    backward_fn : callable
        A function with the signature of ``course_utils.backward``. It gets copies
        of the data; the check waits for it to return (there is no time limit).
    output : {"linear", "sigmoid"}
    seed : int, numpy.random.Generator or None
        Seeds the small problem (7 samples, 3 hidden units, random weights): None, a whole number >= 0
        or a Generator, as everywhere in the package.

    Returns
    -------
    GradientReport
        Never raises: a crash (``SystemExit``, ``GeneratorExit`` and every other
        ``BaseException`` but ``KeyboardInterrupt``, so Ctrl-C still stops it), a
        missing key, a wrong shape, NaN, inf or complex numbers are reported, not
        thrown, and no warning escapes.
    """
    report, err = attempt(lambda: _grade(backward_fn, output, seed))
    if err is None:
        return report
    return GradientReport(output, [f"could not check backward ({error_text(err)})."], {})    # whatever it was given
