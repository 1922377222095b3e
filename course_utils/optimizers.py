"""Weight decay, momentum, Adam and learning-rate schedules for ``train`` (notebook 06).

The options are named as in ``torch.optim``, which a learner meets next, and follow its update rules.
With ``g`` the gradient of the MSE of one step (a whole epoch's samples, or one batch) and ``lr_e`` the
rate of the epoch the step is in:

* **weight decay** ``lambda``: ``g += lambda * W`` for the weights ``W1`` and ``W2``, before the update,
  as ``torch.optim.SGD`` and ``Adam`` add L2 to the gradient. The biases ``b1`` and ``b2`` are not
  decayed (as d2l 3.7 does): a bias only shifts a unit or the output, so shrinking it does not smooth
  the surface; it would pull every prediction towards 0. The recorded losses stay the data's MSE.
* ``"sgd"``: ``p -= lr_e * g``.
* ``"momentum"``, the heavy ball (``torch.optim.SGD`` with ``momentum``, no dampening, no Nesterov):
  ``buf = momentum * buf + g``, with ``buf = g`` at the first step, then ``p -= lr_e * buf``.
* ``"adam"`` (``torch.optim.Adam``): ``m = b1 m + (1 - b1) g``, ``v = b2 v + (1 - b2) g**2``, both from 0,
  and at step ``t = 1, 2, ...``: ``p -= lr_e / (1 - b1**t) * m / (sqrt(v) / sqrt(1 - b2**t) + eps)``.

The schedules give every step of epoch ``e`` (0, 1, ..., epochs - 1) the rate ``lr_e``:

* ``"constant"``: ``lr``;
* ``"cosine"``: ``lr * (1 + cos(pi e / epochs)) / 2``, torch's ``CosineAnnealingLR(T_max=epochs)``
  stepped once an epoch, from ``lr`` down towards 0;
* ``"step"``: ``lr``, times 0.1 from epoch ``epochs // 2`` and times 0.01 from ``3 * epochs // 4``,
  torch's ``MultiStepLR`` with those milestones and ``gamma=0.1``.

The readable version of one step is ``Optimizer.step`` below; the engines (``_descent.py`` and
``_minibatch.py``) call it on their own layouts, and a test checks ``train`` against a plain loop
over ``backward`` that calls nothing of this module, to 1e-9, and against ``torch.optim`` where
PyTorch is installed.
"""

import math
from typing import NamedTuple

import numpy as np

from ._checks import (check_choice, check_non_negative_float, check_non_negative_int, check_positive_float,
                      check_real_number, shown)

OPTIMIZERS = ("sgd", "momentum", "adam")
SCHEDULES = ("constant", "cosine", "step")
DEFAULT_MOMENTUM, DEFAULT_BETAS, DEFAULT_EPS = 0.9, (0.9, 0.999), 1e-8


class Optimizer(NamedTuple):
    """How ``train`` updates the parameters: made and checked by ``make_optimizer``."""

    name: str = "sgd"
    weight_decay: float = 0.0
    momentum: float = DEFAULT_MOMENTUM
    betas: tuple = DEFAULT_BETAS
    eps: float = DEFAULT_EPS
    schedule: str = "constant"

    @property
    def plain(self):
        """True for the course's first rule, ``p -= lr * g`` at one rate: the engines' original fast path."""
        return self.name == "sgd" and self.weight_decay == 0.0 and self.schedule == "constant"

    @property
    def slots(self):
        """Arrays it keeps per parameter: 0 for SGD, 1 for momentum (its buffer), 3 for Adam (m, v, a scratch)."""
        return (0, 1, 3)[OPTIMIZERS.index(self.name)]

    def start(self, params):
        """The state for a list of parameter arrays: per array, ``slots`` arrays, made at the first step."""
        return State([[None] * self.slots for _ in params])

    def step(self, params, grads, state, lr):
        """Update every array of ``params`` in place with its gradient in ``grads``, which is overwritten.

        ``state`` is what ``start(params)`` gave and carries over from step to step. Weight decay is the
        caller's (it knows which arrays, or which parts of one, are weights): see ``decay``. Every operation
        writes into an array made at the first step, because the engines call this once per mini-batch.
        """
        state.t += 1
        for p, g, slot in zip(params, grads, state.slots):
            if self.name == "momentum":
                if slot[0] is None:
                    slot[0] = g.copy()                           # buf = g at the first step
                else:
                    slot[0] *= self.momentum
                    slot[0] += g
                np.multiply(slot[0], lr, out=g)
            elif self.name == "adam":
                # m and v are kept divided by (1 - beta1) and (1 - beta2), which saves two operations a step:
                # m' = beta1 m' + g and v' = beta2 v' + g**2, and the step is the same, rearranged:
                # lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps) = k * m' / (sqrt(v') + eps / c)
                # with c = sqrt((1 - beta2) / (1 - beta2**t)) and k = lr (1 - beta1) / ((1 - beta1**t) c).
                b1, b2 = self.betas
                if slot[0] is None:
                    slot[:] = np.zeros_like(g), np.zeros_like(g), np.empty_like(g)
                m, v, scratch = slot
                v *= b2
                v += np.multiply(g, g, out=scratch)
                m *= b1
                m += g
                c = math.sqrt((1.0 - b2) / (1.0 - b2 ** state.t))
                np.sqrt(v, out=scratch)
                scratch += self.eps / c
                np.divide(m, scratch, out=g)
                g *= lr * (1.0 - b1) / ((1.0 - b1 ** state.t) * c)
            else:
                g *= lr
            p -= g


class State:
    """An optimizer's memory between steps: the step count ``t`` and, per parameter array, its slots."""

    def __init__(self, slots):
        self.t, self.slots = 0, slots


def decay(grad, weights, weight_decay):
    """``grad += weight_decay * weights`` in place (nothing when it is 0); returns ``grad``."""
    if weight_decay:
        grad += weight_decay * weights
    return grad


def learning_rates(lr, epochs, schedule="constant"):
    """The rate of each epoch, ``lr_e`` for e = 0, ..., epochs - 1, under ``schedule`` (see the module docstring).

    >>> learning_rates(0.1, 4, "step")
    array([0.1  , 0.1  , 0.01 , 0.001])
    """
    lr, epochs = check_positive_float(lr, "lr"), check_non_negative_int(epochs, "epochs")
    check_choice(schedule, "schedule", SCHEDULES)
    e = np.arange(epochs)
    if schedule == "cosine":
        return lr * (1.0 + np.cos(np.pi * e / epochs)) / 2.0
    rates = np.full(epochs, lr)
    if schedule == "step":
        rates[epochs // 2:] = lr * 0.1
        rates[3 * epochs // 4:] = lr * 0.01
    return rates


def make_optimizer(optimizer="sgd", weight_decay=0.0, momentum=None, betas=None, eps=None, schedule="constant"):
    """Check ``train``'s optimizer arguments and return them as an ``Optimizer``, or raise saying what is wrong.

    ``momentum`` belongs to ``"momentum"`` only, and ``betas`` and ``eps`` to ``"adam"`` only: given with
    another optimizer they would be silently ignored, so that is an error. None takes PyTorch's default.
    """
    check_choice(optimizer, "optimizer", OPTIMIZERS)
    check_choice(schedule, "schedule", SCHEDULES)
    weight_decay = check_non_negative_float(weight_decay, "weight_decay")
    for name, value, owner in (("momentum", momentum, "momentum"), ("betas", betas, "adam"), ("eps", eps, "adam")):
        if value is not None and optimizer != owner:
            raise ValueError(f"{name} is used by optimizer={owner!r} only, got optimizer={optimizer!r} with "
                             f"{name}={shown(value)}; leave {name} out, or choose optimizer={owner!r}")
    if momentum is None:
        momentum = DEFAULT_MOMENTUM
    momentum = _fraction(momentum, "momentum")
    if betas is None:
        betas = DEFAULT_BETAS
    if isinstance(betas, (str, bytes, dict)) or not hasattr(betas, "__len__") or len(betas) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2), each from 0 up to (not including) 1, got {shown(betas)}")
    betas = (_fraction(betas[0], "betas[0]"), _fraction(betas[1], "betas[1]"))
    eps = DEFAULT_EPS if eps is None else check_positive_float(eps, "eps")
    return Optimizer(optimizer, weight_decay, momentum, betas, eps, schedule)


def _fraction(value, name):
    """``value`` as a float from 0 up to (not including) 1, or raise."""
    number = check_real_number(value, name)
    if not 0.0 <= number < 1.0:
        raise ValueError(f"{name} must be a number from 0 up to (not including) 1, got {shown(value, True)}")
    return number
