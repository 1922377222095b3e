"""Looking inside a trained network one hidden unit at a time (notebook 04).

A loss is one number for the whole network. These helpers take a network apart:
where each unit's pre-activations fall on the sigmoid (``preactivations``,
``mean_slope``), what each unit adds to the prediction (``unit_contributions``),
and which way each unit faces in the input plane (``unit_alignment``). They
compute with the same ``params`` dict as ``forward``, take the hidden layer from
``forward_cache`` and never train. Each one refuses with a ValueError, before
allocating, a request that would need more memory than ``_checks.MEMORY_LIMIT``.
"""

import numpy as np

from .network import forward_cache
from ._checks import (as_params, as_real_array, as_X_and_params, check_is_fitted, check_memory, check_real_number,
                      check_whole_number)


def preactivations(X, params):
    """The hidden pre-activations ``Z1 = X @ W1 + b1``, shape (n_samples, m).

    Written as ``forward_cache`` writes its first step, so ``sigmoid`` of it is that pass's ``H``, bit for bit.

    Parameters
    ----------
    X : array_like, shape (n_samples, n_inputs)
    params : dict
        ``W1`` (n_inputs, m), ``b1`` (m,), ``W2`` (m, 1), ``b2`` (1,).

    Examples
    --------
    >>> p = {"W1": [[1.0, -2.0], [0.0, 1.0]], "b1": [0.5, 0.0], "W2": [[1.0], [1.0]], "b2": [0.0]}
    >>> preactivations([[2.0, 3.0]], p)          # (2*1 + 3*0 + 0.5, 2*-2 + 3*1 + 0)
    array([[ 2.5, -1. ]])
    """
    X, params = as_X_and_params(X, params, 2, "the pre-activations")
    return X @ params["W1"] + params["b1"]


def mean_slope(X, params):
    """Each hidden unit's mean sigmoid slope ``mean_i σ'(Z1[i, j])``, shape (m,).

    σ' = σ(1 - σ) is at most 1/4, at z = 0. Every gradient that reaches unit j's
    incoming weights is multiplied by σ'(z), so a mean slope far below 1/4 says
    the unit sits in the flat tails of the sigmoid for most samples: it is
    saturated, and gradient descent can barely move it. The hidden layer comes from
    ``forward_cache``, which refuses a network whose prediction overflows float64.

    Examples
    --------
    All weights 0: every pre-activation is 0, so every slope is the maximum 1/4.

    >>> p = {"W1": np.zeros((2, 3)), "b1": np.zeros(3), "W2": np.ones((3, 1)), "b2": np.zeros(1)}
    >>> mean_slope([[1.0, 2.0], [3.0, 4.0]], p)
    array([0.25, 0.25, 0.25])
    """
    X, params = as_X_and_params(X, params, 4, "the mean slopes")         # sigmoid holds four (n, m) arrays at once
    H = forward_cache(X, params)[1]["H"]
    return (H * (1.0 - H)).mean(axis=0)


def unit_contributions(X, params):
    """What each hidden unit adds to the prediction, ``W2[j] * σ(Z1[:, j])``, shape (n_samples, m).

    The prediction of a linear-output network is the sum of these columns plus ``b2``:
    ``forward(X, params) == unit_contributions(X, params).sum(axis=1, keepdims=True) + b2``.
    The hidden layer comes from ``forward_cache``, which refuses a prediction that overflows float64.
    """
    X, params = as_X_and_params(X, params, 4, "the unit contributions")  # sigmoid holds four (n, m) arrays at once
    return forward_cache(X, params)[1]["H"] * params["W2"][:, 0]


def unit_alignment(params, direction):
    """``|cos|`` of the angle between each unit's incoming weights ``W1[:, j]`` and ``direction``, shape (m,).

    A unit's output changes only along its weight vector: it is constant on every
    line perpendicular to ``W1[:, j]``. An alignment of 1 means the unit varies
    exactly along ``direction``; 0 means it is constant along it.

    Parameters
    ----------
    params : dict
    direction : array_like, shape (n_inputs,)
        Any non-zero vector; only its direction matters.

    Examples
    --------
    >>> p = {"W1": [[1.0, 0.0], [0.0, 2.0]], "b1": [0.0, 0.0], "W2": [[1.0], [1.0]], "b2": [0.0]}
    >>> unit_alignment(p, [1.0, 1.0]).round(4)
    array([0.7071, 0.7071])
    """
    params = as_params(params)
    n_inputs = params["W1"].shape[0]
    d = as_real_array(direction, "direction")
    if d.shape != (n_inputs,) or not np.all(np.isfinite(d)) or not np.any(d):
        raise ValueError(f"direction must be a non-zero vector of {n_inputs} finite numbers, "
                         f"got {np.asarray(direction).tolist()!r}")
    W1 = params["W1"]
    biggest = np.max(np.abs(W1), axis=0)
    if np.any(biggest == 0):
        raise ValueError("every column of W1 must be non-zero to have a direction; "
                         f"columns {np.flatnonzero(biggest == 0).tolist()} are all zeros")
    # Scaled so that the largest entry of each vector is 1 before squaring: no underflow (1e-200)
    # or overflow (1e200) in the norms, and a cosine never above 1 by more than rounding.
    W1, d = W1 / biggest, d / np.max(np.abs(d))
    cos = np.abs(d @ W1) / (np.linalg.norm(W1, axis=0) * np.linalg.norm(d))
    return np.minimum(cos, 1.0)


def input_grid(n=101, low=-5.0, high=5.0):
    """A square grid over the input plane: ``x1``, ``x2`` (n, n) for contour plots and ``points`` (n*n, 2) for ``forward``.

    Examples
    --------
    >>> x1, x2, points = input_grid(3, -1.0, 1.0)
    >>> points.shape, x1[0].tolist()
    ((9, 2), [-1.0, 0.0, 1.0])
    """
    n = check_whole_number(n, "n (grid points per side)", 2)
    low, high = check_real_number(low, "low"), check_real_number(high, "high")
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"low and high must be finite numbers with low < high, got {low!r} and {high!r}")
    check_memory(8 * 4 * n * n, f"input_grid({n}) (x1, x2 and points, {n * n:,} points)")
    if np.isfinite(high - low):
        axis = np.linspace(low, high, n)
    else:                           # high - low overflows float64: weight the ends instead, each term finite
        t = np.linspace(0.0, 1.0, n)
        axis = low * (1.0 - t) + high * t
    x1, x2 = np.meshgrid(axis, axis)
    return x1, x2, np.column_stack([x1.ravel(), x2.ravel()])


def params_for_raw_data(params, x_scaler, y_scaler):
    """The same network rewritten to read raw inputs and predict in the raw units of ``y``.

    A network trained on standardised data computes ``y_hat = s_y * (H W2 + b2) + mu_y``
    with ``H = σ(((X - mu_x) / s_x) W1 + b1)``. Multiplying out gives an ordinary
    network on raw ``X``: ``W1 / s_x`` (row by row), ``b1 - (mu_x / s_x) @ W1``,
    ``s_y W2`` and ``s_y b2 + mu_y``. Its pre-activations, and so every unit's slope,
    are unchanged; only the units in which they are written change.

    Parameters
    ----------
    params : dict
        Trained on ``x_scaler.transform(X)`` and ``y_scaler.transform(y)``.
    x_scaler, y_scaler : StandardScaler
        Fitted; anything with ``mean_`` and ``scale_`` arrays will do.

    Returns
    -------
    dict
        ``W1`` (n_inputs, m), ``b1`` (m,), ``W2`` (m, 1), ``b2`` (1,).
    """
    params = as_params(params)
    check_is_fitted(x_scaler, "x_scaler", "params_for_raw_data")
    check_is_fitted(y_scaler, "y_scaler", "params_for_raw_data")
    mu_x, s_x = as_real_array(x_scaler.mean_, "x_scaler.mean_"), as_real_array(x_scaler.scale_, "x_scaler.scale_")
    mu_y, s_y = (as_real_array(y_scaler.mean_, "y_scaler.mean_").ravel(),
                 as_real_array(y_scaler.scale_, "y_scaler.scale_").ravel())
    n_inputs = params["W1"].shape[0]
    if mu_x.shape != (n_inputs,) or s_x.shape != (n_inputs,) or mu_y.shape != (1,) or s_y.shape != (1,):
        raise ValueError(f"x_scaler must be fitted on {n_inputs} columns and y_scaler on 1, got means of shapes "
                         f"{mu_x.shape} and {mu_y.shape}")
    W1 = params["W1"] / s_x[:, None]
    return {"W1": W1, "b1": params["b1"] - mu_x @ W1, "W2": s_y * params["W2"], "b2": s_y * params["b2"] + mu_y}
