"""Full-batch gradient descent for the 2-H-1 network, fast enough to run inside a widget (notebooks 03, 04).

The readable, step-by-step version of one training step is ``backward`` from
``network.py`` followed by ``params[k] -= lr * grads[k]``; notebook 03 writes it
out by hand. ``train`` does the same arithmetic in float64, rearranged so each
epoch makes as few passes over the (n_samples, H) hidden layer as it can:

* The biases ride along as an extra weight row against a column of ones, so
  ``X_aug @ W_aug`` is the whole hidden pre-activation and column sums come out
  of matrix products instead of strided ``axis=0`` sums.
* ``sigmoid(z) = (1 + tanh(z / 2)) / 2``. Working with ``t = tanh(z / 2)`` makes
  ``sigmoid'(z) = (1 - t**2) / 4``: the derivative comes from the forward output
  and needs one squared array, not three temporaries.
* The output weight ``W2[j]`` is pulled out of the sum over samples, so the
  gradient of ``W1`` is one small matrix product of the input with ``t**2``.
"""

from dataclasses import dataclass

import numpy as np

from .network import INITS, init_params
from .validation import (as_X, as_y, check_choice, check_non_negative_int, check_output, check_params,
                         check_positive_float, check_positive_int)


@dataclass
class TrainResult:
    """What ``train`` returns.

    Attributes
    ----------
    params : dict
        New parameter dict (the one passed in is left untouched).
    losses : ndarray, shape (n_epochs_run,)
        MSE before each epoch's update, as the original notebook records it.
    diverged : bool
        True if training stopped early at a loss that was not finite.
    """

    params: dict
    losses: np.ndarray
    diverged: bool

    @property
    def final_loss(self):
        """The last finite loss recorded, or NaN if none was."""
        return float(self.losses[-1]) if len(self.losses) else float("nan")


def _check_training_args(X, y, params, lr, epochs, output):
    check_output(output)
    n_inputs, _ = check_params(params)
    X = as_X(X, n_inputs)
    y = as_y(y, X.shape[0])
    return X, y, check_positive_float(lr, "lr"), check_non_negative_int(epochs, "epochs")


def _augment(X):
    """``X`` with a column of ones appended, shape (n, D + 1)."""
    return np.hstack([X, np.ones((X.shape[0], 1))])


def train(X, y, params, lr=0.01, epochs=1000, output="linear"):
    """Train with full-batch gradient descent on the MSE (notebook 03).

    Parameters
    ----------
    X : array_like, shape (n_samples, n_inputs)
    y : array_like, shape (n_samples, 1)
    params : dict
        Starting parameters from ``init_params``; not modified.
    lr : float
        Learning rate, greater than 0.
    epochs : int
        Number of full-batch steps, 0 or more.
    output : {"linear", "sigmoid"}

    Returns
    -------
    TrainResult
        Training stops at the first loss that is not finite; ``diverged`` is
        then True and ``losses`` holds the finite losses before it.
    """
    X, y, lr, epochs = _check_training_args(X, y, params, lr, epochs, output)
    n, D = X.shape
    Xa = _augment(X)
    # Hidden weights and biases, halved so that X_aug @ Wh = z / 2 (halving is exact in binary).
    Wh = 0.5 * np.vstack([params["W1"], params["b1"][None, :]]).astype(np.float64)   # (D+1, H)
    w2 = np.array(params["W2"], dtype=np.float64)                                     # (H, 1)
    b2 = float(params["b2"][0])
    H = Wh.shape[1]
    t = np.empty((n, H))          # tanh(z / 2)
    t2 = np.empty((n, H))         # t ** 2
    o = np.empty((n, 1))
    Xd = np.empty((n, D + 1))
    losses = np.empty(epochs)
    diverged = False
    n_run = 0
    sigmoid_out = output == "sigmoid"
    with np.errstate(all="ignore"):
        for epoch in range(epochs):
            np.matmul(Xa, Wh, out=t)
            np.tanh(t, out=t)
            # y_hat = h @ W2 + b2 with h = (1 + t) / 2
            np.matmul(t, w2, out=o)
            o *= 0.5
            o += 0.5 * w2.sum() + b2
            if sigmoid_out:
                np.tanh(0.5 * o, out=o)
                o += 1.0
                o *= 0.5
            r = o - y                                           # (n, 1)
            loss = float((r.T @ r)[0, 0]) / n
            if not np.isfinite(loss):
                diverged = True
                break
            losses[epoch] = loss
            n_run += 1
            d_o = r                                             # dL/d(pre-output), scaled below
            d_o *= 2.0 / n
            if sigmoid_out:
                d_o *= o * (1.0 - o)
            sum_d = float(d_o.sum())
            # dL/dW2 = h.T @ d_o = (t.T @ d_o + sum(d_o)) / 2
            g_w2 = 0.5 * (t.T @ d_o + sum_d)
            # dL/dW_aug[i, j] = W2[j] / 4 * sum_n Xa[n, i] d_o[n] (1 - t[n, j]**2)
            np.multiply(Xa, d_o, out=Xd)
            np.multiply(t, t, out=t2)
            g_wa = (Xd.sum(axis=0)[:, None] - Xd.T @ t2) * (0.25 * w2.T)
            Wh -= (0.5 * lr) * g_wa
            w2 -= lr * g_w2
            b2 -= lr * sum_d
    new = {"W1": 2.0 * Wh[:D], "b1": 2.0 * Wh[D], "W2": w2, "b2": np.array([b2])}
    return TrainResult(params=new, losses=losses[:n_run], diverged=diverged)


def width_sweep(X, y, widths=(2, 4, 8, 16), init="ones", lr=0.01, epochs=1000, seed=None):
    """Train one network per hidden width and return each one's loss curve (notebook 04).

    Width ``w`` starts from ``init_params(w, init, seed=seed)`` and is trained
    exactly as ``train`` would train it, with a linear output.

    Returns
    -------
    dict
        ``{width: losses}``, each losses an ndarray of shape (n_epochs_run,).
    """
    widths = _check_widths(widths)
    check_choice(init, "init", INITS)
    X = as_X(X, 2)
    return {w: train(X, y, init_params(w, init, seed=seed), lr=lr, epochs=epochs).losses for w in widths}


def _check_widths(widths):
    """Return ``widths`` as a tuple of distinct positive ints, or raise."""
    try:
        widths = tuple(widths)
    except TypeError:
        raise TypeError(f"widths must be a sequence of whole numbers such as (2, 4, 8, 16), got {widths!r}") from None
    if not widths:
        raise ValueError("widths must name at least one hidden width, got an empty sequence")
    widths = tuple(check_positive_int(w, "each width") for w in widths)
    if len(set(widths)) != len(widths):
        raise ValueError(f"widths must not repeat a width, got {widths}")
    return widths
