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
message under ``MAX_MESSAGE`` characters.
"""

import copy
import functools
import math
import warnings

import numpy as np

NOT_ATTEMPTED, CORRECT, INCORRECT = "not attempted", "correct", "incorrect"
RIGHT, ROUGH, WRONG = "right", "rough", "wrong"
MAX_MESSAGE = 600


def _clip(text, limit):
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
        self.message = _clip(message, MAX_MESSAGE - len(exercise) - 8)

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
    return (f"{show(value)} agrees as far as it goes, but give at least {min_figures} significant figures "
            "so that a right answer can be told from a near miss.")


# ----- short, bounded descriptions -----

def show(x):
    """A number as a learner would write it, in at most about 12 characters (``1e+308``, not 300 digits)."""
    try:
        x = float(x)
    except Exception:  # not a number after all
        return describe(x)
    if not math.isfinite(x):
        return str(x)
    text = repr(x)
    return text if len(text) <= 12 else f"{x:.6g}"


def _a(word):
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def _items(n):
    return f"{n} item{'' if n == 1 else 's'}"


def describe(obj, limit=80):
    """Describe any object in at most ``limit`` characters: numbers by value, arrays by shape and a few values."""
    try:
        if obj is None or isinstance(obj, (bool, np.bool_)):
            return repr(obj)
        if isinstance(obj, (int, float, np.integer, np.floating)):
            return show(obj)
        if isinstance(obj, (complex, np.complexfloating)):
            return _clip(f"the complex number {complex(obj)}", limit)
        if isinstance(obj, (str, bytes)):
            return f"the text {_clip(repr(obj), limit - 9)}"
        if isinstance(obj, np.ndarray):
            head = ", ".join(show(v) if not isinstance(v, complex) else str(v) for v in obj.ravel()[:3].tolist())
            more = ", …" if obj.size > 3 else ""
            return _clip(f"an array of shape {obj.shape} ({obj.dtype}: {head}{more})", limit)
        if isinstance(obj, (list, tuple)):
            flat = all(isinstance(v, (int, float, np.integer, np.floating)) for v in obj[:3])
            head = f" ({', '.join(show(v) for v in obj[:3])}{', …' if len(obj) > 3 else ''})" if flat and obj else ""
            return _clip(f"{_a(type(obj).__name__)} of {_items(len(obj))}{head}", limit)
        if isinstance(obj, dict):
            keys = ", ".join(_clip(repr(k), 12) for k in list(obj)[:4])
            return _clip(f"a dict with keys {keys}{', …' if len(obj) > 4 else ''}" if obj else "an empty dict", limit)
        if callable(obj):
            return _clip(f"the function {getattr(obj, '__name__', '?')}", limit)
    except Exception:  # an object whose repr or len misbehaves
        pass
    return _clip(_a(type(obj).__name__), limit)


def error_text(err):
    """``TypeError: message``, with the message cut short."""
    return _clip(f"{type(err).__name__}: {err}", 160)


# ----- reading an answer -----

def is_blank(answer):
    """True while an answer is still the placeholder ``None`` or ``...``."""
    return answer is None or answer is Ellipsis


def _is_complex(answer):
    if isinstance(answer, (complex, np.complexfloating)):
        return True
    try:
        if isinstance(answer, (list, tuple)):
            return any(_is_complex(a) for a in answer[:1000])
        return np.iscomplexobj(answer)
    except Exception:  # objects numpy cannot inspect
        return False


def as_number(answer):
    """Return ``answer`` as a finite float, or None if it is not one real number."""
    if isinstance(answer, (bool, np.bool_, str, bytes)) or _is_complex(answer):
        return None
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            value = np.asarray(answer, dtype=np.float64)
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
    if _is_complex(answer):
        return None, Feedback.hint(exercise, f"expected one real number, got {describe(answer)}: "
                                             "complex numbers are not answers here.")
    if isinstance(answer, (float, np.floating)) or (isinstance(answer, np.ndarray) and answer.size == 1
                                                     and answer.dtype.kind == "f"):
        return None, Feedback.hint(exercise, f"expected one finite number, got {show(np.ravel(answer)[0])}: "
                                             "look for a division by zero or an empty selection.")
    if callable(answer):
        return None, Feedback.hint(exercise, f"expected one number, got {describe(answer)}: store the number "
                                             "itself in the answer (call the function, if it computes it).")
    return None, Feedback.hint(exercise, f"expected one number (a float), got {describe(answer)}.")


def real_array(result, what):
    """``(float array, None)`` for a real array of numbers; ``(None, hint text)`` for anything else."""
    if result is None:
        return None, f"{what} returned None: did you forget the `return`?"
    if isinstance(result, (str, bytes, dict)) or callable(result):
        return None, f"{what} must return numbers, it returned {describe(result)}."
    if _is_complex(result):
        return None, f"{what} returned complex numbers ({describe(result)}); the answer is real."
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            array = np.asarray(result, dtype=np.float64)
    except Exception:  # ragged lists, objects, text inside a list
        return None, f"{what} must return numbers, it returned {describe(result)}."
    return array, None


def non_finite(array):
    """How many entries are NaN or inf, as ``2 of 6 entries``, or '' when every entry is finite."""
    bad = int(array.size - np.count_nonzero(np.isfinite(array)))
    return f"{bad} of {array.size} entries" if bad else ""


# ----- running the learner's code -----

def quietly(fn):
    """Run ``fn`` with numpy warnings silenced, whatever warning filters are set (``-W error`` included)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return fn()


def never_raises(exercise):
    """Decorate a check so that no exception or warning escapes it: a failure becomes a hint."""
    def wrap(check):
        @functools.wraps(check)
        def guarded(*args, **kwargs):
            try:
                return quietly(lambda: check(*args, **kwargs))
            except KeyboardInterrupt:  # Ctrl-C still stops it
                raise
            except BaseException as err:  # a check must answer, whatever it was given (GeneratorExit, SystemExit too)
                return Feedback.hint(exercise, f"could not check this answer ({error_text(err)}).")
        return guarded
    return wrap


class LearnerCode:
    """Calls a function the learner wrote, turning every way it can fail into the ``Feedback`` to return.

    ``problem`` is set before any call when the function is still the placeholder
    (not attempted) or is not a function at all (a hint). ``call(*args)`` hands the
    function deep copies of its arguments (unless ``copy_args=False``: then the
    caller passes copies it can inspect afterwards), waits for it to return (there is no
    time limit), and returns its result, or None with ``problem`` set when it
    raises ``NotImplementedError`` (not attempted) or anything else, ``SystemExit``,
    ``GeneratorExit`` and other ``BaseException`` subclasses included (a hint naming
    the error). Only ``KeyboardInterrupt`` passes through, so Ctrl-C still stops it.
    Its warnings are silenced.
    """

    def __init__(self, exercise, fn, name, copy_args=True, todo=None):
        self.exercise, self.fn, self.name, self.copy_args = exercise, fn, name, copy_args
        self.todo = todo or f"the function `{name}`"     # what to fill in while it raises NotImplementedError
        self.problem = None
        if is_blank(fn):
            self.problem = Feedback.not_attempted(exercise, f"the function `{name}`")
        elif not callable(fn):
            self.problem = Feedback.hint(exercise, f"{name} should be a function, got {describe(fn)}.")

    def call(self, *args):
        if self.problem:                   # the first failure is the one to report
            return None
        try:
            args = copy.deepcopy(args) if self.copy_args else args
            return quietly(lambda: self.fn(*args))
        except NotImplementedError:
            self.problem = Feedback.not_attempted(self.exercise, self.todo)
        except KeyboardInterrupt:          # Ctrl-C still stops it
            raise
        except BaseException as err:       # the learner's code: report, never propagate, whatever it raised
            self.problem = Feedback.hint(self.exercise, f"{self.name} raised {error_text(err)}")
        return None
