"""Small drawing helpers shared by the notebooks and the explorers.

Each one draws arrays it is given onto an ``ax`` it is given, in the course
style, and computes nothing about the network itself.
"""

import numpy as np
from matplotlib.axes import Axes

from .._checks import as_real_array, as_values, check_type
from .style import COLORS, SERIES_COLORS, draw_noise_floor, line_cue

AXES = "a matplotlib Axes (from plt.subplots or new_figure)"


def plot_data_scatter(ax, X, y, s=4, cmap="viridis"):
    """Scatter the inputs ``X`` (n, 2) on the (x1, x2) plane, coloured by ``y`` (n, 1) (notebook 01).

    Returns
    -------
    matplotlib.collections.PathCollection
        The points, to pass to ``fig.colorbar``.
    """
    check_type(ax, "ax", Axes, AXES)
    X = as_real_array(X, "X")
    if X.ndim != 2 or X.shape[1] != 2 or X.shape[0] == 0:
        raise ValueError(f"X must have shape (n_samples, 2), got {X.shape}")
    y = as_values(y, "y", X.shape[0])
    points = ax.scatter(X[:, 0], X[:, 1], c=y, s=s, cmap=cmap, linewidths=0)
    ax.set(xlabel="$x_1$ (input 1)", ylabel="$x_2$ (input 2)", aspect="equal")
    return points


def plot_target_histogram(ax, y, bins=60, band=None, color=None):
    """Histogram of the targets ``y`` (n, 1) with their mean marked (notebooks 01 and 02).

    ``band=(low, high)`` shades that range of values, e.g. ``(0, 1)`` for the
    outputs a sigmoid can reach.
    """
    check_type(ax, "ax", Axes, AXES)
    y = as_values(y, "y")
    ax.hist(y, bins=bins, color=color or COLORS["data"], alpha=0.8)
    ax.axvline(y.mean(), color=COLORS["reference"], linestyle="--", label=f"mean {y.mean():.3f}")
    if band is not None:
        ax.axvspan(*band, color=COLORS["band"], alpha=0.6, zorder=3, label=f"({band[0]:g}, {band[1]:g})")
    ax.set(xlabel="target $y$", ylabel="number of samples")
    ax.legend(loc="upper right")


def plot_predictions(ax, y, y_hat, band=None, s=3, label="prediction"):
    """Predictions ``y_hat`` (n, 1) against targets ``y`` (n, 1), with the line ``y_hat = y`` (notebook 02).

    ``band=(low, high)`` shades that range of predictions, e.g. ``(0, 1)`` for a sigmoid output.
    """
    check_type(ax, "ax", Axes, AXES)
    y = as_values(y, "y")
    y_hat = as_values(y_hat, "y_hat", y.size)
    lo, hi = min(y.min(), y_hat.min()), max(y.max(), y_hat.max())
    ax.plot([lo, hi], [lo, hi], color=COLORS["truth"], linestyle="-", label="perfect: $\\hat y = y$")
    if band is not None:
        ax.axhspan(*band, color=COLORS["band"], alpha=0.35, label=f"({band[0]:g}, {band[1]:g})")
    ax.scatter(y, y_hat, s=s, color=COLORS["model"], alpha=0.5, linewidths=0, label=label)
    ax.set(xlabel="target $y$", ylabel="prediction $\\hat y$")
    ax.legend(loc="upper left", markerscale=5)


def plot_surface(ax, x1, x2, z, levels=None, cmap="viridis"):
    """Filled contours of ``z`` over the grid ``x1``, ``x2`` (all of shape (n1, n2)) (notebook 04).

    Pass the same ``levels`` to every panel that should share one colour scale.

    Returns
    -------
    matplotlib.contour.QuadContourSet
        The contours, to pass to ``fig.colorbar``.
    """
    check_type(ax, "ax", Axes, AXES)
    x1, x2, z = as_real_array(x1, "x1"), as_real_array(x2, "x2"), as_real_array(z, "z")
    if z.ndim != 2 or z.size == 0 or x1.shape != z.shape or x2.shape != z.shape:
        raise ValueError(f"x1, x2 and z must be 2-D grids of one shape, got {x1.shape}, {x2.shape} and {z.shape}")
    filled = ax.contourf(x1, x2, z, levels=levels, cmap=cmap, extend="both")
    ax.set(xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
    ax.grid(False)
    return filled


def plot_graph(ax, nodes, edges, back_edges=()):
    """Draw a computational graph: labelled boxes joined by arrows (notebook 03).

    ``nodes`` maps a name to ``(x, y, text)`` in axes coordinates (0 to 1);
    ``edges`` lists ``(from, to)`` pairs drawn as forward arrows and
    ``back_edges`` lists ``(from, to, text)`` drawn as dashed gradient arrows.
    """
    check_type(ax, "ax", Axes, AXES)
    box = {"boxstyle": "round,pad=0.4", "facecolor": "white", "edgecolor": COLORS["data"]}
    boxes = {name: ax.text(x, y, text, ha="center", va="center", fontsize=10, bbox=box)
             for name, (x, y, text) in nodes.items()}

    def arrow(a, b, **style):
        props = {"arrowstyle": "-|>", "color": COLORS["data"], "shrinkA": 2, "shrinkB": 2,
                 "patchA": boxes[a].get_bbox_patch(), "patchB": boxes[b].get_bbox_patch(), **style}
        ax.annotate("", xy=nodes[b][:2], xytext=nodes[a][:2], arrowprops=props)

    for a, b in edges:
        arrow(a, b)
    for a, b, text in back_edges:
        arrow(a, b, color=COLORS["floor"], linestyle="--", connectionstyle="arc3,rad=-0.4")
        (xa, ya), (xb, yb) = nodes[a][:2], nodes[b][:2]
        across = abs(xb - xa) >= abs(yb - ya)      # label below a sideways arrow, left of an upright one
        x, y = (xa + xb) / 2 - (0 if across else 0.04), (ya + yb) / 2 - (0.22 if across else 0)
        ax.text(x, y, text, ha="center" if across else "right", va="center", fontsize=10, color=COLORS["floor"])
    ax.set(xlim=(0, 1), ylim=(0, 1))
    ax.axis("off")
