"""course_utils.diagnostics and plotting.units: per-unit numbers worked out by hand, and the figures they feed."""

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

import course_utils as cu
from course_utils.diagnostics import (input_grid, mean_slope, params_for_raw_data, preactivations, unit_alignment,
                                      unit_contributions)
from course_utils.plotting import new_figure
from course_utils.plotting.units import (plot_preactivation_hist, plot_residual_map, plot_seed_spread,
                                         plot_unit_maps)

matplotlib.use("Agg")

# Two units, two inputs: unit 1 reads x1 + 0.5, unit 2 reads -2 x1 + x2.
P = {"W1": np.array([[1.0, -2.0], [0.0, 1.0]]), "b1": np.array([0.5, 0.0]),
     "W2": np.array([[3.0], [-1.0]]), "b2": np.array([0.25])}
X = np.array([[2.0, 3.0], [0.0, 0.0], [-0.5, 1.0]])


def test_preactivations_by_hand():
    # row 1: (2 + 0.5, -4 + 3); row 2: (0.5, 0); row 3: (-0.5 + 0.5, 1 + 1)
    assert np.array_equal(preactivations(X, P), [[2.5, -1.0], [0.5, 0.0], [0.0, 2.0]])


def test_mean_slope_by_hand():
    s = lambda z: 1 / (1 + np.exp(-z))
    d = lambda z: s(z) * (1 - s(z))
    expected = [(d(2.5) + d(0.5) + d(0.0)) / 3, (d(-1.0) + d(0.0) + d(2.0)) / 3]
    assert np.allclose(mean_slope(X, P), expected, rtol=1e-14)
    assert np.all(mean_slope(X, P) <= 0.25)


def test_saturated_unit_has_tiny_slope():
    # A bias of 20 puts every sample deep in the upper tail: sigma'(20) is about 2e-9.
    p = {**P, "b1": np.array([20.0, 0.0])}
    assert mean_slope(X, p)[0] < 1e-8 < mean_slope(X, p)[1]


def test_contributions_add_up_to_the_prediction():
    X_big, _ = cu.make_dataset(500, seed=1)
    p = cu.init_params(5, "random", seed=3)
    C = unit_contributions(X_big, p)
    assert C.shape == (500, 5)
    assert np.allclose(C.sum(axis=1, keepdims=True) + p["b2"], cu.forward(X_big, p), rtol=0, atol=1e-12)
    # unit 1 of P at sample 2: W2 = 3 times sigmoid(0.5)
    assert unit_contributions(X, P)[1, 0] == pytest.approx(3 / (1 + np.exp(-0.5)), rel=1e-15)


def test_alignment_by_hand():
    # unit 1 faces (1, 0), unit 2 faces (-2, 1)/sqrt(5); against (1, 0): 1 and 2/sqrt(5)
    assert np.allclose(unit_alignment(P, [1.0, 0.0]), [1.0, 2 / np.sqrt(5)], rtol=1e-15)
    # only the direction of `direction` counts, and its sign does not
    assert np.allclose(unit_alignment(P, [-5.0, 0.0]), unit_alignment(P, [1.0, 0.0]), rtol=1e-15)
    assert unit_alignment(P, [0.0, 1.0])[0] == 0.0


def test_input_grid():
    x1, x2, points = input_grid(3, -1.0, 1.0)
    assert x1.shape == x2.shape == (3, 3)
    assert points.tolist()[:4] == [[-1.0, -1.0], [0.0, -1.0], [1.0, -1.0], [-1.0, 0.0]]


@pytest.mark.parametrize("call, words", [
    (lambda: preactivations([[1.0, 2.0, 3.0]], P), "2"),
    (lambda: mean_slope(X, {"W1": P["W1"], "b1": P["b1"]}), "W2"),
    (lambda: unit_contributions([[np.nan, 1.0]], P), "finite"),
    (lambda: unit_alignment(P, [0.0, 0.0]), "non-zero vector of 2"),
    (lambda: unit_alignment(P, [1.0, 2.0, 3.0]), "non-zero vector of 2"),
    (lambda: unit_alignment({**P, "W1": np.array([[0.0, 1.0], [0.0, 1.0]])}, [1.0, 0.0]), "columns [0]"),
    (lambda: input_grid(1), "at least 2"),
    (lambda: input_grid(5, 1.0, -1.0), "low < high"),
])
def test_bad_input_is_refused_with_a_clear_message(call, words):
    with pytest.raises((ValueError, TypeError), match=None) as err:
        call()
    assert words in str(err.value)


class _Stats:
    """Anything with ``mean_`` and ``scale_`` stands in for a fitted scaler; these ones are text, not numbers."""
    mean_, scale_ = "0.0", "1.0"


# Each of these is the wrong kind of value, so each is a TypeError (a ValueError is for a right kind, wrong value).
WRONG_TYPES = [
    (lambda: input_grid(2.5), r"^n \(grid points per side\) must be a whole number \(int\), got 2\.5 of type float"),
    (lambda: input_grid("5"), r"^n \(grid points per side\) must be a whole number \(int\), got '5' of type str"),
    (lambda: input_grid(5, "-1", 1.0), r"^low must be a number, got '-1' of type str"),
    (lambda: input_grid(5, -1.0, None), r"^high must be a number, got None of type NoneType"),
    (lambda: params_for_raw_data(P, "a scaler", cu.StandardScaler().fit([[1.0], [2.0]])),
     r"^x_scaler must be a fitted StandardScaler \(anything with mean_ and scale_ arrays\), got str"),
    (lambda: params_for_raw_data(P, _Stats(), cu.StandardScaler().fit([[1.0], [2.0]])),
     r"^x_scaler\.mean_ must be an array of numbers, got str"),
]


@pytest.mark.parametrize("call, words", WRONG_TYPES, ids=range(len(WRONG_TYPES)))
def test_a_value_of_the_wrong_type_is_a_type_error(call, words):
    with pytest.raises(TypeError, match=words):
        call()


def test_seed_spread_draws_medians_floor_and_log_axis():
    fig, ax = new_figure()                 # the course style, whose line cycle carries dash patterns
    finals = {"width 2": [100.0, 90.0, 4.0], "width 16": [5.0, 6.0, 7.0, 8.0]}
    plot_seed_spread(ax, finals, noise_floor=1.0)
    assert ax.get_yscale() == "log"
    medians = [line for line in ax.get_lines() if line.get_linewidth() == 2.5]
    assert [line.get_ydata()[0] for line in medians] == [90.0, 6.5]
    assert all(line.get_linestyle() == "-" for line in medians), "a median must not borrow a dash pattern from the cycle"
    assert any(line.get_linestyle() == ":" and line.get_ydata()[0] == 1.0 for line in ax.get_lines())
    points = [c.get_offsets() for c in ax.collections]
    assert sorted(np.concatenate([p[:, 1] for p in points]).tolist()) == [4.0, 5.0, 6.0, 7.0, 8.0, 90.0, 100.0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["width 2", "width 16"]


def test_seed_spread_refuses_empty_or_diverged_groups():
    ax = Figure().subplots()
    with pytest.raises(ValueError, match="at least one group"):
        plot_seed_spread(ax, {})
    with pytest.raises(ValueError, match="'w4'.*finite"):
        plot_seed_spread(ax, {"w4": [1.0, np.nan]})


def test_unit_maps_one_panel_per_unit_and_the_rest_hidden():
    fig = Figure()
    axes = fig.subplots(2, 2)
    x1, x2, points = input_grid(11)
    C = unit_contributions(points, cu.init_params(3, "random", seed=0)).reshape(11, 11, 3)
    filled = plot_unit_maps(axes, x1, x2, C, levels=np.linspace(-1, 1, 9))
    assert filled is not None
    assert [ax.get_visible() for ax in axes.ravel()] == [True, True, True, False]
    own = Figure().subplots(1, 3)
    plot_unit_maps(own, x1, x2, C, levels=None)
    assert [ax.get_title() for ax in own] == [f"unit {j + 1}: {C[:, :, j].min():.3g} to {C[:, :, j].max():.3g}"
                                              for j in range(3)]
    with pytest.raises(ValueError, match="one axes per unit"):
        plot_unit_maps(axes[0], x1, x2, C, levels=None)
    with pytest.raises(ValueError, match=r"\(n1, n2, m\)"):
        plot_unit_maps(axes, x1, x2, C[:5], levels=None)


def test_histogram_and_residual_map():
    ax = Figure().subplots()
    Z1 = np.column_stack([np.linspace(-6, 6, 50), np.zeros(50)])
    plot_preactivation_hist(ax, Z1)
    assert [t.get_text() for t in ax.get_legend().get_texts()][:2] == ["unit 1", "unit 2"]
    with pytest.raises(ValueError, match="2 units, got 1"):
        plot_preactivation_hist(ax, Z1, labels=["a"])
    x1, x2, _ = input_grid(5)
    filled = plot_residual_map(Figure().subplots(), x1, x2, x1 - x2, limit=3.0)
    assert filled.levels[0] == -3.0 and filled.levels[-1] == 3.0
    with pytest.raises(ValueError, match=r"^limit must be a finite number greater than 0, got 0\.0"):
        plot_residual_map(ax, x1, x2, x1, limit=0.0)
    with pytest.raises(TypeError, match=r"^limit must be a number, got '3' of type str"):
        plot_residual_map(ax, x1, x2, x1, limit="3")


def test_params_for_raw_data_predicts_what_the_scaled_network_predicts():
    X_raw, y_raw = cu.make_dataset(300, seed=4)
    xs, ys = cu.StandardScaler().fit(X_raw), cu.StandardScaler().fit(y_raw)
    p = cu.init_params(3, "random", seed=2)
    raw = params_for_raw_data(p, xs, ys)
    scaled_prediction = ys.inverse_transform(cu.forward(xs.transform(X_raw), p))
    assert np.allclose(cu.forward(X_raw, raw), scaled_prediction, rtol=1e-12, atol=1e-10)
    # pre-activations, and so the slopes, do not change
    assert np.allclose(preactivations(X_raw, raw), preactivations(xs.transform(X_raw), p), atol=1e-12)
    # MSE in raw units is the scaled MSE times s_y squared
    assert cu.mse(y_raw, cu.forward(X_raw, raw)) == pytest.approx(
        cu.mse(ys.transform(y_raw), cu.forward(xs.transform(X_raw), p)) * ys.scale_[0] ** 2, rel=1e-12)
    with pytest.raises(ValueError, match=r"^x_scaler has not been fitted yet: call fit\(X\)"):
        params_for_raw_data(p, cu.StandardScaler(), ys)
    with pytest.raises(ValueError, match="1, got means"):
        params_for_raw_data(p, xs, xs)


def test_the_diagnostics_read_the_hidden_layer_of_forward_cache():
    # One forward pass for the package: sigma(Z1) is forward_cache's H, and the unit numbers are built from it.
    from course_utils.activations import sigmoid
    Xr = np.random.default_rng(4).normal(size=(50, 2))
    p = cu.init_params(5, "random", seed=4)
    H = cu.forward_cache(Xr, p)[1]["H"]
    assert np.array_equal(sigmoid(preactivations(Xr, p)), H)
    assert np.array_equal(unit_contributions(Xr, p), H * p["W2"][:, 0])
    assert np.array_equal(mean_slope(Xr, p), (H * (1.0 - H)).mean(axis=0))
