"""Auto-checks for the exercises of notebook 06 (regularisation and optimisers).

Each check returns a ``Feedback`` and never raises. The data of each exercise are the
constants below, which the exercise cells show in full. The answers are exact, so two
significant figures are enough; a chosen λ must be one of the listed values, as listed.
"""

import numpy as np

from ..text import brief, written
from .feedback import (RIGHT, ROUGH, Feedback, as_number, is_blank, is_complex, judge, matches, number_answer,
                       too_short)
from .learner_code import never_raises

SPLIT = "Exercise 1 (bias² and variance)"
MOMENTUM = "Exercise 2 (one momentum step)"
LAMBDA = "Exercise 3 (the λ with the lowest G)"

# Exercise 1: four training sets' predictions (rows) at five grid points, and f there.
F_GRID = np.array([2.0, 0.0, -1.0, 1.0, 3.0])
PREDICTIONS = np.array([[3.5, 0.0, -1.0, 4.5, 3.0],
                        [2.5, 0.0, -1.0, 1.5, 3.0],
                        [3.5, -2.0, -1.0, 1.5, 3.0],
                        [2.5, -2.0, -1.0, 4.5, 3.0]])
# Exercise 2: one step of heavy-ball momentum (cu.train's optimizer="momentum", as torch.optim.SGD).
STEP = {"w": 1.0, "g": 3.0, "buf": -1.0, "lr": 0.2, "beta": 0.9}
# Exercise 3: a made-up weight-decay sweep over five training sets.
LAMBDAS = np.array([0.0, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1])
TRAIN_MSE = np.array([0.42, 0.47, 0.55, 0.68, 0.86, 1.10, 1.62])     # mean over the five sets
BIAS2 = np.array([0.105, 0.098, 0.112, 0.160, 0.290, 0.560, 1.200])
G_SETS = np.array([[1.02, 0.90, 0.55, 0.58, 0.70, 0.88, 1.44],        # row s: training set s's G at each λ
                   [1.31, 1.12, 0.88, 0.57, 0.62, 0.83, 1.39],
                   [1.18, 1.01, 0.84, 0.66, 0.41, 0.79, 1.35],
                   [1.27, 1.10, 0.90, 0.63, 0.76, 0.92, 1.47],
                   [1.22, 1.11, 0.89, 0.61, 0.86, 0.88, 1.45]])


def _numbers(exercise, answer, count, what):
    """``(tuple of count floats, None)``, or ``(None, feedback)`` for the placeholder or anything else."""
    if is_blank(answer):
        return None, Feedback.not_attempted(exercise, "`answer`")
    if is_complex(answer):
        return None, Feedback.hint(exercise, f"expected {what}, got {brief(answer)}: complex numbers are not "
                                             "answers here.")
    items = None
    if isinstance(answer, (list, tuple)):
        items = answer
    elif isinstance(answer, np.ndarray) and answer.ndim == 1 and answer.dtype.kind in "iuf":
        items = answer.tolist()
    if items is not None and len(items) < 10:
        values = [as_number(a) for a in items]             # None for text, True/False, NaN, inf, arrays of several
        if all(v is not None for v in values):
            if len(values) == count:
                return tuple(values), None
            if len(values) > count:
                return None, Feedback.hint(exercise, f"expected {what}, got {len(values)} numbers: give only the "
                                                     "two asked for.")
    return None, Feedback.hint(exercise, f"expected {what}, got {brief(answer)}.")


def _exact(x):
    """``x`` to 12 significant figures: a value worked out in floats, such as 1 - 0.2 * 3, as a learner types it."""
    return float(f"{x:.12g}")


def _agree(pair, right):
    """The verdict on each entry of ``pair`` against ``right`` (exact answers: two figures suffice)."""
    return [judge(v, _exact(r), figures=3, min_figures=2) for v, r in zip(pair, right)]


def _is(pair, slip):
    """True when both entries of ``pair`` are those a slip gives, to the digits shown."""
    return all(matches(v, _exact(s)) for v, s in zip(pair, slip))


def _split(P, f, ddof=0):
    mean = P.mean(axis=0)
    return float(np.mean((mean - f) ** 2)), float(np.mean(P.var(axis=0, ddof=ddof)))


def _split_slips(P, f):
    """(bias² slips, variance slips): {value a slip gives: what went wrong}."""
    mean, right_b, right_v = P.mean(axis=0), *_split(P, f)
    mean_G = float(np.mean((P - f) ** 2))
    bias = {float(np.mean(mean - f)): "you averaged the gap between the mean prediction and f; square it first",
            float(np.mean(np.abs(mean - f))): "you averaged the size of the gap; square it instead",
            float(np.mean(mean - f)) ** 2: "you averaged the gap over the grid, then squared; square each point's "
                                           "gap, then average",
            float(np.sqrt(right_b)): "that is the root of bias²; leave out the square root",
            mean_G: "that is the mean G, bias² + variance; bias² compares the mean of the predictions with f",
            float(np.sum((mean - f) ** 2)): "you summed over the grid points; take the mean"}
    variance = {_split(P, f, ddof=1)[1]: "you divided by S - 1 (ddof=1); the split needs divisor S, np.var's default",
                float(np.mean(P.std(axis=0))): "that is a standard deviation; the variance is its square",
                float(np.sqrt(right_v)): "that is a standard deviation; the variance is its square",
                float(np.mean(P.var(axis=1))): "you took each model's spread over the grid (axis=1); take the spread "
                                               "over the training sets at each point (axis=0), then average",
                mean_G: "that is the spread around f (the mean G); measure it around the mean prediction",
                float(np.sum(P.var(axis=0))): "you summed over the grid points; take the mean"}
    return bias, variance


@never_raises(SPLIT)
def check_bias_variance(answer):
    """Check ``(bias2, variance)`` worked out from ``PREDICTIONS`` (one row per training set) and ``F_GRID``.

    Both are means over the grid points; the variance is over the training sets, with divisor S.
    """
    pair, problem = _numbers(SPLIT, answer, 2, "two numbers, (bias2, variance)")
    if problem:
        return problem
    right = _split(PREDICTIONS, F_GRID)
    verdicts = _agree(pair, right)
    if verdicts == [RIGHT, RIGHT]:
        mean_G = float(np.mean((PREDICTIONS - F_GRID) ** 2))
        return Feedback.correct(SPLIT, f"right: bias² {right[0]:g} + variance {right[1]:g} = {mean_G:g}, the mean G "
                                       "of the four models, exactly.")
    if set(verdicts) <= {RIGHT, ROUGH}:
        k = verdicts.index(ROUGH)
        return Feedback.hint(SPLIT, too_short(pair[k], right[k], min_figures=2))
    if _is(pair, right[::-1]):
        return Feedback.hint(SPLIT, "the two are swapped: give (bias2, variance), bias² first.")
    bias_slips, variance_slips = _split_slips(PREDICTIONS, F_GRID)
    said = []
    for value, verdict, slips, name in ((pair[0], verdicts[0], bias_slips, "bias²"),
                                        (pair[1], verdicts[1], variance_slips, "variance")):
        if verdict == RIGHT:
            said.append(f"your {name} is right")
            continue
        if verdict == ROUGH:
            said.append(f"your {name} agrees as far as it goes, but give at least two significant figures")
            continue
        why = next((what for slip, what in slips.items() if matches(value, _exact(slip))), None)
        said.append(f"your {name} {written(value)}: {why}" if why else
                    f"your {name} {written(value)} is not it" + (
                        ": average over the training sets at each grid point, compare with f, square, and average "
                        "over the grid" if name == "bias²" else
                        ": take the variance of the predictions over the training sets at each grid point, then "
                        "average over the grid"))
    return Feedback.hint(SPLIT, "; ".join(said) + ".")


def _step(w, g, buf, lr, beta):
    buf = beta * buf + g
    return w - lr * buf, buf


def _momentum_slips(w, g, buf, lr, beta):
    """(the pair a slip gives, what went wrong)."""
    right_w, right_buf = _step(w, g, buf, lr, beta)
    damped = beta * buf + (1 - beta) * g
    velocity = beta * buf + lr * g
    return [
        ((right_buf, right_w), "the two are swapped: give (w, buf), the new weight first."),
        ((right_w, lr * right_buf), "your w is right, but your buffer holds lr * buf, the velocity of the form "
                                    "v = beta v + lr g, w -= v. Same steps while lr is constant; cu.train and torch "
                                    "keep buf = beta buf + g, without lr."),
        ((right_w, buf), "your w is right, but the buffer must be updated too: buf = beta buf + g."),
        ((w - lr * damped, damped), "you damped the gradient, buf = beta buf + (1 - beta) g; the heavy ball of "
                                    "cu.train and torch adds g whole: buf = beta buf + g."),
        ((w - velocity, velocity), "you put lr inside the buffer (v = beta v + lr g, w -= v) but started from the "
                                   "given buf, which holds no lr: update buf = beta buf + g, then w -= lr buf."),
        ((w - lr * g, g), "that is a plain gradient step; momentum steps along the updated buffer."),
        ((w - lr * g, buf), "that is a plain gradient step; momentum steps along the updated buffer."),
        ((w + lr * right_buf, right_buf), "your buffer is right, but the step goes downhill: w -= lr * buf."),
        ((lr * right_buf, right_buf), "your buffer is right, and lr * buf is the step; the new w is w minus it."),
        ((w - lr * buf, right_buf), "you stepped along the old buffer; update the buffer first, then step along it."),
        ((w - lr * (buf + beta * g), buf + beta * g), "beta multiplies the old buffer, not the gradient: "
                                                      "buf = beta buf + g."),
    ]


@never_raises(MOMENTUM)
def check_momentum_step(answer):
    """Check ``(w, buf)`` after one step of ``optimizer="momentum"`` from the values in ``STEP``.

    The update is heavy-ball momentum without dampening, as ``cu.train`` and ``torch.optim.SGD`` take it.
    """
    value = as_number(answer)
    if value is not None:
        right_w = _step(**STEP)[0]
        start = "your w is right, " if matches(value, _exact(right_w)) else ""
        return Feedback.hint(MOMENTUM, f"{start}give two numbers, the pair (w, buf): the buffer is updated too.")
    pair, problem = _numbers(MOMENTUM, answer, 2, "two numbers, (w, buf)")
    if problem:
        return problem
    right = _step(**STEP)
    verdicts = _agree(pair, right)
    if verdicts == [RIGHT, RIGHT]:
        plain = STEP["w"] - STEP["lr"] * STEP["g"]
        return Feedback.correct(MOMENTUM, f"right: buf = {right[1]:g}, w = {right[0]:g}. The old buffer pointed "
                                          f"the other way, so this step ({STEP['w'] - right[0]:.2g}) is shorter than "
                                          f"plain SGD's ({STEP['w'] - plain:.2g}).")
    if set(verdicts) <= {RIGHT, ROUGH}:
        k = verdicts.index(ROUGH)
        return Feedback.hint(MOMENTUM, too_short(pair[k], right[k], min_figures=2))
    for slip, hint in _momentum_slips(**STEP):
        if _is(pair, slip):
            return Feedback.hint(MOMENTUM, hint)
    if verdicts[1] == RIGHT:
        return Feedback.hint(MOMENTUM, f"your buffer is right, your w {written(pair[0])} is not: w = w - lr buf, "
                                       "with the new buffer.")
    return Feedback.hint(MOMENTUM, f"({written(pair[0])}, {written(pair[1])}) is not it. First buf = beta buf + g, "
                                   "then w = w - lr buf.")


def _lambda_hints():
    """{listed λ: why it is not the answer}, from the sweep's own numbers."""
    mean = G_SETS.mean(axis=0)
    best = int(np.argmin(mean))
    hints = {}
    for k, lam in enumerate(LAMBDAS):
        cause = (f"less decay leaves more variance ({mean[k] - BIAS2[k]:.3g} here)" if k < best else
                 f"more decay adds bias² ({BIAS2[k]:.3g} here)")
        hints[float(lam)] = f"λ = {lam:g} is not the lowest on average: its mean G is {mean[k]:.3g}; {cause}."
    first = int(np.argmin(TRAIN_MSE))
    hints[float(LAMBDAS[first])] = (f"λ = {LAMBDAS[first]:g} has the lowest training MSE, but the question is about "
                                    f"G: its mean G over the sets is {mean[first]:.3g}. (If you averaged along "
                                    "axis=1, that averages each set over the λ: average over the sets, axis=0.)")
    low = int(np.argmin(BIAS2))
    hints[float(LAMBDAS[low])] = (f"λ = {LAMBDAS[low]:g} has the lowest bias², but G adds the variance: its mean G "
                                  f"is {mean[low]:.3g}.")
    one = int(np.argmin(G_SETS[0]))
    hints[float(LAMBDAS[one])] = (f"λ = {LAMBDAS[one]:g} is best for the first training set alone; average G over "
                                  f"all the sets first (at this λ the mean is {mean[one]:.3g}).")
    s, k = np.unravel_index(int(np.argmin(G_SETS)), G_SETS.shape)
    hints[float(LAMBDAS[k])] = (f"λ = {LAMBDAS[k]:g} holds the lowest single G ({G_SETS[s, k]:g}, training set "
                                f"{s + 1}): one lucky set. Average G over the training sets first; at this λ the "
                                f"mean is {mean[k]:.3g}.")
    return hints


@never_raises(LAMBDA)
def check_best_lambda(answer):
    """Check the λ of ``LAMBDAS`` with the lowest G averaged over the training sets of ``G_SETS``.

    The answer is one of the listed λ, as listed; ``TRAIN_MSE`` and ``BIAS2`` are given beside it.
    """
    value, problem = number_answer(LAMBDA, answer, "`answer` with one of the listed λ")
    if problem:
        return problem
    mean = G_SETS.mean(axis=0)
    best = int(np.argmin(mean))
    listed = [float(lam) for lam in LAMBDAS if value == lam or abs(value - lam) <= 1e-9 * abs(lam)]
    if listed:
        lam = listed[0]
        if lam == float(LAMBDAS[best]):
            return Feedback.correct(LAMBDA, f"right: λ = {lam:g}, mean G {mean[best]:.3g}. Less decay leaves more "
                                            "variance; more decay adds bias².")
        return Feedback.hint(LAMBDA, _lambda_hints()[lam])
    if float(value).is_integer() and 0 < value < len(LAMBDAS):
        return Feedback.hint(LAMBDA, f"{value:g} is a position in `lambdas`, not a λ: return lambdas[{value:g}] "
                                     "itself.")
    if matches(value, float(mean[best])):
        return Feedback.hint(LAMBDA, f"{written(value)} is the lowest mean G; the question asks for its λ.")
    if any(matches(value, float(v)) for v in np.concatenate([G_SETS.ravel(), mean])):
        return Feedback.hint(LAMBDA, f"{written(value)} is a value of G; the question asks for a λ, one of lambdas.")
    shown = ", ".join(f"{lam:g}" for lam in LAMBDAS)
    return Feedback.hint(LAMBDA, f"pick one of the listed λ ({shown}), got {brief(answer)}.")
