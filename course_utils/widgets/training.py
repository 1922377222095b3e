"""Explorer for notebook 03: what the learning rate, epochs, width, start and output do to training."""

from functools import lru_cache

from ..plotting import COLORS, plot_loss_curves
from ._base import Explorer, course_noise_floor, choice, frame_loss_axes, html_table, log_slider, slider, visible
from ._runs import RunCache

# The original notebook's run, drawn faintly behind every other.
REFERENCE = {"width": 2, "init": "ones", "output": "linear", "lr": 0.01, "epochs": 1000}


@lru_cache(maxsize=1)
def reference_losses():
    """The loss curve of the original run (ones-start, width 2, lr 0.01, 1000 epochs, linear output)."""
    return RunCache().losses(**REFERENCE)[0]


def divergence_message(losses, diverged, lr):
    """A sentence for the learner if this run blew up or ended above where it started, else ""."""
    if diverged:
        return (f"Training diverged: after {len(losses)} epochs the loss overflowed to infinity. "
                f"A learning rate of {lr:.3g} overshoots; the curve stops there. Try a smaller one.")
    if len(losses) > 1 and losses[-1] > losses[0]:
        return (f"The loss grew from {losses[0]:.4g} to {losses[-1]:.4g}: a learning rate of {lr:.3g} "
                "makes every step overshoot. Try a smaller one.")
    return ""


class TrainingExplorer(Explorer):
    """The loss curve of one training run, over the original run's curve drawn faintly.

    ``state`` holds ``losses`` (n_epochs_run,), ``reference`` (1000,),
    ``diverged``, ``final_loss``, ``noise_floor`` and the settings used.
    """

    figure_kw = {"figsize": (9.0, 4.5)}

    def __init__(self, lr=0.01, epochs=1000, width=2, init="ones", output="linear", seed=0):
        self.seed, self.runs = seed, RunCache()
        controls = {
            "lr": log_slider("learning rate", lr, -4, 1),
            "epochs": slider("epochs", epochs, 10, 3_000, 10, integer=True),
            "width": slider("hidden units", width, 1, 16, 1, integer=True),
            "init": choice("start", ["ones", "random"], init),
            "output": choice("output", ["linear", "sigmoid"], output),
        }
        super().__init__("Training: move a control and let go to retrain", controls)

    def compute(self, lr, epochs, width, init, output):
        losses, diverged = self.runs.losses(epochs, width, init, output, lr, self.seed)
        state = {"lr": lr, "epochs": epochs, "width": width, "init": init, "output": output,
                 "losses": losses, "diverged": diverged, "reference": reference_losses(),
                 "final_loss": float(losses[-1]), "noise_floor": course_noise_floor()}
        return state, divergence_message(losses, diverged, lr)

    def draw(self, fig, axes, state):
        ref = state["reference"]
        axes.plot(range(len(ref)), ref, color=COLORS["reference"], alpha=0.35, linewidth=4,
                  label="original run (width 2, ones, lr 0.01)")
        label = f"this run (width {state['width']}, {state['init']}, lr {state['lr']:.3g})"
        plot_loss_curves(axes, {label: visible(state["losses"])}, noise_floor=state["noise_floor"], log=True)
        frame_loss_axes(axes, [ref, state["losses"]], state["noise_floor"], state["epochs"])
        axes.set_title("MSE before each update (log scale)")
        status = f"diverged after {len(state['losses'])}" if state["diverged"] else f"{len(state['losses'])}"
        return html_table(["", "final MSE", "epochs"],
                          [["this run", f"{state['final_loss']:.4f}", status],
                           ["original run", f"{ref[-1]:.4f}", f"{len(ref)}"],
                           ["noise floor", f"{state['noise_floor']:.4f}", ""]])


def training_explorer(lr=0.01, epochs=1000, width=2, init="ones", output="linear", seed=0):
    """Retrain the network from the controls and draw its loss curve (notebook 03).

    The learning rate moves on a log scale from 1e-4 to 10; anything from
    about 3 upwards diverges, and the explorer says so instead of failing.
    ``seed`` fixes the random start (``init="random"``). The defaults are the
    original run, whose final MSE is 81.6337.

    Returns
    -------
    TrainingExplorer
        An ``ipywidgets.VBox``; ``.controls`` maps ``"lr"``, ``"epochs"``,
        ``"width"``, ``"init"`` and ``"output"`` to their widgets.
    """
    return TrainingExplorer(lr, epochs, width, init, output, seed)
