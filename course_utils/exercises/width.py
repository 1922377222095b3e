"""Auto-checks for the exercises of notebook 04 (what hidden width buys).

Each check returns a ``Feedback`` and never raises; whole-number answers must be
exact, and the learner's functions are run on copies of small made-up inputs.
"""

import numbers

import numpy as np

from ..network import init_params
from ..text import brief
from .feedback import Feedback, is_blank, is_complex, number_answer
from .learner_code import LearnerCode, never_raises

UNITS = "Exercise 1 (distinct hidden units)"
COUNT = "Exercise 2 (parameter count)"
FREE = "Exercise 2, follow-up (free parameters)"
FIRST = "Exercise 3 (first width near the floor)"
WIDTHS = (1, 2, 3, 16, 100)


def _whole(exercise, answer, what):
    """``(int, None)`` for a whole number; ``(None, feedback)`` otherwise."""
    if is_blank(answer):
        return None, Feedback.not_attempted(exercise, what)
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, numbers.Integral):
        if is_complex(answer):                       # number_answer's hint: complex numbers are not answers
            return None, number_answer(exercise, answer)[1]
        return None, Feedback.hint(exercise, f"expected a whole number, got {brief(answer)}.")
    return int(answer), None


@never_raises(UNITS)
def check_distinct_units(answer):
    """Check how many different hidden units a ones-init width-16 network has after training.

    The answer is a whole number (an int), counted from the trained ``W1``.
    """
    value, problem = _whole(UNITS, answer, "`answer` with a whole number")
    if problem:
        return problem
    if value == 1:
        return Feedback.correct(UNITS, "right: all 16 units start identical, receive identical gradients and so "
                                       "stay identical; the network computes what one unit (with output weight "
                                       "16 w2) would.")
    if value == 16:
        return Feedback.hint(UNITS, "16 units exist, but are they different? Compare the columns of the trained W1: "
                                    "identical starts get identical gradients.")
    return Feedback.hint(UNITS, f"{value} is not it. Count the different columns of the trained W1 "
                                "(np.unique(W1.round(8), axis=1)).")


def _count(m):
    """The number of entries of ``init_params(m)``: the reference for the parameter count."""
    return sum(v.size for v in init_params(m).values())


@never_raises(COUNT)
def check_param_count(n_params):
    """Check ``n_params(m)``: the number of trainable numbers in a 2-m-1 network, as an int.

    It is called for m = 1, 2, 3, 16 and 100, and waits for each call to return.
    """
    code = LearnerCode(COUNT, n_params, "n_params")
    got = [code.call(m) for m in WIDTHS]
    if code.problem:
        return code.problem
    for m, g in zip(WIDTHS, got):
        if g is None:
            return Feedback.hint(COUNT, f"n_params({m}) returned None: did you forget the `return`?")
        if isinstance(g, (bool, np.bool_)) or not isinstance(g, numbers.Integral):
            return Feedback.hint(COUNT, f"n_params should return a whole number (an int), got {brief(g)} "
                                        f"for m = {m}.")
    got = np.array([int(g) for g in got])
    m = np.array(WIDTHS)
    right = np.array([_count(w) for w in WIDTHS])
    if np.array_equal(got, right):
        return Feedback.correct(COUNT, f"right: W1 has 2m, b1 m, W2 m and b2 1, so 4m + 1 ({right[3]} for width 16).")
    if np.all(got == got[0]):
        return Feedback.hint(COUNT, f"n_params gives {got[0]} for every width (m = 1, 2, 3, 16, 100), but the count "
                                    "grows with m: write it in terms of m.")
    # Each typical slip, against W1 2m + b1 m + W2 m + b2 1.
    slips = {
        "the output bias b2 (1 number)": 4 * m,
        "both biases, b1 and b2": 3 * m,
        "m numbers: b1 (m,), W2 (m, 1), or one of the two rows of W1 (2, m)": 3 * m + 1,
    }
    for what, values in slips.items():
        if np.array_equal(got, values):
            return Feedback.hint(COUNT, f"n_params(16) gave {got[3]}; it looks like you left out {what}. "
                                        "Count W1 (2, m), b1 (m,), W2 (m, 1) and b2 (1,).")
    first = int(np.flatnonzero(got != right)[0])
    return Feedback.hint(COUNT, f"n_params({WIDTHS[first]}) gave {got[first]}, expected {right[first]}. "
                                "Count the entries of W1 (2, m), b1 (m,), W2 (m, 1) and b2 (1,).")


@never_raises(FREE)
def check_free_params(answer):
    """Check how many of a ones-init width-16 network's parameters are free to differ after training.

    The answer is a whole number (an int): how many of its numbers can still
    differ from each other, not how many there are.
    """
    value, problem = _whole(FREE, answer, "`free` with a whole number")
    if problem:
        return problem
    right, total = _count(1), _count(16)
    if value == right:
        return Feedback.correct(FREE, f"right: {right} of the {total}, one unit's W1 column (2), its b1 (1) and "
                                      "W2 (1), and b2 (1): the parameters of a width-1 network.")
    if value == total:
        return Feedback.hint(FREE, f"{total} is how many there are; but the 16 units stay identical copies, so "
                                   "how many numbers can actually differ from each other?")
    if value in (1, 16):
        return Feedback.hint(FREE, "count numbers, not units: one distinct unit still has a column of W1, "
                                   "an entry of b1 and of W2, and there is b2.")
    if value == right - 1:
        return Feedback.hint(FREE, "close: don't forget b2, which all units share.")
    return Feedback.hint(FREE, f"{value} is not it. The units stay identical, so count the parameters of a "
                               "width-1 network.")


# (losses_by_width, floor, factor, answer): small made-up sweeps, each catching one slip.
_SWEEP_CASES = (
    ({2: [90.0, 60.0], 4: [80.0, 9.0], 8: [70.0, 1.9], 16: [60.0, 1.2]}, 1.0, 2.0, 8),
    ({16: [50.0, 1.5], 2: [40.0, 30.0], 8: [45.0, 1.8], 4: [42.0, 7.0]}, 1.0, 2.0, 8),      # keys out of order
    ({2: [90.0, 1.1, 5.0], 4: [80.0, 2.5, 2.4], 8: [70.0, 3.0, 1.9]}, 1.0, 2.0, 8),         # only the final loss counts
    ({2: [90.0, 12.0], 4: [80.0, 5.5], 8: [70.0, 3.5], 16: [60.0, 2.5]}, 2.0, 3.0, 4),      # factor and floor used
    ({2: [90.0, 60.0], 4: [80.0, 4.0], 8: [70.0, 1.5]}, 2.0, 2.0, 4),                        # "at most": 4.0 <= 2 * 2
    ({2: [90.0, 60.0], 4: [80.0, 9.0], 8: [70.0, 5.0]}, 1.0, 2.0, None),                     # none close enough
)


def _reference(losses_by_width, floor, factor, final=lambda v: v[-1], at_most=True, order=sorted, pick=min):
    """The right answer, or one slip of it when an argument is changed."""
    threshold = factor * floor
    finals = {w: final(losses_by_width[w]) for w in losses_by_width}
    close = [w for w in order(losses_by_width) if (finals[w] <= threshold if at_most else finals[w] < threshold)]
    return pick(close) if close else None


def _slips(sweep, floor, factor):
    """(answer the slip gives, hint) for each typical slip, on one sweep."""
    in_order = lambda close: close[0]  # noqa: E731  (the first close width in the dict's order)
    return [
        (_reference(sweep, floor, factor, at_most=False),
         "a width counts when its final loss is *at most* factor * floor, so equality counts: use <=, not <."),
        (_reference(sweep, floor, 2.0), "you seem to ignore `factor` (this call passes factor={factor:g}): "
                                        "compare with factor * floor."),
        (_reference(sweep, floor, 1.0), "you compare with the floor alone; the threshold is factor * floor."),
        (_reference(sweep, 1.0, factor), "you seem to ignore `floor`: the threshold is factor * floor."),
        (_reference(sweep, floor, factor, order=list, pick=in_order),
         "you returned the first close width in the dict's order; the widths are not sorted, so return the smallest."),
        (_reference(sweep, floor, factor, pick=max), "you returned the widest width that is close enough; "
                                                     "the question asks for the narrowest."),
        (_reference(sweep, floor, factor, final=min), "judge each width by its final loss (losses[-1]), not its best."),
    ]


@never_raises(FIRST)
def check_first_width_within(first_width_within):
    """Check ``first_width_within(losses_by_width, floor, factor)``: the narrowest width whose final loss is close.

    It is run on six small made-up sweeps (unsorted widths, a final loss exactly
    at ``factor * floor``, no width close enough), each time on a copy, and waits
    for each call to return.
    """
    code = LearnerCode(FIRST, first_width_within, "first_width_within")
    for losses_by_width, floor, factor, right in _SWEEP_CASES:
        sweep = {w: np.array(v) for w, v in losses_by_width.items()}
        got = code.call(sweep, floor, factor)
        if code.problem:
            return code.problem
        if got is not None and (isinstance(got, (bool, np.bool_)) or not isinstance(got, numbers.Integral)):
            return Feedback.hint(FIRST, f"return a width (a key of the dict, such as 8) or None, got {brief(got)}.")
        got = None if got is None else int(got)
        if got == right:
            continue
        finals = ", ".join(f"{w}: {v[-1]:g}" for w, v in losses_by_width.items())
        case = (f"for final losses {{{finals}}}, floor {floor:g} and factor {factor:g}, the answer is {right}, "
                f"you returned {got}:")
        if got is not None and got not in losses_by_width:
            return Feedback.hint(FIRST, f"{case} return a width, one of the keys of the dict.")
        for slip, hint in _slips(losses_by_width, floor, factor):
            if got == slip:
                return Feedback.hint(FIRST, f"{case} {hint.format(factor=factor)}")
        if right is None:
            return Feedback.hint(FIRST, f"{case} no width is close enough, so return None.")
        if got is None:
            return Feedback.hint(FIRST, f"{case} width {right} is close enough (final loss <= factor * floor).")
        return Feedback.hint(FIRST, f"{case} a width counts when losses[-1] <= factor * floor; "
                                    "return the smallest such width.")
    return Feedback.correct(FIRST, "right on every test sweep, including unsorted widths, a final loss exactly at "
                                   "factor * floor, and a sweep where no width gets close.")
