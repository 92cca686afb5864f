"""The kernels the service calls: a trajectory, a grid of values, points, a Hessian.

All kernels write into preallocated arrays and return small tuples; none
allocates per step. A trajectory runs its optimizer family's kernel
(``run_trajectory``: the optimizer chosen once per run; ``trajectory`` records
rows (x, y, loss) in one table, as ``run_single`` does), which agrees bit for bit
with ``run.run_single`` (its stop rules and status codes are there); the sweep
kernels ``batch`` / ``batch_parallel`` live in ``batch`` and agree with it too.
All are re-exported here, so ``kernels.X`` names every kernel and constant.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .batch import BLOCK, batch, batch_parallel  # noqa: F401  (re-exported)
from .program import PROGRAM_STACK, program_eval, program_eval_block
from .run import (  # noqa: F401  (re-exported: the names stay importable here)
    LOSS_BOUND,
    STATUS_CONVERGED,
    STATUS_DIVERGED,
    STATUS_DONE,
    STATUS_ESCAPED,
    STATUS_NAMES,
    fd_point,
    fd_steps,
    hessian_fd,
    hessian_from_gradients,
    run_single,
)
from .surfaces import (
    EXPRESSION_ID,
    catalogue_eval,
    catalogue_values_row,
    surface_eval,
)
from .trajectory import FAMILY_OF_OPTIMIZER, run_catalogue

_NO_CURVE = np.empty(0)

# ``catalogue_values_row``'s own source, inlined by numba into ``catalogue_grid``'s row loop
# instead of a call per row (400 calls of ~15 arguments for a 400 x 400 grid: about 2 us
# of 39, thread CPU, measured alternately). cache=False: only ever inlined into the cached
# kernel (see ``trajectory.step_eval``).
_values_row = njit(cache=False, nogil=True, error_model="numpy", _nrt=False, inline="always")(
    catalogue_values_row.py_func
)


def run_trajectory(
    sid: int, sp: np.ndarray, code: np.ndarray, consts: np.ndarray, oid: int, hp: np.ndarray,
    kid: int, schp: np.ndarray, lr0: float, x0: float, y0: float, steps: int,
    noise_std: float, seed: int, tol: float, box: np.ndarray, box_status: int,
    xy: np.ndarray, loss: np.ndarray, lrs: np.ndarray, avg_xy: np.ndarray,
    avg_loss: np.ndarray, end: np.ndarray,
) -> tuple[int, int]:  # fmt: skip
    """One run: ``xy`` (steps + 1, 2), ``loss`` (steps + 1,), ``lrs`` (steps,); returns
    (n, status) as ``run_single`` does (rows 0..n valid).

    Also ``avg_xy`` (steps + 1, 2) and ``avg_loss`` (steps + 1,), unless empty:
    the Polyak average abar_k = (p_0 + ... + p_k) / (k + 1) (summed in order, as
    ``np.cumsum`` sums) and the loss there; ``end`` (3,) = (f, df/dx, df/dy) at
    row n (for n = 0 after an undefined start: the start's values), or (7,) with the
    Hessian there (h_xx, h_xy, h_yx, h_yy), as ``hessian_at`` gives it, for the saddle
    check. A catalogue
    surface runs its optimizer family's kernel (``trajectory``); a typed
    formula, interpreted and ~5x slower anyway, runs ``run_single`` rather than
    seven more kernels to compile, with the average and its losses computed here.
    An optimizer with no family kernel (one added by its registry row alone) runs
    ``run_single`` too, through ``optimizers.optimizer_step``'s generated dispatch.
    """
    if sid == EXPRESSION_ID or oid not in FAMILY_OF_OPTIMIZER:
        path = np.empty((steps + 1, 3))
        n, status, *_ = run_single(
            sid, sp, code, consts, oid, hp, kid, schp, lr0, x0, y0, steps, noise_std, seed, tol,
            box, box_status, path, lrs, _NO_CURVE,
        )  # fmt: skip
        xy[: n + 1] = path[: n + 1, :2]
        loss[: n + 1] = path[: n + 1, 2]
        at_end = np.empty((1, 3))
        evaluate_points(sid, sp, code, consts, path[n : n + 1, :2].copy(), at_end)
        end[:3] = at_end[0]
        if end.shape[0] >= 7:  # the Hessian there, as the family kernels give it
            h = np.empty((2, 2))
            # by the surface's kind: an optimizer with no family reaches here on a catalogue surface
            hessian_at(sid, sp, code, consts, path[n, 0], path[n, 1], h)
            end[3:7] = h.ravel()
        if avg_xy.shape[0] > 0:
            np.divide(
                np.cumsum(xy[: n + 1], axis=0), np.arange(1, n + 2)[:, None], out=avg_xy[: n + 1]
            )
            at_average = np.empty((n + 1, 3))
            evaluate_points(sid, sp, code, consts, avg_xy[: n + 1], at_average)
            avg_loss[: n + 1] = at_average[:, 0]
        return n, status
    return run_catalogue(
        sid, sp, oid, hp, kid, schp, lr0, x0, y0, steps, noise_std, seed, tol, box, box_status,
        xy, loss, lrs, avg_xy, avg_loss, end,
    )  # fmt: skip


def trajectory(
    sid: int, sp: np.ndarray, code: np.ndarray, consts: np.ndarray, oid: int, hp: np.ndarray,
    kid: int, schp: np.ndarray, lr0: float, x0: float, y0: float, steps: int,
    noise_std: float, seed: int, tol: float, box: np.ndarray, box_status: int,
    path: np.ndarray, lrs: np.ndarray, averaged: np.ndarray, end: np.ndarray,
) -> tuple[int, int]:  # fmt: skip
    """``run_trajectory`` with rows (x, y, loss) in one table, as ``run_single`` records.

    ``path`` (steps + 1, 3), ``lrs`` (steps,), ``averaged`` (steps + 1, 3) or
    (0, 3), ``end`` (3,). For tests and callers comparing with the sweep
    kernels; it copies the rows taken, so the service calls ``run_trajectory``.
    """
    m = steps + 1
    rows = m if averaged.shape[0] > 0 else 0
    xy, loss, avg_xy, avg_loss = np.empty((m, 2)), np.empty(m), np.empty((rows, 2)), np.empty(rows)
    n, status = run_trajectory(
        sid, sp, code, consts, oid, hp, kid, schp, lr0, x0, y0, steps, noise_std, seed, tol,
        box, box_status, xy, loss, lrs, avg_xy, avg_loss, end,
    )  # fmt: skip
    path[: n + 1, :2] = xy[: n + 1]
    path[: n + 1, 2] = loss[: n + 1]
    if rows:
        averaged[: n + 1, :2] = avg_xy[: n + 1]
        averaged[: n + 1, 2] = avg_loss[: n + 1]
    return n, status


def grid_values(
    sid: int, sp: np.ndarray, code: np.ndarray, consts: np.ndarray, xs: np.ndarray,
    ys: np.ndarray, values: np.ndarray, nan_undefined: bool = False,
) -> None:  # fmt: skip
    """values[j, i] = f(xs[i], ys[j]) (rows over y, as Plotly's contour wants).

    Non-finite values stay as they are (the expression analysis tells -inf from
    NaN), or become NaN with ``nan_undefined`` (a gap in the plot). A catalogue
    surface runs ``catalogue_grid``, a typed formula ``formula_grid``: each
    kernel compiles only its own evaluator.
    """
    kernel = formula_grid if sid == EXPRESSION_ID else catalogue_grid
    kernel(sid, sp, code, consts, xs, ys, values, nan_undefined)


def grid_over_view(
    sid: int, sp: np.ndarray, code: np.ndarray, consts: np.ndarray, x0: float, x1: float,
    y0: float, y1: float, xs: np.ndarray, ys: np.ndarray, values: np.ndarray,
    nan_undefined: bool = False,
) -> None:  # fmt: skip
    """``grid_axes(x0, x1, y0, y1, xs, ys)`` then ``grid_values(..., xs, ys, values,
    nan_undefined)``, the same numbers, for the service's contour grids: a catalogue
    surface in one kernel call (``catalogue_view_grid``; a numba call costs ~0.5 us of
    argument checks, a grid ~40 us), a typed formula in the two calls."""
    if sid == EXPRESSION_ID:
        grid_axes(x0, x1, y0, y1, xs, ys)
        formula_grid(sid, sp, code, consts, xs, ys, values, nan_undefined)
    else:
        catalogue_view_grid(sid, sp, x0, x1, y0, y1, xs, ys, values, nan_undefined)


@njit(cache=True, nogil=True, error_model="numpy", _nrt=False)
def catalogue_view_grid(
    sid: int, sp: np.ndarray, x0: float, x1: float, y0: float, y1: float, xs: np.ndarray,
    ys: np.ndarray, values: np.ndarray, nan_undefined: bool,
) -> None:  # fmt: skip
    """``grid_axes`` and ``catalogue_grid`` in one call (see ``grid_over_view``)."""
    _linspace_into(x0, x1, xs)
    _linspace_into(y0, y1, ys)
    for j in range(ys.shape[0]):
        _values_row(sid, xs, ys[j], sp, nan_undefined, values[j])


# _nrt=False: no reference counting of the row views (nothing here allocates).
@njit(cache=True, nogil=True, error_model="numpy", _nrt=False)
def catalogue_grid(
    sid: int, sp: np.ndarray, code: np.ndarray, consts: np.ndarray, xs: np.ndarray,
    ys: np.ndarray, values: np.ndarray, nan_undefined: bool,
) -> None:  # fmt: skip
    """``grid_values`` for a catalogue surface: ``catalogue_values_row`` (values only,
    the gap test fused in, one vectorised loop per surface) row by row; no gradient is
    computed."""
    for j in range(ys.shape[0]):
        _values_row(sid, xs, ys[j], sp, nan_undefined, values[j])


@njit(cache=True, nogil=True, error_model="numpy")
def formula_grid(
    sid: int, sp: np.ndarray, code: np.ndarray, consts: np.ndarray, xs: np.ndarray,
    ys: np.ndarray, values: np.ndarray, nan_undefined: bool,
) -> None:  # fmt: skip
    """``grid_values`` for a typed formula: ``program_eval_block`` (the block interpreter,
    which also computes the gradient, into a scratch row) row by row. Loops, not slice
    assignments: those compile numba's shape checks and error formatting, seconds of a
    first run."""
    stack = np.empty((PROGRAM_STACK, 3))
    nx = xs.shape[0]
    theta = np.empty(2 * nx)  # every x, then every y: the block layout
    grad = np.empty(2 * nx)
    for i in range(nx):
        theta[i] = xs[i]
    for j in range(ys.shape[0]):
        y = ys[j]
        for i in range(nx):
            theta[nx + i] = y
        row = values[j]
        program_eval_block(code, consts, theta, nx, row, grad, stack)
        if nan_undefined:
            _nan_where_undefined(row)


@njit(cache=True, nogil=True, error_model="numpy", _nrt=False)
def grid_axes(x0: float, x1: float, y0: float, y1: float, xs: np.ndarray, ys: np.ndarray) -> None:
    """xs = np.linspace(x0, x1, len(xs)) and ys likewise, bit for bit, without numpy's
    ~5 us of Python per call (two of them were most of a grid's fixed cost)."""
    _linspace_into(x0, x1, xs)
    _linspace_into(y0, y1, ys)


@njit(cache=True, nogil=True, error_model="numpy", _nrt=False, inline="always")
def _linspace_into(start: float, stop: float, out: np.ndarray) -> None:
    """out[i] = i * step + start with step = (stop - start) / (n - 1), the last = stop:
    np.linspace's arithmetic (numpy 1.x and 2.x), including its branches for a step that
    underflows to 0 (i / (n - 1) * delta + start) and for n = 1 (0 * delta + start)."""
    div = out.shape[0] - 1
    delta = stop - start
    if div <= 0:
        if div == 0:
            out[0] = 0.0 * delta + start
        return
    step = delta / div
    if step == 0.0:
        for i in range(div):
            out[i] = float(i) / div * delta + start
    else:
        for i in range(div):
            out[i] = float(i) * step + start
    out[div] = stop


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _nan_where_undefined(row: np.ndarray) -> None:
    """Non-finite values (inf from an overflow, NaN) become NaN, in place."""
    for i in range(row.shape[0]):
        v = row[i]
        row[i] = v if v - v == 0.0 else math.nan  # v - v is NaN exactly when v is not finite


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


def hessian_at(
    sid: int,
    sp: np.ndarray,
    code: np.ndarray,
    consts: np.ndarray,
    x: float,
    y: float,
    out: np.ndarray,
) -> None:
    """out (2, 2) = the Hessian at (x, y) (see ``hessian_fd``), through the kernel of the
    surface's kind, so a catalogue surface does not compile the interpreter."""
    kernel = formula_hessian if sid == EXPRESSION_ID else catalogue_hessian
    kernel(sid, sp, code, consts, x, y, out)


@njit(cache=True, nogil=True, error_model="numpy")
def catalogue_hessian(
    sid: int, sp: np.ndarray, code: np.ndarray, consts: np.ndarray, x: float, y: float,
    out: np.ndarray,
) -> None:  # fmt: skip
    """``hessian_fd`` on a catalogue surface (``catalogue_eval``)."""
    hx, hy = fd_steps(x, y)
    g = np.empty((4, 2))
    for k in range(4):
        px, py = fd_point(k, x, y, hx, hy)
        _, g[k, 0], g[k, 1] = catalogue_eval(sid, px, py, sp)
    hessian_from_gradients(g, hx, hy, out)


@njit(cache=True, nogil=True, error_model="numpy")
def formula_hessian(
    sid: int, sp: np.ndarray, code: np.ndarray, consts: np.ndarray, x: float, y: float,
    out: np.ndarray,
) -> None:  # fmt: skip
    """``hessian_fd`` on a typed formula (``program_eval``)."""
    stack = np.empty((PROGRAM_STACK, 3))
    hx, hy = fd_steps(x, y)
    g = np.empty((4, 2))
    for k in range(4):
        px, py = fd_point(k, x, y, hx, hy)
        _, g[k, 0], g[k, 1] = program_eval(code, consts, px, py, stack)
    hessian_from_gradients(g, hx, hy, out)
