"""Standardise data to mean 0 and standard deviation 1, column by column (notebook 03).

``StandardScaler`` uses scikit-learn's names (``fit``, ``transform``,
``inverse_transform``, ``fit_transform``, ``mean_``, ``scale_``), so a learner who
meets the real one later already knows it. Unlike scikit-learn's, it refuses a
column with no spread instead of quietly leaving it unscaled.

Each column is first divided by a power of two near its largest value. That is
exact, so the numbers are the textbook ones, but the squares inside the standard
deviation can no longer overflow, nor vanish for tiny values such as 1e-20.
"""

import numpy as np

from ._checks import NotFittedError, as_X, check_is_fitted  # noqa: F401  (importable beside the scaler)

# float64 arrays of the input's size that each method holds at once (measured with tracemalloc: fit 2.0, its
# own copy and np.std's deviations; transform and inverse_transform 1.1), plus 1 byte an entry for the finite check.
COPIES = {"fit": 2, "transform": 1, "inverse_transform": 1}
FITTED = "the data the scaler was fitted on"


class StandardScaler:
    """Shift and scale each column to mean 0 and standard deviation 1: ``(x - mean_) / scale_``.

    ``fit`` learns the statistics from one data set; ``transform`` applies them to
    any data with the same columns, and ``inverse_transform`` undoes them, so a
    prediction made on the standardised scale can be read in the original units.

    Attributes
    ----------
    mean_ : ndarray, shape (n_columns,)
        Each column's mean, μ.
    scale_ : ndarray, shape (n_columns,)
        Each column's population standard deviation, s (``np.std`` with ``ddof=0``).
    n_features_in_ : int
        Number of columns seen by ``fit``.

    Examples
    --------
    One column with values 1, 2, 3: mean 2, population standard deviation
    sqrt((1 + 0 + 1) / 3) = 0.8165.

    >>> scaler = StandardScaler().fit([[1.0], [2.0], [3.0]])
    >>> float(scaler.mean_[0]), round(float(scaler.scale_[0]), 4)
    (2.0, 0.8165)
    >>> scaler.transform([[3.0]]).round(4)
    array([[1.2247]])
    """

    # No __init__: as in scikit-learn, mean_, scale_ and n_features_in_ exist only once fit has run.

    def __repr__(self):
        return "StandardScaler()"

    def fit(self, X, y=None):
        """Learn each column's mean and population standard deviation from ``X`` (n_samples, n_columns).

        ``y`` is accepted and ignored, as in scikit-learn. Returns the scaler
        itself, so ``StandardScaler().fit(X)`` can be kept in one line. Raises
        if a column has no spread, since it cannot be scaled to standard deviation 1.
        """
        X = as_X(X, bytes_per_entry=8 * COPIES["fit"] + 1, what="StandardScaler.fit on X")
        top = np.maximum(X.max(axis=0), -X.min(axis=0))          # the largest |x| of each column
        unit = _power_of_two(top)
        X /= unit                                                # exact: every |x| now below 2
        mean, scale = X.mean(axis=0), X.std(axis=0)
        # Refused: a constant column, and one whose spread is lost in rounding (within 10 ulps of its largest
        # value), where the mean itself is off by as much as the spread. Any other spread, however small, is kept.
        flat = (X.max(axis=0) == X.min(axis=0)) | (scale <= 10 * np.finfo(np.float64).eps * (top / unit))
        if np.any(flat):
            columns = ", ".join(str(int(c)) for c in np.flatnonzero(flat))
            raise ValueError(f"column(s) {columns} of X have no spread (every value is the same, or there is "
                             f"only one row, or the values differ only in their last few digits); a column with "
                             f"standard deviation 0 cannot be standardised")
        self.mean_, self.scale_, self.n_features_in_ = mean * unit, scale * unit, X.shape[1]
        return self

    def transform(self, X):
        """Return ``(X - mean_) / scale_``, shape (n_samples, n_columns), as a new array."""
        check_is_fitted(self, "this StandardScaler", "transform")
        X = as_X(X, self.n_features_in_, matching=FITTED, bytes_per_entry=8 * COPIES["transform"] + 1,
                 what="StandardScaler.transform on X")
        unit = _power_of_two(np.maximum(np.abs(self.mean_), self.scale_))
        with np.errstate(over="ignore", under="ignore"):       # exact scaling: the textbook numbers, no overflow
            X /= unit
            X -= self.mean_ / unit
            X /= self.scale_ / unit
        return _finite(X, "transform", "standardised")

    def fit_transform(self, X, y=None):
        """``fit(X)`` and then ``transform(X)``: the standardised training data (``y`` is ignored)."""
        return self.fit(X).transform(X)

    def inverse_transform(self, X):
        """Undo ``transform``: return ``X * scale_ + mean_`` in the original units, as a new array."""
        check_is_fitted(self, "this StandardScaler", "inverse_transform")
        X = as_X(X, self.n_features_in_, matching=FITTED, bytes_per_entry=8 * COPIES["inverse_transform"] + 1,
                 what="StandardScaler.inverse_transform on X")
        unit = _power_of_two(np.maximum(np.abs(self.mean_), self.scale_))
        with np.errstate(over="ignore", under="ignore"):
            X *= self.scale_ / unit
            X += self.mean_ / unit
            # A value at the edge of float64 (-1.797e308, say) can come back a rounding error past it: keep it
            # at the edge. Anything further out really lies beyond float64 and is refused below.
            edge = np.finfo(np.float64).max / unit
            rounded_over = (np.abs(X) > edge) & (np.abs(X) <= edge * (1 + 1e-12))
            X = np.where(rounded_over, np.copysign(edge, X), X)
            X *= unit
        return _finite(X, "inverse_transform", "original-unit")


def _power_of_two(top):
    """The largest power of two at most each entry of ``top`` (>= 0; 0.5 for 0). Dividing by it is exact."""
    return np.ldexp(1.0, np.frexp(top)[1] - 1)


def _finite(X, method, kind):
    """Return ``X``, or raise if some of its entries overflowed float64."""
    if not np.all(np.isfinite(X)):
        bad = int(np.sum(~np.isfinite(X)))
        raise ValueError(f"{method} would give {bad} {kind} values beyond float64 (above about 1.8e308): X lies "
                         f"too far from the data the scaler was fitted on")
    return X
