"""The curvature of the loss: its Hessian and its sharpness, the largest eigenvalue (notebook 03).

Near the current parameters, where the loss is close to a quadratic, gradient
descent with learning rate lr is stable along a direction of curvature λ only
while lr < 2 / λ, so the sharpness λ_max sets the largest learning rate that does
not overshoot from here. The limit is local: the Hessian changes as the
parameters move (notebook 03, section 7). The Hessian is built the way a gradient check works:
nudge one parameter up and down by δ and difference the gradients that
``backward`` returns.
"""

import numpy as np

from ._checks import DELTA_MAX, DELTA_MIN, as_X_y_params, check_difference_step, check_memory  # noqa: F401
from .network import backward

# DELTA_MIN and DELTA_MAX (from _checks.py) bound the finite-difference steps ``hessian`` accepts.

KEYS = ("W1", "b1", "W2", "b2")


def _flatten(params):
    """Concatenate W1, b1, W2, b2 (each in row-major order) into one float64 vector."""
    return np.concatenate([np.asarray(params[k], dtype=np.float64).ravel() for k in KEYS])


def _unflatten(theta, shapes):
    """Cut ``theta`` back into a params dict with the given shapes."""
    params, start = {}, 0
    for key in KEYS:
        size = int(np.prod(shapes[key]))
        params[key] = theta[start:start + size].reshape(shapes[key])
        start += size
    return params


def hessian(X, y, params, output="linear", delta=1e-4):
    """The Hessian of the MSE with respect to every parameter, by centred differences of ``backward``.

    Column j is ``(g(θ + δ e_j) - g(θ - δ e_j)) / (2 δ)``, where g is the
    gradient from ``backward`` flattened in the order W1 (row by row), b1, W2, b2,
    and e_j nudges parameter j alone. The result is symmetrised, ``(A + A.T) / 2``,
    since a true Hessian is symmetric. Cost: two backward passes per parameter.

    Parameters
    ----------
    X : array_like, shape (n_samples, n_inputs)
    y : array_like, shape (n_samples, 1)
    params : dict
        ``W1`` (n_inputs, m), ``b1`` (m,), ``W2`` (m, 1), ``b2`` (1,); not modified.
    output : {"linear", "sigmoid"}
    delta : float
        The finite-difference step δ, from 1e-8 · max(1, max |θ|) to 0.01. The centred
        difference errs by about δ² / 6 times the third derivatives (truncation) plus
        about ε |g| / δ and ε |θ| / δ, ε = 2.2e-16, from rounding the gradients and the
        nudged parameter. On the course's cases (width 2 and 16, ones and random
        starts, raw and standardised, trained or not) λ_max at either end of this range
        agrees with the one at the default 1e-4 to 4e-5 relative or better (at 0.1 a
        trained width-2 network is already 0.4% off); at 1e-14
        rounding has already cost 3% and at 1e-20 the step vanishes (θ + δ == θ), so
        such steps are refused, as are steps so large the curvature changes across them.

    Returns
    -------
    ndarray, shape (P, P)
        P = n_inputs * m + m + m + 1 parameters, in the order above.

    Raises
    ------
    ValueError
        Also when the Hessian would need more memory than ``_checks.MEMORY_LIMIT``:
        about four (P, P) float64 arrays beside one backward pass.
    """
    return _hessian(X, y, params, output, delta, "the Hessian", copies=4)


def _hessian(X, y, params, output, delta, what, copies):
    X, y, params = as_X_y_params(X, y, params, output)
    shapes = {k: params[k].shape for k in KEYS}
    theta = _flatten(params)
    delta = check_difference_step(delta, theta)
    # ``copies`` (P, P) arrays beside one backward pass (4 (n, m) arrays).
    n, P = X.shape[0], theta.size
    check_memory(8 * (copies * P ** 2 + 4 * n * shapes["W1"][1] + 8 * n), f"{what} of {P} parameters on {n} samples")
    columns = []
    for j in range(theta.size):
        up, down = theta.copy(), theta.copy()
        up[j] += delta
        down[j] -= delta
        g_up = _flatten(backward(X, y, _unflatten(up, shapes), output))
        g_down = _flatten(backward(X, y, _unflatten(down, shapes), output))
        columns.append((g_up - g_down) / (2 * delta))
    A = np.column_stack(columns)
    return (A + A.T) / 2


def sharpness(X, y, params, output="linear", delta=1e-4):
    """The sharpness λ_max: the largest eigenvalue of the Hessian of the MSE over all parameters.

    Near the current parameters, gradient descent with learning rate lr overshoots
    along the sharpest direction once lr > 1 / λ_max and grows along it once
    lr > 2 / λ_max; farther away the sharpness is another (notebook 03, section 7).

    Accuracy: the centred difference of the gradient errs by about δ² / 6
    times the third derivatives, plus rounding of about 1e-16 |g| / δ. With
    the default δ = 1e-4 on the course's data (10,000 samples; width 2 and 16;
    ones and random starts; before and after 1000 epochs of training) λ_max
    agreed with the one from an analytic Hessian to a relative error below
    1e-8, and every Hessian entry to within 2e-8 of the largest entry.
    ``tests/test_curvature.py`` checks 1e-4 against two independent Hessians.

    Parameters
    ----------
    X : array_like, shape (n_samples, n_inputs)
    y : array_like, shape (n_samples, 1)
    params : dict
        As returned by ``init_params`` or ``train``; not modified.
    output : {"linear", "sigmoid"}
    delta : float
        The finite-difference step δ of ``hessian``, from 1e-8 · max(1, max |θ|) to 0.01
        (a step outside is refused with a ValueError, as is a Hessian too large for memory).

    Returns
    -------
    float
        λ_max, in units of loss per parameter squared.

    Examples
    --------
    The network of notebook 03 (width 2, every weight 1) on its data:

    >>> from course_utils.data import make_dataset
    >>> from course_utils.network import init_params
    >>> X, y = make_dataset()
    >>> round(sharpness(X, y, init_params(2)), 2)
    3.28
    """
    # eigvalsh works on a copy of the (P, P) Hessian: one more copy than hessian's four.
    return float(np.linalg.eigvalsh(_hessian(X, y, params, output, delta, "the sharpness (its Hessian)", 5))[-1])
