"""The engine behind ``train``, ``train_many`` and ``width_sweep``: full-batch gradient descent, fast (notebooks 03, 04).

The readable, step-by-step version of one training step is ``backward`` from
``network.py`` followed by ``params[k] -= lr * grads[k]``; notebook 03 writes it
out by hand and a test checks that ``train`` gives the same losses. The engine
does the same arithmetic in float64, rearranged for speed:

* **Units by samples.** The hidden layer of one network is stored as
  ``(m, n)``: every row is one unit over all samples, contiguous in memory,
  so every sum over samples is a dot product along one row.
* **Biases ride along** as an extra weight column against a row of ones
  (``inputs_with_ones``), so one matrix product gives the whole pre-activation
  ``Z1.T = W1.T @ X.T + b1``.
* **One exp per hidden entry.** ``sigmoid(z) = 1 / (1 + exp(-z))``, with the
  weights stored negated so the product gives ``-z`` directly (negation is
  exact). ``exp`` is the one costly step of an epoch, and numpy's ``exp`` is
  cheaper than its ``tanh`` on the processors measured, by a margin that
  depends on the processor, so the epoch is faster than with
  ``sigmoid = (1 + tanh(z/2)) / 2`` (the figures are in ``benchmarks/README.md``).
  It is also more accurate: ``1 + tanh(z/2)`` loses the digits of a small
  sigmoid and gives exactly 0 below ``z`` of about -38, while ``exp(-z)``
  overflows to inf only below -709, where the sigmoid (1e-308) rounds to 0.
  The slope comes from the forward output: ``sigmoid'(z) = h * (1 - h)``.
* **Factor out what does not depend on the sample.** ``dL/dW1[i, j]`` is
  ``W2[j] * sum_n x[n, i] d[n] h[n, j] (1 - h[n, j])``, with ``d = dL/dZ2``.

**Each network's numbers are its own.** Networks of one width are stacked in
3-D arrays ``(k, m, n)``, and every operation works item by item: element-wise
ufuncs, ``np.vecdot`` along each row, and ``np.matmul`` on stacks whose items
all have one shape. No number ever depends on which other networks share the
stack, so ``train_many`` and ``width_sweep`` give bit for bit what ``train``
gives alone (``train`` is a stack of one). Stacks are cut into chunks small
enough to stay in the processor's cache, and the chunks are shared out over
up to two threads: numpy releases the GIL inside each operation. OpenBLAS
never adds threads of its own: every product is cut below its threading
bounds (``BLAS_SLICE``, ``DOT_SLICE``) by ``one_thread``, so no number depends
on ``OPENBLAS_NUM_THREADS``, at any number of samples.

**Ctrl-C stops everything at once.** While the threads train, the main thread
waits on them in steps of ``POLL`` seconds, so Python runs its SIGINT handler
there within one step. The ``KeyboardInterrupt`` (or any error) then sets a
shared ``halt`` event, which each thread checks before each slice of its two
large products (twice an epoch or more); the main thread waits until neither
thread runs (``join_threads``, which does not trust ``is_alive()`` alone),
even through a second Ctrl-C, and only then lets the exception go on. No
thread outlives the call.
"""

import os
import queue
import signal
import threading
import time

import numpy as np

from ._checks import CHUNK_ELEMENTS   # hidden-layer entries (units x samples) in one chunk: 1.6 MB per array
from .optimizers import decay, learning_rates
BLAS_SLICE = 4 * 65536       # OpenBLAS threads a product above this many multiply-adds; stay below it
DOT_SLICE = 10_000           # OpenBLAS threads a dot product longer than this; the loss adds up slices this long
BLOCK = 1024                 # losses are stored in blocks of this many epochs, as they are run
POLL = 0.02                  # seconds between the main thread's checks for Ctrl-C while the threads train


def descend_group(X, y, W_aug, w2, b2, lr, epochs, output="linear", halt=None, final_loss=True, opt=None,
                  observe=None):
    """Gradient descent on k networks of one width m, each on its own.

    ``X`` (n, D), ``y`` (n, 1); ``W_aug`` (k, m, D+1) holds each network's
    ``[W1.T, b1]``, ``w2`` (k, m) its ``W2[:, 0]`` and ``b2`` (k,) its ``b2``.
    Returns ``(W_aug, w2, b2, losses, n_run)``: ``losses`` (k, max n_run), where
    ``losses[:, i]`` is the loss after i updates, ``n_run`` (k,) the finite
    losses each network recorded, and its parameters at the last of them: after
    the last update, or before the update that gave its first non-finite loss.
    With ``final_loss`` False the loss after the last update is not computed (one
    loss per update, each before it; the parameters are still those after it).
    Returns None, unfinished, once the ``threading.Event`` ``halt`` is set (checked twice an epoch or more).

    ``opt``, an ``optimizers.Optimizer`` (None is plain SGD), adds weight decay, momentum or Adam and a
    schedule: epoch e then steps at ``learning_rates(lr, epochs, opt.schedule)[e]``. ``observe``, if given,
    is called as ``observe(W_neg, w2, b2)`` with the parameters of each loss recorded, the weights negated.
    """
    n, D = X.shape
    k, m = w2.shape
    XaT = inputs_with_ones(X)                               # (D+1, n): inputs plus a row of ones
    yT = np.ascontiguousarray(y.T)                          # (1, n)
    W_neg = -np.asarray(W_aug, dtype=np.float64)            # negated: W_neg @ XaT = -Z1.T
    w2, b2 = np.array(w2, dtype=np.float64), np.array(b2, dtype=np.float64)
    U = np.empty((k, 2 * m, n))                             # h above, h (1 - h) below: one product reads both
    h, s = U[:, :m], U[:, m:]
    o = np.empty((k, 1, n))                                 # Z2, then residuals, then d = dL/dZ2
    V = np.empty((k, D + 1, n))                             # x_i * d and d, one row each
    R = np.empty((k, 2 * m, D + 1))                         # U @ V.T: sums over samples, per unit
    final = [W_neg.copy(), w2.copy(), b2.copy()]            # each network's parameters where it stopped
    before = [W_neg.copy(), w2.copy(), b2.copy()]           # the parameters of the last finite loss
    total = epochs + 1 if final_loss else epochs           # losses to record: after 0, 1, ..., epochs updates
    blocks, n_run = [], np.zeros(k, dtype=int)
    alive = np.ones(k, dtype=bool)
    sq = np.empty((k, 1))                                   # each network's sum of squares
    halted = halt.is_set if halt is not None else (lambda: False)   # checked before each slice of two products
    if opt is not None and opt.plain:
        opt = None                                           # the original rule, arithmetic unchanged
    if opt is not None:
        rates, state = learning_rates(lr, epochs, opt.schedule), opt.start((W_neg, w2, b2))
    with np.errstate(all="ignore"):                          # divergence is reported, not warned about
        for e in range(total):
            if one_thread(np.matmul, W_neg, XaT, h, "cols", halted=halted) is None:   # -Z1.T, (k, m, n)
                return None                                  # Ctrl-C or an error elsewhere: stop at once
            sigmoid_of_negated(h)                            # hidden H = sigmoid(Z1.T)
            one_thread(np.matmul, w2[:, None, :], h, o, "cols")   # Z2 = W2 . H + b2
            o += b2[:, None, None]
            slope = None
            if output == "sigmoid":
                sigmoid_of_negated(np.negative(o, out=o))
                slope = o * (1.0 - o)                        # sigmoid' from its output
            o -= yT
            loss = one_thread(np.vecdot, o, o, sq, "inner", DOT_SLICE)[:, 0]   # (k,), sum of squares
            loss /= n
            stop = alive & ~np.isfinite(loss)
            if stop.any():
                for a, f in zip(before, final):
                    f[stop] = a[stop]
                alive &= ~stop
                if not alive.any():
                    break
                o[~alive], W_neg[~alive], w2[~alive], b2[~alive] = 0.0, 0.0, 0.0, 0.0
            if e % BLOCK == 0:
                blocks.append(np.full((k, min(BLOCK, total - e)), np.nan))
            blocks[-1][:, e % BLOCK] = loss
            n_run += alive
            if observe is not None:
                observe(W_neg, w2, b2)
            if e == epochs:                                  # the loss of the parameters returned: no update
                break
            for a, b in zip((W_neg, w2, b2), before):
                np.copyto(b, a)
            o *= 2.0 / n                                     # d = dL/dZ2, (k, 1, n)
            if slope is not None:
                o *= slope
            np.multiply(XaT, o, out=V)                       # (k, D+1, n)
            np.subtract(1.0, h, out=s)                       # sigmoid'(Z1.T) = h (1 - h)
            np.multiply(s, h, out=s)
            if one_thread(np.matmul, U, V.transpose(0, 2, 1), R, "rows", halted=halted) is None:
                return None                                  # R[:, j, i] = sum_n U[j, n] x_i[n] d[n]
            # dL/dW_aug = W2 * sum x d h (1 - h);  dL/dW2 = sum h d;  dL/db2 = sum d
            if opt is None:
                W_neg += lr * (w2[:, :, None] * R[:, m:])   # -W_aug takes -lr times the gradient
                w2 -= lr * R[:, :m, D]
                b2 -= lr * np.sum(o[:, 0], axis=-1)
            else:                                            # gradients with respect to what is stored
                g_neg = np.negative(w2[:, :, None] * R[:, m:])   # dL/dW_neg = -dL/dW_aug
                g_w2 = R[:, :m, D]
                decay(g_neg[:, :, :D], W_neg[:, :, :D], opt.weight_decay)   # W1's columns, not b1's
                decay(g_w2, w2, opt.weight_decay)
                opt.step((W_neg, w2, b2), (g_neg, g_w2, np.sum(o[:, 0], axis=-1)), state, rates[e])
            if not alive.all():                              # stopped networks stay at zero
                W_neg[~alive], w2[~alive], b2[~alive] = 0.0, 0.0, 0.0
    for a, f in zip((W_neg, w2, b2), final):
        f[alive] = a[alive]
    losses = np.concatenate(blocks, axis=1) if blocks else np.empty((k, 0))
    return -final[0], final[1], final[2], losses, n_run


def inputs_with_ones(X):
    """The inputs by samples with a row of ones below them: ``X`` (n, D) gives (D+1, n).

    The bias then rides along as one more weight column: ``[W1.T, b1] @ inputs_with_ones(X) = Z1.T``.
    """
    return np.vstack([X.T, np.ones((1, X.shape[0]))])


def one_thread(product, A, B, out, cut=None, step=None, halted=None):
    """``out[...] = product(A, B)`` in slices that OpenBLAS runs on one thread each; returns ``out``.

    ``product`` is ``np.matmul`` (``A`` (..., r, k) and ``B`` (..., k, c), or 1-D) or ``np.vecdot``
    (over the last axis of both). ``cut`` is the axis that is sliced: ``"cols"``, the last axis of
    ``B`` and ``out``; ``"rows"``, the rows of ``A`` and ``out``; ``"inner"``, the axis summed over,
    whose pieces are added up in ``out``. By default it is ``"cols"`` when ``c >= k``, else ``"inner"``.
    ``step``, the length of a slice, defaults to the most that keeps a matrix product within
    ``BLAS_SLICE`` multiply-adds. OpenBLAS runs a product below its bound on one thread, so no number
    depends on ``OPENBLAS_NUM_THREADS``, and a busy machine never leaves a product waiting for a second
    thread that is not running. Returns None, unfinished, once ``halted()`` is true (checked before each slice).
    """
    rows, inner, cols = (A.shape[-2] if A.ndim > 1 else 1), A.shape[-1], (B.shape[-1] if B.ndim > 1 else 1)
    if cut is None:
        cut = "cols" if cols >= inner else "inner"
    if step is None:
        step = max(1, BLAS_SLICE // {"cols": rows * inner, "rows": inner * cols, "inner": rows * cols}[cut])
    length = {"cols": cols, "rows": rows, "inner": inner}[cut]
    for a in range(0, length, step):
        if halted is not None and halted():
            return None
        s = slice(a, a + step)
        if cut == "cols":
            product(A, B[..., s], out=out[..., s])
        elif cut == "rows":
            product(A[..., s, :], B, out=out[..., s, :])
        else:
            B_part = B[..., s, :] if product is np.matmul and B.ndim > 1 else B[..., s]
            if a == 0:
                product(A[..., s], B_part, out=out)
            else:
                out += product(A[..., s], B_part)
    return out


def sigmoid_of_negated(a):
    """Overwrite ``a``, which holds ``-z``, with ``sigmoid(z) = 1 / (1 + exp(-z))``; returns ``a``.

    ``exp`` overflows to inf for ``z < -709``, and ``1 / inf`` is the right 0; call it under ``np.errstate``.
    """
    np.exp(a, out=a)
    a += 1.0
    return np.reciprocal(a, out=a)


def descend_many(X, y, groups, lr, epochs, output="linear", final_loss=True, opt=None):
    """Run ``descend_group`` on each ``(W_aug, w2, b2)`` in ``groups``, cut into cache-sized chunks, on up to 2 threads.

    Returns one ``(W_aug, w2, b2, losses, n_run)`` per group, as ``descend_group`` would alone.
    """
    tasks = []                                               # (group index, start, stop)
    for g, (W_aug, w2, b2) in enumerate(groups):
        k, m = w2.shape
        per = max(1, CHUNK_ELEMENTS // (m * X.shape[0]))
        tasks += [(g, a, min(a + per, k)) for a in range(0, k, per)]

    def run(task, halt=None):
        g, a, b = task
        W_aug, w2, b2 = groups[g]
        return descend_group(X, y, W_aug[a:b], w2[a:b], b2[a:b], lr, epochs, output, halt, final_loss, opt)

    workers = min(2, os.cpu_count() or 1, len(tasks))
    if workers > 1:
        results = on_threads(run, tasks, workers)
    else:                                                    # in the main thread: Ctrl-C lands between operations
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


def on_threads(run, tasks, workers):
    """Return ``[run(task, halt) for task in tasks]``, computed on ``workers`` threads that share the tasks.

    The main thread waits in steps of ``POLL`` seconds, so a Ctrl-C is raised there at once. On any
    exception the ``threading.Event`` ``halt`` is set, the threads (which check it twice an epoch or
    more) are joined, and the exception goes on; an error in a thread is raised in the main thread.
    """
    todo = queue.SimpleQueue()
    for i in range(len(tasks)):
        todo.put(i)
    results, errors, halt = [None] * len(tasks), [], threading.Event()

    def work():
        try:
            while not halt.is_set():
                try:
                    i = todo.get_nowait()
                except queue.Empty:
                    return
                results[i] = run(tasks[i], halt)
        except BaseException as err:                         # handed to the main thread, which raises it
            errors.append(err)
            halt.set()

    threads = [threading.Thread(target=work, name=f"course_utils-descent-{k}", daemon=True) for k in range(workers)]
    interrupted = None
    try:
        start_threads(threads)
        join_threads(threads)
    finally:
        while True:             # retried in place: a second Ctrl-C may land anywhere, even on entering the call
            try:
                stop_threads(halt, threads)
                break
            except KeyboardInterrupt as err:
                interrupted = err
    if interrupted is not None:                              # the run had ended when the Ctrl-C came
        raise interrupted
    if errors:
        raise errors[0]
    return results


def start_threads(threads):
    """Start ``threads``, holding back a Ctrl-C until every one has started; then raise it, if one came.

    A Ctrl-C raised inside ``Thread.start`` can land after the thread is registered and before it is
    started: it then never runs, can never be joined, and stays listed by ``threading`` for good. So
    while the threads start, SIGINT only records that it came (Python runs signal handlers in the
    main thread, between its own steps), and the ``KeyboardInterrupt`` is raised once all have
    started, where the caller stops and joins them. Off the main thread, or under a SIGINT handler
    that is not Python's default, the threads are simply started.
    """
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        for t in threads:
            t.start()
        return
    came = []
    try:
        signal.signal(signal.SIGINT, lambda signum, frame: came.append(signum))
        for t in threads:
            t.start()
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if came:
        raise KeyboardInterrupt


def stop_threads(halt, threads):
    """Set ``halt`` and join ``threads``, in steps of ``POLL`` seconds; any that never started are skipped.

    Safe to call again after it was interrupted, and it must be: the caller retries it in a loop until it
    returns, so a second Ctrl-C, wherever it lands, cannot leave a thread running (``on_threads``).
    """
    halt.set()
    join_threads(threads)


def join_threads(threads):
    """Wait until none of ``threads`` runs, in steps of ``POLL`` seconds; safe to retry after a Ctrl-C stops it.

    ``Thread.is_alive()`` alone cannot tell: on Python 3.10 to 3.12, a ``KeyboardInterrupt`` raised inside
    ``Thread.join(timeout)`` marks a thread that is still running as stopped, so ``is_alive()`` turns False
    and ``join`` returns at once (CPython's ``_wait_for_tstate_lock`` releases the lock the running thread
    holds). A waiting ``join`` is where a Ctrl-C usually lands here. A thread leaves ``threading.enumerate()``
    as its last Python code ends, on every version, so the wait goes on until it has left; one that never
    started was never listed.
    """
    for t in threads:
        while t in threading.enumerate():
            if t.is_alive():
                t.join(POLL)
            else:                       # marked stopped by an interrupted join, and still running
                time.sleep(POLL / 20)
