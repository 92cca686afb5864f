"""Critical points of the surfaces whose points move with their parameters (plain numpy).

Each ``*_points(v)`` takes the surface's parameter values by name and returns its
critical points there; the catalogue rows in ``surfaces`` name them as their
``critical_points_fn``. Roots are bracketed and then polished by Newton's method.
"""

from __future__ import annotations

import math

import numpy as np

from .specs import CriticalPoint


def _polish_root(h, dh, lo: float, hi: float) -> float:
    """A root of the scalar function ``h`` in [lo, hi] where h(lo), h(hi) differ in sign.

    Newton steps on ``dh``, falling back to bisection whenever a step leaves
    the shrinking bracket, so it always converges; stops at machine precision.
    """
    h_lo = h(lo)
    x = 0.5 * (lo + hi)
    for _ in range(200):
        hx = h(x)
        if hx == 0.0:
            return x
        if (hx < 0.0) == (h_lo < 0.0):
            lo, h_lo = x, hx
        else:
            hi = x
        d = dh(x)
        step = hx / d if d != 0.0 else math.inf
        nxt = x - step
        if not lo < nxt < hi:
            nxt = 0.5 * (lo + hi)
        if abs(nxt - x) <= 4e-16 * (1.0 + abs(x)):
            return nxt
        x = nxt
    return x


def rosenbrock_points(v: dict[str, float]) -> tuple[CriticalPoint, ...]:
    """The single critical point: the minimum (a, a^2), f = 0."""
    a = v["a"]
    return (CriticalPoint(a, a * a, 0.0, "minimum"),)


def two_gaussians_points(v: dict[str, float]) -> tuple[CriticalPoint, ...]:
    """All critical points of the two-Gaussian bowl, sorted by x.

    dvalue/dy = 2y (1 + (a e_a + b e_b) / c) vanishes only at y = 0, where
    d2value/dy2 > 0, so every critical point lies on the x axis and is a
    minimum where h = dvalue/dx increases through zero and a saddle where it
    decreases. Roots of h satisfy |x| <= M = (a + b) / c * sqrt(c / 2) e^(-1/2)
    (the largest of |u| exp(-u^2 / c) bounds the Gaussian terms), so a sign
    scan of [-M - 1/2, M + 1/2] at spacing sqrt(c) / 20 brackets them all but
    tangential (measure-zero) ones; each is polished to machine precision.
    """
    a, b, c = v["a"], v["b"], v["c"]

    def h(x):
        ea = a * np.exp(-((x - 1.0) ** 2) / c)
        eb = b * np.exp(-((x + 1.0) ** 2) / c)
        return 2.0 * x + 2.0 * (ea * (x - 1.0) + eb * (x + 1.0)) / c

    def dh(x):
        ea = a * np.exp(-((x - 1.0) ** 2) / c)
        eb = b * np.exp(-((x + 1.0) ** 2) / c)
        return (
            2.0
            + 2.0
            * (ea * (1.0 - 2.0 * (x - 1.0) ** 2 / c) + eb * (1.0 - 2.0 * (x + 1.0) ** 2 / c))
            / c
        )

    bound = (a + b) / c * math.sqrt(0.5 * c) * math.exp(-0.5) + 0.5
    n = max(2001, math.ceil(2.0 * bound / (0.05 * math.sqrt(c))) + 1)
    xs = np.linspace(-bound, bound, n)
    hs = h(xs)
    roots = [float(xs[i]) for i in np.flatnonzero(hs == 0.0)]
    for i in np.flatnonzero(hs[:-1] * hs[1:] < 0.0):
        lo, hi = float(xs[i]), float(xs[i + 1])
        roots.append(_polish_root(lambda t: float(h(t)), lambda t: float(dh(t)), lo, hi))
    out = []
    for x in sorted(roots):
        slope = float(dh(x))
        if slope == 0.0:
            continue  # tangential root: a degenerate point between two regimes
        f = x * x - a * math.exp(-((x - 1.0) ** 2) / c) - b * math.exp(-((x + 1.0) ** 2) / c)
        out.append(CriticalPoint(x, 0.0, f, "minimum" if slope > 0.0 else "saddle"))
    return tuple(out)


def double_well_points(v: dict[str, float]) -> tuple[CriticalPoint, ...]:
    """Roots of x^3 - x + c (the derivative), sorted: minima where 3x^2 - 1 > 0, else maximum.

    Three real roots for |c| < 2 / (3 sqrt 3) ~ 0.385, one beyond (the
    shallow well and the hump merge and vanish). Roots from the companion
    matrix are polished by Newton steps; y is 0 on a 1-D surface.
    """
    c = v["c"]
    out = []
    for r in sorted(float(z.real) for z in np.roots([1.0, 0.0, -1.0, c]) if abs(z.imag) < 1e-7):
        x = r
        for _ in range(8):
            d = 3.0 * x * x - 1.0
            if d == 0.0:
                break
            x -= (x * x * x - x + c) / d
        curv = 3.0 * x * x - 1.0
        if curv == 0.0 or any(abs(x - q.x) < 1e-9 for q in out):
            continue
        f = 0.25 * x**4 - 0.5 * x * x + c * x
        out.append(CriticalPoint(x, 0.0, f, "minimum" if curv > 0.0 else "maximum"))
    return tuple(out)


def point_pair(x: float, y: float, f: float, kind: str) -> tuple[CriticalPoint, CriticalPoint]:
    """A critical point and its mirror (-x, -y), for surfaces with f(-x, -y) = f(x, y)."""
    return CriticalPoint(x, y, f, kind), CriticalPoint(-x, -y, f, kind)
