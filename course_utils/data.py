"""The synthetic regression data of notebook 01."""

import numbers

import numpy as np

from .validation import check_positive_int

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
    x1 = np.asarray(x1, dtype=np.float64)
    x2 = np.asarray(x2, dtype=np.float64)
    return x1 * x2 + x1**2 + np.exp(np.sin(x2))


def make_dataset(n_samples=10_000, noise_std=1.0, seed=2025):
    """Draw the course's data set: ``y = target_function(x1, x2) + noise`` (notebook 01).

    The draws come from a legacy ``np.random.RandomState(seed)`` in the order
    noise, x1, x2, so the defaults reproduce the original notebook exactly
    (mean 9.532, min -7.282, max 53.252). numpy's global random state is not used.

    Parameters
    ----------
    n_samples : int
        Number of rows, at least 1.
    noise_std : float
        Standard deviation of the Gaussian noise; 0 gives the noise-free surface.
    seed : int
        Seed for the legacy ``RandomState``.

    Returns
    -------
    X : ndarray, shape (n_samples, 2)
        Columns x1 and x2, each uniform on [-5, 5).
    y : ndarray, shape (n_samples, 1)
        Noisy targets.
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    if isinstance(noise_std, bool) or not isinstance(noise_std, numbers.Real):
        raise TypeError(f"noise_std must be a number, got {noise_std!r} of type {type(noise_std).__name__}")
    if not np.isfinite(noise_std) or noise_std < 0:
        raise ValueError(f"noise_std must be a finite number >= 0, got {noise_std!r}")
    rng = np.random.RandomState(seed)
    noise = rng.normal(0.0, noise_std, n_samples)
    x1 = rng.uniform(LOW, HIGH, n_samples)
    x2 = rng.uniform(LOW, HIGH, n_samples)
    X = np.column_stack([x1, x2])
    y = (target_function(x1, x2) + noise).reshape(-1, 1)
    return X, y


def noise_floor(n_samples=10_000, noise_std=1.0, seed=2025):
    """The mean square of the noise in ``make_dataset(...)``: the best MSE any model can reach.

    Even a model that knew ``target_function`` exactly would be left with
    the noise as its error, so no fitted network can beat this number on average.
    """
    return mean_square_noise(*make_dataset(n_samples, noise_std, seed))


def mean_square_noise(X, y):
    """The mean of ``(y - target_function(x1, x2))**2`` for ``X`` (n, 2) and ``y`` (n, 1): the noise floor of that draw."""
    residual = y[:, 0] - target_function(X[:, 0], X[:, 1])
    return float(np.mean(residual**2))


def describe(y):
    """Return the mean, min and max of ``y`` as plain floats in a dict."""
    y = np.asarray(y, dtype=np.float64)
    return {"mean": float(y.mean()), "min": float(y.min()), "max": float(y.max())}
