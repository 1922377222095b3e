"""Explorer for notebook 02: why a sigmoid output cannot reach targets that run from -7 to 53."""

import numpy as np

from .._checks import check_choice, check_in_range
from ..data import cached_dataset
from ..network import forward, mse
from ..plotting import plot_predictions
from ._base import Explorer, choice, html_table, number, slider

BAND = (0.0, 1.0)          # every value a sigmoid output can take
MAX_POINTS_SHOWN = 3_000


def hand_set_params(hidden_weight, output_weight, output_bias, n_hidden=2):
    """Parameters with every hidden weight, every output weight and the output bias set by hand.

    Hidden biases stay 0, as in the ones-start; ``(1, 1, 0)`` gives ``init_params(n_hidden)``.

    Returns
    -------
    dict
        ``W1`` (2, n_hidden), ``b1`` (n_hidden,), ``W2`` (n_hidden, 1), ``b2`` (1,).
    """
    return {"W1": np.full((2, n_hidden), float(hidden_weight)), "b1": np.zeros(n_hidden),
            "W2": np.full((n_hidden, 1), float(output_weight)), "b2": np.array([float(output_bias)])}


class OutputExplorer(Explorer):
    """Predictions against targets for hand-set weights, with the MSE and the sigmoid's (0, 1) band.

    ``state`` holds ``params``, ``y`` and ``y_hat`` (n, 1), ``mse``, ``output``,
    ``prediction_range`` (min, max of ``y_hat``) and ``targets_in_band``
    (the fraction of targets a sigmoid output could reach at all).
    """

    figure_kw = {"figsize": (9.0, 4.5), "layout": None}
    margins = {"left": 0.08, "right": 0.77, "bottom": 0.12, "top": 0.92}

    def __init__(self, output="sigmoid", hidden_weight=1.0, output_weight=1.0, output_bias=0.0, n_hidden=2):
        check_choice(output, "output", ("linear", "sigmoid"))
        check_in_range(hidden_weight, "hidden_weight", -2.0, 2.0)
        check_in_range(output_weight, "output_weight", -10.0, 30.0)
        check_in_range(output_bias, "output_bias", -10.0, 30.0)
        self.n_hidden = n_hidden
        controls = {
            "output": choice("output", ["linear", "sigmoid"], output),
            "hidden_weight": slider("every hidden weight", hidden_weight, -2.0, 2.0, 0.1),
            "output_weight": slider("every output weight", output_weight, -10.0, 30.0, 0.5),
            "output_bias": slider("output bias", output_bias, -10.0, 30.0, 0.5),
        }
        super().__init__("The output layer: can these weights reach the targets?", controls)

    def compute(self, output, hidden_weight, output_weight, output_bias):
        X, y = cached_dataset()
        params = hand_set_params(hidden_weight, output_weight, output_bias, self.n_hidden)
        y_hat = forward(X, params, output)
        state = {"params": params, "y": y, "y_hat": y_hat, "mse": mse(y, y_hat), "output": output,
                 "prediction_range": (float(y_hat.min()), float(y_hat.max())),
                 "targets_in_band": float(np.mean((y > BAND[0]) & (y < BAND[1])))}
        return state, ""

    def draw(self, fig, axes, state):
        shown = MAX_POINTS_SHOWN
        plot_predictions(axes, state["y"][:shown], state["y_hat"][:shown], band=BAND,
                         label=f"{state['output']} output")
        axes.set_title(f"MSE {number(state['mse'])}")
        # The legend sits beside the plot, where no prediction can fall behind it.
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), markerscale=5)
        low, high = state["prediction_range"]
        return html_table(["output", "MSE", "predictions from", "to", "targets inside (0, 1)"],
                          [[state["output"], number(state["mse"]), number(low, 3), number(high, 3),
                            f"{state['targets_in_band']:.1%}"]])

    def describe(self, state):
        low, high = state["prediction_range"]
        y = state["y"]
        inside = "all inside the band (0, 1) a sigmoid can reach" if 0 <= low and high <= 1 else "reaching outside (0, 1)"
        return (f"Predictions against targets with a {state['output']} output: the predictions run from "
                f"{number(low, 3)} to {number(high, 3)}, {inside}, while the targets run from "
                f"{y.min():.1f} to {y.max():.1f}; the MSE is {number(state['mse'])}.")


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
