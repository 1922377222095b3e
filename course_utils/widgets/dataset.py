"""Explorer for notebook 01: how sample size, noise and seed change the data set."""

import ipywidgets as widgets

from .._checks import check_in_range
from ..data import cached_dataset, cached_noise_floor, describe
from ..plotting import plot_data_scatter, plot_target_histogram
from ._controls import LABEL_WIDTH
from ._base import Explorer, html_table, slider

MAX_POINTS_SHOWN = 3_000   # enough to see the surface; every sample still counts in the numbers


class DatasetExplorer(Explorer):
    """The inputs coloured by target, the histogram of the targets, and their mean, min and max.

    ``state`` holds ``X`` (n, 2) and ``y`` (n, 1), ``stats`` (``describe(y)``),
    ``noise_floor`` (the mean square of this draw's noise) and ``shown``
    (how many points the scatter draws).
    """

    figure_kw = {"ncols": 2, "figsize": (10.0, 4.2), "layout": None}
    margins = {"left": 0.07, "right": 0.97, "bottom": 0.13, "top": 0.92, "wspace": 0.35}

    def __init__(self, n_samples=10_000, noise_std=1.0, seed=2025):
        check_in_range(n_samples, "n_samples", 100, 10_000, integer=True)
        check_in_range(noise_std, "noise_std", 0.0, 3.0)
        check_in_range(seed, "seed", 0, 9_999, integer=True)
        controls = {
            "n_samples": slider("sample size", n_samples, 100, 10_000, 100, integer=True),
            "noise_std": slider("noise level (std σε)", noise_std, 0.0, 3.0, 0.1),
            "seed": widgets.BoundedIntText(value=seed, min=0, max=9_999, description="seed (type a number)",
                                           style={"description_width": LABEL_WIDTH},
                                           layout=widgets.Layout(width="300px")),
        }
        super().__init__("The data set: change the sample, watch the surface and the numbers", controls)

    def compute(self, n_samples, noise_std, seed):
        X, y = cached_dataset(n_samples, noise_std, seed)
        state = {"X": X, "y": y, "stats": describe(y), "noise_floor": cached_noise_floor(n_samples, noise_std, seed),
                 "shown": min(n_samples, MAX_POINTS_SHOWN)}
        return state, ""

    def draw(self, fig, axes, state):
        X, y, shown = state["X"], state["y"], state["shown"]
        points = plot_data_scatter(axes[0], X[:shown], y[:shown])
        fig.colorbar(points, ax=axes[0], label="target $y$")
        axes[0].set_title(f"{shown:,} of {len(y):,} samples")
        plot_target_histogram(axes[1], y)
        axes[1].set_title("targets")
        stats = state["stats"]
        return html_table(["samples", "mean", "min", "max", "mean square of the noise"],
                          [[f"{len(y):,}", f"{stats['mean']:.3f}", f"{stats['min']:.3f}",
                            f"{stats['max']:.3f}", f"{state['noise_floor']:.4f}"]])

    def alt_text(self, state):
        stats, y = state["stats"], state["y"]
        return (f"Left: {state['shown']:,} of {len(y):,} inputs on the (x1, x2) square, coloured by target from "
                f"dark (low) to yellow (high). Right: histogram of the targets, mean {stats['mean']:.3f}, "
                f"from {stats['min']:.3f} to {stats['max']:.3f}; the noise's mean square is "
                f"{state['noise_floor']:.4f}.")


def dataset_explorer(n_samples=10_000, noise_std=1.0, seed=2025):
    """Sliders for sample size and noise, a box for the seed, and the data they give (notebook 01).

    The defaults reproduce the course's data: mean 9.532, min -7.282, max 53.252.

    Returns
    -------
    DatasetExplorer
        An ``ipywidgets.VBox``; ``.controls`` maps ``"n_samples"``,
        ``"noise_std"`` and ``"seed"`` to their widgets and ``.state`` holds the data drawn.
    """
    return DatasetExplorer(n_samples, noise_std, seed)

