"""Training the 2-m-1 network: ``train`` for one network, ``train_many`` and ``width_sweep`` for several (notebooks 03, 04).

All three check their input here and hand the arithmetic to ``_descent.py``,
which explains how it is made fast. The readable version of one step is
``backward`` followed by ``params[k] -= lr * grads[k]``; notebook 03 writes it
out by hand, and a test checks that ``train`` records the same losses to 1e-9.
``train`` is ``train_many`` with one start, so a network trained beside others
gets bit for bit the numbers it gets alone, at any learning rate.
"""

from dataclasses import dataclass

import numpy as np

from ._checks import (check_choice, check_copies_memory, check_seed, check_held_out, check_training_args,
                      check_widths, count_numbers)
from ._descent import descend_group, descend_many
from ._minibatch import FullMSE, train_minibatch
from .network import INITS, init_params
from .optimizers import make_optimizer


@dataclass
class TrainResult:
    """What ``train`` returns.

    Attributes
    ----------
    params : dict
        New parameter dict (the one passed in is left untouched).
    losses : ndarray, shape (epochs + 1,) or shorter if it diverged
        ``losses[i]`` is the MSE after i epochs: ``losses[0]`` is the loss of the starting
        parameters and ``losses[-1]`` the loss of ``params``.
    diverged : bool
        True if training stopped early at a loss that was not finite; ``params`` are then
        the last ones whose loss was finite, and ``losses`` ends with their loss.
    val_losses : ndarray, list of ndarrays, or None
        Held-out MSE after each epoch, like ``losses``, when ``train`` was given ``validation``
        (notebook 05): one array for one pair ``(X_val, y_val)``, a list of arrays (one per pair,
        in order) for a list of pairs. ``val_losses[-1]`` is the held-out loss of ``params``.
    """

    params: dict
    losses: np.ndarray
    diverged: bool
    val_losses: np.ndarray = None

    @property
    def final_loss(self):
        """The loss of ``params``, the last one recorded."""
        return float(self.losses[-1]) if len(self.losses) else float("nan")


def train(X, y, params, *, lr=0.01, epochs=1000, output="linear", batch_size=None, seed=None, validation=None,
          optimizer="sgd", weight_decay=0.0, momentum=None, betas=None, eps=None, schedule="constant"):
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
    batch_size, seed
        Mini-batch SGD (notebook 05; ``_minibatch.py``). With ``batch_size`` None, training is full
        batch as above and ``seed`` (checked all the same) is not used. Otherwise: one
        ``rng = np.random.default_rng(seed)`` per call; each epoch visits the samples in the order
        ``rng.permutation(n)``, in consecutive batches of ``batch_size`` (the last one shorter); each
        batch takes one step with its own MSE gradient; ``losses[e]`` is still the whole training
        set's MSE after e epochs. A seed is None, a whole number >= 0 or a numpy Generator.
    validation : tuple (X_val, y_val), list of such tuples, or None
        Held-out data, ``X_val`` (n_val, 2) and ``y_val`` (n_val, 1), whose MSE is recorded with
        each training loss: for one tuple, ``val_losses`` is an array like ``losses``; for a list of
        k tuples (such as a validation and a test set), a list of k such arrays, in the same order,
        each bit for bit what that tuple alone gives. It never changes how training runs: the losses
        and params are bit for bit those of the same call without it.
    optimizer : {"sgd", "momentum", "adam"}
    weight_decay, momentum, betas, eps, schedule
        Notebook 06, named and computed as in ``torch.optim`` (``optimizers.py`` gives the rules):
        ``weight_decay`` adds ``weight_decay * W`` to the gradient of the weights W1 and W2 (not the
        biases); ``momentum`` (default 0.9) is for ``"momentum"`` only, ``betas`` (default (0.9, 0.999))
        and ``eps`` (default 1e-8) for ``"adam"`` only; ``schedule`` is ``"constant"``, ``"cosine"`` or
        ``"step"`` and sets each epoch's rate. The state of momentum and Adam carries over from step
        to step, and from batch to batch. The losses recorded stay the data's MSE.

    Returns
    -------
    TrainResult
        Training stops at the first loss that is not finite; ``diverged`` is
        then True, and ``losses`` and ``params`` end at the last finite loss
        before it. A loss that is not finite before the first step raises a
        ValueError instead, full batch or mini-batch.
    """
    seed = check_seed(seed)
    opt = make_optimizer(optimizer, weight_decay, momentum, betas, eps, schedule)
    if batch_size is None and validation is None:
        return _train_many(X, y, [params], lr, epochs, output, opt)[0]
    X, y, (params,), lr, epochs = check_training_args(X, y, [params], lr, epochs, output, copies=opt.slots)
    if batch_size is None:
        pairs, many = check_held_out(validation, X.shape[1], params["W1"].shape[1], epochs)
        new, losses, watched, diverged = _full_batch_watched(X, y, params, lr, epochs, output, pairs, opt)
        val_losses = watched if many else watched[0]
    else:
        new, losses, val_losses, diverged = train_minibatch(X, y, params, lr, epochs, output, batch_size, seed,
                                                            validation, opt)
    if not len(losses):
        raise ValueError(_not_finite_at_start(0, 1))
    return TrainResult(params=new, losses=losses, diverged=diverged, val_losses=val_losses)


def _full_batch_watched(X, y, params, lr, epochs, output, pairs, opt):
    """Full-batch descent that also records the MSE of each held-out pair with each training loss.

    Returns ``new, losses, watched, diverged``, with ``watched`` a list of arrays, one per pair of ``pairs``.

    It runs the engine of ``train_many`` on one network, which hands it the parameters of each loss it
    records, so the losses and params are bit for bit those of ``train`` without validation.
    """
    D = X.shape[1]
    W_aug = np.hstack([params["W1"].T, params["b1"][:, None]])[None]     # (1, m, D+1), as train_many stacks it
    held_out = [FullMSE(X_val, y_val, output == "sigmoid") for X_val, y_val in pairs]
    watched = [[] for _ in pairs]

    def observe(W_neg, w2, b2):
        with np.errstate(all="ignore"):                                # a held-out loss may overflow: recorded as it is
            for row, mse in zip(watched, held_out):
                row.append(mse(W_neg[0].T, w2[0], b2[0]))

    W_aug, w2, b2, losses, n_run = descend_group(X, y, W_aug, params["W2"][:, 0][None], params["b2"], lr, epochs,
                                                 output, opt=opt, observe=observe)
    count = int(n_run[0])
    new = {"W1": W_aug[0, :, :D].T.copy(), "b1": W_aug[0, :, D].copy(), "W2": w2[0, :, None].copy(), "b2": b2.copy()}
    return new, losses[0, :count].copy(), [np.array(row[:count]) for row in watched], count < epochs + 1


def train_many(X, y, starts, *, lr=0.01, epochs=1000, output="linear", optimizer="sgd", weight_decay=0.0,
               momentum=None, betas=None, eps=None, schedule="constant"):
    """Train several networks, each from its own start, and return one ``TrainResult`` per start (notebook 04).

    ``starts`` is a sequence of parameter dicts, whose widths m may differ.
    Result ``k`` is bit for bit what ``train(X, y, starts[k], lr=lr, epochs=epochs, output=output)``
    gives, with the same optimizer options (full batch; see ``train``): each network's arithmetic is
    its own, whichever networks share the pass. Networks of one width are trained together, which is
    much faster than one ``train`` call after another.

    Examples
    --------
    >>> X, y = make_dataset(200)
    >>> runs = train_many(X, y, [init_params(2), init_params(4)], epochs=5)
    >>> [len(r.losses) for r in runs]          # the loss after 0, 1, ..., 5 epochs
    [6, 6]
    """
    opt = make_optimizer(optimizer, weight_decay, momentum, betas, eps, schedule)
    return _train_many(X, y, starts, lr, epochs, output, opt)


def _train_many(X, y, starts, lr, epochs, output, opt):
    """``train_many`` with its optimizer options already checked, as ``opt``."""
    copies = COPIES + opt.slots                              # momentum's buffer; Adam's two moments and a scratch
    if not isinstance(starts, (dict, str)):
        try:
            starts = list(starts)
        except TypeError:
            pass                                             # check_training_args says what is wrong
        else:
            check_copies_memory([count_numbers(p) for p in starts], [_width(p) for p in starts], X, epochs, copies,
                                "train_many's copies of its {} starts")
    X, y, starts, lr, epochs = check_training_args(X, y, starts, lr, epochs, output, copies=copies)
    by_width = {}
    for k, p in enumerate(starts):
        by_width.setdefault(p["W1"].shape[1], []).append(k)
    groups = [(np.stack([np.hstack([starts[k]["W1"].T, starts[k]["b1"][:, None]]) for k in ks]),
               np.stack([starts[k]["W2"][:, 0] for k in ks]), np.concatenate([starts[k]["b2"] for k in ks]))
              for ks in by_width.values()]
    results = [None] * len(starts)
    trained = descend_many(X, y, groups, lr, epochs, output, opt=opt)
    for ks, (W_aug, w2, b2, losses, n_run) in zip(by_width.values(), trained):
        D = X.shape[1]
        for i, k in enumerate(ks):
            if n_run[i] == 0:
                raise ValueError(_not_finite_at_start(k, len(starts)))
            new = {"W1": W_aug[i, :, :D].T.copy(), "b1": W_aug[i, :, D].copy(), "W2": w2[i, :, None].copy(),
                   "b2": b2[i:i + 1].copy()}
            results[k] = TrainResult(params=new, losses=losses[i, :n_run[i]].copy(),
                                     diverged=bool(n_run[i] < epochs + 1))
    return results


def _not_finite_at_start(k, count):
    which = f" of starts[{k}]" if count > 1 else ""
    return (f"the loss at the start{which} is not finite: the data or the weights are so large that the "
            f"squared error overflows float64 (above about 1.8e308) before the first step; scale them down")


def width_sweep(X, y, *, widths=(2, 4, 8, 16), init="ones", lr=0.01, epochs=1000, output="linear", seed=None):
    """Train one network per hidden width m and return each one's ``TrainResult`` (notebook 04).

    Width ``m`` starts from ``init_params(m, init, seed=seed)`` and is trained
    by ``train_many``, so its result is bit for bit what ``train`` gives for that
    start alone. A width that diverges stops at its last finite loss (its
    ``diverged`` is True); the others carry on untouched.

    Returns
    -------
    dict
        ``{width: TrainResult}``, in the order of ``widths``: ``sweep[m].losses`` is the loss after
        0, 1, ..., epochs epochs, ``sweep[m].params`` the trained parameters.

    Examples
    --------
    >>> sweep = width_sweep(X, y, widths=(2, 4), epochs=5)
    >>> {m: len(run.losses) for m, run in sweep.items()}
    {2: 6, 4: 6}
    """
    widths = check_widths(widths)
    check_choice(init, "init", INITS)
    seed = check_seed(seed)
    check_copies_memory([4 * w + 1 for w in widths], widths, X, epochs, COPIES + 1,   # the starts, 4 m + 1 numbers
                        "the {} starts of width_sweep and train_many's copies of them")
    starts = [init_params(w, init, seed=seed) for w in widths]
    runs = train_many(X, y, starts, lr=lr, epochs=epochs, output=output)
    return dict(zip(widths, runs))


# float64 copies of its starts train_many holds at once (checked copy, stacks, working, the parameters of the last
# finite loss, final, results). Measured with tracemalloc: the peak of train_many is 4.0 to 5.6 times its starts'
# numbers when they dominate (many wide starts on few samples), besides the work arrays counted on their own.
COPIES = 6


def _width(params):
    """The width m of a params dict whose W1 is already a 2-D array with columns, or None (the checks come later)."""
    W1 = params.get("W1") if isinstance(params, dict) else None
    return W1.shape[1] if isinstance(W1, np.ndarray) and W1.ndim == 2 and W1.shape[1] >= 1 else None
