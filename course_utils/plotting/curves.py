"""The course's one loss-curve plotter, for the notebooks (03, 04) and the explorers.

``log=True`` uses matplotlib's log axis, so other arrays can be drawn on it in MSE. Matplotlib's
log axis overflows near the top of float64, so the explorers ask for ``log="wide"``: the curves
are drawn as ``log10(MSE)`` on a plain axis whose ticks are labelled in MSE, and the axis holds
every finite loss up to 1e308. A run that diverged ends in a cross marked "diverged at epoch N".
"""

import math
from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import FixedLocator, FuncFormatter

from .._checks import as_real_array, check_type
from ..text import shown
from .style import COLORS, draw_noise_floor, line_cue

AXES = "a matplotlib Axes (from plt.subplots or new_figure)"


def plot_loss_curves(ax, curves, noise_floor=None, log=False, cap=1e100, *, diverged=(), reference=None,
                     epochs=None, floor_label="noise floor"):
    """Draw one loss curve per entry of ``curves`` = ``{label: losses}`` (notebooks 03 and 04, the explorers).

    Parameters
    ----------
    ax : matplotlib Axes
    curves : dict
        ``{label: losses}``, each ``losses`` an array of the MSE after 0, 1, 2, ... epochs, as
        ``TrainResult.losses``. A curve stops at its first value above ``cap`` (or not finite), so a
        diverging run shows its climb without overflowing the axis.
    noise_floor : float or None
        Adds a dotted line at the best reachable MSE, labelled ``floor_label`` and its value.
    log : False, True or "wide"
        True puts the MSE on matplotlib's log scale. "wide" draws log10(MSE) on a plain axis labelled
        in MSE, whose limits hold every curve drawn (up to 1e308 with ``cap=math.inf``); anything else
        drawn on these axes must then be in log10(MSE).
    diverged : collection of labels
        The curves that diverged: each ends in a cross marked "diverged at epoch N".
    reference : (label, losses) or None
        A curve drawn first, wide and grey, to compare with.
    epochs : int or None
        The x-axis runs from 0 to ``epochs`` (markers every tenth of it, staggered from line to line);
        None leaves the limits to matplotlib and puts a marker every tenth of each curve.

    Returns
    -------
    dict or None
        With ``log="wide"``, the axes facts as text: ``ylim-log10`` (the y-limits as log10 of MSE),
        ``drawn-log10`` (the lowest and highest value drawn, reference and floor included) and
        ``runs-log10`` (the same for ``curves`` alone). None otherwise.
    """
    check_type(ax, "ax", Axes, AXES)
    check_type(curves, "curves", Mapping, "a dict {label: losses}")
    if not (isinstance(log, (bool, np.bool_)) or (isinstance(log, str) and log == "wide")):
        raise ValueError(f"log must be False, True or 'wide', got {shown(log)}")
    wide = log == "wide"
    scale = np.log10 if wide else np.asarray
    drawn = []
    if reference is not None:
        label, losses = reference
        drawn.append(scale(_up_to_cap(as_real_array(losses, "reference").ravel(), cap)))
        ax.plot(range(len(drawn[0])), drawn[0], color=COLORS["reference"], alpha=0.4, linewidth=5, label=label)
    own = []
    for i, (label, losses) in enumerate(curves.items()):
        curve = scale(_up_to_cap(as_real_array(losses, f"curves[{label!r}]").ravel(), cap))
        # Colour, dash pattern and a marker every tenth of the run: each line reads without its colour.
        every = max(1, (len(curve) if epochs is None else epochs) // 10)
        ax.plot(range(len(curve)), curve, **line_cue(i), markersize=5, label=str(label),
                markevery=every if epochs is None else (i * every // 4 % every, every))
        if label in diverged and len(curve):
            last = len(curve) - 1
            ax.plot([last], [curve[-1]], marker="X", markersize=12, color=COLORS["floor"],
                    markeredgecolor="white", linestyle="none", zorder=5)
            ax.annotate(f"diverged at epoch {len(curve)}", (last, curve[-1]), xytext=(-8, -4),
                        textcoords="offset points", ha="right", va="top", fontsize=10)
        own += [curve] if len(curve) else []
    if noise_floor is not None:
        draw_noise_floor(ax, float(scale(noise_floor)), noise_floor, floor_label)
    if epochs is not None:
        ax.set_xlim(0, epochs)
    if not wide:
        if log:
            ax.set_yscale("log")
        ax.set(xlabel="Epoch", ylabel="MSE")
        ax.legend(loc="upper right")
        return None
    return _wide_axis(ax, own, drawn, None if noise_floor is None else math.log10(noise_floor))


def _up_to_cap(losses, cap):
    """``losses`` up to its first value above ``cap`` or not finite."""
    above = np.flatnonzero(~(np.isfinite(losses) & (losses <= cap)))
    return losses[: above[0]] if above.size else losses


def _wide_axis(ax, own, drawn, floor):
    """Set the limits, MSE-labelled ticks, labels and legend of a "wide" axis; return the axes facts."""
    values = [floor] if floor is not None else []
    low = min(values + [c.min() for c in own + drawn if len(c)], default=0.0)
    high = max(values + [c.max() for c in own + drawn if len(c)], default=0.0)
    ylim = (low - 0.12, high + max(0.12, 0.05 * (high - low)))
    runs_range = (min(c.min() for c in own), max(c.max() for c in own)) if own else (floor, floor)
    ax.set_ylim(*ylim)
    ax.yaxis.set_major_locator(FixedLocator(_ticks(*ylim)))
    ax.yaxis.set_major_formatter(FuncFormatter(_tick_label))
    ax.set(xlabel="epoch", ylabel="MSE (log scale)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return {"ylim-log10": f"{ylim[0]:.6g} {ylim[1]:.6g}", "drawn-log10": f"{low:.6g} {high:.6g}",
            "runs-log10": f"{runs_range[0]:.6g} {runs_range[1]:.6g}"}


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
