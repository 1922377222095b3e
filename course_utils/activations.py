"""Activation functions, each with its derivative taken from its own output (notebook 02)."""

import numpy as np


def sigmoid(z):
    """Numerically stable logistic function ``1 / (1 + exp(-z))``.

    ``exp`` is only ever taken of ``-|z|``, so it never overflows: for z >= 0 it
    computes ``1 / (1 + exp(-z))`` and for z < 0 the equal ``exp(z) / (1 + exp(z))``.
    Very large or very small ``z`` give 1 or 0 with no warning.

    Examples
    --------
    >>> sigmoid([-1000.0, 0.0, 1000.0])
    array([0. , 0.5, 1. ])
    """
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def sigmoid_grad_from_output(s):
    """Derivative of the sigmoid, written in terms of its output ``s = sigmoid(z)``: ``s * (1 - s)``."""
    return s * (1.0 - s)


def identity(z):
    """The linear (identity) output activation."""
    return np.asarray(z, dtype=np.float64)


def identity_grad_from_output(s):
    """Derivative of the identity: ones of the same shape."""
    return np.ones_like(s)


# Chosen by name, as the network's ``output=`` argument does.
ACTIVATIONS = {"sigmoid": sigmoid, "linear": identity}
DERIVATIVES = {"sigmoid": sigmoid_grad_from_output, "linear": identity_grad_from_output}
