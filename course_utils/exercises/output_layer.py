"""Auto-checks for the exercises of notebook 02 (sigmoid versus linear output).

Each check takes the learner's answer, returns a ``Feedback`` and never raises:
errors inside the learner's own code become hints. Numbers are judged by the
tolerance policy of ``feedback.py``.
"""

import numpy as np

from ..activations import sigmoid
from ..text import written
from .feedback import RIGHT, ROUGH, Feedback, judge, matches, number_answer, too_short
from .learner_code import LearnerCode, never_raises, non_finite, real_array

FORWARD = "Exercise 1 (one forward pass by hand)"
PRIME = "Exercise 2 (the sigmoid's derivative)"
FLAT = "Exercise 3 (where the sigmoid goes flat)"


@never_raises(FORWARD)
def check_forward_by_hand(answer):
    """Check the linear-output prediction of the ones-init 2-2-1 network for x = (1, 2).

    Parameters
    ----------
    answer : float
        ``y_hat`` for the input ``x1 = 1, x2 = 2``, worked out with ``sigmoid``
        and arithmetic only (no ``forward``); three significant figures are enough.

    Returns
    -------
    Feedback
    """
    value, problem = number_answer(FORWARD, answer)
    if problem:
        return problem
    s3 = float(sigmoid(3.0))
    expected = 2 * s3
    verdict = judge(value, expected)
    if verdict == RIGHT:
        return Feedback.correct(FORWARD, f"right: z = 3 in both units, h = σ(3) = {s3:.4f}, "
                                         f"y_hat = {s3:.4f} + {s3:.4f} = {expected:.4f}.")
    if verdict == ROUGH:
        return Feedback.hint(FORWARD, too_short(value, expected))
    slips = [
        (float(sigmoid(expected)), "you squashed the output with a sigmoid; this network's output is linear: "
                                   "y_hat = h @ W2 + b2, with nothing after it."),
        (6.0, "you skipped the hidden sigmoid: each unit outputs σ(z), not z itself."),
        (s3, "that is one hidden unit's output; W2 = [[1], [1]] adds both units together."),
        (3.0, "3 is z, the sum each hidden unit receives; carry on through σ and the output layer."),
    ]
    for slip, hint in slips:
        if matches(value, slip):
            return Feedback.hint(FORWARD, hint)
    return Feedback.hint(FORWARD, f"got {written(value)}; follow z = x @ W1 + b1, h = σ(z), y_hat = h @ W2 + b2 "
                                  "with every weight 1 and every bias 0.")


@never_raises(PRIME)
def check_sigmoid_prime(fn):
    """Check a learner's ``sigmoid_prime(z)``, the derivative of the sigmoid.

    Parameters
    ----------
    fn : callable
        Takes an array ``z`` of any shape and returns the derivative of the
        sigmoid at ``z``, with the same shape. It is tried on a 1-D array of 41
        values in [-10, 10] and on a (5, 1) column, and must agree to a relative
        1e-6. The check waits for the function to return.

    Returns
    -------
    Feedback
    """
    code = LearnerCode(PRIME, fn, "sigmoid_prime", todo="the body of `sigmoid_prime`")
    z = np.linspace(-10.0, 10.0, 41)
    column = np.array([[-3.0], [-1.0], [0.0], [2.0], [8.0]])
    results = []
    for arg in (z, column):
        out = code.call(arg)
        if code.problem:
            return code.problem
        out, message = real_array(out, "sigmoid_prime")
        if message:
            return Feedback.hint(PRIME, message)
        if out.shape != arg.shape:
            return Feedback.hint(PRIME, f"the result must have the shape of z: for z of shape {arg.shape} "
                                        f"yours returned shape {out.shape}.")
        if non_finite(out):
            return Feedback.hint(PRIME, f"for z in [-10, 10] your function returned NaN or inf "
                                        f"({non_finite(out)}); σ′ is finite everywhere.")
        results.append(out)
    got, got_col = results
    s = sigmoid(z)
    expected = s * (1.0 - s)
    expected_col = sigmoid(column) * (1.0 - sigmoid(column))
    if np.allclose(got, expected, rtol=1e-6, atol=1e-12) and np.allclose(got_col, expected_col, rtol=1e-6, atol=1e-12):
        return Feedback.correct(PRIME, "right: σ′(z) = σ(z)(1 − σ(z)), at most 0.25 (at z = 0) and "
                                       f"only {expected[0]:.1e} at z = ±10.")
    if np.allclose(got, s):
        return Feedback.hint(PRIME, "that is σ(z) itself; the derivative is σ(z)·(1 − σ(z)).")
    if np.allclose(got, z * (1.0 - z)):
        return Feedback.hint(PRIME, "you applied s·(1 − s) to z itself; first compute s = σ(z), then s·(1 − s).")
    at_zero = float(got[20])
    if abs(at_zero - 0.25) > 1e-6:
        return Feedback.hint(PRIME, "at z = 0 the derivative should be σ(0)(1 − σ(0)) = 0.25, "
                                    f"yours gives {written(at_zero)}.")
    worst = int(np.argmax(np.abs(got - expected)))
    return Feedback.hint(PRIME, f"right at z = 0, but at z = {z[worst]:g} the derivative is {expected[worst]:.4g} "
                                f"and yours gives {written(got[worst])}.")


@never_raises(FLAT)
def check_saturation_point(answer):
    """Check the positive ``z`` where the sigmoid's slope has fallen to 0.01.

    Parameters
    ----------
    answer : float
        The ``z > 0`` at which the slope of the sigmoid has fallen to 0.01. The
        exercise asks for one decimal, so two significant figures are enough;
        any more must agree with the exact value, up to three significant figures.

    Returns
    -------
    Feedback
    """
    value, problem = number_answer(FLAT, answer)
    if problem:
        return problem
    s = (1.0 + np.sqrt(0.96)) / 2.0
    expected = float(np.log(s / (1.0 - s)))
    verdict = judge(value, expected, min_figures=2)
    if verdict == RIGHT:
        return Feedback.correct(FLAT, f"right: z = {expected:.4f}. Beyond that the slope is under 1/25 of its "
                                      "peak, so an output unit pushed that far barely learns.")
    if verdict == ROUGH:
        return Feedback.hint(FLAT, too_short(value, expected, 2))
    if matches(value, -expected):
        return Feedback.hint(FLAT, "σ′ is symmetric, σ′(−z) = σ′(z); the question asks for the positive z.")
    if matches(value, np.log(99.0)):
        return Feedback.hint(FLAT, "you solved σ(z) = 0.99; the question is about the slope, "
                                   "σ(z)(1 − σ(z)) = 0.01.")
    slope = float(sigmoid(value) * (1.0 - sigmoid(value)))
    side = "still above" if slope > 0.01 else "already below"
    return Feedback.hint(FLAT, f"at z = {written(value)} the slope is {slope:.4g}, {side} 0.01. "
                               "Solve s(1 − s) = 0.01 for s = σ(z), then z = log(s / (1 − s)).")
