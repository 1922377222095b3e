"""Training runs remembered by setting, so the explorers only train what they have not seen."""

import numpy as np

from ..network import init_params
from ..training import train
from ._base import course_data


class RunCache:
    """Loss curves of ``train`` runs on the course data, keyed by everything but the epoch count.

    Full-batch gradient descent is deterministic, so the first ``E`` losses of a
    longer run *are* the run of ``E`` epochs, and training ``k`` more epochs from
    a run's final parameters continues it exactly (``train`` converts the
    parameters without rounding). Fewer epochs cost nothing; more cost only the extra ones.
    """

    def __init__(self, size=64):
        self.size, self.runs = size, {}

    def known(self, width, init="ones", output="linear", lr=0.01, seed=None):
        """How many epochs of this run are known already (a diverged run counts as complete)."""
        run = self.runs.get(self._key(width, init, output, lr, seed))
        return 0 if run is None else (float("inf") if run[2] else len(run[1]))

    def losses(self, epochs, width, init="ones", output="linear", lr=0.01, seed=None):
        """Return ``(losses, diverged)`` for a run of ``epochs``; ``losses`` is read-only, shape (n_epochs_run,).

        The run starts from ``init_params(width, init, seed=seed)``; ``seed`` only
        matters for ``init="random"``.
        """
        key = self._key(width, init, output, lr, seed)
        _, losses, diverged = self._store(key, _continue(key, self.runs.get(key), epochs))
        return losses[:epochs], diverged and len(losses) < epochs

    @staticmethod
    def _key(width, init, output, lr, seed):
        return (width, init, output, lr, seed if init == "random" else None)

    def _store(self, key, run):
        """Keep ``run`` under ``key`` as the most recently used, forgetting the oldest beyond ``size``."""
        self.runs.pop(key, None)
        self.runs[key] = run
        while len(self.runs) > self.size:
            self.runs.pop(next(iter(self.runs)))
        return run


def _continue(key, run, epochs):
    """``run`` (or a fresh start, if None) trained on to ``epochs``: a new ``(params, losses, diverged)``."""
    width, init, output, lr, seed = key
    params, losses, diverged = run if run is not None else (init_params(width, init, seed=seed), np.empty(0), False)
    if len(losses) < epochs and not diverged:
        X, y = course_data()
        more = train(X, y, params, lr=lr, epochs=epochs - len(losses), output=output)
        params, losses, diverged = more.params, np.concatenate([losses, more.losses]), more.diverged
        losses.flags.writeable = False
    return params, losses, diverged
