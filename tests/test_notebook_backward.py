"""The two faces of backprop agree: notebook 03's step-by-step function and ``cu.backward``.

The notebook shows the backward pass one chain-rule step per line; the package
holds the version everything else calls. This test runs the notebook's own cell,
so an edit to either face that changes the arithmetic fails here.
"""

import json
from pathlib import Path

import numpy as np
import pytest

import course_utils as cu

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "03_backprop.ipynb"
FUNCTION = "backward_step_by_step"


def _load_function():
    """Exec the one code cell of notebook 03 that defines ``backward_step_by_step`` and return it."""
    if not NOTEBOOK.exists():
        pytest.fail(f"{NOTEBOOK} is missing; the notebook backward pass cannot be checked")
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    defining = [s for s in sources if f"def {FUNCTION}(" in s]
    if len(defining) != 1:
        pytest.fail(f"expected exactly one code cell in {NOTEBOOK.name} defining {FUNCTION}(...), found {len(defining)}")
    namespace = {"np": np, "cu": cu}
    exec(compile(defining[0], f"{NOTEBOOK.name}:{FUNCTION}", "exec"), namespace)
    return namespace[FUNCTION]


@pytest.fixture(scope="module")
def notebook_backward():
    return _load_function()


def _problem(seed, n_samples, width):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-5.0, 5.0, size=(n_samples, 2))
    y = rng.normal(5.0, 10.0, size=(n_samples, 1))
    params = cu.init_params(width, "random", seed=rng)
    params["b1"] = rng.normal(0.0, 1.0, size=width)
    params["b2"] = rng.normal(0.0, 1.0, size=1)
    return X, y, params


@pytest.mark.parametrize("output", ["linear", "sigmoid"])
@pytest.mark.parametrize("seed, n_samples, width", [(0, 1, 1), (1, 7, 3), (2, 50, 2), (3, 400, 16)])
def test_notebook_backward_matches_package(notebook_backward, output, seed, n_samples, width):
    X, y, params = _problem(seed, n_samples, width)
    mine = notebook_backward(X, y, params, output=output)
    package = cu.backward(X, y, params, output=output)
    assert set(mine) == set(package) == {"W1", "b1", "W2", "b2"}
    for key in package:
        assert mine[key].shape == package[key].shape == params[key].shape, key
        np.testing.assert_allclose(mine[key], package[key], rtol=1e-12, atol=1e-15, err_msg=key)


def test_notebook_backward_on_course_data(notebook_backward):
    # The notebook's own setting: the full data set, ones-init width 2, linear output.
    X, y = cu.make_dataset()
    params = cu.init_params(2)
    mine = notebook_backward(X, y, params)
    package = cu.backward(X, y, params)
    for key in package:
        np.testing.assert_allclose(mine[key], package[key], rtol=1e-12, atol=1e-15, err_msg=key)


def test_notebook_backward_passes_the_gradient_check(notebook_backward):
    for output in ("linear", "sigmoid"):
        report = cu.check_gradients(notebook_backward, output=output)
        assert report.ok, str(report)


def test_notebook_backward_leaves_params_alone(notebook_backward):
    X, y, params = _problem(5, 20, 4)
    before = {k: v.copy() for k, v in params.items()}
    notebook_backward(X, y, params)
    for key in params:
        np.testing.assert_array_equal(params[key], before[key])
