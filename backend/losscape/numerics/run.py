"""One optimizer run on one surface: the loop every trajectory goes through (and every
run of a sweep that is not stepped in lockstep), its stop rules and status codes.

Stop rules, checked after every step:
- non-finite value, gradient or point, or |loss| > ``LOSS_BOUND``: diverged;
- the point leaves ``box`` (xmin, xmax, ymin, ymax): ``box_status`` (diverged
  for surfaces bounded below, escaped for those that are not);
- gradient norm below ``tol`` (before noise is added): converged.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .noise import gaussian
from .optimizers import MAX_STATE_SLOTS, NEWTON_ID, newton_step, optimizer_init, optimizer_step
from .program import PROGRAM_STACK
from .schedules import schedule_lr
from .surfaces import surface_eval

STATUS_DONE = 0
STATUS_CONVERGED = 1
STATUS_DIVERGED = 2
STATUS_ESCAPED = 3
STATUS_NAMES = ("done", "converged", "diverged", "escaped")
LOSS_BOUND = 1e100


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def fd_steps(x: float, y: float) -> tuple[float, float]:
    """The central-difference steps (hx, hy) = 1e-5 (1 + |x|), 1e-5 (1 + |y|) of ``hessian_fd``."""
    return 1e-5 * (1.0 + abs(x)), 1e-5 * (1.0 + abs(y))


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def fd_point(k: int, x: float, y: float, hx: float, hy: float) -> tuple[float, float]:
    """The k-th point where ``hessian_fd`` takes the gradient (k: +x, -x, +y, -y)."""
    px = x + hx if k == 0 else (x - hx if k == 1 else x)
    py = y + hy if k == 2 else (y - hy if k == 3 else y)
    return px, py


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def hessian_from_gradients(g: np.ndarray, hx: float, hy: float, out: np.ndarray) -> None:
    """out (2, 2) from the gradients g (4, 2) at the ``fd_point`` s, symmetrised."""
    hxx = (g[0, 0] - g[1, 0]) / (2.0 * hx)
    hyx = (g[0, 1] - g[1, 1]) / (2.0 * hx)
    hxy = (g[2, 0] - g[3, 0]) / (2.0 * hy)
    hyy = (g[2, 1] - g[3, 1]) / (2.0 * hy)
    out[0, 0] = hxx
    out[1, 1] = hyy
    out[0, 1] = 0.5 * (hxy + hyx)
    out[1, 0] = out[0, 1]


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
    The steps, points and arithmetic are ``fd_steps``, ``fd_point`` and
    ``hessian_from_gradients``, which the per-kind kernels share.
    """
    hx, hy = fd_steps(x, y)
    # The four gradients from one call site in a loop: every call site inlines
    # the whole surface dispatch, which LLVM then compiles again.
    g = np.empty((4, 2))
    for k in range(4):
        px, py = fd_point(k, x, y, hx, hy)
        _, g[k, 0], g[k, 1] = surface_eval(sid, px, py, sp, code, consts, stack)
    hessian_from_gradients(g, hx, hy, out)


@njit(cache=True, nogil=True, error_model="numpy")
def run_single(
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
