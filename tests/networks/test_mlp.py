"""The numba MLP against a plain numpy model and against finite differences."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from losscape.networks import mlp

ACTS = {
    mlp.ACT_TANH: np.tanh,
    mlp.ACT_LOGISTIC: lambda z: 1.0 / (1.0 + np.exp(-z)),
    mlp.ACT_RELU: lambda z: np.maximum(z, 0.0),
}


def numpy_outputs(arch: mlp.Architecture, theta: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Reference forward pass: a = phi(a_prev W^T + b), last layer linear."""
    a = X
    n_layers = len(arch.widths) - 1
    for layer in range(n_layers):
        W = arch.weight(theta, layer)
        b = arch.bias_of(theta, layer)
        z = a @ W.T + (0.0 if b is None else b)
        a = z if layer == n_layers - 1 else ACTS[arch.activation](z)
    return a


def numpy_loss(arch: mlp.Architecture, theta: np.ndarray, X: np.ndarray, t: np.ndarray) -> float:
    """Reference mean loss, written from the textbook definitions."""
    z = numpy_outputs(arch, theta, X)
    if arch.loss == mlp.LOSS_SQUARED:
        return float(np.mean(0.5 * (z[:, 0] - t) ** 2))
    if arch.loss == mlp.LOSS_BCE:
        y = 1.0 / (1.0 + np.exp(-z[:, 0]))
        return float(np.mean(-t * np.log(y) - (1 - t) * np.log(1 - y)))
    if arch.loss == mlp.LOSS_LOGISTIC_SQUARED:
        y = 1.0 / (1.0 + np.exp(-z[:, 0]))
        return float(np.mean(0.5 * (y - t) ** 2))
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    return float(np.mean(-np.log(p[np.arange(t.shape[0]), t.astype(int)])))


def kernel_loss_grad(
    arch: mlp.Architecture, theta: np.ndarray, X: np.ndarray, t: np.ndarray, broken: bool = False
) -> tuple[float, int, np.ndarray]:
    acts, deltas = mlp.scratch(arch)
    grad = np.zeros(arch.n_params)
    idx = np.arange(X.shape[0], dtype=np.int64)
    loss, correct = mlp.loss_grad(
        arch.layout, arch.loss, theta, X, t, idx, acts, deltas, grad, broken, mlp.norm_stats(arch)
    )
    return loss, correct, grad


def data_for(loss: int, n: int, rng: np.random.Generator, k: int = 3):
    X = rng.standard_normal((n, 2))
    if loss == mlp.LOSS_SQUARED:
        return X, rng.standard_normal(n), 1
    if loss == mlp.LOSS_SOFTMAX:
        return X, rng.integers(0, k, n).astype(np.float64), k
    return X, rng.integers(0, 2, n).astype(np.float64), 1


def fd_gradient(f, theta: np.ndarray, h: float = 1e-6) -> np.ndarray:
    g = np.empty_like(theta)
    for k in range(theta.shape[0]):
        tp = theta.copy()
        tm = theta.copy()
        tp[k] += h
        tm[k] -= h
        g[k] = (f(tp) - f(tm)) / (tp[k] - tm[k])
    return g


CASES = [
    (hidden, act, loss, bias)
    for hidden, act, loss, bias in itertools.product(
        [(), (5,), (4, 3)],
        [mlp.ACT_TANH, mlp.ACT_LOGISTIC, mlp.ACT_RELU],
        [mlp.LOSS_SQUARED, mlp.LOSS_BCE, mlp.LOSS_SOFTMAX, mlp.LOSS_LOGISTIC_SQUARED],
        [True, False],
    )
    if hidden or act == mlp.ACT_TANH  # the activation only matters with hidden layers
]


@pytest.mark.parametrize(("hidden", "act", "loss", "bias"), CASES)
def test_backprop_matches_finite_differences(hidden, act, loss, bias):
    rng = np.random.default_rng(len(hidden) * 100 + act * 10 + loss)
    X, t, k = data_for(loss, 37, rng)
    arch = mlp.Architecture(2, hidden, k, act, loss, bias)
    theta = rng.normal(0.0, 0.7, arch.n_params)
    value, _, grad = kernel_loss_grad(arch, theta, X, t)
    assert value == pytest.approx(numpy_loss(arch, theta, X, t), rel=1e-12, abs=1e-14)
    numeric = fd_gradient(lambda th: numpy_loss(arch, th, X, t), theta)
    scale = np.abs(numeric).max()
    assert np.max(np.abs(grad - numeric)) < 1e-7 * max(scale, 1.0)


@pytest.mark.parametrize("batch", [1, 63, 64, 65, 200])
def test_chunk_boundaries_do_not_change_the_result(batch):
    rng = np.random.default_rng(batch)
    arch = mlp.Architecture(2, (16, 16), 1, mlp.ACT_TANH, mlp.LOSS_SQUARED)
    theta = mlp.initial_theta(arch, "xavier", 3)
    X = rng.standard_normal((batch, 2))
    t = rng.standard_normal(batch)
    value, _, grad = kernel_loss_grad(arch, theta, X, t)
    assert value == pytest.approx(numpy_loss(arch, theta, X, t), rel=1e-12)
    # The batch gradient is the mean of the per-point gradients.
    per = [kernel_loss_grad(arch, theta, X[i : i + 1], t[i : i + 1])[2] for i in range(batch)]
    np.testing.assert_allclose(grad, np.mean(per, axis=0), rtol=1e-10, atol=1e-14)


def test_outputs_match_numpy_forward():
    rng = np.random.default_rng(1)
    for act in ACTS:
        arch = mlp.Architecture(2, (7, 5), 4, act, mlp.LOSS_SOFTMAX)
        theta = rng.standard_normal(arch.n_params)
        X = rng.standard_normal((150, 2)) * 3
        out = np.empty((150, 4))
        acts, _ = mlp.scratch(arch)
        mlp.outputs(arch.layout, theta, X, acts, out, mlp.norm_stats(arch))
        np.testing.assert_allclose(out, numpy_outputs(arch, theta, X), rtol=1e-12, atol=1e-12)


def test_tanh_is_accurate_to_a_few_ulp_and_saturates_exactly():
    x = np.concatenate(
        [np.linspace(-25, 25, 20001), np.logspace(-300, 1.4, 2000), -np.logspace(-300, 1.4, 2000)]
    )
    ours = np.array([mlp.tanh(v) for v in x])
    ref = np.tanh(x)
    assert np.max(np.abs(ours - ref) / np.maximum(np.abs(ref), 1e-300)) < 2e-15
    assert mlp.tanh(1e300) == 1.0 and mlp.tanh(-np.inf) == -1.0 and mlp.tanh(0.0) == 0.0
    assert math.isnan(mlp.tanh(math.nan))


def test_correct_counts_follow_the_decision_rules():
    arch = mlp.Architecture(2, (), 1, mlp.ACT_TANH, mlp.LOSS_BCE, bias=False)
    X = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 0.0], [2.0, 0.0]])
    t = np.array([1.0, 0.0, 1.0, 0.0])  # logits 1, -1, 0 (>= 0: positive), 2
    _, correct, _ = kernel_loss_grad(arch, np.array([1.0, 0.0]), X, t)
    assert correct == 3
    arch3 = mlp.Architecture(2, (), 3, mlp.ACT_TANH, mlp.LOSS_SOFTMAX, bias=False)
    theta = np.array([1.0, 0.0, 0.0, 1.0, -1.0, -1.0])  # class scores x1, x2, -x1 - x2
    X3 = np.array([[2.0, 1.0], [0.0, 3.0], [-2.0, -2.0], [1.0, 1.0]])
    _, correct3, _ = kernel_loss_grad(arch3, theta, X3, np.array([0.0, 1.0, 2.0, 1.0]))
    assert correct3 == 3  # the tie at [1, 1] goes to the first class, 0


def test_dead_relu_unit_gets_exactly_zero_weight_gradient():
    rng = np.random.default_rng(4)
    arch = mlp.Architecture(2, (3,), 1, mlp.ACT_RELU, mlp.LOSS_BCE)
    theta = rng.uniform(0.1, 1.0, arch.n_params)
    X = rng.uniform(0.0, 1.0, (50, 2))  # positive inputs: units 0 and 2 are alive everywhere
    # Unit 1: negative weights and bias, so its input z is negative at every point.
    arch.weight(theta, 0)[1] = [-1.0, -2.0]
    arch.bias_of(theta, 0)[1] = -0.5
    t = rng.integers(0, 2, 50).astype(np.float64)
    _, _, grad = kernel_loss_grad(arch, theta, X, t)
    w = arch.layout[0, mlp.L_W]
    b = arch.layout[0, mlp.L_B]
    assert grad[w + 2] == 0.0 and grad[w + 3] == 0.0 and grad[b + 1] == 0.0
    # ... and its outgoing weight too, since its output is always 0.
    assert grad[arch.layout[1, mlp.L_W] + 1] == 0.0
    assert np.count_nonzero(grad) == arch.n_params - 4


@pytest.mark.parametrize("hidden", [(), (6,), (5, 4)])
def test_broken_backward_pass_disagrees_with_finite_differences(hidden):
    rng = np.random.default_rng(9)
    X, t, _ = data_for(mlp.LOSS_BCE, 40, rng)
    arch = mlp.Architecture(2, hidden, 1, mlp.ACT_TANH, mlp.LOSS_BCE)
    theta = rng.normal(0.0, 0.8, arch.n_params)
    _, _, good = kernel_loss_grad(arch, theta, X, t)
    _, _, bad = kernel_loss_grad(arch, theta, X, t, broken=True)
    numeric = fd_gradient(lambda th: numpy_loss(arch, th, X, t), theta)
    np.testing.assert_allclose(good, numeric, rtol=1e-6, atol=1e-9)
    assert np.max(np.abs(bad - numeric)) > 1e-2 * np.abs(numeric).max()


def test_layout_and_names():
    arch = mlp.Architecture(2, (16, 16), 1, mlp.ACT_TANH, mlp.LOSS_SQUARED)
    assert arch.n_params == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1 == 337
    names = arch.param_names()
    assert len(names) == 337 and names[0] == "W1[0,0]" and names[32] == "b1[0]"
    assert names[-1] == "b3[0]"
    layout = arch.layout
    assert layout[:, mlp.L_A].tolist() == [2, 18, 34] and arch.units == 35
    no_bias = mlp.Architecture(2, (), 1, mlp.ACT_TANH, mlp.LOSS_SQUARED, bias=False)
    assert no_bias.n_params == 2 and no_bias.layout[0, mlp.L_B] == -1


def test_initialisations():
    arch = mlp.Architecture(2, (64, 32), 3, mlp.ACT_RELU, mlp.LOSS_SOFTMAX)
    assert not mlp.initial_theta(arch, "zeros", 0).any()
    assert np.all(mlp.initial_theta(arch, "constant", 0, 0.3) == 0.3)
    np.testing.assert_array_equal(
        mlp.initial_theta(arch, "he", 5), mlp.initial_theta(arch, "he", 5)
    )
    assert not np.array_equal(mlp.initial_theta(arch, "he", 5), mlp.initial_theta(arch, "he", 6))
    xav = mlp.initial_theta(arch, "xavier", 1)
    w2 = arch.weight(xav, 1)
    assert np.abs(w2).max() <= math.sqrt(6 / (64 + 32))
    assert np.abs(w2).max() > 0.9 * math.sqrt(6 / (64 + 32))
    he = arch.weight(mlp.initial_theta(arch, "he", 2), 1)
    assert he.std() == pytest.approx(math.sqrt(2 / 64), rel=0.1)
    assert not arch.bias_of(mlp.initial_theta(arch, "large_random", 0), 0).any()
    assert arch.weight(mlp.initial_theta(arch, "large_random", 0), 1).std() == pytest.approx(
        5.0, rel=0.1
    )
    assert arch.weight(mlp.initial_theta(arch, "small_random", 0), 1).std() == pytest.approx(
        0.01, rel=0.1
    )
    with pytest.raises(ValueError, match="valid inits: zeros, constant"):
        mlp.initial_theta(arch, "glorot", 0)
