"""Running the learner's code for a check: every way it can fail becomes the ``Feedback`` to return.

``LearnerCode`` calls a function the learner wrote, ``attempt`` runs anything quietly and
catches what it raises, ``never_raises`` guards a whole check, and ``real_array`` reads what
the learner's function returned as numbers.
"""

import copy
import functools

import numpy as np

from ..text import brief, error_text
from .feedback import Feedback, is_blank, is_complex, quietly


def real_array(result, what):
    """``(float array, None)`` for a real array of numbers; ``(None, hint text)`` for anything else."""
    if result is None:
        return None, f"{what} returned None: did you forget the `return`?"
    if isinstance(result, (str, bytes, dict)) or callable(result):
        return None, f"{what} must return numbers, it returned {brief(result)}."
    if is_complex(result):
        return None, f"{what} returned complex numbers ({brief(result)}); the answer is real."
    try:
        array = quietly(lambda: np.asarray(result, dtype=np.float64))
    except Exception:  # ragged lists, objects, text inside a list
        return None, f"{what} must return numbers, it returned {brief(result)}."
    return array, None


def non_finite(array):
    """How many entries are NaN or inf, as ``2 of 6 entries``, or '' when every entry is finite."""
    bad = int(array.size - np.count_nonzero(np.isfinite(array)))
    return f"{bad} of {array.size} entries" if bad else ""


def attempt(fn):
    """Run ``fn()`` quietly: ``(result, None)``, or ``(None, error)`` when it raised.

    Every exception is caught, ``SystemExit``, ``GeneratorExit`` and other
    ``BaseException`` subclasses included, since the code may be the learner's; only
    ``KeyboardInterrupt`` passes through, so Ctrl-C still stops it.
    """
    try:
        return quietly(fn), None
    except KeyboardInterrupt:          # Ctrl-C still stops it
        raise
    except BaseException as err:       # the learner's code: report, never propagate, whatever it raised
        return None, err


def never_raises(exercise):
    """Decorate a check so that no exception or warning escapes it: a failure becomes a hint."""
    def wrap(check):
        @functools.wraps(check)
        def guarded(*args, **kwargs):
            result, err = attempt(lambda: check(*args, **kwargs))
            if err is None:
                return result
            return Feedback.hint(exercise, f"could not check this answer ({error_text(err)}).")
        return guarded
    return wrap


class LearnerCode:
    """Calls a function the learner wrote, turning every way it can fail into the ``Feedback`` to return.

    ``problem`` is set before any call when the function is still the placeholder
    (not attempted) or is not a function at all (a hint). ``call(*args, **kwargs)`` hands the
    function deep copies of its arguments (unless ``copy_args=False``: then the
    caller passes copies it can inspect afterwards), runs it through ``attempt``
    (waiting for it to return: there is no time limit), and returns its result, or
    None with ``problem`` set when it raises ``NotImplementedError`` (not attempted)
    or anything else (a hint naming the error). A subclass changes the kind of
    feedback by overriding ``not_attempted`` and ``hint``.
    """

    def __init__(self, exercise, fn, name, copy_args=True, todo=None):
        self.exercise, self.fn, self.name, self.copy_args = exercise, fn, name, copy_args
        self.todo = todo or f"the function `{name}`"     # what to fill in while it raises NotImplementedError
        self.problem = None
        if is_blank(fn):
            self.problem = self.not_attempted(f"it is still {fn!r}", f"the function `{name}`")
        elif not callable(fn):
            self.problem = self.hint(f"{name} should be a function, got {brief(fn)}.")

    def not_attempted(self, reason, what):
        """The feedback while the function is not written yet: ``reason`` says how that shows, ``what`` to fill in."""
        return Feedback.not_attempted(self.exercise, what)

    def hint(self, message):
        """The feedback when the function cannot be checked, or fails."""
        return Feedback.hint(self.exercise, message)

    def call(self, *args, **kwargs):
        if self.problem:                   # the first failure is the one to report
            return None

        def run():
            given, named = copy.deepcopy((args, kwargs)) if self.copy_args else (args, kwargs)
            return self.fn(*given, **named)
        result, err = attempt(run)
        if isinstance(err, NotImplementedError):
            self.problem = self.not_attempted("it raised NotImplementedError", self.todo)
        elif err is not None:
            self.problem = self.hint(f"{self.name} raised {error_text(err)}")
        return result
