"""Numerical analysis of a compiled formula, and ``resolve_expression``.

Numerical analysis (when the user gives no view or no minima):

- Critical points: a coarse grid (60 x 60; 400 points for a 1-D formula) of
  values and exact gradients. Seeds: grid points lower (higher) than their
  neighbours, refined by a derivative-free compass search (so kinks such as
  ``abs(x)`` are found), and grid points where |gradient| is locally smallest.
  Every seed is polished by Newton's method on the gradient (exact gradient,
  Hessian by central differences of it, as ``kernels.hessian_at``), classified
  from the Hessian's eigenvalues (``resolved.classify``); a degenerate point (or
  a kink) is classified by comparing values on a small ring around it, and a
  flat one is dropped. Points closer than a quarter grid cell are merged; at
  most 32 are kept. Bounded work: at most 56 seeds, 100 search and 50 Newton
  iterations, each one vectorised kernel call.
- View, when none is given: the box [-3, 3]^2 is searched first, then
  [-10, 10]^2, [-30, 30]^2 and [-100, 100]^2 until one holds a critical point.
  If a point lies in the outer 20% of that box (more may lie past it) and the
  box holds fewer than 16 points, the box twice as wide is searched, and its
  points are used unless there are 2x (1-D) or 4x (2-D) as many (a periodic
  formula) or 16 or more. The view is then: [-3, 3]^2 if no point was found
  or all lie in its inner 80%; the search box itself for an oscillating
  formula (16 or more points); else the square centred on the points'
  bounding box with half-width max(3, 0.75 x its larger side), rounded to two
  significant digits, searched again. Given minima set the view by the same
  last rule.
- Unbounded below: if the lowest grid value over the escape box (3x the view,
  as ``service`` stops such runs) lies on its edge, the surface is treated as
  unbounded below, so a run leaving the box is "escaped", not "diverged".
- Default start: of the points at 20%, 40% and 80% of the view's width and
  height (upper-left first; 40% keeps off symmetry axes, where a run can only
  slide into a saddle), the one farthest (in view-relative units) from
  the nearest minimum among those where the value and gradient are finite.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..numerics import kernels
from ..numerics.specs import CriticalPoint
from ..numerics.surfaces import EXPRESSION_ID
from ..resolved import ESCAPE_BOX_FACTOR, ResolvedSurface, classify
from ..validation import check_point, check_view
from .emit import Program
from .params import bound_program, check_params
from .parser import compile_expression

DEFAULT_VIEW = (-3.0, 3.0, -3.0, 3.0)
SEARCH_HALF_WIDTHS = (3.0, 10.0, 30.0, 100.0)
VALID_KEYS = ("expression", "view", "minima", "params")

# --------------------------------------------------------------------------- numerical analysis

GRID_2D = 60  # coarse search grid per axis
GRID_1D = 400
MAX_EXTREMUM_SEEDS = 16  # lowest local minima and highest local maxima of the grid, each
MAX_FLAT_SEEDS = 24  # smallest local minima of |gradient|
MAX_CRITICAL_POINTS = 32
OSCILLATING = 16  # this many critical points in a search box: an oscillating formula
COMPASS_ITERATIONS = 100
NEWTON_ITERATIONS = 50
_NO_PARAMS = np.zeros(1)
_KIND_ORDER = {"minimum": 0, "saddle": 1, "maximum": 2}


def _evaluate(p: Program, pts: np.ndarray) -> np.ndarray:
    """(K, 3) rows (f, df/dx, df/dy) at pts (K, 2)."""
    pts = np.ascontiguousarray(pts, dtype=np.float64).reshape(-1, 2)
    out = np.empty((pts.shape[0], 3))
    kernels.evaluate_points(EXPRESSION_ID, _NO_PARAMS, p.code, p.consts, pts, out)
    return out


def _line_y(box: tuple[float, float, float, float]) -> float:
    """The y of a 1-D formula's points: 0 when the view holds it, else the view's middle."""
    return 0.0 if box[2] <= 0.0 <= box[3] else 0.5 * (box[2] + box[3])


def _offsets(dims: int) -> np.ndarray:
    """Neighbour offsets (in cells), the centre first so ties keep the centre."""
    if dims == 1:
        return np.array([[0, 0], [-1, 0], [1, 0]], dtype=np.float64)
    return np.array([[i, j] for i in (0, -1, 1) for j in (0, -1, 1)], dtype=np.float64)


def _local_minima(a: np.ndarray, dims: int) -> np.ndarray:
    """(k, 2) (row, col) indices of interior cells of ``a`` (ny, nx) no higher than
    any neighbour and lower than one (NaN counts as +inf); a 1-D ``a`` has one row."""
    a = np.where(np.isnan(a), np.inf, a)
    if dims == 1:
        c = a[:, 1:-1]
        nbs = [a[:, :-2], a[:, 2:]]
        shift = np.array([0, 1])
    else:
        c = a[1:-1, 1:-1]
        ny, nx = a.shape
        nbs = [
            a[1 + di : ny - 1 + di, 1 + dj : nx - 1 + dj]
            for di in (-1, 0, 1)
            for dj in (-1, 0, 1)
            if (di, dj) != (0, 0)
        ]
        shift = np.array([1, 1])
    le = np.isfinite(c)
    lt = np.zeros_like(le)
    for nb in nbs:
        le &= c <= nb
        lt |= c < nb
    return np.argwhere(le & lt) + shift


def _compass(p: Program, pts: np.ndarray, sign: float, h: np.ndarray, dims: int) -> np.ndarray:
    """Derivative-free descent on sign * f from each of pts (S, 2): step to the best of
    the 3 x 3 stencil of spacing h, halve h when the centre is best. Finds kinks too."""
    offs = _offsets(dims)
    pos = pts.copy()
    step = np.tile(h, (pos.shape[0], 1))
    rows = np.arange(pos.shape[0])
    tiny = 4e-16 * (1.0 + np.abs(pos))
    for _ in range(COMPASS_ITERATIONS):
        cand = pos[:, None, :] + offs[None, :, :] * step[:, None, :]
        vals = sign * _evaluate(p, cand.reshape(-1, 2))[:, 0].reshape(pos.shape[0], -1)
        vals[np.isnan(vals)] = np.inf
        best = np.argmin(vals, axis=1)
        pos = cand[rows, best]
        step[best == 0] *= 0.5
        if np.all(step <= tiny):
            break
    return pos


def _hessians(p: Program, pos: np.ndarray) -> np.ndarray:
    """(S, 2, 2) Hessians by central differences of the exact gradient (as kernels.hessian_fd)."""
    s = pos.shape[0]
    h = 1e-5 * (1.0 + np.abs(pos))
    shifted = np.empty((4, s, 2))
    shifted[:] = pos
    shifted[0, :, 0] += h[:, 0]
    shifted[1, :, 0] -= h[:, 0]
    shifted[2, :, 1] += h[:, 1]
    shifted[3, :, 1] -= h[:, 1]
    g = _evaluate(p, shifted.reshape(-1, 2))[:, 1:3].reshape(4, s, 2)
    hx = (g[0] - g[1]) / (2.0 * h[:, 0:1])  # column x: (hxx, hyx)
    hy = (g[2] - g[3]) / (2.0 * h[:, 1:2])  # column y: (hxy, hyy)
    out = np.empty((s, 2, 2))
    out[:, 0, 0] = hx[:, 0]
    out[:, 1, 1] = hy[:, 1]
    out[:, 0, 1] = out[:, 1, 0] = 0.5 * (hx[:, 1] + hy[:, 0])
    return out


def _newton(p: Program, pts: np.ndarray, dims: int, max_step: float) -> np.ndarray:
    """Newton's method on the gradient from each of pts (S, 2); steps clipped to
    ``max_step``; a singular or non-finite step leaves the point where it is."""
    pos = pts.copy()
    for _ in range(NEWTON_ITERATIONS):
        g = _evaluate(p, pos)[:, 1:3]
        h = _hessians(p, pos)
        step = np.zeros_like(pos)
        if dims == 1:
            step[:, 0] = -g[:, 0] / h[:, 0, 0]
        else:
            det = h[:, 0, 0] * h[:, 1, 1] - h[:, 0, 1] ** 2
            step[:, 0] = -(h[:, 1, 1] * g[:, 0] - h[:, 0, 1] * g[:, 1]) / det
            step[:, 1] = -(h[:, 0, 0] * g[:, 1] - h[:, 0, 1] * g[:, 0]) / det
        step[~np.all(np.isfinite(step), axis=1)] = 0.0
        norm = np.hypot(step[:, 0], step[:, 1])
        too_long = norm > max_step
        step[too_long] *= (max_step / norm[too_long])[:, None]
        pos = pos + step
        if np.all(norm <= 1e-14 * (1.0 + np.abs(pos).max(axis=1))):
            break
    return pos


def _ring_kind(p: Program, pt: np.ndarray, f0: float, rho: np.ndarray, dims: int) -> str | None:
    """Kind of a point from values on a small ring around it (every 22.5 degrees):
    "saddle" if some are higher and some lower (the monkey saddle x^3 - 3xy^2 also
    has level ones), else "minimum" / "maximum" if all are higher / lower, else
    None: some are level, the point sits in a flat valley or plateau."""
    if dims == 1:
        ring = np.array([[-1.0, 0.0], [1.0, 0.0]])
    else:
        t = np.linspace(0.0, 2.0 * math.pi, 16, endpoint=False)
        ring = np.column_stack([np.cos(t), np.sin(t)])
    ring_f = _evaluate(p, pt + ring * rho)[:, 0]
    if np.any(np.isnan(ring_f)):
        return None
    d = ring_f - f0
    # Differences below roundoff of the values involved count as level (1e-300:
    # a point where every value is exactly 0 is level, not a minimum).
    tol = 1e-13 * max(abs(f0), float(np.max(np.abs(ring_f))), 1e-300)
    up, down = np.any(d > tol), np.any(d < -tol)
    if up and down:
        return "saddle"
    if np.all(d > tol):
        return "minimum"
    if np.all(d < -tol):
        return "maximum"
    return None


def _tidy(v: float, scale: float) -> float:
    """14 significant digits, and exactly 0 for roundoff around 0 (1 - 1e-17 -> 1)."""
    r = float(f"{v:.14g}")
    return 0.0 if abs(r) < 1e-12 * scale else r


def _critical_points(
    p: Program, box: tuple[float, float, float, float], dims: int
) -> tuple[CriticalPoint, ...]:
    """Minima, saddles and maxima of ``p`` inside ``box`` (see the module docstring)."""
    x0, x1, y0, y1 = box
    n = GRID_2D if dims == 2 else GRID_1D
    xs = np.linspace(x0, x1, n)
    ys = np.linspace(y0, y1, n) if dims == 2 else np.array([_line_y(box)])
    mx, my = np.meshgrid(xs, ys)
    val = _evaluate(p, np.column_stack([mx.ravel(), my.ravel()]))
    f, gx, gy = (val[:, k].reshape(mx.shape) for k in range(3))
    cell = np.array([xs[1] - xs[0], (ys[1] - ys[0]) if dims == 2 else 0.0])
    gnorm = np.hypot(gx, gy)
    finite_g = gnorm[np.isfinite(gnorm) & np.isfinite(f)]
    if finite_g.size == 0:
        return ()
    gtol = 1e-8 * max(float(np.median(finite_g)), 1e-300)

    def at(idx: np.ndarray) -> np.ndarray:
        return np.column_stack([xs[idx[:, 1]], ys[idx[:, 0]]])

    seeds: list[tuple[np.ndarray, float]] = []
    for sign in (1.0, -1.0):
        idx = _local_minima(sign * f, dims)
        if idx.size:
            order = np.argsort(sign * f[idx[:, 0], idx[:, 1]])[:MAX_EXTREMUM_SEEDS]
            seeds.append((_compass(p, at(idx[order]), sign, cell, dims), sign))
    idx = _local_minima(gnorm, dims)
    if idx.size:
        order = np.argsort(gnorm[idx[:, 0], idx[:, 1]])[:MAX_FLAT_SEEDS]
        seeds.append((at(idx[order]), 0.0))
    if not seeds:
        return ()
    start = np.concatenate([s for s, _ in seeds])
    # +1: a minimum seed of the compass search, -1: a maximum one, 0: a |gradient| seed.
    compass = np.concatenate([np.full(s.shape[0], c) for s, c in seeds])
    polished = _newton(p, start, dims, float(np.hypot(*cell)))
    margin = cell + 1e-12

    def critical(pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(values (S,), mask of points inside the box with |gradient| <= gtol)."""
        val = _evaluate(p, pts)
        inside = (
            (pts[:, 0] >= x0 - margin[0])
            & (pts[:, 0] <= x1 + margin[0])
            & (pts[:, 1] >= y0 - margin[1])
            & (pts[:, 1] <= y1 + margin[1])
        )
        ok = np.all(np.isfinite(val), axis=1) & (np.hypot(val[:, 1], val[:, 2]) <= gtol)
        return val[:, 0], ok & inside

    f_newton, newton_ok = critical(polished)
    f_compass, compass_ok = critical(start)
    compass_ok &= compass != 0.0
    scale = max(abs(x0), abs(x1), abs(y0), abs(y1), 1.0)
    rho = 0.05 * np.where(cell > 0, cell, 0.0)
    found: list[CriticalPoint] = []
    hess = np.empty((2, 2))
    for k in range(start.shape[0]):
        # Of the compass point and its Newton polish, the critical one; if both
        # are, the lower (higher for a maximum): on a very flat minimum (x**16)
        # Newton crawls while the compass search homes in on the values.
        use_newton = newton_ok[k] and not (
            compass_ok[k] and compass[k] * f_compass[k] <= compass[k] * f_newton[k]
        )
        converged = newton_ok[k] or compass_ok[k]
        if use_newton:
            pt = polished[k]
        elif compass[k] != 0.0:
            pt = start[k]  # critical, or maybe a kink Newton cannot polish
        else:
            continue
        pt = np.array([_tidy(pt[0], scale), _tidy(pt[1], scale) if dims == 2 else pt[1]])
        if not (x0 <= pt[0] <= x1 and y0 <= pt[1] <= y1):
            continue
        fv, gxv, gyv = _evaluate(p, pt)[0]
        if not math.isfinite(fv):
            continue
        kind: str | None = None
        if converged:
            kernels.hessian_at(EXPRESSION_ID, _NO_PARAMS, p.code, p.consts, pt[0], pt[1], hess)
            if np.all(np.isfinite(hess)):
                w = np.linalg.eigvalsh(hess)
                kind = classify(np.array([gxv, gyv]), w, dims=dims)
        if kind not in ("minimum", "maximum", "saddle"):
            kind = _ring_kind(p, pt, fv, rho, dims)
            if not converged and kind != {1.0: "minimum", -1.0: "maximum"}[compass[k]]:
                kind = None  # the compass search stalled (a curved ravine), not an extremum
        if kind is not None:
            found.append(CriticalPoint(float(pt[0]), float(pt[1]), float(fv) + 0.0, kind))
    found.sort(key=lambda c: (_KIND_ORDER[c.kind], c.f if c.kind != "maximum" else -c.f))
    merge = 0.25 * float(np.hypot(*cell))
    kept: list[CriticalPoint] = []
    for c in found:
        if all(math.hypot(c.x - o.x, c.y - o.y) > merge for o in kept):
            kept.append(c)
    return tuple(kept[:MAX_CRITICAL_POINTS])


def _nice(v: float) -> float:
    return float(f"{v:.4g}")


def _view_around(points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    """[-3, 3]^2 if it holds every point in its inner 80%, else the square centred on
    the points with half-width max(3, 0.75 x their larger extent)."""
    xs = [pt[0] for pt in points]
    ys = [pt[1] for pt in points]
    if all(abs(v) <= 0.8 * DEFAULT_VIEW[1] for v in xs + ys):
        return DEFAULT_VIEW
    cx, cy = 0.5 * (min(xs) + max(xs)), 0.5 * (min(ys) + max(ys))
    hw = max(DEFAULT_VIEW[1], 0.75 * max(max(xs) - min(xs), max(ys) - min(ys)))
    # Round to readable numbers: the half-width up to two significant digits, the
    # centre to the same step (it moves by at most half a step, well inside the margin).
    e = math.floor(math.log10(hw)) - 1
    step = 10.0**e
    hw = math.ceil(hw / step - 1e-9) * step
    cx, cy = round(cx / step) * step, round(cy / step) * step
    nd = max(0, -e)
    return (round(cx - hw, nd), round(cx + hw, nd), round(cy - hw, nd), round(cy + hw, nd))


def _near_edge(c: CriticalPoint, box: tuple[float, float, float, float], dims: int) -> bool:
    """True when c lies outside the inner 80% of box (in x, and in y for a 2-D formula)."""
    x0, x1, y0, y1 = box
    mx, my = 0.1 * (x1 - x0), 0.1 * (y1 - y0)
    out_x = not (x0 + mx <= c.x <= x1 - mx)
    return out_x or (dims == 2 and not (y0 + my <= c.y <= y1 - my))


def _auto_view(
    p: Program, dims: int
) -> tuple[tuple[float, float, float, float], tuple[CriticalPoint, ...]]:
    """The view and critical points when the user gives neither (module docstring)."""
    crit: tuple[CriticalPoint, ...] = ()
    box = DEFAULT_VIEW
    for hw in SEARCH_HALF_WIDTHS:
        box = (-hw, hw, -hw, hw)
        crit = _critical_points(p, box, dims)
        if crit:
            break
    if not crit:
        return DEFAULT_VIEW, ()
    if len(crit) >= OSCILLATING:
        return box, crit  # many critical points: an oscillating formula, keep the box
    if any(_near_edge(c, box, dims) for c in crit):
        # Points near the edge: more may lie past it, look in a box twice as wide.
        hw = box[1]
        wider = _critical_points(p, (-2 * hw, 2 * hw, -2 * hw, 2 * hw), dims)
        # A periodic formula has 2x (1-D) or 4x (2-D) as many points in it.
        if len(crit) <= len(wider) < min(2**dims * len(crit), OSCILLATING):
            crit = wider
    view = _view_around([(c.x, c.y) for c in crit])
    if view == box:
        return view, crit
    again = _critical_points(p, view, dims)
    if again:
        return view, again
    inside = tuple(c for c in crit if view[0] <= c.x <= view[1] and view[2] <= c.y <= view[3])
    return view, inside


def _unbounded_below(p: Program, view: tuple[float, float, float, float], dims: int) -> bool:
    """True when the lowest grid value over 3x the view lies on that box's edge."""
    x0, x1, y0, y1 = view
    cx, cy = 0.5 * (x0 + x1), 0.5 * (y0 + y1)
    hx, hy = 0.5 * (x1 - x0) * ESCAPE_BOX_FACTOR, 0.5 * (y1 - y0) * ESCAPE_BOX_FACTOR
    n = GRID_2D if dims == 2 else GRID_1D
    xs = np.linspace(cx - hx, cx + hx, n)
    ys = np.linspace(cy - hy, cy + hy, n) if dims == 2 else np.array([_line_y(view)])
    f = np.empty((ys.shape[0], n))
    kernels.grid_values(EXPRESSION_ID, _NO_PARAMS, p.code, p.consts, xs, ys, f)
    f = np.where(np.isnan(f), np.inf, f)  # -inf (falling off the float range) counts as lowest
    edge = np.zeros(f.shape, dtype=bool)
    edge[:, [0, -1]] = True
    if dims == 2:
        edge[[0, -1], :] = True
    lowest_edge = float(f[edge].min())
    lowest_inside = float(f[~edge].min()) if np.any(~edge) else math.inf
    if not math.isfinite(lowest_inside):
        return lowest_edge == -math.inf
    return lowest_edge < lowest_inside - 1e-12 * max(1.0, abs(lowest_inside))


# 40%, not 50%: a start on a symmetry axis (x = 0 for (x**2 - 1)**2 + y**2) can
# only slide into the saddle on that axis.
_START_FRACTIONS_2D = (
    (0.2, 0.8), (0.8, 0.8), (0.2, 0.2), (0.8, 0.2),
    (0.4, 0.8), (0.2, 0.4), (0.8, 0.4), (0.4, 0.2), (0.4, 0.4),
)  # fmt: skip
_START_FRACTIONS_1D = ((0.2, 0.5), (0.8, 0.5), (0.4, 0.5))


def _default_start(
    p: Program,
    view: tuple[float, float, float, float],
    crit: tuple[CriticalPoint, ...],
    dims: int,
) -> tuple[float, float]:
    """The candidate point farthest from the nearest minimum (module docstring)."""
    x0, x1, y0, y1 = view
    fr = np.array(_START_FRACTIONS_2D if dims == 2 else _START_FRACTIONS_1D)
    pts = np.column_stack([x0 + fr[:, 0] * (x1 - x0), y0 + fr[:, 1] * (y1 - y0)])
    if dims == 1:
        pts[:, 1] = _line_y(view)
    pts = np.array([[_nice(a), _nice(b)] for a, b in pts])
    val = _evaluate(p, pts)
    ok = np.all(np.isfinite(val), axis=1) & (np.hypot(val[:, 1], val[:, 2]) > 0)
    if not np.any(ok):
        return float(pts[-1, 0]), float(pts[-1, 1])
    mins = np.array([[c.x, c.y] for c in crit if c.kind == "minimum"]).reshape(-1, 2)
    if mins.shape[0] == 0:
        k = int(np.argmax(ok))
    else:
        half = np.array([0.5 * (x1 - x0), 0.5 * (y1 - y0) if dims == 2 else math.inf])
        d = np.hypot(*((pts[:, None, :] - mins[None, :, :]) / half).transpose(2, 0, 1))
        score = np.where(ok, d.min(axis=1), -1.0)
        k = int(np.argmax(score))
    return float(pts[k, 0]), float(pts[k, 1])


@dataclass(frozen=True)
class _Analysis:
    view: tuple[float, float, float, float]
    critical_points: tuple[CriticalPoint, ...]
    default_start: tuple[float, float]
    unbounded_below: bool


@functools.lru_cache(maxsize=256)
def _analyse(
    p: Program,
    view: tuple[float, float, float, float] | None,
    minima: tuple[tuple[float, float], ...] | None,
) -> _Analysis:
    dims = 2 if p.uses_y else 1
    with np.errstate(all="ignore"):
        if minima is not None:
            val = _evaluate(p, np.array(minima))
            for i, (pt, v) in enumerate(zip(minima, val[:, 0], strict=True)):
                if not math.isfinite(v):
                    raise ValueError(
                        f"minima[{i}] ({pt[0]:g}, {pt[1]:g}) is outside the formula's domain"
                    )
            crit = tuple(
                CriticalPoint(pt[0], pt[1], float(v), "minimum")
                for pt, v in zip(minima, val[:, 0], strict=True)
            )
            if view is None:
                view = _view_around(list(minima))
        elif view is not None:
            crit = _critical_points(p, view, dims)
        else:
            view, crit = _auto_view(p, dims)
        unbounded = _unbounded_below(p, view, dims)
        start = _default_start(p, view, crit, dims)
    return _Analysis(view, crit, start, unbounded)


def resolve_expression(surface: Mapping[str, Any]) -> ResolvedSurface:
    """A typed-in formula as a ``resolved.ResolvedSurface`` (sid ``EXPRESSION_ID``).

    ``surface`` holds "expression" (required), "view" ([xmin, xmax, ymin, ymax]),
    "minima" ([[x, y], ...]) and "params" (values of the formula's named
    parameters, default 1), all optional: see the module docstring for
    what is computed when they are missing. Raises ``ExpressionError`` for a
    formula the grammar refuses and ``ValueError`` for other bad fields.
    """
    extra = sorted(str(k) for k in surface if k not in VALID_KEYS)
    if extra:
        raise ValueError(
            f"unknown field(s) {', '.join(extra)} in an expression surface; "
            f"valid: {', '.join(VALID_KEYS)}"
        )
    if "expression" not in surface:
        raise ValueError("an expression surface needs the field 'expression'")
    compiled = compile_expression(surface["expression"])
    values = check_params(compiled, surface.get("params"))
    p = bound_program(compiled, tuple(values.items()))
    view_arg = surface.get("view")
    view = check_view(view_arg) if view_arg is not None else None
    minima_arg = surface.get("minima")
    minima = None
    if minima_arg is not None:
        if not isinstance(minima_arg, list | tuple) or len(minima_arg) > 64:
            raise ValueError("minima must be a list of at most 64 (x, y) points")
        minima = tuple(check_point(m, f"minima[{i}]") for i, m in enumerate(minima_arg)) or None
    a = _analyse(p, view, minima)
    return ResolvedSurface(
        name="expression",
        sid=EXPRESSION_ID,
        params=np.zeros(1),
        code=p.code,
        consts=p.consts,
        view=a.view,
        critical_points=a.critical_points,
        unbounded_below=a.unbounded_below,
        quadratic=p.quadratic,
        dims=2 if p.uses_y else 1,
        default_start=a.default_start,
        expression=p.text,
        param_values=values,
    )
