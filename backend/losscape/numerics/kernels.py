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
from .surfaces import EXPRESSION_ID, catalogue_eval_block, surface_eval, surface_eval_block
from .trajectory import run_trajectory  # noqa: F401  (re-exported: one kernel per family)
from .trajectory import trajectory_table as trajectory  # noqa: F401  (rows as run_single's)


def grid_values(
    sid: int,
    sp: np.ndarray,
    code: np.ndarray,
    consts: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
    values: np.ndarray,
    nan_undefined: bool = False,
) -> None:
    """values[j, i] = f(xs[i], ys[j]) (rows over y, as Plotly's contour wants).

    Non-finite values stay as they are (the expression analysis tells -inf from
    NaN), or become NaN with ``nan_undefined`` (a gap in the plot). A catalogue
    surface runs ``catalogue_grid``, a typed formula ``formula_grid``: each
    kernel compiles only its own evaluator.
    """
    kernel = formula_grid if sid == EXPRESSION_ID else catalogue_grid
    kernel(sid, sp, code, consts, xs, ys, values, nan_undefined)


@njit(cache=True, nogil=True, error_model="numpy")
def catalogue_grid(
    sid: int,
    sp: np.ndarray,
    code: np.ndarray,
    consts: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
    values: np.ndarray,
    nan_undefined: bool,
) -> None:
    """``grid_values`` for a catalogue surface: one ``catalogue_eval_block`` call per row,
    whose loop over the row vectorises. Loops, not slice assignments: those compile
    numba's shape checks and error formatting, seconds of a first run."""
    nx = xs.shape[0]
    theta = np.empty(2 * nx)
    grad = np.empty(2 * nx)
    for i in range(nx):
        theta[i] = xs[i]
    for j in range(ys.shape[0]):
        y = ys[j]
        for i in range(nx):
            theta[nx + i] = y
        row = values[j]
        catalogue_eval_block(sid, theta, nx, sp, row, grad)
        if nan_undefined:
            _nan_where_undefined(row)


@njit(cache=True, nogil=True, error_model="numpy")
def formula_grid(
    sid: int,
    sp: np.ndarray,
    code: np.ndarray,
    consts: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
    values: np.ndarray,
    nan_undefined: bool,
) -> None:
    """``grid_values`` for a typed formula: ``surface_eval_block`` (the block interpreter)
    row by row."""
    stack = np.empty((PROGRAM_STACK, 3))
    nx = xs.shape[0]
    theta = np.empty(2 * nx)
    grad = np.empty(2 * nx)
    for i in range(nx):
        theta[i] = xs[i]
    for j in range(ys.shape[0]):
        y = ys[j]
        for i in range(nx):
            theta[nx + i] = y
        row = values[j]
        surface_eval_block(sid, theta, nx, sp, code, consts, stack, row, grad)
        if nan_undefined:
            _nan_where_undefined(row)


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
