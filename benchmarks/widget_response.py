"""How long each explorer takes to redraw after one control change at its defaults.

For every control of every explorer, the control moves one step away from its
default (the next option, one slider step, one width fewer) and the time until
the new PNG is ready is recorded: the first new figure (an explorer that trains
in stages draws as it goes) and the last, finished one. Before each timed change the explorer's run
cache is put back to what it held just after being built (its default runs
only), so no change profits from an earlier timed one; the control then moves
back untimed. The figure to aim for is 0.5 s per change.

Run it with ``.venv/bin/python benchmarks/widget_response.py [--repeats 3]``.
"""

import argparse
import copy
import statistics
import time

from course_utils.widgets import dataset_explorer, output_explorer, training_explorer, width_sweep_explorer
from course_utils.widgets._base import course_data, course_noise_floor

FACTORIES = (dataset_explorer, output_explorer, training_explorer, width_sweep_explorer)
TARGET_S = 0.5


def one_step(control):
    """A value one step from the control's current one (the next option, the next slider position)."""
    value = control.value
    if hasattr(control, "options") and isinstance(value, tuple):      # SelectMultiple: drop the last one picked
        return value[:-1]
    if hasattr(control, "options"):
        options = list(control.options)
        return options[(options.index(value) + 1) % len(options)]
    if hasattr(control, "base"):                                        # FloatLogSlider: step is in the exponent
        return value * control.base ** control.step
    step = getattr(control, "step", 1) or 1
    return value + step if value + step <= control.max else value - step


def time_change(explorer, name, built_runs):
    """Seconds from setting control ``name`` one step away to the first new figure, and to the last.

    An explorer that trains in stages draws several figures for one change; the
    first is what the learner sees respond, the last is the finished picture.
    """
    control = explorer.controls[name]
    default, new = control.value, one_step(control)
    if built_runs is not None:
        explorer.runs = copy.deepcopy(built_runs)
    course_data.cache_clear()
    course_noise_floor.cache_clear()
    shown = []
    watch = lambda change: shown.append(time.perf_counter())     # noqa: E731
    explorer.image.observe(watch, names="value")
    start = time.perf_counter()
    control.value = new
    done = time.perf_counter()
    explorer.image.unobserve(watch, names="value")
    if explorer.error is not None:
        raise RuntimeError(f"{name}={new!r}: {explorer.message}")
    control.value = default
    first = (shown[0] if shown else done) - start
    return default, new, first, done - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed changes per control (median reported)")
    args = parser.parse_args()
    print(f"{'explorer':<22}{'control':<15}{'change':<28}{'first s':>8}{'final s':>9}   (medians)")
    summary = []
    for factory in FACTORIES:
        start = time.perf_counter()
        explorer = factory()
        build = time.perf_counter() - start
        built_runs = copy.deepcopy(getattr(explorer, "runs", None))
        firsts, finals = [], []
        for name in explorer.controls:
            times = [time_change(explorer, name, built_runs) for _ in range(args.repeats)]
            default, new = times[0][:2]
            first, final = [t[2] for t in times], [t[3] for t in times]
            firsts.extend(first)
            finals.extend(final)
            change = f"{default!s:.10} -> {new!s:.10}"
            print(f"{factory.__name__:<22}{name:<15}{change:<28}"
                  f"{statistics.median(first):>8.3f}{statistics.median(final):>9.3f}")
        summary.append((factory.__name__, build, max(firsts), statistics.median(finals), max(finals)))
    print(f"\n{'explorer':<22}{'build s':>9}{'worst first s':>15}{'median final s':>16}{'worst final s':>15}"
          f"  (target {TARGET_S} s)")
    for name, build, first, median, worst in summary:
        flag = "" if first <= TARGET_S else "  first figure over target"
        print(f"{name:<22}{build:>9.3f}{first:>15.3f}{median:>16.3f}{worst:>15.3f}{flag}")


if __name__ == "__main__":
    main()
