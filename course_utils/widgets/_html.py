"""The HTML around an explorer's figure: its table of numbers, its <img>'s attributes, and a little CSS."""

from html import escape

from ..plotting.show import DARK_FIGURE_CSS, FIGURE_CLASS


def html_table(header, rows):
    """A small HTML table: ``header`` a list of column names, ``rows`` lists of already formatted cells.

    Every column needs a name: a screen reader reads it before each cell, and an empty one reads as nothing.
    """
    empty = [i for i, h in enumerate(header) if not str(h).strip()]
    if empty:
        raise ValueError(f"every table column needs a name, got an empty one at position {empty[0]} of {list(header)}")
    head = "".join(f"<th scope='col' style='padding:0 12px'>{escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td style='padding:0 12px;text-align:right'>{escape(str(c))}</td>"
                                    for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


# ipywidgets draws a slider's handle (role="slider") without an accessible name: its visible label is a
# separate element that nothing points to. Once the figure has loaded, the explorer names each handle
# after its label, so a screen reader says "learning rate, slider" rather than just "slider".
_NAME_SLIDERS = ("var e=this.closest('.cu-explorer');if(e)e.querySelectorAll('.widget-slider').forEach("
                 "function(s){var h=s.querySelector('[role=slider]'),l=s.querySelector('.widget-label');"
                 "if(h&&l)h.setAttribute('aria-label',l.textContent)})")


def image_attributes(data=None):
    """The attributes of an explorer's ``<img>`` after its ``alt``: ``data-*`` facts, the figure class, a style and
    ``_NAME_SLIDERS``."""
    return {**{f"data-{k}": v for k, v in (data or {}).items()}, "class": FIGURE_CLASS,
            "style": "max-width:100%;height:auto", "onload": _NAME_SLIDERS}


# Every control's label in one right-aligned column, as ipywidgets already does for sliders; a switch
# lines up under the controls. (ipywidgets lays the buttons' label out as a block above the buttons.)
_CSS = ("<style>.cu-explorer .widget-toggle-buttons{display:flex;align-items:center}"
        ".cu-explorer .widget-toggle-buttons>.widget-label,.cu-explorer .cu-row-label{text-align:right !important;"
        "flex-shrink:0;margin-right:var(--jp-widgets-inline-margin,4px);padding-right:4px}"
        ".cu-explorer .cu-switch{margin-left:158px}"
        # The pressed button shows by more than a shade of grey, which nearly vanishes in the dark theme.
        ".cu-explorer .widget-toggle-button.mod-active{font-weight:bold;"
        "box-shadow:inset 0 -3px 0 var(--jp-brand-color1,#1976d2)}"
        # The figure in JupyterLab's dark theme: dark, as every course figure is there (plotting/show.py).
        f"{DARK_FIGURE_CSS}</style>")
