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
