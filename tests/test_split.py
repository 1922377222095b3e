"""train_test_split: scikit-learn's names and return order, seeded without numpy's global state, no empty side."""

import re

import numpy as np
import pytest

import course_utils as cu


def _data(n=10):
    X = np.arange(2.0 * n).reshape(n, 2)          # row i is (2i, 2i + 1), so a row names its sample
    y = np.arange(float(n)).reshape(n, 1)
    return X, y


def test_returns_train_then_test_for_X_then_y_and_keeps_rows_together():
    X, y = _data(10)
    X_train, X_test, y_train, y_test = cu.train_test_split(X, y, test_size=0.3, random_state=0)
    assert X_train.shape == (7, 2) and X_test.shape == (3, 2)
    assert y_train.shape == (7, 1) and y_test.shape == (3, 1)
    # Row i of X is (2i, 2i + 1) and y is i: every pair must still match after the shuffle.
    assert np.array_equal(X_train[:, 0], 2 * y_train[:, 0]) and np.array_equal(X_test[:, 0], 2 * y_test[:, 0])
    # Together the two sides hold every sample exactly once.
    assert sorted(np.concatenate([y_train, y_test])[:, 0]) == list(range(10))


def test_fraction_rounds_the_test_side_up_as_scikit_learn_does():
    X, y = _data(10)
    # ceil(0.25 * 10) = 3 test samples, 7 for training.
    assert cu.train_test_split(X, y, test_size=0.25, random_state=1)[1].shape[0] == 3
    assert cu.train_test_split(X, y, test_size=4, random_state=1)[1].shape[0] == 4
    assert cu.train_test_split(X, y)[1].shape[0] == 2          # default 0.2 of 10


def test_same_seed_same_split_and_different_seed_different_split():
    X, y = _data(50)
    a = cu.train_test_split(X, y, random_state=7)
    b = cu.train_test_split(X, y, random_state=7)
    c = cu.train_test_split(X, y, random_state=8)
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    assert not np.array_equal(a[3], c[3])


def test_split_is_the_permutation_of_default_rng():
    X, y = _data(20)
    order = np.random.default_rng(3).permutation(20)
    _, X_test, _, y_test = cu.train_test_split(X, y, test_size=5, random_state=3)
    assert np.array_equal(y_test[:, 0], order[15:].astype(float))


def test_no_shuffle_takes_the_last_rows_in_order():
    X, y = _data(10)
    X_train, X_test, y_train, y_test = cu.train_test_split(X, y, test_size=0.2, shuffle=False)
    assert y_train[:, 0].tolist() == list(range(8)) and y_test[:, 0].tolist() == [8.0, 9.0]


def test_numpy_global_random_state_is_untouched():
    X, y = _data(30)
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    cu.train_test_split(X, y, random_state=None)
    cu.train_test_split(X, y, random_state=5)
    assert np.array_equal(np.random.get_state()[1], before)


def test_one_dimensional_y_keeps_its_shape():
    X, y = _data(10)
    y_train, y_test = cu.train_test_split(X, y[:, 0], random_state=0)[2:]
    assert y_train.shape == (8,) and y_test.shape == (2,)


@pytest.mark.parametrize("test_size, words", [
    (0, "leave a side empty"), (10, "leave a side empty"), (12, "leave a side empty"),
    (0.0, "strictly between 0 and 1"), (1.0, "strictly between 0 and 1"), (-0.1, "strictly between 0 and 1"),
    (0.95, "no training samples"),
])
def test_sizes_that_leave_a_side_empty_are_refused(test_size, words):
    X, y = _data(10)
    with pytest.raises(ValueError, match=words):
        cu.train_test_split(X, y, test_size=test_size)


@pytest.mark.parametrize("test_size", ["0.2", True, None])
def test_test_size_must_be_a_number(test_size):
    X, y = _data(10)
    with pytest.raises(TypeError, match="test_size must be"):
        cu.train_test_split(X, y, test_size=test_size)


def test_y_must_match_X():
    X, y = _data(10)
    with pytest.raises(ValueError, match=r"^y must have one target per row of X \(10\), got 9$"):
        cu.train_test_split(X, y[:9])


@pytest.mark.parametrize("shape", [(10, 2), (10, 1, 1), (10, 0)])
def test_y_must_be_one_target_per_sample(shape):
    X, _ = _data(10)
    with pytest.raises(ValueError, match=rf"^y must have shape \(n_samples, 1\) or \(n_samples,\), got shape "
                                         rf"{re.escape(str(shape))}$"):
        cu.train_test_split(X, np.zeros(shape))
