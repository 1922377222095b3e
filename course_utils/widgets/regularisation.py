"""Explorer for notebook 06: weight decay, optimiser, schedule, learning rate, sample size and width.

One sample of the course's data is drawn: ``n_train`` samples to train on, and
100 fresh samples each for validation and for test. The network trains on
standardised X and y (so weight decay λ acts on weights of one scale), in
mini-batches of 10 for 6,000 steps (2,000 epochs at 30 samples, 60 at 1,000), and
every MSE is reported in the units of y. The figure draws the training,
validation and test MSE per epoch beside two maps of the square: the learned
surface f̂ and the true f, on one viridis scale, with their grid error G.

The explorer starts where weight decay has something to do: 30 training samples,
width 64, Adam at learning rate 0.01 with a cosine schedule, λ = 0, seed 0. There
the training MSE ends at 0.69, below the training part's noise floor of 1.37, and
G is 2.93; λ = 0.0003 lowers G to 2.26, and λ = 0.03 raises it to 20.6, the surface
flattened (its standard deviation over the square 7.8, against 11.2 for f and for
f̂ at λ = 0). That is one sample. Over seeds 0 to 9 (each a new
sample, start and shuffle) the median G is 3.34 at λ = 0, 1.88 at 0.0003 and 22.3
at 0.03; λ = 0.0001 lowered G with 9 of the 10 seeds (sign test p = 0.02), λ = 0.0003
with 6 of them (p = 0.75: ten seeds cannot tell that from chance) and λ = 0.03 raised it with all 10. A
little weight decay helps on average here, not on every sample.
tests/test_widgets_06.py checks these numbers.
"""

import math
from functools import lru_cache

import numpy as np

from .._checks import check_choice, check_in_range, check_randomstate_seed
from ..data import make_dataset, mean_square_noise
from ..network import forward, init_params
from ..plotting import COLORS, plot_loss_curves
from ..scaling import StandardScaler
from ..training import train
from ..truth import grid_error, midpoint_grid
from ._base import Explorer, choice, html_table, log_slider, number, steps
from ._runs import Remembered

WEIGHT_DECAYS = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0)
OPTIMIZERS = ("sgd", "momentum", "adam")
SCHEDULES = ("constant", "step", "cosine")
SAMPLE_SIZES = (30, 50, 100, 200, 500, 1_000)
WIDTHS = (2, 4, 8, 16, 32, 64)
HELD_OUT = 100          # fresh samples for validation, and as many for test
BATCH = 10
EPOCHS = 2_000          # at most; every run takes at most MAX_STEPS steps, so a larger sample gets fewer epochs
MAX_STEPS = 6_000       # about 0.3 s on one core, held-out MSEs of every epoch included
GRID_CELLS = 100        # G on cu.midpoint_grid(100), as the notebooks measure it
NAMES = ("train", "validation", "test")


@lru_cache(maxsize=8)
def sample(n_train, seed=0):
    """``((X_train, y_train), (X_val, y_val), (X_test, y_test))``, read-only, for ``n_train`` and ``seed``.

    One draw of ``make_dataset`` holds them all: the training part is its first ``n_train``
    rows (so a larger sample contains the smaller ones), validation and test the last 200.
    """
    X, y = make_dataset(max(SAMPLE_SIZES) + 2 * HELD_OUT, seed=seed)
    end = max(SAMPLE_SIZES)
    parts = ((X[:n_train], y[:n_train]), (X[end:end + HELD_OUT], y[end:end + HELD_OUT]),
             (X[end + HELD_OUT:], y[end + HELD_OUT:]))
    for array in (a for part in parts for a in part):
        array.flags.writeable = False
    return parts


@lru_cache(maxsize=1)
def grid():
    """``(X_grid (N, 2), f_grid (N, 1))``: ``midpoint_grid(GRID_CELLS)``, read-only."""
    X_grid, f_grid = midpoint_grid(GRID_CELLS)
    X_grid.flags.writeable = f_grid.flags.writeable = False
    return X_grid, f_grid


def epochs_for(n_train):
    """The epochs a run on ``n_train`` samples trains: ``EPOCHS``, cut to at most ``MAX_STEPS`` steps."""
    return min(EPOCHS, MAX_STEPS // -(-n_train // BATCH))


def run(weight_decay, optimizer, schedule, lr, n_train, width, seed=0, epochs=None):
    """Train once and return the numbers the figure needs (MSEs and G in the units of y).

    Returns a dict: ``curves`` (``{"train", "validation", "test"}``, the MSE after 0 to
    ``epochs_run`` epochs), ``f_hat`` (the learned surface on the grid, (N, 1), or None if
    not finite), ``G`` (or None), ``noise_floor`` (of the training part), ``weights_sq``
    (the sum of the squared weights W1 and W2, which weight decay shrinks), ``diverged``,
    ``epochs_run`` (``epochs``, default ``epochs_for(n_train)``), ``trained`` and the settings.
    ``epochs=0`` gives the start, untrained.
    """
    (X_tr, y_tr), (X_va, y_va), (X_te, y_te) = sample(n_train, seed)
    xs, ys = StandardScaler().fit(X_tr), StandardScaler().fit(y_tr)
    unit = float(ys.scale_[0]) ** 2
    epochs = epochs_for(n_train) if epochs is None else epochs
    result = train(xs.transform(X_tr), ys.transform(y_tr), init_params(width, "random", seed=seed), lr=lr,
                   epochs=epochs, batch_size=BATCH, seed=seed, optimizer=optimizer, weight_decay=weight_decay,
                   schedule=schedule,
                   validation=[(xs.transform(X_va), ys.transform(y_va)), (xs.transform(X_te), ys.transform(y_te))])
    curves = {name: np.asarray(c) * unit for name, c in zip(NAMES, (result.losses, *result.val_losses))}
    for curve in curves.values():
        curve.flags.writeable = False
    X_grid, f_grid = grid()
    with np.errstate(all="ignore"):
        f_hat = ys.inverse_transform(forward(xs.transform(X_grid), result.params))
    finite = bool(np.all(np.isfinite(f_hat)))
    p = result.params
    return {"weight_decay": weight_decay, "optimizer": optimizer, "schedule": schedule, "lr": lr,
            "n_train": n_train, "n_val": len(X_va), "n_test": len(X_te), "width": width, "seed": seed,
            "epochs_run": epochs, "trained": len(curves["train"]) - 1, "diverged": bool(result.diverged),
            "curves": curves, "f_hat": f_hat if finite else None, "G": grid_error(f_hat, f_grid) if finite else None,
            "noise_floor": mean_square_noise(X_tr, y_tr), "X_train": X_tr,
            "weights_sq": float(np.sum(p["W1"] ** 2) + np.sum(p["W2"] ** 2))}


def run_message(state):
    """A sentence for the learner when the run blew up, else "" (shown under the figure)."""
    train = state["curves"]["train"]
    if not state["diverged"]:
        if state.get("pending") or train[-1] <= train[0]:
            return ""
        return (f"The training MSE ended above where it started ({number(train[-1])} against {number(train[0])}): "
                f"a learning rate of {state['lr']:.3g} is too large for {state['optimizer']} here. Try a smaller one.")
    return (f"Training diverged at epoch {len(state['curves']['train'])}: a learning rate of {state['lr']:.3g} "
            f"overshoots with {state['optimizer']}. Try a smaller one.")


def _settings(state):
    rate = f"learning rate {state['lr']:.3g}, {state['schedule']} schedule"
    return (f"{state['n_train']:,} training samples, width {state['width']}, {state['optimizer']} at {rate}, "
            f"weight decay {state['weight_decay']:g}")


def _tail(curve):
    """The lowest and highest training MSE over the last tenth of the epochs (at least 1)."""
    tail = curve[-max(1, (len(curve) - 1) // 10):]
    return float(tail.min()), float(tail.max())


class RegularisationExplorer(Explorer):
    """Training, validation and test MSE per epoch, and the learned surface beside the true one, with G.

    ``state`` holds what ``run`` returns: ``curves`` (``{"train", "validation", "test"}``), ``f_hat``,
    ``G``, ``noise_floor``, ``weights_sq``, ``diverged``, ``epochs_run``, ``trained`` (0 while a long
    run shows its start) and the settings used.
    """

    figure_kw = {"ncols": 3, "figsize": (10.5, 4.6), "layout": None}
    margins = {"left": 0.075, "right": 0.93, "bottom": 0.27, "top": 0.9}

    def __init__(self, weight_decay=0.0, optimizer="adam", schedule="cosine", lr=0.01, n_train=30, width=64, seed=0):
        self.seed, self._finished = check_randomstate_seed(seed), Remembered(16)
        check_choice(weight_decay, "weight_decay", WEIGHT_DECAYS)
        check_choice(optimizer, "optimizer", OPTIMIZERS)
        check_choice(schedule, "schedule", SCHEDULES)
        check_in_range(lr, "lr", 1e-4, 1.0)
        check_choice(n_train, "n_train", SAMPLE_SIZES)
        check_choice(width, "width", WIDTHS)
        controls = {
            "weight_decay": steps("weight decay λ", [(f"{v:g}", v) for v in WEIGHT_DECAYS], float(weight_decay)),
            "optimizer": choice("optimiser", OPTIMIZERS, optimizer),
            "schedule": choice("schedule", SCHEDULES, schedule),
            "lr": log_slider("learning rate", lr, -4, 0, step=0.1),
            "n_train": steps("training samples", SAMPLE_SIZES, n_train),
            "width": steps("hidden units", WIDTHS, width),
        }
        super().__init__("Regularisation and optimisers: move a control and let go to retrain", controls)

    def close(self):
        """Close the widgets and forget the remembered runs (an ``Out[]`` entry may keep this object)."""
        super().close()
        self._finished = Remembered(16)

    def compute(self, weight_decay, optimizer, schedule, lr, n_train, width):
        key = (weight_decay, optimizer, schedule, lr, n_train, width, self.seed)
        state = self._finished.get(key)
        if state is None:
            # A new run: its start first (drawn at once), then the trained run.
            start = run(*key[:6], seed=self.seed, epochs=0)
            yield {**start, "epochs_run": epochs_for(n_train), "pending": True}, ""
            state = self._finished.put(key, run(*key[:6], seed=self.seed))
        yield state, run_message(state)

    def draw(self, fig, axes, state):
        curves_ax, learned_ax, true_ax = axes
        curves, trained, training = state["curves"], state["trained"], state.get("pending", False)
        self.figure_data = plot_loss_curves(
            curves_ax, {name: curves[name] for name in NAMES}, state["noise_floor"], log="wide", cap=math.inf,
            diverged={"train"} if state["diverged"] else (), epochs=state["epochs_run"],
            floor_label="noise floor (train)")
        # Under the curves, where no curve can run behind it.
        curves_ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=9, frameon=False)
        curves_ax.set_title("training… (the start shown)" if training else
                            f"{state['optimizer']}, {state['schedule']} rate {state['lr']:.3g}, "
                            f"λ = {state['weight_decay']:g}", loc="left", fontsize=11, y=1.01)
        _draw_surfaces(fig, learned_ax, true_ax, state)
        curves_ax.set_position([0.075, 0.27, 0.35, 0.63])
        learned_ax.set_position([0.48, 0.27, 0.21, 0.63])
        true_ax.set_position([0.71, 0.27, 0.21, 0.63])
        rows = []
        train = curves["train"]
        if state["diverged"]:
            rows.append(["training MSE", f"diverged at epoch {len(train)}"])
        else:
            low, high = _tail(train)
            rows += [[f"training MSE ({state['n_train']:,} samples), epoch {trained:,}", number(train[-1])],
                     ["… over the last tenth of the epochs", f"{number(low)} to {number(high)}"]]
        rows += [[f"validation MSE ({state['n_val']} samples)", number(curves["validation"][-1])],
                 [f"test MSE ({state['n_test']} samples)", number(curves["test"][-1])],
                 [f"grid error G of f̂ ({GRID_CELLS}×{GRID_CELLS} grid)",
                  number(state["G"]) if state["G"] is not None else "not finite"],
                 ["noise floor (training part)", number(state["noise_floor"])],
                 ["sum of squared weights, W1 and W2", number(state["weights_sq"])]]
        return html_table(["after training" if not training else "at the start", "value"], rows)

    def alt_text(self, state):
        curves, train = state["curves"], state["curves"]["train"]
        what = (f"Left: training, validation and test MSE against epoch on a log scale for {_settings(state)}, "
                f"{state['epochs_run']:,} epochs")
        if state.get("pending"):
            how = f"training is under way; at the start the training MSE is {number(train[0])}"
        elif state["diverged"]:
            how = f"the training MSE climbs from {number(train[0])} and diverges at epoch {len(train)}"
        else:
            verb = "falls" if train[-1] <= train[0] else "rises"
            floor = "below" if train[-1] < state["noise_floor"] else "above"
            how = (f"the training MSE {verb} from {number(train[0])} to {number(train[-1])}, {floor} the noise "
                   f"floor {number(state['noise_floor'])}; validation ends at {number(curves['validation'][-1])} "
                   f"and test at {number(curves['test'][-1])}")
        if state["G"] is None:
            maps = "Right: no learned surface, its values are not finite."
        else:
            (x1, x2), gap = _worst(state)
            which = "the start's surface" if state.get("pending") else "the learned surface"
            maps = (f"Right: {which} beside the true one on the square from -5 to 5, on one colour "
                    f"scale; their grid error G is {number(state['G'])}, and they differ most, by {gap:.1f}, "
                    f"at x1 = {x1:.1f}, x2 = {x2:.1f}.")
        return f"{what}: {how}. {maps}"


def _worst(state):
    """The grid point where f̂ and f differ most, and by how much."""
    X_grid, f_grid = grid()
    gaps = np.abs(state["f_hat"][:, 0] - f_grid[:, 0])
    i = int(np.argmax(gaps))
    return tuple(X_grid[i]), float(gaps[i])


def _draw_surfaces(fig, learned_ax, true_ax, state):
    """The learned surface (with the training points) and the true one, on one viridis colour scale."""
    _, f_grid = grid()
    low, high = float(f_grid.min()), float(f_grid.max())
    shape = (GRID_CELLS, GRID_CELLS)        # midpoint_grid: x1 varies fastest, so rows are x2
    style = {"origin": "lower", "extent": (-5, 5, -5, 5), "cmap": "viridis", "vmin": low, "vmax": high}
    if state["f_hat"] is not None:
        learned_ax.imshow(state["f_hat"].reshape(shape), **style)
        X = state["X_train"]
        few = len(X) <= 100          # a thousand points would hide the surface: smaller marks
        learned_ax.scatter(X[:, 0], X[:, 1], s=14 if few else 3, facecolor="white", edgecolor=COLORS["floor"],
                           linewidth=0.8 if few else 0.3, label="training samples")
        name = "f̂ at the start" if state.get("pending") else "learned f̂"
        learned_ax.set_title(f"{name}: G = {number(state['G'], 2)}", fontsize=11, y=1.01)
    else:
        learned_ax.text(0.5, 0.5, "no surface:\nnot finite", ha="center", va="center", transform=learned_ax.transAxes)
        learned_ax.set_title("learned f̂", fontsize=11, y=1.01)
    image = true_ax.imshow(f_grid.reshape(shape), **style)
    true_ax.set_title("true f", fontsize=11, y=1.01)
    for ax in (learned_ax, true_ax):
        ax.set(xlabel="$x_1$", xlim=(-5, 5), ylim=(-5, 5), xticks=(-4, 0, 4), yticks=(-4, 0, 4))
        ax.grid(False)
    learned_ax.set_ylabel("$x_2$")
    true_ax.set_yticklabels([])
    bar = fig.add_axes([0.935, 0.27, 0.012, 0.63])
    fig.colorbar(image, cax=bar, extend="both").set_label("f and f̂ (units of y)")


def regularisation_explorer(weight_decay=0.0, optimizer="adam", schedule="cosine", lr=0.01, n_train=30, width=64,
                            seed=0):
    """Retrain with weight decay, an optimiser and a schedule; draw the curves and the learned surface (notebook 06).

    ``weight_decay`` is λ, one of 0, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1,
    0.3 or 1, on the network's weights W1 and W2 (``train``'s ``weight_decay``; the
    data are standardised, so λ acts on weights of one scale); ``optimizer`` one of
    "sgd", "momentum" or "adam"; ``schedule`` one of "constant", "step" or "cosine";
    the learning rate moves on a log scale from 0.0001 to 1; ``n_train``, the training
    samples, one of 30, 50, 100, 200, 500 or 1,000; ``width`` one of 2, 4, 8, 16, 32 or
    64. Every run is 6,000 steps of batch 10 at most (2,000 epochs at most). ``seed``
    fixes the sample, the start and the shuffles.

    The defaults overfit 30 samples: weight decay 0.0003 lowers the grid error G of
    this sample from 2.93 to 2.26, and 0.03 raises it to 20.6 (over ten samples,
    see the module's docstring: a small λ helps on average, not on every sample).

    Returns
    -------
    RegularisationExplorer
        An ``ipywidgets.VBox``; ``.controls`` maps ``"weight_decay"``, ``"optimizer"``, ``"schedule"``,
        ``"lr"``, ``"n_train"`` and ``"width"`` to their widgets.
    """
    return RegularisationExplorer(weight_decay, optimizer, schedule, lr, n_train, width, seed)
