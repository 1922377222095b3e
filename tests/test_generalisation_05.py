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
    return generalisation_explorer(n_samples=100, width=8, batch_size="32", lr=0.05, epochs=40, standardise=True)


def test_explorer_draws_its_start(explorer):
    assert isinstance(explorer, GeneralisationExplorer)
    assert explorer.error is None and explorer.message == ""
    assert explorer.png[:4] == b"\x89PNG" and f'alt="{escape(explorer.alt, quote=True)}"' in explorer.image.value
    assert "<table>" in explorer.numbers.value and "best validation" in explorer.numbers.value
    assert repr(explorer) == "GeneralisationExplorer()"
    state = explorer.state
    assert set(state["curves"]) == {"train", "validation", "test"}
    assert all(len(c) == 40 for c in state["curves"].values())
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
    e = generalisation_explorer(n_samples=100, width=8, batch_size="32", lr=0.05, epochs=40, standardise=True)
    before = e.png
    e.controls[name].value = value
    assert e.error is None, e.message
    assert e.png != before and f'alt="{escape(e.alt, quote=True)}"' in e.image.value


def test_raw_data_at_a_large_rate_diverges_with_a_message():
    e = generalisation_explorer(n_samples=100, width=8, batch_size="10", lr=1.0, epochs=50, standardise=False)
    assert e.error is None and e.state["diverged"]
    assert "diverged" in e.message and "Standardising" in e.message


def test_too_many_steps_are_cut_with_a_message():
    state = run(10_000, 2, "1", 0.01, 20, True)
    assert state["epochs_run"] == MAX_STEPS // 6000 < 20
    e = generalisation_explorer(n_samples=100, width=2, batch_size="1", lr=0.01, epochs=2000, standardise=True)
    assert len(e.state["curves"]["train"]) == MAX_STEPS // 60
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
    stages = list(run_stages(300, 16, "10", 0.05, 400, True, first=0.0, every=0.0, chunk_s=0.0))
    trained = [s["trained"] for s in stages]
    assert len(stages) >= 3 and trained == sorted(set(trained)) and trained[-1] == 400, trained
    whole = run(300, 16, "10", 0.05, 400, True)
    for name in ("train", "validation", "test"):
        np.testing.assert_array_equal(stages[-1]["curves"][name], whole["curves"][name])
        np.testing.assert_array_equal(stages[1]["curves"][name], whole["curves"][name][:trained[1]])
    assert stages[-1]["best_epoch"] == whole["best_epoch"]


def test_a_diverging_run_reads_well_and_stays_in_the_frame():
    e = generalisation_explorer(n_samples=100, width=8, batch_size="10", lr=1.0, epochs=50, standardise=False)
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
    e = generalisation_explorer(n_samples=100, width=8, batch_size="32", lr=0.05, epochs=40, standardise=True)
    assert "60 training samples, width 8, batch 32" in e.alt and "standardised data" in e.alt
    assert f"epoch {e.state['best_epoch']}" in e.alt
    e.controls["n_samples"].value = 300
    assert "180 training samples" in e.alt
    e.controls["standardise"].value = False
    assert "raw data" in e.alt


def test_every_table_header_names_its_column():
    e = generalisation_explorer(n_samples=100, width=8, batch_size="32", lr=0.05, epochs=40, standardise=True)
    headers = re.findall(r"<th[^>]*>(.*?)</th>", e.numbers.value)
    assert headers and all(h.strip() for h in headers)
    with pytest.raises(ValueError, match="every table column needs a name"):
        html_table(["", "MSE"], [["a", "1"]])


@pytest.mark.parametrize("kwargs, match", [
    ({"n_samples": 50}, r"n_samples must be 30, 100, 300, 1000, 3000 or 10000, got 50"),
    ({"width": 3}, r"width must be 2, 4, 8, 16, 32 or 64, got 3"),
    ({"batch_size": 64}, r"batch_size must be '1', '10', '32', '256' or 'full', got '64'")])
def test_a_setting_the_explorer_does_not_offer_is_refused_clearly(kwargs, match):
    with pytest.raises(ValueError, match=match):
        generalisation_explorer(**kwargs)
