"""Explorer for notebook 05: sample size, width, batch size, learning rate, epochs and standardising.

One sample of the course's data is split three ways (60% train, 20% validation,
20% test); a network is trained on the training part with mini-batch SGD, and
the MSE of all three parts is recorded before every epoch. The figure draws the
three curves, the training part's own noise floor, and the epoch where the
validation MSE is lowest: where early stopping would stop.
"""

from functools import lru_cache
from html import escape

import ipywidgets as widgets
import numpy as np

from ..data import make_dataset, mean_square_noise
from ..minibatch import minibatch_descent
from ..network import init_params
from ..scaling import StandardScaler
from ..split import train_test_split
from ._base import Explorer

SAMPLE_SIZES = (30, 100, 300, 1_000, 3_000, 10_000)
WIDTHS = (2, 4, 8, 16, 32, 64)
BATCH_SIZES = ("1", "10", "32", "256", "full")
MAX_STEPS = 30_000           # under a second of training; more epochs than this are cut, and the message says so
# Okabe-Ito colours, each curve with its own line style, so colour is never the only cue.
CURVES = {"train": ("#0072B2", "-"), "validation": ("#E69F00", "--"), "test": ("#009E73", "-.")}
FLOOR_COLOUR, STOP_COLOUR = "#D55E00", "#000000"
_STYLE = {"description_width": "initial"}


@lru_cache(maxsize=8)
def three_way_split(n_samples, seed=0):
    """A sample of ``n_samples`` drawn with ``seed``, split 60/20/20 into train, validation and test parts.

    Returns ``((X_train, y_train), (X_val, y_val), (X_test, y_test))``, read-only arrays.
    """
    X, y = make_dataset(n_samples, seed=seed)
    X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=0.2, random_state=seed)
    X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_size=0.25, random_state=seed)
    parts = ((X_train, y_train), (X_val, y_val), (X_test, y_test))
    for array in (a for part in parts for a in part):
        array.flags.writeable = False
    return parts


def run(n_samples, width, batch_size, lr, epochs, standardise, seed=0):
    """Train once and return the numbers the figure needs (MSEs in the data's own units)."""
    (X_tr, y_tr), (X_va, y_va), (X_te, y_te) = three_way_split(n_samples, seed)
    n_train = len(X_tr)
    batch = n_train if batch_size == "full" else min(int(batch_size), n_train)
    steps_per_epoch = -(-n_train // batch)
    run_epochs = min(epochs, max(1, MAX_STEPS // steps_per_epoch))
    if standardise:
        xs, ys = StandardScaler().fit(X_tr), StandardScaler().fit(y_tr)
        to_x, to_y, unit = xs.transform, ys.transform, float(ys.scale_[0]) ** 2
    else:
        to_x, to_y, unit = np.asarray, np.asarray, 1.0
    params = init_params(width, "random", seed=seed)
    _, losses, (val, test), diverged = minibatch_descent(
        to_x(X_tr), to_y(y_tr), params, lr, run_epochs, batch, seed,
        watch=[(to_x(X_va), to_y(y_va)), (to_x(X_te), to_y(y_te))])
    curves = {"train": losses * unit, "validation": val * unit, "test": test * unit}
    best = int(np.argmin(curves["validation"])) if len(losses) else 0
    return {"n_samples": n_samples, "n_train": n_train, "width": width, "batch_size": batch, "lr": lr,
            "epochs": epochs, "epochs_run": run_epochs, "standardise": standardise, "curves": curves,
            "diverged": diverged, "best_epoch": best, "noise_floor": mean_square_noise(X_tr, y_tr)}


def run_message(state):
    """A sentence for the learner when the run was cut short or blew up, else ""."""
    parts = []
    if state["epochs_run"] < state["epochs"]:
        parts.append(f"Only {state['epochs_run']} of {state['epochs']} epochs were trained: at batch size "
                     f"{state['batch_size']} that is already {MAX_STEPS:,} steps.")
    if state["diverged"]:
        hint = " Standardising the data lets a larger rate work." if not state["standardise"] else ""
        parts.append(f"Training diverged after {len(state['curves']['train'])} epochs: a learning rate of "
                     f"{state['lr']:.3g} overshoots.{hint}")
    return " ".join(parts)


def html_table(header, rows):
    """A small HTML table of already formatted cells, the first column left-aligned as row names."""
    cell = "<td style='padding:0 12px;text-align:{}'>{}</td>"
    head = "".join(f"<th style='padding:0 12px'>{escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(cell.format("left" if i == 0 else "right", escape(str(c)))
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def draw_run(axes, state):
    """Draw the three curves of ``run(...)``'s ``state`` on ``axes``; return the HTML table of its numbers."""
    curves, floor, best = state["curves"], state["noise_floor"], state["best_epoch"]
    shown = {}
    for name, losses in curves.items():
        colour, style = CURVES[name]
        shown[name] = np.minimum(losses, 1e12)          # a diverging run runs off the top of a log axis
        axes.plot(np.arange(len(losses)), shown[name], color=colour, linestyle=style, label=name)
    axes.axhline(floor, color=FLOOR_COLOUR, linestyle=":", linewidth=2,
                 label=f"noise floor of the training part {floor:.2f}")
    if len(curves["train"]):
        axes.axvline(best, color=STOP_COLOUR, linestyle=(0, (1, 3)), linewidth=1.5,
                     label=f"lowest validation MSE: epoch {best}")
        axes.plot([best], [curves["test"][best]], marker="o", color=CURVES["test"][0], linestyle="none")
        low = min(floor, *(c.min() for c in shown.values()))
        axes.set_ylim(low / 1.5, max(c[0] for c in shown.values()) * 2)
    axes.set_yscale("log")
    axes.set_xlim(0, max(state["epochs_run"], 1))
    axes.set(xlabel="epoch", ylabel="MSE (original units, log scale)",
             title=f"{state['n_train']} training samples, width {state['width']}, batch {state['batch_size']}")
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    last = {name: f"{c[-1]:.3f}" if len(c) else "-" for name, c in curves.items()}
    at_best = {name: f"{c[best]:.3f}" if len(c) else "-" for name, c in curves.items()}
    return html_table(["", "train MSE", "validation MSE", "test MSE"],
                      [["last epoch", last["train"], last["validation"], last["test"]],
                       [f"epoch {best} (best validation)", at_best["train"], at_best["validation"], at_best["test"]],
                       ["noise floor (training part)", f"{floor:.3f}", "", ""]])


class GeneralisationExplorer(Explorer):
    """Train, validation and test MSE per epoch for one run, with the noise floor and the best validation epoch.

    ``state`` holds ``curves`` (``{"train", "validation", "test"}``, each (n_epochs_run,)),
    ``best_epoch``, ``noise_floor``, ``diverged`` and the settings used.
    """

    figure_kw = {"figsize": (9.0, 4.5)}

    def __init__(self, n_samples=100, width=64, batch_size="10", lr=0.05, epochs=300, standardise=True, seed=0):
        self.seed = seed
        controls = {
            "n_samples": widgets.SelectionSlider(options=SAMPLE_SIZES, value=n_samples, description="samples",
                                                 continuous_update=False, style=_STYLE),
            "width": widgets.SelectionSlider(options=WIDTHS, value=width, description="hidden units",
                                             continuous_update=False, style=_STYLE),
            "batch_size": widgets.ToggleButtons(options=BATCH_SIZES, value=str(batch_size), description="batch size",
                                                style={**_STYLE, "button_width": "55px"}),
            "lr": widgets.FloatLogSlider(value=lr, base=10, min=-3, max=0, step=0.25, description="learning rate",
                                         continuous_update=False, readout_format=".2g", style=_STYLE),
            "epochs": widgets.IntSlider(value=epochs, min=10, max=2000, step=10, description="epochs",
                                        continuous_update=False, style=_STYLE),
            "standardise": widgets.ToggleButtons(options=[("standardised", True), ("raw", False)],
                                                 value=standardise, description="data",
                                                 style={**_STYLE, "button_width": "125px"}),
        }
        super().__init__("Generalisation: move a control and let go to retrain", controls)

    def compute(self, n_samples, width, batch_size, lr, epochs, standardise):
        state = run(n_samples, width, batch_size, lr, epochs, standardise, self.seed)
        return state, run_message(state)

    def draw(self, fig, axes, state):
        return draw_run(axes, state)


def generalisation_explorer(n_samples=100, width=64, batch_size="10", lr=0.05, epochs=300, standardise=True, seed=0):
    """Retrain on a three-way split and draw train, validation and test MSE per epoch (notebook 05).

    ``batch_size`` is one of ``"1"``, ``"10"``, ``"32"``, ``"256"`` or ``"full"``;
    ``seed`` fixes the sample, the split, the start and the shuffles.

    Returns
    -------
    GeneralisationExplorer
        An ``ipywidgets.VBox``; ``.controls`` maps ``"n_samples"``, ``"width"``, ``"batch_size"``,
        ``"lr"``, ``"epochs"`` and ``"standardise"`` to their widgets.
    """
    return GeneralisationExplorer(n_samples, width, batch_size, lr, epochs, standardise, seed)
