"""How long each explorer takes to redraw after one control change at its defaults.

For every control of every explorer, the control moves one step away from its
default (the next option, one slider step, one width fewer) and the time until
the new PNG is ready is recorded. Before each timed change the explorer's run
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
from course_utils.widgets._base import course_data

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
    """Seconds from setting control ``name`` one step away to the new figure being ready."""
    control = explorer.controls[name]
    default, new = control.value, one_step(control)
    if built_runs is not None:
        explorer.runs = copy.deepcopy(built_runs)
    course_data.cache_clear()
    start = time.perf_counter()
    control.value = new
    elapsed = time.perf_counter() - start
    if explorer.error is not None:
        raise RuntimeError(f"{name}={new!r}: {explorer.message}")
    control.value = default
    return default, new, elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed changes per control (median reported)")
    args = parser.parse_args()
    print(f"{'explorer':<22}{'control':<15}{'change':<28}{'median s':>9}")
    summary = []
    for factory in FACTORIES:
        start = time.perf_counter()
        explorer = factory()
        build = time.perf_counter() - start
        built_runs = copy.deepcopy(getattr(explorer, "runs", None))
        all_times = []
        for name in explorer.controls:
            times = []
            for _ in range(args.repeats):
                default, new, elapsed = time_change(explorer, name, built_runs)
                times.append(elapsed)
            all_times.extend(times)
            change = f"{default!s:.10} -> {new!s:.10}"
            print(f"{factory.__name__:<22}{name:<15}{change:<28}{statistics.median(times):>9.3f}")
        summary.append((factory.__name__, build, statistics.median(all_times), max(all_times)))
    print(f"\n{'explorer':<22}{'build s':>9}{'median s':>10}{'worst s':>9}  (target {TARGET_S} s per change)")
    for name, build, median, worst in summary:
        flag = "" if median <= TARGET_S else "  over target"
        print(f"{name:<22}{build:>9.3f}{median:>10.3f}{worst:>9.3f}{flag}")


if __name__ == "__main__":
    main()
