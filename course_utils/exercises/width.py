"""Auto-checks for the exercises of notebook 04 (what hidden width buys)."""

import numbers

import numpy as np

from .feedback import Feedback, LearnerCode, is_blank


def check_distinct_units(answer):
    """Check how many different hidden units a ones-init width-16 network has after training (one)."""
    name = "Exercise 1 (distinct hidden units)"
    if is_blank(answer):
        return Feedback.not_attempted(name, "`answer` with a whole number")
    if isinstance(answer, bool) or not isinstance(answer, numbers.Integral):
        return Feedback.hint(name, f"expected a whole number of units, got {answer!r}.")
    if answer == 1:
        return Feedback.correct(name, "right: all 16 units start identical, receive identical gradients and so stay "
                                      "identical; the network computes what one unit (with output weight 16 w2) would.")
    if answer == 16:
        return Feedback.hint(name, "16 units exist, but are they different? Compare the columns of the trained W1: "
                                   "identical starts get identical gradients.")
    return Feedback.hint(name, f"{answer} is not it. Count the different columns of the trained W1 "
                               "(np.unique(W1.round(8), axis=1)).")


def check_param_count(n_params):
    """Check ``n_params(m)``: the number of trainable numbers in a 2-m-1 network, ``4 m + 1``."""
    name = "Exercise 2 (parameter count)"
    code = LearnerCode(name, n_params, "n_params")
    if code.problem:
        return code.problem
    widths = (1, 2, 3, 16, 100)
    got = [code.call(m) for m in widths]
    if code.problem:
        return code.problem
    if any(isinstance(g, bool) or not isinstance(g, numbers.Integral) for g in got):
        return Feedback.hint(name, f"n_params should return a whole number, got {got[0]!r} for m = 1.")
    m = np.array(widths)
    got = np.array(got)
    if np.array_equal(got, 4 * m + 1):
        return Feedback.correct(name, "right: W1 has 2m, b1 m, W2 m and b2 1, so 4m + 1 "
                                      "(65 for width 16).")
    # Each typical slip, against W1 2m + b1 m + W2 m + b2 1.
    slips = {
        "the output bias b2 (1 number)": 4 * m,
        "both biases, b1 and b2": 3 * m,
        "m numbers: b1 (m,), W2 (m, 1), or one of the two rows of W1 (2, m)": 3 * m + 1,
    }
    for what, values in slips.items():
        if np.array_equal(got, values):
            return Feedback.hint(name, f"n_params(16) gave {got[3]}; it looks like you left out {what}. "
                                       "Count W1 (2, m), b1 (m,), W2 (m, 1) and b2 (1,).")
    return Feedback.hint(name, f"n_params(16) gave {got[3]}, expected {4 * 16 + 1}. "
                               "Count the entries of W1 (2, m), b1 (m,), W2 (m, 1) and b2 (1,).")


# (losses_by_width, floor, factor, answer): small made-up sweeps, each catching one slip.
_SWEEP_CASES = (
    ({2: [90.0, 60.0], 4: [80.0, 9.0], 8: [70.0, 1.9], 16: [60.0, 1.2]}, 1.0, 2.0, 8),
    ({16: [50.0, 1.5], 2: [40.0, 30.0], 8: [45.0, 1.8], 4: [42.0, 7.0]}, 1.0, 2.0, 8),      # keys out of order
    ({2: [90.0, 1.1, 5.0], 4: [80.0, 2.5, 2.4], 8: [70.0, 3.0, 1.9]}, 1.0, 2.0, 8),         # only the final loss counts
    ({2: [90.0, 12.0], 4: [80.0, 5.5], 8: [70.0, 4.0]}, 2.0, 3.0, 4),                        # factor and floor used
    ({2: [90.0, 60.0], 4: [80.0, 9.0], 8: [70.0, 5.0]}, 1.0, 2.0, None),                     # none close enough
)


def _first_within_reference(losses_by_width, floor, factor):
    close = [w for w, losses in losses_by_width.items() if losses[-1] <= factor * floor]
    return min(close) if close else None


def check_first_width_within(first_width_within):
    """Check ``first_width_within(losses_by_width, floor, factor)``: the smallest width whose final loss is close enough."""
    name = "Exercise 3 (first width near the floor)"
    code = LearnerCode(name, first_width_within, "first_width_within")
    if code.problem:
        return code.problem
    for losses_by_width, floor, factor, right in _SWEEP_CASES:
        sweep = {w: np.array(v) for w, v in losses_by_width.items()}
        got = code.call(sweep, floor, factor)
        if code.problem:
            return code.problem
        if got is not None and (isinstance(got, bool) or not isinstance(got, numbers.Integral)):
            return Feedback.hint(name, f"return a width (a key of the dict, such as 8) or None, got {got!r}.")
        got = None if got is None else int(got)
        if got == right:
            continue
        finals = ", ".join(f"{w}: {v[-1]:g}" for w, v in losses_by_width.items())
        case = f"for final losses {{{finals}}}, floor {floor:g} and factor {factor:g},"
        close = [w for w, v in losses_by_width.items() if v[-1] <= factor * floor]
        if right is None:
            return Feedback.hint(name, f"{case} no width is close enough, so return None; got {got}.")
        if got is None:
            return Feedback.hint(name, f"{case} width {right} is close enough (final loss <= factor * floor), "
                                       "but you returned None.")
        if got == close[0] and list(losses_by_width) != sorted(losses_by_width):
            return Feedback.hint(name, f"{case} you returned {got}, the first close width in the dict's order; "
                                       f"the widths are not sorted, so return the smallest one ({right}).")
        if got == max(close):
            return Feedback.hint(name, f"{case} you returned {got}, the widest width that is close enough; "
                                       f"the question asks for the narrowest ({right}).")
        if got == _first_within_reference({w: [min(v)] for w, v in losses_by_width.items()}, floor, factor):
            return Feedback.hint(name, f"{case} you returned {got}: judge each width by its final loss "
                                       "(losses[-1]), not its best.")
        return Feedback.hint(name, f"{case} the answer is width {right}, you returned {got}. A width counts "
                                   "when losses[-1] <= factor * floor; return the smallest such width.")
    return Feedback.correct(name, "right on every test sweep, including unsorted widths and a sweep where no width "
                                  "gets close.")
