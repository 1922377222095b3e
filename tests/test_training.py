"""cu.train and cu.width_sweep: agreement with the step-by-step version, divergence, and learner-friendly errors."""

import warnings

import numpy as np
import pytest

import course_utils as cu


@pytest.fixture(scope="module")
def data():
    return cu.make_dataset(n_samples=2000)


def step_by_step(X, y, params, lr, epochs, output):
    """The readable loop: the loss of params, then backward and params -= lr * grads; the loss once more at the end.

    It stops at the first loss that is not finite, and returns the params of the last finite one.
    """
    params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    losses, kept = [], params
    for epoch in range(epochs + 1):
        try:
            loss = cu.mse(y, cu.forward(X, params, output))
            grads = cu.backward(X, y, params, output) if epoch < epochs else {}
        except ValueError:                      # non-finite params or an overflow: the run has blown up
            break
        losses.append(loss)
        kept = {k: v.copy() for k, v in params.items()}
        for key in grads:
            params[key] -= lr * grads[key]
    return np.array(losses), kept


@pytest.mark.parametrize("output", ["linear", "sigmoid"])
@pytest.mark.parametrize("init", ["ones", "random"])
def test_train_matches_step_by_step(data, output, init):
    X, y = data
    start = cu.init_params(5, init, seed=3)
    expected_losses, expected_params = step_by_step(X, y, start, 0.01, 50, output)
    result = cu.train(X, y, start, lr=0.01, epochs=50, output=output)
    np.testing.assert_allclose(result.losses, expected_losses, rtol=1e-9, atol=0)
    for key in expected_params:
        np.testing.assert_allclose(result.params[key], expected_params[key], rtol=1e-9, atol=1e-12)
        assert result.params[key].shape == start[key].shape
    assert not result.diverged and len(result.losses) == 51
    assert result.final_loss == result.losses[-1]
    assert result.final_loss == pytest.approx(cu.mse(y, cu.forward(X, result.params, output)), rel=1e-12, abs=0)


def test_train_first_loss_is_the_golden_linear_mse(course_data):
    X, y = course_data
    result = cu.train(X, y, cu.init_params(2), epochs=1)
    assert result.losses[0] == pytest.approx(198.65838851753207, rel=1e-12)


def test_train_learns(data):
    X, y = data
    losses = cu.train(X, y, cu.init_params(8), epochs=300).losses
    assert losses[-1] < 0.7 * losses[0]         # 151.5 -> 90.4 on these 2,000 samples


def test_train_leaves_params_untouched(data):
    X, y = data
    start = cu.init_params(4, "random", seed=1)
    copy = {k: v.copy() for k, v in start.items()}
    result = cu.train(X, y, start, epochs=5)
    for key in start:
        np.testing.assert_array_equal(start[key], copy[key])
        assert result.params[key] is not start[key]


def test_train_zero_epochs(data):
    X, y = data
    start = cu.init_params(3)
    result = cu.train(X, y, start, epochs=0)
    assert result.losses.shape == (1,) and not result.diverged
    assert result.final_loss == pytest.approx(cu.mse(y, cu.forward(X, start)), rel=1e-12)
    for key in start:
        np.testing.assert_array_equal(result.params[key], start[key])


def test_divergence_is_reported_without_warnings(data):
    X, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = cu.train(X, y, cu.init_params(16), lr=2.0, epochs=200)
    assert result.diverged
    assert 0 < len(result.losses) < 200
    assert np.all(np.isfinite(result.losses))
    # The step-by-step version agrees while the numbers are sane and blows up too. (An exploding run
    # amplifies rounding ~20x per epoch, so later losses can only agree loosely.)
    with np.errstate(all="ignore"):
        expected, _ = step_by_step(X, y, cu.init_params(16), 2.0, 200, "linear")
    np.testing.assert_allclose(result.losses[:3], expected[:3], rtol=1e-9)
    assert len(expected) < 200 or not np.all(np.isfinite(expected))


def test_width_sweep_matches_separate_train_runs(data):
    X, y = data
    widths = (1, 3, 4, 8)
    for init, seed in (("ones", None), ("random", 7)):
        sweep = cu.width_sweep(X, y, widths=widths, init=init, lr=0.02, epochs=60, seed=seed)
        assert list(sweep) == list(widths)
        for w in widths:
            assert isinstance(sweep[w], cu.TrainResult)
            alone = cu.train(X, y, cu.init_params(w, init, seed=seed), lr=0.02, epochs=60)
            np.testing.assert_array_equal(sweep[w].losses, alone.losses)
            assert sweep[w].diverged is alone.diverged is False
            assert sweep[w].params.keys() == alone.params.keys()
            for key in alone.params:
                np.testing.assert_array_equal(sweep[w].params[key], alone.params[key])


def test_width_sweep_reports_divergence_per_width_without_warnings(data):
    # Once a run blows up, last-bit rounding decides *when* it overflows, so the sweep and separate
    # runs can stop at different epochs; what must hold is that every width stops cleanly on its own.
    # (That a diverged width leaves the others exactly untouched is tested on descend below.)
    X, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sweep = cu.width_sweep(X, y, widths=(2, 4, 16), lr=50.0, epochs=300)
    for w, run in sweep.items():
        assert run.diverged, w
        assert 0 < len(run.losses) < 300, w
        assert np.all(np.isfinite(run.losses))
        assert all(np.all(np.isfinite(v)) for v in run.params.values()), w   # the last finite loss's parameters
        alone = cu.train(X, y, cu.init_params(w), lr=50.0, epochs=300)
        assert alone.diverged
        np.testing.assert_allclose(run.losses[:2], alone.losses[:2], rtol=1e-9)


def test_a_diverging_network_does_not_touch_its_neighbour(data):
    # Three width-16 networks share one stack at lr 2.0, where each diverges, but at its own epoch (they stop
    # between about 130 and 170 on these samples, at epochs that move with the numpy version). A network that
    # stops first is frozen; the others must go on bit for bit as they do alone, and stop where they stop alone.
    X, y = data
    starts = [cu.init_params(16), cu.init_params(16, "random", seed=0), cu.init_params(16, "random", seed=1)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        runs = cu.train_many(X, y, starts, lr=2.0, epochs=300)
    lengths = [len(run.losses) for run in runs]
    assert all(run.diverged for run in runs) and all(0 < n < 300 for n in lengths)
    assert len(set(lengths)) > 1, f"every network stopped at the same epoch {lengths}: nothing is tested"
    for run, start in zip(runs, starts):
        alone = cu.train(X, y, start, lr=2.0, epochs=300)
        np.testing.assert_array_equal(run.losses, alone.losses)
        for key in start:
            np.testing.assert_array_equal(run.params[key], alone.params[key])


def test_width_sweep_zero_epochs(data):
    X, y = data
    sweep = cu.width_sweep(X, y, widths=(2, 5), epochs=0)
    assert all(len(run.losses) == 1 and not run.diverged for run in sweep.values())   # the loss of the start alone
    assert sweep[2].losses[0] == pytest.approx(cu.mse(y, cu.forward(X, cu.init_params(2))), rel=1e-12)
    for key, value in cu.init_params(5).items():                                        # no step: the start itself
        np.testing.assert_array_equal(sweep[5].params[key], value)


@pytest.mark.parametrize("kwargs, error, words", [
    ({"lr": 0}, ValueError, "lr"),
    ({"lr": -0.1}, ValueError, "lr"),
    ({"lr": "fast"}, TypeError, "lr"),
    ({"epochs": -1}, ValueError, "epochs"),
    ({"epochs": 2.5}, TypeError, "epochs"),
    ({"output": "softmax"}, ValueError, "output"),
])
def test_train_rejects_bad_settings(data, kwargs, error, words):
    X, y = data
    with pytest.raises(error, match=words):
        cu.train(X, y, cu.init_params(2), **kwargs)


def test_train_rejects_bad_data(data):
    X, y = data
    params = cu.init_params(2)
    with pytest.raises(ValueError, match=r"2 columns.*\(2000, 3\)"):
        cu.train(np.ones((2000, 3)), y, params)
    bad = X.copy()
    bad[5, 0] = np.nan
    with pytest.raises(ValueError, match="finite"):
        cu.train(bad, y, params)
    with pytest.raises(ValueError, match="one target per row"):
        cu.train(X, y[:-1], params)
    with pytest.raises(ValueError, match="missing b2"):
        cu.train(X, y, {k: v for k, v in params.items() if k != "b2"})


@pytest.mark.parametrize("widths, error, words", [
    ((), ValueError, "at least one"),
    ((2, 2), ValueError, "repeat"),
    ((2, 0), ValueError, "at least 1"),
    ((2, 1.5), TypeError, "whole number"),
    (4, TypeError, "sequence"),
])
def test_width_sweep_rejects_bad_widths(data, widths, error, words):
    X, y = data
    with pytest.raises(error, match=words):
        cu.width_sweep(X, y, widths=widths, epochs=1)


def test_width_sweep_rejects_bad_settings(data):
    X, y = data
    with pytest.raises(ValueError, match="init"):
        cu.width_sweep(X, y, init="zeros", epochs=1)
    with pytest.raises(ValueError, match="lr"):
        cu.width_sweep(X, y, lr=0, epochs=1)
    with pytest.raises(TypeError, match="epochs"):
        cu.width_sweep(X, y, epochs=1.0)
    with pytest.raises(ValueError, match="one target per row"):
        cu.width_sweep(X, y[:10], epochs=1)
