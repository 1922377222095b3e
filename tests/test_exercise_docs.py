"""``help()`` on an exercise check says how to call it and what it accepts, never the answer.

A learner reads a check's docstring with ``help(check)`` (or ``check?``), and the docstrings of
its module and of ``feedback.py`` with ``help()`` on those. Every number, fraction (``-4/3``),
pair (``(x1, x2)``) and code snippet (``2 * sigmoid(3)``, ``4 m + 1``) they show is handed to the
check itself: a value check is given the number, pair or value of the snippet; a function check
is given the snippet as the learner's function. If the check calls any of them right, the
docstring gives the answer away. The answers come from the checks, so a check is covered as
soon as it is in ``CHECKS``.
"""

import inspect
import pydoc
import re

import numpy as np
import pytest

from course_utils import exercises, sigmoid
from course_utils.exercises import CHECKS, FUNCTION, VALUE, feedback

NUMBER = r"-?(?:\d+(?:\.\d+)?|\.\d+)(?:e[-+]?\d+)?"
# A number not glued to a name (the 1 of W1, x1 or 2-m-1 is not one); a full stop may end the sentence.
STANDALONE = rf"(?<![\w.-]){NUMBER}(?!\w|\.\d)"
PAIR = rf"[(\[]\s*({NUMBER})\s*,\s*({NUMBER})\s*[)\]]"
FRACTION = rf"(?<![\w.]){NUMBER}\s*/\s*{NUMBER}(?!\w|\.\d)"
WORDS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())}
# Names a code snippet may use; the course's own functions are left out, so that a snippet naming
# what the exercise asks for (``noise_floor(noise_std=2.0)``) is not taken for its answer.
SNIPPET_NAMES = {"np": np, "sigmoid": sigmoid, "log": np.log, "sqrt": np.sqrt, "exp": np.exp}


def _docs_defined_in(module):
    """What ``help(module)`` shows, without its DATA section: the docstrings of the module and of every
    public function, class and method defined in it. (The data, such as the learning rates to choose
    from, is the question, not the answer.)"""
    docs = [inspect.getdoc(module) or ""]
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
            continue
        docs.append(inspect.getdoc(obj) or "")
        if inspect.isclass(obj):
            docs += [inspect.getdoc(m) or "" for n, m in vars(obj).items() if not n.startswith("_")]
    return "\n".join(docs)


def _texts(check):
    """``(help(check)'s text, the docstrings around it: its module, the exercises package and feedback.py)``."""
    own = pydoc.render_doc(check, renderer=pydoc.plaintext).replace("\u2212", "-")
    module = inspect.getmodule(check)
    around = "\n".join(_docs_defined_in(m) for m in {module, exercises, feedback})
    return own, around.replace("\u2212", "-")


def _number(text):
    return int(text) if re.fullmatch(r"-?\d+", text) else float(text)


def _values(text, whole_numbers):
    """The numbers, fractions and pairs ``text`` shows. Whole numbers (and number words) only when
    ``whole_numbers``: in a check's own help they can be its answer, but around it they are notebook
    numbers, widths and counts."""
    values = [tuple(map(float, m)) for m in re.findall(PAIR, text, re.I)]
    values += [float(a) / float(b) for a, b in (re.split(r"\s*/\s*", f) for f in re.findall(FRACTION, text, re.I))
               if float(b)]
    for token in re.findall(STANDALONE, text, re.I):
        value = _number(token)
        if isinstance(value, float) or whole_numbers:
            values.append(value)
    if whole_numbers:
        values += [WORDS[w] for w in re.findall(r"\b(" + "|".join(WORDS) + r")\b", text.lower())]
    return values


def _snippets(text):
    """Every ````code```` snippet of ``text``; of ``name = expression``, the expression. Digits written
    before a name multiply it, as in maths (``4 m`` is ``4 * m``)."""
    out = []
    for code in re.findall(r"``([^`]+)``", text):
        code = re.sub(r"^\s*[A-Za-z_]\w*\s*=(?!=)", "", code)
        out.append(re.sub(r"(\d)\s+(?=[A-Za-z_(])", r"\1 * ", code).strip())
    return out


def _evaluate(code, names):
    try:
        return eval(code, {"__builtins__": {}}, dict(SNIPPET_NAMES, **names))
    except Exception:  # most snippets are not expressions over these names: not a candidate answer
        return None


def _learner_function(own):
    """The name and arguments of the function the learner writes, from ``name(args)`` in the check's help."""
    found = re.search(r"``(\w+)\(([\w\s,=]*)\)``", own)
    if found is None:
        return None
    return found.group(1), [a.split("=")[0].strip() for a in found.group(2).split(",") if a.strip()]


def given_away(check, kind):
    """Everything the docs around ``check`` show that ``check`` calls right, as readable strings."""
    own, around = _texts(check)
    found = []
    if kind == VALUE:
        candidates = _values(own, whole_numbers=True) + _values(around, whole_numbers=False)
        for text, whole_numbers in ((own, True), (around, False)):
            for value in (_evaluate(code, {}) for code in _snippets(text)):
                if isinstance(value, (float, np.floating)) or (isinstance(value, tuple) and len(value) == 2) or (
                        whole_numbers and isinstance(value, int)):
                    candidates.append(value)
        found += [repr(c) for c in candidates if check(c).ok]
    else:
        signature = _learner_function(own)
        if signature is not None:
            name, args = signature
            for code in _snippets(own):
                fn = (lambda code: lambda *values: _evaluate(code, dict(zip(args, values))))(code)
                if check(fn).ok:
                    found.append(f"{name} = lambda {', '.join(args)}: {code}")
    return sorted(set(found))


@pytest.mark.parametrize("check, kind", CHECKS, ids=[c.__name__ for c, _ in CHECKS])
def test_help_on_a_check_does_not_give_its_answer_away(check, kind):
    assert not given_away(check, kind), f"help() on {check.__name__} shows what it calls right"


@pytest.mark.parametrize("check, kind", CHECKS, ids=[c.__name__ for c, _ in CHECKS])
def test_help_on_a_check_says_what_it_takes(check, kind):
    own, _ = _texts(check)
    doc = inspect.getdoc(check)
    assert doc and len(doc.splitlines()[0]) > 20, f"{check.__name__} needs a one-line summary"
    if kind == FUNCTION:
        assert _learner_function(own) is not None, f"{check.__name__}'s help should name the function it runs"


def test_the_probe_finds_answers_written_every_way():
    # The forms answers were written in: a number, a fraction, a pair, a number word, a snippet, a formula.
    shown = {
        exercises.dataset.check_noise_floor: "the right value is 1.0011 as printed",
        exercises.backprop.check_db2: "the answer is −4/3",
        exercises.dataset.check_surface_minimum: "the minimum is at (-2.5, 5)",
        exercises.width.check_distinct_units: "after training (one)",
        exercises.output_layer.check_forward_by_hand: "so ``y_hat = 2 * sigmoid(3)``",
        exercises.width.check_param_count: "Check ``n_params(m)``: a 2-m-1 network has ``4 m + 1``",
    }
    kinds = dict(CHECKS)
    for check, sentence in shown.items():
        original = check.__doc__
        try:
            check.__doc__ = f"Check it.\n\n{sentence}.\n"
            assert given_away(check, kinds[check]), (check.__name__, sentence)
        finally:
            check.__doc__ = original
