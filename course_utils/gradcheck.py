"""Check a backward pass against centred finite differences (notebook 03).

``check_gradients`` is what a learner runs on their own ``backward``: it never
raises, lets no warning through, and its report names each wrong gradient and
says how it is wrong, in at most ``MAX_MESSAGE`` characters.
"""

import numpy as np

from ._checks import as_real_array, as_X_y_params, check_output, check_positive_float, check_seed
from .exercises.feedback import (MAX_MESSAGE, _clip, _is_complex, describe, error_text, is_blank, non_finite, quietly,
                                 real_array)
from .network import forward, init_params, mse

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
    X, y, work = as_X_y_params(X, y, params, output)
    delta = check_positive_float(delta, "delta")
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
    """Outcome of ``check_gradients``: ``.ok``, ``.status``, ``.errors`` (key -> relative error), a readable ``str()``.

    ``str()`` is at most ``MAX_MESSAGE`` characters; while ``backward`` is still the
    placeholder it starts with ``[ ]`` and says "not attempted yet", like the exercise checks.
    """

    def __init__(self, output, problems, errors, not_written=False, reason="it raised NotImplementedError"):
        self.output = output
        self.problems = problems
        self.errors = errors
        self.not_written = not_written
        self.reason = reason

    @property
    def ok(self):
        return not self.problems and not self.not_written

    @property
    def status(self):
        """"not attempted", "correct" or "incorrect", as for an exercise's ``Feedback``."""
        return "not attempted" if self.not_written else "correct" if self.ok else "incorrect"

    def __str__(self):
        head = f"Gradient check, {self.output} output: "
        if self.not_written:
            return (f"[ ] {head}not attempted yet: backward is not written yet ({self.reason}). "
                    "Fill it in and run this check again.")
        if self.ok:
            # The errors themselves are rounding noise whose digits vary between machines; they stay in .errors.
            return head + f"all four gradients match (every relative error is below {TOLERANCE:.0e})."
        text = head + f"{len(self.problems)} problem(s)\n" + "\n".join(f"  - {_clip(p, 200)}" for p in self.problems)
        return _clip(text, MAX_MESSAGE)

    def __repr__(self):
        return f"<GradientReport ok={self.ok}>\n{self}"


def _factor_words(c, n):
    """Name a constant factor between a gradient and the right one, or '' when it has no usual cause."""
    for value, words in ((2.0, "the 2 of the square counted twice"), (0.5, "the 2 of the square left out"),
                         (n, "the 1/n of the mean left out"), (1 / n, "a 1/n too many"),
                         (n / 2, "2/n left out"), (2 / n, "2/n applied twice")):
        if abs(c - value) <= 1e-6 * value:
            return f" ({words}?)"
    return ""


def _explain(mine, ref, key, n):
    """How ``mine`` (finite, the right shape) differs from the reference gradient ``ref``, in one sentence."""
    if not np.any(mine):
        return "Every entry is 0, but the right gradient is not: is it computed, or only created with zeros?"
    if relative_error(-mine, ref) < TOLERANCE:
        return "Every entry has the wrong sign: check the direction of the residual (y_hat - y)."
    nonzero = np.abs(ref) > 1e-6 * np.abs(ref).max()
    if np.any(nonzero):
        ratio = mine[nonzero] / ref[nonzero]
        c = float(ratio[0])
        if np.all(np.isfinite(ratio)) and np.ptp(ratio) <= 1e-6 * abs(c) and c > 0:
            if abs(c - 1) < 1e-3:
                return (f"Every entry is within a relative {abs(c - 1):.0e} of the right value: close, "
                        "but an exact formula matches to rounding error.")
            return f"Every entry is {c:.4g} times the right value: a constant factor is off{_factor_words(c, n)}."
    worst = np.unravel_index(int(np.argmax(np.abs(mine - ref))), ref.shape)
    where = f"[{', '.join(map(str, worst))}]" if worst else ""
    return f"Largest difference at {key}{where}: yours {mine[worst]:.4g}, right {ref[worst]:.4g}."


def _diagnose_all(wrong, usable, reference, n):
    """One line per different explanation; keys that are off in the same way share a line."""
    groups = {}
    for key in wrong:
        groups.setdefault(_explain(usable[key], reference[key], key, n), []).append(key)
    lines = []
    for why, keys in groups.items():
        worst = max(relative_error(usable[k], reference[k]) for k in keys)
        errors = "relative error" if len(keys) == 1 else "relative errors up to"
        lines.append(f"{', '.join(keys)}: values are off ({errors} {worst:.1e}). {why}")
    return lines


def _gradients_without_output_derivative(X, y, params):
    """The gradients a sigmoid-output backward gives when it forgets the factor y_hat (1 - y_hat)."""
    H = 1.0 / (1.0 + np.exp(-(X @ params["W1"] + params["b1"])))
    y_hat = 1.0 / (1.0 + np.exp(-(H @ params["W2"] + params["b2"])))
    d_out = 2.0 / len(X) * (y_hat - y)
    dZ1 = (d_out @ params["W2"].T) * H * (1.0 - H)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": H.T @ d_out, "b2": d_out.sum(axis=0)}


def _same(grads, other):
    return all(relative_error(grads[k], other[k]) < TOLERANCE for k in other)


def _whole_slip(X, y, params, output, grads):
    """One sentence when all four gradients are those of a known slip about the output layer, else None."""
    if output == "sigmoid":
        if _same(grads, numerical_gradient(X, y, params, "linear")):
            return ("these are the gradients of the linear-output network: backward ignores the sigmoid output. "
                    "With output='sigmoid', y_hat = σ(O), and d y_hat must be multiplied by y_hat·(1 − y_hat).")
        if _same(grads, _gradients_without_output_derivative(X, y, params)):
            return ("you use y_hat = σ(O) but leave out its derivative: multiply d y_hat by y_hat·(1 − y_hat) "
                    "before it flows back into W2, b2 and the hidden layer.")
    elif _same(grads, numerical_gradient(X, y, params, "sigmoid")):
        return "these are the gradients of the sigmoid-output network; with output='linear', y_hat = O itself."
    return None


def _problem_data(seed):
    """The small problem every gradient check runs on: X (7, 2), y (7, 1), width 3, random weights and biases."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2.0, 2.0, size=(7, 2))
    y = rng.normal(0.0, 1.0, size=(7, 1))
    params = init_params(3, "random", seed=rng)
    params["b1"] = rng.normal(0.0, 0.5, size=3)
    params["b2"] = rng.normal(0.0, 0.5, size=1)
    return X, y, params


def _call_backward(backward_fn, X, y, params, output):
    """``(grads, None)``, or ``(None, report)`` when the learner's function raised."""
    try:
        return quietly(lambda: backward_fn(X, y, params, output=output)), None
    except NotImplementedError:
        return None, GradientReport(output, [], {}, not_written=True)
    except KeyboardInterrupt:      # Ctrl-C still stops it
        raise
    except BaseException as err:   # the learner's code: report, never propagate, whatever it raised
        return None, GradientReport(output, [f"backward raised {error_text(err)}"], {})


def _usable(key, value, ref):
    """``(float array, None)`` for a usable gradient, or ``(None, problem)``."""
    if value is None:
        return None, f"{key}: is None instead of an array shaped like params['{key}']."
    if _is_complex(value):
        return None, "complex"
    mine, message = real_array(value, key)
    if message:
        return None, f"{key}: is not an array of numbers ({describe(value, 50)})."
    if mine.shape != ref.shape:
        hint = " It looks transposed." if mine.shape == ref.shape[::-1] and mine.ndim == 2 else ""
        return None, f"{key}: wrong shape {mine.shape}, expected {ref.shape} (the shape of params['{key}']).{hint}"
    if non_finite(mine):
        return None, "non-finite"
    return mine, None


def _grade(backward_fn, output, seed):
    """The ``GradientReport`` of ``backward_fn`` on the problem of ``seed``; ``check_gradients`` keeps it quiet."""
    try:
        check_output(output)
        seed = check_seed(seed)
    except (TypeError, ValueError) as err:
        return GradientReport(output, [str(err)], {})
    if is_blank(backward_fn):
        return GradientReport(output, [], {}, not_written=True, reason=f"it is still {backward_fn!r}")
    if not callable(backward_fn):
        return GradientReport(output, [f"backward should be a function, got {describe(backward_fn)}."], {})
    X, y, params = _problem_data(seed)
    reference = numerical_gradient(X, y, params, output)
    given = {k: v.copy() for k, v in params.items()}
    grads, report = _call_backward(backward_fn, X.copy(), y.copy(), given, output)
    if report:
        return report
    problems, errors = [], {}
    if set(given) != set(params):
        problems.append(f"backward changed the keys of the params dict it was given (now {describe(given)}); "
                        "it should only read them.")
    elif any(not np.array_equal(np.asarray(given[k], dtype=object), params[k]) for k in params):
        problems.append("backward changed the params it was given; it should only read them.")
    if grads is None:
        return GradientReport(output, problems + ["backward returned None: did you forget the `return`?"], {})
    if not isinstance(grads, dict):
        return GradientReport(output, problems + [f"backward should return a dict of gradients with keys W1, b1, W2, "
                                                  f"b2, got {describe(grads)}."], {})
    usable, kinds = {}, {"complex": [], "non-finite": []}
    for key, ref in reference.items():
        if key not in grads:
            keys = ", ".join(_clip(repr(k), 12) for k in list(grads)[:6]) or "no keys"
            problems.append(f"{key}: missing from the returned dict (it has {keys}).")
            continue
        mine, problem = _usable(key, grads[key], ref)
        if problem in kinds:
            kinds[problem].append(key)
        elif problem:
            problems.append(problem)
        if problem:
            continue
        usable[key] = mine
        errors[key] = relative_error(mine, ref)
    if kinds["complex"]:
        problems.append(f"{', '.join(kinds['complex'])}: complex numbers; the gradient of this real loss is real.")
    if kinds["non-finite"]:
        problems.append(f"{', '.join(kinds['non-finite'])}: the gradient contains NaN or inf, but the right one is "
                        "finite: a division by zero or an overflowing exp?")
    wrong = [k for k in usable if not errors[k] < TOLERANCE]
    slip = _whole_slip(X, y, params, output, usable) if len(usable) == len(reference) and wrong else None
    if slip:
        problems.append(slip)
    else:
        problems.extend(_diagnose_all(wrong, usable, reference, len(X)))
    return GradientReport(output, problems, errors)


def check_gradients(backward_fn, output="linear", seed=0):
    """Run ``backward_fn(X, y, params, output=output)`` on a small random problem and grade it.

    Parameters
    ----------
    backward_fn : callable
        A function with the signature of ``course_utils.backward``. It gets copies
        of the data; the check waits for it to return (there is no time limit).
    output : {"linear", "sigmoid"}
    seed : int, numpy.random.Generator or None
        Seeds the small problem (7 samples, 3 hidden units, random weights): None, a whole number >= 0
        or a Generator, as everywhere in the package.

    Returns
    -------
    GradientReport
        Never raises: a crash (``SystemExit``, ``GeneratorExit`` and every other
        ``BaseException`` but ``KeyboardInterrupt``, so Ctrl-C still stops it), a
        missing key, a wrong shape, NaN, inf or complex numbers are reported, not
        thrown, and no warning escapes.
    """
    try:
        return quietly(lambda: _grade(backward_fn, output, seed))
    except KeyboardInterrupt:      # Ctrl-C still stops it
        raise
    except BaseException as err:   # the check itself must answer, whatever it was given
        return GradientReport(output, [f"could not check backward ({error_text(err)})."], {})
