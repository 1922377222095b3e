"""Tests for course_utils.scaling.StandardScaler."""

import numpy as np
import pytest

import course_utils as cu
from course_utils.scaling import NotFittedError


def test_statistics_by_hand():
    # Column 0 holds 1, 2, 3: mean 2, population variance (1 + 0 + 1) / 3 = 2/3.
    # Column 1 holds 10, 10, 40: mean 20, population variance (100 + 100 + 400) / 3 = 200.
    X = np.array([[1.0, 10.0], [2.0, 10.0], [3.0, 40.0]])
    scaler = cu.StandardScaler().fit(X)
    np.testing.assert_allclose(scaler.mean_, [2.0, 20.0])
    np.testing.assert_allclose(scaler.scale_, [np.sqrt(2 / 3), np.sqrt(200)])
    assert scaler.n_features_in_ == 2
    # (3 - 2) / sqrt(2/3) = 1.2247..., (40 - 20) / sqrt(200) = 1.4142...
    np.testing.assert_allclose(scaler.transform(X)[2], [1.5 ** 0.5, 2 ** 0.5])


def test_fit_returns_the_scaler_itself():
    scaler = cu.StandardScaler()
    assert scaler.fit([[1.0], [2.0]]) is scaler


def test_standardised_columns_have_mean_0_and_std_1():
    X, y = cu.make_dataset(500, seed=4)
    for data in (X, y):
        Z = cu.StandardScaler().fit_transform(data)
        np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
        np.testing.assert_allclose(Z.std(axis=0), 1.0, rtol=1e-12)


def test_uses_the_population_standard_deviation():
    X = np.array([[0.0], [2.0]])
    # ddof=0: sqrt(((0 - 1)^2 + (2 - 1)^2) / 2) = 1; ddof=1 would give sqrt(2).
    assert cu.StandardScaler().fit(X).scale_[0] == pytest.approx(1.0)


def test_fit_transform_standardises_by_hand_and_inverse_transform_undoes_it():
    X, y = cu.make_dataset(300, seed=9)
    scaler = cu.StandardScaler()
    Z = scaler.fit_transform(X)
    # Each column minus its mean, over its population standard deviation, written out with numpy.
    np.testing.assert_allclose(Z, (X - X.mean(axis=0)) / X.std(axis=0), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(scaler.inverse_transform(Z), X, rtol=1e-13, atol=1e-13)
    ys = cu.StandardScaler().fit(y)
    np.testing.assert_allclose(ys.inverse_transform(ys.transform(y)), y, rtol=1e-13, atol=1e-12)


def test_transform_uses_the_fitted_statistics_not_the_new_data():
    scaler = cu.StandardScaler().fit([[0.0], [2.0]])          # mean 1, scale 1
    np.testing.assert_allclose(scaler.transform([[5.0], [7.0]]), [[4.0], [6.0]])


def test_mse_in_original_units_is_scaled_mse_times_scale_squared():
    # inverse_transform is affine with slope s_y, so every residual scales by s_y and the MSE by s_y^2.
    rng = np.random.default_rng(0)
    y = rng.normal(5, 3, size=(200, 1))
    y_hat = y + rng.normal(0, 0.5, size=(200, 1))
    scaler = cu.StandardScaler().fit(y)
    scaled = cu.mse(scaler.transform(y), scaler.transform(y_hat))
    assert cu.mse(y, y_hat) == pytest.approx(scaled * scaler.scale_[0] ** 2, rel=1e-12)


def test_leaves_its_input_alone_and_returns_new_arrays():
    X = np.array([[1.0, 5.0], [3.0, 7.0]])
    before = X.copy()
    scaler = cu.StandardScaler().fit(X)
    Z = scaler.transform(X)
    back = scaler.inverse_transform(Z)
    np.testing.assert_array_equal(X, before)
    assert not np.shares_memory(Z, X) and not np.shares_memory(back, Z)


def test_refitting_replaces_the_statistics():
    scaler = cu.StandardScaler().fit([[0.0], [2.0]])
    scaler.fit([[10.0], [14.0]])
    np.testing.assert_allclose([scaler.mean_[0], scaler.scale_[0]], [12.0, 2.0])


def test_accepts_integers_and_lists():
    scaler = cu.StandardScaler().fit([[1, 2], [3, 6]])
    assert scaler.transform([[1, 2]]).dtype == np.float64


@pytest.mark.parametrize("method", ["transform", "inverse_transform"])
def test_use_before_fit_is_refused(method):
    with pytest.raises(NotFittedError, match=f"not been fitted yet.*before {method}"):
        getattr(cu.StandardScaler(), method)([[1.0]])
    # scikit-learn's NotFittedError is both of these, so code that catches either keeps working.
    assert issubclass(NotFittedError, ValueError) and issubclass(NotFittedError, AttributeError)


@pytest.mark.parametrize("bad, error, message", [
    ([[1.0], [np.nan]], ValueError, "1 entries are NaN or infinite"),
    ([[1.0, np.inf], [2.0, 3.0]], ValueError, "NaN or infinite"),
    (np.array([1.0, 2.0, 3.0]), ValueError, r"X must be a 2-D array of shape \(n_samples, n_features\), got shape "
                                            r"\(3,\); for a single column, such as y, use \.reshape\(-1, 1\)"),
    (np.zeros((2, 2, 2)), ValueError, r"2-D array.*got shape \(2, 2, 2\)"),
    (np.zeros((0, 2)), ValueError, r"got shape \(0, 2\)"),
    (np.array([[1 + 2j], [3 + 0j]]), TypeError, "real numbers, got complex"),
    ([["a"], ["b"]], TypeError, "array of numbers"),
    ("1, 2, 3", TypeError, "array of numbers"),
])
def test_fit_refuses_bad_data(bad, error, message):
    with pytest.raises(error, match=message):
        cu.StandardScaler().fit(bad)


@pytest.mark.parametrize("flat, columns", [([[3.0, 1.0], [3.0, 2.0]], "0"), ([[1.0, 2.0]], "0, 1"),
                                           ([[0.0, 0.1], [1.0, 0.1], [5.0, 0.1]], "1")])
def test_a_column_without_spread_is_refused(flat, columns):
    # The mean of 0.1, 0.1, 0.1 is not exactly 0.1 in float64, so that spread is a rounding error (1.4e-17), not 0.
    with pytest.raises(ValueError, match=rf"column\(s\) {columns} of X have no spread"):
        cu.StandardScaler().fit(flat)


def test_a_refused_fit_keeps_the_scaler_unfitted():
    scaler = cu.StandardScaler()
    with pytest.raises(ValueError):
        scaler.fit([[1.0], [1.0]])
    with pytest.raises(NotFittedError):
        scaler.transform([[1.0]])


@pytest.mark.parametrize("method", ["transform", "inverse_transform"])
def test_a_different_number_of_columns_is_refused(method):
    scaler = cu.StandardScaler().fit([[1.0, 2.0], [3.0, 5.0]])
    with pytest.raises(ValueError, match=r"^X must have 2 columns to match the data the scaler was fitted on, "
                                         r"got shape \(2, 1\)$"):
        getattr(scaler, method)([[1.0], [2.0]])


@pytest.mark.parametrize("method", ["transform", "inverse_transform"])
def test_transform_refuses_non_finite_values(method):
    scaler = cu.StandardScaler().fit([[1.0], [3.0]])
    with pytest.raises(ValueError, match="NaN or infinite"):
        getattr(scaler, method)([[np.inf]])


def test_repr_is_scikit_learns():
    assert repr(cu.StandardScaler()) == "StandardScaler()"
