"""The promises of the training surfaces: determinism with ``validation=``, one rule for a non-finite start,
one meaning of ``seed``, messages that name the argument, no warning or silent nonsense from the scaler
and the split, and memory bounded before it is allocated.

Each test pins down one of these promises at the input that would break it. Run under ``-W error``.
"""

import math
import tracemalloc
import warnings
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

import course_utils as cu
from course_utils._minibatch import minibatch_descent

EPS = np.finfo(np.float64).eps


@pytest.fixture(scope="module")
def data():
    X, y = cu.make_dataset(n_samples=120, seed=3)
    return X, y


def same_run(a, b):
    return (np.array_equal(a.losses, b.losses) and a.diverged == b.diverged
            and all(np.array_equal(a.params[k], b.params[k]) for k in ("W1", "b1", "W2", "b2")))


# 1. Determinism: a held-out set never changes how training runs.

@pytest.mark.parametrize("lr", [0.01, 0.2, 2.5])      # 2.5 diverges from the "ones" start
@pytest.mark.parametrize("init", ["ones", "random"])
def test_validation_keeps_full_batch_bit_for_bit(data, lr, init):
    X, y = data
    start = cu.init_params(6, init, seed=1)
    plain = cu.train(X, y, start, lr=lr, epochs=40)
    runs = [cu.train(X, y, start, lr=lr, epochs=40, validation=(X[:30], y[:30])) for _ in range(3)]
    for run in runs:
        assert same_run(run, plain)
        assert len(run.val_losses) == len(run.losses)


def test_val_losses_are_the_held_out_mse_of_each_epochs_params(data):
    X, y = data
    X_val, y_val = cu.make_dataset(n_samples=50, seed=8)
    start = cu.init_params(5, "random", seed=2)
    result = cu.train(X, y, start, lr=0.05, epochs=8, validation=(X_val, y_val))
    for e in range(8):
        params_e = cu.train(X, y, start, lr=0.05, epochs=e).params if e else start
        expected = cu.mse(y_val, cu.forward(X_val, params_e))
        assert result.val_losses[e] == pytest.approx(expected, rel=1e-12, abs=0)


# 2. A start whose loss is not finite: the same ValueError on both paths.

@pytest.mark.parametrize("batch_size", [None, 1, 7, 120])
@pytest.mark.parametrize("with_validation", [False, True])
def test_a_non_finite_start_raises_on_every_path(data, batch_size, with_validation):
    X, y = data
    validation = (X[:10], y[:10]) if with_validation else None
    with pytest.raises(ValueError, match="the loss at the start is not finite"):
        cu.train(X, y * 1e200, cu.init_params(3), epochs=5, batch_size=batch_size, seed=0, validation=validation)


# 3. A seed is None, a whole number >= 0 or a Generator, and is checked wherever it appears.

SEED_SITES = {
    "train": lambda X, y, s: cu.train(X, y, cu.init_params(2), epochs=1, seed=s),
    "train(batch_size)": lambda X, y, s: cu.train(X, y, cu.init_params(2), epochs=1, batch_size=10, seed=s),
    "train(validation)": lambda X, y, s: cu.train(X, y, cu.init_params(2), epochs=1, seed=s, validation=(X, y)),
    "width_sweep": lambda X, y, s: cu.width_sweep(X, y, widths=(2,), init="random", epochs=1, seed=s),
    "init_params": lambda X, y, s: cu.init_params(3, "random", seed=s),
    "init_params(ones)": lambda X, y, s: cu.init_params(3, "ones", seed=s),
    "train_test_split": lambda X, y, s: cu.train_test_split(X, y, random_state=s),
}
BAD_SEEDS = ["not a seed", "1", True, np.bool_(False), [1, 2], (3,), 1.5, 2.0, np.float32(1.0), -1, np.int64(-3),
             1j, Fraction(1, 2), Decimal(3), float("nan"), {"seed": 1}]


@pytest.mark.parametrize("site", SEED_SITES)
@pytest.mark.parametrize("seed", BAD_SEEDS, ids=repr)
def test_a_bad_seed_is_refused_everywhere_with_one_message(data, site, seed):
    X, y = data
    name = "random_state" if site == "train_test_split" else "seed"
    with pytest.raises(TypeError, match=rf"^{name} must be None, a whole number >= 0 or a numpy Generator, got "):
        SEED_SITES[site](X, y, seed)


@pytest.mark.parametrize("site", SEED_SITES)
@pytest.mark.parametrize("seed", [None, 0, 7, np.int64(7), np.uint8(7), 2**70], ids=repr)
def test_every_kind_of_good_seed_is_accepted_everywhere(data, site, seed):
    X, y = data
    SEED_SITES[site](X, y, seed)
    SEED_SITES[site](X, y, np.random.default_rng(0))


def test_a_whole_number_seed_means_the_same_as_its_generator(data):
    X, y = data
    a = cu.init_params(4, "random", seed=np.int64(5))
    b = cu.init_params(4, "random", seed=np.random.default_rng(5))
    assert all(np.array_equal(a[k], b[k]) for k in a)


# 4. Messages name the argument the learner passed.

BAD_VALIDATION_CONTENTS = [
    (np.zeros((5, 3)), np.zeros(5)), (np.zeros((5, 2)), np.zeros(4)), (np.full((5, 2), np.nan), np.zeros(5)),
    (np.zeros((5, 2)), np.full(5, np.inf)), (np.zeros(5), np.zeros(5)), (np.zeros((0, 2)), np.zeros(0)),
    ("X", np.zeros(5)), (None, np.zeros(5)), (np.zeros((5, 2)), None), (np.zeros((5, 2)), "y"),
    (np.zeros((5, 2)), np.zeros((5, 2))), (np.zeros((5, 2), complex), np.zeros(5)), ([[1, 2], [3]], [1, 2]),
    (np.zeros((5, 2)), np.zeros(5, complex)),
]


@pytest.mark.parametrize("batch_size", [None, 10])
@pytest.mark.parametrize("validation", BAD_VALIDATION_CONTENTS, ids=range(len(BAD_VALIDATION_CONTENTS)))
def test_bad_validation_contents_are_blamed_on_validation(data, validation, batch_size):
    X, y = data
    with pytest.raises((TypeError, ValueError), match=r"^validation\[[01]\] \(its [Xy]\) "):
        cu.train(X, y, cu.init_params(2), epochs=1, batch_size=batch_size, seed=0, validation=validation)


def test_a_fraction_learning_rate_is_a_number(data):
    X, y = data
    start = cu.init_params(3, "random", seed=0)
    assert same_run(cu.train(X, y, start, lr=Fraction(1, 20), epochs=5), cu.train(X, y, start, lr=0.05, epochs=5))
    runs = cu.train_many(X, y, [start], lr=Fraction(1, 20), epochs=5)
    assert same_run(runs[0], cu.train(X, y, start, lr=0.05, epochs=5))


HOSTILE = [None, "1", 1j, Fraction(1, 20), Decimal("0.1"), np.float32(0.05), True, np.bool_(True), float("nan"),
           float("inf"), -float("inf"), 10**400, -10**400, -1, 0, 2.5, [1, 2], np.int64(3), np.uint64(2**64 - 1)]
# (name of the argument, the call): each hostile value either works or gets a TypeError/ValueError that names it.
NUMERIC_ARGUMENTS = [
    ("lr", lambda X, y, v: cu.train(X, y, cu.init_params(2), lr=v, epochs=2)),
    ("lr", lambda X, y, v: cu.train(X, y, cu.init_params(2), lr=v, epochs=2, batch_size=10, validation=(X, y))),
    ("lr", lambda X, y, v: cu.train_many(X, y, [cu.init_params(2)], lr=v, epochs=2)),
    ("lr", lambda X, y, v: cu.width_sweep(X, y, widths=(2,), lr=v, epochs=2)),
    ("epochs", lambda X, y, v: cu.train(X, y, cu.init_params(2), epochs=v)),
    ("epochs", lambda X, y, v: cu.train(X, y, cu.init_params(2), epochs=v, validation=(X, y))),
    ("epochs", lambda X, y, v: cu.train_many(X, y, [cu.init_params(2)], epochs=v)),
    ("epochs", lambda X, y, v: cu.width_sweep(X, y, widths=(2,), epochs=v)),
    ("batch_size", lambda X, y, v: cu.train(X, y, cu.init_params(2), epochs=2, batch_size=v, seed=0)),
    ("n_samples", lambda X, y, v: cu.make_dataset(v)),
    ("noise_std", lambda X, y, v: cu.make_dataset(10, noise_std=v)),
    ("test_size", lambda X, y, v: cu.train_test_split(X, y, test_size=v)),
    ("shuffle", lambda X, y, v: cu.train_test_split(X, y, shuffle=v)),
    ("y", lambda X, y, v: cu.train_test_split(X[:2], [v, 1.0])),
    ("X", lambda X, y, v: cu.StandardScaler().fit([[v], [2.0]])),
    ("X", lambda X, y, v: cu.StandardScaler().fit([[1.0], [2.0]]).transform([[v]])),
    ("X", lambda X, y, v: cu.StandardScaler().fit([[1.0], [2.0]]).inverse_transform([[v]])),
]


@pytest.mark.parametrize("name, call", NUMERIC_ARGUMENTS, ids=[f"{n}-{k}" for k, (n, _) in
                                                               enumerate(NUMERIC_ARGUMENTS)])
def test_hostile_numbers_work_or_get_a_message_naming_the_argument(data, name, call):
    X, y = data
    X, y = X[:20], y[:20]
    for value in HOSTILE:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                call(X, y, value)
            except (TypeError, ValueError) as err:
                message = str(err)
                assert name in message and len(message) < 400, f"{value!r}: {message}"
                for raw in ("ufunc", "SeedSequence", "could not convert", "too large to convert", "Python int",
                            "integer division", "argument must be"):
                    assert raw not in message, f"{value!r}: {message}"


# 5. No warning escapes and no silent nonsense.

@pytest.mark.parametrize("column", [[1e154, 2e154, 3e154], [-1.5e308, 1.5e308, 1.0], [1.7e308, -1.7e308, 1.7e308]])
def test_the_scaler_handles_values_whose_squares_overflow(column):
    X = np.array(column)[:, None]
    scaler = cu.StandardScaler().fit(X)
    assert np.all(np.isfinite(scaler.scale_)) and np.all(scaler.scale_ > 0)
    Z = scaler.transform(X)
    # Worked in units of the largest value, where nothing overflows.
    unit = np.max(np.abs(X))
    small = X / unit
    np.testing.assert_allclose(Z, (small - small.mean()) / small.std(), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(scaler.inverse_transform(Z), X, rtol=1e-14)


def test_the_scaler_refuses_results_beyond_float64_clearly():
    scaler = cu.StandardScaler().fit([[0.0], [1e-300]])
    with pytest.raises(ValueError, match="transform would give 1 standardised values beyond float64"):
        scaler.transform([[1e10]])
    big = cu.StandardScaler().fit([[0.0], [1e300]])
    with pytest.raises(ValueError, match="inverse_transform would give 1 original-unit values beyond float64"):
        big.inverse_transform([[1e10]])


@pytest.mark.parametrize("y, error, words", [
    (np.array([1 + 2j, 3, 4, 5]), TypeError, "y must hold real numbers, got complex values"),
    (np.array([1.0, np.nan, 2.0, 3.0]), ValueError, "y must contain only finite numbers, but 1 entries"),
    (np.array([1.0, np.inf, 2.0, 3.0]), ValueError, "y must contain only finite numbers"),
    (np.array(["a", "b", "c", "d"]), TypeError, "y must be an array of numbers"),
    (np.arange(3.0), ValueError, r"y must have one target per row of X \(4\), got 3"),
    (None, TypeError, "y must be an array of numbers"),
])
def test_the_split_checks_y(y, error, words):
    with pytest.raises(error, match=words):
        cu.train_test_split(np.zeros((4, 2)), y, test_size=1)


# Arrays go through one door (as_real_array), so the scaler, the split and describe read them alike: numbers
# numpy keeps as Python objects are numbers everywhere, and an int beyond float64 gets one message everywhere.
READ_ALIKE = {
    "scaler": lambda v: cu.StandardScaler().fit([[v], [2.0]]).mean_[0],                     # (v + 2) / 2
    "split": lambda v: cu.train_test_split([[v], [2.0]], [1.0, 2.0], test_size=1, shuffle=False)[0][0, 0],
    "describe": lambda v: cu.describe([v, 2.0])["min"],
}


@pytest.mark.parametrize("site", READ_ALIKE)
def test_every_array_is_read_by_one_rule(site):
    assert READ_ALIKE[site](Fraction(1, 2)) == READ_ALIKE[site](0.5)
    with pytest.raises(ValueError, match=r"^[Xy] must contain only finite numbers, but holds a whole number too "
                                         r"large for float64"):
        READ_ALIKE[site](10**400)
    with pytest.raises(TypeError, match=r"^[Xy] must be an array of numbers, got dtype object"):
        READ_ALIKE[site](Decimal("0.5"))


# 6. Any real spread is standardised; only a column without one is refused.

def textbook(column):
    """Mean, population standard deviation and (x - mean) / std of ``column``, exactly in fractions, then rounded.

    np.std in the original units would square 1e-300 to 0, so the squares are taken in units of 2**e.
    """
    e = math.frexp(max(abs(v) for v in column))[1]
    x = [Fraction(v) for v in column]
    mean = sum(x) / len(x)
    var_scaled = sum((v - mean) ** 2 for v in x) / len(x) * Fraction(2) ** (-2 * e)   # about 1: no underflow
    std = Fraction(math.sqrt(var_scaled.numerator) / math.sqrt(var_scaled.denominator)) * Fraction(2) ** e
    return float(mean), float(std), np.array([[float((v - mean) / std)] for v in x])


@pytest.mark.parametrize("column", [[1e-20, 2e-20, 3e-20], [0.0, 1e-15, 2e-15], [1e-300, 2e-300, 5e-300],
                                    [1.0, 1.0 + 1e-12, 1.0 + 3e-12], [-7e-200, 0.0, 7e-200, 1e-201]])
def test_a_tiny_real_spread_is_standardised_by_the_textbook(column):
    X = np.array(column)[:, None]
    scaler = cu.StandardScaler().fit(X)
    mean, std, Z = textbook(column)
    assert scaler.mean_[0] == pytest.approx(mean, rel=1e-15, abs=1e-15 * std)
    assert scaler.scale_[0] == pytest.approx(std, rel=1e-15)
    np.testing.assert_allclose(scaler.transform(X), Z, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(X)), X, rtol=1e-12, atol=0)


@pytest.mark.parametrize("column", [[5.0, 5.0, 5.0], [0.1, 0.1, 0.1], [1e-300, 1e-300], [0.0, 0.0],
                                    [1e6, 1e6 + 1e-10, 1e6], [3.0]])
def test_a_column_with_no_real_spread_is_still_refused(column):
    with pytest.raises(ValueError, match=r"column\(s\) 0 of X have no spread"):
        cu.StandardScaler().fit(np.array(column)[:, None])


# 7. Memory is bounded before it is allocated.

def peak_before_refusal(call, words):
    """Run ``call``, which must raise a ValueError matching ``words``; return tracemalloc's peak in bytes."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=words):
            call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("batch_size", [None, 10])
def test_the_validation_pass_is_refused_before_allocation(data, batch_size):
    X, y = data
    X, y = X[:100], y[:100]
    X_val, y_val = np.zeros((150_000, 2)), np.zeros((150_000, 1))      # width 2000 x 150k rows: 2.4 GB
    peak = peak_before_refusal(lambda: cu.train(X, y, cu.init_params(2000), epochs=1, batch_size=batch_size, seed=0,
                                                validation=(X_val, y_val)),
                               r"the validation pass of this training run would need 2.2\d GiB")
    assert peak < 20 * 2**20


@pytest.mark.parametrize("method", ["fit", "transform", "inverse_transform", "fit_transform"])
def test_the_scaler_refuses_huge_inputs_before_allocation(method):
    # 2 GB as float64: transform needs a copy (2.1 GiB with its finite check), fit two (4.0 GiB).
    huge = np.broadcast_to(np.float32(1.5), (250_000_000, 1))
    wide = np.broadcast_to(np.float32(1.5), (4, 70_000_000))
    scaler = cu.StandardScaler() if method.startswith("fit") else cu.StandardScaler().fit([[1.0], [2.0]])
    peak = peak_before_refusal(lambda: getattr(scaler, method)(huge), rf"StandardScaler\.{method.split('_')[0]}")
    assert peak < 2**20
    if method.startswith("fit"):
        assert peak_before_refusal(lambda: getattr(cu.StandardScaler(), method)(wide), "GiB of memory") < 2**20


def test_many_input_columns_are_counted_before_allocation():
    X = np.broadcast_to(np.float32(0.5), (1000, 120_000))             # 0.96 GB as float64
    start = cu.init_params(2, n_inputs=120_000)
    peak = peak_before_refusal(lambda: cu.train(X, np.zeros((1000, 1)), start, epochs=1),
                               "this training run would need")
    assert peak < 8 * 2**20                                            # the params' copies (1.9 MB), not X's


@pytest.mark.parametrize("which", ["train_many", "width_sweep"])
def test_the_starts_copies_and_the_work_arrays_count_in_one_total(which):
    # Each part alone is under the 2 GiB limit, their sum is not:
    # train_many: 8 starts of width 2**20, 4 m + 1 numbers each (32 MiB), 5 copies: 1.25 GiB;
    #   work arrays on 30 samples, the two widest 2 m = 2**21 units: 8 ((2 * 2**21 + 10) * 30 + 2 * 2**21 * 3) B = 1.03 GiB.
    # width_sweep: 3 starts near width 2**21 (64 MiB each), 5 copies and width_sweep's own: 6 * 192 MiB = 1.13 GiB;
    #   work arrays on 14 samples, the two widest about 2**22 units: 8 ((2 * 2**22) * 14 + 2 * 2**22 * 3) B = 1.06 GiB.
    X, y = cu.make_dataset(n_samples=30, seed=0)
    if which == "train_many":
        start = cu.init_params(2**20)
        call = lambda: cu.train_many(X, y, [start] * 8, epochs=1)           # noqa: E731
    else:
        call = lambda: cu.width_sweep(X[:14], y[:14], widths=(2**21, 2**21 + 1, 2**21 + 2), epochs=1)   # noqa: E731
    peak = peak_before_refusal(call, r"this training run would need 2\.\d+ GiB")
    assert peak < 8 * 2**20                  # refused before a copy of a start (32 or 64 MiB) was made


@pytest.mark.slow
@pytest.mark.parametrize("watch", [0, 1, 2])
def test_the_minibatch_loop_keeps_no_more_per_epoch_than_the_check_counts(watch):
    X, y = cu.make_dataset(n_samples=20, seed=1)
    start = cu.init_params(2, "random", seed=0)
    peaks = {}
    for epochs in (1000, 5000):
        tracemalloc.start()
        minibatch_descent(X, y, start, 1e-4, epochs, 20, 0, watch=[(X, y)] * watch)
        peaks[epochs] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    per_epoch = (peaks[5000] - peaks[1000]) / 4000
    # check_training_memory counts 3 float64 an epoch for the training losses, check_validation 3 for each watched set.
    assert per_epoch <= 24 * (1 + watch)


def test_the_minibatch_work_arrays_fit_what_is_counted():
    X, y = cu.make_dataset(n_samples=20_000, seed=1)
    start = cu.init_params(32, "random", seed=0)
    tracemalloc.start()
    try:
        cu.train(X, y, start, lr=1e-4, epochs=2, batch_size=5000, seed=0, validation=(X[:5000], y[:5000]))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    n, D, H, B, n_val = 20_000, 2, 32, 5000, 5000
    counted = 8 * ((4 * (D + 1) + H + 3) * n + (4 * H + D + 5) * B) + 8 * (H + D + 3) * n_val + 8 * 2 * D * n
    assert peak <= counted            # the engine, the validation pass, and the checked copies of X and X_val
