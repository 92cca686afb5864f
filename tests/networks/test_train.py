"""The numba training loop: bookkeeping, sampling, symmetry, divergence, torch parity."""

from __future__ import annotations

import numpy as np
import pytest

from losscape import network_service as ns
from losscape.networks import mlp
from losscape.networks import train as tr
from losscape.numerics.optimizers import OPTIMIZERS


def numpy_gd(X, t, W1, b1, w2, b2, lr, steps):
    """Full-batch GD on y = w2 . tanh(W1 x + b1) + b2 with E = mean (y - t)^2 / 2, by hand."""
    losses = []
    for _ in range(steps):
        h = np.tanh(X @ W1.T + b1)
        y = h @ w2 + b2
        r = y - t
        losses.append(np.mean(0.5 * r**2))
        dy = r / len(t)
        gw2 = h.T @ dy
        gb2 = dy.sum()
        dz = np.outer(dy, w2) * (1 - h**2)
        gW1 = dz.T @ X
        gb1 = dz.sum(axis=0)
        W1, b1, w2, b2 = W1 - lr * gW1, b1 - lr * gb1, w2 - lr * gw2, b2 - lr * gb2
    return np.array(losses), W1, b1, w2, b2


def test_full_batch_gd_matches_a_hand_written_numpy_loop():
    model = {"name": "mlp", "params": {"hidden": [5]}}
    h = ns.train("ravine", model, "gd", lr=0.05, steps=40, seed=3)
    p = h.problem
    arch = p.model.arch
    th = h.initial_theta
    losses, W1, _, w2, _ = numpy_gd(
        p.X, p.T, arch.weight(th, 0), arch.bias_of(th, 0), arch.weight(th, 1)[0],
        arch.bias_of(th, 1)[0], 0.05, 40,
    )  # fmt: skip
    np.testing.assert_allclose(h.batch_loss, losses, rtol=1e-10)
    np.testing.assert_allclose(h.train_loss[:-1], losses, rtol=1e-10)
    np.testing.assert_allclose(h.weights(0), W1, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(h.weights(1)[0], w2, rtol=1e-9, atol=1e-12)
    assert h.status == "done" and h.steps_taken == 40 and h.stopped_at is None
    assert h.record_steps.tolist() == list(range(41))
    assert np.all(h.lrs == 0.05)


def test_each_epoch_visits_every_point_once():
    perm = np.arange(10, dtype=np.int64)
    ctx = np.zeros(3, dtype=np.int64)
    out = np.empty(3, dtype=np.int64)
    for epoch in range(3):
        seen = []
        sizes = []
        for _ in range(4):
            m = tr.next_batch(perm, ctx, 3, 7, out)
            sizes.append(m)
            seen += out[:m].tolist()
        assert sizes == [3, 3, 3, 1]
        assert sorted(seen) == list(range(10))
        assert ctx[tr.CTX_EPOCH] == epoch + 1
    # Different epochs are shuffled differently, the same seed the same way.
    a = np.arange(50, dtype=np.int64)
    b = np.arange(50, dtype=np.int64)
    tr.shuffle(a, 1, 0)
    tr.shuffle(b, 1, 1)
    assert not np.array_equal(a, b)
    c = np.arange(50, dtype=np.int64)
    tr.shuffle(c, 1, 0)
    np.testing.assert_array_equal(a, c)


def test_sgd_losses_of_an_epoch_are_the_per_point_losses():
    h = ns.train("moons", "logistic_regression", "gd", lr=1e-6, steps=160, batch_size=1, seed=2)
    n = h.n_train
    assert n == 160 and h.epochs == pytest.approx(1.0)
    p = h.problem
    acts, _ = mlp.scratch(p.model.arch)
    stats = mlp.norm_stats(p.model.arch)
    per = [
        mlp.loss_only(
            p.layout, p.loss_id, h.initial_theta, p.X, p.T, np.array([i]), acts, stats, True
        )[0]
        for i in range(n)
    ]
    # lr is tiny, so each step's batch loss is (nearly) the loss of one point, each point once.
    np.testing.assert_allclose(np.sort(h.batch_loss), np.sort(per), rtol=1e-3)


@pytest.mark.parametrize("init", ["zeros", "constant"])
def test_symmetric_init_keeps_hidden_units_identical(init):
    h = ns.train(
        "xor", {"name": "mlp", "params": {"hidden": [4]}}, "gd", lr=0.5, steps=60, init=init,
        init_scale=0.3,
    )  # fmt: skip
    assert h.snapshots is not None and h.snapshots.shape[0] == 61
    for snap in h.snapshots:
        W1 = h.weights(0, snap)
        w2 = h.weights(1, snap)
        assert np.all(W1[0] == W1), "incoming weights stay identical"
        assert np.all(w2 == w2[0, 0]), "outgoing weights stay identical"
    if init == "constant":
        assert not np.array_equal(h.snapshots[0], h.snapshots[-1]), "the weights did move"


def test_random_init_separates_hidden_units():
    h = ns.train("xor", {"name": "mlp", "params": {"hidden": [4]}}, "gd", lr=0.5, steps=60)
    W1 = h.weights(0)
    assert len({tuple(r) for r in W1}) == 4


def test_divergence_stops_with_finite_records():
    h = ns.train(
        "ravine", {"name": "linear_regression", "params": {"bias": False}}, "gd", lr=0.01,
        steps=500, normalize=False, record_every=1,
    )  # fmt: skip
    assert h.status == "diverged"
    k = h.stopped_at
    assert k is not None and 0 < k < 500
    assert h.steps_taken == k and h.batch_loss.shape == (k,)
    assert np.all(np.isfinite(h.train_loss)) and np.all(np.isfinite(h.theta))
    assert h.record_steps[-1] == k - 1
    np.testing.assert_array_equal(h.snapshots[-1], h.theta)


def test_chunked_training_equals_one_call_and_reports_progress():
    kw = {"lr": 0.3, "steps": 97, "batch_size": 7, "seed": 4}
    calls = []
    a = ns.train("moons", "mlp", "gd", **kw)
    b = ns.train("moons", "mlp", "gd", progress=lambda d, n, part: calls.append((d, n, part)), **kw)
    np.testing.assert_array_equal(a.batch_loss, b.batch_loss)
    np.testing.assert_array_equal(a.train_loss, b.train_loss)
    np.testing.assert_array_equal(a.theta, b.theta)
    assert [c[0] for c in calls] == sorted({c[0] for c in calls}) and calls[-1][0] < 97
    assert all(c[1] == 97 for c in calls)
    part = calls[0][2]
    assert isinstance(part, ns.TrainingHistory) and part.steps_taken == calls[0][0]

    def cancel(done, total, partial):
        raise ns.Cancelled

    with pytest.raises(ns.Cancelled):
        ns.train("moons", "mlp", "gd", progress=cancel, **kw)


def test_target_loss_stops_as_reached():
    h = ns.train("moons", "mlp", "gd", lr=1.0, steps=2000, target_loss=0.2)
    assert h.status == "reached"
    assert h.train_loss[-1] <= 0.2 < h.train_loss[-2]
    assert h.stopped_at == h.record_steps[-1] == h.steps_taken


TORCH_OPTIMIZERS = [o for o in OPTIMIZERS if o.torch_name and not o.surfaces_only]


@pytest.mark.torch
@pytest.mark.parametrize("spec", TORCH_OPTIMIZERS, ids=lambda o: o.name)
def test_training_matches_torch(spec):
    """The same 2-8-8-1 tanh net, init, data and optimizer in torch (float64) and here."""
    torch = pytest.importorskip("torch")
    model = {"name": "mlp", "params": {"hidden": [8, 8]}}
    h = ns.train("moons", model, spec.name, steps=30, seed=5)
    p = h.problem
    arch = p.model.arch
    layers = [
        torch.nn.Linear(a, b).double() for a, b in zip(arch.widths, arch.widths[1:], strict=False)
    ]
    with torch.no_grad():
        for k, lin in enumerate(layers):
            lin.weight.copy_(torch.from_numpy(arch.weight(h.initial_theta, k)))
            lin.bias.copy_(torch.from_numpy(arch.bias_of(h.initial_theta, k)))
    net = torch.nn.Sequential(layers[0], torch.nn.Tanh(), layers[1], torch.nn.Tanh(), layers[2])
    kwargs: dict[str, object] = {}
    for hp in spec.hyperparams:
        value = h.hyperparams[hp.name]
        kwargs[hp.name] = bool(value) if hp.kind == "bool" else value
    if "beta1" in kwargs:
        kwargs["betas"] = (kwargs.pop("beta1"), kwargs.pop("beta2"))
    opt = getattr(torch.optim, spec.torch_name)(net.parameters(), lr=h.lr, **kwargs)
    X = torch.from_numpy(p.X)
    T = torch.from_numpy(p.T)
    losses = []
    for _ in range(30):
        opt.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(net(X)[:, 0], T)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    np.testing.assert_allclose(h.batch_loss, losses, rtol=1e-10)
    np.testing.assert_allclose(
        h.weights(1), layers[1].weight.detach().numpy(), rtol=1e-8, atol=1e-12
    )


def test_uniforms_are_uniform_and_seeds_independent():
    u = np.array([tr.uniform(3, 0, k) for k in range(20000)])
    assert u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 0.01 and abs(u.var() - 1 / 12) < 0.005
    # (seed, k) and (seed + 1, k - 1) must not coincide.
    v = np.array([tr.uniform(4, 0, k - 1) for k in range(1, 20000)])
    assert abs(np.corrcoef(u[1:], v)[0, 1]) < 0.05


def test_default_records_are_about_a_hundred_at_their_own_steps():
    """By default ~100 evaluations, each labelled with its step: the page's x axis reads them."""
    model = {"name": "mlp", "params": {"hidden": [4]}}
    h = ns.train("moons", model, "adam", lr=0.01, steps=500, batch_size=32, seed=1)
    steps = h.record_steps
    assert 100 <= steps.shape[0] <= 102
    assert steps[0] == 0 and steps[-1] == 500 and np.all(np.diff(steps) > 0)
    assert h.train_loss.shape == steps.shape
    # More on request: every step; the default's records are the same losses at the same steps.
    every = ns.train("moons", model, "adam", lr=0.01, steps=500, batch_size=32, seed=1,
                     record_every=1)  # fmt: skip
    assert every.record_steps.tolist() == list(range(501))
    assert np.array_equal(every.train_loss[steps], h.train_loss)
