"""After a run: is its end point a saddle where gradient descent is stuck?

A run whose gradient vanished ("converged", or a budget spent with a vanishing
gradient) at a point where the Hessian has a negative eigenvalue did not find a
minimum: it is stuck at a saddle. The kernels report only "converged"; this
check runs once after the run, so the numba kernels stay as they are.
"""

from __future__ import annotations

import math

import numpy as np

from .numerics import kernels

# A gradient this small relative to the curvature counts as vanished (service.classify's rule).
_RELATIVE_TOL = 1e-6


def is_stuck(
    kernel_args: tuple[int, np.ndarray, np.ndarray, np.ndarray],
    gradient: tuple[float, float],
    point: tuple[float, float],
) -> bool:
    """True when ``gradient`` vanishes at ``point`` and the Hessian there has an eigenvalue < 0.

    Args:
        kernel_args: the surface's ``(sid, params, code, consts)``.
        gradient: (gx, gy) at the point.
        point: (x, y), the run's last iterate.
    """
    h = np.empty((2, 2))
    kernels.hessian_at(*kernel_args, float(point[0]), float(point[1]), h)
    if not np.all(np.isfinite(h)):
        return False
    eig = np.linalg.eigvalsh(h)
    scale = max(1.0, float(np.max(np.abs(eig))))
    small = math.hypot(*gradient) <= _RELATIVE_TOL * scale
    return bool(small and eig[0] < -_RELATIVE_TOL * scale)


def run_status(
    status: str,
    kernel_args: tuple[int, np.ndarray, np.ndarray, np.ndarray],
    gradient: tuple[float, float],
    point: tuple[float, float],
) -> str:
    """The kernel's status, with "converged" / "done" at a saddle turned into "stuck"."""
    if status in ("converged", "done") and is_stuck(kernel_args, gradient, point):
        return "stuck"
    return status
