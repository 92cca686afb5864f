"""Slices of the loss, directions and projections."""

from __future__ import annotations

import numpy as np
import pytest

from losscape.networks import landscape as ls
from losscape.networks import mlp


def numpy_mse_tanh(arch: mlp.Architecture, theta: np.ndarray, X: np.ndarray, t: np.ndarray):
    """E = mean (y - t)^2 / 2 for a one-hidden-layer tanh net, by hand."""
    h = np.tanh(X @ arch.weight(theta, 0).T + arch.bias_of(theta, 0))
    y = h @ arch.weight(theta, 1)[0] + arch.bias_of(theta, 1)[0]
    return float(np.mean(0.5 * (y - t) ** 2))


def test_slice_grid_evaluates_centre_plus_a_d1_plus_b_d2():
    rng = np.random.default_rng(0)
    arch = mlp.Architecture(2, (6,), 1, mlp.ACT_TANH, mlp.LOSS_SQUARED)
    X = rng.standard_normal((90, 2))
    t = rng.standard_normal(90)
    centre, d1, d2 = (rng.standard_normal(arch.n_params) for _ in range(3))
    a = np.linspace(-1, 2, 5)
    b = np.linspace(-0.5, 0.5, 4)
    out = np.empty((4, 5))
    acts, _ = mlp.scratch(arch)
    ls.slice_grid(
        arch.layout, arch.loss, X, t, centre, d1, d2, a, b, acts, mlp.norm_stats(arch), out
    )
    for j, bj in enumerate(b):
        for i, ai in enumerate(a):
            ref = numpy_mse_tanh(arch, centre + ai * d1 + bj * d2, X, t)
            assert out[j, i] == pytest.approx(ref, rel=1e-12)


def test_two_weight_slice_is_the_exact_quadratic():
    rng = np.random.default_rng(1)
    arch = mlp.Architecture(2, (), 1, mlp.ACT_TANH, mlp.LOSS_SQUARED, bias=False)
    X = rng.standard_normal((50, 2))
    t = rng.standard_normal(50)
    w1 = np.linspace(-2, 2, 7)
    w2 = np.linspace(-3, 1, 6)
    out = np.empty((6, 7))
    acts, _ = mlp.scratch(arch)
    e1, e2 = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    stats = mlp.norm_stats(arch)
    ls.slice_grid(arch.layout, arch.loss, X, t, np.zeros(2), e1, e2, w1, w2, acts, stats, out)
    A = X.T @ X / 50
    g = X.T @ t / 50
    c = t @ t / 100
    for j, b in enumerate(w2):
        for i, a in enumerate(w1):
            w = np.array([a, b])
            assert out[j, i] == pytest.approx(0.5 * w @ A @ w - g @ w + c, rel=1e-12)


def test_filter_normalised_rows_have_the_weights_row_norms():
    arch = mlp.Architecture(2, (8, 5), 3, mlp.ACT_RELU, mlp.LOSS_SOFTMAX)
    theta = mlp.initial_theta(arch, "he", 0)
    arch.weight(theta, 1)[2] = 0.0  # a zero row gives a zero row
    d = ls.filter_normalized(arch, theta, np.random.default_rng(2))
    for layer in range(3):
        np.testing.assert_allclose(
            np.linalg.norm(arch.weight(d, layer), axis=1),
            np.linalg.norm(arch.weight(theta, layer), axis=1),
            rtol=1e-12,
        )
        assert not arch.bias_of(d, layer).any()
    assert not arch.weight(d, 1)[2].any()


def test_pca_directions_are_orthonormal_and_follow_the_spread():
    rng = np.random.default_rng(3)
    centre = rng.standard_normal(10)
    u = rng.standard_normal(10)
    v = rng.standard_normal(10)
    pts = centre + np.outer(np.linspace(-5, 5, 40), u) + np.outer(rng.normal(0, 0.1, 40), v)
    d1, d2, explained = ls.pca_directions(pts, centre, rng)
    assert d1 @ d1 == pytest.approx(1) and d2 @ d2 == pytest.approx(1) and abs(d1 @ d2) < 1e-12
    assert abs(d1 @ u) / np.linalg.norm(u) == pytest.approx(1, abs=1e-3)
    assert explained[0] > 0.99 and explained.sum() == pytest.approx(1.0)
    # A straight-line trajectory: the second direction is completed at random, orthogonal.
    line = centre + np.outer(np.linspace(0, 1, 5), u)
    d1, d2, explained = ls.pca_directions(line, centre, rng)
    assert abs(d1 @ d2) < 1e-12 and explained.tolist() == [1.0, 0.0]


def test_projection_recovers_coordinates_in_the_span():
    rng = np.random.default_rng(4)
    centre, d1, d2 = (rng.standard_normal(7) for _ in range(3))  # not orthogonal
    coords = rng.standard_normal((12, 2))
    pts = ls.points_on_slice(coords, centre, d1, d2)
    np.testing.assert_allclose(ls.project(pts, centre, d1, d2), coords, atol=1e-12)
    # Off the slice: the residual is orthogonal to the slice.
    off = pts + rng.standard_normal(pts.shape)
    c = ls.project(off, centre, d1, d2)
    resid = off - ls.points_on_slice(c, centre, d1, d2)
    np.testing.assert_allclose(resid @ np.column_stack([d1, d2]), 0.0, atol=1e-10)
