"""Auto-checks for the exercises of notebook 05 (generalisation and mini-batches)."""

import numbers

import numpy as np

from ..text import brief
from .feedback import RIGHT, ROUGH, Feedback, judge, matches, number_answer, too_short
from .learner_code import LearnerCode, never_raises


TEST_MSE, BEST_EPOCH, BATCHES = ("Exercise 1 (expected test MSE)", "Exercise 2 (best epoch)",
                                  "Exercise 3 (the batches of one epoch)")


@never_raises(TEST_MSE)
def check_expected_test_mse(answer):
    """Check the expected test MSE for noise_std 2 and grid error 0.5, worked out by hand.

    The answer is exact, so two significant figures are enough. The usual slips are recognised
    to the digits the learner shows, and named.
    """
    value, problem = number_answer(TEST_MSE, answer)
    if problem:
        return problem
    verdict = judge(value, 4.5, min_figures=2)
    if verdict == RIGHT:
        return Feedback.correct(TEST_MSE, "right: the noise variance 2**2 = 4 plus the grid error 0.5.")
    slips = {2.5: "added the noise's standard deviation (2), not its variance (4)",
             0.5: "left out the noise: even a perfect f-hat pays sigma**2 on fresh data",
             4.0: "left out the grid error: that is the floor only a perfect f-hat reaches",
             4.25: "squared the grid error; it is already a mean of squares"}
    for wrong, what in slips.items():
        if matches(value, wrong):
            return Feedback.hint(TEST_MSE, f"{value:g}: you {what}.")
    if verdict == ROUGH:
        return Feedback.hint(TEST_MSE, too_short(value, 4.5, min_figures=2))
    return Feedback.hint(TEST_MSE, f"{value:g} is not it. Expected test MSE = sigma**2 + grid error.")


# (val_losses, answer): small made-up curves, each catching one slip. No loss is a whole
# number, so a loss returned in place of its epoch can never pass for an index (or be taken for one).
_CURVES = (
    ([5.2, 3.1, 2.4, 2.9, 4.6], 2),
    ([9.3, 7.7, 7.7, 8.1], 1),            # a tie: the first (earliest) lowest epoch
    ([1.5, 2.5, 3.5], 0),                 # best before any training
    ([6.5, 5.5, 4.5, 3.7], 3),            # still falling at the end
)


@never_raises(BEST_EPOCH)
def check_best_epoch(best_epoch):
    """Check ``best_epoch(val_losses)``: the index of the first lowest validation loss, as an int."""
    name = BEST_EPOCH
    code = LearnerCode(name, best_epoch, "best_epoch")
    if code.problem:
        return code.problem
    for curve, right in _CURVES:
        got = code.call(np.array(curve))
        if code.problem:
            return code.problem
        if isinstance(got, bool) or not isinstance(got, numbers.Integral):
            if isinstance(got, numbers.Real) and float(got) == min(curve):
                return Feedback.hint(name, f"for {curve} you returned the lowest loss {got:g}; return its epoch "
                                           "(the index), not its value.")
            return Feedback.hint(name, f"return a whole number (an epoch index), got {brief(got)}.")
        got = int(got)
        if got == right:
            continue
        if got == len(curve) - 1 - int(np.argmin(curve[::-1])):
            return Feedback.hint(name, f"for {curve} you returned {got}, the last of the tied lowest epochs; "
                                       f"take the first ({right}), the earlier stop.")
        if got == right + 1:
            return Feedback.hint(name, f"for {curve} you returned {got}; epochs count from 0, as the losses do.")
        if got == int(np.argmax(curve)):
            return Feedback.hint(name, f"for {curve} you returned {got}, the highest loss; stop at the lowest.")
        return Feedback.hint(name, f"for {curve} the lowest validation loss is at epoch {right}, you returned {got}.")
    return Feedback.correct(name, "right on every test curve, including a tie and a curve still falling at the end.")


# (n_samples, batch_size): the last batch is short, exact, a single batch, batches of one.
_EPOCHS = ((10, 3), (12, 4), (5, 5), (4, 1), (7, 6))


@never_raises(BATCHES)
def check_epoch_batches(epoch_batches):
    """Check ``epoch_batches(order, batch_size)``: consecutive slices of ``order``, the last short one kept."""
    name = BATCHES
    code = LearnerCode(name, epoch_batches, "epoch_batches")
    if code.problem:
        return code.problem
    for n, size in _EPOCHS:
        order = np.random.default_rng(n).permutation(n)
        got = code.call(order.copy(), size)
        if code.problem:
            return code.problem
        right = [order[a:a + size] for a in range(0, n, size)]
        try:
            got = [np.asarray(batch).ravel() for batch in got]
        except TypeError:
            return Feedback.hint(name, f"return a list of index arrays, got {type(got).__name__}.")
        if not got or any(g.dtype.kind not in "iu" for g in got):
            return Feedback.hint(name, f"return a non-empty list of arrays of whole-number indices, got {brief(got)}.")
        case = f"for order {order.tolist()} and batch_size {size},"
        if len(got) == len(right) and all(np.array_equal(g, r) for g, r in zip(got, right)):
            continue
        if len(got) == len(right) - 1 and all(np.array_equal(g, r) for g, r in zip(got, right)):
            return Feedback.hint(name, f"{case} the short last batch {right[-1].tolist()} is missing; "
                                       "every sample must be visited once per epoch.")
        if sum(len(g) for g in got) == n and sorted(np.concatenate(got).tolist()) == list(range(n)) \
                and not np.array_equal(np.concatenate(got), order):
            return Feedback.hint(name, f"{case} every sample is there but not in the order given; take "
                                       "consecutive slices order[start:start + batch_size].")
        shown = [g.tolist() for g in got][:4]
        return Feedback.hint(name, f"{case} expected {[r.tolist() for r in right]}, got {shown}.")
    return Feedback.correct(name, "right: consecutive slices of the shuffled order, the short last batch included.")
