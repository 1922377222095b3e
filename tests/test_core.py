"""Unit tests for the data, network maths, gradient check and plotting of course_utils."""

import warnings

import numpy as np
import pytest

import course_utils as cu

# Golden numbers the course reproduces: the MSE of the ones-start width-2 network on the default data,
# with a sigmoid and with a linear output (notebook 02 prints them as 203.1757 and 198.6584).
GOLDEN_SIGMOID_MSE = 203.1757236001885
GOLDEN_LINEAR_MSE = 198.65838851753207


# --- data ---------------------------------------------------------------------------------

def test_dataset_matches_the_golden_statistics(course_data):
    X, y = course_data
    assert X.shape == (10_000, 2) and y.shape == (10_000, 1)
    stats = cu.describe(y)
    assert f"{stats['mean']:.3f}" == "9.532"
    assert f"{stats['min']:.3f}" == "-7.282"
    assert f"{stats['max']:.3f}" == "53.252"


def test_dataset_draw_order_is_noise_then_x1_then_x2():
    rng = np.random.RandomState(7)
    noise, x1, x2 = rng.normal(0, 1, 5), rng.uniform(-5, 5, 5), rng.uniform(-5, 5, 5)
    X, y = cu.make_dataset(5, seed=7)
    np.testing.assert_array_equal(X, np.column_stack([x1, x2]))
    np.testing.assert_array_equal(y[:, 0], x1 * x2 + x1**2 + np.exp(np.sin(x2)) + noise)


def test_dataset_leaves_global_random_state_alone():
    np.random.seed(123)
    expected = np.random.random()
    np.random.seed(123)
    cu.make_dataset(100)
    assert np.random.random() == expected


def test_dataset_is_reproducible_and_seed_dependent():
    a, b, c = cu.make_dataset(50, seed=1), cu.make_dataset(50, seed=1), cu.make_dataset(50, seed=2)
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[1], c[1])


def test_target_function_by_hand():
    # x1=2, x2=0: 2*0 + 2**2 + exp(sin 0) = 0 + 4 + 1 = 5
    assert cu.target_function(2.0, 0.0) == pytest.approx(5.0)
    # x1=-1, x2=pi/2: -pi/2 + 1 + exp(1)
    assert cu.target_function(-1.0, np.pi / 2) == pytest.approx(-np.pi / 2 + 1 + np.e)


def test_zero_noise_gives_the_surface():
    X, y = cu.make_dataset(200, noise_std=0.0)
    np.testing.assert_allclose(y[:, 0], cu.target_function(X[:, 0], X[:, 1]))


def test_noise_floor_is_the_mean_square_of_the_noise():
    rng = np.random.RandomState(2025)
    noise = rng.normal(0, 1, 10_000)
    assert cu.noise_floor() == pytest.approx(np.mean(noise**2), rel=1e-12)
    assert 0.97 < cu.noise_floor() < 1.03
    assert cu.noise_floor(noise_std=2.0) == pytest.approx(4 * cu.noise_floor(), rel=1e-12)


@pytest.mark.parametrize("bad, error", [(0, ValueError), (-5, ValueError), (2.5, TypeError), ("10", TypeError),
                                        (True, TypeError)])
def test_dataset_rejects_bad_sample_sizes(bad, error):
    with pytest.raises(error, match="n_samples"):
        cu.make_dataset(bad)


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf"), "loud"])
def test_dataset_rejects_bad_noise(bad):
    with pytest.raises((ValueError, TypeError), match="noise_std"):
        cu.make_dataset(10, noise_std=bad)


# --- activations --------------------------------------------------------------------------

def test_sigmoid_is_stable_at_the_extremes():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(cu.sigmoid([-1000.0, 0.0, 1000.0]), [0.0, 0.5, 1.0])


def test_sigmoid_matches_the_textbook_formula():
    z = np.linspace(-30, 30, 601)
    np.testing.assert_allclose(cu.sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-14)
    # sigma(z) + sigma(-z) = 1
    np.testing.assert_allclose(cu.sigmoid(z) + cu.sigmoid(-z), 1.0, rtol=1e-15)


# --- network ------------------------------------------------------------------------------

def test_ones_init_shapes_and_values():
    p = cu.init_params(5)
    assert {k: v.shape for k, v in p.items()} == {"W1": (2, 5), "b1": (5,), "W2": (5, 1), "b2": (1,)}
    assert np.all(p["W1"] == 1) and np.all(p["W2"] == 1) and not p["b1"].any() and not p["b2"].any()


def test_random_init_is_seeded_and_scaled():
    a, b = cu.init_params(400, "random", seed=3), cu.init_params(400, "random", seed=3)
    np.testing.assert_array_equal(a["W1"], b["W1"])
    assert not np.array_equal(a["W1"], cu.init_params(400, "random", seed=4)["W1"])
    # N(0, 1/fan_in): W1 has fan_in 2 (std 0.707), W2 has fan_in 400 (std 0.05)
    assert a["W1"].std() == pytest.approx(1 / np.sqrt(2), rel=0.1)
    assert a["W2"].std() == pytest.approx(1 / np.sqrt(400), rel=0.1)


def test_golden_mse(course_data):
    X, y = course_data
    p = cu.init_params(2)
    assert abs(cu.mse(y, cu.forward(X, p, "sigmoid")) - GOLDEN_SIGMOID_MSE) < 1e-9
    assert abs(cu.mse(y, cu.forward(X, p, "linear")) - GOLDEN_LINEAR_MSE) < 1e-9


def test_forward_by_hand():
    # One sample x = (1, -1), W1 = [[1, 2], [0, 1]], b1 = [0, 1]
    #   z = (1*1 + -1*0 + 0, 1*2 + -1*1 + 1) = (1, 2);  h = (sigmoid(1), sigmoid(2)) = (0.73106, 0.88080)
    #   W2 = [[2], [-1]], b2 = [0.5]:  o = 2*0.73106 - 0.88080 + 0.5 = 1.08132
    p = {"W1": np.array([[1.0, 2.0], [0.0, 1.0]]), "b1": np.array([0.0, 1.0]),
         "W2": np.array([[2.0], [-1.0]]), "b2": np.array([0.5])}
    h1, h2 = 1 / (1 + np.exp(-1)), 1 / (1 + np.exp(-2))
    assert cu.forward([[1.0, -1.0]], p)[0, 0] == pytest.approx(2 * h1 - h2 + 0.5)
    assert cu.forward([[1.0, -1.0]], p, "sigmoid")[0, 0] == pytest.approx(1 / (1 + np.exp(-(2 * h1 - h2 + 0.5))))


def test_mse_by_hand():
    # residuals 1, -2, 0 -> (1 + 4 + 0) / 3
    assert cu.mse([[1.0], [0.0], [3.0]], [[0.0], [2.0], [3.0]]) == pytest.approx(5 / 3)
    assert isinstance(cu.mse([1.0], [1.0]), float)


def test_backward_by_hand():
    # Width 1, all weights 0: h = sigmoid(0) = 0.5, y_hat = 0, so for targets y = (1, 3):
    #   dL/dy_hat = 2 (y_hat - y) / n = (-1, -3);  db2 = -4;  dW2 = 0.5 * -4 = -2
    #   W2 = 0 blocks everything below it: dW1 = db1 = 0
    p = {"W1": np.zeros((2, 1)), "b1": np.zeros(1), "W2": np.zeros((1, 1)), "b2": np.zeros(1)}
    g = cu.backward([[1.0, 2.0], [3.0, 4.0]], [[1.0], [3.0]], p)
    np.testing.assert_allclose(g["b2"], [-4.0])
    np.testing.assert_allclose(g["W2"], [[-2.0]])
    assert not g["W1"].any() and not g["b1"].any()


@pytest.mark.parametrize("output", ["linear", "sigmoid"])
@pytest.mark.parametrize("init", ["ones", "random"])
def test_backward_matches_numerical_gradient(output, init):
    X, y = cu.make_dataset(20, seed=5)
    # Scaled down so the sigmoid units stay out of saturation and the loss is O(1),
    # where centred differences are accurate to about 1e-10.
    X, y = X / 5, y / 10
    p = cu.init_params(3, init, seed=1)
    p["b1"] = np.array([0.1, -0.2, 0.3])
    analytic, numeric = cu.backward(X, y, p, output), cu.numerical_gradient(X, y, p, output)
    for k in p:
        assert analytic[k].shape == p[k].shape
        assert cu.relative_error(analytic[k], numeric[k]) < 1e-7, k


def test_backward_and_numerical_gradient_leave_params_alone():
    X, y = cu.make_dataset(10)
    p = cu.init_params(3, "random", seed=0)
    before = {k: v.copy() for k, v in p.items()}
    cu.backward(X, y, p)
    cu.numerical_gradient(X, y, p)
    for k in p:
        np.testing.assert_array_equal(p[k], before[k])


# --- bad input ----------------------------------------------------------------------------

@pytest.mark.parametrize("bad, error, words", [
    (0, ValueError, "at least 1"), (-3, ValueError, "at least 1"), (1.5, TypeError, "whole number"),
    ("4", TypeError, "whole number")])
def test_init_rejects_bad_width(bad, error, words):
    with pytest.raises(error, match=words):
        cu.init_params(bad)


def test_init_rejects_unknown_init():
    with pytest.raises(ValueError, match="init must be 'ones' or 'random', got 'zeros'"):
        cu.init_params(2, "zeros")


def test_forward_rejects_unknown_output():
    with pytest.raises(ValueError, match="output must be 'linear' or 'sigmoid', got 'relu'"):
        cu.forward(np.zeros((3, 2)), cu.init_params(2), "relu")


@pytest.mark.parametrize("X, words", [
    (np.zeros((10, 3)), r"2 columns.*\(10, 3\)"), (np.zeros(10), r"2-D.*\(10,\)"),
    (np.zeros((0, 2)), r"2-D.*\(0, 2\)"), (np.array([[1.0, np.nan]]), "NaN"), ([["a", "b"]], "numbers")])
def test_forward_rejects_bad_X(X, words):
    with pytest.raises((ValueError, TypeError), match=words):
        cu.forward(X, cu.init_params(2))


def test_backward_rejects_y_of_the_wrong_length():
    with pytest.raises(ValueError, match=r"one target per row of X \(4\), got 3"):
        cu.backward(np.zeros((4, 2)), np.zeros((3, 1)), cu.init_params(2))


def test_backward_rejects_y_with_nan():
    with pytest.raises(ValueError, match="NaN"):
        cu.backward(np.zeros((2, 2)), [[1.0], [np.nan]], cu.init_params(2))


def test_missing_parameter_is_named():
    p = cu.init_params(2)
    del p["b2"]
    with pytest.raises(ValueError, match="missing b2"):
        cu.forward(np.zeros((3, 2)), p)


def test_mismatched_parameter_shape_is_named():
    p = cu.init_params(2)
    p["W2"] = np.ones((3, 1))
    with pytest.raises(ValueError, match=r"W2'\] must have shape \(2, 1\).*got \(3, 1\)"):
        cu.forward(np.zeros((3, 2)), p)


def test_params_must_be_a_dict():
    with pytest.raises(TypeError, match="dict"):
        cu.forward(np.zeros((3, 2)), [1, 2, 3])


def test_mse_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="same shape"):
        cu.mse(np.zeros((3, 1)), np.zeros((4, 1)))


# --- gradient check -----------------------------------------------------------------------

@pytest.mark.parametrize("output", ["linear", "sigmoid"])
def test_check_gradients_passes_the_real_backward(output):
    report = cu.check_gradients(cu.backward, output=output)
    assert report.ok, str(report)
    assert "match" in str(report)
    assert max(report.errors.values()) < 1e-7


def test_check_gradients_passes_the_real_backward_on_every_seed():
    """About 4% of small problems have a gradient entry near 1e-5 whose centred difference is mostly rounding
    (relative error up to 1.2e-6 against the exact one); the check must not blame the learner for that."""
    rounding_only = 0
    for seed in range(400):
        for output in ("linear", "sigmoid"):
            report = cu.check_gradients(cu.backward, output=output, seed=seed)
            assert report.ok, (seed, output, str(report))
            rounding_only += max(report.errors.values()) >= 1e-7
    assert rounding_only > 0        # the seeds do reach such problems: seed 61, linear, has W1 at 9.5e-7
    report = cu.check_gradients(cu.backward, seed=61)
    assert max(report.errors.values()) > 1e-7 and "only to rounding" in str(report), str(report)


def test_check_gradients_still_rejects_a_small_entry_that_is_wrong():
    """The rounding allowance is about 4e-10 here; the smallest entry of W1 off by a relative 1e-3 is rejected."""
    def off_in_smallest(g):
        i = np.unravel_index(np.argmin(np.abs(g["W1"])), g["W1"].shape)
        g["W1"][i] *= 1.001
    report = cu.check_gradients(_tampered(off_in_smallest), seed=61)
    assert not report.ok and "W1" in str(report), str(report)
    flipped = cu.check_gradients(_tampered(lambda g: g.update(b2=-g["b2"])), seed=61)
    assert not flipped.ok and "wrong sign" in str(flipped), str(flipped)


def test_matches_allows_rounding_only_where_it_is_asked_for():
    from course_utils.gradcheck import matches, rounding_level
    assert matches([1.0, 2e-5], [1.0, 2e-5 + 1e-11], rounding_level(1.0))
    assert not matches([1.0, 2e-5], [1.0, 2e-5 + 1e-11])
    assert not matches([1.0, 2e-5], [1.0, 2e-5 + 1e-8], rounding_level(1.0))
    assert not matches([1.0], [1.0 + 1e-6], rounding_level(1.0))
    assert not matches([np.nan], [np.nan], rounding_level(1.0))


def _tampered(change):
    def backward(X, y, params, output="linear"):
        grads = cu.backward(X, y, params, output)
        change(grads)
        return grads
    return backward


def test_check_gradients_names_a_constant_factor():
    report = cu.check_gradients(_tampered(lambda g: g.update(W2=g["W2"] / 2)))
    assert not report.ok
    assert "W2: values are off" in str(report) and "0.5 times" in str(report)
    assert "W1" not in str(report)


def test_check_gradients_names_a_flipped_sign():
    report = cu.check_gradients(_tampered(lambda g: g.update(b1=-g["b1"])))
    assert not report.ok and "b1" in str(report) and "wrong sign" in str(report)


def test_check_gradients_names_a_wrong_shape():
    report = cu.check_gradients(_tampered(lambda g: g.update(W1=g["W1"].T)))
    assert "W1: wrong shape (3, 2), expected (2, 3)" in str(report) and "transposed" in str(report)


def test_check_gradients_names_a_missing_key():
    report = cu.check_gradients(_tampered(lambda g: g.pop("b2")))
    assert not report.ok and "b2: missing" in str(report)


def test_check_gradients_catches_the_forgotten_sigmoid_derivative():
    def no_output_derivative(X, y, params, output="linear"):
        return cu.backward(X, y, params, "linear")  # ignores the sigmoid output's derivative
    assert not cu.check_gradients(no_output_derivative, output="sigmoid").ok
    assert cu.check_gradients(no_output_derivative, output="linear").ok


def test_check_gradients_reports_not_written_yet():
    def backward(X, y, params, output="linear"):
        raise NotImplementedError
    report = cu.check_gradients(backward)
    assert not report.ok and "not written yet" in str(report)


@pytest.mark.parametrize("backward, words", [
    (lambda X, y, p, output="linear": 1 / 0, "ZeroDivisionError"),
    (lambda X, y, p, output="linear": [1, 2], "dict"),
    (lambda X, y, p, output="linear": {"W1": "x", "b1": 0, "W2": 0, "b2": 0}, "W1")])
def test_check_gradients_never_raises(backward, words):
    report = cu.check_gradients(backward)
    assert not report.ok and words in str(report)


@pytest.mark.parametrize("seed", ["not a seed", -1, 1.5, True])
def test_check_gradients_checks_its_seed_as_everywhere_else(seed):
    report = cu.check_gradients(cu.backward, seed=seed)
    assert not report.ok
    assert f"seed must be None, a whole number >= 0 or a numpy Generator, got {seed!r}" in str(report), str(report)


def test_check_gradients_takes_every_kind_of_seed():
    for seed in (None, 3, np.int64(3), np.random.default_rng(3)):
        assert cu.check_gradients(cu.backward, seed=seed).ok


def test_check_gradients_notices_mutated_params():
    def mutating(X, y, params, output="linear"):
        grads = cu.backward(X, y, params, output)
        params["W1"] -= 1.0
        return grads
    assert "changed the params" in str(cu.check_gradients(mutating))


# --- plotting -----------------------------------------------------------------------------

def test_save_figure_exports_white_on_transparent_and_restores(tmp_path, monkeypatch):
    monkeypatch.delenv("COURSE_FIGURES_DIR", raising=False)    # conftest.py sets it for the notebooks
    import matplotlib.image as mpimg
    fig, ax = cu.plotting.new_figure()
    ax.plot([0, 1], [0, 1])
    ax.set(xlabel="Epoch", ylabel="MSE", title="Loss")
    before = ax.xaxis.label.get_color()
    path = cu.save_figure(fig, tmp_path / "deeper" / "plot.png")
    assert path.exists()
    pixels = mpimg.imread(path)
    assert pixels.shape[2] == 4 and pixels[0, 0, 3] == 0  # transparent corner
    opaque = pixels[pixels[..., 3] > 0.99][:, :3]
    assert (opaque.min(axis=1) > 0.95).any()  # white text and axes are drawn
    assert ax.xaxis.label.get_color() == before  # the notebook figure is unchanged


def test_relative_error_and_matches_share_one_per_entry_ratio():
    # Both halve a and b before |a| + |b| (no overflow near 1.8e308) and floor the sum at 1e-8: one helper.
    from course_utils import gradcheck
    a = np.array([1.0, 1e308, -1e308, 0.0, 3.0, 1e-12])
    b = np.array([1.0 + 1e-9, 1.5e308, 1e308, 0.0, -3.0, 2e-12])
    gap, scale = gradcheck._halved_gaps(a, b)
    ratio = gap / scale
    # 1e-9 / 2.000000001; 0.5e308 / 2.5e308 = 0.2; opposite signs 1; 0 / 1e-8 = 0; 1; 1e-12 / 1e-8 = 1e-4.
    np.testing.assert_allclose(ratio, [5e-10, 0.2, 1.0, 0.0, 1.0, 1e-4], rtol=1e-6)
    assert cu.relative_error(a, b) == np.max(ratio)
    for k in range(len(a)):
        assert gradcheck.matches(a[k], b[k]) == bool(ratio[k] < gradcheck.TOLERANCE)
    assert np.isnan(cu.relative_error([np.inf], [1.0])) and not gradcheck.matches([np.nan], [1.0])
