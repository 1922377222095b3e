"""Auto-checks for the exercises of notebook 03 (backpropagation by hand).

The main exercise, writing ``backward``, is checked by ``course_utils.check_gradients``.
Each check returns a ``Feedback`` and never raises; numbers are judged by the
tolerance policy of ``feedback.py``.
"""

from functools import lru_cache

import numpy as np

from ..data import make_dataset
from ..network import init_params
from ..training import train
from ..text import brief, written
from .feedback import RIGHT, ROUGH, Feedback, as_number, is_blank, judge, matches, number_answer, too_short
from .learner_code import LearnerCode, never_raises, non_finite, real_array
from .gradients import small_problem

DB2 = "Exercise 2 (db2 by hand)"
LR = "Exercise 3 (the learning rate that ends lowest)"
LOOP = "Exercise 4 (a training loop)"

# Exercise 2: a three-sample example small enough to do on paper.
DB2_Y_HAT = (2.0, 0.0, 1.0)
DB2_Y = (1.0, 1.0, 3.0)
# Exercise 3: learning rates to try on the course data, ones-init width 2, 1000 epochs; a run is
# judged by the mean of its last LR_TAIL losses, so that a run bouncing in a period-2 cycle is judged by its middle.
LR_CANDIDATES = (0.003, 0.03, 0.3, 0.8, 1.0, 1.2)
LR_EPOCHS = 1000
LR_TAIL = 100


@never_raises(DB2)
def check_db2(answer):
    """Check the hand-derived ``dL/db2`` for ``y_hat = (2, 0, 1)``, ``y = (1, 1, 3)`` under the MSE.

    The answer is one number, exact or with at least three significant figures.
    """
    value, problem = number_answer(DB2, answer, "`answer` with one number")
    if problem:
        return problem
    r = np.subtract(DB2_Y_HAT, DB2_Y)          # residuals y_hat - y = (1, -1, -2), sum -2
    n = len(r)
    right = 2.0 / n * r.sum()                  # 2/3 * (-2) = -4/3
    verdict = judge(value, right)
    if verdict == RIGHT:
        return Feedback.correct(DB2, f"right: db2 = (2/n) * sum(y_hat - y) = (2/3) * ({r.sum():g}) = {right:.4f}.")
    if verdict == ROUGH:
        return Feedback.hint(DB2, too_short(value, right))
    slips = [
        (-right, "right size, wrong sign: the residual is y_hat - y, not y - y_hat."),
        (right / 2, "half the right value: the square brings down a factor 2."),
        (right * n / 2, "that is the plain sum of the residuals: multiply by 2/n (the 2 from the square, "
                        "the 1/n from the mean)."),
        (right * n, "n times too large: the mean in the MSE divides by n = 3."),
    ]
    for slip, hint in slips:
        if matches(value, slip):
            return Feedback.hint(DB2, hint)
    return Feedback.hint(DB2, f"{written(value)} is not it. db2 = (2/n) * sum_i (y_hat_i - y_i); "
                              "start from the three residuals y_hat - y.")


@lru_cache(maxsize=1)
def _lr_outcomes():
    """For each candidate rate: (diverged, losses recorded, first loss, highest loss, mean of the last ``LR_TAIL``).

    Ones-init width 2 on the course data, ``LR_EPOCHS`` epochs. A diverged run's highest loss and
    mean are those of its finite losses; the check never uses them.
    """
    X, y = make_dataset()
    params = init_params(2)
    out = {}
    for lr in LR_CANDIDATES:
        result = train(X, y, params, lr=lr, epochs=LR_EPOCHS)
        losses = result.losses
        out[lr] = (result.diverged, len(losses), float(losses[0]), float(np.max(losses)),
                   float(np.mean(losses[-LR_TAIL:])))
    return out


@lru_cache(maxsize=1)
def _mean_predictor_mse():
    """The MSE of always predicting the mean of y on the course data: the variance of y."""
    return float(np.var(make_dataset()[1]))


@never_raises(LR)
def check_best_lr(answer):
    """Check the rate in ``LR_CANDIDATES`` whose run ends with the lowest loss.

    Each run trains the ones-init network of width 2 on the course data for 1000
    epochs and is judged by the mean of its last 100 losses; a run that diverges
    is out. The answer is one of the listed rates, typed as listed. The first check
    trains six networks, so it takes a moment; later checks reuse the result.
    """
    name = LR
    if is_blank(answer):
        return Feedback.not_attempted(name, "`answer` with one of the learning rates in the list")
    value = as_number(answer)                                     # None for anything but one real number
    match = [lr for lr in LR_CANDIDATES if value is not None and abs(value - lr) <= 1e-9]   # a choice: as listed
    if not match:
        listed = ", ".join(f"{lr:g}" for lr in LR_CANDIDATES)
        return Feedback.hint(name, f"pick one of the listed learning rates ({listed}), got {brief(answer)}.")
    outcomes = _lr_outcomes()
    lr = match[0]
    finished = {c: outcomes[c][4] for c in LR_CANDIDATES if not outcomes[c][0]}
    right = min(finished, key=finished.get)
    diverged, run, first, peak, end = outcomes[lr]
    if lr == right:
        return Feedback.correct(name, f"right: lr = {lr:g} ends lowest, at MSE {end:.2f} (mean of the last "
                                      f"{LR_TAIL} epochs). Neither the largest nor the smallest rate is best.")
    if diverged:
        return Feedback.hint(name, f"lr = {lr:g} diverges: the loss stops being finite after {run} epochs "
                                   "(look at result.diverged), so it is out.")
    if end >= first:
        return Feedback.hint(name, f"lr = {lr:g} runs all {LR_EPOCHS} epochs, but ends at MSE {end:.2f}, worse than "
                                   f"the start {first:.2f}: finishing is not learning.")
    if peak > first:
        return Feedback.hint(name, f"lr = {lr:g} finishes, but its loss first rose to {peak:.2f} and it ends at "
                                   f"{end:.2f}, near the {_mean_predictor_mse():.2f} of always predicting the mean: "
                                   "the catapult of section 7. A smaller rate ends lower.")
    if lr < right:
        return Feedback.hint(name, f"lr = {lr:g} is still on its way down: it ends at {end:.2f} after {LR_EPOCHS} "
                                   "epochs, and a larger rate in the list ends lower.")
    return Feedback.hint(name, f"lr = {lr:g} ends at {end:.2f}, but a smaller rate in the list ends lower: "
                               "a larger step is not a lower loss.")


@never_raises(LOOP)
def check_train_loop(train_loop):
    """Check ``train_loop(X, y, params, lr, epochs)``: the losses before each update, as ``train`` records them.

    It is run once on a small problem (6 samples, width 3, lr 0.1, 5 epochs) with
    copies of the data; the check waits for it to return, and the losses must
    agree with ``cu.train`` to a relative 1e-9.
    """
    code = LearnerCode(LOOP, train_loop, "train_loop", copy_args=False)
    if code.problem:
        return code.problem
    X, y, params = small_problem(6, seed=3)
    lr, epochs = 0.1, 5
    given = {k: v.copy() for k, v in params.items()}
    losses = code.call(X.copy(), y.copy(), given, lr, epochs)
    if code.problem:
        return code.problem
    losses, message = real_array(losses, "train_loop")
    if message:
        return Feedback.hint(LOOP, message)
    if set(given) != set(params) or any(not np.array_equal(given[k], params[k]) for k in params):
        return Feedback.hint(LOOP, "train_loop changed the params it was given; copy them first "
                                   "(params = {k: v.copy() for k, v in params.items()}).")
    losses = losses.reshape(-1)
    if losses.size != epochs:
        return Feedback.hint(LOOP, f"expected {epochs} losses for epochs={epochs} (one per epoch), got {losses.size}.")
    right = train(X, y, params, lr=lr, epochs=epochs).losses         # the loss after 0 to epochs updates
    if non_finite(losses):
        return Feedback.hint(LOOP, f"your losses contain NaN or inf ({non_finite(losses)}); on this problem they "
                                   f"stay finite, starting at {right[0]:.4f}. Look for an update that overflows.")
    if np.allclose(losses, right[:epochs], rtol=1e-9, atol=1e-12):
        return Feedback.correct(LOOP, "right: your losses match cu.train epoch for epoch.")
    if np.allclose(losses, right[1:], rtol=1e-9, atol=1e-12):
        return Feedback.hint(LOOP, "each loss is one epoch late: record the loss before the update, not after it.")
    if np.allclose(losses, right[0], rtol=1e-9, atol=1e-12):
        return Feedback.hint(LOOP, "the loss never changes: update the parameters inside the loop.")
    if np.all(np.diff(losses) > 0):
        return Feedback.hint(LOOP, "the loss grows every epoch: subtract lr * gradient (you may be adding it).")
    shown = ", ".join(f"{v:.4f}" for v in right[:epochs])
    return Feedback.hint(LOOP, f"expected the losses {shown}; yours start at {written(losses[0])}. Record the MSE "
                               "before each update, then set params[k] = params[k] - lr * grads[k].")
