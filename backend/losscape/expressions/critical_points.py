"""Critical points of a compiled formula, found numerically inside a box.

A coarse grid (60 x 60; 400 points for a 1-D formula) of values and exact
gradients. Seeds: grid points lower (higher) than their neighbours, refined by a
derivative-free compass search (so kinks such as ``abs(x)`` are found), and grid
points where |gradient| is locally smallest. Every seed is polished by Newton's
method on the gradient (exact gradient, Hessian by central differences of it, as
``kernels.hessian_at``), classified from the Hessian's eigenvalues
(``resolved.classify``); a degenerate point (or a kink) is classified by comparing
values on a small ring around it, and a flat one is dropped. Points closer than a
quarter grid cell are merged; at most 32 are kept. Bounded work: at most 56 seeds,
100 search and 50 Newton iterations, each one vectorised kernel call.
"""

from __future__ import annotations

import math

import numpy as np

from ..numerics import kernels
from ..numerics.specs import CriticalPoint
from ..numerics.surfaces import EXPRESSION_ID
from ..resolved import classify
from .emit import Program

GRID_2D = 60  # coarse search grid per axis
GRID_1D = 400
MAX_EXTREMUM_SEEDS = 16  # lowest local minima and highest local maxima of the grid, each
MAX_FLAT_SEEDS = 24  # smallest local minima of |gradient|
MAX_CRITICAL_POINTS = 32
OSCILLATING = 16  # this many critical points in a search box: an oscillating formula
COMPASS_ITERATIONS = 100
NEWTON_ITERATIONS = 50
NO_PARAMS = np.zeros(1)
_KIND_ORDER = {"minimum": 0, "saddle": 1, "maximum": 2}


def evaluate(p: Program, pts: np.ndarray) -> np.ndarray:
    """(K, 3) rows (f, df/dx, df/dy) at pts (K, 2)."""
    pts = np.ascontiguousarray(pts, dtype=np.float64).reshape(-1, 2)
    out = np.empty((pts.shape[0], 3))
    kernels.evaluate_points(EXPRESSION_ID, NO_PARAMS, p.code, p.consts, pts, out)
    return out


def line_y(box: tuple[float, float, float, float]) -> float:
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
        vals = sign * evaluate(p, cand.reshape(-1, 2))[:, 0].reshape(pos.shape[0], -1)
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
    g = evaluate(p, shifted.reshape(-1, 2))[:, 1:3].reshape(4, s, 2)
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
        g = evaluate(p, pos)[:, 1:3]
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
    ring_f = evaluate(p, pt + ring * rho)[:, 0]
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


def find_critical_points(
    p: Program, box: tuple[float, float, float, float], dims: int
) -> tuple[CriticalPoint, ...]:
    """Minima, saddles and maxima of ``p`` inside ``box`` (see the module docstring)."""
    x0, x1, y0, y1 = box
    n = GRID_2D if dims == 2 else GRID_1D
    xs = np.linspace(x0, x1, n)
    ys = np.linspace(y0, y1, n) if dims == 2 else np.array([line_y(box)])
    mx, my = np.meshgrid(xs, ys)
    val = evaluate(p, np.column_stack([mx.ravel(), my.ravel()]))
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
        val = evaluate(p, pts)
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
        fv, gxv, gyv = evaluate(p, pt)[0]
        if not math.isfinite(fv):
            continue
        kind: str | None = None
        if converged:
            kernels.hessian_at(EXPRESSION_ID, NO_PARAMS, p.code, p.consts, pt[0], pt[1], hess)
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
