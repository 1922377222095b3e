"""Many networks of one width side by side, each with its own sample, rate and seed (notebook 05).

Notebook 05 trains every setting it compares over ten or more seeds, and these functions let it
train them together::

    from course_utils.stacked import backward_stack, stack_params, train_stack

``train_stack`` trains networks that each have their own sample (of any size), learning rate,
number of epochs and shuffling seed. Network ``k`` follows the contract of
``train(X[k], y[k], starts[k], lr=lr[k], epochs=epochs[k], batch_size=batch_size,
seed=seeds[k])`` step for step: the same permutations, batches and updates. It ends at those
parameters up to rounding, and a test checks it against ``train``. ``backward_stack`` is
``backward`` for K parameter sets at once, stacked by ``stack_params``.

Why not ``train_many``? ``train_many`` returns a ``TrainResult`` per start: the loss after every
epoch, bit for bit what ``train`` records, stopped at the first loss that is not finite. These
record no losses (notebook 05 measures what it needs when it needs it), carry a network whose
numbers overflow on (inf or NaN, into the next call too), and do the readable loop's arithmetic
on stacks, ``(K, batch, ...)``, so they agree with ``train`` up to rounding, not bit for bit.
So that every network's batch has one size in every step, a mini-batch size must divide every
sample size (no short last batch), and full batches need samples of one size. The output is linear.
"""

import numpy as np

from ._checks import (as_params, as_stacked_data, as_X, as_y, check_copies_memory, check_non_negative_float,
                      check_non_negative_int, check_per_start, check_positive_float, check_positive_int, check_seed,
                      check_stack_memory, check_stacked_params, check_starts, count_numbers)

KEYS = ("W1", "b1", "W2", "b2")
CHUNK = 256                  # steps whose batches are drawn at once: (K, CHUNK, batch) indices
# float64 copies of its starts train_stack holds at once: the checked ones, the stack, the working (negated) one,
# the final stack and the dicts returned.
COPIES = 5


def stack_params(params):
    """The K parameter dicts of ``params`` (one width) as one dict of arrays with a leading axis K.

    Returns ``{"W1": (K, D, m), "b1": (K, m), "W2": (K, m, 1), "b2": (K, 1)}``. A dict may carry inf
    or NaN (a network that overflowed): it is checked for its keys and shapes only.
    """
    params = check_starts(params)
    check_copies_memory([count_numbers(p) for p in params], [None], None, 0, 3, "stacking {} parameter dicts")
    checked = [as_params(p, f"params[{i}]", finite=False) for i, p in enumerate(params)]
    if len({p["W1"].shape for p in checked}) > 1:
        raise ValueError(f"every network must have one width, got W1 shapes {sorted({p['W1'].shape for p in checked})}")
    return {k: np.stack([p[k] for p in checked]) for k in KEYS}


def unstack_params(stacked):
    """The dict of stacked arrays ``stacked`` as a list of K parameter dicts (new arrays)."""
    check_stacked_params(stacked)
    return [{k: stacked[k][i].copy() for k in KEYS} for i in range(len(stacked["W1"]))]


def backward_stack(X, y, stacked):
    """``backward`` for K networks at once: the MSE gradients of each, stacked like ``stacked``.

    ``X`` is (K, B, D) or (B, D) shared, ``y`` (K, B, 1) or (B, 1); ``stacked`` as ``stack_params`` returns it.
    """
    K, D, m = check_stacked_params(stacked)
    X, y = as_stacked_data(X, y, K, D, m)
    X, y = (np.broadcast_to(a, (K, *a.shape)) if a.ndim == 2 else a for a in (X, y))
    with np.errstate(all="ignore"):
        g_Wn, g_bn, g_W2, g_b2 = _gradients(X, y, -stacked["W1"], -stacked["b1"][:, None, :], stacked["W2"],
                                            stacked["b2"][:, None, :])
    return {"W1": -g_Wn, "b1": -g_bn[:, 0], "W2": g_W2, "b2": g_b2[:, 0]}


def _gradients(x, y, Wn, bn, W2, b2):
    """The readable backward pass on stacks, with ``Wn = -W1`` and ``bn = -b1`` so one product gives ``-Z1``.

    ``x`` (K, B, D), ``y`` (K, B, 1), ``Wn`` (K, D, m), ``bn`` (K, 1, m), ``W2`` (K, m, 1), ``b2`` (K, 1, 1);
    returns the gradients of the batch MSE with respect to ``Wn``, ``bn``, ``W2`` and ``b2``, in that order.
    """
    h = x @ Wn
    h += bn                                                  # -Z1, (K, B, m)
    np.exp(h, out=h)
    h += 1.0
    np.reciprocal(h, out=h)                                  # H = sigmoid(Z1)
    d = h @ W2
    d += b2 - y
    d *= 2.0 / x.shape[-2]                                   # dL/dy_hat, (K, B, 1)
    dz = d @ W2.transpose(0, 2, 1)
    dz *= h
    dz *= h - 1.0                                            # dL/d(-Z1) = -dL/dZ1, (K, B, m)
    return (x.transpose(0, 2, 1) @ dz, dz.sum(axis=1, keepdims=True), h.transpose(0, 2, 1) @ d,
            d.sum(axis=1, keepdims=True))


def train_stack(X, y, starts, *, lr, epochs, batch_size=None, seeds=None, weight_decay=0.0):
    """Train K networks of one width side by side and return their K parameter dicts (notebook 05).

    Parameters
    ----------
    X : array_like (n, D) shared by every network, or a sequence of K arrays (n_k, D)
    y : array_like (n, 1) shared, or a sequence of K arrays (n_k, 1)
    starts : sequence of K parameter dicts of one width m (not modified)
    lr : float, or a sequence of K floats
    epochs : int, or a sequence of K ints
    batch_size : int or None
        None is full-batch gradient descent. Otherwise epoch ``e`` of network ``k`` visits its
        samples in the order ``rng_k.permutation(n_k)``, in consecutive batches of ``batch_size``,
        which must divide every ``n_k``.
    seeds : sequence of K seeds, for mini-batches
        ``rng_k = np.random.default_rng(seeds[k])``; a Generator is used as it is, so a call can
        continue the shuffles of the one before (for a rate that changes between calls).
    weight_decay : float >= 0, or a sequence of K of them
        L2 added to each step's gradient of the weights, ``weight_decay * W`` for W1 and W2 (not the
        biases), as ``train(..., weight_decay=)`` does (notebook 06).

    Returns
    -------
    list of dict
        Network ``k``'s parameters after its epochs, as ``train`` returns them.
    """
    starts = check_starts(starts)
    K = len(starts)
    check_copies_memory([count_numbers(p) for p in starts], [None], None, 0, COPIES,
                        "train_stack's copies of its {} starts")
    rates = check_per_start(lr, "lr", K, check_positive_float)
    runs = check_per_start(epochs, "epochs", K, check_non_negative_int)
    decays = check_per_start(weight_decay, "weight_decay", K, check_non_negative_float)
    if batch_size is not None:
        batch_size = check_positive_int(batch_size, "batch_size")
    if seeds is not None:
        if isinstance(seeds, (str, bytes, dict, np.random.Generator)) or not hasattr(seeds, "__len__"):
            raise TypeError(f"seeds must be a sequence of one seed per start ({K}), got {type(seeds).__name__}")
        seeds = [check_seed(s, f"seeds[{k}]") for k, s in enumerate(seeds)]
    D, m = as_params(starts[0], "params[0]", finite=False)["W1"].shape       # the width that every start must have
    shared = isinstance(X, np.ndarray) and X.ndim == 2
    if not shared:
        for name, data in (("X", X), ("y", y)):
            if isinstance(data, (str, bytes, dict)) or not hasattr(data, "__len__") or len(data) != K:
                raise ValueError(f"{name} must be one array shared by every network, or a sequence of one array "
                                 f"per start ({K}), got {type(data).__name__}"
                                 f"{f' of length {len(data)}' if hasattr(data, '__len__') else ''}")
    Xs = [as_X(X, D)] * K if shared else [as_X(x, D, name=f"X[{k}]") for k, x in enumerate(X)]
    ys = [as_y(y, len(Xs[0]))] * K if shared else [as_y(v, len(x), f"y[{k}]", f"X[{k}]")
                                                    for k, (v, x) in enumerate(zip(y, Xs))]
    sizes = np.array([len(x) for x in Xs])
    if batch_size is None:
        if len(set(sizes)) > 1:
            raise ValueError(f"full batches need samples of one size, got sizes {sorted(set(sizes))}")
        size = int(sizes[0])
    else:
        size = batch_size
        if np.any(sizes % size):
            raise ValueError(f"batch_size {size} must divide every sample size, got sizes {sorted(set(sizes))}")
        if seeds is None or len(seeds) != K:
            raise ValueError(f"seeds must hold one seed per start ({K}) for mini-batches")
        rngs = [np.random.default_rng(s) for s in seeds]
    check_stack_memory(K, int(sizes.max()), D, m, batch_size, CHUNK)
    P = stack_params(starts)
    steps = np.array(runs) * (sizes // size)                                      # updates of each network
    X_all, y_all = np.zeros((K, sizes.max(), Xs[0].shape[1])), np.zeros((K, sizes.max(), 1))
    for k in range(K):
        X_all[k, :sizes[k]], y_all[k, :sizes[k]] = Xs[k], ys[k]
    # Stored as the readable loop would, except W1 and b1 negated, so one product gives -Z1 (negation is exact).
    Wn, bn, W2, b2 = -P["W1"], -P["b1"][:, None, :], P["W2"], P["b2"][:, None, :]
    rate = np.array(rates).reshape(K, 1, 1)
    lam = np.array(decays).reshape(K, 1, 1) if any(decays) else None
    every, queued = np.arange(K)[:, None, None], [np.empty(0, dtype=np.intp) for _ in range(K)]
    with np.errstate(all="ignore"):                                              # an overflow carries on
        for first in range(0, int(steps.max()), CHUNK):
            count = min(CHUNK, int(steps.max()) - first)
            if batch_size is not None:                                           # the batches of the next steps
                rows = np.zeros((K, count * size), dtype=np.intp)
                for k in range(K):
                    need = min(count, max(int(steps[k]) - first, 0)) * size
                    if need > len(queued[k]):                                    # whole epochs, in rng's order
                        epochs_k = -(-(need - len(queued[k])) // sizes[k])
                        fresh = rngs[k].permuted(np.tile(np.arange(sizes[k]), (epochs_k, 1)), axis=1)
                        queued[k] = np.concatenate([queued[k], fresh.ravel()])
                    rows[k, :need], queued[k] = queued[k][:need], queued[k][need:]
                rows = rows.reshape(K, count, size)
                X_c, y_c = X_all[every, rows], y_all[every, rows]               # (K, count, B, D), (K, count, B, 1)
            step = rate
            for t in range(count):
                x_b, y_b = (X_all, y_all) if batch_size is None else (X_c[:, t], y_c[:, t])
                if first + t >= steps.min():
                    step = rate * (first + t < steps)[:, None, None]             # 0 once a network is done
                g_Wn, g_bn, g_W2, g_b2 = _gradients(x_b, y_b, Wn, bn, W2, b2)
                if lam is not None:                                              # d/dWn of lam/2 |W1|^2 is lam Wn
                    g_Wn += lam * Wn
                    g_W2 += lam * W2
                Wn -= step * g_Wn
                bn -= step * g_bn
                W2 -= step * g_W2
                b2 -= step * g_b2
    return unstack_params({"W1": -Wn, "b1": -bn[:, 0], "W2": W2, "b2": b2[:, 0]})
