"""Kernels: sweeps agree bit for bit with single trajectories; stop rules; grids."""

from __future__ import annotations

import numpy as np
import pytest

import losscape
from losscape.numerics import kernels
from losscape.numerics.noise import gaussian
from losscape.numerics.optimizers import NEWTON_ID, OPTIMIZERS
from losscape.numerics.registry import param_vector
from losscape.numerics.surfaces import SURFACES, surface_eval, surface_eval_block
from losscape.service import resolve_surface

SURFACE_OPTIMIZERS = [o for o in OPTIMIZERS]


def _single(surf, spec, hp, lr, start, steps, noise_std=0.0, seed=0):
    box, box_status = surf.stop_box()
    path = np.empty((steps + 1, 3))
    lrs = np.empty(steps)
    n, status = kernels.trajectory(
        *surf.kernel_args(), spec.id, hp, 0, np.zeros(1), lr, start[0], start[1], steps,
        noise_std, seed, 1e-10, box, box_status, path, lrs, np.empty((0, 3)), np.empty(3),
    )  # fmt: skip
    return n, status, path[: n + 1]


@pytest.mark.parametrize("spec", SURFACE_OPTIMIZERS, ids=lambda s: s.name)
@pytest.mark.parametrize("noise_std", [0.0, 0.3])
def test_batch_equals_loop_of_trajectories_bit_for_bit(spec, noise_std):
    surf = resolve_surface("rosenbrock")
    hp = param_vector(spec.hyperparams, None, spec.name)
    rng = np.random.default_rng(1)
    r, steps = 12, 150
    lrs = np.geomspace(1e-4, 0.05, r) * (10.0 if spec.name == "newton" else 1.0)
    starts = rng.uniform(-1.5, 1.5, size=(r, 2))
    curves = np.empty((r, steps + 1))
    finals, best = np.empty((r, 3)), np.empty(r)
    status, taken = np.empty(r, dtype=np.int64), np.empty(r, dtype=np.int64)
    box, box_status = surf.stop_box()
    kernels.batch(
        *surf.kernel_args(), spec.id, np.tile(hp, (r, 1)), 0, np.zeros(1), lrs, starts, steps,
        noise_std, 7, 1e-10, box, box_status, curves, finals, best, status, taken,
    )  # fmt: skip
    for i in range(r):
        n, st, path = _single(surf, spec, hp, lrs[i], starts[i], steps, noise_std, 7)
        assert (n, st) == (taken[i], status[i])
        # Bit for bit: the same floats, not merely close ones.
        assert np.array_equal(curves[i, : n + 1], path[:, 2])
        assert np.array_equal(finals[i], path[-1])
        assert best[i] == path[:, 2].min()
        assert np.all(curves[i, n + 1 :] == path[-1, 2])


def test_parallel_twin_equals_serial():
    surf = resolve_surface("rosenbrock")
    spec = OPTIMIZERS[0]
    hp = param_vector(spec.hyperparams, None, spec.name)
    r, steps = 200, 100
    starts = np.random.default_rng(2).uniform(-2, 2, size=(r, 2))
    lrs = np.full(r, 1e-3)
    outs = []
    for kernel in (kernels.batch, kernels.batch_parallel):
        finals, best = np.empty((r, 3)), np.empty(r)
        status, taken = np.empty(r, dtype=np.int64), np.empty(r, dtype=np.int64)
        box, box_status = surf.stop_box()
        kernel(
            *surf.kernel_args(), spec.id, np.tile(hp, (r, 1)), 0, np.zeros(1), lrs, starts,
            steps, 0.0, 0, 1e-10, box, box_status, np.empty((0, 0)), finals, best, status, taken,
        )  # fmt: skip
        outs.append((finals, best, status, taken))
    for a, b in zip(*outs, strict=True):
        assert np.array_equal(a, b)


def test_divergence_stops_with_last_finite_point():
    # GD on 0.5 |w|^2 with lr 2.5: each step multiplies w by -1.5 until it leaves 10x the view.
    run = losscape.trajectory("quadratic", "gd", start=(1.0, 0.0), lr=2.5, steps=500)
    assert run.status == "diverged"
    k = run.steps_taken
    assert run.stopped_at == k + 1
    assert np.allclose(run.path[:, 0], (-1.5) ** np.arange(k + 1))
    assert abs(run.path[-1, 0]) <= 20.0 < 1.5 * abs(run.path[-1, 0])
    assert np.all(np.isfinite(run.path)) and np.all(np.isfinite(run.loss))


def test_convergence_stops_on_small_gradient():
    run = losscape.trajectory("quadratic", "gd", start=(1.0, 1.0), lr=0.5, steps=500, tol=1e-6)
    assert run.status == "converged"
    g = np.hypot(*run.path[-1])
    assert g < 1e-6 and np.hypot(*run.path[-2]) >= 1e-6
    assert run.stopped_at == run.steps_taken


def test_grid_values_match_pointwise_evaluation():
    g = losscape.grid("rosenbrock", resolution=7, arrows=3)
    mx, my = np.meshgrid(g.xs, g.ys)
    direct = losscape.evaluate("rosenbrock", np.column_stack([mx.ravel(), my.ravel()]))
    assert np.array_equal(g.values.ravel(), direct[:, 0])
    assert g.arrow_x.shape == (9,)
    at = losscape.evaluate("rosenbrock", np.column_stack([g.arrow_x, g.arrow_y]))
    assert np.array_equal(at[:, 1], g.arrow_gx) and np.array_equal(at[:, 2], g.arrow_gy)


def test_noise_is_standard_normal_and_deterministic():
    draws = np.array([gaussian(3, t, k) for t in range(20000) for k in range(2)])
    assert abs(draws.mean()) < 0.02
    assert abs(draws.std() - 1.0) < 0.02
    assert gaussian(3, 5, 1) == gaussian(3, 5, 1)
    assert gaussian(3, 5, 1) != gaussian(4, 5, 1)
    # Independent coordinates: correlation near zero.
    assert abs(np.corrcoef(draws[0::2], draws[1::2])[0, 1]) < 0.03


def test_noise_std_scales_as_one_over_sqrt_batch():
    # On the quadratic a GD step's deviation from the noiseless step is lr * noise / sqrt(S).
    base = losscape.trajectory("quadratic", "gd", start=(1.0, 1.0), lr=0.1, steps=1)
    devs = []
    for s in (1, 4, 16):
        runs = [
            losscape.trajectory(
                "quadratic", "gd", start=(1.0, 1.0), lr=0.1, steps=1, noise=1.0, batch_size=s,
                seed=seed,
            ).path[1]
            - base.path[1]
            for seed in range(2000)
        ]  # fmt: skip
        devs.append(np.std(np.array(runs)) / 0.1)
    assert devs == pytest.approx([1.0, 0.5, 0.25], rel=0.05)


@pytest.mark.parametrize("surface", SURFACES, ids=lambda s: s.name)
def test_block_evaluation_equals_pointwise_for_every_surface(surface):
    surf = resolve_surface(surface.name)
    rng = np.random.default_rng(surface.id)
    x0, x1, y0, y1 = surface.view
    n = 37
    theta = np.concatenate([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])
    values, grad = np.empty(n), np.empty(2 * n)
    stack = np.empty((64, 3))
    surface_eval_block(surf.sid, theta, n, surf.params, surf.code, surf.consts, stack, values, grad)
    for r in range(n):
        f, gx, gy = surface_eval(
            surf.sid, theta[r], theta[n + r], surf.params, surf.code, surf.consts, stack
        )
        assert (values[r], grad[r], grad[n + r]) == (f, gx, gy)


LOCKSTEP_CASES = [
    ("himmelblau", (-5.0, 5.0, -5.0, 5.0), 0.01),
    ("rosenbrock", (-2.0, 2.0, -1.0, 3.0), 0.002),
    ("saddle", (-1.0, 1.0, -1e-3, 1e-3), 0.5),
    ("quadratic", (-2.0, 2.0, -2.0, 2.0), 1.9),
    ("ravine", (-2.0, 2.0, -2.0, 2.0), 1.5),
]
# Which stop each case must exercise for plain gradient descent (lr / 10 for gd).
LOCKSTEP_GD_STATUS = {"saddle": "escaped", "quadratic": "converged", "ravine": "diverged"}


@pytest.mark.parametrize("spec", [o for o in OPTIMIZERS if o.id != NEWTON_ID], ids=lambda s: s.name)
@pytest.mark.parametrize(
    ("surface", "view", "lr"), LOCKSTEP_CASES, ids=[c[0] for c in LOCKSTEP_CASES]
)
def test_lockstep_block_equals_single_trajectories_bit_for_bit(spec, surface, view, lr):
    """Runs sharing (lr, hp) go through the vectorised lockstep path: same bits as one by one."""
    surf = resolve_surface(surface)
    hp = param_vector(spec.hyperparams, None, spec.name)
    g, steps = 9, 120
    xs, ys = np.meshgrid(np.linspace(view[0], view[1], g), np.linspace(view[2], view[3], g))
    starts = np.column_stack([xs.ravel(), ys.ravel()])
    r = starts.shape[0]
    lr = lr * (100.0 if spec.name in ("adam", "adamw", "rmsprop", "adagrad") else 1.0) / 10
    curves = np.empty((r, steps + 1))
    finals, best = np.empty((r, 3)), np.empty(r)
    status, taken = np.empty(r, dtype=np.int64), np.empty(r, dtype=np.int64)
    box, box_status = surf.stop_box()
    kernels.batch(
        *surf.kernel_args(), spec.id, np.tile(hp, (r, 1)), 0, np.zeros(1), np.full(r, lr), starts,
        steps, 0.2, 3, 1e-6, box, box_status, curves, finals, best, status, taken,
    )  # fmt: skip
    kinds = set()
    for i in range(r):
        box_, bs = surf.stop_box()
        path, lrs = np.empty((steps + 1, 3)), np.empty(steps)
        n, st = kernels.trajectory(
            *surf.kernel_args(), spec.id, hp, 0, np.zeros(1), lr, starts[i, 0], starts[i, 1],
            steps, 0.2, 3, 1e-6, box_, bs, path, lrs, np.empty((0, 3)), np.empty(3),
        )  # fmt: skip
        kinds.add(int(st))
        assert (n, st) == (taken[i], status[i])
        assert np.array_equal(curves[i, : n + 1], path[: n + 1, 2])
        assert np.array_equal(finals[i], path[n])
        assert best[i] == path[: n + 1, 2].min()
    if spec.name == "gd" and surface in LOCKSTEP_GD_STATUS:
        assert kernels.STATUS_NAMES.index(LOCKSTEP_GD_STATUS[surface]) in kinds


def test_start_outside_the_domain_gives_an_all_nan_curve_not_garbage():
    surf = resolve_surface({"name": "rosenbrock"})
    spec = OPTIMIZERS[0]
    hp = param_vector(spec.hyperparams, None, spec.name)
    starts = np.array([[np.nan, 0.0], [0.0, 0.0]])
    curves = np.full((2, 11), 123.0)
    finals, best = np.empty((2, 3)), np.empty(2)
    status, taken = np.empty(2, dtype=np.int64), np.empty(2, dtype=np.int64)
    box, box_status = surf.stop_box()
    for lrs in (np.full(2, 1e-3), np.array([1e-3, 2e-3])):  # lockstep, then one by one
        kernels.batch(
            *surf.kernel_args(), spec.id, np.tile(hp, (2, 1)), 0, np.zeros(1), lrs, starts, 10,
            0.0, 0, 0.0, box, box_status, curves, finals, best, status, taken,
        )  # fmt: skip
        assert status[0] == kernels.STATUS_DIVERGED and taken[0] == 0
        assert np.all(np.isnan(curves[0])) and np.all(np.isfinite(curves[1]))


def _lane_hps(spec, r: int, rng: np.random.Generator) -> np.ndarray:
    """r hyperparameter rows drawn inside each parameter's bounds (bools 0 / 1, and the
    upper half of each range for decay rates so runs stay well-behaved)."""
    rows = np.empty((r, len(spec.hyperparams)))
    for k, p in enumerate(spec.hyperparams):
        if p.kind == "bool":
            rows[:, k] = rng.integers(0, 2, r)
        elif p.log:
            rows[:, k] = np.exp(rng.uniform(np.log(p.min), np.log(min(p.max, 1e-2)), r))
        else:
            lo = p.min + 0.5 * (p.max - p.min) if p.max <= 1.0 and p.default > 0.5 else p.min
            rows[:, k] = rng.uniform(lo, min(p.max, max(p.default, lo) + 0.1), r)
    return rows


@pytest.mark.parametrize("spec", [o for o in OPTIMIZERS if o.id != NEWTON_ID], ids=lambda s: s.name)
@pytest.mark.parametrize("kid", [0, 4], ids=["constant", "cosine"])
def test_lanes_with_their_own_lr_and_hyperparameters_equal_single_runs_bit_for_bit(spec, kid):
    """An lr sweep / lr x momentum map block: every run has its own lr and hyperparameter row."""
    surf = resolve_surface("rosenbrock")
    rng = np.random.default_rng(spec.id + 10 * kid)
    r, steps = 40, 200
    hps = _lane_hps(spec, r, rng)
    lrs = np.geomspace(1e-5, 2e-2, r)
    starts = rng.uniform(-1.5, 1.5, size=(r, 2))
    schp = np.array([0.0, 1e-5])  # cosine over the run's length down to 1e-5
    curves = np.empty((r, steps + 1))
    finals, best = np.empty((r, 3)), np.empty(r)
    status, taken = np.empty(r, dtype=np.int64), np.empty(r, dtype=np.int64)
    box, box_status = surf.stop_box()
    kernels.batch(
        *surf.kernel_args(), spec.id, hps, kid, schp, lrs, starts, steps, 0.0, 0, 1e-8, box,
        box_status, curves, finals, best, status, taken,
    )  # fmt: skip
    for i in range(r):
        path, lane_lrs = np.empty((steps + 1, 3)), np.empty(steps)
        n, st = kernels.trajectory(
            *surf.kernel_args(), spec.id, hps[i], kid, schp, lrs[i], starts[i, 0], starts[i, 1],
            steps, 0.0, 0, 1e-8, box, box_status, path, lane_lrs, np.empty((0, 3)), np.empty(3),
        )  # fmt: skip
        assert (n, st) == (taken[i], status[i])
        assert np.array_equal(curves[i, : n + 1], path[: n + 1, 2])
        assert np.array_equal(finals[i], path[n])


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
@pytest.mark.parametrize("surface", [s.name for s in SURFACES])
def test_fused_pass_equals_single_runs_on_every_catalogue_surface(surface, optimizer):
    """Momentum on a catalogue surface takes the fused pass (the surface evaluated inside
    the check-and-step loop, one loop per surface), Adam the two passes: either way every
    lane, with its own lr and momentum / beta1 and a start across the view, converging,
    diverging or escaping, is its single run bit for bit."""
    surf = resolve_surface(surface)
    spec = next(o for o in OPTIMIZERS if o.name == optimizer)
    rng = np.random.default_rng(len(surface))
    r, steps = 48, 80
    hps = np.tile(param_vector(spec.hyperparams, None, spec.name), (r, 1))
    hps[:, 0] = rng.uniform(0.0, 0.95, r)  # momentum / beta1, 0 included via GD-like lanes
    hps[::7, 0] = 0.0
    lrs = np.geomspace(1e-4, 1.0, r)
    x0, x1, y0, y1 = surf.view
    starts = np.column_stack([rng.uniform(x0, x1, r), rng.uniform(y0, y1, r)])
    curves = np.empty((r, steps + 1))
    finals, best = np.empty((r, 3)), np.empty(r)
    status, taken = np.empty(r, dtype=np.int64), np.empty(r, dtype=np.int64)
    box, box_status = surf.stop_box()
    kernels.batch(
        *surf.kernel_args(), spec.id, hps, 0, np.zeros(1), lrs, starts, steps, 0.0, 0, 1e-3,
        box, box_status, curves, finals, best, status, taken,
    )  # fmt: skip
    for i in range(r):
        path, lane_lrs = np.empty((steps + 1, 3)), np.empty(steps)
        n, st = kernels.trajectory(
            *surf.kernel_args(), spec.id, hps[i], 0, np.zeros(1), lrs[i], starts[i, 0],
            starts[i, 1], steps, 0.0, 0, 1e-3, box, box_status, path, lane_lrs,
            np.empty((0, 3)), np.empty(3),
        )  # fmt: skip
        assert (n, st) == (taken[i], status[i])
        assert np.array_equal(curves[i, : n + 1], path[: n + 1, 2])
        assert np.array_equal(finals[i], path[n])
        assert best[i] == path[: n + 1, 2].min()
