"""Hostile answers and hostile learner functions for every check in ``course_utils.exercises.CHECKS``.

Whatever a learner hands a check (complex numbers, NaN, 1e308, a 200,000-item list, an
object whose every method raises, a function that raises, prints, returns None, lists,
wrong shapes, NaN, inf or complex numbers, or mutates what it is given), the check
returns its verdict object, never raises, lets no warning escape (warnings are errors
here, as under ``python -W error``), never calls it right, and keeps its message
within ``MAX_MESSAGE`` characters.

The cases come from the registry, so a new check is covered once it is registered, and
``test_every_check_is_registered`` fails until it is. A value check meets every hostile
value, a function check every hostile function; each also meets a few of the other kind,
which all take one path (a function is not a number; a number is not a function).
"""

import functools
import importlib
import inspect
import pkgutil
import subprocess
import sys
import warnings

import numpy as np
import pytest

import course_utils as cu
from course_utils.exercises import CHECKS, FUNCTION, VALUE, backprop, dataset, output_layer, width
from course_utils.exercises.feedback import MAX_MESSAGE


def _checks(kind):
    """The registered checks of one kind, as pytest params; check_gradients also with output="sigmoid",
    the second path through it (its own reference gradients and slips)."""
    params = [pytest.param(check, id=check.__name__) for check, k in CHECKS if k == kind]
    if kind == FUNCTION:
        params.append(pytest.param(functools.partial(cu.check_gradients, output="sigmoid"),
                                   id="check_gradients-sigmoid"))
    return params


VALUE_CHECKS, FUNCTION_CHECKS = _checks(VALUE), _checks(FUNCTION)


def _public_checks():
    """Every public ``check_*`` function of ``cu`` and of each module of ``course_utils.exercises``.

    The input checks of ``course_utils._checks`` that a module imports (they raise; they grade no answer) are not
    exercise checks.
    """
    modules = [cu] + [importlib.import_module(f"course_utils.exercises.{info.name}")
                      for info in pkgutil.iter_modules(cu.exercises.__path__)]
    return {obj for module in modules for name, obj in vars(module).items()
            if name.startswith("check_") and inspect.isfunction(obj) and obj.__module__.startswith("course_utils")
            and obj.__module__ != "course_utils._checks"}


def test_every_check_is_registered():
    registered = [check for check, _ in CHECKS]
    found = _public_checks()
    missing = sorted(f"{check.__module__}.{check.__name__}" for check in found - set(registered))
    assert not missing, f"add these to course_utils.exercises.CHECKS: {missing}"
    assert set(registered) == found, f"not public checks: {set(registered) - found}"
    assert len(registered) == len(found), "CHECKS lists a check twice"
    assert {kind for _, kind in CHECKS} == {VALUE, FUNCTION}


class Explodes:
    """Every way of looking at it raises."""

    def _boom(self, *args, **kwargs):
        raise RuntimeError("boom")

    __float__ = __int__ = __index__ = __len__ = __iter__ = __array__ = __repr__ = __str__ = _boom
    __eq__ = __lt__ = __bool__ = __getitem__ = _boom
    __hash__ = object.__hash__


HOSTILE_VALUES = {
    "complex": 1 + 2j,
    "complex-real-part-right": complex(1.0011, 0.0),
    "numpy-complex": np.complex128(-4 / 3),
    "complex-array": np.array([-2.5 + 0j, 5.0 + 0j]),
    "complex-list": [-2.5 + 1j, 5.0],
    "nan": float("nan"),
    "numpy-nan": np.float64("nan"),
    "inf": float("inf"),
    "minus-inf": -np.inf,
    "1e308": 1e308,
    "minus-1e308": -1e308,
    "subnormal": 5e-324,
    "list-200000": [1.0] * 200_000,
    "array-1e6": np.zeros(1_000_000),
    "long-text": "x" * 100_000,
    "bytes": b"1.0011",
    "bool": True,
    "dict": {"answer": 1.0011},
    "set": {1.0},
    "explodes": Explodes(),
    "function": lambda: 1.0011,
    "builtin": print,
    "object": object(),
    "empty-list": [],
    "nested": [[[1.0]]] * 3,
}


@functools.cache
def _trained_network():
    """A ``TrainResult`` after 3000 epochs, made when a test first asks for it (not at import or collection)."""
    X, y = cu.make_dataset(200)
    return cu.train(X, y, cu.init_params(2), lr=0.01, epochs=3000)


MADE_AT_TEST_TIME = {"train-result": _trained_network}   # hostile values too costly to make at import
VALUE_NAMES = list(HOSTILE_VALUES) + list(MADE_AT_TEST_TIME)


def _hostile_value(name):
    return MADE_AT_TEST_TIME[name]() if name in MADE_AT_TEST_TIME else HOSTILE_VALUES[name]


def _raise_value(*args, **kwargs):
    raise ValueError("boom " * 200)


def _raise_key(*args, **kwargs):
    return {}["W1"]


def _recurse(*args, **kwargs):
    return _recurse(*args, **kwargs)


def _exits(*args, **kwargs):
    sys.exit("stop")


def _prints(*args, **kwargs):
    print("debugging output " * 50)
    return None


def _mutates(*args, **kwargs):
    """Pop every key of every dict, fill every array with NaN, clear every list it is given."""
    for arg in list(args) + list(kwargs.values()):
        if isinstance(arg, dict):
            for key in list(arg):
                arg.pop(key)
        elif isinstance(arg, np.ndarray) and arg.flags.writeable:
            arg[...] = np.nan
        elif isinstance(arg, list):
            arg.clear()
    return None


def _mutates_and_returns_array(*args, **kwargs):
    _mutates(*args, **kwargs)
    return np.zeros(5)


def _returns(value):
    def fn(*args, **kwargs):
        return value
    fn.__name__ = f"returns_{type(value).__name__}"
    return fn


def _shaped_like_first(fill):
    """Return an array shaped like the first array argument (or 5 entries) filled with ``fill``."""
    def fn(*args, **kwargs):
        first = next((a for a in args if isinstance(a, np.ndarray)), np.zeros(5))
        return np.full(first.shape, fill)
    return fn


def _dict_of(fill):
    def fn(*args, **kwargs):
        return {k: np.full((2, 3) if k == "W1" else (3,) if k == "b1" else (3, 1) if k == "W2" else (1,), fill)
                for k in ("W1", "b1", "W2", "b2")}
    return fn


HOSTILE_FUNCTIONS = {
    "raises-ValueError": _raise_value,
    "raises-KeyError": _raise_key,
    "recursion": _recurse,
    "calls-sys-exit": _exits,
    "prints": _prints,
    "returns-None": _returns(None),
    "returns-list": _returns([1, 2, 3]),
    "returns-ragged-list": _returns([[1], [1, 2]]),
    "returns-text": _returns("65"),
    "returns-dict": _returns({"W1": "x"}),
    "returns-explodes": _returns(Explodes()),
    "returns-generator": _returns(x for x in range(5)),
    "returns-itself": lambda *a, **k: _recurse,
    "returns-1e308": _returns(1e308),
    "returns-complex": _returns(1 + 1j),
    "returns-big-array": _returns(np.zeros(1_000_000)),
    "wrong-shape": _returns(np.zeros((3, 3))),
    "nan-like-input": _shaped_like_first(np.nan),
    "inf-like-input": _shaped_like_first(np.inf),
    "complex-like-input": _shaped_like_first(1 + 1j),
    "dict-of-nan": _dict_of(np.nan),
    "dict-of-inf": _dict_of(np.inf),
    "dict-of-complex": _dict_of(1 + 1j),
    "dict-of-lists": lambda *a, **k: {"W1": [[1, 2, 3]], "b1": [None], "W2": [], "b2": [[[]]]},
    "mutates-input": _mutates,
    "mutates-and-returns": _mutates_and_returns_array,
    "no-arguments": lambda: 1,
    "keyword-only": lambda *, z: z,
}


def _verdict(result):
    """The status and text of a Feedback (a GradientReport is one)."""
    return result.status, str(result)


def _assert_fair(result, placeholder=False):
    assert isinstance(result, cu.exercises.Feedback), type(result)
    status, text = _verdict(result)
    assert len(text) <= MAX_MESSAGE, f"{len(text)} characters: {text[:200]}"
    assert status == ("not attempted" if placeholder else "incorrect"), text


def _judge(check, answer):
    """Run one check with every warning turned into an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return check(answer)


# A few of the other kind for each check: a function where a number belongs, a number where a function does.
FUNCTIONS_AS_VALUES = ["raises-ValueError", "returns-None", "mutates-input", "keyword-only"]
VALUES_AS_FUNCTIONS = ["nan", "complex-list", "array-1e6", "long-text", "dict", "explodes"]


@pytest.mark.parametrize("check", VALUE_CHECKS)
@pytest.mark.parametrize("name", VALUE_NAMES)
def test_value_checks_meet_hostile_values(check, name):
    _assert_fair(_judge(check, _hostile_value(name)))


@pytest.mark.parametrize("check", FUNCTION_CHECKS)
@pytest.mark.parametrize("name", list(HOSTILE_FUNCTIONS))
def test_function_checks_meet_hostile_functions(check, name, capsys):
    _assert_fair(_judge(check, HOSTILE_FUNCTIONS[name]))


@pytest.mark.parametrize("check", VALUE_CHECKS)
@pytest.mark.parametrize("name", FUNCTIONS_AS_VALUES)
def test_value_checks_meet_functions(check, name):
    _assert_fair(_judge(check, HOSTILE_FUNCTIONS[name]))


@pytest.mark.parametrize("check", FUNCTION_CHECKS)
@pytest.mark.parametrize("name", VALUES_AS_FUNCTIONS)
def test_function_checks_meet_values(check, name):
    result = _judge(check, HOSTILE_VALUES[name])
    _assert_fair(result)
    assert "should be a function" in str(result), str(result)


@pytest.mark.parametrize("check", VALUE_CHECKS + FUNCTION_CHECKS)
@pytest.mark.parametrize("placeholder", [None, ...], ids=["None", "Ellipsis"])
def test_placeholders_are_not_attempted(check, placeholder):
    result = _judge(check, placeholder)
    _assert_fair(result, placeholder=True)
    assert "not attempted" in str(result) and str(result).startswith("[ ]")


def _still_the_placeholder(*args, **kwargs):
    raise NotImplementedError("write this function")


@pytest.mark.parametrize("check", FUNCTION_CHECKS)
def test_a_function_that_is_still_the_placeholder_is_not_attempted(check):
    # A function check waits for the learner: the notebook's stub raises NotImplementedError until it is written.
    result = _judge(check, _still_the_placeholder)
    _assert_fair(result, placeholder=True)
    assert str(result).startswith("[ ]") and "not attempted yet" in str(result)


@pytest.mark.parametrize("check", VALUE_CHECKS)
def test_a_value_check_does_not_take_a_function_for_the_placeholder(check):
    # With the test above, this holds each kind in CHECKS to what the check does: a value check is owed a number.
    _assert_fair(_judge(check, _still_the_placeholder))


# ----- the cases found by hand, one by one -----

def _backward_popping(X, y, params, output="linear"):
    grads = cu.backward(X, y, params, output)
    params.pop("W1")
    return grads


def _backward_popping_first(X, y, params, output="linear"):
    params.pop("W1")
    return cu.backward(X, y, params, output)


def _loop_popping(X, y, params, lr, epochs):
    params.pop("b2")
    return [1.0] * epochs


@pytest.mark.parametrize("output", ["linear", "sigmoid"])
def test_check_gradients_when_backward_pops_keys(output):
    report = cu.check_gradients(_backward_popping, output=output)
    assert not report.ok and "changed the keys" in str(report)
    report = cu.check_gradients(_backward_popping_first, output=output)
    assert not report.ok and "backward raised" in str(report) and "W1" in str(report)


def test_check_train_loop_when_the_loop_pops_keys():
    feedback = backprop.check_train_loop(_loop_popping)
    assert feedback.status == "incorrect" and "changed the params" in feedback.message


@pytest.mark.parametrize("fill", [np.inf, 1 + 1j, np.nan])
@pytest.mark.parametrize("output", ["linear", "sigmoid"])
def test_check_gradients_under_warnings_as_errors(fill, output):
    def backward(X, y, params, output="linear"):
        return {k: g * fill for k, g in cu.backward(X, y, params, output).items()}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = cu.check_gradients(backward, output=output)
    assert not report.ok
    assert ("complex" if isinstance(fill, complex) else "NaN or inf") in str(report)


def test_check_train_loop_with_infinite_losses():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        passed_a_list = backprop.check_train_loop([np.inf] * 5)
        returns_inf = backprop.check_train_loop(lambda X, y, params, lr, epochs: [np.inf] * epochs)
        returns_complex = backprop.check_train_loop(lambda X, y, params, lr, epochs: [1 + 1j] * epochs)
    assert passed_a_list.status == "incorrect" and "should be a function" in passed_a_list.message
    assert returns_inf.status == "incorrect" and "NaN or inf" in returns_inf.message
    assert returns_complex.status == "incorrect" and "complex" in returns_complex.message


def test_complex_answers_are_refused_with_a_clear_message():
    def right_grads(X, y, p, output="linear"):
        return {k: g + 0j for k, g in cu.backward(X, y, p, output).items()}
    assert "complex" in str(cu.check_gradients(right_grads)) and not cu.check_gradients(right_grads).ok
    for answer in [np.array([-2.5 + 0j, 5.0]), (-2.5 + 0j, 5.0 + 0j)]:
        feedback = dataset.check_surface_minimum(answer)
        assert feedback.status == "incorrect" and "complex" in feedback.message
    prime = output_layer.check_sigmoid_prime(lambda z: (cu.sigmoid(z) * (1 - cu.sigmoid(z))).astype(complex))
    assert prime.status == "incorrect" and "complex" in prime.message

    def complex_loop(X, y, params, lr, epochs):
        params = {k: v.copy() for k, v in params.items()}
        losses = []
        for _ in range(epochs):
            losses.append(cu.mse(y, cu.forward(X, params)) + 0j)
            grads = cu.backward(X, y, params)
            params = {k: params[k] - lr * grads[k] for k in params}
        return losses
    loop = backprop.check_train_loop(complex_loop)
    assert loop.status == "incorrect" and "complex" in loop.message
    for check, answer in [(dataset.check_noise_floor, 1.0011 + 0j), (backprop.check_db2, np.complex128(-4 / 3)),
                          (output_layer.check_saturation_point, 4.6 + 0j)]:
        feedback = check(answer)
        assert feedback.status == "incorrect" and "complex" in feedback.message


def test_long_answers_are_summarised():
    run = _trained_network()
    assert len(str(backprop.check_best_lr(run))) <= MAX_MESSAGE
    assert len(str(dataset.check_surface_minimum(list(range(200_000))))) <= 200
    assert "1e+308" in str(backprop.check_best_lr(1e308))
    assert "1e+308" in str(dataset.check_noise_floor(1e308))
    feedback = width.check_param_count(lambda m: np.arange(200_000))
    assert "shape (200000,)" in feedback.message and len(str(feedback)) <= 250


def test_python_warnings_as_errors_in_a_fresh_interpreter():
    code = (
        "import warnings\n"
        "with warnings.catch_warnings():\n"
        "    warnings.simplefilter('ignore')  # import-time deprecations inside matplotlib 3.8 (the oldest leg)\n"
        "    import numpy as np, course_utils as cu\n"
        "    from course_utils.exercises import backprop, dataset\n"
        "print(cu.check_gradients(lambda X, y, p, output='linear': {k: v * np.inf for k, v in p.items()}).ok)\n"
        "print(cu.check_gradients(lambda X, y, p, output='linear': {k: v + 1j for k, v in p.items()}).ok)\n"
        "print(backprop.check_train_loop(lambda X, y, p, lr, e: [np.inf] * e).status)\n"
        "print(dataset.check_noise_floor(np.complex128(1.0011)).status)\n"
    )
    done = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False", "incorrect", "incorrect"]
    assert done.stderr == ""
