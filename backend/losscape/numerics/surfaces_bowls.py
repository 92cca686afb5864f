"""Convex quadratic bowls: circles, ravines (axis-aligned and rotated), tilted ellipses.

Each surface is one ``@njit`` function ``f(x, y, p) -> (value, df/dx, df/dy)``
(``p``: its parameters in the order its row lists them) and one ``SurfaceSpec``
row in ``BOWLS``; ``surfaces`` gathers the rows and dispatches on the ids.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .specs import CriticalPoint, ParamSpec, SurfaceSpec

_KAPPA = ParamSpec("kappa", 20.0, 1.0, 1000.0, "condition number: curvature ratio", log=True)


@njit(cache=True, nogil=True, error_model="numpy")
def quadratic(x: float, y: float, p: np.ndarray) -> tuple[float, float, float]:
    """0.5 (x^2 + y^2)."""
    return 0.5 * (x * x + y * y), x, y


@njit(cache=True, nogil=True, error_model="numpy")
def ravine(x: float, y: float, p: np.ndarray) -> tuple[float, float, float]:
    """0.5 (x^2 + kappa y^2); p = (kappa,). Hessian diag(1, kappa)."""
    k = p[0]
    return 0.5 * (x * x + k * y * y), x, k * y


@njit(cache=True, nogil=True, error_model="numpy")
def rotated_ravine(x: float, y: float, p: np.ndarray) -> tuple[float, float, float]:
    """0.5 (u^2 + kappa v^2), u = x cos t + y sin t, v = -x sin t + y cos t; p = (kappa, t deg).

    Equals 0.5 w^T R^T diag(1, kappa) R w with R the rotation by -t, so the
    long (curvature 1) axis points at angle t from the x axis.
    """
    k = p[0]
    t = p[1] * (math.pi / 180.0)
    c = math.cos(t)
    s = math.sin(t)
    u = c * x + s * y
    v = -s * x + c * y
    kv = k * v
    return 0.5 * (u * u + kv * v), c * u - s * kv, s * u + c * kv


@njit(cache=True, nogil=True, error_model="numpy")
def booth(x: float, y: float, p: np.ndarray) -> tuple[float, float, float]:
    """(x + 2y - 7)^2 + (2x + y - 5)^2."""
    r1 = x + 2.0 * y - 7.0
    r2 = 2.0 * x + y - 5.0
    return r1 * r1 + r2 * r2, 2.0 * r1 + 4.0 * r2, 4.0 * r1 + 2.0 * r2


@njit(cache=True, nogil=True, error_model="numpy")
def matyas(x: float, y: float, p: np.ndarray) -> tuple[float, float, float]:
    """0.26 (x^2 + y^2) - 0.48 x y."""
    return 0.26 * (x * x + y * y) - 0.48 * x * y, 0.52 * x - 0.48 * y, 0.52 * y - 0.48 * x


# One row per surface, in id order within the group.
BOWLS: tuple[SurfaceSpec, ...] = (
    SurfaceSpec(
        name="quadratic",
        id=0,
        fn=quadratic,
        title="Quadratic bowl",
        formula=r"\tfrac12 (x^2 + y^2)",
        view=(-2.0, 2.0, -2.0, 2.0),
        critical_points=(CriticalPoint(0.0, 0.0, 0.0, "minimum"),),
        concept="gradient descent on a convex bowl; level sets are circles",
        quadratic=True,
        default_start=(1.5, 1.0),
    ),
    SurfaceSpec(
        name="ravine",
        id=1,
        fn=ravine,
        title="Ravine (axis-aligned)",
        formula=r"\tfrac12 (x^2 + \kappa\, y^2)",
        view=(-3.0, 3.0, -3.0, 3.0),
        params=(_KAPPA,),
        critical_points=(CriticalPoint(0.0, 0.0, 0.0, "minimum"),),
        concept=(
            "an ill-conditioned ravine: gradient descent sloshes across the steep direction "
            "and crawls along the flat one, diverging above lr = 2 / kappa"
        ),
        quadratic=True,
        default_start=(-2.5, 1.0),
    ),
    SurfaceSpec(
        name="rotated_ravine",
        id=2,
        fn=rotated_ravine,
        title="Ravine (rotated)",
        formula=(
            r"\tfrac12 (u^2 + \kappa\, v^2),\ u = x\cos\theta + y\sin\theta,"
            r"\ v = -x\sin\theta + y\cos\theta"
        ),
        view=(-3.0, 3.0, -3.0, 3.0),
        params=(
            _KAPPA,
            ParamSpec("angle", 45.0, -90.0, 90.0, "direction of the flat axis, degrees"),
        ),
        critical_points=(CriticalPoint(0.0, 0.0, 0.0, "minimum"),),
        concept=(
            "the same ravine turned away from the axes: per-coordinate scaling "
            "(Adagrad, RMSprop, Adam) no longer fixes its conditioning"
        ),
        quadratic=True,
        default_start=(-2.5, -1.0),
    ),
    SurfaceSpec(
        name="booth",
        id=16,
        fn=booth,
        title="Booth",
        formula=r"(x + 2y - 7)^2 + (2x + y - 5)^2",
        view=(-10.0, 10.0, -10.0, 10.0),
        critical_points=(CriticalPoint(1.0, 3.0, 0.0, "minimum"),),
        concept="a convex quadratic with tilted elliptic level sets (Hessian eigenvalues 2, 18)",
        quadratic=True,
        default_start=(-7.0, -5.0),
    ),
    SurfaceSpec(
        name="matyas",
        id=17,
        fn=matyas,
        title="Matyas",
        formula=r"0.26\,(x^2 + y^2) - 0.48\,xy",
        view=(-10.0, 10.0, -10.0, 10.0),
        critical_points=(CriticalPoint(0.0, 0.0, 0.0, "minimum"),),
        concept=(
            "a convex quadratic with a flat diagonal valley (Hessian eigenvalues 0.04, 1): "
            "slow progress along the diagonal"
        ),
        quadratic=True,
        default_start=(-8.0, 3.0),
    ),
)
