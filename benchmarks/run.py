"""Training benchmark behind `make bench`: cu.train, cu.width_sweep and cu.train_many against original_style and PyTorch.

Every contender trains the same float64 network (2 inputs, sigmoid hidden
layer, linear output, ones init, full batch, lr 0.01) on the course's 10,000
samples for 1,000 epochs. Each is timed several times and the median is
reported, because the machine may be shared; peak memory is measured in a
separate run of each (tracemalloc slows numpy calls down, so it is never on
while the clock runs). Usage: ``python benchmarks/run.py [--quick]``.
"""

import os
import platform
import resource
import statistics
import sys
import time
import tracemalloc

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import original_style  # noqa: E402

import course_utils as cu  # noqa: E402

EPOCHS, WIDTH, WIDTHS, LR = 1000, 16, (2, 4, 8, 16), 0.01
SEEDS = 10          # cu.train_many: WIDTHS x SEEDS random starts, the size of notebook 04's seed study


def torch_train(X, y, params, lr=LR, epochs=EPOCHS):
    """The same network in PyTorch eager mode: autograd for the gradients, torch.optim.SGD for the step."""
    import torch

    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    W1, b1, W2, b2 = (torch.tensor(params[k], dtype=torch.float64, requires_grad=True)
                      for k in ("W1", "b1", "W2", "b2"))
    opt = torch.optim.SGD([W1, b1, W2, b2], lr=lr)
    losses = torch.empty(epochs, dtype=torch.float64)
    for epoch in range(epochs):
        opt.zero_grad()
        y_hat = torch.sigmoid(Xt @ W1 + b1) @ W2 + b2
        loss = torch.mean((y_hat - yt) ** 2)
        loss.backward()
        opt.step()
        losses[epoch] = loss.detach()
    return losses.numpy()


def timed(fn, repeats):
    """Run ``fn`` ``repeats`` times; return (median seconds, all seconds, last result)."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times, result


def peak_mib(fn):
    """Peak memory that numpy/Python allocated while ``fn`` ran (tracemalloc), in MiB."""
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def optional_torch():
    """The ``torch`` module if PyTorch is installed; else None, after saying how to include it."""
    try:
        import torch
    except ImportError:
        print("PyTorch is not installed: skipping the PyTorch comparison "
              "(pip install -e '.[bench]' to include it).\n")
        return None
    return torch


def machine():
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    blas = "unknown"
    try:
        from threadpoolctl import threadpool_info
        blas = ", ".join(f"{i['internal_api']} {i['version']} ({i['num_threads']} threads)" for i in threadpool_info())
    except ImportError:
        config = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = f"{config['name']} {config['version']}"
    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"numpy {np.__version__}, BLAS {blas}")


def main(quick=False):
    X, y = cu.make_dataset()
    start = cu.init_params(WIDTH)
    fast_reps, slow_reps = (3, 1) if quick else (7, 3)
    print(f"Machine: {machine()}")
    print(f"Work: {X.shape[0]:,} samples, {EPOCHS} epochs, float64, full batch; medians of repeats "
          f"({fast_reps} for fast runs, {slow_reps} for the original style). The machine may be shared: "
          f"expect some noise.\n")
    rows = []  # (label, median s, times, peak MiB)

    def bench(label, fn, reps):
        med, times, result = timed(fn, reps)
        rows.append((label, med, times, peak_mib(fn)))
        return med, result

    t_orig, orig = bench(f"original style, width {WIDTH}",
                         lambda: original_style.train(X, y, start, LR, EPOCHS), slow_reps)
    t_train, res = bench(f"cu.train, width {WIDTH}", lambda: cu.train(X, y, start, lr=LR, epochs=EPOCHS), fast_reps)
    assert np.allclose(res.losses[:len(orig)], orig, rtol=1e-9, atol=0), "cu.train disagrees with the original style"
    t_orig4, orig4 = bench(f"original style, widths {WIDTHS} one after another",
                           lambda: [original_style.train(X, y, cu.init_params(w), LR, EPOCHS) for w in WIDTHS],
                           slow_reps)
    t_sweep, sweep = bench(f"cu.width_sweep, widths {WIDTHS}",
                           lambda: cu.width_sweep(X, y, widths=WIDTHS, lr=LR, epochs=EPOCHS), fast_reps)
    for w, losses in zip(WIDTHS, orig4):
        assert np.allclose(sweep[w].losses, losses, rtol=1e-9, atol=0), f"width_sweep disagrees at width {w}"
    starts = [cu.init_params(w, "random", seed=s) for w in WIDTHS for s in range(SEEDS)]
    t_many, many = bench(f"cu.train_many, {len(starts)} networks (widths {WIDTHS} x {SEEDS} seeds)",
                         lambda: cu.train_many(X, y, starts, lr=LR, epochs=EPOCHS), slow_reps)
    for k in (0, len(starts) - 1):                     # the narrowest and the widest: bit for bit as train alone
        alone = cu.train(X, y, starts[k], lr=LR, epochs=EPOCHS)
        assert np.array_equal(many[k].losses, alone.losses), f"train_many disagrees with train for start {k}"
    torch = optional_torch()
    if torch is not None:
        t_torch, tl = bench(f"PyTorch {torch.__version__} eager ({torch.get_num_threads()} threads), width {WIDTH}",
                            lambda: torch_train(X, y, start), fast_reps)
        assert np.allclose(tl, orig, rtol=1e-9, atol=0), "PyTorch disagrees with the original style"

    print(f"{'contender':58s} {'median':>9s} {'per epoch':>10s} {'peak mem':>9s}   all runs (s)")
    for label, med, times, peak in rows:
        runs = " ".join(f"{s:.3f}" for s in times)
        mem = f"{peak:6.1f}MiB" if peak >= 0.05 else "   n/a*  "   # torch's own allocator is invisible to tracemalloc
        print(f"{label:58s} {med:8.3f}s {med / EPOCHS * 1e6:7.0f} us {mem:>9s}   {runs}")
    print("* tracemalloc sees only numpy/Python allocations, not PyTorch's; see the RSS line.")
    print(f"\nprocess peak RSS (ru_maxrss, all of the above): "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print("\nRatios (higher is better for the course package):")
    print(f"  cu.train vs original style, width {WIDTH}:       {t_orig / t_train:6.1f}x faster   (target 10x)")
    print(f"  cu.width_sweep vs four original-style runs:   {t_orig4 / t_sweep:6.1f}x faster   (target 8x)")
    print(f"  cu.train_many, {len(starts)} networks:                  {t_many:6.2f} s          (target 6 s)")
    if torch is not None:
        print(f"  cu.train vs PyTorch eager, width {WIDTH}:         {t_torch / t_train:6.1f}x faster   (target 1.5x)")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
