"""Centred finite differences, the referee for a backward pass (notebook 03).

``numerical_gradient`` computes the gradients without calculus and
``relative_error`` compares them with a backward pass's. The check a learner
runs on their own ``backward``, ``check_gradients``, is built on these in
``course_utils/exercises/gradients.py``.
"""

import numpy as np

from ._checks import as_real_array, as_X_y_params, check_positive_float
from .network import forward, mse

# Relative error below this counts as a match; float64 centred differences reach about 1e-9 here.
TOLERANCE = 1e-7
# An entry far below the loss has a centred difference made mostly of rounding: about eps * loss / delta,
# measured at most 1.13 times that over 6,000 small problems. Differences below this many times it count as a match.
ROUNDING_MARGIN = 20


def numerical_gradient(X, y, params, output="linear", delta=1e-5):
    """Gradients of the MSE by centred differences: ``(L(p + delta) - L(p - delta)) / (2 delta)``.

    Slow (two forward passes per parameter entry) but needs no calculus, which
    makes it the referee for a hand-written backward pass. ``params`` is not
    modified; keys other than W1, b1, W2, b2 are left out of the result.

    Parameters
    ----------
    X : array_like, shape (n, 2)
    y : array_like, shape (n, 1)
    params : dict
        ``W1`` (2, m), ``b1`` (m,), ``W2`` (m, 1), ``b2`` (1,).
    output : {"linear", "sigmoid"}
    delta : float
        The finite-difference step, a finite number greater than 0.

    Returns
    -------
    dict
        ``W1``, ``b1``, ``W2``, ``b2``, each with the shape of that parameter.
    """
    X, y, work = as_X_y_params(X, y, params, output)
    delta = check_positive_float(delta, "delta")
    if not np.isfinite(mse(y, forward(X, work, output))):
        raise ValueError("the loss at these params overflows float64 (above about 1.8e308): "
                         "the data or the weights are too large for a gradient")
    grads = {}
    for key, value in work.items():
        grad = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            saved = value[idx]
            value[idx] = saved + delta
            loss_plus = mse(y, forward(X, work, output))
            value[idx] = saved - delta
            loss_minus = mse(y, forward(X, work, output))
            value[idx] = saved
            with np.errstate(all="ignore"):
                grad[idx] = (loss_plus - loss_minus) / (2 * delta)
        if not np.all(np.isfinite(grad)):
            raise ValueError(f"the centred difference for {key} overflows float64: the data or the weights are "
                             f"too large, or delta ({delta:g}) is")
        grads[key] = grad
    return grads


def rounding_level(loss, delta=1e-5):
    """The absolute error that rounding alone leaves in a centred difference of a loss near ``loss``.

    About ``eps * |loss| / delta``: each of the two losses is rounded to a relative eps, and their
    difference is divided by ``2 delta``.
    """
    return float(np.finfo(np.float64).eps * abs(loss) / delta)


def matches(a, b, rounding=0.0):
    """True when every entry of ``a`` is within ``TOLERANCE`` relative of ``b``, or within ``ROUNDING_MARGIN`` times
    ``rounding`` (from ``rounding_level``) absolute: an entry far below the loss is resolved only to its rounding."""
    gap, scale = _halved_gaps(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    with np.errstate(all="ignore"):
        return bool(np.all((gap < TOLERANCE * scale) | (gap <= ROUNDING_MARGIN * rounding / 2)))


def _halved_gaps(a, b):
    """Per entry, ``|a - b| / 2`` and ``max(|a| + |b|, 1e-8) / 2``: the two sides of the cs231n ratio.

    Halved, so that ``|a| + |b|`` cannot overflow; NaN or inf in an entry gives NaN there, without a warning.
    """
    with np.errstate(all="ignore"):
        ha, hb = a / 2, b / 2
        return np.abs(ha - hb), np.maximum(np.abs(ha) + np.abs(hb), 0.5e-8)


def relative_error(a, b):
    """Largest ``|a - b| / max(|a| + |b|, 1e-8)`` over all entries (the cs231n measure).

    ``a`` and ``b`` must have the same shape and at least one entry. The result
    lies between 0 and 1 for finite inputs, even near the float64 limit; NaN or
    inf in an entry gives NaN, without a warning.

    Examples
    --------
    >>> relative_error([1.0, 2.0], [1.0, 2.0])
    0.0
    >>> relative_error(3.0, -3.0)      # opposite signs: as far apart as it gets
    1.0
    """
    a, b = as_real_array(a, "a"), as_real_array(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        raise ValueError("a and b must hold at least one number, got empty arrays")
    gap, scale = _halved_gaps(a, b)
    with np.errstate(all="ignore"):
        return float(np.max(gap / scale))
