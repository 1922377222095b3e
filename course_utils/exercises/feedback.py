"""The answer every exercise check gives, the course's tolerance policy, and the helpers the checks share.

Tolerance policy
----------------
A number given as an answer is right when it agrees with the right value to
every significant figure it shows, up to ``figures`` of them: the digits the
notebook prints for an answer computed in code, three for an answer worked out
by hand. For a right value of 2.71828... printed to five figures, ``2.718`` and
``2.7183`` are both right and ``2.7181`` is not. The answer must also show at
least ``min_figures`` significant figures (three, unless the exercise asks for
fewer): one that agrees but is too short (``2.7`` here) is asked for more
digits. Anything else is wrong. ``judge`` applies this, to the right value and to each slip a check
recognises, in every numeric check.

A choice from a list (a learning rate) or a whole number must be exact. A point
is judged by the surface value there, to three significant figures. Functions
the learner writes are run, and their results must agree with the reference to
within rounding error (a relative 1e-6 or closer), since code prints no digits.

Every check works on copies of what it hands the learner's code, waits for
that code to finish (there is no time limit), never raises, and keeps its
message under ``MAX_MESSAGE`` characters; ``learner_code.py`` runs that code.
"""

import math
import warnings

import numpy as np

from ..text import brief, clip, written

NOT_ATTEMPTED, CORRECT, INCORRECT = "not attempted", "correct", "incorrect"
RIGHT, ROUGH, WRONG = "right", "rough", "wrong"
MAX_MESSAGE = 600


class Feedback:
    """The verdict of one exercise check, shown as one readable line.

    Attributes
    ----------
    status : {"not attempted", "correct", "incorrect"}
    message : str
        At most ``MAX_MESSAGE`` characters.
    """

    def __init__(self, exercise, status, message):
        self.exercise = exercise
        self.status = status
        self.message = clip(message, MAX_MESSAGE - len(exercise) - 8)

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


# ----- the tolerance policy -----

def _decimals(value):
    """How many decimals ``value`` shows when written as short as Python writes it (``1.001`` -> 3)."""
    text = np.format_float_positional(value, unique=True, trim="-")
    return len(text.split(".")[1]) if "." in text else 0


def judge(value, right, figures=3, min_figures=3):
    """Judge a number against the right value under the tolerance policy above: RIGHT, ROUGH or WRONG.

    Parameters
    ----------
    value : float
        The learner's answer (finite).
    right : float
        The right value, at full precision.
    figures : int
        Significant figures it is compared to, at most (the notebook's printed digits, or 3 for hand work).
    min_figures : int
        Significant figures the answer must show to count as right.

    Returns
    -------
    str
        ``RIGHT`` when ``value`` is within half a unit of its last shown
        significant figure (or of the ``figures``-th, if it shows more) of
        ``right`` and shows at least ``min_figures`` of them; ``ROUGH`` when it
        agrees but shows fewer; ``WRONG`` otherwise.

    Examples
    --------
    >>> judge(2.718, 2.71828, figures=5), judge(2.7, 2.71828, figures=5), judge(2.7181, 2.71828, figures=5)
    ('right', 'rough', 'wrong')
    """
    value, right = float(value), float(right)
    if value == right:
        return RIGHT
    magnitude = math.floor(math.log10(abs(right))) if right else 0
    shown = _decimals(value) + magnitude + 1            # significant figures the answer shows, on right's scale
    used = max(min(shown, figures), 1)
    if abs(value - right) > 0.5 * 10.0 ** (magnitude - used + 1) * (1 + 1e-9):
        return WRONG
    return RIGHT if shown >= min_figures else ROUGH


def matches(value, slip, figures=3, min_figures=2):
    """True when ``value`` is the number a known slip gives, to the digits shown (at least ``min_figures``)."""
    return value == slip or judge(value, slip, figures, min_figures) == RIGHT


def too_short(value, right, min_figures=3):
    """The hint for an answer that agrees with ``right`` but shows too few digits."""
    return (f"{written(value)} agrees as far as it goes, but give at least {min_figures} significant figures "
            "so that a right answer can be told from a near miss.")


# ----- reading an answer -----

def is_blank(answer):
    """True while an answer is still the placeholder ``None`` or ``...``."""
    return answer is None or answer is Ellipsis


def is_complex(answer):
    """True when ``answer`` holds a complex number (a list is looked into, up to its first 1000 items)."""
    if isinstance(answer, (complex, np.complexfloating)):
        return True
    try:
        if isinstance(answer, (list, tuple)):
            return any(is_complex(a) for a in answer[:1000])
        return np.iscomplexobj(answer)
    except Exception:  # objects numpy cannot inspect
        return False


def as_number(answer):
    """Return ``answer`` as a finite float, or None if it is not one real number."""
    if isinstance(answer, (bool, np.bool_, str, bytes)) or is_complex(answer):
        return None
    try:
        value = quietly(lambda: np.asarray(answer, dtype=np.float64))
    except Exception:  # anything that is not a number, whatever it raises
        return None
    if value.size != 1 or not np.isfinite(value).all():
        return None
    return float(value.reshape(()))


def number_answer(exercise, answer, what="`answer`"):
    """``(value, None)`` for one finite real number; ``(None, feedback)`` for the placeholder or anything else."""
    if is_blank(answer):
        return None, Feedback.not_attempted(exercise, what)
    value = as_number(answer)
    if value is not None:
        return value, None
    if is_complex(answer):
        return None, Feedback.hint(exercise, f"expected one real number, got {brief(answer)}: "
                                             "complex numbers are not answers here.")
    if isinstance(answer, (float, np.floating)) or (isinstance(answer, np.ndarray) and answer.size == 1
                                                     and answer.dtype.kind == "f"):
        return None, Feedback.hint(exercise, f"expected one finite number, got {written(np.ravel(answer)[0])}: "
                                             "look for a division by zero or an empty selection.")
    if callable(answer):
        return None, Feedback.hint(exercise, f"expected one number, got {brief(answer)}: store the number "
                                             "itself in the answer (call the function, if it computes it).")
    return None, Feedback.hint(exercise, f"expected one number (a float), got {brief(answer)}.")


def quietly(fn):
    """Run ``fn`` with numpy warnings silenced, whatever warning filters are set (``-W error`` included)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return fn()
