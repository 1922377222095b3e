"""Exercise checks of notebooks 03 (backprop) and 04 (width).

For every check: the shipped placeholder says "not attempted", a right answer is
confirmed, a typical slip gets a hint that names it, garbage is marked incorrect,
and nothing ever raises.
"""

import inspect

import numpy as np
import pytest

import course_utils as cu
from course_utils.exercises import backprop, gradient_slips, gradients, width


def placeholder(*args, **kwargs):
    raise NotImplementedError("write this")


def crashes(*args, **kwargs):
    raise ZeroDivisionError("oops")


GARBAGE = ["twelve", [1, 2, 3], {"a": 1}, object(), float("nan"), True, np.zeros((2, 2))]


def assert_feedback(fb, status, *words):
    assert isinstance(fb, cu.exercises.Feedback)
    assert fb.status == status, str(fb)
    text = str(fb).lower()
    for word in words:
        assert word.lower() in text, f"{word!r} not in {fb}"


# ----- notebook 03, exercise 1: backward, graded by cu.check_gradients -----

def good_backward(X, y, params, output="linear"):
    return cu.backward(X, y, params, output=output)


def test_backward_placeholder_is_not_written():
    for output in ("linear", "sigmoid"):
        report = cu.check_gradients(placeholder, output=output)
        assert not report.ok and "not written yet" in str(report)


def test_backward_right_passes_both_outputs():
    for output in ("linear", "sigmoid"):
        assert cu.check_gradients(good_backward, output=output).ok


def test_the_gradient_report_is_shown_like_every_check():
    # A Feedback like the others: [ ] not attempted, [ok] correct, [x] incorrect, then the exercise's name.
    shown = {"correct": cu.check_gradients(good_backward, output="sigmoid"),
             "not attempted": cu.check_gradients(placeholder),
             "incorrect": cu.check_gradients(crashes)}
    for status, report in shown.items():
        assert isinstance(report, cu.exercises.Feedback) and report.status == status
    assert str(shown["correct"]).startswith("[ok] Gradient check, sigmoid output: all four gradients match")
    assert str(shown["not attempted"]).startswith("[ ] Gradient check, linear output: not attempted yet")
    assert str(shown["incorrect"]).startswith("[x] Gradient check, linear output: 1 problem(s)\n  - backward raised")


def test_the_forgotten_output_derivative_differs_by_exactly_that_factor():
    X, y, params = gradients.small_problem(7, seed=0)
    slip = gradient_slips.without_output_derivative(X, y, params)
    y_hat = cu.forward(X, params, "sigmoid")
    d_out = 2.0 / len(X) * (y_hat - y)
    # db2 = sum of d_out without the factor y_hat (1 - y_hat), and with it for the right backward.
    assert np.isclose(slip["b2"][0], d_out.sum(), rtol=1e-12, atol=0)
    assert np.isclose(cu.backward(X, y, params, "sigmoid")["b2"][0], (d_out * y_hat * (1 - y_hat)).sum(), rtol=1e-12)
    # The sigmoid is the network's: the gradient check keeps no second copy of it.
    assert not any("exp(" in inspect.getsource(m) for m in (gradients, gradient_slips, cu.gradcheck))


def test_backward_missing_two_over_n_is_named():
    def no_two(X, y, params, output="linear"):
        return {k: g / 2 for k, g in cu.backward(X, y, params, output=output).items()}
    report = cu.check_gradients(no_two)
    assert not report.ok and "0.5 times the right value" in str(report)


def test_backward_garbage_is_reported_not_raised():
    for fn in (crashes, lambda X, y, params, output="linear": "grads", lambda X, y, params, output="linear": {}):
        report = cu.check_gradients(fn)
        assert not report.ok and str(report)


# ----- notebook 03, exercise 2: db2 by hand -----

def test_db2():
    # y_hat - y = (2-1, 0-1, 1-3) = (1, -1, -2), sum -2; db2 = 2/3 * -2 = -4/3.
    assert_feedback(backprop.check_db2(None), "not attempted")
    assert_feedback(backprop.check_db2(-4 / 3), "correct", "-1.3333")
    assert_feedback(backprop.check_db2(-1.3333), "correct")
    assert_feedback(backprop.check_db2(np.array([-4 / 3])), "correct")
    assert_feedback(backprop.check_db2(4 / 3), "incorrect", "sign")
    assert_feedback(backprop.check_db2(-2 / 3), "incorrect", "factor 2")
    assert_feedback(backprop.check_db2(-2.0), "incorrect", "2/n")
    assert_feedback(backprop.check_db2(-4.0), "incorrect", "n = 3")
    assert_feedback(backprop.check_db2(7.0), "incorrect", "residuals")
    for junk in GARBAGE:
        assert_feedback(backprop.check_db2(junk), "incorrect")


# ----- notebook 03, exercise 3: the learning rate that ends lowest -----

def test_best_lr():
    # Ones-init width 2, 1000 epochs, mean of the last 100 losses: 0.003 is still falling (about 95),
    # 0.03 ends lowest (about 81), 0.3 bounces a little higher (about 86), 0.8 catapults to near the
    # mean predictor (about 114), 1.0 ends at about 801 (worse than the start 198.66), 1.2 diverges.
    assert_feedback(backprop.check_best_lr(None), "not attempted")
    assert_feedback(backprop.check_best_lr(0.03), "correct", "ends lowest")
    assert_feedback(backprop.check_best_lr(0.003), "incorrect", "on its way down", "larger rate")
    assert_feedback(backprop.check_best_lr(0.3), "incorrect", "smaller rate")
    assert_feedback(backprop.check_best_lr(0.8), "incorrect", "first rose", "always predicting the mean", "catapult")
    assert_feedback(backprop.check_best_lr(1.0), "incorrect", "finishing is not learning", "worse")
    assert_feedback(backprop.check_best_lr(1.2), "incorrect", "diverges")
    assert_feedback(backprop.check_best_lr(0.05), "incorrect", "pick one")
    for junk in GARBAGE:
        assert_feedback(backprop.check_best_lr(junk), "incorrect")


def test_lr_outcomes_match_train():
    # The check's verdicts come from cu.train itself, not from stored numbers.
    X, y = cu.make_dataset()
    for lr, (diverged, run, first, peak, end) in backprop._lr_outcomes().items():
        result = cu.train(X, y, cu.init_params(2), lr=lr, epochs=1000)
        assert (diverged, run) == (result.diverged, len(result.losses))
        assert first == result.losses[0] and peak == result.losses.max()
        assert end == result.losses[-backprop.LR_TAIL:].mean()


def test_best_lr_is_the_same_by_the_final_loss():
    # A learner who judges each run by its final loss instead of the mean of its last 100 picks the same rate.
    outcomes = backprop._lr_outcomes()
    X, y = cu.make_dataset()
    finals = {lr: cu.train(X, y, cu.init_params(2), lr=lr, epochs=1000).final_loss
              for lr, outcome in outcomes.items() if not outcome[0]}
    by_tail = min((lr for lr in outcomes if not outcomes[lr][0]), key=lambda lr: outcomes[lr][4])
    assert min(finals, key=finals.get) == by_tail


# ----- notebook 03, exercise 4: a training loop -----

def good_loop(X, y, params, lr, epochs):
    params = {k: v.copy() for k, v in params.items()}
    losses = []
    for _ in range(epochs):
        losses.append(cu.mse(y, cu.forward(X, params)))
        grads = cu.backward(X, y, params)
        params = {k: params[k] - lr * grads[k] for k in params}
    return losses


def late_loop(X, y, params, lr, epochs):
    return good_loop(X, y, params, lr, epochs + 1)[1:]


def uphill_loop(X, y, params, lr, epochs):
    losses = []
    for _ in range(epochs):
        losses.append(cu.mse(y, cu.forward(X, params)))
        grads = cu.backward(X, y, params)
        params = {k: params[k] + lr * grads[k] for k in params}
    return losses


def mutating_loop(X, y, params, lr, epochs):
    losses = []
    for _ in range(epochs):
        losses.append(cu.mse(y, cu.forward(X, params)))
        grads = cu.backward(X, y, params)
        for k in params:
            params[k] -= lr * grads[k]
    return losses


def test_train_loop():
    check = backprop.check_train_loop
    assert_feedback(check(None), "not attempted")
    assert_feedback(check(placeholder), "not attempted")
    assert_feedback(check(good_loop), "correct")
    assert_feedback(check(late_loop), "incorrect", "before the update")
    assert_feedback(check(uphill_loop), "incorrect", "subtract")
    assert_feedback(check(mutating_loop), "incorrect", "changed the params")
    assert_feedback(check(lambda X, y, p, lr, e: [cu.mse(y, cu.forward(X, p))] * e), "incorrect", "never changes")
    assert_feedback(check(lambda X, y, p, lr, e: good_loop(X, y, p, lr, e)[:-1]), "incorrect", "expected 5 losses")
    assert_feedback(check(crashes), "incorrect", "ZeroDivisionError")
    for junk in GARBAGE + [lambda *a: "abc", lambda *a: None, lambda *a: [object()] * 5]:
        assert_feedback(check(junk), "incorrect")


# ----- notebook 04, exercise 1: distinct hidden units -----

def test_distinct_units():
    check = width.check_distinct_units
    assert_feedback(check(None), "not attempted")
    assert_feedback(check(1), "correct")
    assert_feedback(check(np.int64(1)), "correct")
    assert_feedback(check(16), "incorrect", "identical")
    assert_feedback(check(2), "incorrect", "columns")
    for junk in GARBAGE + [1.0]:
        assert_feedback(check(junk), "incorrect")


def test_whole_number_checks_tell_complex_numbers_by_type_not_by_wording():
    # A complex answer gets the hint that complex numbers are not answers; anything else that is not a whole
    # number asks for one, even text, a dict or a function whose description holds the word "complex".
    for check in (width.check_distinct_units, width.check_free_params):
        assert_feedback(check(1 + 0j), "incorrect", "complex numbers are not answers")
        assert_feedback(check(np.array([5 + 0j])), "incorrect", "complex numbers are not answers")
        for other in ("complex", {"complex": 1}, complex):
            assert_feedback(check(other), "incorrect", "expected a whole number")


def test_distinct_units_answer_is_what_training_gives():
    X, y = cu.make_dataset()
    W1 = cu.train(X, y, cu.init_params(16), lr=0.01, epochs=200).params["W1"]
    assert len(np.unique(W1.round(8), axis=1).T) == 1


# ----- notebook 04, exercise 2: parameter count -----

def test_param_count():
    check = width.check_param_count
    assert_feedback(check(None), "not attempted")
    assert_feedback(check(placeholder), "not attempted")
    assert_feedback(check(lambda m: 4 * m + 1), "correct", "65")
    assert_feedback(check(lambda m: 4 * m), "incorrect", "b2")
    assert_feedback(check(lambda m: 3 * m), "incorrect", "both biases")
    assert_feedback(check(lambda m: 3 * m + 1), "incorrect", "m numbers")
    assert_feedback(check(lambda m: 2 * m + 5), "incorrect", "n_params(1) gave 7, expected 5")
    assert_feedback(check(crashes), "incorrect", "ZeroDivisionError")
    for junk in GARBAGE + [65, lambda m: "65", lambda m: 4.0 * m + 1]:
        assert_feedback(check(junk), "incorrect")


def test_param_count_matches_init_params():
    for m in (1, 2, 16):
        assert sum(v.size for v in cu.init_params(m).values()) == 4 * m + 1


# ----- notebook 04, exercise 3: first width near the floor -----

def good_first(losses_by_width, floor, factor=2.0):
    close = [w for w, losses in losses_by_width.items() if losses[-1] <= factor * floor]
    return min(close) if close else None


def test_sweep_cases_are_consistent():
    for losses_by_width, floor, factor, right in width._SWEEP_CASES:
        assert good_first(losses_by_width, floor, factor) == right


def test_first_width_within():
    check = width.check_first_width_within
    assert_feedback(check(None), "not attempted")
    assert_feedback(check(placeholder), "not attempted")
    assert_feedback(check(good_first), "correct")
    widest = lambda d, fl, fa=2.0: max((w for w, v in d.items() if v[-1] <= fa * fl), default=None)  # noqa: E731
    assert_feedback(check(widest), "incorrect", "narrowest")
    best = lambda d, fl, fa=2.0: min((w for w, v in d.items() if min(v) <= fa * fl), default=None)  # noqa: E731
    assert_feedback(check(best), "incorrect", "final loss")
    in_order = lambda d, fl, fa=2.0: next((w for w, v in d.items() if v[-1] <= fa * fl), None)  # noqa: E731
    assert_feedback(check(in_order), "incorrect", "smallest")
    no_factor = lambda d, fl, fa=2.0: min((w for w, v in d.items() if v[-1] <= 2.0 * fl), default=None)  # noqa: E731
    assert_feedback(check(no_factor), "incorrect", "factor 3")
    never_none = lambda d, fl, fa=2.0: good_first(d, fl, fa) or min(d)  # noqa: E731
    assert_feedback(check(never_none), "incorrect", "return none")
    assert_feedback(check(lambda d, fl, fa=2.0: 8.0), "incorrect", "return a width")
    assert_feedback(check(crashes), "incorrect", "ZeroDivisionError")
    for junk in GARBAGE + [lambda *a: "8", lambda *a: [8], lambda *a: np.array([8, 16])]:
        assert_feedback(check(junk), "incorrect")


@pytest.mark.parametrize("check", [backprop.check_db2, backprop.check_best_lr, backprop.check_train_loop,
                                   width.check_distinct_units, width.check_param_count,
                                   width.check_first_width_within])
def test_checks_never_raise(check):
    for junk in GARBAGE + [None, ..., 0, -1, 1e300, placeholder, crashes, lambda: 1, print]:
        assert isinstance(check(junk), cu.exercises.Feedback)
