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
inside njit, never pass jitted functions to cached kernels). Id
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


# ---------------------------------------------------------------- the catalogue

SURFACES: tuple[SurfaceSpec, ...] = tuple(
    sorted(BOWLS + CLASSICS + SADDLES_AND_WELLS, key=lambda spec: spec.id)
)
