"""Batch normalisation in the numba passes: against numpy, finite differences and torch."""

from __future__ import annotations

import numpy as np
import pytest

from losscape import network_service as ns
from losscape.networks import mlp
from losscape.networks.batchnorm import BN_EPS
from losscape.networks.train import next_batch
from losscape.numerics.registry import OPTIMIZER_BY_NAME

ACTS = {
    mlp.ACT_TANH: np.tanh,
    mlp.ACT_LOGISTIC: lambda z: 1.0 / (1.0 + np.exp(-z)),
    mlp.ACT_RELU: lambda z: np.maximum(z, 0.0),
}


def numpy_outputs(arch, theta, X, stats=None):
    """Reference forward pass from the textbook: z = a W^T + b, BN over the rows, act.

    ``stats``: a list of (mean, var) per hidden layer to normalise with (evaluation);
    None normalises with the rows' own mean and biased variance (training).
    """
    a = X
    n_layers = len(arch.widths) - 1
    for layer in range(n_layers):
        W = arch.weight(theta, layer)
        b = arch.bias_of(theta, layer)
        z = a @ W.T + (0.0 if b is None else b)
        if layer == n_layers - 1:
            return z
        gamma, beta = arch.norm_params(theta, layer)
        mean, var = (z.mean(axis=0), z.var(axis=0)) if stats is None else stats[layer]
        z = gamma * (z - mean) / np.sqrt(var + BN_EPS) + beta
        a = ACTS[arch.activation](z)
    raise AssertionError("unreachable")


def numpy_loss(arch, theta, X, t):
    z = numpy_outputs(arch, theta, X)
    if arch.loss == mlp.LOSS_SQUARED:
        return float(np.mean(0.5 * (z[:, 0] - t) ** 2))
    if arch.loss == mlp.LOSS_BCE:
        return float(np.mean(np.logaddexp(0.0, z[:, 0]) - t * z[:, 0]))
    zmax = z.max(axis=1, keepdims=True)
    lse = np.log(np.exp(z - zmax).sum(axis=1)) + zmax[:, 0]
    return float(np.mean(lse - z[np.arange(t.shape[0]), t.astype(int)]))


def kernel(arch, theta, X, t):
    """(loss, grad, stats) of the training-mode pass over the whole batch."""
    acts, deltas = mlp.scratch(arch, X.shape[0])
    stats = mlp.norm_stats(arch)
    grad = np.zeros(arch.n_params)
    idx = np.arange(X.shape[0], dtype=np.int64)
    loss, _ = mlp.loss_grad(
        arch.layout, arch.loss, theta, X, t, idx, acts, deltas, grad, False, stats
    )
    return loss, grad, stats


def data_for(loss, n, rng, k=3):
    X = rng.standard_normal((n, 2)) * [1.0, 3.0] + [2.0, -1.0]  # uncentred on purpose
    if loss == mlp.LOSS_SQUARED:
        return X, rng.standard_normal(n), 1
    if loss == mlp.LOSS_SOFTMAX:
        return X, rng.integers(0, k, n).astype(np.float64), k
    return X, rng.integers(0, 2, n).astype(np.float64), 1


def random_theta(arch, rng):
    theta = rng.normal(0.0, 0.8, arch.n_params)
    for layer in range(len(arch.hidden)):
        gamma, beta = arch.norm_params(theta, layer)
        gamma[:] = rng.uniform(0.5, 1.5, gamma.shape)  # away from 1, 0: a real scale and shift
        beta[:] = rng.normal(0.0, 0.5, beta.shape)
    return theta


CASES = [
    ((5,), mlp.ACT_TANH, mlp.LOSS_SQUARED, True),
    ((5,), mlp.ACT_LOGISTIC, mlp.LOSS_BCE, False),
    ((4, 3), mlp.ACT_TANH, mlp.LOSS_SOFTMAX, True),
    ((4, 3), mlp.ACT_LOGISTIC, mlp.LOSS_SQUARED, False),
    ((6, 5), mlp.ACT_RELU, mlp.LOSS_BCE, True),
]


def test_layout_and_names_put_gamma_and_beta_after_each_hidden_layer():
    arch = mlp.Architecture(2, (3,), 1, mlp.ACT_TANH, mlp.LOSS_SQUARED, batch_norm=True)
    assert arch.n_params == 2 * 3 + 3 + 3 + 3 + 3 + 1  # W1, b1, gamma1, beta1, W2, b2
    names = arch.param_names()
    assert names[9:15] == [f"gamma1[{j}]" for j in range(3)] + [f"beta1[{j}]" for j in range(3)]
    assert len(names) == arch.n_params
    theta = mlp.initial_theta(arch, "xavier", 0)
    gamma, beta = arch.norm_params(theta, 0)
    assert np.all(gamma == 1.0) and np.all(beta == 0.0)
    assert arch.norm_params(theta, 1) is None  # the output layer is not normalised


@pytest.mark.parametrize(("hidden", "act", "loss", "bias"), CASES)
def test_batch_norm_gradient_matches_finite_differences_for_every_parameter(
    hidden, act, loss, bias
):
    rng = np.random.default_rng(len(hidden) * 100 + act * 10 + loss)
    X, t, k = data_for(loss, 29, rng)
    arch = mlp.Architecture(2, hidden, k, act, loss, bias, batch_norm=True)
    theta = random_theta(arch, rng)
    value, grad, _ = kernel(arch, theta, X, t)
    assert value == pytest.approx(numpy_loss(arch, theta, X, t), rel=1e-12)
    numeric = np.empty_like(theta)
    for j in range(theta.shape[0]):
        h = 1e-6 * (1.0 + abs(theta[j]))
        up, down = theta.copy(), theta.copy()
        up[j] += h
        down[j] -= h
        numeric[j] = (numpy_loss(arch, up, X, t) - numpy_loss(arch, down, X, t)) / (up[j] - down[j])
    scale = max(np.abs(numeric).max(), 1.0)
    assert np.max(np.abs(grad - numeric)) < 1e-7 * scale
    names = arch.param_names()
    assert any(n.startswith("gamma") and abs(g) > 1e-4 for n, g in zip(names, grad, strict=True))
    if bias:  # a bias before batch normalisation is cancelled by the centring
        first_bias = arch.bias_of(grad, 0)
        np.testing.assert_allclose(first_bias, 0.0, atol=1e-12)


def test_statistics_cover_the_whole_batch_not_one_chunk():
    rng = np.random.default_rng(7)
    n = 3 * mlp.CHUNK + 17
    X, t, _ = data_for(mlp.LOSS_SQUARED, n, rng)
    arch = mlp.Architecture(2, (4,), 1, mlp.ACT_TANH, mlp.LOSS_SQUARED, batch_norm=True)
    theta = random_theta(arch, rng)
    loss, _, stats = kernel(arch, theta, X, t)
    assert loss == pytest.approx(numpy_loss(arch, theta, X, t), rel=1e-12)
    z = X @ arch.weight(theta, 0).T + arch.bias_of(theta, 0)
    rows = slice(2, 6)  # layer 1's units follow the two inputs
    np.testing.assert_allclose(stats[0, rows], z.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(stats[1, rows], z.var(axis=0), rtol=1e-12)
    narrow, deltas = mlp.scratch(arch)  # one chunk wide: too narrow for this batch
    with pytest.raises(ValueError, match="whole batch"):
        mlp.loss_grad(
            arch.layout, arch.loss, theta, X, t, np.arange(n), narrow, deltas,
            np.zeros(arch.n_params), False, stats,
        )  # fmt: skip


def test_evaluation_normalises_new_points_with_the_training_statistics():
    rng = np.random.default_rng(3)
    X, _, _ = data_for(mlp.LOSS_BCE, 60, rng)
    arch = mlp.Architecture(2, (5, 4), 1, mlp.ACT_TANH, mlp.LOSS_BCE, batch_norm=True)
    theta = random_theta(arch, rng)
    acts, _ = mlp.scratch(arch, X.shape[0])
    stats = mlp.norm_stats(arch)
    mlp.population_stats(arch.layout, theta, X, acts, stats)
    new = rng.standard_normal((300, 2))  # more than a chunk, one point at a time is the same
    out = np.empty((300, 1))
    mlp.outputs(arch.layout, theta, new, acts, out, stats)
    # the reference's per-layer statistics of the training points
    ref_stats = []
    a = X
    for layer in range(2):
        z = a @ arch.weight(theta, layer).T + arch.bias_of(theta, layer)
        ref_stats.append((z.mean(axis=0), z.var(axis=0)))
        gamma, beta = arch.norm_params(theta, layer)
        a = np.tanh(gamma * (z - z.mean(axis=0)) / np.sqrt(z.var(axis=0) + BN_EPS) + beta)
    np.testing.assert_allclose(out, numpy_outputs(arch, theta, new, ref_stats), rtol=1e-11)
    single = np.empty((1, 1))
    mlp.outputs(arch.layout, theta, new[:1], acts, single, stats)
    assert single[0, 0] == pytest.approx(out[0, 0], rel=1e-14)


def test_swapping_two_units_swaps_their_gamma_and_beta_too():
    from losscape.networks.permutation import swap_units

    rng = np.random.default_rng(4)
    X, t, _ = data_for(mlp.LOSS_SQUARED, 40, rng)
    arch = mlp.Architecture(2, (4,), 1, mlp.ACT_TANH, mlp.LOSS_SQUARED, batch_norm=True)
    theta = random_theta(arch, rng)
    swapped = swap_units(arch, theta, 0, 1, 3)
    gamma, gamma_s = arch.norm_params(theta, 0)[0], arch.norm_params(swapped, 0)[0]
    assert gamma_s[1] == gamma[3] and gamma_s[3] == gamma[1]
    assert numpy_loss(arch, swapped, X, t) == pytest.approx(
        numpy_loss(arch, theta, X, t), rel=1e-12
    )


# --------------------------------------------------------------------------- torch


def torch_net(torch, arch, theta):
    """nn.Sequential(Linear, BatchNorm1d, act, ..., Linear) in float64 holding theta."""
    acts = {
        mlp.ACT_TANH: torch.nn.Tanh,
        mlp.ACT_LOGISTIC: torch.nn.Sigmoid,
        mlp.ACT_RELU: torch.nn.ReLU,
    }
    modules = []
    widths = arch.widths
    with torch.no_grad():
        for layer in range(len(widths) - 1):
            lin = torch.nn.Linear(widths[layer], widths[layer + 1], bias=arch.bias).double()
            lin.weight.copy_(torch.from_numpy(arch.weight(theta, layer).copy()))
            if arch.bias:
                lin.bias.copy_(torch.from_numpy(arch.bias_of(theta, layer).copy()))
            modules.append(lin)
            if layer < len(widths) - 2:
                bn = torch.nn.BatchNorm1d(widths[layer + 1], eps=BN_EPS, momentum=0.1).double()
                gamma, beta = arch.norm_params(theta, layer)
                bn.weight.copy_(torch.from_numpy(gamma.copy()))
                bn.bias.copy_(torch.from_numpy(beta.copy()))
                modules += [bn, acts[arch.activation]()]
    return torch.nn.Sequential(*modules)


def torch_theta(net):
    """The torch net's parameters in losscape's theta order (W, b, gamma, beta per layer)."""
    return np.concatenate([p.detach().numpy().ravel() for p in net.parameters()])


def torch_grad(net):
    return np.concatenate([p.grad.numpy().ravel() for p in net.parameters()])


@pytest.mark.torch
@pytest.mark.parametrize(("hidden", "act", "loss", "bias"), CASES)
def test_loss_and_gradient_equal_torch_batchnorm1d_in_training_mode(hidden, act, loss, bias):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11 + act)
    X, t, k = data_for(loss, 50, rng)
    arch = mlp.Architecture(2, hidden, k, act, loss, bias, batch_norm=True)
    theta = random_theta(arch, rng)
    net = torch_net(torch, arch, theta).train()
    np.testing.assert_array_equal(torch_theta(net), theta)  # same parameter order
    z = net(torch.from_numpy(X))
    T = torch.from_numpy(t)
    F = torch.nn.functional
    if loss == mlp.LOSS_SQUARED:
        ref = 0.5 * F.mse_loss(z[:, 0], T)
    elif loss == mlp.LOSS_BCE:
        ref = F.binary_cross_entropy_with_logits(z[:, 0], T)
    else:
        ref = F.cross_entropy(z, T.long())
    ref.backward()
    value, grad, _ = kernel(arch, theta, X, t)
    assert value == pytest.approx(ref.item(), rel=1e-12)
    np.testing.assert_allclose(grad, torch_grad(net), rtol=1e-9, atol=1e-11)


@pytest.mark.torch
def test_training_steps_and_evaluation_equal_torch():
    """Full-batch and mini-batch SGD with momentum: every batch loss and the final weights."""
    torch = pytest.importorskip("torch")
    model = {"name": "mlp", "params": {"hidden": [6, 5], "activation": "logistic",
                                       "batch_norm": True}}  # fmt: skip
    for batch in (None, 40):
        h = ns.train("moons", model, "momentum", lr=0.3, steps=12, batch_size=batch, seed=2)
        p = h.problem
        arch = p.model.arch
        net = torch_net(torch, arch, h.initial_theta).train()
        spec = OPTIMIZER_BY_NAME["momentum"]
        kwargs = {
            hp.name: bool(h.hyperparams[hp.name]) if hp.kind == "bool" else h.hyperparams[hp.name]
            for hp in spec.hyperparams
        }
        opt = torch.optim.SGD(net.parameters(), lr=h.lr, **kwargs)
        X, T = torch.from_numpy(p.X), torch.from_numpy(p.T)
        # the same batches: replay losscape's shuffles through its own batch sampler
        perm = np.arange(p.X.shape[0], dtype=np.int64)
        ctx = np.zeros(3, dtype=np.int64)
        out = np.empty(batch or 1, dtype=np.int64)
        losses = []
        for _ in range(12):
            if batch is None:
                idx = torch.arange(p.X.shape[0])
            else:
                m = next_batch(perm, ctx, batch, 2, out)
                idx = torch.from_numpy(out[:m].copy())
            opt.zero_grad()
            loss = torch.nn.functional.binary_cross_entropy_with_logits(net(X[idx])[:, 0], T[idx])
            loss.backward()
            opt.step()
            losses.append(loss.item())
        np.testing.assert_allclose(h.batch_loss, losses, rtol=1e-10)
        np.testing.assert_allclose(h.theta, torch_theta(net), rtol=1e-9, atol=1e-12)
        # Evaluation = torch's eval mode with running_mean / running_var set to the
        # training points' mean and biased variance at the final weights.
        with torch.no_grad():
            a, seen = X, []
            for module in net:  # a training-mode pass over the training points
                if isinstance(module, torch.nn.BatchNorm1d):
                    seen.append((module, a.mean(dim=0), a.var(dim=0, unbiased=False)))
                a = module(a)
            for module, mean, var in seen:
                module.running_mean.copy_(mean)
                module.running_var.copy_(var)
            net.eval()
            grid = np.random.default_rng(0).uniform(-2, 2, (200, 2))
            ref = net(torch.from_numpy(p.inputs(grid))).numpy()
        np.testing.assert_allclose(h.outputs(grid), ref, rtol=1e-10, atol=1e-12)
        assert h.validation_loss[-1] == pytest.approx(
            torch.nn.functional.binary_cross_entropy_with_logits(
                net(torch.from_numpy(p.Xv))[:, 0], torch.from_numpy(p.Tv)
            ).item(),
            rel=1e-10,
        )
