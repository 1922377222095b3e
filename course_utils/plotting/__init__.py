"""The course's one figure style and the drawing helpers every notebook and explorer shares.

``style`` holds the colours, the rcParams, ``new_figure`` (pyplot-free, for the
explorers) and ``save_figure`` (the export for a dark web page);
``charts`` holds the ``plot_*`` helpers, which draw the arrays they are given, and
``curves`` the one loss-curve plotter, ``plot_loss_curves``, that the notebooks and the explorers share.
"""

from .charts import plot_data_scatter, plot_graph, plot_predictions, plot_surface, plot_target_histogram
from .curves import plot_loss_curves
from .show import figure_png, img_tag, show_figure
from .style import (COLORS, LINESTYLES, MARKERS, OKABE_ITO, SERIES_COLORS, STYLE, course_style, draw_noise_floor,
                    line_cue, new_figure, save_figure, use_course_style)

__all__ = ["COLORS", "LINESTYLES", "MARKERS", "OKABE_ITO", "SERIES_COLORS", "STYLE", "draw_noise_floor", "line_cue",
           "course_style", "new_figure", "save_figure", "use_course_style",
           "plot_data_scatter", "plot_graph", "plot_loss_curves", "plot_predictions", "plot_surface",
           "plot_target_histogram", "figure_png", "img_tag", "show_figure"]
