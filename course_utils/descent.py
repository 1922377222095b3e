"""The engine behind ``train`` and ``width_sweep``: full-batch gradient descent, fast (notebooks 03, 04).

The readable, step-by-step version of one training step is ``backward`` from
``network.py`` followed by ``params[k] -= lr * grads[k]``; notebook 03 writes it
out by hand and a test checks that ``train`` gives the same losses. ``train``
does the same arithmetic in float64, rearranged so that each epoch makes as
few passes as it can over the big hidden-layer array:

* **Units by samples.** The hidden layer is stored as ``(H, n_samples)``, so
  every row is one unit over all samples, contiguous in memory: sums over
  samples run along rows, and there is no strided ``axis=0`` sum anywhere.
* **Biases ride along** as an extra weight column against a row of ones, so
  one matrix product gives the whole pre-activation ``W1.T @ X.T + b1``.
* **tanh instead of sigmoid:** ``sigmoid(z) = (1 + tanh(z / 2)) / 2``. numpy's
  tanh is its fastest bounded transcendental, it never overflows, and with
  ``t = tanh(z / 2)`` the derivative comes from the forward output as
  ``sigmoid'(z) = (1 - t**2) / 4``. The weights are stored halved, so
  ``X_aug @ W_half`` is ``z / 2`` directly (halving is exact in binary).
* **Factor out what does not depend on the sample.** ``dL/dW1[i, j]`` is
  ``W2[j] / 4 * sum_n x[n, i] d[n] (1 - t[n, j]**2)``: ``W2[j] / 4`` leaves the
  sum, and the rest is a matrix-vector product with ``t**2``.
* **Buffers are allocated once** and filled in place with ``out=``.
* **One thread per product.** The thin products are cut into slices that
  OpenBLAS runs on one thread, so a busy machine cannot stall them.

``width_sweep`` trains several networks in the same pass: their hidden units
sit side by side in one hidden layer, and each network reads its output from
its own block of a block-diagonal output-weight matrix, so no gradient crosses
from one network to another.
"""

import numpy as np


def descend(X, y, W1, b1, W2, b2, net, lr, epochs, output="linear"):
    """Gradient descent on K independent networks whose hidden units share one layer.

    ``X`` (n, D), ``y`` (n, 1); ``W1`` (D, H), ``b1`` (H,), ``W2`` (H,) and ``b2``
    (K,) hold the stacked parameters; ``net`` (H,) says which network each unit
    belongs to. Returns the trained arrays, ``losses`` (K, epochs) and
    ``n_run`` (K,), the number of finite losses each network recorded.
    """
    n, D = X.shape
    H, K = len(net), len(b2)
    unit = np.arange(H)
    # Each network's units must sit together, in network order: then network k owns the rows blocks[k].
    if np.any(np.diff(net) < 0):
        raise ValueError("descend needs the units of each network side by side, in network order")
    ends = np.searchsorted(net, np.arange(K + 1))
    blocks = [slice(a, b) for a, b in zip(ends[:-1], ends[1:])]
    XaT = np.vstack([X.T, np.ones((1, n))])                  # (D+1, n): inputs plus a row of ones
    Wt = 0.5 * np.hstack([W1.T, b1[:, None]])                # (H, D+1): halved, so Wt @ XaT = z / 2
    w2, b2 = W2.astype(np.float64), b2.astype(np.float64)
    W2h = np.zeros((K, H))                                   # block-diagonal 0.5 * W2: network k reads its own units
    U = np.empty((2 * H, n))                                 # t on top, t**2 below: one product reads both
    t, t2 = U[:H], U[H:]
    U3 = U.reshape(2, H, n)
    P = np.empty((2, H))
    o = np.empty((K, n))                                     # outputs, then residuals, then dL/d(pre-output)
    losses, n_run = np.empty((K, epochs)), np.zeros(K, dtype=int)
    alive = np.ones(K, dtype=bool)

    def forward():
        """Fill ``t`` and the residuals ``o = y_hat - y``; return each network's loss (K,) and f'(output)."""
        W2h[net, unit] = 0.5 * w2
        _matmul_unthreaded(Wt, XaT, out=t)
        np.tanh(t, out=t)                                    # hidden h = (1 + t) / 2
        _matmul_unthreaded(W2h, t, out=o)                    # h @ W2 = 0.5 * t @ W2 + 0.5 * sum(W2)
        np.add(o, (0.5 * np.bincount(net, w2, K) + b2)[:, None], out=o)
        slope = None
        if output == "sigmoid":                              # sigmoid(v) = (1 + tanh(v / 2)) / 2
            np.tanh(np.multiply(o, 0.5, out=o), out=o)
            np.multiply(np.add(o, 1.0, out=o), 0.5, out=o)
            slope = o * (1.0 - o)                            # sigmoid' from its output
        np.subtract(o, y.T, out=o)
        return np.einsum("kn,kn->k", o, o) / n, slope

    with np.errstate(all="ignore"):                          # divergence is reported, not warned about
        for e in range(epochs):
            loss, slope = forward()
            if not np.isfinite(loss[alive]).all():
                # A unit gone NaN spills into every output through the zeros of W2h (0 * NaN = NaN).
                # Ask each network for its own loss, freeze (zero) the ones that really diverged, redo.
                alive &= np.isfinite(_own_losses(t, w2, b2, y, net, output))
                if not alive.any():
                    break
                Wt[~alive[net]], w2[~alive[net]], b2[~alive] = 0.0, 0.0, 0.0
                loss, slope = forward()
            losses[alive, e] = loss[alive]
            n_run[alive] += 1
            o *= 2.0 / n                                     # d = dL/d(pre-output), (K, n)
            if slope is not None:
                o *= slope
            np.multiply(t, t, out=t2)
            S = XaT @ o.T                                    # (D+1, K): sums of x_i * d and of d, as products
            for rows, d in zip(blocks, o):                   # each network's units with that network's d (n,)
                P[:, rows] = np.vecdot(U3[:, rows], d)       # (2, units): t . d and t**2 . d, row by row
                np.multiply(t2[rows], d, out=t2[rows])       # t**2 * d, then one matrix-vector product per input
            k = net                                          # each unit reads only its own network's column of S
            g_w2 = 0.5 * (P[0] + S[D, k])                    # h . d with h = (1 + t) / 2
            g_Wt = np.empty((H, D + 1))                      # dL/dW_aug = W2 / 4 * (sum x d - sum x d t**2)
            for i in range(D):
                g_Wt[:, i] = S[i, k] - t2 @ XaT[i]
            g_Wt[:, D] = S[D, k] - P[1]
            g_Wt *= 0.25 * w2[:, None]
            step = lr * alive                                # frozen networks stay where they stopped
            Wt -= (0.5 * step[k])[:, None] * g_Wt            # halved weights take half the step
            w2 -= step[k] * g_w2
            b2 -= step * S[D]
    W1, b1 = 2.0 * Wt[:, :D].T, 2.0 * Wt[:, D]
    return W1, b1, w2, b2, losses, n_run


def _matmul_unthreaded(A, B, out):
    """``out[:] = A @ B``, in slices of B's columns small enough that OpenBLAS keeps each on one thread.

    OpenBLAS splits a product over threads once M * N * K passes 4 * 65536. For
    these thin products that gains little on an idle machine and costs a great
    deal on a busy one, where each call waits for a second thread that is not
    running: slices under the threshold keep the timing steady.
    """
    step = max(1, (4 * 65536) // (A.shape[0] * A.shape[1]))
    for c in range(0, B.shape[1], step):
        np.matmul(A, B[:, c:c + step], out=out[:, c:c + step])


def _own_losses(t, w2, b2, y, net, output):
    """Each network's loss from its own units alone, (K,): the slow path, run only when a loss is not finite."""
    losses = []
    for k in range(len(b2)):
        mine = net == k
        y_hat = 0.5 * (w2[mine] @ t[mine] + w2[mine].sum()) + b2[k]
        if output == "sigmoid":
            y_hat = 0.5 * (1.0 + np.tanh(0.5 * y_hat))
        losses.append(np.mean((y_hat - y[:, 0]) ** 2))
    return np.array(losses)
