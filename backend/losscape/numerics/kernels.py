"""The kernels the service calls: a trajectory, a grid of values, points, a Hessian.

All kernels write into preallocated arrays and return small tuples; none
allocates per step. A trajectory is ``run.run_single`` (its stop rules and
status codes are there); the sweep kernels ``batch`` / ``batch_parallel`` live
in ``batch`` and agree with it bit for bit. Both are re-exported here, so
``kernels.X`` names every kernel and constant.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .batch import BLOCK, batch, batch_parallel  # noqa: F401  (re-exported)
from .program import PROGRAM_STACK
from .run import (  # noqa: F401  (re-exported: the names stay importable here)
    LOSS_BOUND,
    STATUS_CONVERGED,
    STATUS_DIVERGED,
    STATUS_DONE,
    STATUS_ESCAPED,
    STATUS_NAMES,
    hessian_fd,
    run_single,
)
from .surfaces import surface_eval, surface_eval_block


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
    n, status, _, _, _, _ = run_single(
        sid, sp, code, consts, oid, hp, kid, schp, lr0, x0, y0, steps, noise_std, seed, tol,
        box, box_status, path, lrs, np.empty(0),
    )  # fmt: skip
    # One loop, one call site of surface_eval: each inlined call is the whole
    # surface dispatch and formula interpreter again for LLVM to compile.
    stack = np.empty((PROGRAM_STACK, 3))
    n_avg = n + 1 if averaged.shape[0] > 0 else 0
    sx = 0.0
    sy = 0.0
    for k in range(n_avg + 1):
        if k < n_avg:  # the average of rows 0..k, summed in order like np.cumsum
            sx = path[0, 0] if k == 0 else sx + path[k, 0]
            sy = path[0, 1] if k == 0 else sy + path[k, 1]
            px = sx / (k + 1)
            py = sy / (k + 1)
        else:  # then the last point
            px = path[n, 0]
            py = path[n, 1]
        f, gx, gy = surface_eval(sid, px, py, sp, code, consts, stack)
        if k < n_avg:
            averaged[k, 0] = px
            averaged[k, 1] = py
            averaged[k, 2] = f
        else:
            end[0] = f
            end[1] = gx
            end[2] = gy
    return n, status


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
