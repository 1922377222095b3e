"""Auto-checks for the exercises of notebook 03 (backpropagation by hand).

The main exercise, writing ``backward``, is checked by ``course_utils.check_gradients``.
"""

from functools import lru_cache

import numpy as np

from ..data import make_dataset
from ..network import init_params
from ..training import train
from .feedback import Feedback, LearnerCode, as_number, is_blank

# Exercise 2: a three-sample example small enough to do on paper.
DB2_Y_HAT = (2.0, 0.0, 1.0)
DB2_Y = (1.0, 1.0, 3.0)
# Exercise 3: learning rates to try on the course data, ones-init width 2, 1000 epochs.
LR_CANDIDATES = (0.05, 0.3, 0.8, 1.0, 1.2)
LR_EPOCHS = 1000


def check_db2(answer):
    """Check the hand-derived ``dL/db2`` for ``y_hat = (2, 0, 1)``, ``y = (1, 1, 3)``."""
    name = "Exercise 2 (db2 by hand)"
    if is_blank(answer):
        return Feedback.not_attempted(name, "`answer` with one number")
    value = as_number(answer)
    if value is None or not np.isfinite(value):
        return Feedback.hint(name, f"expected one number, got {answer!r}.")
    r = np.subtract(DB2_Y_HAT, DB2_Y)          # residuals y_hat - y = (1, -1, -2), sum -2
    n = len(r)
    right = 2.0 / n * r.sum()                  # 2/3 * (-2) = -4/3
    near = lambda v: abs(value - v) < 1e-3     # noqa: E731  (learners may round to 4 digits)
    if near(right):
        return Feedback.correct(name, f"right: db2 = (2/n) * sum(y_hat - y) = (2/3) * ({r.sum():g}) = {right:.4f}.")
    if near(-right):
        return Feedback.hint(name, "right size, wrong sign: the residual is y_hat - y, not y - y_hat.")
    if near(right / 2):
        return Feedback.hint(name, "half the right value: the square brings down a factor 2.")
    if near(right * n / 2):
        return Feedback.hint(name, "that is the plain sum of the residuals: multiply by 2/n (the 2 from the square, "
                                   "the 1/n from the mean).")
    if near(right * n):
        return Feedback.hint(name, "n times too large: the mean in the MSE divides by n = 3.")
    return Feedback.hint(name, f"{value:.4f} is not it. db2 = (2/n) * sum_i (y_hat_i - y_i); "
                               "start from the three residuals y_hat - y.")


@lru_cache(maxsize=1)
def _lr_outcomes():
    """For each candidate rate: (diverged, epochs run, first loss, final loss), ones-init width 2."""
    X, y = make_dataset()
    params = init_params(2)
    out = {}
    for lr in LR_CANDIDATES:
        result = train(X, y, params, lr=lr, epochs=LR_EPOCHS)
        out[lr] = (result.diverged, len(result.losses), float(result.losses[0]), result.final_loss)
    return out


def _is_good(outcome):
    diverged, _, first, final = outcome
    return not diverged and final < first


def check_largest_good_lr(answer):
    """Check the largest rate in ``LR_CANDIDATES`` that trains 1000 epochs without diverging and ends below its start."""
    name = "Exercise 3 (largest learning rate that works)"
    if is_blank(answer):
        return Feedback.not_attempted(name, "`answer` with one of the learning rates in the list")
    value = as_number(answer)
    match = [lr for lr in LR_CANDIDATES if value is not None and np.isclose(value, lr)]
    if not match:
        listed = ", ".join(f"{lr:g}" for lr in LR_CANDIDATES)
        return Feedback.hint(name, f"pick one of the listed learning rates ({listed}), got {answer!r}.")
    try:
        outcomes = _lr_outcomes()
    except Exception as err:  # the check must never raise
        return Feedback.hint(name, f"could not run the training to check: {type(err).__name__}: {err}")
    lr = match[0]
    right = max(c for c in LR_CANDIDATES if _is_good(outcomes[c]))
    diverged, run, first, final = outcomes[lr]
    if lr == right:
        return Feedback.correct(name, f"right: lr = {lr:g} ends at MSE {final:.2f}, below the start {first:.2f}; "
                                      "every larger rate in the list fails.")
    if diverged:
        return Feedback.hint(name, f"lr = {lr:g} diverges: the loss stops being finite after {run} epochs "
                                   "(look at result.diverged).")
    if final >= first:
        return Feedback.hint(name, f"lr = {lr:g} does not diverge, but it ends at MSE {final:.2f}, worse than the "
                                   f"start {first:.2f}: not diverging is not the same as learning.")
    return Feedback.hint(name, f"lr = {lr:g} works (final MSE {final:.2f}), but a larger rate in the list works too.")


def _loop_problem():
    """A small random problem for the training-loop check: X (6, 2), y (6, 1), width 3."""
    rng = np.random.default_rng(3)
    X = rng.uniform(-2.0, 2.0, size=(6, 2))
    y = rng.normal(0.0, 1.0, size=(6, 1))
    params = init_params(3, "random", seed=rng)
    params["b1"] = rng.normal(0.0, 0.5, size=3)
    params["b2"] = rng.normal(0.0, 0.5, size=1)
    return X, y, params


def check_train_loop(train_loop):
    """Check ``train_loop(X, y, params, lr, epochs)``: the losses before each update, as ``train`` records them."""
    name = "Exercise 4 (a training loop)"
    code = LearnerCode(name, train_loop, "train_loop")
    if code.problem:
        return code.problem
    X, y, params = _loop_problem()
    lr, epochs = 0.1, 5
    given = {k: v.copy() for k, v in params.items()}
    losses = code.call(X.copy(), y.copy(), given, lr, epochs)
    if code.problem:
        return code.problem
    try:
        losses = np.asarray(losses, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        return Feedback.hint(name, f"return the losses as a list of numbers, got {type(losses).__name__}.")
    if any(not np.array_equal(given[k], params[k]) for k in params):
        return Feedback.hint(name, "train_loop changed the params it was given; copy them first "
                                   "(params = {k: v.copy() for k, v in params.items()}).")
    if losses.size != epochs:
        return Feedback.hint(name, f"expected {epochs} losses for epochs={epochs} (one per epoch), got {losses.size}.")
    right = train(X, y, params, lr=lr, epochs=epochs + 1).losses
    if np.allclose(losses, right[:epochs], rtol=1e-9, atol=1e-12):
        return Feedback.correct(name, "right: your losses match cu.train epoch for epoch.")
    if np.allclose(losses, right[1:], rtol=1e-9, atol=1e-12):
        return Feedback.hint(name, "each loss is one epoch late: record the loss before the update, not after it.")
    if np.allclose(losses, right[0], rtol=1e-9, atol=1e-12):
        return Feedback.hint(name, "the loss never changes: update the parameters inside the loop.")
    if np.all(np.diff(losses) > 0):
        return Feedback.hint(name, "the loss grows every epoch: subtract lr * gradient (you may be adding it).")
    shown = ", ".join(f"{v:.4f}" for v in right[:epochs])
    return Feedback.hint(name, f"expected the losses {shown}; yours start at {losses[0]:.4f}. Record the MSE "
                               "before each update, then set params[k] = params[k] - lr * grads[k].")
