"""The six explorers, driven from the kernel side: every control to its extremes, checked on the data drawn.

Building an explorer trains its runs, so a test that only reads an explorer at its
defaults reads the one ``built`` fixture made, and a test that moves controls builds
its own, with as few widths and epochs as what it checks allows.
"""

import contextlib
import gc
import math
import io
import re
import tracemalloc
from html import escape

import ipywidgets as widgets
import numpy as np
import pytest
import traitlets
from ipywidgets.widgets import widget as widget_module

import course_utils as cu
from course_utils.widgets import (OutputExplorer, dataset_explorer, generalisation_explorer, output_explorer,
                                  regularisation_explorer, training_explorer, width_sweep_explorer)
from course_utils.widgets import _base, _runs
from course_utils.widgets import training as training_module
from course_utils.widgets._controls import CheckboxRow
from course_utils.widgets.training import reference_losses

FACTORIES = [dataset_explorer, output_explorer, training_explorer, width_sweep_explorer, generalisation_explorer,
             regularisation_explorer]


@pytest.fixture(scope="module")
def built():
    """``{factory name: (explorer at its defaults, (stdout, stderr) while it was built)}``, each built once.

    For tests that only read an explorer: moving one of its controls would change it for the
    tests after, so the teardown checks that each one still shows the only figure it drew.
    """
    explorers = {}
    for factory in FACTORIES:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            explorer = factory()
        explorers[factory.__name__] = (explorer, (out.getvalue(), err.getvalue()))
    yield explorers
    for name, (explorer, _) in explorers.items():
        assert explorer.frames_drawn == 1, f"a test moved a control of the shared {name}"


class Clock:
    """A stand-in for the ``time`` module of ``_runs``: its clock moves ``step`` seconds at every reading."""

    def __init__(self, step):
        self.now, self.step = 0.0, step

    def perf_counter(self):
        self.now += self.step
        return self.now


@pytest.fixture(autouse=True)
def stopped_clock(monkeypatch):
    """Train without intermediate frames: on a clock that never moves, no frame before the last is due.

    On a real clock which frames are due depends on the machine and its load. The tests
    about drawing in stages take ``ticking_clock`` instead.
    """
    monkeypatch.setattr(_runs, "time", Clock(0.0))


@pytest.fixture
def ticking_clock(stopped_clock, monkeypatch):
    """A clock that moves a second at every reading: every chunk of training looks slow, so it is the
    smallest (25 epochs, then 10 at a time), and every frame is due, on any machine."""
    monkeypatch.setattr(_runs, "time", Clock(1.0))


def course_noise():
    """The noise of ``cu.make_dataset()``, drawn again by hand: it draws its 10,000 noise values first."""
    return np.random.RandomState(2025).normal(0.0, 1.0, 10_000)


def move(explorer, name, value):
    """Set one control; assert the explorer redrew without an error and return the new state."""
    before = explorer.png
    explorer.controls[name].value = value
    assert explorer.error is None, explorer.message
    assert explorer.controls[name].value == value
    assert explorer.png[:8] == b"\x89PNG\r\n\x1a\n"
    assert explorer.png != before, f"{name}={value!r} left the figure unchanged"
    assert f'alt="{escape(explorer.alt, quote=True)}"' in explorer.image.value and len(explorer.alt) > 40
    return explorer.state


def extremes(control):
    """Every value a control offers at its edges: min and max, or every option."""
    if isinstance(control, CheckboxRow):
        return [(), *[(o,) for o in control.options], tuple(control.options)]
    if hasattr(control, "options"):
        return list(control.options)
    if isinstance(control, widgets.FloatLogSlider):      # its min and max are exponents
        return [control.base ** control.min, control.base ** control.max]
    return [control.min, control.max]


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_builds_with_a_stable_repr_and_an_image(factory, built, capsys):
    explorer, printed = built[factory.__name__]
    assert printed == ("", ""), "an explorer must draw into its Image, not print"
    assert isinstance(explorer, widgets.VBox)
    assert explorer.error is None and explorer.message == ""
    assert explorer.png[:4] == b"\x89PNG" and "<img src=\"data:image/png;base64," in explorer.image.value
    assert explorer.alt and f'alt="{escape(explorer.alt, quote=True)}"' in explorer.image.value
    assert "<table>" in explorer.numbers.value
    name = type(explorer).__name__
    # The text nbval compares: ipywidgets' own repr would list every child's changing value.
    assert repr(explorer) == f"{name}()"
    assert displayed_text(explorer) == f"{name}()"
    assert all(c in descendants(explorer.children[1]) for c in explorer.controls.values())
    assert capsys.readouterr() == ("", ""), "an explorer must draw into its Image, not print"


def descendants(widget):
    """Every widget inside ``widget``, at any depth."""
    out = []
    for child in getattr(widget, "children", ()):
        out += [child, *descendants(child)]
    return out


@pytest.mark.parametrize("factory", [training_explorer, width_sweep_explorer, generalisation_explorer,
                                     regularisation_explorer], ids=lambda f: f.__name__)
def test_retraining_sliders_act_on_release(factory, built):
    sliders = [c for c in built[factory.__name__][0].controls.values() if hasattr(c, "continuous_update")]
    assert sliders and all(c.continuous_update is False for c in sliders)


def test_dataset_explorer_every_extreme(course_data):
    explorer = dataset_explorer()
    stats = explorer.state["stats"]
    assert (round(stats["mean"], 3), round(stats["min"], 3), round(stats["max"], 3)) == (9.532, -7.282, 53.252)
    assert "9.532" in explorer.numbers.value and "53.252" in explorer.numbers.value
    np.testing.assert_array_equal(explorer.state["y"], course_data[1])

    state = move(explorer, "n_samples", 100)
    assert state["y"].shape == (100, 1) and state["shown"] == 100
    assert ">100<" in explorer.numbers.value
    state = move(explorer, "n_samples", 10_000)
    assert state["X"].shape == (10_000, 2) and state["shown"] == 3_000

    state = move(explorer, "noise_std", 0.0)
    X, y = state["X"], state["y"]
    np.testing.assert_allclose(y[:, 0], cu.target_function(X[:, 0], X[:, 1]))
    assert state["noise_floor"] == 0.0
    state = move(explorer, "noise_std", 3.0)
    # Mean square of 10,000 draws of N(0, 3**2): 9 give or take 3 standard errors (9 * sqrt(2 / 10,000) = 0.13).
    assert abs(state["noise_floor"] - 9.0) < 0.4
    assert f"{state['noise_floor']:.4f}" in explorer.numbers.value

    means = set()
    for seed in extremes(explorer.controls["seed"]):
        state = move(explorer, "seed", seed)
        np.testing.assert_array_equal(state["y"], cu.make_dataset(10_000, 3.0, seed)[1])
        means.add(state["stats"]["mean"])
    assert len(means) == 2


def test_output_explorer_defaults_give_the_golden_losses():
    explorer = output_explorer()
    assert explorer.state["output"] == "sigmoid"
    assert explorer.state["mse"] == pytest.approx(203.1757236001885, rel=1e-12)
    assert "203.1757" in explorer.numbers.value
    state = move(explorer, "output", "linear")
    assert state["mse"] == pytest.approx(198.65838851753207, rel=1e-12)


def hand_set_prediction(X, hidden_weight, output_weight, output_bias, output):
    """The 2-unit network with every weight set by hand, written out without a matrix or a package call.

    Hidden biases are 0, so both units compute σ(w x1 + w x2); the output is 2 v σ(...) + c, or its sigmoid.
    """
    h = 1 / (1 + np.exp(-hidden_weight * (X[:, :1] + X[:, 1:])))
    z = 2 * output_weight * h + output_bias
    return z if output == "linear" else 1 / (1 + np.exp(-z))


def test_output_explorer_every_extreme(course_data, built):
    X, y = course_data
    # The best any prediction confined to [0, 1] can do: predict each target clipped into [0, 1].
    sigmoid_best = cu.mse(y, np.clip(y, 0.0, 1.0))
    for output in extremes(built["output_explorer"][0].controls["output"]):
        explorer = output_explorer(output=output)
        for name in ("hidden_weight", "output_weight", "output_bias"):
            for value in extremes(explorer.controls[name]):
                state = move(explorer, name, value)
                # The slider values, not the explorer's own params, give the prediction expected.
                values = {k: explorer.values[k] for k in ("hidden_weight", "output_weight", "output_bias")}
                expected = hand_set_prediction(X, **values, output=output)
                np.testing.assert_allclose(state["y_hat"], expected, rtol=1e-12, atol=1e-12)
                # The MSE of every sample, not only of the 3,000 drawn.
                assert state["mse"] == pytest.approx(float(np.mean((expected - y) ** 2)), rel=1e-12)
                assert f"{state['mse']:.4f}" in explorer.numbers.value
                low, high = state["prediction_range"]
                if output == "sigmoid":
                    assert 0.0 <= low <= high <= 1.0
                    assert state["mse"] >= sigmoid_best
    # Linear output, every slider at its maximum: 2 hidden units below 1 each, so predictions reach past 1.
    assert explorer.state["output"] == "sigmoid"
    state = move(explorer, "output", "linear")
    assert state["prediction_range"][1] > 30.0 and state["mse"] > 1000.0
    # Output weights 0: the prediction is the bias alone, a flat line.
    state = move(explorer, "output_weight", 0.0)
    np.testing.assert_array_equal(state["y_hat"], np.full_like(y, 30.0))
    # The MSE of a constant c is the variance of y plus the squared distance of its mean from c.
    assert state["mse"] == pytest.approx(float(np.var(y) + (np.mean(y) - 30.0) ** 2), rel=1e-9)


def test_training_explorer_defaults_are_the_reference_run(course_data, built):
    X, y = course_data
    explorer = built["training_explorer"][0]
    state = explorer.state
    expected = cu.train(X, y, cu.init_params(2), lr=0.01, epochs=1000).losses
    np.testing.assert_array_equal(state["losses"], expected)
    np.testing.assert_array_equal(state["reference"], expected)
    assert state["final_loss"] == pytest.approx(81.6295, abs=1e-4)      # the loss after the 1000th step
    assert "81.6295" in explorer.numbers.value
    assert state["noise_floor"] == pytest.approx(np.mean(course_noise() ** 2), rel=1e-12)


def test_training_explorer_every_extreme(course_data):
    X, y = course_data
    explorer = training_explorer()
    ref = reference_losses()

    state = move(explorer, "epochs", 50)
    np.testing.assert_array_equal(state["losses"], ref[:51])           # the loss after 0 to 50 epochs
    state = move(explorer, "epochs", 3_000)
    # 2,000 more epochs continued from the cached run, equal to one run of 3,000.
    assert len(state["losses"]) == 3_001 and state["final_loss"] < ref[-1]
    np.testing.assert_array_equal(state["losses"][:1001], ref)
    explorer.controls["epochs"].value = 300      # shorter runs for the rest: the test stays quick

    state = move(explorer, "init", "random")
    expected = cu.train(X, y, cu.init_params(2, "random", seed=0), lr=0.01, epochs=300).losses
    np.testing.assert_array_equal(state["losses"], expected)
    move(explorer, "init", "ones")

    state = move(explorer, "output", "sigmoid")
    # A sigmoid output stays in (0, 1), so the loss cannot fall far below the start.
    assert state["final_loss"] > 190.0 and explorer.message == ""
    state = move(explorer, "output", "linear")
    np.testing.assert_array_equal(state["losses"], ref[:301])

    # The learning rate and the width last, so neither has to be set back.
    lr_min, lr_max = extremes(explorer.controls["lr"])
    assert (lr_min, lr_max) == (pytest.approx(1e-4), pytest.approx(10.0))
    state = move(explorer, "lr", lr_max)
    assert state["diverged"] and len(state["losses"]) < 301
    assert explorer.message.startswith("Diverged at epoch") and "smaller" in explorer.message
    assert f"diverged at epoch {len(state['losses'])}" in explorer.numbers.value
    assert f"Diverged at epoch {len(state['losses'])}" in explorer.message
    state = move(explorer, "lr", 1.0)
    assert not state["diverged"] and state["final_loss"] > state["losses"][0]
    assert "grew" in explorer.message
    state = move(explorer, "lr", lr_min)
    assert explorer.message == "" and state["final_loss"] > ref[-1]   # 1e-4 is too slow to get as far

    # The loss before the first step depends on the width alone, not on the rate (1e-4 by now).
    for width in extremes(explorer.controls["width"]):
        state = move(explorer, "width", width)
        assert state["width"] == width and state["losses"][0] == pytest.approx(
            cu.mse(y, cu.forward(X, cu.init_params(width))))


def test_width_sweep_explorer_defaults_are_the_reference_sweep(course_data, built):
    X, y = course_data
    explorer = built["width_sweep_explorer"][0]
    curves = explorer.state["curves"]
    assert list(curves) == [2, 4, 8, 16] and all(len(losses) == 1001 for losses in curves.values())
    # The explorer trains one width at a time; width_sweep trains them together. Same numbers.
    expected = cu.width_sweep(X, y, widths=(2, 16), epochs=200)
    for w in expected:
        np.testing.assert_allclose(curves[w][:201], expected[w].losses, rtol=1e-9)
    np.testing.assert_array_equal(curves[2], reference_losses())
    assert explorer.state["noise_floor"] == pytest.approx(1.0011, abs=1e-4)
    for w, loss in explorer.state["final"].items():
        assert f"{loss:.4f}" in explorer.numbers.value
    # Ones-start: every hidden unit computes the same thing, so 16 units do no better than 2 (81.63).
    # test_width_sweep_explorer_every_extreme shows a random start letting width 16 go below 20.
    assert explorer.state["final"][16] > 80.0


def test_width_sweep_explorer_draws_new_runs_in_stages(course_data, ticking_clock):
    # A learning rate it has not seen: the curves are drawn as they grow, and the staged runs end
    # exactly where uninterrupted ones do. On the ticking clock the frames fall at epochs 25, 35, 45 and 50.
    explorer = width_sweep_explorer(widths=(2, 16), epochs=50)
    frames, trained = explorer.frames_drawn, []
    explorer.image.observe(lambda change: trained.append(explorer.state["trained"]), names="value")
    state = move(explorer, "lr", 0.1)
    assert len(trained) >= 3 and trained == sorted(set(trained)) and trained[-1] == 50, trained
    assert explorer.frames_drawn == frames + len(trained)
    X, y = course_data
    for w in (2, 16):
        whole = cu.train(X, y, cu.init_params(w), lr=0.1, epochs=50).losses
        np.testing.assert_array_equal(state["curves"][w], whole)
    drawn = explorer.frames_drawn
    move(explorer, "lr", 0.01)                  # already known: one frame, no training
    assert explorer.frames_drawn == drawn + 1


def test_training_explorer_draws_a_new_run_in_stages(course_data, ticking_clock):
    # The curve grows frame by frame; the stable limit, slow to compute, waits for the last one. The
    # finished curve is drawn twice: at once (the limit "computing…"), then with the limit.
    explorer = training_explorer(epochs=50)
    seen = []
    explorer.image.observe(lambda change: seen.append((explorer.state["trained"], explorer.state["limit_start"])),
                           names="value")
    state = move(explorer, "lr", 0.1)
    trained = [t for t, _ in seen]
    assert len(trained) >= 4 and trained[:-1] == sorted(set(trained)) and trained[-2:] == [50, 50], trained
    assert all(limit is None for _, limit in seen[:-1]) and seen[-1][1] is not None
    X, y = course_data
    np.testing.assert_array_equal(state["losses"], cu.train(X, y, cu.init_params(2), lr=0.1, epochs=50).losses)


def test_width_sweep_explorer_every_extreme(course_data):
    # Built on two widths and 50 epochs (the default trains four for 1000): every control still reaches both ends.
    explorer = width_sweep_explorer(widths=(2, 16), epochs=50)
    options = explorer.controls["widths"].options
    for widths in extremes(explorer.controls["widths"]):
        state = move(explorer, "widths", widths)
        assert tuple(state["curves"]) == tuple(sorted(widths))
        assert all(len(losses) == 51 for losses in state["curves"].values())
        if not widths:
            assert "Tick at least one width" in explorer.message and "<td" not in explorer.numbers.value
        else:
            assert explorer.message == "" and explorer.numbers.value.count("<tr>") == len(widths) + 1
    assert tuple(explorer.state["curves"]) == options

    move(explorer, "widths", (2, 16))
    move(explorer, "init", "random")
    random = move(explorer, "epochs", 1000)["final"]      # the random runs of 50 epochs, continued
    # A random start breaks the ones-start's symmetry and lets width 16 use its extra units. (From the
    # ones-start width 16 stays above 80 after 1000 epochs: test_width_sweep_explorer_defaults_are_the_reference_sweep.)
    assert random[16] < 20.0 < random[2]
    long_curves = explorer.state["curves"]
    state = move(explorer, "epochs", 300)       # shorter runs for the rest: the test stays quick
    for w in (2, 16):
        np.testing.assert_array_equal(state["curves"][w], long_curves[w][:301])
    state = move(explorer, "widths", (1, 2))     # and narrower ones
    by_seed = {seed: move(explorer, "seed", seed)["final"] for seed in reversed(extremes(explorer.controls["seed"]))}
    assert by_seed[0] == state["final"] and by_seed[20] != state["final"]

    lr_min, lr_max = extremes(explorer.controls["lr"])
    state = move(explorer, "lr", lr_max)
    assert all(len(losses) < 300 for losses in state["curves"].values())
    assert explorer.message.startswith("Widths 1 and 2 diverged") and explorer.message.endswith("too large for them.")
    assert explorer.numbers.value.count("diverged at epoch") == 2
    state = move(explorer, "lr", lr_min)
    assert explorer.message == "" and all(loss > 100 for loss in state["final"].values())

    move(explorer, "widths", (1,))
    state = move(explorer, "epochs", 50)
    assert len(state["curves"][1]) == 51
    state = move(explorer, "epochs", 3_000)
    # Cut to 50 epochs and continued to 3,000: the same numbers as one run of 3,000.
    X, y = course_data
    expected = cu.train(X, y, cu.init_params(1, "random", seed=state["seed"]), lr=state["lr"], epochs=3_000).losses
    np.testing.assert_array_equal(state["curves"][1], expected)


def test_an_unexpected_error_becomes_a_message(monkeypatch):
    explorer = training_explorer(epochs=50)

    def broken(*args, **kwargs):
        raise FloatingPointError("simulated failure")

    monkeypatch.setattr(training_module.RunCache, "losses", broken)
    explorer.controls["width"].value = 3        # must not raise
    assert isinstance(explorer.error, FloatingPointError)
    assert "simulated failure" in explorer.message
    assert "simulated failure" in explorer.children[-1].value


NUMBER = re.compile(r"[-+]?(?:\d[\d,]*\.?\d*|\.\d+)(?:e[-+]?\d+)?x?", re.IGNORECASE)


def table_cells(html):
    return re.findall(r"<td[^>]*>(.*?)</td>", html)


@pytest.mark.parametrize("factory", [training_explorer, width_sweep_explorer], ids=lambda f: f.__name__)
def test_a_diverging_run_reads_well_and_stays_in_the_frame(factory):
    explorer = factory(epochs=300, **({"widths": (2, 16)} if factory is width_sweep_explorer else {}))
    state = move(explorer, "lr", 3.16)     # width 2 from the ones-start diverges at epoch 157 of 300
    curves = [state["losses"]] if "losses" in state else list(state["curves"].values())
    assert any(len(c) < 300 for c in curves), "lr 3.16 should diverge within 300 epochs"
    assert max(c.max() for c in curves) > 1e200       # the overflow the table must not print in full
    for cell in table_cells(explorer.numbers.value):
        for token in NUMBER.findall(cell):
            assert len(token) <= 12, f"table number {token!r} is longer than 12 characters"
    assert "diverged at epoch" in explorer.numbers.value and "diverge" in explorer.alt
    low, high = map(float, explorer.figure_data["ylim-log10"].split())
    finite = np.concatenate([c for c in curves if len(c)])
    assert low <= np.log10(finite.min()) and np.log10(finite.max()) <= high


def test_training_explorer_frames_a_run_that_ends_above_the_axes_it_had():
    # lr 1.0 ends near MSE 800, far above the reference run: the frame must reach it.
    explorer = training_explorer(epochs=300)
    state = move(explorer, "lr", 1.0)
    low, high = map(float, explorer.figure_data["ylim-log10"].split())
    assert np.log10(state["losses"].max()) <= high and low <= np.log10(state["losses"].min())
    assert "grew" in explorer.message and "rises" in explorer.alt


def test_training_explorer_shows_the_stable_limit(course_data):
    X, y = course_data
    explorer = training_explorer(epochs=300)
    start = 2 / cu.sharpness(X, y, cu.init_params(2))
    assert explorer.state["limit_start"] == pytest.approx(start, rel=1e-9)
    assert f"{start:.3f}" in explorer.numbers.value and "2/λmax" in explorer.alt
    end_params = cu.train(X, y, cu.init_params(2), lr=0.01, epochs=300).params
    assert explorer.state["limit_end"] == pytest.approx(2 / cu.sharpness(X, y, end_params), rel=1e-9)
    state = move(explorer, "lr", 3.16)        # diverged: no curvature at the end
    assert state["diverged"] and state["limit_end"] is None and state["limit_start"] == pytest.approx(start)


@pytest.mark.parametrize("factory", [training_explorer, width_sweep_explorer], ids=lambda f: f.__name__)
def test_standardise_switch_trains_on_scaled_data_and_reports_original_units(factory, course_data):
    X, y = course_data
    # The width sweep on width 16 alone, the one checked below (the default adds 2, 4 and 8).
    explorer = factory(epochs=200, lr=0.1, **({"widths": (16,)} if factory is width_sweep_explorer else {}))
    state = move(explorer, "standardise", True)
    scaler_X, scaler_y = cu.StandardScaler().fit(X), cu.StandardScaler().fit(y)
    Xs, ys = scaler_X.transform(X), scaler_y.transform(y)
    width = 2 if "losses" in state else 16
    init = state["init"]
    start = cu.init_params(width, init, seed=0)
    expected = cu.train(Xs, ys, start, lr=0.1, epochs=200).losses * scaler_y.scale_[0] ** 2
    got = state["losses"] if "losses" in state else state["curves"][16]
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    # In the units of y the start is the same size as on raw data: tens to hundreds, not about 1.
    assert got[0] > 20 and "standardised" in explorer.alt


@pytest.mark.parametrize("factory,name", [(output_explorer, "output_weight"), (dataset_explorer, "noise_std"),
                                          (training_explorer, "lr"), (width_sweep_explorer, "lr"),
                                          (generalisation_explorer, "lr"), (regularisation_explorer, "lr")],
                         ids=lambda x: getattr(x, "__name__", x))
def test_nan_on_a_float_or_log_slider_is_refused(factory, name):
    # Short runs, and the width sweep on one width: the slider is what is tested, not the training.
    cheap = {training_explorer: {"epochs": 100}, width_sweep_explorer: {"epochs": 100, "widths": (2,)},
             generalisation_explorer: {"epochs": 100}, regularisation_explorer: {"width": 2}}
    explorer = factory(**cheap.get(factory, {}))
    before, value = explorer.png, explorer.controls[name].value
    with pytest.raises(traitlets.TraitError, match="got nan"):
        explorer.controls[name].value = float("nan")
    assert explorer.controls[name].value == value and explorer.png == before
    assert "nan" not in explorer.numbers.value.lower() and explorer.error is None
    explorer.controls[name].value = float("inf")         # clamped to the slider's top, like any large value
    assert explorer.controls[name].value == pytest.approx(
        explorer.controls[name].base ** explorer.controls[name].max if name == "lr" else explorer.controls[name].max)
    assert "nan" not in explorer.numbers.value.lower()


def test_duplicate_or_unknown_widths_are_refused():
    with pytest.raises(ValueError, match=r"must not repeat a width, got \(2, 2\)"):
        width_sweep_explorer(widths=(2, 2))
    with pytest.raises(ValueError, match=r"chosen from \(1, 2, 4, 8, 16\), got \(3,\)"):
        width_sweep_explorer(widths=(3,))
    explorer = width_sweep_explorer(widths=(2,), epochs=50)
    with pytest.raises(traitlets.TraitError, match="must not repeat"):
        explorer.controls["widths"].value = (4, 4)
    assert explorer.controls["widths"].value == (2,)
    # Ticking a box is the learner's way in: the row's value follows, and so does the figure.
    explorer.controls["widths"].boxes[-1].value = True
    assert explorer.controls["widths"].value == (2, 16) and tuple(explorer.state["curves"]) == (2, 16)


def test_sliders_are_wide_and_step_sensibly(built):
    for explorer, _ in built.values():
        for name, control in explorer.controls.items():
            if isinstance(control, (widgets.FloatSlider, widgets.IntSlider, widgets.FloatLogSlider)):
                assert control.layout.width == "620px" and control.style.description_width == "150px", name
                positions = (control.max - control.min) / control.step
                assert 10 <= positions <= 100, f"{name}: {positions:.0f} arrow presses from end to end"


def _live_widgets():
    """ipywidgets' registry of live widgets: a module-level dict since 8.1, ``Widget._active_widgets`` in 8.0,
    ``Widget.widgets`` in 7.x (Colab's 7.7.1)."""
    registry = getattr(widget_module, "_instances", None)
    if registry is not None:
        return registry
    if hasattr(widget_module.Widget, "_active_widgets"):
        return widget_module.Widget._active_widgets
    return widget_module.Widget.widgets


def displayed_text(widget):
    """The text/plain a notebook stores for ``widget`` (what nbval compares): from ``_repr_mimebundle_`` since
    ipywidgets 8, from the bundle that 7.x's ``_ipython_display_`` hands to ``display``."""
    if hasattr(widget, "_repr_mimebundle_"):
        return widget._repr_mimebundle_()["text/plain"]
    shown = []
    original = widget_module.display
    widget_module.display = lambda data, raw=False: shown.append(data)
    try:
        widget._ipython_display_()
    finally:
        widget_module.display = original
    return shown[0]["text/plain"]


RERUNS = 30


def test_rerunning_a_cell_30_times_leaks_no_widgets(monkeypatch):
    # Drawing is not what leaks; skip it so the re-runs stay quick (tracemalloc slows every one of them).
    monkeypatch.setattr(OutputExplorer, "draw", lambda self, fig, axes, state: "<table></table>")
    monkeypatch.setattr(_base, "figure_png", lambda fig, **options: b"\x89PNG")
    monkeypatch.setattr(_base, "_cell_id", lambda: "cell-7")
    first = output_explorer()
    count = len(_live_widgets())
    tracemalloc.start()
    explorers = [first]
    for _ in range(RERUNS):
        explorers.append(output_explorer())        # the learner's Out[] history keeps every object alive
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    # Exact: a single widget left behind by a single re-run fails this.
    assert len(_live_widgets()) == count, "re-running the cell left widgets behind"
    assert all(e.comm is None and e.state == {} for e in explorers[:-1]) and explorers[-1].comm is not None
    # Measured: 0.25 MiB once, then about 10 KiB per closed explorer (0.56 MiB for 30 re-runs). An explorer
    # that kept its state would keep its (10,000, 1) predictions too: 96 KiB per re-run, 2.8 MiB for 30.
    assert grown < 2**20, f"{RERUNS} re-runs kept {grown / 2**20:.2f} MiB"


def test_the_cell_id_comes_from_jupyterlabs_request(monkeypatch):
    class Kernel:
        def get_parent(self):
            return {"metadata": {"cellId": "abc-123"}}

    class Shell:
        kernel = Kernel()

    import IPython
    monkeypatch.setattr(IPython, "get_ipython", lambda: Shell())
    assert _base._cell_id() == "abc-123"
    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    assert _base._cell_id() is None


@pytest.mark.parametrize("x", [0.0, 81.63374, -7.2819, 1.0011, 99_999.99994, -99_999.9999, 1e5, 0.000999, 1e-300,
                               -1e-300, 2.4e302, -1.7e308, np.inf, np.nan])
def test_table_numbers_are_at_most_12_characters(x):
    text = _base.number(x)
    assert len(text) <= 12, text
    if np.isfinite(x) and x != 0:
        assert float(text) == pytest.approx(x, rel=5e-3), "a number must read as its value to 3 significant digits"
    assert _base.number(np.finfo(float).max) == "1.8e+308"


def test_a_run_continued_from_the_step_that_overflows_reads_as_diverged(course_data):
    """The explorers train in stretches; the next step after a stretch may be the one whose loss overflows."""
    from course_utils.widgets._runs import RunCache

    X, y = course_data
    whole = cu.train(X, y, cu.init_params(2, "ones"), lr=3.16, epochs=300)
    assert whole.diverged
    cache = RunCache()
    first, diverged = cache.losses(len(whole.losses) - 1, 2, "ones", "linear", 3.16)   # the last finite loss
    assert not diverged and np.array_equal(first, whole.losses)
    again, diverged = cache.losses(len(whole.losses), 2, "ones", "linear", 3.16)      # one step more overflows
    assert diverged and np.array_equal(again, whole.losses)
    cache = RunCache()
    cache.losses(len(whole.losses) - 1, 2, "ones", "linear", 3.16)
    losses, diverged = cache.losses(300, 2, "ones", "linear", 3.16)
    assert diverged and np.array_equal(losses, whole.losses)
    assert cache.known(2, "ones", "linear", 3.16) == float("inf")


# ----- What a learner sees: the zoom on notebook 02's band, notebook 05's start, reversible arrow keys -----

def _png_pixels(png):
    import matplotlib.image

    return matplotlib.image.imread(io.BytesIO(png))[..., :3]


def _top_prediction_row(png, bounds):
    """The highest pixel row with a prediction's colour (vermillion over white) inside the axes ``bounds``."""
    rgb = _png_pixels(png) * 255
    height, width = rgb.shape[:2]
    left, bottom, w, h = (float(v) for v in bounds.split())
    rows = slice(int(height * (1 - bottom - h)) + 2, int(height * (1 - bottom)) - 2)
    cols = slice(int(width * left) + 2, int(width * (left + w)) - 2)
    r, g, b = (rgb[rows, cols, i] for i in range(3))
    hits = np.flatnonzero(((r - g > 35) & (g - b > 25)).any(axis=1))    # not the band's purple, nor the green line
    return rows.start + hits[0]


def test_output_explorer_zoom_shows_each_move_of_the_output_weight():
    # The sigmoid start: on the full scale (-10 to 50) the predictions are a strip a pixel high, so one step
    # of the output weight (1.0 -> 1.5, MSE 203.18 -> 202.51) moves nothing visible. The zoom shows it.
    explorer = output_explorer()
    before, bounds = explorer.png, explorer.figure_data["zoom-axes"]
    high_before = explorer.state["prediction_range"][1]
    state = move(explorer, "output_weight", 1.5)
    assert state["prediction_range"][1] - high_before > 0.05
    zoom_moved = _top_prediction_row(before, bounds) - _top_prediction_row(explorer.png, bounds)
    left, bottom, w, h = map(float, bounds.split())
    full_bounds = f"{0.07} {bottom} {w} {h}"           # the left panel: same height, at the left margin
    full_moved = _top_prediction_row(before, full_bounds) - _top_prediction_row(explorer.png, full_bounds)
    assert zoom_moved >= 10, f"the top of the predictions moved {zoom_moved} px in the zoom"
    assert abs(full_moved) <= 1, f"expected no visible move on the full scale, got {full_moved} px"
    assert "zoomed on the band (0, 1)" in explorer.alt and "thin strip" in explorer.alt
    assert f"fill {state['prediction_range'][0]:.3f} to {state['prediction_range'][1]:.3f}" in explorer.alt


def test_output_explorer_zoom_counts_what_it_cannot_show(course_data):
    explorer = output_explorer(output="linear", output_weight=30.0)
    y_hat = explorer.state["y_hat"]
    below, above = explorer.state["outside_zoom"]
    assert (below, above) == (int(np.sum(y_hat < -0.05)), int(np.sum(y_hat > 1.05))) and above > 0
    assert f"{below + above:,} of {len(y_hat):,} predictions lie outside this view" in explorer.alt


def test_generalisation_explorer_starts_where_early_stopping_shows(built):
    explorer = built["generalisation_explorer"][0]
    state = explorer.state
    assert (state["n_samples"], state["width"], state["batch_size"], state["epochs"], state["standardise"]) == \
        (100, 64, 10, 1500, False)
    assert state["lr"] == 10 ** -1.5 and not state["diverged"] and state["epochs_run"] == 1500
    curves, best = state["curves"], state["best_epoch"]
    # The lowest validation MSE falls well inside the run, not on its edge (it was epoch 298 of 300).
    assert 0.05 * 1500 <= best <= 0.85 * 1500, best
    # Over the last 500 epochs the training MSE sits below the noise floor (the network fits noise), while
    # the validation MSE has levelled off well above it: within 15% of its mean over epochs 500 to 1000.
    floor, train, validation = state["noise_floor"], curves["train"], curves["validation"]
    assert train[1000:].mean() < floor < train[:best].mean()
    assert validation[1000:].mean() > 1.5 * floor
    assert abs(validation[1000:].mean() / validation[500:1000].mean() - 1) < 0.15
    # The samples control counts the whole sample; the title and the table say how it was split.
    assert explorer.controls["n_samples"].description == "samples drawn"
    assert (state["n_train"], state["n_val"], state["n_test"]) == (60, 20, 20)
    assert "train MSE (60 samples)" in explorer.numbers.value and "test MSE (20 samples)" in explorer.numbers.value
    assert "for 100 samples drawn and split into 60 training samples" in explorer.alt
    assert explorer.note == "" and explorer.message == ""


@pytest.mark.slow
def test_generalisation_explorers_start_puts_the_minimum_inside_the_run_for_every_seed():
    # The docstrings' claim: with every one of seeds 0 to 19 the lowest validation MSE falls inside the run
    # (measured: between epochs 84 and 934 of 1500), here between 5% and 85% of it.
    from course_utils.widgets.generalisation import run

    best = [run(100, 64, 10, 10 ** -1.5, 1500, False, seed=seed)["best_epoch"] for seed in range(20)]
    assert all(75 <= b <= 1275 for b in best), best


def test_the_epochs_note_sits_beside_the_epochs_slider():
    explorer = generalisation_explorer(n_samples=100, width=2, batch_size=1, lr=0.01, epochs=600, standardise=True)
    panel = explorer.children[1]
    row = next(item for item in panel.children if explorer.controls["epochs"] in getattr(item, "children", ()))
    assert list(row.children) == [explorer.controls["epochs"], explorer._note] and row.layout.flex_flow == "row wrap"
    # 60 steps per epoch: 30,000 steps are 500 epochs, so the note appears beside the slider, not under the figure.
    assert explorer.note.startswith("Only 500 of 600 epochs were trained") and 'role="status"' in explorer._note.value
    assert explorer.note in explorer._note.value and explorer.message == ""
    assert explorer.note not in explorer.children[-1].value
    # Unchanged note, unchanged HTML (a screen reader would read it out again).
    value = explorer._note.value
    move(explorer, "width", 4)
    assert explorer._note.value == value


class KeyboardSlider:
    """The browser's side of a ``FloatLogSlider``: noUiSlider 15 as ipywidgets 8 sets it up, for the arrow keys.

    The handle moves on exponents; each one is snapped to the grid ``min + k * step`` (computed in
    percent of the track), and the browser sends ``base ** exponent`` back as the widget's value. Each
    floating-point operation is the one the JavaScript does, in the same order. ``pow_ulps`` makes the
    browser's ``Math.pow`` land that many floating-point steps away from Python's, as another engine might.
    """

    def __init__(self, widget, pow_ulps=0):
        self.widget, self.pow_ulps = widget, pow_ulps
        self.lo, self.hi, self.step, self.base = widget.min, widget.max, widget.step, widget.base
        # createSlider: start = logCalc(value), then snapped onto the grid.
        start = min(max(math.log(widget.value) / math.log(self.base), self.lo), self.hi)
        self.exponent = self.snap(start)

    def snap(self, exponent):
        span = self.hi - self.lo
        pct = 100 * (exponent + abs(self.lo) if self.lo < 0 else exponent - self.lo) / span / (100 / 100)
        step_pct = 100 * self.step / span / (100 / (100 - 0))
        pct = max(min(0 + math.floor((pct - 0) / step_pct + 0.5) * step_pct, 100), 0)   # Math.round
        return pct * (100 / 100) * span / 100 + self.lo if pct < 100 else self.hi

    def press(self, key):
        self.exponent = self.snap(self.exponent + (self.step if key == "ArrowRight" else -self.step))
        value = self.base ** self.exponent
        for _ in range(abs(self.pow_ulps)):
            value = float(np.nextafter(value, np.inf if self.pow_ulps > 0 else 0.0))
        self.widget.set_state({"value": value})         # the kernel side of a message from the browser
        return self.widget.value


def test_keyboard_slider_reproduces_the_irreversible_off_grid_start():
    # The browser measured ArrowRight then ArrowLeft from 0.05 landing on 0.0501: 0.05 is not on the grid.
    from course_utils.widgets._controls import log_slider

    slider = log_slider("learning rate", 0.05, -3, 0)
    keys = KeyboardSlider(slider)
    assert f"{keys.press('ArrowRight'):.3g}" == "0.0631" and f"{keys.press('ArrowLeft'):.3g}" == "0.0501"


@pytest.mark.parametrize("pow_ulps", [0, 1, -1, 3])
@pytest.mark.parametrize("name", ["training_explorer", "width_sweep_explorer", "generalisation_explorer",
                                  "regularisation_explorer"])
def test_arrow_keys_on_the_learning_rate_are_reversible(built, name, pow_ulps):
    # Right, left, left, right: back to the very same float, whatever the browser's last bit.
    from course_utils.widgets._controls import log_slider

    shown = built[name][0].controls["lr"]
    slider = log_slider("learning rate", shown.value, shown.min, shown.max, shown.step)
    start, keys = slider.value, KeyboardSlider(slider, pow_ulps)
    up = keys.press("ArrowRight")
    assert up == pytest.approx(start * 10 ** shown.step, rel=1e-12)
    assert keys.press("ArrowLeft") == start
    down = keys.press("ArrowLeft")
    assert down == pytest.approx(start / 10 ** shown.step, rel=1e-12) and keys.press("ArrowRight") == start
    assert up == slider.grid_value(round((math.log10(up) - shown.min) / shown.step))


def test_a_value_typed_into_the_readout_is_kept():
    from course_utils.widgets._controls import log_slider

    slider = log_slider("learning rate", 0.01, -4, 1)
    for typed in (1.78, 0.05, 3.16, 0.0316):
        slider.set_state({"value": typed})
        assert slider.value == typed
    slider.set_state({"value": 10 ** -1.5 * (1 + 4e-16)})       # the grid point, off in its last bit
    assert slider.value == 10 ** -1.5


def test_arrow_keys_there_and_back_redraw_the_same_figure():
    # Notebook 05's explorer at its start (cut to 200 epochs to stay quick): right then left on the
    # learning rate gives back the same rate, so the same remembered run and the same figure.
    explorer = generalisation_explorer(epochs=200)
    png, alt, lr = explorer.png, explorer.alt, explorer.controls["lr"].value
    keys = KeyboardSlider(explorer.controls["lr"])
    keys.press("ArrowRight")
    assert explorer.state["lr"] == pytest.approx(lr * 10 ** 0.1) and explorer.png != png
    keys.press("ArrowLeft")
    assert explorer.controls["lr"].value == lr and explorer.state["lr"] == lr
    assert explorer.png == png and explorer.alt == alt


def test_rerunning_the_generalisation_explorers_cell_leaks_no_widgets(monkeypatch):
    # Its panel holds a row and a note besides the controls: they must be closed too.
    monkeypatch.setattr(_base, "_cell_id", lambda: "cell-9")
    settings = {"n_samples": 30, "width": 2, "batch_size": None, "lr": 0.1, "epochs": 20}
    first = generalisation_explorer(**settings)
    count = len(_live_widgets())
    for _ in range(5):
        generalisation_explorer(**settings)
    assert len(_live_widgets()) == count, "re-running the cell left widgets behind"
    assert first.comm is None and first._note.comm is None


def test_more_or_fewer_epochs_reuse_the_run_with_the_same_numbers(monkeypatch):
    # Notebook 05's explorer: ArrowRight on the epochs trains 20 epochs more, not the whole run again,
    # and going on from where a run ended gives the numbers of a fresh run, shuffles included.
    from course_utils.widgets import generalisation as module

    trained = []

    def counting_train(*args, **kwargs):
        trained.append(kwargs["epochs"])
        return cu.train(*args, **kwargs)

    explorer = generalisation_explorer(epochs=200)
    monkeypatch.setattr(module, "train", counting_train)
    for epochs, cost in ((300, 100), (120, 0), (320, 20)):
        trained.clear()
        state = move(explorer, "epochs", epochs)
        assert sum(trained) == cost, (epochs, trained)
        fresh = module.run(100, 64, 10, 10 ** -1.5, epochs, False)
        for name in ("train", "validation", "test"):
            np.testing.assert_array_equal(state["curves"][name], fresh["curves"][name])
        assert state["best_epoch"] == fresh["best_epoch"] and state["trained"] == epochs and not state["diverged"]
    # Another setting starts its own run.
    trained.clear()
    move(explorer, "width", 32)
    assert sum(trained) == 320
