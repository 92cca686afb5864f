"""Trajectory and sweep kernels.

All kernels write into preallocated arrays and return small tuples; none
allocates per step. A single trajectory and every sweep go through the same
``_run`` so a sweep agrees bit for bit with a loop of single trajectories.

Stop rules, checked after every step:
- non-finite value, gradient or point, or |loss| > ``LOSS_BOUND``: diverged;
- the point leaves ``box`` (xmin, xmax, ymin, ymax): ``box_status`` (diverged
  for surfaces bounded below, escaped for those that are not);
- gradient norm below ``tol`` (before noise is added): converged.

Serial kernels carry ``nogil=True`` for the web process; ``*_parallel`` twins
use ``prange`` and have their own names (numba's cache key ignores
``parallel``, so one function compiled both ways would reuse the wrong code).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .lanes import lanes_init, lanes_step, shared_betas
from .noise import gaussian
from .optimizers import MAX_STATE_SLOTS, NEWTON_ID, newton_step, optimizer_init, optimizer_step
from .program import PROGRAM_STACK
from .schedules import schedule_lr
from .surfaces import surface_eval, surface_eval_block

STATUS_DONE = 0
STATUS_CONVERGED = 1
STATUS_DIVERGED = 2
STATUS_ESCAPED = 3
STATUS_NAMES = ("done", "converged", "diverged", "escaped")
LOSS_BOUND = 1e100
BLOCK = 256  # runs stepped together: 2 x 256 coordinates and their state fit in L1


@njit(cache=True, nogil=True, error_model="numpy")
def hessian_fd(
    sid: int,
    x: float,
    y: float,
    sp: np.ndarray,
    code: np.ndarray,
    consts: np.ndarray,
    stack: np.ndarray,
    out: np.ndarray,
) -> None:
    """Hessian (2, 2) by central differences of the analytic gradient, symmetrised.

    H[:, j] = (g(p + h e_j) - g(p - h e_j)) / 2h with h = 1e-5 (1 + |p_j|):
    error O(h^2) on an exact gradient, well inside what eigen-directions need.
    """
    hx = 1e-5 * (1.0 + abs(x))
    hy = 1e-5 * (1.0 + abs(y))
    _, gxp, gyp = surface_eval(sid, x + hx, y, sp, code, consts, stack)
    _, gxm, gym = surface_eval(sid, x - hx, y, sp, code, consts, stack)
    hxx = (gxp - gxm) / (2.0 * hx)
    hyx = (gyp - gym) / (2.0 * hx)
    _, gxp, gyp = surface_eval(sid, x, y + hy, sp, code, consts, stack)
    _, gxm, gym = surface_eval(sid, x, y - hy, sp, code, consts, stack)
    hxy = (gxp - gxm) / (2.0 * hy)
    hyy = (gyp - gym) / (2.0 * hy)
    out[0, 0] = hxx
    out[1, 1] = hyy
    out[0, 1] = 0.5 * (hxy + hyx)
    out[1, 0] = out[0, 1]


@njit(cache=True, nogil=True, error_model="numpy")
def _run(
    sid: int,
    sp: np.ndarray,
    code: np.ndarray,
    consts: np.ndarray,
    oid: int,
    hp: np.ndarray,
    kid: int,
    schp: np.ndarray,
    lr0: float,
    x0: float,
    y0: float,
    steps: int,
    noise_std: float,
    seed: int,
    tol: float,
    box: np.ndarray,
    box_status: int,
    path: np.ndarray,
    lrs: np.ndarray,
    curve: np.ndarray,
) -> tuple[int, int, float, float, float, float]:
    """Run one optimizer from (x0, y0) for up to ``steps`` steps.

    Records rows (x, y, loss) into ``path`` (steps + 1, 3) and the lr of each
    step into ``lrs`` (steps,) when they are non-empty; the loss alone into
    ``curve`` (steps + 1,) when that is non-empty. Rows past the returned step
    count are left untouched.

    Returns (n, status, x, y, loss, best_loss): n steps were taken, so rows
    0..n are valid; (x, y, loss) is row n.
    """
    record_path = path.shape[0] > 0
    record_curve = curve.shape[0] > 0
    stack = np.empty((PROGRAM_STACK, 3))
    theta = np.empty(2)
    grad = np.empty(2)
    state = np.zeros((MAX_STATE_SLOTS, 2))
    hess = np.empty((2, 2))
    optimizer_init(oid, state, hp)
    theta[0] = x0
    theta[1] = y0
    f, gx, gy = surface_eval(sid, x0, y0, sp, code, consts, stack)
    # Row 0 is written even for an undefined start, so callers can tell it apart.
    if record_path:
        path[0, 0] = x0
        path[0, 1] = y0
        path[0, 2] = f
    if record_curve:
        curve[0] = f
    if not (math.isfinite(f) and math.isfinite(gx) and math.isfinite(gy)) or abs(f) > LOSS_BOUND:
        return 0, STATUS_DIVERGED, x0, y0, math.nan, math.nan
    best = f
    cx = x0
    cy = y0
    for t in range(steps):
        if math.sqrt(gx * gx + gy * gy) < tol:
            return t, STATUS_CONVERGED, cx, cy, f, best
        lr = schedule_lr(kid, t, lr0, schp, steps)
        if record_path:
            lrs[t] = lr
        if noise_std > 0.0:
            gx += noise_std * gaussian(seed, t, 0)
            gy += noise_std * gaussian(seed, t, 1)
        grad[0] = gx
        grad[1] = gy
        if oid == NEWTON_ID:
            hessian_fd(sid, cx, cy, sp, code, consts, stack, hess)
            newton_step(theta, grad, hess, lr, hp)
        else:
            optimizer_step(oid, theta, grad, state, t + 1, lr, hp)
        x = theta[0]
        y = theta[1]
        fn, gxn, gyn = surface_eval(sid, x, y, sp, code, consts, stack)
        finite = (
            math.isfinite(x)
            and math.isfinite(y)
            and math.isfinite(fn)
            and math.isfinite(gxn)
            and math.isfinite(gyn)
            and abs(fn) <= LOSS_BOUND
        )
        outside = x < box[0] or x > box[1] or y < box[2] or y > box[3]
        if not finite or (outside and box_status == STATUS_DIVERGED):
            # The step at t + 1 blew up: report the last finite point.
            return t, STATUS_DIVERGED, cx, cy, f, best
        cx = x
        cy = y
        f = fn
        gx = gxn
        gy = gyn
        if f < best:
            best = f
        if record_path:
            path[t + 1, 0] = x
            path[t + 1, 1] = y
            path[t + 1, 2] = f
        if record_curve:
            curve[t + 1] = f
        if outside:
            return t + 1, box_status, cx, cy, f, best
    return steps, STATUS_DONE, cx, cy, f, best


@njit(cache=True, nogil=True, error_model="numpy")
def trajectory(
    sid: int,
    sp: np.ndarray,
    code: np.ndarray,
    consts: np.ndarray,
    oid: int,
    hp: np.ndarray,
    kid: int,
    schp: np.ndarray,
    lr0: float,
    x0: float,
    y0: float,
    steps: int,
    noise_std: float,
    seed: int,
    tol: float,
    box: np.ndarray,
    box_status: int,
    path: np.ndarray,
    lrs: np.ndarray,
    averaged: np.ndarray,
    end: np.ndarray,
) -> tuple[int, int]:
    """One run: path (steps + 1, 3) rows (x, y, loss), lrs (steps,). Returns (n, status).

    Also, in the same call (so a run needs no second pass from Python):
    ``averaged`` (steps + 1, 3), unless it has no rows: the Polyak average
    abar_k = (p_0 + ... + p_k) / (k + 1) of the points, summed in order as
    ``np.cumsum`` sums, and the loss there; ``end`` (3,) = (f, df/dx, df/dy) at the
    last point, row n (for n = 0 after an undefined start: that start's values).
    """
    n, status, _, _, _, _ = _run(
        sid, sp, code, consts, oid, hp, kid, schp, lr0, x0, y0, steps, noise_std, seed, tol,
        box, box_status, path, lrs, np.empty(0),
    )  # fmt: skip
    stack = np.empty((PROGRAM_STACK, 3))
    f, gx, gy = surface_eval(sid, path[n, 0], path[n, 1], sp, code, consts, stack)
    end[0] = f
    end[1] = gx
    end[2] = gy
    if averaged.shape[0] > 0:
        sx = path[0, 0]
        sy = path[0, 1]
        for k in range(n + 1):
            if k > 0:
                sx += path[k, 0]
                sy += path[k, 1]
            ax = sx / (k + 1)
            ay = sy / (k + 1)
            fa, _, _ = surface_eval(sid, ax, ay, sp, code, consts, stack)
            averaged[k, 0] = ax
            averaged[k, 1] = ay
            averaged[k, 2] = fa
    return n, status


@njit(cache=True, nogil=True, error_model="numpy")
def _run_block_lockstep(
    lo: int,
    hi: int,
    sid: int,
    sp: np.ndarray,
    code: np.ndarray,
    consts: np.ndarray,
    oid: int,
    hps: np.ndarray,
    kid: int,
    schp: np.ndarray,
    lrs: np.ndarray,
    starts: np.ndarray,
    steps: int,
    noise_std: float,
    seed: int,
    tol: float,
    box: np.ndarray,
    box_status: int,
    curves: np.ndarray,
    finals: np.ndarray,
    best: np.ndarray,
    status: np.ndarray,
    taken: np.ndarray,
) -> None:
    """Runs lo..hi-1 stepped together: steps outer, runs inner.

    The block's coordinates form one vector theta = (x_0..x_{n-1}, y_0..y_{n-1})
    so one ``lanes_step`` (each run with its own lr ``lrs[r]`` and hyperparameters
    ``hps[r]``; every optimizer but Newton) and one ``surface_eval_block`` advance
    every run, in loops LLVM vectorises.
    The per-run stop checks are branch-free flag loops over few arrays (so they
    vectorise too); the rare runs that stop are handled after them. Per run
    the operations are exactly ``_run``'s, so results agree bit for bit. A run
    that has stopped keeps being stepped; its results are already stored.
    """
    n = hi - lo
    stack = np.empty((PROGRAM_STACK, 3))
    theta = np.empty(2 * n)
    grad = np.empty(2 * n)
    values = np.empty(n)
    prev_theta = np.empty(2 * n)
    prev_values = np.empty(n)
    low = np.empty(n)  # best loss so far
    active = np.zeros(n, dtype=np.bool_)
    event = np.zeros(n, dtype=np.bool_)
    state = np.zeros((MAX_STATE_SLOTS, 2 * n))
    record = curves.shape[0] > 0
    x_lo, x_hi, y_lo, y_hi = box[0], box[1], box[2], box[3]
    lanes_init(oid, state, hps, lo, n)
    betas = shared_betas(hps, lo, hi)
    lane_lr = np.empty(n)  # each run's rate at this step
    for r in range(n):
        lane_lr[r] = lrs[lo + r]
    for r in range(n):
        theta[r] = starts[lo + r, 0]
        theta[n + r] = starts[lo + r, 1]
    surface_eval_block(sid, theta, n, sp, code, consts, stack, values, grad)
    live = 0
    for r in range(n):
        f = values[r]
        if (
            not (math.isfinite(f) and math.isfinite(grad[r]) and math.isfinite(grad[n + r]))
            or abs(f) > LOSS_BOUND
        ):
            _store(lo + r, 0, STATUS_DIVERGED, theta[r], theta[n + r], math.nan, math.nan, steps,
                   curves, finals, best, status, taken, record)  # fmt: skip
            continue
        active[r] = True
        live += 1
        low[r] = f
        if record:
            curves[lo + r, 0] = f
    for t in range(steps):
        # Active runs sit at their last accepted point: theta, values, grad are theirs.
        if tol > 0.0:
            events = 0
            for r in range(n):
                hit = active[r] & (math.sqrt(grad[r] * grad[r] + grad[n + r] * grad[n + r]) < tol)
                event[r] = hit
                events += hit
            if events > 0:
                for r in range(n):
                    if event[r]:
                        active[r] = False
                        live -= 1
                        _store(lo + r, t, STATUS_CONVERGED, theta[r], theta[n + r],
                               values[r], low[r], steps, curves, finals, best, status, taken,
                               record)  # fmt: skip
        if live == 0:
            return
        if kid != 0:  # a constant schedule's rate is lrs[r] itself
            for r in range(n):
                lane_lr[r] = schedule_lr(kid, t, lrs[lo + r], schp, steps)
        if noise_std > 0.0:
            nx = noise_std * gaussian(seed, t, 0)
            ny = noise_std * gaussian(seed, t, 1)
            for r in range(n):
                grad[r] += nx
                grad[n + r] += ny
        prev_theta[:] = theta
        prev_values[:] = values
        lanes_step(oid, theta, grad, state, t + 1, lane_lr, hps, lo, n, betas)
        surface_eval_block(sid, theta, n, sp, code, consts, stack, values, grad)
        events = 0
        for r in range(n):
            x = theta[r]
            y = theta[n + r]
            fn = values[r]
            # abs(v) < inf is isfinite(v) without a branch; abs(fn) <= LOSS_BOUND implies it.
            ok = (
                (abs(x) < math.inf)
                & (abs(y) < math.inf)
                & (abs(fn) <= LOSS_BOUND)
                & (abs(grad[r]) < math.inf)
                & (abs(grad[n + r]) < math.inf)
                & (x >= x_lo)
                & (x <= x_hi)
                & (y >= y_lo)
                & (y <= y_hi)
            )
            a = active[r]
            low[r] = fn if a & ok & (fn < low[r]) else low[r]
            hit = a & (not ok)
            event[r] = hit
            events += hit
        if record:
            for r in range(n):
                if active[r] and not event[r]:
                    curves[lo + r, t + 1] = values[r]
        if events > 0:
            for r in range(n):
                if event[r]:
                    active[r] = False
                    live -= 1
                    _stop_block_run(r, lo, t, theta, values, grad, prev_theta, prev_values, low,
                                    n, box_status, steps, curves, finals, best, status, taken,
                                    record)  # fmt: skip
    for r in range(n):
        if active[r]:
            _store(lo + r, steps, STATUS_DONE, theta[r], theta[n + r], values[r], low[r], steps,
                   curves, finals, best, status, taken, record)  # fmt: skip


@njit(cache=True, nogil=True, error_model="numpy")
def _stop_block_run(
    r: int,
    lo: int,
    t: int,
    theta: np.ndarray,
    values: np.ndarray,
    grad: np.ndarray,
    prev_theta: np.ndarray,
    prev_values: np.ndarray,
    low: np.ndarray,
    n: int,
    box_status: int,
    steps: int,
    curves: np.ndarray,
    finals: np.ndarray,
    best: np.ndarray,
    status: np.ndarray,
    taken: np.ndarray,
    record: bool,
) -> None:
    """A lockstep run whose step t + 1 failed the checks: diverged, or left the box."""
    x = theta[r]
    y = theta[n + r]
    fn = values[r]
    finite = (
        math.isfinite(x)
        and math.isfinite(y)
        and math.isfinite(fn)
        and math.isfinite(grad[r])
        and math.isfinite(grad[n + r])
        and abs(fn) <= LOSS_BOUND
    )
    if not finite or box_status == STATUS_DIVERGED:
        _store(lo + r, t, STATUS_DIVERGED, prev_theta[r], prev_theta[n + r], prev_values[r],
               low[r], steps, curves, finals, best, status, taken, record)  # fmt: skip
        return
    # Finite but outside the box of a surface unbounded below: the point counts.
    b = fn if fn < low[r] else low[r]
    if record:
        curves[lo + r, t + 1] = fn
    _store(lo + r, t + 1, box_status, x, y, fn, b, steps, curves, finals, best, status, taken,
           record)  # fmt: skip


@njit(cache=True, nogil=True, error_model="numpy")
def _store(
    r: int,
    n_steps: int,
    st: int,
    x: float,
    y: float,
    f: float,
    b: float,
    steps: int,
    curves: np.ndarray,
    finals: np.ndarray,
    best: np.ndarray,
    status: np.ndarray,
    taken: np.ndarray,
    record: bool,
) -> None:
    """Store run r's outcome; pad its curve with the last loss so plots stay flat, not ragged.

    A run whose start is already non-finite has no loss at all: its curve is all NaN.
    """
    if record:
        first = n_steps + 1 if math.isfinite(f) else 0
        for k in range(first, steps + 1):
            curves[r, k] = f
    finals[r, 0] = x
    finals[r, 1] = y
    finals[r, 2] = f
    best[r] = b
    status[r] = st
    taken[r] = n_steps


@njit(cache=True, nogil=True, error_model="numpy")
def _run_block(
    lo: int,
    hi: int,
    sid: int,
    sp: np.ndarray,
    code: np.ndarray,
    consts: np.ndarray,
    oid: int,
    hps: np.ndarray,
    kid: int,
    schp: np.ndarray,
    lrs: np.ndarray,
    starts: np.ndarray,
    steps: int,
    noise_std: float,
    seed: int,
    tol: float,
    box: np.ndarray,
    box_status: int,
    curves: np.ndarray,
    finals: np.ndarray,
    best: np.ndarray,
    status: np.ndarray,
    taken: np.ndarray,
) -> None:
    """Runs lo..hi-1 of a batch (see ``batch``).

    In lockstep, each with its own lr and hyperparameters; Newton (a Hessian per
    run) one by one.
    """
    if oid != NEWTON_ID:
        _run_block_lockstep(
            lo, hi, sid, sp, code, consts, oid, hps, kid, schp, lrs, starts, steps,
            noise_std, seed, tol, box, box_status, curves, finals, best, status, taken,
        )  # fmt: skip
        return
    no_path = np.empty((0, 3))
    no_lrs = np.empty(0)
    no_curve = np.empty(0)
    record = curves.shape[0] > 0
    for r in range(lo, hi):
        curve = curves[r] if record else no_curve
        n, st, x, y, f, b = _run(
            sid, sp, code, consts, oid, hps[r], kid, schp, lrs[r], starts[r, 0], starts[r, 1],
            steps, noise_std, seed, tol, box, box_status, no_path, no_lrs, curve,
        )  # fmt: skip
        _store(r, n, st, x, y, f, b, steps, curves, finals, best, status, taken, record)


@njit(cache=True, nogil=True, error_model="numpy")
def batch(
    sid: int,
    sp: np.ndarray,
    code: np.ndarray,
    consts: np.ndarray,
    oid: int,
    hps: np.ndarray,
    kid: int,
    schp: np.ndarray,
    lrs: np.ndarray,
    starts: np.ndarray,
    steps: int,
    noise_std: float,
    seed: int,
    tol: float,
    box: np.ndarray,
    box_status: int,
    curves: np.ndarray,
    finals: np.ndarray,
    best: np.ndarray,
    status: np.ndarray,
    taken: np.ndarray,
) -> None:
    """R independent runs: the engine of the lr sweep, basin map and (lr x momentum) map.

    Inputs per run r: ``hps`` (R, H) hyperparameters, ``lrs`` (R,), ``starts`` (R, 2).
    Outputs: ``curves`` (R, steps + 1) losses (or shape (0, 0) to skip),
    ``finals`` (R, 3) last (x, y, loss), ``best`` (R,), ``status`` (R,) int64,
    ``taken`` (R,) int64 steps. A diverged run's final loss is NaN only when
    its start was already non-finite; callers map it by status.
    """
    _run_block(
        0, lrs.shape[0], sid, sp, code, consts, oid, hps, kid, schp, lrs, starts, steps,
        noise_std, seed, tol, box, box_status, curves, finals, best, status, taken,
    )  # fmt: skip


@njit(cache=True, nogil=True, error_model="numpy", parallel=True)
def batch_parallel(
    sid: int,
    sp: np.ndarray,
    code: np.ndarray,
    consts: np.ndarray,
    oid: int,
    hps: np.ndarray,
    kid: int,
    schp: np.ndarray,
    lrs: np.ndarray,
    starts: np.ndarray,
    steps: int,
    noise_std: float,
    seed: int,
    tol: float,
    box: np.ndarray,
    box_status: int,
    curves: np.ndarray,
    finals: np.ndarray,
    best: np.ndarray,
    status: np.ndarray,
    taken: np.ndarray,
) -> None:
    """``batch`` with blocks of runs spread over threads (CLI and benchmarks only)."""
    n_runs = lrs.shape[0]
    n_blocks = (n_runs + BLOCK - 1) // BLOCK
    for b in prange(n_blocks):
        lo = b * BLOCK
        hi = min(lo + BLOCK, n_runs)
        _run_block(
            lo, hi, sid, sp, code, consts, oid, hps, kid, schp, lrs, starts, steps,
            noise_std, seed, tol, box, box_status, curves, finals, best, status, taken,
        )  # fmt: skip


@njit(cache=True, nogil=True, error_model="numpy")
def grid_values(
    sid: int,
    sp: np.ndarray,
    code: np.ndarray,
    consts: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
    values: np.ndarray,
) -> None:
    """values[j, i] = f(xs[i], ys[j]) (rows over y, as Plotly's contour wants).

    One row at a time through ``surface_eval_block`` so each row's loop
    vectorises. Non-finite values stay as they are; the service maps them to NaN
    (a gap in the plot).
    """
    stack = np.empty((PROGRAM_STACK, 3))
    nx = xs.shape[0]
    theta = np.empty(2 * nx)
    grad = np.empty(2 * nx)
    theta[:nx] = xs
    for j in range(ys.shape[0]):
        theta[nx:] = ys[j]
        surface_eval_block(sid, theta, nx, sp, code, consts, stack, values[j], grad)


@njit(cache=True, nogil=True, error_model="numpy")
def evaluate_points(
    sid: int,
    sp: np.ndarray,
    code: np.ndarray,
    consts: np.ndarray,
    points: np.ndarray,
    out: np.ndarray,
) -> None:
    """out[k] = (f, gx, gy) at points[k] (K, 2)."""
    stack = np.empty((PROGRAM_STACK, 3))
    for k in range(points.shape[0]):
        f, gx, gy = surface_eval(sid, points[k, 0], points[k, 1], sp, code, consts, stack)
        out[k, 0] = f
        out[k, 1] = gx
        out[k, 2] = gy


@njit(cache=True, nogil=True, error_model="numpy")
def hessian_at(
    sid: int,
    sp: np.ndarray,
    code: np.ndarray,
    consts: np.ndarray,
    x: float,
    y: float,
    out: np.ndarray,
) -> None:
    """out (2, 2) = the Hessian at (x, y) (see ``hessian_fd``)."""
    stack = np.empty((PROGRAM_STACK, 3))
    hessian_fd(sid, x, y, sp, code, consts, stack, out)
