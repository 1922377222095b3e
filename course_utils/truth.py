"""The known truth f on a grid over the square: the grid error G and its split into bias² and variance.

Notebook 05 measures a trained network against the surface it was fitted to:
``G = mean over the grid of (f_hat - f)**2``, a midpoint estimate of the mean
square error over the whole square [-5, 5]², noise left out. Across S
training sets, each giving its own ``f_hat_s``, the mean G splits exactly:

    mean_s G_s = mean_grid (mean_s f_hat_s - f)**2  +  mean_grid var_s f_hat_s
               =            bias²                   +        variance

(the variance over the S sets with divisor S, so the identity holds to
rounding). ``bias_variance`` returns both parts, the mean G, and the
Monte-Carlo error of that mean as an estimate of the expected G over all
training sets: ``std_s G_s / sqrt(S)``.
"""

from typing import NamedTuple

import numpy as np

from ._checks import as_real_array, check_whole_number
from .data import target_function
from .diagnostics import input_grid

SQUARE = (-5.0, 5.0)


def midpoint_grid(cells=100):
    """The midpoints of a ``cells`` x ``cells`` grid over the square, and f there (notebooks 05, 06).

    The points are ``input_grid``'s, inset by half a cell: ``cells`` of them a side, from the middle of
    the first cell to the middle of the last.

    Returns
    -------
    X_grid : ndarray, shape (cells**2, 2)
        The points, ``x1`` varying fastest.
    f_grid : ndarray, shape (cells**2, 1)
        ``target_function`` at each point.
    """
    cells = check_whole_number(cells, "cells", 2)
    low, high = SQUARE
    half = (high - low) / cells / 2
    x1, x2, X_grid = input_grid(cells, low + half, high - half)
    return X_grid, target_function(x1, x2).reshape(-1, 1)


def grid_error(y_hat, f_grid):
    """G: the mean of ``(y_hat - f_grid)**2``, both given on the same grid points, as (N,) or (N, 1)."""
    rows, f = _on_grid(y_hat, "y_hat", f_grid)
    if rows.shape[0] != 1:
        raise ValueError(f"y_hat must be one model's predictions, (N,) or (N, 1), got shape {np.shape(y_hat)}; "
                         "for several models use bias_variance")
    return float(np.mean((rows[0] - f) ** 2))


class BiasVariance(NamedTuple):
    """The split of the mean grid error over S training sets: ``mean_G = bias2 + variance`` to rounding."""

    mean_G: float
    bias2: float
    variance: float
    mc_error: float     # std of the S values of G / sqrt(S): the Monte-Carlo error of mean_G
    sets: int


def bias_variance(predictions, f_grid):
    """Split the mean grid error of S models, one per training set, into bias² and variance (notebook 06).

    Parameters
    ----------
    predictions : array_like, shape (S, N) or (S, N, 1)
        Row s holds model s's predictions at the N grid points; S >= 2.
    f_grid : array_like, shape (N,) or (N, 1)
        The true surface at the same points (``midpoint_grid``).

    Returns
    -------
    BiasVariance
        ``mean_G``, ``bias2``, ``variance`` (divisor S), ``mc_error`` and ``sets`` = S.

    Examples
    --------
    Two models that miss f by +1 and by +3 everywhere: their mean misses by 2 (bias² 4) and
    they spread by 1 either side of it (variance 1); their G are 1 and 9, whose mean is 5.

    >>> f = np.zeros(4)
    >>> bias_variance([f + 1, f + 3], f)[:3]
    (5.0, 4.0, 1.0)
    """
    P, f = _on_grid(predictions, "predictions", f_grid)
    if P.shape[0] < 2:
        raise ValueError(f"predictions must hold at least 2 models (one row each) to have a variance, "
                         f"got {P.shape[0]}")
    G = np.mean((P - f) ** 2, axis=1)
    mean = P.mean(axis=0)
    return BiasVariance(mean_G=float(G.mean()), bias2=float(np.mean((mean - f) ** 2)),
                        variance=float(np.mean(P.var(axis=0))), mc_error=float(G.std(ddof=1) / np.sqrt(len(G))),
                        sets=len(G))


def _on_grid(values, name, f_grid):
    """``values`` as (S, N) float rows and ``f_grid`` as (N,), or raise naming what does not fit."""
    f = as_real_array(f_grid, "f_grid")
    if f.ndim == 2 and f.shape[1] == 1:
        f = f[:, 0]
    if f.ndim != 1 or f.size == 0:
        raise ValueError(f"f_grid must have shape (N,) or (N, 1), got {f.shape}")
    arr = as_real_array(values, name)
    if (arr.ndim == 3 and arr.shape[2] == 1) or arr.shape == (f.size, 1):
        arr = arr[..., 0]                        # (S, N, 1) or (N, 1)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != f.size:
        raise ValueError(f"{name} must hold {f.size} values per model, one per grid point of f_grid, "
                         f"got shape {np.shape(values)}")
    if not (np.all(np.isfinite(arr)) and np.all(np.isfinite(f))):
        raise ValueError(f"{name} and f_grid must be finite; a model that diverged has no grid error")
    return arr, f
