"""Property tests: whatever shapes, dtypes and values arrive, the core functions give a result or a clear error.

For every input that hypothesis draws, ``forward``, ``backward``, ``train``
(full batch and mini-batch), ``numerical_gradient``, ``mse``, ``StandardScaler``,
``train_test_split``, ``hessian``, ``sharpness`` and the diagnostics either return a sane result or raise ValueError or
TypeError, and no numpy warning escapes (warnings are errors inside each call).
Each test draws ``EXAMPLES`` cases; the file runs in a few seconds.
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
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
        assert np.all(np.isfinite(result.losses)) and 1 <= len(result.losses) <= epochs + 1
        assert result.diverged == (len(result.losses) < epochs + 1)
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
    # train records the loss after each step with its own forward pass: the first is the MSE of the start,
    # the last that of the params returned.
    assert result.losses[0] == pytest.approx(cu.mse(y, cu.forward(X, start)), rel=1e-12)
    assert result.final_loss == pytest.approx(cu.mse(y, cu.forward(X, result.params)), rel=1e-12)
    # mse takes y and y_hat as (n, 1) or (n,) in any pairing, never broadcasting them into an (n, n) table.
    y_hat = cu.forward(X, result.params)
    by_hand = math.fsum((a - b) ** 2 for a, b in zip(y[:, 0].tolist(), y_hat[:, 0].tolist())) / n
    for a, b in [(y, y_hat), (y[:, 0], y_hat), (y, y_hat[:, 0]), (y[:, 0], y_hat[:, 0])]:
        assert cu.mse(a, b) == pytest.approx(by_hand, rel=1e-12)


# The mini-batch path, the scaler and the split.

def plain_sgd(X, y, params, lr, epochs, batch_size, seed, output):
    """The mini-batch contract, written out, with its stopping rule; returns ``(losses, params)``: the losses after
    0, 1, ..., epochs epochs, up to the first that is not finite, and the params of the last finite one."""
    rng = np.random.default_rng(seed)
    losses, kept = [], params
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in range(epochs + 1):
            loss = cu.mse(y, cu.forward(X, params, output))
            if not np.isfinite(loss):
                break
            losses.append(loss)
            kept = params
            if epoch == epochs:
                break
            order = rng.permutation(len(X))
            for start in range(0, len(X), batch_size):
                grads = cu.backward(X[order[start:start + batch_size]], y[order[start:start + batch_size]], params,
                                    output)
                params = {k: params[k] - lr * grads[k] for k in params}
    return np.array(losses), kept


@SETTINGS
@given(st.integers(1, 6), st.integers(1, 3), st.integers(1, 3), st.data())
def test_the_minibatch_path_matches_the_plain_loop_or_refuses_clearly(n, D, m, data):
    sane = st.floats(-5.0, 5.0)
    draw = data.draw
    X = np.array(draw(st.lists(sane, min_size=n * D, max_size=n * D))).reshape(n, D)
    y = np.array(draw(st.lists(st.one_of(sane, st.sampled_from([1e200, -1e160])), min_size=n, max_size=n)))
    params = {"W1": np.array(draw(st.lists(sane, min_size=D * m, max_size=D * m))).reshape(D, m),
              "b1": np.array(draw(st.lists(sane, min_size=m, max_size=m))),
              "W2": np.array(draw(st.lists(sane, min_size=m, max_size=m))).reshape(m, 1), "b2": np.zeros(1)}
    lr, epochs = draw(st.floats(0.001, 1.0)), draw(st.integers(0, 3))
    batch_size, seed = draw(st.integers(1, n)), draw(st.integers(0, 3))
    output = draw(st.sampled_from(["linear", "sigmoid"]))
    validation = (X, y) if draw(st.booleans()) else None
    losses, expected = plain_sgd(X, y.reshape(-1, 1), params, lr, epochs, batch_size, seed, output)
    result = outcome(cu.train, X, y, params, lr=lr, epochs=epochs, output=output, batch_size=batch_size, seed=seed,
                     validation=validation)
    if not len(losses):             # a loss that is not finite at the start: refused, as on the full-batch path
        assert result is None
        return
    assert result is not None
    np.testing.assert_allclose(result.losses, losses, rtol=1e-9, atol=0)
    assert result.diverged == (len(losses) < epochs + 1)
    if validation is not None:
        np.testing.assert_allclose(result.val_losses, result.losses, rtol=1e-9)
    for key in expected:            # the params of the last finite loss, diverged or not
        np.testing.assert_allclose(result.params[key], expected[key], rtol=1e-8, atol=1e-10)


@SETTINGS
@given(problems(), st.one_of(st.integers(-1, 5), NUMBERS, st.none()), st.one_of(st.integers(-1, 3), NUMBERS),
       st.one_of(st.none(), st.integers(-1, 3), NUMBERS, st.text(max_size=2)))
def test_the_minibatch_path_gives_a_result_or_a_clear_error(problem, batch_size, epochs, seed):
    X, y, params = problem
    result = outcome(cu.train, X, y, params, lr=0.1, epochs=epochs, batch_size=batch_size, seed=seed,
                     validation=(X, y))
    if result is not None:           # never empty losses: a non-finite start raises
        assert np.all(np.isfinite(result.losses)) and 0 < len(result.losses) <= epochs + 1
        assert len(result.val_losses) == len(result.losses)


FINITE = st.one_of(st.floats(allow_nan=False, allow_infinity=False),
                   st.sampled_from([0.0, 1e-300, -2e-300, 1e-20, 1.7e308, -1.7e308, 1e154, 3.0]))


@SETTINGS
@given(st.integers(1, 6), st.integers(1, 3), st.data())
def test_the_scaler_round_trips_any_finite_spread_and_never_warns(n, columns, data):
    X = np.array(data.draw(st.lists(FINITE, min_size=n * columns, max_size=n * columns))).reshape(n, columns)
    scaler = outcome(cu.StandardScaler().fit, X)
    if scaler is None:              # refused: some column has no spread, all its values (nearly) the same
        flat = [c for c in range(columns) if np.ptp(X[:, c]) <= 1e-13 * np.max(np.abs(X[:, c]))]
        assert flat, f"no column of {X!r} is flat"
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Z = scaler.transform(X)
        assert np.all(np.isfinite(Z)) and np.all(np.abs(Z) <= np.sqrt(n) + 1e-9)
        back = scaler.inverse_transform(Z)
    top = np.max(np.abs(X), axis=0)
    assert np.all(np.abs(back - X) <= 1e-12 * top)


@SETTINGS
@given(st.integers(2, 9), st.integers(1, 3), st.data())
def test_the_split_is_a_permutation_of_the_rows_and_never_warns(n, columns, data):
    X = np.column_stack([np.arange(n)] + [np.array(data.draw(st.lists(FINITE, min_size=n, max_size=n)))
                                          for _ in range(columns - 1)])
    y = X[:, 0] * 10.0 if data.draw(st.booleans()) else (X[:, :1] * 10.0)
    test_size = data.draw(st.one_of(st.integers(1, n - 1), st.floats(0.01, 0.99)))
    state = data.draw(st.one_of(st.none(), st.integers(0, 2**40)))
    split = outcome(cu.train_test_split, X, y, test_size=test_size, random_state=state,
                    shuffle=data.draw(st.booleans()))
    if split is None:               # a fraction so large that no training sample is left
        assert isinstance(test_size, float) and math.ceil(test_size * n) >= n
        return
    X_train, X_test, y_train, y_test = split
    rows = np.concatenate([X_train, X_test])
    assert sorted(rows[:, 0].tolist()) == list(range(n))
    assert {tuple(r) for r in rows.tolist()} == {tuple(r) for r in X.tolist()}
    np.testing.assert_array_equal(np.concatenate([y_train, y_test]).reshape(-1), rows[:, 0] * 10.0)
    assert y_train.shape[1:] == y.shape[1:]


def split_inputs(n):
    """(X, y) with n rows: X mostly sane, y anything from sane to hostile, of either shape."""
    sane_X = st.lists(st.floats(-5.0, 5.0), min_size=2 * n, max_size=2 * n).map(lambda v: np.reshape(v, (n, 2)))
    return st.tuples(st.one_of(sane_X, sane_X, arrays((n, 2))),
                     st.one_of(arrays((n,)), arrays((n, 1)), arrays((n,)), anything()))


@SETTINGS
@given(st.integers(2, 4).flatmap(split_inputs), st.one_of(st.just(1), st.floats(0.1, 0.9), NUMBERS, st.none()),
       st.one_of(st.none(), st.integers(0, 3), st.integers(-1, 3), NUMBERS))
def test_the_split_gives_parts_or_a_clear_error(Xy, test_size, state):
    X, y = Xy
    split = outcome(cu.train_test_split, X, y, test_size=test_size, random_state=state)
    if split is not None:
        assert all(np.all(np.isfinite(part)) for part in split)
        assert len(split[0]) + len(split[1]) == len(split[2]) + len(split[3]) == np.shape(X)[0]


@SETTINGS
@given(problems(), OUTPUTS, st.one_of(st.none(), st.floats(1e-6, 1e-3), NUMBERS))
def test_hessian_and_sharpness_give_symmetric_finite_curvature_or_a_clear_error(problem, output, delta):
    X, y, params = problem
    kwargs = {} if delta is None else {"delta": delta}
    H = outcome(cu.hessian, X, y, params, output, **kwargs)
    if H is not None:
        size = sum(int(np.prod(np.shape(params[k]))) for k in ("W1", "b1", "W2", "b2"))
        assert H.shape == (size, size) and np.all(np.isfinite(H))
        np.testing.assert_array_equal(H, H.T)
        lam = outcome(cu.sharpness, X, y, params, output, **kwargs)
        assert lam is not None and math.isfinite(lam)
        assert lam == pytest.approx(np.linalg.eigvalsh(H).max(), rel=1e-9, abs=1e-12)


@SETTINGS
@given(problems())
def test_diagnostics_stay_in_their_ranges_or_refuse_clearly(problem):
    from course_utils import diagnostics as dg

    X, _, params = problem
    slopes = outcome(dg.mean_slope, X, params)
    if slopes is not None:
        assert np.all((slopes >= 0) & (slopes <= 0.25)), slopes            # sigma' is at most 1/4
    Z = outcome(dg.preactivations, X, params)
    if Z is not None:
        assert Z.shape == (np.shape(X)[0], np.shape(params["W1"])[1]) and np.all(np.isfinite(Z))
    parts = outcome(dg.unit_contributions, X, params)
    if parts is not None:
        y_hat = cu.forward(X, params)
        np.testing.assert_allclose(parts.sum(axis=1, keepdims=True) + np.asarray(params["b2"], float), y_hat,
                                   rtol=1e-9, atol=1e-9 * (1 + np.abs(y_hat).max()))


@SETTINGS
@given(arrays((2, 3)), arrays((2,)))
@example(np.full((2, 3), 1e-200), np.array([1e-200, 1e-200]))     # squares underflow to 0
def test_unit_alignment_is_a_cosine_or_a_clear_error(W1, direction):
    params = {"W1": W1, "b1": np.zeros(3), "W2": np.ones((3, 1)), "b2": np.zeros(1)}
    from course_utils import diagnostics as dg
    cosines = outcome(dg.unit_alignment, params, direction)
    if cosines is not None:
        assert np.all(np.isfinite(cosines)) and np.all(np.abs(cosines) <= 1.0), cosines


@SETTINGS
@given(st.one_of(st.integers(-2, 50), NUMBERS, st.none()), NUMBERS, NUMBERS)
@example(5, -1e308, 1e308)                       # high - low overflows
def test_input_grid_is_finite_or_a_clear_error(n, low, high):
    from course_utils import diagnostics as dg
    grid = outcome(dg.input_grid, n, low, high)
    if grid is not None:
        points = np.asarray(grid[0] if isinstance(grid, tuple) else grid)
        assert np.all(np.isfinite(points))
