"""Weight decay, momentum, Adam and schedules in cu.train, cu.train_many and train_stack (notebook 06).

Each option is checked against a plain loop over ``cu.backward`` that shares no code with the package's
optimizers, to 1e-9, and against ``torch.optim`` where PyTorch is installed (skipped otherwise).
"""

import math

import numpy as np
import pytest

import course_utils as cu
from course_utils.optimizers import learning_rates
from course_utils.stacked import train_stack

OPTIONS = {"sgd": {}, "momentum": {"momentum": 0.8}, "adam": {"betas": (0.85, 0.99), "eps": 1e-6}}
RATES = {"sgd": 0.05, "momentum": 0.03, "adam": 0.004}
EPOCHS = 30


@pytest.fixture(scope="module")
def data():
    X, y = cu.make_dataset(120, seed=3)
    return cu.StandardScaler().fit_transform(X), cu.StandardScaler().fit_transform(y)


def rate_of(lr, e, epochs, schedule):
    """The schedules as the module docstring of course_utils.optimizers states them, written out again."""
    if schedule == "cosine":
        return lr * (1 + math.cos(math.pi * e / epochs)) / 2
    if schedule == "step":
        return lr * (0.01 if e >= 3 * epochs // 4 else 0.1 if e >= epochs // 2 else 1.0)
    return lr


def reference(X, y, params, lr, epochs, optimizer="sgd", weight_decay=0.0, momentum=0.9, betas=(0.9, 0.999),
              eps=1e-8, schedule="constant", batch_size=None, seed=None, output="linear"):
    """The readable loop: per step, backward, L2 on W1 and W2, then the torch.optim update; the loss each epoch."""
    p = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    rng = np.random.default_rng(seed)
    n = len(X)
    slots = {k: [np.zeros_like(v), np.zeros_like(v)] for k, v in p.items()}
    t, losses = 0, []
    for e in range(epochs):
        losses.append(cu.mse(y, cu.forward(X, p, output)))
        lr_e = rate_of(lr, e, epochs, schedule)
        order = np.arange(n) if batch_size is None else rng.permutation(n)
        size = n if batch_size is None else batch_size
        for start in range(0, n, size):
            rows = order[start:start + size]
            grads = cu.backward(X[rows], y[rows], p, output)
            t += 1
            for k in p:
                g = grads[k] + weight_decay * p[k] if k in ("W1", "W2") else grads[k]
                if optimizer == "sgd":
                    p[k] = p[k] - lr_e * g
                elif optimizer == "momentum":
                    slots[k][0] = g if t == 1 else momentum * slots[k][0] + g
                    p[k] = p[k] - lr_e * slots[k][0]
                else:
                    slots[k][0] = betas[0] * slots[k][0] + (1 - betas[0]) * g
                    slots[k][1] = betas[1] * slots[k][1] + (1 - betas[1]) * g ** 2
                    m_hat = slots[k][0] / (1 - betas[0] ** t)
                    v_hat = slots[k][1] / (1 - betas[1] ** t)
                    p[k] = p[k] - lr_e * m_hat / (np.sqrt(v_hat) + eps)
    losses.append(cu.mse(y, cu.forward(X, p, output)))
    return p, np.array(losses)


def assert_close(result, expected_params, expected_losses):
    np.testing.assert_allclose(result.losses, expected_losses, rtol=1e-9, atol=0)
    for key, value in expected_params.items():
        np.testing.assert_allclose(result.params[key], value, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("schedule", ["constant", "cosine", "step"])
@pytest.mark.parametrize("weight_decay", [0.0, 0.05])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("batch_size", [None, 16])
def test_train_matches_the_readable_loop(data, optimizer, weight_decay, schedule, batch_size):
    X, y = data
    start = cu.init_params(5, "random", seed=1)
    options = OPTIONS[optimizer]
    result = cu.train(X, y, start, lr=RATES[optimizer], epochs=EPOCHS, optimizer=optimizer, weight_decay=weight_decay,
                      schedule=schedule, batch_size=batch_size, seed=7, **options)
    expected = reference(X, y, start, RATES[optimizer], EPOCHS, optimizer, weight_decay, schedule=schedule,
                         batch_size=batch_size, seed=7, **options)
    assert_close(result, *expected)
    assert result.losses[-1] < result.losses[0]


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_a_sigmoid_output_and_a_short_last_batch(data, optimizer):
    X, y = data
    y01 = 1 / (1 + np.exp(-y))
    start = cu.init_params(3, "random", seed=2)
    for batch_size in (None, 50):                        # 120 = 50 + 50 + 20
        result = cu.train(X, y01, start, lr=RATES[optimizer], epochs=EPOCHS, optimizer=optimizer, output="sigmoid",
                          weight_decay=0.01, batch_size=batch_size, seed=4)
        assert_close(result, *reference(X, y01, start, RATES[optimizer], EPOCHS, optimizer, 0.01,
                                        batch_size=batch_size, seed=4, output="sigmoid"))


def test_the_defaults_are_torch_optims(data):
    X, y = data
    start = cu.init_params(4, "random", seed=5)
    momentum = cu.train(X, y, start, lr=0.02, epochs=EPOCHS, optimizer="momentum")
    assert_close(momentum, *reference(X, y, start, 0.02, EPOCHS, "momentum", momentum=0.9))
    adam = cu.train(X, y, start, lr=0.01, epochs=EPOCHS, optimizer="adam")
    assert_close(adam, *reference(X, y, start, 0.01, EPOCHS, "adam", betas=(0.9, 0.999), eps=1e-8))


def test_plain_sgd_options_leave_the_original_rule_bit_for_bit(data):
    X, y = data
    start = cu.init_params(6, "random", seed=3)
    for batch_size in (None, 32):
        plain = cu.train(X, y, start, lr=0.05, epochs=EPOCHS, batch_size=batch_size, seed=1)
        named = cu.train(X, y, start, lr=0.05, epochs=EPOCHS, batch_size=batch_size, seed=1, optimizer="sgd",
                         weight_decay=0.0, schedule="constant")
        assert np.array_equal(plain.losses, named.losses)
        assert all(np.array_equal(plain.params[k], named.params[k]) for k in plain.params)


def test_weight_decay_leaves_the_biases_alone(data):
    X, y = data
    start = cu.init_params(4, "random", seed=6)
    start["b1"], start["b2"] = np.full(4, 0.7), np.array([-0.4])
    lr, lam = 0.05, 0.3
    free = cu.train(X, y, start, lr=lr, epochs=1).params
    decayed = cu.train(X, y, start, lr=lr, epochs=1, weight_decay=lam).params
    for key in ("b1", "b2"):
        assert np.array_equal(free[key], decayed[key])
    for key in ("W1", "W2"):                             # one step: the decay takes lr * lam * W more
        np.testing.assert_allclose(free[key] - decayed[key], lr * lam * start[key], rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_train_many_gives_each_start_what_train_gives(data, optimizer):
    X, y = data
    starts = [cu.init_params(m, "random", seed=s) for m, s in ((3, 0), (5, 1), (3, 2))]
    kwargs = dict(lr=RATES[optimizer], epochs=EPOCHS, optimizer=optimizer, weight_decay=0.02, schedule="cosine",
                  **OPTIONS[optimizer])
    runs = cu.train_many(X, y, starts, **kwargs)
    for start, run in zip(starts, runs):
        alone = cu.train(X, y, start, **kwargs)
        assert np.array_equal(run.losses, alone.losses)
        assert all(np.array_equal(run.params[k], alone.params[k]) for k in run.params)


@pytest.mark.parametrize("batch_size", [None, 20])
@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_validation_never_changes_the_run(data, optimizer, batch_size):
    X, y = data
    X_val, y_val = X[:30] * 1.1, y[:30] - 0.2
    start = cu.init_params(4, "random", seed=8)
    kwargs = dict(lr=RATES[optimizer], epochs=EPOCHS, optimizer=optimizer, weight_decay=0.01, schedule="step",
                  batch_size=batch_size, seed=3)
    alone = cu.train(X, y, start, **kwargs)
    watched = cu.train(X, y, start, validation=(X_val, y_val), **kwargs)
    assert np.array_equal(alone.losses, watched.losses)
    assert all(np.array_equal(alone.params[k], watched.params[k]) for k in alone.params)
    assert len(watched.val_losses) == EPOCHS + 1
    assert watched.val_losses[-1] == pytest.approx(cu.mse(y_val, cu.forward(X_val, watched.params)), rel=1e-12)


@pytest.mark.parametrize("kwargs", [dict(optimizer="momentum"), dict(weight_decay=1000.0)], ids=["momentum", "decay"])
def test_a_diverging_run_stops_at_its_last_finite_loss(kwargs):
    X, y = cu.make_dataset(200, seed=1)          # raw data at rate 5; or each weight times 1 - 5 * 1000 a step
    for batch_size in (None, 50):
        result = cu.train(X, y, cu.init_params(4), lr=5.0, epochs=400, batch_size=batch_size, seed=0,
                          validation=(X[:20], y[:20]), **kwargs)
        assert result.diverged and len(result.losses) < 401
        assert np.all(np.isfinite(result.losses)) and len(result.val_losses) == len(result.losses)
        assert all(np.all(np.isfinite(v)) for v in result.params.values())


def test_learning_rates_follow_the_schedules():
    assert np.array_equal(learning_rates(0.1, 5), np.full(5, 0.1))
    cosine = learning_rates(0.2, 100, "cosine")
    assert cosine[0] == 0.2 and cosine[50] == pytest.approx(0.1) and 0 < cosine[-1] < 1e-4
    assert np.all(np.diff(cosine) < 0)
    step = learning_rates(1.0, 8, "step")
    np.testing.assert_allclose(step, [1, 1, 1, 1, 0.1, 0.1, 0.01, 0.01])
    assert learning_rates(0.3, 0, "cosine").shape == (0,)


def test_train_stack_decays_as_train_does(data):
    X, y = data
    starts = [cu.init_params(6, "random", seed=s) for s in range(3)]
    sets = [(X[20 * k:20 * k + 60], y[20 * k:20 * k + 60]) for k in range(3)]
    lam, lr, epochs = [0.0, 0.01, 0.3], [0.05, 0.1, 0.02], [30, 50, 40]
    stacked = train_stack([a for a, _ in sets], [b for _, b in sets], starts, lr=lr, epochs=epochs, weight_decay=lam)
    for k in range(3):
        alone = cu.train(*sets[k], starts[k], lr=lr[k], epochs=epochs[k], weight_decay=lam[k]).params
        for key in alone:
            np.testing.assert_allclose(stacked[k][key], alone[key], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("kwargs, words", [
    (dict(optimizer="rmsprop"), "optimizer must be 'sgd', 'momentum' or 'adam', got 'rmsprop'"),
    (dict(schedule="linear"), "schedule must be 'constant', 'cosine' or 'step'"),
    (dict(momentum=0.5), "momentum is used by optimizer='momentum' only, got optimizer='sgd'"),
    (dict(optimizer="adam", momentum=0.5), "momentum is used by optimizer='momentum' only"),
    (dict(optimizer="momentum", betas=(0.9, 0.99)), "betas is used by optimizer='adam' only"),
    (dict(eps=1e-6), "eps is used by optimizer='adam' only"),
    (dict(optimizer="momentum", momentum=1.0), "momentum must be a number from 0 up to (not including) 1, got 1"),
    (dict(optimizer="adam", betas=0.9), "betas must be a pair (beta1, beta2)"),
    (dict(optimizer="adam", betas=(0.9, 1.5)), "betas[1] must be a number from 0 up to (not including) 1"),
    (dict(optimizer="adam", eps=0), "eps must be a finite number greater than 0, got 0"),
    (dict(weight_decay=-0.1), "weight_decay must be a finite number >= 0, got -0.1"),
    (dict(weight_decay="0.1"), "weight_decay must be a number, got '0.1'"),
])
def test_bad_options_are_named(data, kwargs, words):
    X, y = data
    for call in (lambda: cu.train(X, y, cu.init_params(2), epochs=1, **kwargs),
                 lambda: cu.train_many(X, y, [cu.init_params(2)], epochs=1, **kwargs),
                 lambda: cu.train(X, y, cu.init_params(2), epochs=1, batch_size=10, **kwargs)):
        with pytest.raises((ValueError, TypeError)) as err:
            call()
        assert words in str(err.value)


def test_train_stack_refuses_a_negative_decay(data):
    X, y = data
    with pytest.raises(ValueError, match=r"weight_decay\[1\] must be a finite number >= 0"):
        train_stack(X, y, [cu.init_params(2)] * 2, lr=0.1, epochs=1, weight_decay=[0.0, -1.0])


# ----- torch.optim, where PyTorch is installed -----

def torch_run(X, y, start, lr, epochs, make, batch_size=None, seed=None):
    """The same network and data in PyTorch, float64: weights in one group with weight decay, biases in another."""
    torch = pytest.importorskip("torch")
    p = {k: torch.tensor(np.array(v, dtype=np.float64), requires_grad=True) for k, v in start.items()}
    opt = make(torch, [p["W1"], p["W2"]], [p["b1"], p["b2"]])
    Xt, yt = torch.tensor(X), torch.tensor(y)
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = np.arange(len(X)) if batch_size is None else rng.permutation(len(X))
        size = len(X) if batch_size is None else batch_size
        for a in range(0, len(X), size):
            rows = torch.tensor(order[a:a + size])
            y_hat = torch.sigmoid(Xt[rows] @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
            loss = torch.mean((y_hat - yt[rows]) ** 2)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return {k: v.detach().numpy() for k, v in p.items()}


@pytest.mark.parametrize("batch_size", [None, 24])
@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_train_agrees_with_torch_optim(data, optimizer, batch_size):
    X, y = data
    start = cu.init_params(5, "random", seed=9)
    lam, lr = 0.02, RATES[optimizer]
    if optimizer == "momentum":
        def make(torch, weights, biases):
            return torch.optim.SGD([{"params": weights, "weight_decay": lam}, {"params": biases}], lr=lr,
                                   momentum=0.8)
    else:
        def make(torch, weights, biases):
            return torch.optim.Adam([{"params": weights, "weight_decay": lam}, {"params": biases}], lr=lr,
                                    betas=(0.85, 0.99), eps=1e-6)
    expected = torch_run(X, y, start, lr, EPOCHS, make, batch_size, seed=5)
    ours = cu.train(X, y, start, lr=lr, epochs=EPOCHS, optimizer=optimizer, weight_decay=lam, batch_size=batch_size,
                    seed=5, **OPTIONS[optimizer]).params
    for key in ours:
        np.testing.assert_allclose(ours[key], expected[key], rtol=1e-9, atol=1e-12)
