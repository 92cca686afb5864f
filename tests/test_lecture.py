"""The lecture's claims, checked on the real kernels.

Each test names the slide it checks. The numbers are exact consequences of the
update rules, not tuned tolerances.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import losscape
from losscape.numerics.optimizers import OPTIMIZERS


@pytest.mark.parametrize("kappa", [1.0, 20.0, 300.0])
def test_gd_diverges_above_two_over_lambda_max(kappa):
    """Learning rate: GD on 0.5(x^2 + kappa y^2) converges iff lr < 2 / kappa."""
    edge = 2.0 / kappa
    start = (1.0, 1.0)
    below = losscape.trajectory("ravine", "gd", start=start, lr=0.98 * edge, steps=20_000,
                                surface_params={"kappa": kappa}, tol=1e-8)  # fmt: skip
    above = losscape.trajectory("ravine", "gd", start=start, lr=1.02 * edge, steps=20_000,
                                surface_params={"kappa": kappa})  # fmt: skip
    assert below.status == "converged"
    assert above.status == "diverged" and above.stopped_at is not None
    # Along y each step multiplies by (1 - lr kappa): below the edge |.| < 1, above > 1.
    ys = above.path[:, 1]
    assert np.allclose(ys[1:] / ys[:-1], 1 - 1.02 * edge * kappa)


def test_lr_sweep_marks_the_edge_for_quadratics():
    sweep = losscape.lr_sweep("ravine", "gd", surface_params={"kappa": 20.0}, start=(1.0, 1.0),
                              lr_min=0.01, lr_max=1.0, count=41, steps=2000)  # fmt: skip
    assert sweep.edge_lr == pytest.approx(0.1, rel=1e-6)
    for lr, st in zip(sweep.lrs, sweep.status, strict=True):
        assert (st == "diverged") == (lr > 0.1)


@pytest.mark.parametrize("optimizer", ["momentum", "heavy_ball"])
@pytest.mark.parametrize("mu", [0.5, 0.9, 0.99])
def test_momentum_terminal_velocity_on_a_plane(optimizer, mu):
    """Momentum: on a plane the step approaches -alpha / (1 - mu) * gradient.

    Exactly, the k-th step is -alpha (1 - mu^k) / (1 - mu) * gradient: the
    geometric series whose limit is the lecture's terminal velocity.
    """
    lr, sx, sy = 0.01, 1.0, 0.5
    run = losscape.trajectory("tilted_plane", optimizer, start=(0.0, 0.0), lr=lr, momentum=mu,
                              steps=3000, surface_params={"sx": sx, "sy": sy})  # fmt: skip
    steps = np.diff(run.path, axis=0)
    k = np.arange(1, steps.shape[0] + 1)[:, None]
    terminal = -lr / (1 - mu) * np.array([sx, sy])
    assert np.allclose(steps, terminal * (1 - mu**k), rtol=1e-9)
    # Leaving the view is a stop, not a divergence: the plane is unbounded below.
    assert run.status == "escaped"
    if mu <= 0.9:
        assert np.allclose(steps[-1], terminal, rtol=1e-3)


def test_momentum_of_one_never_settles():
    """Momentum: with mu = 1 energy is conserved and the iterate never settles."""
    run = losscape.trajectory("quadratic", "heavy_ball", start=(1.0, 0.0), lr=0.1, momentum=1.0,
                              steps=5000)  # fmt: skip
    tail = run.loss[-1000:]
    assert run.status == "done"
    assert tail.max() > 0.4  # still swinging at the original energy 0.5
    settled = losscape.trajectory("quadratic", "heavy_ball", start=(1.0, 0.0), lr=0.1,
                                  momentum=0.9, steps=5000, tol=1e-9)  # fmt: skip
    assert settled.status == "converged"


def test_saddle_axis_start_is_stuck_and_offset_escapes():
    """Saddle points: exactly on the saddle's stable axis GD is stuck; slightly off it escapes."""
    stuck = losscape.trajectory("saddle", "gd", start=(1.0, 0.0), lr=0.1, steps=2000, tol=1e-12)
    assert np.all(stuck.path[:, 1] == 0.0)
    # zero gradient where the Hessian has a negative eigenvalue: stuck, not converged
    assert stuck.status == "stuck" and np.hypot(*stuck.path[-1]) < 1e-11
    assert losscape.hessian("saddle", stuck.path[-1]).kind == "saddle"
    off = losscape.trajectory("saddle", "gd", start=(1.0, 1e-8), lr=0.1, steps=2000)
    assert off.status == "escaped"
    # A long plateau first: the loss stays near the saddle's value for many steps.
    near = np.flatnonzero(np.abs(off.loss) < 1e-3)
    assert near.size > 50
    bounded = losscape.trajectory("bounded_saddle", "gd", start=(1.0, 1e-8), lr=0.1, steps=3000)
    assert abs(abs(bounded.path[-1, 1]) - math.sqrt(2.0)) < 1e-6


def test_himmelblau_basin_map_finds_four_basins():
    """Basins of attraction: every start of Himmelblau's grid ends in one of its 4 minima."""
    b = losscape.basins("himmelblau", "gd", lr=0.005, steps=3000, resolution=41)
    labels, counts = np.unique(b.label, return_counts=True)
    assert set(labels[labels >= 0]) == {0, 1, 2, 3}
    assert counts[labels >= 0].sum() >= 0.97 * b.label.size
    for k, m in enumerate(b.minima):
        iy = np.argmin(np.abs(b.ys - m.y))
        ix = np.argmin(np.abs(b.xs - m.x))
        assert b.label[iy, ix] == k  # a start next to a minimum ends in it


@pytest.mark.parametrize("spec", OPTIMIZERS, ids=lambda s: s.name)
def test_divergence_is_reported_never_nan(spec):
    """Instability: huge learning rates end as 'diverged' at a step, with only finite numbers."""
    sweep = losscape.lr_sweep("rosenbrock", spec.name, lr_min=spec.lr_min, lr_max=spec.lr_max,
                              count=25, steps=300, curves=True)  # fmt: skip
    assert np.all(np.isfinite(sweep.curves))
    assert np.all(np.isfinite(sweep.best_loss))
    for lr in (spec.lr_max, spec.lr_max / 3):
        run = losscape.trajectory("rosenbrock", spec.name, lr=lr, steps=300)
        assert np.all(np.isfinite(run.path)) and np.all(np.isfinite(run.loss))
        if run.status == "diverged":
            assert run.stopped_at == run.steps_taken + 1


def test_rmsprop_fixes_an_axis_aligned_ravine_but_not_a_rotated_one():
    """RMSprop: per-coordinate scaling corrects axis-aligned curvature only."""
    kw = dict(lr=0.01, steps=300, start=(2.0, 1.0))
    aligned = losscape.trajectory("ravine", "rmsprop", surface_params={"kappa": 100.0}, **kw)
    rotated = losscape.trajectory(
        "rotated_ravine", "rmsprop", surface_params={"kappa": 100.0, "angle": 45.0}, **kw
    )
    assert aligned.loss[-1] < 1e-3 * rotated.loss[-1] or aligned.status == "converged"


def test_polyak_averaging_reduces_sgd_fluctuations():
    """SGD learning rate: iterate averaging removes much of the noise's fluctuation."""
    run = losscape.trajectory("quadratic", "gd", start=(1.0, 1.0), lr=0.1, steps=4000,
                              noise=1.0, seed=5)  # fmt: skip
    raw = np.mean(run.loss[-1000:])
    averaged = run.averaged_loss[-1]
    assert averaged < 0.1 * raw
