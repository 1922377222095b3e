"""Auto-checks for the exercises of notebook 01 (the data set).

Each check takes the learner's answer, returns a ``Feedback`` and never raises.
"""

import numpy as np

from ..data import LOW, HIGH, make_dataset, mean_square_noise, noise_floor, target_function
from .feedback import Feedback, is_blank, number_answer


def _close(a, b, rel=1e-6):
    return abs(a - b) <= rel * max(abs(b), 1e-12)


def check_noise_floor(answer):
    """Check the noise floor of the default data set, computed by hand.

    Parameters
    ----------
    answer : float
        The mean of ``eps**2``, where ``eps = y - target_function(x1, x2)``
        for ``X, y = make_dataset()``. The right value is about 1.0011.

    Returns
    -------
    Feedback
    """
    name = "Exercise 1 (noise floor)"
    value, problem = number_answer(name, answer)
    if problem:
        return problem
    X, y = make_dataset()
    eps = y[:, 0] - target_function(X[:, 0], X[:, 1])
    expected = mean_square_noise(X, y)
    if _close(value, expected):
        return Feedback.correct(name, f"right: the mean square of the noise is {expected:.4f}, "
                                      "so no model can expect an MSE below about 1 on this data.")
    if _close(value, float(eps.mean())):
        return Feedback.hint(name, "you used the mean of ε, not the mean of its square: square first, then average.")
    if _close(value, float(np.sqrt(expected))):
        return Feedback.hint(name, "that is the root of the mean square (about the standard deviation of ε); "
                                   "the floor is an MSE, so do not take the square root.")
    if _close(value, float(eps.var())):
        return Feedback.hint(name, "you subtracted the mean of ε first (that is its variance); "
                                   "the floor is the plain mean of ε², with no centring.")
    if _close(value, float(y.var())):
        return Feedback.hint(name, "that is the spread of y around its mean; subtract the noise-free "
                                   "surface target_function(x1, x2) from y instead.")
    return Feedback.hint(name, f"got {value:.4f}; compute eps = y - target_function(x1, x2), "
                               "then the mean of eps**2.")


def check_doubled_noise(answer):
    """Check the predicted noise floor when ``noise_std`` goes from 1 to 2.

    Parameters
    ----------
    answer : float
        A prediction of ``noise_floor(noise_std=2.0)``. Anything within 1 % of
        the exact 4.0044 counts, so "about 4" is right.

    Returns
    -------
    Feedback
    """
    name = "Exercise 2 (doubling the noise)"
    value, problem = number_answer(name, answer)
    if problem:
        return problem
    base = noise_floor()
    expected = noise_floor(noise_std=2.0)
    if _close(value, expected, rel=0.01):
        return Feedback.correct(name, f"right: ε doubles, so ε² grows fourfold, from {base:.4f} to {expected:.4f}.")
    if _close(value, 2 * base, rel=0.02):
        return Feedback.hint(name, "doubling the standard deviation doubles each ε, "
                                   "but the floor averages ε²: what happens to a square when you double the number?")
    if _close(value, base, rel=0.02):
        return Feedback.hint(name, "the floor is the mean square of the noise, so it does change with noise_std.")
    return Feedback.hint(name, f"got {value:.4f}; the floor is the mean of ε², and every ε is multiplied by 2.")


def check_surface_minimum(answer):
    """Check the point ``(x1, x2)`` of the square [-5, 5]² where the noise-free surface is lowest.

    Parameters
    ----------
    answer : tuple of two floats
        ``(x1, x2)``. The minimum is at (-2.5, 5) with value about -5.867; any
        point whose surface value is within 0.05 of it counts.

    Returns
    -------
    Feedback
    """
    name = "Exercise 3 (lowest point of the surface)"
    if is_blank(answer):
        return Feedback.not_attempted(name, "`answer`")
    try:
        point = np.asarray(answer, dtype=np.float64).ravel()
    except Exception:  # anything that is not a pair of numbers
        point = None
    if isinstance(answer, str) or point is None or point.shape != (2,) or not np.isfinite(point).all():
        return Feedback.hint(name, f"expected a pair (x1, x2) of numbers, got {answer!r:.60}.")
    x1, x2 = (float(v) for v in point)
    if not (LOW <= x1 <= HIGH and LOW <= x2 <= HIGH):
        return Feedback.hint(name, f"({x1:.2f}, {x2:.2f}) lies outside the square [-5, 5]²; the data never go there.")
    best = float(target_function(-2.5, 5.0))
    value = float(target_function(x1, x2))
    if value - best <= 0.05:
        return Feedback.correct(name, f"right: the surface is lowest, {best:.3f}, at x1 = -2.5, x2 = 5, on the edge "
                                      "of the square, where x1·x2 is most negative and exp(sin x2) is small.")
    if float(target_function(x2, x1)) - best <= 0.05:
        return Feedback.hint(name, "you have the coordinates swapped: give the answer as (x1, x2).")
    if np.hypot(x1 - 2.5, x2 + 5.0) <= 0.3:
        return Feedback.hint(name, "that is a low point, but only a local one: at x2 = -5, sin x2 is about +0.96, "
                                   "so exp(sin x2) adds about 2.6. Look at the opposite corner.")
    X, y = make_dataset()
    if np.allclose(point, X[int(np.argmin(y))]):
        return Feedback.hint(name, "that is where the noisy y is smallest; the noise pulled that sample down. "
                                   "Evaluate target_function on a grid instead.")
    return Feedback.hint(name, f"the surface at ({x1:.2f}, {x2:.2f}) is {value:.3f}, but it goes lower. "
                               "Try np.meshgrid over [-5, 5]² and np.argmin of target_function.")
