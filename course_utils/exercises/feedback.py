"""The answer every exercise check gives, and the small helpers the checks share."""

import numpy as np

NOT_ATTEMPTED, CORRECT, INCORRECT = "not attempted", "correct", "incorrect"


class Feedback:
    """The verdict of one exercise check, shown as one readable line.

    Attributes
    ----------
    status : {"not attempted", "correct", "incorrect"}
    message : str
    """

    def __init__(self, exercise, status, message):
        self.exercise = exercise
        self.status = status
        self.message = message

    @property
    def ok(self):
        return self.status == CORRECT

    @classmethod
    def not_attempted(cls, exercise, what="your answer"):
        return cls(exercise, NOT_ATTEMPTED, f"not attempted yet: fill in {what} and run this cell again.")

    @classmethod
    def correct(cls, exercise, message):
        return cls(exercise, CORRECT, message)

    @classmethod
    def hint(cls, exercise, message):
        return cls(exercise, INCORRECT, message)

    def __str__(self):
        mark = {NOT_ATTEMPTED: "[ ]", CORRECT: "[ok]", INCORRECT: "[x]"}[self.status]
        return f"{mark} {self.exercise}: {self.message}"

    __repr__ = __str__


def is_blank(answer):
    """True while an answer is still the placeholder ``None`` or ``...``."""
    return answer is None or answer is Ellipsis


def as_number(answer):
    """Return ``answer`` as a finite float, or None if it is not one number."""
    if isinstance(answer, (bool, str)):
        return None
    try:
        value = np.asarray(answer, dtype=np.float64)
    except Exception:  # anything that is not a number, whatever it raises
        return None
    if value.size != 1 or not np.isfinite(value).all():
        return None
    return float(value.reshape(()))


def number_answer(exercise, answer):
    """``(value, None)`` for one finite number; ``(None, feedback)`` for the placeholder or anything else."""
    if is_blank(answer):
        return None, Feedback.not_attempted(exercise, "`answer`")
    value = as_number(answer)
    if value is None:
        return None, Feedback.hint(exercise, f"expected one number (a float), got {type(answer).__name__}.")
    return value, None


class LearnerCode:
    """Calls a function the learner wrote, turning every way it can fail into the ``Feedback`` to return.

    ``problem`` is set before any call when the function is still the placeholder
    (not attempted) or is not a function at all (a hint). ``call(*args)`` returns
    the function's result, or None with ``problem`` set when it raises
    ``NotImplementedError`` (not attempted) or anything else (a hint naming the error).
    """

    def __init__(self, exercise, fn, name):
        self.exercise, self.fn, self.name = exercise, fn, name
        self.problem = None
        if is_blank(fn):
            self.problem = Feedback.not_attempted(exercise, f"the function `{name}`")
        elif not callable(fn):
            self.problem = Feedback.hint(exercise, f"{name} should be a function, got {type(fn).__name__}.")

    def call(self, *args):
        if self.problem:                   # the first failure is the one to report
            return None
        try:
            return self.fn(*args)
        except NotImplementedError:
            self.problem = Feedback.not_attempted(self.exercise, f"the function `{self.name}`")
        except Exception as err:  # the learner's code: report, never propagate
            self.problem = Feedback.hint(self.exercise, f"{self.name} raised {type(err).__name__}: {err}")
        return None
