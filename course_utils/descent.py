"""The engine behind ``train``, ``train_many`` and ``width_sweep``: full-batch gradient descent, fast (notebooks 03, 04).

The readable, step-by-step version of one training step is ``backward`` from
``network.py`` followed by ``params[k] -= lr * grads[k]``; notebook 03 writes it
out by hand and a test checks that ``train`` gives the same losses. The engine
does the same arithmetic in float64, rearranged for speed:

* **Units by samples.** The hidden layer of one network is stored as
  ``(m, n)``: every row is one unit over all samples, contiguous in memory,
  so every sum over samples is a dot product along one row.
* **Biases ride along** as an extra weight column against a row of ones, so
  one matrix product gives the whole pre-activation ``Z1.T = W1.T @ X.T + b1``.
* **tanh instead of sigmoid:** ``sigmoid(z) = (1 + tanh(z / 2)) / 2``. numpy's
  tanh never overflows, and with ``t = tanh(z / 2)`` the slope comes from the
  forward output as ``sigmoid'(z) = (1 - t**2) / 4``. The weights are stored
  halved, so the product gives ``z / 2`` directly (halving is exact in binary).
* **Factor out what does not depend on the sample.** ``dL/dW1[i, j]`` is
  ``W2[j] / 4 * sum_n x[n, i] d[n] (1 - t[n, j]**2)``, with ``d = dL/dZ2``.

**Each network's numbers are its own.** Networks of one width are stacked in
3-D arrays ``(G, m, n)``, and every operation works item by item: element-wise
ufuncs, ``np.vecdot`` along each row, and ``np.matmul`` on stacks whose items
all have one shape. No number ever depends on which other networks share the
stack, so ``train_many`` and ``width_sweep`` give bit for bit what ``train``
gives alone (``train`` is a stack of one). Stacks are cut into chunks small
enough to stay in the processor's cache, and the chunks are shared out over
up to two threads: numpy releases the GIL inside each operation.
"""

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

CHUNK_ELEMENTS = 200_000     # hidden-layer entries (units x samples) in one chunk: about 1.6 MB per array
BLAS_SLICE = 4 * 65536       # OpenBLAS threads a product above this many multiply-adds; stay below it
BLOCK = 1024                 # losses are stored in blocks of this many epochs, as they are run


def descend_group(X, y, Wt, w2, b2, lr, epochs, output="linear"):
    """Gradient descent on G networks of one width m, each on its own.

    ``X`` (n, D), ``y`` (n, 1); ``Wt`` (G, m, D+1) holds each network's
    ``[W1.T, b1]``, ``w2`` (G, m) its ``W2[:, 0]`` and ``b2`` (G,) its ``b2``.
    Returns ``(Wt, w2, b2, losses, n_run)``: the parameters at the last epoch
    each network ran (the start of its first non-finite loss, if it diverged),
    ``losses`` (G, max n_run) and ``n_run`` (G,), the finite losses each recorded.
    """
    n, D = X.shape
    G, m = w2.shape
    XaT = np.vstack([X.T, np.ones((1, n))])                  # (D+1, n): inputs plus a row of ones
    yT = np.ascontiguousarray(y.T)                          # (1, n)
    Wt = 0.5 * np.asarray(Wt, dtype=np.float64)             # halved: Wt @ XaT = Z1.T / 2
    w2, b2 = np.array(w2, dtype=np.float64), np.array(b2, dtype=np.float64)
    ones_m = np.ones(m)
    U = np.empty((G, 2 * m, n))                             # t above, t**2 below: one product reads both
    t, t2 = U[:, :m], U[:, m:]
    o = np.empty((G, 1, n))                                 # Z2, then residuals, then d = dL/dZ2
    V = np.empty((G, D + 1, n))                             # x_i * d and d, one row each
    R = np.empty((G, 2 * m, D + 1))                         # U @ V.T: sums over samples, per unit
    rows = max(1, BLAS_SLICE // ((D + 1) * n))              # rows of U per single-threaded product
    final = [Wt.copy(), w2.copy(), b2.copy()]               # each network's parameters where it stopped
    blocks, n_run = [], np.zeros(G, dtype=int)
    alive = np.ones(G, dtype=bool)
    cols = max(1, BLAS_SLICE // (m * (D + 1)))              # columns per single-threaded product
    o_cols = max(1, BLAS_SLICE // m)
    with np.errstate(all="ignore"):                          # divergence is reported, not warned about
        for e in range(epochs):
            for c in range(0, n, cols):                      # t = tanh(Z1.T / 2), (G, m, n)
                np.matmul(Wt, XaT[:, c:c + cols], out=t[:, :, c:c + cols])
            np.tanh(t, out=t)                                # hidden H = (1 + t) / 2
            for c in range(0, n, o_cols):                    # H @ W2 = 0.5 * W2 . t + 0.5 * sum(W2)
                np.matmul(0.5 * w2[:, None, :], t[:, :, c:c + o_cols], out=o[:, :, c:c + o_cols])
            o += (0.5 * np.vecdot(w2, ones_m) + b2)[:, None, None]
            slope = None
            if output == "sigmoid":                          # sigmoid(v) = (1 + tanh(v / 2)) / 2
                np.tanh(np.multiply(o, 0.5, out=o), out=o)
                np.multiply(np.add(o, 1.0, out=o), 0.5, out=o)
                slope = o * (1.0 - o)                        # sigmoid' from its output
            o -= yT
            loss = np.vecdot(o, o)[:, 0] / n                 # (G,)
            stop = alive & ~np.isfinite(loss)
            if stop.any():
                for a, f in zip((Wt, w2, b2), final):
                    f[stop] = a[stop]
                alive &= ~stop
                if not alive.any():
                    break
                o[~alive], Wt[~alive], w2[~alive], b2[~alive] = 0.0, 0.0, 0.0, 0.0
            if e % BLOCK == 0:
                blocks.append(np.full((G, min(BLOCK, epochs - e)), np.nan))
            blocks[-1][:, e % BLOCK] = loss
            n_run += alive
            o *= 2.0 / n                                     # d = dL/dZ2, (G, 1, n)
            if slope is not None:
                o *= slope
            np.multiply(XaT, o, out=V)                       # (G, D+1, n)
            S = np.vecdot(XaT, o)                            # (G, D+1): sum of x_i * d, and of d
            np.multiply(t, t, out=t2)
            for r in range(0, 2 * m, rows):                  # R[:, j, i] = sum_n U[j, n] x_i[n] d[n]
                np.matmul(U[:, r:r + rows], V.transpose(0, 2, 1), out=R[:, r:r + rows])
            # dL/dW_aug = W2 / 4 * (sum x d - sum x d t**2);  dL/dW2 = H . d with H = (1 + t) / 2
            g_Wt = 0.25 * w2[:, :, None] * (S[:, None, :] - R[:, m:])
            g_w2 = 0.5 * (R[:, :m, D] + S[:, D, None])
            Wt -= (0.5 * lr) * g_Wt                          # halved weights take half the step
            w2 -= lr * g_w2
            b2 -= lr * S[:, D]
            if not alive.all():                              # stopped networks stay at zero
                Wt[~alive], w2[~alive], b2[~alive] = 0.0, 0.0, 0.0
    for a, f in zip((Wt, w2, b2), final):
        f[alive] = a[alive]
    losses = np.concatenate(blocks, axis=1) if blocks else np.empty((G, 0))
    return 2.0 * final[0], final[1], final[2], losses, n_run


def descend_many(X, y, groups, lr, epochs, output="linear"):
    """Run ``descend_group`` on each ``(Wt, w2, b2)`` in ``groups``, cut into cache-sized chunks, on up to 2 threads.

    Returns one ``(Wt, w2, b2, losses, n_run)`` per group, as ``descend_group`` would alone.
    """
    tasks = []                                               # (group index, start, stop)
    for g, (Wt, w2, b2) in enumerate(groups):
        G, m = w2.shape
        per = max(1, CHUNK_ELEMENTS // (m * X.shape[0]))
        tasks += [(g, a, min(a + per, G)) for a in range(0, G, per)]

    def run(task):
        g, a, b = task
        Wt, w2, b2 = groups[g]
        return descend_group(X, y, Wt[a:b], w2[a:b], b2[a:b], lr, epochs, output)

    workers = min(2, os.cpu_count() or 1, len(tasks))
    if workers > 1:
        with ThreadPoolExecutor(workers) as pool:
            results = list(pool.map(run, tasks))
    else:
        results = [run(task) for task in tasks]
    out = []
    for g in range(len(groups)):
        parts = [r for (tg, _, _), r in zip(tasks, results) if tg == g]
        width = max(p[3].shape[1] for p in parts)
        losses = np.concatenate([np.pad(p[3], ((0, 0), (0, width - p[3].shape[1])), constant_values=np.nan)
                                 for p in parts])
        out.append(tuple(np.concatenate([p[i] for p in parts]) for i in range(3)) + (losses,)
                   + (np.concatenate([p[4] for p in parts]),))
    return out
