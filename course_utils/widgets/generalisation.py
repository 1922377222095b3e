"""Explorer for notebook 05: sample size, width, batch size, learning rate, epochs and standardising.

One sample of the course's data is split three ways (60% train, 20% validation,
20% test); a network is trained on the training part with mini-batch SGD, and
the MSE of all three parts is recorded before every epoch. The figure draws the
three curves, the training part's own noise floor, and the epoch where the
validation MSE is lowest: where early stopping would stop.

The explorer starts where that epoch falls inside the run: 100 samples drawn
(60 trained on), width 64, batch 10, learning rate 0.0316, 1500 epochs, raw
data, seed 0. Over its last 500 epochs the training MSE sits below the noise
floor while the validation MSE has levelled off well above it. With each of
seeds 0 to 19 the lowest validation MSE fell inside the run, between epochs 84
and 934 of the 1500 (median 427); tests/test_widgets.py checks both.
"""

import math
from functools import lru_cache
from html import escape

import ipywidgets as widgets
import numpy as np

from .._checks import check_choice, check_flag, check_in_range, check_randomstate_seed
from ..data import make_dataset, mean_square_noise
from ..network import init_params
from ..plotting import COLORS, line_cue, plot_loss_curves
from ..scaling import StandardScaler
from ..split import train_test_split
from ..training import train
from ._base import Explorer, choice, html_table, log_slider, number, slider, steps, switch
from ._runs import Remembered, staged

SAMPLE_SIZES = (30, 100, 300, 1_000, 3_000, 10_000)
WIDTHS = (2, 4, 8, 16, 32, 64)
BATCH_SIZES = (1, 10, 32, 256, None)      # None: the whole training part, one step an epoch
BATCH_LABELS = ("1", "10", "32", "256", "full")   # the buttons; only the control speaks in strings
MAX_STEPS = 30_000           # keeps a redraw's training short; more epochs are cut, and a note beside "epochs" says so
NAMES = ("train", "validation", "test")


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


def run_stages(n_samples, width, batch_size, lr, epochs, standardise, seed=0, first=0.05, every=0.3, chunk_s=0.04,
               resume=None):
    """Train once, yielding the run's state as it grows: after ``first`` s, then every ``every`` s, and at the end.

    The run is trained by ``train`` in chunks of epochs, with the validation and
    test parts as its two held-out sets; the chunks continue one another exactly
    (each starts from the last one's parameters, and one shuffling generator runs
    through them all), so a staged run ends with the numbers of an uninterrupted
    one. Each state is a dict as ``run`` returns, with ``trained`` the epochs trained so far.

    The last state also holds ``checkpoint``: the run's parameters, the state of its
    shuffling generator and its curves (None if it diverged). Passed back as ``resume``
    with the same settings and another number of epochs, it gives the same numbers as
    a fresh run: more epochs go on from where it ended, fewer are the start of its curves.
    """
    (X_tr, y_tr), (X_va, y_va), (X_te, y_te) = three_way_split(n_samples, seed)
    n_train = len(X_tr)
    batch = n_train if batch_size is None else min(batch_size, n_train)
    steps_per_epoch = -(-n_train // batch)
    run_epochs = min(epochs, max(1, MAX_STEPS // steps_per_epoch))
    if standardise:
        xs, ys = StandardScaler().fit(X_tr), StandardScaler().fit(y_tr)
        to_x, to_y, unit = xs.transform, ys.transform, float(ys.scale_[0]) ** 2
    else:
        to_x, to_y, unit = np.asarray, np.asarray, 1.0
    X_fit, y_fit = to_x(X_tr), to_y(y_tr)
    held_out = [(to_x(X_va), to_y(y_va)), (to_x(X_te), to_y(y_te))]
    fixed = {"n_samples": n_samples, "n_train": n_train, "n_val": len(X_va), "n_test": len(X_te), "width": width,
             "batch_size": batch, "lr": lr, "epochs": epochs, "epochs_run": run_epochs, "standardise": standardise,
             "noise_floor": mean_square_noise(X_tr, y_tr)}
    rng = np.random.default_rng(seed)
    if resume is None:
        now = {"params": init_params(width, "random", seed=seed), "trained": 0, "diverged": False}
        pieces = {name: [] for name in NAMES}
    else:
        if resume["trained"] >= run_epochs:              # the start of a longer run: nothing to train
            start = {name: [curve[:run_epochs + 1]] for name, curve in resume["curves"].items()}
            yield {**_state(fixed, start, run_epochs, False), "checkpoint": None}
            return
        now = {"params": resume["params"], "trained": resume["trained"], "diverged": False}
        rng.bit_generator.state = resume["rng_state"]
        pieces = {name: [curve] for name, curve in resume["curves"].items()}

    def advance(chunk):
        # A chunk ends at the parameters of its last finite loss, so the next one starts from a finite loss.
        result = train(X_fit, y_fit, now["params"], lr=lr, epochs=min(chunk, run_epochs - now["trained"]),
                       batch_size=batch, seed=rng, validation=held_out)
        for name, part in zip(NAMES, (result.losses, *result.val_losses)):
            # A chunk's first loss is the last one of the chunk before.
            pieces[name].append(part[1:] * unit if now["trained"] else part * unit)
        now.update(params=result.params, trained=now["trained"] + len(result.losses) - 1, diverged=result.diverged)
        return now["diverged"] or now["trained"] >= run_epochs

    for _ in staged(advance, max(1, 2000 // steps_per_epoch), 1, first, every, chunk_s):
        state = _state(fixed, pieces, now["trained"], now["diverged"])
        if now["diverged"] or now["trained"] >= run_epochs:        # the last state: where a longer run goes on
            state["checkpoint"] = None if now["diverged"] else {
                "params": now["params"], "rng_state": rng.bit_generator.state, "trained": now["trained"],
                "curves": state["curves"]}
        yield state


def _state(fixed, pieces, trained, diverged):
    curves = {name: np.concatenate(parts) if parts else np.empty(0) for name, parts in pieces.items()}
    for curve in curves.values():
        curve.flags.writeable = False
    best = int(np.argmin(curves["validation"])) if len(curves["validation"]) else 0
    return {**fixed, "curves": curves, "trained": trained, "diverged": bool(diverged), "best_epoch": best}


def run(n_samples, width, batch_size, lr, epochs, standardise, seed=0):
    """Train once and return the numbers the figure needs (MSEs in the data's own units).

    Returns a dict: ``curves`` (``{"train", "validation", "test"}``, each of shape
    (epochs_run + 1,), the MSE after 0 to epochs_run epochs), ``best_epoch`` (lowest
    validation MSE), ``noise_floor`` (of the training part), ``diverged``,
    ``epochs_run`` (``epochs`` cut to at most ``MAX_STEPS`` steps) and the settings used.
    """
    state = None
    for state in run_stages(n_samples, width, batch_size, lr, epochs, standardise, seed, first=float("inf")):
        pass
    return state


def run_message(state):
    """A sentence for the learner when the run blew up, else "" (shown under the figure)."""
    if not state["diverged"]:
        return ""
    hint = " Standardising the data lets a larger rate work." if not state["standardise"] else ""
    return (f"Training diverged at epoch {len(state['curves']['train'])}: a learning rate of "
            f"{state['lr']:.3g} overshoots.{hint}")


def epochs_note(state):
    """A sentence for the learner when fewer epochs were trained than asked for, else "" (shown beside "epochs")."""
    if state["epochs_run"] >= state["epochs"]:
        return ""
    return (f"Only {state['epochs_run']:,} of {state['epochs']:,} epochs were trained: at batch size "
            f"{state['batch_size']} that is already {MAX_STEPS:,} steps.")


def _draw(axes, state):
    """Draw ``state`` on ``axes``; return ``(table HTML, axes facts)``."""
    curves, floor, best = state["curves"], state["noise_floor"], state["best_epoch"]
    diverged = state["diverged"]
    facts = plot_loss_curves(axes, {name: curves[name] for name in NAMES}, floor, log="wide", cap=math.inf,
                             diverged={"train"} if diverged else (), epochs=max(state["epochs_run"], 1),
                             floor_label="noise floor (train)")
    if len(curves["train"]):
        axes.axvline(best, color=COLORS["reference"], linestyle=(0, (6, 3)), linewidth=2,
                     label=f"lowest validation MSE: epoch {best}")
        if np.isfinite(curves["test"][best]):
            axes.plot([best], [np.log10(curves["test"][best])], markersize=11,
                      markerfacecolor="none", markeredgewidth=2, **{**line_cue(2), "linestyle": "none"},
                      label=f"test MSE at epoch {best}")
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    trained, run_epochs = state.get("trained", state["epochs_run"]), state["epochs_run"]
    progress = f", training: epoch {trained}" if trained < run_epochs and not diverged else ""
    # The samples control counts the whole sample; 60% of it is trained on. Aligned left, a long title
    # runs on over the legend's column instead of off the left edge.
    axes.set_title(f"{state['n_train']:,} of {state['n_samples']:,} samples trained on, width {state['width']}, "
                   f"batch {state['batch_size']:,}{progress}", loc="left")

    def row(i):
        return [number(curves[name][i]) for name in NAMES]

    rows = []
    if diverged:
        rows.append([f"diverged at epoch {len(curves['train'])}", "", "", ""])
    elif len(curves["train"]):
        rows.append([f"last epoch ({len(curves['train']) - 1})", *row(-1)])
    if len(curves["train"]):
        rows.append([f"epoch {best} (best validation)", *row(best)])
    rows.append(["noise floor (training part)", number(floor), "", ""])
    sizes = (state["n_train"], state["n_val"], state["n_test"])
    table = html_table(["epoch", *(f"{name} MSE ({size:,} samples)" for name, size in zip(NAMES, sizes))], rows)
    return table, facts


class GeneralisationExplorer(Explorer):
    """Train, validation and test MSE per epoch for one run, with the noise floor and the best validation epoch.

    ``state`` holds ``curves`` (``{"train", "validation", "test"}``, each the MSE after 0, 1, ... epochs),
    ``best_epoch``, ``noise_floor``, ``diverged``, ``trained`` (epochs trained so
    far: a long run is drawn as it grows), the part sizes ``n_train``, ``n_val`` and
    ``n_test``, ``checkpoint`` (see ``run_stages``) and the settings used. More
    epochs of a run seen before go on from where it ended, fewer are the start of
    its curves, so the epochs slider redraws without training it all again.
    ``note`` is the sentence beside the epochs slider when a run is cut to
    ``MAX_STEPS`` steps ("" otherwise).
    """

    figure_kw = {"figsize": (9.0, 4.5), "layout": None}
    margins = {"left": 0.08, "right": 0.66, "bottom": 0.12, "top": 0.92}

    def __init__(self, n_samples=100, width=64, batch_size=10, lr=10 ** -1.5, epochs=1500, standardise=False,
                 seed=0):
        self.seed, self._finished = check_randomstate_seed(seed), Remembered(16)
        self._checkpoints = Remembered(16)         # the longest run of each setting, by everything but the epochs
        check_choice(n_samples, "n_samples", SAMPLE_SIZES)
        check_choice(width, "width", WIDTHS)
        check_choice(batch_size, "batch_size", BATCH_SIZES)
        check_in_range(lr, "lr", 1e-3, 1.0)
        check_in_range(epochs, "epochs", 20, 2_000, integer=True)
        check_flag(standardise, "standardise")
        controls = {
            # The whole sample: 60% of it is trained on, as the figure's title says.
            "n_samples": steps("samples drawn", SAMPLE_SIZES, n_samples),
            "width": steps("hidden units", WIDTHS, width),
            "batch_size": choice("batch size", BATCH_LABELS, BATCH_LABELS[BATCH_SIZES.index(batch_size)]),
            "lr": log_slider("learning rate", lr, -3, 0, step=0.1),
            "epochs": slider("epochs", epochs, 20, 2_000, 20, integer=True),
            "standardise": switch("standardise X and y (MSE still in the units of y)", standardise),
        }
        controls["batch_size"].style.button_width = "80px"     # five buttons in one row beside the label
        # Beside the epochs slider, where the learner looks after moving it (and not cut off below the table).
        self._note = widgets.HTML(layout=widgets.Layout(flex="1 1 240px", min_width="240px", margin="0 0 0 8px"))
        self._note.add_class("cu-note-epochs")
        self._note_text = ""
        super().__init__("Generalisation: move a control and let go to retrain", controls)

    def panel_items(self):
        items = super().panel_items()
        epochs = self.controls["epochs"]
        # A row that wraps: the note sits to the right of the slider where there is room, else under it.
        row = widgets.HBox([epochs, self._note], layout=widgets.Layout(flex_flow="row wrap", align_items="center"))
        return [row if item is epochs else item for item in items]

    @property
    def note(self):
        """The sentence beside the epochs slider ("" when every epoch asked for was trained)."""
        return self._note_text

    def compute(self, n_samples, width, batch_size, lr, epochs, standardise):
        batch_size = BATCH_SIZES[BATCH_LABELS.index(batch_size)]      # the button's label, as the size
        key = (n_samples, width, batch_size, lr, epochs, standardise, self.seed)
        if key in self._finished:                      # seen already: one frame, no training
            state = self._finished.get(key)
            yield state, run_message(state)
            return
        # More epochs of a run seen before go on from where it ended; fewer are the start of its curves.
        setting = (n_samples, width, batch_size, lr, standardise, self.seed)
        resume = self._checkpoints.get(setting)
        for state in run_stages(n_samples, width, batch_size, lr, epochs, standardise, self.seed, resume=resume):
            yield state, run_message(state)
        self._finished.put(key, state)
        if state.get("checkpoint") is not None and (resume is None or state["checkpoint"]["trained"] > resume["trained"]):
            self._checkpoints.put(setting, state["checkpoint"])

    def draw(self, fig, axes, state):
        table, self.figure_data = _draw(axes, state)
        self._show_note(epochs_note(state))
        return table

    def _show_note(self, text):
        """Put ``text`` beside the epochs slider, unless it is there already (a screen reader would repeat it)."""
        self._note_text = text
        # role=status: read out when it changes; the bar in the margin marks it as the message under the figure is.
        style = "border-left:4px solid var(--jp-warn-color1, #E69F00);padding-left:8px" if text else ""
        html = f'<div role="status" style="{style}">{escape(text)}</div>'
        if self._note.value != html:
            self._note.value = html

    def alt_text(self, state):
        curves, best, trained = state["curves"], state["best_epoch"], state["trained"]
        data = "standardised" if state["standardise"] else "raw"
        what = (f"Training, validation and test MSE against epoch on a log scale, for {state['n_samples']:,} samples "
                f"drawn and split into {state['n_train']:,} training samples, width {state['width']}, batch "
                f"{state['batch_size']}, learning rate {state['lr']:.3g}, {data} data, with {state['n_val']:,} "
                f"samples for validation and {state['n_test']:,} for test")
        train = curves["train"]
        if state["diverged"]:
            how = f"the training loss climbs from {number(train[0])} and diverges at epoch {len(train)}"
        else:
            verb = "falls" if train[-1] <= train[0] else "rises"
            done = f"in {trained} epochs" if trained == state["epochs_run"] else f"in the first {trained} epochs"
            how = (f"the training MSE {verb} from {number(train[0])} to {number(train[-1])} {done}, validation "
                   f"ends at {number(curves['validation'][-1])} and test at {number(curves['test'][-1])}")
        return (f"{what}: {how}. The lowest validation MSE is at epoch {best}, where the test MSE is "
                f"{number(curves['test'][best])}. The training part's noise floor is {number(state['noise_floor'])}.")


def generalisation_explorer(n_samples=100, width=64, batch_size=10, lr=10 ** -1.5, epochs=1500, standardise=False,
                            seed=0):
    """Retrain on a three-way split and draw train, validation and test MSE per epoch (notebook 05).

    ``n_samples`` is how many samples are drawn, one of 30, 100, 300, 1,000,
    3,000 or 10,000 (60% of them are trained on, 20% validate and 20% test);
    ``width`` one of 2, 4, 8, 16, 32 or 64; ``batch_size`` one of 1, 10, 32,
    256 or None (the whole training part, as in ``train``; its button reads
    "full"). The learning rate moves on a log
    scale from 0.001 to 1 (the default is 10**-1.5 = 0.0316, a point of the
    slider's grid), the epochs from 20 to 2,000 in steps of 20; a run is cut at
    30,000 steps, and a note beside the epochs slider says so. ``seed`` fixes the
    sample, the split, the start and the shuffles.

    The defaults (raw data, 1500 epochs) put the lowest validation MSE inside the
    run, where early stopping has something to do: with each of seeds 0 to 19
    it fell between epochs 84 and 934.

    Returns
    -------
    GeneralisationExplorer
        An ``ipywidgets.VBox``; ``.controls`` maps ``"n_samples"``, ``"width"``, ``"batch_size"``,
        ``"lr"``, ``"epochs"`` and ``"standardise"`` to their widgets.
    """
    return GeneralisationExplorer(n_samples, width, batch_size, lr, epochs, standardise, seed)
