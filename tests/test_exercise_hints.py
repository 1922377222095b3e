"""Each hint names the learner's actual mistake, and never contradicts itself.

One test per mistake a learner makes; the words asserted are the ones that tell
that mistake apart from its neighbours, and the words that must NOT appear are the
misleading hints a looser check would give.
"""

import numpy as np
import pytest

import course_utils as cu
from course_utils.exercises import backprop, dataset, width


def _tampered(change, output_used=None):
    def backward(X, y, params, output="linear"):
        grads = cu.backward(X, y, params, output_used or output)
        change(grads)
        return grads
    return backward


def _each(fn):
    def change(grads):
        for key in grads:
            grads[key] = fn(grads[key])
    return change


def test_a_constant_parameter_count_is_called_constant():
    feedback = width.check_param_count(lambda m: 65)
    assert "65 for every width" in feedback.message and "grows with m" in feedback.message
    assert "expected 65" not in feedback.message


def test_the_broadcasting_slip_gets_a_hint_about_shapes(course_data):
    # y (n, 1) - f (n,) is an (n, n) table; its mean square is mean(y²) - 2 mean(y) mean(f) + mean(f²).
    X, Y = course_data
    f = cu.target_function(X[:, 0], X[:, 1])
    table = float(np.mean(Y**2) - 2 * np.mean(Y) * np.mean(f) + np.mean(f**2))
    for answer in (table, round(table, 2)):
        feedback = dataset.check_noise_floor(answer)
        assert "check the shapes" in feedback.message and "(10000, 10000)" in feedback.message
        assert "compute eps" not in feedback.message


def test_a_loop_without_return_is_asked_about_the_return():
    def loop(X, y, params, lr, epochs):
        losses = []
        for _ in range(epochs):
            losses.append(cu.mse(y, cu.forward(X, params)))
    feedback = backprop.check_train_loop(loop)
    assert "forget the `return`" in feedback.message and "expected 5 losses" not in feedback.message


def test_a_backward_that_ignores_the_sigmoid_output_is_told_so():
    report = cu.check_gradients(_tampered(lambda g: None, output_used="linear"), output="sigmoid")
    assert "ignores the sigmoid output" in str(report) and "2/n" not in str(report)

    def forgets_sigma_prime(X, y, params, output="linear"):
        H = cu.sigmoid(X @ params["W1"] + params["b1"])
        y_hat = cu.sigmoid(H @ params["W2"] + params["b2"])
        d_out = 2 / len(X) * (y_hat - y)                      # no y_hat (1 - y_hat)
        dZ1 = (d_out @ params["W2"].T) * H * (1 - H)
        return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": H.T @ d_out, "b2": d_out.sum(axis=0)}
    report = cu.check_gradients(forgets_sigma_prime, output="sigmoid")
    assert "leave out its derivative" in str(report) and "2/n" not in str(report)


def test_sigmoid_gradients_for_a_linear_output_are_named():
    report = cu.check_gradients(_tampered(lambda g: None, output_used="sigmoid"), output="linear")
    assert "sigmoid-output network" in str(report)


def test_all_zero_gradients_are_called_zero():
    report = cu.check_gradients(_tampered(_each(np.zeros_like)))
    assert "Every entry is 0" in str(report) and "-0 times" not in str(report) and "0 times" not in str(report)


def test_gradients_off_by_one_part_in_a_million_are_called_close():
    report = cu.check_gradients(_tampered(_each(lambda g: g * (1 + 1e-6))))
    assert "within a relative 1e-06" in str(report) and "1 times" not in str(report)


def test_a_missing_factor_two_is_named():
    report = cu.check_gradients(_tampered(_each(lambda g: g / 2)))
    assert "0.5 times" in str(report) and "the 2 of the square" in str(report)
    assert str(report).count("values are off") == 1        # the four keys share one line


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_gradients_say_nan_or_inf(bad):
    report = cu.check_gradients(_tampered(lambda g: g.update(W2=g["W2"] * bad)))
    assert "W2" in str(report) and "NaN or inf" in str(report) and "relative error nan" not in str(report)


@pytest.mark.parametrize("placeholder", [None, ...])
def test_check_gradients_of_the_placeholder_is_not_attempted(placeholder):
    report = cu.check_gradients(placeholder)
    assert report.status == "not attempted" and str(report).startswith("[ ]") and "not attempted yet" in str(report)
    assert "TypeError" not in str(report)


def test_the_untouched_backward_has_the_not_attempted_tag():
    def backward(X, y, params, output="linear"):
        raise NotImplementedError("write the backward pass here")
    for output in ("linear", "sigmoid"):
        text = str(cu.check_gradients(backward, output=output))
        assert text.startswith("[ ] Gradient check") and "not attempted yet" in text and "not written yet" in text


def test_a_nan_answer_is_called_not_finite():
    for nan in (np.nan, np.float64("nan"), np.array([np.nan])):
        message = dataset.check_noise_floor(nan).message
        assert "finite" in message and "got nan" in message and "got float" not in message


def _first_close(strict=False, use_factor=True, use_floor=True):
    def first_width_within(losses_by_width, floor, factor=2.0):
        threshold = (factor if use_factor else 2.0) * (floor if use_floor else 1.0)
        close = [m for m, losses in losses_by_width.items()
                 if (losses[-1] < threshold if strict else losses[-1] <= threshold)]
        return min(close) if close else None
    return first_width_within


def test_a_width_function_ignoring_factor_is_told_so():
    feedback = width.check_first_width_within(_first_close(use_factor=False))
    assert "ignore `factor`" in feedback.message and "widest" not in feedback.message


def test_a_width_function_ignoring_floor_is_told_so():
    feedback = width.check_first_width_within(_first_close(use_floor=False))
    assert "ignore `floor`" in feedback.message


def test_strictly_below_is_not_at_most():
    # The boundary sweep: width 4 ends at exactly factor * floor = 2 * 2 = 4.0, so "at most" includes it.
    assert any(v[-1] == factor * floor for sweep, floor, factor, _ in width._SWEEP_CASES for v in sweep.values())
    feedback = width.check_first_width_within(_first_close(strict=True))
    assert feedback.status == "incorrect" and "use <=, not <" in feedback.message
    assert width.check_first_width_within(_first_close()).ok
