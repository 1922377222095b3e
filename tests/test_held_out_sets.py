"""cu.train with a list of held-out sets: each set's losses are bit for bit those of a run with that set alone."""

import numpy as np
import pytest

import course_utils as cu


@pytest.fixture(scope="module")
def data():
    """A training part and three held-out sets of different sizes (the last one larger than the training part)."""
    X, y = cu.make_dataset(n_samples=600, seed=4)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    y = (y - y.mean()) / y.std()
    return (X[:200], y[:200]), [(X[200:260], y[200:260]), (X[260:290], y[260:290]), (X[290:], y[290:])]


def same_training(a, b):
    return (np.array_equal(a.losses, b.losses) and a.diverged == b.diverged
            and all(np.array_equal(a.params[k], b.params[k]) for k in ("W1", "b1", "W2", "b2")))


@pytest.mark.parametrize("batch_size", [None, 16, 200])     # full batch; mini-batch; mini-batch of every sample
@pytest.mark.parametrize("lr, init", [(0.1, "random"), (3.0, "ones")])   # lr 3: the loss climbs
def test_each_held_out_set_gets_the_losses_of_a_run_with_it_alone(data, batch_size, lr, init):
    (X, y), held_out = data
    start = cu.init_params(5, init, seed=2)
    both = cu.train(X, y, start, lr=lr, epochs=30, batch_size=batch_size, seed=7, validation=held_out)
    assert isinstance(both.val_losses, list) and len(both.val_losses) == len(held_out)
    for pair, val_losses in zip(held_out, both.val_losses):
        alone = cu.train(X, y, start, lr=lr, epochs=30, batch_size=batch_size, seed=7, validation=pair)
        assert same_training(both, alone)
        assert isinstance(alone.val_losses, np.ndarray)        # one pair: one array, as before
        assert val_losses.shape == both.losses.shape
        np.testing.assert_array_equal(val_losses, alone.val_losses)
    assert not np.array_equal(both.val_losses[0], both.val_losses[1])   # the sets are told apart, not copied
    assert both.diverged == (lr == 3.0 and batch_size == 16)   # the one setting here that overflows, at epoch 14


@pytest.mark.parametrize("batch_size", [None, 16])
def test_a_list_of_one_pair_gives_a_list_of_one_array(data, batch_size):
    (X, y), held_out = data
    start = cu.init_params(3, "random", seed=0)
    listed = cu.train(X, y, start, lr=0.1, epochs=5, batch_size=batch_size, seed=0, validation=[held_out[0]])
    alone = cu.train(X, y, start, lr=0.1, epochs=5, batch_size=batch_size, seed=0, validation=held_out[0])
    assert isinstance(listed.val_losses, list) and len(listed.val_losses) == 1
    np.testing.assert_array_equal(listed.val_losses[0], alone.val_losses)


@pytest.mark.parametrize("batch_size", [None, 16])
@pytest.mark.parametrize("validation, error, words", [
    ([], ValueError, r"validation must be a pair \(X_val, y_val\) or a list of such pairs, got an empty list"),
    ([np.zeros((5, 2)), np.zeros(5)], TypeError,
     r"validation is a list, so each item must be a pair \(X_val, y_val\), but validation\[0\] is ndarray of "
     r"length 5; for one held-out set pass the tuple"),
    ([(np.zeros((5, 2)), np.zeros(5)), "test"], TypeError, r"validation\[1\] is str of length 4"),
    ([(np.zeros((5, 2)), np.zeros(5)), (np.zeros((5, 3)), np.zeros(5))], ValueError,
     r"validation\[1\]\[0\] \(its X\) must have 2 columns"),
    ([(np.zeros((5, 2)), np.zeros(5)), (np.zeros((5, 2)), np.zeros(4))], ValueError,
     r"validation\[1\]\[1\] \(its y\) must have one target per row of validation\[1\]\[0\] \(5\), got 4"),
])
def test_a_bad_list_of_held_out_sets_gets_an_error_naming_validation(data, batch_size, validation, error, words):
    (X, y), _ = data
    with pytest.raises(error, match=words):
        cu.train(X, y, cu.init_params(3), epochs=1, batch_size=batch_size, seed=0, validation=validation)
