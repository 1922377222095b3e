"""The claims notebook 04 makes about numbers, kept true with the package's own functions."""

import numpy as np
import pytest

import course_utils as cu
from course_utils.diagnostics import unit_alignment

UP = np.array([1.0, np.sqrt(2) - 1])                 # notebook 04's up-curving direction
VALLEY_FLOOR = np.array([-0.5, 1.0])                 # notebook 01's valley floor x1 = -x2/2, towards larger x2


def quadratic_part(x1, x2):
    """The target without its ripple: x1 x2 + x1^2."""
    return cu.target_function(x1, x2) - np.exp(np.sin(x2))


def test_the_up_curving_direction_is_where_the_saddle_curves_up():
    # Second differences of the target's quadratic part along a unit vector give its curvature there:
    # 1 + sqrt(2) along UP, 1 - sqrt(2) across it, the two eigenvalues of [[2, 1], [1, 0]].
    h, centre = 0.5, np.array([0.7, -1.3])
    for direction, curvature in ((UP, 1 + np.sqrt(2)), (np.array([-UP[1], UP[0]]), 1 - np.sqrt(2))):
        u = direction / np.linalg.norm(direction)
        f = [quadratic_part(*(centre + t * u)) for t in (-h, 0.0, h)]
        assert (f[0] - 2 * f[1] + f[2]) / h ** 2 == pytest.approx(curvature, abs=1e-9)


def test_the_up_curving_direction_crosses_the_valley_floor_at_about_94_degrees():
    cos = UP @ VALLEY_FLOOR / (np.linalg.norm(UP) * np.linalg.norm(VALLEY_FLOOR))
    assert 93.5 < np.degrees(np.arccos(cos)) < 94.5
    # so the direction is nearly perpendicular to the floor, and the ones-init units start close to it
    params = cu.init_params(2)
    assert unit_alignment(params, UP)[0] == pytest.approx(0.92, abs=0.005)


def test_a_start_scaled_down_by_100_gets_a_far_smaller_first_gradient():
    # Notebook 04, section 3: over seeds 0 to 9 the fan-in start's first dW1 is 33 to 104 times the small start's.
    X, y = cu.make_dataset()
    size = lambda p: np.linalg.norm(cu.backward(X, y, p)["W1"])
    for seed in range(10):
        start = cu.init_params(16, "random", seed=seed)
        small = {k: 0.01 * v for k, v in start.items()}
        assert np.ptp(small["W1"], axis=1).min() > 0                 # the units still differ
        assert size(start) > 30 * size(small)


def _turns(losses):
    steps = np.diff(losses[-40:])
    return int(np.sum(np.sign(steps[1:]) != np.sign(steps[:-1])))


@pytest.mark.slow
def test_width_16_on_raw_data_trains_at_the_edge_of_stability_at_lr_0_03():
    # Notebook 04, section 8: at lr 0.03 the sharpness ends within 10% of 2/lr and the loss zig-zags at every
    # epoch, yet nothing diverges; at lr 0.01 it stays far below 2/lr and the loss never turns.
    X, y = cu.make_dataset()
    starts = [cu.init_params(16, "random", seed=s) for s in (0, 1)]
    for lr, runs in ((0.03, cu.train_many(X, y, starts, lr=0.03, epochs=1000)),
                     (0.01, cu.train_many(X, y, starts[:1], lr=0.01, epochs=1000))):
        for run in runs:
            assert not run.diverged
            edge = lr * cu.sharpness(X, y, run.params) / 2
            if lr == 0.03:
                assert abs(edge - 1) < 0.1 and _turns(run.losses) == 38
            else:
                assert edge < 0.5 and _turns(run.losses) == 0
