"""Short, bounded text about any value, for every message the package shows a learner.

The exercise checks, the gradient check, the input checks' errors and the explorers'
messages and tables write values with these, so a 300-digit number or a huge array never
floods a message, and the same value reads the same way everywhere.
"""

import math

import numpy as np


def clip(text, limit):
    """``str(text)``, cut to at most ``limit`` characters, ending in ``…`` when it was cut."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown(value, as_str=False, limit=60):
    """``repr(value)`` (or ``str``), cut to about ``limit`` characters, so a message stays readable (10**400, say)."""
    text = str(value) if as_str else repr(value)
    return text if len(text) <= limit else f"{text[:limit // 2]}...{text[-10:]} ({len(text)} characters)"


def written(x):
    """A number as a learner would write it, in at most about 12 characters (``1e+308``, not 300 digits)."""
    try:
        x = float(x)
    except Exception:  # not a number after all
        return brief(x)
    if not math.isfinite(x):
        return str(x)
    text = repr(x)
    return text if len(text) <= 12 else f"{x:.6g}"


def number(x, digits=4):
    """``x`` for a table: ``digits`` decimals from 0.001 to 99,999, else 3 significant digits (``2.4e+302``).

    Never longer than 12 characters, so a diverging run cannot push a table out of view (the explorers' tables).
    """
    x = float(x)
    if not np.isfinite(x):
        return "overflow" if x == x else "not a number"
    if x == 0 or 1e-3 <= abs(x) < 1e5:
        return f"{x:.{digits}f}"
    return f"{x:.3g}"


def _a(word):
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def _items(n):
    return f"{n} item{'' if n == 1 else 's'}"


def brief(obj, limit=80):
    """Any object in at most ``limit`` characters: numbers by value, arrays by shape and a few values."""
    try:
        if obj is None or isinstance(obj, (bool, np.bool_)):
            return repr(obj)
        if isinstance(obj, (int, float, np.integer, np.floating)):
            return written(obj)
        if isinstance(obj, (complex, np.complexfloating)):
            return clip(f"the complex number {complex(obj)}", limit)
        if isinstance(obj, (str, bytes)):
            return f"the text {clip(repr(obj), limit - 9)}"
        if isinstance(obj, np.ndarray):
            head = ", ".join(written(v) if not isinstance(v, complex) else str(v) for v in obj.ravel()[:3].tolist())
            more = ", …" if obj.size > 3 else ""
            return clip(f"an array of shape {obj.shape} ({obj.dtype}: {head}{more})", limit)
        if isinstance(obj, (list, tuple)):
            flat = all(isinstance(v, (int, float, np.integer, np.floating)) for v in obj[:3])
            head = f" ({', '.join(written(v) for v in obj[:3])}{', …' if len(obj) > 3 else ''})" if flat and obj else ""
            return clip(f"{_a(type(obj).__name__)} of {_items(len(obj))}{head}", limit)
        if isinstance(obj, dict):
            return clip(f"a dict with keys {keys(obj, 4)}" if obj else "an empty dict", limit)
        if callable(obj):
            return clip(f"the function {getattr(obj, '__name__', '?')}", limit)
    except Exception:  # an object whose repr or len misbehaves
        pass
    return clip(_a(type(obj).__name__), limit)


def keys(mapping, most):
    """The first ``most`` keys of ``mapping``, each cut short, as ``'W1', 'b1', …``."""
    names = ", ".join(clip(repr(k), 12) for k in list(mapping)[:most])
    return names + (", …" if len(mapping) > most else "")


def error_text(err):
    """``TypeError: message``, with the message cut short."""
    return clip(f"{type(err).__name__}: {err}", 160)
