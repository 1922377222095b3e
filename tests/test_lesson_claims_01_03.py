"""The claims notebooks 01 to 03 make about numbers, kept true with the package's own functions.

Each test states the sentence it guards. The notebooks print these numbers too (and nbval keeps
prose and printout in step); these tests fail if a change to the package makes the claim itself false.
"""

import numpy as np
import pytest

import course_utils as cu


@pytest.fixture(scope="module")
def data():
    return cu.make_dataset()


def _mean_slope(X, params):
    H = cu.sigmoid(X @ params["W1"] + params["b1"])
    return float(np.mean(H * (1 - H)))


# ----- notebook 01, section 4: the valley floor -----

def test_the_valley_floor_peaks_near_x2_1_32_and_falls_towards_both_edges():
    # "The floor is highest not at x2 = 0 but at x2 = 1.32 ... it falls all the way from there to either edge",
    # so it does not sink steadily as |x2| grows.
    x2 = np.linspace(-5, 5, 2001)
    floor = cu.target_function(-x2 / 2, x2)
    top = int(np.argmax(floor))
    assert abs(x2[top] - 1.32) < 0.0051
    assert np.all(np.diff(floor[:top + 1]) > 0) and np.all(np.diff(floor[top:]) < 0)
    # Between x2 = 0 and the top the floor climbs while |x2| grows.
    assert floor[top] > cu.target_function(0.0, 0.0) + 1


# ----- notebook 02, section 6: a sigmoid output on squeezed targets -----

def test_squeezed_targets_let_a_sigmoid_output_fit_about_as_well_as_a_linear_one(data):
    # Ten random starts, standardised inputs, 2000 full-batch epochs on the first 500 samples, MSE on the other
    # 9500 in original units; each output at the rate the notebook found best (sigmoid 10 on targets squeezed into
    # [0.05, 0.95], linear 0.3 on standardised targets). Medians within 10% of each other, both near 5.
    X, y = data
    lo, hi = y.min(), y.max()
    Xs = (X - X.mean(axis=0)) / X.std(axis=0)
    starts = [cu.init_params(2, "random", seed=seed) for seed in range(10)]
    medians = {}
    for output, y_out, to_original, lr in (
            ("sigmoid", 0.05 + 0.9 * (y - lo) / (hi - lo), ((hi - lo) / 0.9) ** 2, 10.0),
            ("linear", (y - y.mean()) / y.std(), y.var(), 0.3)):
        runs = cu.train_many(Xs[:500], y_out[:500], starts, lr=lr, epochs=2000, output=output)
        assert not any(run.diverged for run in runs)
        medians[output] = np.median([cu.mse(y_out[500:], cu.forward(Xs[500:], run.params, output)) * to_original
                                     for run in runs])
    assert max(medians.values()) < 6
    assert abs(medians["sigmoid"] / medians["linear"] - 1) < 0.1
    # ... while on the raw targets no sigmoid output can score below the clip bound of section 4.
    assert cu.mse(y, np.clip(y, 0, 1)) > 30 * max(medians.values())


# ----- notebook 03, section 7: the local limit, the catapult and the output bias -----

def test_the_output_bias_alone_curves_by_exactly_two_so_the_sharpness_never_falls_below_it():
    # "the last diagonal entry of the Hessian is always 2, and lambda_max ... can never fall below it"
    # (a linear output: y_hat = H W2 + b2). Random data, widths and parameters, biases included.
    rng = np.random.default_rng(7)
    for width in (1, 2, 5):
        X = rng.uniform(-5, 5, size=(40, 2))
        y = rng.normal(3.0, 8.0, size=(40, 1))
        params = cu.init_params(width, "random", seed=rng)
        params["b1"] = rng.normal(0.0, 3.0, size=width)
        params["b2"] = rng.normal(0.0, 3.0, size=1)
        hess = cu.hessian(X, y, params)
        assert hess[-1, -1] == pytest.approx(2.0, abs=1e-6)
        assert cu.sharpness(X, y, params) >= 2.0 - 1e-6


def test_above_the_start_limit_runs_finish_and_only_above_lr_1_they_diverge(data):
    # From every weight 1 on the raw data, 2/lambda_max = 0.61 at the start. The first step obeys it (the loss
    # falls at 0.6, rises at 0.7); rates 0.6 to 1.0 finish 1000 epochs, 0.6 to 0.9 near always predicting the
    # mean, 1.0 bouncing above the start; 1.1 and up diverge; 0.5 ends with the small rates, below 90.
    X, y = data
    params = cu.init_params(2)
    assert 2 / cu.sharpness(X, y, params) == pytest.approx(0.61, abs=0.005)
    runs = {lr: cu.train(X, y, params, lr=lr, epochs=1000) for lr in (0.5, 0.6, 0.7, 0.9, 1.0, 1.1)}
    assert runs[0.6].losses[1] < runs[0.6].losses[0] < runs[0.7].losses[1]
    assert not any(runs[lr].diverged for lr in (0.5, 0.6, 0.7, 0.9, 1.0)) and runs[1.1].diverged
    ends = {lr: float(np.mean(run.losses[-100:])) for lr, run in runs.items() if not run.diverged}
    assert ends[0.5] < 90
    assert all(100 < ends[lr] < y.var() + 0.01 for lr in (0.6, 0.7, 0.9))
    assert ends[1.0] > runs[1.0].losses[0]


@pytest.mark.parametrize("lr", [1.001, 1.01])
def test_just_above_lr_1_the_loss_grows_at_every_step_without_overflowing_in_1000_epochs(data, lr):
    # "Neither run overflows within 1000 epochs ... but both losses grow at every step": at lr 1.001 about
    # 190-fold. The growth is the claim; overflowing later or sooner is not.
    X, y = data
    run = cu.train(X, y, cu.init_params(2), lr=lr, epochs=1000)
    assert not run.diverged and len(run.losses) == 1001
    assert np.all(np.diff(run.losses[-500:]) > 0)
    if lr == 1.001:
        assert 150 < run.losses[-1] / run.losses[0] < 250


def test_the_catapult_flattens_the_units_and_the_sharpness_falls_to_that_of_b2(data):
    # lr 0.8: one step raises lambda_max above 2/lr; after the second, the mean sigma' of the hidden units is
    # below 1e-4 and lambda_max is back to 2 (b2 alone), below 2/lr = 2.5; the run then finishes.
    X, y = data
    lr = 0.8
    p1 = cu.train(X, y, cu.init_params(2), lr=lr, epochs=1).params
    p2 = cu.train(X, y, p1, lr=lr, epochs=1).params
    assert cu.sharpness(X, y, p1) > 2 / lr
    assert _mean_slope(X, p2) < 1e-4
    assert cu.sharpness(X, y, p2) == pytest.approx(2.0, abs=0.01)
