"""The benchmark's baseline ("original style"): training written plainly, one array per partial derivative.

One Python loop over epochs; every epoch builds each partial derivative as its
own array, multiplies them out with the chain rule, sums over samples with
``axis=0`` and updates the weights in place. Same maths as ``cu.train`` with a
linear output, in float64, full batch; losses are recorded before each update.
"""

import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def mse(y, y_hat):
    return np.mean(np.array(y - y_hat) ** 2)


def step(X, y, xh_weights, xh_biases, hy_weights, hy_biases, lr):
    """One full-batch gradient step; updates the four arrays in place and returns the loss before it."""
    n_samples = X.shape[0]
    # Forward pass
    h_star = np.array(np.matmul(X, xh_weights) + xh_biases)
    h = sigmoid(h_star)
    y_star = np.array(np.matmul(h, hy_weights) + hy_biases)
    y_hat = y_star

    # Each partial derivative on its own
    dL_yhat = -2 / n_samples * (y - y_hat)
    dyhat_ystar = 1
    dystar_h = hy_weights
    dystar_w = h
    dystar_b = 1
    dh_hstar = h * (1 - h)
    dhstar_w = X
    dhstar_b = 1

    # Chain rule
    dL_yb = dL_yhat * dyhat_ystar * dystar_b
    dL_yw = dL_yhat * dyhat_ystar * dystar_w
    dL_xb = dL_yhat * dyhat_ystar * np.multiply(dystar_h.T, dh_hstar) * dhstar_b
    dL_xw = (dL_yhat * dyhat_ystar * np.multiply(dystar_h.T, dh_hstar)).T @ dhstar_w

    # Update weights and biases
    hy_biases -= lr * np.sum(dL_yb, axis=0)
    hy_weights -= lr * np.sum(dL_yw, axis=0).reshape(-1, 1)
    xh_biases -= lr * np.sum(dL_xb, axis=0)
    xh_weights -= lr * dL_xw.T
    return mse(y, y_hat)


def train(X, y, params, lr=0.01, epochs=1000):
    """Train copies of ``params`` (keys W1, b1, W2, b2) for ``epochs`` steps; return the list of losses."""
    W1, b1, W2, b2 = (np.array(params[k], dtype=np.float64) for k in ("W1", "b1", "W2", "b2"))
    losses = []
    for _ in range(epochs):
        losses.append(step(X, y, W1, b1, W2, b2, lr))
    return losses
