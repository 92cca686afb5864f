"""A Python function as the surface: the slow path with central differences."""

from __future__ import annotations

import math

import numpy as np
import pytest

import losscape
from losscape.callables import CallableTrajectory


def rosen(x, y):
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def test_gd_on_a_bowl_matches_the_closed_form():
    run = losscape.trajectory(lambda x, y: 0.5 * (x * x + 4 * y * y), "gd", start=(1, 1), lr=0.1,
                              steps=30)  # fmt: skip
    k = np.arange(31)
    assert np.allclose(run.path[:, 0], 0.9**k, atol=1e-8)
    assert np.allclose(run.path[:, 1], 0.6**k, atol=1e-8)
    assert isinstance(run, CallableTrajectory) and run.surface == "<lambda>"


@pytest.mark.parametrize(
    ("optimizer", "hp"),
    [("adam", {}), ("momentum", {"momentum": 0.9}), ("rmsprop", {}), ("newton", {})],
)
def test_same_optimizers_as_the_kernels(optimizer, hp):
    lr = {"adam": 0.02, "momentum": 1e-3, "rmsprop": 1e-3, "newton": 0.5}[optimizer]
    fast = losscape.trajectory("rosenbrock", optimizer, lr=lr, steps=150, start=(-1.5, 2), **hp)
    slow = losscape.trajectory(rosen, optimizer, lr=lr, steps=150, start=(-1.5, 2), **hp)
    assert slow.status == fast.status and slow.path.shape == fast.path.shape
    assert np.allclose(slow.path, fast.path, atol=1e-5)


def test_schedule_and_noise_follow_the_kernels():
    kw = dict(lr=0.05, steps=60, start=(1.5, 1.0), schedule="step",
              schedule_params={"step_size": 10, "gamma": 0.5}, noise=0.3, seed=7)  # fmt: skip
    fast = losscape.trajectory("quadratic", "gd", **kw)
    slow = losscape.trajectory(lambda x, y: 0.5 * (x * x + y * y), "gd", **kw)
    assert np.allclose(slow.lrs, fast.lrs) and np.allclose(slow.path, fast.path, atol=1e-7)


def test_divergence_and_figure():
    run = losscape.trajectory(lambda x, y: x * x + y * y, "gd", start=(1, 1), lr=1.5, steps=100)
    assert run.status == "diverged" and run.stopped_at is not None
    assert np.all(np.isfinite(run.path)) and np.all(np.abs(run.path) <= 20)
    fig = run.figure()
    assert fig.layout.xaxis.range == (-2.0, 2.0)


def test_sweep_and_basins_on_a_function():
    f = lambda x, y: 0.5 * (x * x + 20 * y * y)  # noqa: E731
    slow = losscape.lr_sweep(f, "gd", start=(1.5, 1.0), lr_min=1e-3, lr_max=0.5, count=8, steps=80)
    fast = losscape.lr_sweep({"name": "ravine", "params": {"kappa": 20}}, "gd", start=(1.5, 1.0),
                             lr_min=1e-3, lr_max=0.5, count=8, steps=80)  # fmt: skip
    assert slow.status == fast.status
    ok = np.isfinite(fast.final_loss)
    assert np.allclose(slow.final_loss[ok], fast.final_loss[ok], rtol=1e-4, atol=1e-12)
    with pytest.raises(ValueError, match="need view"):
        losscape.basins(f, "gd")
    bm = losscape.basins(lambda x, y: (x * x - 1) ** 2 + y * y, "gd", lr=0.05, resolution=6,
                         view=(-2, 2, -1, 1), minima=[(-1, 0), (1, 0)])  # fmt: skip
    assert np.all(bm.label[:, :3] == 0) and np.all(bm.label[:, 3:] == 1)


def test_errors_are_clear():
    with pytest.raises(ValueError, match="needs start"):
        losscape.trajectory(rosen, "gd")
    with pytest.raises(ValueError, match="is not a number"):
        losscape.trajectory(lambda x, y: "a", "gd", start=(0, 0))
    with pytest.raises(ValueError, match="undefined at the start"):
        losscape.trajectory(lambda x, y: math.log(x) if x > 0 else math.nan, "gd", start=(0, 1))
