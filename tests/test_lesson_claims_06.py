"""The claims notebook 06 makes about numbers, kept true with the package's own functions.

Each test states the sentence it guards and rebuilds the notebook's setting (the same samples, seeds and
recipes). nbval keeps the prose and the printout in step; these tests fail if a change to the package makes
the claim itself false.
"""

import numpy as np
import pytest

import course_utils as cu
from course_utils.stacked import train_stack

S, WIDTH, BATCH, LR, STEPS, SETTLE = 20, 64, 10, 0.05, 10_000, 1_000      # section 1's recipe


def _epochs(n, steps):
    return -(-steps // -(-n // BATCH))


def _sets(n, noise_free=False):
    out = []
    for s in range(S):
        X, y = cu.make_dataset(n, seed=100 + s)
        if noise_free:                                  # section 2's control: the same points, y = f(X)
            y = cu.target_function(X[:, 0], X[:, 1]).reshape(-1, 1)
        xs, ys = cu.StandardScaler().fit(X), cu.StandardScaler().fit(y)
        out.append((xs, ys, xs.transform(X), ys.transform(y)))
    return out


def _rows(params, sets, X_grid):
    return np.array([ys.inverse_transform(cu.forward(xs.transform(X_grid), p))[:, 0]
                     for p, (xs, ys, _, _) in zip(params, sets)])


def _split(params, sets, X_grid, f_grid):
    return cu.bias_variance(_rows(params, sets, X_grid), f_grid)


@pytest.fixture(scope="module")
def sections_1_and_2():
    """Sections 1 and 2 in small: n = 30 at lambda 0, 0.002 and 0.01, n = 1000 at lambda 0, the noise-free
    control (n = 30, y = f(X)), and the n = 30, lambda = 0 networks kept after 2000 steps and settled; returns
    {name: BiasVariance}, and each set's own G at n = 30 and 1000 under "G"."""
    X_grid, f_grid = cu.midpoint_grid(50)
    data = {30: _sets(30), 1000: _sets(1000), "clean": _sets(30, noise_free=True)}
    nets = [(30, 0.0, s) for s in range(S)] + [(30, lam, s) for lam in (2e-3, 1e-2) for s in range(S)] \
        + [(1000, 0.0, s) for s in range(S)] + [("clean", 0.0, s) for s in range(S)]
    rngs = [np.random.default_rng(s) for *_, s in nets]
    params = [cu.init_params(WIDTH, "random", seed=s) for *_, s in nets]
    Xs, ys, decay = [data[n][s][2] for n, _, s in nets], [data[n][s][3] for n, _, s in nets], [lam for _, lam, _ in nets]
    size = {30: 30, 1000: 1000, "clean": 30}
    params = train_stack(Xs, ys, params, lr=LR, epochs=[_epochs(size[n], 2000) for n, _, _ in nets], batch_size=BATCH,
                         seeds=rngs, weight_decay=decay)
    early = train_stack(Xs[:S], ys[:S], params[:S], lr=LR / 10, epochs=_epochs(30, SETTLE), batch_size=BATCH,
                        seeds=[1000 + s for s in range(S)])
    params = train_stack(Xs, ys, params, lr=LR, epochs=[_epochs(size[n], STEPS) - _epochs(size[n], 2000)
                                                         for n, _, _ in nets],
                         batch_size=BATCH, seeds=rngs, weight_decay=decay)
    params = train_stack(Xs, ys, params, lr=LR / 10, epochs=[_epochs(size[n], SETTLE) for n, _, _ in nets],
                         batch_size=BATCH, seeds=rngs, weight_decay=decay)
    groups = {"n30": params[:S], "wd0.002": params[S:2 * S], "wd0.01": params[2 * S:3 * S],
              "n1000": params[3 * S:4 * S], "clean": params[4 * S:]}
    own = {"n1000": data[1000], "clean": data["clean"]}
    out = {name: _split(p, own.get(name, data[30]), X_grid, f_grid) for name, p in groups.items()}
    out["stopped2000"] = _split(early, data[30], X_grid, f_grid)
    out["G"] = {n: np.mean((_rows(groups[name], data[n], X_grid) - f_grid[:, 0]) ** 2, axis=1)
                for n, name in ((30, "n30"), (1000, "n1000"))}
    return out


def test_variance_falls_far_more_than_bias_from_30_to_1000_samples(sections_1_and_2):
    # "from 30 to 1000 samples the variance falls by tens of times (39-fold here) while the bias² falls far less
    # (4.3-fold)"; "more than half of it is variance" at n = 30.
    small, large = sections_1_and_2["n30"], sections_1_and_2["n1000"]
    assert small.variance > small.bias2
    assert small.variance / large.variance > 20
    assert small.bias2 / large.bias2 < small.variance / large.variance / 3
    assert large.bias2 > large.variance
    for split in (small, large):
        assert abs(split.mean_G - split.bias2 - split.variance) < 1e-12 < split.mc_error


def test_the_G_of_single_small_sets_has_a_long_right_tail(sections_1_and_2):
    # "The mean sits above the median, pulled up by the few sets that went badly, and the largest is 3.8 times the
    # median ... At n = 1000 the tail is short (the largest G is 1.8 times the median)".
    G30, G1000 = sections_1_and_2["G"][30], sections_1_and_2["G"][1000]
    assert np.isclose(G30.mean(), sections_1_and_2["n30"].mean_G)
    assert G30.mean() > np.median(G30)
    assert G30.max() > 3 * np.median(G30)
    assert G1000.max() < 2.5 * np.median(G1000)


def test_weight_decay_raises_G_through_the_bias_on_the_small_sample(sections_1_and_2):
    # "Over the four values tried, the mean G rises from the first on ... the gap between the two means is about
    # the size of their Monte-Carlo errors ... From 0.01 on there is no doubt ... The bias² grows steadily. On these
    # sets the variance barely moves at first ... Whatever variance the smallest penalty saved, the bias² it added
    # cost at least as much".
    g0, g1, g2 = (sections_1_and_2[k] for k in ("n30", "wd0.002", "wd0.01"))
    assert g0.mean_G < g1.mean_G < g2.mean_G
    assert g1.mean_G - g0.mean_G < g0.mc_error + g1.mc_error
    assert g2.mean_G - g0.mean_G > 3 * (g0.mc_error + g2.mc_error)
    assert g0.bias2 < g1.bias2 < g2.bias2
    assert abs(g1.variance / g0.variance - 1) < 0.1 and g2.variance > g0.variance
    assert g1.bias2 - g0.bias2 >= g0.variance - g1.variance


def test_most_of_the_small_samples_variance_remains_without_noise(sections_1_and_2):
    # "With no noise to fit, the 20 networks disagree almost as much as before: the variance is 1.79 against 2.30,
    # so 78% of it remains, and the bias² hardly changes (1.67 against 1.68)".
    noisy, clean = sections_1_and_2["n30"], sections_1_and_2["clean"]
    assert 0.6 < clean.variance / noisy.variance < 1
    assert abs(clean.bias2 / noisy.bias2 - 1) < 0.1


def test_stopping_early_costs_about_the_G_of_the_matching_penalty(sections_1_and_2):
    # "On these sets the match is close in G ... 10.43 against 10.72 at 0.01, ratios from 0.84 to 1.01 ... both
    # raise G and bias² steadily ... stopped early, the networks keep more variance and less bias² ... training
    # for fewer steps was never better than the full 10,000".
    stopped, penalised, full = (sections_1_and_2[k] for k in ("stopped2000", "wd0.01", "n30"))
    assert abs(stopped.mean_G / penalised.mean_G - 1) < 0.2
    assert stopped.mean_G > full.mean_G and stopped.bias2 > full.bias2
    assert stopped.variance > penalised.variance and stopped.bias2 < penalised.bias2


def test_a_decaying_rate_or_averaging_removes_the_final_iterate_lottery():
    # Section 3: from 05's settled network, 100 epochs of batch 32 from lr 0.1, 10 seeds. "the spread of the final
    # loss fell from 0.3075 to 0.0003 (step) and 0.0002 (cosine), more than a hundred times, and the average of
    # the last 20 iterates ended lowest (below the step schedule in 10 of 10 seeds)"; "both schedules end a little
    # above the constant run's median".
    X, y = cu.make_dataset()
    Xs, ys = cu.StandardScaler().fit_transform(X[:500]), cu.StandardScaler().fit_transform(y[:500])
    rng = np.random.default_rng(0)
    start = cu.train(Xs, ys, cu.init_params(16, "random", seed=0), lr=0.05, epochs=200, batch_size=10, seed=rng).params
    start = cu.train(Xs, ys, start, lr=0.005, epochs=20, batch_size=10, seed=rng).params
    final = {}
    for schedule in ("constant", "step", "cosine"):
        final[schedule] = np.array([cu.train(Xs, ys, start, lr=0.1, epochs=100, batch_size=32, seed=s,
                                             schedule=schedule).final_loss for s in range(10)])
    averaged = []
    for s in range(10):
        rng = np.random.default_rng(s)
        p = cu.train(Xs, ys, start, lr=0.1, epochs=80, batch_size=32, seed=rng).params
        tail = []
        for _ in range(20):
            p = cu.train(Xs, ys, p, lr=0.1, epochs=1, batch_size=32, seed=rng).params
            tail.append(p)
        averaged.append(cu.mse(ys, cu.forward(Xs, {k: np.mean([q[k] for q in tail], axis=0) for k in p})))
    final["average"] = np.array(averaged)
    spread = {k: np.ptp(v) for k, v in final.items()}
    assert spread["step"] < spread["constant"] / 100 and spread["cosine"] < spread["constant"] / 100
    assert spread["average"] < spread["constant"] / 10
    assert np.median(final["average"]) < min(np.median(v) for k, v in final.items() if k != "average")
    assert np.all(final["average"] < final["step"])
    assert min(np.median(final["step"]), np.median(final["cosine"])) > np.median(final["constant"])


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9])
def test_heavy_ball_on_a_parabola_is_stable_below_2_1_plus_beta_over_lambda(beta):
    # "At 0.95 times the limit every run shrinks ...; at 1.05 times it every run blows up".
    def run(lr, lam=1.0, w=1.0, steps=300):
        buf = None
        for _ in range(steps):
            buf = lam * w if buf is None else beta * buf + lam * w
            w -= lr * buf
        return abs(w)
    limit = 2 * (1 + beta)
    assert run(0.95 * limit) < 1e-6 and run(1.05 * limit) > 1e6


@pytest.fixture(scope="module")
def task_o():
    X, y = cu.make_dataset()
    xs, ysc = cu.StandardScaler().fit(X[:1000]), cu.StandardScaler().fit(y[:1000])
    starts = [cu.init_params(16, "random", seed=s) for s in range(10)]
    return xs, ysc, xs.transform(X[:1000]), ysc.transform(y[:1000]), starts


def _end(run):
    return np.inf if run.diverged else float(np.mean(run.losses[-20:]))


def test_each_optimiser_at_its_own_rate_and_momentum_and_adam_beat_sgd_on_the_grid(task_o):
    # "Plain SGD's best rate is lr 0.3 ... Momentum at lr 0.3 ... Adam at lr 0.1; both are below SGD in 10 of 10
    # starts". The rates: each the smallest within 5% of its sweep's lowest median training MSE.
    xs, ysc, Xs, ys, starts = task_o
    X_grid, f_grid = cu.midpoint_grid(50)
    sweeps = {"sgd": (0.1, 0.3, 1.0), "momentum": (0.1, 0.3, 1.0), "adam": (0.03, 0.1, 0.3, 1.0)}
    runs = {(o, r): cu.train_many(Xs, ys, starts, lr=r, epochs=200, optimizer=o) for o, rates in sweeps.items()
            for r in rates}
    best = {}
    for o, rates in sweeps.items():
        med = np.array([np.median([_end(x) for x in runs[o, r]]) for r in rates])
        best[o] = min(r for r, m in zip(rates, med) if m <= 1.05 * med.min())
    assert best == {"sgd": 0.3, "momentum": 0.3, "adam": 0.1}
    G = {o: np.array([cu.grid_error(ysc.inverse_transform(cu.forward(xs.transform(X_grid), x.params)), f_grid)
                      for x in runs[o, best[o]]]) for o in sweeps}
    assert np.all(G["momentum"] < G["sgd"]) and np.all(G["adam"] < G["sgd"])
    # "At lr 1.0, 2.65 to 2.75 times the limit, 7 of 10 starts flatten into a constant ..., and the median end,
    # 122, is what always predicting the mean of y scores. Already at lr 0.45, 1.19 to 1.24 times the limit, all
    # 10 flatten, while lr 0.3, 0.80 to 0.83 times it, is momentum's best rate"; none diverges.
    runs["momentum", 0.45] = cu.train_many(Xs, ys, starts, lr=0.45, epochs=200, optimizer="momentum")
    flat = {r: sum(not x.diverged and np.std(cu.forward(Xs, x.params)) < 0.05 for x in runs["momentum", r])
            for r in (0.3, 0.45, 1.0)}
    assert flat == {0.3: 0, 0.45: 10, 1.0: 7}
    assert not any(x.diverged for r in (0.3, 0.45, 1.0) for x in runs["momentum", r])
    assert abs(np.median([_end(x) for x in runs["momentum", 1.0]]) - 1.0) < 0.01      # standardised: the mean scores 1
    limits = np.array([2 * (1 + 0.9) / cu.sharpness(Xs, ys, p) for p in starts])
    assert 2.5 < 1.0 / limits.max() and 1.0 / limits.min() < 3.0
    assert 1.0 < 0.45 / limits.max() and 0.3 / limits.min() < 1.0
    # "at the starts lambda_max is 10.1 to 10.5, above 2/0.3 = 6.67, and at the end of the runs it is 3.4 to 3.7,
    # below it in 10 of 10": SGD at lr 0.3 catapulted.
    assert all(cu.sharpness(Xs, ys, p) > 2 / 0.3 for p in starts)
    assert all(cu.sharpness(Xs, ys, x.params) < 2 / 0.3 for x in runs["sgd", 0.3])


def test_the_range_test_finds_sgds_rate_above_its_local_limit(task_o):
    # "For SGD the range test puts its lowest point at lr 0.316 ... its median blows up above 1000 first at lr 1
    # ... 2/lambda_max (median 0.197) sits below the best SGD rate".
    _, ysc, Xs, ys, starts = task_o
    rates = np.logspace(-2, 0.5, 11)
    ends = np.array([np.median([np.inf if x.diverged else np.mean(x.losses[-5:]) * float(ysc.scale_[0]) ** 2
                                for x in cu.train_many(Xs, ys, starts, lr=r, epochs=50)]) for r in rates])
    assert np.isclose(rates[np.argmin(ends)], 10 ** -0.5)
    assert np.all(ends[rates < 0.9] <= 1000) and np.all(ends[rates > 0.9] > 1000)
    limit = np.median([2 / cu.sharpness(Xs, ys, p) for p in starts])
    assert limit < rates[np.argmin(ends)]
