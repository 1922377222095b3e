"""course_utils.truth: the grid, G, and the split of the mean G into bias² and variance.

The expected numbers are worked out by hand in the comments.
"""

import numpy as np
import pytest

import course_utils as cu
from course_utils.truth import midpoint_grid


def test_the_grid_holds_the_midpoints_of_its_cells_and_f_there():
    X, f = midpoint_grid(4)                       # cells of width 2.5: midpoints -3.75, -1.25, 1.25, 3.75
    assert X.shape == (16, 2) and f.shape == (16, 1)
    assert np.array_equal(np.unique(X[:, 0]), [-3.75, -1.25, 1.25, 3.75])
    assert np.array_equal(X[:4, 1], [-3.75] * 4) and np.array_equal(X[:4, 0], [-3.75, -1.25, 1.25, 3.75])
    assert np.array_equal(f[:, 0], cu.target_function(X[:, 0], X[:, 1]))


def test_g_of_f_plus_a_constant_is_its_square():
    # Notebook 05's check of its grid: f + 0.5 has G = 0.25 exactly.
    X, f = midpoint_grid(100)
    assert cu.grid_error(f + 0.5, f) == 0.25
    assert cu.grid_error((f + 0.5).ravel(), f.ravel()) == 0.25


def test_two_models_off_by_one_and_three_split_into_bias_4_and_variance_1():
    # G_s = 1 and 9, mean 5; the mean model is off by 2 (bias² 4); each is 1 from it (variance 1);
    # std of (1, 9) with divisor 1 is sqrt(32), over sqrt(2): 4.
    f = np.linspace(-3, 7, 25)
    split = cu.bias_variance([f + 1, f + 3], f)
    assert split == (5.0, 4.0, 1.0, 4.0, 2)


def test_offsets_with_known_mean_and_spread_give_bias_and_variance_in_closed_form():
    # Model s misses f by c + d_s everywhere, with d = (-2, -1, 0, 1, 2): bias² = c², variance = mean d² = 2.
    X, f = midpoint_grid(10)
    for c in (0.0, 0.5, -3.0):
        predictions = np.stack([f + c + d for d in (-2, -1, 0, 1, 2)])          # (5, 100, 1)
        split = cu.bias_variance(predictions, f)
        assert split.bias2 == pytest.approx(c**2, abs=1e-12)
        assert split.variance == pytest.approx(2.0, abs=1e-12)
        assert split.mean_G == pytest.approx(c**2 + 2.0, abs=1e-12)


def test_the_two_parts_add_up_to_the_mean_g_for_any_models():
    rng = np.random.default_rng(0)
    X, f = midpoint_grid(20)
    for S in (2, 7, 30):
        predictions = f[:, 0] + rng.normal(size=(S, 1)) + rng.normal(scale=3, size=(S, f.size)) * rng.random(f.size)
        split = cu.bias_variance(predictions, f)
        assert split.bias2 + split.variance == pytest.approx(split.mean_G, rel=1e-12)
        G = [cu.grid_error(p, f) for p in predictions]
        assert split.mean_G == pytest.approx(np.mean(G), rel=1e-12)
        assert split.mc_error == pytest.approx(np.std(G, ddof=1) / np.sqrt(S), rel=1e-12)


@pytest.mark.parametrize("predictions, f, error, match", [
    ([[1.0, 2.0]], [1.0, 2.0], ValueError, "at least 2 models"),
    ([[1.0, 2.0], [1.0]], [1.0, 2.0], TypeError, "array of numbers"),
    ([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]], [1.0, 2.0], ValueError, "2 values per model"),
    ([[1.0, np.nan], [1.0, 2.0]], [1.0, 2.0], ValueError, "finite"),
    ([[1.0, 2j], [1.0, 2.0]], [1.0, 2.0], TypeError, "complex"),
    ("predictions", [1.0, 2.0], TypeError, "array of numbers"),
    ([[1.0, 2.0], [1.0, 2.0]], [[1.0, 2.0]], ValueError, r"shape \(N,\) or \(N, 1\)"),
])
def test_bad_input_gets_a_clear_error(predictions, f, error, match):
    with pytest.raises(error, match=match):
        cu.bias_variance(predictions, f)


def test_grid_error_takes_one_model_and_the_grid_a_whole_number_of_cells():
    f = np.zeros(3)
    with pytest.raises(ValueError, match="one model's predictions"):
        cu.grid_error(np.zeros((2, 3)), f)
    with pytest.raises((TypeError, ValueError), match="cells"):
        midpoint_grid(2.5)
    with pytest.raises(ValueError, match="memory"):
        midpoint_grid(100_000)
