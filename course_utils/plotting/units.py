"""Figures for many seeds and for single hidden units (notebook 04).

Like ``charts``, each helper draws the arrays it is given onto axes it is given;
``course_utils.diagnostics`` computes what they draw.
"""

import numpy as np

from .._checks import check_positive_float
from .style import COLORS, SERIES_COLORS, draw_noise_floor

# A second cue beside colour: each group of points has its own marker.
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def plot_seed_spread(ax, finals, noise_floor=None, log=True, ylabel="final MSE"):
    """One column of points per group, ``finals = {label: values}``, with a box and the median marked.

    Each value is one run (one seed). The points are spread sideways by a fixed
    pattern so they do not hide each other; the box spans the middle half of the
    runs and the thick bar is the median. ``noise_floor`` adds the dotted noise-floor line.
    """
    if not finals:
        raise ValueError("finals must hold at least one group of values, got an empty dict")
    for i, (label, values) in enumerate(finals.items()):
        values = np.asarray(values, dtype=np.float64).ravel()
        if values.size == 0 or not np.all(np.isfinite(values)):
            raise ValueError(f"group {label!r} must hold at least one value, all finite; got {values.tolist()!r}")
        color = SERIES_COLORS[i % len(SERIES_COLORS)]
        ax.boxplot(values, positions=[i], widths=0.5, showfliers=False, medianprops={"linewidth": 0},
                   boxprops={"color": color}, whiskerprops={"color": color}, capprops={"color": color})
        offsets = np.linspace(-0.18, 0.18, values.size) if values.size > 1 else np.zeros(1)
        ax.scatter(i + offsets[np.argsort(np.argsort(values))], values, s=28, color=color,
                   marker=_MARKERS[i % len(_MARKERS)], edgecolors="white", linewidths=0.5, zorder=3)
        median = np.median(values)
        ax.plot([i - 0.3, i + 0.3], [median, median], color=COLORS["floor"], linestyle="-", linewidth=2.5, zorder=4,
                label="median" if i == 0 else None)
        ax.annotate(f"{median:.3g}", (i + 0.32, median), va="center", fontsize=9)
    if noise_floor is not None:
        draw_noise_floor(ax, noise_floor)
    if log:
        ax.set_yscale("log")
    ax.set_xticks(range(len(finals)), [str(label) for label in finals])
    ax.set_xlim(-0.6, len(finals) - 0.3)
    ax.set_ylabel(ylabel)
    ax.legend(loc="upper right")


def plot_preactivation_hist(ax, Z1, labels=None, flat=2.5, bins=60):
    """Histogram of each hidden unit's pre-activations ``Z1`` (n_samples, m), one outline per unit.

    The regions ``|z| > flat`` are shaded: there the sigmoid's slope is below
    σ'(2.5) ≈ 0.07, under a third of its maximum 1/4.
    """
    Z1 = np.asarray(Z1, dtype=np.float64)
    if Z1.ndim != 2:
        raise ValueError(f"Z1 must be 2-D, (n_samples, m), got shape {Z1.shape}")
    labels = labels or [f"unit {j + 1}" for j in range(Z1.shape[1])]
    if len(labels) != Z1.shape[1]:
        raise ValueError(f"labels must name each of the {Z1.shape[1]} units, got {len(labels)} labels")
    edges = np.linspace(min(Z1.min(), -flat - 1), max(Z1.max(), flat + 1), bins + 1)
    styles = ("-", "--", "-.", ":")
    for j, label in enumerate(labels):
        ax.hist(Z1[:, j], bins=edges, histtype="step", linewidth=1.8, linestyle=styles[j % len(styles)],
                color=SERIES_COLORS[j % len(SERIES_COLORS)], label=label)
    ax.axvspan(edges[0], -flat, color=COLORS["reference"], alpha=0.2, label=f"flat tails, |z| > {flat:g}")
    ax.axvspan(flat, edges[-1], color=COLORS["reference"], alpha=0.2)
    ax.set(xlabel="pre-activation $z$", ylabel="number of samples")
    ax.legend(loc="upper right", fontsize=8)


def plot_unit_maps(axes, x1, x2, contributions, levels):
    """One filled-contour map per hidden unit: ``contributions`` (n1, n2, m) over the grid ``x1``, ``x2`` (n1, n2).

    ``axes`` holds at least m axes (any shape); the rest are hidden. Pass one
    symmetric ``levels`` so every map shares a colour scale centred on 0
    (purple below 0, orange above). With ``levels=None`` each map gets its own
    scale from its own lowest to highest value (viridis), which shows the shape of
    a unit whose contribution is small; each title then gives that range.

    Returns
    -------
    matplotlib.contour.QuadContourSet
        The last map's contours, to pass to ``fig.colorbar`` (shared levels only).
    """
    axes = np.ravel(axes)
    contributions = np.asarray(contributions, dtype=np.float64)
    if contributions.ndim != 3 or contributions.shape[:2] != np.shape(x1):
        raise ValueError(f"contributions must have shape (n1, n2, m) with (n1, n2) = {np.shape(x1)}, "
                         f"got {contributions.shape}")
    m = contributions.shape[2]
    if len(axes) < m:
        raise ValueError(f"need one axes per unit: {m} units, {len(axes)} axes")
    filled = None
    for j, ax in enumerate(axes):
        if j >= m:
            ax.set_visible(False)
            continue
        c = contributions[:, :, j]
        own = levels is None
        if own and np.ptp(c) == 0:
            c = c + np.linspace(0, 1e-12, c.shape[1])              # a constant map still gets a drawable scale
        filled = ax.contourf(x1, x2, c, levels=12 if own else levels, cmap="viridis" if own else "PuOr_r",
                             extend="neither" if own else "both")
        ax.set(aspect="equal", xticks=[], yticks=[])
        ax.grid(False)
        title = f"unit {j + 1}" + (f": {c.min():.3g} to {c.max():.3g}" if own else "")
        ax.set_title(title, fontsize=9, fontweight="normal")
    return filled


def plot_residual_map(ax, x1, x2, residual, limit):
    """The signed error ``residual`` = f̂ - f over the grid ``x1``, ``x2`` (all (n1, n2)), on a scale ±``limit``.

    Purple where the network is too low, orange where it is too high, white where it is right.

    Returns
    -------
    matplotlib.contour.QuadContourSet
    """
    limit = check_positive_float(limit, "limit")
    levels = np.linspace(-limit, limit, 17)
    filled = ax.contourf(x1, x2, residual, levels=levels, cmap="PuOr_r", extend="both")
    ax.set(xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
    ax.grid(False)
    return filled
