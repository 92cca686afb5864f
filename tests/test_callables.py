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


def bowl(x, y):
    return 0.5 * (x * x + 4 * y * y)


# One bad argument each (the rest valid): both paths must refuse it with the same message.
BAD_RUN_ARGUMENTS = [
    {"optimizer": "adamw_typo"},
    {"optimizer": "momentum", "momentum": 1.5},
    {"optimizer": "adam", "beta3": 0.9},
    {"optimizer": "adam", "betas": (0.9,)},
    {"lr": -1.0},
    {"lr": math.nan},
    {"steps": 0},
    {"steps": 2.5},
    {"steps": 10**9},
    {"start": (1.0,) * 3},
    {"start": (math.inf, 0.0)},
    {"schedule": "cosine_typo"},
    {"schedule": "step", "schedule_params": {"gamma": -1}},
    {"noise": -0.1},
    {"noise": 0.1, "batch_size": 0},
    {"seed": -1},
    {"tol": math.nan},
]


def _message(fn, *args, **kwargs) -> str:
    with pytest.raises(ValueError) as info:
        fn(*args, **kwargs)
    return str(info.value)


def _assert_same_refusal(api, base: dict, bad: dict) -> None:
    """``api`` on the catalogue's quadratic and on the same bowl as a Python function."""
    kw = {**base, **bad}
    optimizer = kw.pop("optimizer")
    catalogue = _message(api, "quadratic", optimizer, **kw)
    assert _message(api, bowl, optimizer, **kw) == catalogue


@pytest.mark.parametrize("bad", BAD_RUN_ARGUMENTS, ids=lambda b: ",".join(map(str, b)))
def test_both_paths_refuse_a_bad_run_argument_with_the_same_message(bad):
    _assert_same_refusal(
        losscape.trajectory, {"optimizer": "gd", "start": (1, 1), "steps": 20}, bad
    )


@pytest.mark.parametrize(
    "bad",
    [
        {"lr_min": 0.5, "lr_max": 0.1},
        {"count": 1},
        {"count": 10**6},
        {"lr_max": 1e9},
        {"optimizer": "nope"},
        {"steps": -3},
        {"noise": math.inf},
    ],
    ids=lambda b: ",".join(map(str, b)),
)
def test_both_lr_sweeps_refuse_a_bad_argument_with_the_same_message(bad):
    base = {"optimizer": "gd", "start": (1, 1), "steps": 20, "count": 4}
    _assert_same_refusal(losscape.lr_sweep, base, bad)


@pytest.mark.parametrize(
    "bad",
    [
        {"resolution": 1},
        {"resolution": 10**4},
        {"radius": -1.0},
        {"view": (1, 0, 0, 1)},
        {"minima": "here"},
        {"lr": 0.0},
        {"optimizer": "nope"},
    ],
    ids=lambda b: ",".join(map(str, b)),
)
def test_both_basin_maps_refuse_a_bad_argument_with_the_same_message(bad):
    base = {"optimizer": "gd", "view": (-2, 2, -2, 2), "minima": [(0, 0)], "resolution": 3}
    _assert_same_refusal(losscape.basins, {**base, "steps": 10}, bad)


def test_an_undefined_start_inside_a_basin_map_is_a_diverged_start():
    """As in the catalogue's batch kernels: log(x) is undefined left of x = 0, so those
    starts are diverged (-2) and the map is still drawn; the right half finds the minimum."""
    bm = losscape.basins(
        lambda x, y: (x - math.log(x) if x > 0 else math.nan) + y * y,
        "gd",
        lr=0.2,
        view=(-1, 3, -1, 1),
        minima=[(1, 0)],
        resolution=5,
        steps=300,
    )
    # xs = -1, 0, 1, 2, 3: x <= 0 undefined; x = 1, 2, 3 reach the minimum at (1, 0).
    assert np.all(bm.label[:, :2] == -2) and np.all(bm.label[:, 2:] == 0)
    assert np.all(bm.steps[:, :2] == 0) and np.all(np.isnan(bm.final_loss[:, :2]))


def test_sweep_progress_reports_every_run_and_the_curves_pad_with_the_last_loss():
    seen = []
    sweep = losscape.lr_sweep(
        bowl,
        "gd",
        start=(1.0, 1.0),
        lr_min=0.01,
        lr_max=0.3,
        count=3,
        steps=5,
        curves=True,
        progress=lambda d, t, _: seen.append((d, t)),
    )
    assert seen == [(1, 3), (2, 3), (3, 3)]
    # gd on the bowl with lr 0.3: x shrinks by 0.7 and y by 1 - 4 * 0.3 = -0.2 each step.
    k = np.arange(6)
    expected = 0.5 * (0.7 ** (2 * k) + 4 * 0.04**k)
    assert np.allclose(sweep.curves[2], expected)
    assert sweep.stopped_at.tolist() == [-1, -1, -1]


def test_a_diverging_run_in_a_sweep_stops_at_the_view_and_pads_its_curve():
    """gd with lr 2.5 on (x^2 + y^2) / 2 multiplies x and y by -1.5 per step; from (1, 1) the
    default view is [-2, 2]^2, so the run diverges when it leaves [-20, 20]^2: |x| = 1.5^8
    = 25.6 is the first step past 20, so 7 steps are kept and the sweep says it stopped at 8."""
    sweep = losscape.lr_sweep(
        lambda x, y: 0.5 * (x * x + y * y),
        "gd",
        start=(1.0, 1.0),
        lr_min=0.1,
        lr_max=2.5,
        count=2,
        steps=12,
        curves=True,
    )
    assert sweep.status == ["done", "diverged"]
    assert sweep.stopped_at.tolist() == [-1, 8]
    losses = 1.5 ** (2 * np.arange(8))  # (x^2 + y^2) / 2 with x = y = (-1.5)^k
    assert np.allclose(sweep.curves[1, :8], losses)
    assert np.allclose(sweep.curves[1, 8:], losses[-1])  # padded with the last kept loss
    assert math.isnan(sweep.final_loss[1]) and sweep.best_loss[1] == 1.0
