"""How long each explorer takes to redraw after one control change, on one core.

Binder gives a learner about one shared core, so the script runs itself under
``taskset -c 0`` (it re-executes itself that way unless ``--all-cores``).

For every control of every explorer, the control moves one step away from its
default (the next option, one slider step, one width fewer, the switch flipped)
and the time until the new PNG is ready is recorded: the first new figure (an
explorer that trains draws as it goes) and the last, finished one. Before each
timed change the explorer's caches are put back to what they held just after
it was built (its default runs only), so no change profits from an earlier
timed one; the control then moves back untimed. Goals: the first new figure
within 0.3 s of any change, the finished one within 1.0 s.

Then a few long retrains (the most epochs, the widest network, a new learning
rate for the sweep) are timed for their first figure and the longest wait
between two figures: a long run must show its curves growing, never freeze.

Run it with ``.venv/bin/python benchmarks/widget_response.py [--repeats 5] [--only regularisation_explorer]``.
"""

import os
import shutil
import sys

if "--all-cores" not in sys.argv and os.environ.get("CU_PINNED") != "1" and shutil.which("taskset"):
    # Pin the whole process (every thread numpy's BLAS starts, too) before anything is imported.
    os.environ["CU_PINNED"] = "1"
    os.execvp("taskset", ["taskset", "-c", "0", sys.executable, *sys.argv])

import argparse        # noqa: E402
import copy            # noqa: E402
import statistics      # noqa: E402
import time            # noqa: E402

from course_utils.widgets import (dataset_explorer, generalisation_explorer, output_explorer,  # noqa: E402
                                  regularisation_explorer, training_explorer, width_sweep_explorer)
from course_utils.data import cached_dataset, cached_noise_floor  # noqa: E402

FACTORIES = (dataset_explorer, output_explorer, training_explorer, width_sweep_explorer, generalisation_explorer,
             regularisation_explorer)
FIRST_S, FINAL_S = 0.3, 1.0
CACHES = ("runs", "_limits", "_finished", "_checkpoints")
# (explorer, its settings, the control moved, the new value): runs that take seconds to finish.
LONG = [
    (training_explorer, {"epochs": 3000}, "width", 16),
    # Combined extremes (issue 22): the learning rate and the epochs at their ends, then the width.
    (training_explorer, {"lr": 10.0, "epochs": 3000}, "width", 16),
    (training_explorer, {"lr": 1e-4, "epochs": 50, "width": 1}, "width", 16),
    (training_explorer, {"lr": 1e-4, "epochs": 3000, "width": 16}, "width", 1),
    (width_sweep_explorer, {"init": "random"}, "lr", 0.0158),
    (width_sweep_explorer, {"init": "random"}, "epochs", 3000),
    (generalisation_explorer, {}, "n_samples", 10_000),
    (generalisation_explorer, {}, "epochs", 2000),
    (regularisation_explorer, {}, "n_train", 1_000),
    (regularisation_explorer, {"optimizer": "sgd"}, "width", 2),
]


def one_step(control):
    """A value one step from the control's current one (the next option, the next slider position)."""
    value = control.value
    if isinstance(value, bool):
        return not value
    if hasattr(control, "options") and isinstance(value, tuple):      # widths: drop the last one ticked
        return value[:-1]
    if hasattr(control, "options"):
        options = [o[1] if isinstance(o, tuple) else o for o in control.options]    # (label, value) pairs too
        return options[(options.index(value) + 1) % len(options)]
    if hasattr(control, "base"):                                        # FloatLogSlider: step is in the exponent
        return value * control.base ** control.step
    step = getattr(control, "step", 1) or 1
    return value + step if value + step <= control.max else value - step


def snapshot(explorer):
    return {name: copy.deepcopy(getattr(explorer, name)) for name in CACHES if hasattr(explorer, name)}


def timed(explorer, name, new, built):
    """Set control ``name`` to ``new``; return the seconds to each figure drawn (the first, ..., the last)."""
    for attr, value in built.items():
        setattr(explorer, attr, copy.deepcopy(value))
    cached_dataset.cache_clear()
    cached_noise_floor.cache_clear()
    shown = []
    watch = lambda change: shown.append(time.perf_counter())     # noqa: E731
    explorer.image.observe(watch, names="value")
    start = time.perf_counter()
    explorer.controls[name].value = new
    done = time.perf_counter()
    explorer.image.unobserve(watch, names="value")
    if explorer.error is not None:
        raise RuntimeError(f"{name}={new!r}: {explorer.message}")
    return [t - start for t in shown] or [done - start]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed changes per control (median reported)")
    parser.add_argument("--all-cores", action="store_true", help="do not pin to one core")
    parser.add_argument("--only", action="append", metavar="NAME", help="time only this explorer (repeatable)")
    args = parser.parse_args()
    chosen = [f for f in FACTORIES if not args.only or f.__name__ in args.only]
    print(f"cores this process may use: {sorted(os.sched_getaffinity(0))}")
    print(f"{'explorer':<22}{'control':<13}{'change':<26}{'first s':>8}{'final s':>9}   (medians)")
    summary = []
    for factory in chosen:
        start = time.perf_counter()
        explorer = factory()
        build = time.perf_counter() - start
        built = snapshot(explorer)
        firsts, finals = [], []
        for name, control in explorer.controls.items():
            default, new = control.value, one_step(control)
            times = []
            for _ in range(args.repeats):
                times.append(timed(explorer, name, new, built))
                control.value = default
            first = statistics.median(t[0] for t in times)
            final = statistics.median(t[-1] for t in times)
            firsts.append(first)
            finals.append(final)
            print(f"{factory.__name__:<22}{name:<13}{f'{default!s:.10} -> {new!s:.10}':<26}{first:>8.3f}{final:>9.3f}")
        summary.append((factory.__name__, build, max(firsts), statistics.median(finals), max(finals)))
    print(f"\n{'explorer':<22}{'build s':>9}{'worst first s':>15}{'median final s':>16}{'worst final s':>15}"
          f"  (goals {FIRST_S} s and {FINAL_S} s)")
    for name, build, first, median, worst in summary:
        flags = [f for f, bad in (("first over goal", first > FIRST_S), ("final over goal", worst > FINAL_S)) if bad]
        print(f"{name:<22}{build:>9.3f}{first:>15.3f}{median:>16.3f}{worst:>15.3f}  {', '.join(flags)}")

    print(f"\n{'long retrain':<58}{'first s':>8}{'longest gap s':>14}{'final s':>9}{'figures':>8}  (medians)")
    for factory, settings, name, new in (long for long in LONG if long[0] in chosen):
        explorer = factory(**settings)
        built = snapshot(explorer)
        default, runs = explorer.controls[name].value, []
        for _ in range(args.repeats):
            runs.append(timed(explorer, name, new, built))
            explorer.controls[name].value = default
        gaps = [max([b - a for a, b in zip(t, t[1:])], default=t[0]) for t in runs]
        label = f"{factory.__name__}({', '.join(f'{k}={v!r}' for k, v in settings.items())}): {name} -> {new}"
        print(f"{label:<58}{statistics.median(t[0] for t in runs):>8.3f}{statistics.median(gaps):>14.3f}"
              f"{statistics.median(t[-1] for t in runs):>9.3f}{statistics.median(len(t) for t in runs):>8.0f}")


if __name__ == "__main__":
    main()
