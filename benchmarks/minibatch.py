"""Mini-batch benchmark behind `make bench`: an epoch at batch 256 against a full-batch epoch, and against PyTorch.

Every contender trains the same float64 network (2 inputs, 16 sigmoid hidden
units, linear output, random start with seed 0) on the course's 10,000 samples,
standardised, at lr 0.05, and follows the mini-batch contract of ``cu.train``:
one ``np.random.default_rng(0)`` per run, one permutation per epoch, consecutive
batches of 256 (the last one 16 long), and the whole training set's MSE recorded
before each epoch (``cu.train`` records one more, the loss of its final parameters).
All of them must record the same losses. Each is timed
several times and the median is reported, because the machine may be shared.
``cu.train`` computes the recorded losses on a second thread when the machine
has a second core; it is also timed with that switched off
(``_minibatch.RECORD_ON_SECOND_CORE = False``), and processor time is reported
beside wall time, so the gain from the second core is shown apart.
Usage: ``python benchmarks/minibatch.py [--quick]``.
"""

import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import machine, optional_torch  # noqa: E402

import course_utils as cu  # noqa: E402
from course_utils import _minibatch as minibatch  # noqa: E402

WIDTH, BATCH, LR, SEED = 16, 256, 0.05, 0


def readable_loop(X, y, params, epochs):
    """The contract written out with ``cu.backward``: what ``cu.train(..., batch_size=256)`` must reproduce."""
    rng = np.random.default_rng(SEED)
    losses = []
    for _ in range(epochs):
        losses.append(cu.mse(y, cu.forward(X, params)))
        order = rng.permutation(len(X))
        for start in range(0, len(X), BATCH):
            rows = order[start:start + BATCH]
            grads = cu.backward(X[rows], y[rows], params)
            params = {k: params[k] - LR * grads[k] for k in params}
    return np.array(losses)


def torch_loop(X, y, params, epochs):
    """The same loop in PyTorch eager mode: autograd for the gradients, torch.optim.SGD for the steps."""
    import torch

    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    W1, b1, W2, b2 = (torch.tensor(params[k], dtype=torch.float64, requires_grad=True)
                      for k in ("W1", "b1", "W2", "b2"))
    opt = torch.optim.SGD([W1, b1, W2, b2], lr=LR)
    rng = np.random.default_rng(SEED)
    losses = np.empty(epochs)
    for epoch in range(epochs):
        with torch.no_grad():
            losses[epoch] = torch.mean((torch.sigmoid(Xt @ W1 + b1) @ W2 + b2 - yt) ** 2).item()
        order = torch.from_numpy(rng.permutation(len(X)))
        Xp, yp = Xt[order], yt[order]                 # one gather per epoch, as cu.train does
        for start in range(0, len(X), BATCH):
            opt.zero_grad()
            Xb, yb = Xp[start:start + BATCH], yp[start:start + BATCH]
            loss = torch.mean((torch.sigmoid(Xb @ W1 + b1) @ W2 + b2 - yb) ** 2)
            loss.backward()
            opt.step()
    return losses


def per_epoch(fn, epochs, repeats):
    """Median wall seconds per epoch of ``fn()`` over ``repeats`` runs, all runs, median processor seconds
    per epoch (all threads), and the last result."""
    times, cpu, result = [], [], None
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append((time.perf_counter() - start) / epochs)
        cpu.append((time.process_time() - start_cpu) / epochs)
    return statistics.median(times), times, statistics.median(cpu), result


def in_line(fn):
    """``fn`` run with the recorded losses computed between the epochs, on the one thread."""
    def run():
        before, minibatch.RECORD_ON_SECOND_CORE = minibatch.RECORD_ON_SECOND_CORE, False
        try:
            return fn()
        finally:
            minibatch.RECORD_ON_SECOND_CORE = before
    return run


def main(quick=False):
    X_raw, y_raw = cu.make_dataset()
    X, y = cu.StandardScaler().fit_transform(X_raw), cu.StandardScaler().fit_transform(y_raw)
    start = cu.init_params(WIDTH, "random", seed=SEED)
    epochs, slow_epochs, reps = (20, 3, 3) if quick else (100, 10, 7)
    print(f"Machine: {machine()}")
    print(f"Work: {X.shape[0]:,} standardised samples, width {WIDTH}, lr {LR}, float64; batch {BATCH} "
          f"({-(-X.shape[0] // BATCH)} steps an epoch) against full batch; medians of {reps} runs. "
          "The machine may be shared: expect some noise.\n")
    rows = []

    cpu = {}

    def bench(label, fn, n_epochs, repeats=reps):
        med, times, med_cpu, result = per_epoch(fn, n_epochs, repeats)
        rows.append((label, med, times, med_cpu))
        cpu[label] = med_cpu
        return med, result

    def train_mini():
        return cu.train(X, y, start, lr=LR, epochs=epochs, batch_size=BATCH, seed=SEED)

    t_full, _ = bench("cu.train, full batch", lambda: cu.train(X, y, start, lr=LR, epochs=epochs), epochs)
    t_mini, mini = bench(f"cu.train, batch_size={BATCH}", train_mini, epochs)
    t_line, line = bench("the same, losses recorded in line", in_line(train_mini), epochs)
    assert all(np.array_equal(mini.params[k], line.params[k]) for k in start), "the second thread changed the run"
    assert np.array_equal(mini.losses, line.losses), "the second thread changed the losses"
    _, slow = bench("readable loop over cu.backward", lambda: readable_loop(X, y, start, slow_epochs),
                    slow_epochs, max(1, reps // 3))
    assert np.allclose(mini.losses[:slow_epochs], slow, rtol=1e-9, atol=0), "cu.train disagrees with the loop"
    torch = optional_torch()
    if torch is not None:
        t_torch, tl = bench(f"PyTorch {torch.__version__} eager ({torch.get_num_threads()} threads)",
                            lambda: torch_loop(X, y, start, epochs), epochs)
        assert np.allclose(tl, mini.losses[:len(tl)], rtol=1e-9, atol=0), "PyTorch disagrees with cu.train"

    print(f"{'contender (one epoch of 10,000 samples)':48s} {'median':>10s} {'processor':>10s}   all runs (ms)")
    for label, med, times, med_cpu in rows:
        print(f"{label:48s} {med * 1e3:7.3f} ms {med_cpu * 1e3:7.3f} ms   " + " ".join(f"{t * 1e3:.2f}" for t in times))
    full_label, mini_label = rows[0][0], rows[1][0]
    print("\nRatios:")
    print(f"  batch {BATCH} epoch / full-batch epoch, wall time:  {t_mini / t_full:5.2f}x   (target at most 2x)")
    print(f"  the same, losses recorded in line (one core):   {t_line / t_full:5.2f}x")
    print(f"  the same, processor time (both threads):         {cpu[mini_label] / cpu[full_label]:5.2f}x")
    if torch is not None:
        best = {label: min(times) for label, _, times, _ in rows}
        print(f"  PyTorch eager / cu.train, batch {BATCH}:            {t_torch / t_mini:5.2f}x   "
              "(above 1: cu.train is faster)")
        print(f"  the same, fastest run of each:                  {best[rows[-1][0]] / best[rows[1][0]]:5.2f}x   "
              "(PyTorch's threads stall most on a busy machine)")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
