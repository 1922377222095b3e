"""Notebook 05's explorer driven from the kernel side, and its exercise checks against right and wrong answers."""

import re
from html import escape

import numpy as np
import pytest

import course_utils as cu
from course_utils.widgets._html import html_table
from course_utils.widgets.generalisation import (MAX_STEPS, GeneralisationExplorer, generalisation_explorer, run,
                                                 three_way_split)

ex = cu.exercises.generalisation


@pytest.fixture(scope="module")
def explorer():
    return generalisation_explorer(n_samples=100, width=8, batch_size=32, lr=0.05, epochs=40, standardise=True)


def test_explorer_draws_its_start(explorer):
    assert isinstance(explorer, GeneralisationExplorer)
    assert explorer.error is None and explorer.message == ""
    assert explorer.png[:4] == b"\x89PNG" and f'alt="{escape(explorer.alt, quote=True)}"' in explorer.image.value
    assert "<table>" in explorer.numbers.value and "best validation" in explorer.numbers.value
    assert repr(explorer) == "GeneralisationExplorer()"
    state = explorer.state
    assert set(state["curves"]) == {"train", "validation", "test"}
    assert all(len(c) == 41 for c in state["curves"].values())        # the losses after 0 to 40 epochs
    assert state["best_epoch"] == int(np.argmin(state["curves"]["validation"]))


def test_three_way_split_is_60_20_20_and_the_floor_is_the_training_parts(explorer):
    (X_tr, y_tr), (X_va, y_va), (X_te, y_te) = three_way_split(100, 0)
    assert (len(X_tr), len(X_va), len(X_te)) == (60, 20, 20)
    # Together the parts are the sample of 100 drawn with seed 0, every (x1, x2, y) row once.
    X, y = cu.make_dataset(100, seed=0)
    rows = np.concatenate([np.column_stack(part) for part in ((X_tr, y_tr), (X_va, y_va), (X_te, y_te))])
    np.testing.assert_array_equal(np.unique(rows, axis=0), np.unique(np.column_stack([X, y]), axis=0))
    # The training part's floor from its noise, drawn again by hand (make_dataset draws the noise first).
    noise = np.random.RandomState(0).normal(0.0, 1.0, 100)
    train_rows = [int(np.flatnonzero((X == x).all(axis=1))[0]) for x in X_tr]
    assert explorer.state["noise_floor"] == pytest.approx(float(np.mean(noise[train_rows] ** 2)), rel=1e-9)


def test_curves_are_the_train_runs_in_original_units(explorer):
    # The training curve must be cu.train's, on the standardised training part, times s_y**2.
    (X_tr, y_tr), (X_va, y_va), _ = three_way_split(100, 0)
    xs, ys = cu.StandardScaler().fit(X_tr), cu.StandardScaler().fit(y_tr)
    result = cu.train(xs.transform(X_tr), ys.transform(y_tr), cu.init_params(8, "random", seed=0), lr=0.05,
                      epochs=40, batch_size=32, seed=0, validation=(xs.transform(X_va), ys.transform(y_va)))
    unit = float(ys.scale_[0]) ** 2
    np.testing.assert_allclose(explorer.state["curves"]["train"], result.losses * unit, rtol=1e-12)
    np.testing.assert_allclose(explorer.state["curves"]["validation"], result.val_losses * unit, rtol=1e-12)


@pytest.mark.parametrize("name, value", [("width", 2), ("batch_size", "full"), ("n_samples", 300),
                                         ("lr", 0.1), ("epochs", 60), ("standardise", False)])
def test_every_control_redraws(name, value):
    e = generalisation_explorer(n_samples=100, width=8, batch_size=32, lr=0.05, epochs=40, standardise=True)
    before = e.png
    e.controls[name].value = value
    assert e.error is None, e.message
    assert e.png != before and f'alt="{escape(e.alt, quote=True)}"' in e.image.value


def test_raw_data_at_a_large_rate_diverges_with_a_message():
    e = generalisation_explorer(n_samples=100, width=8, batch_size=10, lr=1.0, epochs=50, standardise=False)
    assert e.error is None and e.state["diverged"]
    assert "diverged" in e.message and "Standardising" in e.message


def test_too_many_steps_are_cut_with_a_message():
    state = run(10_000, 2, 1, 0.01, 20, True)
    assert state["epochs_run"] == MAX_STEPS // 6000 < 20
    e = generalisation_explorer(n_samples=100, width=2, batch_size=1, lr=0.01, epochs=2000, standardise=True)
    assert len(e.state["curves"]["train"]) == MAX_STEPS // 60 + 1
    # The note sits beside the epochs slider, where the learner just moved it, not under the figure.
    assert e.note == f"Only {MAX_STEPS // 60} of 2,000 epochs were trained: at batch size 1 that is already 30,000 steps."
    assert e.note in e._note.value and "Only" not in e.message
    e.controls["epochs"].value = 100                          # every epoch trained: the note goes
    assert e.note == "" and "Only" not in e._note.value


@pytest.mark.parametrize("answer, status", [(None, "not attempted"), (4.5, "correct"), ("4.5", "incorrect"),
                                            (2.5, "incorrect"), (0.5, "incorrect"), (4.0, "incorrect"),
                                            (5.0, "incorrect"), (np.float64(4.5), "correct")])
def test_expected_test_mse_check(answer, status):
    feedback = ex.check_expected_test_mse(answer)
    assert feedback.status == status
    if answer == 2.5:
        assert "variance" in feedback.message


def test_best_epoch_check_accepts_argmin_and_names_slips():
    assert ex.check_best_epoch(lambda v: int(np.argmin(v))).ok
    assert ex.check_best_epoch(lambda v: np.argmin(v)).ok                     # numpy's own integer
    assert "index" in ex.check_best_epoch(lambda v: float(np.min(v))).message
    assert "count from 0" in ex.check_best_epoch(lambda v: int(np.argmin(v)) + 1).message
    assert "first" in ex.check_best_epoch(lambda v: len(v) - 1 - int(np.argmin(v[::-1]))).message
    assert ex.check_best_epoch(lambda v: 1 / 0).status == "incorrect"
    assert ex.check_best_epoch(None).status == "not attempted"


def test_epoch_batches_check_accepts_slices_and_names_slips():
    assert ex.check_epoch_batches(lambda o, b: [o[a:a + b] for a in range(0, len(o), b)]).ok
    assert ex.check_epoch_batches(lambda o, b: [list(o[a:a + b]) for a in range(0, len(o), b)]).ok
    assert "missing" in ex.check_epoch_batches(lambda o, b: [o[a:a + b] for a in range(0, len(o) - b + 1, b)]).message
    assert "order" in ex.check_epoch_batches(lambda o, b: [np.sort(o)[a:a + b] for a in range(0, len(o), b)]).message
    assert not ex.check_epoch_batches(lambda o, b: np.array_split(o, b)).ok
    assert ex.check_epoch_batches(lambda o, b: []).status == "incorrect"
    assert ex.check_epoch_batches(lambda o, b: 7).status == "incorrect"


def test_a_run_drawn_in_stages_ends_where_one_uninterrupted_run_does():
    # Every frame "due": each chunk of epochs is drawn, and the chunks continue one another exactly.
    from course_utils.widgets.generalisation import run_stages
    stages = list(run_stages(300, 16, 10, 0.05, 400, True, first=0.0, every=0.0, chunk_s=0.0))
    trained = [s["trained"] for s in stages]
    assert len(stages) >= 3 and trained == sorted(set(trained)) and trained[-1] == 400, trained
    whole = run(300, 16, 10, 0.05, 400, True)
    for name in ("train", "validation", "test"):
        np.testing.assert_array_equal(stages[-1]["curves"][name], whole["curves"][name])
        np.testing.assert_array_equal(stages[1]["curves"][name], whole["curves"][name][:trained[1] + 1])
    assert stages[-1]["best_epoch"] == whole["best_epoch"]


def test_a_diverging_run_reads_well_and_stays_in_the_frame():
    e = generalisation_explorer(n_samples=100, width=8, batch_size=10, lr=1.0, epochs=50, standardise=False)
    train = e.state["curves"]["train"]
    assert e.state["diverged"] and len(train) < 50 and train.max() > 1e200
    cells = re.findall(r"<td[^>]*>(.*?)</td>", e.numbers.value)
    tokens = [t for cell in cells for t in re.findall(r"[-+]?(?:\d[\d,]*\.?\d*|\.\d+)(?:e[-+]?\d+)?", cell)]
    assert tokens and all(len(t) <= 12 for t in tokens), tokens
    assert f"diverged at epoch {len(train)}" in cells and f"diverges at epoch {len(train)}" in e.alt
    low, high = map(float, e.figure_data["ylim-log10"].split())
    finite = np.concatenate(list(e.state["curves"].values()))
    assert low <= np.log10(finite.min()) and np.log10(finite.max()) <= high


def test_the_alt_text_follows_the_state():
    e = generalisation_explorer(n_samples=100, width=8, batch_size=32, lr=0.05, epochs=40, standardise=True)
    assert "60 training samples, width 8, batch 32" in e.alt and "standardised data" in e.alt
    assert f"epoch {e.state['best_epoch']}" in e.alt
    e.controls["n_samples"].value = 300
    assert "180 training samples" in e.alt
    e.controls["standardise"].value = False
    assert "raw data" in e.alt


def test_every_table_header_names_its_column():
    e = generalisation_explorer(n_samples=100, width=8, batch_size=32, lr=0.05, epochs=40, standardise=True)
    headers = re.findall(r"<th[^>]*>(.*?)</th>", e.numbers.value)
    assert headers and all(h.strip() for h in headers)
    with pytest.raises(ValueError, match="every table column needs a name"):
        html_table(["", "MSE"], [["a", "1"]])


@pytest.mark.parametrize("kwargs, match", [
    ({"n_samples": 50}, r"n_samples must be 30, 100, 300, 1000, 3000 or 10000, got 50"),
    ({"width": 3}, r"width must be 2, 4, 8, 16, 32 or 64, got 3"),
    ({"batch_size": 64}, r"batch_size must be 1, 10, 32, 256 or None, got 64"),
    ({"batch_size": "10"}, r"batch_size must be 1, 10, 32, 256 or None, got '10'")])
def test_a_setting_the_explorer_does_not_offer_is_refused_clearly(kwargs, match):
    with pytest.raises(ValueError, match=match):
        generalisation_explorer(**kwargs)


# ----- the claims of notebook 05, kept true -----

def _features(X, extra):
    x1, x2 = X[:, 0], X[:, 1]
    columns = [np.ones(len(X)), x1, x2]
    if extra >= 1:
        columns += [x1 * x2, x1**2, x2**2]
    if extra >= 2:
        columns += [np.sin(x2), np.cos(x2)]
    return np.column_stack(columns)


def test_least_squares_on_the_right_features_is_the_number_to_beat():
    # Section 1: fitted on the first 1000 samples, scored on 10,000 fresh ones.
    X, y = cu.make_dataset()
    X, y = X[:1000], y[:1000]
    X_test, y_test = cu.make_dataset(10_000, seed=7)
    scores = []
    for extra in range(3):
        w, *_ = np.linalg.lstsq(_features(X, extra), y, rcond=None)
        scores.append(cu.mse(y_test, _features(X_test, extra) @ w))
    mean_only = cu.mse(y_test, np.full_like(y_test, y.mean()))
    assert abs(scores[0] - mean_only) < 0.01 * mean_only          # raw inputs: no better than the mean
    assert 1.5 < scores[1] < 1.8                                  # the polynomial part of f alone
    assert scores[2] < 1.05                                       # with sin and cos: below every network (1.09 and up)


def _unvisited_bias(lr, starts=3, shuffles=400):
    """Notebook 05's measurement: per batch of one epoch (20 samples, batches of 5, width 4), the length of
    E[mean gradient of the unvisited samples - full gradient] at the weights reached, over |E[full gradient]|."""
    from course_utils.stacked import backward_stack, stack_params
    X, y = cu.make_dataset()
    Xs, ys = cu.StandardScaler().fit_transform(X[:20]), cu.StandardScaler().fit_transform(y[:20])

    def flat(g):
        return np.concatenate([g[k].reshape(len(g["W1"]), -1) for k in ("W1", "b1", "W2", "b2")], axis=1)

    def unvisited_minus_full(P, rows):
        return flat(backward_stack(Xs[rows], ys[rows], P)) - flat(backward_stack(Xs, ys, P))

    bias = np.empty((starts, 4))
    for s in range(starts):
        P0 = P = stack_params([cu.init_params(4, "random", seed=s)] * shuffles)
        orders = np.random.default_rng(s).permuted(np.tile(np.arange(20), (shuffles, 1)), axis=1)
        for j in range(4):
            left = orders[:, 5 * j:]
            # The same average at the start's weights has expectation 0: subtracting it removes most of the noise.
            diff = unvisited_minus_full(P, left) - unvisited_minus_full(P0, left)
            full = flat(backward_stack(Xs, ys, P)).mean(axis=0)
            bias[s, j] = np.linalg.norm(diff.mean(axis=0)) / np.linalg.norm(full)
            rows = orders[:, 5 * j:5 * j + 5]
            step = backward_stack(Xs[rows], ys[rows], P)
            P = {k: P[k] - lr * step[k] for k in P}
    return bias


def test_only_the_first_batch_of_an_epoch_is_unbiased_and_the_bias_comes_from_the_steps():
    bias = _unvisited_bias(0.3)
    assert np.all(bias[:, 0] < 1e-12)                 # weights fixed before the shuffle: exactly unbiased
    assert np.all(bias[:, 1] > 0.05)                  # the second batch: the weights moved (notebook: 7% or more)
    assert np.all(bias[:, 1:] > 0.03)
    small = _unvisited_bias(1e-4)
    assert np.all(small[:, 1:] < 1e-3)                # at a tiny rate the weights hardly move: nearly unbiased


def test_at_the_explorers_defaults_standardising_trains_slower_and_diverges_later():
    # Section 5's sentences, checked with the explorer's own defaults and its own run(): at the default rate both
    # train all epochs, the standardised run ending higher; doubling the rate, raw data diverges first (at 4x).
    import inspect
    defaults = {k: p.default for k, p in inspect.signature(generalisation_explorer).parameters.items()}
    assert defaults["standardise"] is False
    raw, scaled = run(**defaults), run(**{**defaults, "standardise": True})
    for state in (raw, scaled):
        assert not state["diverged"] and len(state["curves"]["train"]) == defaults["epochs"] + 1
    assert scaled["curves"]["train"][-1] > 3 * raw["curves"]["train"][-1]
    assert 0 < raw["best_epoch"] < 0.85 * defaults["epochs"]
    assert not run(**{**defaults, "lr": 2 * defaults["lr"]})["diverged"]
    assert run(**{**defaults, "lr": 4 * defaults["lr"]})["diverged"]
    assert not run(**{**defaults, "standardise": True, "lr": 8 * defaults["lr"]})["diverged"]


@pytest.mark.slow
def test_early_stopping_pays_with_noise_five_in_nine_of_ten_seeds():
    # Section 3: 20 training and 100 validation samples, width 64, full batch at lr 0.1 for 6000 epochs,
    # checked every 50 epochs; stopping at the lowest validation MSE against the last epoch, on fresh data.
    from course_utils.stacked import train_stack
    X_fresh, y_fresh = cu.make_dataset(10_000, noise_std=5.0, seed=7)
    parts = []
    for s in range(10):
        X, y = cu.make_dataset(120, noise_std=5.0, seed=300 + s)
        X_tr, X_va, y_tr, y_va = cu.train_test_split(X, y, test_size=100, random_state=s)
        xs, ys = cu.StandardScaler().fit(X_tr), cu.StandardScaler().fit(y_tr)
        parts.append((xs, ys, xs.transform(X_tr), ys.transform(y_tr), xs.transform(X_va), ys.transform(y_va)))
    params = [cu.init_params(64, "random", seed=s) for s in range(10)]
    best = [(cu.mse(p[5], cu.forward(p[4], start)), start) for p, start in zip(parts, params)]
    for _ in range(6000 // 50):
        params = train_stack([p[2] for p in parts], [p[3] for p in parts], params, lr=0.1, epochs=50)
        for k, (p, net) in enumerate(zip(parts, params)):
            val = cu.mse(p[5], cu.forward(p[4], net))
            if val < best[k][0]:
                best[k] = (val, net)

    def fresh(k, net):
        return cu.mse(y_fresh, parts[k][1].inverse_transform(cu.forward(parts[k][0].transform(X_fresh), net)))

    gains = np.array([fresh(k, params[k]) - fresh(k, best[k][1]) for k in range(10)])
    assert np.sum(gains > 0) >= 9 and np.sum(gains < 0) == 0, gains


@pytest.mark.slow
def test_scaling_x_alone_at_its_rate_beats_scaling_both_at_theirs():
    # Section 1: width 16 on the first 1000 samples, the recipe (10,000 steps, then 1,000 at a tenth of the rate),
    # X only at lr 0.05 against both at lr 0.2, seed by seed, on 10,000 fresh samples.
    from course_utils.stacked import train_stack
    X, y = cu.make_dataset()
    X, y = X[:1000], y[:1000]
    X_test, y_test = cu.make_dataset(10_000, seed=7)
    xs, ys = cu.StandardScaler().fit(X), cu.StandardScaler().fit(y)
    nets = [(False, 0.05, s) for s in range(10)] + [(True, 0.2, s) for s in range(10)]
    gens = [np.random.default_rng(s) for _, _, s in nets]
    params = [cu.init_params(16, "random", seed=s) for _, _, s in nets]
    for factor, epochs in ((1, 100), (0.1, 10)):
        params = train_stack([xs.transform(X)] * 20, [ys.transform(y) if both else y for both, _, _ in nets], params,
                             lr=[factor * lr for _, lr, _ in nets], epochs=epochs, batch_size=10, seeds=gens)
    test = [cu.mse(y_test, ys.inverse_transform(out) if both else out)
            for (both, _, _), out in ((n, cu.forward(xs.transform(X_test), p)) for n, p in zip(nets, params))]
    assert sum(test[s] < test[10 + s] for s in range(10)) >= 9
