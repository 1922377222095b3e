"""Held-out data: ``train_test_split``, with scikit-learn's name, arguments and return order (notebook 05)."""

import numbers

import numpy as np

from ._checks import as_real_array, as_X, check_real_number, check_seed, shown


def train_test_split(X, y, test_size=0.2, random_state=None, shuffle=True):
    """Split ``X`` and ``y`` into a training part and a held-out test part (notebook 05).

    The same call as ``sklearn.model_selection.train_test_split`` for one ``X``
    and one ``y``, so the real one reads the same later. numpy's global random
    state is never used: the shuffle comes from ``np.random.default_rng(random_state)``.

    Parameters
    ----------
    X : array_like, shape (n_samples, n_features)
    y : array_like, shape (n_samples, 1) or (n_samples,)
    test_size : float or int
        A float in (0, 1) is the fraction of samples held out, rounded up;
        an int is their number. Both sides must keep at least one sample.
    random_state : int, numpy.random.Generator or None
        Seed of the shuffle (None, a whole number >= 0 or a Generator); the same seed gives the same split.
    shuffle : bool
        If False, the last ``n_test`` rows are the test set, in order.

    Returns
    -------
    X_train, X_test, y_train, y_test : ndarray
        ``X_train`` (n - n_test, n_features), ``X_test`` (n_test, n_features),
        and the rows of ``y`` that go with them, in ``y``'s own shape.

    Examples
    --------
    >>> X, y = np.arange(20.0).reshape(10, 2), np.arange(10.0)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, shuffle=False)
    >>> X_train.shape, X_test.shape, y_test.tolist()
    ((7, 2), (3, 2), [7.0, 8.0, 9.0])
    """
    X = as_X(X)
    y = as_real_array(y, "y")
    if y.ndim not in (1, 2) or y.shape[0] != X.shape[0]:
        raise ValueError(f"y must have one row per row of X ({X.shape[0]}), got shape {y.shape}")
    if not np.all(np.isfinite(y)):
        bad = int(np.sum(~np.isfinite(y)))
        raise ValueError(f"y must contain only finite numbers, but {bad} entries are NaN or infinite")
    n = X.shape[0]
    n_test = _test_count(test_size, n)
    if not isinstance(shuffle, (bool, np.bool_)):
        raise TypeError(f"shuffle must be True or False, got {shown(shuffle)}")
    random_state = check_seed(random_state, "random_state")
    order = np.random.default_rng(random_state).permutation(n) if shuffle else np.arange(n)
    train, test = order[: n - n_test], order[n - n_test:]
    return X[train], X[test], y[train], y[test]


def _test_count(test_size, n):
    """The number of test samples that ``test_size`` asks for out of ``n``, or a clear error."""
    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real):
        raise TypeError(f"test_size must be a fraction such as 0.2 or a whole number of samples, "
                        f"got {shown(test_size)}")
    if isinstance(test_size, numbers.Integral):
        n_test = int(test_size)
        if not 1 <= n_test <= n - 1:
            raise ValueError(f"test_size={shown(n_test)} would leave a side empty: with {n} samples it must be "
                             f"between 1 and {n - 1}")
        return n_test
    test_size = check_real_number(test_size, "test_size")         # a Fraction, say, as a float
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"test_size as a fraction must lie strictly between 0 and 1, got {test_size}")
    n_test = int(np.ceil(test_size * n))
    if n_test >= n:
        raise ValueError(f"test_size={test_size} of {n} samples leaves no training samples")
    return n_test
