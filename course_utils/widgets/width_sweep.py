"""Explorer for notebook 04: what a wider hidden layer buys, from a ones-start and from a random one."""

import ipywidgets as widgets

from ..plotting import plot_loss_curves
from ._base import Explorer, course_noise_floor, choice, frame_loss_axes, html_table, log_slider, slider, visible
from ._runs import RunCache

WIDTHS = (1, 2, 4, 8, 16)


def sweep_message(curves, epochs, lr):
    """A sentence naming the widths whose training blew up or ended above its start, else ""."""
    if not curves:
        return "Pick at least one width to compare (Ctrl- or Shift-click to pick several)."
    diverged = [w for w, losses in curves.items() if len(losses) < epochs]
    grew = [w for w, losses in curves.items() if w not in diverged and losses[-1] > losses[0]]
    parts = []
    if diverged:
        parts.append(f"width {', '.join(map(str, diverged))} diverged (the loss overflowed to infinity)")
    if grew:
        parts.append(f"width {', '.join(map(str, grew))} ended with a higher loss than it started")
    if parts:
        text = "; ".join(parts)
        return text[0].upper() + text[1:] + f": a learning rate of {lr:.3g} is too large for them."
    return ""


class WidthSweepExplorer(Explorer):
    """One loss curve per chosen hidden width, the noise floor, and a table of final losses.

    ``state`` holds ``curves`` (``{width: losses}``, each (n_epochs_run,)),
    ``final`` (``{width: last loss}``), ``noise_floor``, ``trained`` (the epochs
    trained so far: the figure is redrawn as training goes on) and the settings used.
    """

    figure_kw = {"figsize": (9.0, 4.5)}

    def __init__(self, widths=(2, 4, 8, 16), init="ones", lr=0.01, epochs=1000, seed=0):
        self.runs = RunCache()
        controls = {
            "widths": widgets.SelectMultiple(options=WIDTHS, value=tuple(widths), rows=len(WIDTHS),
                                             description="widths", layout=widgets.Layout(width="150px")),
            "init": choice("start", ["ones", "random"], init),
            "lr": log_slider("learning rate", lr, -4, 1),
            "epochs": slider("epochs", epochs, 10, 3_000, 10, integer=True),
            "seed": slider("seed", seed, 0, 20, 1, integer=True),
        }
        super().__init__("Hidden width: which widths reach the noise floor, and from which start?", controls)

    def compute(self, widths, init, lr, epochs, seed):
        # Each width trained as width_sweep trains it, but one at a time, so known runs are reused.
        # Runs not known yet are trained in stages, and every stage is drawn: the first picture
        # arrives after a quarter of the epochs, and continuing a run gives exactly the long run.
        widths = tuple(sorted(widths))
        known = min((self.runs.known(w, init, "linear", lr, seed) for w in widths), default=epochs)
        stages = [s for s in sorted({epochs // 4, epochs // 2, epochs}) if s > known] or [epochs]
        for stage in stages:
            curves = {w: self.runs.losses(stage, w, init, "linear", lr, seed)[0] for w in widths}
            state = {"widths": widths, "init": init, "lr": lr, "epochs": epochs, "seed": seed,
                     "trained": stage, "curves": curves,
                     "final": {w: float(losses[-1]) for w, losses in curves.items()}, "noise_floor": course_noise_floor()}
            yield state, sweep_message(curves, stage, lr)

    def draw(self, fig, axes, state):
        curves = {f"{w} hidden units": visible(losses) for w, losses in state["curves"].items()}
        plot_loss_curves(axes, curves, noise_floor=state["noise_floor"], log=True)
        frame_loss_axes(axes, list(state["curves"].values()), state["noise_floor"], state["epochs"])
        seed = f", seed {state['seed']}" if state["init"] == "random" else ""
        progress = "" if state["trained"] == state["epochs"] else f", training: epoch {state['trained']}"
        axes.set_title(f"{state['init']} start, lr {state['lr']:.3g}{seed} (log scale){progress}")
        floor = state["noise_floor"]
        rows = [[w, f"{loss:.4f}", f"{loss / floor:.1f}x", len(state["curves"][w])]
                for w, loss in state["final"].items()]
        return html_table(["hidden units", "final MSE", "of the noise floor", "epochs run"], rows)


def width_sweep_explorer(widths=(2, 4, 8, 16), init="ones", lr=0.01, epochs=1000, seed=0):
    """Train one network per chosen width and compare their loss curves with the noise floor (notebook 04).

    The defaults repeat the original's sweep: widths 2, 4, 8, 16 from the
    ones-start, lr 0.01, 1000 epochs. ``seed`` matters for ``init="random"`` only.

    Returns
    -------
    WidthSweepExplorer
        An ``ipywidgets.VBox``; ``.controls`` maps ``"widths"``, ``"init"``,
        ``"lr"``, ``"epochs"`` and ``"seed"`` to their widgets.
    """
    return WidthSweepExplorer(widths, init, lr, epochs, seed)
