"""Trajectory and sweep kernels.

Every kernel here is specialised per surface (and optimizer) through tags
(see ``specialise``): it compiles lazily, per pair, the first time the pair
runs, and its step loop dispatches nothing. The Python functions at the bottom
keep the id-based signatures (``trajectory``, ``batch``, ``grid_values`` ...)
and pick the tagged kernel once per call.

All kernels write into preallocated arrays and return small tuples; none
allocates per step. A single trajectory and every sweep lane use the same
per-coordinate updates (``optimizers.*_coord``) and the same surface
functions in the same order, so a sweep agrees bit for bit with a loop of
single trajectories.

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

from .noise import gaussian
from .optimizers import MAX_STATE_SLOTS
from .program import PROGRAM_STACK, program_eval_block
from .schedules import schedule_lr
from .specialise import (
    hessian_tagged,
    init_lanes,
    optimizer_tag,
    prepare_lanes,
    step_2d,
    step_lane,
    surface_at,
    surface_tag,
)
from .surfaces import EXPRESSION_ID, surface_eval

STATUS_DONE = 0
STATUS_CONVERGED = 1
STATUS_DIVERGED = 2
STATUS_ESCAPED = 3
STATUS_NAMES = ("done", "converged", "diverged", "escaped")
START_UNDEFINED = -1  # trajectory_k's step count when f or its gradient is undefined at the start
LOSS_BOUND = 1e100
BLOCK = 256  # lanes stepped together: their coordinates, state and settings stay in L1


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
    The run-time-dispatch twin of ``specialise.hessian_tagged``.
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
def sqrt_threshold(tol: float) -> float:
    """The least a >= 0 with sqrt(a) >= tol, so that a < it exactly when sqrt(a) < tol.

    sqrt is correctly rounded, hence monotone: {a : sqrt(a) < tol} is [0, T).
    The convergence test then needs no sqrt per run and per step.
    """
    if not tol > 0.0:
        return 0.0
    a = tol * tol
    while a > 0.0 and math.sqrt(np.nextafter(a, 0.0)) >= tol:
        a = np.nextafter(a, 0.0)
    while math.sqrt(a) < tol:
        a = np.nextafter(a, math.inf)
    return a


# --------------------------------------------------------------------------- one run


@njit(cache=True, nogil=True, error_model="numpy")
def trajectory_k(
    stag,
    otag,
    sp: np.ndarray,
    code: np.ndarray,
    consts: np.ndarray,
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
    avg: np.ndarray,
) -> tuple[int, int]:
    """One run of the tagged optimizer on the tagged surface from (x0, y0).

    Records rows (x, y, loss) into ``path`` (steps + 1, 3), the lr of each
    step into ``lrs`` (steps,), and the Polyak average mean(theta_0..theta_k)
    with its loss into ``avg`` (steps + 1, 3), each when non-empty. Returns
    (n, status): rows 0..n are valid; n = START_UNDEFINED when f or its
    gradient is undefined at the start (row 0 is written all the same).
    """
    record_path = path.shape[0] > 0
    record_avg = avg.shape[0] > 0
    stack = np.empty((PROGRAM_STACK, 3))
    state = np.empty((MAX_STATE_SLOTS, 2))
    hpl = np.empty((hp.shape[0], 1))
    for k in range(hp.shape[0]):
        hpl[k, 0] = hp[k]
    init_lanes(otag, state, hpl, 1)
    f, gx, gy = surface_at(stag, x0, y0, sp, code, consts, stack)
    if record_path:
        path[0, 0] = x0
        path[0, 1] = y0
        path[0, 2] = f
    if record_avg:
        avg[0, 0] = x0
        avg[0, 1] = y0
        avg[0, 2] = f
    if not (math.isfinite(f) and math.isfinite(gx) and math.isfinite(gy)) or abs(f) > LOSS_BOUND:
        return START_UNDEFINED, STATUS_DIVERGED
    x_lo, x_hi, y_lo, y_hi = box[0], box[1], box[2], box[3]
    below_tol = sqrt_threshold(tol)
    cx = x0
    cy = y0
    sx = x0
    sy = y0
    for t in range(steps):
        if gx * gx + gy * gy < below_tol:
            return t, STATUS_CONVERGED
        lr = lr0 if kid == 0 else schedule_lr(kid, t, lr0, schp, steps)
        if record_path:
            lrs[t] = lr
        if noise_std > 0.0:
            gx += noise_std * gaussian(seed, t, 0)
            gy += noise_std * gaussian(seed, t, 1)
        x, y = step_2d(otag, stag, cx, cy, gx, gy, state, t + 1, lr, hp, sp, code, consts, stack)
        fn, gxn, gyn = surface_at(stag, x, y, sp, code, consts, stack)
        finite = (
            math.isfinite(x)
            and math.isfinite(y)
            and math.isfinite(fn)
            and math.isfinite(gxn)
            and math.isfinite(gyn)
            and abs(fn) <= LOSS_BOUND
        )
        outside = x < x_lo or x > x_hi or y < y_lo or y > y_hi
        if not finite or (outside and box_status == STATUS_DIVERGED):
            # The step at t + 1 blew up: the last finite point is row t.
            return t, STATUS_DIVERGED
        cx = x
        cy = y
        gx = gxn
        gy = gyn
        if record_path:
            path[t + 1, 0] = x
            path[t + 1, 1] = y
            path[t + 1, 2] = fn
        if record_avg:
            # Running sums, divided as numpy's cumsum(path) / arange(1, n + 2) divides them.
            sx += x
            sy += y
            ax = sx / (t + 2)
            ay = sy / (t + 2)
            fa, _, _ = surface_at(stag, ax, ay, sp, code, consts, stack)
            avg[t + 1, 0] = ax
            avg[t + 1, 1] = ay
            avg[t + 1, 2] = fa
        if outside:
            return t + 1, box_status
    return steps, STATUS_DONE


# --------------------------------------------------------------------------- many runs


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
def _block(
    stag,
    otag,
    lo: int,
    hi: int,
    sp: np.ndarray,
    code: np.ndarray,
    consts: np.ndarray,
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
    """Runs lo..hi-1 in lockstep, each lane with its own start, lr and hyperparameters.

    Lane coordinates form theta = (x_0..x_{n-1}, y_0..y_{n-1}). Each step is
    one fused pass over the lanes that steps a lane, evaluates it and checks
    it (finite, inside the box, converged), keeping its best loss and last
    accepted point with selects, not branches, so LLVM vectorises the pass.
    The rare lanes that stop are handled after it; a stopped lane keeps being
    stepped, its results already stored. Per lane the operations are
    ``trajectory_k``'s, so results agree bit for bit.
    """
    n = hi - lo
    nh = hps.shape[1]
    stack = np.empty((PROGRAM_STACK, 3))
    # Point k of every lane lives in row k % 2 of px, py, pf: a step reads one row and
    # writes the other, so a lane that fails its checks still has its last point.
    px = np.empty((2, n))
    py = np.empty((2, n))
    pf = np.empty((2, n))
    grad = np.empty(2 * n)
    state = np.empty((MAX_STATE_SLOTS, 2 * n))
    hpl = np.empty((nh, n))
    scratch = np.empty((2, n))
    base = np.empty(n)
    lr_t = np.empty(n)
    low = np.empty(n)  # best loss so far
    active = np.zeros(n, dtype=np.bool_)
    event = np.zeros(n, dtype=np.bool_)
    record = curves.shape[0] > 0
    x_lo, x_hi, y_lo, y_hi = box[0], box[1], box[2], box[3]
    below_tol = sqrt_threshold(tol)
    uniform = True
    for r in range(n):
        base[r] = lrs[lo + r]
        for k in range(nh):
            v = hps[lo + r, k]
            hpl[k, r] = v
            uniform = uniform and v == hps[lo, k]
    init_lanes(otag, state, hpl, n)
    live = 0
    for r in range(n):
        x = starts[lo + r, 0]
        y = starts[lo + r, 1]
        f, gx, gy = surface_at(stag, x, y, sp, code, consts, stack)
        grad[r] = gx
        grad[n + r] = gy
        px[0, r] = x
        py[0, r] = y
        pf[0, r] = f
        low[r] = f
        defined = math.isfinite(f) and math.isfinite(gx) and math.isfinite(gy)
        if not defined or abs(f) > LOSS_BOUND:
            _store(lo + r, 0, STATUS_DIVERGED, x, y, math.nan, math.nan, steps, curves, finals,
                   best, status, taken, record)  # fmt: skip
            continue
        if record:
            curves[lo + r, 0] = f
        if gx * gx + gy * gy < below_tol:
            _store(lo + r, 0, STATUS_CONVERGED, x, y, f, f, steps, curves, finals, best, status,
                   taken, record)  # fmt: skip
            continue
        active[r] = True
        live += 1
    for t in range(steps):
        if live == 0:
            return
        if kid != 0:
            for r in range(n):
                lr_t[r] = schedule_lr(kid, t, base[r], schp, steps)
        cur = base if kid == 0 else lr_t
        noisy = noise_std > 0.0
        nx = noise_std * gaussian(seed, t, 0) if noisy else 0.0
        ny = noise_std * gaussian(seed, t, 1) if noisy else 0.0
        prepare_lanes(otag, t + 1, cur, hpl, n, uniform, scratch)
        check_tol = t + 1 < steps
        old = t & 1
        new = 1 - old
        # Two passes over the lanes, each a loop LLVM vectorises: step and evaluate every
        # lane, then check every lane (one loop touching all of these arrays is too many
        # possible aliases for the vectoriser's run-time checks, and stays scalar).
        for r in range(n):
            gx = grad[r] + nx if noisy else grad[r]
            gy = grad[n + r] + ny if noisy else grad[n + r]
            x, y = step_lane(otag, stag, px[old, r], py[old, r], gx, gy, state, n, r, t + 1, cur,
                             hpl, scratch, sp, code, consts, stack)  # fmt: skip
            f, gx, gy = surface_at(stag, x, y, sp, code, consts, stack)
            px[new, r] = x
            py[new, r] = y
            pf[new, r] = f
            grad[r] = gx
            grad[n + r] = gy
        events = 0
        for r in range(n):
            x = px[new, r]
            y = py[new, r]
            f = pf[new, r]
            gx = grad[r]
            gy = grad[n + r]
            # x - x == 0 only for finite x; abs(f) <= LOSS_BOUND implies f is finite.
            ok = (
                ((x - x) + (y - y) + (gx - gx) + (gy - gy) == 0.0)
                & (abs(f) <= LOSS_BOUND)
                & (x >= x_lo)
                & (x <= x_hi)
                & (y >= y_lo)
                & (y <= y_hi)
            )
            low[r] = f if ok & (f < low[r]) else low[r]
            # gx^2 + gy^2 < below_tol is exactly sqrt(gx^2 + gy^2) < tol, without the sqrt.
            conv = ok & check_tol & (gx * gx + gy * gy < below_tol)
            hit = active[r] & ((not ok) | conv)
            event[r] = hit
            events += hit
        if events > 0:
            for r in range(n):
                if event[r]:
                    active[r] = False
                    live -= 1
                    _stop_lane(lo + r, t, px[new, r], py[new, r], pf[new, r], grad[r],
                               grad[n + r], px[old, r], py[old, r], pf[old, r], low[r], box,
                               box_status, steps, curves, finals, best, status, taken,
                               record)  # fmt: skip
        if record:
            for r in range(n):
                if active[r]:
                    curves[lo + r, t + 1] = pf[new, r]
    last = steps & 1
    for r in range(n):
        if active[r]:
            _store(lo + r, steps, STATUS_DONE, px[last, r], py[last, r], pf[last, r], low[r],
                   steps, curves, finals, best, status, taken, record)  # fmt: skip


@njit(cache=True, nogil=True, error_model="numpy")
def _stop_lane(
    i: int,
    t: int,
    x: float,
    y: float,
    f: float,
    gx: float,
    gy: float,
    x0: float,
    y0: float,
    f0: float,
    low: float,
    box: np.ndarray,
    box_status: int,
    steps: int,
    curves: np.ndarray,
    finals: np.ndarray,
    best: np.ndarray,
    status: np.ndarray,
    taken: np.ndarray,
    record: bool,
) -> None:
    """Run i, whose point (x, y, f) at step t + 1 converged, diverged or left the box.

    (x0, y0, f0) is its point at step t; ``low`` its best loss up to step t.
    """
    finite = (
        math.isfinite(x)
        and math.isfinite(y)
        and math.isfinite(f)
        and math.isfinite(gx)
        and math.isfinite(gy)
        and abs(f) <= LOSS_BOUND
    )
    inside = x >= box[0] and x <= box[1] and y >= box[2] and y <= box[3]
    if finite and inside:  # accepted, and its gradient is below tol
        if record:
            curves[i, t + 1] = f
        _store(i, t + 1, STATUS_CONVERGED, x, y, f, f if f < low else low, steps, curves,
               finals, best, status, taken, record)  # fmt: skip
    elif not finite or box_status == STATUS_DIVERGED:
        _store(i, t, STATUS_DIVERGED, x0, y0, f0, low, steps, curves, finals, best, status, taken,
               record)  # fmt: skip
    else:
        # Finite but outside the box of a surface unbounded below: the point counts.
        if record:
            curves[i, t + 1] = f
        _store(i, t + 1, box_status, x, y, f, f if f < low else low, steps, curves, finals, best,
               status, taken, record)  # fmt: skip


@njit(cache=True, nogil=True, error_model="numpy")
def batch_k(
    stag,
    otag,
    sp: np.ndarray,
    code: np.ndarray,
    consts: np.ndarray,
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
    """R independent runs in blocks of BLOCK lanes: see ``batch``."""
    n_runs = lrs.shape[0]
    for lo in range(0, n_runs, BLOCK):
        hi = min(lo + BLOCK, n_runs)
        _block(stag, otag, lo, hi, sp, code, consts, hps, kid, schp, lrs, starts, steps,
               noise_std, seed, tol, box, box_status, curves, finals, best, status,
               taken)  # fmt: skip


@njit(cache=True, nogil=True, error_model="numpy", parallel=True)
def batch_k_parallel(
    stag,
    otag,
    sp: np.ndarray,
    code: np.ndarray,
    consts: np.ndarray,
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
    """``batch_k`` with its blocks spread over threads (CLI and benchmarks only)."""
    n_runs = lrs.shape[0]
    n_blocks = (n_runs + BLOCK - 1) // BLOCK
    for b in prange(n_blocks):
        lo = b * BLOCK
        hi = min(lo + BLOCK, n_runs)
        _block(stag, otag, lo, hi, sp, code, consts, hps, kid, schp, lrs, starts, steps,
               noise_std, seed, tol, box, box_status, curves, finals, best, status,
               taken)  # fmt: skip


# --------------------------------------------------------------------------- values


@njit(cache=True, nogil=True, error_model="numpy")
def grid_k(
    stag, sp: np.ndarray, code: np.ndarray, consts: np.ndarray, xs: np.ndarray, ys: np.ndarray,
    values: np.ndarray,
) -> None:  # fmt: skip
    """values[j, i] = f(xs[i], ys[j]) (rows over y, as Plotly's contour wants); NaN where undefined.

    One branch-free loop per row, which LLVM vectorises for catalogue surfaces.
    """
    stack = np.empty((PROGRAM_STACK, 3))
    for j in range(ys.shape[0]):
        y = ys[j]
        row = values[j]
        for i in range(xs.shape[0]):
            f, _, _ = surface_at(stag, xs[i], y, sp, code, consts, stack)
            row[i] = f if abs(f) < math.inf else math.nan


@njit(cache=True, nogil=True, error_model="numpy")
def grid_program(
    code: np.ndarray, consts: np.ndarray, xs: np.ndarray, ys: np.ndarray, values: np.ndarray
) -> None:
    """``grid_k`` for a typed formula: a row at a time through ``program_eval_block``."""
    stack = np.empty((PROGRAM_STACK, 3))
    nx = xs.shape[0]
    theta = np.empty(2 * nx)
    grad = np.empty(2 * nx)
    for i in range(nx):
        theta[i] = xs[i]
    for j in range(ys.shape[0]):
        for i in range(nx):
            theta[nx + i] = ys[j]
        row = values[j]
        program_eval_block(code, consts, theta, nx, row, grad, stack)
        for i in range(nx):
            row[i] = row[i] if abs(row[i]) < math.inf else math.nan


@njit(cache=True, nogil=True, error_model="numpy")
def evaluate_k(
    stag, sp: np.ndarray, code: np.ndarray, consts: np.ndarray, points: np.ndarray,
    out: np.ndarray,
) -> None:  # fmt: skip
    """out[k] = (f, gx, gy) at points[k] (K, 2)."""
    stack = np.empty((PROGRAM_STACK, 3))
    for k in range(points.shape[0]):
        f, gx, gy = surface_at(stag, points[k, 0], points[k, 1], sp, code, consts, stack)
        out[k, 0] = f
        out[k, 1] = gx
        out[k, 2] = gy


@njit(cache=True, nogil=True, error_model="numpy")
def hessian_k(
    stag, sp: np.ndarray, code: np.ndarray, consts: np.ndarray, x: float, y: float,
    out: np.ndarray,
) -> None:  # fmt: skip
    """out (2, 2) = the Hessian at (x, y), as ``hessian_fd`` computes it."""
    stack = np.empty((PROGRAM_STACK, 3))
    h00, h01, h10, h11 = hessian_tagged(stag, x, y, sp, code, consts, stack)
    out[0, 0] = h00
    out[0, 1] = h01
    out[1, 0] = h10
    out[1, 1] = h11


# --------------------------------------------------------------------------- id-based entry points


def trajectory(
    sid: int, sp: np.ndarray, code: np.ndarray, consts: np.ndarray, oid: int, hp: np.ndarray,
    kid: int, schp: np.ndarray, lr0: float, x0: float, y0: float, steps: int, noise_std: float,
    seed: int, tol: float, box: np.ndarray, box_status: int, path: np.ndarray, lrs: np.ndarray,
) -> tuple[int, int]:  # fmt: skip
    """One run: path (steps + 1, 3) rows (x, y, loss), lrs (steps,). Returns (n, status).

    An undefined start gives (0, diverged) with row 0 written.
    """
    n, st = trajectory_k(
        surface_tag(sid), optimizer_tag(oid), sp, code, consts, hp, kid, schp, lr0, x0, y0,
        steps, noise_std, seed, tol, box, box_status, path, lrs, _NO_ROWS,
    )  # fmt: skip
    return max(n, 0), st


_NO_ROWS = np.empty((0, 3))


def batch(
    sid: int, sp: np.ndarray, code: np.ndarray, consts: np.ndarray, oid: int, hps: np.ndarray,
    kid: int, schp: np.ndarray, lrs: np.ndarray, starts: np.ndarray, steps: int,
    noise_std: float, seed: int, tol: float, box: np.ndarray, box_status: int,
    curves: np.ndarray, finals: np.ndarray, best: np.ndarray, status: np.ndarray,
    taken: np.ndarray, *, parallel: bool = False,
) -> None:  # fmt: skip
    """R independent runs: the engine of the lr sweep, basin map and (lr x momentum) map.

    Inputs per run r: ``hps`` (R, H) hyperparameters, ``lrs`` (R,), ``starts`` (R, 2).
    Outputs: ``curves`` (R, steps + 1) losses (or shape (0, 0) to skip),
    ``finals`` (R, 3) last (x, y, loss), ``best`` (R,), ``status`` (R,) int64,
    ``taken`` (R,) int64 steps. A diverged run's final loss is NaN only when
    its start was already non-finite; callers map it by status.
    """
    kernel = batch_k_parallel if parallel else batch_k
    kernel(surface_tag(sid), optimizer_tag(oid), sp, code, consts, hps, kid, schp, lrs, starts,
           steps, noise_std, seed, tol, box, box_status, curves, finals, best, status,
           taken)  # fmt: skip


def batch_parallel(*args) -> None:
    """``batch`` with blocks of runs spread over threads (CLI and benchmarks only)."""
    batch(*args, parallel=True)


def grid_values(
    sid: int, sp: np.ndarray, code: np.ndarray, consts: np.ndarray, xs: np.ndarray,
    ys: np.ndarray, values: np.ndarray,
) -> None:  # fmt: skip
    """values[j, i] = f(xs[i], ys[j]) (rows over y); NaN where the surface is undefined."""
    if sid == EXPRESSION_ID:
        grid_program(code, consts, xs, ys, values)
    else:
        grid_k(surface_tag(sid), sp, code, consts, xs, ys, values)


def evaluate_points(
    sid: int, sp: np.ndarray, code: np.ndarray, consts: np.ndarray, points: np.ndarray,
    out: np.ndarray,
) -> None:  # fmt: skip
    """out[k] = (f, gx, gy) at points[k] (K, 2)."""
    evaluate_k(surface_tag(sid), sp, code, consts, points, out)


def hessian_at(
    sid: int, sp: np.ndarray, code: np.ndarray, consts: np.ndarray, x: float, y: float,
    out: np.ndarray,
) -> None:  # fmt: skip
    """out (2, 2) = the Hessian at (x, y) (see ``hessian_fd``)."""
    hessian_k(surface_tag(sid), sp, code, consts, x, y, out)
