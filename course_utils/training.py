"""Training the 2-H-1 network: ``train`` for one network, ``width_sweep`` for several widths at once (notebooks 03, 04).

Both check their input here and hand the arithmetic to ``descent.py``, which
explains how it is made fast. The readable version of one step is ``backward``
followed by ``params[k] -= lr * grads[k]``; notebook 03 writes it out by hand,
and a test checks that ``train`` records the same losses to 1e-9.
"""

from dataclasses import dataclass

import numpy as np

from .descent import descend
from .minibatch import train_minibatch
from .network import INITS, init_params
from .validation import (as_X, as_y, check_choice, check_non_negative_int, check_output, check_params,
                         check_positive_float, check_positive_int)


@dataclass
class TrainResult:
    """What ``train`` returns.

    Attributes
    ----------
    params : dict
        New parameter dict (the one passed in is left untouched).
    losses : ndarray, shape (n_epochs_run,)
        MSE before each epoch's update, as the original notebook records it.
    diverged : bool
        True if training stopped early at a loss that was not finite.
    val_losses : ndarray, shape (n_epochs_run,), or None
        Validation MSE before each epoch, when ``train`` was given ``validation`` (notebook 05).
    """

    params: dict
    losses: np.ndarray
    diverged: bool
    val_losses: np.ndarray = None

    @property
    def final_loss(self):
        """The last finite loss recorded, or NaN if none was."""
        return float(self.losses[-1]) if len(self.losses) else float("nan")


def _check_training_args(X, y, params, lr, epochs, output):
    check_output(output)
    n_inputs, _ = check_params(params)
    X = as_X(X, n_inputs)
    y = as_y(y, X.shape[0])
    return X, y, check_positive_float(lr, "lr"), check_non_negative_int(epochs, "epochs")


def train(X, y, params, lr=0.01, epochs=1000, output="linear", batch_size=None, seed=None, validation=None):
    """Train with full-batch gradient descent on the MSE (notebook 03).

    Parameters
    ----------
    X : array_like, shape (n_samples, n_inputs)
    y : array_like, shape (n_samples, 1)
    params : dict
        Starting parameters from ``init_params``; not modified.
    lr : float
        Learning rate, greater than 0.
    epochs : int
        Number of full-batch steps, 0 or more.
    output : {"linear", "sigmoid"}
    batch_size, seed, validation
        Mini-batch SGD (notebook 05; ``minibatch.py``). With both ``batch_size`` and ``validation``
        None, training is full batch as above. Otherwise: one ``rng = np.random.default_rng(seed)``
        per call; each epoch visits the samples in the order ``rng.permutation(n)``, in consecutive
        batches of ``batch_size`` (the last one shorter; None means all n); each batch takes one step
        with its own MSE gradient; ``losses[e]`` is still the whole training set's MSE before epoch e,
        and ``validation=(X_val, y_val)`` records ``val_losses`` the same way.

    Returns
    -------
    TrainResult
        Training stops at the first loss that is not finite; ``diverged`` is
        then True and ``losses`` holds the finite losses before it.
    """
    X, y, lr, epochs = _check_training_args(X, y, params, lr, epochs, output)
    if batch_size is not None or validation is not None:
        new, losses, val_losses, diverged = train_minibatch(X, y, params, lr, epochs, output, batch_size, seed, validation)
        return TrainResult(params=new, losses=losses, diverged=diverged, val_losses=val_losses)
    W1, b1, W2, b2 = (np.asarray(params[k], dtype=np.float64) for k in ("W1", "b1", "W2", "b2"))
    net = np.zeros(W1.shape[1], dtype=int)                   # one network: every unit is in network 0
    W1, b1, w2, b2, losses, n_run = descend(X, y, W1, b1, W2[:, 0], b2, net, lr, epochs, output)
    new = {"W1": W1, "b1": b1, "W2": w2[:, None], "b2": b2}
    return TrainResult(params=new, losses=losses[0, :n_run[0]].copy(), diverged=bool(n_run[0] < epochs))


def width_sweep(X, y, widths=(2, 4, 8, 16), init="ones", lr=0.01, epochs=1000, seed=None):
    """Train one network per hidden width, all in one pass, and return each one's loss curve (notebook 04).

    Width ``w`` starts from ``init_params(w, init, seed=seed)`` and is trained
    exactly as ``train`` would train it alone, with a linear output: the widths
    sit side by side in one hidden layer of ``sum(widths)`` units, and each
    reads its output through its own block of a block-diagonal ``W2``. A width
    that diverges is frozen and its curve stops at its last finite loss; the
    others carry on untouched.

    Returns
    -------
    dict
        ``{width: losses}``, each losses an ndarray of shape (n_epochs_run,).
    """
    widths = _check_widths(widths)
    check_choice(init, "init", INITS)
    X = as_X(X, 2)
    y = as_y(y, X.shape[0])
    lr, epochs = check_positive_float(lr, "lr"), check_non_negative_int(epochs, "epochs")
    starts = [init_params(w, init, seed=seed) for w in widths]
    W1, b1, W2, b2 = (np.concatenate([p[k] for p in starts], axis=-1 if k != "W2" else 0)
                      for k in ("W1", "b1", "W2", "b2"))
    net = np.repeat(np.arange(len(widths)), widths)          # unit -> the network it belongs to
    *_, losses, n_run = descend(X, y, W1, b1, W2[:, 0], b2, net, lr, epochs)
    return {w: losses[k, :n_run[k]].copy() for k, w in enumerate(widths)}


def _check_widths(widths):
    """Return ``widths`` as a tuple of distinct positive ints, or raise."""
    try:
        widths = tuple(widths)
    except TypeError:
        raise TypeError(f"widths must be a sequence of whole numbers such as (2, 4, 8, 16), got {widths!r}") from None
    if not widths:
        raise ValueError("widths must name at least one hidden width, got an empty sequence")
    widths = tuple(check_positive_int(w, "each width") for w in widths)
    if len(set(widths)) != len(widths):
        raise ValueError(f"widths must not repeat a width, got {widths}")
    return widths
