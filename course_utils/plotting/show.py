"""Show a figure in a notebook with a text description a screen reader can read (every notebook).

``show_figure(fig, alt)`` displays ``fig`` as a PNG inside an ``<img>`` whose
``alt`` attribute is ``alt``, and gives the same sentence as the output's plain
text, so the description travels with the notebook: JupyterLab, nbviewer and the
static site all read it. The figure is closed afterwards, so it is not drawn twice.
"""

import base64
import html
import io

from matplotlib.figure import Figure

from .._checks import check_type


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

    tag = img_tag(figure_png(fig), alt.strip())
    display({"text/html": tag, "text/plain": f"[Figure: {alt.strip()}]"}, raw=True)
    try:
        import matplotlib.pyplot as plt
        plt.close(fig)
    except Exception:  # a figure made without pyplot has nothing to close
        pass
