"""Training runs remembered by setting, so the explorers only train what they have not seen.

Every explorer that trains uses the two tools here: ``Remembered``, the one cache of
finished work, and ``staged``, the one loop that trains in chunks and says when to draw.
"""

import time
from collections import OrderedDict
from functools import lru_cache

import numpy as np

from ..curvature import sharpness
from ..network import init_params
from ..scaling import StandardScaler
from ..training import train
from ..data import cached_dataset


@lru_cache(maxsize=2)
def training_data(standardise=False):
    """``(X, y, loss_scale)``: the course data, raw or standardised, and what turns its MSE into original units.

    Standardised, ``X`` and ``y`` are each scaled to mean 0 and standard
    deviation 1 (``StandardScaler``); a loss on that scale times
    ``loss_scale`` = s_y² is the MSE in the original units of y.
    """
    X, y = cached_dataset()
    if not standardise:
        return X, y, 1.0
    y_scaler = StandardScaler().fit(y)
    Xs, ys = StandardScaler().fit_transform(X), y_scaler.transform(y)
    Xs.flags.writeable = ys.flags.writeable = False
    return Xs, ys, float(y_scaler.scale_[0] ** 2)


class Remembered:
    """The explorers' one cache: at most ``size`` items by key, the least recently used forgotten first."""

    def __init__(self, size):
        self.size, self.items = size, OrderedDict()

    def get(self, key, default=None):
        """The item under ``key`` (now the most recently used), or ``default``."""
        if key not in self.items:
            return default
        self.items.move_to_end(key)
        return self.items[key]

    def put(self, key, item):
        """Keep ``item`` under ``key`` as the most recently used; returns ``item``."""
        self.items[key] = item
        self.items.move_to_end(key)
        while len(self.items) > self.size:
            self.items.popitem(last=False)
        return item

    def __contains__(self, key):
        return key in self.items


def staged(advance, chunk, smallest=1, first=0.05, every=0.3, chunk_s=0.04):
    """The explorers' one staged-training loop: ``advance(k)`` trains about ``k`` epochs more, True once done.

    A generator: it calls ``advance`` again and again, resizing the chunk so each
    takes about ``chunk_s`` seconds (from ``smallest`` to 1000 epochs), and yields
    (None) once ``first`` seconds have passed, then every ``every`` seconds (or twice
    as long as the caller took to draw the last frame, if longer), and always once
    at the end, so the caller can draw the run growing.
    """
    last, wait, done = time.perf_counter(), first, False
    while not done:
        tick = time.perf_counter()
        done = advance(chunk)
        took = time.perf_counter() - tick
        chunk = int(np.clip(chunk * chunk_s / max(took, 1e-4), smallest, 1000))   # about chunk_s per chunk
        now = time.perf_counter()
        if not done and now - last >= wait:
            yield
            last = time.perf_counter()
            # Drawing a frame takes the caller a while: keep it to about a third of the time.
            wait = max(every, 2 * (last - now))
    yield


class RunCache:
    """Loss curves of ``train`` runs on the course data, keyed by everything but the epoch count.

    Full-batch gradient descent is deterministic, so the first ``E`` losses of a
    longer run *are* the run of ``E`` epochs, and training ``k`` more epochs from
    a run's final parameters continues it exactly (``train`` converts the
    parameters without rounding). Fewer epochs cost nothing; more cost only the extra ones.
    Losses are kept in the original units of y, standardised or not.
    """

    def __init__(self, size=64):
        self.runs = Remembered(size)

    def known(self, width, init="ones", output="linear", lr=0.01, seed=None, standardise=False):
        """How many epochs of this run are known already (a diverged run counts as complete)."""
        run = self.runs.get(self._key(width, init, output, lr, seed, standardise))
        return 0 if run is None else (float("inf") if run[2] else len(run[1]) - 1)

    def losses(self, epochs, width, init="ones", output="linear", lr=0.01, seed=None, standardise=False):
        """Return ``(losses, diverged)`` for a run of ``epochs``; ``losses`` (read-only) after 0 to ``epochs`` epochs.

        The run starts from ``init_params(width, init, seed=seed)``; ``seed`` only
        matters for ``init="random"``. ``diverged`` is True if the loss overflowed
        within ``epochs``: ``losses`` then holds the finite losses before it.
        """
        key = self._key(width, init, output, lr, seed, standardise)
        _, losses, diverged = self.runs.put(key, _continue(key, self.runs.get(key), epochs))
        return losses[:epochs + 1], diverged and len(losses) < epochs + 1

    def end_params(self, width, init="ones", output="linear", lr=0.01, seed=None, standardise=False):
        """The parameters after the longest stretch of this run trained so far (None if none was)."""
        run = self.runs.get(self._key(width, init, output, lr, seed, standardise))
        return None if run is None else run[0]

    def grow(self, runs, epochs, first=0.05, every=0.3, chunk_s=0.04):
        """Train every run in ``runs`` (tuples of ``losses`` arguments after ``epochs``) on to ``epochs``.

        A generator: it trains in chunks of epochs, one run after another, and
        yields the epoch reached once ``first`` seconds have passed, then every
        ``every`` seconds (or twice as long as the caller took to draw the last
        frame, if longer), and always once at the end, so a caller can draw the
        curves growing. Continuing a run is exact, so the staged curves equal
        uninterrupted ones. Runs already known cost nothing and yield once.
        """
        reached = [min((self.known(*r) for r in runs), default=epochs)]
        if reached[0] >= epochs:
            yield epochs
            return

        def advance(chunk):
            reached[0] = min(epochs, reached[0] + chunk)
            for run in runs:
                self.losses(reached[0], *run)
            return reached[0] >= epochs

        for _ in staged(advance, 25, 10, first, every, chunk_s):
            yield reached[0]

    @staticmethod
    def _key(width, init, output, lr, seed, standardise):
        return (width, init, output, lr, seed if init == "random" else None, bool(standardise))


def _continue(key, run, epochs):
    """``run`` (or a fresh start, if None) trained on to ``epochs``: a new ``(params, losses, diverged)``."""
    width, init, output, lr, seed, standardise = key
    params, losses, diverged = run if run is not None else (init_params(width, init, seed=seed), np.empty(0), False)
    done = max(len(losses) - 1, 0)                 # epochs trained: losses holds the loss after 0 to done of them
    if (done < epochs or not len(losses)) and not diverged:
        X, y, loss_scale = training_data(standardise)
        # A stretch ends at the parameters of its last finite loss, so the next one starts from a finite loss.
        more = train(X, y, params, lr=lr, epochs=epochs - done, output=output)
        new = more.losses * loss_scale if standardise else more.losses
        new = new[1:] if len(losses) else new      # the next stretch's first loss is this one's last
        params, losses, diverged = more.params, np.concatenate([losses, new]), more.diverged
        losses.flags.writeable = False
    return params, losses, diverged


def stable_limit(params, output="linear", standardise=False):
    """2 / λ_max for ``params`` on the (raw or standardised) course data, or None if it cannot be computed.

    Gradient descent with a learning rate above this overshoots along the
    sharpest direction of the loss and cannot settle there. None when the
    params are not finite, or so large (above 1e4) that ``sharpness`` has no
    accurate finite-difference step for them.
    """
    if params is None or not all(np.all(np.isfinite(v)) for v in params.values()):
        return None
    X, y, _ = training_data(standardise)
    try:
        lam = sharpness(X, y, params, output)
    except ValueError:          # weights near 1e109 after a run at lr 10: no step is accurate, say so
        return None
    return 2.0 / lam if lam > 0 else float("inf")
