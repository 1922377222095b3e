"""Show a figure in a notebook with a text description a screen reader can read (every notebook).

``show_figure(fig, alt)`` displays ``fig`` as a PNG inside an ``<img>`` whose
``alt`` attribute is ``alt``, and gives the same sentence as the output's plain
text, so the description travels with the notebook: JupyterLab, nbviewer and the
static site all read it. The figure is closed afterwards, so it is not drawn twice.

The ``<img>`` carries the class ``cu-figure``. In a dark theme the course's CSS
(``DARK_FIGURE_CSS``) turns such an image dark with a CSS filter: the white
page becomes dark grey, black ink light grey, and each colour keeps its hue
(``tests/test_dark_figures.py`` checks what it does to the palette). One PNG
serves both themes; where no course CSS reaches (GitHub's viewer, Colab,
classic Notebook) the figure shows as it always did, on white.
"""

import base64
import html
import io

from matplotlib.figure import Figure

from .._checks import check_type

# The class of every course figure's <img>, and what a dark theme does to it: invert(0.9) maps white to a dark
# grey (10 %) and black to a light grey (90 %); hue-rotate(180deg) then turns each hue back to where it was.
FIGURE_CLASS = "cu-figure"
DARK_FILTER = "invert(0.9) hue-rotate(180deg)"
# JupyterLab marks a dark theme on <body>; the website's dark mode (docs/_static/course.css) is styled there.
DARK_FIGURE_CSS = f'body[data-jp-theme-light="false"] img.{FIGURE_CLASS}{{filter:{DARK_FILTER}}}'


def figure_png(fig, dpi=None, crop=True, quick=False):
    """The PNG bytes of ``fig``, for ``show_figure`` and the explorers.

    ``crop=True`` crops it to its contents, as the inline backend does; an explorer, which sets its
    own margins, passes False. ``quick=True`` compresses lightly (level 1): quicker to write than the
    default, for a slightly larger file (``benchmarks/README.md``).
    """
    buffer = io.BytesIO()
    options = {"bbox_inches": "tight"} if crop else {}
    if quick:
        options["pil_kwargs"] = {"compress_level": 1}
    fig.savefig(buffer, format="png", dpi=dpi, **options)
    return buffer.getvalue()


def img_tag(png, alt, attributes=None):
    """An ``<img>`` of the PNG bytes ``png``, described by ``alt``; ``attributes`` (name -> value) follow, in order."""
    extra = "".join(f' {html.escape(k)}="{html.escape(str(v), quote=True)}"' for k, v in (attributes or {}).items())
    encoded = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(alt, quote=True)}"{extra}/>'


def show_figure(fig, alt):
    """Display ``fig`` with the description ``alt`` (one or two sentences: what it shows, what to notice).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    alt : str
        Read by screen readers in place of the image; also the output's plain text.
    """
    check_type(fig, "fig", Figure, "a matplotlib Figure (from plt.subplots or new_figure)")
    if not check_type(alt, "alt", str, "a sentence describing the figure").strip():
        raise ValueError("alt must be a sentence describing the figure, got an empty one")
    from IPython.display import display

    # The <style> travels with the output: JupyterLab applies it to outputs made in this session and strips it
    # from the stored outputs of a notebook it does not trust, where lab-settings/custom.css does the same.
    tag = f"<style>{DARK_FIGURE_CSS}</style>" + img_tag(figure_png(fig), alt.strip(), {"class": FIGURE_CLASS})
    display({"text/html": tag, "text/plain": f"[Figure: {alt.strip()}]"}, raw=True)
    try:
        import matplotlib.pyplot as plt
        plt.close(fig)
    except Exception:  # a figure made without pyplot has nothing to close
        pass
