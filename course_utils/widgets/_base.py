"""What every explorer shares: controls on top, a PNG figure, a table of numbers and a message.

An explorer draws on a pyplot-free ``Figure`` and shows it as PNG bytes in an
``ipywidgets.Image``. Nothing is printed and no ``plt.show()`` is called, so a
redraw never adds output to the notebook cell. The numbers behind the figure
stay on the explorer as ``state``, for the curious learner and for the tests.
"""

import re
from collections.abc import Iterator
from functools import lru_cache
from html import escape
from io import BytesIO

import ipywidgets as widgets
import numpy as np

from ..data import make_dataset, mean_square_noise
from ..plotting import new_figure

# A slider's label needs room for words like "learning rate".
_STYLE = {"description_width": "initial"}


@lru_cache(maxsize=4)
def course_data(n_samples=10_000, noise_std=1.0, seed=2025):
    """``make_dataset(...)`` computed once per setting; the arrays are read-only so no caller can change them."""
    X, y = make_dataset(n_samples, noise_std, seed)
    X.flags.writeable = False
    y.flags.writeable = False
    return X, y


@lru_cache(maxsize=4)
def course_noise_floor(n_samples=10_000, noise_std=1.0, seed=2025):
    """``noise_floor(...)`` of the cached ``course_data(...)``, computed once per setting."""
    return mean_square_noise(*course_data(n_samples, noise_std, seed))


def slider(description, value, min, max, step, integer=False):
    """A slider that reports its value when released, not on every pixel of a drag."""
    cls = widgets.IntSlider if integer else widgets.FloatSlider
    return cls(value=value, min=min, max=max, step=step, description=description,
               continuous_update=False, style=_STYLE)


def log_slider(description, value, min_exp, max_exp, step=0.25):
    """A slider over ``10**min_exp .. 10**max_exp``, moving by ``step`` in the exponent."""
    return widgets.FloatLogSlider(value=value, base=10, min=min_exp, max=max_exp, step=step,
                                  description=description, continuous_update=False,
                                  readout_format=".2g", style=_STYLE)


def choice(description, options, value):
    """A row of buttons, one per option, exactly one pressed."""
    return widgets.ToggleButtons(options=options, value=value, description=description,
                                 style={**_STYLE, "button_width": "90px"})


def html_table(header, rows):
    """A small HTML table: ``header`` a list of column names, ``rows`` lists of already formatted cells."""
    head = "".join(f"<th style='padding:0 12px'>{escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td style='padding:0 12px;text-align:right'>{escape(str(c))}</td>"
                                    for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def visible(losses, cap=1e12):
    """``losses`` capped at ``cap``, far above any frame drawn here: a log axis overflows near 1e308."""
    return np.minimum(losses, cap)


def frame_loss_axes(ax, curves, floor, epochs):
    """Epochs 0 to ``epochs``; log-scale MSE from below the noise floor to a little above the highest start.

    A diverging curve (values up to 1e308) runs off the top instead of squashing
    every other curve flat. The legend goes outside, to the right of the curves.
    """
    starts = [losses[0] for losses in curves if len(losses)]
    lows = [losses.min() for losses in curves if len(losses)]
    ax.set_ylim(min([floor, *lows]) / 1.5, max(starts, default=10 * floor) * 3)
    ax.set_xlim(0, epochs)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))


def figure_png(fig):
    """The figure as PNG bytes."""
    buffer = BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


class Explorer(widgets.VBox):
    """Controls, a figure that redraws when any of them changes, a line of numbers and a message.

    A subclass gives its controls and says what to do with their values:
    ``compute(**values)`` returns ``(state, message)``, and ``draw(fig, axes, state)``
    draws the figure and returns the HTML table of numbers shown under it.
    A slow ``compute`` may instead be a generator that yields ``(state, message)``
    several times as its training goes on; each one is drawn as it arrives, so the
    learner sees the curves grow instead of waiting for the last epoch.
    ``compute`` is where training happens; a run that goes wrong in an expected
    way (a diverging learning rate, no width picked) is reported through
    ``message``, not raised. Anything unexpected becomes a message too, and ``error``.

    Attributes
    ----------
    controls : dict
        Control name -> ipywidget, in the order they are shown.
    state : dict
        The numbers behind the current figure (arrays, losses, statistics).
    message : str
        What the learner should know about the current settings ("" if all is well).
    image : ipywidgets.Image
        The figure, as PNG bytes in ``image.value``.
    numbers : ipywidgets.HTML
        The figure's key numbers as a small table.
    error : Exception or None
        What went wrong in the last redraw, if anything did.
    """

    figure_kw = {}

    def __init__(self, title, controls):
        self.controls = dict(controls)
        self.state, self.message, self.error = {}, "", None
        self.frames_drawn = 0   # figures drawn so far: a progressive redraw draws several
        self.image = widgets.Image(format="png", layout=widgets.Layout(width="100%", max_width="900px"))
        self.numbers = widgets.HTML()
        self._message_box = widgets.HTML()
        header = widgets.HTML(f"<b>{title}</b>")
        panel = widgets.HBox(list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap"))
        super().__init__([header, panel, self.image, self.numbers, self._message_box])
        # CSS classes name the explorer and each control in the page, for the browser tests.
        self.add_class("cu-explorer")
        self.add_class("cu-" + re.sub(r"(?<!^)(?=[A-Z])", "-", type(self).__name__).lower())
        for name, control in self.controls.items():
            control.add_class(f"cu-control-{name.replace('_', '-')}")
            control.observe(self._on_change, names="value")
        self.refresh()

    def __repr__(self):
        # ipywidgets' own repr lists every child and its current value, which
        # changes with every run; a notebook's stored text output must not.
        return f"{type(self).__name__}()"

    @property
    def values(self):
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def compute(self, **values):
        """Return ``(state, message)`` for these control values."""
        raise NotImplementedError

    def draw(self, fig, axes, state):
        """Draw ``state`` on ``axes`` (from ``new_figure``) and return the table HTML to show below."""
        raise NotImplementedError

    def _on_change(self, change):
        self.refresh()

    def refresh(self):
        """Recompute and redraw from the current control values; never raises."""
        try:
            frames = self.compute(**self.values)
            for self.state, self.message in (frames if isinstance(frames, Iterator) else [frames]):
                fig, axes = new_figure(**self.figure_kw)
                self.numbers.value = self.draw(fig, axes, self.state)
                self.image.value = figure_png(fig)
                self.frames_drawn += 1
            self.error = None
        except Exception as err:   # a learner should see a sentence, not a traceback in the log
            self.error = err
            self.message = f"Could not draw these settings ({type(err).__name__}: {err})."
        self._message_box.value = (f'<div style="color:#c44e52"><b>{escape(self.message)}</b></div>'
                                   if self.message else "")
