"""Explorer for notebook 03: what the learning rate, epochs, width, start, output and scaling do to training."""

import math
from functools import lru_cache

from .._checks import check_choice, check_flag, check_in_range, check_seed
from ..data import cached_noise_floor
from ..network import init_params
from ..plotting import plot_loss_curves
from ._base import Explorer, choice, html_table, log_slider, number, slider, switch
from ._runs import Remembered, RunCache, stable_limit

# The reference run (notebook 03 section 5: ones-start, width 2, lr 0.01), drawn faintly behind every other.
REFERENCE = {"width": 2, "init": "ones", "output": "linear", "lr": 0.01, "epochs": 1000}


@lru_cache(maxsize=1)
def reference_losses():
    """The loss curve of the reference run of notebook 03 (ones-start, width 2, lr 0.01, 1000 epochs, linear output)."""
    return RunCache().losses(**REFERENCE)[0]


def divergence_message(losses, diverged, lr):
    """A sentence for the learner if this run blew up or ended above where it started, else ""."""
    if diverged:
        return (f"Diverged at epoch {len(losses)}: the loss overflowed, so the curve ends at the cross. "
                f"A learning rate of {lr:.3g} overshoots; try a smaller one.")
    if len(losses) > 1 and losses[-1] > losses[0]:
        return (f"The loss grew from {number(losses[0])} to {number(losses[-1])}: a learning rate of {lr:.3g} "
                "makes the steps overshoot. Try a smaller one.")
    return ""


class TrainingExplorer(Explorer):
    """The loss curve of one training run over the reference run's, with the stable limit 2/λ_max.

    ``state`` holds ``losses`` (the MSE after 0, 1, ... epochs) in the original units of y,
    ``reference`` (1001,), ``diverged``, ``final_loss``, ``noise_floor``,
    ``trained`` (epochs trained so far: a long run is drawn as it grows),
    ``limit_start`` and ``limit_end`` (2/λ_max before and after training;
    None while training or once diverged), ``limit_pending`` (True on the
    frame drawn as soon as training ends, before the limits are computed: the
    curvature takes a moment, and the curve should not wait for it) and the
    settings used.
    """

    figure_kw = {"figsize": (9.0, 4.5), "layout": None}
    margins = {"left": 0.08, "right": 0.64, "bottom": 0.12, "top": 0.92}

    def __init__(self, lr=0.01, epochs=1000, width=2, init="ones", output="linear", seed=0, standardise=False):
        check_in_range(lr, "lr", 1e-4, 10.0)
        check_in_range(epochs, "epochs", 50, 3_000, integer=True)
        check_in_range(width, "width", 1, 16, integer=True)
        check_choice(init, "init", ("ones", "random"))
        check_choice(output, "output", ("linear", "sigmoid"))
        check_flag(standardise, "standardise")
        self.seed, self.runs, self._limits = check_seed(seed), RunCache(), Remembered(256)
        controls = {
            "lr": log_slider("learning rate", lr, -4, 1),
            "epochs": slider("epochs", epochs, 50, 3_000, 50, integer=True),
            "width": slider("hidden units", width, 1, 16, 1, integer=True),
            "init": choice("start", ["ones", "random"], init),
            "output": choice("output", ["linear", "sigmoid"], output),
            "standardise": switch("standardise X and y (MSE still in the units of y)", standardise),
        }
        super().__init__("Training: move a control and let go to retrain", controls)

    def _limit(self, key, params, output, standardise):
        """2/λ_max for ``params``, remembered under ``key`` (the curvature takes a moment to compute)."""
        if key not in self._limits:
            self._limits.put(key, stable_limit(params, output, standardise))
        return self._limits.get(key)

    def compute(self, lr, epochs, width, init, output, standardise):
        run = (width, init, output, lr, self.seed, standardise)
        for trained in self.runs.grow([run], epochs):
            losses, diverged = self.runs.losses(trained, *run)
            state = {"lr": lr, "epochs": epochs, "width": width, "init": init, "output": output,
                     "standardise": standardise, "trained": trained, "losses": losses, "diverged": diverged,
                     "reference": reference_losses(), "final_loss": float(losses[-1]),
                     "noise_floor": cached_noise_floor(), "limit_start": None, "limit_end": None,
                     "limit_pending": False}
            message = divergence_message(losses, diverged, lr)
            if trained == epochs:
                start_key = ("start", width, init, output, self.seed if init == "random" else None, standardise)
                keys = [start_key] + ([(run, epochs)] if not diverged else [])
                if any(key not in self._limits for key in keys):
                    # Draw the finished curve first; 2/λ_max (a Hessian, slow at width 16) follows.
                    yield {**state, "limit_pending": True}, message
                state["limit_start"] = self._limit(start_key, init_params(width, init, seed=self.seed),
                                                   output, standardise)
                if not diverged:
                    state["limit_end"] = self._limit((run, epochs), self._params_after(run, epochs),
                                                     output, standardise)
            yield state, message

    def _params_after(self, run, epochs):
        """The parameters after exactly ``epochs`` epochs of ``run`` (retrained if the cache holds a longer run)."""
        if self.runs.known(*run) == epochs:
            return self.runs.end_params(*run)
        fresh = RunCache()
        fresh.losses(epochs, *run)
        return fresh.end_params(*run)

    def draw(self, fig, axes, state):
        label = (f"this run (width {state['width']}, {state['init']}, lr {state['lr']:.3g}"
                 f"{', standardised' if state['standardise'] else ''})")
        self.figure_data = plot_loss_curves(
            axes, {label: state["losses"]}, state["noise_floor"], log="wide", cap=math.inf,
            diverged={label} if state["diverged"] else (), epochs=state["epochs"],
            reference=("reference run (width 2, ones, lr 0.01)", state["reference"]))
        progress = "" if state["trained"] == state["epochs"] else f", training: epoch {state['trained']}"
        axes.set_title(f"MSE after each update{progress}")
        self._draw_limits(axes, state)
        losses, epochs = state["losses"], state["epochs"]
        final = f"diverged at epoch {len(losses)}" if state["diverged"] else number(state["final_loss"])
        ref = state["reference"]
        table = html_table(["curve", "final MSE", "epochs run"],
                           [["this run", final, f"{len(losses) - (not state['diverged'])} of {epochs}"],
                            ["reference run", number(ref[-1]), f"{len(ref) - 1}"],
                            ["noise floor", number(state["noise_floor"]), ""]])
        pending = "computing…" if state.get("limit_pending") else ""
        limits = [number(v, 3) if v is not None else blank for v, blank in
                  ((state["limit_start"], pending), (state["limit_end"], "" if state["diverged"] else pending))]
        return table + html_table(["learning rate", "2/λmax at the start", "2/λmax at the end"],
                                  [[f"{state['lr']:.3g}", *limits]])

    @staticmethod
    def _draw_limits(axes, state):
        """Write the stable limit 2/λ_max beside the plot, against this run's learning rate."""
        start, end = state["limit_start"], state["limit_end"]
        if state.get("limit_pending"):
            text = "stable limit 2/λmax:\ncomputing…"
        elif start is None and end is None:
            text = "stable limit 2/λmax:\ncomputed once\ntraining ends"
        else:
            lines = [f"at the start: {number(start, 3)}" if start is not None else "",
                     f"at the end: {number(end, 3)}" if end is not None
                     else "at the end: (diverged)" if state["diverged"] else "at the end: (weights too large)"]
            text = "stable limit 2/λmax\n" + "\n".join(line for line in lines if line)
            text += f"\nthis learning rate: {state['lr']:.3g}"
        axes.text(1.02, 0.0, text, transform=axes.transAxes, va="bottom", ha="left", fontsize=9,
                  bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": "#8c8c8c"})

    def alt_text(self, state):
        losses = state["losses"]
        what = (f"MSE against epoch on a log scale for width {state['width']}, {state['init']} start, "
                f"{state['output']} output, learning rate {state['lr']:.3g}"
                f"{', standardised data' if state['standardise'] else ''}")
        if state["diverged"]:
            how = f"the loss climbs from {number(losses[0])} and diverges at epoch {len(losses)}"
        else:
            verb = "falls" if losses[-1] <= losses[0] else "rises"
            how = f"the loss {verb} from {number(losses[0])} to {number(losses[-1])} in {len(losses) - 1} epochs"
        extra = " The stable limit 2/λmax is being computed." if state.get("limit_pending") else ""
        if state["limit_start"] is not None:
            extra = f" The stable limit 2/λmax is {number(state['limit_start'], 3)} at the start"
            extra += (f" and {number(state['limit_end'], 3)} at the end." if state["limit_end"] is not None else ".")
        return (f"{what}: {how}, beside the reference run (ending at {number(state['reference'][-1])}) "
                f"and the noise floor {number(state['noise_floor'])}.{extra}")


def training_explorer(lr=0.01, epochs=1000, width=2, init="ones", output="linear", seed=0, standardise=False):
    """Retrain the network from the controls and draw its loss curve (notebook 03).

    The learning rate moves on a log scale from 1e-4 to 10, a factor of 1.26 per
    arrow key; from the ones-start at width 2, lr 1.1 already diverges, and the
    explorer says so instead of failing. ``seed`` fixes the random start
    (``init="random"``). ``standardise=True`` trains on standardised X and y and
    reports every MSE in the units of y. Beside the curve stands the stable
    limit 2/λ_max (``sharpness``) before and after training. The defaults are the
    reference run, whose final MSE is 81.6337. Each argument must lie within its
    control's range (``width`` 1 to 16, ``epochs`` 50 to 3000, ``lr`` 1e-4 to 10) or
    among its options; anything else is refused with a ValueError or TypeError.

    Returns
    -------
    TrainingExplorer
        An ``ipywidgets.VBox``; ``.controls`` maps ``"lr"``, ``"epochs"``,
        ``"width"``, ``"init"``, ``"output"`` and ``"standardise"`` to their widgets.
    """
    return TrainingExplorer(lr, epochs, width, init, output, seed, standardise)
