"""The exercise checks of notebooks 01 and 02: placeholder, right, typical wrong and garbage answers.

Every check must return a Feedback and never raise, whatever the learner hands it.
The expected values are worked out by hand in the comments.
"""

import warnings

import matplotlib
import numpy as np
import pytest

import course_utils as cu
from course_utils.exercises import dataset, output_layer

matplotlib.use("Agg")


def _raises(*args):
    raise ValueError("boom")


def _todo(z):
    raise NotImplementedError


def _sigmoid_prime(z):
    s = cu.sigmoid(z)
    return s * (1 - s)


class FromData:
    """An answer worked out from the course data ``(X, Y, EPS)`` when the test runs, not when it is collected."""

    def __init__(self, text, compute):
        self.text, self.compute = text, compute

    def __repr__(self):
        return self.text


def answer_id(value):
    """A FromData answer's test id is its formula; anything else keeps pytest's own id."""
    return repr(value) if isinstance(value, FromData) else None


def worked_out(answer, data):
    """``answer`` itself, or for a FromData answer, its value on ``data``."""
    return answer.compute(*data) if isinstance(answer, FromData) else answer


@pytest.fixture(scope="module")
def data(course_data):
    """``(X, Y, EPS)``: the course data and its noise ε, (10000,)."""
    X, Y = course_data
    return X, Y, Y[:, 0] - cu.target_function(X[:, 0], X[:, 1])


# Every value-answer check: (check, right answer).
RIGHT = [
    (dataset.check_noise_floor, FromData("mean(EPS**2)", lambda X, Y, EPS: float(np.mean(EPS**2)))),  # about 1.0011
    (dataset.check_doubled_noise, 4.0),                              # (2ε)² = 4ε², about 4.0044
    (dataset.check_surface_minimum, (-2.5, 5.0)),                    # (x1 + x2/2)² - x2²/4 + e^{sin x2}
    (output_layer.check_forward_by_hand, 2 / (1 + np.exp(-3.0))),         # 2σ(3) = 2 · 0.952574 = 1.905148
    (output_layer.check_saturation_point, np.log(0.98990 / 0.01010)),     # s = (1 + √0.96)/2 = 0.98990, z ≈ 4.585
    (output_layer.check_sigmoid_prime, _sigmoid_prime),
]
CHECKS = [check for check, _ in RIGHT]
GARBAGE = ["1.0", "abc", np.zeros((3, 4)), _raises, {"answer": 1}, float("nan"), object()]


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("placeholder", [None, ...])
def test_placeholder_is_not_attempted(check, placeholder):
    feedback = check(placeholder)
    assert feedback.status == "not attempted"
    assert "not attempted yet" in str(feedback)


def test_function_raising_not_implemented_is_not_attempted():
    assert output_layer.check_sigmoid_prime(_todo).status == "not attempted"


@pytest.mark.parametrize("check, answer", RIGHT, ids=answer_id)
def test_right_answer_is_correct(check, answer, data):
    feedback = check(worked_out(answer, data))
    assert feedback.status == "correct", str(feedback)
    assert feedback.ok and str(feedback).startswith("[ok]")


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("garbage", GARBAGE, ids=["numeric-string", "string", "wrong-shape", "raising-function",
                                                  "dict", "nan", "object"])
def test_garbage_is_incorrect_and_never_raises(check, garbage):
    with warnings.catch_warnings():
        warnings.simplefilter("error")                 # no warning may escape to the learner either
        feedback = check(garbage)
    assert feedback.status == "incorrect", str(feedback)


@pytest.mark.parametrize("answer, hint", [
    (FromData("mean(EPS)", lambda X, Y, EPS: float(np.mean(EPS))), "mean of ε, not the mean of its square"),
    (FromData("sqrt(mean(EPS**2))", lambda X, Y, EPS: float(np.sqrt(np.mean(EPS**2)))), "do not take the square root"),
    # mean(ε²) - mean(ε)² = 1.0011 - 0.0001
    (FromData("var(EPS)", lambda X, Y, EPS: float(np.var(EPS))), "its variance"),
    # the spread of y around its mean, about 125
    (FromData("var(Y)", lambda X, Y, EPS: float(np.var(Y))), "subtract the noise-free"),
    (3.0, "mean of eps**2"),
], ids=answer_id)
def test_noise_floor_hints(answer, hint, data):
    feedback = dataset.check_noise_floor(worked_out(answer, data))
    assert feedback.status == "incorrect" and hint in feedback.message


def test_noise_floor_right_answer_is_the_package_value():
    assert dataset.check_noise_floor(cu.noise_floor()).ok
    assert not dataset.check_noise_floor(round(cu.noise_floor(), 2)).ok   # 1.00 is 0.1 % off: too coarse


@pytest.mark.parametrize("answer, hint", [
    (2.0, "what happens to a square"),      # doubled the floor instead of squaring the factor
    (1.0, "does change with noise_std"),
    (8.0, "multiplied by 2"),
])
def test_doubled_noise_hints(answer, hint):
    feedback = dataset.check_doubled_noise(answer)
    assert feedback.status == "incorrect" and hint in feedback.message


def test_doubled_noise_accepts_the_exact_value():
    assert dataset.check_doubled_noise(cu.noise_floor(noise_std=2.0)).ok


@pytest.mark.parametrize("answer, hint", [
    ((5.0, -2.5), "swapped"),
    ((2.5, -5.0), "only a local one"),                       # f = -6.25 + e^{sin(-5)} = -3.64
    (FromData("X[argmin(Y)]", lambda X, Y, EPS: tuple(X[np.argmin(Y)])), "noisy y is smallest"),
    ((0.0, 0.0), "goes lower"),                              # f(0, 0) = e^0 = 1
    ((-2.5, 6.0), "outside the square"),
], ids=answer_id)
def test_surface_minimum_hints(answer, hint, data):
    feedback = dataset.check_surface_minimum(worked_out(answer, data))
    assert feedback.status == "incorrect" and hint in feedback.message


def test_surface_minimum_accepts_a_grid_point_near_the_minimum():
    g = np.linspace(-5, 5, 100)                              # no grid point at exactly -2.5
    G1, G2 = np.meshgrid(g, g)
    i = np.unravel_index(np.argmin(cu.target_function(G1, G2)), G1.shape)
    assert dataset.check_surface_minimum((G1[i], G2[i])).ok
    assert dataset.check_surface_minimum(np.array([-2.5, 5.0])).ok


@pytest.mark.parametrize("answer, hint", [
    (0.8705, "squashed the output with a sigmoid"),          # σ(1.9051) = 0.8705
    (6.0, "skipped the hidden sigmoid"),                     # 3 + 3
    (0.9526, "one hidden unit"),                             # σ(3)
    (3.0, "3 is z"),
    (1.5, "follow z = x @ W1 + b1"),
])
def test_forward_by_hand_hints(answer, hint):
    feedback = output_layer.check_forward_by_hand(answer)
    assert feedback.status == "incorrect" and hint in feedback.message


def test_forward_by_hand_agrees_with_the_package():
    y_hat = cu.forward(np.array([[1.0, 2.0]]), cu.init_params(2), output="linear")
    assert output_layer.check_forward_by_hand(y_hat[0, 0]).ok
    assert output_layer.check_forward_by_hand(1.9051).ok          # rounded to 4 decimals still counts


@pytest.mark.parametrize("fn, hint", [
    (cu.sigmoid, "that is σ(z) itself"),
    (lambda z: z * (1 - z), "applied s·(1 − s) to z itself"),
    (lambda z: cu.sigmoid(z) * (1 + cu.sigmoid(z)), "should be σ(0)(1 − σ(0)) = 0.25"),
    (lambda z: None, "forget the `return`"),
    (lambda z: "0.25", "must return numbers, it returned the text '0.25'"),
    (lambda z: _sigmoid_prime(z).ravel(), "must have the shape of z"),
    (lambda z: np.full_like(z, np.nan), "NaN or inf (41 of 41 entries"),
    (_raises, "raised ValueError: boom"),
])
def test_sigmoid_prime_hints(fn, hint):
    feedback = output_layer.check_sigmoid_prime(fn)
    assert feedback.status == "incorrect" and hint in feedback.message, str(feedback)


def test_sigmoid_prime_keeps_learner_warnings_quiet():
    def noisy(z):                                            # log of a negative number warns in numpy
        return np.log(-np.abs(z) - 1) * 0 + _sigmoid_prime(z)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        feedback = output_layer.check_sigmoid_prime(noisy)
    assert feedback.status == "incorrect" and "NaN" in feedback.message


def test_sigmoid_prime_does_not_let_the_learner_change_its_inputs():
    def in_place(z):
        z *= 0                                               # mutates the array it was given
        return _sigmoid_prime(z)
    assert not output_layer.check_sigmoid_prime(in_place).ok


@pytest.mark.parametrize("answer, hint", [
    (-4.5849, "symmetric"),
    (np.log(99.0), "solved σ(z) = 0.99"),                    # σ(z) = 0.99 at z = ln 99 = 4.595
    (2.0, "still above 0.01"),                               # σ'(2) = 0.105
    (10.0, "already below 0.01"),                            # σ'(10) = 4.5e-5
])
def test_saturation_point_hints(answer, hint):
    feedback = output_layer.check_saturation_point(answer)
    assert feedback.status == "incorrect" and hint in feedback.message


def test_saturation_point_is_where_the_slope_is_one_hundredth():
    z = 4.5849
    s = cu.sigmoid(z)
    assert abs(s * (1 - s) - 0.01) < 1e-5
    assert output_layer.check_saturation_point(z).ok


def test_plotting_helpers_draw_what_they_are_given(course_data):
    X, Y = course_data
    fig, axes = cu.plotting.new_figure(1, 3)
    points = cu.plotting.plot_data_scatter(axes[0], X[:100], Y[:100])
    assert points.get_offsets().shape == (100, 2)
    cu.plotting.plot_target_histogram(axes[1], Y, band=(0, 1))
    assert [t.get_text() for t in axes[1].get_legend().get_texts()] == ["mean 9.532", "(0, 1)"]
    cu.plotting.plot_predictions(axes[2], Y, np.zeros_like(Y), band=(0, 1))
    assert axes[2].get_xlabel() == "target $y$"
