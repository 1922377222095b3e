"""Explorer for notebook 04: what a wider hidden layer buys, from a ones-start and from a random one."""

import math

from .._checks import check_choice, check_flag, check_in_range, check_widths
from ..data import cached_noise_floor
from ..plotting import plot_loss_curves
from ._base import CheckboxRow, Explorer, choice, html_table, log_slider, number, slider, switch
from ._runs import RunCache

WIDTHS = (1, 2, 4, 8, 16)


def _listing(items):
    """``[2]`` -> "2"; ``[2, 16]`` -> "2 and 16"; ``[1, 2, 16]`` -> "1, 2 and 16"."""
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def sweep_message(curves, epochs, lr):
    """A sentence naming the widths whose training blew up or ended above its start, else ""."""
    if not curves:
        return "Tick at least one width to compare."
    diverged = [w for w, losses in curves.items() if len(losses) <= epochs]       # the loss after 0 to epochs
    grew = [w for w, losses in curves.items() if w not in diverged and losses[-1] > losses[0]]
    parts = []
    if diverged:
        parts.append(f"{'width' if len(diverged) == 1 else 'widths'} {_listing(diverged)} diverged "
                     "(the loss overflowed)")
    if grew:
        parts.append(f"{'width' if len(grew) == 1 else 'widths'} {_listing(grew)} ended with a higher loss "
                     "than at the start")
    if parts:
        text = "; ".join(parts)
        them = "it" if len(diverged) + len(grew) == 1 else "them"
        return text[0].upper() + text[1:] + f": a learning rate of {lr:.3g} is too large for {them}."
    return ""


class WidthSweepExplorer(Explorer):
    """One loss curve per chosen hidden width, the noise floor, and a table of final losses.

    ``state`` holds ``curves`` (``{width: losses}``, each the MSE after 0, 1, ... epochs, in the
    units of y), ``final`` (``{width: last loss}``), ``noise_floor``, ``trained``
    (the epochs trained so far: the figure is redrawn as training goes on) and the settings used.
    """

    figure_kw = {"figsize": (9.0, 4.5), "layout": None}
    margins = {"left": 0.08, "right": 0.76, "bottom": 0.12, "top": 0.92}

    def __init__(self, widths=(2, 4, 8, 16), init="ones", lr=0.01, epochs=1000, seed=0, standardise=False):
        check_choice(init, "init", ("ones", "random"))
        check_in_range(lr, "lr", 1e-4, 10.0)
        check_in_range(epochs, "epochs", 50, 3_000, integer=True)
        check_in_range(seed, "seed", 0, 20, integer=True)
        check_flag(standardise, "standardise")
        self.runs = RunCache()
        controls = {
            "widths": CheckboxRow("hidden units", WIDTHS, check_widths(widths, WIDTHS)),
            "init": choice("start", ["ones", "random"], init),
            "lr": log_slider("learning rate", lr, -4, 1),
            "epochs": slider("epochs", epochs, 50, 3_000, 50, integer=True),
            "seed": slider("seed", seed, 0, 20, 1, integer=True),
            "standardise": switch("standardise X and y (MSE still in the units of y)", standardise),
        }
        super().__init__("Hidden width: which widths reach the noise floor, and from which start?", controls)

    def compute(self, widths, init, lr, epochs, seed, standardise):
        # Each width trained as train trains it, one at a time, so known runs are reused. Runs not
        # known yet are trained in chunks and drawn as they grow; continuing a run gives the long run exactly.
        widths = check_widths(widths, WIDTHS)
        runs = [(w, init, "linear", lr, seed, standardise) for w in widths]
        for trained in self.runs.grow(runs, epochs):
            curves = {w: self.runs.losses(trained, *run)[0] for w, run in zip(widths, runs)}
            state = {"widths": widths, "init": init, "lr": lr, "epochs": epochs, "seed": seed,
                     "standardise": standardise, "trained": trained, "curves": curves,
                     "final": {w: float(losses[-1]) for w, losses in curves.items()},
                     "noise_floor": cached_noise_floor()}
            yield state, sweep_message(curves, trained, lr)

    def draw(self, fig, axes, state):
        trained = state["trained"]
        curves = {f"{w} hidden units": losses for w, losses in state["curves"].items()}
        stopped = {label for label, losses in curves.items() if len(losses) <= trained}
        self.figure_data = plot_loss_curves(axes, curves, state["noise_floor"], log="wide", cap=math.inf,
                                            diverged=stopped, epochs=state["epochs"])
        seed = f", seed {state['seed']}" if state["init"] == "random" else ""
        scaled = ", standardised" if state["standardise"] else ""
        progress = "" if trained == state["epochs"] else f", training: epoch {trained}"
        axes.set_title(f"{state['init']} start, lr {state['lr']:.3g}{seed}{scaled}{progress}")
        floor = state["noise_floor"]
        rows = []
        for w, losses in state["curves"].items():
            if len(losses) <= trained:
                rows.append([w, f"diverged at epoch {len(losses)}", "", len(losses)])
            else:
                rows.append([w, number(losses[-1]), f"{losses[-1] / floor:.3g}x", len(losses) - 1])
        return html_table(["hidden units", "final MSE", "of the noise floor", "epochs run"], rows)

    def alt_text(self, state):
        curves, trained = state["curves"], state["trained"]
        if not curves:
            return (f"An empty plot of MSE against epoch: no width is ticked, so only the noise floor "
                    f"({number(state['noise_floor'])}) is drawn.")
        seed = f", seed {state['seed']}" if state["init"] == "random" else ""
        scaled = ", standardised data" if state["standardise"] else ""
        text = (f"MSE against epoch on a log scale for widths {_listing(curves)} ({state['init']} start{seed}, "
                f"learning rate {state['lr']:.3g}{scaled}, {trained} epochs)")
        finished = {w: losses[-1] for w, losses in curves.items() if len(losses) == trained + 1}
        diverged = [w for w in curves if w not in finished]
        if finished:
            best = min(finished, key=finished.get)
            text += f": width {best} ends lowest at {number(finished[best])}"
        if diverged:
            text += f"; {'width' if len(diverged) == 1 else 'widths'} {_listing(diverged)} diverged"
        return text + f". The noise floor is {number(state['noise_floor'])}."


def width_sweep_explorer(widths=(2, 4, 8, 16), init="ones", lr=0.01, epochs=1000, seed=0, standardise=False):
    """Train one network per chosen width and compare their loss curves with the noise floor (notebook 04).

    The defaults repeat notebook 04's first sweep: widths 2, 4, 8, 16 from the
    ones-start, lr 0.01, 1000 epochs. ``seed`` matters for ``init="random"`` only;
    ``standardise=True`` trains on standardised X and y and reports every MSE in
    the units of y. ``widths`` are distinct values from (1, 2, 4, 8, 16).

    Returns
    -------
    WidthSweepExplorer
        An ``ipywidgets.VBox``; ``.controls`` maps ``"widths"``, ``"init"``,
        ``"lr"``, ``"epochs"``, ``"seed"`` and ``"standardise"`` to their widgets.
    """
    return WidthSweepExplorer(widths, init, lr, epochs, seed, standardise)
