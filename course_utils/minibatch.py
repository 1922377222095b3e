"""Mini-batch stochastic gradient descent for the 2-H-1 network (notebook 05).

``train(..., batch_size=B, seed=s)`` comes here. The contract, which a test
checks against a plain loop over ``backward``:

* one ``rng = np.random.default_rng(seed)`` per call;
* each epoch visits the samples in the order ``rng.permutation(n)``;
* the batches are consecutive slices of that order, ``B`` samples each, the
  last one shorter when ``B`` does not divide ``n``;
* each batch takes one step ``params[k] -= lr * grads[k]`` with the gradient
  of that batch's own mean squared error;
* ``losses[e]`` is the MSE over the whole training set before epoch ``e``,
  and ``val_losses[e]`` the MSE over the validation set at the same moment.

The readable version of one epoch is::

    order = rng.permutation(n)
    for start in range(0, n, B):
        rows = order[start:start + B]
        grads = backward(X[rows], y[rows], params)
        params = {k: params[k] - lr * grads[k] for k in params}

The loop below does the same arithmetic with the tricks of ``descent.py``:
the inputs carry a column of ones so ``b1`` rides in ``W1``, the hidden layer
is ``sigmoid(z) = (1 + tanh(z / 2)) / 2`` with the weights stored halved,
and ``sigmoid'(z) = (1 - t**2) / 4`` comes from ``t = tanh(z / 2)``. Each epoch
gathers the shuffled samples once, so every batch is a contiguous slice, and one
product of the batch's ``x * r`` with the rows ``[2, 1 + t, 1 - t**2]`` gives
every sum the gradient needs (``r = y_hat - y``, ``1 + t = 2 h``).
"""

import numbers

import numpy as np

from .descent import BLAS_SLICE
from .validation import as_X, as_y, check_positive_int


def train_minibatch(X, y, params, lr, epochs, output="linear", batch_size=None, seed=None, validation=None):
    """Check the mini-batch arguments of ``train`` and run ``minibatch_descent`` (notebook 05).

    ``X``, ``y``, ``params``, ``lr``, ``epochs`` and ``output`` come already checked by ``train``.

    Parameters
    ----------
    batch_size : int or None
        Samples per step, from 1 to n_samples; None means all of them (one step per epoch).
    seed : int, numpy.random.Generator or None
        Seed of the one ``np.random.default_rng(seed)`` that shuffles every epoch.
    validation : tuple (X_val, y_val) or None
        Held-out data, X_val (n_val, n_inputs) and y_val (n_val, 1), whose MSE is
        recorded before each epoch as ``val_losses``.

    Returns
    -------
    params, losses, val_losses, diverged
        As in ``TrainResult``; ``val_losses`` is None without ``validation``.
    """
    n, D = X.shape
    if batch_size is None:
        batch_size = n
    batch_size = check_positive_int(batch_size, "batch_size")
    if batch_size > n:
        raise ValueError(f"batch_size must be at most the number of training samples ({n}), got {batch_size}")
    if not (seed is None or isinstance(seed, np.random.Generator)
            or (isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and seed >= 0)):
        raise TypeError(f"seed must be None, a whole number >= 0 or a numpy Generator, got {seed!r}")
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise TypeError(f"validation must be a pair (X_val, y_val), got {type(validation).__name__}")
        X_val = as_X(validation[0], D)
        validation = (X_val, as_y(validation[1], X_val.shape[0]))
    params = {k: np.asarray(params[k], dtype=np.float64) for k in ("W1", "b1", "W2", "b2")}
    new, losses, watched, diverged = minibatch_descent(X, y, params, lr, epochs, batch_size, seed, output,
                                                        watch=[validation] if validation is not None else [])
    return new, losses, watched[0] if validation is not None else None, diverged


def minibatch_descent(X, y, params, lr, epochs, batch_size, seed=None, output="linear", watch=()):
    """Mini-batch SGD on the MSE; returns ``(params, losses, watched, diverged)``.

    ``X`` (n, D) and ``y`` (n, 1) are float64 and already checked; ``watch`` is
    a list of checked pairs ``(X_k (n_k, D), y_k (n_k, 1))`` whose MSE is
    recorded before each epoch, as ``losses`` is for the training set:
    ``watched`` is a list of arrays, one per pair, each of shape
    (n_epochs_run,) like ``losses``. Training stops at the first training loss
    that is not finite, with ``diverged`` True, as ``train`` does.
    """
    n, D = X.shape
    H = params["W1"].shape[1]
    rng = np.random.default_rng(seed)
    sigmoid_out = output == "sigmoid"
    Wh = 0.5 * np.vstack([params["W1"], params["b1"][None, :]])           # (D+1, H): x_aug @ Wh = z / 2
    va = np.empty(H + 1)                                                   # [b2 / 2, v] with v = W2 / 2
    v = va[1:]
    va[0], v[:] = 0.5 * params["b2"][0], 0.5 * params["W2"][:, 0]
    train_mse = _FullMSE(X, y, sigmoid_out)
    watchers = [_FullMSE(Xk, yk, sigmoid_out) for Xk, yk in watch]
    XaT = np.vstack([X.T, np.ones((1, n))])                                # (D+1, n)
    XpT, XsT, yp = np.empty_like(XaT), np.empty_like(XaT), np.empty(n)     # this epoch's order; XsT = c * XpT
    B = batch_size
    r, XdT, G, step = np.empty(B), np.empty((D + 1, B)), np.empty((D + 1, 1 + 2 * H)), np.empty((D + 1, H))
    G_ones, SM = G[D, :H + 1], G[:, H + 1:]
    # Every batch is a fixed slice of the buffers, so its views are made once, not once per step. The hidden
    # layer is stored units by samples, rows [2; 1 + t; 1 - t**2], each block contiguous for the elementwise steps.
    hidden = {}
    batches, scales = [], []
    for a in range(0, n, B):
        m = min(B, n - a)
        if m not in hidden:
            hidden[m] = np.empty((1 + 2 * H, m))
            hidden[m][0] = 2.0
        U = hidden[m]
        batches.append((XpT[:, a:a + m], XsT[:, a:a + m], yp[a:a + m], U.T, U[:H + 1], U[1:H + 1], U[H + 1:],
                        r[:m], r[None, :m], XdT[:, :m], (2 * H + 1) * (D + 1) * m > BLAS_SLICE))
        scales.append((slice(a, a + m), 0.5 * lr / m))                     # lr / 4 * dL/dy_hat / r = lr / (2 m)
    WhT = Wh.T
    losses, watched = np.empty(epochs), np.empty((len(watchers), epochs))
    n_run = 0
    y0 = y[:, 0]
    with np.errstate(all="ignore"):                                        # divergence is reported, not warned about
        for e in range(epochs):
            loss = train_mse(Wh, v, 2.0 * va[0])
            if not np.isfinite(loss):
                break
            losses[e] = loss
            for k, mse_k in enumerate(watchers):
                watched[k, e] = mse_k(Wh, v, 2.0 * va[0])
            n_run += 1
            order = rng.permutation(n)
            for i in range(D + 1):
                np.take(XaT[i], order, out=XpT[i])
            np.take(y0, order, out=yp)
            np.multiply(XpT, scales[0][1], out=XsT)
            if scales[-1][1] != scales[0][1]:                              # the short last batch
                np.multiply(XpT[:, scales[-1][0]], scales[-1][1], out=XsT[:, scales[-1][0]])
            for XbT, XsbT, yb, u, u_out, p, s, rb, r_row, xdT, big in batches:
                matmul = _matmul_one_thread if big else np.matmul
                matmul(WhT, XbT, out=p)                                    # z / 2, (H, m)
                np.tanh(p, out=p)                                          # t = tanh(z / 2)
                np.add(p, 1.0, out=p)                                      # 1 + t = 2 h
                np.subtract(2.0, p, out=s)                                 # 1 - t
                np.multiply(s, p, out=s)                                   # 1 - t**2 = 4 sigmoid'(z)
                np.matmul(va, u_out, out=rb)                               # 2 * b2/2 + 2h @ W2/2 = h @ W2 + b2
                if sigmoid_out:                                            # y_hat = sigmoid(o); r = dL/do * m / 2
                    sig = 0.5 * (1.0 + np.tanh(0.5 * rb))
                    np.multiply((sig - yb) * sig, 1.0 - sig, out=rb)
                else:
                    np.subtract(rb, yb, out=rb)                            # r = y_hat - y; dL/dy_hat = 2 r / m
                np.multiply(XsbT, r_row, out=xdT)                          # c x r, with c = lr / (2 m)
                matmul(xdT, u, out=G)                                      # c * sums of x r [2, 1 + t, 1 - t**2]
                # W_aug takes lr (2/m) (W2/4) sum x r (1 - t**2): for Wh = W_aug / 2 that is v * G[:, 1-t**2 block].
                np.multiply(SM, v, out=step)
                np.subtract(Wh, step, out=Wh)
                # W2 takes lr (2/m) sum r h and b2 takes lr (2/m) sum r: for v = W2 / 2 and b2 / 2, the row of ones.
                np.subtract(va, G_ones, out=va)
    new = {"W1": 2.0 * Wh[:D], "b1": 2.0 * Wh[D], "W2": 2.0 * v[:, None], "b2": 2.0 * va[:1]}
    return new, losses[:n_run].copy(), [curve[:n_run].copy() for curve in watched], n_run < epochs


def _matmul_one_thread(A, B, out):
    """``out[:] = A @ B`` in pieces below ``BLAS_SLICE`` multiply-adds, which OpenBLAS runs on one thread.

    Cut by B's columns, or summed over pieces of the inner axis, as ``descent.py`` cuts its products: on a busy
    machine a threaded product waits for a second thread that is not running.
    """
    rows, inner = A.shape
    cols = B.shape[1]
    if cols >= inner:                                                      # (H, D+1) @ (D+1, m): split the m columns
        step = max(1, BLAS_SLICE // (rows * inner))
        for c in range(0, cols, step):
            np.matmul(A, B[:, c:c + step], out=out[:, c:c + step])
    else:                                                                  # (D+1, m) @ (m, 2H+1): add up pieces of m
        step = max(1, BLAS_SLICE // (rows * cols))
        np.matmul(A[:, :step], B[:step], out=out)
        for c in range(step, inner, step):
            out += A[:, c:c + step] @ B[c:c + step]


class _FullMSE:
    """The MSE over a whole data set, in the layout of ``descent.py``: units by samples, one thread per product."""

    def __init__(self, X, y, sigmoid_out):
        n = X.shape[0]
        self.XaT = np.vstack([X.T, np.ones((1, n))])                       # (D+1, n)
        self.y, self.sigmoid_out = y[:, 0], sigmoid_out
        self.t = None
        self.o = np.empty(n)

    def __call__(self, Wh, v, b2):
        """MSE of the network with halved hidden weights ``Wh`` (D+1, H), ``v = W2 / 2`` (H,) and ``b2``."""
        WhT = np.ascontiguousarray(Wh.T)                                   # (H, D+1)
        if self.t is None or self.t.shape[0] != WhT.shape[0]:
            self.t = np.empty((WhT.shape[0], self.XaT.shape[1]))
        t, o = self.t, self.o
        cols = max(1, BLAS_SLICE // WhT.size)                             # slices OpenBLAS runs on one thread
        for c in range(0, t.shape[1], cols):
            np.matmul(WhT, self.XaT[:, c:c + cols], out=t[:, c:c + cols])
        np.tanh(t, out=t)
        np.matmul(v, t, out=o)
        o += v.sum() + b2
        if self.sigmoid_out:
            np.multiply(np.add(np.tanh(np.multiply(o, 0.5, out=o), out=o), 1.0, out=o), 0.5, out=o)
        np.subtract(o, self.y, out=o)
        return float(o @ o) / len(o)
