"""The course's figure style: colours, rcParams, pyplot-free figures and the dark-page export.

Figures keep matplotlib's opaque white background inside the notebooks, so
they read the same in JupyterLab's light and dark themes. ``save_figure``
exports a figure for a dark web page: transparent background with white
axes, ticks, labels and titles.
"""

import os
from contextlib import contextmanager
from pathlib import Path

import matplotlib as mpl
from matplotlib.figure import Figure

from .._checks import check_type

# Okabe & Ito's colour-blind-safe palette (https://jfly.uni-koeln.de/color/): every categorical colour comes from it.
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky blue": "#56B4E9", "bluish green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish purple": "#CC79A7",
}
# One colour per idea, used the same way in every notebook; the reference grey is a neutral, not a category.
COLORS = {
    "data": OKABE_ITO["blue"],
    "model": OKABE_ITO["vermillion"],
    "truth": OKABE_ITO["bluish green"],
    "floor": OKABE_ITO["black"],
    "band": OKABE_ITO["reddish purple"],
    "reference": "#8c8c8c",
}
# One colour per series (widths, runs, seeds): lines told apart by colour are told apart by their dash pattern and
# marker as well, so no one needs the colour.
SERIES_COLORS = [OKABE_ITO[c] for c in ("blue", "orange", "bluish green", "vermillion", "reddish purple",
                                        "sky blue", "black", "yellow")]
LINESTYLES = ["-", "--", "-.", (0, (1, 1.2)), (0, (6, 1.5, 1, 1.5, 1, 1.5)), (0, (8, 2)), (0, (3, 3)), "-"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]


def line_cue(i):
    """The colour, dash pattern and marker of the ``i``-th line of a figure, as keyword arguments for ``ax.plot``."""
    n = len(SERIES_COLORS)
    return {"color": SERIES_COLORS[i % n], "linestyle": LINESTYLES[i % n], "marker": MARKERS[i % n]}


def draw_noise_floor(ax, y, value=None, label="noise floor"):
    """Draw the noise floor as the course does in every figure: a black dotted line, labelled with its value.

    ``y`` is where the line goes on ``ax`` (the floor itself, or its log10 on an axis drawn in logs);
    ``value`` is the floor printed in the label, ``y`` if not given.
    """
    value = y if value is None else value
    return ax.axhline(y, color=COLORS["floor"], linestyle=":", linewidth=2, label=f"{label} {value:.3f}")


STYLE = {
    "figure.figsize": (8.0, 4.5),
    "figure.dpi": 100,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "legend.frameon": False,
    "axes.prop_cycle": mpl.cycler(color=SERIES_COLORS) + mpl.cycler(linestyle=LINESTYLES),
}


def use_course_style():
    """Apply the course style to every figure drawn from now on (called once per notebook)."""
    mpl.rcParams.update(STYLE)


@contextmanager
def course_style():
    """Context manager: the course style for the figures made inside the block only."""
    with mpl.rc_context(STYLE):
        yield


def new_figure(nrows=1, ncols=1, figsize=None, layout="constrained", **subplot_kw):
    """A pyplot-free ``Figure`` and its axes in the course style (used by the explorers).

    ``layout=None`` skips the constrained layout, which takes about half the
    drawing time; the caller then sets the margins with ``fig.subplots_adjust``.

    Returns
    -------
    fig : matplotlib.figure.Figure
    axes : Axes or ndarray of Axes, as ``plt.subplots`` returns them
    """
    with course_style():
        fig = Figure(figsize=figsize or STYLE["figure.figsize"], layout=layout)
        axes = fig.subplots(nrows, ncols, subplot_kw=subplot_kw or None)
    return fig, axes


def _white_artists(fig):
    """Yield (artist, setter, old colour) for every piece of text and axis line in ``fig``."""
    for ax in fig.get_axes():
        for spine in ax.spines.values():
            yield spine, spine.set_edgecolor, spine.get_edgecolor()
        for axis in (ax.xaxis, ax.yaxis, getattr(ax, "zaxis", None)):
            if axis is None:
                continue
            yield axis.label, axis.label.set_color, axis.label.get_color()
            for tick in axis.get_ticklabels():
                yield tick, tick.set_color, tick.get_color()
            for line in axis.get_ticklines():
                yield line, line.set_color, line.get_color()
        for text in (ax.title, ax._left_title, ax._right_title):
            yield text, text.set_color, text.get_color()
        legend = ax.get_legend()
        if legend is not None:
            for text in legend.get_texts():
                yield text, text.set_color, text.get_color()
    if fig._suptitle is not None:
        yield fig._suptitle, fig._suptitle.set_color, fig._suptitle.get_color()


def save_figure(fig, path, dpi=100):
    """Export ``fig`` for a dark web page: transparent background, white axes and text.

    The figure itself is restored afterwards, so it still looks right in the
    notebook. The folder of ``path`` is created if needed, and ``.png`` is added
    when ``path`` does not end in a format matplotlib can write.

    When the environment variable ``COURSE_FIGURES_DIR`` names a folder, the
    file goes there instead, under the same name. The test suite sets it, so
    that re-running the notebooks leaves the course's exported figures alone.

    Returns
    -------
    pathlib.Path
        The file written, e.g. ``Path("r18.png")`` for ``save_figure(fig, "r18")``.
    """
    check_type(fig, "fig", Figure, "a matplotlib Figure (from plt.subplots or new_figure)")
    check_type(path, "path", (str, os.PathLike), "a file name such as 'figure.png'")
    path = Path(path)
    if path.suffix[1:].lower() not in fig.canvas.get_supported_filetypes():
        path = path.with_name(path.name + ".png")
    if os.environ.get("COURSE_FIGURES_DIR"):
        path = Path(os.environ["COURSE_FIGURES_DIR"]) / path.name
    path.parent.mkdir(parents=True, exist_ok=True)
    saved = list(_white_artists(fig))
    try:
        for _, setter, _old in saved:
            setter("white")
        fig.savefig(path, transparent=True, dpi=dpi)
    finally:
        for _, setter, old in saved:
            setter(old)
    return path
