"""Where to look at a compiled formula: its view, whether it is unbounded below, a start.

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

import math

import numpy as np

from ..numerics import kernels
from ..numerics.specs import CriticalPoint
from ..numerics.surfaces import EXPRESSION_ID
from ..resolved import ESCAPE_BOX_FACTOR
from .critical_points import (
    GRID_1D,
    GRID_2D,
    NO_PARAMS,
    OSCILLATING,
    evaluate,
    find_critical_points,
    line_y,
)
from .emit import Program

DEFAULT_VIEW = (-3.0, 3.0, -3.0, 3.0)
SEARCH_HALF_WIDTHS = (3.0, 10.0, 30.0, 100.0)


def _nice(v: float) -> float:
    return float(f"{v:.4g}")


def view_around(points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
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


def auto_view(
    p: Program, dims: int
) -> tuple[tuple[float, float, float, float], tuple[CriticalPoint, ...]]:
    """The view and critical points when the user gives neither (module docstring)."""
    crit: tuple[CriticalPoint, ...] = ()
    box = DEFAULT_VIEW
    for hw in SEARCH_HALF_WIDTHS:
        box = (-hw, hw, -hw, hw)
        crit = find_critical_points(p, box, dims)
        if crit:
            break
    if not crit:
        return DEFAULT_VIEW, ()
    if len(crit) >= OSCILLATING:
        return box, crit  # many critical points: an oscillating formula, keep the box
    if any(_near_edge(c, box, dims) for c in crit):
        # Points near the edge: more may lie past it, look in a box twice as wide.
        hw = box[1]
        wider = find_critical_points(p, (-2 * hw, 2 * hw, -2 * hw, 2 * hw), dims)
        # A periodic formula has 2x (1-D) or 4x (2-D) as many points in it.
        if len(crit) <= len(wider) < min(2**dims * len(crit), OSCILLATING):
            crit = wider
    view = view_around([(c.x, c.y) for c in crit])
    if view == box:
        return view, crit
    again = find_critical_points(p, view, dims)
    if again:
        return view, again
    inside = tuple(c for c in crit if view[0] <= c.x <= view[1] and view[2] <= c.y <= view[3])
    return view, inside


def unbounded_below(p: Program, view: tuple[float, float, float, float], dims: int) -> bool:
    """True when the lowest grid value over 3x the view lies on that box's edge."""
    x0, x1, y0, y1 = view
    cx, cy = 0.5 * (x0 + x1), 0.5 * (y0 + y1)
    hx, hy = 0.5 * (x1 - x0) * ESCAPE_BOX_FACTOR, 0.5 * (y1 - y0) * ESCAPE_BOX_FACTOR
    n = GRID_2D if dims == 2 else GRID_1D
    xs = np.linspace(cx - hx, cx + hx, n)
    ys = np.linspace(cy - hy, cy + hy, n) if dims == 2 else np.array([line_y(view)])
    f = np.empty((ys.shape[0], n))
    kernels.grid_values(EXPRESSION_ID, NO_PARAMS, p.code, p.consts, xs, ys, f)
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


def default_start(
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
        pts[:, 1] = line_y(view)
    pts = np.array([[_nice(a), _nice(b)] for a, b in pts])
    val = evaluate(p, pts)
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
