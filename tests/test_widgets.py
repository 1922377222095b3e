"""The four explorers, driven from the kernel side: every control to its extremes, checked on the data drawn."""

import ipywidgets as widgets
import numpy as np
import pytest

import course_utils as cu
from course_utils.widgets import dataset_explorer, output_explorer, training_explorer, width_sweep_explorer
from course_utils.widgets import training as training_module
from course_utils.widgets.training import reference_losses

FACTORIES = [dataset_explorer, output_explorer, training_explorer, width_sweep_explorer]


@pytest.fixture(scope="module")
def data():
    return cu.make_dataset()


def move(explorer, name, value):
    """Set one control; assert the explorer redrew without an error and return the new state."""
    before = bytes(explorer.image.value)
    explorer.controls[name].value = value
    assert explorer.error is None, explorer.message
    assert explorer.controls[name].value == value
    assert bytes(explorer.image.value[:8]) == b"\x89PNG\r\n\x1a\n"
    assert bytes(explorer.image.value) != before, f"{name}={value!r} left the figure unchanged"
    return explorer.state


def extremes(control):
    """Every value a control offers at its edges: min and max, or every option."""
    if isinstance(control, widgets.SelectMultiple):
        return [(), *[(o,) for o in control.options], tuple(control.options)]
    if hasattr(control, "options"):
        return list(control.options)
    if isinstance(control, widgets.FloatLogSlider):      # its min and max are exponents
        return [control.base ** control.min, control.base ** control.max]
    return [control.min, control.max]


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_builds_with_a_stable_repr_and_an_image(factory, capsys):
    explorer = factory()
    assert isinstance(explorer, widgets.VBox)
    assert explorer.error is None and explorer.message == ""
    assert bytes(explorer.image.value[:4]) == b"\x89PNG"
    assert "<table>" in explorer.numbers.value
    name = type(explorer).__name__
    # The text nbval compares: ipywidgets' own repr would list every child's changing value.
    assert repr(explorer) == f"{name}()"
    assert explorer._repr_mimebundle_()["text/plain"] == f"{name}()"
    assert all(c in explorer.children[1].children for c in explorer.controls.values())
    assert capsys.readouterr() == ("", ""), "an explorer must draw into its Image, not print"


@pytest.mark.parametrize("factory", [training_explorer, width_sweep_explorer], ids=lambda f: f.__name__)
def test_retraining_sliders_act_on_release(factory):
    sliders = [c for c in factory().controls.values() if hasattr(c, "continuous_update")]
    assert sliders and all(c.continuous_update is False for c in sliders)


def test_dataset_explorer_every_extreme(data):
    explorer = dataset_explorer()
    stats = explorer.state["stats"]
    assert (round(stats["mean"], 3), round(stats["min"], 3), round(stats["max"], 3)) == (9.532, -7.282, 53.252)
    assert "9.532" in explorer.numbers.value and "53.252" in explorer.numbers.value
    np.testing.assert_array_equal(explorer.state["y"], data[1])

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


def test_output_explorer_defaults_reproduce_the_original():
    explorer = output_explorer()
    assert explorer.state["output"] == "sigmoid"
    assert explorer.state["mse"] == pytest.approx(203.1757236001885, rel=1e-12)
    assert "203.1757" in explorer.numbers.value
    state = move(explorer, "output", "linear")
    assert state["mse"] == pytest.approx(198.65838851753207, rel=1e-12)


def test_output_explorer_every_extreme(data):
    X, y = data
    # The best any prediction confined to [0, 1] can do: predict each target clipped into [0, 1].
    sigmoid_best = cu.mse(y, np.clip(y, 0.0, 1.0))
    for output in extremes(output_explorer().controls["output"]):
        explorer = output_explorer(output=output)
        for name in ("hidden_weight", "output_weight", "output_bias"):
            for value in extremes(explorer.controls[name]):
                state = move(explorer, name, value)
                np.testing.assert_allclose(state["y_hat"], cu.forward(X, state["params"], output))
                assert state["mse"] == pytest.approx(cu.mse(y, state["y_hat"]))
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
    assert state["mse"] == pytest.approx(float(np.mean((y - 30.0) ** 2)))


def test_training_explorer_defaults_are_the_original_run(data):
    X, y = data
    explorer = training_explorer()
    state = explorer.state
    expected = cu.train(X, y, cu.init_params(2), lr=0.01, epochs=1000).losses
    np.testing.assert_array_equal(state["losses"], expected)
    np.testing.assert_array_equal(state["reference"], expected)
    assert state["final_loss"] == pytest.approx(81.6337, abs=1e-4)
    assert "81.6337" in explorer.numbers.value
    assert state["noise_floor"] == pytest.approx(cu.noise_floor())


def test_training_explorer_every_extreme(data):
    X, y = data
    explorer = training_explorer()
    ref = reference_losses()

    state = move(explorer, "epochs", 10)
    np.testing.assert_array_equal(state["losses"], ref[:10])
    state = move(explorer, "epochs", 3_000)
    # 2,000 more epochs continued from the cached run, equal to one run of 3,000.
    assert len(state["losses"]) == 3_000 and state["final_loss"] < ref[-1]
    np.testing.assert_array_equal(state["losses"][:1000], ref)
    explorer.controls["epochs"].value = 300      # shorter runs for the rest: the test stays quick

    lr_min, lr_max = extremes(explorer.controls["lr"])
    assert (lr_min, lr_max) == (pytest.approx(1e-4), pytest.approx(10.0))
    state = move(explorer, "lr", lr_max)
    assert state["diverged"] and len(state["losses"]) < 300
    assert "diverged" in explorer.message and "smaller" in explorer.message
    assert "diverged after" in explorer.numbers.value
    state = move(explorer, "lr", 1.0)
    assert not state["diverged"] and state["final_loss"] > state["losses"][0]
    assert "grew" in explorer.message
    state = move(explorer, "lr", lr_min)
    assert explorer.message == "" and state["final_loss"] > ref[-1]   # 1e-4 is too slow to get as far
    explorer.controls["lr"].value = 0.01

    for width in extremes(explorer.controls["width"]):
        state = move(explorer, "width", width)
        assert state["width"] == width and state["losses"][0] == pytest.approx(
            cu.mse(y, cu.forward(X, cu.init_params(width))))
    explorer.controls["width"].value = 2

    state = move(explorer, "init", "random")
    expected = cu.train(X, y, cu.init_params(2, "random", seed=0), lr=0.01, epochs=300).losses
    np.testing.assert_array_equal(state["losses"], expected)
    move(explorer, "init", "ones")

    state = move(explorer, "output", "sigmoid")
    # A sigmoid output stays in (0, 1), so the loss cannot fall far below the start.
    assert state["final_loss"] > 190.0 and explorer.message == ""
    state = move(explorer, "output", "linear")
    np.testing.assert_array_equal(state["losses"], ref[:300])


def test_width_sweep_explorer_defaults_are_the_original_sweep(data):
    X, y = data
    explorer = width_sweep_explorer()
    curves = explorer.state["curves"]
    assert list(curves) == [2, 4, 8, 16] and all(len(losses) == 1000 for losses in curves.values())
    # The explorer trains one width at a time; width_sweep trains them together. Same numbers.
    expected = cu.width_sweep(X, y, widths=(2, 16), epochs=200)
    for w in expected:
        np.testing.assert_allclose(curves[w][:200], expected[w], rtol=1e-9)
    np.testing.assert_array_equal(curves[2], reference_losses())
    assert explorer.state["noise_floor"] == pytest.approx(1.0011, abs=1e-4)
    for w, loss in explorer.state["final"].items():
        assert f"{loss:.4f}" in explorer.numbers.value


def test_width_sweep_explorer_draws_new_runs_in_stages(data):
    # A learning rate it has not seen: the curves are drawn after 1/4, 1/2 and all of the epochs,
    # and the staged runs end exactly where uninterrupted ones do.
    explorer = width_sweep_explorer(epochs=400)
    frames, trained = explorer.frames_drawn, []
    explorer.image.observe(lambda change: trained.append(explorer.state["trained"]), names="value")
    state = move(explorer, "lr", 0.1)
    assert trained == [100, 200, 400] and explorer.frames_drawn == frames + 3
    X, y = data
    for w in (2, 4, 8, 16):
        whole = cu.train(X, y, cu.init_params(w), lr=0.1, epochs=400).losses
        np.testing.assert_array_equal(state["curves"][w], whole)
    move(explorer, "lr", 0.01)                  # already known: one frame, no training
    assert explorer.frames_drawn == frames + 4


def test_width_sweep_explorer_every_extreme(data):
    explorer = width_sweep_explorer()
    options = explorer.controls["widths"].options
    for widths in extremes(explorer.controls["widths"]):
        state = move(explorer, "widths", widths)
        assert tuple(state["curves"]) == tuple(sorted(widths))
        assert all(len(losses) == 1000 for losses in state["curves"].values())
        if not widths:
            assert "at least one width" in explorer.message and "<td" not in explorer.numbers.value
        else:
            assert explorer.message == "" and explorer.numbers.value.count("<tr>") == len(widths) + 1
    assert tuple(explorer.state["curves"]) == options

    ones = move(explorer, "widths", (2, 16))["final"]
    random = move(explorer, "init", "random")["final"]
    # Ones-start: every hidden unit computes the same thing, so 16 units do no better than 2.
    # A random start breaks that symmetry and lets width 16 use its extra units.
    assert ones[16] > 80.0 and random[16] < 20.0 < random[2]
    long_curves = explorer.state["curves"]
    state = move(explorer, "epochs", 300)       # shorter runs for the rest: the test stays quick
    for w in (2, 16):
        np.testing.assert_array_equal(state["curves"][w], long_curves[w][:300])
    by_seed = {seed: move(explorer, "seed", seed)["final"] for seed in reversed(extremes(explorer.controls["seed"]))}
    assert by_seed[0] == state["final"] and by_seed[20] != state["final"]

    lr_min, lr_max = extremes(explorer.controls["lr"])
    state = move(explorer, "lr", lr_max)
    assert all(len(losses) < 300 for losses in state["curves"].values())
    assert "diverged" in explorer.message and "2, 16" in explorer.message
    state = move(explorer, "lr", lr_min)
    assert explorer.message == "" and all(loss > 100 for loss in state["final"].values())

    move(explorer, "widths", (1,))
    state = move(explorer, "epochs", 10)
    assert len(state["curves"][1]) == 10
    state = move(explorer, "epochs", 3_000)
    # Cut to 10 epochs and continued to 3,000: the same numbers as one run of 3,000.
    X, y = data
    expected = cu.train(X, y, cu.init_params(1, "random", seed=state["seed"]), lr=state["lr"], epochs=3_000).losses
    np.testing.assert_array_equal(state["curves"][1], expected)


def test_an_unexpected_error_becomes_a_message(monkeypatch):
    explorer = training_explorer()

    def broken(*args, **kwargs):
        raise FloatingPointError("simulated failure")

    monkeypatch.setattr(training_module.RunCache, "losses", broken)
    explorer.controls["width"].value = 3        # must not raise
    assert isinstance(explorer.error, FloatingPointError)
    assert "simulated failure" in explorer.message
    assert "simulated failure" in explorer.children[-1].value
