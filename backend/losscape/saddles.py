"""After a run: is its end point a saddle where gradient descent is stuck?

A run whose gradient vanished ("converged", or a budget spent with a vanishing
gradient) at a point where the Hessian has a negative eigenvalue did not find a
minimum: it is stuck at a saddle. The kernels report only "converged"; this
check runs once after the run, so the numba kernels stay as they are.

It runs for every run the live channel answers, so it avoids numpy's per-call
overhead: the 2 x 2 symmetric eigenvalues come in closed form (numpy's
``eigvalsh`` cost about 25 us a call, more than the run's kernel).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .numerics import kernels

# A gradient this small relative to the curvature counts as vanished (service.classify's rule).
_RELATIVE_TOL = 1e-6


def symmetric_eigenvalues(a: float, b: float, d: float) -> tuple[float, float]:
    """Eigenvalues (ascending) of [[a, b], [b, d]]: (a + d)/2 -/+ sqrt(((a - d)/2)^2 + b^2)."""
    mean = 0.5 * (a + d)
    radius = math.hypot(0.5 * (a - d), b)
    return mean - radius, mean + radius


def is_stuck(
    kernel_args: tuple[int, np.ndarray, np.ndarray, np.ndarray],
    gradient: tuple[float, float],
    point: tuple[float, float] | None,
    hessian: Sequence[float] | None = None,
) -> bool:
    """True when ``gradient`` vanishes at ``point`` and the Hessian there has an eigenvalue < 0.

    "Vanishes" means |g| <= 1e-6 * max(1, max|eigenvalue|); "negative" means
    the smallest eigenvalue < -1e-6 * max(1, max|eigenvalue|).

    Args:
        kernel_args: the surface's ``(sid, params, code, consts)``.
        gradient: (gx, gy) at the point.
        point: (x, y), the run's last iterate; read only to compute the Hessian, so None
            will do when ``hessian`` is given.
        hessian: (h_xx, h_xy, h_yx, h_yy) at the point as ``kernels.hessian_at`` computes
            it, when the caller has it (the trajectory kernels give it with the end
            point: no second kernel call); computed here otherwise.
    """
    if hessian is None:
        if point is None:
            raise ValueError("is_stuck needs the point when no Hessian is given")
        h = np.empty((2, 2))
        kernels.hessian_at(*kernel_args, float(point[0]), float(point[1]), h)
        hessian = h.ravel().tolist()  # one conversion, not one per entry
    a, b_up, b_down, d = hessian
    b = 0.5 * (b_up + b_down)
    g = math.hypot(float(gradient[0]), float(gradient[1]))
    # Most runs end where the gradient is far from vanishing: |lo|, |hi| <= |a| + |b| + |d|
    # (the closed form's terms, bounded one by one), so a gradient above twice that scale's
    # tolerance (room for rounding) is not small, and the eigenvalues are not needed (about
    # 0.4 of the check's 0.8 us). A NaN or inf anywhere fails this test and is decided below.
    if g > 2.0 * _RELATIVE_TOL * max(1.0, abs(a) + abs(b) + abs(d)):
        return False
    if not (math.isfinite(a) and math.isfinite(b) and math.isfinite(d)):
        return False
    lo, hi = symmetric_eigenvalues(a, b, d)
    scale = max(1.0, abs(lo), abs(hi))
    small = g <= _RELATIVE_TOL * scale
    return small and lo < -_RELATIVE_TOL * scale


def run_status(
    status: str,
    kernel_args: tuple[int, np.ndarray, np.ndarray, np.ndarray],
    gradient: tuple[float, float],
    point: tuple[float, float] | None,
    hessian: Sequence[float] | None = None,
) -> str:
    """The kernel's status, with "converged" / "done" at a saddle turned into "stuck"
    (``hessian`` as ``is_stuck`` takes it)."""
    if status in ("converged", "done") and is_stuck(kernel_args, gradient, point, hessian):
        return "stuck"
    return status
