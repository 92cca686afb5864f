"""The surface catalogue and the dispatch on surface ids.

Surfaces live in modules by concept, each a set of ``@njit`` value-and-gradient
functions ``f(x, y, p) -> (value, dvalue/dx, dvalue/dy)`` (``p``: a float64
array of the surface's parameters in the order its spec lists them) with
their ``SurfaceSpec`` rows: ``surfaces_bowls`` (convex quadratics),
``surfaces_classic`` (Rosenbrock, Beale, Himmelblau, ...) and
``surfaces_saddles`` (saddles, plateaux, wells). ``SURFACES`` gathers the rows
in id order; it is the registry (validation, the catalog, the page's controls,
the CLI and the parametrized tests read it). ``surface_eval`` and
``surface_eval_block`` dispatch on the integer id (numba rule: dispatch by id
inside njit, never pass jitted functions to cached kernels);
``catalogue_values_row`` evaluates one row of a grid, values only. Id
``EXPRESSION_ID`` is a typed-in formula evaluated by ``program.program_eval``.
Every surface function stays importable from here.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .program import program_eval, program_eval_block
from .specs import SurfaceSpec
from .surfaces_bowls import BOWLS, booth, matyas, quadratic, ravine, rotated_ravine
from .surfaces_classic import (
    CLASSICS,
    ackley,
    beale,
    himmelblau,
    rastrigin,
    rosenbrock,
    six_hump_camel,
)
from .surfaces_saddles import (
    SADDLES_AND_WELLS,
    bounded_saddle,
    double_well,
    monkey_saddle,
    plateau,
    saddle,
    tilted_plane,
    two_gaussians,
)

EXPRESSION_ID = 99


# ---------------------------------------------------------------- dispatch


# _nrt=False: this dispatcher never allocates, and without reference counting
# the calls that pass arrays on skip atomic incref/decref pairs (measured: 24 ns
# -> 11 ns per evaluation of Himmelblau). error_model="numpy": a division by
# zero gives inf/NaN, which the kernels' divergence checks handle, instead of
# raising inside a kernel.
@njit(cache=True, nogil=True, error_model="numpy", _nrt=False)
def surface_eval(
    sid: int,
    x: float,
    y: float,
    p: np.ndarray,
    code: np.ndarray,
    consts: np.ndarray,
    stack: np.ndarray,
) -> tuple[float, float, float]:
    """Value and gradient of surface ``sid`` at (x, y).

    ``code`` (int64), ``consts`` (float64) and ``stack`` (float64, (depth, 3))
    are only read for ``EXPRESSION_ID``; catalogue surfaces get empty arrays.
    """
    if sid == EXPRESSION_ID:
        return program_eval(code, consts, x, y, stack)
    return catalogue_eval(sid, x, y, p)


# _nrt=False, as above.
@njit(cache=True, nogil=True, error_model="numpy", _nrt=False)
def catalogue_eval(sid: int, x: float, y: float, p: np.ndarray) -> tuple[float, float, float]:
    """``surface_eval`` for the catalogue surfaces, without the typed-formula evaluator.

    Kernels that run a catalogue surface call this (and a typed formula's
    kernels ``program.program_eval``), so neither compiles the other's code.
    Unknown ids give NaN.
    """
    if sid == 0:
        return quadratic(x, y, p)
    if sid == 1:
        return ravine(x, y, p)
    if sid == 2:
        return rotated_ravine(x, y, p)
    if sid == 3:
        return rosenbrock(x, y, p)
    if sid == 4:
        return beale(x, y, p)
    if sid == 5:
        return himmelblau(x, y, p)
    if sid == 6:
        return six_hump_camel(x, y, p)
    if sid == 7:
        return rastrigin(x, y, p)
    if sid == 8:
        return ackley(x, y, p)
    if sid == 9:
        return saddle(x, y, p)
    if sid == 10:
        return bounded_saddle(x, y, p)
    if sid == 11:
        return monkey_saddle(x, y, p)
    if sid == 12:
        return plateau(x, y, p)
    if sid == 13:
        return two_gaussians(x, y, p)
    if sid == 14:
        return tilted_plane(x, y, p)
    if sid == 15:
        return double_well(x, y, p)
    if sid == 16:
        return booth(x, y, p)
    if sid == 17:
        return matyas(x, y, p)
    return math.nan, math.nan, math.nan


@njit(cache=True, nogil=True, error_model="numpy", _nrt=False)
def surface_eval_block(
    sid: int,
    theta: np.ndarray,
    n: int,
    p: np.ndarray,
    code: np.ndarray,
    consts: np.ndarray,
    stack: np.ndarray,
    values: np.ndarray,
    grad: np.ndarray,
) -> None:
    """Value and gradient of surface ``sid`` at n points at once.

    ``theta`` (2n,) holds the x of every point, then every y; ``values`` (n,)
    receives f and ``grad`` (2n,) the gradient in the same layout. A typed
    formula runs ``program_eval_block``, a catalogue surface
    ``catalogue_eval_block``; per point the arithmetic is exactly
    ``surface_eval``'s.
    """
    if sid == EXPRESSION_ID:
        program_eval_block(code, consts, theta, n, values, grad, stack)
    else:
        catalogue_eval_block(sid, theta, n, p, values, grad)


@njit(cache=True, nogil=True, error_model="numpy", _nrt=False)
def catalogue_eval_block(
    sid: int, theta: np.ndarray, n: int, p: np.ndarray, values: np.ndarray, grad: np.ndarray
) -> None:
    """``surface_eval_block`` for the catalogue surfaces, without the typed-formula evaluator.

    The dispatch happens once, outside a tight loop over points, so LLVM can
    vectorise each surface's loop (a sweep's blocked layout depends on it).
    Kernels that never see a typed formula in block form (a trajectory's
    Polyak average) call this and do not compile the block interpreter.
    Unknown ids give NaN.
    """
    if sid == 0:
        for r in range(n):
            values[r], grad[r], grad[n + r] = quadratic(theta[r], theta[n + r], p)
    elif sid == 1:
        for r in range(n):
            values[r], grad[r], grad[n + r] = ravine(theta[r], theta[n + r], p)
    elif sid == 2:
        for r in range(n):
            values[r], grad[r], grad[n + r] = rotated_ravine(theta[r], theta[n + r], p)
    elif sid == 3:
        for r in range(n):
            values[r], grad[r], grad[n + r] = rosenbrock(theta[r], theta[n + r], p)
    elif sid == 4:
        for r in range(n):
            values[r], grad[r], grad[n + r] = beale(theta[r], theta[n + r], p)
    elif sid == 5:
        for r in range(n):
            values[r], grad[r], grad[n + r] = himmelblau(theta[r], theta[n + r], p)
    elif sid == 6:
        for r in range(n):
            values[r], grad[r], grad[n + r] = six_hump_camel(theta[r], theta[n + r], p)
    elif sid == 7:
        for r in range(n):
            values[r], grad[r], grad[n + r] = rastrigin(theta[r], theta[n + r], p)
    elif sid == 8:
        for r in range(n):
            values[r], grad[r], grad[n + r] = ackley(theta[r], theta[n + r], p)
    elif sid == 9:
        for r in range(n):
            values[r], grad[r], grad[n + r] = saddle(theta[r], theta[n + r], p)
    elif sid == 10:
        for r in range(n):
            values[r], grad[r], grad[n + r] = bounded_saddle(theta[r], theta[n + r], p)
    elif sid == 11:
        for r in range(n):
            values[r], grad[r], grad[n + r] = monkey_saddle(theta[r], theta[n + r], p)
    elif sid == 12:
        for r in range(n):
            values[r], grad[r], grad[n + r] = plateau(theta[r], theta[n + r], p)
    elif sid == 13:
        for r in range(n):
            values[r], grad[r], grad[n + r] = two_gaussians(theta[r], theta[n + r], p)
    elif sid == 14:
        for r in range(n):
            values[r], grad[r], grad[n + r] = tilted_plane(theta[r], theta[n + r], p)
    elif sid == 15:
        for r in range(n):
            values[r], grad[r], grad[n + r] = double_well(theta[r], theta[n + r], p)
    elif sid == 16:
        for r in range(n):
            values[r], grad[r], grad[n + r] = booth(theta[r], theta[n + r], p)
    elif sid == 17:
        for r in range(n):
            values[r], grad[r], grad[n + r] = matyas(theta[r], theta[n + r], p)
    else:
        for r in range(n):
            values[r], grad[r], grad[n + r] = math.nan, math.nan, math.nan


# _nrt=False, as above.
@njit(cache=True, nogil=True, error_model="numpy", _nrt=False)
def catalogue_values_row(
    sid: int, xs: np.ndarray, y: float, p: np.ndarray, nan_undefined: bool, row: np.ndarray
) -> None:
    """row[i] = f(xs[i], y) for the catalogue surface ``sid``: values only, one row of a grid.

    ``xs`` and ``row`` (n,); with ``nan_undefined`` a non-finite value (an
    overflow to inf, NaN) is stored as NaN (a gap in a contour plot), else as
    it is. Each branch is one loop whose body is the surface's scalar function
    with only its value kept: numba inlines the small function, LLVM drops the
    unused gradient, computes the terms of y alone once per row and vectorises
    the loop (SIMD, several points per instruction). The arithmetic per point is
    exactly ``catalogue_eval``'s, so the values agree bit for bit. Dispatched
    once per row, not per point: a switch inside the loop keeps LLVM from
    vectorising it (measured ~20x slower). The gap test sits in the same loop,
    not a second pass over the row (that pass cost half as much again as the
    values). Unknown ids give NaN.
    """
    n = xs.shape[0]
    if sid == 0:
        for i in range(n):
            row[i] = _value_or_gap(quadratic(xs[i], y, p)[0], nan_undefined)
    elif sid == 1:
        for i in range(n):
            row[i] = _value_or_gap(ravine(xs[i], y, p)[0], nan_undefined)
    elif sid == 2:
        for i in range(n):
            row[i] = _value_or_gap(rotated_ravine(xs[i], y, p)[0], nan_undefined)
    elif sid == 3:
        for i in range(n):
            row[i] = _value_or_gap(rosenbrock(xs[i], y, p)[0], nan_undefined)
    elif sid == 4:
        for i in range(n):
            row[i] = _value_or_gap(beale(xs[i], y, p)[0], nan_undefined)
    elif sid == 5:
        for i in range(n):
            row[i] = _value_or_gap(himmelblau(xs[i], y, p)[0], nan_undefined)
    elif sid == 6:
        for i in range(n):
            row[i] = _value_or_gap(six_hump_camel(xs[i], y, p)[0], nan_undefined)
    elif sid == 7:
        for i in range(n):
            row[i] = _value_or_gap(rastrigin(xs[i], y, p)[0], nan_undefined)
    elif sid == 8:
        for i in range(n):
            row[i] = _value_or_gap(ackley(xs[i], y, p)[0], nan_undefined)
    elif sid == 9:
        for i in range(n):
            row[i] = _value_or_gap(saddle(xs[i], y, p)[0], nan_undefined)
    elif sid == 10:
        for i in range(n):
            row[i] = _value_or_gap(bounded_saddle(xs[i], y, p)[0], nan_undefined)
    elif sid == 11:
        for i in range(n):
            row[i] = _value_or_gap(monkey_saddle(xs[i], y, p)[0], nan_undefined)
    elif sid == 12:
        for i in range(n):
            row[i] = _value_or_gap(plateau(xs[i], y, p)[0], nan_undefined)
    elif sid == 13:
        for i in range(n):
            row[i] = _value_or_gap(two_gaussians(xs[i], y, p)[0], nan_undefined)
    elif sid == 14:
        for i in range(n):
            row[i] = _value_or_gap(tilted_plane(xs[i], y, p)[0], nan_undefined)
    elif sid == 15:
        for i in range(n):
            row[i] = _value_or_gap(double_well(xs[i], y, p)[0], nan_undefined)
    elif sid == 16:
        for i in range(n):
            row[i] = _value_or_gap(booth(xs[i], y, p)[0], nan_undefined)
    elif sid == 17:
        for i in range(n):
            row[i] = _value_or_gap(matyas(xs[i], y, p)[0], nan_undefined)
    else:
        for i in range(n):
            row[i] = math.nan


@njit(cache=True, nogil=True, error_model="numpy", _nrt=False, inline="always")
def _value_or_gap(v: float, nan_undefined: bool) -> float:
    """v, or NaN where v is not finite and ``nan_undefined``.

    v * 0.0 is a zero of v's sign for a finite v, so v + v * 0.0 is v exactly
    (signed zeros too), and NaN for inf or NaN: two vector operations, where a
    compare-and-select took three (measured 35 -> 32 us for a 400 x 400 grid).
    """
    return v + v * 0.0 if nan_undefined else v


# ---------------------------------------------------------------- the catalogue

SURFACES: tuple[SurfaceSpec, ...] = tuple(
    sorted(BOWLS + CLASSICS + SADDLES_AND_WELLS, key=lambda spec: spec.id)
)
