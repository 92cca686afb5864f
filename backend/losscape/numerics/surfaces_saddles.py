"""Saddles, plateaux and wells: where gradient descent stalls, escapes or picks a basin.

Each surface is one ``@njit`` function ``f(x, y, p) -> (value, df/dx, df/dy)``
and one ``SurfaceSpec`` row in ``SADDLES_AND_WELLS``. Surfaces whose critical
points move with their parameters carry a plain-numpy ``critical_points_fn``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .critical_points import double_well_points, two_gaussians_points
from .specs import CriticalPoint, ParamSpec, SurfaceSpec


@njit(cache=True, nogil=True, error_model="numpy")
def saddle(x: float, y: float, p: np.ndarray) -> tuple[float, float, float]:
    """x^2 - y^2."""
    return x * x - y * y, 2.0 * x, -2.0 * y


@njit(cache=True, nogil=True, error_model="numpy")
def bounded_saddle(x: float, y: float, p: np.ndarray) -> tuple[float, float, float]:
    """x^2 - y^2 + y^4 / 4."""
    y2 = y * y
    return x * x - y2 + 0.25 * y2 * y2, 2.0 * x, -2.0 * y + y2 * y


@njit(cache=True, nogil=True, error_model="numpy")
def monkey_saddle(x: float, y: float, p: np.ndarray) -> tuple[float, float, float]:
    """x^3 - 3 x y^2."""
    return x * x * x - 3.0 * x * y * y, 3.0 * (x * x - y * y), -6.0 * x * y


@njit(cache=True, nogil=True, error_model="numpy")
def plateau(x: float, y: float, p: np.ndarray) -> tuple[float, float, float]:
    """1 - exp(-(x^2 + y^2) / (2 s^2)); p = (s,). Flat (f -> 1, gradient -> 0) beyond a few s."""
    inv = 1.0 / (p[0] * p[0])
    e = math.exp(-0.5 * (x * x + y * y) * inv)
    return 1.0 - e, x * inv * e, y * inv * e


@njit(cache=True, nogil=True, error_model="numpy")
def two_gaussians(x: float, y: float, p: np.ndarray) -> tuple[float, float, float]:
    """x^2 + y^2 - a exp(-((x-1)^2 + y^2) / c) - b exp(-((x+1)^2 + y^2) / c); p = (a, b, c)."""
    a = p[0]
    b = p[1]
    c = p[2]
    y2 = y * y
    ea = a * math.exp(-((x - 1.0) ** 2 + y2) / c)
    eb = b * math.exp(-((x + 1.0) ** 2 + y2) / c)
    f = x * x + y2 - ea - eb
    gx = 2.0 * x + 2.0 * (ea * (x - 1.0) + eb * (x + 1.0)) / c
    gy = 2.0 * y + 2.0 * y * (ea + eb) / c
    return f, gx, gy


@njit(cache=True, nogil=True, error_model="numpy")
def tilted_plane(x: float, y: float, p: np.ndarray) -> tuple[float, float, float]:
    """sx x + sy y; p = (sx, sy). Constant gradient, no critical point."""
    return p[0] * x + p[1] * y, p[0], p[1]


@njit(cache=True, nogil=True, error_model="numpy")
def double_well(x: float, y: float, p: np.ndarray) -> tuple[float, float, float]:
    """1-D: x^4 / 4 - x^2 / 2 + c x; p = (c,). y is ignored (gy = 0)."""
    x2 = x * x
    return 0.25 * x2 * x2 - 0.5 * x2 + p[0] * x, x2 * x - x + p[0], 0.0


# One row per surface, in id order within the group.
SADDLES_AND_WELLS: tuple[SurfaceSpec, ...] = (
    SurfaceSpec(
        name="saddle",
        id=9,
        fn=saddle,
        title="Saddle",
        formula=r"x^2 - y^2",
        view=(-2.0, 2.0, -2.0, 2.0),
        critical_points=(CriticalPoint(0.0, 0.0, 0.0, "saddle"),),
        concept=(
            "a saddle point: a start exactly on the x axis stays on it and stalls at the "
            "saddle; a tiny offset in y escapes after a plateau"
        ),
        unbounded_below=True,
        default_start=(1.5, 0.01),
    ),
    SurfaceSpec(
        name="bounded_saddle",
        id=10,
        fn=bounded_saddle,
        title="Saddle with two minima",
        formula=r"x^2 - y^2 + \tfrac14 y^4",
        view=(-2.0, 2.0, -2.5, 2.5),
        critical_points=(
            CriticalPoint(0.0, math.sqrt(2.0), -1.0, "minimum"),
            CriticalPoint(0.0, -math.sqrt(2.0), -1.0, "minimum"),
            CriticalPoint(0.0, 0.0, 0.0, "saddle"),
        ),
        concept=(
            "escaping a saddle point leads down to a minimum; on the saddle's axis "
            "gradient descent never leaves"
        ),
        default_start=(1.5, 0.01),
    ),
    SurfaceSpec(
        name="monkey_saddle",
        id=11,
        fn=monkey_saddle,
        title="Monkey saddle",
        formula=r"x^3 - 3xy^2",
        view=(-1.5, 1.5, -1.5, 1.5),
        critical_points=(CriticalPoint(0.0, 0.0, 0.0, "degenerate"),),
        concept=(
            "a degenerate critical point (zero Hessian): three valleys meet and the "
            "gradient vanishes quadratically, so escape is slow"
        ),
        unbounded_below=True,
        default_start=(1.0, 0.05),
    ),
    SurfaceSpec(
        name="plateau",
        id=12,
        fn=plateau,
        title="Plateau",
        formula=r"1 - e^{-(x^2 + y^2)/(2 s^2)}",
        view=(-4.0, 4.0, -4.0, 4.0),
        params=(ParamSpec("s", 1.0, 0.3, 3.0, "width of the well; flat beyond a few s", log=True),),
        critical_points=(CriticalPoint(0.0, 0.0, 0.0, "minimum"),),
        concept=(
            "a plateau: far from the well the gradient is nearly zero, so a start out "
            "there barely moves and the loss curve stays flat before it drops"
        ),
        default_start=(2.5, 1.5),
    ),
    SurfaceSpec(
        name="two_gaussians",
        id=13,
        fn=two_gaussians,
        title="Two wells",
        formula=(r"x^2 + y^2 - a\,e^{-((x-1)^2 + y^2)/c} - b\,e^{-((x+1)^2 + y^2)/c}"),
        view=(-2.0, 2.0, -1.5, 1.5),
        params=(
            ParamSpec("a", 2.0, 0.0, 5.0, "depth of the well at x = 1"),
            ParamSpec("b", 3.0, 0.0, 5.0, "depth of the well at x = -1"),
            ParamSpec("c", 0.2, 0.05, 1.0, "squared width of the wells", log=True),
        ),
        critical_points=(
            CriticalPoint(-0.9363006340109187, 0.0, -2.0630902517681946, "minimum"),
            CriticalPoint(0.0686024367080965, 0.0, -0.031374273270045744, "saddle"),
            CriticalPoint(0.9053178991601154, 0.0, -1.092731999201741, "minimum"),
        ),
        concept=(
            "a shallow and a deep local minimum: gradient descent settles in whichever "
            "basin it starts in, momentum or noise can carry it over"
        ),
        default_start=(1.5, 0.8),
        critical_points_fn=two_gaussians_points,
    ),
    SurfaceSpec(
        name="tilted_plane",
        id=14,
        fn=tilted_plane,
        title="Tilted plane",
        formula=r"s_x\,x + s_y\,y",
        view=(-10.0, 10.0, -10.0, 10.0),
        params=(
            ParamSpec("sx", 1.0, -5.0, 5.0, "slope along x"),
            ParamSpec("sy", 0.5, -5.0, 5.0, "slope along y"),
        ),
        concept=(
            "a constant gradient: momentum's step grows to the terminal velocity "
            "lr / (1 - mu) times the slope"
        ),
        unbounded_below=True,
        default_start=(8.0, 4.0),
    ),
    SurfaceSpec(
        name="double_well",
        id=15,
        fn=double_well,
        title="Double well (1-D)",
        formula=r"\tfrac14 x^4 - \tfrac12 x^2 + c\,x",
        view=(-2.0, 2.0, -1.0, 1.0),
        params=(
            ParamSpec(
                "c", 0.2, -0.5, 0.5, "tilt: the wells' depths differ; beyond 0.385 one vanishes"
            ),
        ),
        critical_points=(
            CriticalPoint(-1.0880339146912894, 0.0, -0.45915953708330637, "minimum"),
            CriticalPoint(0.2091488484413166, 0.0, 0.02043651706511529, "maximum"),
            CriticalPoint(0.8788850662499728, 0.0, -0.06127697998180884, "minimum"),
        ),
        concept=(
            "gradient descent in 1-D: each start rolls into the well on its side of the "
            "hump (basins of attraction), not necessarily the deeper one"
        ),
        dims=1,
        default_start=(1.8, 0.0),
        critical_points_fn=double_well_points,
    ),
)
