"""Optimizer benchmark behind `make bench`: the cost of an epoch with weight decay, momentum or Adam against plain SGD.

Every run trains the same float64 network (2 inputs, 16 sigmoid hidden units, linear output, random start with
seed 0) on the course's 10,000 samples, standardised, with ``cu.train``: full batch (one step an epoch) and
mini-batches of 32 and 256 (313 and 40 steps an epoch). Momentum and Adam keep state for every parameter and
update it at every step, so their extra cost shows most where steps are many and cheap: small batches. Each run is
timed several times and the median reported, because the machine may be shared. The target is at most 1.3 times
a plain SGD epoch. Usage: ``python benchmarks/optimizers.py [--quick]``.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import machine, timed  # noqa: E402

import course_utils as cu  # noqa: E402

WIDTH, LR = 16, 0.01
SETTINGS = {"sgd": {}, "sgd + weight decay": {"weight_decay": 1e-3}, "momentum": {"optimizer": "momentum"},
            "adam": {"optimizer": "adam"}, "adam + weight decay, cosine": {"optimizer": "adam", "weight_decay": 1e-3,
                                                                            "schedule": "cosine"}}
EPOCHS = {None: 500, 256: 100, 32: 25}    # a few tenths of a second of plain SGD each on the 2-core machine


def main(quick=False):
    X, y = cu.make_dataset()
    Xs, ys = cu.StandardScaler().fit_transform(X), cu.StandardScaler().fit_transform(y)
    start = cu.init_params(WIDTH, "random", seed=0)
    reps = 3 if quick else 7
    print(f"Machine: {machine()}")
    print(f"Work: {len(X):,} samples, width {WIDTH}, float64; medians of {reps} repeats.\n")
    print(f"{'batch':>6s}  {'optimizer':28s} {'per epoch':>10s} {'vs sgd':>7s}   all runs (s)")
    worst = 0.0
    for batch, epochs in EPOCHS.items():
        plain = None
        for name, options in SETTINGS.items():
            med, times, _ = timed(lambda: cu.train(Xs, ys, start, lr=LR, epochs=epochs, batch_size=batch, seed=0,
                                                   **options), reps)
            plain = plain or med
            ratio = med / plain
            worst = max(worst, ratio)
            runs = " ".join(f"{s:.3f}" for s in times)
            print(f"{batch or 'full':>6}  {name:28s} {med / epochs * 1e3:7.2f} ms {ratio:6.2f}x   {runs}")
    print(f"\nThe dearest optimizer epoch against plain SGD at the same batch: {worst:.2f}x (target at most 1.3x)")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
