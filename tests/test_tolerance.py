"""The tolerance policy of the exercise checks (``exercises/feedback.py``), one table row per answer.

For every numeric exercise: the right value at full precision, rounded the way the
notebook prints it or a learner would write it (right), too short to tell (asks for
more digits), and wrong, including the near misses just outside the policy.
The right values are worked out by hand in the comments.
"""

import warnings

import numpy as np
import pytest

import course_utils as cu
from course_utils.exercises import backprop, dataset, output_layer, regularisation, width
from course_utils.exercises.feedback import RIGHT, ROUGH, WRONG, judge

S = (1 + np.sqrt(0.96)) / 2                                                      # σ(z) where σ' = 0.01
Z_FLAT = float(np.log(S / (1 - S)))                                              # 4.58486...


class Floor:
    """``factor`` times the noise floor mean(ε²) of the course data, 1.00111..., worked out when the test runs."""

    def __init__(self, factor=1.0):
        self.factor = factor

    def __repr__(self):
        return "FLOOR" if self.factor == 1.0 else f"FLOOR*{self.factor!r}"


FLOOR = Floor()


@pytest.fixture(scope="module")
def floor(course_data):
    """mean(ε²) of the course data, ε = y minus the noise-free surface: 1.00111..., printed 1.0011."""
    X, Y = course_data
    return float(np.mean((Y[:, 0] - cu.target_function(X[:, 0], X[:, 1])) ** 2))


# (check, answer, expected status, a word the message must contain)
TABLE = [
    # 01 ex 1, the noise floor 1.00111 (the notebook prints 1.0011; five significant figures at most)
    (dataset.check_noise_floor, FLOOR, "correct", "1.0011"),
    (dataset.check_noise_floor, 1.0011, "correct", "1.0011"),
    (dataset.check_noise_floor, 1.001, "correct", "1.0011"),
    (dataset.check_noise_floor, 1.0, "incorrect", "significant figures"),          # agrees, but too short
    (dataset.check_noise_floor, 1.0012, "incorrect", "mean of eps**2"),           # 1.00111 rounds to 1.0011
    (dataset.check_noise_floor, 1.002, "incorrect", "mean of eps**2"),            # 1.00111 rounds to 1.001
    (dataset.check_noise_floor, Floor(1 + 1e-4), "incorrect", ""),               # 1.00121: off in the fifth figure
    # 01 ex 2, the doubled floor 4 * 1.00111 = 4.00444; a prediction needs one significant figure
    (dataset.check_doubled_noise, 4.0044, "correct", "4.0044"),
    (dataset.check_doubled_noise, 4, "correct", "fourfold"),
    (dataset.check_doubled_noise, 4.004, "correct", "fourfold"),
    (dataset.check_doubled_noise, 4.01, "incorrect", "multiplied by 2"),          # 4.00444 rounds to 4.00
    (dataset.check_doubled_noise, 4.1, "incorrect", "multiplied by 2"),
    (dataset.check_doubled_noise, 2, "incorrect", "square"),
    # 01 ex 3, the lowest point (-2.5, 5): f = -5.8667; right when f there rounds to -5.87
    (dataset.check_surface_minimum, (-2.5, 5.0), "correct", "-5.867"),
    (dataset.check_surface_minimum, (-2.5, 5), "correct", "-5.867"),
    (dataset.check_surface_minimum, (-2.4747, 5.0), "correct", "-5.867"),      # a 100-point grid: f = -5.8661
    (dataset.check_surface_minimum, (-2.5, 4.99), "incorrect", "goes lower"),   # f = -5.8428
    (dataset.check_surface_minimum, (-2.4, 5.0), "incorrect", "goes lower"),    # f = -5.8567
    # 02 ex 1, 2σ(3) = 1.90515 (printed 1.9051); three significant figures
    (output_layer.check_forward_by_hand, float(2 / (1 + np.exp(-3.0))), "correct", "1.9051"),
    (output_layer.check_forward_by_hand, 1.9051, "correct", "1.9051"),
    (output_layer.check_forward_by_hand, 1.91, "correct", "1.9051"),
    (output_layer.check_forward_by_hand, 1.905, "correct", "1.9051"),
    (output_layer.check_forward_by_hand, 1.9, "incorrect", "significant figures"),
    (output_layer.check_forward_by_hand, 1.90, "incorrect", "significant figures"),    # a float cannot keep the 0
    (output_layer.check_forward_by_hand, 1.92, "incorrect", "follow z"),
    (output_layer.check_forward_by_hand, 1.8991, "incorrect", "follow z"),             # 0.006 off: the third figure
    # 02 ex 3, z = 4.58486 (printed 4.5849); one decimal asked for, so two significant figures suffice
    (output_layer.check_saturation_point, Z_FLAT, "correct", "4.5849"),
    (output_layer.check_saturation_point, 4.5849, "correct", "4.5849"),
    (output_layer.check_saturation_point, 4.6, "correct", "4.5849"),
    (output_layer.check_saturation_point, 4.58, "correct", "4.5849"),
    (output_layer.check_saturation_point, 4.585, "correct", "4.5849"),
    (output_layer.check_saturation_point, float(np.log(0.98990 / 0.01010)), "correct", "4.5849"),   # s rounded: 4.58507
    (output_layer.check_saturation_point, 5, "incorrect", "significant figures"),     # one figure: ask for more
    (output_layer.check_saturation_point, 4.5, "incorrect", "still above"),
    (output_layer.check_saturation_point, 4.59, "incorrect", "already below"),         # 4.5849 rounds to 4.58
    (output_layer.check_saturation_point, 4.595, "incorrect", "σ(z) = 0.99"),          # log 99 = 4.59512
    (output_layer.check_saturation_point, float(np.log(99)), "incorrect", "σ(z) = 0.99"),
    (output_layer.check_saturation_point, -4.58, "incorrect", "positive z"),
    # 03 ex 2, db2 = 2/3 * (1 - 1 - 2) = -4/3 = -1.3333; three significant figures
    (backprop.check_db2, -4 / 3, "correct", "-1.3333"),
    (backprop.check_db2, -1.3333, "correct", "-1.3333"),
    (backprop.check_db2, -1.33, "correct", "-1.3333"),
    (backprop.check_db2, -1.333, "correct", "-1.3333"),
    (backprop.check_db2, -1.3, "incorrect", "significant figures"),
    (backprop.check_db2, -1.34, "incorrect", "residuals"),
    (backprop.check_db2, -1.32, "incorrect", "residuals"),
    (backprop.check_db2, 1.33, "incorrect", "wrong sign"),
    # 03 ex 3, a choice from the list: exact
    (backprop.check_best_lr, 0.03, "correct", "0.03"),
    (backprop.check_best_lr, 0.030, "correct", "0.03"),
    (backprop.check_best_lr, 3e-2, "correct", "0.03"),
    (backprop.check_best_lr, 0.031, "incorrect", "pick one"),
    (backprop.check_best_lr, 0.0300001, "incorrect", "pick one"),
    (backprop.check_best_lr, 1, "incorrect", "worse"),                             # typed 1 is the listed 1.0
    # 04 ex 1 and the follow-up of ex 2: whole numbers, exact
    (width.check_distinct_units, 1, "correct", "identical"),
    (width.check_distinct_units, 1.0, "incorrect", "whole number"),
    (width.check_distinct_units, 2, "incorrect", "columns"),
    (width.check_free_params, 5, "correct", "width-1"),
    (width.check_free_params, np.int64(5), "correct", "width-1"),
    (width.check_free_params, 65, "incorrect", "identical copies"),
    (width.check_free_params, 4, "incorrect", "b2"),
    (width.check_free_params, 1, "incorrect", "count numbers"),
    (width.check_free_params, 5.0, "incorrect", "whole number"),
    # 06 ex 1, (bias², variance) = (6/5, 3.5/5) = (1.2, 0.7), exact: two significant figures suffice
    (regularisation.check_bias_variance, (1.2, 0.7), "correct", "1.9"),
    (regularisation.check_bias_variance, (1.2000, 0.7000), "correct", "1.9"),
    (regularisation.check_bias_variance, (1.2, 0.7004), "correct", "1.9"),        # 3 figures compared: 0.700
    (regularisation.check_bias_variance, (1, 0.7), "incorrect", "significant figures"),
    (regularisation.check_bias_variance, (1.2, 0.69), "incorrect", "variance 0.69 is not it"),
    (regularisation.check_bias_variance, (1.2, 0.6994), "incorrect", "variance 0.6994 is not it"),
    (regularisation.check_bias_variance, (1.2, 0.9333), "incorrect", "ddof=1"),   # 4 * 0.7 / 3
    # 06 ex 2, buf = 0.9 * (-1) + 3 = 2.1 and w = 1 - 0.2 * 2.1 = 0.58, exact
    (regularisation.check_momentum_step, (0.58, 2.1), "correct", "0.42"),
    (regularisation.check_momentum_step, (0.580, 2.10), "correct", "0.42"),
    (regularisation.check_momentum_step, (0.6, 2.1), "incorrect", "significant figures"),
    (regularisation.check_momentum_step, (0.59, 2.1), "incorrect", "your buffer is right"),
    (regularisation.check_momentum_step, (1.12, -0.6), "incorrect", "damped"),    # buf = -0.9 + 0.1 * 3
    # 06 ex 3, a choice from the list: exact
    (regularisation.check_best_lambda, 0.003, "correct", "0.003"),
    (regularisation.check_best_lambda, 3e-3, "correct", "0.003"),
    (regularisation.check_best_lambda, 0.0031, "incorrect", "pick one"),
    (regularisation.check_best_lambda, 0.0, "incorrect", "training MSE"),
]


@pytest.mark.parametrize("check, answer, status, word", TABLE,
                         ids=[f"{c.__name__}-{a!r:.20}" for c, a, _, _ in TABLE])
def test_tolerance_table(check, answer, status, word, floor):
    if isinstance(answer, Floor):
        answer = answer.factor * floor
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        feedback = check(answer)
    assert feedback.status == status, str(feedback)
    assert word in feedback.message, str(feedback)


def test_every_numeric_exercise_has_right_rounded_and_wrong_rows():
    by_check = {}
    for check, _, status, _ in TABLE:
        by_check.setdefault(check, set()).add(status)
    numeric = [dataset.check_noise_floor, dataset.check_doubled_noise, dataset.check_surface_minimum,
               output_layer.check_forward_by_hand, output_layer.check_saturation_point, backprop.check_db2,
               backprop.check_best_lr, width.check_distinct_units, width.check_free_params,
               regularisation.check_bias_variance, regularisation.check_momentum_step,
               regularisation.check_best_lambda]
    for check in numeric:
        assert by_check[check] == {"correct", "incorrect"}, check.__name__
        assert sum(1 for c, *_ in TABLE if c is check) >= 3, check.__name__


@pytest.mark.parametrize("value, right, figures, min_figures, verdict", [
    (1.0011, 1.00111, 5, 3, RIGHT),       # agrees to its 4 decimals
    (1.001, 1.00111, 5, 3, RIGHT),        # agrees to its 3 decimals: |1.001 - 1.00111| = 0.00011 <= 0.0005
    (1.0, 1.00111, 5, 3, ROUGH),          # agrees, 2 figures < 3
    (1.00102, 1.00111, 5, 3, WRONG),      # 5 figures: |diff| = 0.00009 > 0.000005
    (1.0010197, 1.00111, 5, 3, WRONG),    # compared to at most 5 figures: 0.00009 > 0.000005
    (-1.33, -4 / 3, 3, 3, RIGHT),         # 0.00333 <= 0.005
    (-1.3377, -4 / 3, 3, 3, RIGHT),       # hand work, compared to 3 figures only: 0.0044 <= 0.005
    (-1.3384, -4 / 3, 3, 3, WRONG),       # 0.0051 > 0.005
    (4.6, 4.58486, 3, 2, RIGHT),          # 0.015 <= 0.05, two figures asked for
    (4.6, 4.58486, 3, 3, ROUGH),
    (4.59, 4.58486, 3, 2, WRONG),         # 0.0051 > 0.005
    (4.0, 4.00444, 3, 1, RIGHT),
    (0.004, 0.0041, 3, 1, RIGHT),         # magnitude from the right value: 1 figure, within 0.0005
    (65, 65, 3, 3, RIGHT),                # exact
])
def test_judge(value, right, figures, min_figures, verdict):
    assert judge(value, right, figures, min_figures) == verdict


def test_answers_typed_as_the_notebooks_show_them():
    # Right answers typed as the notebook shows them are accepted.
    assert dataset.check_noise_floor(1.0011).ok and dataset.check_noise_floor(1.001).ok
    assert backprop.check_db2(-1.33).ok
    sat = output_layer.check_saturation_point(4.6)
    assert sat.ok and "0.99" not in sat.message
