"""Property tests: whatever shapes, dtypes and values arrive, the core functions give a result or a clear error.

For every input that hypothesis draws, ``forward``, ``backward``, ``train``,
``numerical_gradient`` and ``mse`` either return a sane result or raise
ValueError or TypeError, and no numpy warning escapes (warnings are errors
inside each call). Each test draws ``EXAMPLES`` cases; the file runs in a few seconds.
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import course_utils as cu

EXAMPLES = 120
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

DTYPES = [np.float64, np.float32, np.float16, np.int64, np.bool_, np.complex128]
NUMBERS = st.one_of(st.floats(), st.sampled_from([0.0, 1.0, -1.0, 0.5, 1e200, -1e200, 1e308, -1e308, 5e-324]))


@st.composite
def arrays(draw, shape=None):
    """An array (or nested list) of ``shape`` (drawn if not given) with any dtype and hostile values."""
    if shape is None:
        shape = tuple(draw(st.lists(st.integers(0, 3), max_size=3)))
    values = draw(st.lists(NUMBERS, min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
    dtype = draw(st.sampled_from(DTYPES))
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")                   # casting NaN to int warns while building the input
        arr = np.array(values, dtype=np.float64).astype(dtype).reshape(shape)
    return arr.tolist() if draw(st.booleans()) else arr


def anything(shape=None):
    """Mostly arrays, sometimes None, a string or a bare number."""
    return st.one_of(arrays(shape), arrays(shape), arrays(shape), st.none(), st.text(max_size=3), NUMBERS)


@st.composite
def problems(draw):
    """(X, y, params): a third sane, a third well-shaped with hostile values and dtypes, a third anything."""
    n, D, m = draw(st.integers(1, 4)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    shapes = {"X": (n, D), "y": (n, 1), "W1": (D, m), "b1": (m,), "W2": (m, 1), "b2": (1,)}
    mode = draw(st.sampled_from(["sane", "hostile values", "anything"]))
    if mode == "sane":
        sane = st.floats(-5.0, 5.0)
        arrays_ = {k: np.array(draw(st.lists(sane, min_size=int(np.prod(s)), max_size=int(np.prod(s))))).reshape(s)
                   for k, s in shapes.items()}
    else:
        arrays_ = {k: draw(anything(s if mode == "hostile values" else None)) for k, s in shapes.items()}
    X, y = arrays_.pop("X"), arrays_.pop("y")
    params = arrays_
    edit = draw(st.sampled_from(["none"] * 6 + ["lists", "drop", "extra", "not a dict"]))
    if edit == "lists":
        params = {k: np.asarray(v).tolist() if isinstance(v, np.ndarray) else v for k, v in params.items()}
    elif edit == "drop":
        params.pop(draw(st.sampled_from(sorted(params))))
    elif edit == "extra":
        params["lr"] = 0.1
    elif edit == "not a dict":
        params = list(params.values())
    return X, y, params


OUTPUTS = st.sampled_from(["linear", "sigmoid"] * 4 + ["tanh", None])
LRS = st.one_of(st.floats(0.001, 2.0), st.floats(0.001, 2.0), NUMBERS, st.none())
DELTAS = st.one_of(st.floats(1e-7, 1e-3), st.floats(1e-7, 1e-3), NUMBERS, st.none())


def outcome(fn, *args, **kwargs):
    """Call ``fn`` with warnings as errors; return its result, or None if it raised ValueError or TypeError."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            return fn(*args, **kwargs)
        except (ValueError, TypeError) as err:
            assert str(err), f"{fn.__name__} raised {type(err).__name__} with no message"
            return None


@SETTINGS
@given(problems(), OUTPUTS)
def test_forward_gives_finite_predictions_or_a_clear_error(problem, output):
    X, _, params = problem
    y_hat = outcome(cu.forward, X, params, output)
    if y_hat is not None:
        assert y_hat.shape == (np.shape(X)[0], 1) and np.all(np.isfinite(y_hat))


@SETTINGS
@given(problems(), OUTPUTS)
def test_backward_gives_finite_gradients_or_a_clear_error(problem, output):
    X, y, params = problem
    grads = outcome(cu.backward, X, y, params, output)
    if grads is not None:
        assert sorted(grads) == ["W1", "W2", "b1", "b2"]
        for key, grad in grads.items():
            assert grad.shape == np.shape(params[key]) and np.all(np.isfinite(grad)), key


@SETTINGS
@given(problems(), OUTPUTS, LRS, st.one_of(st.integers(-1, 3), st.integers(0, 3), NUMBERS))
def test_train_gives_a_result_or_a_clear_error(problem, output, lr, epochs):
    X, y, params = problem
    result = outcome(cu.train, X, y, params, lr=lr, epochs=epochs, output=output)
    if result is not None:
        assert np.all(np.isfinite(result.losses)) and len(result.losses) <= epochs
        assert result.diverged == (len(result.losses) < epochs)
        for key in ("W1", "b1", "W2", "b2"):
            assert result.params[key].shape == np.shape(params[key])


@SETTINGS
@given(problems(), OUTPUTS, DELTAS)
def test_numerical_gradient_gives_finite_gradients_or_a_clear_error(problem, output, delta):
    X, y, params = problem
    grads = outcome(cu.numerical_gradient, X, y, params, output, delta=delta)
    if grads is not None:
        assert sorted(grads) == ["W1", "W2", "b1", "b2"]
        assert all(np.all(np.isfinite(g)) for g in grads.values())


@SETTINGS
@given(st.one_of(st.integers(1, 4).flatmap(lambda n: st.tuples(arrays((n, 1)), arrays((n,)))),
                st.tuples(anything(), anything())))
def test_mse_gives_a_float_or_a_clear_error(pair):
    y, y_hat = pair
    loss = outcome(cu.mse, y, y_hat)
    if loss is not None:
        assert isinstance(loss, float) and (np.isnan(loss) or loss >= 0)


@SETTINGS
@given(st.integers(1, 4), st.integers(1, 3), st.floats(0.01, 3.0), st.integers(1, 3))
def test_train_and_mse_agree_on_sane_input(n, m, lr, epochs):
    # A positive control: on ordinary data the property tests above do see results, not only errors.
    X, y = cu.make_dataset(n, seed=n)
    start = cu.init_params(m, "random", seed=m)
    result = outcome(cu.train, X, y, start, lr=lr, epochs=epochs)
    assert result is not None
    # train records the loss before each step with its own forward pass: the first is the MSE of the start.
    assert result.losses[0] == pytest.approx(cu.mse(y, cu.forward(X, start)), rel=1e-12)
    # mse takes y and y_hat as (n, 1) or (n,) in any pairing, never broadcasting them into an (n, n) table.
    y_hat = cu.forward(X, result.params)
    by_hand = math.fsum((a - b) ** 2 for a, b in zip(y[:, 0].tolist(), y_hat[:, 0].tolist())) / n
    for a, b in [(y, y_hat), (y[:, 0], y_hat), (y, y_hat[:, 0]), (y[:, 0], y_hat[:, 0])]:
        assert cu.mse(a, b) == pytest.approx(by_hand, rel=1e-12)
