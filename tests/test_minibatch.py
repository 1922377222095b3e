"""cu.train with batch_size, seed and validation: the mini-batch contract against a plain loop over cu.backward."""

import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import course_utils as cu


@pytest.fixture(scope="module")
def data():
    """300 samples, standardised by hand, so plain SGD at these learning rates is stable (not chaotic)."""
    X, y = cu.make_dataset(n_samples=300, seed=11)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    y = (y - y.mean()) / y.std()
    return X, y


def plain_sgd(X, y, params, lr, epochs, batch_size, seed, output="linear", validation=None):
    """The contract, written out: one rng, a permutation per epoch, consecutive slices, one backward per slice;
    the losses of the params after 0, 1, ..., epochs epochs."""
    rng = np.random.default_rng(seed)
    params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    n = len(X)
    losses, val_losses = [], []
    for epoch in range(epochs + 1):
        losses.append(cu.mse(y, cu.forward(X, params, output)))
        if validation is not None:
            val_losses.append(cu.mse(validation[1], cu.forward(validation[0], params, output)))
        if epoch == epochs:
            break
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            rows = order[start:start + batch_size]
            grads = cu.backward(X[rows], y[rows], params, output)
            params = {k: params[k] - lr * grads[k] for k in params}
    return np.array(losses), np.array(val_losses), params


def assert_same_run(result, losses, params, val_losses=None):
    np.testing.assert_allclose(result.losses, losses, rtol=1e-9, atol=0)
    for key in params:
        np.testing.assert_allclose(result.params[key], params[key], rtol=1e-9, atol=1e-12)
        assert result.params[key].shape == params[key].shape
    if val_losses is not None:
        np.testing.assert_allclose(result.val_losses, val_losses, rtol=1e-9, atol=0)


# 300 = 9 * 32 + 12 and 300 = 42 * 7 + 6: the last batch is short; 1 and 300 are the two extremes.
@pytest.mark.parametrize("batch_size", [1, 7, 32, 300])
@pytest.mark.parametrize("output", ["linear", "sigmoid"])
def test_minibatch_matches_the_plain_loop(data, batch_size, output):
    X, y = data
    start = cu.init_params(6, "random", seed=2)
    losses, _, params = plain_sgd(X, y, start, 0.05, 6, batch_size, seed=4, output=output)
    result = cu.train(X, y, start, lr=0.05, epochs=6, output=output, batch_size=batch_size, seed=4)
    assert_same_run(result, losses, params)
    assert not result.diverged and result.val_losses is None


def test_notebook_05_loop_and_package_agree_to_rounding_level():
    # Notebook 05 prints "below 1e-12, rounding level" for this run (every processor agrees on the bound).
    X, y = cu.make_dataset()
    Xs, ys = cu.StandardScaler().fit_transform(X[:2000]), cu.StandardScaler().fit_transform(y[:2000])
    start = cu.init_params(16, "random", seed=1)
    losses, _, params = plain_sgd(Xs, ys, start, 0.05, 3, 32, seed=4)
    result = cu.train(Xs, ys, start, lr=0.05, epochs=3, batch_size=32, seed=4)
    np.testing.assert_allclose(result.losses, losses, rtol=1e-9, atol=0)
    assert max(np.max(np.abs(result.params[k] - params[k])) for k in params) < 1e-12


def test_ones_start_on_raw_data_matches_too():
    X, y = cu.make_dataset(n_samples=500, seed=5)
    start = cu.init_params(16, "ones")
    losses, _, params = plain_sgd(X, y, start, 0.001, 4, 64, seed=0)
    assert_same_run(cu.train(X, y, start, lr=0.001, epochs=4, batch_size=64, seed=0), losses, params)


def test_validation_losses_follow_the_same_contract(data):
    X, y = data
    X_train, X_val, y_train, y_val = cu.train_test_split(X, y, test_size=0.25, random_state=0)
    start = cu.init_params(4, "random", seed=1)
    losses, val_losses, params = plain_sgd(X_train, y_train, start, 0.1, 8, 16, seed=3, validation=(X_val, y_val))
    result = cu.train(X_train, y_train, start, lr=0.1, epochs=8, batch_size=16, seed=3, validation=(X_val, y_val))
    assert_same_run(result, losses, params, val_losses)
    assert result.val_losses.shape == result.losses.shape == (9,)
    assert result.val_losses[-1] == pytest.approx(cu.mse(y_val, cu.forward(X_val, result.params)), rel=1e-12, abs=0)


def test_validation_alone_is_full_batch_gradient_descent(data):
    X, y = data
    start = cu.init_params(5, "random", seed=0)
    full = cu.train(X, y, start, lr=0.1, epochs=20)
    with_val = cu.train(X, y, start, lr=0.1, epochs=20, validation=(X[:50], y[:50]))
    # The same full-batch steps, summed in a shuffled order: equal up to rounding.
    np.testing.assert_allclose(with_val.losses, full.losses, rtol=1e-9)
    assert full.val_losses is None
    # Validation data equal to the training data records the training curve.
    same = cu.train(X, y, start, lr=0.1, epochs=20, validation=(X, y))
    np.testing.assert_allclose(same.val_losses, same.losses, rtol=1e-12)


def test_none_keeps_the_full_batch_path_bit_for_bit(data):
    X, y = data
    start = cu.init_params(5, "random", seed=0)
    a = cu.train(X, y, start, lr=0.1, epochs=30)
    b = cu.train(X, y, start, lr=0.1, epochs=30, batch_size=None, seed=123, validation=None)
    assert np.array_equal(a.losses, b.losses)
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)


def test_same_seed_same_run_and_a_shorter_run_is_a_prefix(data):
    X, y = data
    start = cu.init_params(4, "random", seed=0)
    long = cu.train(X, y, start, lr=0.1, epochs=10, batch_size=32, seed=9)
    again = cu.train(X, y, start, lr=0.1, epochs=10, batch_size=32, seed=9)
    short = cu.train(X, y, start, lr=0.1, epochs=4, batch_size=32, seed=9)
    other = cu.train(X, y, start, lr=0.1, epochs=10, batch_size=32, seed=10)
    assert np.array_equal(long.losses, again.losses)
    # Epoch 4 of the long run starts from exactly the parameters the short run ends with.
    assert np.array_equal(long.losses[:5], short.losses)
    assert cu.mse(y, cu.forward(X, short.params)) == pytest.approx(long.losses[4], rel=1e-12)
    assert short.final_loss == pytest.approx(cu.mse(y, cu.forward(X, short.params)), rel=1e-12, abs=0)
    assert not np.array_equal(long.losses[1:], other.losses[1:])


def test_a_generator_seed_is_used_as_is(data):
    X, y = data
    start = cu.init_params(3, "random", seed=0)
    losses, _, params = plain_sgd(X, y, start, 0.05, 3, 50, seed=np.random.default_rng(77))
    assert_same_run(cu.train(X, y, start, lr=0.05, epochs=3, batch_size=50, seed=np.random.default_rng(77)),
                    losses, params)


def test_numpy_global_state_is_untouched(data):
    X, y = data
    np.random.seed(0)
    before = np.random.get_state()[1].copy()
    cu.train(X, y, cu.init_params(3, "random", seed=0), lr=0.05, epochs=3, batch_size=10)
    assert np.array_equal(np.random.get_state()[1], before)


def test_params_passed_in_are_not_changed(data):
    X, y = data
    start = cu.init_params(3, "random", seed=0)
    copy = {k: v.copy() for k, v in start.items()}
    cu.train(X, y, start, lr=0.05, epochs=3, batch_size=10, seed=0)
    assert all(np.array_equal(start[k], copy[k]) for k in start)


def test_divergence_is_reported_without_warnings():
    X, y = cu.make_dataset(n_samples=400, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = cu.train(X, y, cu.init_params(8, "ones"), lr=5.0, epochs=50, batch_size=16, seed=0,
                          validation=(X[:20], y[:20]))
    assert result.diverged
    assert 0 < len(result.losses) < 51 and np.isfinite(result.losses).all()
    assert result.final_loss == pytest.approx(cu.mse(y, cu.forward(X, result.params)), rel=1e-12, abs=0)
    assert len(result.val_losses) == len(result.losses)


def test_zero_epochs_records_the_start_alone(data):
    X, y = data
    start = cu.init_params(3, "random", seed=0)
    result = cu.train(X, y, start, lr=0.05, epochs=0, batch_size=10, seed=0, validation=(X, y))
    assert result.losses.shape == (1,) and result.val_losses.shape == (1,) and not result.diverged
    assert result.final_loss == pytest.approx(cu.mse(y, cu.forward(X, start)), rel=1e-12, abs=0)
    assert all(np.array_equal(result.params[k], start[k]) for k in start)


@pytest.mark.parametrize("batch_size, error, words", [
    (0, ValueError, "batch_size must be at least 1"),
    (-3, ValueError, "batch_size must be at least 1"),
    (2.5, TypeError, "batch_size must be a whole number"),
    (32.0, TypeError, "batch_size must be a whole number"),
    ("32", TypeError, "batch_size must be a whole number"),
    (True, TypeError, "batch_size must be a whole number"),
    (301, ValueError, r"at most the number of training samples \(300\), got 301"),
])
def test_bad_batch_sizes_get_a_clear_error(data, batch_size, error, words):
    X, y = data
    with pytest.raises(error, match=words):
        cu.train(X, y, cu.init_params(3), batch_size=batch_size, epochs=1)


def test_numpy_whole_numbers_are_accepted(data):
    X, y = data
    result = cu.train(X, y, cu.init_params(3, "random", seed=0), lr=0.05, epochs=2, batch_size=np.int64(30), seed=0)
    assert len(result.losses) == 3


@pytest.mark.parametrize("validation, error, words", [
    ("X_val", TypeError, r"validation must be a pair \(X_val, y_val\)"),
    ((np.zeros((5, 2)),), TypeError, r"validation must be a pair"),
    ((np.zeros((5, 3)), np.zeros(5)), ValueError, r"validation\[0\] \(its X\) must have 2 columns"),
    ((np.zeros((5, 2)), np.zeros(4)), ValueError, r"validation\[1\] \(its y\) must have one target per row of "
                                                  r"validation\[0\] \(5\), got 4"),
    ((np.full((5, 2), np.nan), np.zeros(5)), ValueError, "finite"),
])
def test_bad_validation_data_gets_a_clear_error(data, validation, error, words):
    X, y = data
    with pytest.raises(error, match=words):
        cu.train(X, y, cu.init_params(3), epochs=1, validation=validation)


def test_big_batches_cut_into_one_thread_pieces_still_match():
    # 33 * 3 * 3000 multiply-adds per product is above the one-thread limit, so the products are cut up.
    from course_utils import _minibatch as minibatch
    X, y = cu.make_dataset(n_samples=4000, seed=8)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    y = (y - y.mean()) / y.std()
    assert (2 * 16 + 1) * 3 * 3000 > minibatch.BLAS_SLICE
    start = cu.init_params(16, "random", seed=5)
    losses, _, params = plain_sgd(X, y, start, 0.1, 3, 3000, seed=2)
    assert_same_run(cu.train(X, y, start, lr=0.1, epochs=3, batch_size=3000, seed=2), losses, params)


@pytest.mark.parametrize("seed", ["0", 1.5, -1, True])
def test_bad_seeds_get_a_clear_error(data, seed):
    X, y = data
    with pytest.raises(TypeError, match="seed must be None, a whole number >= 0 or a numpy Generator"):
        cu.train(X, y, cu.init_params(3), epochs=1, batch_size=10, seed=seed)


def plain_sgd_until_divergence(X, y, params, lr, epochs, batch_size, seed):
    """The contract with its stopping rule: stop at the first whole-set MSE that is not finite, with the params of
    the last finite one."""
    rng = np.random.default_rng(seed)
    losses, kept = [], params
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in range(epochs + 1):
            loss = cu.mse(y, cu.forward(X, params))
            if not np.isfinite(loss):
                return np.array(losses), kept, True
            losses.append(loss)
            kept = params
            if epoch == epochs:
                break
            order = rng.permutation(len(X))
            for start in range(0, len(X), batch_size):
                rows = order[start:start + batch_size]
                grads = cu.backward(X[rows], y[rows], params)
                params = {k: params[k] - lr * grads[k] for k in params}
    return np.array(losses), kept, False


@pytest.fixture
def second_thread(monkeypatch):
    """Record the losses on a second thread even for this small data, as cu.train does for large data."""
    from course_utils import _minibatch as minibatch

    monkeypatch.setattr(minibatch, "MIN_BATCH_ENTRIES", 0)
    monkeypatch.setattr(minibatch, "MIN_PASS_ENTRIES", 0)
    monkeypatch.setattr(minibatch.os, "cpu_count", lambda: 2)
    assert not isinstance(minibatch._recorder(1, 1), minibatch._Inline)
    return minibatch


def test_the_second_thread_is_used_only_where_it_pays():
    from course_utils import _minibatch as minibatch

    for batch_entries, pass_entries in [(10 * 16, 160_000), (256 * 16, 500 * 16), (0, 0)]:
        assert isinstance(minibatch._recorder(batch_entries, pass_entries), minibatch._Inline)


@pytest.mark.parametrize("lr, diverges", [(0.6, False), (3.0, True)])
def test_divergence_stops_where_the_plain_loop_stops_with_its_parameters(data, second_thread, lr, diverges):
    """The losses are recorded on a second thread that the training may run ahead of: the stop is still exact.

    At lr 3.0 the weights reach about 1e150 by the stop (epoch 5), so they are compared relative to their size.
    The parameters returned are those of the last finite loss, whose loss is ``final_loss``.
    """
    X, y = data
    start = cu.init_params(6, "random", seed=3)
    losses, params, diverged = plain_sgd_until_divergence(X, y, start, lr, 60, 10, seed=1)
    assert diverged == diverges
    result = cu.train(X, y, start, lr=lr, epochs=60, batch_size=10, seed=1)
    assert result.diverged == diverged
    assert len(result.losses) == len(losses) == (5 if diverges else 61)
    np.testing.assert_allclose(result.losses, losses, rtol=1e-9, atol=0)
    for key in params:
        np.testing.assert_allclose(result.params[key], params[key], rtol=1e-6, atol=1e-12)
    with np.errstate(all="ignore"):
        assert result.final_loss == pytest.approx(cu.mse(y, cu.forward(X, result.params)), rel=1e-9, abs=0)


@pytest.mark.parametrize("lr", [0.05, 5.0])
def test_losses_on_the_second_thread_are_those_computed_in_line(data, second_thread, monkeypatch, lr):
    """Bit for bit the same run, diverging or not, whether the losses come from a second thread or not."""
    import threading

    minibatch = second_thread
    X, y = data
    start = cu.init_params(6, "random", seed=3)
    before = threading.active_count()
    threaded = cu.train(X, y, start, lr=lr, epochs=40, batch_size=7, seed=2, validation=(X[:50], y[:50]))
    assert threading.active_count() == before, "the thread that records the losses outlived the call"
    monkeypatch.setattr(minibatch, "RECORD_ON_SECOND_CORE", False)
    assert isinstance(minibatch._recorder(1, 1), minibatch._Inline)
    inline = cu.train(X, y, start, lr=lr, epochs=40, batch_size=7, seed=2, validation=(X[:50], y[:50]))
    assert threaded.diverged == inline.diverged == (lr == 5.0)
    for a, b in [(threaded.losses, inline.losses), (threaded.val_losses, inline.val_losses)] + [
            (threaded.params[k], inline.params[k]) for k in start]:
        assert np.array_equal(a, b)


BLAS_CHILD = r"""
import json, warnings
with warnings.catch_warnings():      # the oldest leg's matplotlib and ipywidgets warn at import; that is not ours
    warnings.simplefilter("ignore")
    import course_utils as cu
X, y = cu.make_dataset(40_000, seed=4)      # above 10,000 samples OpenBLAS threads a dot product over them
X = (X - X.mean(axis=0)) / X.std(axis=0)
runs = [cu.train(X[:20_000], y[:20_000], cu.init_params(16, "random", seed=s), lr=0.05, epochs=10, batch_size=b,
                 seed=0, validation=(X[20_000:], y[20_000:])) for s, b in [(0, 64), (1, 500), (2, 5000)]]
print(json.dumps([[float(v).hex() for v in list(r.losses) + list(r.val_losses)] for r in runs]))
"""


@pytest.mark.slow
def test_recorded_losses_do_not_depend_on_openblas_threads():
    # OpenBLAS threads a dot product over more than 10,000 samples, and rounds it differently on two threads.
    # With the whole-set pass summing its squares in one dot product (minibatch.DOT_SLICE above 20,000),
    # 31 of these 60 losses differ in the last bit between one and two threads.
    runs = {}
    for threads in ("1", "2"):
        proc = subprocess.run([sys.executable, "-W", "error", "-c", BLAS_CHILD], cwd=Path(__file__).resolve().parents[1],
                              capture_output=True, text=True, timeout=120,
                              env={**os.environ, "OPENBLAS_NUM_THREADS": threads})
        assert proc.returncode == 0 and proc.stderr == "", proc.stderr[-3000:]
        runs[threads] = proc.stdout
    assert runs["1"] == runs["2"]


@pytest.mark.parametrize("cut, step", [("cols", 3), ("rows", 2), ("inner", 4), (None, None)])
def test_one_thread_gives_the_product_in_slices(cut, step):
    from course_utils._descent import one_thread
    rng = np.random.default_rng(0)
    A, B = rng.normal(size=(2, 5, 11)), rng.normal(size=(2, 11, 7))
    out = np.empty((2, 5, 7))
    assert one_thread(np.matmul, A, B, out, cut, step) is out
    np.testing.assert_allclose(out, A @ B, rtol=1e-13, atol=1e-13)
    sq = one_thread(np.vecdot, A, A, np.empty((2, 5)), "inner", 4)      # sums of squares, 4 at a time
    np.testing.assert_allclose(sq, np.vecdot(A, A), rtol=1e-13)


def test_one_thread_stops_before_a_slice_once_halted():
    from course_utils._descent import one_thread
    A, B, out = np.ones((3, 4)), np.ones((4, 6)), np.zeros((3, 6))
    calls = []

    def halted():
        calls.append(1)
        return len(calls) > 2                                               # two slices run, then it stops
    assert one_thread(np.matmul, A, B, out, "cols", 2, halted) is None
    assert out[:, :4].tolist() == [[4.0] * 4] * 3 and not out[:, 4:].any()
