"""Mini-batch stochastic gradient descent for the 2-m-1 network (notebook 05).

``train(..., batch_size=B, seed=s)`` comes here. The contract, which a test
checks against a plain loop over ``backward``:

* one ``rng = np.random.default_rng(seed)`` per call;
* each epoch visits the samples in the order ``rng.permutation(n)``;
* the batches are consecutive slices of that order, ``B`` samples each, the
  last one shorter when ``B`` does not divide ``n``;
* each batch takes one step ``params[k] -= lr * grads[k]`` with the gradient
  of that batch's own mean squared error;
* ``losses[e]`` is the MSE over the whole training set after ``e`` epochs
  (``losses[-1]`` that of the parameters returned), and ``val_losses[e]`` the
  MSE over the validation set at the same moment.

The readable version of one epoch is::

    order = rng.permutation(n)
    for start in range(0, n, B):
        rows = order[start:start + B]
        grads = backward(X[rows], y[rows], params)
        params = {k: params[k] - lr * grads[k] for k in params}

The loop below does the same arithmetic with the tricks of ``_descent.py``:
the inputs carry a column of ones so ``b1`` rides in ``W1``, the weights are
stored negated so one product gives ``-z``, and the hidden layer is
``h = 1 / (1 + exp(-z))`` with the slope ``h * (1 - h)``. Each epoch gathers the
shuffled samples once, so every batch is a contiguous slice, and one product
of the batch's ``x * r`` with the rows ``[1, h, h * (1 - h)]`` gives every sum
the gradient needs (``r = y_hat - y``).

The recorded losses never feed back into training, so where it pays they are
computed on a second thread, on the machine's other core, while the steps run
(``_recorder``). Training may run up to ``LAG`` epochs ahead of them, and keeps
each epoch's parameters until its loss is known, so a run still stops at its
first loss that is not finite, with the parameters of the last finite one. A Ctrl-C (or
any error) cancels the passes still queued, stops the running one before its
next slice, and joins the thread before the exception goes on, as ``_descent.py``
does for its threads.

No recorded loss depends on ``OPENBLAS_NUM_THREADS``: every product of the
whole-set pass is cut below OpenBLAS's threading bounds by ``one_thread``, and
its sum of squares is added up in slices of ``DOT_SLICE`` samples, as in ``_descent.py``.
"""

import os
import queue
import threading
from collections import deque
from concurrent.futures import Future
from functools import partial
from typing import NamedTuple

import numpy as np

from ._checks import check_batch_size, check_held_out, check_memory, check_seed
from ._descent import (BLAS_SLICE, BLOCK, DOT_SLICE, inputs_with_ones, join_threads, one_thread,
                       sigmoid_of_negated, start_threads)
from .optimizers import learning_rates


class _Batch(NamedTuple):
    """Views of one batch's slice of the work buffers, made once per run (``minibatch_descent``)."""

    x: np.ndarray          # (D+1, size): inputs with a row of ones, in this epoch's order
    x_scaled: np.ndarray   # the same times c = 2 lr / size
    y: np.ndarray          # (size,): targets in this epoch's order
    by_sample: np.ndarray  # (size, 1 + 2m): the hidden buffer by samples, [1, h, h (1 - h)]
    ones_h: np.ndarray     # (1 + m, size): its rows [1; h]
    h: np.ndarray          # (m, size): -z, then h = sigmoid(z)
    slope: np.ndarray      # (m, size): h (1 - h)
    r: np.ndarray          # (size,): y_hat, then the residual r
    r_row: np.ndarray      # (1, size): the same as a row
    xr: np.ndarray         # (D+1, size): c x r
    big: bool              # above BLAS_SLICE: products cut into one-thread slices


def train_minibatch(X, y, params, lr, epochs, output="linear", batch_size=None, seed=None, validation=None,
                    opt=None):
    """Check the mini-batch arguments of ``train`` and run ``minibatch_descent`` (notebook 05).

    ``X``, ``y``, ``params``, ``lr``, ``epochs`` and ``output`` come already checked by ``train``
    (the arrays as float64, ``params`` with its four keys only).

    Parameters
    ----------
    batch_size : int or None
        Samples per step, from 1 to n_samples; None means all of them (one step per epoch).
    seed : int, numpy.random.Generator or None
        Seed of the one ``np.random.default_rng(seed)`` that shuffles every epoch.
    validation : tuple (X_val, y_val), list of such tuples, or None
        Held-out data, X_val (n_val, n_inputs) and y_val (n_val, 1), whose MSE is
        recorded with each training loss as ``val_losses``: one array for a tuple, a list of arrays for a list.
    opt : optimizers.Optimizer or None
        Weight decay, momentum or Adam, and a schedule (notebook 06); None is plain SGD.

    Returns
    -------
    params, losses, val_losses, diverged
        As in ``TrainResult``; ``val_losses`` is None without ``validation``.
    """
    n, D = X.shape
    batch_size = check_batch_size(batch_size, n)
    seed = check_seed(seed)
    m = params["W1"].shape[1]
    pairs, many = check_held_out(validation, D, m, epochs) if validation is not None else ([], False)
    # The work arrays of minibatch_descent: the inputs three times over (as given, in this epoch's order,
    # scaled), the whole-set pass (inputs, hidden layer, output), and the hidden layer of two batch sizes.
    check_memory(8 * ((4 * (D + 1) + m + 3) * n + (4 * m + D + 5) * batch_size), "this mini-batch training run")
    new, losses, watched, diverged = minibatch_descent(X, y, params, lr, epochs, batch_size, seed, output, watch=pairs,
                                                       opt=opt)
    return new, losses, watched if many else watched[0] if pairs else None, diverged


class LossRows:
    """Losses recorded as the epochs run: ``width`` float64 an epoch, in blocks of at most ``BLOCK`` epochs."""

    def __init__(self, epochs, width):
        self.left, self.width, self.blocks, self.used = epochs, width, [], 0

    def append(self, row):
        """Record one epoch's ``width`` losses."""
        if not self.blocks or self.used == len(self.blocks[-1]):
            self.blocks.append(np.empty((min(BLOCK, self.left), self.width)))
            self.used = 0
        self.blocks[-1][self.used] = row
        self.used += 1
        self.left -= 1

    def __len__(self):
        return sum(len(b) for b in self.blocks[:-1]) + self.used

    def columns(self):
        """The recorded losses as ``width`` new arrays of shape (n_epochs_recorded,)."""
        if not self.blocks:
            return [np.empty(0) for _ in range(self.width)]
        self.blocks[-1] = self.blocks[-1][:self.used]
        table = np.concatenate(self.blocks) if len(self.blocks) > 1 else self.blocks[0]
        self.blocks = []
        return [table[:, k].copy() for k in range(self.width)]


def minibatch_descent(X, y, params, lr, epochs, batch_size, seed=None, output="linear", watch=(), opt=None):
    """Mini-batch SGD on the MSE; returns ``(params, losses, watched, diverged)``.

    ``X`` (n, D) and ``y`` (n, 1) are float64 and already checked; ``watch`` is
    a list of checked pairs ``(X_k (n_k, D), y_k (n_k, 1))`` whose MSE is
    recorded after each epoch, as ``losses`` is for the training set (the loss
    after 0, 1, ..., epochs epochs): ``watched`` is a list of arrays, one per
    pair, each like ``losses``. Training stops at the first training loss that
    is not finite, with ``diverged`` True and the parameters of the last finite
    one, as ``train`` does. ``opt`` (an ``optimizers.Optimizer``; None is plain SGD) adds weight decay,
    momentum or Adam, whose state carries over from batch to batch, and a schedule of one rate an epoch.
    """
    if opt is not None and opt.plain:
        opt = None                                                         # the original rule, arithmetic unchanged
    n, D = X.shape
    m = params["W1"].shape[1]
    rng = np.random.default_rng(seed)
    sigmoid_out = output == "sigmoid"
    Wn = -np.vstack([params["W1"], params["b1"][None, :]])                 # (D+1, m), negated: x_aug @ Wn = -z
    va = np.concatenate([params["b2"], params["W2"][:, 0]])               # [b2, W2]: [1, h] @ va = y_hat
    v = va[1:]
    train_mse = FullMSE(X, y, sigmoid_out)
    watchers = [FullMSE(Xk, yk, sigmoid_out) for Xk, yk in watch]
    XaT = inputs_with_ones(X)                                              # (D+1, n)
    XpT, XsT, yp = np.empty_like(XaT), np.empty_like(XaT), np.empty(n)     # this epoch's order; XsT = c * XpT
    B = batch_size
    step = np.empty((D + 1, m))                                            # W2 * the h (1 - h) block of the sums
    if opt is None:
        fold = lr                                                          # lr is folded into the scaled inputs
    else:                                                                  # gradients unscaled; the optimizer steps
        # Every parameter in one flat array, and every gradient in another, so the optimizer's update is a few
        # operations per step on one array, whatever the batch: [Wn (D+1, m) by rows, b2, W2].
        flat, grads = np.concatenate([Wn.ravel(), va]), np.empty(Wn.size + va.size)
        Wn, va = flat[:Wn.size].reshape(D + 1, m), flat[Wn.size:]
        v = va[1:]
        step, g_va = grads[:Wn.size].reshape(D + 1, m), grads[Wn.size:]
        decaying = np.zeros_like(flat)                                     # weight_decay on W1's and W2's entries
        decaying[:D * m], decaying[Wn.size + 1:] = opt.weight_decay, opt.weight_decay
        decayed = np.empty_like(flat)
        # c = -2 / size: the sums come out negated, so W2 * sums_slope is dL/dWn itself (Wn is -W_aug).
        fold, rates, state = -1.0, learning_rates(lr, epochs, opt.schedule), opt.start([flat])
    r, XdT = np.empty(B), np.empty((D + 1, B))
    sums = np.empty((D + 1, 1 + 2 * m))                                    # c * sums of x r [1, h, h (1 - h)]
    sums_ones, sums_slope = sums[D, :m + 1], sums[:, m + 1:]               # x's row of ones; the h (1 - h) block
    # Every batch is a fixed slice of the buffers, so its views are made once, not once per step. The hidden
    # layer is stored units by samples, rows [1; h; h (1 - h)], each block contiguous for the elementwise steps.
    hidden = {}
    batches, scales = [], []
    for a in range(0, n, B):
        size = min(B, n - a)                                               # the last batch may be shorter
        if size not in hidden:
            hidden[size] = np.empty((1 + 2 * m, size))
            hidden[size][0] = 1.0
        U = hidden[size]
        batches.append(_Batch(x=XpT[:, a:a + size], x_scaled=XsT[:, a:a + size], y=yp[a:a + size], by_sample=U.T,
                              ones_h=U[:m + 1], h=U[1:m + 1], slope=U[m + 1:], r=r[:size], r_row=r[None, :size],
                              xr=XdT[:, :size], big=(2 * m + 1) * (D + 1) * size > BLAS_SLICE))
        scales.append((slice(a, a + size), 2.0 * fold / size))            # c: 2 lr / size, or -2 / size with opt
    WnT = Wn.T
    sliced = partial(one_thread, np.matmul)                               # for a batch above BLAS_SLICE

    def record(Wn_e, va_e, halted=None):                                   # the losses of one epoch's parameters
        with np.errstate(all="ignore"):
            return [mse(Wn_e, va_e[1:], va_e[0], halted) for mse in [train_mse] + watchers]

    rows, pending, stopped = LossRows(epochs + 1, 1 + len(watchers)), deque(), False  # pending: (future, Wn, va)
    good = [(Wn.copy(), va.copy())]                                        # the parameters of the last finite loss
    y0 = y[:, 0]
    recorder, interrupted = _recorder(B * m, (n + sum(len(Xk) for Xk, _ in watch)) * m), None
    try:
        recorder.start()
        with np.errstate(all="ignore"):                                    # divergence is reported, not warned about
            for e in range(epochs):
                snapshot = Wn.copy(), va.copy()
                pending.append((recorder.submit(record, *snapshot), *snapshot))
                stopped = _collect(pending, rows, LAG, good)
                if stopped:
                    break
                order = rng.permutation(n)
                for i in range(D + 1):
                    np.take(XaT[i], order, out=XpT[i])
                np.take(y0, order, out=yp)
                np.multiply(XpT, scales[0][1], out=XsT)
                if scales[-1][1] != scales[0][1]:                              # the short last batch
                    np.multiply(XpT[:, scales[-1][0]], scales[-1][1], out=XsT[:, scales[-1][0]])
                for b in batches:                                              # size: the batch's sample count
                    matmul = sliced if b.big else np.matmul
                    matmul(WnT, b.x, out=b.h)                                  # -z, (m, size)
                    sigmoid_of_negated(b.h)                                    # h = sigmoid(z)
                    np.subtract(1.0, b.h, out=b.slope)                         # 1 - h
                    np.multiply(b.slope, b.h, out=b.slope)                     # h (1 - h) = sigmoid'(z)
                    np.matmul(va, b.ones_h, out=b.r)                           # b2 + h @ W2 = y_hat
                    if sigmoid_out:                                            # y_hat = sigmoid(o); r = size/2 dL/do
                        sig = sigmoid_of_negated(-b.r)
                        np.multiply((sig - b.y) * sig, 1.0 - sig, out=b.r)
                    else:
                        np.subtract(b.r, b.y, out=b.r)                         # r = y_hat - y; dL/dy_hat = 2 r / size
                    np.multiply(b.x_scaled, b.r_row, out=b.xr)                 # c x r, with c = 2 lr / size
                    matmul(b.xr, b.by_sample, out=sums)                           # c * sums of x r [1, h, h (1 - h)]
                    # W_aug takes lr (2/size) W2 sum x r h (1 - h): the negated Wn gains W2 * sums_slope.
                    np.multiply(sums_slope, v, out=step)
                    if opt is None:
                        np.add(Wn, step, out=Wn)
                        # W2 takes lr (2/size) sum r h and b2 takes lr (2/size) sum r: the row of ones.
                        np.subtract(va, sums_ones, out=va)
                    else:                                                  # c = -2 / size: step is dL/dWn
                        np.negative(sums_ones, out=g_va)                   # dL/d[b2, W2]
                        if opt.weight_decay:                               # W1's and W2's entries, not the biases
                            grads += np.multiply(decaying, flat, out=decayed)
                        opt.step([flat], [grads], state, rates[e])
            else:                                                          # the loss of the last parameters too
                snapshot = Wn.copy(), va.copy()
                pending.append((recorder.submit(record, *snapshot), *snapshot))
                stopped = _collect(pending, rows, 0, good)
    finally:
        while True:             # retried in place: a second Ctrl-C may land anywhere, even on entering the call
            try:
                recorder.stop()
                break
            except KeyboardInterrupt as err:
                interrupted = err
    if interrupted is not None:                                            # the run had ended when it came
        raise interrupted
    Wn, va = good[0]
    new = {"W1": -Wn[:D], "b1": -Wn[D], "W2": va[1:, None].copy(), "b2": va[:1].copy()}
    losses, *watched = rows.columns()
    return new, losses, watched, stopped


LAG = 4                          # epochs the training may run ahead of the losses recorded for it
RECORD_ON_SECOND_CORE = True     # False computes the recorded losses in line, between the epochs
MIN_BATCH_ENTRIES = 1024         # a second thread pays only from this many hidden entries per batch (B x m) ...
MIN_PASS_ENTRIES = 32_000        # ... and this many in the recorded whole-set passes (n x m, validation included)


def _collect(pending, rows, lag, good):
    """Move recorded losses from ``pending`` to ``rows``, oldest first: every finished one, and more until at
    most ``lag`` are left; ``good[0]`` becomes the ``(Wn, va)`` of the last one moved. Returns True at the
    first training loss that is not finite, which is not moved, else False."""
    while pending and (len(pending) > lag or pending[0][0].done()):
        future, Wn_e, va_e = pending.popleft()
        row = future.result()
        if not np.isfinite(row[0]):
            return True
        rows.append(row)
        good[0] = Wn_e, va_e
    return False


class _SecondThread:
    """What ``_recorder`` gives on two cores: one thread that runs the submitted calls in turn.

    ``stop``, called when the training ends, normally or by an exception such as a Ctrl-C, cancels the
    calls still queued (nobody reads their results: the training ran ahead of a divergence, or was
    stopped), sets ``halt``, which the running call checks before each slice of its pass, and joins
    the thread in steps of ``POLL`` seconds. It is safe to call again after an interrupt, and the
    training loop retries it until it returns, so no thread outlives the call.
    """

    def __init__(self):
        self.todo, self.halt = queue.SimpleQueue(), threading.Event()
        self.thread = threading.Thread(target=self._work, name="course_utils-losses", daemon=True)

    def start(self):
        start_threads([self.thread])

    def submit(self, fn, *args):
        future = Future()
        self.todo.put((future, fn, args))
        return future

    def _work(self):
        while (task := self.todo.get()) is not None:
            future, fn, args = task
            if self.halt.is_set():
                future.cancel()
            elif future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args, halted=self.halt.is_set))
                except BaseException as err:                       # raised in the main thread by result()
                    future.set_exception(err)

    def stop(self):
        self.halt.set()
        self.todo.put(None)                                        # one more after a retry does no harm
        join_threads([self.thread])


class _Inline:
    """What ``_recorder`` gives on one core: ``submit`` runs the function at once."""

    def start(self):
        pass

    def submit(self, fn, *args):
        future = Future()
        future.set_result(fn(*args))
        return future

    def stop(self):
        pass


def _recorder(batch_entries, pass_entries):
    """Where the recorded losses are computed: on a second thread when that pays, else in line.

    The losses do not feed back into training, so they can be computed on the other core while the
    steps run: numpy releases the GIL inside its larger operations, and the whole-set pass is one
    ``exp`` over every hidden entry. The numbers are the same either way (a test checks it bit for
    bit); only the wall time differs. The thread pays once there is enough work to hand over: from
    ``MIN_BATCH_ENTRIES`` hidden entries per batch (B x m) and ``MIN_PASS_ENTRIES`` in the whole-set
    pass. Below either, the thread measured no faster, and sometimes slower, than computing the
    losses in line, so both then run in line. The measurements are in ``benchmarks/README.md``.
    """
    if (RECORD_ON_SECOND_CORE and (os.cpu_count() or 1) > 1
            and batch_entries >= MIN_BATCH_ENTRIES and pass_entries >= MIN_PASS_ENTRIES):
        return _SecondThread()
    return _Inline()


GEMV_SLICE = 2304 * 4    # OpenBLAS threads a matrix-vector product from this many multiply-adds (interface/gemv.c)


class FullMSE:
    """The MSE over a whole data set, in the layout of ``_descent.py``: units by samples, one thread per product.

    The pass runs in slices of samples, so it can stop between them, and every product stays below
    OpenBLAS's threading bounds; the slices of the output product are whole multiples of 64 samples,
    which (checked with np.array_equal) gives the bits of the uncut product.
    """

    def __init__(self, X, y, sigmoid_out):
        n = X.shape[0]
        self.XaT = inputs_with_ones(X)                                     # (D+1, n)
        self.y, self.sigmoid_out = y[:, 0], sigmoid_out
        self.h = None
        self.o = np.empty(n)

    def __call__(self, Wn, v, b2, halted=None):
        """MSE of the network with negated hidden weights ``Wn`` (D+1, m), ``v = W2`` (m,) and ``b2``.

        Returns NaN, unfinished, once ``halted()`` is true: it is checked before each slice of the pass.
        """
        WnT = np.ascontiguousarray(Wn.T)                                   # (m, D+1)
        m, n = WnT.shape[0], self.XaT.shape[1]
        if self.h is None or self.h.shape[0] != m:
            self.h = np.empty((m, n))
        h, o = self.h, self.o
        if one_thread(np.matmul, WnT, self.XaT, h, "cols", halted=halted) is None:   # -z, (m, n)
            return float("nan")                                           # Ctrl-C or the end of training
        sigmoid_of_negated(h)
        one_thread(np.matmul, v, h, o, "cols", max(64, GEMV_SLICE // m // 64 * 64))
        o += b2
        if self.sigmoid_out:
            sigmoid_of_negated(np.negative(o, out=o))
        np.subtract(o, self.y, out=o)
        return float(one_thread(np.matmul, o, o, np.empty(()), "inner", DOT_SLICE)) / n
