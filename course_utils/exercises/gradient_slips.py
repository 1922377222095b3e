"""What a wrong backward pass got wrong, in one sentence per slip (notebook 03, for ``check_gradients``).

``whole_slip`` recognises gradients that belong to the other output layer, or that
leave out the sigmoid's derivative y_hat (1 - y_hat); ``diagnose`` explains each
wrong gradient on its own: a constant factor (and its usual cause), a flipped sign,
zeros, or where it is furthest off.
"""

import numpy as np

from ..gradcheck import matches, numerical_gradient, relative_error
from ..network import forward_cache


def _factor_words(c, n):
    """Name a constant factor between a gradient and the right one, or '' when it has no usual cause."""
    for value, words in ((2.0, "the 2 of the square counted twice"), (0.5, "the 2 of the square left out"),
                         (n, "the 1/n of the mean left out"), (1 / n, "a 1/n too many"),
                         (n / 2, "2/n left out"), (2 / n, "2/n applied twice")):
        if abs(c - value) <= 1e-6 * value:
            return f" ({words}?)"
    return ""


def _explain(mine, ref, key, n, rounding):
    """How ``mine`` (finite, the right shape) differs from the reference gradient ``ref``, in one sentence."""
    if not np.any(mine):
        return "Every entry is 0, but the right gradient is not: is it computed, or only created with zeros?"
    if matches(-mine, ref, rounding):
        return "Every entry has the wrong sign: check the direction of the residual (y_hat - y)."
    nonzero = np.abs(ref) > 1e-6 * np.abs(ref).max()
    if np.any(nonzero):
        ratio = mine[nonzero] / ref[nonzero]
        c = float(ratio[0])
        if np.all(np.isfinite(ratio)) and np.ptp(ratio) <= 1e-6 * abs(c) and c > 0:
            if abs(c - 1) < 1e-3:
                off = float(np.max(np.abs(ratio - 1)))
                return (f"Every entry is within a relative {off:.0e} of the right value: close, "
                        "but an exact formula matches to rounding error.")
            return f"Every entry is {c:.4g} times the right value: a constant factor is off{_factor_words(c, n)}."
    worst = np.unravel_index(int(np.argmax(np.abs(mine - ref))), ref.shape)
    where = f"[{', '.join(map(str, worst))}]" if worst else ""
    return f"Largest difference at {key}{where}: yours {mine[worst]:.4g}, right {ref[worst]:.4g}."


def diagnose(wrong, usable, reference, n, rounding):
    """One line per different explanation; keys that are off in the same way share a line.

    ``rounding`` is the ``rounding_level`` of the reference gradients.
    """
    groups = {}
    for key in wrong:
        groups.setdefault(_explain(usable[key], reference[key], key, n, rounding), []).append(key)
    lines = []
    for why, names in groups.items():
        worst = max(relative_error(usable[k], reference[k]) for k in names)
        errors = "relative error" if len(names) == 1 else "relative errors up to"
        lines.append(f"{', '.join(names)}: values are off ({errors} {worst:.1e}). {why}")
    return lines


def without_output_derivative(X, y, params):
    """The gradients a sigmoid-output backward gives when it forgets the factor y_hat (1 - y_hat)."""
    y_hat, cache = forward_cache(X, params, "sigmoid")
    H = cache["H"]
    d_out = 2.0 / len(X) * (y_hat - y)
    dZ1 = (d_out @ params["W2"].T) * H * (1.0 - H)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": H.T @ d_out, "b2": d_out.sum(axis=0)}


def _same(grads, other, rounding):
    return all(matches(grads[k], other[k], rounding) for k in other)


def whole_slip(X, y, params, output, grads, rounding):
    """One sentence when all four gradients are those of a known slip about the output layer, else None."""
    if output == "sigmoid":
        if _same(grads, numerical_gradient(X, y, params, "linear"), rounding):
            return ("these are the gradients of the linear-output network: backward ignores the sigmoid output. "
                    "With output='sigmoid', y_hat = σ(O), and d y_hat must be multiplied by y_hat·(1 − y_hat).")
        if _same(grads, without_output_derivative(X, y, params), rounding):
            return ("you use y_hat = σ(O) but leave out its derivative: multiply d y_hat by y_hat·(1 − y_hat) "
                    "before it flows back into W2, b2 and the hidden layer.")
    elif _same(grads, numerical_gradient(X, y, params, "sigmoid"), rounding):
        return "these are the gradients of the sigmoid-output network; with output='linear', y_hat = O itself."
    return None
