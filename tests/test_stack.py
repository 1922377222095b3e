"""course_utils.stacked: many networks side by side, each with its own sample, rate and seed (notebook 05).

train_stack must end where cu.train ends, network by network, for mini-batches and full batches, with
samples of different sizes, a rate and a number of epochs per network, and calls that continue one
another through the same Generators (notebook 05's recipe: 10,000 steps, then 1,000 at a tenth of the rate).
backward_stack must give cu.backward's gradients for every network of the stack. Bad input gets the course's errors,
and a request past the memory limit is refused before anything large is allocated.
"""

import numpy as np
import pytest

import course_utils as cu
from course_utils.stacked import backward_stack, stack_params, train_stack, unstack_params


def standardised(n, seed):
    X, y = cu.make_dataset(n, seed=seed)
    return cu.StandardScaler().fit_transform(X), cu.StandardScaler().fit_transform(y)


def assert_same_params(got, expected, atol=1e-12):
    for key in ("W1", "b1", "W2", "b2"):
        assert got[key].shape == expected[key].shape
        np.testing.assert_allclose(got[key], expected[key], rtol=0, atol=atol)


def test_minibatches_follow_train_network_by_network():
    # Three samples of different sizes (all multiples of 5), three rates, three epoch counts, three seeds.
    data = [standardised(n, seed) for n, seed in ((30, 1), (100, 2), (15, 3))]
    starts = [cu.init_params(6, "random", seed=s) for s in range(3)]
    rates, epochs = [0.05, 0.2, 0.1], [7, 2, 11]
    stacked = train_stack([X for X, _ in data], [y for _, y in data], starts, lr=rates, epochs=epochs,
                          batch_size=5, seeds=[10, 11, 12])
    for k, ((X, y), start) in enumerate(zip(data, starts)):
        alone = cu.train(X, y, start, lr=rates[k], epochs=epochs[k], batch_size=5, seed=10 + k)
        assert_same_params(stacked[k], alone.params)


def test_two_calls_through_the_same_generators_are_the_recipe_of_notebook_05():
    # fit: steps at lr, then settling steps at lr / 10, both phases shuffled by one Generator per network.
    X, y = standardised(40, 7)
    starts = [cu.init_params(4, "random", seed=s) for s in range(2)]
    gens = [np.random.default_rng(s) for s in range(2)]
    first = train_stack(X, y, starts, lr=0.05, epochs=25, batch_size=10, seeds=gens)
    second = train_stack(X, y, first, lr=0.005, epochs=5, batch_size=10, seeds=gens)
    for s, start in enumerate(starts):
        rng = np.random.default_rng(s)
        params = cu.train(X, y, start, lr=0.05, epochs=25, batch_size=10, seed=rng).params
        params = cu.train(X, y, params, lr=0.005, epochs=5, batch_size=10, seed=rng).params
        assert_same_params(second[s], params)


def test_full_batches_follow_train():
    X, y = standardised(60, 4)
    starts = [cu.init_params(8, "random", seed=s) for s in range(3)]
    stacked = train_stack(X, y, starts, lr=[0.05, 0.1, 0.3], epochs=40)
    for k, lr in enumerate([0.05, 0.1, 0.3]):
        assert_same_params(stacked[k], cu.train(X, y, starts[k], lr=lr, epochs=40).params)


def test_the_starts_are_left_untouched_and_zero_epochs_return_them():
    X, y = standardised(20, 5)
    start = cu.init_params(3, "random", seed=0)
    copy = {k: v.copy() for k, v in start.items()}
    (same,) = train_stack(X, y, [start], lr=0.1, epochs=0)
    assert_same_params(same, copy, atol=0)
    train_stack(X, y, [start], lr=0.1, epochs=3, batch_size=5, seeds=[0])
    assert_same_params(start, copy, atol=0)


def test_backward_stack_is_backward_for_every_network():
    X, y = standardised(12, 6)
    params = [cu.init_params(5, "random", seed=s) for s in range(4)]
    grads = backward_stack(X, y, stack_params(params))
    for k, p in enumerate(params):
        expected = cu.backward(X, y, p)
        assert_same_params({key: grads[key][k] for key in expected}, expected, atol=1e-14)
    # Each network on its own rows: X (K, B, D).
    rows = np.array([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10, 11]])
    grads = backward_stack(X[rows], y[rows], stack_params(params))
    for k, p in enumerate(params):
        expected = cu.backward(X[rows[k]], y[rows[k]], p)
        assert_same_params({key: grads[key][k] for key in expected}, expected, atol=1e-14)


def test_stack_and_unstack_are_inverse():
    params = [cu.init_params(3, "random", seed=s) for s in range(2)]
    back = unstack_params(stack_params(params))
    for got, expected in zip(back, params):
        assert_same_params(got, expected, atol=0)


def test_an_overflowing_network_carries_on_without_touching_the_others():
    X, y = standardised(20, 8)
    starts = [cu.init_params(4, "random", seed=s) for s in range(2)]
    out = train_stack(X, y, starts, lr=[0.05, 1e300], epochs=5)
    assert not all(np.isfinite(v).all() for v in out[1].values())
    assert_same_params(out[0], cu.train(X, y, starts[0], lr=0.05, epochs=5).params)
    again = train_stack(X, y, out, lr=[0.05, 0.05], epochs=1)       # a non-finite start is taken as it is
    assert not all(np.isfinite(v).all() for v in again[1].values())


@pytest.mark.parametrize("kwargs, match", [
    ({"batch_size": 7}, "batch_size 7 must divide every sample size"),
    ({"batch_size": 5, "seeds": [0]}, "seeds must hold one seed per start"),
    ({"batch_size": None, "sizes": (10, 15)}, "full batches need samples of one size"),
])
def test_batches_that_cannot_be_stacked_are_refused(kwargs, match):
    sizes = kwargs.pop("sizes", (10, 15))
    data = [standardised(n, n) for n in sizes]
    kwargs.setdefault("seeds", [0, 1])
    with pytest.raises(ValueError, match=match):
        train_stack([X for X, _ in data], [y for _, y in data], [cu.init_params(2, "random", seed=s) for s in range(2)],
                    lr=0.1, epochs=1, **kwargs)


def test_starts_of_different_widths_are_refused():
    X, y = standardised(10, 9)
    with pytest.raises(ValueError, match="one width"):
        train_stack(X, y, [cu.init_params(2), cu.init_params(3)], lr=0.1, epochs=1)


# ----- a public module: clear errors for what cannot be stacked, and the memory limit before any copy -----

@pytest.mark.parametrize("kwargs, error, match", [
    ({"lr": [0.1, 0.2, 0.3]}, ValueError, r"lr must be one value, or a sequence of one value per start \(2\)"),
    ({"lr": [0.1, "fast"]}, TypeError, r"lr\[1\] must be a number"),
    ({"lr": -0.1}, ValueError, "lr must be a finite number greater than 0"),
    ({"epochs": [1, 2.5]}, TypeError, r"epochs\[1\] must be a whole number"),
    ({"epochs": 2.5}, TypeError, "epochs must be a whole number"),
    ({"batch_size": 0, "seeds": [0, 1]}, ValueError, "batch_size must be at least 1"),
    ({"batch_size": 5, "seeds": np.random.default_rng(0)}, TypeError, "seeds must be a sequence of one seed"),
    ({"batch_size": 5, "seeds": [0, "one"]}, TypeError, r"seeds\[1\] must be None, a whole number"),
])
def test_bad_settings_get_the_course_errors(kwargs, error, match):
    X, y = standardised(10, 1)
    starts = [cu.init_params(2, "random", seed=s) for s in range(2)]
    kwargs = {"lr": 0.1, "epochs": 1, **kwargs}
    with pytest.raises(error, match=match):
        train_stack(X, y, starts, **kwargs)


@pytest.mark.parametrize("make, error, match", [
    (lambda X, y, s: (X, y, s[0]), TypeError, "starts must be a list of params dicts"),
    (lambda X, y, s: (X, y, []), ValueError, "starts must hold at least one"),
    (lambda X, y, s: ([X], [y], s), ValueError, r"X must be one array shared by every network, or a sequence of "
                                                r"one array per start \(2\), got list of length 1"),
    (lambda X, y, s: ([X, X[:, :1]], [y, y], s), ValueError, r"X\[1\] must have 2 columns"),
    (lambda X, y, s: ([X, X], [y, y[:5]], s), ValueError, r"y\[1\] must have one target per row of X\[1\]"),
    (lambda X, y, s: (X, y, [s[0], {"W1": np.ones((2, 2))}]), ValueError, r"params\[1\] is missing b1"),
])
def test_bad_data_and_starts_get_the_course_errors(make, error, match):
    X, y = standardised(10, 1)
    starts = [cu.init_params(2, "random", seed=s) for s in range(2)]
    with pytest.raises(error, match=match):
        train_stack(*make(X, y, starts), lr=0.1, epochs=1)


def test_backward_stack_refuses_data_that_does_not_fit_the_stack():
    X, y = standardised(12, 6)
    P = stack_params([cu.init_params(3, "random", seed=s) for s in range(4)])
    with pytest.raises(ValueError, match=r"X must have shape \(B, 2\) shared by every network, or \(4, B, 2\)"):
        backward_stack(X[None].repeat(3, axis=0), y[None].repeat(3, axis=0), P)
    with pytest.raises(ValueError, match=r"y must have shape \(12, 1\) to match X"):
        backward_stack(X, y[:6], P)
    with pytest.raises(ValueError, match="stacked must hold W1, b1, W2 and b2"):
        backward_stack(X, y, {k: v for k, v in P.items() if k != "b2"})
    with pytest.raises(ValueError, match=r"stacked\['W2'\] must have shape \(4, 3, 1\)"):
        backward_stack(X, y, {**P, "W2": P["W2"][:2]})
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="X must contain only finite numbers"):
        backward_stack(bad, y, P)


def _refused_before_allocating(call):
    import tracemalloc
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="limit is 2 GiB"):
            call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_requests_past_the_memory_limit_are_refused_up_front():
    X, y = standardised(20, 2)
    wide = cu.init_params(2**20)                                            # 4 m + 1 numbers: 32 MiB
    # 16 starts of 32 MiB, 5 copies of them: 2.5 GiB, refused before a single copy (32 MiB) is made.
    assert _refused_before_allocating(lambda: train_stack(X, y, [wide] * 16, lr=0.1, epochs=1)) < 8 * 2**20
    assert _refused_before_allocating(lambda: stack_params([wide] * 24)) < 8 * 2**20     # 3 copies: 2.25 GiB
    # 2000 networks of width 4096 on 20 shared samples: the hidden layers alone, 2 x 2000 x 20 x 4096 floats, 2.4 GiB.
    small = [cu.init_params(4096, "random", seed=0)] * 2000
    assert _refused_before_allocating(lambda: train_stack(X, y, small, lr=0.1, epochs=1)) < 8 * 2**20
    # Mini-batches: 256 steps' batches of 2000 samples for 2000 networks are drawn at once (about 30 GiB).
    X_big, y_big = standardised(2000, 3)
    nets = [cu.init_params(1)] * 2000
    assert _refused_before_allocating(lambda: train_stack(X_big, y_big, nets, lr=0.1, epochs=1, batch_size=2000,
                                                          seeds=list(range(2000)))) < 2**27
    P = stack_params([cu.init_params(64, "random", seed=0)] * 1000)
    X_many = np.zeros((1000, 5000, 2))                                      # backward: 2 x 1000 x 5000 x 64 floats
    assert _refused_before_allocating(lambda: backward_stack(X_many, np.zeros((1000, 5000, 1)), P)) < 2**27
