"""The explorers' controls: sliders a hand and a keyboard can use, buttons, and a row of width checkboxes.

Every slider is at least 350 px of track, reports its value when released
(not on every pixel of a drag) and moves by one ``step`` per arrow key. A
float slider refuses NaN (the value stays where it was), so no figure ever
reads "MSE nan"; infinities are clamped to the ends, as any out-of-range value is.
A log slider's arrow keys are reversible: right then left gives back the very
same value, so the explorer shows the very same run again.
"""

import math

import ipywidgets as widgets
import traitlets

# Every control's label takes the same room, so the slider tracks line up one under another.
LABEL_WIDTH = "150px"
CONTROL_WIDTH = "620px"     # label 150, readout and margins about 100, a track of at least 350
_STYLE = {"description_width": LABEL_WIDTH}


def _refuse_nan(widget, proposal):
    value = proposal["value"]
    if isinstance(value, float) and math.isnan(value):
        raise traitlets.TraitError(f"{widget.description} must be a number from {widget.min:g} to "
                                   f"{widget.max:g}, got nan")


class FloatSlider(widgets.FloatSlider):
    """``ipywidgets.FloatSlider`` that refuses NaN."""

    @traitlets.validate("value")
    def _validate_value(self, proposal):
        _refuse_nan(self, proposal)
        return super()._validate_value(proposal)


class FloatLogSlider(widgets.FloatLogSlider):
    """``ipywidgets.FloatLogSlider`` that refuses NaN and keeps its arrow keys reversible.

    Its ``min`` and ``max`` are exponents, and its handle moves on the grid of exponents
    ``min + k * step``. The browser computes each grid value as ``base ** exponent`` in its
    own floating point, so a value that comes back from a grid point may differ from the
    one that went there in the last bit, enough to train a different run. A value within
    rounding of a grid point is therefore stored as that grid point, computed one way,
    here; any other value (one typed into the readout) is kept as it is.
    """

    @traitlets.validate("value")
    def _validate_value(self, proposal):
        value = proposal["value"]
        if isinstance(value, float) and math.isnan(value):
            raise traitlets.TraitError(f"{self.description} must be a number from {self.base ** self.min:g} to "
                                       f"{self.base ** self.max:g}, got nan")
        return self.on_grid(super()._validate_value(proposal))

    def grid_value(self, k):
        """The ``k``-th value of the slider's grid, ``base ** (min + k * step)``, always computed the same way."""
        return float(self.base ** round(self.min + k * self.step, 12))

    def on_grid(self, value):
        """``value`` as the grid value it is within rounding of (its exponent within 1e-9), else unchanged."""
        if not (value > 0 and self.step):
            return value
        k = (math.log(value, self.base) - self.min) / self.step
        return self.grid_value(round(k)) if abs(k - round(k)) < 1e-9 / self.step else value


def _layout():
    return widgets.Layout(width=CONTROL_WIDTH, max_width="100%")


def slider(description, value, min, max, step, integer=False):
    """A slider of ``min .. max`` moving by ``step`` (one arrow key press), acting when released."""
    cls = widgets.IntSlider if integer else FloatSlider
    return cls(value=value, min=min, max=max, step=step, description=description,
               continuous_update=False, style=_STYLE, layout=_layout())


def log_slider(description, value, min_exp, max_exp, step=0.1):
    """A slider over ``10**min_exp .. 10**max_exp``; one arrow key multiplies the value by ``10**step``.

    Start it on a grid point, ``10 ** (min_exp + k * step)`` (0.01 or ``10 ** -1.5``, not 0.05):
    the first arrow key moves an off-grid value to a grid point, so left would not undo right.
    """
    return FloatLogSlider(value=value, base=10, min=min_exp, max=max_exp, step=step,
                          description=description, continuous_update=False,
                          readout_format=".3g", style=_STYLE, layout=_layout())


def steps(description, options, value):
    """A slider over a few fixed ``options`` (such as sample sizes): one arrow key moves to the next option."""
    return widgets.SelectionSlider(options=options, value=value, description=description, continuous_update=False,
                                   style=_STYLE, layout=_layout())


def choice(description, options, value):
    """A row of buttons, one per option, exactly one pressed."""
    return widgets.ToggleButtons(options=options, value=value, description=description,
                                 style={**_STYLE, "button_width": "110px"}, layout=_layout())


def switch(label, value):
    """A checkbox whose ``label`` says what ticking it does."""
    box = widgets.Checkbox(value=bool(value), description=label, indent=False, layout=widgets.Layout(width="auto"))
    box.add_class("cu-switch")
    return box


class CheckboxRow(widgets.HBox):
    """A labelled row of checkboxes, one per option; ``value`` is the tuple of options ticked, in order.

    Used for picking several widths at once: each box says plainly whether it
    is ticked, in the light and the dark theme, with no hidden Ctrl/Shift-click.
    """

    value = traitlets.Tuple()

    def __init__(self, description, options, value, **kwargs):
        self.description = description
        self.options = tuple(options)
        unknown = [v for v in value if v not in self.options]
        if unknown:
            raise ValueError(f"{description} must be chosen from {self.options}, got {tuple(value)}")
        self.boxes = [widgets.Checkbox(value=o in value, description=str(o), indent=False,
                                       layout=widgets.Layout(width="62px")) for o in self.options]
        label = widgets.Label(description, layout=widgets.Layout(width=LABEL_WIDTH))
        label.add_class("cu-row-label")
        super().__init__([label, *self.boxes], layout=widgets.Layout(width=CONTROL_WIDTH, max_width="100%"),
                         **kwargs)
        self._syncing = False
        self.value = tuple(o for o in self.options if o in value)
        for box in self.boxes:
            box.observe(self._box_changed, names="value")
        self.observe(self._sync_boxes, names="value")

    @traitlets.validate("value")
    def _validate_value(self, proposal):
        value = tuple(proposal["value"])
        if len(set(value)) != len(value):
            raise traitlets.TraitError(f"{self.description} must not repeat an option, got {value}")
        unknown = [v for v in value if v not in self.options]
        if unknown:
            raise traitlets.TraitError(f"{self.description} must be chosen from {self.options}, got {value}")
        return tuple(o for o in self.options if o in value)

    def _box_changed(self, change):
        if not self._syncing:
            self.value = tuple(o for o, box in zip(self.options, self.boxes) if box.value)

    def _sync_boxes(self, change):
        self._syncing = True
        try:
            for o, box in zip(self.options, self.boxes):
                box.value = o in change["new"]
        finally:
            self._syncing = False
