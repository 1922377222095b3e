"""Loss curves on a log scale whose axes always hold every finite loss drawn, up to 1e308.

Matplotlib's own log axis overflows near the top of float64, so the curves
are drawn as ``log10(MSE)`` on a plain axis whose ticks are labelled in MSE.
A run that diverged ends in a cross marked "diverged at epoch N".
"""

import math

import numpy as np
from matplotlib.ticker import FixedLocator, FuncFormatter

from ..plotting import COLORS, draw_noise_floor, line_cue


def _tick_label(log_value, _position=None):
    value = 10.0 ** log_value
    if 1e-3 <= value < 1e5:
        return f"{value:g}"
    return f"$10^{{{round(log_value)}}}$"


def _ticks(lo, hi):
    """Tick positions (log10 of MSE values) for an axis from ``lo`` to ``hi``: 1-2-5 steps, or powers of ten."""
    span = hi - lo
    if span <= 4:
        mantissas = (1, 2, 5)
    elif span <= 12:
        mantissas = (1,)
    else:
        step = next(s for s in (2, 5, 10, 20, 25, 50, 100) if s >= span / 6)
        return list(range(math.ceil(lo / step) * step, math.floor(hi) + 1, step))
    ticks = [math.log10(m) + k for k in range(math.floor(lo), math.ceil(hi) + 1) for m in mantissas]
    return [t for t in ticks if lo <= t <= hi]


def draw_loss_curves(ax, runs, noise_floor, epochs, reference=None, floor_label="noise floor"):
    """Draw ``runs`` (a list of ``(label, losses, diverged)``) on a log scale; return the axes facts.

    Each ``losses`` is the finite MSE after 0, 1, 2, ... epochs, as ``TrainResult.losses``.
    ``reference`` = ``(label, losses)`` is drawn first, wide and grey; the
    noise floor's legend entry reads ``floor_label`` and its value. The
    y-axis runs from below the lowest value (and the noise floor) to above the
    highest finite one, so every curve drawn is inside the frame.

    Returns
    -------
    dict
        ``ylim-log10``: the y-axis limits as log10 of MSE; ``drawn-log10``:
        the lowest and highest log10(MSE) of the curves drawn (reference included).
    """
    shown = [np.log10(np.asarray(losses, dtype=np.float64)) for _, losses, _ in runs if len(losses)]
    if reference is not None:
        label, losses = reference
        ref = np.log10(np.asarray(losses, dtype=np.float64))
        ax.plot(range(len(ref)), ref, color=COLORS["reference"], alpha=0.4, linewidth=5, label=label)
        shown.append(ref)
    for i, (label, losses, diverged) in enumerate(runs):
        log_losses = np.log10(np.asarray(losses, dtype=np.float64))
        every = max(1, epochs // 10)      # markers every tenth of the run, staggered so lines do not hide them
        ax.plot(range(len(log_losses)), log_losses, **line_cue(i), markevery=(i * every // 4 % every, every),
                markersize=5, label=label)
        if diverged and len(log_losses):
            last = len(log_losses) - 1
            ax.plot([last], [log_losses[-1]], marker="X", markersize=12, color=COLORS["floor"],
                    markeredgecolor="white", linestyle="none", zorder=5)
            ax.annotate(f"diverged at epoch {len(log_losses)}", (last, log_losses[-1]), xytext=(-8, -4),
                        textcoords="offset points", ha="right", va="top", fontsize=10)
    floor = math.log10(noise_floor)
    draw_noise_floor(ax, floor, noise_floor, floor_label)
    low = min([floor, *(c.min() for c in shown)])
    high = max([floor, *(c.max() for c in shown)])
    ylim = (low - 0.12, high + max(0.12, 0.05 * (high - low)))
    own = [np.log10(np.asarray(losses, dtype=np.float64)) for _, losses, _ in runs if len(losses)]
    runs_range = (min(c.min() for c in own), max(c.max() for c in own)) if own else (floor, floor)
    ax.set_ylim(*ylim)
    ax.set_xlim(0, epochs)
    ax.yaxis.set_major_locator(FixedLocator(_ticks(*ylim)))
    ax.yaxis.set_major_formatter(FuncFormatter(_tick_label))
    ax.set(xlabel="epoch", ylabel="MSE (log scale)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return {"ylim-log10": f"{ylim[0]:.6g} {ylim[1]:.6g}", "drawn-log10": f"{low:.6g} {high:.6g}",
            "runs-log10": f"{runs_range[0]:.6g} {runs_range[1]:.6g}"}
