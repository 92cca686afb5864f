"""A surface resolved for the kernels, and the rules every surface shares.

Below ``service`` and ``expressions`` (both build ``ResolvedSurface``s), so
neither imports the other: the stop box factors and ``classify`` live here.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np

from .numerics.kernels import STATUS_DIVERGED, STATUS_ESCAPED
from .numerics.specs import CriticalPoint

DIVERGE_BOX_FACTOR = 10.0  # bounded-below surfaces: leaving 10x the view box is divergence
ESCAPE_BOX_FACTOR = 3.0  # unbounded-below surfaces: leaving 3x the view box is a stop


@dataclass(frozen=True)
class ResolvedSurface:
    """A surface ready for the kernels: dispatch id, parameter array, program arrays."""

    name: str
    sid: int
    params: np.ndarray
    code: np.ndarray
    consts: np.ndarray
    view: tuple[float, float, float, float]
    critical_points: tuple[CriticalPoint, ...]
    unbounded_below: bool = False
    quadratic: bool = False
    dims: int = 2
    default_start: tuple[float, float] = (0.0, 0.0)
    expression: str | None = None
    param_values: dict[str, float] = field(default_factory=dict)

    @property
    def minima(self) -> tuple[CriticalPoint, ...]:
        return tuple(c for c in self.critical_points if c.kind == "minimum")

    def kernel_args(self) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
        return self.sid, self.params, self.code, self.consts

    def stop_box(self) -> tuple[np.ndarray, int]:
        """The box beyond which a run stops, and the status it stops with.

        Computed once per surface (the cached default surfaces answer run after run);
        the kernels only read the box."""
        return self._stop

    @functools.cached_property
    def _stop(self) -> tuple[np.ndarray, int]:
        factor = ESCAPE_BOX_FACTOR if self.unbounded_below else DIVERGE_BOX_FACTOR
        x0, x1, y0, y1 = self.view
        cx, cy = 0.5 * (x0 + x1), 0.5 * (y0 + y1)
        hx, hy = 0.5 * (x1 - x0) * factor, 0.5 * (y1 - y0) * factor
        if self.dims == 1:
            hy = math.inf
        box = np.array([cx - hx, cx + hx, cy - hy, cy + hy], dtype=np.float64)
        return box, STATUS_ESCAPED if self.unbounded_below else STATUS_DIVERGED


def classify(gradient: np.ndarray, eigenvalues: np.ndarray, *, dims: int = 2) -> str:
    """Kind of point from its gradient and Hessian eigenvalues (relative tolerances)."""
    scale = max(1.0, float(np.max(np.abs(eigenvalues))))
    if float(np.linalg.norm(gradient)) > 1e-6 * scale:
        return "regular"
    eig = eigenvalues if dims == 2 else eigenvalues[np.abs(eigenvalues) > 0][-1:]
    tol = 1e-6 * scale
    if eig.size == 0 or np.any(np.abs(eig) <= tol):
        return "degenerate"
    if np.all(eig > 0):
        return "minimum"
    if np.all(eig < 0):
        return "maximum"
    return "saddle"
