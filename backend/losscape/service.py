"""The Python API: validated arguments -> contiguous float64 arrays -> kernels -> results.

Everything public here is re-exported from ``losscape``; the web layer calls the
same functions. Unknown names, wrong types, non-finite or out-of-bound values
raise ``ValueError`` naming the valid choices or bounds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields

import numpy as np

from . import limits
from .arguments import (  # noqa: F401  (re-exported: the names stay importable here)
    _EMPTY_CODE,
    _EMPTY_CONSTS,
    SurfaceArg,
    _log_range,
    _noise_std,
    _schedule,
    _seed,
    _steps,
    _tol,
    _work,
    resolve_surface,
)
from .catalogue import (  # noqa: F401  (re-exported: losscape.surfaces() and older callers)
    optimizers,
    param_dict,
    schedules,
    surfaces,
)
from .numerics import kernels
from .numerics.kernels import STATUS_DIVERGED, STATUS_NAMES
from .numerics.registry import (  # noqa: F401  (optimizer_spec re-exported for claims)
    check_number,
    optimizer_spec,
)
from .numerics.specs import OptimizerSpec
from .optimizer_state import OptimizerState, replay
from .resolved import ResolvedSurface, classify
from .run_arguments import plain_hyperparams, plain_run_arguments, run_arguments
from .saddles import run_status
from .sweeps import (  # noqa: F401  (re-exported: the names stay importable here)
    _MOMENTUM_NAMES,
    LABEL_DIVERGED,
    LABEL_ESCAPED,
    LABEL_NONE,
    BasinMap,
    BatchResult,
    Cancelled,
    LRMomentumMap,
    LRSweep,
    _minima_arg,
    _nan_where_diverged,
    _stopped_array,
    basin_targets,
    basins,
    label_minima,
    lr_momentum_map,
    lr_sweep,
    run_batch,
)
from .validation import check_point as _point
from .validation import check_view as _check_view
from .validation import hyperparams as _hyperparams  # noqa: F401  (re-exported)

# --------------------------------------------------------------------------- trajectory


@dataclass(frozen=True)
class Trajectory:
    """One optimizer run on one surface.

    ``path`` (n + 1, 2) and ``loss`` (n + 1,) hold the n steps actually taken;
    ``lrs`` (n,) the learning rate of each step; ``averaged_path`` /
    ``averaged_loss`` the Polyak average of the iterates, mean(theta_0..theta_k).
    ``status`` is "done" (budget spent), "converged" (gradient norm below tol),
    "diverged" (non-finite or beyond the bound) or "escaped" (left the view of
    a surface unbounded below); ``stopped_at`` the step where it stopped early.
    """

    surface: str
    optimizer: str
    lr: float
    hyperparams: dict[str, float]
    path: np.ndarray
    loss: np.ndarray
    lrs: np.ndarray
    averaged_path: np.ndarray
    averaged_loss: np.ndarray
    status: str
    stopped_at: int | None
    state: OptimizerState | None = None  # with record_state=True (see optimizer_state)

    @classmethod
    def _of(cls, **fields: object) -> Trajectory:
        """The result from its fields, all given, without the frozen dataclass's
        ``__init__``: that sets each field through ``object.__setattr__`` (about 1.5 us
        of a 40 us run); the keyword dict, new with each call, becomes the instance's
        dict as it is (no copy into an empty one)."""
        self = object.__new__(cls)
        object.__setattr__(self, "__dict__", fields)
        return self

    @property
    def steps_taken(self) -> int:
        return int(self.loss.shape[0] - 1)

    @property
    def final(self) -> tuple[float, float, float]:
        return float(self.path[-1, 0]), float(self.path[-1, 1]), float(self.loss[-1])


def _stopped_at(n: int, status: int) -> int | None:
    if status == STATUS_DIVERGED:
        return n + 1
    return None if STATUS_NAMES[status] == "done" else n


def trajectory(
    surface: SurfaceArg,
    optimizer: str,
    *,
    start: Sequence[float] | None = None,
    steps: int = 200,
    lr: float | None = None,
    schedule: str | None = None,
    schedule_params: Mapping[str, object] | None = None,
    noise: float = 0.0,
    batch_size: int | None = None,
    seed: int = 0,
    tol: float = 1e-10,
    surface_params: Mapping[str, object] | None = None,
    record_state: bool = False,
    **hyperparams: object,
) -> Trajectory:
    """Run ``optimizer`` on ``surface`` from ``start``.

    Args:
        surface: a catalogue name (``losscape.surfaces()``), ``{"name", "params"}``
            or ``{"expression": "x**2 + 3*y**2"}``.
        optimizer: a name from ``losscape.optimizers()``.
        start: (x, y); the surface's default start when None.
        steps: step budget, 1 to ``limits.MAX_STEPS``.
        lr: base learning rate (the optimizer's default when None).
        schedule, schedule_params: a name from ``losscape.schedules()`` and its settings.
        noise, batch_size: mini-batch gradient noise, std ``noise / sqrt(batch_size)``.
        seed: seeds the noise.
        tol: stop as converged when the gradient norm falls below it.
        surface_params: the surface's parameters (defaults otherwise).
        record_state: also return the optimizer's state at every step (``.state``:
            velocity, moments, per-axis step scales; see ``losscape.optimizer_state``).
        **hyperparams: the optimizer's hyperparameters, named as in torch.optim.

    Returns:
        A ``Trajectory``.
    """
    surf = resolve_surface(surface, surface_params)
    start = start if start is not None else surf.default_start
    a = None
    if not hyperparams and schedule is None and not schedule_params and batch_size is None:
        # The plain run's cached hyperparameter and schedule vectors, not copies: they only
        # go to the kernel (which reads them) and are never returned; replay copies hp.
        a = plain_run_arguments(optimizer, start, steps, lr, noise, seed, tol)
    if a is None:  # anything else: every check in turn, the first bad argument named
        a = run_arguments(
            optimizer, start, steps=steps, lr=lr, schedule=schedule,
            schedule_params=schedule_params, noise=noise, batch_size=batch_size, seed=seed,
            tol=tol, **hyperparams,
        )  # fmt: skip
    spec, hp, lr0, n_steps, (x0, y0), kid, schp, noise_std, seed_, tol_ = a
    box, box_status = surf.stop_box()
    # The kernel writes the result's own arrays: rows 0..n of a C-contiguous
    # array are C-contiguous, so the results below are views, not copies.
    xy = np.empty((n_steps + 1, 2))
    loss = np.empty(n_steps + 1)
    lrs = np.empty(n_steps)
    avg_xy = np.empty((n_steps + 1, 2))
    avg_loss = np.empty(n_steps + 1)
    end = np.empty(7)  # (f, gx, gy) at the last point and the Hessian there (saddle check)
    kernel_args = surf.kernel_args()  # once: the saddle check below takes them too
    n, status = kernels.run_trajectory(
        *kernel_args, spec.id, hp, kid, schp, lr0, x0, y0, n_steps, noise_std,
        seed_, tol_, box, box_status, xy, loss, lrs, avg_xy, avg_loss, end,
    )  # fmt: skip
    if n == 0:  # the kernel's first evaluation is the start's: ``end`` holds it
        _check_start(x0, y0, end)
    if n < n_steps:  # stopped early: views of the rows taken, or copies when few were
        parts = (xy[: n + 1], loss[: n + 1], lrs[:n], avg_xy[: n + 1], avg_loss[: n + 1])
        if 2 * n < n_steps:  # don't keep mostly empty buffers alive with the result
            parts = tuple(a.copy() for a in parts)
        xy, loss, lrs, avg_xy, avg_loss = parts
    _, gx, gy, *h = end.tolist()  # Python floats: the saddle check reads them one by one
    # No end point: with the Hessian given the check never reads it (xy[-1].tolist() was a
    # view and a list, ~0.3 us of every run).
    status_name = run_status(STATUS_NAMES[status], kernel_args, (gx, gy), None, h)
    names = plain_hyperparams(spec, hp)
    if names is None:
        names = dict(zip(_hyperparam_names(spec), hp.tolist(), strict=True))
    return Trajectory._of(
        surface=surf.name,
        optimizer=spec.name,
        lr=lr0,
        hyperparams=names,
        path=xy,
        loss=loss,
        lrs=lrs,
        averaged_path=avg_xy,
        averaged_loss=avg_loss,
        status=status_name,
        stopped_at=_stopped_at(n, status),
        state=replay(surf, spec, hp.copy(), xy, lrs, noise_std, seed_) if record_state else None,
    )


_HYPERPARAM_NAMES: dict[int, tuple[str, ...]] = {}


def _hyperparam_names(spec: OptimizerSpec) -> tuple[str, ...]:
    """The spec's hyperparameter names in order, kept by optimizer id (specs are registry
    constants; a frozen dataclass's hash would walk all its fields on every call)."""
    names = _HYPERPARAM_NAMES.get(spec.id)
    if names is None:
        names = _HYPERPARAM_NAMES[spec.id] = tuple(p.name for p in spec.hyperparams)
    return names


def _check_start(x0: float, y0: float, values: np.ndarray) -> None:
    """ValueError when the surface or its gradient, ``values`` = (f, gx, gy, ...), is
    undefined at the start."""
    f, gx, gy = values[:3]
    if not (abs(f) <= kernels.LOSS_BOUND and math.isfinite(gx) and math.isfinite(gy)):
        raise ValueError(f"the surface or its gradient is undefined at the start ({x0:g}, {y0:g})")


def evaluate(surface: SurfaceArg | ResolvedSurface, points: np.ndarray) -> np.ndarray:
    """(K, 3) rows (f, df/dx, df/dy) at ``points`` (K, 2)."""
    surf = surface if isinstance(surface, ResolvedSurface) else resolve_surface(surface)
    pts = np.ascontiguousarray(points, dtype=np.float64).reshape(-1, 2)
    out = np.empty((pts.shape[0], 3))
    kernels.evaluate_points(*surf.kernel_args(), pts, out)
    return out


# --------------------------------------------------------------------------- grid, Hessian


@dataclass(frozen=True)
class Grid:
    """Surface values for contour and 3-D plots.

    ``xs`` (nx,), ``ys`` (ny,), ``values`` (ny, nx) rows over y, NaN where the
    surface is undefined; the arrow field (when asked for) is ``arrow_x``,
    ``arrow_y`` (k,) and the gradient ``arrow_gx``, ``arrow_gy`` (k,) there.
    """

    surface: str
    xs: np.ndarray
    ys: np.ndarray
    values: np.ndarray
    arrow_x: np.ndarray
    arrow_y: np.ndarray
    arrow_gx: np.ndarray
    arrow_gy: np.ndarray

    @classmethod
    def _of(cls, *fields: object) -> Grid:
        """The grid from all its fields in order, without the frozen dataclass's
        ``__init__`` (one ``object.__setattr__`` per field, ~0.6 us of a ~40 us grid);
        as ``Trajectory._of``."""
        self = object.__new__(cls)
        self.__dict__.update(zip(_GRID_FIELDS, fields, strict=True))
        return self

    @property
    def log_scale_suggested(self) -> bool:
        """True when the range above the minimum is over 15x the median height.

        Then most of the view sits low and linear levels bunch up on the steep
        walls (Rosenbrock's valley floor, at 17x, vanishes); log levels show it.
        """
        v = self.values[np.isfinite(self.values)]
        if v.size == 0:
            return False
        lo, hi = float(v.min()), float(v.max())
        spread = hi - lo
        q = float(np.quantile(v - lo, 0.5))
        return spread > 0 and q > 0 and spread / q > 15.0


def grid(
    surface: SurfaceArg,
    *,
    view: Sequence[float] | None = None,
    resolution: int = 200,
    arrows: int = 0,
    surface_params: Mapping[str, object] | None = None,
) -> Grid:
    """Values on a ``resolution``-square grid over ``view``; an ``arrows``-square gradient field.

    The thin path of every contour redraw: arguments validated once, the axes
    (``np.linspace``'s numbers) and the values written by the kernels into the
    arrays returned, no copies; gradients are computed only at the arrows.
    """
    surf = resolve_surface(surface, surface_params)
    n = int(check_number(resolution, "resolution", 2, limits.MAX_GRID, kind="int"))
    k = int(check_number(arrows, "arrows", 0, limits.MAX_ARROWS, kind="int"))
    x0, x1, y0, y1 = _check_view(view) if view is not None else surf.view
    xs, ys, values = np.empty(n), np.empty(n), np.empty((n, n))
    kernels.grid_over_view(*surf.kernel_args(), x0, x1, y0, y1, xs, ys, values, True)
    arrow = _arrow_field(surf, (x0, x1, y0, y1), k) if k >= 2 else (np.empty(0),) * 4
    return Grid._of(surf.name, xs, ys, values, *arrow)


_GRID_FIELDS = tuple(f.name for f in fields(Grid))


def _arrow_field(
    surf: ResolvedSurface, view: tuple[float, float, float, float], k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x, y, df/dx, df/dy) at the centres of a k x k grid of cells over ``view`` (k cells
    along x only for a 1-D surface), the points where the gradient is undefined left out."""
    x0, x1, y0, y1 = view
    # Arrows sit at cell centres so none lands on the view's edge.
    ax = x0 + (np.arange(k) + 0.5) * (x1 - x0) / k
    ay = y0 + (np.arange(k) + 0.5) * (y1 - y0) / k if surf.dims == 2 else np.zeros(1)
    mx, my = np.meshgrid(ax, ay)
    pts = evaluate(surf, np.column_stack([mx.ravel(), my.ravel()]))
    ok = np.all(np.isfinite(pts), axis=1)
    return mx.ravel()[ok], my.ravel()[ok], pts[ok, 1], pts[ok, 2]


@dataclass(frozen=True)
class HessianInfo:
    """Curvature at a point: value, gradient (2,), Hessian (2, 2), eigenvalues
    (2,) ascending, eigenvectors (2, 2) as columns, and the point's kind:
    "minimum", "maximum", "saddle", "degenerate" (critical, a zero eigenvalue)
    or "regular" (the gradient is not zero)."""

    point: tuple[float, float]
    value: float
    gradient: np.ndarray
    matrix: np.ndarray
    eigenvalues: np.ndarray
    eigenvectors: np.ndarray
    kind: str


def hessian(
    surface: SurfaceArg | ResolvedSurface,
    point: Sequence[float],
    *,
    surface_params: Mapping[str, object] | None = None,
) -> HessianInfo:
    """Hessian, its eigen-pairs and the kind of critical point at ``point``."""
    surf = (
        surface
        if isinstance(surface, ResolvedSurface)
        else resolve_surface(surface, surface_params)
    )
    x, y = _point(point, "point")
    f, gx, gy = evaluate(surf, np.array([[x, y]]))[0]
    if not (math.isfinite(f) and math.isfinite(gx) and math.isfinite(gy)):
        raise ValueError(f"the surface is undefined at ({x:g}, {y:g})")
    h = np.empty((2, 2))
    kernels.hessian_at(*surf.kernel_args(), x, y, h)
    if not np.all(np.isfinite(h)):
        raise ValueError(f"the Hessian is undefined at ({x:g}, {y:g})")
    w, v = np.linalg.eigh(h)
    g = np.array([gx, gy])
    return HessianInfo((x, y), float(f), g, h, w, v, classify(g, w, dims=surf.dims))
