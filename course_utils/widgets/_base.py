"""What every explorer shares: controls on top, a described figure, a table of numbers and a message.

An explorer draws on a pyplot-free ``Figure`` and shows it as a PNG inside an
``<img>`` whose ``alt`` attribute describes the current state in a sentence,
so a screen reader reads what a sighted learner sees. Nothing is printed and
no ``plt.show()`` is called, so a redraw never adds output to the notebook
cell. The numbers behind the figure stay on the explorer as ``state``.
"""

import re
from collections.abc import Iterator
from html import escape

import ipywidgets as widgets

from ..plotting import course_style, figure_png, img_tag, new_figure
from ..text import error_text, number   # noqa: F401  (number: for the explorers' tables)
from ._controls import CheckboxRow, choice, log_slider, slider, steps, switch  # noqa: F401  (the explorers' toolkit)
from ._html import _CSS, html_table, image_attributes   # noqa: F401  (html_table: for the explorers)


# The explorer each notebook cell built last: re-running the cell closes the previous one's widgets.
_BUILT_BY_CELL = {}


def _cell_id():
    """The id JupyterLab gives the cell being run (``metadata.cellId`` of the request), or None elsewhere."""
    try:
        from IPython import get_ipython
        kernel = getattr(get_ipython(), "kernel", None)
        return kernel.get_parent()["metadata"].get("cellId") if kernel is not None else None
    except Exception:   # no kernel, an older kernel or a request without metadata: nothing to replace
        return None


def _last(iterator):
    """The last item an iterator yields."""
    item = None
    for item in iterator:
        pass
    return item


def close_all(widget):
    """Close ``widget``, everything inside it, and their layout and style widgets."""
    for child in getattr(widget, "children", ()):
        close_all(child)
    for part in ("layout", "style"):
        sub = getattr(widget, part, None)
        if isinstance(sub, widgets.Widget):
            sub.close()
    widget.close()


class Explorer(widgets.VBox):
    """Controls, a figure that redraws when any of them changes, a table of numbers and a message.

    A subclass gives its controls and says what to do with their values:
    ``compute(**values)`` returns ``(state, message)``, ``draw(fig, axes, state)``
    draws the figure and returns the HTML table of numbers shown under it, and
    ``alt_text(state)`` returns the sentence a screen reader reads for the figure.
    A slow ``compute`` may instead be a generator that yields ``(state, message)``
    several times as its training goes on; each one is drawn as it arrives, so the
    learner sees the curves grow instead of waiting for the last epoch.
    A run that goes wrong in an expected way (a diverging learning rate, no width
    picked) is reported through ``message``, not raised. Anything unexpected
    becomes a message too, and ``error``.

    Attributes
    ----------
    controls : dict
        Control name -> ipywidget, in the order they are shown.
    state : dict
        The numbers behind the current figure (arrays, losses, statistics).
    message : str
        What the learner should know about the current settings ("" if all is well).
    png : bytes
        The current figure as PNG.
    alt : str
        The figure's description, the ``alt`` text of its image.
    figure_data : dict
        Facts about the drawn axes (such as their limits), also on the image as ``data-*`` attributes.
    image : ipywidgets.HTML
        The figure: an ``<img>`` with ``alt`` text.
    numbers : ipywidgets.HTML
        The figure's key numbers as a small table.
    error : Exception or None
        What went wrong in the last redraw, if anything did.
    """

    # Fixed margins instead of matplotlib's constrained layout, which would double the drawing time.
    figure_kw = {"layout": None}
    margins = {"left": 0.08, "right": 0.95, "bottom": 0.12, "top": 0.92}

    def __init__(self, title, controls):
        self.controls = dict(controls)
        self.state, self.message, self.error = {}, "", None
        self.png, self.alt, self.figure_data = b"", "", {}
        self.frames_drawn = 0   # figures drawn so far: a progressive redraw draws several
        self.image = widgets.HTML(layout=widgets.Layout(width="100%", max_width="900px"))
        self.numbers = widgets.HTML()
        self._message_box = widgets.HTML()
        header = widgets.HTML(f"{_CSS}<b>{escape(title)}</b>")
        # One column of controls on a narrow page, two side by side where they fit without squeezing a slider.
        panel = widgets.GridBox(self.panel_items(), layout=widgets.Layout(
            grid_template_columns="repeat(auto-fill, minmax(620px, 1fr))", grid_gap="2px 16px", width="100%"))
        super().__init__([header, panel, self.image, self.numbers, self._message_box])
        # CSS classes name the explorer and each control in the page, for the browser tests.
        self.add_class("cu-explorer")
        self.add_class("cu-" + re.sub(r"(?<!^)(?=[A-Z])", "-", type(self).__name__).lower())
        for name, control in self.controls.items():
            control.add_class(f"cu-control-{name.replace('_', '-')}")
            control.observe(self._on_change, names="value")
        self._closed = False
        self.refresh(final_only=True)
        self._replace_previous()

    def __repr__(self):
        # ipywidgets' own repr lists every child and its current value, which
        # changes with every run; a notebook's stored text output must not.
        return f"{type(self).__name__}()"

    def _replace_previous(self):
        """Close the explorer this notebook cell built before, so re-running a cell leaks nothing."""
        cell = _cell_id()
        if cell is None:
            return
        previous = _BUILT_BY_CELL.get(cell)
        if previous is not None and previous is not self:
            previous.close()
        _BUILT_BY_CELL[cell] = self

    def close(self):
        """Close every widget of this explorer and let go of its state and figure."""
        if getattr(self, "_closed", True):     # closed already, or never finished building
            return
        self._closed = True
        for control in self.controls.values():
            control.unobserve(self._on_change, names="value")
        for child in self.children:
            close_all(child)
        for part in (self.layout, self.style) if hasattr(self, "style") else (self.layout,):
            part.close()
        super().close()
        # An Out[] entry may keep this object; let it keep nothing heavy.
        self.children, self.controls, self.image, self.numbers = (), {}, None, None
        self.state, self.png, self.alt = {}, b"", ""
        for cell, explorer in list(_BUILT_BY_CELL.items()):
            if explorer is self:
                del _BUILT_BY_CELL[cell]

    def panel_items(self):
        """The widgets of the control panel, in order: the controls (a subclass may put a note beside one)."""
        return list(self.controls.values())

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

    def alt_text(self, state):
        """One or two sentences on what the figure shows and what to notice (the image's alt text)."""
        raise NotImplementedError

    def _on_change(self, change):
        self.refresh()

    def refresh(self, final_only=False):
        """Recompute and redraw from the current control values; never raises.

        ``final_only=True`` draws only the finished figure of a run that trains in
        stages (used when the explorer is built: nobody is watching it grow yet).
        """
        try:
            frames = self.compute(**self.values)
            frames = frames if isinstance(frames, Iterator) else iter([frames])
            if final_only:
                frames = iter([_last(frames)])
            for self.state, self.message in frames:
                fig, axes = new_figure(**self.figure_kw)
                fig.subplots_adjust(**self.margins)
                self.figure_data = {}
                with course_style():
                    self.numbers.value = self.draw(fig, axes, self.state)
                self.png, self.alt = figure_png(fig, crop=False, quick=True), self.alt_text(self.state)
                self.image.value = img_tag(self.png, self.alt, image_attributes(self.figure_data))
                self._show_message()     # with every frame, so the words never lag the figure
                self.frames_drawn += 1
            self.error = None
        except Exception as err:   # a learner should see a sentence, not a traceback in the log
            self.error = err
            self.message = f"Could not draw these settings ({error_text(err)})."
        self._show_message()

    def _show_message(self):
        """Put ``message`` under the figure, unless it is there already (a screen reader would repeat it)."""
        # role=status: a screen reader announces a new message without the learner moving to it.
        # The text keeps the theme's own colour (full contrast in light and dark); a bar in the margin marks it.
        style = "border-left:4px solid var(--jp-warn-color1, #E69F00);padding-left:8px" if self.message else ""
        html = f'<div role="status" style="{style}"><b>{escape(self.message)}</b></div>'
        if self._message_box.value != html:
            self._message_box.value = html
