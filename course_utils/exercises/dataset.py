"""Auto-checks for the exercises of notebook 01 (the data set).

Each check takes the learner's answer, returns a ``Feedback`` and never raises.
Numbers are judged by the tolerance policy of ``feedback.py``.
"""

import numpy as np

from ..data import LOW, HIGH, make_dataset, mean_square_noise, noise_floor, target_function
from ..text import brief, written
from .feedback import RIGHT, ROUGH, Feedback, is_blank, is_complex, judge, matches, number_answer, too_short
from .learner_code import never_raises

NOISE = "Exercise 1 (noise floor)"
DOUBLED = "Exercise 2 (doubling the noise)"
LOWEST = "Exercise 3 (lowest point of the surface)"


def _noise_slips():
    """The values of the usual wrong turns on the way to the noise floor of the default data set."""
    X, y = make_dataset()
    f = target_function(X[:, 0], X[:, 1])                     # (n,)
    eps = y[:, 0] - f
    mean_square = float(np.mean(eps**2))
    # y (n, 1) minus f (n,) broadcasts to an (n, n) table of y_i - f_j; the mean of its square,
    # mean(y²) - 2 mean(y) mean(f) + mean(f²), is found without building the table.
    table = float(np.mean(y**2) - 2 * np.mean(y) * np.mean(f) + np.mean(f**2))
    return [
        (float(eps.mean()), "you used the mean of ε, not the mean of its square: square first, then average."),
        (float(np.sqrt(mean_square)), "that is the root of the mean square (about the standard deviation of ε); "
                                      "the floor is an MSE, so do not take the square root."),
        (float(eps.var()), "you subtracted the mean of ε first (that is its variance); "
                           "the floor is the plain mean of ε², with no centring."),
        (float(y.var()), "that is the spread of y around its mean; subtract the noise-free "
                         "surface target_function(x1, x2) from y instead."),
        (table, f"check the shapes: y is {y.shape} and target_function(X[:, 0], X[:, 1]) is {f.shape}, so "
                f"y - target_function(...) broadcasts to a {(len(y), len(y))} table. Use y[:, 0] (shape {f.shape})."),
    ]


@never_raises(NOISE)
def check_noise_floor(answer):
    """Check the noise floor of the default data set, computed by hand.

    Parameters
    ----------
    answer : float
        The mean of ``eps**2``, where ``eps = y - target_function(x1, x2)``
        for ``X, y = make_dataset()``: the value as computed, or rounded to
        the digits the notebook prints, or to as few as three significant figures.

    Returns
    -------
    Feedback
    """
    value, problem = number_answer(NOISE, answer)
    if problem:
        return problem
    X, y = make_dataset()
    expected = mean_square_noise(X, y)
    verdict = judge(value, expected, figures=5)   # as printed: 1.0011
    if verdict == RIGHT:
        return Feedback.correct(NOISE, f"right: the mean square of the noise is {expected:.4f}, "
                                       "so no model can expect an MSE below about 1 on this data.")
    if verdict == ROUGH:
        return Feedback.hint(NOISE, too_short(value, expected))
    for slip, hint in _noise_slips():
        if matches(value, slip, figures=5):
            return Feedback.hint(NOISE, hint)
    return Feedback.hint(NOISE, f"got {written(value)}; compute eps = y[:, 0] - target_function(X[:, 0], X[:, 1]), "
                                "then the mean of eps**2.")


@never_raises(DOUBLED)
def check_doubled_noise(answer):
    """Check the predicted noise floor when ``noise_std`` goes from 1 to 2.

    Parameters
    ----------
    answer : float
        A prediction of ``noise_floor(noise_std=2.0)``, made before running it.
        As a prediction it needs only one significant figure; any more it shows
        must agree with the exact value, up to three significant figures.

    Returns
    -------
    Feedback
    """
    value, problem = number_answer(DOUBLED, answer)
    if problem:
        return problem
    base = noise_floor()
    expected = noise_floor(noise_std=2.0)
    if judge(value, expected, min_figures=1) == RIGHT:
        return Feedback.correct(DOUBLED, f"right: ε doubles, so ε² grows fourfold, "
                                         f"from {base:.4f} to {expected:.4f}.")
    if judge(value, 2 * base, min_figures=1) == RIGHT:
        return Feedback.hint(DOUBLED, "doubling the standard deviation doubles each ε, but the floor averages ε²: "
                                      "what happens to a square when you double the number?")
    if judge(value, base, min_figures=1) == RIGHT:
        return Feedback.hint(DOUBLED, "the floor is the mean square of the noise, so it does change with noise_std.")
    return Feedback.hint(DOUBLED, f"got {written(value)}; the floor is the mean of ε², and every ε is multiplied by 2.")


def _pair(answer):
    """``(x1, x2)`` as two finite floats, or None."""
    if isinstance(answer, (str, bytes, dict)) or is_complex(answer):
        return None
    try:
        point = np.asarray(answer, dtype=np.float64).ravel()
    except Exception:  # anything that is not a pair of numbers
        return None
    if point.shape != (2,) or not np.isfinite(point).all():
        return None
    return float(point[0]), float(point[1])


@never_raises(LOWEST)
def check_surface_minimum(answer):
    """Check the point ``(x1, x2)`` of the square [-5, 5]² where the noise-free surface is lowest.

    Parameters
    ----------
    answer : tuple of two floats
        ``(x1, x2)``, inside the square. A point is right when the surface value
        there, rounded to three significant figures, is the lowest value rounded
        the same way, so a grid search with steps of 0.05 or finer is right too.

    Returns
    -------
    Feedback
    """
    if is_blank(answer):
        return Feedback.not_attempted(LOWEST, "`answer`")
    pair = _pair(answer)
    if pair is None:
        what = "complex numbers are not a point of the plane" if is_complex(answer) else f"got {brief(answer)}"
        return Feedback.hint(LOWEST, f"expected a pair (x1, x2) of finite real numbers; {what}.")
    x1, x2 = pair
    if not (LOW <= x1 <= HIGH and LOW <= x2 <= HIGH):
        return Feedback.hint(LOWEST, f"({written(x1)}, {written(x2)}) lies outside the square [-5, 5]²; "
                                     "the data never go there.")
    best = float(target_function(-2.5, 5.0))
    value = float(target_function(x1, x2))
    if judge(round(value, 2), best) == RIGHT:
        return Feedback.correct(LOWEST, f"right: the surface is lowest, {best:.3f}, at x1 = -2.5, x2 = 5, on the edge "
                                        "of the square, where x1·x2 is most negative and exp(sin x2) is small.")
    if judge(round(float(target_function(x2, x1)), 2), best) == RIGHT:
        return Feedback.hint(LOWEST, "you have the coordinates swapped: give the answer as (x1, x2).")
    if np.hypot(x1 - 2.5, x2 + 5.0) <= 0.3:
        return Feedback.hint(LOWEST, "that is a low point, but only a local one: at x2 = -5, sin x2 is about +0.96, "
                                     "so exp(sin x2) adds about 2.6. Look at the opposite corner.")
    X, y = make_dataset()
    if np.allclose((x1, x2), X[int(np.argmin(y))]):
        return Feedback.hint(LOWEST, "that is where the noisy y is smallest; the noise pulled that sample down. "
                                     "Evaluate target_function on a grid instead.")
    return Feedback.hint(LOWEST, f"the surface at ({written(x1)}, {written(x2)}) is {value:.3f}, but it goes lower "
                                 f"(to {best:.3f}). Try np.meshgrid over [-5, 5]² and np.argmin of target_function.")
