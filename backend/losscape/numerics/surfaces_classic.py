"""Classic optimisation test functions: Rosenbrock's valley, Beale, Himmelblau,
the six-hump camel, Rastrigin and Ackley.

Each surface is one ``@njit`` function ``f(x, y, p) -> (value, df/dx, df/dy)``
and one ``SurfaceSpec`` row in ``CLASSICS``. Hard-coded critical points were
found by Newton's method on the analytic gradient from a dense grid of starts
(six-hump camel: all 15 real roots of its degree-15 resultant) and are exact
to about 1e-15; Rosenbrock's moves with its parameters (``critical_points_fn``).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .critical_points import point_pair, rosenbrock_points
from .specs import CriticalPoint, ParamSpec, SurfaceSpec

TWO_PI = 2.0 * math.pi


@njit(cache=True, nogil=True, error_model="numpy")
def rosenbrock(x: float, y: float, p: np.ndarray) -> tuple[float, float, float]:
    """(a - x)^2 + b (y - x^2)^2; p = (a, b)."""
    a = p[0]
    b = p[1]
    r = y - x * x
    f = (a - x) ** 2 + b * r * r
    return f, -2.0 * (a - x) - 4.0 * b * x * r, 2.0 * b * r


@njit(cache=True, nogil=True, error_model="numpy")
def beale(x: float, y: float, p: np.ndarray) -> tuple[float, float, float]:
    """(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2."""
    y2 = y * y
    y3 = y2 * y
    t1 = 1.5 - x + x * y
    t2 = 2.25 - x + x * y2
    t3 = 2.625 - x + x * y3
    f = t1 * t1 + t2 * t2 + t3 * t3
    gx = 2.0 * (t1 * (y - 1.0) + t2 * (y2 - 1.0) + t3 * (y3 - 1.0))
    gy = 2.0 * x * (t1 + 2.0 * y * t2 + 3.0 * y2 * t3)
    return f, gx, gy


@njit(cache=True, nogil=True, error_model="numpy")
def himmelblau(x: float, y: float, p: np.ndarray) -> tuple[float, float, float]:
    """(x^2 + y - 11)^2 + (x + y^2 - 7)^2."""
    r1 = x * x + y - 11.0
    r2 = x + y * y - 7.0
    return r1 * r1 + r2 * r2, 4.0 * x * r1 + 2.0 * r2, 2.0 * r1 + 4.0 * y * r2


@njit(cache=True, nogil=True, error_model="numpy")
def six_hump_camel(x: float, y: float, p: np.ndarray) -> tuple[float, float, float]:
    """(4 - 2.1 x^2 + x^4 / 3) x^2 + x y + (-4 + 4 y^2) y^2."""
    x2 = x * x
    y2 = y * y
    f = (4.0 - 2.1 * x2 + x2 * x2 / 3.0) * x2 + x * y + (-4.0 + 4.0 * y2) * y2
    gx = 8.0 * x - 8.4 * x2 * x + 2.0 * x2 * x2 * x + y
    gy = x - 8.0 * y + 16.0 * y2 * y
    return f, gx, gy


@njit(cache=True, nogil=True, error_model="numpy")
def rastrigin(x: float, y: float, p: np.ndarray) -> tuple[float, float, float]:
    """2A + x^2 + y^2 - A (cos 2 pi x + cos 2 pi y); p = (A,)."""
    a = p[0]
    f = 2.0 * a + x * x + y * y - a * (math.cos(TWO_PI * x) + math.cos(TWO_PI * y))
    gx = 2.0 * x + TWO_PI * a * math.sin(TWO_PI * x)
    gy = 2.0 * y + TWO_PI * a * math.sin(TWO_PI * y)
    return f, gx, gy


@njit(cache=True, nogil=True, error_model="numpy")
def ackley(x: float, y: float, p: np.ndarray) -> tuple[float, float, float]:
    """-20 exp(-0.2 r) - exp(0.5 (cos 2 pi x + cos 2 pi y)) + e + 20, r = sqrt((x^2 + y^2) / 2).

    The cone term is not differentiable at the origin; the gradient there is
    taken as 0 (the subgradient that makes the origin the minimum).
    """
    r = math.sqrt(0.5 * (x * x + y * y))
    e1 = math.exp(-0.2 * r)
    e2 = math.exp(0.5 * (math.cos(TWO_PI * x) + math.cos(TWO_PI * y)))
    f = -20.0 * e1 - e2 + math.e + 20.0
    gx = math.pi * e2 * math.sin(TWO_PI * x)
    gy = math.pi * e2 * math.sin(TWO_PI * y)
    if r > 0.0:
        # d/dx of -20 exp(-0.2 r) = 4 exp(-0.2 r) dr/dx, dr/dx = x / (2 r)
        gx += 2.0 * e1 * x / r
        gy += 2.0 * e1 * y / r
    return f, gx, gy


# One row per surface, in id order within the group.
CLASSICS: tuple[SurfaceSpec, ...] = (
    SurfaceSpec(
        name="rosenbrock",
        id=3,
        fn=rosenbrock,
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
        critical_points_fn=rosenbrock_points,
    ),
    SurfaceSpec(
        name="beale",
        id=4,
        fn=beale,
        title="Beale",
        formula=r"(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
        view=(-4.5, 4.5, -4.5, 4.5),
        critical_points=(
            CriticalPoint(3.0, 0.5, 0.0, "minimum"),
            CriticalPoint(0.0, 1.0, 14.203125, "saddle"),
            CriticalPoint(0.10053793732415836, -2.644513585023125, 9.86451228475556, "saddle"),
        ),
        concept=(
            "sharp ridges and flat arms: gradient sizes vary by orders of magnitude, "
            "which adaptive step sizes absorb"
        ),
        default_start=(1.0, 1.5),
    ),
    SurfaceSpec(
        name="himmelblau",
        id=5,
        fn=himmelblau,
        title="Himmelblau",
        formula=r"(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        view=(-5.0, 5.0, -5.0, 5.0),
        critical_points=(
            CriticalPoint(3.0, 2.0, 0.0, "minimum"),
            CriticalPoint(-2.805118086952745, 3.131312518250573, 0.0, "minimum"),
            CriticalPoint(-3.779310253377747, -3.2831859912861696, 0.0, "minimum"),
            CriticalPoint(3.5844283403304917, -1.8481265269644036, 0.0, "minimum"),
            CriticalPoint(-0.2708445906673476, -0.9230385564799815, 181.6165215225827, "maximum"),
            CriticalPoint(3.385154183607021, 0.07385187983774928, 13.31192627040559, "saddle"),
            CriticalPoint(0.08667750455539636, 2.884254701174776, 67.71915008752615, "saddle"),
            CriticalPoint(-3.0730257507643897, -0.08135304428796751, 104.0151629175581, "saddle"),
            CriticalPoint(-0.12796134673068008, -1.9537149802445763, 178.33723920192747, "saddle"),
        ),
        concept=(
            "four equally good minima: where gradient descent ends depends on where it "
            "starts (basins of attraction)"
        ),
        default_start=(0.5, -0.5),
    ),
    SurfaceSpec(
        name="six_hump_camel",
        id=6,
        fn=six_hump_camel,
        title="Six-hump camel",
        formula=r"\left(4 - 2.1x^2 + \tfrac{x^4}{3}\right)x^2 + xy + (4y^2 - 4)\,y^2",
        view=(-3.0, 3.0, -2.0, 2.0),
        critical_points=(
            *point_pair(-0.08984201310031806, 0.7126564030207396, -1.0316284534898774, "minimum"),
            *point_pair(-1.703606714969981, 0.7960835686726251, -0.21546382438371764, "minimum"),
            *point_pair(-1.6071047529201972, -0.5686514548841314, 2.1042503103112584, "minimum"),
            CriticalPoint(0.0, 0.0, 0.0, "saddle"),
            *point_pair(-1.1092053368047865, 0.7682680925095399, 0.5437186009781851, "saddle"),
            *point_pair(1.6380679841897785, 0.22867406904439408, 2.2293571975307147, "saddle"),
            *point_pair(1.2960702671671092, 0.6050843880386585, 2.22947081802986, "saddle"),
            *point_pair(1.2302298765166526, 0.16233458445899496, 2.496295351023577, "maximum"),
        ),
        concept=(
            "six local minima of different depths, two of them global: random restarts "
            "and basin maps show which start finds which"
        ),
        default_start=(-0.6, -1.2),
    ),
    SurfaceSpec(
        name="rastrigin",
        id=7,
        fn=rastrigin,
        title="Rastrigin",
        formula=r"2A + x^2 + y^2 - A\,(\cos 2\pi x + \cos 2\pi y)",
        view=(-5.12, 5.12, -5.12, 5.12),
        params=(ParamSpec("A", 10.0, 0.0, 30.0, "height of the ripples (0: a plain bowl)"),),
        critical_points=(CriticalPoint(0.0, 0.0, 0.0, "minimum"),),
        concept=(
            "a bowl covered in ripples: local minima everywhere trap gradient descent "
            "(only the global minimum is listed)"
        ),
        default_start=(3.3, -2.2),
    ),
    SurfaceSpec(
        name="ackley",
        id=8,
        fn=ackley,
        title="Ackley",
        formula=(r"-20\,e^{-0.2\sqrt{(x^2 + y^2)/2}} - e^{(\cos 2\pi x + \cos 2\pi y)/2} + e + 20"),
        view=(-5.0, 5.0, -5.0, 5.0),
        critical_points=(CriticalPoint(0.0, 0.0, 0.0, "minimum"),),
        concept=(
            "a nearly flat, bumpy outer region around one deep funnel: local minima "
            "everywhere (only the global minimum is listed)"
        ),
        default_start=(3.3, -2.6),
    ),
)
