"""The Python API: validation messages, result shapes, sweeps against single runs."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

import losscape
from losscape import limits, service


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"surface": "rosenbrok"}, "valid surfaces: "),
        ({"optimizer": "adamm"}, "valid optimizers: "),
        ({"lr": math.nan}, "lr must be finite"),
        ({"lr": math.inf}, "lr must be finite"),
        ({"lr": -1.0}, "lr must be between"),
        ({"lr": "0.1"}, "lr must be a number"),
        ({"steps": limits.MAX_STEPS + 1}, "steps must be between"),
        ({"steps": 10.5}, "steps must be a whole number"),
        ({"steps": True}, "steps must be a number"),
        ({"start": (1.0,) * 3}, "start must be a pair"),
        ({"start": (math.nan, 0.0)}, "start[0] must be finite"),
        ({"surface_params": {"c": 1.0}}, "unknown parameter(s) c for rosenbrock; valid: a, b"),
        ({"surface_params": {"b": 1e9}}, "rosenbrock.b must be between"),
        ({"momentum": 0.5, "optimizer": "gd"}, "unknown parameter(s) momentum for gd"),
        ({"schedule": "sometimes"}, "valid schedules: "),
        ({"noise": -1.0}, "noise must be between"),
        ({"batch_size": 0, "noise": 1.0}, "batch_size must be between"),
        ({"seed": -3}, "seed must be between"),
    ],
)
def test_trajectory_rejects_bad_input_with_a_clear_message(kwargs, message):
    args = {"surface": "rosenbrock", "optimizer": "gd", "lr": 1e-3, "steps": 10} | kwargs
    with pytest.raises(ValueError) as err:
        losscape.trajectory(args.pop("surface"), args.pop("optimizer"), **args)
    assert message in str(err.value)


def test_polyak_average_in_closed_form_on_a_ravine():
    """GD on 0.5 (x^2 + k y^2) is x_t = x0 r^t (r = 1 - lr, and 1 - lr k for y): the
    average of the first t + 1 iterates is x0 (1 - r^(t+1)) / ((1 - r)(t + 1))."""
    lr, k, n, (x0, y0) = 0.1, 5.0, 40, (2.0, -1.0)
    run = losscape.trajectory(
        "ravine", "gd", start=(x0, y0), lr=lr, steps=n, tol=0.0, surface_params={"kappa": k}
    )
    t = np.arange(n + 1)
    rx, ry = 1 - lr, 1 - lr * k
    avg_x = x0 * (1 - rx ** (t + 1)) / ((1 - rx) * (t + 1))
    avg_y = y0 * (1 - ry ** (t + 1)) / ((1 - ry) * (t + 1))
    np.testing.assert_allclose(run.averaged_path[:, 0], avg_x, rtol=1e-12)
    np.testing.assert_allclose(run.averaged_path[:, 1], avg_y, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(run.averaged_loss, 0.5 * (avg_x**2 + k * avg_y**2), rtol=1e-12)
    # e.g. after one step: the mean of (2, -1) and (1.8, -0.5)
    assert run.averaged_path[1].tolist() == pytest.approx([1.9, -0.75], rel=1e-15)


def test_trajectory_result_shapes():
    run = losscape.trajectory("rosenbrock", "gd", start=(-1.5, 2.0), lr=1e-3, steps=50)
    assert run.path.shape == (51, 2) and run.loss.shape == (51,) and run.lrs.shape == (50,)
    assert run.status == "done" and run.stopped_at is None
    assert np.allclose(run.lrs, 1e-3)
    x, y = run.path[-1]
    assert run.loss[-1] == pytest.approx((1 - x) ** 2 + 100 * (y - x * x) ** 2, rel=1e-12)


def test_lr_sweep_equals_single_trajectories():
    sweep = losscape.lr_sweep(
        "rosenbrock", "gd", start=(-1.0, 1.0), steps=300, lr_min=1e-4, lr_max=0.01, count=9,
        curves=True,
    )  # fmt: skip
    for i, lr in enumerate(sweep.lrs):
        run = losscape.trajectory("rosenbrock", "gd", start=(-1.0, 1.0), steps=300, lr=lr)
        assert sweep.status[i] == run.status
        if run.status != "diverged":
            assert sweep.final_loss[i] == run.loss[-1]
        assert np.array_equal(sweep.curves[i, : run.loss.size], run.loss)


def test_lr_sweep_reports_divergence_as_nan_final_loss_and_edge():
    sweep = losscape.lr_sweep(
        "quadratic", "gd", start=(1.0, 1.0), lr_min=0.5, lr_max=4.0, count=8, steps=400
    )
    assert sweep.edge_lr == pytest.approx(2.0, rel=1e-6)
    for lr, st, final in zip(sweep.lrs, sweep.status, sweep.final_loss, strict=True):
        assert (st == "diverged") == (lr > 2.0)
        assert math.isnan(final) == (st == "diverged")


def test_sweep_work_is_bounded():
    with pytest.raises(ValueError, match="sweep too large"):
        losscape.basins("quadratic", "gd", lr=0.1, resolution=512, steps=20_000)


def test_progress_callback_sees_every_run_and_can_cancel():
    seen = []

    def progress(done, total, partial):
        seen.append((done, total))

    b = losscape.basins("quadratic", "gd", lr=0.1, resolution=40, steps=50, progress=progress)
    assert seen[-1] == (1600, 1600) and len(seen) > 5
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert np.all(b.label == 0)

    def cancel(done, total, partial):
        raise losscape.service.Cancelled

    with pytest.raises(losscape.service.Cancelled):
        losscape.basins("quadratic", "gd", lr=0.1, resolution=40, steps=50, progress=cancel)


def test_hessian_of_rosenbrock_at_its_minimum():
    h = losscape.hessian("rosenbrock", (1.0, 1.0))
    assert np.allclose(h.matrix, [[802.0, -400.0], [-400.0, 200.0]], rtol=1e-6)
    assert h.kind == "minimum"
    assert np.allclose(h.eigenvalues, np.linalg.eigvalsh([[802.0, -400.0], [-400.0, 200.0]]))
    assert losscape.hessian("rosenbrock", (0.0, 0.0)).kind == "regular"


def test_catalogue_lists_every_registered_name():
    names = {s["name"] for s in losscape.surfaces()}
    assert {"quadratic", "rosenbrock"} <= names
    for o in losscape.optimizers():
        assert o["lr"]["min"] <= o["lr"]["default"] <= o["lr"]["max"]
        for p in o["hyperparams"]:
            assert p["min"] <= p["default"] <= p["max"]
    assert "constant" in {s["name"] for s in losscape.schedules()}


def test_polyak_average_from_the_kernel_equals_the_cumulative_mean_bit_for_bit():
    """The kernel's running average and its loss: the same floats as cumsum / k and evaluate."""
    run = losscape.trajectory("himmelblau", "adam", start=(-0.3, 0.8), steps=300, lr=0.05)
    k = np.arange(1, run.path.shape[0] + 1)[:, None]
    mean = np.cumsum(run.path, axis=0) / k
    assert np.array_equal(run.averaged_path, mean)
    assert np.array_equal(run.averaged_loss, losscape.service.evaluate("himmelblau", mean)[:, 0])
    assert run.averaged_path.flags.c_contiguous and run.path.flags.c_contiguous


def test_a_trajectory_result_is_the_frozen_dataclass_its_fields_make():
    t = service.trajectory("rosenbrock", "adam", steps=50)
    fields = {f.name: getattr(t, f.name) for f in dataclasses.fields(service.Trajectory)}
    assert t == service.Trajectory(**fields)
    assert t.hyperparams == {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0,
                             "amsgrad": 0.0}  # fmt: skip
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.status = "done"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("view", "resolution"),
    [(None, 400), ((-3, 1.5, 0.25, 0.75), 151), ((-1e-9, 1e-9, 7.0, 7.5), 2)],
)
def test_grid_axes_are_numpys_linspace_and_values_the_point_values(view, resolution):
    g = losscape.grid("rosenbrock", view=view, resolution=resolution)
    x0, x1, y0, y1 = view or (-2.0, 2.0, -1.0, 3.0)  # rosenbrock's own view
    xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    assert np.array_equal(g.xs.view(np.int64), xs.view(np.int64))  # bit for bit
    assert np.array_equal(g.ys.view(np.int64), ys.view(np.int64))
    x, y = np.meshgrid(xs, ys)
    r = y - x * x  # (a - x)^2 + b r^2 in the catalogue's order of operations, a = 1, b = 100
    assert np.array_equal(g.values, (1.0 - x) ** 2 + 100.0 * r * r)
    assert g.values.flags.c_contiguous and g.values.shape == (resolution, resolution)


def test_grid_arrows_sit_at_cell_centres_with_the_gradient_there():
    g = losscape.grid("himmelblau", view=(-4.0, 4.0, 0.0, 2.0), resolution=5, arrows=4)
    ax = np.array([-3.0, -1.0, 1.0, 3.0])
    ay = np.array([0.25, 0.75, 1.25, 1.75])
    x, y = np.meshgrid(ax, ay)
    assert np.array_equal(g.arrow_x, x.ravel()) and np.array_equal(g.arrow_y, y.ravel())
    r1, r2 = x * x + y - 11.0, x + y * y - 7.0  # Himmelblau's two residuals
    np.testing.assert_allclose(g.arrow_gx, (4.0 * x * r1 + 2.0 * r2).ravel(), rtol=1e-14)
    np.testing.assert_allclose(g.arrow_gy, (2.0 * r1 + 4.0 * y * r2).ravel(), rtol=1e-14)
    assert losscape.grid("himmelblau", resolution=5).arrow_x.shape == (0,)


def test_grid_leaves_out_arrows_where_the_gradient_is_undefined():
    g = losscape.grid({"expression": "sqrt(x) + y"}, view=(-1.0, 1.0, -1.0, 1.0), arrows=4)
    assert np.array_equal(g.arrow_x, np.tile([0.25, 0.75], 4))  # x < 0 left out
    assert np.all(np.isnan(g.values[:, g.xs < 0])) and np.all(np.isfinite(g.values[:, g.xs > 0]))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"resolution": 1}, "resolution must be between 2 and"),
        ({"resolution": limits.MAX_GRID + 1}, "resolution must be between"),
        ({"arrows": limits.MAX_ARROWS + 1}, "arrows must be between"),
        ({"view": (1.0, -1.0, 0.0, 1.0)}, "view must have xmin < xmax"),
        ({"surface": "rosenbrok"}, "valid surfaces: "),
    ],
)
def test_grid_rejects_bad_input_with_a_clear_message(kwargs, message):
    args = {"surface": "rosenbrock"} | kwargs
    with pytest.raises(ValueError) as err:
        losscape.grid(args.pop("surface"), **args)
    assert message in str(err.value)
