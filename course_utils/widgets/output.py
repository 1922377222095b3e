"""Explorer for notebook 02: why a sigmoid output cannot reach targets that run from -7 to 53."""

import numpy as np

from .._checks import check_choice, check_in_range
from ..data import cached_dataset
from ..network import forward, mse
from ..plotting import COLORS, plot_predictions
from ._base import Explorer, choice, html_table, number, slider

BAND = (0.0, 1.0)          # every value a sigmoid output can take
ZOOM = (-0.05, 1.05)       # the right panel's prediction axis: the band and a little room around it
MAX_POINTS_SHOWN = 3_000


def hand_set_params(hidden_weight, output_weight, output_bias, width=2):
    """Parameters with every hidden weight, every output weight and the output bias set by hand.

    Hidden biases stay 0, as in the ones-start; ``(1, 1, 0)`` gives ``init_params(width)``.

    Returns
    -------
    dict
        ``W1`` (2, width), ``b1`` (width,), ``W2`` (width, 1), ``b2`` (1,).
    """
    return {"W1": np.full((2, width), float(hidden_weight)), "b1": np.zeros(width),
            "W2": np.full((width, 1), float(output_weight)), "b2": np.array([float(output_bias)])}


class OutputExplorer(Explorer):
    """Predictions against targets for hand-set weights, with the MSE and the sigmoid's (0, 1) band.

    The left panel shows every target and prediction; on its axis from about -10
    to 50 a sigmoid's predictions are a thin strip, so the right panel zooms into
    the band (0, 1), where each move of a slider shows.

    ``state`` holds ``params``, ``y`` and ``y_hat`` (n, 1), ``mse``, ``output``,
    ``prediction_range`` (min, max of ``y_hat``), ``targets_in_band``
    (the fraction of targets a sigmoid output could reach at all) and
    ``outside_zoom`` (how many predictions lie below and above the zoomed view).
    """

    figure_kw = {"ncols": 2, "figsize": (10.0, 4.6), "layout": None}
    margins = {"left": 0.07, "right": 0.98, "bottom": 0.22, "top": 0.86, "wspace": 0.22}

    def __init__(self, output="sigmoid", hidden_weight=1.0, output_weight=1.0, output_bias=0.0, width=2):
        check_choice(output, "output", ("linear", "sigmoid"))
        check_in_range(hidden_weight, "hidden_weight", -2.0, 2.0)
        check_in_range(output_weight, "output_weight", -10.0, 30.0)
        check_in_range(output_bias, "output_bias", -10.0, 30.0)
        self.width = width
        controls = {
            "output": choice("output", ["linear", "sigmoid"], output),
            "hidden_weight": slider("every hidden weight", hidden_weight, -2.0, 2.0, 0.1),
            "output_weight": slider("every output weight", output_weight, -10.0, 30.0, 0.5),
            "output_bias": slider("output bias", output_bias, -10.0, 30.0, 0.5),
        }
        super().__init__("The output layer: can these weights reach the targets?", controls)

    def compute(self, output, hidden_weight, output_weight, output_bias):
        X, y = cached_dataset()
        params = hand_set_params(hidden_weight, output_weight, output_bias, self.width)
        y_hat = forward(X, params, output)
        state = {"params": params, "y": y, "y_hat": y_hat, "mse": mse(y, y_hat), "output": output,
                 "prediction_range": (float(y_hat.min()), float(y_hat.max())),
                 "targets_in_band": float(np.mean((y > BAND[0]) & (y < BAND[1]))),
                 "outside_zoom": (int(np.sum(y_hat < ZOOM[0])), int(np.sum(y_hat > ZOOM[1])))}
        return state, ""

    def draw(self, fig, axes, state):
        shown = MAX_POINTS_SHOWN
        y, y_hat = state["y"][:shown], state["y_hat"][:shown]
        label = f"{state['output']} output"
        full, zoom = axes
        plot_predictions(full, y, y_hat, band=BAND, label=label)
        full.set_title("every target and prediction")
        plot_predictions(zoom, y, y_hat, s=5, label=label)
        # The band fills this panel: its edges, in the band's colour, are enough.
        for edge in BAND:
            zoom.axhline(edge, color=COLORS["band"], linewidth=1.5)
        zoom.set_ylim(*ZOOM)
        zoom.set_xlim(full.get_xlim())
        zoom.set_title("zoom on the band (0, 1)")
        zoom.set_ylabel("")
        below, above = state["outside_zoom"]
        if below or above:     # predictions the zoom cannot show: say how many, and where they went
            where = [f"{count:,} {side}" for count, side in ((above, "above"), (below, "below")) if count]
            zoom.text(0.98, 0.5, f"{' and '.join(where)} this view\n(of {len(state['y_hat']):,} predictions)",
                      transform=zoom.transAxes, ha="right", va="center", fontsize=10,
                      bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": "0.6", "alpha": 0.9})
        for ax in axes:
            ax.get_legend().remove()
        # One legend for both panels, under them, where no prediction can fall behind it.
        handles, labels = full.get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", ncol=3, markerscale=5, frameon=False)
        fig.suptitle(f"{label}: MSE {number(state['mse'])}", fontweight="bold")
        self.figure_data = {"zoom-ylim": f"{ZOOM[0]:g} {ZOOM[1]:g}",
                            "zoom-axes": " ".join(f"{v:.4f}" for v in zoom.get_position().bounds)}
        low, high = state["prediction_range"]
        return html_table(["output", "MSE", "predictions from", "to", "targets inside (0, 1)"],
                          [[state["output"], number(state["mse"]), number(low, 3), number(high, 3),
                            f"{state['targets_in_band']:.1%}"]])

    def alt_text(self, state):
        low, high = state["prediction_range"]
        y, n = state["y"], len(state["y_hat"])
        below, above = state["outside_zoom"]
        predictions = f"{number(low, 3)} to {number(high, 3)}"
        if 0 <= low and high <= 1:
            left = f"the predictions, from {predictions}, are a thin strip along 0"
            right = f"Right, zoomed on the band (0, 1) a sigmoid can reach: the predictions fill {predictions}"
        else:
            left = f"the predictions run from {predictions}"
            right = (f"Right, zoomed on the band (0, 1): {below + above:,} of {n:,} predictions lie outside this view"
                     if below or above else f"Right, zoomed on the band (0, 1): every prediction is in this view")
        return (f"Predictions against targets with a {state['output']} output. Left, on the full scale: {left}, "
                f"while the targets run from {y.min():.1f} to {y.max():.1f}. {right}. The MSE is "
                f"{number(state['mse'])}.")


def output_explorer(output="sigmoid", hidden_weight=1.0, output_weight=1.0, output_bias=0.0):
    """Buttons for the output activation and sliders for the weights; predictions against targets (notebook 02).

    The network has 2 hidden units. Every hidden weight takes one slider's
    value and every output weight another's, so the defaults are the
    ones-start: MSE 203.1757 with a sigmoid output, 198.6584 with a linear one.

    Returns
    -------
    OutputExplorer
        An ``ipywidgets.VBox``; ``.controls`` maps ``"output"``, ``"hidden_weight"``,
        ``"output_weight"`` and ``"output_bias"`` to their widgets.
    """
    return OutputExplorer(output, hidden_weight, output_weight, output_bias)
