"""The 2-H-1 network: parameters, forward pass, loss and backward pass (notebooks 02 and 03).

Shapes follow one convention throughout: ``X`` is (n_samples, n_inputs),
``y`` and ``y_hat`` are (n_samples, 1), and the hidden layer is ``X @ W1 + b1``.
Parameters live in a dict ``{"W1": (n_inputs, H), "b1": (H,), "W2": (H, 1), "b2": (1,)}``
and gradients come back in a dict with the same keys and shapes.
"""

import numpy as np

from .activations import ACTIVATIONS, DERIVATIVES, sigmoid
from .validation import as_X, as_y, check_choice, check_output, check_params, check_positive_int

INITS = ("ones", "random")


def init_params(n_hidden, init="ones", seed=None, n_inputs=2):
    """Create a fresh parameter dict for a network with ``n_hidden`` sigmoid units.

    Parameters
    ----------
    n_hidden : int
        Width H of the hidden layer, at least 1.
    init : {"ones", "random"}
        ``"ones"`` is the original notebook's start: every weight 1, every bias 0.
        ``"random"`` draws each weight from N(0, 1 / fan_in), where fan_in is the
        number of inputs feeding the unit (``n_inputs`` for W1, ``n_hidden`` for W2),
        so a unit's input sum keeps roughly the spread of one input (notebook 04).
        Biases start at 0 either way.
    seed : int, numpy.random.Generator or None
        Randomness for ``init="random"``; ignored for ``"ones"``.
    n_inputs : int
        Number of input features (2 in this course).

    Returns
    -------
    dict
        ``W1`` (n_inputs, H), ``b1`` (H,), ``W2`` (H, 1), ``b2`` (1,), all float64.
    """
    H = check_positive_int(n_hidden, "n_hidden")
    n_inputs = check_positive_int(n_inputs, "n_inputs")
    check_choice(init, "init", INITS)
    if init == "ones":
        W1, W2 = np.ones((n_inputs, H)), np.ones((H, 1))
    else:
        rng = np.random.default_rng(seed)
        W1 = rng.normal(0.0, 1.0 / np.sqrt(n_inputs), size=(n_inputs, H))
        W2 = rng.normal(0.0, 1.0 / np.sqrt(H), size=(H, 1))
    return {"W1": W1, "b1": np.zeros(H), "W2": W2, "b2": np.zeros(1)}


def forward_cache(X, params, output="linear"):
    """Forward pass that also returns what the backward pass needs.

    Returns
    -------
    y_hat : ndarray, shape (n_samples, 1)
    cache : dict
        ``X`` (n, D), ``h`` (n, H) hidden activations, ``y_hat`` (n, 1).
    """
    check_output(output)
    n_inputs, _ = check_params(params)
    X = as_X(X, n_inputs)
    h = sigmoid(X @ params["W1"] + params["b1"])          # (n, H)
    y_hat = ACTIVATIONS[output](h @ params["W2"] + params["b2"])  # (n, 1)
    return y_hat, {"X": X, "h": h, "y_hat": y_hat}


def forward(X, params, output="linear"):
    """Predict ``y_hat`` (n_samples, 1) for ``X`` (n_samples, n_inputs).

    ``output`` is ``"linear"`` (the prediction is ``h @ W2 + b2``) or
    ``"sigmoid"`` (that sum squashed into (0, 1), as the original first tried).

    Examples
    --------
    Ones-init, width 2, input (0, 0): each hidden unit gives sigmoid(0) = 0.5,
    so the linear output is 0.5 + 0.5 + 0 = 1.

    >>> float(forward([[0.0, 0.0]], init_params(2))[0, 0])
    1.0
    """
    return forward_cache(X, params, output)[0]


def mse(y, y_hat):
    """Mean squared error ``mean((y - y_hat)**2)`` as a Python float.

    Examples
    --------
    >>> mse([[1.0], [3.0]], [[0.0], [0.0]])   # (1 + 9) / 2
    5.0
    """
    y_hat = np.asarray(y_hat, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 1:
        y = y.reshape(-1, 1)
    if y_hat.ndim == 1:
        y_hat = y_hat.reshape(-1, 1)
    if y.shape != y_hat.shape:
        raise ValueError(f"y and y_hat must have the same shape (n_samples, 1), got {y.shape} and {y_hat.shape}")
    return float(np.mean((y - y_hat) ** 2))


def backward(X, y, params, output="linear"):
    """Gradients of the MSE with respect to every parameter (notebook 03).

    The chain rule, one layer at a time, with ``r = y_hat - y`` (n, 1):
    ``d_yhat = 2 r / n``; ``d_o = d_yhat * f'(o)`` for the output activation f;
    ``dW2 = h.T @ d_o``; ``db2 = sum(d_o)``; ``d_z = (d_o @ W2.T) * h * (1 - h)``;
    ``dW1 = X.T @ d_z``; ``db1 = sum(d_z)``.

    Returns
    -------
    dict
        ``W1`` (n_inputs, H), ``b1`` (H,), ``W2`` (H, 1), ``b2`` (1,).
    """
    y_hat, cache = forward_cache(X, params, output)
    X, h = cache["X"], cache["h"]
    y = as_y(y, X.shape[0])
    n = X.shape[0]
    d_yhat = 2.0 * (y_hat - y) / n                       # (n, 1)
    d_o = d_yhat * DERIVATIVES[output](y_hat)            # (n, 1)
    d_z = (d_o @ params["W2"].T) * h * (1.0 - h)         # (n, H)
    return {
        "W1": X.T @ d_z,                                  # (D, H)
        "b1": d_z.sum(axis=0),                            # (H,)
        "W2": h.T @ d_o,                                  # (H, 1)
        "b2": d_o.sum(axis=0),                            # (1,)
    }
