"""Check a backward pass against centred finite differences (notebook 03).

``check_gradients`` is what a learner runs on their own ``backward``: it never
raises, and its report names each wrong gradient and says how it is wrong.
"""

import numpy as np

from .network import forward, init_params, mse
from .validation import as_params, as_real_array, as_X, as_y, check_output, check_positive_float

# Relative error below this counts as a match; float64 centred differences reach about 1e-9 here.
TOLERANCE = 1e-7


def numerical_gradient(X, y, params, output="linear", delta=1e-5):
    """Gradients of the MSE by centred differences: ``(L(p + delta) - L(p - delta)) / (2 delta)``.

    Slow (two forward passes per parameter entry) but needs no calculus, which
    makes it the referee for a hand-written backward pass. ``params`` is not
    modified; keys other than W1, b1, W2, b2 are left out of the result.

    Parameters
    ----------
    X : array_like, shape (n, 2)
    y : array_like, shape (n, 1)
    params : dict
        ``W1`` (2, m), ``b1`` (m,), ``W2`` (m, 1), ``b2`` (1,).
    output : {"linear", "sigmoid"}
    delta : float
        The finite-difference step, a finite number greater than 0.

    Returns
    -------
    dict
        ``W1``, ``b1``, ``W2``, ``b2``, each with the shape of that parameter.
    """
    check_output(output)
    delta = check_positive_float(delta, "delta")
    work = as_params(params)
    X = as_X(X, work["W1"].shape[0])
    y = as_y(y, X.shape[0])
    if not np.isfinite(mse(y, forward(X, work, output))):
        raise ValueError("the loss at these params overflows float64 (above about 1.8e308): "
                         "the data or the weights are too large for a gradient")
    grads = {}
    for key, value in work.items():
        grad = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            saved = value[idx]
            value[idx] = saved + delta
            loss_plus = mse(y, forward(X, work, output))
            value[idx] = saved - delta
            loss_minus = mse(y, forward(X, work, output))
            value[idx] = saved
            with np.errstate(all="ignore"):
                grad[idx] = (loss_plus - loss_minus) / (2 * delta)
        if not np.all(np.isfinite(grad)):
            raise ValueError(f"the centred difference for {key} overflows float64: the data or the weights are "
                             f"too large, or delta ({delta:g}) is")
        grads[key] = grad
    return grads


def relative_error(a, b):
    """Largest ``|a - b| / max(|a| + |b|, 1e-8)`` over all entries (the cs231n measure).

    ``a`` and ``b`` must have the same shape and at least one entry. The result
    lies between 0 and 1 for finite inputs, even near the float64 limit; NaN or
    inf in an entry gives NaN, without a warning.

    Examples
    --------
    >>> relative_error([1.0, 2.0], [1.0, 2.0])
    0.0
    >>> relative_error(3.0, -3.0)      # opposite signs: as far apart as it gets
    1.0
    """
    a, b = as_real_array(a, "a"), as_real_array(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        raise ValueError("a and b must hold at least one number, got empty arrays")
    with np.errstate(all="ignore"):                  # halved, so |a| + |b| cannot overflow; inf gives NaN
        ha, hb = a / 2, b / 2
        return float(np.max(np.abs(ha - hb) / np.maximum(np.abs(ha) + np.abs(hb), 0.5e-8)))


class GradientReport:
    """Outcome of ``check_gradients``: ``.ok``, ``.errors`` (key -> relative error) and a readable ``str()``."""

    def __init__(self, output, problems, errors, not_written=False):
        self.output = output
        self.problems = problems
        self.errors = errors
        self.not_written = not_written

    @property
    def ok(self):
        return not self.problems and not self.not_written

    def __str__(self):
        if self.not_written:
            return "backward is not written yet: it raised NotImplementedError. Fill it in and run this check again."
        head = f"Gradient check, {self.output} output: "
        if self.ok:
            # The errors themselves are rounding noise whose digits vary between machines; they stay in .errors.
            return head + f"all four gradients match (every relative error is below {TOLERANCE:.0e})."
        return head + f"{len(self.problems)} problem(s)\n" + "\n".join(f"  - {p}" for p in self.problems)

    def __repr__(self):
        return f"<GradientReport ok={self.ok}>\n{self}"


def _diagnose(key, mine, ref):
    """Say in words how ``mine`` differs from the reference gradient ``ref``."""
    err = relative_error(mine, ref)
    msg = f"{key}: values are off (relative error {err:.1e}, should be below {TOLERANCE:.0e})."
    if relative_error(-mine, ref) < TOLERANCE:
        return msg + " Every entry has the wrong sign: check the direction of the residual (y_hat - y)."
    nonzero = np.abs(ref) > 1e-12
    if np.any(nonzero):
        ratio = mine[nonzero] / ref[nonzero]
        if np.all(np.isfinite(ratio)) and np.ptp(ratio) < 1e-6 * max(1.0, abs(ratio[0])):
            return msg + f" Every entry is {ratio[0]:.4g} times the right value: a constant factor (the 2/n?) is off."
    return msg


def check_gradients(backward_fn, output="linear", seed=0):
    """Run ``backward_fn(X, y, params, output=output)`` on a small random problem and grade it.

    Parameters
    ----------
    backward_fn : callable
        A function with the signature of ``course_utils.backward``.
    output : {"linear", "sigmoid"}
    seed : int
        Seeds the small problem (7 samples, 3 hidden units, random weights).

    Returns
    -------
    GradientReport
        Never raises: a crash, a missing key or a wrong shape is reported, not thrown.
    """
    try:
        check_output(output)
    except ValueError as err:
        return GradientReport(output, [str(err)], {})
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2.0, 2.0, size=(7, 2))
    y = rng.normal(0.0, 1.0, size=(7, 1))
    params = init_params(3, "random", seed=rng)
    params["b1"] = rng.normal(0.0, 0.5, size=3)
    params["b2"] = rng.normal(0.0, 0.5, size=1)
    reference = numerical_gradient(X, y, params, output)
    given = {k: v.copy() for k, v in params.items()}
    try:
        grads = backward_fn(X.copy(), y.copy(), given, output=output)
    except NotImplementedError:
        return GradientReport(output, [], {}, not_written=True)
    except Exception as err:  # the learner's code: report, never propagate
        return GradientReport(output, [f"backward raised {type(err).__name__}: {err}"], {})
    problems, errors = [], {}
    if any(not np.array_equal(given[k], params[k]) for k in params):
        problems.append("backward changed the params it was given; it should only read them.")
    if not isinstance(grads, dict):
        return GradientReport(output, [f"backward should return a dict of gradients, got {type(grads).__name__}"], {})
    for key, ref in reference.items():
        if key not in grads:
            problems.append(f"{key}: missing from the returned dict (it has {', '.join(map(str, grads)) or 'no keys'}).")
            continue
        try:
            mine = np.asarray(grads[key], dtype=np.float64)
        except (TypeError, ValueError):
            problems.append(f"{key}: is not an array of numbers (got {type(grads[key]).__name__}).")
            continue
        if mine.shape != ref.shape:
            hint = " It looks transposed." if mine.shape == ref.shape[::-1] else ""
            problems.append(f"{key}: wrong shape {mine.shape}, expected {ref.shape} (the shape of params['{key}']).{hint}")
            continue
        errors[key] = relative_error(mine, ref)
        if not errors[key] < TOLERANCE:
            problems.append(_diagnose(key, mine, ref))
    return GradientReport(output, problems, errors)
