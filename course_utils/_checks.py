"""Every input check of the package, in one place, with error messages written for a learner.

As in scikit-learn, input checks go through one door: the other modules call these and define none
of their own (``tests/test_package_layout.py`` sees to it). A message names the argument, says what
was expected and what arrived: ``X must have 2 columns to match W1, got shape (10, 3)``. A type
that is wrong is a TypeError; a value of the right type that is wrong is a ValueError.
"""

import math
import numbers
from decimal import Decimal

import numpy as np

from .text import shown

OUTPUTS = ("linear", "sigmoid")
PARAM_SHAPES = {"W1": ("n_inputs", "m"), "b1": ("m",), "W2": ("m", 1), "b2": (1,)}
MEMORY_LIMIT = 2 * 2**30     # bytes: no request that would need more than 2 GiB is started
# The finite-difference steps ``hessian`` accepts: at least DELTA_MIN times the largest parameter (and DELTA_MIN
# itself), at most DELTA_MAX.
DELTA_MIN, DELTA_MAX = 1e-8, 1e-2


class NotFittedError(ValueError, AttributeError):
    """Raised when a scaler is used before ``fit`` has given it a mean and a scale (scikit-learn's name)."""


# ----- numbers -----

def check_whole_number(value, name, minimum):
    """Return ``value`` as an int, or raise if it is not a whole number >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a whole number (int), got {shown(value)} of type {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be {'0 or more' if minimum == 0 else f'at least {minimum}'}, "
                         f"got {shown(value, True)}")
    return int(value)


def check_positive_int(value, name):
    """Return ``value`` as an int, or raise if it is not a whole number >= 1."""
    return check_whole_number(value, name, 1)


def check_non_negative_int(value, name):
    """Return ``value`` as an int, or raise if it is not a whole number >= 0."""
    return check_whole_number(value, name, 0)


def check_real_number(value, name):
    """Return ``value`` as a float, or raise if it is not a real number (a Fraction is converted; NaN passes)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {shown(value)} of type {type(value).__name__}")
    try:
        return float(value)
    except OverflowError:                                    # a whole number or Fraction beyond float64
        raise ValueError(f"{name} must be a finite number, got {shown(value)} (too large for float64)") from None


def check_positive_float(value, name):
    """Return ``value`` as a float, or raise if it is not a finite number > 0."""
    number = check_real_number(value, name)
    if not np.isfinite(number) or number <= 0:
        raise ValueError(f"{name} must be a finite number greater than 0, got {shown(value, True)}")
    return number


def check_non_negative_float(value, name):
    """Return ``value`` as a float, or raise if it is not a finite number >= 0."""
    number = check_real_number(value, name)
    if not np.isfinite(number) or number < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {shown(value, True)}")
    return number


def check_in_range(value, name, low, high, integer=False):
    """Return ``value``, or raise unless it is a (whole, if ``integer``) number from ``low`` to ``high``.

    The explorers check their arguments with it: a slider would silently clamp a number outside its range.
    """
    kind = "a whole number" if integer else "a number"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral if integer else numbers.Real):
        raise TypeError(f"{name} must be {kind} from {low:g} to {high:g}, got {shown(value)} of type "
                        f"{type(value).__name__}")
    if not (math.isfinite(value) and low <= value <= high):
        raise ValueError(f"{name} must be {kind} from {low:g} to {high:g} (the range of its slider), "
                         f"got {shown(value)}")
    return value


def check_test_size(test_size, n):
    """Return the number of test samples ``test_size`` asks for out of ``n``, or raise unless both sides keep one.

    A float in (0, 1) is a fraction, rounded up, as scikit-learn rounds it; a whole number is a count.
    """
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


def check_difference_step(delta, theta):
    """Return ``delta`` as a float, or raise if it is too small or too large for an accurate Hessian at ``theta``."""
    delta = check_positive_float(delta, "delta")
    scale = max(1.0, float(np.max(np.abs(theta))))
    low = DELTA_MIN * scale
    if low > DELTA_MAX:
        raise ValueError(f"the parameters are as large as {scale:.3g}: no finite-difference step is both large enough "
                         f"to survive rounding (1e-8 times that) and at most {DELTA_MAX:g}, so their curvature "
                         "cannot be computed accurately")
    if not low <= delta <= DELTA_MAX:
        raise ValueError(f"delta must be from {low:.3g} (1e-8 times the largest parameter, {scale:.3g}, or 1e-8) "
                         f"to {DELTA_MAX:g}, got {delta:g}: a smaller step loses the Hessian to rounding, a larger "
                         "one to the curvature changing across the step. The default 1e-4 is accurate")
    return delta


# ----- seeds -----

def check_seed(seed, name="seed"):
    """Return ``seed`` unchanged, or raise unless it is None, a whole number >= 0 or a numpy Generator.

    These are what ``np.random.default_rng`` takes as one seed, and what the package means by a seed everywhere.
    """
    if seed is None or isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise TypeError(f"{name} must be None, a whole number >= 0 or a numpy Generator, got {shown(seed)}")
    return int(seed)


def check_randomstate_seed(seed, name="seed"):
    """Return ``seed`` as an int, or raise unless it is a whole number from 0 to 2**32 - 1.

    That is a seed of the legacy ``np.random.RandomState`` that ``make_dataset`` draws from, to reproduce the
    original notebook; it takes no None or Generator, unlike every other seed (``check_seed``).
    """
    seed = check_whole_number(seed, name, 0)
    if seed >= 2**32:
        raise ValueError(f"{name} must be a whole number from 0 to 2**32 - 1, got {shown(seed, True)}")
    return seed


# ----- choices and types -----

def check_flag(value, name):
    """Return ``value`` as a bool, or raise a TypeError unless it is True or False."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {shown(value)}")
    return bool(value)


def check_choice(value, name, choices):
    """Return ``value``, or raise a ValueError unless it is one of ``choices`` (True is not 1 here)."""
    try:
        known = value in choices and isinstance(value, (bool, np.bool_)) == isinstance(choices[0], (bool, np.bool_))
    except (TypeError, ValueError):            # an unhashable value, or an array that == cannot answer for
        known = False
    if not known:
        *rest, last = [repr(c) for c in choices]
        raise ValueError(f"{name} must be {', '.join(rest) + ' or ' if rest else ''}{last}, got {shown(value)}")
    return value


def check_output(output):
    """Raise unless ``output`` names an output activation the network knows."""
    return check_choice(output, "output", OUTPUTS)


def check_type(value, name, kind, expected):
    """Return ``value``, or raise a TypeError unless it is a ``kind``; ``expected`` says what that is in words."""
    if not isinstance(value, kind):
        raise TypeError(f"{name} must be {expected}, got {type(value).__name__}")
    return value


def check_is_fitted(scaler, name, before):
    """Raise unless ``scaler`` has been fitted, as scikit-learn's ``check_is_fitted`` does.

    Anything without ``mean_``, ``scale_`` or a ``fit`` method is a TypeError; a scaler whose ``fit`` has not run
    yet (no ``mean_`` and ``scale_``) is a ``NotFittedError``, whose message says to call ``fit`` before ``before``.
    """
    if not (hasattr(scaler, "mean_") and hasattr(scaler, "scale_")) and not callable(getattr(scaler, "fit", None)):
        raise TypeError(f"{name} must be a fitted StandardScaler (anything with mean_ and scale_ arrays), "
                        f"got {type(scaler).__name__}")
    if getattr(scaler, "mean_", None) is None or getattr(scaler, "scale_", None) is None:
        raise NotFittedError(f"{name} has not been fitted yet: call fit(X) (or fit_transform(X)) on the training "
                             f"data before {before}")


# ----- arrays -----

def as_real_array(value, name, bytes_per_entry=8, what=None):
    """Return ``value`` as a new float64 array, or raise if it is not made of real numbers.

    Python numbers numpy keeps as objects (a Fraction, an int beyond int64) are converted too. Raises
    unless ``bytes_per_entry`` bytes an entry fit in ``MEMORY_LIMIT``; that message calls it ``what``
    (``name`` if None).
    """
    if value is None or isinstance(value, (str, bytes, dict)):
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as err:                  # ragged nested lists, for one
        raise TypeError(f"{name} must be an array of numbers: {err}") from None
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} must hold real numbers, got complex values (dtype {arr.dtype})")
    if arr.dtype.kind in "USVMm":
        raise TypeError(f"{name} must be an array of numbers, got dtype {arr.dtype}")
    check_memory(arr.size * bytes_per_entry, f"{what or name} of shape {arr.shape}")
    if arr.dtype == object and not all(isinstance(v, numbers.Real) for v in arr.flat):
        raise TypeError(f"{name} must be an array of numbers, got dtype object")
    try:
        return np.array(arr, dtype=np.float64)
    except OverflowError:                                   # a Python int beyond float64, such as 10**400
        raise ValueError(f"{name} must contain only finite numbers, but holds a whole number too large for "
                         f"float64 (above about 1.8e308)") from None
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of numbers: {err}") from None


def as_values(value, name, size=None):
    """Return ``value``, at least one number, as a flat float64 array (of ``size`` entries if given), or raise."""
    flat = as_real_array(value, name).ravel()
    if flat.size == 0:
        raise ValueError(f"{name} must hold at least one number, got an empty array")
    if size is not None and flat.size != size:
        raise ValueError(f"{name} must hold one value per sample ({size}), got {flat.size}")
    return flat


def as_X(X, n_inputs=None, name="X", matching="W1", bytes_per_entry=8, what=None):
    """Return ``X`` as a new float64 array of shape (n_samples, n_inputs), or raise; messages call it ``name``.

    ``n_inputs`` columns are needed to match ``matching``; ``bytes_per_entry`` and ``what`` go to ``as_real_array``.
    """
    X = as_real_array(X, name, bytes_per_entry, what)
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        hint = "; for a single column, such as y, use .reshape(-1, 1)" if X.ndim == 1 else ""
        raise ValueError(f"{name} must be a 2-D array of shape (n_samples, n_features), got shape {X.shape}{hint}")
    if n_inputs is not None and X.shape[1] != n_inputs:
        raise ValueError(f"{name} must have {n_inputs} columns to match {matching}, got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        bad = int(np.sum(~np.isfinite(X)))
        raise ValueError(f"{name} must contain only finite numbers, but {bad} entries are NaN or infinite")
    return X


def as_y(y, n_samples, name="y", x_name="X"):
    """Return ``y`` as a float64 column of shape (n_samples, 1), or raise; messages call it ``name``, X ``x_name``."""
    y = as_real_array(y, name)
    if y.ndim == 1:
        y = y.reshape(-1, 1)
    if y.ndim != 2 or y.shape[1] != 1:
        raise ValueError(f"{name} must have shape (n_samples, 1) or (n_samples,), got shape {y.shape}")
    if y.shape[0] != n_samples:
        raise ValueError(f"{name} must have one target per row of {x_name} ({n_samples}), got {y.shape[0]}")
    if not np.all(np.isfinite(y)):
        bad = int(np.sum(~np.isfinite(y)))
        raise ValueError(f"{name} must contain only finite numbers, but {bad} entries are NaN or infinite")
    return y


def as_params(params, name="params", finite=True):
    """Return the four parameters of ``params`` as new float64 arrays in a dict, or raise.

    Lists and tuples are accepted as arrays; keys other than W1, b1, W2, b2 are
    left out. The width m (columns of W1) must be at least 1 and every entry a
    real number, finite unless ``finite`` is False (a network that overflowed).
    """
    if not isinstance(params, dict):
        raise TypeError(f"{name} must be a dict with keys W1, b1, W2, b2, got {type(params).__name__}")
    missing = [k for k in PARAM_SHAPES if k not in params]
    if missing:
        raise ValueError(f"{name} is missing {', '.join(missing)}; expected keys W1, b1, W2, b2, "
                         f"got {', '.join(map(str, params)) or 'none'}")
    out = {k: as_real_array(params[k], f"{name}['{k}']") for k in PARAM_SHAPES}
    if out["W1"].ndim != 2:
        raise ValueError(f"{name}['W1'] must have shape (n_inputs, m), got {out['W1'].shape}")
    n_inputs, m = out["W1"].shape
    if n_inputs < 1 or m < 1:
        raise ValueError(f"{name}['W1'] must have at least 1 input row and 1 hidden unit (m >= 1), "
                         f"got shape {out['W1'].shape}")
    expected = {"W1": (n_inputs, m), "b1": (m,), "W2": (m, 1), "b2": (1,)}
    for key, shape in expected.items():
        if out[key].shape != shape:
            raise ValueError(f"{name}['{key}'] must have shape {shape} to match W1 {out['W1'].shape}, "
                             f"got {out[key].shape}")
        bad = int(np.count_nonzero(~np.isfinite(out[key]))) if finite else 0
        if bad:
            raise ValueError(f"{name}['{key}'] must contain only finite numbers, but {bad} entries are NaN or "
                             f"infinite")
    return out


def check_params(params):
    """Check that ``params`` holds W1, b1, W2, b2 with matching shapes; return (n_inputs, m)."""
    return as_params(params)["W1"].shape


def as_X_y_params(X, y, params, output):
    """Check ``output``; return ``X`` (n, n_inputs), ``y`` (n, 1) and ``params``, checked together, or raise."""
    check_output(output)
    params = as_params(params)
    X = as_X(X, params["W1"].shape[0])
    return X, as_y(y, X.shape[0]), params


def as_X_and_params(X, params, copies, what):
    """Return ``X`` (n, n_inputs) and ``params`` checked against each other, or raise.

    Also raises unless ``copies`` (n, m) float64 arrays fit in ``MEMORY_LIMIT``; ``what`` names them.
    """
    params = as_params(params)
    X = as_X(X, params["W1"].shape[0])
    n, m = X.shape[0], params["W1"].shape[1]
    check_memory(8 * (copies * n * m + 2 * n), f"{what} of width {m} on {n} samples")
    return X, params


# ----- memory -----

def check_memory(nbytes, what):
    """Raise a ValueError if ``what`` would need more than ``MEMORY_LIMIT`` bytes."""
    if nbytes > MEMORY_LIMIT:
        try:
            gib = f"{nbytes / 2**30:.3g}"
        except OverflowError:                               # more bytes than a float holds: epochs=10**400, say
            gib = f"{Decimal(nbytes) / 2**30:.3g}"
        raise ValueError(f"{what} would need {gib} GiB of memory; the limit is "
                         f"{MEMORY_LIMIT / 2**30:g} GiB. Ask for fewer samples, units or epochs")


# Hidden-layer entries (units x samples) in one stack of networks that ``_descent.py`` trains at once.
CHUNK_ELEMENTS = 200_000


def check_training_memory(n_samples, widths, epochs, n_inputs=2, extra_bytes=0):
    """Raise unless training networks of these ``widths`` on ``n_samples`` fits in ``MEMORY_LIMIT``.

    Counted: the (2m + 5, n_samples) float64 work arrays of the two widest
    networks, which may run at once, with 3 more rows of n_samples for each
    input column beyond 2 (the inputs and their products with the residual);
    the work arrays of two stacks of narrower networks, each at most
    ``3 + 3 (n_inputs + 1)`` times ``CHUNK_ELEMENTS``; and every loss of every
    network, three times over (as run, joined, returned), if all ``epochs``
    run. Losses are stored as the epochs run, never ahead of time.
    ``extra_bytes`` is what the caller holds besides (``train_many``'s copies
    of its starts), counted in the same total.
    """
    busiest = sum(sorted(widths)[-2:])
    work = (2 * busiest + 10 + 3 * max(0, n_inputs - 2)) * n_samples + 2 * busiest * (n_inputs + 1)
    stacks = 2 * (3 + 3 * (n_inputs + 1)) * CHUNK_ELEMENTS if len(widths) > 1 else 0
    check_memory(8 * (work + stacks + 3 * len(widths) * (epochs + 1)) + extra_bytes, "this training run")


# ----- the arguments of training -----

def check_validation(validation, n_inputs, width, epochs, name="validation"):
    """Return ``validation`` as a checked pair ``(X_val (n_val, n_inputs), y_val (n_val, 1))``, or raise.

    The messages name ``name``, and the held-out pass of a network of this ``width`` (its hidden
    layer over every held-out row) and its losses, 3 floats an epoch, must fit in ``MEMORY_LIMIT``.
    """
    if not isinstance(validation, (tuple, list)) or len(validation) != 2:
        raise TypeError(f"{name} must be a pair (X_val, y_val), got {type(validation).__name__}"
                        f"{f' of length {len(validation)}' if isinstance(validation, (tuple, list)) else ''}")
    X_val = as_X(validation[0], n_inputs, name=f"{name}[0] (its X)")
    y_val = as_y(validation[1], X_val.shape[0], name=f"{name}[1] (its y)", x_name=f"{name}[0]")
    check_memory(_held_out_bytes(len(X_val), n_inputs, width, epochs), "the validation pass of this training run")
    return X_val, y_val


def _held_out_bytes(n_val, n_inputs, width, epochs):
    return 8 * ((width + n_inputs + 3) * n_val + 3 * epochs)


def check_held_out(validation, n_inputs, width, epochs):
    """Return ``(pairs, many)``: ``validation`` as a list of checked pairs, and whether it came as a list; or raise.

    One pair, a tuple ``(X_val, y_val)``, gives ``([(X_val, y_val)], False)``. A list of pairs
    ``[(X_a, y_a), (X_b, y_b), ...]`` gives ``(pairs, True)``, each checked as ``check_validation``
    checks one, its messages naming ``validation[k]``; all their passes together must fit in memory.
    """
    if not isinstance(validation, list):
        return [check_validation(validation, n_inputs, width, epochs)], False
    if not validation:
        raise ValueError("validation must be a pair (X_val, y_val) or a list of such pairs, got an empty list")
    for k, pair in enumerate(validation):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"validation is a list, so each item must be a pair (X_val, y_val), but validation[{k}] "
                            f"is {type(pair).__name__}{f' of length {len(pair)}' if hasattr(pair, '__len__') else ''}"
                            "; for one held-out set pass the tuple (X_val, y_val)")
    pairs = [check_validation(pair, n_inputs, width, epochs, name=f"validation[{k}]")
             for k, pair in enumerate(validation)]
    check_memory(sum(_held_out_bytes(len(X_val), n_inputs, width, epochs) for X_val, _ in pairs),
                 f"the {len(pairs)} validation passes of this training run")
    return pairs, True


def check_widths(widths, choices=None):
    """Return ``widths`` as a tuple of distinct hidden widths, or raise.

    Without ``choices`` (``width_sweep``): at least one whole number >= 1, in the order given. With
    ``choices`` (an explorer's boxes): each one of ``choices``, none at all allowed, sorted.
    """
    such = f"widths chosen from {choices}, such as (2, 16)" if choices else "whole numbers such as (2, 4, 8, 16)"
    if isinstance(widths, (str, bytes, dict)) or not hasattr(widths, "__iter__"):
        raise TypeError(f"widths must be a sequence of {such}, got {shown(widths)}")
    widths = tuple(widths)
    if choices is None:
        if not widths:
            raise ValueError("widths must name at least one hidden width, got an empty sequence")
        widths = tuple(check_positive_int(w, "each width") for w in widths)
    elif not all(w in choices and not isinstance(w, (bool, np.bool_)) for w in widths):
        raise ValueError(f"widths must be chosen from {choices}, got {shown(widths)}")
    if len(set(widths)) != len(widths):
        raise ValueError(f"widths must not repeat a width, got {widths}")
    return widths if choices is None else tuple(sorted(widths))


def check_batch_size(batch_size, n_samples):
    """Return ``batch_size`` as an int from 1 to ``n_samples`` (None means all of them), or raise."""
    if batch_size is None:
        return n_samples
    batch_size = check_positive_int(batch_size, "batch_size")
    if batch_size > n_samples:
        raise ValueError(f"batch_size must be at most the number of training samples ({n_samples}), "
                         f"got {shown(batch_size)}")
    return batch_size


def count_numbers(params):
    """The count of numbers in a params dict, without converting arrays; 0 for what the checks will refuse."""
    if not isinstance(params, dict):
        return 0
    try:
        return sum(int(np.size(params[k])) for k in PARAM_SHAPES if k in params)
    except (TypeError, ValueError):                          # ragged lists and such: as_params names them
        return 0


def check_training_args(X, y, starts, lr, epochs, output, copies=0):
    """Check what ``train`` and ``train_many`` are given; return ``X, y, starts, lr, epochs`` as they train on.

    The memory check counts ``copies`` float64 copies of the starts with the work arrays, in one total.
    """
    check_output(output)
    starts = check_starts(starts, "use train")
    starts = [as_params(p, f"starts[{k}]" if len(starts) > 1 else "params") for k, p in enumerate(starts)]
    lr, epochs = check_positive_float(lr, "lr"), check_non_negative_int(epochs, "epochs")
    widths = [p["W1"].shape[1] for p in starts]
    held = 8 * copies * sum(count_numbers(p) for p in starts)
    if isinstance(X, np.ndarray) and X.ndim == 2:                  # refuse before X is even copied, when we can
        check_training_memory(X.shape[0], widths, epochs, X.shape[1], held)
    X = as_X(X, starts[0]["W1"].shape[0])
    for k, p in enumerate(starts):
        if p["W1"].shape[0] != X.shape[1]:
            raise ValueError(f"starts[{k}]['W1'] must have {X.shape[1]} rows, one per column of X, "
                             f"got shape {p['W1'].shape}")
    y = as_y(y, X.shape[0])
    check_training_memory(X.shape[0], widths, epochs, X.shape[1], held)
    return X, y, starts, lr, epochs


def check_copies_memory(sizes, widths, X, epochs, copies, what):
    """Raise, before any copy is made, unless ``copies`` copies of starts of ``sizes`` numbers fit in memory,
    alone and, when ``X``, the ``widths`` and ``epochs`` are already usable as given, with the work arrays of
    training on ``X`` (``check_training_memory``), in one total. ``check_training_args`` checks that total
    again, once everything is converted. ``what`` names the copies, with ``{}`` for the number of starts.
    """
    nbytes = 8 * copies * sum(sizes)
    check_memory(nbytes, what.format(len(sizes)))
    if (isinstance(X, np.ndarray) and X.ndim == 2 and None not in widths
            and isinstance(epochs, numbers.Integral) and not isinstance(epochs, bool) and epochs >= 0):
        check_training_memory(X.shape[0], widths, int(epochs), X.shape[1], nbytes)   # int: no numpy overflow


# ----- networks side by side (stacked.py) -----

def check_per_start(value, name, count, check):
    """Return ``value`` as a list of ``count`` values, each passed through ``check(v, name)``, or raise.

    One value is used for every start; a sequence (list, tuple or 1-D array) must hold one value per start.
    """
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__len__") or np.ndim(value) == 0:
        return [check(value, name)] * count
    if np.ndim(value) != 1 or len(value) != count:
        raise ValueError(f"{name} must be one value, or a sequence of one value per start ({count}), got "
                         f"{shown(value)}")
    return [check(v.item() if isinstance(v, np.generic) else v, f"{name}[{k}]") for k, v in enumerate(value)]


def check_starts(starts, one="put it in a list"):
    """Return ``starts`` as a non-empty list (its items are checked later), or raise; ``one`` says what to do
    with a single network's params dict."""
    if isinstance(starts, (dict, str)):
        raise TypeError(f"starts must be a list of params dicts (for one network, {one}), "
                        f"got a {type(starts).__name__}")
    try:
        starts = list(starts)
    except TypeError:
        raise TypeError(f"starts must be a sequence of params dicts, got {type(starts).__name__}") from None
    if not starts:
        raise ValueError("starts must hold at least one params dict, got an empty sequence")
    return starts


def check_stacked_params(stacked):
    """Return ``(count, n_inputs, m)`` of a dict of stacked parameters, as ``stack_params`` returns it, or raise."""
    if not isinstance(stacked, dict):
        raise TypeError(f"stacked must be a dict of stacked parameters (from stack_params), got "
                        f"{type(stacked).__name__}")
    missing = [k for k in PARAM_SHAPES if not isinstance(stacked.get(k), np.ndarray)]
    if missing:
        raise ValueError(f"stacked must hold W1, b1, W2 and b2 as arrays (from stack_params); "
                         f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing or not arrays")
    if stacked["W1"].ndim != 3:
        raise ValueError(f"stacked['W1'] must have shape (count, n_inputs, m), got {stacked['W1'].shape}")
    count, n_inputs, m = stacked["W1"].shape
    for key, shape in {"b1": (count, m), "W2": (count, m, 1), "b2": (count, 1)}.items():
        if stacked[key].shape != shape:
            raise ValueError(f"stacked['{key}'] must have shape {shape} to match W1 {stacked['W1'].shape}, "
                             f"got {stacked[key].shape}")
    return count, n_inputs, m


def as_stacked_data(X, y, count, n_inputs, width):
    """Return ``X`` and ``y`` for ``backward_stack``: (count, B, D) and (count, B, 1), or one (B, D) and (B, 1)
    shared by every network; or raise. Its work arrays, about two (count, B, m) arrays, must fit in memory."""
    batch = np.shape(X)[-2] if isinstance(X, np.ndarray) and X.ndim in (2, 3) else 0    # refuse before copying X
    _check_stacked_work(count, batch, n_inputs, width)
    X, y = as_real_array(X, "X"), as_real_array(y, "y")
    if X.ndim not in (2, 3) or X.shape[-1] != n_inputs or (X.ndim == 3 and X.shape[0] != count):
        raise ValueError(f"X must have shape (B, {n_inputs}) shared by every network, or ({count}, B, {n_inputs}) "
                         f"with one batch per network, got {X.shape}")
    if y.shape != (*X.shape[:-1], 1):
        raise ValueError(f"y must have shape {(*X.shape[:-1], 1)} to match X {X.shape}, got {y.shape}")
    for name, a in (("X", X), ("y", y)):
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{name} must contain only finite numbers, but {int(np.sum(~np.isfinite(a)))} entries "
                             f"are NaN or infinite")
    _check_stacked_work(count, X.shape[-2], n_inputs, width)
    return X, y


def _check_stacked_work(count, batch, n_inputs, width):
    check_memory(8 * count * (batch * (2 * width + n_inputs + 3) + 2 * (n_inputs + 2) * width),
                 f"the gradients of {count} networks of width {width} on batches of {batch}")


def check_stack_memory(count, n_max, n_inputs, width, batch_size, chunk):
    """Raise unless ``train_stack``'s work arrays fit in ``MEMORY_LIMIT``: every network's samples padded to the
    largest sample (``n_max``), one step's hidden layer and its gradient, and for mini-batches the batches and
    shuffled indices of ``chunk`` steps at once."""
    data = count * n_max * (n_inputs + 1)
    step = count * min(batch_size or n_max, n_max) * (2 * width + 3)
    batches = 0 if batch_size is None else count * (chunk * batch_size * (n_inputs + 2) + 3 * (chunk * batch_size
                                                                                                + n_max))
    check_memory(8 * (data + step + batches), f"training {count} networks of width {width} side by side")
