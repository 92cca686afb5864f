"""Test surfaces: one ``@njit`` value-and-gradient function per surface.

Every surface function has the signature ``f(x, y, p) -> (value, dvalue/dx, dvalue/dy)``
where ``p`` is a float64 array of its parameters in the order its spec lists
them. ``surface_eval`` dispatches on the integer id (numba rule: dispatch by id
inside njit, never pass jitted functions to cached kernels). Id
``EXPRESSION_ID`` is a typed-in formula evaluated by ``program.program_eval``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .program import program_eval
from .specs import CriticalPoint, ParamSpec, SurfaceSpec

EXPRESSION_ID = 99


@njit(cache=True, nogil=True)
def quadratic(x: float, y: float, p: np.ndarray) -> tuple[float, float, float]:
    """0.5 (x^2 + y^2)."""
    return 0.5 * (x * x + y * y), x, y


@njit(cache=True, nogil=True)
def rosenbrock(x: float, y: float, p: np.ndarray) -> tuple[float, float, float]:
    """(a - x)^2 + b (y - x^2)^2."""
    a = p[0]
    b = p[1]
    r = y - x * x
    f = (a - x) ** 2 + b * r * r
    return f, -2.0 * (a - x) - 4.0 * b * x * r, 2.0 * b * r


@njit(cache=True, nogil=True)
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
    if sid == 0:
        return quadratic(x, y, p)
    if sid == 3:
        return rosenbrock(x, y, p)
    if sid == EXPRESSION_ID:
        return program_eval(code, consts, x, y, stack)
    return math.nan, math.nan, math.nan


SURFACES: tuple[SurfaceSpec, ...] = (
    SurfaceSpec(
        name="quadratic",
        id=0,
        title="Quadratic bowl",
        formula=r"\tfrac12 (x^2 + y^2)",
        view=(-2.0, 2.0, -2.0, 2.0),
        critical_points=(CriticalPoint(0.0, 0.0, 0.0, "minimum"),),
        concept="gradient descent on a convex bowl; level sets are circles",
        quadratic=True,
        default_start=(1.5, 1.0),
    ),
    SurfaceSpec(
        name="rosenbrock",
        id=3,
        title="Rosenbrock",
        formula=r"(a - x)^2 + b\,(y - x^2)^2",
        view=(-2.0, 2.0, -1.0, 3.0),
        params=(
            ParamSpec("a", 1.0, -2.0, 2.0, "minimum at (a, a^2)"),
            ParamSpec("b", 100.0, 1.0, 1000.0, "steepness of the valley walls", log=True),
        ),
        critical_points=(CriticalPoint(1.0, 1.0, 0.0, "minimum"),),
        concept="a curved ravine: slow progress along the valley floor",
        default_start=(-1.5, 2.0),
    ),
)
