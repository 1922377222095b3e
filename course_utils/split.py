"""Held-out data: ``train_test_split``, with scikit-learn's name, arguments and return order (notebook 05)."""

import numpy as np

from ._checks import as_X, as_y, check_flag, check_seed, check_test_size


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
    column = as_y(y, X.shape[0])
    y = column[:, 0] if np.ndim(y) == 1 else column
    n = X.shape[0]
    n_test = check_test_size(test_size, n)
    shuffle = check_flag(shuffle, "shuffle")
    random_state = check_seed(random_state, "random_state")
    order = np.random.default_rng(random_state).permutation(n) if shuffle else np.arange(n)
    train, test = order[: n - n_test], order[n - n_test:]
    return X[train], X[test], y[train], y[test]
