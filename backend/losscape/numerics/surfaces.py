"""Test surfaces: one ``@njit`` value-and-gradient function per surface.

Every surface function has the signature ``f(x, y, p) -> (value, dvalue/dx, dvalue/dy)``
where ``p`` is a float64 array of its parameters in the order its spec lists
them. ``surface_eval`` dispatches on the integer id (numba rule: dispatch by id
inside njit, never pass jitted functions to cached kernels). Id
``EXPRESSION_ID`` is a typed-in formula evaluated by ``program.program_eval``.

Critical points are listed at the default parameters in each spec; surfaces
whose critical points move with their parameters also carry a plain-numpy
``critical_points_fn``. Hard-coded points were found by Newton's method on the
analytic gradient from a dense grid of starts (six-hump camel: all 15 real
roots of its degree-15 resultant) and are exact to about 1e-15.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .critical_points import (
    double_well_points,
    point_pair,
    rosenbrock_points,
    two_gaussians_points,
)
from .program import program_eval, program_eval_block
from .specs import CriticalPoint, ParamSpec, SurfaceSpec

EXPRESSION_ID = 99

TWO_PI = 2.0 * math.pi


# ---------------------------------------------------------------- convex bowls


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


# ---------------------------------------------------------------- classic test functions


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


# ---------------------------------------------------------------- saddles, plateaux, wells


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
    if sid == EXPRESSION_ID:
        return program_eval(code, consts, x, y, stack)
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
    receives f and ``grad`` (2n,) the gradient in the same layout. The
    dispatch happens once, outside a tight loop over points, so LLVM can
    vectorise each surface's loop (a sweep's blocked layout depends on it);
    per point the arithmetic is exactly ``surface_eval``'s.
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
    elif sid == EXPRESSION_ID:
        program_eval_block(code, consts, theta, n, values, grad, stack)
    else:
        for r in range(n):
            values[r], grad[r], grad[n + r] = math.nan, math.nan, math.nan


# ---------------------------------------------------------------- the catalogue

_KAPPA = ParamSpec("kappa", 20.0, 1.0, 1000.0, "condition number: curvature ratio", log=True)

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
        name="ravine",
        id=1,
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
        critical_points_fn=rosenbrock_points,
    ),
    SurfaceSpec(
        name="beale",
        id=4,
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
    SurfaceSpec(
        name="saddle",
        id=9,
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
    SurfaceSpec(
        name="booth",
        id=16,
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
