"""Training the 2-m-1 network: ``train`` for one network, ``train_many`` and ``width_sweep`` for several (notebooks 03, 04).

All three check their input here and hand the arithmetic to ``descent.py``,
which explains how it is made fast. The readable version of one step is
``backward`` followed by ``params[k] -= lr * grads[k]``; notebook 03 writes it
out by hand, and a test checks that ``train`` records the same losses to 1e-9.
``train`` is ``train_many`` with one start, so a network trained beside others
gets bit for bit the numbers it gets alone, at any learning rate.
"""

from dataclasses import dataclass

import numpy as np

from .descent import descend_many
from .minibatch import train_minibatch
from .network import INITS, init_params
from .validation import (as_params, as_X, as_y, check_choice, check_non_negative_int, check_output,
                         check_positive_float, check_positive_int, check_training_memory)


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


def train(X, y, params, lr=0.01, epochs=1000, output="linear", batch_size=None, seed=None, validation=None):
    """Train with full-batch gradient descent on the MSE (notebook 03).

    Parameters
    ----------
    X : array_like, shape (n_samples, 2)
    y : array_like, shape (n_samples, 1)
    params : dict
        Starting parameters from ``init_params``; not modified.
    lr : float
        The learning rate eta, greater than 0.
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
    if batch_size is None and validation is None:
        return train_many(X, y, [params], lr=lr, epochs=epochs, output=output)[0]
    X, y, (params,), lr, epochs = _check_training_args(X, y, [params], lr, epochs, output)
    new, losses, val_losses, diverged = train_minibatch(X, y, params, lr, epochs, output, batch_size, seed, validation)
    return TrainResult(params=new, losses=losses, diverged=diverged, val_losses=val_losses)


def train_many(X, y, starts, lr=0.01, epochs=1000, output="linear"):
    """Train several networks, each from its own start, and return one ``TrainResult`` per start (notebook 04).

    ``starts`` is a sequence of parameter dicts, whose widths m may differ.
    Result ``k`` is bit for bit what ``train(X, y, starts[k], lr, epochs, output)``
    gives: each network's arithmetic is its own, whichever networks share the
    pass. Networks of one width are trained together, which is much faster
    than one ``train`` call after another.

    Examples
    --------
    >>> X, y = make_dataset(200)
    >>> runs = train_many(X, y, [init_params(2), init_params(4)], epochs=5)
    >>> [len(r.losses) for r in runs]
    [5, 5]
    """
    X, y, starts, lr, epochs = _check_training_args(X, y, starts, lr, epochs, output)
    by_width = {}
    for k, p in enumerate(starts):
        by_width.setdefault(p["W1"].shape[1], []).append(k)
    groups = [(np.stack([np.hstack([starts[k]["W1"].T, starts[k]["b1"][:, None]]) for k in ks]),
               np.stack([starts[k]["W2"][:, 0] for k in ks]), np.concatenate([starts[k]["b2"] for k in ks]))
              for ks in by_width.values()]
    results = [None] * len(starts)
    for ks, (Wt, w2, b2, losses, n_run) in zip(by_width.values(), descend_many(X, y, groups, lr, epochs, output)):
        D = X.shape[1]
        for i, k in enumerate(ks):
            if epochs and n_run[i] == 0:
                raise ValueError(_not_finite_at_start(k, len(starts)))
            new = {"W1": Wt[i, :, :D].T.copy(), "b1": Wt[i, :, D].copy(), "W2": w2[i, :, None].copy(),
                   "b2": b2[i:i + 1].copy()}
            results[k] = TrainResult(params=new, losses=losses[i, :n_run[i]].copy(), diverged=bool(n_run[i] < epochs))
    return results


def _check_training_args(X, y, starts, lr, epochs, output):
    """Check what ``train`` and ``train_many`` are given; return ``X, y, starts, lr, epochs`` as they train on."""
    check_output(output)
    if isinstance(starts, (dict, str)):
        raise TypeError(f"starts must be a list of params dicts (for one network, use train), "
                        f"got a {type(starts).__name__}")
    try:
        starts = list(starts)
    except TypeError:
        raise TypeError(f"starts must be a sequence of params dicts, got {type(starts).__name__}") from None
    if not starts:
        raise ValueError("starts must hold at least one params dict, got an empty sequence")
    starts = [as_params(p, f"starts[{k}]" if len(starts) > 1 else "params") for k, p in enumerate(starts)]
    X = as_X(X, starts[0]["W1"].shape[0])
    for k, p in enumerate(starts):
        if p["W1"].shape[0] != X.shape[1]:
            raise ValueError(f"starts[{k}]['W1'] must have {X.shape[1]} rows, one per column of X, "
                             f"got shape {p['W1'].shape}")
    y = as_y(y, X.shape[0])
    lr, epochs = check_positive_float(lr, "lr"), check_non_negative_int(epochs, "epochs")
    check_training_memory(X.shape[0], [p["W1"].shape[1] for p in starts], epochs)
    return X, y, starts, lr, epochs


def _not_finite_at_start(k, count):
    which = f" of starts[{k}]" if count > 1 else ""
    return (f"the loss at the start{which} is not finite: the data or the weights are so large that the "
            f"squared error overflows float64 (above about 1.8e308) before the first step; scale them down")


def width_sweep(X, y, widths=(2, 4, 8, 16), init="ones", lr=0.01, epochs=1000, seed=None, output="linear"):
    """Train one network per hidden width m and return each one's loss curve (notebook 04).

    Width ``m`` starts from ``init_params(m, init, seed=seed)`` and is trained
    by ``train_many``, so its curve is bit for bit what ``train`` gives for that
    start alone. A width that diverges stops at its last finite loss; the
    others carry on untouched.

    Returns
    -------
    dict
        ``{width: losses}``, each losses an ndarray of shape (n_epochs_run,).
    """
    widths = _check_widths(widths)
    check_choice(init, "init", INITS)
    starts = [init_params(w, init, seed=seed) for w in widths]
    runs = train_many(X, y, starts, lr=lr, epochs=epochs, output=output)
    return {w: run.losses for w, run in zip(widths, runs)}


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
