"""Trajectory kernels (one per optimizer family, ``kernels.run_trajectory`` in front):
bit for bit the generic loop ``run.run_single``, the Polyak average of ``np.cumsum``,
torch's bias corrections."""

from __future__ import annotations

import math

import numpy as np
import pytest

import losscape
from losscape.numerics import kernels, run, trajectory
from losscape.numerics.noise import gaussian
from losscape.numerics.optimizers import OPTIMIZERS
from losscape.numerics.registry import param_vector
from losscape.service import resolve_surface

SURFACES = [
    "rosenbrock",
    "rastrigin",
    "saddle",  # unbounded below: runs escape the box
    "double_well",  # 1-D
    {"expression": "(1 - x)**2 + 10*(y - x**2)**2 + sin(3*x)"},
]


def _run(surf, spec, hp, kid, schp, lr, start, steps, noise, tol):
    box, box_status = surf.stop_box()
    m = steps + 1
    xy, loss, lrs = np.full((m, 2), -7.0), np.full(m, -7.0), np.full(steps, -7.0)
    avg_xy, avg_loss, end = np.empty((m, 2)), np.empty(m), np.empty(3)
    n, status = kernels.run_trajectory(
        *surf.kernel_args(), spec.id, hp, kid, schp, lr, start[0], start[1], steps, noise, 5,
        tol, box, box_status, xy, loss, lrs, avg_xy, avg_loss, end,
    )  # fmt: skip
    return n, status, xy, loss, lrs, avg_xy, avg_loss, end


@pytest.mark.parametrize("surface", SURFACES, ids=lambda s: s if isinstance(s, str) else "formula")
@pytest.mark.parametrize("spec", OPTIMIZERS, ids=lambda s: s.name)
def test_family_kernels_equal_the_generic_loop_bit_for_bit(surface, spec):
    surf = resolve_surface(surface)
    hp = param_vector(spec.hyperparams, None, spec.name)
    box, box_status = surf.stop_box()
    cases = [  # (schedule id, its parameters, lr, noise, tol)
        (0, np.zeros(1), spec.lr_default, 0.0, 1e-10),
        (4, np.array([0.0, 1e-4]), spec.lr_default * 3.0, 0.3, 1e-6),  # cosine, noisy
        (0, np.zeros(1), spec.lr_max, 0.0, 0.0),  # the largest lr: runs blow up or escape
    ]
    for kid, schp, lr, noise, tol in cases:
        steps = 300
        n, status, xy, loss, lrs, *_ = _run(
            surf, spec, hp, kid, schp, lr, surf.default_start, steps, noise, tol
        )
        path, ref_lrs = np.full((steps + 1, 3), -7.0), np.full(steps, -7.0)
        n_ref, status_ref, *_ = run.run_single(
            *surf.kernel_args(), spec.id, hp, kid, schp, lr, *surf.default_start, steps, noise,
            5, tol, box, box_status, path, ref_lrs, np.empty(0),
        )  # fmt: skip
        assert (n, status) == (n_ref, status_ref)
        assert np.array_equal(xy[: n + 1], path[: n + 1, :2])
        assert np.array_equal(loss[: n + 1], path[: n + 1, 2])
        assert np.array_equal(lrs[:n], ref_lrs[:n])


@pytest.mark.parametrize("name", ["adam", "adamw", "rmsprop"])
def test_the_flagged_kernels_equal_the_generic_loop_bit_for_bit(name):
    # amsgrad / centered (hyperparameter 4) on: a kernel of its own, frozen on the flag.
    spec = next(o for o in OPTIMIZERS if o.name == name)
    hp = param_vector(spec.hyperparams, None, spec.name)
    hp[4] = 1.0
    assert trajectory.family_kernel(spec.id, hp) is not trajectory.family_kernel(spec.id)
    for surface in ("rosenbrock", "beale", "saddle"):
        surf = resolve_surface(surface)
        box, box_status = surf.stop_box()
        cases = [  # (schedule id, its parameters, lr, noise): plain, and cosine with noise
            (0, np.zeros(1), spec.lr_default, 0.0),
            (4, np.array([0.0, 1e-4]), spec.lr_default * 3.0, 0.3),
        ]
        for kid, schp, lr, noise in cases:
            steps = 300
            n, status, xy, loss, *_ = _run(
                surf, spec, hp, kid, schp, lr, surf.default_start, steps, noise, 1e-10
            )
            path, ref_lrs = np.full((steps + 1, 3), -7.0), np.full(steps, -7.0)
            n_ref, status_ref, *_ = run.run_single(
                *surf.kernel_args(), spec.id, hp, kid, schp, lr, *surf.default_start, steps,
                noise, 5, 1e-10, box, box_status, path, ref_lrs, np.empty(0),
            )  # fmt: skip
            assert (n, status) == (n_ref, status_ref)
            assert np.array_equal(xy[: n + 1], path[: n + 1, :2])
            assert np.array_equal(loss[: n + 1], path[: n + 1, 2])


@pytest.mark.parametrize("surface", ["himmelblau", SURFACES[-1]], ids=["catalogue", "formula"])
def test_polyak_average_and_end_point(surface):
    surf = resolve_surface(surface)
    spec = OPTIMIZERS[1]  # momentum
    hp = param_vector(spec.hyperparams, None, spec.name)
    n, _, xy, loss, _, avg_xy, avg_loss, end = _run(
        surf, spec, hp, 0, np.zeros(1), 0.002, (0.5, -0.5), 400, 0.0, 0.0
    )
    assert n == 400
    expected = np.cumsum(xy, axis=0) / np.arange(1, n + 2)[:, None]
    assert np.array_equal(avg_xy, expected)
    at_average = losscape.evaluate(surf, expected)
    assert np.array_equal(avg_loss, at_average[:, 0])
    assert np.array_equal(end, losscape.evaluate(surf, xy[n:])[0])
    assert end[0] == loss[n]


def test_an_undefined_start_stops_at_once_with_the_start_values():
    surf = resolve_surface({"expression": "log(x) + y**2"})
    spec = OPTIMIZERS[0]
    hp = param_vector(spec.hyperparams, None, spec.name)
    n, status, xy, loss, *_, avg_xy, _, end = _run(
        surf, spec, hp, 0, np.zeros(1), 0.1, (-1.0, 2.0), 50, 0.0, 0.0
    )
    assert (n, status) == (0, kernels.STATUS_DIVERGED)
    assert xy[0].tolist() == [-1.0, 2.0] and np.isnan(loss[0]) and np.isnan(end[0])
    assert avg_xy[0].tolist() == [-1.0, 2.0]


def test_bias_tables_are_torchs_python_arithmetic():
    # torch.optim.Adam: bias_correction = 1 - beta ** step with step a Python float, and
    # math.sqrt of the second one.
    table = trajectory.adam_bias(0.9, 0.999, 3000)
    t = np.arange(1, 3001)
    assert np.array_equal(table[0, :3000], [1 - 0.9 ** float(k) for k in t])
    assert np.array_equal(table[1, :3000], [math.sqrt(1 - 0.999 ** float(k)) for k in t])
    # A longer table is kept and serves shorter runs; other betas get their own.
    assert trajectory.adam_bias(0.9, 0.999, 10) is table
    other = trajectory.adam_bias(0.5, 0.9, 10)
    assert other is not table and other[0, 0] == 0.5


def test_one_kernel_per_optimizer_family():
    by_name = {o.name: o.id for o in OPTIMIZERS}
    adam = trajectory.family_kernel(by_name["adam"])
    assert adam is trajectory.family_kernel(by_name["adamw"])
    assert trajectory.family_kernel(by_name["gd"]) is trajectory.family_kernel(by_name["nesterov"])
    assert adam is not trajectory.family_kernel(by_name["gd"])
    assert len({trajectory.family_kernel(o.id) for o in OPTIMIZERS}) == 7


def test_noise_table_holds_the_generators_draws():
    out = np.empty((50, 2))
    trajectory.noise_table(11, out)
    assert [out[t, k] for t in (0, 49) for k in (0, 1)] == [
        gaussian(11, t, k) for t in (0, 49) for k in (0, 1)
    ]
    assert abs(out.mean()) < 0.5 and 0.5 < out.std() < 1.5  # standard normal draws


def test_the_table_form_matches_the_split_arrays():
    surf = resolve_surface("beale")
    spec = OPTIMIZERS[7]
    hp = param_vector(spec.hyperparams, None, spec.name)
    n, status, xy, loss, _, avg_xy, avg_loss, end = _run(
        surf, spec, hp, 0, np.zeros(1), 0.01, (1.0, 1.5), 200, 0.0, 1e-10
    )
    box, box_status = surf.stop_box()
    path, lrs2 = np.empty((201, 3)), np.empty(200)
    averaged, end2 = np.empty((201, 3)), np.empty(3)
    assert kernels.trajectory(
        *surf.kernel_args(), spec.id, hp, 0, np.zeros(1), 0.01, 1.0, 1.5, 200, 0.0, 5, 1e-10,
        box, box_status, path, lrs2, averaged, end2,
    ) == (n, status)  # fmt: skip
    assert np.array_equal(path[: n + 1], np.column_stack([xy, loss])[: n + 1])
    assert np.array_equal(averaged[: n + 1], np.column_stack([avg_xy, avg_loss])[: n + 1])
    assert np.array_equal(end2, end)


def test_service_results_are_contiguous_and_early_stops_compact():
    full = losscape.trajectory("rosenbrock", "adam", steps=500)
    assert full.path.shape == (501, 2) and full.path.flags.c_contiguous
    early = losscape.trajectory("quadratic", "gd", start=(1.0, 1.0), lr=0.5, steps=5000, tol=1e-6)
    assert early.status == "converged" and early.steps_taken < 100
    for a in (early.path, early.loss, early.lrs, early.averaged_path, early.averaged_loss):
        assert a.flags.c_contiguous and a.base is None  # copies: the 5001-row buffers are freed
    assert early.lrs.shape == (early.steps_taken,)


@pytest.mark.parametrize("tol", [0.0, 1e-10, 1e-6, 0.3, 1.0, 7.0, 1e3, 1e-160, 1e-200, 5e-324])
def test_norm_threshold_tells_what_the_square_root_would(tol):
    # The kernels test |g|^2 < norm_threshold(tol) instead of sqrt(|g|^2) < tol: the same
    # answer for every s, checked at the threshold's neighbours, where rounding decides.
    thr = trajectory.norm_threshold(tol)
    near = [thr, np.nextafter(thr, -np.inf), np.nextafter(thr, np.inf), tol * tol]
    near += [np.nextafter(tol * tol, d) for d in (-np.inf, np.inf)]
    for s in [x for x in near if x >= 0.0] + [0.0, math.inf, math.nan]:
        assert (s < thr) == (math.sqrt(s) < tol), (tol, s, thr)


@pytest.mark.parametrize("surface", ["himmelblau", SURFACES[-1]], ids=["catalogue", "formula"])
@pytest.mark.parametrize("optimizer", ["adam", "gd", "newton"])
def test_the_end_holds_the_hessian_of_hessian_at_when_it_has_room(surface, optimizer):
    surf = resolve_surface(surface)
    spec = next(o for o in OPTIMIZERS if o.name == optimizer)
    hp = param_vector(spec.hyperparams, None, spec.name)
    box, box_status = surf.stop_box()
    m = 101
    xy, loss, lrs, end = np.empty((m, 2)), np.empty(m), np.empty(m - 1), np.empty(7)
    n, _ = kernels.run_trajectory(
        *surf.kernel_args(), spec.id, hp, 0, np.zeros(1), spec.lr_default * 0.1, 0.5, -0.5,
        m - 1, 0.0, 0, 0.0, box, box_status, xy, loss, lrs, np.empty((0, 2)), np.empty(0), end,
    )  # fmt: skip
    h = np.empty((2, 2))
    kernels.hessian_at(*surf.kernel_args(), xy[n, 0], xy[n, 1], h)
    assert end[3:].tolist() == h.ravel().tolist()
    assert end[:3].tolist() == losscape.evaluate(surf, xy[n:])[0].tolist()


def test_the_constant_schedule_fill_is_schedule_lr():
    # The kernels fill lrs with lr0 for CONSTANT_SCHEDULE instead of calling schedule_lr.
    from losscape.numerics.schedules import SCHEDULES, schedule_lr

    constant = next(s for s in SCHEDULES if s.name == "constant")
    assert constant.id == trajectory.CONSTANT_SCHEDULE
    schp = np.zeros(max(len(constant.params), 1))
    for t in (0, 1, 999):
        assert schedule_lr(constant.id, t, 0.0123, schp, 1000) == 0.0123
    surf = resolve_surface("rosenbrock")
    spec = next(o for o in OPTIMIZERS if o.name == "adam")
    hp = param_vector(spec.hyperparams, None, "adam")
    *_, lrs, _, _, _ = _run(surf, spec, hp, constant.id, schp, 0.0123, (-1.5, 2.0), 50, 0.0, 0.0)
    assert np.array_equal(lrs, np.full(50, 0.0123))
