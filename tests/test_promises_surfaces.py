"""The promises of the network, curvature, checks and explorers: memory bounded before allocation, no
silent nonsense, an accurate finite-difference step, checks that never raise, explorers that refuse what
they cannot build.

Each test pins down one of these promises at the input that would break it; each runs under ``-W error``.
"""

import math
import tracemalloc

import numpy as np
import pytest

import course_utils as cu
from course_utils import _checks, curvature, diagnostics, network
from course_utils import exercises as ex
from course_utils.exercises.learner_code import LearnerCode, never_raises
from course_utils.widgets import (dataset_explorer, generalisation_explorer, output_explorer, regularisation_explorer,
                                  training_explorer, width_sweep_explorer)

# Every warning is an error here, but the deprecations that the oldest leg's ipywidgets 8.0 and matplotlib 3.8
# raise from inside themselves (pyproject.toml ignores the same ones).
pytestmark = [pytest.mark.filterwarnings("error")] + [
    pytest.mark.filterwarnings(f"ignore::DeprecationWarning:{module}")
    for module in ("ipywidgets.widgets.widget", "matplotlib._mathtext", "matplotlib._fontconfig_pattern", "pyparsing")]

LIMIT = 16 * 2**20        # a 16 MiB stand-in for the 2 GiB limit, so "too large" is cheap to try


@pytest.fixture
def small_limit(monkeypatch):
    monkeypatch.setattr(_checks, "MEMORY_LIMIT", LIMIT)
    return LIMIT


def _peak(fn):
    """``(largest bytes held at once while fn ran, the exception it raised or None)``."""
    tracemalloc.start()
    try:
        fn()
        raised = None
    except Exception as err:  # noqa: BLE001  (what it raised is the result)
        raised = err
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak, raised


def _net(n, m, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 2)), rng.normal(size=(n, 1)), cu.init_params(m, "random", seed=seed)


# (name, call(n, m)): every function whose memory grows with samples x width (or parameters squared).
MEMORY_CASES = [
    ("forward", lambda X, y, p: network.forward(X, p)),
    ("forward_cache", lambda X, y, p: network.forward_cache(X, p, "sigmoid")),
    ("backward", lambda X, y, p: network.backward(X, y, p)),
    ("preactivations", lambda X, y, p: diagnostics.preactivations(X, p)),
    ("mean_slope", lambda X, y, p: diagnostics.mean_slope(X, p)),
    ("unit_contributions", lambda X, y, p: diagnostics.unit_contributions(X, p)),
]


@pytest.mark.parametrize("name, call", MEMORY_CASES, ids=[c[0] for c in MEMORY_CASES])
def test_a_pass_too_large_is_refused_before_it_allocates(small_limit, name, call):
    # 4,000 samples at width 1,000: 32 MB per (n, m) array, twice the stand-in limit for one alone.
    X, y, p = _net(4_000, 1_000)
    peak, raised = _peak(lambda: call(X, y, p))
    assert isinstance(raised, ValueError) and "memory" in str(raised), (name, raised)
    assert peak < LIMIT / 4, f"{name} held {peak / 2**20:.1f} MiB before refusing"


@pytest.mark.parametrize("name, call", MEMORY_CASES, ids=[c[0] for c in MEMORY_CASES])
@pytest.mark.parametrize("m", [20, 60, 120, 200])
def test_a_pass_that_runs_stays_within_the_limit(small_limit, name, call, m):
    # Widths around the threshold: whatever is not refused must really fit (the count is not an underestimate).
    X, y, p = _net(4_000, m)
    peak, raised = _peak(lambda: call(X, y, p))
    assert raised is None or isinstance(raised, ValueError), raised
    if raised is None:
        assert peak <= LIMIT, f"{name} at width {m} held {peak / 2**20:.1f} MiB, over the limit"
    else:
        assert peak < LIMIT / 4


def test_input_grid_too_large_is_refused_before_it_allocates(small_limit):
    peak, raised = _peak(lambda: cu.diagnostics.input_grid(2_000))       # 4e6 points: 128 MB
    assert isinstance(raised, ValueError) and "input_grid(2000)" in str(raised)
    assert peak < 2**20
    for n in (300, 600, 700, 800):                                       # around 16 MiB: runs only if it fits
        peak, raised = _peak(lambda: cu.diagnostics.input_grid(n))
        assert (raised is None and peak <= LIMIT) or isinstance(raised, ValueError)


@pytest.mark.parametrize("fn", [curvature.hessian, curvature.sharpness])
def test_a_hessian_too_large_is_refused_before_it_allocates(small_limit, fn):
    # Width 400: P = 1,601 parameters, so one (P, P) array is 20 MB, over the stand-in limit alone.
    X, y, p = _net(50, 400)
    peak, raised = _peak(lambda: fn(X, y, p))
    assert isinstance(raised, ValueError) and "parameters" in str(raised), raised
    assert peak < 2**20


@pytest.mark.parametrize("fn", [curvature.hessian, curvature.sharpness])
@pytest.mark.parametrize("m", [40, 150, 250])
def test_a_hessian_that_runs_stays_within_the_limit(small_limit, fn, m):
    X, y, p = _net(30, m)
    if m == 250:                                  # 1,001 parameters: refused quickly, no need to build it
        assert isinstance(_peak(lambda: fn(X, y, p))[1], ValueError)
        return
    peak, raised = _peak(lambda: fn(X, y, p))
    assert raised is None and peak <= LIMIT, (raised, peak)


def test_sizes_beyond_the_real_limit_are_refused_with_a_value_error():
    # At the real 2 GiB limit: forward on 300k rows at width 1000 (2.4 GB per (n, m) array),
    # input_grid(20000) (12.8 GB): refused, holding little more than the copy of X.
    X = np.zeros((300_000, 2))
    p = cu.init_params(1_000)
    peak, raised = _peak(lambda: cu.forward(X, p))
    assert isinstance(raised, ValueError) and "300000 samples" in str(raised)
    assert peak < 20 * 2**20
    peak, raised = _peak(lambda: cu.diagnostics.input_grid(20_000))
    assert isinstance(raised, ValueError) and peak < 2**20


# ----- no silent nonsense -----

@pytest.mark.parametrize("scale", [1e-200, 1e-160, 1.0, 1e150, 1e200, 1e300])
def test_unit_alignment_is_a_cosine_at_any_scale(scale):
    p = {"W1": [[scale, 0.0], [scale, scale]], "b1": [0.0, 0.0], "W2": [[1.0], [1.0]], "b2": [0.0]}
    got = cu.diagnostics.unit_alignment(p, [scale, scale])
    # Columns (1, 1) and (0, 1) against (1, 1): cosines 1 and 1/sqrt(2), whatever the scale.
    np.testing.assert_allclose(got, [1.0, 1 / math.sqrt(2)], rtol=1e-12)
    assert np.all(got <= 1.0)


def test_unit_alignment_of_tiny_direction():
    p = cu.init_params(3, "random", seed=1)
    np.testing.assert_allclose(cu.diagnostics.unit_alignment(p, [1e-200, 1e-200]),
                               cu.diagnostics.unit_alignment(p, [1.0, 1.0]), rtol=1e-12)


@pytest.mark.parametrize("low, high", [(-1e308, 1e308), (-1.7976931348623157e308, 1.7976931348623157e308),
                                       (-1e308, 0.0), (1e307, 1e308)])
def test_input_grid_over_the_widest_range_is_finite(low, high):
    x1, x2, points = cu.diagnostics.input_grid(5, low, high)
    assert np.all(np.isfinite(points)) and np.all(np.isfinite(x1))
    assert x1[0, 0] == low and x1[0, -1] == high and np.all(np.diff(x1[0]) > 0)


def test_input_grid_ordinary_ranges_are_unchanged():
    x1, _, _ = cu.diagnostics.input_grid(101)
    np.testing.assert_array_equal(x1[0], np.linspace(-5.0, 5.0, 101))


# ----- the finite-difference step of sharpness -----

@pytest.fixture(scope="module")
def curvature_cases():
    X, y = cu.make_dataset()
    Xs = (X - X.mean(axis=0)) / X.std(axis=0)
    # Weights as large as a trained width-2 network's (its W2 reaches about 12).
    trained = {"W1": [[1.5, -0.7], [0.9, 2.0]], "b1": [0.3, -1.2], "W2": [[11.8], [-6.0]], "b2": [9.5]}
    return [(X, y, cu.init_params(2)), (X, y, trained), (Xs, y / y.std(), cu.init_params(4, "random", seed=3))]


@pytest.mark.parametrize("delta", [1e-14, 1e-16, 1e-20, 1e-300, 5e-2, 1.0, 1e300])
def test_sharpness_refuses_a_step_too_small_or_too_large(curvature_cases, delta):
    X, y, p = curvature_cases[0]
    with pytest.raises(ValueError, match=r"delta must be from .* to 0\.01, got"):
        cu.sharpness(X, y, p, delta=delta)


def test_sharpness_at_either_end_of_the_accepted_steps_agrees_with_the_default(curvature_cases):
    for X, y, p in curvature_cases:
        theta = np.concatenate([np.ravel(v) for v in p.values()]).astype(float)
        lowest = curvature.DELTA_MIN * max(1.0, float(np.max(np.abs(theta))))
        default = cu.sharpness(X, y, p)
        for delta in (lowest, curvature.DELTA_MAX):
            assert abs(cu.sharpness(X, y, p, delta=delta) / default - 1) < 1e-2 / 100   # within 1e-4 (asked: 1%)
        with pytest.raises(ValueError, match="delta"):
            cu.sharpness(X, y, p, delta=lowest / 2)


# ----- checks never raise -----

class LearnerAbort(BaseException):
    """A learner's own BaseException subclass."""


def _raiser(kind):
    def fn(*args, **kwargs):
        raise kind("from the learner")
    return fn


FUNCTION_CHECKS = [check for check, kind in ex.CHECKS if kind == ex.FUNCTION]


def test_the_registry_lists_seven_function_checks():
    assert len(FUNCTION_CHECKS) == 7


@pytest.mark.parametrize("kind", [GeneratorExit, LearnerAbort, SystemExit, ValueError])
@pytest.mark.parametrize("check", FUNCTION_CHECKS, ids=lambda c: c.__name__)
def test_a_function_check_answers_whatever_the_learner_raises(check, kind):
    result = check(_raiser(kind))
    assert not result.ok
    assert kind.__name__ in str(result)


@pytest.mark.parametrize("check", FUNCTION_CHECKS, ids=lambda c: c.__name__)
def test_ctrl_c_still_stops_a_function_check(check):
    with pytest.raises(KeyboardInterrupt):
        check(_raiser(KeyboardInterrupt))


def test_the_runners_themselves_answer_for_any_base_exception():
    code = LearnerCode("E", _raiser(GeneratorExit), "f")
    assert code.call() is None and "GeneratorExit" in code.problem.message

    @never_raises("E")
    def check():
        raise LearnerAbort("inside the check")
    assert "LearnerAbort" in check().message
    report = cu.check_gradients(_raiser(LearnerAbort))
    assert not report.ok and "LearnerAbort" in str(report)


# ----- check_best_epoch sees what the learner returned -----

def test_best_epoch_check_tells_a_float_index_from_a_loss():
    message = ex.generalisation.check_best_epoch(lambda v: float(np.argmin(v))).message
    assert "lowest loss" not in message
    assert "whole number" in message and "2.0" in message


def test_best_epoch_check_still_names_a_returned_loss():
    message = ex.generalisation.check_best_epoch(lambda v: float(np.min(v))).message
    assert "you returned the lowest loss 2.4" in message


def test_no_test_curve_holds_a_loss_that_could_pass_for_an_index():
    from course_utils.exercises.generalisation import _CURVES
    for curve, _ in _CURVES:
        assert all(v != int(v) for v in curve), curve


# ----- explorer constructors refuse what they cannot build -----

EXPLORER_REFUSALS = [
    (training_explorer, {"width": 64}, ValueError, r"width must be a whole number from 1 to 16"),
    (training_explorer, {"width": 0}, ValueError, r"width must be"),
    (training_explorer, {"lr": float("nan")}, ValueError, r"lr must be a number from 0\.0001 to 10"),
    (training_explorer, {"lr": 100.0}, ValueError, r"lr must be"),
    (training_explorer, {"epochs": 10_000}, ValueError, r"epochs must be a whole number from 50 to 3000"),
    (training_explorer, {"epochs": 100.5}, TypeError, r"epochs must be a whole number"),
    (training_explorer, {"init": "Random"}, ValueError, r"init must be 'ones' or 'random', got 'Random'"),
    (training_explorer, {"output": "relu"}, ValueError, r"output must be 'linear' or 'sigmoid', got 'relu'"),
    (training_explorer, {"standardise": "yes"}, TypeError, r"standardise must be True or False"),
    (training_explorer, {"seed": "0"}, TypeError, r"^seed must be None, a whole number >= 0 or a numpy Generator, "
                                                  r"got '0'"),
    (training_explorer, {"seed": -1}, TypeError, r"^seed must be None, a whole number >= 0 or a numpy Generator"),
    (width_sweep_explorer, {"widths": 5}, TypeError, r"widths must be a sequence of widths chosen from \(1, 2, 4"),
    (width_sweep_explorer, {"widths": "2"}, TypeError, r"widths must be a sequence"),
    (width_sweep_explorer, {"widths": ([2],)}, ValueError, r"widths must be chosen from \(1, 2, 4, 8, 16\), "
                                                          r"got \(\[2\],\)"),
    (width_sweep_explorer, {"init": "Random"}, ValueError, r"init must be 'ones' or 'random', got 'Random'"),
    (width_sweep_explorer, {"lr": float("nan")}, ValueError, r"lr must be"),
    (width_sweep_explorer, {"seed": 99}, ValueError, r"seed must be a whole number from 0 to 20"),
    (width_sweep_explorer, {"epochs": 10}, ValueError, r"epochs must be"),
    (generalisation_explorer, {"lr": 5.0}, ValueError, r"lr must be a number from 0\.001 to 1"),
    (generalisation_explorer, {"epochs": 5_000}, ValueError, r"epochs must be"),
    (generalisation_explorer, {"width": True}, ValueError, r"width must be 2, 4, 8, 16, 32 or 64, got True"),
    (generalisation_explorer, {"seed": "0"}, TypeError, r"^seed must be a whole number \(int\), got '0'"),
    (generalisation_explorer, {"seed": None}, TypeError, r"^seed must be a whole number \(int\), got None"),
    (generalisation_explorer, {"seed": 2**32}, ValueError, r"^seed must be a whole number from 0 to 2\*\*32 - 1"),
    (regularisation_explorer, {"weight_decay": 5e-4}, ValueError, r"weight_decay must be 0\.0, 0\.0001, "),
    (regularisation_explorer, {"optimizer": "Adam"}, ValueError, r"optimizer must be 'sgd', 'momentum' or 'adam', "
                                                                r"got 'Adam'"),
    (regularisation_explorer, {"schedule": "linear"}, ValueError, r"schedule must be 'constant', 'step' or 'cosine'"),
    (regularisation_explorer, {"lr": 2.0}, ValueError, r"lr must be a number from 0\.0001 to 1"),
    (regularisation_explorer, {"n_train": 40}, ValueError, r"n_train must be 30, 50, 100, 200, 500 or 1000, got 40"),
    (regularisation_explorer, {"width": 3}, ValueError, r"width must be 2, 4, 8, 16, 32 or 64, got 3"),
    (output_explorer, {"output": "relu"}, ValueError, r"output must be 'linear' or 'sigmoid', got 'relu'"),
    (output_explorer, {"hidden_weight": float("nan")}, ValueError, r"hidden_weight must be a number from -2 to 2"),
    (output_explorer, {"output_weight": 100.0}, ValueError, r"output_weight must be"),
    (output_explorer, {"output_bias": -11.0}, ValueError, r"output_bias must be"),
    (dataset_explorer, {"n_samples": 50}, ValueError, r"n_samples must be a whole number from 100 to 10000"),
    (dataset_explorer, {"noise_std": float("inf")}, ValueError, r"noise_std must be"),
    (dataset_explorer, {"seed": 20_000}, ValueError, r"seed must be"),
]


@pytest.mark.parametrize("factory, kwargs, error, match", EXPLORER_REFUSALS,
                         ids=[f"{f.__name__}-{list(k)[0]}" for f, k, _, _ in EXPLORER_REFUSALS])
def test_an_explorer_refuses_what_its_controls_cannot_show(factory, kwargs, error, match):
    with pytest.raises(error, match=match):
        factory(**kwargs)



# ----- an explorer's first new figure does not wait for the curvature -----

class _StoppedClock:
    """``time`` for ``_runs``: no time passes, so training yields no frame before its end."""

    @staticmethod
    def perf_counter():
        return 0.0


# Combined extremes: the learning rate and the epochs at their ends, the start and output switched, then the width.
EXTREMES = [(lr, epochs, init, output, widths) for lr, epochs in ((1e-4, 50), (10.0, 50), (10.0, 3_000))
            for init, output in (("ones", "linear"), ("random", "sigmoid")) for widths in ((1, 16), (16, 1))]


@pytest.mark.slow
@pytest.mark.parametrize("lr, epochs, init, output, widths", EXTREMES)
def test_the_training_explorer_draws_before_it_computes_the_stable_limit(monkeypatch, lr, epochs, init, output,
                                                                         widths):
    from course_utils.widgets import _runs
    from course_utils.widgets import training as training_module
    events = []

    def slow_limit(params, output="linear", standardise=False):
        events.append("limit")
        return 0.5
    monkeypatch.setattr(training_module, "stable_limit", slow_limit)
    monkeypatch.setattr(_runs, "time", _StoppedClock())
    explorer = training_explorer(lr=lr, epochs=epochs, width=widths[0], init=init, output=output)
    explorer.image.observe(lambda change: events.append(("frame", explorer.state["limit_pending"])), names="value")
    events.clear()
    explorer.controls["width"].value = widths[1]
    assert explorer.error is None, explorer.message
    assert events[0] == ("frame", True), events                  # the finished curve, the limit still to come
    assert "limit" in events and events[-1] == ("frame", False)  # then the figure with 2/λmax
    assert explorer.state["limit_start"] == 0.5 and "computing" not in explorer.alt
    explorer.close()


def test_a_pending_limit_is_said_in_words():
    explorer = training_explorer(epochs=50)
    state = {**explorer.state, "limit_start": None, "limit_end": None, "limit_pending": True}
    assert "being computed" in explorer.alt_text(state)
    explorer.close()
