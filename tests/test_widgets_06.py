"""Notebook 06's explorer driven from the kernel side: its numbers are ``train``'s, and its start shows the lesson.

The shared checks (a stable repr, wide sliders that act on release, NaN refused, reversible arrow
keys) run on it in test_widgets.py; the ones here are its own.
"""

from html import escape

import numpy as np
import pytest

import course_utils as cu
from course_utils.widgets import RegularisationExplorer, regularisation_explorer
from course_utils.widgets import regularisation as module
from course_utils.widgets.regularisation import (BATCH, EPOCHS, HELD_OUT, MAX_STEPS, SAMPLE_SIZES, epochs_for, run,
                                                 run_message, sample)
from course_utils.widgets._base import number


def move(explorer, name, value):
    """Set one control; assert the explorer redrew without an error, with a description, and return the state."""
    before = explorer.png
    explorer.controls[name].value = value
    assert explorer.error is None, explorer.message
    assert explorer.png != before, f"{name}={value!r} left the figure unchanged"
    assert f'alt="{escape(explorer.alt, quote=True)}"' in explorer.image.value and len(explorer.alt) > 40
    return explorer.state


@pytest.fixture
def short_runs(monkeypatch):
    """Runs of at most 300 steps (100 epochs at 30 samples): for the tests of controls and frames, not of training."""
    monkeypatch.setattr(module, "MAX_STEPS", 300)
    monkeypatch.setattr(module, "EPOCHS", 100)


def test_the_start_overfits_and_weight_decay_moves_G_both_ways():
    # The module docstring's numbers: seed 0, 30 training samples, width 64, Adam at 0.01, cosine, λ = 0.
    start = explorer = regularisation_explorer()
    state = dict(start.state)
    assert isinstance(start, RegularisationExplorer) and repr(start) == "RegularisationExplorer()"
    assert (state["weight_decay"], state["optimizer"], state["schedule"], state["lr"], state["n_train"],
            state["width"]) == (0.0, "adam", "cosine", 0.01, 30, 64)
    assert state["epochs_run"] == state["trained"] == 2_000 and not state["diverged"] and start.message == ""
    train = state["curves"]["train"]
    # The training MSE ends below the training part's own noise floor (0.69 against 1.37): it fits noise.
    assert round(train[-1], 2) == 0.69 and round(state["noise_floor"], 2) == 1.37
    assert round(state["G"], 2) == 2.93
    assert number(state["G"]) in start.numbers.value and f"G is {number(state['G'])}" in start.alt
    assert "below the noise floor" in start.alt and "weight decay 0," in start.alt
    # 0.0003 lowers G, 0.03 raises it, and the weights shrink all along.
    small = move(explorer, "weight_decay", 3e-4)
    assert round(small["G"], 2) == 2.26 and small["G"] < state["G"]
    assert "weight decay 0.0003," in explorer.alt and number(small["G"]) in explorer.alt
    large = move(explorer, "weight_decay", 0.03)
    assert round(large["G"], 1) == 20.6 and large["curves"]["train"][-1] > 10 * state["noise_floor"]
    assert state["weights_sq"] > small["weights_sq"] > large["weights_sq"]
    # λ = 0.03 flattens the surface: its spread over the square falls from about f's own (11.2) to 7.8.
    f_spread = float(cu.midpoint_grid(100)[1].std())
    assert (round(f_spread, 1), round(float(state["f_hat"].std()), 1), round(float(large["f_hat"].std()), 1)) == \
        (11.2, 11.2, 7.8)


def test_the_sample_is_nested_and_the_held_out_parts_are_fresh():
    (X30, y30), (X_va, y_va), (X_te, y_te) = sample(30, 0)
    (X100, y100), (X_va2, _), _ = sample(100, 0)
    np.testing.assert_array_equal(X100[:30], X30)              # more samples add to the same sample
    np.testing.assert_array_equal(X_va2, X_va)                 # and leave validation (and test) as they were
    assert len(X_va) == len(X_te) == HELD_OUT
    X, y = cu.make_dataset(max(SAMPLE_SIZES) + 2 * HELD_OUT, seed=0)
    rows = {tuple(r) for r in X[:max(SAMPLE_SIZES)]}
    assert not any(tuple(r) in rows for r in np.concatenate([X_va, X_te])), "a held-out sample is trained on"
    # Every run takes at most MAX_STEPS batches of BATCH: 2,000 epochs at 30 samples, 60 at 1,000.
    assert [epochs_for(n) for n in SAMPLE_SIZES] == [2_000, 1_200, 600, 300, 120, 60]
    assert all(epochs_for(n) * -(-n // BATCH) <= MAX_STEPS and epochs_for(n) <= EPOCHS for n in SAMPLE_SIZES)


def test_a_run_is_train_on_the_standardised_sample_reported_in_units_of_y():
    state = run(1e-3, "momentum", "step", 0.01, 50, 8, seed=3, epochs=40)
    (X_tr, y_tr), (X_va, y_va), (X_te, y_te) = sample(50, 3)
    xs, ys = cu.StandardScaler().fit(X_tr), cu.StandardScaler().fit(y_tr)
    result = cu.train(xs.transform(X_tr), ys.transform(y_tr), cu.init_params(8, "random", seed=3), lr=0.01,
                      epochs=40, batch_size=10, seed=3, optimizer="momentum", weight_decay=1e-3, schedule="step",
                      validation=[(xs.transform(X_va), ys.transform(y_va)), (xs.transform(X_te), ys.transform(y_te))])
    unit = float(ys.scale_[0]) ** 2
    np.testing.assert_allclose(state["curves"]["train"], result.losses * unit, rtol=1e-12)
    np.testing.assert_allclose(state["curves"]["validation"], result.val_losses[0] * unit, rtol=1e-12)
    np.testing.assert_allclose(state["curves"]["test"], result.val_losses[1] * unit, rtol=1e-12)
    # The surface in the units of y, on the notebooks' grid, and G measured against f there.
    X_grid, f_grid = cu.midpoint_grid(100)
    f_hat = cu.forward(xs.transform(X_grid), result.params) * ys.scale_[0] + ys.mean_[0]
    np.testing.assert_allclose(state["f_hat"], f_hat, rtol=1e-12, atol=1e-12)
    assert state["G"] == pytest.approx(cu.grid_error(f_hat, f_grid), rel=1e-12)
    w = result.params
    assert state["weights_sq"] == pytest.approx(float((w["W1"] ** 2).sum() + (w["W2"] ** 2).sum()), rel=1e-12)
    # The floor is the training part's noise, drawn again by hand (make_dataset draws the noise first).
    noise = np.random.RandomState(3).normal(0.0, 1.0, max(SAMPLE_SIZES) + 2 * HELD_OUT)[:50]
    assert state["noise_floor"] == pytest.approx(float(np.mean(noise ** 2)), rel=1e-9)


def test_a_new_run_shows_its_start_at_once_and_a_known_run_draws_once(short_runs):
    explorer = regularisation_explorer(width=2)
    seen = []
    explorer.image.observe(lambda change: seen.append((dict(explorer.state), explorer.alt)), names="value")
    move(explorer, "optimizer", "sgd")
    assert len(seen) == 2, [s["trained"] for s, _ in seen]
    (first, first_alt), (last, last_alt) = seen
    assert first["pending"] and first["trained"] == 0 and len(first["curves"]["train"]) == 1
    assert "training is under way" in first_alt and "the start's surface" in first_alt
    assert not last.get("pending") and last["trained"] == 100 and "the learned surface" in last_alt
    np.testing.assert_array_equal(first["curves"]["train"], last["curves"]["train"][:1])
    seen.clear()
    move(explorer, "optimizer", "adam")          # the run it was built with: remembered, one frame
    assert len(seen) == 1 and not seen[0][0].get("pending")
    # Closed, it keeps neither its widgets nor its runs (each holds a surface of 10,000 values).
    explorer.close()
    assert explorer.comm is None and explorer.state == {} and not explorer._finished.items


@pytest.mark.parametrize("name", ["weight_decay", "optimizer", "schedule", "lr", "n_train", "width"])
def test_every_control_reaches_its_ends(name, short_runs):
    # Width 2 where the width is not what is moved, so the runs stay quick.
    explorer = regularisation_explorer(width=2) if name != "width" else regularisation_explorer(n_train=1_000)
    control = explorer.controls[name]
    if hasattr(control, "base"):
        ends = [control.base ** control.min, control.base ** control.max]
    else:
        ends = [v for v in (o[1] if isinstance(o, tuple) else o for o in control.options) if v != control.value]
        ends = ends if len(ends) <= 2 else [ends[0], ends[-1]]
    for value in ends:
        state = move(explorer, name, value)
        shown = state[name] if name != "lr" else state["lr"]
        assert shown == pytest.approx(value)
        assert all(np.isfinite(c).all() for c in state["curves"].values())
        assert "<table>" in explorer.numbers.value and "grid error G" in explorer.numbers.value
        words = {"weight_decay": "weight decay {:g},", "optimizer": "{} at", "schedule": "{} schedule",
                 "lr": "learning rate {:.3g},", "n_train": "{:,} training samples", "width": "width {},"}
        assert words[name].format(value) in explorer.alt, explorer.alt


def test_a_rate_too_large_is_named_not_hidden():
    explorer = regularisation_explorer(optimizer="sgd", schedule="constant", width=2)
    state = move(explorer, "lr", 1.0)
    train = state["curves"]["train"]
    # Plain SGD at rate 1 on 30 samples ends far above its start (1e6 against 161) without overflowing.
    assert not state["diverged"] and train[-1] > 100 * train[0]
    assert explorer.message.startswith("The training MSE ended above where it started")
    assert "rises from" in explorer.alt
    diverged = {**state, "diverged": True, "curves": {**state["curves"], "train": train[:40]}}
    assert run_message(diverged).startswith("Training diverged at epoch 40: a learning rate of 1 overshoots")


@pytest.mark.slow
def test_weight_decay_over_ten_seeds_as_the_docstring_says():
    # Each seed a new sample, start and shuffle. Measured: median G 3.34 at λ = 0, 1.88 at 0.0003, 22.3 at 0.03;
    # λ = 0.0001 lowered G with 9 of 10 seeds (sign test p = 0.02), 0.0003 with 6 (p = 0.75), 0.03 raised it with 10.
    lams = (0.0, 1e-4, 3e-4, 0.03)
    G = np.array([[run(lam, "adam", "cosine", 0.01, 30, 64, seed=s)["G"] for lam in lams] for s in range(10)])
    median = np.median(G, axis=0)
    assert (round(median[0], 2), round(median[2], 2), round(median[3], 1)) == (3.34, 1.88, 22.3)
    assert median[2] < median[0] < median[3]
    assert [(G[:, j] < G[:, 0]).sum() for j in (1, 2)] == [9, 6] and (G[:, 3] > G[:, 0]).all()
