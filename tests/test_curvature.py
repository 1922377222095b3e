"""Tests for course_utils.curvature: the Hessian of the MSE and its largest eigenvalue, the sharpness."""

import numpy as np
import pytest

import course_utils as cu


def analytic_hessian(X, y, params):
    """The exact Hessian of the MSE for the linear output, written out from the chain rule.

    With x~ = (x, 1), unit j's input weights a_j = (W1[:, j], b1[j]), s_j = sigmoid(a_j . x~),
    s' = s (1 - s), s'' = s' (1 - 2 s) and y_hat = sum_j W2[j] s_j + b2:
    H = (2 / n) sum_i (J_i J_i^T + r_i K_i), r = y_hat - y, where J_i is the gradient of y_hat_i and
    K_i its Hessian, whose only non-zero blocks are d2/da_j da_j = W2[j] s''_j x~ x~^T and
    d2/da_j dW2[j] = s'_j x~. Parameters in the order W1 (row by row), b1, W2, b2.
    """
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"][:, 0], params["b2"]
    n, D = X.shape
    m = W1.shape[1]
    s = 1.0 / (1.0 + np.exp(-(X @ W1 + b1)))                  # (n, m)
    s1 = s * (1 - s)
    s2 = s1 * (1 - 2 * s)
    r = (s @ W2 + b2[0]) - y[:, 0]                             # (n,)
    Xt = np.column_stack([X, np.ones(n)])                      # (n, D + 1)
    P = D * m + 2 * m + 1

    def a_index(k, j):                                         # the index of W1[k, j], or of b1[j] when k == D
        return k * m + j if k < D else D * m + j

    J = np.zeros((n, P))
    for j in range(m):
        for k in range(D + 1):
            J[:, a_index(k, j)] = W2[j] * s1[:, j] * Xt[:, k]
        J[:, D * m + m + j] = s[:, j]
    J[:, -1] = 1.0
    Hm = 2.0 / n * J.T @ J
    for j in range(m):
        idx = [a_index(k, j) for k in range(D + 1)]
        Hm[np.ix_(idx, idx)] += 2.0 / n * W2[j] * np.einsum("i,ik,il->kl", r * s2[:, j], Xt, Xt)
        cross = 2.0 / n * np.einsum("i,ik->k", r * s1[:, j], Xt)
        Hm[idx, D * m + m + j] += cross
        Hm[D * m + m + j, idx] += cross
    return Hm


def loss_hessian(X, y, params, output, delta=1e-4):
    """An independent Hessian: second differences of the loss itself, never calling backward."""
    keys = ("W1", "b1", "W2", "b2")
    theta = np.concatenate([params[k].ravel() for k in keys])
    shapes = [params[k].shape for k in keys]

    def loss(t):
        p, start = {}, 0
        for key, shape in zip(keys, shapes):
            size = int(np.prod(shape))
            p[key] = t[start:start + size].reshape(shape)
            start += size
        return cu.mse(y, cu.forward(X, p, output))

    P = theta.size
    Hm = np.zeros((P, P))
    for i in range(P):
        for j in range(i, P):
            def at(a, b):
                t = theta.copy()
                t[i] += a * delta
                t[j] += b * delta
                return loss(t)
            Hm[i, j] = Hm[j, i] = (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * delta**2)
    return Hm


def rel(a, b):
    """Largest entry of |a - b| relative to the largest entry of |b|."""
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


@pytest.fixture(scope="module")
def small():
    rng = np.random.default_rng(11)
    X = rng.uniform(-2, 2, size=(40, 2))
    y = rng.normal(0, 1, size=(40, 1))
    params = cu.init_params(3, "random", seed=rng)
    params["b1"] = rng.normal(0, 0.5, size=3)
    params["b2"] = rng.normal(0, 0.5, size=1)
    return X, y, params


def test_hessian_shape_order_and_symmetry(small):
    X, y, params = small
    Hm = cu.hessian(X, y, params)
    assert Hm.shape == (2 * 3 + 3 + 3 + 1,) * 2
    np.testing.assert_array_equal(Hm, Hm.T)
    # d2L/db2^2 = 2 (the 2/n summed over n samples), whatever the weights: the last diagonal entry.
    assert Hm[-1, -1] == pytest.approx(2.0, rel=1e-8)


def test_hessian_matches_the_analytic_one_on_a_small_problem(small):
    X, y, params = small
    exact = analytic_hessian(X, y, params)
    assert rel(cu.hessian(X, y, params), exact) < 1e-4
    assert cu.sharpness(X, y, params) == pytest.approx(np.linalg.eigvalsh(exact)[-1], rel=1e-4)


@pytest.mark.parametrize("width, init", [(2, "ones"), (2, "random"), (16, "random")])
def test_sharpness_matches_the_analytic_hessian_on_the_course_data(course_data, width, init):
    X, y = course_data
    params = cu.init_params(width, init, seed=3)
    exact = np.linalg.eigvalsh(analytic_hessian(X, y, params))[-1]
    assert cu.sharpness(X, y, params) == pytest.approx(exact, rel=1e-4)


def test_sharpness_matches_after_training(course_data):
    # Trained weights are larger and the units partly saturated: the curvature changes, the agreement must not.
    X, y = course_data
    params = cu.train(X, y, cu.init_params(2), lr=0.1, epochs=300).params
    exact = analytic_hessian(X, y, params)
    assert rel(cu.hessian(X, y, params), exact) < 1e-4
    assert cu.sharpness(X, y, params) == pytest.approx(np.linalg.eigvalsh(exact)[-1], rel=1e-4)


@pytest.mark.parametrize("output", ["linear", "sigmoid"])
def test_hessian_matches_second_differences_of_the_loss(small, output):
    X, y, params = small
    independent = loss_hessian(X, y, params, output)
    assert rel(cu.hessian(X, y, params, output), independent) < 1e-4
    assert cu.sharpness(X, y, params, output) == pytest.approx(np.linalg.eigvalsh(independent)[-1], rel=1e-4)


def test_sharpness_by_hand_on_a_tiny_quadratic():
    # One hidden unit with W1 = 0, b1 = 0 and W2 = 0, b2 = 0: h = 1/2 for every sample and y_hat = 0.
    # The targets are chosen so that the residuals r = -y sum to zero against x1, x2 and 1; then the cross
    # terms (2/n) sum r h' x~ between (W1, b1) and W2 vanish, and so does the (W1, b1) block (it carries W2 = 0).
    # What is left is L = mean((W2 / 2 + b2 - y)^2) with Hessian 2 [[1/4, 1/2], [1/2, 1]]:
    # trace 2.5, determinant 0, so the eigenvalues are 0 and 2.5.
    X = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])
    y = np.array([[1.0], [1.0], [-1.0], [-1.0]])
    params = {"W1": np.zeros((2, 1)), "b1": np.zeros(1), "W2": np.zeros((1, 1)), "b2": np.zeros(1)}
    Hm = cu.hessian(X, y, params)
    np.testing.assert_allclose(Hm[3:, 3:], [[0.5, 1.0], [1.0, 2.0]], rtol=1e-7)
    np.testing.assert_allclose(Hm[:3, :], 0.0, atol=1e-9)
    assert cu.sharpness(X, y, params) == pytest.approx(2.5, rel=1e-7)


def test_hessian_leaves_params_alone(small):
    X, y, params = small
    before = {k: v.copy() for k, v in params.items()}
    cu.sharpness(X, y, params)
    for key in params:
        np.testing.assert_array_equal(params[key], before[key])


def test_returns_a_python_float(small):
    X, y, params = small
    assert type(cu.sharpness(X, y, params)) is float


def test_refuses_a_diverged_network(small):
    X, y, params = small
    bad = {k: v.copy() for k, v in params.items()}
    bad["W2"][0, 0] = np.nan
    with pytest.raises(ValueError, match=r"params\['W2'\] must contain only finite numbers"):
        cu.sharpness(X, y, bad)


@pytest.mark.parametrize("change, error, message", [
    (lambda X, y, p: (X[:, :1], y, p), ValueError, "X must have 2 columns"),
    (lambda X, y, p: (X, y[:-1], p), ValueError, "one target per row of X"),
    (lambda X, y, p: (X, np.where(np.arange(len(y))[:, None] == 0, np.inf, y), p), ValueError, "finite"),
    (lambda X, y, p: (X, y, {k: v for k, v in p.items() if k != "b2"}), ValueError, "missing b2"),
    (lambda X, y, p: (X, y, [1, 2]), TypeError, "params must be a dict"),
])
def test_refuses_bad_input(small, change, error, message):
    X, y, params = change(*small)
    with pytest.raises(error, match=message):
        cu.sharpness(X, y, params)


@pytest.mark.parametrize("delta, error", [(0.0, ValueError), (-1e-4, ValueError), (float("nan"), ValueError),
                                          ("small", TypeError)])
def test_refuses_a_bad_step(small, delta, error):
    X, y, params = small
    with pytest.raises(error, match="delta"):
        cu.hessian(X, y, params, delta=delta)


def test_refuses_an_unknown_output(small):
    X, y, params = small
    with pytest.raises(ValueError, match="output must be"):
        cu.sharpness(X, y, params, output="relu")
