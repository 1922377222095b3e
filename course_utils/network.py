"""The 2-m-1 network: parameters, forward pass, loss and backward pass (notebooks 02 and 03).

Shapes follow one convention throughout (NOTATION.md): ``X`` is (n, 2), ``y`` and
``y_hat`` are (n, 1); the hidden layer has width m, with ``Z1 = X @ W1 + b1`` and
``H = sigmoid(Z1)`` both (n, m), and ``Z2 = H @ W2 + b2`` is (n, 1). Parameters
live in a dict ``{"W1": (2, m), "b1": (m,), "W2": (m, 1), "b2": (1,)}`` (lists
are accepted too) and gradients come back in a dict with the same keys and shapes.
"""

import numpy as np

from .activations import ACTIVATIONS, DERIVATIVES, sigmoid
from ._checks import (as_params, as_real_array, as_X, as_y, check_choice, check_memory, check_output,
                         check_positive_int, check_seed)

INITS = ("ones", "random")


def init_params(width, init="ones", seed=None, n_inputs=2):
    """Create a fresh parameter dict for a network of ``width`` (m) sigmoid hidden units.

    Parameters
    ----------
    width : int
        The width m, the number of hidden units, at least 1.
    init : {"ones", "random"}
        ``"ones"`` is the course's reference start (notebooks 02 and 03): every weight 1, every bias 0.
        ``"random"`` draws each weight from N(0, 1 / fan_in), where fan_in is the
        number of inputs feeding the unit (``n_inputs`` for W1, m for W2),
        so a unit's input sum keeps roughly the spread of one input (notebook 04).
        Biases start at 0 either way.
    seed : int, numpy.random.Generator or None
        Randomness for ``init="random"``: None, a whole number >= 0 or a Generator. Checked, but not used,
        for ``"ones"``.
    n_inputs : int
        Number of input features (2 in this course).

    Returns
    -------
    dict
        ``W1`` (n_inputs, m), ``b1`` (m,), ``W2`` (m, 1), ``b2`` (1,), all float64.
    """
    m = check_positive_int(width, "width")
    n_inputs = check_positive_int(n_inputs, "n_inputs")
    check_choice(init, "init", INITS)
    seed = check_seed(seed)
    check_memory(8 * ((n_inputs + 2) * m + 1), f"init_params({m}) (its weights)")
    if init == "ones":
        W1, W2 = np.ones((n_inputs, m)), np.ones((m, 1))
    else:
        rng = np.random.default_rng(seed)
        W1 = rng.normal(0.0, 1.0 / np.sqrt(n_inputs), size=(n_inputs, m))
        W2 = rng.normal(0.0, 1.0 / np.sqrt(m), size=(m, 1))
    return {"W1": W1, "b1": np.zeros(m), "W2": W2, "b2": np.zeros(1)}


def forward_cache(X, params, output="linear"):
    """Forward pass that also returns what the backward pass needs.

    Returns
    -------
    y_hat : ndarray, shape (n, 1)
    cache : dict
        ``X`` (n, 2), ``H`` (n, m) hidden activations,
        ``y_hat`` (n, 1), and ``params``, the parameters as float64 arrays.
    """
    check_output(output)
    params = as_params(params)
    X = as_X(X, params["W1"].shape[0])
    n, m = X.shape[0], params["W1"].shape[1]
    # At its peak (inside sigmoid) a pass holds four (n, m) arrays; backward holds no more.
    check_memory(8 * (4 * n * m + 8 * n), f"a pass through width {m} on {n} samples (its hidden activations)")
    with np.errstate(all="ignore"):                                  # an overflow is refused below
        H = sigmoid(X @ params["W1"] + params["b1"])                 # (n, m)
        y_hat = ACTIVATIONS[output](H @ params["W2"] + params["b2"])  # (n, 1)
    if not np.all(np.isfinite(y_hat)):
        raise ValueError("the prediction y_hat is not finite: a sum overflowed float64 (above about 1.8e308), "
                         "so the data or the weights are too large")
    return y_hat, {"X": X, "H": H, "y_hat": y_hat, "params": params}


def forward(X, params, output="linear"):
    """Predict ``y_hat`` (n, 1) for ``X`` (n, 2).

    ``output`` is ``"linear"`` (the prediction is ``Z2 = H @ W2 + b2``) or
    ``"sigmoid"`` (``sigmoid(Z2)``, squashed into (0, 1); notebook 02 compares the two).
    A prediction that overflows float64 is refused with a ValueError.

    Examples
    --------
    Ones-init, width 2, input (0, 0): each hidden unit gives sigmoid(0) = 0.5,
    so the linear output is 0.5 + 0.5 + 0 = 1.

    >>> float(forward([[0.0, 0.0]], init_params(2))[0, 0])
    1.0
    """
    return forward_cache(X, params, output)[0]


def mse(y, y_hat):
    """Mean squared error ``mean((y_hat - y)**2)`` as a Python float.

    ``y`` and ``y_hat`` are (n, 1) or (n,), with n >= 1. A loss too large for
    float64 comes back as ``inf``, without a warning.

    Examples
    --------
    >>> mse([[1.0], [3.0]], [[0.0], [0.0]])   # (1 + 9) / 2
    5.0
    """
    y, y_hat = as_real_array(y, "y"), as_real_array(y_hat, "y_hat")
    if y.ndim == 1:
        y = y.reshape(-1, 1)
    if y_hat.ndim == 1:
        y_hat = y_hat.reshape(-1, 1)
    if y.shape != y_hat.shape or y.ndim != 2 or y.shape[1] != 1:
        raise ValueError(f"y and y_hat must have the same shape (n_samples, 1), got {y.shape} and {y_hat.shape}")
    if y.size == 0:
        raise ValueError("y and y_hat must hold at least one sample, got empty arrays")
    with np.errstate(over="ignore", invalid="ignore"):               # inf - inf is NaN, as it should be
        return float(np.mean((y_hat - y) ** 2))


def backward(X, y, params, output="linear"):
    """Gradients of the MSE with respect to every parameter (notebook 03).

    The chain rule, one layer at a time, from ``dy_hat = 2 (y_hat - y) / n`` (n, 1):
    ``dZ2 = dy_hat * f'(Z2)`` for the output activation f; ``dW2 = H.T @ dZ2``;
    ``db2 = sum(dZ2)``; ``dZ1 = (dZ2 @ W2.T) * H * (1 - H)``; ``dW1 = X.T @ dZ1``;
    ``db1 = sum(dZ1)``.

    Returns
    -------
    dict
        ``W1`` (2, m), ``b1`` (m,), ``W2`` (m, 1), ``b2`` (1,).
    """
    y_hat, cache = forward_cache(X, params, output)
    X, H, params = cache["X"], cache["H"], cache["params"]
    y = as_y(y, X.shape[0])
    n = X.shape[0]
    with np.errstate(all="ignore"):                                  # an overflow is refused below
        dy_hat = 2.0 * (y_hat - y) / n                               # (n, 1)
        dZ2 = dy_hat * DERIVATIVES[output](y_hat)                    # (n, 1)
        dZ1 = (dZ2 @ params["W2"].T) * H * (1.0 - H)                 # (n, m)
        grads = {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": H.T @ dZ2, "b2": dZ2.sum(axis=0)}
    if not all(np.all(np.isfinite(g)) for g in grads.values()):
        raise ValueError("the gradients overflow float64 (above about 1.8e308): the data or the weights are too large")
    return grads
