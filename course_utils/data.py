"""The synthetic regression data of notebook 01."""

from functools import lru_cache

import numpy as np

from ._checks import (as_real_array, as_values, check_memory, check_non_negative_float, check_positive_int,
                      check_randomstate_seed)
from .text import shown

LOW, HIGH = -5.0, 5.0


def target_function(x1, x2):
    """The noise-free surface ``x1*x2 + x1**2 + exp(sin(x2))`` (notebook 01).

    Parameters
    ----------
    x1, x2 : array_like
        Inputs of any matching (broadcastable) shape.

    Returns
    -------
    ndarray
        The surface, with the broadcast shape of ``x1`` and ``x2``.

    Examples
    --------
    >>> float(target_function(0.0, 0.0))   # 0 + 0 + exp(sin 0) = exp(0)
    1.0
    """
    x1, x2 = as_real_array(x1, "x1"), as_real_array(x2, "x2")
    with np.errstate(over="ignore", invalid="ignore"):   # beyond float64 the surface is inf (or NaN for inf - inf)
        return x1 * x2 + x1**2 + np.exp(np.sin(x2))


def make_dataset(n_samples=10_000, noise_std=1.0, seed=2025):
    """Draw the course's data set: ``y = target_function(x1, x2) + noise`` (notebook 01).

    The draws come from a legacy ``np.random.RandomState(seed)`` in the order
    noise, x1, x2, so the defaults give exactly the data set whose numbers the
    notebooks print (y has mean 9.532, min -7.282, max 53.252). numpy's global
    random state is not used.

    Parameters
    ----------
    n_samples : int
        Number of rows, at least 1.
    noise_std : float
        Standard deviation of the Gaussian noise epsilon; 0 gives the noise-free surface.
    seed : int
        Seed for the legacy ``RandomState``, a whole number from 0 to 2**32 - 1.

    Returns
    -------
    X : ndarray, shape (n_samples, 2)
        Columns x1 and x2, each uniform on [-5, 5).
    y : ndarray, shape (n_samples, 1)
        Noisy targets.
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    check_memory(64 * n_samples, f"make_dataset with n_samples={shown(n_samples, True)}")   # 8 float64 arrays of n
    noise_std = check_non_negative_float(noise_std, "noise_std")
    seed = check_randomstate_seed(seed)
    rng = np.random.RandomState(seed)
    noise = rng.normal(0.0, noise_std, n_samples)
    x1 = rng.uniform(LOW, HIGH, n_samples)
    x2 = rng.uniform(LOW, HIGH, n_samples)
    X = np.column_stack([x1, x2])
    y = (target_function(x1, x2) + noise).reshape(-1, 1)
    return X, y


def noise_floor(n_samples=10_000, noise_std=1.0, seed=2025):
    """The mean square of the noise epsilon in ``make_dataset(...)``: the best MSE a model can expect on fresh data.

    Even a model that knew ``target_function`` exactly would be left with the
    noise as its error, so on fresh data no fitted network can expect to beat
    this number. Noise too large for float64 squared gives ``inf``, without a warning.
    """
    return mean_square_noise(*make_dataset(n_samples, noise_std, seed))


def mean_square_noise(X, y):
    """The mean of ``(y - target_function(x1, x2))**2`` for ``X`` (n, 2) and ``y`` (n, 1): the noise floor of that draw."""
    with np.errstate(over="ignore", invalid="ignore"):
        residual = y[:, 0] - target_function(X[:, 0], X[:, 1])
        return float(np.mean(residual**2))


@lru_cache(maxsize=4)
def cached_dataset(n_samples=10_000, noise_std=1.0, seed=2025):
    """``make_dataset(...)`` computed once per setting, for the explorers; X (n, 2) and y (n, 1) are read-only."""
    X, y = make_dataset(n_samples, noise_std, seed)
    X.flags.writeable = False
    y.flags.writeable = False
    return X, y


@lru_cache(maxsize=4)
def cached_noise_floor(n_samples=10_000, noise_std=1.0, seed=2025):
    """``noise_floor(...)`` of ``cached_dataset(...)``, computed once per setting."""
    return mean_square_noise(*cached_dataset(n_samples, noise_std, seed))


def describe(y):
    """Return the mean, min and max of ``y`` (any shape, at least one number) as plain floats in a dict."""
    y = as_values(y, "y")
    with np.errstate(over="ignore"):          # the mean of values near 1.8e308 may overflow to inf
        return {"mean": float(y.mean()), "min": float(y.min()), "max": float(y.max())}
