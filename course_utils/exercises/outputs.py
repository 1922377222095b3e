"""Auto-checks for the exercises of notebook 02 (sigmoid versus linear output).

Each check takes the learner's answer, returns a ``Feedback`` and never raises:
errors inside the learner's own code become hints.
"""

import warnings

import numpy as np

from ..activations import sigmoid
from .feedback import Feedback, is_blank, number_answer


def check_forward_by_hand(answer):
    """Check the linear-output prediction of the ones-init 2-2-1 network for x = (1, 2).

    Parameters
    ----------
    answer : float
        ``y_hat`` for the input ``x1 = 1, x2 = 2``: each hidden unit gets
        ``z = 1 + 2 = 3``, gives ``sigmoid(3)``, and the output adds the two,
        so ``y_hat = 2 * sigmoid(3)``, about 1.9051.

    Returns
    -------
    Feedback
    """
    name = "Exercise 1 (one forward pass by hand)"
    value, problem = number_answer(name, answer)
    if problem:
        return problem
    s3 = float(sigmoid(3.0))
    expected = 2 * s3

    def near(target):
        return abs(value - target) <= 1e-4 * abs(target)

    if near(expected):
        return Feedback.correct(name, f"right: z = 3 in both units, h = σ(3) = {s3:.4f}, "
                                      f"y_hat = {s3:.4f} + {s3:.4f} = {expected:.4f}.")
    if near(float(sigmoid(expected))):
        return Feedback.hint(name, "you squashed the output with a sigmoid; this network's output is linear: "
                                   "y_hat = h @ W2 + b2, with nothing after it.")
    if near(6.0):
        return Feedback.hint(name, "you skipped the hidden sigmoid: each unit outputs σ(z), not z itself.")
    if near(s3):
        return Feedback.hint(name, "that is one hidden unit's output; W2 = [[1], [1]] adds both units together.")
    if near(3.0):
        return Feedback.hint(name, "3 is z, the sum each hidden unit receives; carry on through σ and the output layer.")
    return Feedback.hint(name, f"got {value:.4f}; follow z = x @ W1 + b1, h = σ(z), y_hat = h @ W2 + b2 "
                               "with every weight 1 and every bias 0.")


def _call_quietly(fn, z):
    """Call the learner's ``fn(z)`` with numpy warnings silenced; return (array, None) or (None, hint)."""
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            result = fn(z.copy())
    except NotImplementedError:
        raise
    except Exception as err:  # the learner's code failed: report it, do not raise
        return None, f"your function raised {type(err).__name__}: {err}"
    if result is None:
        return None, "your function returned None: did you forget the `return`?"
    if isinstance(result, (str, bytes)):
        return None, f"your function must return an array of numbers, it returned the text {result!r:.40}."
    try:
        return np.asarray(result, dtype=np.float64), None
    except Exception:  # not an array of numbers
        return None, f"your function must return an array of numbers, it returned {type(result).__name__}."


def check_sigmoid_prime(fn):
    """Check a learner's ``sigmoid_prime(z)``, the derivative of the sigmoid.

    Parameters
    ----------
    fn : callable
        Takes an array ``z`` of any shape and returns ``sigmoid(z) * (1 - sigmoid(z))``
        with the same shape. It is tried on a 1-D array of 41 values in [-10, 10]
        and on a (5, 1) column.

    Returns
    -------
    Feedback
    """
    name = "Exercise 2 (the sigmoid's derivative)"
    if is_blank(fn):
        return Feedback.not_attempted(name, "`sigmoid_prime`")
    if not callable(fn):
        return Feedback.hint(name, f"expected a function sigmoid_prime(z), got {type(fn).__name__}.")
    z = np.linspace(-10.0, 10.0, 41)
    column = np.array([[-3.0], [-1.0], [0.0], [2.0], [8.0]])
    try:
        got, err = _call_quietly(fn, z)
        got_col, err_col = _call_quietly(fn, column) if err is None else (None, None)
    except NotImplementedError:
        return Feedback.not_attempted(name, "the body of `sigmoid_prime`")
    if err is not None or err_col is not None:
        return Feedback.hint(name, err or err_col)
    s = sigmoid(z)
    expected = s * (1.0 - s)
    for arg, out in ((z, got), (column, got_col)):
        if out.shape != arg.shape:
            return Feedback.hint(name, f"the result must have the shape of z: for z of shape {arg.shape} "
                                       f"yours returned shape {out.shape}.")
    if not np.all(np.isfinite(got)):
        return Feedback.hint(name, "your function returned NaN or infinity for some z in [-10, 10].")
    if np.allclose(got, expected, rtol=1e-6, atol=1e-12) and np.allclose(
            got_col, sigmoid(column) * (1.0 - sigmoid(column)), rtol=1e-6, atol=1e-12):
        return Feedback.correct(name, "right: σ′(z) = σ(z)(1 − σ(z)), at most 0.25 (at z = 0) and "
                                      f"only {expected[0]:.1e} at z = ±10.")
    if np.allclose(got, s):
        return Feedback.hint(name, "that is σ(z) itself; the derivative is σ(z)·(1 − σ(z)).")
    if np.allclose(got, z * (1.0 - z)):
        return Feedback.hint(name, "you applied s·(1 − s) to z itself; first compute s = σ(z), then s·(1 − s).")
    at_zero = float(got[20])
    return Feedback.hint(name, f"at z = 0 the derivative should be σ(0)(1 − σ(0)) = 0.25, yours gives {at_zero:.4f}.")


def check_saturation_point(answer):
    """Check the positive ``z`` where the sigmoid's slope has fallen to 0.01.

    Parameters
    ----------
    answer : float
        The ``z > 0`` solving ``sigmoid(z) * (1 - sigmoid(z)) = 0.01``. With
        ``s = sigmoid(z)``, ``s - s**2 = 0.01`` gives ``s = (1 + sqrt(0.96)) / 2``
        and ``z = log(s / (1 - s))``, about 4.5849. Within 0.005 counts.

    Returns
    -------
    Feedback
    """
    name = "Exercise 3 (where the sigmoid goes flat)"
    value, problem = number_answer(name, answer)
    if problem:
        return problem
    s = (1.0 + np.sqrt(0.96)) / 2.0
    expected = float(np.log(s / (1.0 - s)))
    if abs(value - expected) <= 0.005:
        return Feedback.correct(name, f"right: z = {expected:.4f}. Beyond that the slope is under 1/25 of its "
                                      "peak, so an output unit pushed that far barely learns.")
    if abs(value + expected) <= 0.005:
        return Feedback.hint(name, "σ′ is symmetric, σ′(−z) = σ′(z); the question asks for the positive z.")
    if abs(value - np.log(99.0)) <= 0.005:
        return Feedback.hint(name, "you solved σ(z) = 0.99; the question is about the slope, σ(z)(1 − σ(z)) = 0.01.")
    slope = float(sigmoid(value) * (1.0 - sigmoid(value)))
    side = "still above" if slope > 0.01 else "already below"
    return Feedback.hint(name, f"at z = {value:.4f} the slope is {slope:.4f}, {side} 0.01. "
                               "Solve s(1 − s) = 0.01 for s = σ(z), then z = log(s / (1 − s)).")
