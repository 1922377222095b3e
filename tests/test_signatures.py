"""The argument conventions of the public functions, read from their signatures.

Everything after the data is passed by name, the training functions list their shared
arguments in one order, and every seed is checked.
"""

import inspect

import pytest

import course_utils as cu

# The positional data each training function takes; every parameter after these is keyword-only.
DATA = {"train": ("X", "y", "params"), "train_many": ("X", "y", "starts"), "width_sweep": ("X", "y")}
SHARED = ("widths", "init", "lr", "epochs", "output", "batch_size", "seed", "validation")


def _parameters(name):
    return inspect.signature(getattr(cu, name)).parameters


@pytest.mark.parametrize("name", sorted(DATA))
def test_arguments_after_the_data_are_keyword_only(name):
    params = list(_parameters(name).values())
    data = DATA[name]
    assert tuple(p.name for p in params[:len(data)]) == data
    assert all(p.kind is p.POSITIONAL_OR_KEYWORD for p in params[:len(data)])
    rest = {p.name: p.kind.name for p in params[len(data):]}
    assert rest and all(kind == "KEYWORD_ONLY" for kind in rest.values()), rest


@pytest.mark.parametrize("name", sorted(DATA))
def test_a_positional_argument_after_the_data_is_refused(name):
    X, y = cu.make_dataset(8)
    data = {"train": (X, y, cu.init_params(2)), "train_many": (X, y, [cu.init_params(2)]),
            "width_sweep": (X, y)}[name]
    with pytest.raises(TypeError, match="positional argument"):
        getattr(cu, name)(*data, 0.01)


@pytest.mark.parametrize("name", sorted(DATA))
def test_shared_arguments_come_in_one_order(name):
    # train: lr, epochs, output, batch_size, seed, validation; train_many: lr, epochs, output;
    # width_sweep: widths, init, lr, epochs, output, seed. Each is SHARED with some names left out.
    names = [n for n in _parameters(name) if n in SHARED]
    assert names == sorted(names, key=SHARED.index), names
    assert {"lr", "epochs", "output"} <= set(names)


def _public_functions_with_a_seed():
    found = {}
    for name in cu.__all__:
        obj = getattr(cu, name)
        if inspect.isfunction(obj) and "seed" in inspect.signature(obj).parameters:
            found[name] = obj
    return found


def test_every_public_function_with_a_seed_is_covered():
    assert set(_public_functions_with_a_seed()) == set(SEED_CALLS) | {"check_gradients"}


X8, Y8 = cu.make_dataset(8)
SEED_CALLS = {
    "make_dataset": lambda seed: cu.make_dataset(8, seed=seed),
    "noise_floor": lambda seed: cu.noise_floor(8, seed=seed),
    "init_params": lambda seed: cu.init_params(2, "random", seed=seed),
    "train": lambda seed: cu.train(X8, Y8, cu.init_params(2), epochs=1, batch_size=4, seed=seed),
    "width_sweep": lambda seed: cu.width_sweep(X8, Y8, widths=(2,), epochs=1, seed=seed),
}


@pytest.mark.parametrize("name", sorted(SEED_CALLS))
def test_a_seed_that_is_not_a_seed_is_refused(name):
    SEED_CALLS[name](0)                                        # the tiny call itself is valid
    with pytest.raises((TypeError, ValueError), match="seed"):
        SEED_CALLS[name]("not a seed")


def test_check_gradients_reports_a_seed_that_is_not_a_seed():
    # check_gradients never raises (a learner's backward may crash); it reports the bad seed instead.
    report = cu.check_gradients(cu.backward, seed="not a seed")
    assert not report.ok and report.problems
    assert "seed must be None, a whole number >= 0 or a numpy Generator" in report.problems[0]


def test_scaler_takes_and_ignores_y_as_in_scikit_learn():
    X = [[1.0], [2.0], [3.0]]
    assert list(inspect.signature(cu.StandardScaler.fit).parameters) == ["self", "X", "y"]
    assert list(inspect.signature(cu.StandardScaler.fit_transform).parameters) == ["self", "X", "y"]
    plain = cu.StandardScaler().fit_transform(X)
    assert (cu.StandardScaler().fit_transform(X, [[9.0], [8.0], [7.0]]) == plain).all()
    assert (cu.StandardScaler().fit(X, y=[0, 1, 2]).transform(X) == plain).all()


def test_scaler_has_no_fitted_attributes_before_fit():
    scaler = cu.StandardScaler()
    assert not any(hasattr(scaler, a) for a in ("mean_", "scale_", "n_features_in_"))
    with pytest.raises(cu.NotFittedError, match="not been fitted yet"):
        scaler.transform([[1.0]])
    scaler.fit([[1.0], [3.0]])
    assert hasattr(scaler, "mean_") and hasattr(scaler, "scale_") and scaler.n_features_in_ == 1


# Names a width must not go by: m is the width's symbol and H the hidden activations (docs/NOTATION.md).
NOT_A_WIDTH = {"n_hidden", "hidden", "H", "m", "n_units", "units"}


def test_the_width_is_called_width_everywhere():
    found = {}
    for name in cu.__all__:
        obj = getattr(cu, name)
        for fn in [obj] + [v for k, v in vars(obj).items() if not k.startswith("_")] if inspect.isclass(obj) else [obj]:
            if callable(fn):
                try:
                    names = set(inspect.signature(fn).parameters)
                except (TypeError, ValueError):
                    continue
                if names & NOT_A_WIDTH:
                    found[f"{name}.{getattr(fn, '__name__', '')}"] = sorted(names & NOT_A_WIDTH)
    assert not found, found
    from course_utils import widgets
    from course_utils.widgets.output import hand_set_params
    for fn in [hand_set_params] + [getattr(widgets, n) for n in widgets.__all__ if n.endswith("_explorer")]:
        assert not set(inspect.signature(fn).parameters) & NOT_A_WIDTH, fn.__name__
    assert list(inspect.signature(cu.init_params).parameters)[0] == "width"
    assert "widths" in inspect.signature(cu.width_sweep).parameters
